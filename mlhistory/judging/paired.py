"""Paired tests: models compared on the very same test images, by the gap of their means.

Two models scored on one test set make correlated errors (the hard images are hard for both),
so comparing their accuracies as if independent wastes most of the evidence. A claim compares
the means over seeds, so the test does too:

- the paired bootstrap of the mean (any side with several seeds, or any metric but accuracy
  on two deterministic runs): in every draw, each side's seeds are drawn with replacement (as
  many as it has) and the test images are drawn with replacement, the same images for both
  sides; the draw's gap is the mean metric of A's drawn seeds on the drawn images minus B's.
  So the spread over seeds and the spread over images both enter the interval, and the
  interval is the interval of the gap the report prints. The 95 % interval is the draws'
  2.5 and 97.5 % quantiles; the two-sided p-value twice the share of draws on the far side
  of zero. A side of one run of a deterministic model keeps its one run in every draw.
- McNemar's exact test where each side is one run of a deterministic model (accuracy): the
  two-sided binomial test on the images one gets right and the other wrong, with the exact
  (Clopper-Pearson) interval of the gap given those discordant images, which excludes 0
  exactly when p < 0.05.

For accuracy the bootstrap is drawn from counts: only the pattern of right and wrong across
every seed of every side matters per image, and a resample of n images holds a
Multinomial(n, share of each pattern) of them, which is exactly the distribution of resampling
the images themselves, in a fraction of the time. Macro-F1 (the metric for imbalanced data
such as shuttle) resamples the images. Draws are seeded, so a verdict is the same every time
the report is rebuilt.

``bootstrap_means`` is the engine (each side's drawn mean, per draw); a gap, a contrast of
several sides or a ratio of them are computed from its draws. ``bootstrap_score_means`` draws
the same way for a score each image (or batch of images) has, rather than a prediction.
"""

import math
from dataclasses import dataclass

import numpy as np

from .margins import Z_95, distance_to_settle, target_standard_error

ALPHA = 0.05
BOOTSTRAP_DRAWS = 2_000
BOOTSTRAP_SEED = 0
_CHUNK = 100  # draws per vectorised batch: 100 x 10,000 test images stays small in memory

MCNEMAR = "McNemar's exact test"
BOOTSTRAP = f"paired bootstrap of the mean over seeds and test images ({BOOTSTRAP_DRAWS:,} draws)"
DESCRIPTION = (f"Two models are compared on the same test images by the gap of their means: "
               f"{MCNEMAR} when each is one run of a deterministic model, else a {BOOTSTRAP}; "
               f"95 % interval of the gap against the declared margin.")
MAX_SEEDS_SHOWN = 100


@dataclass(frozen=True)
class PairedResult:
    """The gap of A's mean over B's on the same test images, with what a verdict needs."""

    gap: float  # mean metric of A minus mean metric of B, means over seeds
    low: float  # 95 % interval of the gap
    high: float
    p_value: float  # two-sided, against no difference
    test: str
    mean_a: float
    mean_b: float
    runs_a: int
    runs_b: int
    n_test: int
    # The variance of the gap from the test images alone, and each side's variance over seeds
    # (0 for a deterministic run; NaN for one run of a seeded model: unknown).
    image_variance: float
    seed_variance_a: float
    seed_variance_b: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


def score(predictions: np.ndarray, labels: np.ndarray, metric: str, n_classes: int) -> float:
    every_image_once = np.ones((1, len(labels)))
    return float(_scorer(predictions[np.newaxis], labels, metric, n_classes)(every_image_once)[0, 0])


def _scorer(runs: np.ndarray, labels: np.ndarray, metric: str, n_classes: int):
    """The metric of each run (a row of predictions) in each draw of the test images, a draw
    given as how many times it holds each image: a function of the (draws, images) array of
    those multiplicities, returning (draws, runs).

    Counting through the multiplicities is exactly scoring the drawn images themselves (every
    count is a whole number, exact in floating point), and for every run and draw at once one
    matrix product: no (draws, images) array of predictions is gathered for each run.
    """
    correct = runs == labels  # (runs, images)
    if metric == "accuracy":
        right = correct.T.astype(float)
        return lambda multiplicity: multiplicity @ right / len(labels)
    if metric != "macro_f1":
        raise ValueError(f"no paired test for the metric {metric!r}")
    n_runs, n_images = runs.shape
    classes = np.arange(n_classes)
    # Per image: its true class, and for each run its predicted class and whether it was a hit.
    actual = (labels[:, np.newaxis] == classes).astype(float)  # (images, classes)
    predicted = runs[:, :, np.newaxis] == classes  # (runs, images, classes)
    hits = predicted & correct[:, :, np.newaxis]
    per_run = np.stack([predicted, hits], axis=1).transpose(2, 0, 1, 3)
    per_run = per_run.reshape(n_images, -1).astype(float)  # (images, runs x 2 x classes)

    def scores(multiplicity: np.ndarray) -> np.ndarray:
        draws = len(multiplicity)
        counts = (multiplicity @ per_run).reshape(draws, n_runs, 2, n_classes)
        true_positive = counts[:, :, 1]
        denominator = counts[:, :, 0] + (multiplicity @ actual)[:, np.newaxis]
        f1 = np.divide(2 * true_positive, denominator, out=np.zeros(denominator.shape),
                       where=denominator > 0)
        # scikit-learn's macro-F1 averages over the classes present in the labels or predictions.
        present = denominator > 0
        return (f1 * present).sum(axis=2) / present.sum(axis=2)
    return scores


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> float:
    """Two-sided exact p-value of McNemar's test from per-image correctness."""
    from scipy.stats import binomtest

    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def mcnemar_interval(correct_a: np.ndarray, correct_b: np.ndarray) -> tuple[float, float]:
    """The exact 95 % interval of the accuracy gap given the discordant images: the
    Clopper-Pearson interval of A's share of them, scaled to the gap (2 share - 1) d / n. It
    excludes 0 exactly when McNemar's exact p is below 0.05."""
    from scipy.stats import beta

    n_images = len(correct_a)
    only_a = int(np.sum(correct_a & ~correct_b))
    discordant = only_a + int(np.sum(~correct_a & correct_b))
    if discordant == 0:
        return 0.0, 0.0
    low = beta.ppf(ALPHA / 2, only_a, discordant - only_a + 1) if only_a > 0 else 0.0
    high = beta.ppf(1 - ALPHA / 2, only_a + 1, discordant - only_a) if only_a < discordant else 1.0
    scale = discordant / n_images
    return float((2 * low - 1) * scale), float((2 * high - 1) * scale)


def bootstrap_means(sides: list[np.ndarray], labels: np.ndarray, metric: str, n_classes: int,
                    draws: int = BOOTSTRAP_DRAWS, seed: int = BOOTSTRAP_SEED,
                    counted: bool = True) -> np.ndarray:
    """Each side's mean metric in every draw of the paired bootstrap: (draws, sides).

    A side is an array of predictions, one row per seed. In each draw every side's seeds are
    drawn with replacement (as many as it has), and the test images with replacement, the same
    images for every side. ``counted``: accuracy drawn from the counts of each pattern of right
    and wrong (the same distribution); False resamples the images, as for any other metric.
    """
    rng = np.random.default_rng(seed)
    sides = [np.atleast_2d(side) for side in sides]
    # How often each of a side's seeds is drawn, as a share of its seeds: (draws, seeds).
    weights = [rng.multinomial(len(side), np.full(len(side), 1 / len(side)), size=draws)
               / len(side) for side in sides]
    if metric == "accuracy" and counted:
        return _counted_means([side == labels for side in sides], weights, rng)
    n_images = len(labels)
    scores = _scorer(np.concatenate(sides), labels, metric, n_classes)
    firsts = np.cumsum([0, *(len(side) for side in sides)])
    means = np.empty((draws, len(sides)))
    for start in range(0, draws, _CHUNK):
        stop = min(start + _CHUNK, draws)
        images = rng.integers(0, n_images, size=(stop - start, n_images))
        # How many times each draw holds each image, counted in one pass over the draws.
        offsets = (np.arange(stop - start) * n_images)[:, np.newaxis]
        multiplicity = np.bincount((images + offsets).ravel(), minlength=images.size)
        per_run = scores(multiplicity.reshape(images.shape).astype(float))  # (draws, runs)
        for index, weight in enumerate(weights):
            per_seed = per_run[:, firsts[index]:firsts[index + 1]]
            means[start:stop, index] = (per_seed * weight[start:stop]).sum(axis=1)
    return means


def bootstrap_score_means(sides: list[np.ndarray], draws: int = BOOTSTRAP_DRAWS,
                          seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """``bootstrap_means`` for a score each test image (or each batch of test images) already
    has, such as a confidence minus whether the prediction was right: each side's mean over its
    drawn seeds and the drawn units, per draw, (draws, sides). A side is an array of one row per
    seed and one column per unit; every side has the same units, drawn the same in each draw."""
    rng = np.random.default_rng(seed)
    sides = [np.atleast_2d(np.asarray(side, dtype=float)) for side in sides]
    weights = [rng.multinomial(len(side), np.full(len(side), 1 / len(side)), size=draws)
               / len(side) for side in sides]
    n_units = sides[0].shape[1]
    means = np.empty((draws, len(sides)))
    for start in range(0, draws, _CHUNK):
        stop = min(start + _CHUNK, draws)
        # How often each unit is drawn (resampling the units with replacement), as shares.
        shares = rng.multinomial(n_units, np.full(n_units, 1 / n_units), size=stop - start) / n_units
        for index, (side, weight) in enumerate(zip(sides, weights, strict=True)):
            means[start:stop, index] = ((shares @ side.T) * weight[start:stop]).sum(axis=1)
    return means


def _counted_means(correct: list[np.ndarray], weights: list[np.ndarray],
                   rng: np.random.Generator) -> np.ndarray:
    """Each side's mean accuracy per draw, the images drawn as counts of their patterns.

    An image's pattern is whether each seed of each side got it right. A resample of the n
    images holds Multinomial(n, share of each pattern) images of each pattern; a side's mean
    accuracy over its drawn seeds is then the sum over patterns of their count times the
    share of the drawn seeds that got the pattern right, over n.
    """
    every = np.concatenate(correct)  # (all seeds, images)
    n_images = every.shape[1]
    patterns, counts = _patterns(every)  # (patterns, all seeds)
    drawn = rng.multinomial(n_images, counts / n_images, size=len(weights[0]))  # (draws, patterns)
    means, first = [], 0
    for side, weight in zip(correct, weights, strict=True):
        right = weight @ patterns[:, first:first + len(side)].T.astype(float)  # (draws, patterns)
        means.append((drawn * right).sum(axis=1) / n_images)
        first += len(side)
    return np.stack(means, axis=1)


def _patterns(correct: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct columns of a (seeds, images) array of right and wrong, and how many images
    have each: ``np.unique(correct.T, axis=0, return_counts=True)``, in its order (the first
    seed's answer most significant), found by sorting one integer per image rather than the
    columns as records (which took half the time of a whole counted bootstrap)."""
    seeds = correct.shape[0]
    if seeds > 62:
        return np.unique(correct.T, axis=0, return_counts=True)
    bits = 1 << np.arange(seeds - 1, -1, -1, dtype=np.int64)
    codes, counts = np.unique(bits @ correct, return_counts=True)
    return (codes[:, np.newaxis] & bits).astype(bool), counts


def t_interval(estimate: float, error: float, freedom: int) -> tuple[float, float, float]:
    """An estimate (a mean, a fitted slope) with its 95 % t-interval from its standard error and
    degrees of freedom (an interval of NaN without any)."""
    from scipy.stats import t

    if not freedom:
        return estimate, float("nan"), float("nan")
    half = float(t.ppf(0.975, freedom)) * error
    return estimate, estimate - half, estimate + half


def interval(values: np.ndarray) -> tuple[float, float]:
    low, high = np.quantile(values, [ALPHA / 2, 1 - ALPHA / 2])
    return float(low), float(high)


def two_sided_p(values: np.ndarray) -> float:
    """Twice the share of bootstrap draws on the far side of zero, at most 1."""
    return float(min(1.0, 2 * min(np.mean(values <= 0), np.mean(values >= 0))))


def paired_test(predictions_a: list[np.ndarray], predictions_b: list[np.ndarray],
                labels: np.ndarray, metric: str, n_classes: int, deterministic_a: bool = False,
                deterministic_b: bool = False) -> PairedResult:
    """Is A's mean ``metric`` different from B's on these test images? Each side: one
    prediction array per seed; ``deterministic_*``: the side is one run of a model whose fit
    does not depend on the seed (so its seed spread is zero, not unknown)."""
    scores_a = np.array([score(p, labels, metric, n_classes) for p in predictions_a])
    scores_b = np.array([score(p, labels, metric, n_classes) for p in predictions_b])
    mean_a, mean_b = float(scores_a.mean()), float(scores_b.mean())
    gap = mean_a - mean_b
    seed_a = _seed_variance(scores_a, deterministic_a)
    seed_b = _seed_variance(scores_b, deterministic_b)
    n_images = len(labels)
    common = {"mean_a": mean_a, "mean_b": mean_b, "runs_a": len(scores_a),
              "runs_b": len(scores_b), "n_test": n_images, "seed_variance_a": seed_a,
              "seed_variance_b": seed_b}
    one_each = len(predictions_a) == 1 and len(predictions_b) == 1
    if one_each and deterministic_a and deterministic_b and metric == "accuracy":
        correct_a, correct_b = predictions_a[0] == labels, predictions_b[0] == labels
        low, high = mcnemar_interval(correct_a, correct_b)
        discordant = np.mean(correct_a != correct_b)
        image_variance = max(0.0, (discordant - gap ** 2) / n_images)
        return PairedResult(gap, low, high, mcnemar(correct_a, correct_b), MCNEMAR,
                            image_variance=image_variance, **common)
    means = bootstrap_means([np.stack(predictions_a), np.stack(predictions_b)], labels, metric,
                            n_classes)
    gaps = means[:, 0] - means[:, 1]
    low, high = interval(gaps)
    # The draws' variance less what resampling the seeds adds ((k - 1) / k^2 of a side's seed
    # variance): what the test images alone contribute.
    resampled = sum((len(scores) - 1) / len(scores) ** 2 * variance
                    for scores, variance in ((scores_a, seed_a), (scores_b, seed_b))
                    if not math.isnan(variance))
    image_variance = max(0.0, float(gaps.var()) - resampled)
    return PairedResult(gap, low, high, two_sided_p(gaps), BOOTSTRAP,
                        image_variance=image_variance, **common)


def _seed_variance(scores: np.ndarray, deterministic: bool) -> float:
    if len(scores) > 1:
        return float(scores.var(ddof=1))
    return 0.0 if deterministic else float("nan")


def accuracy_interval(predictions: list[np.ndarray], labels: np.ndarray) -> tuple[float, float]:
    """95 % bootstrap interval of the mean accuracy over seeds and test images."""
    means = bootstrap_means([np.stack(predictions)], labels, "accuracy", int(labels.max()) + 1)
    return interval(means[:, 0])


def to_settle(result: PairedResult, margin: float, relation: str) -> str:
    """What would settle an underpowered comparison (``settling``), from its paired test."""
    return settling(result.gap, margin, relation, result.image_variance,
                    [(result.seed_variance_a, result.runs_a),
                     (result.seed_variance_b, result.runs_b)], result.n_test)


def settling(gap: float, margin: float, relation: str, image_variance: float,
             seeded: list[tuple[float, int]], n_test: int) -> str:
    """What would settle an undecided interval, by a simple power calculation: the seeds per
    seeded side (or, when seeds cannot, the test images) that give an interval narrow enough to
    decide at the observed gap with 80 % power. ``seeded``: each side's variance over seeds
    (0 for a deterministic run, NaN when unknown) and its runs. The gap's variance is taken as
    the test images' part (shrinking as one over their number) plus each seeded side's
    variance over its seeds."""
    target = target_standard_error(distance_to_settle(gap, margin, relation)) ** 2
    seeded = [(variance, runs) for variance, runs in seeded if variance != 0.0]
    if any(math.isnan(variance) for variance, _ in seeded):
        return ("a seeded side has one run, so its spread over seeds is unknown: at least 3 "
                "seeds are needed before a power calculation")
    seed_sum = sum(variance for variance, _ in seeded)
    if seeded and target > image_variance:
        current = max(runs for _, runs in seeded)
        needed = max(math.ceil(seed_sum / (target - image_variance)), current + 1)
        shown = f"about {needed}" if needed <= MAX_SEEDS_SHOWN else f"more than {MAX_SEEDS_SHOWN}"
        return f"{shown} seeds per seeded side would settle it (80 % power at this gap)"
    seed_now = sum(variance / runs for variance, runs in seeded)
    if target > seed_now and image_variance > 0:
        images = math.ceil(n_test * image_variance / (target - seed_now))
        return (f"more seeds cannot settle it: the test images alone give "
                f"±{100 * Z_95 * math.sqrt(image_variance):.2f} points; about {images:,} test "
                f"images would (80 % power at this gap)")
    if seeded and image_variance > 0:  # half the target to each
        needed = math.ceil(2 * seed_sum / target)
        images = math.ceil(2 * n_test * image_variance / target)
        shown = f"about {needed}" if needed <= MAX_SEEDS_SHOWN else f"more than {MAX_SEEDS_SHOWN}"
        return (f"neither more seeds nor more test images alone settle it: {shown} seeds per "
                f"seeded side and about {images:,} test images together would (80 % power at "
                f"this gap)")
    return "nothing settles it at this gap: it sits on the margin"
