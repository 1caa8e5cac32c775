"""The data layer: IDX parsing and validation, checksums, sources, and stratified subsets."""

import gzip
import shutil

import numpy as np
import pytest
from conftest import idx_bytes, write_idx

from mlhistory import data
from mlhistory.errors import DataError, UsageError


def test_read_idx_round_trips_images_and_labels(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    labels = np.array([7, 1], dtype=np.uint8)
    np.testing.assert_array_equal(data.read_idx(write_idx(tmp_path / "x.gz", images)), images)
    np.testing.assert_array_equal(
        data.read_idx(write_idx(tmp_path / "y", labels, compress=False)), labels)


def test_truncated_file_is_named_and_explained(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((5, 4, 4)))[:-10]))
    with pytest.raises(DataError, match="train-images-idx3-ubyte.gz.*truncated"):
        data.read_idx(path)


def test_truncated_gzip_stream_is_a_data_error(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(100)))[:-20])
    with pytest.raises(DataError, match="labels.gz.*cannot be decompressed"):
        data.read_idx(path)


def test_corrupted_bytes_are_a_data_error(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(b"this is not gzip at all")
    with pytest.raises(DataError, match="labels.gz"):
        data.read_idx(path)


def test_bad_magic_number(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"\x12\x34\x08\x01" + (3).to_bytes(4, "big") + b"abc")
    with pytest.raises(DataError, match="magic number"):
        data.read_idx(path)


def test_non_byte_data_type_is_rejected(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(idx_bytes(np.zeros(3), type_code=0x0D))
    with pytest.raises(DataError, match="not unsigned byte"):
        data.read_idx(path)


def _arrays(n_train=20, n_test=10, shape=(8, 8), classes=10):
    rng = np.random.default_rng(0)
    return {"x_train": rng.integers(0, 255, (n_train, *shape), dtype=np.uint8),
            "y_train": np.arange(n_train) % classes,
            "x_test": rng.integers(0, 255, (n_test, *shape), dtype=np.uint8),
            "y_test": np.arange(n_test) % classes}


TINY = data.DatasetInfo("tiny", "test set", (8, 8), 20, 10, tuple("abcdefghij"), offline=True)


def test_validate_accepts_a_well_formed_dataset():
    data.validate(TINY, _arrays(), "memory")


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(y_train=a["y_train"][:-1]), "do not match"),
    (lambda a: a.update(y_test=a["y_test"] + 5), "labels outside"),
    (lambda a: a.update(x_train=a["x_train"][:, :7]), "expected uint8"),
    (lambda a: a.update(x_test=a["x_test"][:-2], y_test=a["y_test"][:-2]), "expected 10"),
])
def test_validate_rejects_mismatched_or_impossible_arrays(change, message):
    arrays = _arrays()
    change(arrays)
    with pytest.raises(DataError, match=message):
        data.validate(TINY, arrays, "memory")


def test_real_fashion_mnist_loads_and_verifies():
    dataset = data.load("fashion_mnist", data.Path("/nonexistent"))
    assert dataset.x_train.shape == (60_000, 28, 28) and dataset.x_train.dtype == np.uint8
    assert dataset.x_test.shape == (10_000, 28, 28)
    assert np.bincount(dataset.y_train).tolist() == [6000] * 10


def _copy_fashion_cache(tmp_path):
    cache = tmp_path / "fashion_mnist"
    shutil.copytree(data.DEBIAN_FASHION_MNIST_DIR, cache)
    return cache


def test_data_dir_cache_is_preferred_and_checksummed(tmp_path):
    cache = _copy_fashion_cache(tmp_path)
    assert data.load("fashion_mnist", tmp_path).source == str(cache)
    # The same pixels recompressed still verify: the checksum is over decoded arrays.
    labels = data.read_idx(cache / "t10k-labels-idx1-ubyte.gz")
    write_idx(cache / "t10k-labels-idx1-ubyte.gz", labels)
    data.load("fashion_mnist", tmp_path)


def test_altered_contents_fail_the_checksum(tmp_path):
    cache = _copy_fashion_cache(tmp_path)
    labels = data.read_idx(cache / "t10k-labels-idx1-ubyte.gz").copy()
    labels[:2] = labels[1::-1] if labels[0] != labels[1] else (labels[:2] + 1) % 10
    write_idx(cache / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(DataError, match="y_test does not match its recorded SHA-256"):
        data.load("fashion_mnist", tmp_path)


def test_partial_cache_is_an_error_not_a_silent_fallback(tmp_path):
    cache = _copy_fashion_cache(tmp_path)
    (cache / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing train-labels-idx1-ubyte.gz"):
        data.load("fashion_mnist", tmp_path)


def test_offline_mnist_names_an_alternative(tmp_path, monkeypatch):
    import keras

    def no_network(*arguments, **keywords):
        raise Exception("URL fetch failure: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.utils, "get_file", no_network)
    with pytest.raises(DataError, match="DATASET=fashion_mnist"):
        data.load("mnist", tmp_path)


def test_corrupted_mnist_archive_is_detected(tmp_path):
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "mnist.npz").write_bytes(b"not the archive")
    with pytest.raises(DataError, match="mnist.npz: SHA-256 differs"):
        data.load("mnist", tmp_path)


def test_digits_split_is_fixed_and_stratified():
    first, second = data.load("digits", data.Path(".")), data.load("digits", data.Path("."))
    np.testing.assert_array_equal(first.y_test, second.y_test)
    train_share = np.bincount(first.y_train) / len(first.y_train)
    test_share = np.bincount(first.y_test) / len(first.y_test)
    assert np.abs(train_share - test_share).max() < 0.01


def test_unknown_dataset_lists_the_valid_names():
    with pytest.raises(UsageError, match="digits, fashion_mnist, mnist"):
        data.dataset_info("cifar")


def test_stratified_subsets_are_seeded_nested_and_balanced():
    labels = np.repeat(np.arange(10), [50, 60, 70, 80, 90, 100, 110, 120, 130, 190])
    small = data.stratified_subset(labels, 100, seed=3)
    large = data.stratified_subset(labels, 400, seed=3)
    assert set(small) <= set(large)
    np.testing.assert_array_equal(small, data.stratified_subset(labels, 100, seed=3))
    assert not np.array_equal(small, data.stratified_subset(labels, 100, seed=4))
    expected = np.bincount(labels) / len(labels) * 100
    assert np.abs(np.bincount(labels[small], minlength=10) - expected).max() <= 1


@pytest.mark.parametrize("size, message", [(11, "larger than"), (3, "below the number")])
def test_impossible_subset_sizes_are_usage_errors(size, message):
    with pytest.raises(UsageError, match=message):
        data.check_subset_size(size, available=10, n_classes=5, what="--n-train")
