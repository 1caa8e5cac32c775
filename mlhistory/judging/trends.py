"""Claims about how a measurement moves along a series of steps: test accuracy along epochs
(``ReachesSooner``), fit time along training sizes (``FitTimeExponents``), accuracy along depth
(``DiminishingReturns``, ``FailsToTrain``), a per-layer curve along the layers
(``RisesAlong``). Each says its own test in the ``test`` column.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults, mean_std
from ..results.curves import epoch_curve, first_epoch_reaching, fit_time_exponent
from . import paired
from .base import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    Claim,
    NoResults,
    Verdict,
    results_of,
    results_of_each,
    rows_at,
)
from .comparisons import compare

# The noise floor of a difference in accuracy: a tenth of a point.
MIN_MARGIN = 0.001
REACHES_TEST = (f"first epoch of the mean test curve over seeds within {100 * MIN_MARGIN:.1f} points "
                "of the slower net's final accuracy")


@dataclass(frozen=True)
class ReachesSooner(Claim):
    """``fast`` reaches ``slow``'s final test accuracy in fewer epochs than ``slow`` needs.

    ``slow`` is credited with the first epoch at which its mean curve comes within the noise
    floor of its own final value, so a net that plateaued early is not penalised.
    """

    fast: str
    slow: str
    kind = "reaches_sooner"

    def run_labels(self) -> tuple[str, ...]:
        return (self.fast, self.slow)

    def decide(self, results: ExperimentResults) -> Verdict:
        results_of_each(results, self.run_labels())  # every run has results, or NoResults
        fast_curve, _ = epoch_curve(results, self.fast)
        slow_curve, _ = epoch_curve(results, self.slow)
        target = float(slow_curve[-1])
        slow_epochs = first_epoch_reaching(slow_curve, target - MIN_MARGIN)
        fast_epochs = first_epoch_reaching(fast_curve, target - MIN_MARGIN)
        evidence = (f"{self.slow} ends at {target:.4f} after {len(slow_curve)} epochs and is within "
                    f"{100 * MIN_MARGIN:.1f} points of it from epoch {slow_epochs}; {self.fast} ")
        if fast_epochs is None:
            return Verdict(FAILS, evidence + f"never reaches it in {len(fast_curve)} epochs "
                                             f"(best {fast_curve.max():.4f})", REACHES_TEST)
        evidence += f"reaches it at epoch {fast_epochs} of {len(fast_curve)}"
        if fast_epochs < slow_epochs:
            return Verdict(HOLDS, evidence, REACHES_TEST)
        return Verdict(FAILS if fast_epochs > slow_epochs else INCONCLUSIVE, evidence, REACHES_TEST)


@dataclass(frozen=True)
class FitTimeExponents(Claim):
    """``steep``'s fit time grows faster than size^threshold while ``linear``'s stays near size^1."""

    steep: str
    linear: str
    min_size: int
    threshold: float = 1.5
    linear_band: tuple[float, float] = (0.7, 1.3)
    kind = "fit_time_exponents"

    def run_labels(self) -> tuple[str, ...]:
        return (self.steep, self.linear)

    def decide(self, results: ExperimentResults) -> Verdict:
        results_of_each(results, self.run_labels())  # every run has results, or NoResults
        steep, steep_sizes = fit_time_exponent(results, self.steep, self.min_size)
        linear, linear_sizes = fit_time_exponent(results, self.linear, self.min_size)
        if math.isnan(steep) or math.isnan(linear):
            return Verdict(INCONCLUSIVE, f"fewer than two training sizes >= {self.min_size:,}",
                           "least-squares slope of log fit time against log n_train")
        low, high = self.linear_band
        evidence = (f"fit-time exponent of {self.steep} {steep:.2f} over n_train "
                    f"{steep_sizes[0]:,}..{steep_sizes[-1]:,} (threshold {self.threshold}); "
                    f"{self.linear} {linear:.2f} over {linear_sizes[0]:,}..{linear_sizes[-1]:,} "
                    f"(near 1 means {low}..{high})")
        holds = steep > self.threshold and low <= linear <= high
        return Verdict(HOLDS if holds else FAILS, evidence,
                       "least-squares slope of log fit time against log n_train, against the "
                       "thresholds")


@dataclass(frozen=True)
class DiminishingReturns(Claim):
    """Along ``labels`` (e.g. depth 1, 2, 3, 4), the last step gains less than the first."""

    labels: tuple[str, ...]
    kind = "diminishing_returns"

    def run_labels(self) -> tuple[str, ...]:
        return self.labels

    def decide(self, results: ExperimentResults) -> Verdict:
        scores = {label: [row["accuracy"] for row in rows_at(results, label)] for label in self.labels}
        missing = [label for label, values in scores.items() if not values]
        if missing:
            raise NoResults(*missing)
        if len(self.labels) < 3:
            return Verdict(INCONCLUSIVE, "fewer than three steps")
        means = [mean_std(scores[label])[0] for label in self.labels]
        gains = [later - earlier for earlier, later in zip(means, means[1:], strict=False)]
        # The two gains share no more than one label; their difference's noise is bounded by
        # the standard errors of the four means involved.
        involved = {*self.labels[:2], *self.labels[-2:]}
        variance = sum(mean_std(scores[label])[1] ** 2 / len(scores[label]) for label in involved)
        margin = max(2 * math.sqrt(variance), MIN_MARGIN)
        shrink = gains[0] - gains[-1]
        evidence = ("gains in accuracy from one step to the next: "
                    + ", ".join(f"{100 * gain:+.2f}" for gain in gains)
                    + f" points; first minus last {100 * shrink:+.2f}, noise margin {100 * margin:.2f}")
        test = "first gain minus last gain in mean accuracy, against two standard errors over seeds"
        if shrink > margin:
            return Verdict(HOLDS, evidence, test)
        return Verdict(FAILS if shrink < -margin else INCONCLUSIVE, evidence, test)


@dataclass(frozen=True)
class RisesAlong(Claim):
    """A per-step curve saved with each run (``artifact``) rises along its steps, as a trend.

    The trend is Spearman's rank correlation between the step's position and the curve's mean
    over seeds, taken at ``steps`` (names from ``names_artifact``; all steps when empty), with
    an exact one-sided permutation p-value. Holds when it rises significantly; fails when it
    falls significantly; inconclusive otherwise. A dip at one step does not decide it.
    """

    label: str
    artifact: str
    names_artifact: str = ""  # an artifact naming the steps
    steps: tuple[str, ...] = ()  # the steps the trend is taken over (e.g. block outputs)
    kind = "rises_along"

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of(results, self.label)
        saved = [results.artifacts(row) for row in rows]
        mean = np.stack([artifacts[self.artifact] for artifacts in saved]).astype(float).mean(axis=0)
        names = ([str(name) for name in saved[0][self.names_artifact]] if self.names_artifact
                 else [str(step) for step in range(len(mean))])
        chosen = [names.index(step) for step in self.steps] if self.steps else range(len(mean))
        values = mean[list(chosen)]
        rho, p_rise, p_fall = rank_trend(values)
        evidence = (f"{self.artifact} of {results.display_name(self.label)} at "
                    + ", ".join(f"{names[index]} {mean[index]:.4f}" for index in chosen)
                    + f" ({len(rows)} seed{'s' if len(rows) != 1 else ''}); Spearman's rho "
                      f"{rho:+.2f}")
        test = f"Spearman's rank correlation with depth, exact permutation test, p < {paired.ALPHA}"
        if p_rise < paired.ALPHA:
            return Verdict(HOLDS, evidence, test, p_rise)
        if p_fall < paired.ALPHA:
            return Verdict(FAILS, evidence, test, p_fall)
        return Verdict(INCONCLUSIVE, evidence, test, p_rise)


def rank_trend(values: np.ndarray) -> tuple[float, float, float]:
    """Spearman's rho of ``values`` against their order, and the exact one-sided p-values of a
    rise and of a fall (every ordering of up to 8 steps enumerated)."""
    from itertools import permutations

    from scipy.stats import rankdata

    ranks = rankdata(values)
    positions = np.arange(1, len(values) + 1)

    def rho(order) -> float:
        return float(np.corrcoef(positions, order)[0, 1])

    observed = rho(ranks)
    every = np.array([rho(np.asarray(order)) for order in permutations(ranks)])
    return observed, float(np.mean(every >= observed - 1e-12)), float(np.mean(every <= observed + 1e-12))


@dataclass(frozen=True)
class FailsToTrain(Claim):
    """Each of ``labels`` ends near chance, or far below ``reference`` (a shallower net)."""

    labels: tuple[str, ...]
    reference: str
    chance: float | None = None  # None: one over the number of classes
    near: float = 0.1  # within this of chance counts as "near chance"
    far: float = 0.1  # this far below the reference counts as "far below"
    kind = "fails_to_train"

    def run_labels(self) -> tuple[str, ...]:
        return (*self.labels, self.reference)

    def decide(self, results: ExperimentResults) -> Verdict:
        reference_rows = results_of(results, self.reference)
        reference_mean = mean_std(row["accuracy"] for row in reference_rows)[0]
        chance = self.chance or 1 / len(results.dataset_record.class_names)
        states, details = set(), []
        for label in self.labels:
            rows = results_of(results, label)
            mean = mean_std(row["accuracy"] for row in rows)[0]
            if mean <= chance + self.near or mean <= reference_mean - self.far:
                states.add("failed")
            elif compare(results, label, rows, self.reference, reference_rows,
                         "accuracy").verdict != FAILS:
                states.add("trained")
            else:
                states.add("partly")
            details.append(f"{label} {mean:.4f}")
        evidence = (f"{', '.join(details)}; chance {chance:.2f}, {self.reference} "
                    f"{reference_mean:.4f} (failing = within {100 * self.near:.0f} points of chance "
                    f"or {100 * self.far:.0f} points below the reference)")
        test = (f"thresholds on the mean over seeds; 'trained' = not significantly below the "
                f"reference ({paired.BOOTSTRAP})")
        if states == {"failed"}:
            return Verdict(HOLDS, evidence, test)
        return Verdict(FAILS if "trained" in states else INCONCLUSIVE, evidence, test)
