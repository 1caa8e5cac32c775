"""Tabular datasets: mlbench's .rda files and covertype, their splits, validation and checksums."""

import dataclasses
import shutil
from urllib.error import URLError

import joblib
import numpy as np
import pytest

from mlhistory import data
from mlhistory.data import fetching
from mlhistory.errors import DataError

MLBENCH = ("letter", "shuttle", "satellite")


@pytest.fixture(scope="module")
def loaded(project_data):
    """Each mlbench dataset through the data step (fetched once, then read from data/)."""
    return {name: data.load(name, project_data) for name in MLBENCH}


@pytest.fixture(scope="module")
def rda_files(loaded, project_data) -> dict:
    """mlbench's .rda of each table, as the data step fetched it into the project's data folder."""
    return {name: project_data / name / f"{data.MLBENCH_TABLES[name].frame}.rda" for name in MLBENCH}


def _arrays(dataset):
    return {"x_train": dataset.x_train, "y_train": dataset.y_train,
            "x_test": dataset.x_test, "y_test": dataset.y_test}


def _copy_rda(rda_files, tmp_path, name):
    """A copy of the package's .rda in a data folder, where the loader looks first."""
    (tmp_path / name).mkdir()
    return shutil.copy(rda_files[name], tmp_path / name / rda_files[name].name)


@pytest.mark.parametrize("name, n_features, classes, first_class, last_class", [
    ("letter", 16, 26, "A", "Z"),
    ("shuttle", 9, 7, "Rad.Flow", "Bpv.Open"),
    ("satellite", 36, 6, "red soil", "very damp grey soil"),
])
def test_mlbench_datasets_have_the_documented_shape(loaded, rda_files, name, n_features, classes, first_class,
                                                    last_class):
    dataset = loaded[name]
    info = dataset.info
    assert not info.is_image and info.input_shape == (n_features,)
    assert (info.n_classes, info.class_names[0], info.class_names[-1]) == (classes, first_class,
                                                                           last_class)
    assert dataset.x_train.shape == (info.n_train, n_features) and dataset.x_train.dtype == np.float32
    assert dataset.x_test.shape == (info.n_test, n_features) and dataset.y_test.dtype == np.int64
    assert rda_files[name].exists()
    # Every class is present on both sides of the split, even shuttle's 10-example one.
    assert np.bincount(dataset.y_train, minlength=classes).min() > 0
    assert np.bincount(dataset.y_test, minlength=classes).min() > 0


def test_mlbench_arrays_match_the_recorded_checksums(loaded):
    recorded = data.recorded_checksums()
    for name, dataset in loaded.items():
        assert data.array_checksums(_arrays(dataset), data.TABULAR) == recorded[name], name


def test_tabular_rows_are_hashed_as_little_endian_float32():
    rows = {"x_train": np.array([[1.5, -2.0]]), "x_test": np.array([[3.0, 0.25]]),
            "y_train": np.array([0]), "y_test": np.array([1])}
    as_float32 = {**rows, "x_train": rows["x_train"].astype(">f4"),
                  "x_test": rows["x_test"].astype(np.float32)}
    assert data.array_checksums(rows, data.TABULAR) == data.array_checksums(as_float32, data.TABULAR)
    assert data.array_checksums(rows, data.TABULAR) != data.array_checksums(rows, data.IMAGE)


def test_letter_keeps_the_published_split_in_file_order(loaded, rda_files):
    import rdata

    frame = rdata.read_rda(rda_files["letter"],
                           default_encoding="ascii")["LetterRecognition"]
    letters, names = frame["lettr"].astype(str).to_numpy(), np.array(data.DATASETS["letter"].class_names)
    dataset = loaded["letter"]
    np.testing.assert_array_equal(names[dataset.y_train], letters[:16_000])
    np.testing.assert_array_equal(names[dataset.y_test], letters[16_000:])
    np.testing.assert_array_equal(dataset.x_train, frame.iloc[:16_000, 1:].to_numpy(np.float32))


@pytest.mark.parametrize("name", ["shuttle", "satellite"])
def test_seeded_splits_are_stratified_and_repeatable(loaded, project_data, name):
    first = loaded[name]
    labels = np.concatenate([first.y_train, first.y_test])
    expected_test = np.bincount(labels) * first.info.n_test / len(labels)
    assert np.abs(np.bincount(first.y_test) - expected_test).max() <= 1
    second = data.load(name, project_data)
    np.testing.assert_array_equal(first.x_train, second.x_train)
    np.testing.assert_array_equal(first.y_test, second.y_test)


def test_the_data_folder_copy_is_preferred(rda_files, tmp_path):
    copy = _copy_rda(rda_files, tmp_path, "satellite")
    assert data.load("satellite", tmp_path).source == f"{copy.parent} (copied there by hand)"


@pytest.mark.parametrize("damage", [
    lambda raw: raw[: len(raw) // 2],
    lambda raw: raw[:200] + b"\x00" * 64 + raw[264:],
    lambda raw: b"garbage, not R data",
    lambda raw: b"",
])
def test_truncated_or_corrupted_rda_is_named(rda_files, tmp_path, damage):
    copy = _copy_rda(rda_files, tmp_path, "letter")
    copy.write_bytes(damage(copy.read_bytes()))
    with pytest.raises(DataError, match=f"{copy}: cannot be read as R data"):
        data.load("letter", tmp_path)


def test_another_data_frame_in_the_right_file_name_is_rejected(rda_files, tmp_path):
    (tmp_path / "letter").mkdir()
    shutil.copy(rda_files["satellite"], tmp_path / "letter" / "LetterRecognition.rda")
    with pytest.raises(DataError, match="LetterRecognition.rda: holds no data frame named LetterRecognition"):
        data.load("letter", tmp_path)


def test_altered_values_fail_the_checksum(rda_files, tmp_path):
    import rdata

    copy = _copy_rda(rda_files, tmp_path, "satellite")
    frame = rdata.read_rda(copy, default_encoding="ascii")["Satellite"]
    frame.iloc[0, 0] += 1
    rdata.write_rda(copy, {"Satellite": frame})
    with pytest.raises(DataError, match="satellite x_(train|test) does not match its recorded SHA-256"):
        data.load("satellite", tmp_path)


def test_missing_package_names_the_sources_tried_and_the_fix(tmp_path, monkeypatch):
    monkeypatch.setattr(fetching, "DEBIAN_MLBENCH_DIR", tmp_path / "no-package")
    # A machine without apt-get: no program of that name on the search path.
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs"))
    with pytest.raises(DataError, match=r"shuttle could not be fetched; tried: the installed Debian "
                                        r"package r-cran-mlbench .*\(not installed\); "
                                        r"`apt-get download r-cran-mlbench` \(no apt-get on this "
                                        r"machine\)\. Install it with `apt-get install "
                                        r"--no-install-recommends r-cran-mlbench`, or copy mlbench's "
                                        r"Shuttle.rda"):
        data.load("shuttle", tmp_path)


def test_offline_covertype_names_the_url_and_the_offline_datasets(tmp_path, monkeypatch):
    import sklearn.datasets

    def no_network(*arguments, **keywords):
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(sklearn.datasets, "fetch_covtype", no_network)
    with pytest.raises(DataError) as raised:
        data.load("covertype", tmp_path)
    message = str(raised.value)
    assert fetching.COVERTYPE_URL in message and str(tmp_path / "covertype") in message
    assert "may be offline" in message
    assert message.endswith("run offline: digits, fashion_mnist, letter, mnist, satellite, shuttle")


def test_cached_covertype_loads_without_network(tmp_path, monkeypatch):
    """scikit-learn's own cache in data/covertype is read as is, split and validated."""
    import sklearn.datasets._covtype

    def no_network(*arguments, **keywords):
        raise AssertionError("covertype was downloaded although it is cached")

    monkeypatch.setattr(sklearn.datasets._covtype, "_fetch_remote", no_network)
    # A small stand-in of the right width: the real 581,012 rows cannot be fetched here.
    info = dataclasses.replace(data.DATASETS["covertype"], n_train=600, n_test=200)
    monkeypatch.setitem(data.DATASETS, "covertype", info)
    rng = np.random.default_rng(0)
    targets = np.repeat(np.arange(1, 8), [300, 200, 120, 40, 60, 50, 30]).astype(np.int32)
    # fetch_covtype caches its arrays as these two joblib files.
    (tmp_path / "covertype").mkdir()
    joblib.dump(rng.integers(0, 4000, (800, 54)).astype(np.float64),
                tmp_path / "covertype" / "samples_py3")
    joblib.dump(targets, tmp_path / "covertype" / "targets_py3")
    dataset = data.load("covertype", tmp_path)
    assert dataset.x_train.shape == (600, 54) and dataset.x_train.dtype == np.float32
    assert sorted(np.unique(dataset.y_test)) == list(range(7))  # cover types 1..7 become 0..6
    assert np.abs(np.bincount(dataset.y_test) - np.bincount(targets - 1) / 4).max() <= 1


def test_corrupted_covertype_cache_is_named(tmp_path):
    (tmp_path / "covertype").mkdir()
    for name in ("samples_py3", "targets_py3"):
        (tmp_path / "covertype" / name).write_bytes(b"not a pickle")
    with pytest.raises(DataError, match="covertype: the cached covertype arrays cannot be read"):
        data.load("covertype", tmp_path)


TABLE = data.DatasetInfo("table", "test table", (3,), 4, 2, ("a", "b"), kind=data.TABULAR)


def _table():
    return {"x_train": np.arange(12, dtype=np.float32).reshape(4, 3), "y_train": np.array([0, 1, 0, 1]),
            "x_test": np.ones((2, 3), dtype=np.float32), "y_test": np.array([1, 0])}


def test_validate_accepts_a_well_formed_table():
    data.validate(TABLE, _table(), "memory")


@pytest.mark.parametrize("change, message", [
    (lambda a: a["x_train"].__setitem__((1, 2), np.nan), "1 feature values are missing or infinite"),
    (lambda a: a["x_test"].__setitem__((0, 0), np.inf), "missing or infinite"),
    (lambda a: a.update(x_train=a["x_train"][:, :2]), r"expected float32 \(3,\)"),
    (lambda a: a.update(x_test=a["x_test"].reshape(2, 3, 1)), r"expected float32 \(3,\)"),
    (lambda a: a.update(x_train=a["x_train"].astype(np.float64)), "rows are float64"),
    (lambda a: a.update(x_test=a["x_test"].astype(np.uint8)), "expected float32"),
    (lambda a: a.update(y_train=a["y_train"][:3]), "4 rows but 3 labels"),
    (lambda a: a.update(y_test=a["y_test"] + 1), "labels outside 0..1"),
])
def test_validate_rejects_malformed_tables(change, message):
    arrays = _table()
    change(arrays)
    with pytest.raises(DataError, match=message):
        data.validate(TABLE, arrays, "memory")
