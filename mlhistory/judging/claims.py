"""The book's claims, each with a verdict computed from saved result rows.

A claim is data (an id, the sentence, and what it compares), so an experiment can save its
claims and ``make report`` can judge them again from results alone. Each kind registers itself
under its ``kind`` when defined, and lists the labels of the runs it compares (``run_labels``),
so an experiment checks them against its runs when declared. Verdicts:

- holds: the gap is in the claimed direction and larger than the noise margin;
- fails: the gap is in the opposite direction and larger than the noise margin;
- inconclusive: the gap is within the noise margin, or a model has no results.

The noise margin is two standard errors of the difference of the means over seeds, and at
least ``MIN_MARGIN`` (one test image in a thousand), so two deterministic models that differ
by a handful of test images are not called different.
"""

import csv
import io
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import UsageError
from ..results import ExperimentResults, mean_std
from ..results.schema import base_dataset
from ..results.curves import epoch_curve, first_epoch_reaching, fit_time_exponent, relative_error_reduction

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
        return Verdict(self.combine({comparison.verdict for comparison in comparisons}),
                       "; ".join(comparison.evidence for comparison in comparisons))


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
    scores = {}
    for label in (winner, *losers):
        scores[label] = [row[metric] for row in rows_at(results, label, n_train)]
        if not scores[label]:
            size = "" if n_train is None else f" at n_train={n_train:,}"
            return Verdict(INCONCLUSIVE, f"no results for {label}{size}")
    return [compare(winner, scores[winner], loser, scores[loser], metric) for loser in losers]


def compare(name_a: str, values_a: list[float], name_b: str, values_b: list[float],
            metric: str) -> Verdict:
    """Is A's mean above B's by more than the noise margin?"""
    mean_a, std_a = mean_std(values_a)
    mean_b, std_b = mean_std(values_b)
    gap = mean_a - mean_b
    standard_error = math.sqrt(std_a**2 / len(values_a) + std_b**2 / len(values_b))
    margin = max(2 * standard_error, MIN_MARGIN)
    if gap > margin:
        verdict = HOLDS
    elif gap < -margin:
        verdict = FAILS
    else:
        verdict = INCONCLUSIVE
    evidence = (f"{name_a} {metric} {_describe(mean_a, std_a, len(values_a))} vs {name_b} "
                f"{_describe(mean_b, std_b, len(values_b))}: gap {100 * gap:+.2f} points, "
                f"noise margin {100 * margin:.2f}")
    return Verdict(verdict, evidence)


def _describe(mean: float, std: float, count: int) -> str:
    seeds = f"{count} seed" + ("s" if count != 1 else "")
    return f"{mean:.4f} ± {std:.4f} ({seeds})"


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
                                             f"(best {fast_curve.max():.4f})")
        evidence += f"reaches it at epoch {fast_epochs} of {len(fast_curve)}"
        if fast_epochs < slow_epochs:
            return Verdict(HOLDS, evidence)
        return Verdict(FAILS if fast_epochs > slow_epochs else INCONCLUSIVE, evidence)


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
            return Verdict(INCONCLUSIVE, f"fewer than two training sizes >= {self.min_size:,}")
        low, high = self.linear_band
        evidence = (f"fit-time exponent of {self.steep} {steep:.2f} over n_train "
                    f"{steep_sizes[0]:,}..{steep_sizes[-1]:,} (threshold {self.threshold}); "
                    f"{self.linear} {linear:.2f} over {linear_sizes[0]:,}..{linear_sizes[-1]:,} "
                    f"(near 1 means {low}..{high})")
        holds = steep > self.threshold and low <= linear <= high
        return Verdict(HOLDS if holds else FAILS, evidence)


@dataclass(frozen=True)
class WinRate(Claim):
    """Each ``(winner, loser)`` pair is compared seed by seed; the claim holds above 50 % wins.

    A deterministic model (one run) is compared with every seed of the other side.
    """

    pairs: tuple[tuple[str, str], ...]
    metric: str = "accuracy"
    kind = "win_rate"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        wins = ties = total = 0
        details = []
        for winner, loser in self.pairs:
            matches = _seed_matched(rows_at(results, winner), rows_at(results, loser), self.metric)
            pair_wins = sum(a > b for a, b in matches)
            wins += pair_wins
            ties += sum(a == b for a, b in matches)
            total += len(matches)
            details.append(f"{winner} vs {loser}: {pair_wins} of {len(matches)}")
        if total == 0:
            return Verdict(INCONCLUSIVE, "no seed-matched results")
        rate = wins / total
        evidence = f"win rate {wins}/{total} = {100 * rate:.0f} % ({ties} ties); " + "; ".join(details)
        if rate == 0.5:
            return Verdict(INCONCLUSIVE, evidence)
        return Verdict(HOLDS if rate > 0.5 else FAILS, evidence)


def _seed_matched(rows_a: list[dict], rows_b: list[dict], metric: str) -> list[tuple]:
    """Pairs of scores with the same seed; a deterministic model's single run meets every seed."""
    if len(rows_a) == 1 or len(rows_b) == 1:
        return [(a[metric], b[metric]) for a in rows_a for b in rows_b]
    by_seed = {row["seed"]: row[metric] for row in rows_b}
    return [(row[metric], by_seed[row["seed"]]) for row in rows_a if row["seed"] in by_seed]


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
        return Verdict(HOLDS if abs(reduction - self.quoted) <= self.tolerance else FAILS, evidence)


@dataclass(frozen=True)
class Pairwise(Claim):
    """Each ``(winner, loser)`` pair is compared on accuracy at the pair's largest size.

    ``relation`` is what each pair must show: "beats" (a gap beyond the noise margin) or
    "matches_or_beats" (no gap beyond the margin the other way). ``quorum`` "all" needs every
    pair to show it; "most" needs more than half of the pairs with results to show it
    (pairs without results, e.g. a dataset not available here, are listed and not counted).
    """

    pairs: tuple[tuple[str, str], ...]
    relation: str = "matches_or_beats"
    quorum: str = "all"
    kind = "pairwise"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        shown, failed, unclear, details = 0, 0, 0, []
        for winner, loser in self.pairs:
            comparison = _comparisons(results, winner, (loser,), "accuracy")
            if isinstance(comparison, Verdict):
                details.append(comparison.evidence + " (not counted)")
                continue
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
        evidence = f"{shown} of {counted} pairs show '{relation}'; " + "; ".join(details)
        if self.quorum == "most":
            if 2 * shown > counted:
                return Verdict(HOLDS, evidence)
            return Verdict(FAILS if 2 * failed >= counted else INCONCLUSIVE, evidence)
        if shown == counted:
            return Verdict(HOLDS, evidence)
        return Verdict(FAILS if failed else INCONCLUSIVE, evidence)


@dataclass(frozen=True)
class AnyMatchesOrBeats(Claim):
    """Some run in ``candidates`` matches or beats every run in ``opponents`` at ``n_train``."""

    candidates: tuple[str, ...]
    opponents: tuple[str, ...]
    n_train: int
    kind = "any_matches_or_beats"

    def run_labels(self) -> tuple[str, ...]:
        return (*self.candidates, *self.opponents)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        details, any_unknown = [], False
        for candidate in self.candidates:
            comparisons = _comparisons(results, candidate, self.opponents, "accuracy", self.n_train)
            if isinstance(comparisons, Verdict):
                any_unknown = True
                details.append(comparisons.evidence)
                continue
            if all(comparison.verdict != FAILS for comparison in comparisons):
                return Verdict(HOLDS, f"{candidate} is not beaten at n_train={self.n_train:,}: "
                                      + "; ".join(c.evidence for c in comparisons))
            beaten_by = [c.evidence for c in comparisons if c.verdict == FAILS]
            details.append(f"{candidate} is beaten: " + "; ".join(beaten_by))
        return Verdict(INCONCLUSIVE if any_unknown else FAILS, " | ".join(details))


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
        if shrink > margin:
            return Verdict(HOLDS, evidence)
        return Verdict(FAILS if shrink < -margin else INCONCLUSIVE, evidence)


@dataclass(frozen=True)
class RisesAlong(Claim):
    """A per-step curve saved with each run (``artifact``) rises from its first to its last step.

    Holds when no step falls by more than the noise margin and the last step is above the
    first by more than it; fails when some step falls beyond the margin (the evidence says
    where); inconclusive otherwise.
    """

    label: str
    artifact: str
    names_artifact: str = ""  # an artifact naming the steps, for the evidence
    kind = "rises_along"

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        rows = rows_at(results, self.label)
        if not rows:
            return Verdict(INCONCLUSIVE, f"no results for {self.label}")
        saved = [results.artifacts(row) for row in rows]
        curves = np.stack([artifacts[self.artifact] for artifacts in saved]).astype(float)
        names = ([str(name) for name in saved[0][self.names_artifact]] if self.names_artifact
                 else [str(step) for step in range(curves.shape[1])])

        def margin(difference: np.ndarray) -> float:
            spread = difference.std(ddof=1) / math.sqrt(len(difference)) if len(difference) > 1 else 0
            return max(2 * spread, MIN_MARGIN)

        mean = curves.mean(axis=0)
        falls = [f"{names[step]} -> {names[step + 1]} ({100 * (mean[step + 1] - mean[step]):+.2f} points)"
                 for step in range(len(mean) - 1)
                 if mean[step] - mean[step + 1] > margin(curves[:, step] - curves[:, step + 1])]
        evidence = (f"{self.artifact} of {self.label} by step: "
                    + ", ".join(f"{name} {value:.4f}" for name, value in zip(names, mean, strict=True))
                    + f" ({len(rows)} seed{'s' if len(rows) != 1 else ''})")
        if falls:
            return Verdict(FAILS, evidence + "; falls at " + "; ".join(falls))
        rise = mean[-1] - mean[0]
        if rise > margin(curves[:, -1] - curves[:, 0]):
            return Verdict(HOLDS, evidence)
        return Verdict(INCONCLUSIVE, evidence)


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
        reference = [row["accuracy"] for row in rows_at(results, self.reference)]
        if not reference:
            return Verdict(INCONCLUSIVE, f"no results for {self.reference}")
        reference_mean = mean_std(reference)[0]
        chance = self.chance or 1 / len(results.manifest["dataset"]["class_names"])
        states, details = set(), []
        for label in self.labels:
            values = [row["accuracy"] for row in rows_at(results, label)]
            if not values:
                return Verdict(INCONCLUSIVE, f"no results for {label}")
            mean = mean_std(values)[0]
            if mean <= chance + self.near or mean <= reference_mean - self.far:
                states.add("failed")
            elif compare(label, values, self.reference, reference, "accuracy").verdict != FAILS:
                states.add("trained")
            else:
                states.add("partly")
            details.append(f"{label} {mean:.4f}")
        evidence = (f"{', '.join(details)}; chance {chance:.2f}, {self.reference} "
                    f"{reference_mean:.4f} (failing = within {100 * self.near:.0f} points of chance "
                    f"or {100 * self.far:.0f} points below the reference)")
        if states == {"failed"}:
            return Verdict(HOLDS, evidence)
        return Verdict(FAILS if "trained" in states else INCONCLUSIVE, evidence)


@dataclass(frozen=True)
class CheaperToContinue(Claim):
    """Continuing training reaches the from-scratch accuracy in less cumulative training time.

    For each ``(continued, scratch)`` pair the continued model must match or beat the
    retrained one's final accuracy (noise margin as everywhere) in less total fit time.
    """

    pairs: tuple[tuple[str, str], ...]
    kind = "cheaper_to_continue"

    def run_labels(self) -> tuple[str, ...]:
        return _flatten(self.pairs)

    def evaluate(self, results: ExperimentResults) -> Verdict:
        verdicts, details = set(), []
        for continued, scratch in self.pairs:
            rows = {label: rows_at(results, label) for label in (continued, scratch)}
            if not rows[continued] or not rows[scratch]:
                verdicts.add(INCONCLUSIVE)
                details.append(f"no results for {continued if not rows[continued] else scratch}")
                continue
            accuracy = compare(continued, [row["accuracy"] for row in rows[continued]],
                               scratch, [row["accuracy"] for row in rows[scratch]], "accuracy")
            seconds = {label: mean_std(row["fit_seconds"] for row in rows[label])[0]
                       for label in rows}
            fraction = seconds[continued] / seconds[scratch]
            matched = accuracy.verdict != FAILS
            verdicts.add(HOLDS if matched and fraction < 1 else FAILS)
            details.append(f"{accuracy.evidence}; cumulative fit time {seconds[continued]:.1f} s vs "
                           f"{seconds[scratch]:.1f} s ({100 * fraction:.0f} %)")
        verdict = FAILS if FAILS in verdicts else HOLDS if verdicts == {HOLDS} else INCONCLUSIVE
        return Verdict(verdict, "; ".join(details))


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
    declared = [*results.labels, *(entry["label"] for entry in results.manifest.get("skipped", []))]
    judged = []
    for claim in claims:
        unknown = [label for label in claim.run_labels() if label not in declared]
        if unknown:
            raise UsageError(f"claim {claim.claim_id!r} of {results.manifest['experiment_id']} names "
                             f"{unknown[0]!r}, which is no run of the experiment (its runs: "
                             f"{', '.join(declared)})")
        verdict = claim.evaluate(results)
        outcome = verdict.verdict
        if outcome == FAILS and claim.book_dataset not in (None, base_dataset(results.dataset)):
            outcome = DOES_NOT_CARRY_OVER
        judged.append({"experiment": results.manifest["experiment_id"], "dataset": results.dataset,
                       "claim_id": claim.claim_id, "source": claim.source,
                       "passage": claim.passage, "claim": claim.claim, "verdict": outcome,
                       "test": verdict.test,
                       "p_value": "" if verdict.p_value is None else f"{verdict.p_value:.3g}",
                       "evidence": verdict.evidence, "budgets": budgets(results, claim)})
    return judged


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
