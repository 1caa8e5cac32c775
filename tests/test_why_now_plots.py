"""Figures and report tables of experiments 06-12, drawn from fixture results (nothing is fitted)."""

import numpy as np
import pytest

from mlhistory import atomic, models
from mlhistory.reporting import plots, tables
from mlhistory.reporting.plots import readability
from mlhistory.results import (
    TEST_LABELS_FILE,
    ExperimentResults,
    SkippedRun,
    key_of_test_set,
    testing,
    write_rows,
)
from mlhistory.results.curves import balanced_accuracy, crossover_size
from mlhistory.results.labels import run_label

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"



@pytest.fixture(autouse=True)
def readable_figures():
    """Every figure drawn here must pass the checks a reader's eye would make (readability.save
    raises otherwise)."""
    with readability.checking_readability():
        yield

class Fixture:
    """Builds a results folder run by run, with rows, a manifest and cached artifacts."""

    def __init__(self, root):
        self.root = root
        self.folder = root / "fashion_mnist" / "99_fixture"
        self.runs, self.rows = [], []
        self.rng = np.random.default_rng(0)

    def add(self, label, model, family="shallow", sizes=(60_000,), seeds=(0, 1, 2),
            dataset="fashion_mnist", accuracy=None, classes=None, params=None, **artifacts):
        keys = []
        for size in sizes:
            for seed in seeds:
                key = f"{label}-{dataset}-{size}-{seed}".replace(" ", "_").replace(",", "")
                keys.append(key)
                value = accuracy(size) if callable(accuracy) else (accuracy or 0.8 + 0.1 * self.rng.random())
                self.rows.append({
                    "experiment": "99_fixture", "dataset": dataset, "model": model,
                    "features": "pixels", "params": "{}", "seed": seed, "n_train": size,
                    "n_test": 1000, "accuracy": value, "macro_f1": value, "fit_seconds": 2.0,
                    "predict_seconds": 0.1, "n_params": 1000 if family == "deep" else None,
                    "model_bytes": 4000, "peak_rss_mb": 100.0, "run_key": key})
                confusion = np.diag([90, 5, 5]) + np.array([[0, 5, 5], [0, 0, 0], [0, 0, 0]])
                atomic.write_npz(self.root / "cache" / dataset.split("[")[0] / f"{key}.npz",
                                 {"confusion": confusion, **artifacts})
        params = params or {}
        self.runs.append(testing.run_record(
            label, model=model, model_display=label, family=family, params=params,
            color_family=models.get(model).lineage_of(params), dataset=dataset.split("[")[0],
            classes=classes, run_keys=keys))

    @staticmethod
    def dataset_record(name):
        """What the runner's manifest records of a dataset (fixture values)."""
        image = name == "fashion_mnist"
        return testing.dataset_record(
            name, description=f"fixture {name}", kind="image" if image else "tabular",
            input_shape=(28, 28) if image else (16,), n_train=60_000, n_test=10_000)

    def results(self, plots_list=(), skipped=()):
        datasets = dict.fromkeys(["fashion_mnist", *(run.dataset for run in self.runs)])
        manifest = testing.manifest(
            self.runs, [self.dataset_record(name) for name in datasets],
            experiment_id="99_fixture", book_section="none", seeds=(0, 1, 2),
            plots=tuple(plots_list), skipped=tuple(SkippedRun(**entry) for entry in skipped))
        atomic.write_json(self.folder / "experiment.json", manifest.to_dict())
        write_rows(self.folder / "runs.csv", self.rows)
        return ExperimentResults.read(self.folder)


@pytest.fixture
def fixture(tmp_path):
    return Fixture(tmp_path)


def _draw(results):
    written = plots.render_experiment(results.folder)
    assert written and all(path.read_bytes().startswith(PNG_SIGNATURE) for path in written)


def test_representation_grid_greedy_and_learning_curves(fixture):
    for model in ("logreg", "rbf_svm"):
        for features in ("pixels", "hog", "convnet_features"):
            fixture.add(run_label(model, features), model, feature_net_seconds=np.float32(40.0))
    for training in ("greedy", "joint"):
        for depth in (1, 2):
            fixture.add(f"{training} k={depth}", "stacked_dense", "deep")
    fixture.add("convnet", "convnet", "deep", sizes=(100, 1000, 60_000),
                accuracy=lambda size: 0.6 if size == 100 else 0.9)
    fixture.add("xgboost", "xgboost", sizes=(100, 1000, 60_000), accuracy=lambda size: 0.7)
    results = fixture.results([
        {"kind": "representation_grid", "models": ["logreg", "rbf_svm"],
         "representations": ["pixels", "hog", "convnet_features"]},
        {"kind": "greedy_vs_joint", "depths": [1, 2]},
        {"kind": "learning_curves", "labels": ["xgboost", "convnet"]}])
    _draw(results)
    table = tables.render(results, {"kind": "representation_table", "models": ["logreg", "rbf_svm"],
                                    "representations": ["pixels", "hog", "convnet_features"]})
    assert [row[0] for row in table.rows] == ["logreg", "rbf_svm"]
    assert any("took 40 s" in note for note in table.notes)
    crossings = tables.render(results, {"kind": "crossover_table", "deep": ["convnet"],
                                        "shallow": ["xgboost"]})
    assert crossings.rows[0][2] == "from 1,000"


def test_layer_figures_from_probe_artifacts(fixture):
    names = np.array(["input", "conv2d", "dense"])
    artifacts = {"layer_names": names, "probe_accuracy": np.array([0.8, 0.85, 0.9]),
                 "projection_labels": np.arange(20) % 10, "sample_labels": np.array([3, 1, 2]),
                 "activation_0": np.random.rand(3, 1, 28, 28), "activation_1": np.random.rand(3, 8, 26, 26),
                 "activation_2": np.random.rand(3, 10)}
    for index in range(3):
        artifacts[f"projection_{index}"] = np.random.rand(20, 2)
    fixture.add("convnet", "probed_convnet", "deep", **artifacts)
    _draw(fixture.results([{"kind": kind, "label": "convnet", "file": f"{kind}.png"}
                           for kind in ("layer_activations", "probe_accuracy", "layer_projections")]))


def test_similarity_calibration_and_log_error_figures(fixture):
    labels = np.arange(1000) % 10
    atomic.write_npz(fixture.folder / TEST_LABELS_FILE,
                     {key_of_test_set("fashion_mnist", 1000): labels})
    for model, wrong, sure in (("gaussian_nb", 400, 0.99), ("logreg", 100, 0.9)):
        predictions = labels.copy()
        predictions[:wrong] = (labels[:wrong] + 1) % 10
        fixture.add(model, model, seeds=(0,), accuracy=1 - wrong / 1000, predictions=predictions,
                    confidence=np.clip(sure + 0.05 * fixture.rng.standard_normal(1000), 0.1, 1.0))
    fixture.add("convnet", "probed_convnet", "deep", layer_names=np.array(["input", "conv2d", "dense"]),
                input_cka=np.array([[1.0, 0.6, 0.3]] * 10) + 0.01 * fixture.rng.random((10, 3)))
    for model, exponent in (("convnet", 0.5), ("xgboost", 0.2)):
        fixture.add(f"{model} curve", model, sizes=(100, 1000, 60_000),
                    accuracy=lambda size, a=exponent: 1 - 0.5 * (size / 100) ** -a)
    _draw(fixture.results([{"kind": "reliability", "labels": ["gaussian_nb", "logreg"]},
                           {"kind": "input_similarity", "label": "convnet"},
                           {"kind": "error_curves", "labels": ["convnet curve", "xgboost curve"]}]))


def test_depth_figures_from_gradient_norms(fixture):
    for recipe in ("1990s", "2015"):
        for depth in (2, 5):
            fixture.add(f"{recipe} depth {depth}", "depth_recipe", "deep",
                        gradient_norms_at_init=np.logspace(-6, -1, depth + 1),
                        gradient_norms_after_epoch_1=np.logspace(-4, -1, depth + 1),
                        # the 1990s recipe's deeper net blows up: drawn at the top, not lost
                        train_loss=np.array([2.3, np.nan if (recipe, depth) == ("1990s", 5)
                                             else 0.1 * depth]))
    _draw(fixture.results([{"kind": "accuracy_vs_depth", "recipes": ["1990s", "2015"], "depths": [2, 5]},
                           {"kind": "gradient_norms", "recipes": ["1990s", "2015"], "depths": [2, 5]}]))


def test_landscape_plot_and_who_wins_where(fixture):
    for dataset, best in (("letter", "xgboost"), ("shuttle", "tabular_mlp")):
        for model in ("xgboost", "tabular_mlp"):
            fixture.add(f"{model} ({dataset})", model, "deep" if model == "tabular_mlp" else "shallow",
                        sizes=(10_000,), dataset=dataset, accuracy=0.95 if model == best else 0.9)
    fixture.add("convnet", "convnet", "deep", accuracy=0.92)
    fixture.add("xgboost", "xgboost", accuracy=0.9)
    skipped = [{"label": "xgboost (covertype)", "dataset": "covertype", "reason": "offline"}]
    results = fixture.results([{"kind": "landscape", "models": ["xgboost", "tabular_mlp", "convnet"],
                                "imbalanced": ["shuttle"]},
                               {"kind": "who_wins_grid", "models": ["xgboost", "tabular_mlp", "convnet"]}],
                              skipped)
    _draw(results)
    table = tables.render(results, {"kind": "who_wins_where",
                                    "models": ["xgboost", "tabular_mlp", "convnet"]})
    winners = {row[0]: row[4] for row in table.rows}
    # The winner by its run's display name (the fixture names each run by its label).
    assert winners == {"letter": "xgboost (letter)", "shuttle": "tabular_mlp (shuttle)",
                       "fashion_mnist": "convnet"}
    assert "covertype" in table.notes[0]
    quoted = tables.render(results, {"kind": "quoted_landscape"})
    assert all("quoted" in row[1] for row in quoted.rows)


def test_transfer_and_continual_figures(fixture):
    for label in ("reused base, frozen", "logreg"):
        fixture.add(label, "transfer_convnet" if "reused" in label else "logreg",
                    "deep" if "reused" in label else "shallow", sizes=(50, 150),
                    dataset="fashion_mnist[5,6,7,8,9]", classes=[5, 6, 7, 8, 9])
    for mode in ("continue", "scratch"):
        fixture.add(f"dense ({mode})", "continual_net", "deep", params={"network": "dense"},
                    staged_accuracy=np.array([0.8, 0.85, 0.88]), stage_seconds=np.array([1.0, 1.0, 1.0]))
    _draw(fixture.results([{"kind": "transfer_curves", "per_class": [10, 30],
                            "labels": ["reused base, frozen", "logreg"]},
                           {"kind": "continual_curves", "models": ["dense"]}]))


def test_balanced_accuracy_ignores_absent_classes_and_weights_each_class_alike():
    confusion = np.array([[90, 10, 0], [5, 5, 0], [0, 0, 0]])
    assert balanced_accuracy(confusion) == pytest.approx((0.9 + 0.5) / 2)


@pytest.mark.parametrize("deep, shallow, expected", [
    ([0.5, 0.8, 0.9], [0.6, 0.7, 0.8], 300),
    ([0.7, 0.6, 0.9], [0.6, 0.7, 0.8], 1000),  # ahead, behind, ahead again: the last crossing
    ([0.5, 0.6, 0.7], [0.6, 0.7, 0.8], None),
])
def test_crossover_is_where_the_net_stays_ahead(deep, shallow, expected):
    assert crossover_size([100, 300, 1000], deep, shallow) == expected
