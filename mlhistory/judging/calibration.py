"""Claims about how far a model's confidence matches how often it is right (experiment 01).

Naive Bayes multiplies one probability per pixel as if the pixels were independent; on images,
where neighbouring pixels say the same thing, it counts the same evidence many times and grows
surer than it is right. Its over-confidence is the measurable trace of that assumption:
over-confidence = the mean probability a model gives its predicted class minus its accuracy,
on the same test images (0 for a calibrated model). Each run saves the probability of its
predicted class per test image (``CONFIDENCE``).
"""

from dataclasses import dataclass

import numpy as np

from ..results import ExperimentResults
from . import paired
from .base import Claim, results_of_each
from .comparisons import all_of, combined
from .margins import BEATS, CONFIDENCE_MARGIN, MIN_TEST_IMAGES, points, verdict_of_interval
from .verdicts import SETUP_SHORT, UNDERPOWERED, Numbers, Verdict

CONFIDENCE = "confidence"
TEST = (f"over-confidence (mean confidence minus accuracy), gap by the {paired.BOOTSTRAP} "
        f"(per image: its confidence minus whether it is right), against the margin")


def overconfidence(results: ExperimentResults, row: dict) -> np.ndarray:
    """Per test image: the probability given to the predicted class minus 1 if it is right,
    else minus 0; its mean is the run's over-confidence."""
    saved = results.artifacts(row)
    right = saved["predictions"] == results.test_labels(row)
    return saved[CONFIDENCE].astype(float) - right


@dataclass(frozen=True)
class MoreOverconfident(Claim):
    """Each of ``overconfident`` is surer than it is right by more than ``calibrated`` is: its
    over-confidence minus ``calibrated``'s, by the paired bootstrap of the mean over seeds and
    test images, has a 95 % interval above 0 (``all_of``). Fails when one lies below 0; ties
    when one lies within ± the margin (``CONFIDENCE_MARGIN``)."""

    overconfident: tuple[str, ...]
    calibrated: str
    kind = "more_overconfident"
    evidence_plots = ("reliability",)

    def run_labels(self) -> tuple[str, ...]:
        return (*self.overconfident, self.calibrated)

    def decide(self, results: ExperimentResults) -> Verdict:
        rows = results_of_each(results, self.run_labels())
        lacking = [results.display_name(label) for label, found in rows.items()
                   if any(CONFIDENCE not in results.artifacts(row) for row in found)]
        if lacking:
            return Verdict(SETUP_SHORT, f"{', '.join(lacking)} saved no {CONFIDENCE} (run before "
                                        f"it was kept)", TEST)
        scores = {label: np.stack([overconfidence(results, row) for row in found])
                  for label, found in rows.items()}
        calibrated = scores[self.calibrated]
        comparisons = []
        for label in self.overconfident:
            draws = paired.bootstrap_score_means([scores[label], calibrated])
            gaps = draws[:, 0] - draws[:, 1]
            low, high = paired.interval(gaps)
            mean_a, mean_b = float(scores[label].mean()), float(calibrated.mean())
            verdict = verdict_of_interval(low, high, CONFIDENCE_MARGIN, BEATS)
            n_test = calibrated.shape[1]
            evidence = (f"{results.display_name(label)} over-confident by {points(mean_a)} "
                        f"points vs {results.display_name(self.calibrated)} {points(mean_b)}: "
                        f"gap {points(mean_a - mean_b)}, 95 % interval {points(low)}.."
                        f"{points(high)}, margin {100 * CONFIDENCE_MARGIN:.2f}")
            if n_test < MIN_TEST_IMAGES:
                evidence += (f"; only {n_test:,} test images (fewer than {MIN_TEST_IMAGES:,}): "
                             f"an illustration, not a verdict")
                verdict = UNDERPOWERED
            evidence = f"[{verdict}] {evidence}"
            numbers = Numbers("over-confidence", results.display_name(label),
                              results.display_name(self.calibrated), mean_a, mean_b,
                              mean_a - mean_b, low, high, CONFIDENCE_MARGIN, len(rows[label]),
                              len(rows[self.calibrated]), rows[label][0]["n_train"],
                              rows[self.calibrated][0]["n_train"], n_test)
            comparisons.append(Verdict(verdict, evidence, TEST, paired.two_sided_p(gaps), numbers))
        summary = combined(all_of(comparison.verdict for comparison in comparisons), comparisons)
        return Verdict(summary.verdict, summary.evidence, TEST, summary.p_value, summary.numbers)
