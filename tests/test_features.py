"""Feature transforms: what each computes, on images whose answer is known."""

import numpy as np
import pytest

from mlhistory import models
from mlhistory.data import DATASETS
from mlhistory.errors import UsageError
from mlhistory.models import features


def _bar_image(column: int, size: int = 28) -> np.ndarray:
    image = np.zeros((size, size), dtype=np.uint8)
    image[:, column] = 255
    return image


def test_pixels_flatten_and_scale_to_unit_range():
    images = np.full((2, 28, 28), 255, dtype=np.uint8)
    transformed = features.make("pixels").fit_transform(images)
    assert transformed.shape == (2, 784) and transformed.max() == 1.0


def test_ink_profiles_put_a_vertical_bar_in_one_column():
    profile = features.make("ink_profiles").fit_transform(_bar_image(column=5)[np.newaxis])[0]
    rows, columns, histogram = profile[:28], profile[28:56], profile[56:]
    np.testing.assert_allclose(rows, 1 / 28)  # every row holds one lit pixel of 28
    assert columns.argmax() == 5 and columns[5] == 1.0 and columns.sum() == 1.0
    assert histogram.sum() == pytest.approx(1.0)  # a histogram of all 784 pixels
    assert histogram[0] == pytest.approx(27 / 28) and histogram[-1] == pytest.approx(1 / 28)


def test_hog_sees_orientation_not_position():
    transform = features.make("hog")
    vertical = transform.fit_transform(np.stack([_bar_image(10), _bar_image(12)]))
    horizontal = transform.fit_transform(_bar_image(10).T[np.newaxis])
    assert vertical.shape == (2, 1296)  # 4x4-pixel cells: 6x6 blocks of 2x2 cells, 9 orientations
    # The same edge orientation gives the same orientation histogram wherever the bar is (its
    # shares; with 4x4 cells, how many blocks see the bar depends on where cells begin).
    orientation_totals = vertical.reshape(2, -1, 9).sum(axis=1)
    shares = orientation_totals / orientation_totals.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(shares[0], shares[1], atol=0.05)
    assert orientation_totals[0].argmax() != horizontal.reshape(-1, 9).sum(axis=0).argmax()


def test_the_degree_2_map_is_the_polynomial_kernel_of_the_standardised_components():
    from sklearn.metrics.pairwise import polynomial_kernel
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (50, 28, 28), dtype=np.uint8)
    mapped = features.make("pca6_poly2", seed=0).fit_transform(images)
    assert mapped.shape == (50, 1 + 6 + 6 + 6 * 5 // 2)
    # What the polynomial SVM's kernel computes on the same components (its gamma "scale" is
    # 1 / 6 on standardised inputs).
    components = StandardScaler().fit_transform(features.make("pca6", seed=0).fit_transform(images))
    kernel = polynomial_kernel(components, degree=2, gamma=1 / 6, coef0=1)
    np.testing.assert_allclose(mapped @ mapped.T, kernel, rtol=1e-4, atol=1e-4)


@pytest.mark.slow  # two SVMs on 600 digits
def test_the_linear_svm_on_the_kernel_map_predicts_as_the_kernel_svm():
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images * 255 / 16).astype(np.uint8)
    train, test = slice(0, 600), slice(600, 1200)
    predicted = {}
    for model, name in (("poly_svm", "pca8"), ("kernel_map_svm", "pca8_poly2")):
        fitted = models.build(model, DATASETS["digits"], 0, models.resolve_params(model), name)
        fitted.fit(images[train], digits.target[train])
        predicted[model] = fitted.predict(images[test])
    agreement = np.mean(predicted["poly_svm"] == predicted["kernel_map_svm"])
    assert agreement >= 0.99, agreement  # the same problem and solver: only round-off differs


def test_unknown_features_and_features_for_a_net_are_usage_errors():
    with pytest.raises(UsageError, match="unknown features 'sift'"):
        features.check("sift", is_image=True)
    with pytest.raises(UsageError, match="learns its own features"):
        models.check_features("convnet", "hog", DATASETS["fashion_mnist"])


def test_any_shallow_model_takes_engineered_features(tmp_path):
    from mlhistory.data import load

    digits = load("digits", tmp_path)
    estimator = models.build("logreg", DATASETS["digits"], seed=0,
                             params=models.resolve_params("logreg"), features="hog")
    estimator.fit(digits.x_train, digits.y_train)
    assert np.mean(estimator.predict(digits.x_test) == digits.y_test) > 0.8
