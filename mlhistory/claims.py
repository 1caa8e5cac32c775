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
from .analysis import epoch_curve, first_epoch_reaching, fit_time_exponent, relative_error_reduction
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
class Claim:
    """A sentence from the book and what to compare; subclasses say how it is judged."""

    claim_id: str
    claim: str
    kind = ""  # the name it is saved under (a class attribute, not a field)

    def to_dict(self) -> dict:
        """The saved form of a claim: its kind and fields, tuples as lists."""
        return {"kind": self.kind, **{key: _as_lists(value) for key, value in asdict(self).items()}}

    def evaluate(self, results: ExperimentResults) -> Verdict:
        raise NotImplementedError


def _as_lists(value):
    return [_as_lists(item) for item in value] if isinstance(value, tuple) else value


@dataclass(frozen=True)
class Beats(Claim):
    """``winner`` scores higher than every run in ``losers`` on ``metric``, at each one's largest size."""

    winner: str
    losers: tuple[str, ...]
    metric: str = "accuracy"
    kind = "beats"

    @staticmethod
    def combine(verdicts: set[str]) -> str:
        if FAILS in verdicts:
            return FAILS
        return HOLDS if verdicts == {HOLDS} else INCONCLUSIVE

    def evaluate(self, results: ExperimentResults) -> Verdict:
        comparisons = _comparisons(results, self.winner, self.losers, self.metric)
        if isinstance(comparisons, Verdict):
            return comparisons
        return Verdict(self.combine({comparison.verdict for comparison in comparisons}),
                       "; ".join(comparison.evidence for comparison in comparisons))


@dataclass(frozen=True)
class MatchesOrBeats(Beats):
    """``winner`` is not worse than any run in ``losers`` beyond the noise margin."""

    kind = "matches_or_beats"

    @staticmethod
    def combine(verdicts: set[str]) -> str:
        return FAILS if FAILS in verdicts else HOLDS


def _comparisons(results: ExperimentResults, winner: str, losers, metric: str):
    """``winner`` against each loser, or an inconclusive Verdict when a run has no results."""
    scores = {}
    for label in (winner, *losers):
        scores[label] = [row[metric] for row in results.rows_of(label)]
        if not scores[label]:
            return Verdict(INCONCLUSIVE, f"no results for {label}")
    return [compare(winner, scores[winner], loser, scores[loser], metric) for loser in losers]


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


@dataclass(frozen=True)
class ReachesSooner(Claim):
    """``fast`` reaches ``slow``'s final test accuracy in fewer epochs than ``slow`` needs.

    ``slow`` is credited with the first epoch at which its mean curve comes within the noise
    floor of its own final value, so a net that plateaued early is not penalised.
    """

    fast: str
    slow: str
    kind = "reaches_sooner"

    def evaluate(self, results: ExperimentResults) -> Verdict:
        for label in (self.fast, self.slow):
            if not results.rows_of(label):
                return Verdict(INCONCLUSIVE, f"no results for {label}")
        fast_curve, _ = epoch_curve(results, self.fast)
        slow_curve, _ = epoch_curve(results, self.slow)
        target = float(slow_curve[-1])
        slow_epochs = first_epoch_reaching(slow_curve, target - MIN_MARGIN)
        fast_epochs = first_epoch_reaching(fast_curve, target - MIN_MARGIN)
        evidence = (f"{self.slow} ends at {target:.4f} after {len(slow_curve)} epochs and is within "
                    f"{100 * MIN_MARGIN:.1f} points of it from epoch {slow_epochs}; {self.fast} ")
        if fast_epochs is None:
            return Verdict(FAILS, evidence + f"never reaches it in {len(fast_curve)} epochs "
                                             f"(best {fast_curve.max():.4f})")
        evidence += f"reaches it at epoch {fast_epochs} of {len(fast_curve)}"
        if fast_epochs < slow_epochs:
            return Verdict(HOLDS, evidence)
        return Verdict(FAILS if fast_epochs > slow_epochs else INCONCLUSIVE, evidence)


@dataclass(frozen=True)
class FitTimeExponents(Claim):
    """``steep``'s fit time grows faster than size^threshold while ``linear``'s stays near size^1."""

    steep: str
    linear: str
    min_size: int
    threshold: float = 1.5
    linear_band: tuple[float, float] = (0.7, 1.3)
    kind = "fit_time_exponents"

    def evaluate(self, results: ExperimentResults) -> Verdict:
        steep, steep_sizes = fit_time_exponent(results, self.steep, self.min_size)
        linear, linear_sizes = fit_time_exponent(results, self.linear, self.min_size)
        if math.isnan(steep) or math.isnan(linear):
            return Verdict(INCONCLUSIVE, f"fewer than two training sizes >= {self.min_size:,}")
        low, high = self.linear_band
        evidence = (f"fit-time exponent of {self.steep} {steep:.2f} over n_train "
                    f"{steep_sizes[0]:,}..{steep_sizes[-1]:,} (threshold {self.threshold}); "
                    f"{self.linear} {linear:.2f} over {linear_sizes[0]:,}..{linear_sizes[-1]:,} "
                    f"(near 1 means {low}..{high})")
        holds = steep > self.threshold and low <= linear <= high
        return Verdict(HOLDS if holds else FAILS, evidence)


@dataclass(frozen=True)
class WinRate(Claim):
    """Each ``(winner, loser)`` pair is compared seed by seed; the claim holds above 50 % wins.

    A deterministic model (one run) is compared with every seed of the other side.
    """

    pairs: tuple[tuple[str, str], ...]
    metric: str = "accuracy"
    kind = "win_rate"

    def evaluate(self, results: ExperimentResults) -> Verdict:
        wins = ties = total = 0
        details = []
        for winner, loser in self.pairs:
            matches = _seed_matched(results.rows_of(winner), results.rows_of(loser), self.metric)
            pair_wins = sum(a > b for a, b in matches)
            wins += pair_wins
            ties += sum(a == b for a, b in matches)
            total += len(matches)
            details.append(f"{winner} vs {loser}: {pair_wins} of {len(matches)}")
        if total == 0:
            return Verdict(INCONCLUSIVE, "no seed-matched results")
        rate = wins / total
        evidence = f"win rate {wins}/{total} = {100 * rate:.0f} % ({ties} ties); " + "; ".join(details)
        if rate == 0.5:
            return Verdict(INCONCLUSIVE, evidence)
        return Verdict(HOLDS if rate > 0.5 else FAILS, evidence)


def _seed_matched(rows_a: list[dict], rows_b: list[dict], metric: str) -> list[tuple]:
    """Pairs of scores with the same seed; a deterministic model's single run meets every seed."""
    if len(rows_a) == 1 or len(rows_b) == 1:
        return [(a[metric], b[metric]) for a in rows_a for b in rows_b]
    by_seed = {row["seed"]: row[metric] for row in rows_b}
    return [(row[metric], by_seed[row["seed"]]) for row in rows_a if row["seed"] in by_seed]


@dataclass(frozen=True)
class ErrorReduction(Claim):
    """``better`` removes about ``quoted`` of ``worse``'s test error (within ``tolerance``)."""

    better: str
    worse: str
    quoted: float
    tolerance: float = 0.1
    kind = "error_reduction"

    def evaluate(self, results: ExperimentResults) -> Verdict:
        means = {}
        for label in (self.better, self.worse):
            rows = results.rows_of(label)
            if not rows:
                return Verdict(INCONCLUSIVE, f"no results for {label}")
            means[label] = mean_std(row["accuracy"] for row in rows)[0]
        reduction = relative_error_reduction(means[self.better], means[self.worse])
        evidence = (f"{self.better} error {1 - means[self.better]:.4f} vs {self.worse} error "
                    f"{1 - means[self.worse]:.4f}: {100 * reduction:.0f} % fewer errors; quoted "
                    f"{100 * self.quoted:.0f} % ± {100 * self.tolerance:.0f}")
        return Verdict(HOLDS if abs(reduction - self.quoted) <= self.tolerance else FAILS, evidence)


CLAIM_KINDS = {kind.kind: kind for kind in
               (Beats, MatchesOrBeats, ReachesSooner, FitTimeExponents, WinRate, ErrorReduction)}


def from_dict(saved: dict):
    fields = {key: tuple(tuple(item) if isinstance(item, list) else item for item in value)
              if isinstance(value, list) else value
              for key, value in saved.items() if key != "kind"}
    return CLAIM_KINDS[saved["kind"]](**fields)


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
