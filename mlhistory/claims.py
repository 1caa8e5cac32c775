"""The book's claims, each with a verdict computed from saved result rows.

A claim is data (an id, the sentence, and what it compares), so an experiment can save its
claims and ``make report`` can judge them again from results alone. Verdicts:

- holds: the gap is in the claimed direction and larger than the noise margin;
- fails: the gap is in the opposite direction and larger than the noise margin;
- inconclusive: the gap is within the noise margin, or a model has no results.

The noise margin is two standard errors of the difference of the means over seeds, and at
least ``MIN_MARGIN`` (one test image in a thousand), so two deterministic models that differ
by a handful of test images are not called different.
"""

import csv
import io
import math
from dataclasses import asdict, dataclass
from pathlib import Path

from . import atomic
from .results import ExperimentResults, mean_std

HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"
MIN_MARGIN = 0.001
# The columns plus the dataset, since one claim gets a verdict per dataset.
CLAIMS_COLUMNS = ["experiment", "dataset", "claim_id", "claim", "verdict", "evidence"]


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str


@dataclass(frozen=True)
class Beats:
    """``winner`` scores higher than every run in ``losers`` on ``metric``, at each one's largest size."""

    claim_id: str
    claim: str
    winner: str
    losers: tuple[str, ...]
    metric: str = "accuracy"
    kind = "beats"

    def to_dict(self) -> dict:
        return {"kind": self.kind, **asdict(self), "losers": list(self.losers)}

    def evaluate(self, results: ExperimentResults) -> Verdict:
        scores = {}
        for label in (self.winner, *self.losers):
            values = [row[self.metric] for row in results.rows_of(label)]
            if not values:
                return Verdict(INCONCLUSIVE, f"no results for {label}")
            scores[label] = values
        comparisons = [compare(self.winner, scores[self.winner], loser, scores[loser], self.metric)
                       for loser in self.losers]
        verdicts = {verdict.verdict for verdict in comparisons}
        if FAILS in verdicts:
            overall = FAILS
        elif verdicts == {HOLDS}:
            overall = HOLDS
        else:
            overall = INCONCLUSIVE
        return Verdict(overall, "; ".join(verdict.evidence for verdict in comparisons))


def compare(name_a: str, values_a: list[float], name_b: str, values_b: list[float],
            metric: str) -> Verdict:
    """Is A's mean above B's by more than the noise margin?"""
    mean_a, std_a = mean_std(values_a)
    mean_b, std_b = mean_std(values_b)
    gap = mean_a - mean_b
    standard_error = math.sqrt(std_a**2 / len(values_a) + std_b**2 / len(values_b))
    margin = max(2 * standard_error, MIN_MARGIN)
    if gap > margin:
        verdict = HOLDS
    elif gap < -margin:
        verdict = FAILS
    else:
        verdict = INCONCLUSIVE
    evidence = (f"{name_a} {metric} {_describe(mean_a, std_a, len(values_a))} vs {name_b} "
                f"{_describe(mean_b, std_b, len(values_b))}: gap {100 * gap:+.2f} points, "
                f"noise margin {100 * margin:.2f}")
    return Verdict(verdict, evidence)


def _describe(mean: float, std: float, count: int) -> str:
    seeds = f"{count} seed" + ("s" if count != 1 else "")
    return f"{mean:.4f} ± {std:.4f} ({seeds})"


CLAIM_KINDS = {Beats.kind: Beats}


def from_dict(saved: dict):
    fields = {key: value for key, value in saved.items() if key != "kind"}
    claim_class = CLAIM_KINDS[saved["kind"]]
    if "losers" in fields:
        fields["losers"] = tuple(fields["losers"])
    return claim_class(**fields)


def judge(results: ExperimentResults, claims: list) -> list[dict]:
    """One ``claims.csv`` row per claim, judged on one experiment's saved results."""
    judged = []
    for claim in claims:
        verdict = claim.evaluate(results)
        judged.append({"experiment": results.manifest["experiment_id"], "dataset": results.dataset,
                       "claim_id": claim.claim_id, "claim": claim.claim,
                       "verdict": verdict.verdict, "evidence": verdict.evidence})
    return judged


def write(path: Path, judged: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CLAIMS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(judged)
    atomic.write_text(path, buffer.getvalue())


def read(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))
