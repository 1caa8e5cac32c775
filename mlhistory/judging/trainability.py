"""Claims about whether a recipe trains a deep net at all: near chance, or far below a shallower one."""

from dataclasses import dataclass, replace

from ..results import ExperimentResults, mean_std
from ..results.flags import DIVERGED, NEAR_CHANCE, NEVER_RIGHT
from . import paired
from .base import Claim, results_of
from .comparisons import compare
from .margins import (
    EXCEEDS,
    MIN_TEST_IMAGES,
    points,
    verdict_of_interval,
)
from .verdicts import FAILS, HOLDS, UNDERPOWERED, Verdict


@dataclass(frozen=True)
class FailsToTrain(Claim):
    """Each of ``labels`` ends near chance, or far below ``reference`` (a shallower net).

    Near chance: the 95 % interval of the label's mean accuracy (seeds and test images) lies
    within ``near`` of chance. Far below: the interval of the reference's gap over the label
    lies above ``far`` (``margins.EXCEEDS``); below it, the label trained (not far below).
    Holds when every label failed; fails when one trained; underpowered otherwise. A run of
    ``labels`` near chance, or never getting a class right, is the claim's evidence, so those flags
    do not exclude it; one whose training loss rose (diverged) is excluded all the same: a
    loss that climbs is a step size too large, not the fading signal the claim is about.
    """

    labels: tuple[str, ...]
    reference: str
    chance: float | None = None  # None: one over the number of classes
    near: float = 0.1  # within this of chance counts as "near chance"
    far: float = 0.1  # this far below the reference counts as "far below"
    kind = "fails_to_train"
    evidence_plots = ("accuracy_vs_depth",)
    expected_failures = (NEAR_CHANCE, NEVER_RIGHT)

    def run_labels(self) -> tuple[str, ...]:
        return (*self.labels, self.reference)

    def expects_failure(self) -> tuple[str, ...]:
        return self.labels

    def decide(self, results: ExperimentResults) -> Verdict:
        reference_rows = results_of(results, self.reference)
        reference_mean = mean_std(row["accuracy"] for row in reference_rows)[0]
        chance = self.chance or 1 / len(results.dataset_record.class_names)
        states, details, comparisons = [], [], []
        for label in self.labels:
            rows = results_of(results, label)
            labels = results.test_labels(rows[0])
            low, high = paired.accuracy_interval(
                [results.artifacts(row)["predictions"] for row in rows], labels)
            mean = mean_std(row["accuracy"] for row in rows)[0]
            below = compare(results, self.reference, reference_rows, label, rows, "accuracy",
                            EXCEEDS)
            below = replace(below, numbers=replace(below.numbers, margin=self.far))
            gap = below.numbers
            outcome = verdict_of_interval(gap.low, gap.high, self.far, EXCEEDS)
            if high <= chance + self.near or outcome == HOLDS:
                state = "failed"
            elif outcome == FAILS:
                state = "trained"
            else:
                state = "undecided"
            if gap.n_test < MIN_TEST_IMAGES and state != "failed":
                state = "undecided"
            states.append(state)
            comparisons.append((state, below))
            details.append(f"{label} {mean:.4f} (95 % interval {low:.4f}..{high:.4f}; "
                           f"{self.reference} minus it {points(gap.gap)} points, "
                           f"{points(gap.low)}..{points(gap.high)}): {state}")
        evidence = (f"{'; '.join(details)}; chance {chance:.2f}, {self.reference} "
                    f"{reference_mean:.4f} (failing = within {100 * self.near:.0f} points of chance "
                    f"or more than {100 * self.far:.0f} points below the reference)")
        test = (f"95 % intervals ({paired.BOOTSTRAP}): the accuracy against chance plus "
                f"{100 * self.near:.0f} points, the gap to the reference against "
                f"{100 * self.far:.0f} points")
        if all(state == "failed" for state in states):
            verdict, state = HOLDS, "failed"
        elif "trained" in states:
            verdict, state = FAILS, "trained"
        else:
            verdict, state = UNDERPOWERED, "undecided"
        chosen = next(below for found, below in comparisons if found == state)
        if verdict == HOLDS:  # the weakest failure: the label closest to training
            chosen = min((below for _, below in comparisons), key=lambda below: below.numbers.low)
        numbers = replace(chosen.numbers, deciding=(
            f"{chosen.numbers.side_a} minus {chosen.numbers.side_b}"
            + (f": of {len(self.labels)} deep nets, the one deciding" if len(self.labels) > 1
               else "")))
        return Verdict(verdict, evidence, test, chosen.p_value, numbers)


@dataclass(frozen=True)
class Trains(FailsToTrain):
    """The converse of ``FailsToTrain``: each of ``labels`` trains (not near chance, and not
    far below ``reference``). Holds when every label trained, fails when one failed,
    underpowered otherwise. A failed run (near chance, a class never right, or a diverged loss)
    is its evidence against, so no failure flag excludes it."""

    kind = "trains"
    evidence_plots = ("accuracy_vs_depth",)
    expected_failures = (NEAR_CHANCE, NEVER_RIGHT, DIVERGED)

    def decide(self, results: ExperimentResults) -> Verdict:
        failing = super().decide(results)
        verdict = {HOLDS: FAILS, FAILS: HOLDS}.get(failing.verdict, failing.verdict)
        return replace(failing, verdict=verdict)
