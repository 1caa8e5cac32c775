"""Claims that hold a measurement against a figure from outside the experiment: a published
accuracy (``ReachesReference``), an error reduction the book quotes (``ErrorReduction``), a
time bound (``TrainsWithin``), a quoted GPU speedup (``GpuSpeedup``).
"""

import csv
from dataclasses import dataclass

import numpy as np

from ..paths import REFERENCES_DIR
from ..results import HARDWARE_FILE, ExperimentResults, mean_std, read_json
from ..results.curves import relative_error_reduction
from ..results.schema import base_dataset
from . import paired
from .base import Claim, results_of, results_of_each
from .margins import (
    ACCURACY_MARGIN,
    ERROR_REDUCTION_TOLERANCE,
    EXCEEDS,
    MATCHES_OR_BEATS,
    MIN_TEST_IMAGES,
    TIME_BOUND_MARGIN,
    points,
    verdict_of_interval,
)
from .verdicts import FAILS, HOLDS, LIMITED_BY_MACHINE, SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

HUMAN_FILE = REFERENCES_DIR / "human.csv"


def human_accuracy() -> tuple[tuple[str, float, str], ...]:
    """The published human accuracy per dataset, as (dataset, value, source): the references
    a ``ReachesReference`` of human accuracy is held against."""
    with open(HUMAN_FILE, newline="") as handle:
        return tuple((row["dataset"], float(row["accuracy"]), row["source"])
                     for row in csv.DictReader(handle))


@dataclass(frozen=True)
class ReachesReference(Claim):
    """``label``'s accuracy reaches a published figure for this dataset (e.g. human accuracy).

    ``references`` maps a dataset to (value, source). "Reaches" is non-inferiority: holds when
    the 95 % bootstrap interval of the mean accuracy (seeds and test images) lies above the
    figure minus the accuracy margin, fails when below it, underpowered otherwise. A dataset
    without a published figure is setup short, and says so.
    """

    label: str
    references: tuple[tuple[str, float, str], ...]  # (dataset, value, source)
    kind = "reaches_reference"
    evidence_plots = ("accuracy_and_fit_time",)

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        figures = {dataset: (value, source) for dataset, value, source in self.references}
        dataset = base_dataset(results.dataset)
        rows = results_of(results, self.label)
        if dataset not in figures:
            # The measurement is still shown, with nothing to hold it against.
            mean = mean_std(row["accuracy"] for row in rows)[0]
            return Verdict(SETUP_SHORT, f"no published figure for {dataset} (there is one for "
                                        f"{', '.join(figures)})",
                           numbers=Numbers("accuracy", results.display_name(self.label),
                                           "no published figure", mean, runs_a=len(rows),
                                           n_train_a=rows[0]["n_train"],
                                           n_test=rows[0]["n_test"]))
        value, source = figures[dataset]
        labels = results.test_labels(rows[0])
        low, high = paired.accuracy_interval([results.artifacts(row)["predictions"] for row in rows],
                                             labels)
        mean = mean_std(row["accuracy"] for row in rows)[0]
        verdict = verdict_of_interval(low - value, high - value, ACCURACY_MARGIN, MATCHES_OR_BEATS)
        evidence = (f"{results.display_name(self.label)} accuracy {mean:.4f} (95 % interval "
                    f"{low:.4f}..{high:.4f}) against {value:.3f} ({source}): gap "
                    f"{points(mean - value)} points, margin {100 * ACCURACY_MARGIN:.2f}")
        if rows[0]["n_test"] < MIN_TEST_IMAGES:
            evidence += f"; only {rows[0]['n_test']:,} test images: an illustration"
            verdict = UNDERPOWERED
        test = ("bootstrap interval of the mean accuracy over seeds and test images, 95 %, "
                "against the figure minus the margin")
        numbers = Numbers("accuracy", results.display_name(self.label), source, mean, value,
                          mean - value, low - value, high - value, ACCURACY_MARGIN, len(rows),
                          None, rows[0]["n_train"], None, rows[0]["n_test"])
        return Verdict(verdict, evidence, test, numbers=numbers)


@dataclass(frozen=True)
class ErrorReduction(Claim):
    """``better`` removes about ``quoted`` of ``worse``'s test error (within ``tolerance``).

    The reduction's 95 % interval comes from the paired bootstrap of both means (seeds and the
    same test images): holds when it lies inside quoted ± tolerance, fails when it lies wholly
    outside, underpowered otherwise.
    """

    better: str
    worse: str
    quoted: float
    tolerance: float = ERROR_REDUCTION_TOLERANCE
    kind = "error_reduction"
    evidence_plots = ("error_reduction",)

    def run_labels(self) -> tuple[str, ...]:
        return (self.better, self.worse)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.run_labels())
        means = {label: mean_std(row["accuracy"] for row in found)[0] for label, found in rows.items()}
        reduction = relative_error_reduction(means[self.better], means[self.worse])
        labels = results.test_labels(rows[self.better][0])
        sides = [np.stack([results.artifacts(row)["predictions"] for row in rows[label]])
                 for label in self.run_labels()]
        drawn = paired.bootstrap_means(sides, labels, "accuracy", int(labels.max()) + 1)
        with np.errstate(divide="ignore", invalid="ignore"):
            low, high = paired.interval(1 - (1 - drawn[:, 0]) / (1 - drawn[:, 1]))
        band = (self.quoted - self.tolerance, self.quoted + self.tolerance)
        evidence = (f"{self.better} error {1 - means[self.better]:.4f} vs {self.worse} error "
                    f"{1 - means[self.worse]:.4f}: {100 * reduction:.0f} % fewer errors (95 % "
                    f"interval {100 * low:.0f}..{100 * high:.0f} %); quoted "
                    f"{100 * self.quoted:.0f} % ± {100 * self.tolerance:.0f}")
        if band[0] <= low and high <= band[1]:
            verdict = HOLDS
        elif high < band[0] or low > band[1]:
            verdict = FAILS
        else:
            verdict = UNDERPOWERED
            evidence += "; the interval straddles the edge of the band"
        numbers = Numbers("relative error reduction", f"{self.better} against {self.worse}",
                          "quoted", reduction, self.quoted, reduction - self.quoted,
                          low - self.quoted, high - self.quoted, self.tolerance,
                          len(rows[self.better]), len(rows[self.worse]),
                          rows[self.better][0]["n_train"], rows[self.worse][0]["n_train"],
                          rows[self.better][0]["n_test"],
                          "the measured reduction against the quoted one")
        return Verdict(verdict, evidence,
                       f"relative error reduction of the means over seeds, 95 % interval "
                       f"({paired.BOOTSTRAP}) within {100 * self.tolerance:.0f} points of the "
                       f"quoted figure", numbers=numbers)


@dataclass(frozen=True)
class TrainsWithin(Claim):
    """``label`` trains at full size on this machine's CPU within ``seconds``, with room to spare.

    Judged in log10 seconds: the gap is the bound's log minus the mean log fit time over the
    runs, with its 95 % t-interval over the runs. Holds when the interval lies above the time
    margin (the bound holds even on a machine three times slower), fails when it lies below it,
    underpowered otherwise (one run gives no interval).
    """

    label: str
    seconds: float
    kind = "trains_within"
    evidence_plots = ("accuracy_and_fit_time", "hardware_flops")
    judges_time = True

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of(results, self.label)
        logs = np.log10([row["fit_seconds"] for row in rows])
        error = float(np.std(logs, ddof=1) / np.sqrt(len(logs))) if len(logs) > 1 else 0.0
        fit_log, fit_low, fit_high = paired.t_interval(float(logs.mean()), error, len(logs) - 1)
        bound_log = float(np.log10(self.seconds))
        gap, low, high = bound_log - fit_log, bound_log - fit_high, bound_log - fit_low
        verdict = (UNDERPOWERED if np.isnan(low)
                   else verdict_of_interval(low, high, TIME_BOUND_MARGIN, EXCEEDS))
        devices = sorted({row.get("device") or "CPU" for row in rows})
        name = results.display_name(self.label)
        evidence = (f"{name} trained on {rows[0]['n_train']:,} images in "
                    f"{10 ** fit_log:.0f} s (geometric mean; at most "
                    f"{max(row['fit_seconds'] for row in rows):.0f} s; {len(rows)} runs, on "
                    f"{', '.join(devices)}); bound {self.seconds:.0f} s, "
                    f"{10 ** gap:.1f} times the fit time (95 % interval {10 ** low:.1f}.."
                    f"{10 ** high:.1f}), against the factor of {10 ** TIME_BOUND_MARGIN:.0f} "
                    f"to spare")
        numbers = Numbers("log10 seconds", "bound", f"{name} fit time", bound_log, fit_log, gap,
                          low, high, TIME_BOUND_MARGIN, runs_b=len(rows),
                          n_train_b=rows[0]["n_train"],
                          deciding="the bound over the mean fit time, in log10")
        return Verdict(verdict, evidence, "log10 of the bound over the fit time, 95 % t-interval "
                       "over the runs, against the time margin (a factor of 3)", numbers=numbers)


@dataclass(frozen=True)
class GpuSpeedup(Claim):
    """A GPU's measured matmul peak is at least ``factor`` times this machine's CPU's.

    Needs a GPU: on a machine without one the verdict is "limited by this machine".
    """

    factor: float
    kind = "gpu_speedup"
    evidence_plots = ("hardware_flops",)

    def run_labels(self) -> tuple[str, ...]:
        return ()

    def decide(self, results: ExperimentResults) -> Verdict:
        hardware = read_json(results.folder / HARDWARE_FILE)
        peaks = {device: peak["gflops"] for device, peak in hardware["matmul"].items()}
        cpu = peaks["CPU:0"]
        gpus = {device: gflops for device, gflops in peaks.items() if device.startswith("GPU")}
        test = "measured float32 matmul peaks, GPU against CPU, against the quoted factor"
        if not gpus:
            return Verdict(LIMITED_BY_MACHINE, f"this machine has no GPU; its CPU peaks at "
                           f"{cpu:.0f} GFLOP/s. A GPU run (detected at run time, no change of "
                           f"command) would measure the GPU's peak against the CPU's, to test "
                           f"a factor of {self.factor:.0f}", test)
        device, gflops = max(gpus.items(), key=lambda item: item[1])
        ratio = gflops / cpu
        evidence = (f"{device} {gflops:.0f} GFLOP/s against the CPU's {cpu:.0f}: {ratio:.0f}x "
                    f"(quoted factor {self.factor:.0f})")
        numbers = Numbers("matmul peak ratio", device, "CPU:0", ratio, self.factor)
        return Verdict(HOLDS if ratio >= self.factor else FAILS, evidence, test, numbers=numbers)
