"""Feature transforms: images -> one feature vector per image, for any shallow model.

``pixels`` is the default. The others are the hand-engineered representations of the
kernel-methods era that the book mentions ("pixel histograms"), and HOG. A run names its
transform in its spec, so "rbf_svm on HOG" is the same model entry with other features.
"""

import numpy as np

from .errors import UsageError


def pixels(images: np.ndarray) -> np.ndarray:
    """Flatten to one row per image and scale pixels to [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


INTENSITY_BINS = 16


def ink_profiles(images: np.ndarray) -> np.ndarray:
    """The book's "pixel histograms": ink per row, ink per column, and a histogram of intensities.

    A 28x28 image becomes 28 + 28 + 16 numbers that ignore where along a row the ink is.
    """
    unit = images.astype(np.float32) / 255.0
    rows, columns = unit.mean(axis=2), unit.mean(axis=1)
    edges = np.linspace(0, 1, INTENSITY_BINS + 1)
    bins = np.clip(np.digitize(unit.reshape(len(images), -1), edges[1:-1]), 0, INTENSITY_BINS - 1)
    histogram = np.stack([np.bincount(row, minlength=INTENSITY_BINS) for row in bins])
    histogram = histogram.astype(np.float32) / unit[0].size
    return np.hstack([rows, columns, histogram])


def hog(images: np.ndarray) -> np.ndarray:
    """Histograms of oriented gradients (Dalal & Triggs 2005), scikit-image's implementation.

    Cells of a quarter of the image side (7x7 on 28x28), 9 orientations, 2x2-cell blocks:
    324 numbers per 28x28 image.
    """
    from skimage.feature import hog as skimage_hog

    cell = max(images.shape[1] // 4, 1)
    return np.stack([skimage_hog(image, orientations=9, pixels_per_cell=(cell, cell),
                                 cells_per_block=(2, 2), feature_vector=True)
                     for image in images]).astype(np.float32)


FEATURES = {"pixels": pixels, "ink_profiles": ink_profiles, "hog": hog}


def get(name: str):
    if name not in FEATURES:
        raise UsageError(f"unknown features '{name}'; choose one of: {', '.join(FEATURES)}")
    return FEATURES[name]
