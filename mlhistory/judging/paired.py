"""Paired tests: two models compared on the very same test images.

Two models scored on one test set make correlated errors (the hard images are hard for both),
so comparing their accuracies as if independent wastes most of the evidence. Both tests here
look at the images one model gets right and the other wrong:

- each side one run (a deterministic model, or one seed each): McNemar's exact test, a
  two-sided binomial test on the discordant images;
- a side with several seeds: a paired bootstrap over test images that also draws a seed per
  side in every draw, so the spread over seeds enters the interval. The p-value is twice the
  share of draws on the far side of zero (two-sided). For accuracy the resample is drawn from
  its counts (exactly the same distribution, in a fraction of the time).

The same code serves accuracy and macro-F1 (the metric for imbalanced data such as shuttle).
Draws are seeded, so a verdict is the same every time the report is rebuilt.
"""

from dataclasses import dataclass

import numpy as np

ALPHA = 0.05
BOOTSTRAP_DRAWS = 2_000
BOOTSTRAP_SEED = 0
_CHUNK = 100  # draws per vectorised batch: 100 x 10,000 test images stays small in memory

MCNEMAR = "McNemar's exact test"
BOOTSTRAP = f"paired bootstrap over test images and seeds ({BOOTSTRAP_DRAWS:,} draws)"
DESCRIPTION = (f"Two models are compared on the same test images: {MCNEMAR} when each has one "
               f"run, else a {BOOTSTRAP}; two-sided, significant at p < {ALPHA}.")


@dataclass(frozen=True)
class PairedResult:
    gap: float  # metric of A minus metric of B, means over seeds
    p_value: float
    low: float  # 95 % interval of the gap (bootstrap), or None-like NaN for McNemar
    high: float
    test: str

    @property
    def significant(self) -> bool:
        return self.p_value < ALPHA


def score(predictions: np.ndarray, labels: np.ndarray, metric: str, n_classes: int) -> float:
    return float(_scores(predictions[np.newaxis], labels[np.newaxis], metric, n_classes)[0])


def _scores(predictions: np.ndarray, labels: np.ndarray, metric: str, n_classes: int) -> np.ndarray:
    """The metric of each row of a (draws, images) batch."""
    if metric == "accuracy":
        return (predictions == labels).mean(axis=1)
    if metric != "macro_f1":
        raise ValueError(f"no paired test for the metric {metric!r}")
    # Per draw and class: true positives, predicted and actual counts, by offsetting each draw's
    # classes into a block of its own and counting once.
    draws = predictions.shape[0]
    offsets = (np.arange(draws) * n_classes)[:, np.newaxis]
    size = draws * n_classes
    true_positive = np.bincount((labels + offsets)[predictions == labels], minlength=size)
    predicted = np.bincount((predictions + offsets).ravel(), minlength=size)
    actual = np.bincount((labels + offsets).ravel(), minlength=size)
    denominator = (predicted + actual).reshape(draws, n_classes)
    f1 = np.divide(2 * true_positive.reshape(draws, n_classes), denominator,
                   out=np.zeros(denominator.shape), where=denominator > 0)
    # scikit-learn's macro-F1 averages over the classes present in the labels or predictions.
    present = denominator > 0
    return (f1 * present).sum(axis=1) / present.sum(axis=1)


def mcnemar(correct_a: np.ndarray, correct_b: np.ndarray) -> float:
    """Two-sided exact p-value of McNemar's test from per-image correctness."""
    from scipy.stats import binomtest

    only_a = int(np.sum(correct_a & ~correct_b))
    only_b = int(np.sum(~correct_a & correct_b))
    if only_a + only_b == 0:
        return 1.0
    return float(binomtest(only_a, only_a + only_b, 0.5).pvalue)


def paired_test(predictions_a: list[np.ndarray], predictions_b: list[np.ndarray],
                labels: np.ndarray, metric: str, n_classes: int) -> PairedResult:
    """Is A's ``metric`` different from B's on these test images? Each side: one prediction
    array per seed."""
    mean_a = np.mean([score(p, labels, metric, n_classes) for p in predictions_a])
    mean_b = np.mean([score(p, labels, metric, n_classes) for p in predictions_b])
    gap = float(mean_a - mean_b)
    if len(predictions_a) == 1 and len(predictions_b) == 1 and metric == "accuracy":
        p_value = mcnemar(predictions_a[0] == labels, predictions_b[0] == labels)
        return PairedResult(gap, p_value, float("nan"), float("nan"), MCNEMAR)
    gaps = _bootstrap_gaps(np.stack(predictions_a), np.stack(predictions_b), labels, metric,
                           n_classes)
    below, above = np.mean(gaps <= 0), np.mean(gaps >= 0)
    p_value = float(min(1.0, 2 * min(below, above)))
    low, high = np.quantile(gaps, [ALPHA / 2, 1 - ALPHA / 2])
    return PairedResult(gap, p_value, float(low), float(high), BOOTSTRAP)


def _bootstrap_gaps(seeds_a: np.ndarray, seeds_b: np.ndarray, labels: np.ndarray, metric: str,
                    n_classes: int) -> np.ndarray:
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    if metric == "accuracy":
        return _accuracy_gaps(seeds_a == labels, seeds_b == labels, rng)
    n_images = len(labels)
    gaps = []
    for start in range(0, BOOTSTRAP_DRAWS, _CHUNK):
        draws = min(_CHUNK, BOOTSTRAP_DRAWS - start)
        images = rng.integers(0, n_images, size=(draws, n_images))
        seed_a = rng.integers(0, len(seeds_a), size=(draws, 1))
        seed_b = rng.integers(0, len(seeds_b), size=(draws, 1))
        drawn_labels = labels[images]
        gaps.append(_scores(seeds_a[seed_a, images], drawn_labels, metric, n_classes)
                    - _scores(seeds_b[seed_b, images], drawn_labels, metric, n_classes))
    return np.concatenate(gaps)


def _accuracy_gaps(correct_a: np.ndarray, correct_b: np.ndarray,
                   rng: np.random.Generator) -> np.ndarray:
    """The accuracy gap of each bootstrap draw, drawn exactly but without resampling images.

    Only the counts matter: of the images A gets right and B wrong (``plus``) and the reverse
    (``minus``), a resample of all n images holds k ~ Binomial(n, (plus + minus) / n) of either
    kind, of which Binomial(k, plus / (plus + minus)) are A's; the gap is their difference over
    n. A seed per side is drawn first, as in the general bootstrap.
    """
    n_images = correct_a.shape[1]
    seed_a = rng.integers(0, len(correct_a), BOOTSTRAP_DRAWS)
    seed_b = rng.integers(0, len(correct_b), BOOTSTRAP_DRAWS)
    plus = (correct_a[:, np.newaxis] & ~correct_b[np.newaxis]).sum(axis=2)[seed_a, seed_b]
    minus = (~correct_a[:, np.newaxis] & correct_b[np.newaxis]).sum(axis=2)[seed_a, seed_b]
    discordant = rng.binomial(n_images, (plus + minus) / n_images)
    share = np.divide(plus, plus + minus, out=np.zeros(BOOTSTRAP_DRAWS), where=plus + minus > 0)
    won = rng.binomial(discordant, share)
    return (2 * won - discordant) / n_images


def accuracy_interval(predictions: list[np.ndarray], labels: np.ndarray) -> tuple[float, float]:
    """95 % bootstrap interval of the accuracy, drawing a seed and then, in effect, the test
    images: a resample of n images holds Binomial(n, right / n) the seed got right."""
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    right = (np.stack(predictions) == labels).sum(axis=1)
    seed = rng.integers(0, len(right), BOOTSTRAP_DRAWS)
    accuracies = rng.binomial(len(labels), right[seed] / len(labels)) / len(labels)
    low, high = np.quantile(accuracies, [ALPHA / 2, 1 - ALPHA / 2])
    return float(low), float(high)
