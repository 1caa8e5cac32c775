"""Claims that hold a measurement against a figure from outside the experiment: a published
accuracy (``ReachesReference``), an error reduction the book quotes (``ErrorReduction``), a
time bound (``TrainsWithin``), a quoted GPU speedup (``GpuSpeedup``).
"""

from dataclasses import dataclass

from ..results import HARDWARE_FILE, ExperimentResults, mean_std, read_json
from ..results.curves import relative_error_reduction
from ..results.schema import base_dataset
from . import paired
from .base import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    LIMITED_BY_MACHINE,
    Claim,
    Verdict,
    results_of,
    results_of_each,
)


@dataclass(frozen=True)
class ReachesReference(Claim):
    """``label``'s accuracy reaches a published figure for this dataset (e.g. human accuracy).

    ``references`` maps a dataset to (value, source). Holds when the 95 % bootstrap interval of
    the accuracy (test images and seeds) lies above the figure, fails when below; a dataset
    without a published figure is inconclusive, and says so.
    """

    label: str
    references: tuple[tuple[str, float, str], ...]  # (dataset, value, source)
    kind = "reaches_reference"

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        figures = {dataset: (value, source) for dataset, value, source in self.references}
        dataset = base_dataset(results.dataset)
        if dataset not in figures:
            return Verdict(INCONCLUSIVE, f"no published figure for {dataset} (there is one for "
                                         f"{', '.join(figures)})")
        rows = results_of(results, self.label)
        value, source = figures[dataset]
        labels = results.test_labels(rows[0])
        low, high = paired.accuracy_interval([results.artifacts(row)["predictions"] for row in rows],
                                             labels)
        mean = mean_std(row["accuracy"] for row in rows)[0]
        evidence = (f"{results.display_name(self.label)} accuracy {mean:.4f} (95 % interval "
                    f"{low:.4f}..{high:.4f}) against {value:.3f} ({source})")
        test = "bootstrap interval of the accuracy over test images and seeds, 95 %"
        verdict = HOLDS if low > value else FAILS if high < value else INCONCLUSIVE
        return Verdict(verdict, evidence, test)


@dataclass(frozen=True)
class ErrorReduction(Claim):
    """``better`` removes about ``quoted`` of ``worse``'s test error (within ``tolerance``)."""

    better: str
    worse: str
    quoted: float
    tolerance: float = 0.1
    kind = "error_reduction"

    def run_labels(self) -> tuple[str, ...]:
        return (self.better, self.worse)

    def decide(self, results: ExperimentResults) -> Verdict:
        means = {label: mean_std(row["accuracy"] for row in rows)[0]
                 for label, rows in results_of_each(results, self.run_labels()).items()}
        reduction = relative_error_reduction(means[self.better], means[self.worse])
        evidence = (f"{self.better} error {1 - means[self.better]:.4f} vs {self.worse} error "
                    f"{1 - means[self.worse]:.4f}: {100 * reduction:.0f} % fewer errors; quoted "
                    f"{100 * self.quoted:.0f} % ± {100 * self.tolerance:.0f}")
        return Verdict(HOLDS if abs(reduction - self.quoted) <= self.tolerance else FAILS, evidence,
                       f"relative error reduction of the means over seeds, within "
                       f"{100 * self.tolerance:.0f} points of the quoted figure")


@dataclass(frozen=True)
class TrainsWithin(Claim):
    """``label`` trains at full size on this machine's CPU within ``seconds``."""

    label: str
    seconds: float
    kind = "trains_within"

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of(results, self.label)
        slowest = max(row["fit_seconds"] for row in rows)
        devices = sorted({row.get("device") or "CPU" for row in rows})
        evidence = (f"{results.display_name(self.label)} trained on {rows[0]['n_train']:,} images "
                    f"in at most {slowest:.0f} s ({len(rows)} runs, on {', '.join(devices)}); "
                    f"bound {self.seconds:.0f} s")
        return Verdict(HOLDS if slowest <= self.seconds else FAILS, evidence,
                       "the slowest run's fit time against the bound")


@dataclass(frozen=True)
class GpuSpeedup(Claim):
    """A GPU's measured matmul peak is at least ``factor`` times this machine's CPU's.

    Needs a GPU: on a machine without one the verdict is "limited by this machine".
    """

    factor: float
    kind = "gpu_speedup"

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
        return Verdict(HOLDS if ratio >= self.factor else FAILS, evidence, test)
