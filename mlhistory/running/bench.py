"""``make bench``: how fast the suite is, measured as ratios taken side by side in one run.

Each part times two ways of doing the same work on the same arrays, in the same process, and
keeps the ratio: a busy or slower machine moves both sides, and the ratio stays meaningful.

- runner overhead: every registry model through the runner (``execute``: data split, fit,
  predict, metrics, artifacts) against the bare library calls on the same arrays, interleaved
  A/B, the median of ``repeats``. Goal <= 1.05.
- Keras input path: the book's nets' training images/s through the runner against a bare
  ``model.fit`` on numpy arrays (goal >= 0.95), and their training FLOP/s against this
  machine's measured matmul peak.
- accelerated implementations: the RBF SVM through scikit-learn-intelex (oneDAL) against stock
  scikit-learn (libsvm) at equal settings, speed-up and accuracy difference; then oneDAL at the
  full training set, against the Fashion-MNIST paper's figure.
- the suite (``--suite``): ``make quick`` in a fresh clone, a no-op ``make all``, and ``make
  quick`` on one job against two.

A benchmark measures; it never fails on a time. ``results/bench/bench.csv`` holds the table
and the report prints it.
"""

import functools
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .. import models
from ..models import DEEP, flops
from ..paths import PROJECT_ROOT
from ..results import write_metadata
from ..results.schema import BENCH_COLUMNS, BENCH_DIR, BENCH_FILE, write_rows
from .execute import execute, run_split
from .spec import RunSpec

# Small enough that every model runs three times on each side within minutes on two cores.
OVERHEAD_N_TRAIN, OVERHEAD_N_TEST = 5_000, 2_000
SVM_COMPARED_AT = 20_000  # the largest size at which stock libsvm fits in a couple of minutes
PUBLISHED_SVM = 0.897  # Xiao et al. 2017, Table 3: SVC C=10 rbf on all of Fashion-MNIST
SIGNIFICANT_DIGITS = 4  # of every measured value, baseline and ratio in the table


def run_bench(dataset: str, data_dir: Path, results_dir: Path, repeats: int, with_suite: bool,
              argv: list[str]) -> Path:
    """Every part above, written to ``results/bench/bench.csv`` with the machine's metadata."""
    from ..data import origin

    started = time.perf_counter()
    digest = origin(dataset, data_dir).digest
    rows = [*runner_overhead(dataset, data_dir, repeats, digest),
            *keras_input_path(dataset, data_dir, repeats, digest),
            *accelerated_svm(dataset, data_dir, digest),
            *(suite() if with_suite else [])]
    folder = Path(results_dir) / BENCH_DIR
    write_rows(folder / BENCH_FILE, rows, BENCH_COLUMNS)
    write_metadata(folder, argv, wall_seconds=round(time.perf_counter() - started, 1),
                   runs=0, runs_from_cache=0)
    return folder / BENCH_FILE


def ratio_row(part: str, subject: str, setting: str, measured: float, baseline: float, unit: str,
              goal: str = "", detail: str = "") -> dict:
    """One row of the bench table (``BENCH_COLUMNS``). The ratio is taken of the unrounded values;
    then each of the three keeps four significant digits."""
    return {"part": part, "subject": subject, "setting": setting,
            "measured": significant(measured), "baseline": significant(baseline),
            "ratio": significant(measured / baseline), "unit": unit, "goal": goal, "detail": detail}


def significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits. Not to decimal places: a fit of
    0.0038 s would keep two digits, and the ratio of two such saved values would be off by
    several per cent from the ratio measured."""
    return float(f"{value:.{digits}g}")


def _seconds(call: Callable[[], object]) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def _bare_call(spec: RunSpec, data_dir: Path) -> Callable[[], object]:
    """The library calls a run makes, with nothing around them: build, fit, predict."""
    split = run_split(spec, data_dir)
    entry = models.get(spec.model)
    if entry.family != DEEP:
        def fit_predict():
            pipeline = models.build(spec.model, split.dataset.info, spec.seed, spec.params_dict,
                                    spec.features)
            pipeline.fit(split.x_train, split.y_train)
            return pipeline.predict(split.x_test)
        return fit_predict

    def fit_predict():
        classifier = _compiled_net(spec, split)
        classifier.network.fit(classifier.inputs(split.x_train), split.y_train,
                               epochs=classifier.epochs, batch_size=classifier.batch_size,
                               verbose=0)
        return classifier.network.predict(classifier.inputs(split.x_test), verbose=0)
    return fit_predict


def _compiled_net(spec: RunSpec, split):
    """The run's net, built and compiled as the runner's would be, not yet trained."""
    classifier = models.build(spec.model, split.dataset.info, spec.seed, spec.params_dict)
    classifier.network = classifier.build_network(split.dataset.info)
    classifier.compile(classifier.network)
    return classifier


def overhead_models() -> list[str]:
    """Every registry model with a bare library call to hold the runner against: all but the
    composite ones (their entries say so), whose fit is the project's own training loop."""
    return [name for name, entry in models.REGISTRY.items() if not entry.composite]


def runner_overhead(dataset: str, data_dir: Path, repeats: int, digest: str,
                    names: list[str] | None = None, n_train: int = OVERHEAD_N_TRAIN,
                    n_test: int = OVERHEAD_N_TEST) -> list[dict]:
    """``names`` (by default ``overhead_models()``) through the runner and bare, on the same
    ``n_train`` training images."""
    rows = []
    for name in names or overhead_models():
        entry = models.get(name)
        spec = RunSpec.create(dataset, name, seed=0, n_train=n_train, n_test=n_test,
                              features=models.default_features(True), data_digest=digest)
        bare = _bare_call(spec, data_dir)
        runner, library = [], []
        through_runner = functools.partial(execute, spec, data_dir)
        for _ in range(repeats):  # interleaved, so a slow spell of the machine hits both sides
            models.start_run(0, entry.uses_keras)
            runner.append(_seconds(through_runner))
            models.start_run(0, entry.uses_keras)
            library.append(_seconds(bare))
        rows.append(ratio_row("runner overhead", models.display_name(name, spec.params_dict, "pixels"),
                              f"{dataset}, n_train {n_train:,}, median of {repeats}",
                              statistics.median(runner), statistics.median(library), "s",
                              goal="ratio <= 1.05", detail="runner: execute(); baseline: the library's "
                              "fit and predict on the same arrays"))
    return rows


def keras_input_path(dataset: str, data_dir: Path, repeats: int, digest: str) -> list[dict]:
    """Training images/s through the runner against bare ``fit``, and FLOP/s against the peak."""
    rows = []
    device = flops.devices()[1] if len(flops.devices()) > 1 else "CPU:0"  # where training runs
    peak = flops.matmul_peak(device, flops.MATRIX_SIZE)
    for name in ("dense", "convnet"):
        spec = RunSpec.create(dataset, name, seed=0, n_train=OVERHEAD_N_TRAIN * 2,
                              n_test=OVERHEAD_N_TEST, data_digest=digest)
        epochs = spec.params_dict["epochs"]
        split = run_split(spec, data_dir)
        through_runner, bare = [], []
        for _ in range(repeats):
            models.start_run(0, True)
            through_runner.append(execute(spec, data_dir)[0]["fit_seconds"])
            models.start_run(0, True)
            bare.append(_bare_fit_seconds(spec, split))
        images = len(split.y_train) * epochs
        runner_rate = images / statistics.median(through_runner)
        bare_rate = images / statistics.median(bare)
        setting = f"{dataset}, n_train {len(split.y_train):,}, {epochs} epochs, median of {repeats}"
        display = models.display_name(name, spec.params_dict, "pixels")
        rows.append(ratio_row("Keras input path", display, setting, runner_rate, bare_rate,
                              "training images/s", goal="ratio >= 0.95",
                              detail="runner: execute() fit time; baseline: model.fit on numpy arrays"))
        per_image = flops.count(_compiled_net(spec, split).network)["training"]
        rows.append(ratio_row("Keras input path", display, setting, per_image * runner_rate / 1e9,
                              peak["gflops"], "GFLOP/s",
                              detail=f"training GFLOP/s through the runner against this machine's "
                                     f"measured matmul peak on {flops.device_name(device)}"))
    return rows


def _bare_fit_seconds(spec: RunSpec, split) -> float:
    classifier = _compiled_net(spec, split)
    inputs = classifier.inputs(split.x_train)
    return _seconds(lambda: classifier.network.fit(inputs, split.y_train, epochs=classifier.epochs,
                                                   batch_size=classifier.batch_size, verbose=0))


def accelerated_svm(dataset: str, data_dir: Path, digest: str) -> list[dict]:
    """oneDAL against libsvm at equal settings; then oneDAL on the whole training set."""
    measured = {}
    for implementation in ("sklearnex", "stock"):
        spec = RunSpec.create(dataset, "rbf_svm", seed=0, n_train=SVM_COMPARED_AT,
                              params={"implementation": implementation}, data_digest=digest)
        row, _ = execute(spec, data_dir)
        measured[implementation] = row
    fast, stock = measured["sklearnex"], measured["stock"]
    difference = 100 * (fast["accuracy"] - stock["accuracy"])
    rows = [ratio_row("accelerated", "RBF SVM (C=10): scikit-learn-intelex against stock scikit-learn",
                      f"{dataset}, n_train {SVM_COMPARED_AT:,}, 1 run each",
                      fast["fit_seconds"] + fast["predict_seconds"],
                      stock["fit_seconds"] + stock["predict_seconds"], "s (fit + predict)",
                      goal="accuracy within 0.2 points",
                      detail=f"accuracy {fast['accuracy']:.4f} against {stock['accuracy']:.4f} "
                             f"({difference:+.2f} points); fit {fast['fit_seconds']:.1f} s against "
                             f"{stock['fit_seconds']:.1f} s")]
    full = execute(RunSpec.create(dataset, "rbf_svm", seed=0,
                                  params={"implementation": "sklearnex"}, data_digest=digest),
                   data_dir)[0]
    rows.append(ratio_row("accelerated", "RBF SVM (C=10) through scikit-learn-intelex, full size",
                          f"{dataset}, n_train {full['n_train']:,}, 1 run",
                          full["fit_seconds"] + full["predict_seconds"], 90.0, "s (fit + predict)",
                          goal="<= 90 s, accuracy within 0.3 points of 0.897 (Fashion-MNIST)",
                          detail=f"accuracy {full['accuracy']:.4f}"
                                 + (f" against the paper's {PUBLISHED_SVM}" if dataset == "fashion_mnist"
                                    else "")))
    return rows


def suite(jobs_compared: tuple[int, int] = (1, 2)) -> list[dict]:
    """``make quick`` in a fresh clone (the environment and the data linked, not rebuilt), a
    no-op ``make all`` there, and ``make quick`` on one job against two."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="mlhistory-bench-") as scratch:
        clone = Path(scratch) / "clone"
        subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(clone)], check=True)
        (clone / ".venv").symlink_to(PROJECT_ROOT / ".venv")
        for folder in (PROJECT_ROOT / "data").iterdir():
            if folder.is_dir():
                (clone / "data" / folder.name).symlink_to(folder)

        def make(*arguments: str) -> float:
            return _seconds(lambda: subprocess.run(["make", "--no-print-directory", *arguments],
                                                   cwd=clone, check=True,
                                                   stdout=subprocess.DEVNULL))

        quick = {jobs: 0.0 for jobs in jobs_compared}
        for jobs in reversed(jobs_compared):  # the first quick run is the fresh clone's
            shutil.rmtree(clone / "results" / "quick", ignore_errors=True)
            quick[jobs] = make("quick", f"QUICK_JOBS={jobs}")
        fewer, more = jobs_compared
        rows.append(ratio_row("suite", "make quick from a fresh clone", f"{more} jobs, after set-up",
                              quick[more], 180.0, "s", goal="<= 180 s"))
        rows.append(ratio_row("suite", "make quick on more jobs", f"-j{more} against -j{fewer}",
                              quick[more], quick[fewer], "s"))
        rows.append(ratio_row("suite", "no-op make all", "committed results, nothing to redo",
                              make("all"), 30.0, "s", goal="<= 30 s"))
    return rows
