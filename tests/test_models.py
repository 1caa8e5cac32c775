"""The model registry: names, params, every factory on real data, seeding, Keras shapes."""

import numpy as np
import pytest

from mlhistory import models
from mlhistory.data import load
from mlhistory.errors import UsageError
from mlhistory.runner import RunSpec, execute


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return load("digits", tmp_path_factory.mktemp("data"))


def test_unknown_model_lists_every_valid_name():
    with pytest.raises(UsageError) as raised:
        models.get("svm_rbf")
    for name in models.REGISTRY:
        assert name in str(raised.value)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(UsageError, match="no parameter gamma; it takes: epochs, batch_size"):
        models.resolve_params("dense", {"gamma": 1})


def test_overrides_replace_defaults_only_where_given():
    resolved = models.resolve_params("logreg", {"C": 0.5})
    assert resolved == {**models.get("logreg").defaults, "C": 0.5}


@pytest.mark.parametrize("name", [name for name, entry in models.REGISTRY.items()
                                  if entry.family == models.SHALLOW])
def test_every_shallow_factory_learns_digits(name, digits):
    params = models.resolve_params(name)
    if name in ("random_forest", "xgboost"):
        params["n_estimators"] = 20  # the shape of the pipeline is under test, not its size
    estimator = models.build(name, digits.info, seed=0, params=params)
    estimator.fit(digits.x_train, digits.y_train)
    accuracy = np.mean(estimator.predict(digits.x_test) == digits.y_test)
    assert accuracy > 0.7, f"{name} reached only {accuracy:.3f} on digits"


@pytest.mark.parametrize("name, expected_params", [
    # Dense(512) on 64 pixels, then Dense(10): weights plus biases, counted by hand.
    ("dense", 64 * 512 + 512 + 512 * 10 + 10),
    # 8x8 digits use "same" padding: 3x3 convs with 32, 64, 128 filters; 2x2 pools leave 2x2.
    ("convnet", (9 * 32 + 32) + (9 * 32 * 64 + 64) + (9 * 64 * 128 + 128) + (2 * 2 * 128 * 10 + 10)),
])
def test_keras_nets_train_and_count_their_weights(name, expected_params, digits):
    estimator = models.build(name, digits.info, seed=0,
                             params={**models.resolve_params(name), "epochs": 2})
    estimator.fit(digits.x_train, digits.y_train, monitor=(digits.x_test, digits.y_test))
    assert estimator.n_params == expected_params
    assert estimator.predict(digits.x_test).shape == digits.y_test.shape
    assert len(estimator.artifacts()["test_accuracy_per_epoch"]) == 2


def test_book_convnet_keeps_valid_padding_on_28x28():
    from mlhistory import nets
    from mlhistory.data import DATASETS

    network = nets.convnet(DATASETS["fashion_mnist"])
    # The book's layer shapes: 26 -> 13 -> 11 -> 5 -> 3, so Flatten has 3*3*128 values.
    assert network.layers[-2].output.shape[-1] == 3 * 3 * 128


@pytest.mark.parametrize("model", ["random_forest", "decision_tree"])
def test_same_seed_gives_identical_shallow_results(model, tmp_path):
    params = {"n_estimators": 10} if model == "random_forest" else None
    spec = RunSpec.create("digits", model, seed=7, params=params, n_train=500)
    first_row, first_artifacts = execute(spec, tmp_path)
    second_row, second_artifacts = execute(spec, tmp_path)
    np.testing.assert_array_equal(first_artifacts["predictions"], second_artifacts["predictions"])
    assert first_row["accuracy"] == second_row["accuracy"]
    other_row, other_artifacts = execute(RunSpec.create("digits", model, seed=8, params=params,
                                                        n_train=500), tmp_path)
    assert not np.array_equal(first_artifacts["predictions"], other_artifacts["predictions"])
