"""How each dataset's raw files are decoded into its official split: the formats a dataset can
come in (``RawFormat``: IDX, Keras' mnist.npz, deeplearning.net's pickle, mlbench's .rda), each
checked against its publisher's hash where one is published, and the fixed split of a table
that ships without one. The readers of the file formats themselves are in ``formats.py``.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError
from .catalog import DATASETS, MLBENCH_TABLES
from .formats import read_idx, read_mlbench_frame, read_mnist_pickle

IDX_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
ARRAY_NAMES = ("x_train", "y_train", "x_test", "y_test")
# The SHA-256 Keras itself pins for mnist.npz (keras/src/datasets/mnist.py).
MNIST_NPZ_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_PICKLE_BYTES = 17_051_982
MNIST_PICKLE_SHA256 = "f11bb9e41d6c1b6c124aa38fd605497bdcfe2ee08cf7c2bb5a41ab5d759e1416"
# Tables that ship without an official split get this fixed, seeded, stratified one.
TABULAR_TEST_FRACTION = 0.25
TABULAR_SPLIT_SEED = 0


@dataclass(frozen=True)
class RawFormat:
    """The files a dataset can come in, and how to decode them into the official split."""

    files: tuple[str, ...]
    decode: Callable[[Path], dict]  # the folder holding ``files`` -> the four arrays


def sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def decode_idx(folder: Path) -> dict:
    return {key: read_idx(folder / file) for key, file in IDX_FILES.items()}


def decode_mnist_npz(folder: Path) -> dict:
    path = folder / "mnist.npz"
    if sha256(path.read_bytes()) != MNIST_NPZ_SHA256:
        raise DataError(f"{path}: SHA-256 differs from the one Keras publishes; the file is corrupted")
    with np.load(path, allow_pickle=False) as archive:
        return {key: archive[key] for key in ARRAY_NAMES}


def decode_mnist_pickle(folder: Path) -> dict:
    path = folder / "mnist.pkl.gz"
    payload = path.read_bytes()
    if len(payload) != MNIST_PICKLE_BYTES or sha256(payload) != MNIST_PICKLE_SHA256:
        raise DataError(f"{path}: {len(payload):,} bytes whose SHA-256 differs from "
                        f"deeplearning.net's mnist.pkl.gz ({MNIST_PICKLE_BYTES:,} bytes); "
                        "the file is corrupted")
    return read_mnist_pickle(payload, str(path))


def mlbench_format(name: str) -> RawFormat:
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


IDX = RawFormat(tuple(IDX_FILES.values()), decode_idx)
MNIST_NPZ = RawFormat(("mnist.npz",), decode_mnist_npz)
MNIST_PICKLE = RawFormat(("mnist.pkl.gz",), decode_mnist_pickle)


def split_stratified(features: np.ndarray, labels: np.ndarray) -> dict:
    """The fixed split of a table without an official one: seeded, stratified, 25 % test."""
    from sklearn.model_selection import train_test_split

    x_train, x_test, y_train, y_test = train_test_split(
        features, labels, test_size=TABULAR_TEST_FRACTION, stratify=labels,
        random_state=TABULAR_SPLIT_SEED)
    return {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
