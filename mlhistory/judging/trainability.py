"""Claims about whether a recipe trains a deep net at all, judged on the training side: the
final training loss it reaches after the same number of steps as a shallower net of the recipe.
"""

import math
from dataclasses import dataclass, replace

import numpy as np

from ..results import ExperimentResults, mean_std
from ..results.flags import DIVERGED, NEAR_CHANCE, NEVER_RIGHT
from .base import Claim, results_of_each
from .gradients import SEED_BOOTSTRAP, final_training_loss, seed_gap_interval
from .margins import EXCEEDS, TRAINING_LOSS_FAR, verdict_of_interval
from .verdicts import FAILS, HOLDS, UNDERPOWERED, Numbers, Verdict


def final_loss_or_chance(results: ExperimentResults, row: dict) -> float:
    """A run's training loss after its last epoch; a loss that blew up (not finite) counts as
    the loss of guessing, ln(number of classes), which is what such a net's predictions give."""
    loss = final_training_loss(results, row)
    return loss if math.isfinite(loss) else math.log(len(results.dataset_record.class_names))


@dataclass(frozen=True)
class FailsToTrain(Claim):
    """Each of ``labels`` fails to train: after the same epochs (the same steps), its final
    training loss lies far above ``reference``'s, a shallower net of the same recipe.

    The gap (the label's mean final training loss minus the reference's) gets a 95 % interval
    from a bootstrap over each side's seeds: "failed" when it lies above ``far``
    (``margins.EXCEEDS``), "trained" when it lies below ``far``, undecided otherwise. Holds when
    every label failed; fails when one trained; underpowered otherwise. A seed near chance, or
    never getting a class right, is the claim's evidence, so those flags do not exclude it; a
    seed whose training loss rose (diverged) is excluded and counted in the evidence: a loss
    that climbs is a step size too large, not the fading signal the claim is about.
    """

    labels: tuple[str, ...]
    reference: str
    far: float = TRAINING_LOSS_FAR
    kind = "fails_to_train"
    evidence_plots = ("accuracy_vs_depth",)
    expected_failures = (NEAR_CHANCE, NEVER_RIGHT)

    def run_labels(self) -> tuple[str, ...]:
        return (*self.labels, self.reference)

    def expects_failure(self) -> tuple[str, ...]:
        return self.labels

    def decide(self, results: ExperimentResults) -> Verdict:
        every = results_of_each(results, self.run_labels())  # every run has results, or NoResults
        reference_rows = every[self.reference]
        reference = np.array([final_loss_or_chance(results, row) for row in reference_rows])
        states, details, found = [], [], []
        for label in self.labels:
            rows = every[label]
            losses = np.array([final_loss_or_chance(results, row) for row in rows])
            gap = float(losses.mean() - reference.mean())
            low, high = seed_gap_interval(losses, reference)
            outcome = verdict_of_interval(low, high, self.far, EXCEEDS)
            state = {HOLDS: "failed", FAILS: "trained"}.get(outcome, "undecided")
            accuracy = mean_std(row["accuracy"] for row in rows)[0]
            states.append(state)
            found.append((state, Numbers(
                "final training loss", results.display_name(label),
                results.display_name(self.reference), float(losses.mean()),
                float(reference.mean()), gap, low, high, self.far, len(rows), len(reference_rows),
                rows[0]["n_train"], reference_rows[0]["n_train"], None,
                f"{results.display_name(label)} minus {results.display_name(self.reference)}"
                + (f": of {len(self.labels)} deep nets, the one deciding"
                   if len(self.labels) > 1 else ""))))
            details.append(f"{label} final training loss {losses.mean():.4f} over {len(rows)} "
                           f"seeds (test accuracy {accuracy:.4f}); minus {self.reference}'s "
                           f"{gap:+.4f}, 95 % interval {low:+.4f}..{high:+.4f}: {state}")
        evidence = (f"{'; '.join(details)}; {self.reference} {reference.mean():.4f} over "
                    f"{len(reference_rows)} seeds (failing = a final training loss more than "
                    f"{self.far} nats above the reference's; a loss that blew up counts as "
                    "guessing's; only the seeds vary, so few seeds give a rough interval)")
        test = (f"final training loss after the same epochs, the gap to the reference's with "
                f"its 95 % interval ({SEED_BOOTSTRAP}) against {self.far} nats")
        if all(state == "failed" for state in states):
            verdict = HOLDS
            # the weakest failure: the label closest to training
            numbers = min((numbers for _, numbers in found), key=lambda numbers: numbers.low)
        elif "trained" in states:
            verdict = FAILS
            numbers = next(numbers for state, numbers in found if state == "trained")
        else:
            verdict = UNDERPOWERED
            numbers = next(numbers for state, numbers in found if state == "undecided")
        return Verdict(verdict, evidence, test, numbers=numbers)


@dataclass(frozen=True)
class Trains(FailsToTrain):
    """The converse of ``FailsToTrain``: each of ``labels`` trains (its final training loss not
    far above ``reference``'s). Holds when every label trained, fails when one failed,
    underpowered otherwise. A failed run (near chance, a class never right, or a diverged loss)
    is its evidence against, so no failure flag excludes it."""

    kind = "trains"
    evidence_plots = ("accuracy_vs_depth",)
    expected_failures = (NEAR_CHANCE, NEVER_RIGHT, DIVERGED)

    def decide(self, results: ExperimentResults) -> Verdict:
        failing = super().decide(results)
        verdict = {HOLDS: FAILS, FAILS: HOLDS}.get(failing.verdict, failing.verdict)
        return replace(failing, verdict=verdict)
