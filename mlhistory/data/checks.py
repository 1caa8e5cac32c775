"""Every decoded dataset is checked against what it must be: shapes, dtypes, finite values,
counts, label range, and the SHA-256 of each decoded array recorded in ``data/checksums.json``.
"""

import hashlib
import json

import numpy as np

from ..errors import DataError
from ..paths import PROJECT_ROOT
from .catalog import IMAGE, DatasetInfo, dataset_info

CHECKSUMS_FILE = PROJECT_ROOT / "data" / "checksums.json"
ARRAY_KEYS = ("x_train", "y_train", "x_test", "y_test")


def validate(info: DatasetInfo, arrays: dict, source: str) -> None:
    """Check shapes, dtypes, finite values, counts and label range against what the dataset must be.

    Images are uint8 of ``input_shape``; table rows are float32 with ``input_shape`` = (n_features,).
    """
    expected_counts = {"train": info.n_train, "test": info.n_test}
    examples, dtype = ("images", np.uint8) if info.is_image else ("rows", np.float32)
    for split, expected in expected_counts.items():
        inputs, labels = arrays[f"x_{split}"], arrays[f"y_{split}"]
        where = f"{source}: {info.name} {split} split"
        if inputs.dtype != dtype or inputs.shape[1:] != info.input_shape:
            raise DataError(f"{where}: {examples} are {inputs.dtype} {inputs.shape[1:]}, "
                            f"expected {np.dtype(dtype)} {info.input_shape}")
        if not info.is_image and not np.isfinite(inputs).all():
            raise DataError(f"{where}: {np.count_nonzero(~np.isfinite(inputs))} feature values "
                            "are missing or infinite")
        if labels.ndim != 1:
            raise DataError(f"{where}: labels have shape {labels.shape}, "
                            f"expected one label per {examples[:-1]}")
        if len(inputs) != len(labels):
            raise DataError(f"{where}: {len(inputs)} {examples} but {len(labels)} labels; "
                            f"the {examples} and labels do not match")
        if len(inputs) != expected:
            raise DataError(f"{where}: {len(inputs)} examples, expected {expected}")
        if labels.min() < 0 or labels.max() >= info.n_classes:
            raise DataError(f"{where}: labels outside 0..{info.n_classes - 1}")


def array_checksums(arrays: dict, kind: str) -> dict:
    """SHA-256 of each decoded array, so recompressing a file does not change it.

    Images are hashed as uint8, table rows as little-endian float32 and labels as little-endian
    int64, whatever dtype a source stores them in, so the same data has the same digest from
    every source and every machine.
    """
    inputs = "u1" if kind == IMAGE else "<f4"
    canonical = {"x_train": inputs, "x_test": inputs, "y_train": "<i8", "y_test": "<i8"}
    return {key: hashlib.sha256(np.ascontiguousarray(arrays[key], dtype=canonical[key])
                                .tobytes()).hexdigest()
            for key in sorted(canonical)}


def recorded_checksums() -> dict:
    """The digests of data/checksums.json; a missing or damaged file is one error, since no
    dataset could be verified without it."""
    restore = "restore it with `git checkout data/checksums.json`"
    try:
        recorded = json.loads(CHECKSUMS_FILE.read_text())
    except FileNotFoundError as error:
        raise DataError(f"{CHECKSUMS_FILE} is missing, so no dataset can be verified; "
                        f"{restore}") from error
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataError(f"{CHECKSUMS_FILE} cannot be read ({error}), so no dataset can be "
                        f"verified; {restore}") from error
    expected = set(ARRAY_KEYS)
    if not isinstance(recorded, dict) or not all(
            isinstance(digests, dict) and set(digests) == expected for digests in recorded.values()):
        raise DataError(f"{CHECKSUMS_FILE} does not hold the four digests "
                        f"({', '.join(ARRAY_KEYS)}) of each dataset; {restore}")
    return recorded


def verification(name: str) -> str:
    """How ``name`` is verified: against its recorded checksums, or by its own check when it is
    declared network-fetched with one. A dataset with neither is refused."""
    if name in recorded_checksums():
        return f"checksums verified against {CHECKSUMS_FILE.name}"
    own_check = dataset_info(name).own_check
    if own_check:
        return f"no checksums recorded in {CHECKSUMS_FILE.name}; {own_check}"
    raise DataError(f"{name} has no checksums recorded in {CHECKSUMS_FILE} and no check of its "
                    f"own, so it cannot be verified; add the SHA-256 of its "
                    f"{', '.join(ARRAY_KEYS)} there")


def verify_checksums(name: str, arrays: dict, source: str) -> dict:
    """The arrays' checksums, once they match those recorded for the dataset."""
    recorded = recorded_checksums().get(name)
    if recorded is None:
        verification(name)  # refused unless the dataset has a check of its own (see data/README.md)
    checksums = array_checksums(arrays, dataset_info(name).kind)
    for key, digest in checksums.items():
        if recorded is not None and recorded[key] != digest:
            raise DataError(f"{source}: {name} {key} does not match its recorded SHA-256 "
                            "in data/checksums.json; the data is corrupted or not the published set")
    return checksums
