"""``make bench``: how fast the suite is, measured as ratios taken side by side in one run.

Each part times two ways of doing the same work on the same arrays, in the same process, and
keeps the ratio: a slower machine moves both sides, and the ratio stays meaningful. A busy one
does not move them alike, so every figure is taken on a quiet machine only (``quiet.py``): the
bench refuses to start when other processes use the CPUs, reads the load before and during
each pair, A and B interleaved, the median of at least three, and a row measured while the
machine stayed busy is void (its ``void`` column says why; nothing prints its figures).

- runner overhead: every registry model through the runner (``execute``: data split, fit,
  predict, metrics, artifacts) against the bare library calls on the same arrays. Goal <= 1.05.
- Keras input path: the book's nets' training images/s through the runner against a bare
  ``model.fit`` on numpy arrays (goal >= 0.95), and their training FLOP/s against this
  machine's measured matmul peak.
- accelerated implementations: the RBF SVM through scikit-learn-intelex (oneDAL) against stock
  scikit-learn (libsvm) at equal settings, speed-up and accuracy difference; then oneDAL at the
  full training set, against the Fashion-MNIST paper's figure.
- threads (``bench_threads.py``): each library on one thread against two, alone, and two runs
  side by side on one thread each; the boosters' bins; OpenMP's wait policy.
- the suite (``--suite``): ``make quick`` from a fresh clone on two jobs against one, and a
  no-op ``make all``.

A benchmark measures; it never fails on a time. ``results/bench/bench.csv`` holds the table
and the report prints it.
"""

import functools
import itertools
import os
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from .. import models
from ..models import DEEP, SHALLOW, flops
from ..paths import PROJECT_ROOT
from ..results import write_metadata
from ..results.schema import BENCH_COLUMNS, BENCH_DIR, BENCH_FILE, write_rows
from . import bare
from .bench_threads import THREAD_PARTS
from .execute import execute, run_split
from .quiet import QuietTimer, seconds, timed_row
from .spec import RunSpec

# Small enough that every model runs three times on each side within minutes on two cores.
OVERHEAD_N_TRAIN, OVERHEAD_N_TEST = 5_000, 2_000
SVM_COMPARED_AT = 20_000  # the largest size at which stock libsvm fits in a couple of minutes
PUBLISHED_SVM = 0.897  # Xiao et al. 2017, Table 3: SVC C=10 rbf on all of Fashion-MNIST


def run_bench(dataset: str, data_dir: Path, results_dir: Path, repeats: int, with_suite: bool,
              argv: list[str], timer: QuietTimer | None = None,
              parts: tuple[str, ...] | None = None) -> Path:
    """Every part above (or those named in ``parts``), written to ``results/bench/bench.csv``
    with the machine's metadata and the load read before and during each measurement. A busy
    machine stops the bench before anything is timed (``MachineBusy``)."""
    from ..data import origin

    timer = timer or QuietTimer()
    start_share = timer.check_start()
    started = time.perf_counter()
    digest = origin(dataset, data_dir).digest
    chosen = {name: part for name, part in PARTS.items() if parts is None or name in parts}
    if with_suite or (parts is not None and SUITE in parts):
        chosen[SUITE] = lambda timer, *arguments: suite(timer, repeats)
    rows = [row for part in chosen.values()
            for row in part(timer, dataset, data_dir, repeats, digest)]
    folder = Path(results_dir) / BENCH_DIR
    write_rows(folder / BENCH_FILE, [*_kept_rows(folder / BENCH_FILE, rows), *rows], BENCH_COLUMNS)
    write_metadata(folder, argv, wall_seconds=round(time.perf_counter() - started, 1),
                   runs=0, runs_from_cache=0,
                   load={"cpus": timer.load.cpus, "other_cpu_limit": timer.limit,
                         "other_cpu_share_at_start": round(start_share, 4),
                         "parts_timed": sorted({row["part"] for row in rows}),
                 "void_rows": sum(bool(row["void"]) for row in rows),
                         "other_cpu_shares_read": timer.shares})
    return folder / BENCH_FILE


def _kept_rows(path: Path, timed: list[dict]) -> list[dict]:
    """The saved table's rows of the parts not timed this time: a bench of one part (quiet
    minutes are scarce on a shared machine) replaces that part's rows and keeps the others'."""
    import csv

    if not path.exists():
        return []
    replaced = {row["part"] for row in timed}
    with open(path, newline="") as saved:
        return [row for row in csv.DictReader(saved) if row["part"] not in replaced]


def _bare_call(spec: RunSpec, data_dir: Path) -> Callable[[], object]:
    """The library calls a run makes, with nothing around them: build, fit, predict."""
    split = run_split(spec, data_dir)
    return lambda: bare.predict(spec, bare.fit(spec, split), split)


def overhead_models() -> list[str]:
    """Every registry model with a bare library call to hold the runner against: all but the
    composite ones (their entries say so), whose fit is the project's own training loop."""
    return [name for name, entry in models.REGISTRY.items() if not entry.composite]


def _started(seed: int, uses_keras: bool, call: Callable[[], object]) -> Callable[[], float]:
    """``call`` timed, after the per-run reset a run gets (seeds, a fresh Keras session)."""
    def timed() -> float:
        models.start_run(seed, uses_keras)
        return seconds(call)
    return timed


def runner_overhead(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int, digest: str,
                    names: list[str] | None = None, n_train: int = OVERHEAD_N_TRAIN,
                    n_test: int = OVERHEAD_N_TEST) -> list[dict]:
    """``names`` (by default ``overhead_models()``) through the runner and bare, on the same
    ``n_train`` training images."""
    rows = []
    for name in names or overhead_models():
        entry = models.get(name)
        spec = RunSpec.create(dataset, name, seed=0, n_train=n_train, n_test=n_test,
                              features=models.default_features(True), data_digest=digest)
        timed = timer.compare(_started(0, entry.uses_keras, functools.partial(execute, spec, data_dir)),
                              _started(0, entry.uses_keras, _bare_call(spec, data_dir)), repeats)
        rows.append(timed_row("runner overhead", models.display_name(name, spec.params_dict, "pixels"),
                              f"{dataset}, n_train {n_train:,}, median of {timed.repeats}", timed,
                              "s", goal="ratio <= 1.05", detail="runner: execute(); baseline: the "
                              "library's fit and predict on the same arrays; "
                              + RUNNER_ALSO[entry.family]))
    return rows


# What a run does beyond the library's fit and predict, besides bookkeeping of milliseconds: the
# part of a ratio above 1 that is work, not overhead.
RUNNER_ALSO = {DEEP: "the runner also scores the test images after every epoch, for the "
                     "learning curves (a tenth of the book convnet's fit at these sizes)",
               SHALLOW: "the runner also pickles the fitted model once, for its size "
                        "(0.1 s for the RBF SVM's oneDAL model)"}


def keras_input_path(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int,
                     digest: str) -> list[dict]:
    """Training images/s through the runner against bare ``fit``, and FLOP/s against the peak."""
    rows = []
    device = flops.devices()[1] if len(flops.devices()) > 1 else "CPU:0"  # where training runs
    peak = timer.measure(lambda: flops.matmul_peak(device, flops.MATRIX_SIZE)["gflops"], repeats)
    for name in ("dense", "convnet"):
        spec = RunSpec.create(dataset, name, seed=0, n_train=OVERHEAD_N_TRAIN * 2,
                              n_test=OVERHEAD_N_TEST, data_digest=digest)
        epochs = spec.params_dict["epochs"]
        split = run_split(spec, data_dir)

        def through_runner(spec=spec) -> float:
            models.start_run(0, True)
            return execute(spec, data_dir)[0]["fit_seconds"]

        def bare(spec=spec, split=split) -> float:
            models.start_run(0, True)
            return _bare_fit_seconds(spec, split)

        timed = timer.compare(through_runner, bare, repeats)
        images = len(split.y_train) * epochs
        runner_rate, bare_rate = images / timed.measured, images / timed.baseline
        setting = f"{dataset}, n_train {len(split.y_train):,}, {epochs} epochs, median of {timed.repeats}"
        display = models.display_name(name, spec.params_dict, "pixels")
        rows.append(timed_row("Keras input path", display, setting, timed, "training images/s",
                              measured=runner_rate, baseline=bare_rate, goal="ratio >= 0.95",
                              detail="runner: execute() fit time; baseline: model.fit on numpy arrays"))
        per_image = flops.count(bare.compiled_net(spec, split).network)["training"]
        load = timed if timed.other_cpu_share >= peak.other_cpu_share else peak
        rows.append(timed_row("Keras input path", display, setting, load, "GFLOP/s",
                              measured=per_image * runner_rate / 1e9, baseline=peak.measured,
                              detail=f"training GFLOP/s through the runner against this machine's "
                                     f"measured matmul peak on {flops.device_name(device)}"))
    return rows


def _bare_fit_seconds(spec: RunSpec, split) -> float:
    classifier = bare.compiled_net(spec, split)
    inputs = classifier.inputs(split.x_train)
    return seconds(lambda: classifier.network.fit(inputs, split.y_train, epochs=classifier.epochs,
                                                   batch_size=classifier.batch_size, verbose=0))


def accelerated_svm(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int,
                    digest: str) -> list[dict]:
    """oneDAL against libsvm at equal settings; then oneDAL on the whole training set."""
    last = {}

    def fit_and_predict(implementation: str, n_train: int | None) -> Callable[[], float]:
        spec = RunSpec.create(dataset, "rbf_svm", seed=0, n_train=n_train,
                              params={"implementation": implementation}, data_digest=digest)

        def run() -> float:
            last[implementation, n_train] = row = execute(spec, data_dir)[0]
            return row["fit_seconds"] + row["predict_seconds"]
        return run

    timed = timer.compare(fit_and_predict("sklearnex", SVM_COMPARED_AT),
                          fit_and_predict("stock", SVM_COMPARED_AT), repeats)
    fast, stock = last["sklearnex", SVM_COMPARED_AT], last["stock", SVM_COMPARED_AT]
    difference = 100 * (fast["accuracy"] - stock["accuracy"])
    rows = [timed_row("accelerated", "RBF SVM (C=10): scikit-learn-intelex against stock scikit-learn",
                      f"{dataset}, n_train {SVM_COMPARED_AT:,}, median of {timed.repeats}", timed,
                      "s (fit + predict)", goal="accuracy within 0.2 points",
                      detail=f"accuracy {fast['accuracy']:.4f} against {stock['accuracy']:.4f} "
                             f"({difference:+.2f} points); last fit {fast['fit_seconds']:.1f} s "
                             f"against {stock['fit_seconds']:.1f} s")]
    full_size = timer.measure(fit_and_predict("sklearnex", None), repeats)
    full = last["sklearnex", None]
    rows.append(timed_row("accelerated", "RBF SVM (C=10) through scikit-learn-intelex, full size",
                          f"{dataset}, n_train {full['n_train']:,}, median of {full_size.repeats}",
                          full_size, "s (fit + predict)", baseline=90.0,
                          goal="<= 90 s, accuracy within 0.3 points of 0.897 (Fashion-MNIST)",
                          detail=f"accuracy {full['accuracy']:.4f}"
                                 + (f" against the paper's {PUBLISHED_SVM}" if dataset == "fashion_mnist"
                                    else "")))
    return rows


# The parts of the bench besides the suite, in order; ``--part`` names some of them, or the
# suite (``--part suite`` times the suite alone).
SUITE = "suite"
PARTS = {"runner": runner_overhead, "keras": keras_input_path, "svm": accelerated_svm,
         **THREAD_PARTS}
QUICK_GOAL_SECONDS = 120.0  # `make quick` from a fresh clone, once set up, on a quiet 2-vCPU machine
NO_OP_GOAL_SECONDS = 30.0
TEST_GOAL_SECONDS = 180.0  # `make test`, every tier and the lint, from a fresh clone, likewise


def suite(timer: QuietTimer, repeats: int, jobs_compared: tuple[int, int] = (1, 2)) -> list[dict]:
    """``make quick`` in fresh clones (the environment and the data linked, not rebuilt) on one
    job against two, interleaved, each repeat in a clone of its own; then a no-op ``make all``;
    then ``make test``, each repeat in a clone of its own."""
    commit = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short=10", "HEAD"],
                            capture_output=True, text=True).stdout.strip() or "unknown"
    # Every clone checks out the same commit: the rows name it, as the figures belong to it.
    cloned = f"fresh clones of {commit}"
    with tempfile.TemporaryDirectory(prefix="mlhistory-bench-") as scratch:
        clones = itertools.count()

        def fresh_clone() -> Path:
            clone = Path(scratch) / f"clone{next(clones)}"
            subprocess.run(["git", "clone", "--quiet", str(PROJECT_ROOT), str(clone)], check=True)
            (clone / ".venv").symlink_to(PROJECT_ROOT / ".venv")
            for folder in (PROJECT_ROOT / "data").iterdir():
                if folder.is_dir():
                    (clone / "data" / folder.name).symlink_to(folder)
            return clone

        def make(clone: Path, *arguments: str) -> float:
            # The clone's own code, whatever the environment's editable install points at; and
            # its environment taken as set up (a fresh checkout's requirements.txt is newer than
            # the linked environment's stamp, which would have make rebuild the shared .venv).
            environment = {**os.environ, "PYTHONPATH": str(clone)}
            stamp = clone.parent / f"{clone.name}.installed"
            stamp.touch()
            return seconds(lambda: subprocess.run(
                ["make", "--no-print-directory", f"INSTALLED={stamp}", *arguments], cwd=clone,
                check=True, env=environment, stdout=subprocess.DEVNULL))

        last = {}

        def quick(jobs: int) -> Callable[[], float]:
            def run() -> float:
                last["clone"] = clone = fresh_clone()  # cloning is not timed
                return make(clone, "quick", f"QUICK_JOBS={jobs}")
            return run

        fewer, more = jobs_compared
        timed = timer.compare(quick(more), quick(fewer), repeats)
        setting = f"-j{more}, after set-up, median of {timed.repeats}"
        rows = [timed_row("suite", "make quick from a fresh clone", setting, timed, "s",
                          baseline=QUICK_GOAL_SECONDS, goal=f"<= {QUICK_GOAL_SECONDS:g} s",
                          detail=cloned),
                timed_row("suite", "make quick on more jobs",
                          f"-j{more} against -j{fewer}, median of {timed.repeats}", timed, "s",
                          detail=cloned)]
        no_op = timer.measure(lambda: make(last["clone"], "all"), repeats)
        rows.append(timed_row("suite", "no-op make all",
                              f"committed results, nothing to redo, median of {no_op.repeats}",
                              no_op, "s", baseline=NO_OP_GOAL_SECONDS,
                              goal=f"<= {NO_OP_GOAL_SECONDS:g} s", detail=cloned))

        def test() -> float:
            return make(fresh_clone(), "test")  # cloning is not timed

        tests = timer.measure(test, repeats)
        rows.append(timed_row("suite", "make test from a fresh clone",
                              f"every tier and the lint, after set-up, median of {tests.repeats}",
                              tests, "s", baseline=TEST_GOAL_SECONDS,
                              goal=f"<= {TEST_GOAL_SECONDS:g} s", detail=cloned))
    return rows
