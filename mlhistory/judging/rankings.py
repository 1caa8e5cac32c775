"""Claims about where a model ranks among the others, per dataset (the forest as runner-up)."""

from collections import Counter
from dataclasses import dataclass

from ..results import ExperimentResults, mean_std
from .base import Claim, NoResults, results_of_each
from .comparisons import combined, compare, most_of
from .margins import (
    MATCHES_OR_BEATS,
)
from .verdicts import FAILS, HOLDS, SETUP_SHORT, Verdict


@dataclass(frozen=True)
class RunnerUp(Claim):
    """``label`` is the best or second-best of ``field`` on most of the datasets in ``groups``.

    ``groups`` lists, per dataset, the labels competing there (``label``'s run first). On a
    dataset the candidate places when it matches or beats (non-inferiority, within the margin)
    the second best of the others by mean; it does not when it is below that one by more than
    the margin; else that dataset is undecided. Holds when it places on more than half
    (``most_of``).
    """

    groups: tuple[tuple[str, ...], ...]
    metric: str = "accuracy"
    kind = "runner_up"

    def run_labels(self) -> tuple[str, ...]:
        return tuple(label for group in self.groups for label in group)

    def decide(self, results: ExperimentResults) -> Verdict:
        outcomes, comparisons, details = [], [], []
        for candidate, *others in self.groups:
            try:
                rows = results_of_each(results, (candidate, *others))
            except NoResults as missing:
                if missing.excluded:
                    outcomes.append(SETUP_SHORT)
                details.append(f"{candidate}: {missing.evidence}"
                               + ("" if missing.excluded else " (not counted)"))
                continue
            means = {label: mean_std(row[self.metric] for row in found)[0]
                     for label, found in rows.items()}
            ranking = sorted(others, key=means.get, reverse=True)
            rank = 1 + sum(means[other] > means[candidate] for other in others)
            name = results.display_name(candidate)
            if len(ranking) < 2:
                outcomes.append(HOLDS)
                details.append(f"{name}: rank {rank} of {len(others) + 1} (two competitors at most)")
                continue
            second = ranking[1]
            versus = compare(results, candidate, rows[candidate], second, rows[second],
                             self.metric, MATCHES_OR_BEATS)
            outcomes.append(versus.verdict)
            comparisons.append(versus)
            placed = {HOLDS: "places", FAILS: "does not place"}.get(versus.verdict, "undecided")
            details.append(f"{name}: rank {rank} of {len(others) + 1} on {self.metric} by mean, "
                           f"{placed} against the second best of the others ({versus.evidence})")
        if not outcomes:
            raise NoResults(*(group[0] for group in self.groups))
        verdict = most_of(outcomes)
        counts = Counter(outcomes)
        evidence = (f"first or second on {counts[HOLDS]} of {len(outcomes)} datasets "
                    f"({counts[FAILS]} not, {len(outcomes) - counts[HOLDS] - counts[FAILS]} "
                    f"undecided); " + "; ".join(details))
        chosen = combined(verdict, comparisons)
        test = (f"per dataset, the paired test of the mean against the second best of the others "
                f"by mean {self.metric}, non-inferiority within the margin")
        return Verdict(verdict, evidence, test, chosen.p_value, chosen.numbers)
