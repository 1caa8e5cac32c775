"""Claims about gradient propagation, judged on the training side (experiment 09): the training
loss a net reaches and the gradient ratio of its first layer to its last, both saved with every
run (``train_loss`` per epoch, ``gradient_norms_after_epoch_1`` per Dense kernel, input side
first). There are no test images in either, so the intervals come from a bootstrap over seeds
alone, and the evidence says how few seeds that is.

- ``PropagatesBetter``: one net (BN and residual connections) reaches a lower training loss and
  keeps its first layer's gradient nearer its last layer's than another of the same depth;
- ``FadesWithDepth``: the gradient reaching the first layer is weaker at the deepest net of one
  recipe than at the shallowest.
"""

import math
from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from ..results.flags import NEAR_CHANCE, NEVER_RIGHT
from . import paired
from .base import Claim, results_of_each
from .comparisons import all_of
from .margins import (
    BEATS,
    GRADIENT_RATIO_MARGIN,
    TRAINING_LOSS_MARGIN,
    verdict_of_interval,
)
from .verdicts import Numbers, Verdict

GRADIENTS = "gradient_norms_after_epoch_1"
SEED_BOOTSTRAP = f"bootstrap of the mean over seeds ({paired.BOOTSTRAP_DRAWS:,} draws)"


def final_training_loss(results: ExperimentResults, row: dict) -> float:
    return float(np.asarray(results.artifacts(row)["train_loss"], dtype=float)[-1])


def log_gradient_ratio(results: ExperimentResults, row: dict) -> float:
    """log10 of the first layer's gradient norm over the last layer's (the output head), after
    the first epoch: 0 when the signal reaches the first layer undiminished, -3 when a
    thousandth of it does."""
    norms = np.asarray(results.artifacts(row)[GRADIENTS], dtype=float)
    return math.log10(norms[0] / norms[-1])


def log_first_layer_gradient(results: ExperimentResults, row: dict) -> float:
    """log10 of the first layer's gradient norm after the first epoch: the training signal
    that reaches the layer next to the input."""
    return math.log10(float(np.asarray(results.artifacts(row)[GRADIENTS], dtype=float)[0]))


def seed_gap_interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """95 % interval of mean(a) - mean(b), each side's seeds drawn with replacement."""
    rng = np.random.default_rng(paired.BOOTSTRAP_SEED)
    means = [rng.multinomial(len(side), np.full(len(side), 1 / len(side)),
                             size=paired.BOOTSTRAP_DRAWS) @ side / len(side) for side in (a, b)]
    return paired.interval(means[0] - means[1])


@dataclass(frozen=True)
class PropagatesBetter(Claim):
    """``better`` trains better than ``worse`` (the same depth, another recipe): it reaches a
    lower final training loss, and its first layer's gradient is nearer its last layer's (a
    smaller |log10 ratio|). Each gap (worse minus better, so positive is the book's side) gets
    a bootstrap interval over seeds and its declared margin (``TRAINING_LOSS_MARGIN``,
    ``GRADIENT_RATIO_MARGIN``); the claim holds when both hold (``all_of``)."""

    better: str
    worse: str
    kind = "propagates_better"
    evidence_plots = ("gradient_norms", "accuracy_vs_depth")

    def run_labels(self) -> tuple[str, ...]:
        return (self.better, self.worse)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.run_labels())
        measures = (("final training loss", TRAINING_LOSS_MARGIN, final_training_loss),
                    ("|log10 gradient ratio, first layer to last|", GRADIENT_RATIO_MARGIN,
                     lambda saved, row: abs(log_gradient_ratio(saved, row))))
        verdicts, details = [], []
        for name, margin, measure in measures:
            better = np.array([measure(results, row) for row in rows[self.better]])
            worse = np.array([measure(results, row) for row in rows[self.worse]])
            gap = float(worse.mean() - better.mean())
            low, high = seed_gap_interval(worse, better)
            verdict = verdict_of_interval(low, high, margin, BEATS)
            numbers = Numbers(name, results.display_name(self.worse),
                              results.display_name(self.better), float(worse.mean()),
                              float(better.mean()), gap, low, high, margin, len(worse),
                              len(better), rows[self.worse][0]["n_train"],
                              rows[self.better][0]["n_train"], None,
                              f"{name}: {results.display_name(self.worse)} minus "
                              f"{results.display_name(self.better)}")
            verdicts.append(Verdict(verdict, "", numbers=numbers))
            details.append(f"[{verdict}] {name}: {results.display_name(self.better)} "
                           f"{better.mean():.4g} vs {results.display_name(self.worse)} "
                           f"{worse.mean():.4g} ({len(better)} and {len(worse)} seeds): gap "
                           f"{gap:+.4g}, 95 % interval {low:+.4g}..{high:+.4g}, margin "
                           f"{margin:.3g}")
        verdict = all_of(found.verdict for found in verdicts)
        chosen = next(found for found in verdicts if found.verdict == verdict)
        test = (f"final training loss and |log10| first-to-last gradient ratio after epoch 1, "
                f"each gap's 95 % interval ({SEED_BOOTSTRAP}) against its margin; both must hold")
        evidence = "; ".join(details) + ("; only the seeds vary (no test images enter), so "
                                         "few seeds give a rough interval")
        return Verdict(verdict, evidence, test, numbers=chosen.numbers)


@dataclass(frozen=True)
class FadesWithDepth(Claim):
    """Along ``labels`` (one recipe at growing depth), the training signal reaching the first
    layer fades: log10 of the first layer's gradient norm after epoch 1, the shallowest net's
    minus the deepest's (positive: weaker in the deeper net), its 95 % interval from a
    bootstrap over each side's seeds, against ``GRADIENT_RATIO_MARGIN`` (``margins.BEATS``:
    holds above 0, fails below, ties within the margin, underpowered otherwise). Every
    depth's mean is in the evidence and on the plot. The first layer's norm, not its ratio to
    the last layer's, because a signal that fades on the way forward shrinks the last layer's
    gradient too: a 20-layer net of the period's initialisation has every layer's gradient
    near 1e-5, its ratio near 1. A net near chance, or never getting a class right, is what a
    faded signal leaves, so those flags do not exclude it; a diverged one is excluded."""

    labels: tuple[str, ...]
    kind = "fades_with_depth"
    evidence_plots = ("gradient_norms",)
    expected_failures = (NEAR_CHANCE, NEVER_RIGHT)

    def run_labels(self) -> tuple[str, ...]:
        return self.labels

    def expects_failure(self) -> tuple[str, ...]:
        return self.labels

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.labels)  # every depth has results, or NoResults
        norms = {label: np.array([log_first_layer_gradient(results, row) for row in rows[label]])
                 for label in self.labels}
        first, last = self.labels[0], self.labels[-1]
        gap = float(norms[first].mean() - norms[last].mean())
        low, high = seed_gap_interval(norms[first], norms[last])
        verdict = verdict_of_interval(low, high, GRADIENT_RATIO_MARGIN, BEATS)
        evidence = ("log10 of the first layer's gradient norm after epoch 1: "
                    + ", ".join(f"{results.display_name(label)} {values.mean():+.2f} "
                                f"({len(values)} seeds)" for label, values in norms.items())
                    + f"; {results.display_name(first)} minus {results.display_name(last)} "
                      f"{gap:+.2f}, 95 % interval {low:+.2f}..{high:+.2f}, margin "
                      f"{GRADIENT_RATIO_MARGIN:.2f} (a factor of 2); only the seeds vary, so "
                      "few seeds give a rough interval")
        numbers = Numbers("log10 first-layer gradient norm", results.display_name(first),
                          results.display_name(last), float(norms[first].mean()),
                          float(norms[last].mean()), gap, low, high, GRADIENT_RATIO_MARGIN,
                          len(norms[first]), len(norms[last]), rows[first][0]["n_train"],
                          rows[last][0]["n_train"], None,
                          f"the shallowest net's minus the deepest's, of {len(self.labels)} "
                          "depths")
        test = (f"log10 first-layer gradient norm after epoch 1, the shallowest net's minus the "
                f"deepest's with its 95 % interval ({SEED_BOOTSTRAP}) against its margin")
        return Verdict(verdict, evidence, test, numbers=numbers)
