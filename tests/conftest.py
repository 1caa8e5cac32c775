"""Shared fixtures: the project's data folder, saved results built from fixture rows for the
claims' verdicts, and a results set shaped like the committed one, written without fitting any
model.

The fake set: twelve experiments on MNIST and Fashion-MNIST, each with a dozen labelled runs
over several training sizes and seeds, claims judged from them, a table, and small PNGs where
the plots would be. Its size is what makes it realistic: the report's main page must stay short
however many runs and claims the experiments save, so the runs, sizes and claims here are as
many as the real ones, and the claims' evidence as long.
"""

import json
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from mlhistory import atomic, models
from mlhistory.judging import base, verdicts
from mlhistory.judging.comparisons import Beats
from mlhistory.judging.sanity import write_gate_flags
from mlhistory.paths import PROJECT_ROOT
from mlhistory.results import (
    TEST_LABELS_FILE,
    ExperimentResults,
    integrity,
    key_of_test_set,
    testing,
    write_rows,
)
from mlhistory.running import threads

# The tests compute with the thread layout $MLHISTORY_THREADS names (`make test-fast`: one thread
# per library), as an experiment's processes do; unset, the libraries keep their defaults.
threads.use(threads.layout())

# The claim fixtures' test set: 2,000 images of 10 classes.
N_TEST, N_CLASSES = 2_000, 10
TEST_LABELS = np.random.default_rng(0).integers(0, N_CLASSES, N_TEST)
# Test images from easiest to hardest, the same for every model: a model with accuracy p gets
# the easiest p * N_TEST right, so two models' errors are nested, as real models' mostly are.
DIFFICULTY = np.random.default_rng(1).permutation(N_TEST)


def _run_cli(*arguments, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *arguments], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, env=env, timeout=600)


@pytest.fixture(scope="session")
def run_cli():
    """``run_cli(*arguments, env=None)``: a project command run the way a user does, with the
    project's interpreter, from the project's folder."""
    return _run_cli


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


def _rows(label: str, accuracies, n_train: int = 1000, n_test: int = N_TEST) -> list[dict]:
    return [{"model": label, "dataset": "d", "seed": seed, "n_train": n_train, "n_test": n_test,
             "accuracy": round(value * N_TEST) / N_TEST, "macro_f1": value,
             "run_key": f"{label}-{n_train}-{seed}"} for seed, value in enumerate(accuracies)]


@pytest.fixture
def rows():
    """``rows(label, accuracies, n_train=1000, n_test=N_TEST)``: one row of run ``label`` per
    accuracy, seeded 0, 1, ..., on the fixture test set of ``N_TEST`` images (or its first
    ``n_test``)."""
    return _rows


@pytest.fixture
def claim_labels() -> np.ndarray:
    """The labels of the claim fixtures' test set (``results``)."""
    return TEST_LABELS


@pytest.fixture
def predictions_for():
    """``predictions_for(accuracy)``: predictions of the claim fixtures' test set scoring
    ``accuracy``, the easiest images right, a wrong one the next class."""
    return _predictions_for


@pytest.fixture
def results(tmp_path_factory):
    """``results(*row_lists, artifacts=None, test_labels=None)``: saved results, in a fresh
    folder, whose labels are the rows' model names: each row's predictions in the run cache
    (``artifacts[run_key]`` added, or replacing them, when given), the test labels beside the
    rows (the fixture test set, or its first ``len(test_labels)``). The experiment ran three
    seeds, as the real ones do, so a label with one run is a deterministic model."""

    def make(*row_lists, artifacts: dict | None = None,
             test_labels: np.ndarray | None = None) -> ExperimentResults:
        labels = TEST_LABELS if test_labels is None else test_labels
        root = tmp_path_factory.mktemp("claims-fixture")
        folder = root / "d" / "00_fixture"
        all_rows = [row for row_list in row_lists for row in row_list]
        for row in all_rows:
            atomic.write_npz(root / "cache" / "d" / f"{row['run_key']}.npz",
                             {"predictions": _predictions_for(row["accuracy"])[:len(labels)],
                              **(artifacts or {}).get(row["run_key"], {})})
        atomic.write_npz(folder / TEST_LABELS_FILE, {key_of_test_set("d", len(labels)): labels})
        manifest = testing.manifest(testing.rows_by_label(all_rows),
                                    [testing.dataset_record("d", n_test=len(labels))],
                                    seeds=(0, 1, 2))
        return ExperimentResults(folder, manifest, all_rows)

    return make


class InProcessPool:
    """A stand-in for the executor's pool of spawned workers that runs each job here, at once,
    so a model or dataset a test adds to the registry or the catalogue is seen by the run."""

    def __init__(self, **options):
        pass

    def submit(self, function, *arguments):
        from concurrent.futures import Future

        future = Future()
        future.set_result(function(*arguments))
        return future

    def shutdown(self, **options):
        pass


@pytest.fixture
def runs_in_process(monkeypatch):
    """Experiments run their runs in this process (see InProcessPool)."""
    from mlhistory.running import executor

    monkeypatch.setattr(executor, "ProcessPoolExecutor", InProcessPool)


# --- a fake results set for the report -------------------------------------------------------

DATASETS = {
    "mnist": "MNIST (LeCun et al. 1998), 28x28 handwritten digits; the book's dataset",
    "fashion_mnist": "Fashion-MNIST (Xiao et al. 2017), 28x28 greyscale clothing",
}
# (model, display name, family, params, seeds): the families and settings of the real runs.
MODELS = [
    ("gaussian_nb", "Gaussian naive Bayes", "shallow", {"var_smoothing": 1e-09}, 1),
    ("bernoulli_nb", "Bernoulli naive Bayes", "shallow", {"alpha": 1.0, "binarize": 0.5}, 1),
    ("logreg", "Logistic regression (C=1)", "shallow", {"C": 1.0, "max_iter": 1000}, 1),
    ("linear_svm", "Linear SVM (SGD, hinge)", "shallow", {"alpha": 0.0001}, 3),
    ("rbf_svm", "RBF SVM (C=10)", "shallow", {"C": 10.0, "gamma": "scale"}, 1),
    ("decision_tree", "Decision tree (depth 10)", "shallow", {"max_depth": 10}, 3),
    ("random_forest", "Random forest (100 trees)", "shallow",
     {"criterion": "entropy", "max_depth": 100, "n_estimators": 100}, 3),
    ("xgboost", "XGBoost (100 rounds)", "shallow",
     {"learning_rate": 0.3, "max_depth": 6, "n_estimators": 100}, 1),
    ("mlp_1986", "1986 MLP (sigmoid, SGD)", "deep", {"epochs": 10, "optimizer": "sgd"}, 3),
    ("lenet5", "LeNet-5 (1998)", "deep", {"epochs": 10, "optimizer": "sgd"}, 3),
    ("dense", "Book's dense net (5 epochs)", "deep",
     {"batch_size": 128, "epochs": 5, "optimizer": "rmsprop"}, 3),
    ("convnet", "Book's convnet (5 epochs)", "deep",
     {"batch_size": 64, "epochs": 5, "optimizer": "rmsprop"}, 3),
]
# Test accuracy at full size per dataset, in MODELS order: the convnet leads on MNIST, the
# RBF SVM on Fashion-MNIST, so claims about the convnet change verdict between the two.
ACCURACY = {
    "mnist": [0.556, 0.843, 0.922, 0.913, 0.960, 0.870, 0.969, 0.978, 0.937, 0.986, 0.979, 0.991],
    "fashion_mnist": [0.586, 0.716, 0.842, 0.829, 0.930, 0.800, 0.876, 0.898, 0.862, 0.894,
                      0.887, 0.910],
}
SIZES = (1_000, 5_000, 20_000, 60_000)
EXPERIMENTS = [
    ("01_probabilistic", "Probabilistic modelling: Naive Bayes and logistic regression",
     "Chapter 1.2.1, Probabilistic modeling"),
    ("02_early_neural_networks", "Early neural networks: backpropagation and LeNet",
     "Chapter 1.2.2, Early neural networks"),
    ("03_kernel_methods", "Kernel methods: SVMs, the kernel trick, feature engineering and scale",
     "Chapter 1.2.3, Kernel methods"),
    ("04_trees_and_boosting", "Decision trees, random forests and gradient boosting",
     "Chapter 1.2.4, Decision trees, random forests, and gradient boosting machines"),
    ("05_return_of_neural_networks", "Back to neural networks: the whole history in one figure",
     "Chapter 1.2.5-1.2.6, Back to neural networks"),
    ("06_learned_features", "Learned against engineered features; greedy against joint training",
     "Chapter 1.2.6, What makes deep learning different"),
    ("07_representations", "Representations layer by layer: information distillation, measured",
     "Chapter 1.1.4-1.1.5, Figures 1.5-1.6"),
    ("08_why_now_data", "Why now: data. Learning curves, and where deep learning takes over",
     "Chapter 1.3, Why deep learning? Why now? (Data)"),
    ("09_why_now_algorithms", "Why now: algorithms. Depth, and the recipes that made it trainable",
     "Chapter 1.3, Why deep learning? Why now? (Algorithms)"),
    ("10_why_now_hardware", "Why now: hardware, measured on this machine",
     "Chapter 1.3.1, Hardware"),
    ("11_modern_landscape", "The modern landscape: structured data against perceptual data",
     "Chapter 1.2.7, The modern machine learning landscape"),
    ("12_will_it_last", "Will it last: reusing a trained network, and training it further",
     "Chapter 1.3.5, Will it last?"),
]
# The experiment that saves no claim (as experiment 10 did before its hardware claims).
WITHOUT_CLAIMS = "10_why_now_hardware"
PASSAGE = "1st ed. 1.2.5; 2nd ed. Back to neural networks"


def _fake_claims(experiment_id: str) -> list:
    """Three claims per experiment in the real ones' shape; the last of 05 is the project's."""
    if experiment_id == WITHOUT_CLAIMS:
        return []
    models = [model for model, *_ in MODELS]
    found = [
        Beats("convnet_beats_all", "The book's convnet beats every other model on these images.",
              winner="convnet", losers=tuple(models[:-1]), passage=PASSAGE, book_dataset="mnist"),
        Beats("logreg_beats_naive_bayes", "Logistic regression beats both naive Bayes models.",
              winner="logreg", losers=("gaussian_nb", "bernoulli_nb")),
        Beats("forest_beats_tree", "A random forest beats a single decision tree.",
              winner="random_forest", losers=("decision_tree",)),
    ]
    if experiment_id == "05_return_of_neural_networks":
        found[-1] = Beats("lenet_beats_mlp", "LeNet-5 beats the 1986 MLP (our own question).",
                          winner="lenet5", losers=("mlp_1986",), source=verdicts.PROJECT)
    return found


def _fake_plots(experiment_id: str) -> list[dict]:
    """Two plots per experiment (kinds that need no options, so no run is named), and the
    timeline in experiment 05."""
    plots = [{"kind": "accuracy_and_fit_time"},
             {"kind": "accuracy_and_fit_time", "labels": ["convnet", "dense"], "file": "nets.png"}]
    if experiment_id == "05_return_of_neural_networks":
        plots.insert(0, {"kind": "timeline"})
    return plots


def _fake_tables(experiment_id: str) -> tuple[dict, ...]:
    """The tables of the real experiments that need no run named: 05's eras, 11's quotes."""
    return {"05_return_of_neural_networks": ({"kind": "era_table"},),
            "11_modern_landscape": ({"kind": "quoted_landscape"},)}.get(experiment_id, ())


FAKE_N_TEST = 10_000
FAKE_TEST_LABELS = np.random.default_rng(0).integers(0, 10, FAKE_N_TEST)
# Test images from easiest to hardest, shared by every model, so errors nest as real ones do.
FAKE_DIFFICULTY = np.random.default_rng(1).permutation(FAKE_N_TEST)


_FAKE_RUNS: dict[Path, tuple] = {}


def _fake_run(path: Path, accuracy: float) -> tuple[np.ndarray, float, float]:
    """A shared run's predictions saved in the run cache once, whichever experiment asks first
    (each experiment that names the run would write the very same file), and the metrics of
    the saved predictions, as the report recomputes them."""
    if path not in _FAKE_RUNS or not path.exists():
        predictions = _fake_predictions(accuracy)
        atomic.write_npz(path, {"predictions": predictions})
        _FAKE_RUNS[path] = (predictions, float(np.mean(predictions == FAKE_TEST_LABELS)),
                            integrity.macro_f1(FAKE_TEST_LABELS, predictions))
    return _FAKE_RUNS[path]


def _fake_predictions(accuracy: float) -> np.ndarray:
    return testing.predictions_scoring(accuracy, FAKE_TEST_LABELS, 10, FAKE_DIFFICULTY)


@dataclass(frozen=True)
class FakeResultsSet:
    """A results set written without fitting anything, and what it was written from."""

    root: Path
    experiments: list = field(default_factory=lambda: EXPERIMENTS)
    models: list = field(default_factory=lambda: MODELS)
    without_claims: str = WITHOUT_CLAIMS


@pytest.fixture(scope="session")
def fake_results_set(tmp_path_factory) -> FakeResultsSet:
    """Twelve experiments on MNIST and Fashion-MNIST, shaped like the committed results (no
    report written yet: ``fake_report`` writes it)."""
    root = tmp_path_factory.mktemp("fake-results")
    for dataset in DATASETS:
        for experiment_id, title, book_section in EXPERIMENTS:
            _write_fake_experiment(root / dataset / experiment_id, dataset, experiment_id, title,
                             book_section)
    return FakeResultsSet(root)


@pytest.fixture(scope="session")
def fake_judged_report(fake_results_set) -> tuple[Path, list]:
    """The fake results set with its report written, once for every test module that reads it
    (the report is the same whoever writes it; no reader changes it), and its experiments as
    the report judged them."""
    from mlhistory.reporting import report

    return fake_results_set.root, report.write_report(fake_results_set.root)


@pytest.fixture(scope="session")
def fake_report(fake_judged_report) -> Path:
    return fake_judged_report[0]


def _write_fake_experiment(folder: Path, dataset: str, experiment_id: str, title: str,
                     book_section: str, gate: bool = False) -> None:
    rows, runs = [], []
    for (model, display, family, params, seeds), full_size in zip(MODELS, ACCURACY[dataset],
                                                                   strict=True):
        keys = []
        for n_train in SIZES:
            for seed in range(seeds):
                # Experiments share runs through the run cache, so a run's key is theirs too.
                key = f"{dataset}-{model}-{n_train}-{seed}"
                keys.append(key)
                predictions, accuracy, macro_f1 = _fake_run(
                    folder.parent.parent / "cache" / dataset / f"{key}.npz",
                    full_size - 0.02 * SIZES[::-1].index(n_train) + 0.002 * (seed - 1))
                rows.append({
                    "experiment": experiment_id, "dataset": dataset, "model": model,
                    "features": "pixels", "params": json.dumps(params, sort_keys=True),
                    "seed": seed, "n_train": n_train, "n_test": 10_000, "accuracy": accuracy,
                    "macro_f1": macro_f1,
                    "fit_seconds": n_train / 1000 + seed,
                    "predict_seconds": 0.2, "n_params": 407_050 if family == "deep" else None,
                    "model_bytes": 1_628_200 if family == "deep" else 30_000 * (seed + 1),
                    "peak_rss_mb": 900.0, "run_key": key})
        runs.append(testing.run_record(model, model_display=display, family=family,
                                       color_family=models.get(model).lineage_of(params),
                                       params=params, dataset=dataset, run_keys=keys))
    declared = _fake_claims(experiment_id)
    record = testing.dataset_record(dataset, title=DATASETS[dataset].split(" (")[0],
                                    description=DATASETS[dataset], input_shape=(28, 28),
                                    n_train=60_000, n_test=10_000)
    manifest = testing.manifest(
        runs, [record], experiment_id=experiment_id, title=title, book_section=book_section,
        summary=f"{title}.\n\nWhat the book says, in our words.\n\n- one bullet\n- another bullet",
        seeds=(0, 1, 2),
        fair_budgets={"validation split": "10 % of the training images",
                      "nets": "early stopping, up to 20 epochs"},
        claims=tuple(claim.to_dict() for claim in declared), plots=tuple(_fake_plots(experiment_id)),
        tables=_fake_tables(experiment_id))
    atomic.write_json(folder / "experiment.json", manifest.to_dict())
    write_rows(folder / "runs.csv", rows)
    atomic.write_npz(folder / TEST_LABELS_FILE, {key_of_test_set(dataset, FAKE_N_TEST): FAKE_TEST_LABELS})
    if gate:  # judged as `mlhistory judge` judges: after the sanity gate has written its flags
        write_gate_flags(folder.parent.parent)
    base.write(folder / "claims.csv", base.judge(ExperimentResults.read(folder), declared))
    testing.write_metadata(folder, runs=len(rows))
    for plot in manifest.plots:
        atomic.write_bytes(folder / plot.get("file", f"{plot['kind']}.png"), _tiny_png())


def _tiny_png(width: int = 8, height: int = 6) -> bytes:
    """A valid grey PNG, so a browser has a real image to load."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    scanlines = b"".join(b"\x00" + bytes([128]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(scanlines))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="session")
def fake_experiment_template(tmp_path_factory) -> Path:
    """Experiment 01 of the fake results set on MNIST, written once per session (judging its
    claims takes a second): ``write_fake_experiment`` copies it."""
    root = tmp_path_factory.mktemp("fake_experiment")
    experiment_id, title, book_section = EXPERIMENTS[0]
    _write_fake_experiment(root / "mnist" / experiment_id, "mnist", experiment_id, title,
                           book_section, gate=True)
    return root


@pytest.fixture
def write_fake_experiment(fake_experiment_template):
    """``write(root) -> folder``: experiment 01 of the fake results set on MNIST under ``root``,
    every saved number consistent with its predictions and recorded digests, its claims judged
    as ``mlhistory judge`` judges them (the sanity gate's flags written first)."""
    def write(root: Path) -> Path:
        shutil.copytree(fake_experiment_template, root, dirs_exist_ok=True)
        return Path(root) / "mnist" / EXPERIMENTS[0][0]
    return write


@pytest.fixture
def fake_test_labels() -> np.ndarray:
    """The labels of the fake results set's test images."""
    return FAKE_TEST_LABELS
