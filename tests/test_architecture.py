"""The layers of the package, checked: imports flow one way, and readers of saved results never
load the running, model or data layers (nor TensorFlow or scikit-learn)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from mlhistory.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "mlhistory"
# What each layer may import of the project, beyond the base modules (errors, paths, atomic,
# machine) that every layer may use. The layers' own __init__ docstrings say the same.
BASE = {"errors", "paths", "atomic", "machine"}
ALLOWED = {
    "data": {"data"},
    "models": {"models", "data"},
    "results": {"results"},
    "judging": {"judging", "results"},
    "reporting": {"reporting", "judging", "results"},
    "running": {"running", "models", "data", "results", "judging", "reporting"},
}


def layer_of(module: str) -> str:
    """'mlhistory.reporting.plots.grids' -> 'reporting'; a base module names itself."""
    return module.split(".")[1] if module.count(".") else module


def imported_modules(source: str, module: str, is_package: bool = False) -> list[str]:
    """Absolute names of the project modules that ``source`` (the code of ``module``) imports,
    at the top or inside a function."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found += [target] if node.module else names
        elif isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
    return [name for name in found if name.startswith("mlhistory.")]


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Each import of ``module`` that crosses its layer's boundary, as 'module -> imported'."""
    layer = layer_of(module)
    if layer not in ALLOWED:
        return []
    allowed = ALLOWED[layer] | BASE
    return [f"{module} -> {target}"
            for target in imported_modules(source, module, is_package)
            if target.split(".")[1] not in allowed]


def package_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path, is_package


def test_every_import_flows_down_the_layers():
    found = [violation for module, path, is_package in package_modules()
             for violation in violations(path.read_text(), module, is_package)]
    assert found == []


@pytest.mark.parametrize("module, source", [
    # The three readers that once looked past the saved results:
    ("mlhistory.reporting.plots.layers", "from ...data import dataset_info\n"),
    ("mlhistory.results.store", "def artifacts():\n    from ..data.views import base_dataset\n"),
    ("mlhistory.reporting.tables.hardware", "from ...models import flops\n"),
    ("mlhistory.judging.comparisons", "import mlhistory.running.executor\n"),
    ("mlhistory.data.catalog", "from ..models import registry\n"),
])
def test_the_check_catches_a_reader_that_imports_a_lower_layer(module, source):
    assert len(violations(source, module)) == 1


def test_the_check_allows_what_each_layer_may_import():
    assert violations("from ...results import ExperimentResults\nfrom ... import atomic\n",
                      "mlhistory.reporting.plots.grids") == []
    assert violations("from ..data import load\nfrom .nets import convnet\n",
                      "mlhistory.models.registry") == []


def test_there_is_no_import_loop():
    graph = {module: {target for target in imported_modules(path.read_text(), module, is_package)}
             for module, path, is_package in package_modules()}
    modules = set(graph)

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    edges = {module: {resolve(target) for target in targets} - {None, module}
             for module, targets in graph.items()}
    # A package's __init__ re-exporting its own modules is not a loop.
    edges = {module: {target for target in targets if not module.startswith(f"{target}.")
                      and not target.startswith(f"{module}.")}
             for module, targets in edges.items()}
    visiting, done = set(), set()

    def visit(module: str, path: list[str]) -> None:
        if module in done:
            return
        assert module not in visiting, f"import loop: {' -> '.join(path + [module])}"
        visiting.add(module)
        for target in sorted(edges.get(module, ())):
            visit(target, path + [module])
        visiting.discard(module)
        done.add(module)

    for module in sorted(edges):
        visit(module, [])


def test_reading_saved_results_loads_no_runner_model_data_or_framework():
    probe = ("import sys, mlhistory.reporting.report, mlhistory.reporting.plots, "
             "mlhistory.judging; print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('tensorflow', 'keras', 'sklearn', 'xgboost') or m.split('.')[:2] in "
             "(['mlhistory', 'running'], ['mlhistory', 'models'], ['mlhistory', 'data'])))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               check=True, cwd=Path(PROJECT_ROOT))
    assert completed.stdout.strip() == "[]"


def test_planning_an_experiment_loads_no_learning_library():
    """What an experiment imports and plans before its first fit leaves the fitting libraries
    unloaded (scikit-learn alone took a second), so an experiment replayed from the run cache,
    or stopped by a bad argument, starts at once."""
    probe = ("import sys; from mlhistory.running.batch import experiment_scripts, "
             "load_experiment; from mlhistory.running.cli import config_from, experiment_parser; "
             "argv = ['--quick']; config = config_from(experiment_parser('').parse_args(argv), "
             "argv); [run.specs(config, {'mnist': 'd'}) for run in load_experiment("
             "experiment_scripts()['05_return_of_neural_networks']).labelled_runs "
             "if not run.tuned]; print(sorted(m for m in sys.modules if m.split('.')[0] in "
             "('tensorflow', 'keras', 'sklearn', 'xgboost', 'lightgbm', 'scipy')))")
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               check=True, cwd=Path(PROJECT_ROOT))
    assert completed.stdout.strip() == "[]"


@pytest.mark.slow  # runs a tiny experiment, draws its plot and writes the report
def test_a_new_model_is_one_registry_entry(tmp_path, monkeypatch, runs_in_process):
    """A model the project never had, added by one entry in the registry, runs through the
    unchanged runner and comes out as an ordinary row, is timed by `make bench` like the others,
    and reaches the plots and the report: nothing else needs to know about it. (The runs stay in
    this process, where the monkeypatched registry is; a real entry is in every worker's.)"""
    from mlhistory import models
    from mlhistory.data import origin
    from mlhistory.judging import PROJECT, Beats
    from mlhistory.reporting.plots import Plot
    from mlhistory.reporting.report import write_report
    from mlhistory.running import bench, quiet
    from mlhistory.running.cli import Config
    from mlhistory.running.execute import execute
    from mlhistory.running.experiment import Experiment, run
    from mlhistory.running.spec import RunSpec

    def ridge(info, seed, **params):
        from sklearn.linear_model import RidgeClassifier

        return RidgeClassifier(**params)

    entry = models.ModelEntry(name="ridge", family=models.SHALLOW, build=ridge,
                              defaults={"alpha": 1.0}, preprocessing="pixels/255, standardised",
                              provenance="a throwaway model of this test", stochastic=False,
                              lineage="linear", display="Ridge classifier (alpha={alpha:g})")
    monkeypatch.setitem(models.REGISTRY, entry.name, entry)
    spec = RunSpec.create("digits", "ridge", seed=0, n_train=500, data_digest="d")
    row, artifacts = execute(spec, tmp_path)
    assert row["model"] == "ridge" and row["n_train"] == 500
    assert 0.5 < row["accuracy"] <= 1 and row["n_params"] is None and row["model_bytes"] > 0
    assert artifacts["confusion"].sum() == row["n_test"]

    # `make bench` times it through the runner against its bare library calls.
    assert "ridge" in bench.overhead_models()
    # A machine whose load is known and nothing waited for: this test times nothing, it runs
    # the part.
    quiet_machine = quiet.QuietTimer(quiet.FixedLoad(0.0), sleep=lambda seconds: None)
    timed = bench.runner_overhead(quiet_machine, "digits", tmp_path, repeats=1, names=["ridge"],
                                  n_train=300, n_test=100, digest=origin("digits", tmp_path).digest)
    assert [timed_row["subject"] for timed_row in timed] == ["Ridge classifier (alpha=1)"]

    # An experiment that declares it, run, drawn and reported like any other.
    experiment = Experiment(
        experiment_id="99_ridge", title="A throwaway model", book_section="none",
        summary="The throwaway model of this test against naive Bayes.",
        runs=("ridge", "gaussian_nb"),
        claims=(Beats("ridge_beats_nb", "The ridge classifier beats naive Bayes.", winner="ridge",
                      losers=("gaussian_nb",), source=PROJECT, passage="none"),),
        plots=(Plot("accuracy_and_fit_time", labels=["ridge", "gaussian_nb"]),))
    results_dir = tmp_path / "results"
    run(experiment, Config(dataset="digits", quick=False, seeds=[0], n_train=500, n_test=None,
                           data_dir=tmp_path, results_dir=results_dir, jobs=1, argv=[]))
    folder = results_dir / "digits" / "99_ridge"
    assert (folder / "accuracy_and_fit_time.png").stat().st_size > 0
    write_report(results_dir)
    # The experiment's own page shows its figures; it and the pages the main page links name
    # every run.
    assert "](accuracy_and_fit_time.png)" in (folder / "README.md").read_text()
    assert "](digits/99_ridge/README.md)" in (results_dir / "REPORT.md").read_text()
    for page in (folder / "README.md", results_dir / "APPENDIX.md", results_dir / "index.html"):
        assert "Ridge classifier (alpha=1)" in page.read_text(), page


@pytest.mark.slow  # experiment 01 end to end, its dense net included
def test_a_new_dataset_is_one_catalogue_entry_and_its_source(tmp_path, monkeypatch,
                                                             runs_in_process):
    """A dataset the project never had, added by one catalogue entry and its source (arrays made
    here: scikit-learn's digits mirrored), runs through an unchanged experiment script and
    reaches the report: no script, runner or reader needs to know about it."""
    import importlib.util
    import json

    import numpy as np

    from mlhistory import data
    from mlhistory.data import checks, sources
    from mlhistory.reporting.report import write_report
    from mlhistory.running.cli import Config
    from mlhistory.running.experiment import run

    def mirrored(name, data_dir):
        arrays = sources.SOURCES["digits"].read("digits", data_dir)[0]
        return ({key: np.ascontiguousarray(value[:, :, ::-1]) if key.startswith("x") else value
                 for key, value in arrays.items()}, "scikit-learn's digits, mirrored by this test")

    digits = data.DATASETS["digits"]
    info = data.DatasetInfo("mirrored_digits", "the 8x8 digits, mirrored left to right",
                            digits.input_shape, digits.n_train, digits.n_test, digits.class_names,
                            title="Mirrored digits")
    monkeypatch.setitem(data.DATASETS, info.name, info)
    monkeypatch.setitem(sources.SOURCES, info.name, sources.Source(mirrored))
    # Its checksums, recorded as data/checksums.json records every dataset's (an unverified
    # dataset is refused).
    recorded = {**checks.recorded_checksums(),
                info.name: checks.array_checksums(mirrored(info.name, None)[0], info.kind)}
    checksums_file = tmp_path / "checksums.json"
    checksums_file.write_text(json.dumps(recorded))
    monkeypatch.setattr(checks, "CHECKSUMS_FILE", checksums_file)

    script = PROJECT_ROOT / "experiments" / "01_probabilistic.py"
    spec = importlib.util.spec_from_file_location("probabilistic", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    results_dir = tmp_path / "results"
    # The search's choices for the new dataset, as `mlhistory tune` saves them (here the 8x8
    # digits' committed ones): the experiment's tuned runs refit them.
    from mlhistory.results.tuning import chosen_path

    chosen = json.loads(chosen_path(PROJECT_ROOT / "results", "digits").read_text())
    chosen_path(results_dir, info.name).parent.mkdir(parents=True)
    chosen_path(results_dir, info.name).write_text(json.dumps({**chosen, "dataset": info.name}))
    run(module.EXPERIMENT, Config(dataset=info.name, quick=False, seeds=[0], n_train=None,
                                  n_test=None, data_dir=tmp_path / "data",
                                  results_dir=results_dir, jobs=1, argv=[],
                                  search_from=results_dir))
    # The source's arrays were verified and decoded into the data folder like any other's.
    assert (tmp_path / "data" / info.name / "decoded" / "SOURCE").exists()
    folder = results_dir / info.name / "01_probabilistic"
    assert (folder / "class_templates.png").stat().st_size > 0
    write_report(results_dir)
    assert "Mirrored digits" in (results_dir / "REPORT.md").read_text()
    assert f"{info.name}/01_probabilistic/README.md" in (results_dir / "REPORT.md").read_text()


MAX_MODULE_LINES = 400  # issue 17: a module longer than this is split by what its parts do


def test_no_package_module_is_over_400_lines():
    long = {str(path.relative_to(PROJECT_ROOT)): length for _, path, _ in package_modules()
            if (length := len(path.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}
