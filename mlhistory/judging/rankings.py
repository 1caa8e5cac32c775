"""Claims about where a model ranks among the others, per dataset (the forest as runner-up)."""

from collections import Counter
from dataclasses import dataclass

from ..results import ExperimentResults, mean_std
from .base import Claim, NoResults, results_of_each, rows_at
from .comparisons import combined, compare, illustration, most_of
from .margins import MATCHES_OR_BEATS
from .verdicts import FAILS, HOLDS, SETUP_SHORT, UNDERPOWERED, Verdict


@dataclass(frozen=True)
class RunnerUp(Claim):
    """``label`` is the best or second-best of ``field`` on most of the datasets in ``groups``.

    ``groups`` lists, per dataset, the labels competing there (``label``'s run first). On a
    dataset the candidate places when it matches or beats (non-inferiority, within the margin)
    the second best of the others by mean; it does not when it is below that one by more than
    the margin; else that dataset is undecided. Holds when it places on more than half
    (``most_of``). A competitor whose every run failed is left out of its dataset's ranking
    (and named); a dataset whose deciding comparison is on fewer than ``MIN_TEST_IMAGES`` test
    images is shown and not counted. The evidence gives both counts: the rank by mean, and
    the placing by the test, which decides.
    """

    groups: tuple[tuple[str, ...], ...]
    metric: str = "accuracy"
    kind = "runner_up"
    evidence_plots = ("who_wins_grid", "landscape")

    def run_labels(self) -> tuple[str, ...]:
        return tuple(label for group in self.groups for label in group)

    def decide(self, results: ExperimentResults) -> Verdict:
        outcomes, comparisons, details, by_mean = [], [], [], 0
        for candidate, *competitors in self.groups:
            try:
                rows = results_of_each(results, (candidate,))
                absent = [other for other in competitors if other not in results.labels]
                if absent:  # skipped here (a dataset not available): the ranking is incomplete
                    raise NoResults(*absent)
            except NoResults as missing:
                if missing.excluded:
                    outcomes.append(SETUP_SHORT)
                details.append(f"{candidate}: {missing.evidence}"
                               + ("" if missing.excluded else " (not counted)"))
                continue
            others, left_out = [], []
            for other in competitors:
                found = rows_at(results, other)
                if found:
                    rows[other] = found
                    others.append(other)
                elif other in results.labels:
                    left_out.append(results.display_name(other))
            means = {label: mean_std(row[self.metric] for row in found)[0]
                     for label, found in rows.items()}
            ranking = sorted(others, key=means.get, reverse=True)
            rank = 1 + sum(means[other] > means[candidate] for other in others)
            name = results.display_name(candidate)
            without = (f" (left out, every run failed: {', '.join(left_out)})" if left_out else "")
            if len(ranking) < 2:
                outcomes.append(HOLDS)
                by_mean += 1
                details.append(f"{name}: rank {rank} of {len(others) + 1} (two competitors at "
                               f"most){without}")
                continue
            second = ranking[1]
            versus = compare(results, candidate, rows[candidate], second, rows[second],
                             self.metric, MATCHES_OR_BEATS)
            counted = not illustration(versus)
            if counted:
                outcomes.append(versus.verdict)
                comparisons.append(versus)
                by_mean += rank <= 2
            placed = ({HOLDS: "places", FAILS: "does not place"}.get(versus.verdict, "undecided")
                      if counted else "not counted (an illustration)")
            details.append(f"{name}: rank {rank} of {len(others) + 1} on {self.metric} by "
                           f"mean{without}, {placed} against the second best of the others "
                           f"({versus.evidence})")
        if not outcomes:
            if any("not counted (an illustration)" in detail for detail in details):
                return Verdict(UNDERPOWERED, "no dataset counted: " + "; ".join(details))
            raise NoResults(*(group[0] for group in self.groups))
        verdict = most_of(outcomes)
        counts = Counter(outcomes)
        evidence = (f"on {len(outcomes)} counted datasets: first or second by mean on {by_mean}; "
                    f"by the test against the second best, places on {counts[HOLDS]}, does not "
                    f"on {counts[FAILS]}, undecided on "
                    f"{len(outcomes) - counts[HOLDS] - counts[FAILS]}; " + "; ".join(details))
        chosen = combined(verdict, comparisons)
        test = (f"per dataset, the paired test of the mean against the second best of the others "
                f"by mean {self.metric}, non-inferiority within the margin")
        return Verdict(verdict, evidence, test, chosen.p_value, chosen.numbers)
