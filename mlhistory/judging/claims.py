"""The book's claims, each with a verdict computed from saved result rows.

A claim is data (an id, the claim in our own words, the passage of the book it tests, and
what it compares), so an experiment can save its claims and ``make report`` can judge them
again from results alone. Each kind registers itself under its ``kind`` when defined, and
lists the labels of the runs it compares (``run_labels``), so an experiment checks them
against its runs when declared. The verdicts (``VERDICT_MEANINGS``):

- holds: the measurement agrees with the book beyond the test's threshold;
- fails: it contradicts the book, on the data the book talks about;
- inconclusive: the difference is within the noise, or a run is missing;
- does not carry over: a claim the book makes about one dataset (``book_dataset``, e.g.
  MNIST) is contradicted on another;
- limited by this machine: the machine cannot give the claim a fair test (no GPU).

Two models on the same test images are compared by a paired test (``paired.py``); a claim
over several comparisons reports the largest p-value. Claims about a trend or a rate say
their own test in the ``test`` column.
"""

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import UsageError
from ..results import HARDWARE_FILE, ExperimentResults, mean_std, read_json
from ..results.curves import epoch_curve, first_epoch_reaching, fit_time_exponent, relative_error_reduction
from ..results.schema import base_dataset, key_of_test_set
from . import paired

HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"
DOES_NOT_CARRY_OVER = "does not carry over"
LIMITED_BY_MACHINE = "limited by this machine"
# What each verdict means; the report explains them once, in its opening.
VERDICT_MEANINGS = {
    HOLDS: "the measurement agrees with the book, beyond the test's threshold",
    FAILS: "the book is contradicted, on the data it talks about",
    INCONCLUSIVE: "the difference is within the noise, or a run is missing",
    DOES_NOT_CARRY_OVER: "the book's claim is about other data (MNIST, say); on this dataset "
                         "the measurement goes the other way",
    LIMITED_BY_MACHINE: "this machine could not give the claim a fair test (no GPU, say); the "
                        "evidence says what would be needed",
}
# Where a claim comes from: a passage of the book, or a question of the project's own, which
# the report keeps under a heading of its own.
BOOK, PROJECT = "book", "project"
MIN_MARGIN = 0.001
# One row per claim and dataset.
CLAIMS_COLUMNS = ["experiment", "dataset", "claim_id", "source", "passage", "claim", "verdict",
                  "test", "p_value", "evidence", "budgets"]
# Every claim class by the kind it is saved under, filled as each class is defined.
CLAIM_KINDS: dict[str, type["Claim"]] = {}


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str
    test: str = ""  # the statistical test and its threshold, e.g. "McNemar, two-sided, p < 0.05"
    p_value: float | None = None


@dataclass(frozen=True)
class Claim:
    """A sentence from the book and what to compare; subclasses say how it is judged."""

    claim_id: str
    claim: str  # in our own words, with at most a key phrase of the book in quotation marks
    # The passage it tests: edition and section, e.g. "1st ed. 1.2.3; 2nd ed. 1.2.3".
    passage: str = field(default="", kw_only=True)
    source: str = field(default=BOOK, kw_only=True)  # BOOK, or PROJECT for our own questions
    # The dataset the book's passage is about ("mnist"), or None when it speaks of perceptual
    # data in general: on any other dataset a contradiction "does not carry over".
    book_dataset: str | None = field(default=None, kw_only=True)
    kind = ""  # the name it is saved under (a class attribute, not a field)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:  # an inherited kind would replace the parent's entry
            raise TypeError(f"claim class {cls.__name__} must name the kind it is saved under")
        CLAIM_KINDS[cls.kind] = cls

    def to_dict(self) -> dict:
        """The saved form of a claim: its kind and fields, tuples as lists."""
        return {"kind": self.kind, **{key: _as_lists(value) for key, value in asdict(self).items()}}

    def run_labels(self) -> tuple[str, ...]:
        """The labels of the runs the claim compares."""
        raise NotImplementedError

    def evaluate(self, results: ExperimentResults) -> Verdict:
        raise NotImplementedError


def _as_lists(value):
    return [_as_lists(item) for item in value] if isinstance(value, tuple) else value


def _flatten(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(label for pair in pairs for label in pair)


@dataclass(frozen=True)
class Beats(Claim):
    """``winner`` scores higher than every run in ``losers`` on ``metric``.

    Each run is taken at its largest training size, or at ``n_train`` when it is given.
    """

    winner: str
    losers: tuple[str, ...]
    metric: str = "accuracy"
    n_train: int | None = None
    kind = "beats"

    def run_labels(self) -> tuple[str, ...]:
        return (self.winner, *self.losers)

    @staticmethod
    def combine(verdicts: set[str]) -> str:
        if FAILS in verdicts:
            return FAILS
        return HOLDS if verdicts == {HOLDS} else INCONCLUSIVE

    def evaluate(self, results: ExperimentResults) -> Verdict:
        comparisons = _comparisons(results, self.winner, self.losers, self.metric, self.n_train)
        if isinstance(comparisons, Verdict):
            return comparisons
        return combined(self.combine({comparison.verdict for comparison in comparisons}),
                        comparisons)


@dataclass(frozen=True)
class MatchesOrBeats(Beats):
    """``winner`` is not worse than any run in ``losers`` beyond the noise margin."""

    kind = "matches_or_beats"

    @staticmethod
    def combine(verdicts: set[str]) -> str:
        return FAILS if FAILS in verdicts else HOLDS


def rows_at(results: ExperimentResults, label: str, n_train: int | None = None) -> list[dict]:
    """A label's rows at its largest size, or at ``n_train``; none for a run the experiment
    declared but skipped here (its dataset not available), or lacking that size."""
    if label not in results.labels:
        return []
    if n_train is None:
        return results.rows_of(label)
    return [row for row in results.rows_of(label, all_sizes=True) if row["n_train"] == n_train]


def _comparisons(results: ExperimentResults, winner: str, losers, metric: str,
                 n_train: int | None = None):
    """``winner`` against each loser, or an inconclusive Verdict when a run has no results."""
    rows = {}
    for label in (winner, *losers):
        rows[label] = rows_at(results, label, n_train)
        if not rows[label]:
            size = "" if n_train is None else f" at n_train={n_train:,}"
            return Verdict(INCONCLUSIVE, f"no results for {label}{size}")
    return [compare(results, winner, rows[winner], loser, rows[loser], metric) for loser in losers]


def compare(results: ExperimentResults, label_a: str, rows_a: list[dict], label_b: str,
            rows_b: list[dict], metric: str) -> Verdict:
    """Is A's ``metric`` above B's on the same test images? A paired test decides (paired.py):
    holds when A is significantly better, fails when significantly worse."""
    test_sets = {key_of_test_set(row["dataset"], row["n_test"]) for row in (*rows_a, *rows_b)}
    if len(test_sets) != 1:
        raise UsageError(f"{label_a} and {label_b} were scored on different test sets "
                         f"({', '.join(sorted(test_sets))}); a paired test needs one")
    labels = results.test_labels(rows_a[0])
    n_classes = len(results.dataset_of(label_a).class_names)
    result = paired.paired_test([results.artifacts(row)["predictions"] for row in rows_a],
                                [results.artifacts(row)["predictions"] for row in rows_b],
                                labels, metric, n_classes)
    if result.significant:
        verdict = HOLDS if result.gap > 0 else FAILS
    else:
        verdict = INCONCLUSIVE
    interval = ("" if math.isnan(result.low)
                else f", 95 % interval {100 * result.low:+.2f}..{100 * result.high:+.2f}")
    evidence = (f"{results.display_name(label_a)} {metric} {_describe(rows_a, metric)} vs "
                f"{results.display_name(label_b)} {_describe(rows_b, metric)}: gap "
                f"{100 * result.gap:+.2f} points{interval}, p = {p_value_text(result.p_value)}")
    return Verdict(verdict, evidence, result.test, result.p_value)


def _describe(rows: list[dict], metric: str) -> str:
    mean, std = mean_std(row[metric] for row in rows)
    runs = f"{len(rows)} run" + ("s" if len(rows) != 1 else "")
    spread = f" ± {std:.4f}" if len(rows) > 1 else ""
    return f"{mean:.4f}{spread} ({runs}, n_train {rows[0]['n_train']:,})"


def combined(verdict: str, comparisons: list[Verdict]) -> Verdict:
    """One verdict from several paired comparisons: their evidence, and the largest p-value
    (the weakest of the comparisons the verdict rests on)."""
    p_values = [comparison.p_value for comparison in comparisons if comparison.p_value is not None]
    tests = sorted({comparison.test for comparison in comparisons if comparison.test})
    return Verdict(verdict, "; ".join(comparison.evidence for comparison in comparisons),
                   " / ".join(tests) + (", largest p of the comparisons" if len(p_values) > 1 else ""),
                   max(p_values) if p_values else None)


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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        for label in self.run_labels():
            if not rows_at(results, label):
                return Verdict(INCONCLUSIVE, f"no results for {label}")
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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        for label in self.run_labels():
            if not rows_at(results, label):
                return Verdict(INCONCLUSIVE, f"no results for {label}")
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
class WinRate(Claim):
    """``winner`` beats ``loser`` "most of the time": each ``(winner, loser)`` pair (one per
    dataset and size, its seeds pooled) is one comparison, won or lost only when the paired test
    says so. Holds when more than half of the comparisons with results are wins; fails when
    half or more are losses. A sign test on wins against losses gives the p-value.
    """

    pairs: tuple[tuple[str, str], ...]
    metric: str = "accuracy"
    kind = "win_rate"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        from scipy.stats import binomtest

        outcomes, details = [], []
        for winner, loser in self.pairs:
            comparison = _comparisons(results, winner, (loser,), self.metric)
            if isinstance(comparison, Verdict):
                details.append(comparison.evidence + " (not counted)")
                continue
            outcomes.append(comparison[0].verdict)
            details.append(f"[{comparison[0].verdict}] {comparison[0].evidence}")
        wins, losses = outcomes.count(HOLDS), outcomes.count(FAILS)
        if not outcomes:
            return Verdict(INCONCLUSIVE, "; ".join(details) or "no pairs")
        p_value = binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
        evidence = (f"{wins} wins, {losses} losses, {len(outcomes) - wins - losses} ties (not "
                    f"significant) in {len(outcomes)} comparisons; " + "; ".join(details))
        test = "one comparison per dataset and size, each by the paired test; sign test on wins"
        if 2 * wins > len(outcomes):
            verdict = HOLDS
        elif 2 * losses >= len(outcomes):
            verdict = FAILS
        else:
            verdict = INCONCLUSIVE
        return Verdict(verdict, evidence, test, p_value)


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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        means = {}
        for label in self.run_labels():
            rows = rows_at(results, label)
            if not rows:
                return Verdict(INCONCLUSIVE, f"no results for {label}")
            means[label] = mean_std(row["accuracy"] for row in rows)[0]
        reduction = relative_error_reduction(means[self.better], means[self.worse])
        evidence = (f"{self.better} error {1 - means[self.better]:.4f} vs {self.worse} error "
                    f"{1 - means[self.worse]:.4f}: {100 * reduction:.0f} % fewer errors; quoted "
                    f"{100 * self.quoted:.0f} % ± {100 * self.tolerance:.0f}")
        return Verdict(HOLDS if abs(reduction - self.quoted) <= self.tolerance else FAILS, evidence,
                       f"relative error reduction of the means over seeds, within "
                       f"{100 * self.tolerance:.0f} points of the quoted figure")


@dataclass(frozen=True)
class Pairwise(Claim):
    """Each ``(winner, loser)`` pair is compared on ``metric`` at the pair's largest size.

    ``relation`` is what each pair must show: "beats" (a gap beyond the noise margin) or
    "matches_or_beats" (no gap beyond the margin the other way). ``quorum`` "all" needs every
    pair to show it; "most" needs more than half of the pairs with results to show it
    (pairs without results, e.g. a dataset not available here, are listed and not counted).
    """

    pairs: tuple[tuple[str, str], ...]
    relation: str = "matches_or_beats"
    quorum: str = "all"
    metric: str = "accuracy"
    kind = "pairwise"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        shown, failed, unclear, details, counted_comparisons = 0, 0, 0, [], []
        for winner, loser in self.pairs:
            comparison = _comparisons(results, winner, (loser,), self.metric)
            if isinstance(comparison, Verdict):
                details.append(comparison.evidence + " (not counted)")
                continue
            counted_comparisons.append(comparison[0])
            verdict = comparison[0].verdict
            if verdict == HOLDS or (verdict == INCONCLUSIVE and self.relation == "matches_or_beats"):
                shown += 1
            elif verdict == FAILS:
                failed += 1
            else:
                unclear += 1
            details.append(comparison[0].evidence)
        counted = shown + failed + unclear
        if counted == 0:
            return Verdict(INCONCLUSIVE, "; ".join(details) or "no pairs")
        relation = self.relation.replace("_", " ")
        if self.quorum == "most":
            verdict = (HOLDS if 2 * shown > counted
                       else FAILS if 2 * failed >= counted else INCONCLUSIVE)
        else:
            verdict = HOLDS if shown == counted else FAILS if failed else INCONCLUSIVE
        summary = combined(verdict, counted_comparisons)
        return Verdict(verdict, f"{shown} of {counted} pairs show '{relation}'; "
                       + "; ".join(details), summary.test, summary.p_value)


@dataclass(frozen=True)
class AnyMatchesOrBeats(Claim):
    """Some run in ``candidates`` matches or beats every run in ``opponents`` at ``n_train``
    (with ``strict``: significantly beats every one of them)."""

    candidates: tuple[str, ...]
    opponents: tuple[str, ...]
    n_train: int
    strict: bool = False
    kind = "any_matches_or_beats"

    def run_labels(self) -> tuple[str, ...]:
        return (*self.candidates, *self.opponents)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        details, any_unknown, all_beaten = [], False, True
        enough = {HOLDS} if self.strict else {HOLDS, INCONCLUSIVE}
        for candidate in self.candidates:
            comparisons = _comparisons(results, candidate, self.opponents, "accuracy", self.n_train)
            if isinstance(comparisons, Verdict):
                any_unknown = True
                details.append(comparisons.evidence)
                continue
            if all(comparison.verdict in enough for comparison in comparisons):
                summary = combined(HOLDS, comparisons)
                return Verdict(HOLDS, f"{results.display_name(candidate)} at "
                               f"n_train={self.n_train:,}: {summary.evidence}", summary.test,
                               summary.p_value)
            all_beaten &= any(comparison.verdict == FAILS for comparison in comparisons)
            short = [c.evidence for c in comparisons if c.verdict not in enough]
            details.append(f"{results.display_name(candidate)} falls short: " + "; ".join(short))
        verdict = FAILS if all_beaten and not any_unknown else INCONCLUSIVE
        return Verdict(verdict, " | ".join(details), paired.DESCRIPTION)


@dataclass(frozen=True)
class DiminishingReturns(Claim):
    """Along ``labels`` (e.g. depth 1, 2, 3, 4), the last step gains less than the first."""

    labels: tuple[str, ...]
    kind = "diminishing_returns"

    def run_labels(self) -> tuple[str, ...]:
        return self.labels

    def evaluate(self, results: ExperimentResults) -> Verdict:
        scores = {label: [row["accuracy"] for row in rows_at(results, label)] for label in self.labels}
        missing = [label for label, values in scores.items() if not values]
        if missing or len(self.labels) < 3:
            return Verdict(INCONCLUSIVE, f"no results for {', '.join(missing)}" if missing
                           else "fewer than three steps")
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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        rows = rows_at(results, self.label)
        if not rows:
            return Verdict(INCONCLUSIVE, f"no results for {self.label}")
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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        reference_rows = rows_at(results, self.reference)
        if not reference_rows:
            return Verdict(INCONCLUSIVE, f"no results for {self.reference}")
        reference_mean = mean_std(row["accuracy"] for row in reference_rows)[0]
        chance = self.chance or 1 / len(results.dataset_record.class_names)
        states, details = set(), []
        for label in self.labels:
            rows = rows_at(results, label)
            if not rows:
                return Verdict(INCONCLUSIVE, f"no results for {label}")
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


@dataclass(frozen=True)
class CheaperToContinue(Claim):
    """A model continued on new data keeps up with one retrained from scratch on all of it.

    For each ``(continued, scratch)`` pair the continued model must not be significantly worse
    than the retrained one (the paired test). Its cumulative fit time is reported beside it:
    continuing sees each image once, so it is cheaper by design and is not what is tested.
    """

    pairs: tuple[tuple[str, str], ...]
    kind = "cheaper_to_continue"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        verdicts, details, comparisons = set(), [], []
        for continued, scratch in self.pairs:
            rows = {label: rows_at(results, label) for label in (continued, scratch)}
            if not rows[continued] or not rows[scratch]:
                verdicts.add(INCONCLUSIVE)
                details.append(f"no results for {continued if not rows[continued] else scratch}")
                continue
            accuracy = compare(results, continued, rows[continued], scratch, rows[scratch],
                               "accuracy")
            comparisons.append(accuracy)
            seconds = {label: mean_std(row["fit_seconds"] for row in rows[label])[0]
                       for label in rows}
            verdicts.add(FAILS if accuracy.verdict == FAILS else HOLDS)
            details.append(f"{accuracy.evidence}; cumulative fit time {seconds[continued]:.1f} s "
                           f"vs {seconds[scratch]:.1f} s "
                           f"({100 * seconds[continued] / seconds[scratch]:.0f} %)")
        verdict = FAILS if FAILS in verdicts else HOLDS if verdicts == {HOLDS} else INCONCLUSIVE
        summary = combined(verdict, comparisons)
        return Verdict(verdict, "; ".join(details), summary.test, summary.p_value)


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

    def evaluate(self, results: ExperimentResults) -> Verdict:
        figures = {dataset: (value, source) for dataset, value, source in self.references}
        dataset = base_dataset(results.dataset)
        if dataset not in figures:
            return Verdict(INCONCLUSIVE, f"no published figure for {dataset} (there is one for "
                                         f"{', '.join(figures)})")
        rows = rows_at(results, self.label)
        if not rows:
            return Verdict(INCONCLUSIVE, f"no results for {self.label}")
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
class TrainsWithin(Claim):
    """``label`` trains at full size on this machine's CPU within ``seconds``."""

    label: str
    seconds: float
    kind = "trains_within"

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        rows = rows_at(results, self.label)
        if not rows:
            return Verdict(INCONCLUSIVE, f"no results for {self.label}")
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

    def evaluate(self, results: ExperimentResults) -> Verdict:
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


@dataclass(frozen=True)
class RunnerUp(Claim):
    """``label`` is the best or second-best of ``field`` on most of the datasets in ``groups``.

    ``groups`` lists, per dataset, the labels competing there (``label``'s run first). A model
    tied with the second best by the paired test counts as second.
    """

    groups: tuple[tuple[str, ...], ...]
    metric: str = "accuracy"
    kind = "runner_up"

    def run_labels(self) -> tuple[str, ...]:
        return tuple(label for group in self.groups for label in group)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        placed, counted, details = 0, 0, []
        for candidate, *others in self.groups:
            rows = {label: rows_at(results, label) for label in (candidate, *others)}
            if any(not found for found in rows.values()):
                details.append(f"{candidate}: a run has no results (not counted)")
                continue
            means = {label: mean_std(row[self.metric] for row in found)[0]
                     for label, found in rows.items()}
            ranking = sorted(others, key=means.get, reverse=True)
            counted += 1
            second = ranking[1] if len(ranking) > 1 else ranking[0]
            versus = compare(results, candidate, rows[candidate], second, rows[second], self.metric)
            top_two = means[candidate] >= means[second] or versus.verdict == INCONCLUSIVE
            placed += top_two
            rank = 1 + sum(means[other] > means[candidate] for other in others)
            details.append(f"{results.display_name(candidate)}: rank {rank} of {len(others) + 1} "
                           f"on {self.metric} ({versus.evidence})")
        if counted == 0:
            return Verdict(INCONCLUSIVE, "; ".join(details))
        evidence = f"first or second on {placed} of {counted} datasets; " + "; ".join(details)
        test = f"rank by mean {self.metric}; a tie with the second best by the paired test counts"
        return Verdict(HOLDS if 2 * placed > counted else FAILS, evidence, test)


def from_dict(saved: dict) -> Claim:
    """A claim read back from its saved form (``Claim.to_dict``)."""
    if saved["kind"] not in CLAIM_KINDS:
        raise UsageError(f"unknown claim kind {saved['kind']!r}; the claim kinds are "
                         f"{', '.join(sorted(CLAIM_KINDS))}")
    fields = {key: tuple(tuple(item) if isinstance(item, list) else item for item in value)
              if isinstance(value, list) else value
              for key, value in saved.items() if key != "kind"}
    return CLAIM_KINDS[saved["kind"]](**fields)


def judge(results: ExperimentResults, claims: list) -> list[dict]:
    """One ``claims.csv`` row per claim, judged on one experiment's saved results.

    A claim may name a run that was skipped here (judged without it), never one the experiment
    does not have: experiments check their claims when declared, and this catches a saved
    manifest that slipped past.
    """
    declared = [*results.labels, *(entry.label for entry in results.manifest.skipped)]
    judged = []
    for claim in claims:
        unknown = [label for label in claim.run_labels() if label not in declared]
        if unknown:
            raise UsageError(f"claim {claim.claim_id!r} of {results.manifest.experiment_id} names "
                             f"{unknown[0]!r}, which is no run of the experiment (its runs: "
                             f"{', '.join(declared)})")
        verdict = claim.evaluate(results)
        outcome = verdict.verdict
        if outcome == FAILS and claim.book_dataset not in (None, base_dataset(results.dataset)):
            outcome = DOES_NOT_CARRY_OVER
        judged.append({"experiment": results.manifest.experiment_id, "dataset": results.dataset,
                       "claim_id": claim.claim_id, "source": claim.source,
                       "passage": claim.passage, "claim": claim.claim, "verdict": outcome,
                       "test": verdict.test,
                       "p_value": p_value_text(verdict.p_value),
                       "evidence": verdict.evidence, "budgets": budgets(results, claim)})
    return judged


def p_value_text(p_value: float | None) -> str:
    """Three significant digits; below 0.001 only the bound, which is all 2,000 bootstrap draws
    can resolve."""
    if p_value is None:
        return ""
    return "<0.001" if p_value < 0.001 else f"{p_value:.3g}"


def budgets(results: ExperimentResults, claim: Claim) -> str:
    """What each side of a claim got: its display name, training size and seeds."""
    described = []
    for label in dict.fromkeys(claim.run_labels()):
        rows = rows_at(results, label) if label in results.labels else []
        if rows:
            sizes = sorted({row["n_train"] for row in rows})
            described.append(f"{results.display_name(label)}: n_train "
                             f"{'/'.join(f'{size:,}' for size in sizes)}, {len(rows)} "
                             f"run{'s' if len(rows) > 1 else ''}")
    return "; ".join(described)


def write(path: Path, judged: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CLAIMS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(judged)
    atomic.write_text(path, buffer.getvalue())
