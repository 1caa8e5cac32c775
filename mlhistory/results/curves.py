"""Small computations on saved results that claims, plots and the report share."""

import csv
from dataclasses import dataclass

import numpy as np

from .schema import FIT_TIMES_FILE, QUIET_CPU_SHARE
from .store import ExperimentResults, mean_std


def loglog_slope(sizes, seconds) -> float:
    """The exponent b of seconds ~ a * size^b, fitted by least squares in log-log space."""
    slope, _ = np.polyfit(np.log(np.asarray(sizes, dtype=float)),
                          np.log(np.asarray(seconds, dtype=float)), 1)
    return float(slope)


def size_curve(results: ExperimentResults, label: str, metric: str) -> tuple[list, list, list]:
    """(sizes, means, stds) of a metric over a label's training sizes, means over seeds."""
    rows = results.rows_of(label, all_sizes=True)
    sizes = sorted({row["n_train"] for row in rows})
    stats = [mean_std(row[metric] for row in rows if row["n_train"] == size) for size in sizes]
    return sizes, [mean for mean, _ in stats], [std for _, std in stats]


def fit_time_exponent(results: ExperimentResults, label: str, min_size: int) -> tuple[float, list]:
    """The fit-time exponent over sizes >= ``min_size`` (smaller ones are start-up dominated)."""
    sizes, seconds, _ = size_curve(results, label, "fit_seconds")
    used = [(size, second) for size, second in zip(sizes, seconds, strict=True) if size >= min_size]
    if len(used) < 2:
        return float("nan"), [size for size, _ in used]
    return loglog_slope(*zip(*used, strict=True)), [size for size, _ in used]


def _seed_curve(results: ExperimentResults, label: str, artifact: str) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std over a label's seeds of a per-step curve saved with each run.

    Runs that stopped at different steps (early stopping, a forest grown until it stalled) are
    averaged over the steps every one of them reached."""
    saved = [results.artifacts(row)[artifact] for row in results.rows_of(label)]
    reached = min(len(curve) for curve in saved)
    curves = np.stack([curve[:reached] for curve in saved])
    std = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros(curves.shape[1])
    return curves.mean(axis=0), std


def epoch_curve(results: ExperimentResults, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Test accuracy after each epoch (recorded, never used to train), over seeds."""
    return _seed_curve(results, label, "test_accuracy_per_epoch")


def first_epoch_reaching(curve: np.ndarray, target: float) -> int | None:
    """1-based epoch at which ``curve`` first reaches ``target``, or None if it never does."""
    reached = np.flatnonzero(curve >= target)
    return int(reached[0]) + 1 if len(reached) else None


def staged_curve(results: ExperimentResults, label: str) -> tuple[np.ndarray, np.ndarray]:
    """Test accuracy after each tree or boosting round, over seeds."""
    return _seed_curve(results, label, "staged_accuracy")


def staged_steps(results: ExperimentResults, label: str, count: int) -> np.ndarray:
    """The round (or tree) of each of the first ``count`` points of a staged curve: saved with
    the run when its points are log-spaced (an early-stopped booster), else one per round."""
    saved = results.artifacts(results.rows_of(label)[0])
    return saved["staged_rounds"][:count] if "staged_rounds" in saved else np.arange(1, count + 1)


def relative_error_reduction(better_accuracy: float, worse_accuracy: float) -> float:
    """How much of the worse model's test error the better one removes (0.6 = 60 %)."""
    return 1 - (1 - better_accuracy) / (1 - worse_accuracy)


def balanced_accuracy(confusion: np.ndarray) -> float:
    """Mean recall over the classes present in the test split (rows of the confusion matrix)."""
    support = confusion.sum(axis=1)
    present = support > 0
    return float(np.mean(np.diag(confusion)[present] / support[present]))


def crossover_size(sizes: list[int], deep: list[float], shallow: list[float]) -> int | None:
    """The smallest size from which ``deep`` stays above ``shallow`` at every larger size."""
    crossing = None
    for size, deep_value, shallow_value in zip(sizes, deep, shallow, strict=True):
        if deep_value > shallow_value:
            crossing = size if crossing is None else crossing
        else:
            crossing = None
    return crossing


@dataclass(frozen=True)
class TimedFitPoints:
    """Experiment 03's repeated fit timings (``FIT_TIMES_FILE``) of the claim's models: per label,
    the (n_train, wall seconds) and (n_train, CPU seconds) of the fits timed quiet, and how many
    were left out because other processes used the CPUs meanwhile."""

    quiet: dict[str, list[tuple[int, float]]]
    cpu: dict[str, list[tuple[int, float]]]
    busy: int
    total: int

    @property
    def busy_note(self) -> str:
        return (f"{self.busy} of {self.total} timed fits were taken while other processes used "
                f"more than {100 * QUIET_CPU_SHARE:.0f} % of the CPUs, left out")


def timed_fit_points(results: ExperimentResults, labels, min_size: int) -> TimedFitPoints | None:
    """The timed fits of ``labels`` from ``min_size`` on, or None when the experiment saved none."""
    path = results.folder / FIT_TIMES_FILE
    if not path.exists():
        return None
    with open(path, newline="") as saved:
        rows = [row for row in csv.DictReader(saved)
                if row["label"] in labels and int(row["n_train"]) >= min_size]
    quiet = [row for row in rows if float(row["other_cpu_share"]) <= QUIET_CPU_SHARE]
    return TimedFitPoints(
        quiet={label: [(int(row["n_train"]), float(row["wall_seconds"])) for row in quiet
                       if row["label"] == label] for label in labels},
        cpu={label: [(int(row["n_train"]), float(row["cpu_seconds"])) for row in quiet
                     if row["label"] == label] for label in labels},
        busy=len(rows) - len(quiet), total=len(rows))
