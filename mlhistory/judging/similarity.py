"""Claims about the layers' representations (experiment 07), the book's "information
distillation": each successive representation less like the input image (``DriftsFromInput``)
and more informative about the class (``RisesAlong``). Both are judged step by step along the
block outputs, each step's change drawn by a bootstrap of the mean over seeds and test images
(the same images for every step), and hold only when every step goes the book's way.

Similarity is linear CKA (centred kernel alignment, Kornblith et al. 2019) between the input
pixels and a layer's output, saved with each run on batches of the test images (``INPUT_CKA``:
one row per batch, one column per layer named in ``LAYER_NAMES``). What a layer says about the
class is what a linear probe reads from it: each layer's probe predictions of the test images
(``PROBE_PREDICTIONS``: one row per layer).
"""

from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from . import paired
from .base import Claim, results_of
from .comparisons import all_of, combined
from .margins import ACCURACY_MARGIN, BEATS, CKA_MARGIN, MIN_TEST_IMAGES, verdict_of_interval
from .verdicts import SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

INPUT_CKA = "input_cka"
LAYER_NAMES = "layer_names"
PROBE_PREDICTIONS = "probe_predictions"


def step_by_step(name: str, steps: tuple[str, ...], means: np.ndarray, changes: np.ndarray,
                 quantity: str, margin: float, rows: list[dict], units: str,
                 rising: bool) -> Verdict:
    """One verdict from the changes between consecutive steps, each judged as "beats".

    ``means`` holds each step's mean; ``changes`` each step-to-next change per bootstrap draw,
    (draws, steps - 1), signed so that the book's direction is positive (a rise when
    ``rising``, else a drop). Holds when every change's 95 % interval lies above 0
    (``all_of``); fails when one lies below 0; ties when one lies within ± ``margin``; an
    illustration (underpowered) on fewer than ``MIN_TEST_IMAGES`` test images.
    """
    n_test = rows[0]["n_test"]
    sign = 1 if rising else -1  # the change shown is always the later step minus the earlier
    comparisons = []
    for step in range(len(steps) - 1):
        before, after = steps[step], steps[step + 1]
        low, high = paired.interval(changes[:, step])
        change = sign * float(means[step + 1] - means[step])
        verdict = verdict_of_interval(low, high, margin, BEATS)
        if n_test < MIN_TEST_IMAGES:
            verdict = UNDERPOWERED
        # Side A is the step the book expects to be ahead: the later one for a rise.
        ahead, behind = (step + 1, step) if rising else (step, step + 1)
        numbers = Numbers(quantity, f"{name}: {steps[ahead]}", f"{name}: {steps[behind]}",
                          float(means[ahead]), float(means[behind]), change, low, high, margin,
                          len(rows), len(rows), rows[0]["n_train"], rows[0]["n_train"], n_test,
                          f"the change from {before} to {after}, over {units}")
        shown_low, shown_high = (low, high) if rising else (-high, -low)
        comparisons.append(Verdict(verdict, f"[{verdict}] {before} to {after} "
                                            f"{sign * change:+.4f} (95 % interval "
                                            f"{shown_low:+.4f}..{shown_high:+.4f})",
                                   numbers=numbers, p_value=paired.two_sided_p(changes[:, step])))
    prefix = (f"{quantity} of {name} ({len(rows)} seeds, {units}): "
              + ", ".join(f"{step} {value:.4f}" for step, value in zip(steps, means, strict=True))
              + f"; change from each step to the next, margin {margin}: ")
    if n_test < MIN_TEST_IMAGES:
        prefix = (f"only {n_test:,} test images (fewer than {MIN_TEST_IMAGES:,}): an "
                  f"illustration, not a verdict; " + prefix)
    return combined(all_of(comparison.verdict for comparison in comparisons), comparisons, prefix)


def saved_layers(results: ExperimentResults, label: str, steps: tuple[str, ...], artifact: str,
                 test: str) -> tuple[list[dict], list[dict], list[int]] | Verdict:
    """A layered claim's runs, each run's saved artifacts and the positions of ``steps`` among
    its layers; a "setup short" verdict when a run saved no ``artifact``."""
    rows = results_of(results, label)
    saved = [results.artifacts(row) for row in rows]
    if any(artifact not in artifacts for artifacts in saved):
        return Verdict(SETUP_SHORT, f"{results.display_name(label)} saved no {artifact} (run "
                                    f"before it was kept)", test)
    names = [str(layer) for layer in saved[0][LAYER_NAMES]]
    return rows, saved, [names.index(step) for step in steps]


@dataclass(frozen=True)
class DriftsFromInput(Claim):
    """Along ``steps`` (layer names, input side first), each layer of ``label`` is less similar
    to the input than the one before: every drop in linear CKA with the input from one step to
    the next is above 0.

    Each drop (a step's mean CKA minus the next step's, means over seeds and test batches) is
    drawn by a bootstrap of the mean over seeds and test batches, the same batches for every
    step. Holds when every drop's 95 % interval lies above 0 (``all_of``); fails when one lies
    below 0; ties when one lies within ± the CKA margin. On a test set of fewer than
    ``MIN_TEST_IMAGES`` images it is an illustration: underpowered.
    """

    label: str
    steps: tuple[str, ...]
    kind = "drifts_from_input"
    evidence_plots = ("input_similarity",)

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        test = (f"each step's drop in linear CKA with the input, bootstrap of the mean over "
                f"seeds and test batches ({paired.BOOTSTRAP_DRAWS:,} draws), against the margin")
        found = saved_layers(results, self.label, self.steps, INPUT_CKA, test)
        if isinstance(found, Verdict):
            return found
        rows, saved, chosen = found
        name = results.display_name(self.label)
        values = np.stack([artifacts[INPUT_CKA][:, chosen] for artifacts in saved])  # seeds, batches, steps
        draws = paired.bootstrap_score_means([values[:, :, step] for step in range(len(chosen))])
        summary = step_by_step(name, self.steps, values.mean(axis=(0, 1)),
                               draws[:, :-1] - draws[:, 1:], "linear CKA with the input",
                               CKA_MARGIN, rows, f"{values.shape[1]} batches of the "
                               f"{rows[0]['n_test']:,} test images", rising=False)
        return Verdict(summary.verdict, summary.evidence, test, summary.p_value, summary.numbers)


@dataclass(frozen=True)
class RisesAlong(Claim):
    """Along ``steps`` (layer names, input side first), what a linear probe reads about the
    class from ``label``'s layers rises: every step's probe accuracy is above the one before.

    Each rise (the next step's mean probe accuracy minus this step's) is drawn by the paired
    bootstrap of the mean over seeds and test images, from each seed's per-image difference
    between the two steps (right 1, wrong 0), so a draw keeps a seed's two layers together.
    Judged step by step (``step_by_step``): a significant dip at any step fails it; a step whose
    interval lies within ± the accuracy margin makes it a tie.
    """

    label: str
    steps: tuple[str, ...]
    kind = "rises_along"
    evidence_plots = ("probe_accuracy",)

    def run_labels(self) -> tuple[str, ...]:
        return (self.label,)

    def decide(self, results: ExperimentResults) -> Verdict:
        test = (f"each step's rise in probe accuracy, paired bootstrap of the mean over seeds "
                f"and test images ({paired.BOOTSTRAP_DRAWS:,} draws), against the margin")
        found = saved_layers(results, self.label, self.steps, PROBE_PREDICTIONS, test)
        if isinstance(found, Verdict):
            return found
        rows, saved, chosen = found
        name = results.display_name(self.label)
        labels = results.test_labels(rows[0])
        correct = np.stack([artifacts[PROBE_PREDICTIONS][chosen] == labels
                            for artifacts in saved]).astype(float)  # seeds, steps, images
        rises = [correct[:, step + 1] - correct[:, step] for step in range(len(chosen) - 1)]
        summary = step_by_step(name, self.steps, correct.mean(axis=(0, 2)),
                               paired.bootstrap_score_means(rises), "probe accuracy",
                               ACCURACY_MARGIN, rows, f"the {rows[0]['n_test']:,} test images",
                               rising=True)
        return Verdict(summary.verdict, summary.evidence, test, summary.p_value, summary.numbers)
