"""Seeded, stratified, nested subsets of a split, the size checks that go with them, and the
digest that names a training set in a cache key.
"""

import hashlib

import numpy as np

from ..errors import UsageError


def array_digest(*arrays: np.ndarray) -> str:
    """One SHA-256 over the bytes of some arrays: names a training set in a cache key."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def stratified_order(labels: np.ndarray, seed: int) -> np.ndarray:
    """A seeded ordering of all indices whose every prefix is stratified by class.

    Each class is shuffled, then the classes are interleaved by the fraction of the class seen
    so far. Taking the first n indices gives class proportions within one example of the
    full set's, and a smaller subset is always inside a larger one (nested learning curves).
    """
    rng = np.random.default_rng(seed)
    permutation = rng.permutation(len(labels))
    shuffled = labels[permutation]
    # Each shuffled position's fraction of its class seen so far; a stable sort of the positions
    # by it keeps equal fractions in the shuffled order.
    fraction = np.empty(len(labels))
    for label in np.unique(shuffled):
        members = np.flatnonzero(shuffled == label)
        fraction[members] = (np.arange(len(members)) + 0.5) / len(members)
    return permutation[np.argsort(fraction, kind="stable")]


def stratified_subset(labels: np.ndarray, n: int, seed: int) -> np.ndarray:
    """Sorted indices of a seeded, stratified, nested subset of size n."""
    return np.sort(stratified_order(labels, seed)[:n])


# The fair budgets' validation split: this share of a run's training images, seeded and
# stratified, held out for early stopping. The test split is never touched.
VALIDATION_FRACTION = 0.1


def validation_split(labels: np.ndarray, seed: int,
                     fraction: float = VALIDATION_FRACTION) -> tuple[np.ndarray, np.ndarray]:
    """Sorted (train, validation) indices of a training split: a seeded, stratified ``fraction``
    held out, at least one image of each class."""
    n_validation = validation_size(len(labels), len(np.unique(labels)), fraction)
    order = stratified_order(labels, seed)
    return np.sort(order[n_validation:]), np.sort(order[:n_validation])


def validation_size(n: int, n_classes: int, fraction: float = VALIDATION_FRACTION) -> int:
    """How many of ``n`` training images ``validation_split`` holds out."""
    return max(int(round(fraction * n)), n_classes)


def check_subset_size(n: int | None, available: int, n_classes: int, what: str) -> None:
    if n is None:
        return
    if n > available:
        raise UsageError(f"{what} {n} is larger than the {available} examples available")
    if n < n_classes:
        raise UsageError(f"{what} {n} is below the number of classes ({n_classes})")
