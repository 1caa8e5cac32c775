"""``make bench``'s parts for the declared threads and bins (``threads.py``): the rows that value
by value will back the committed choice, each measured on a quiet machine like every bench row.

- ``threads``: each library (XGBoost, LightGBM, scikit-learn's HistGradientBoosting, oneDAL's
  SVM, a TensorFlow net, BLAS through logistic regression) on one thread against two, alone;
  two runs side by side on one thread each against the same two one after the other on two
  threads each (which layout gets two runs done sooner); and TensorFlow's inter-op threads.
- ``wait_policy``: OpenMP's ``OMP_WAIT_POLICY`` passive against active, alone on two threads
  and two runs side by side on two threads each.
- ``bins``: XGBoost and LightGBM with 64 histogram bins against their defaults (256, 255), and
  the accuracy difference.

Thread counts are fixed as a process loads its libraries, so every run of the first two parts
is a fresh worker interpreter started with the side's settings (``threads.use`` and its
environment). It loads its data and libraries, says it is ready, and fits when told to: the
parent times only the fits and predictions, and starts two at once for a side-by-side side.
"""

import json
import os
import subprocess
import sys
from dataclasses import asdict, replace
from pathlib import Path

from ..paths import PROJECT_ROOT
from . import threads
from .execute import execute, run_split
from .quiet import QuietTimer, timed_row
from .spec import RunSpec
from .threads import ThreadSettings

N_TRAIN, N_TEST = 5_000, 2_000
TENSORFLOW = "TensorFlow dense net"  # whose inter-op threads get a row of their own
# What each library's rows fit: (model, params, training size).
WORKLOADS = {
    "XGBoost": ("xgboost", {}, N_TRAIN),
    "LightGBM": ("lightgbm", {}, N_TRAIN),
    "HistGradientBoosting": ("hist_gradient_boosting", {}, N_TRAIN),
    "oneDAL SVM": ("rbf_svm", {"implementation": "sklearnex"}, N_TRAIN),
    TENSORFLOW: ("dense", {}, 2 * N_TRAIN),
    "BLAS (logistic regression)": ("logreg", {}, N_TRAIN),
}
WAIT_POLICY_LIBRARY = "LightGBM"
BINS = {"xgboost": ("XGBoost", 256), "lightgbm": ("LightGBM", 255)}  # the libraries' defaults
FEWER_BINS = 64
READY, RESULT = "BENCH-READY", "BENCH-RESULT "


def _sides_settings(count: int) -> ThreadSettings:
    return threads.LAYOUTS[threads.ALONE].with_threads(count)


class Workers:
    """Starts the worker interpreters of one workload and times what they fit."""

    def __init__(self, library: str, dataset: str, data_dir: Path, digest: str):
        model, params, n_train = WORKLOADS[library]
        self.payload = {"dataset": dataset, "model": model, "params": params, "n_train": n_train,
                        "n_test": N_TEST, "digest": digest, "data_dir": str(data_dir)}
        self.last: list[dict] = []  # the results of the last side timed
        self.accuracies: dict[str, str] = {}

    def _start(self, settings: ThreadSettings) -> subprocess.Popen:
        environment = {name: value for name, value in os.environ.items()
                       if name not in threads.THREAD_VARIABLES}
        environment.update(settings.environment(), PYTHONPATH=str(PROJECT_ROOT))
        payload = json.dumps({**self.payload, "settings": asdict(settings)})
        process = subprocess.Popen([sys.executable, "-m", "mlhistory.running.bench_threads", payload],
                                   cwd=PROJECT_ROOT, env=environment, text=True,
                                   stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        _read_until(process, READY)
        return process

    def _finish(self, process: subprocess.Popen) -> dict:
        result = json.loads(_read_until(process, RESULT)[len(RESULT):])
        process.wait()
        return result

    def alone(self, settings: ThreadSettings) -> float:
        """One run, its fit and predict seconds."""
        process = self._start(settings)
        _go(process)
        self.last = [self._finish(process)]
        return self.last[0]["end"] - self.last[0]["start"]  # the run's execute()

    def two(self, settings: ThreadSettings, at_once: bool) -> float:
        """Two runs, side by side or one after the other: from the first start to the last end."""
        processes = [self._start(settings), self._start(settings)]
        if at_once:
            for process in processes:
                _go(process)
            self.last = [self._finish(process) for process in processes]
            return max(run["end"] for run in self.last) - min(run["start"] for run in self.last)
        self.last = []
        for process in processes:
            _go(process)
            self.last.append(self._finish(process))
        return sum(run["end"] - run["start"] for run in self.last)

    def side(self, settings: ThreadSettings, runs: str = "alone"):
        """One side of a pair: ``runs`` alone, side by side or one after the other; the
        accuracies it got are kept under its settings' layout name."""
        def run() -> float:
            if runs == "alone":
                seconds = self.alone(settings)
            else:
                seconds = self.two(settings, at_once=runs == "side by side")
            self.accuracies[settings.layout] = ", ".join(f"{run['accuracy']:.4f}" for run in self.last)
            return seconds
        return run


def _read_until(process: subprocess.Popen, marker: str) -> str:
    for line in process.stdout:
        if line.startswith(marker):
            return line.strip()
    process.wait()
    raise RuntimeError(f"a bench worker ended (exit status {process.returncode}) before {marker!r}")


def _go(process: subprocess.Popen) -> None:
    process.stdin.write("go\n")
    process.stdin.flush()


def thread_counts(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int,
                  digest: str) -> list[dict]:
    rows = []
    one, two = _sides_settings(1), _sides_settings(2)
    for library in WORKLOADS:
        workers = Workers(library, dataset, data_dir, digest)
        setting = f"{dataset}, n_train {WORKLOADS[library][2]:,}"
        timed = timer.compare(workers.side(one), workers.side(two), repeats)
        accuracy = workers.accuracies
        rows.append(timed_row("threads", f"{library}: 1 thread against 2, alone",
                              f"{setting}, median of {timed.repeats}", timed, "s (a run)",
                              detail=f"accuracy {accuracy[one.layout]} against {accuracy[two.layout]}"))
        timed = timer.compare(workers.side(one, "side by side"),
                              workers.side(two, "one after the other"), repeats)
        rows.append(timed_row("threads", f"{library}: 2 runs side by side on 1 thread each "
                              "against one after the other on 2", f"{setting}, median of "
                              f"{timed.repeats}", timed, "s (both runs)",
                              detail=f"accuracies {accuracy[one.layout]} against "
                                     f"{accuracy[two.layout]}"))
    if TENSORFLOW in WORKLOADS:
        workers = Workers(TENSORFLOW, dataset, data_dir, digest)
        timed = timer.compare(workers.side(replace(two, tf_inter=1, layout="inter-op 1")),
                              workers.side(two), repeats)
        rows.append(timed_row("threads", "TensorFlow inter-op: 1 thread against 2 (intra-op 2)",
                              f"{dataset}, n_train {WORKLOADS[TENSORFLOW][2]:,}, median of "
                              f"{timed.repeats}", timed, "s (a run)"))
    return rows


def wait_policy(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int,
                digest: str) -> list[dict]:
    rows = []
    two = _sides_settings(2)
    passive, active = (replace(two, omp_wait_policy=policy, layout=policy.lower())
                       for policy in ("PASSIVE", "ACTIVE"))
    workers = Workers(WAIT_POLICY_LIBRARY, dataset, data_dir, digest)
    for runs, shown in (("alone", "alone on 2 threads"),
                        ("side by side", "2 runs side by side on 2 threads each")):
        timed = timer.compare(workers.side(passive, runs), workers.side(active, runs), repeats)
        rows.append(timed_row("wait policy", f"OpenMP wait policy: passive against active, "
                              f"{WAIT_POLICY_LIBRARY} {shown}",
                              f"{dataset}, n_train {N_TRAIN:,}, median of {timed.repeats}", timed,
                              "s (a run)"))
    return rows


def booster_bins(timer: QuietTimer, dataset: str, data_dir: Path, repeats: int,
                 digest: str) -> list[dict]:
    """Fewer bins against the library's default, in this process, on its thread layout."""
    rows = []
    for model, (library, default) in BINS.items():
        last = {}

        def fit(bins, model=model, last=last):
            spec = RunSpec.create(dataset, model, seed=0, n_train=N_TRAIN, n_test=N_TEST,
                                  params={"max_bin": bins}, data_digest=digest)

            def run() -> float:
                last[bins] = row = execute(spec, data_dir)[0]
                return row["fit_seconds"] + row["predict_seconds"]
            return run

        timed = timer.compare(fit(FEWER_BINS), fit(default), repeats)
        difference = 100 * (last[FEWER_BINS]["accuracy"] - last[default]["accuracy"])
        rows.append(timed_row("bins", f"{library} max_bin {FEWER_BINS} against {default}",
                              f"{dataset}, n_train {N_TRAIN:,}, {threads.current().layout}, "
                              f"median of {timed.repeats}", timed, "s (fit + predict)",
                              detail=f"accuracy {last[FEWER_BINS]['accuracy']:.4f} against "
                                     f"{last[default]['accuracy']:.4f} ({difference:+.2f} points)"))
    return rows


THREAD_PARTS = {"threads": thread_counts, "wait_policy": wait_policy, "bins": booster_bins}


def worker(payload: dict) -> None:
    """A bench worker: this side's threads, the data and libraries loaded, then one run when told."""
    import time

    from .. import models

    threads.use(ThreadSettings(**payload["settings"]))
    spec = RunSpec.create(payload["dataset"], payload["model"], seed=0, params=payload["params"],
                          n_train=payload["n_train"], n_test=payload["n_test"],
                          data_digest=payload["digest"])
    data_dir = Path(payload["data_dir"])
    run_split(spec, data_dir)  # loaded once, before the clock
    models.start_run(0, models.get(spec.model).uses_keras)  # TensorFlow imported, if a net
    print(READY, flush=True)
    sys.stdin.readline()
    start = time.monotonic()  # one clock for every process of the machine (Linux)
    # The whole run, as the runner makes it: fit, predict, metrics and artifacts.
    row = execute(spec, data_dir)[0]
    end = time.monotonic()
    print(RESULT + json.dumps({"start": start, "end": end, "accuracy": row["accuracy"]}), flush=True)


if __name__ == "__main__":
    worker(json.loads(sys.argv[1]))
