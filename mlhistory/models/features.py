"""Feature transforms: images -> one feature vector per image, for any shallow model.

A run names its transform in its spec, so "rbf_svm on hog" is the registry's rbf_svm with
other features. Each name gives a fresh scikit-learn transformer, fitted on the training
split inside the model's pipeline:

- ``pixels`` (the default): flattened, scaled to [0, 1];
- ``ink_profiles``: the book's "pixel histograms" (ink per row and per column, and a
  histogram of intensities);
- ``hog``: histograms of oriented gradients (Dalal & Triggs 2005), scikit-image, 4x4 cells;
- ``pca<k>``: the first k principal components of the pixels;
- ``pca<k>_poly2``: those components, standardised, through the exact feature map of the
  degree-2 polynomial kernel the polynomial SVM uses on them (``degree2_kernel_map``): a
  linear model on it is the kernel machine, the kernel trick undone;
- ``convnet_features``: learned features, the book's convnet trained on the training split
  (its last layer before the softmax; ``learned_features.py``);
- ``columns``: a table's own columns, as float32 (the only features of a tabular dataset).
"""

import re

import numpy as np

from ..errors import UsageError

INTENSITY_BINS = 16
HOG_ORIENTATIONS = 9
HOG_CELL = 4  # pixels per cell side
PCA_PATTERN = re.compile(r"pca(\d+)(_poly2)?")
# A dataset's own inputs, which a run's display name leaves unsaid.
OWN_INPUTS = ("pixels", "columns")


def pixels(images: np.ndarray) -> np.ndarray:
    """Flatten to one row per image and scale pixels to [0, 1]."""
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


def ink_profiles(images: np.ndarray) -> np.ndarray:
    """Ink per row, ink per column, and a histogram of pixel intensities.

    A 28x28 image becomes 28 + 28 + 16 numbers that ignore where along a row the ink is.
    """
    unit = images.astype(np.float32) / 255.0
    rows, columns = unit.mean(axis=2), unit.mean(axis=1)
    edges = np.linspace(0, 1, INTENSITY_BINS + 1)
    bins = np.digitize(unit.reshape(len(images), -1), edges[1:-1])
    histogram = np.stack([np.bincount(row, minlength=INTENSITY_BINS) for row in bins])
    return np.hstack([rows, columns, histogram.astype(np.float32) / unit[0].size])


def hog(images: np.ndarray) -> np.ndarray:
    """HOG with the standard settings of the published HOG+SVM results on MNIST-style images:
    4x4-pixel cells, 2x2-cell blocks, 9 orientations (1,296 numbers on 28x28)."""
    from skimage.feature import hog as skimage_hog

    return np.stack([skimage_hog(image, orientations=HOG_ORIENTATIONS,
                                 pixels_per_cell=(HOG_CELL, HOG_CELL), cells_per_block=(2, 2),
                                 feature_vector=True)
                     for image in images]).astype(np.float32)


def degree2_kernel_map(components: np.ndarray) -> np.ndarray:
    """phi(x) with phi(x).phi(y) = (gamma x.y + 1)^2, gamma = 1 / k for k standardised inputs:
    the kernel scikit-learn's SVC(kernel="poly", degree=2, coef0=1, gamma="scale") computes on
    them (gamma "scale" is 1 / (k Var(x)), and standardised inputs have variance 1). phi is 1,
    sqrt(2 gamma) x_i, gamma x_i^2 and sqrt(2) gamma x_i x_j for i < j."""
    x = components.astype(np.float64)
    gamma = 1.0 / x.shape[1]
    first, second = np.triu_indices(x.shape[1], k=1)
    return np.hstack([np.ones((len(x), 1)), np.sqrt(2 * gamma) * x, gamma * x ** 2,
                      np.sqrt(2) * gamma * x[:, first] * x[:, second]]).astype(np.float32)


def columns(rows: np.ndarray) -> np.ndarray:
    return rows.astype(np.float32)


# The transforms that learn nothing, by name.
STATELESS = {"pixels": pixels, "ink_profiles": ink_profiles, "hog": hog, "columns": columns}


# Features that depend on the seed beyond the data: a model taking them runs every seed.
STOCHASTIC = {"convnet_features"}


def display_name(name: str) -> str:
    """What readers call the features: "HOG", "the book's pixel histograms", "PCA-32, degree-2 map"."""
    fixed = {"pixels": "pixels", "columns": "columns", "ink_profiles": "pixel histograms",
             "hog": f"HOG ({HOG_CELL}x{HOG_CELL} cells)", "convnet_features": "learned convnet features"}
    if name in fixed:
        return fixed[name]
    match = PCA_PATTERN.fullmatch(name)
    return f"PCA-{match.group(1)}" + (", degree-2 map" if match.group(2) else "")


# Bumped when a transform's output changes, so cached runs on the old features are not reused:
# HOG went from 7x7-pixel cells to the standard 4x4 in version 2; the degree-2 map went from
# PolynomialFeatures' plain products to the kernel's exact map in version 2.
VERSIONS = {"hog": 2}
POLY2_VERSION = 2


def version(name: str) -> int:
    match = PCA_PATTERN.fullmatch(name)
    if match and match.group(2):
        return POLY2_VERSION
    return VERSIONS.get(name, 1)


def seed_dependent(name: str | None) -> bool:
    return name in STOCHASTIC


def default_for(is_image: bool) -> str:
    """What a model takes when a run names no features: the pixels, or the table's columns."""
    return "pixels" if is_image else "columns"


def make(name: str, seed: int = 0):
    """A fresh transformer for the named features; ``seed`` reaches PCA and the learned net."""
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    check_name(name)
    if name in STATELESS:
        return FunctionTransformer(STATELESS[name])
    if name == "convnet_features":
        from .learned_features import ConvnetFeatures

        return ConvnetFeatures(seed)
    match = PCA_PATTERN.fullmatch(name)
    steps = [FunctionTransformer(pixels), StandardScaler(),
             PCA(n_components=int(match.group(1)), random_state=seed)]
    if match.group(2):
        # The polynomial SVM standardises the components before its kernel (assembly.build).
        steps += [StandardScaler(), FunctionTransformer(degree2_kernel_map)]
    return make_pipeline(*steps)


def check_name(name: str) -> None:
    """An unknown name is a usage error."""
    if name not in STATELESS and name != "convnet_features" and not PCA_PATTERN.fullmatch(name):
        raise UsageError(f"unknown features '{name}'; choose one of: {', '.join(STATELESS)}, "
                         "convnet_features, pca<k>, pca<k>_poly2")


def check(name: str, is_image: bool) -> None:
    """An unknown name, or features of the wrong kind of data, is a usage error. Nothing is
    built: checking a run's features needs no scikit-learn (whose import takes a second)."""
    check_name(name)
    if (name == "columns") == is_image:
        kind = "images" if is_image else "a table"
        raise UsageError(f"features '{name}' do not apply to {kind}; "
                         f"use '{default_for(is_image)}'")
