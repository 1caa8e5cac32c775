"""Shared fixtures: the project's data folder, and saved results built from fixture rows for the
claims' verdicts."""

from pathlib import Path

import numpy as np
import pytest

from mlhistory import atomic
from mlhistory.results import TEST_LABELS_FILE, ExperimentResults, key_of_test_set

# The claim fixtures' test set: 2,000 images of 10 classes.
N_TEST, N_CLASSES = 2_000, 10
TEST_LABELS = np.random.default_rng(0).integers(0, N_CLASSES, N_TEST)
# Test images from easiest to hardest, the same for every model: a model with accuracy p gets
# the easiest p * N_TEST right, so two models' errors are nested, as real models' mostly are.
DIFFICULTY = np.random.default_rng(1).permutation(N_TEST)


@pytest.fixture(scope="session")
def project_data() -> Path:
    """The project's data folder. `make test` fills it first (the data step); in `make test-fast`
    the first test that loads a dataset from it fetches that dataset if it is missing, and the
    decoded copy serves every later load."""
    from mlhistory.paths import default_data_dir

    return default_data_dir()


def _predictions_for(accuracy: float) -> np.ndarray:
    """Predictions scoring ``accuracy`` (to the nearest image): a wrong one is the next class."""
    predictions = (TEST_LABELS + 1) % N_CLASSES
    right = DIFFICULTY[:round(accuracy * N_TEST)]
    predictions[right] = TEST_LABELS[right]
    return predictions


def _rows(label: str, accuracies, n_train: int = 1000) -> list[dict]:
    return [{"model": label, "dataset": "d", "seed": seed, "n_train": n_train, "n_test": N_TEST,
             "accuracy": round(value * N_TEST) / N_TEST, "macro_f1": value,
             "run_key": f"{label}-{n_train}-{seed}"} for seed, value in enumerate(accuracies)]


@pytest.fixture
def rows():
    """``rows(label, accuracies, n_train=1000)``: one row of run ``label`` per accuracy,
    seeded 0, 1, ..., on the fixture test set of ``N_TEST`` images."""
    return _rows


@pytest.fixture
def results(tmp_path_factory):
    """``results(*row_lists, artifacts=None)``: saved results, in a fresh folder, whose labels
    are the rows' model names: each row's predictions in the run cache (plus
    ``artifacts[run_key]`` when given), the test labels beside the rows."""

    def make(*row_lists, artifacts: dict | None = None) -> ExperimentResults:
        root = tmp_path_factory.mktemp("claims-fixture")
        folder = root / "d" / "00_fixture"
        all_rows = [row for row_list in row_lists for row in row_list]
        for row in all_rows:
            atomic.write_npz(root / "cache" / "d" / f"{row['run_key']}.npz",
                             {"predictions": _predictions_for(row["accuracy"]),
                              **(artifacts or {}).get(row["run_key"], {})})
        atomic.write_npz(folder / TEST_LABELS_FILE, {key_of_test_set("d", N_TEST): TEST_LABELS})
        labels = dict.fromkeys(row["model"] for row in all_rows)
        manifest = {"experiment_id": "00_fixture",
                    "dataset": {"name": "d", "class_names": list("0123456789")},
                    "datasets": {"d": {"name": "d", "description": "d", "kind": "image",
                                       "input_shape": [8, 8], "class_names": list("0123456789"),
                                       "n_train": 1000, "n_test": N_TEST}},
                    "runs": [{"label": label, "display_name": label, "family": "shallow",
                              "dataset": "d",
                              "run_keys": [row["run_key"] for row in all_rows
                                           if row["model"] == label]}
                             for label in labels]}
        return ExperimentResults(folder, manifest, all_rows)

    return make
