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
    testing.write_metadata(folder, runs=5)
    return tmp_path


def test_every_listed_plot_is_drawn_as_a_png(fixture_results):
    written = plots.render_experiment(fixture_results / "fashion_mnist" / "01_probabilistic")
    assert [path.name for path in written] == [
        "accuracy_and_fit_time.png", "confusion_matrices.png", "class_templates.png"]
    for path in written:
        content = path.read_bytes()
        assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000


# --- a new plot kind is one decorated function -----------------------------------------------


@pytest.fixture
def throwaway_kind():
    """A plot kind no experiment has, defined here and registered by the decorator alone."""
    from mlhistory.reporting.plots.axes import WIDTH, label_accuracy_axis, plt, spread, title
    from mlhistory.reporting.plots.colours import color_of
    from mlhistory.reporting.plots.readability import save
    from mlhistory.reporting.plots.registry import plot_kind

    @plot_kind(labels=("labels",))
    def throwaway(results: ExperimentResults, path, labels: list[str] | None = None) -> None:
        labels = labels or results.labels
        figure, axis = plt.subplots(figsize=(WIDTH, 4), layout="constrained")
        for position, label in enumerate(labels):
            spread(axis, position, [row["accuracy"] for row in results.rows_of(label)],
                   color_of(results, label), horizontal=False)
        axis.set_xticks(range(len(labels)), labels)
        axis.set_xlabel("model")
        axis.set_ylim(0, 1)
        label_accuracy_axis(axis, "y", "test accuracy")
        figure.suptitle(title(results, "A throwaway figure"))
        save(figure, path)

    yield throwaway
    del plots.PLOT_KINDS["throwaway"]


def test_a_new_plot_kind_is_one_decorated_function(throwaway_kind, tmp_path, monkeypatch):
    """A kind defined only in this test, declared by a tiny experiment's manifest, is drawn by
    the unchanged renderer, checked for readability, and linked by the unchanged report."""
    from mlhistory.judging.results_set import judge_results_set
    from mlhistory.reporting.plots import readability
    from mlhistory.reporting.report import write_report

    folder = tmp_path / "digits" / "00_throwaway"
    rows = [{"experiment": "00_throwaway", "dataset": "digits", "model": model, "features": "pixels",
             "params": {}, "seed": seed, "n_train": 1000, "n_test": 100, "accuracy": accuracy,
             "macro_f1": accuracy, "fit_seconds": 1.0, "predict_seconds": 0.1, "n_params": None,
             "model_bytes": 1000, "peak_rss_mb": 100.0, "run_key": f"{model}-{seed}"}
            for model, accuracy in (("gaussian_nb", 0.8), ("logreg", 0.9)) for seed in (0, 1)]
    runs = [testing.run_record(model, color_family=models.get(model).lineage_of({}),
                               dataset="digits", run_keys=[f"{model}-0", f"{model}-1"])
            for model in ("gaussian_nb", "logreg")]
    manifest = testing.manifest(runs, [testing.dataset_record("digits")],
                                experiment_id="00_throwaway", seeds=(0, 1),
                                plots=({"kind": "throwaway"},))
    # Saved predictions and test labels that score the rows' accuracies, as the report checks.
    labels = np.arange(100) % 10
    artifacts = {row["run_key"]: {"predictions": testing.predictions_scoring(row["accuracy"], labels, 10)}
                 for row in rows}
    testing.write_experiment(folder, manifest, rows, testing.test_labels_of("digits", labels),
                             artifacts)
    testing.write_metadata(folder, runs=len(rows))
    checked, check = [], readability.readability_problems

    def spy(figure):  # the reader's checks, recording each figure they ran on
        problems = check(figure)
        checked.append((figure.get_suptitle().split("\n")[0], problems))
        return problems

    monkeypatch.setattr(readability, "readability_problems", spy)
    with readability.checking_readability():
        written = plots.render_experiment(folder)

    assert written == [folder / "throwaway.png"]
    assert written[0].read_bytes().startswith(PNG_SIGNATURE)
    assert checked == [("A throwaway figure", [])]
    judge_results_set(tmp_path)  # as `make report` does, before the pages
    write_report(tmp_path)
    # A figure no claim's kind names as its evidence is on its experiment's page only.
    assert "![throwaway](throwaway.png)" in (folder / "README.md").read_text()
    assert "throwaway.png" not in (tmp_path / "REPORT.md").read_text()
    assert '<img src="digits/00_throwaway/throwaway.png"' in (tmp_path / "index.html").read_text()


def test_a_second_kind_of_a_registered_name_fails_rather_than_replace_it():
    from mlhistory.reporting.plots.registry import plot_kind

    with pytest.raises(TypeError, match="'timeline' is registered twice"):
        @plot_kind()
        def timeline(results: ExperimentResults, path) -> None:
            pass

    assert plots.PLOT_KINDS["timeline"].function.__module__ == "mlhistory.reporting.plots.timeline"


def test_every_module_that_registers_plot_kinds_is_imported_by_the_package():
    """The package's __init__ imports each module of figures by name: a module left out there
    would register nothing, and its kinds would be unknown to every experiment."""
    import ast
    from pathlib import Path

    package = Path(plots.__file__).parent
    imported = {alias.name for node in ast.parse((package / "__init__.py").read_text()).body
                if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module is None
                for alias in node.names}

    def registers(path: Path) -> bool:
        return any(isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "plot_kind"
                   for node in ast.parse(path.read_text()).body if isinstance(node, ast.FunctionDef)
                   for decorator in node.decorator_list)

    registering = {path.stem for path in package.glob("*.py") if registers(path)}
    assert registering and registering <= imported
