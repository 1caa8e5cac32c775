"""Claims that compare runs with each other on the same test images, by the paired test of the
mean (``paired.py``) and the declared margins (``margins.py``): one run beats or matches others
(``Beats``, ``MatchesOrBeats``, ``AnyMatchesOrBeats``), pairs of runs (``Pairwise``,
``WinRate``, ``CheaperToContinue``), a run's rank among others (``RunnerUp``).

A claim over several comparisons combines their verdicts (``all_of``, ``most_of``) and reports
the numbers of the comparison that decides it (``deciding``).
"""

from collections import Counter
from dataclasses import dataclass, replace

from ..errors import UsageError
from ..results import ExperimentResults, mean_std
from ..results.schema import key_of_test_set
from . import paired
from .base import Claim, NoResults, flatten, p_value_text, results_of_each
from .margins import (
    BEATS,
    MATCHES_OR_BEATS,
    MIN_TEST_IMAGES,
    margin_of,
    points,
    verdict_of_interval,
)
from .verdicts import FAILS, HOLDS, SETUP_SHORT, TIES, UNDERPOWERED, Numbers, Verdict

# A claim that needs every comparison to show its relation takes the first of these any
# comparison gives: one clear loss decides it, then one tie, then a side with no usable run,
# then an undecided comparison; it holds only when every comparison holds.
PRECEDENCE = (FAILS, TIES, SETUP_SHORT, UNDERPOWERED, HOLDS)


def deterministic(results: ExperimentResults, label: str, n_train: int) -> bool:
    """One run of a model whose fit does not depend on the seed: the runner gives such a model
    one run where the experiment ran several seeds (a seeded model gets every seed)."""
    runs = [row for row in results.rows_of(label, all_sizes=True, with_excluded=True)
            if row["n_train"] == n_train]
    return len(runs) == 1 and len(results.manifest.seeds) > 1


def compare(results: ExperimentResults, label_a: str, rows_a: list[dict], label_b: str,
            rows_b: list[dict], metric: str, relation: str = BEATS) -> Verdict:
    """Does A's mean ``metric`` show ``relation`` to B's on the same test images? The paired
    test of the mean gives the 95 % interval of the gap; the metric's declared margin and the
    relation give the verdict (``margins.verdict_of_interval``). A test set of fewer than
    ``MIN_TEST_IMAGES`` images decides nothing: the comparison is underpowered."""
    test_sets = {key_of_test_set(row["dataset"], row["n_test"]) for row in (*rows_a, *rows_b)}
    if len(test_sets) != 1:
        raise UsageError(f"{label_a} and {label_b} were scored on different test sets "
                         f"({', '.join(sorted(test_sets))}); a paired test needs one")
    labels = results.test_labels(rows_a[0])
    n_classes = len(results.dataset_of(label_a).class_names)
    result = paired.paired_test([results.artifacts(row)["predictions"] for row in rows_a],
                                [results.artifacts(row)["predictions"] for row in rows_b],
                                labels, metric, n_classes,
                                deterministic(results, label_a, rows_a[0]["n_train"]),
                                deterministic(results, label_b, rows_b[0]["n_train"]))
    margin = margin_of(metric)
    verdict = verdict_of_interval(result.low, result.high, margin, relation)
    evidence = (f"{results.display_name(label_a)} {metric} {_describe(rows_a, metric)} vs "
                f"{results.display_name(label_b)} {_describe(rows_b, metric)}: gap "
                f"{points(result.gap)} points, 95 % interval {points(result.low)}.."
                f"{points(result.high)}, margin {100 * margin:.2f}, "
                f"p = {p_value_text(result.p_value)}")
    if result.n_test < MIN_TEST_IMAGES:
        evidence += (f"; only {result.n_test:,} test images (fewer than {MIN_TEST_IMAGES:,}, "
                     f"not cross-validated): an illustration, not a verdict"
                     + ("" if verdict == UNDERPOWERED else f" (the interval alone: {verdict})")
                     + "; cross-validation, or a larger test set, would make it one")
        verdict = UNDERPOWERED
    elif verdict == UNDERPOWERED:
        evidence += "; " + paired.to_settle(result, margin, relation)
    numbers = Numbers(metric, results.display_name(label_a), results.display_name(label_b),
                      result.mean_a, result.mean_b, result.gap, result.low, result.high, margin,
                      result.runs_a, result.runs_b, rows_a[0]["n_train"], rows_b[0]["n_train"],
                      result.n_test)
    return Verdict(verdict, evidence, result.test, result.p_value, numbers)


def _describe(rows: list[dict], metric: str) -> str:
    mean, std = mean_std(row[metric] for row in rows)
    runs = f"{len(rows)} run" + ("s" if len(rows) != 1 else "")
    spread = f" ± {std:.4f}" if len(rows) > 1 else ""
    return f"{mean:.4f}{spread} ({runs}, n_train {rows[0]['n_train']:,})"


def all_of(verdicts) -> str:
    """Every comparison must show the relation: the first verdict of ``PRECEDENCE`` given."""
    found = set(verdicts)
    return next(verdict for verdict in PRECEDENCE if verdict in found) if found else SETUP_SHORT


def most_of(verdicts) -> str:
    """More than half of the comparisons must show the relation: holds when they do; fails when
    half or more are clear losses; ties when half or more are losses or ties; else open
    (setup short when a comparison lacks a usable run, else underpowered)."""
    counts, total = Counter(verdicts), len(verdicts)
    if not total:
        return SETUP_SHORT
    if 2 * counts[HOLDS] > total:
        return HOLDS
    if 2 * counts[FAILS] >= total:
        return FAILS
    if 2 * (counts[FAILS] + counts[TIES]) >= total:
        return TIES
    return SETUP_SHORT if counts[SETUP_SHORT] else UNDERPOWERED


def deciding(verdict: str, comparisons: list[Verdict]) -> tuple[Verdict, str] | None:
    """The comparison whose numbers a combined verdict reports, and why it was chosen: of those
    giving the verdict, the weakest when it holds (the lowest interval), the clearest when it
    fails (the highest interval lowest), else the first. A verdict that no comparison with
    numbers gives (setup short because one pair has no usable run) reports the first
    undecided comparison, else the first, so that its numbers are still shown."""
    numbered = [comparison for comparison in comparisons if comparison.numbers is not None]
    giving = [comparison for comparison in numbered if comparison.verdict == verdict]
    if giving:
        if verdict == HOLDS:
            chosen = min(giving, key=lambda comparison: comparison.numbers.low)
        elif verdict == FAILS:
            chosen = min(giving, key=lambda comparison: comparison.numbers.high)
        else:
            chosen = giving[0]
        return chosen, WHY_DECIDING[verdict]
    undecided = [comparison for comparison in numbered if comparison.verdict == UNDERPOWERED]
    if undecided:
        return undecided[0], "the first that cannot decide"
    return (numbered[0], "the first with results") if numbered else None


WHY_DECIDING = {HOLDS: "the weakest that holds", FAILS: "the clearest that fails",
                TIES: "one that ties", UNDERPOWERED: "one that cannot decide",
                SETUP_SHORT: "one whose setup is short"}


def combined(verdict: str, comparisons: list[Verdict], prefix: str = "") -> Verdict:
    """One verdict from several paired comparisons: their evidence, and the numbers, test and
    p-value of the comparison that decides it."""
    found = deciding(verdict, comparisons)
    evidence = prefix + "; ".join(comparison.evidence for comparison in comparisons)
    tests = " / ".join(sorted({comparison.test for comparison in comparisons if comparison.test}))
    if found is None:
        return Verdict(verdict, evidence, tests)
    chosen, why = found
    numbers = chosen.numbers
    if len(comparisons) > 1:
        numbers = replace(numbers, deciding=f"{numbers.side_a} vs {numbers.side_b}: of "
                                            f"{len(comparisons)} comparisons, {why} (its p-value)")
    return Verdict(verdict, evidence, tests, chosen.p_value, numbers)


def compare_against(results: ExperimentResults, winner: str, losers, metric: str,
                    n_train: int | None = None, relation: str = BEATS) -> list[Verdict]:
    """``winner`` against each loser (``compare``); ``NoResults`` when a run has none."""
    rows = results_of_each(results, (winner, *losers), n_train)
    return [compare(results, winner, rows[winner], loser, rows[loser], metric, relation)
            for loser in losers]


@dataclass(frozen=True)
class Beats(Claim):
    """``winner`` scores higher than every run in ``losers`` on ``metric``: the 95 % interval
    of each gap lies above 0.

    Each run is taken at its largest training size, or at ``n_train`` when it is given.
    """

    winner: str
    losers: tuple[str, ...]
    metric: str = "accuracy"
    n_train: int | None = None
    kind = "beats"
    evidence_plots = ("accuracy_and_fit_time", "representation_grid", "learning_curves",
                      "transfer_curves", "accuracy_vs_depth", "who_wins_grid")
    relation = BEATS

    def run_labels(self) -> tuple[str, ...]:
        return (self.winner, *self.losers)

    def decide(self, results: ExperimentResults) -> Verdict:
        comparisons = compare_against(results, self.winner, self.losers, self.metric,
                                      self.n_train, self.relation)
        return combined(all_of(comparison.verdict for comparison in comparisons), comparisons)


@dataclass(frozen=True)
class MatchesOrBeats(Beats):
    """``winner`` is not worse than any run in ``losers`` by more than the declared margin
    (non-inferiority: each gap's 95 % interval lies above minus the margin)."""

    kind = "matches_or_beats"
    evidence_plots = ("accuracy_vs_depth", "accuracy_and_fit_time", "representation_grid",
                      "learning_curves", "transfer_curves", "who_wins_grid")
    relation = MATCHES_OR_BEATS


def illustration(comparison: Verdict) -> bool:
    """A comparison on fewer than ``MIN_TEST_IMAGES`` test images (the 8x8 digits' 450,
    satellite's 1,609): shown, never counted towards a verdict."""
    return comparison.numbers is not None and comparison.numbers.n_test < MIN_TEST_IMAGES


def _pair_verdicts(results: ExperimentResults, pairs, metric: str, relation: str
                   ) -> tuple[list[Verdict], list[str]]:
    """Each pair's comparison; a pair without results here (a dataset not available) or on
    fewer than ``MIN_TEST_IMAGES`` test images (``illustration``) is listed and not counted,
    one whose every run of a side is flagged counts as setup short."""
    comparisons, details = [], []
    for winner, loser in pairs:
        try:
            comparison = compare_against(results, winner, (loser,), metric, relation=relation)[0]
        except NoResults as missing:
            if missing.excluded:
                comparisons.append(missing.verdict)
                details.append(missing.evidence)
            else:
                details.append(missing.evidence + " (not counted)")
            continue
        if illustration(comparison):
            details.append(f"[illustration, not counted] {comparison.evidence}")
            continue
        comparisons.append(comparison)
        details.append(f"[{comparison.verdict}] {comparison.evidence}")
    return comparisons, details


def only_illustrations(details: list[str]) -> Verdict:
    """The verdict of a claim whose every comparison with results is an illustration."""
    return Verdict(UNDERPOWERED, "every comparison with results is on fewer than "
                                 f"{MIN_TEST_IMAGES:,} test images, not cross-validated: "
                                 "illustrations, not a verdict; " + "; ".join(details))


@dataclass(frozen=True)
class Pairwise(Claim):
    """Each ``(winner, loser)`` pair is compared on ``metric`` at the pair's largest size.

    ``relation`` is what each pair must show: "beats" (the gap's interval above 0) or
    "matches_or_beats" (above minus the margin). ``quorum`` "all" needs every pair to show it
    (``all_of``); "most" needs more than half of the pairs with results (``most_of``; pairs
    without results, e.g. a dataset not available here, are listed and not counted).
    """

    pairs: tuple[tuple[str, str], ...]
    relation: str = "matches_or_beats"
    quorum: str = "all"
    metric: str = "accuracy"
    kind = "pairwise"
    evidence_plots = ("greedy_vs_joint", "accuracy_vs_depth", "who_wins_grid",
                      "accuracy_and_fit_time", "representation_grid", "learning_curves",
                      "transfer_curves")

    def run_labels(self) -> tuple[str, ...]:
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        comparisons, details = _pair_verdicts(results, self.pairs, self.metric, self.relation)
        if not comparisons:
            if any(detail.startswith("[illustration") for detail in details):
                return only_illustrations(details)
            raise NoResults(*flatten(self.pairs))
        outcomes = [comparison.verdict for comparison in comparisons]
        verdict = most_of(outcomes) if self.quorum == "most" else all_of(outcomes)
        summary = combined(verdict, comparisons)
        relation = self.relation.replace("_", " ")
        return replace(summary, evidence=f"{outcomes.count(HOLDS)} of {len(outcomes)} pairs show "
                                         f"'{relation}'; " + "; ".join(details))


@dataclass(frozen=True)
class AnyMatchesOrBeats(Claim):
    """Some run in ``candidates`` matches or beats every run in ``opponents`` at ``n_train``
    (with ``strict``: beats every one of them)."""

    candidates: tuple[str, ...]
    opponents: tuple[str, ...]
    n_train: int
    strict: bool = False
    kind = "any_matches_or_beats"
    evidence_plots = ("learning_curves", "accuracy_and_fit_time", "representation_grid",
                      "transfer_curves", "accuracy_vs_depth", "who_wins_grid")

    def run_labels(self) -> tuple[str, ...]:
        return (*self.candidates, *self.opponents)

    def decide(self, results: ExperimentResults) -> Verdict:
        relation = BEATS if self.strict else MATCHES_OR_BEATS
        details, outcomes, summaries = [], [], []
        for candidate in self.candidates:
            try:
                comparisons = compare_against(results, candidate, self.opponents, "accuracy",
                                              self.n_train, relation)
            except NoResults as missing:
                outcomes.append(SETUP_SHORT)
                details.append(missing.evidence)
                continue
            outcome = all_of(comparison.verdict for comparison in comparisons)
            summary = combined(outcome, comparisons)
            if outcome == HOLDS:
                return replace(summary, evidence=f"{results.display_name(candidate)} at "
                                                 f"n_train={self.n_train:,}: {summary.evidence}")
            outcomes.append(outcome)
            summaries.append(summary)
            details.append(f"[{outcome}] {results.display_name(candidate)}: " + "; ".join(
                comparison.evidence for comparison in comparisons))
        # No candidate shows it: fails when every candidate loses to an opponent, ties when
        # every one loses or ties, else the first of setup short and underpowered given.
        found = set(outcomes)
        if found == {FAILS}:
            verdict = FAILS
        elif found <= {FAILS, TIES}:
            verdict = TIES
        else:
            verdict = SETUP_SHORT if SETUP_SHORT in found else UNDERPOWERED
        chosen = next((summary for summary in summaries if summary.verdict == verdict), None)
        return Verdict(verdict, " | ".join(details), paired.DESCRIPTION,
                       chosen.p_value if chosen else None, chosen.numbers if chosen else None)


@dataclass(frozen=True)
class WinRate(Claim):
    """``winner`` beats ``loser`` "most of the time": each ``(winner, loser)`` pair (one per
    dataset and size, its seeds pooled) is one comparison, a win when the gap's interval lies
    above 0, a loss when below, a tie when within ± the margin, else undecided. Holds when more
    than half of the comparisons with results are wins (``most_of``). A sign test on wins
    against losses gives the p-value.
    """

    pairs: tuple[tuple[str, str], ...]
    metric: str = "accuracy"
    kind = "win_rate"
    evidence_plots = ("who_wins_grid", "staged_curves", "accuracy_and_fit_time",
                      "representation_grid", "learning_curves", "transfer_curves",
                      "accuracy_vs_depth")

    def run_labels(self) -> tuple[str, ...]:
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        from scipy.stats import binomtest

        comparisons, details = _pair_verdicts(results, self.pairs, self.metric, BEATS)
        if not comparisons:
            if any(detail.startswith("[illustration") for detail in details):
                return only_illustrations(details)
            raise NoResults(*flatten(self.pairs))
        outcomes = [comparison.verdict for comparison in comparisons]
        counts = Counter(outcomes)
        wins, losses = counts[HOLDS], counts[FAILS]
        p_value = binomtest(wins, wins + losses, 0.5).pvalue if wins + losses else 1.0
        verdict = most_of(outcomes)
        undecided = counts[UNDERPOWERED] + counts[SETUP_SHORT]
        evidence = (f"{wins} wins, {losses} losses, {counts[TIES]} ties (within the margin), "
                    f"{undecided} undecided in {len(outcomes)} counted comparisons; "
                    + "; ".join(details))
        chosen = combined(verdict, comparisons)
        test = ("one comparison per dataset and size, each by the paired test of the mean "
                "against the margin; sign test on wins against losses")
        return Verdict(verdict, evidence, test, p_value, chosen.numbers)


@dataclass(frozen=True)
class CheaperToContinue(Claim):
    """A model continued on new data keeps up with one retrained from scratch on all of it.

    For each ``(continued, scratch)`` pair the continued model must match or beat the retrained
    one (non-inferiority within the margin, the paired test of the mean). Its cumulative fit
    time is reported beside it: continuing sees each image once, so it is cheaper by design and
    is not what is tested.
    """

    pairs: tuple[tuple[str, str], ...]
    kind = "cheaper_to_continue"
    evidence_plots = ("continual_curves",)

    def run_labels(self) -> tuple[str, ...]:
        return flatten(self.pairs)

    def decide(self, results: ExperimentResults) -> Verdict:
        comparisons, details = [], []
        for continued, scratch in self.pairs:
            try:
                rows = results_of_each(results, (continued, scratch))
            except NoResults as missing:
                comparisons.append(missing.verdict)
                details.append(missing.evidence)
                continue
            accuracy = compare(results, continued, rows[continued], scratch, rows[scratch],
                               "accuracy", MATCHES_OR_BEATS)
            comparisons.append(accuracy)
            seconds = {label: mean_std(row["fit_seconds"] for row in rows[label])[0]
                       for label in rows}
            details.append(f"{accuracy.evidence}; cumulative fit time {seconds[continued]:.1f} s "
                           f"vs {seconds[scratch]:.1f} s "
                           f"({100 * seconds[continued] / seconds[scratch]:.0f} %)")
        summary = combined(all_of(comparison.verdict for comparison in comparisons), comparisons)
        return replace(summary, evidence="; ".join(details))
