"""Claims about how a measurement moves along a series of steps: test accuracy along epochs
(``ReachesSooner``), fit time along training sizes (``FitTimeExponents``), accuracy along depth
(``DiminishingReturns``, ``FailsToTrain``). Each says its own test in the ``test`` column, and
decides by an interval where there is one to draw (``margins.verdict_of_interval``).
"""

import math
from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from ..results.curves import TimedFitPoints, first_epoch_reaching, timed_fit_points
from . import paired
from .base import Claim, results_of_each
from .margins import (
    ACCURACY_MARGIN,
    BEATS,
    FIT_TIME_EXPONENT_MARGIN,
    MIN_TEST_IMAGES,
    REACH_TOLERANCE,
    points,
    verdict_of_interval,
)
from .verdicts import SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

REACHES_TEST = (f"first epoch of the mean test curve over seeds within "
                f"{100 * REACH_TOLERANCE:.1f} points of the slower net's final accuracy; 95 % "
                f"interval of the epochs saved by a bootstrap over each net's seeds "
                f"({paired.BOOTSTRAP_DRAWS:,} draws; the per-epoch curves are of the whole test "
                f"set, so its images are not resampled)")


def _seed_curves(results: ExperimentResults, label: str) -> np.ndarray:
    """A label's per-epoch test curves, one row per seed, over the epochs all of them reached."""
    saved = [results.artifacts(row)["test_accuracy_per_epoch"] for row in results.rows_of(label)]
    reached = min(len(curve) for curve in saved)
    return np.stack([np.asarray(curve[:reached], dtype=float) for curve in saved])


NEVER = 1_000_000  # the epoch of a curve that never reaches the target: later than any


def _epochs_to_reach(curves: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Per row of ``curves`` (draws, epochs): the 1-based first epoch at or above the row's
    target, or ``NEVER``."""
    reached = curves >= targets[:, np.newaxis]
    return np.where(reached.any(axis=1), reached.argmax(axis=1) + 1, NEVER)


@dataclass(frozen=True)
class ReachesSooner(Claim):
    """``fast`` reaches ``slow``'s final test accuracy in fewer epochs than ``slow`` needs.

    ``slow`` is credited with the first epoch at which its mean curve comes within the
    tolerance of its own final value, so a net that plateaued early is not penalised. The
    epochs saved (slow's minus fast's) get a 95 % interval from a bootstrap over each net's
    seeds: holds when it lies above 0, fails when below, ties when it is exactly 0 (the same
    epoch in every draw), underpowered otherwise.
    """

    fast: str
    slow: str
    kind = "reaches_sooner"
    evidence_plots = ("epoch_curves",)

    def run_labels(self) -> tuple[str, ...]:
        return (self.fast, self.slow)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.run_labels())  # every run has results, or NoResults
        fast, slow = _seed_curves(results, self.fast), _seed_curves(results, self.slow)
        target = float(slow.mean(axis=0)[-1])
        slow_epochs = first_epoch_reaching(slow.mean(axis=0), target - REACH_TOLERANCE)
        fast_epochs = first_epoch_reaching(fast.mean(axis=0), target - REACH_TOLERANCE)
        rng = np.random.default_rng(paired.BOOTSTRAP_SEED)
        drawn = {}
        for name, curves in (("fast", fast), ("slow", slow)):
            weights = rng.multinomial(len(curves), np.full(len(curves), 1 / len(curves)),
                                      size=paired.BOOTSTRAP_DRAWS) / len(curves)
            drawn[name] = weights @ curves
        targets = drawn["slow"][:, -1] - REACH_TOLERANCE
        saved = _epochs_to_reach(drawn["slow"], targets) - _epochs_to_reach(drawn["fast"], targets)
        low, high = (float(bound) for bound in np.quantile(saved, [0.025, 0.975]))
        evidence = (f"{self.slow} ends at {target:.4f} after {slow.shape[1]} epochs and is within "
                    f"{100 * REACH_TOLERANCE:.1f} points of it from epoch {slow_epochs}; "
                    f"{self.fast} ")
        evidence += (f"never reaches it in {fast.shape[1]} epochs (best "
                     f"{fast.mean(axis=0).max():.4f})" if fast_epochs is None
                     else f"reaches it at epoch {fast_epochs} of {fast.shape[1]}")
        saved_now = slow_epochs - (NEVER if fast_epochs is None else fast_epochs)

        def epochs(value: float) -> str:
            return "never reached" if value <= -NEVER / 2 else f"{value:+.0f}"

        evidence += (f"; epochs saved {epochs(saved_now)}, 95 % interval {epochs(low)}.."
                     f"{epochs(high)}")
        verdict = verdict_of_interval(low, high, 0.0, BEATS)
        numbers = Numbers("epochs to reach", results.display_name(self.fast),
                          results.display_name(self.slow),
                          None if fast_epochs is None else float(fast_epochs), float(slow_epochs),
                          None if fast_epochs is None else float(saved_now),
                          None if fast_epochs is None else low,
                          None if fast_epochs is None else high, 0.0, len(fast), len(slow),
                          rows[self.fast][0]["n_train"], rows[self.slow][0]["n_train"],
                          rows[self.fast][0]["n_test"], "gap = epochs the slow net needs minus "
                                                        "the fast one's")
        return Verdict(verdict, evidence, REACHES_TEST, numbers=numbers)


def slope_fit(sizes, values) -> tuple[float, float, int]:
    """The exponent b of values ~ a * size^b (least squares in log-log space), its standard
    error from the residuals and their degrees of freedom (NaN and 0 from two points)."""
    x, y = np.log(np.asarray(sizes, dtype=float)), np.log(np.asarray(values, dtype=float))
    slope, intercept = np.polyfit(x, y, 1)
    freedom = len(x) - 2
    if freedom < 1:
        return float(slope), float("nan"), 0
    residuals = y - (slope * x + intercept)
    error = math.sqrt(float(residuals @ residuals) / freedom / float(((x - x.mean()) ** 2).sum()))
    return float(slope), error, freedom


def slope_interval(sizes, values) -> tuple[float, float, float]:
    """The exponent b of values ~ a * size^b and its 95 % t-interval from the residuals; an
    interval of NaN from two sizes."""
    return paired.t_interval(*slope_fit(sizes, values))


def slope_gap_interval(steep: tuple[float, float, int], linear: tuple[float, float, int]
                       ) -> tuple[float, float]:
    """The 95 % interval of the difference of two independently fitted slopes (each a
    ``slope_fit``): a Welch t-interval, its degrees of freedom by Welch-Satterthwaite."""
    from scipy.stats import t

    (slope_a, error_a, freedom_a), (slope_b, error_b, freedom_b) = steep, linear
    variance = error_a ** 2 + error_b ** 2
    if variance == 0:
        return slope_a - slope_b, slope_a - slope_b
    freedom = variance ** 2 / (error_a ** 4 / freedom_a + error_b ** 4 / freedom_b)
    half = float(t.ppf(0.975, freedom)) * math.sqrt(variance)
    return slope_a - slope_b - half, slope_a - slope_b + half


TIMED_FIT_TEST = ("least-squares slope of log wall-clock fit time against log n_train for each "
                  "model, every quiet repeat of the fit timed again after the runs (the other "
                  "processes' share of the CPUs read during each) a point; the gap of the slopes "
                  "with its 95 % Welch t-interval, against the exponent margin")
FIT_TIME_TEST = ("least-squares slope of log fit time against log n_train for each model (every "
                 "run at every size a point), the gap of the slopes with its 95 % Welch "
                 "t-interval, against the exponent margin")


@dataclass(frozen=True)
class FitTimeExponents(Claim):
    """``steep``'s fit time grows faster with the training set than ``linear``'s.

    Each model's exponent is the least-squares slope of log fit time against log n_train over
    every run at the sizes from ``min_size`` (each seed a point, so repeated timings narrow
    it), with its standard error from the residuals. The gap of the two exponents gets a 95 %
    Welch t-interval and is decided against ``FIT_TIME_EXPONENT_MARGIN`` as "beats": holds when
    it lies above 0, fails below, ties within the margin, underpowered otherwise (or when a
    model has only two points, which give no interval). No threshold is set on either
    exponent: ``steep_reference`` and ``linear_reference`` are only the guide slopes the plot
    draws through each model's first judged size (a kernel SVM solver's quadratic cost, a
    fixed number of passes over the data). Runs with a negative fit time are left out
    (``judges_time``).
    """

    steep: str
    linear: str
    min_size: int
    steep_reference: float = 2.0
    linear_reference: float = 1.0
    kind = "fit_time_exponents"
    evidence_plots = ("scaling",)
    judges_time = True

    def run_labels(self) -> tuple[str, ...]:
        return (self.steep, self.linear)

    def judged_rows(self, results: ExperimentResults, label: str) -> list[dict]:
        return [row for row in results.rows_of(label, all_sizes=True, with_excluded=True)
                if row["n_train"] >= self.min_size]

    def decide(self, results: ExperimentResults) -> Verdict:
        results_of_each(results, self.run_labels())  # every run has results, or NoResults
        timed = timed_fit_points(results, self.run_labels(), self.min_size)
        fitted, described = {}, []
        for label in self.run_labels():
            if timed is None:
                used = [(row["n_train"], row["fit_seconds"])
                        for row in results.rows_of(label, all_sizes=True)
                        if row["n_train"] >= self.min_size]
            else:
                used = timed.quiet[label]
            sizes = sorted({size for size, _ in used})
            if len(sizes) < 2:
                why = (f"; {timed.busy_note}" if timed is not None and timed.busy else "")
                return Verdict(SETUP_SHORT, f"fewer than two training sizes >= {self.min_size:,} "
                                            f"for {label}{why}", self._test(timed))
            fitted[label] = slope_fit(*zip(*used, strict=True))
            slope, low, high = paired.t_interval(*fitted[label])
            points_of = "runs" if timed is None else "quiet timed fits"
            described.append(f"fit-time exponent of {label} {slope:.2f} (95 % interval "
                             f"{low:.2f}..{high:.2f}) from {len(used)} {points_of} over n_train "
                             f"{sizes[0]:,}..{sizes[-1]:,}"
                             + ("" if timed is None else
                                f"; on CPU time {slope_fit(*zip(*timed.cpu[label], strict=True))[0]:.2f}"))
        steep, linear = fitted[self.steep], fitted[self.linear]
        gap = steep[0] - linear[0]
        evidence = "; ".join(described)
        if timed is not None and timed.busy:
            evidence += f"; {timed.busy_note}"
        if not (steep[2] and linear[2]):
            low = high = None
            verdict = UNDERPOWERED
            evidence += "; two points give no interval: a third size, or repeated timings, would"
        else:
            low, high = slope_gap_interval(steep, linear)
            verdict = verdict_of_interval(low, high, FIT_TIME_EXPONENT_MARGIN, BEATS)
            evidence += (f"; gap {gap:+.2f} (95 % interval {low:+.2f}..{high:+.2f}), margin "
                         f"{FIT_TIME_EXPONENT_MARGIN}")
            if verdict == UNDERPOWERED:
                evidence += "; more timed repeats at each size would narrow the interval"
        rows = {label: self.judged_rows(results, label) for label in self.run_labels()}
        counted = ({label: len(points) for label, points in timed.quiet.items()} if timed
                   else {label: len(rows[label]) for label in self.run_labels()})
        numbers = Numbers("fit-time exponent", results.display_name(self.steep),
                          results.display_name(self.linear), steep[0], linear[0], gap, low, high,
                          FIT_TIME_EXPONENT_MARGIN, counted[self.steep], counted[self.linear],
                          max(row["n_train"] for row in rows[self.steep]),
                          max(row["n_train"] for row in rows[self.linear]), None,
                          "gap = the steep model's exponent minus the linear one's")
        return Verdict(verdict, evidence, self._test(timed), numbers=numbers)

    @staticmethod
    def _test(timed: TimedFitPoints | None) -> str:
        return FIT_TIME_TEST if timed is None else TIMED_FIT_TEST


@dataclass(frozen=True)
class DiminishingReturns(Claim):
    """Along ``labels`` (e.g. depth 1, 2, 3, 4), the last step gains less than the first.

    The shrink (first gain minus last gain in mean accuracy) is a contrast of the steps' means,
    drawn by the paired bootstrap of the mean (seeds and test images, the same images for
    every step): holds when its 95 % interval lies above 0, fails when below, ties when within
    ± the accuracy margin, underpowered otherwise.
    """

    labels: tuple[str, ...]
    kind = "diminishing_returns"
    evidence_plots = ("greedy_vs_joint",)

    def run_labels(self) -> tuple[str, ...]:
        return self.labels

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.labels)
        if len(self.labels) < 3:
            return Verdict(SETUP_SHORT, "fewer than three steps")
        steps = len(self.labels)
        # first gain minus last gain = (m1 - m0) - (m[-1] - m[-2]) as weights on the means
        weights = np.zeros(steps)
        weights[[0, 1]] += (-1, 1)
        weights[[-2, -1]] += (1, -1)
        labels = results.test_labels(rows[self.labels[0]][0])
        sides = [np.stack([results.artifacts(row)["predictions"] for row in rows[label]])
                 for label in self.labels]
        draws = paired.bootstrap_means(sides, labels, "accuracy", int(labels.max()) + 1)
        contrast = draws @ weights
        scores = [np.array([row["accuracy"] for row in rows[label]]) for label in self.labels]
        means = np.array([values.mean() for values in scores])
        gains = np.diff(means)
        shrink = float(means @ weights)
        low, high = paired.interval(contrast)
        evidence = ("gains in accuracy from one step to the next: "
                    + ", ".join(f"{100 * gain:+.2f}" for gain in gains)
                    + f" points; first minus last {points(shrink)}, 95 % interval "
                      f"{points(low)}..{points(high)}, margin {100 * ACCURACY_MARGIN:.2f}")
        verdict = verdict_of_interval(low, high, ACCURACY_MARGIN, BEATS)
        n_test = rows[self.labels[0]][0]["n_test"]
        if n_test < MIN_TEST_IMAGES:
            evidence += f"; only {n_test:,} test images: an illustration, not a verdict"
            verdict = UNDERPOWERED
        elif verdict == UNDERPOWERED:
            seeded = [(weight ** 2 * values.var(ddof=1), len(values)) if len(values) > 1
                      else (0.0, 1) for weight, values in zip(weights, scores, strict=True)
                      if weight]
            resampled = sum((runs - 1) / runs ** 2 * variance for variance, runs in seeded)
            evidence += "; " + paired.settling(shrink, ACCURACY_MARGIN, BEATS,
                                               max(0.0, float(contrast.var()) - resampled),
                                               seeded, n_test)
        test = (f"first gain minus last gain in mean accuracy, {paired.BOOTSTRAP}, against "
                f"the margin")
        numbers = Numbers("accuracy gain", f"first gain ({self.labels[0]} to {self.labels[1]})",
                          f"last gain ({self.labels[-2]} to {self.labels[-1]})",
                          float(gains[0]), float(gains[-1]), shrink, low, high, ACCURACY_MARGIN,
                          len(scores[0]), len(scores[-1]), rows[self.labels[0]][0]["n_train"],
                          rows[self.labels[-1]][0]["n_train"], n_test,
                          f"a contrast of the {steps} steps' means")
        return Verdict(verdict, evidence, test, paired.two_sided_p(contrast), numbers)
