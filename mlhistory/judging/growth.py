"""Claims about how a model changes as its training set grows, each read off the exponent of a
power law fitted in log-log space over the training sizes the runs share:

- ``GrowsWithData``: what one model keeps (its fitted size) grows with the data while another's
  stays fixed (the SVM's support vectors against a net's weights, experiment 03);
- ``FallsFaster``: one model's test error falls faster per doubling of the data than others'
  (the convnet's learning curve against the shallow models', experiment 08).
"""

import math
from dataclasses import dataclass, replace

import numpy as np

from ..results import ExperimentResults
from ..results.curves import size_curve
from . import paired
from .base import Claim, results_of_each
from .comparisons import all_of, combined
from .margins import (
    BEATS,
    EQUALS,
    EXCEEDS,
    LEARNING_EXPONENT_MARGIN,
    MIN_TEST_IMAGES,
    MODEL_SIZE_EXPONENT_MARGIN,
    verdict_of_interval,
)
from .trends import slope_interval
from .verdicts import SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

MIN_SIZES = 3  # a slope with an interval needs a residual


def _every_size(results: ExperimentResults, label: str) -> list[dict]:
    return results.rows_of(label, all_sizes=True, with_excluded=True)


@dataclass(frozen=True)
class GrowsWithData(Claim):
    """What ``grows`` keeps after fitting grows with the training size, while what ``fixed``
    keeps does not: ``model_bytes`` of each run (an SVM's pickle, which holds its support
    vectors; a net's float32 weights).

    Each exponent b of bytes ~ n_train^b is the least-squares slope in log-log space over every
    training size of the run (means over seeds), with its 95 % t-interval from the residuals.
    Holds when the interval of ``grows`` lies above +margin (``EXCEEDS``) and that of ``fixed``
    within ±margin (``EQUALS``); fails when either lies wholly on the wrong side; underpowered
    otherwise (``all_of``).
    """

    grows: str
    fixed: str
    kind = "grows_with_data"
    evidence_plots = ("scaling",)
    quantity = "model_bytes"

    def run_labels(self) -> tuple[str, ...]:
        return (self.grows, self.fixed)

    def judged_rows(self, results: ExperimentResults, label: str) -> list[dict]:
        return _every_size(results, label)

    def decide(self, results: ExperimentResults) -> Verdict:
        results_of_each(results, self.run_labels())  # every run has results, or NoResults
        margin = MODEL_SIZE_EXPONENT_MARGIN
        test = (f"least-squares slope of log model size against log n_train, 95 % t-interval "
                f"from the residuals: the growing model's above +{margin}, the fixed one's "
                f"within ±{margin}")
        fitted, parts = {}, []
        for label, relation in ((self.grows, EXCEEDS), (self.fixed, EQUALS)):
            sizes, sizes_bytes, _ = size_curve(results, label, self.quantity)
            if len(sizes) < MIN_SIZES:
                return Verdict(SETUP_SHORT, f"fewer than {MIN_SIZES} training sizes for "
                                            f"{results.display_name(label)}", test)
            # Rounded and added to 0.0 so that a flat size reads "+0.000", not "-0.000".
            exponent, low, high = (round(value, 6) + 0.0
                                   for value in slope_interval(sizes, sizes_bytes))
            verdict = verdict_of_interval(low, high, margin, relation)
            fitted[label] = (exponent, low, high, sizes)
            wanted = f"above +{margin}" if relation == EXCEEDS else f"within ±{margin}"
            parts.append(Verdict(verdict, f"[{verdict}] {results.display_name(label)}: "
                                          f"{sizes_bytes[0] / 1e6:.1f} MB at n_train "
                                          f"{sizes[0]:,}, {sizes_bytes[-1] / 1e6:.1f} MB at "
                                          f"{sizes[-1]:,}; exponent {exponent:+.3f} (95 % "
                                          f"interval {low:+.3f}..{high:+.3f}; {wanted})"))
        grows, grows_low, grows_high, grows_sizes = fitted[self.grows]
        fixed, fixed_low, fixed_high, fixed_sizes = fitted[self.fixed]
        # The gap's interval from the two fits' half-widths, which are independent.
        half = math.hypot((grows_high - grows_low) / 2, (fixed_high - fixed_low) / 2)
        numbers = Numbers("model-size exponent", results.display_name(self.grows),
                          results.display_name(self.fixed), grows, fixed, grows - fixed,
                          grows - fixed - half, grows - fixed + half, margin,
                          len(_every_size(results, self.grows)),
                          len(_every_size(results, self.fixed)), grows_sizes[-1],
                          fixed_sizes[-1], None,
                          f"each exponent against the margin over {len(grows_sizes)} and "
                          f"{len(fixed_sizes)} training sizes; runs counted over every size")
        return Verdict(all_of(part.verdict for part in parts),
                       "; ".join(part.evidence for part in parts), test, numbers=numbers)


def error_exponents(accuracies: np.ndarray, sizes) -> np.ndarray:
    """The exponent a of error ~ n_train^-a for each row of ``accuracies`` (one column per
    size): minus the least-squares slope of log error against log n_train."""
    x = np.log(np.asarray(sizes, dtype=float))
    x = x - x.mean()
    y = np.log(1 - np.asarray(accuracies, dtype=float))
    return -(y - y.mean(axis=-1, keepdims=True)) @ x / (x @ x)


def per_doubling(exponent: float) -> str:
    """What an error exponent means for one doubling of the data: "x0.71 per doubling"."""
    return f"x{2 ** -exponent:.2f} per doubling"


@dataclass(frozen=True)
class FallsFaster(Claim):
    """``fast``'s test error falls faster as the data grow than each of ``slow``'s.

    The exponent a of error ~ n_train^-a (a doubling of the data multiplies the error by 2^-a)
    is fitted by least squares in log-log space over the training sizes every run has. Each gap
    (``fast``'s exponent minus a slow one's) is drawn by the paired bootstrap of the mean: in
    every draw each size's seeds with replacement, and the test images, the same for every run
    and size. Holds when every gap's 95 % interval lies above 0 (``all_of``); fails when one
    lies below 0; ties when one lies within ± the margin.
    """

    fast: str
    slow: tuple[str, ...]
    kind = "falls_faster"
    evidence_plots = ("error_curves", "learning_curves")

    def run_labels(self) -> tuple[str, ...]:
        return (self.fast, *self.slow)

    def judged_rows(self, results: ExperimentResults, label: str) -> list[dict]:
        return _every_size(results, label)

    def decide(self, results: ExperimentResults) -> Verdict:
        results_of_each(results, self.run_labels())  # every run has results, or NoResults
        every = {label: results.rows_of(label, all_sizes=True) for label in self.run_labels()}
        sizes = sorted(set.intersection(*({row["n_train"] for row in rows}
                                          for rows in every.values())))
        test = (f"exponent of test error against n_train (least squares in log-log space over "
                f"the shared sizes), gap by the {paired.BOOTSTRAP} at every size, against the "
                f"margin")
        if len(sizes) < MIN_SIZES:
            return Verdict(SETUP_SHORT, f"fewer than {MIN_SIZES} training sizes shared by "
                                        f"{', '.join(self.run_labels())}", test)
        first = every[self.fast][0]
        labels = results.test_labels(first)
        n_classes = len(results.dataset_of(self.fast).class_names)

        def sides(label: str) -> list[np.ndarray]:
            return [np.stack([results.artifacts(row)["predictions"] for row in every[label]
                              if row["n_train"] == size]) for size in sizes]

        def means(label: str) -> np.ndarray:
            return np.array([np.mean([row["accuracy"] for row in every[label]
                                      if row["n_train"] == size]) for size in sizes])

        fast_sides, fast_exponent = sides(self.fast), float(error_exponents(means(self.fast), sizes))
        comparisons = []
        for slow in self.slow:
            draws = paired.bootstrap_means([*fast_sides, *sides(slow)], labels, "accuracy",
                                           n_classes)
            gaps = (error_exponents(draws[:, :len(sizes)], sizes)
                    - error_exponents(draws[:, len(sizes):], sizes))
            slow_exponent = float(error_exponents(means(slow), sizes))
            gap = fast_exponent - slow_exponent
            low, high = paired.interval(gaps)
            verdict = verdict_of_interval(low, high, LEARNING_EXPONENT_MARGIN, BEATS)
            evidence = (f"[{verdict}] error exponent of {results.display_name(self.fast)} "
                        f"{fast_exponent:.3f} ({per_doubling(fast_exponent)}) vs "
                        f"{results.display_name(slow)} {slow_exponent:.3f} "
                        f"({per_doubling(slow_exponent)}): gap {gap:+.3f}, 95 % interval "
                        f"{low:+.3f}..{high:+.3f}, margin {LEARNING_EXPONENT_MARGIN}")
            if verdict == UNDERPOWERED:
                evidence += "; more seeds at each size would narrow it"
            numbers = Numbers("error exponent", results.display_name(self.fast),
                              results.display_name(slow), fast_exponent, slow_exponent, gap,
                              low, high, LEARNING_EXPONENT_MARGIN, len(every[self.fast]),
                              len(every[slow]), sizes[-1], sizes[-1], first["n_test"],
                              f"over n_train {sizes[0]:,}..{sizes[-1]:,}; runs counted over "
                              f"every size")
            comparisons.append(Verdict(verdict, evidence, test, paired.two_sided_p(gaps),
                                       numbers))
        prefix = f"over n_train {sizes[0]:,}..{sizes[-1]:,}: "
        if first["n_test"] < MIN_TEST_IMAGES:
            comparisons = [replace(comparison, verdict=UNDERPOWERED) for comparison in comparisons]
            prefix += (f"only {first['n_test']:,} test images (fewer than {MIN_TEST_IMAGES:,}): "
                       f"an illustration, not a verdict; ")
        summary = combined(all_of(comparison.verdict for comparison in comparisons), comparisons,
                           prefix)
        return replace(summary, test=test)
