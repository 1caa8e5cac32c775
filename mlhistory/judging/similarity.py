"""Claims about how much a layer's representation still looks like the input (experiment 07): the
first half of the book's "information distillation", each successive representation less like
the input image. Similarity is linear CKA (centred kernel alignment, Kornblith et al. 2019)
between the input pixels and a layer's output, saved with each run on batches of the test
images (``INPUT_CKA``: one row per batch, one column per layer named in ``LAYER_NAMES``).
"""

from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from . import paired
from .base import Claim, results_of
from .comparisons import all_of, combined
from .margins import BEATS, CKA_MARGIN, MIN_TEST_IMAGES, verdict_of_interval
from .verdicts import SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

INPUT_CKA = "input_cka"
LAYER_NAMES = "layer_names"


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
        rows = results_of(results, self.label)
        saved = [results.artifacts(row) for row in rows]
        name = results.display_name(self.label)
        test = (f"each step's drop in linear CKA with the input, bootstrap of the mean over "
                f"seeds and test batches ({paired.BOOTSTRAP_DRAWS:,} draws), against the margin")
        if any(INPUT_CKA not in artifacts for artifacts in saved):
            return Verdict(SETUP_SHORT, f"{name} saved no {INPUT_CKA} (run before it was kept)",
                           test)
        names = [str(layer) for layer in saved[0][LAYER_NAMES]]
        chosen = [names.index(step) for step in self.steps]
        values = np.stack([artifacts[INPUT_CKA][:, chosen] for artifacts in saved])  # seeds, batches, steps
        means = values.mean(axis=(0, 1))
        draws = paired.bootstrap_score_means([values[:, :, step] for step in range(len(chosen))])
        n_test, batches = rows[0]["n_test"], values.shape[1]
        comparisons = []
        for step in range(len(chosen) - 1):
            before, after = self.steps[step], self.steps[step + 1]
            drops = draws[:, step] - draws[:, step + 1]
            low, high = paired.interval(drops)
            drop = float(means[step] - means[step + 1])
            verdict = verdict_of_interval(low, high, CKA_MARGIN, BEATS)
            if n_test < MIN_TEST_IMAGES:
                verdict = UNDERPOWERED
            numbers = Numbers("linear CKA with the input", f"{name}: {before}", f"{name}: {after}",
                              float(means[step]), float(means[step + 1]), drop, low, high,
                              CKA_MARGIN, len(rows), len(rows), rows[0]["n_train"],
                              rows[0]["n_train"], n_test,
                              f"the drop from {before} to {after}, over {batches} test batches")
            comparisons.append(Verdict(verdict, f"[{verdict}] {before} to {after} {-drop:+.3f} "
                                                f"(95 % interval {-high:+.3f}..{-low:+.3f})",
                                       test, paired.two_sided_p(drops), numbers))
        prefix = (f"linear CKA with the input of {name} ({len(rows)} seeds, {batches} batches of "
                  f"the {n_test:,} test images): "
                  + ", ".join(f"{step} {value:.3f}" for step, value in zip(self.steps, means,
                                                                          strict=True))
                  + f"; change from each step to the next, margin {CKA_MARGIN}: ")
        if n_test < MIN_TEST_IMAGES:
            prefix = (f"only {n_test:,} test images (fewer than {MIN_TEST_IMAGES:,}): an "
                      f"illustration, not a verdict; " + prefix)
        summary = combined(all_of(comparison.verdict for comparison in comparisons), comparisons,
                           prefix)
        return Verdict(summary.verdict, summary.evidence, test, summary.p_value, summary.numbers)
