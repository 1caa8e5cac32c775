"""Claims that compare runs with each other on the same test images, by the paired test
(``paired.py``): one run beats or matches others (``Beats``, ``MatchesOrBeats``,
``AnyMatchesOrBeats``), pairs of runs (``Pairwise``, ``WinRate``, ``CheaperToContinue``), a
run's rank among others (``RunnerUp``).

A claim over several comparisons reports the largest p-value (``combined``).
"""

import math
from dataclasses import dataclass

from ..errors import UsageError
from ..results import ExperimentResults, mean_std
from ..results.schema import key_of_test_set
from . import paired
from .base import (
    FAILS,
    HOLDS,
    INCONCLUSIVE,
    Claim,
    NoResults,
    Verdict,
    flatten,
    p_value_text,
    results_of_each,
)


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


def compare_against(results: ExperimentResults, winner: str, losers, metric: str,
                    n_train: int | None = None) -> list[Verdict]:
    """``winner`` against each loser (``compare``); ``NoResults`` when a run has none."""
    rows = results_of_each(results, (winner, *losers), n_train)
    return [compare(results, winner, rows[winner], loser, rows[loser], metric) for loser in losers]


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

    def decide(self, results: ExperimentResults) -> Verdict:
        comparisons = compare_against(results, self.winner, self.losers, self.metric, self.n_train)
        return combined(self.combine({comparison.verdict for comparison in comparisons}),
                        comparisons)


@dataclass(frozen=True)
class MatchesOrBeats(Beats):
    """``winner`` is not worse than any run in ``losers`` beyond the noise margin."""

    kind = "matches_or_beats"

    @staticmethod
    def combine(verdicts: set[str]) -> str:
        return FAILS if FAILS in verdicts else HOLDS


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
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        shown, failed, unclear, details, counted_comparisons = 0, 0, 0, [], []
        for winner, loser in self.pairs:
            try:
                comparison = compare_against(results, winner, (loser,), self.metric)[0]
            except NoResults as missing:
                details.append(missing.evidence + " (not counted)")
                continue
            counted_comparisons.append(comparison)
            verdict = comparison.verdict
            if verdict == HOLDS or (verdict == INCONCLUSIVE and self.relation == "matches_or_beats"):
                shown += 1
            elif verdict == FAILS:
                failed += 1
            else:
                unclear += 1
            details.append(comparison.evidence)
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

    def decide(self, results: ExperimentResults) -> Verdict:
        details, any_unknown, all_beaten = [], False, True
        enough = {HOLDS} if self.strict else {HOLDS, INCONCLUSIVE}
        for candidate in self.candidates:
            try:
                comparisons = compare_against(results, candidate, self.opponents, "accuracy",
                                              self.n_train)
            except NoResults as missing:
                any_unknown = True
                details.append(missing.evidence)
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
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        from scipy.stats import binomtest

        outcomes, details = [], []
        for winner, loser in self.pairs:
            try:
                comparison = compare_against(results, winner, (loser,), self.metric)[0]
            except NoResults as missing:
                details.append(missing.evidence + " (not counted)")
                continue
            outcomes.append(comparison.verdict)
            details.append(f"[{comparison.verdict}] {comparison.evidence}")
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

    def decide(self, results: ExperimentResults) -> Verdict:
        placed, counted, details = 0, 0, []
        for candidate, *others in self.groups:
            try:
                rows = results_of_each(results, (candidate, *others))
            except NoResults:
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
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        verdicts, details, comparisons = set(), [], []
        for continued, scratch in self.pairs:
            try:
                rows = results_of_each(results, (continued, scratch))
            except NoResults as missing:
                verdicts.add(INCONCLUSIVE)
                details.append(missing.evidence)
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
