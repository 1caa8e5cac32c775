"""Plots, rendered from a small fixture results set (no model is fitted); the report's tests are
in test_report.py."""

import numpy as np
import pytest

from mlhistory import atomic, models
from mlhistory.judging import base
from mlhistory.judging.comparisons import Beats
from mlhistory.reporting import plots
from mlhistory.results import TEST_LABELS_FILE, ExperimentResults, key_of_test_set, testing, write_rows

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
N_TEST = 10_000
TEST_LABELS = np.random.default_rng(0).integers(0, 10, N_TEST)


def predictions_for(accuracy: float) -> np.ndarray:
    return testing.predictions_scoring(accuracy, TEST_LABELS, 10)
MODELS = [("gaussian_nb", "shallow", [0.57]), ("logreg", "shallow", [0.84]),
          ("dense", "deep", [0.87, 0.88, 0.875])]


@pytest.fixture
def fixture_results(tmp_path):
    """A results set of one experiment on fashion_mnist, as the runner would have saved it."""
    folder = tmp_path / "fashion_mnist" / "01_probabilistic"
    rng = np.random.default_rng(0)
    rows = []
    for model, family, accuracies in MODELS:
        for seed, accuracy in enumerate(accuracies):
            key = f"{model}{seed}"
            rows.append({"experiment": "01_probabilistic", "dataset": "fashion_mnist",
                         "model": model, "features": "pixels", "params": "{}", "seed": seed, "n_train": 60000,
                         "n_test": 10000, "accuracy": accuracy, "macro_f1": accuracy - 0.01,
                         "fit_seconds": 1.0 + seed, "predict_seconds": 0.1,
                         "n_params": 407050 if family == "deep" else None,
                         "model_bytes": 1_628_200 if family == "deep" else 30_000,
                         "peak_rss_mb": 900.0, "run_key": key})
            confusion = rng.integers(0, 30, (10, 10)) + np.eye(10, dtype=int) * 900
            atomic.write_npz(tmp_path / "cache" / "fashion_mnist" / f"{key}.npz",
                             {"confusion": confusion, "coef": rng.normal(size=(10, 784)),
                              "predictions": predictions_for(accuracy)})
    claim = Beats("dense_beats_logreg", "The dense net beats logistic regression.",
                  winner="dense", losers=("logreg",))
    manifest = testing.manifest(
        [testing.run_record(model, family=family, color_family=models.get(model).lineage_of({}),
                            dataset="fashion_mnist",
                            run_keys=[f"{model}{seed}" for seed in range(len(accuracies))])
         for model, family, accuracies in MODELS],
        [testing.dataset_record("fashion_mnist", title="Fashion-MNIST",
                                description="Fashion-MNIST", input_shape=(28, 28),
                                class_names=tuple(f"class {i}" for i in range(10)),
                                n_train=60000, n_test=10000)],
        experiment_id="01_probabilistic", title="Probabilistic modelling",
        book_section="Chapter 1.2.1", summary="First paragraph.\n\nSecond paragraph.",
        seeds=(0, 1, 2), claims=(claim.to_dict(),),
        plots=({"kind": "accuracy_and_fit_time"},
               {"kind": "confusion_matrices", "models": ["gaussian_nb", "dense"]},
               {"kind": "class_templates", "model": "logreg"}))
    atomic.write_json(folder / "experiment.json", manifest.to_dict())
    write_rows(folder / "runs.csv", rows)
    atomic.write_npz(folder / TEST_LABELS_FILE, {key_of_test_set("fashion_mnist", N_TEST): TEST_LABELS})
    base.write(folder / "claims.csv", base.judge(ExperimentResults.read(folder), [claim]))
    atomic.write_json(folder / "metadata.json", {
        "date": "2026-11-21T00:00:00+00:00", "command": "fixture", "git_commit": "abc123",
        "git_dirty": False, "packages": {"numpy": "2"}, "wall_seconds": 42.0, "runs": 5,
        "runs_from_cache": 0, "hardware": {"cpu": "fixture CPU", "cpu_count": 2, "gpus": [],
                                           "machine": "x86_64", "platform": "Linux"}})
    return tmp_path


def test_every_listed_plot_is_drawn_as_a_png(fixture_results):
    written = plots.render_experiment(fixture_results / "fashion_mnist" / "01_probabilistic")
    assert [path.name for path in written] == [
        "accuracy_and_fit_time.png", "confusion_matrices.png", "class_templates.png"]
    for path in written:
        content = path.read_bytes()
        assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000
