"""The model registry: names, params, every factory on real data, seeding, Keras shapes."""

import numpy as np
import pytest

from mlhistory import models
from mlhistory.data import load
from mlhistory.errors import UsageError
from mlhistory.running.execute import execute
from mlhistory.running.spec import RunSpec


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
    pytest.param("convnet",
                 (9 * 32 + 32) + (9 * 32 * 64 + 64) + (9 * 64 * 128 + 128) + (2 * 2 * 128 * 10 + 10),
                 marks=pytest.mark.slow),  # two epochs of the convnet
])
def test_keras_nets_train_and_count_their_weights(name, expected_params, digits):
    estimator = models.build(name, digits.info, seed=0,
                             params={**models.resolve_params(name), "epochs": 2})
    estimator.fit(digits.x_train, digits.y_train, monitor=(digits.x_test, digits.y_test))
    assert estimator.n_params == expected_params
    assert estimator.predict(digits.x_test).shape == digits.y_test.shape
    assert len(estimator.artifacts()["test_accuracy_per_epoch"]) == 2


@pytest.mark.slow  # four short Keras fits
def test_the_tabular_mlp_trains_a_searched_shape_by_early_stopping_then_refits_it(digits):
    """The search's trial: one shape, stopped on validation accuracy; its refit: that shape for
    the epochs chosen, on every training row; the recipe keeps its three candidates."""
    shape = {"width": 32, "depth": 2, "dropout": 0.1, "learning_rate": 1e-3, "batch_size": 64}
    trial = models.build("tabular_mlp", digits.info, seed=0, params=models.resolve_params(
        "tabular_mlp", {**shape, "epochs": 6, "patience": 2, "stop_on": "val_accuracy"}))
    trial.fit(digits.x_train, digits.y_train)
    curves = trial.artifacts()
    assert 1 <= len(curves["train_val_accuracy"]) <= 6  # stopped on its own held-out rows
    assert trial.n_params == (64 * 32 + 32) + (32 * 32 + 32) + (32 * 10 + 10)  # trainable only
    refit = models.build("tabular_mlp", digits.info, seed=0, params=models.resolve_params(
        "tabular_mlp", {**shape, "epochs": 3, "patience": None}))
    refit.fit(digits.x_train, digits.y_train)
    assert len(refit.artifacts()["train_loss"]) == 3 and "train_val_accuracy" not in refit.artifacts()
    assert np.mean(refit.predict(digits.x_test) == digits.y_test) > 0.5  # chance: 0.1
    assert models.get("tabular_mlp").display_name(
        {**models.resolve_params("tabular_mlp"), **shape, "epochs": 3, "patience": None}) == \
        "MLP (2 x 32, 3 epochs)"
    recipe = models.build("tabular_mlp", digits.info, seed=0,
                          params={**models.resolve_params("tabular_mlp"), "epochs": 1})
    recipe.fit(digits.x_train, digits.y_train)
    assert len(recipe.artifacts()["validation_accuracy"]) == 3


def test_a_net_traces_its_training_step_once_and_trains_as_keras_alone_does(digits):
    """The optimizer's and metrics' variables are made before the first step
    (``nets.build_training_state``), so the step is traced once, not twice, and the weights are
    those Keras reaches building them in its step."""
    import keras

    from mlhistory.models import nets

    inputs = digits.x_train[:256].reshape(256, -1).astype(np.float32) / 255.0
    labels = digits.y_train[:256]
    trained = []
    for prebuilt in (True, False):
        keras.utils.set_random_seed(0)
        network = nets.dense_network(digits.info)
        network.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                        metrics=["accuracy"])
        if prebuilt:
            nets.build_training_state(network)
        traces, step = [], network.train_step
        network.train_step = lambda data, step=step, traces=traces: traces.append(1) or step(data)
        network.fit(inputs, labels, epochs=2, batch_size=64, verbose=0)
        trained.append((len(traces), network.get_weights()))
    (once, built_first), (twice, built_in_step) = trained
    assert (once, twice) == (1, 2)
    assert all(np.array_equal(a, b) for a, b in zip(built_first, built_in_step, strict=True))


def test_book_convnet_keeps_valid_padding_on_28x28():
    from mlhistory.data import DATASETS
    from mlhistory.models import nets

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


@pytest.mark.parametrize("name, expected_params", [
    # 64 pixels -> 300 sigmoid units -> 10.
    ("mlp_1986", 64 * 300 + 300 + 300 * 10 + 10),
    # 16x16 input, two strided 5x5 convs of 12 maps (8x8 then 4x4), 30 tanh units, 10 outputs.
    ("lenet1989", (25 * 12 + 12) + (25 * 12 * 12 + 12) + (4 * 4 * 12 * 30 + 30) + (30 * 10 + 10)),
    # Resized to 28x28: 6@5x5 same, pool to 14, 16@5x5 valid (10x10), pool to 5; 120, 84, 10.
    ("lenet5", (25 * 6 + 6) + (25 * 6 * 16 + 16) + (5 * 5 * 16 * 120 + 120) + (120 * 84 + 84)
     + (84 * 10 + 10)),
])
def test_historical_nets_have_their_published_shapes(name, expected_params, digits):
    estimator = models.build(name, digits.info, seed=0,
                             params={**models.resolve_params(name), "epochs": 1})
    estimator.fit(digits.x_train, digits.y_train)
    assert estimator.n_params == expected_params


@pytest.mark.slow  # three epochs of the convnet with augmentation
def test_modern_convnet_trains_and_keeps_augmentation_out_of_prediction(digits):
    estimator = models.build("convnet_modern", digits.info, seed=0,
                             params={**models.resolve_params("convnet_modern"), "epochs": 3})
    estimator.fit(digits.x_train, digits.y_train)
    first, second = estimator.predict(digits.x_test), estimator.predict(digits.x_test)
    np.testing.assert_array_equal(first, second)  # random shifts are training-only
    assert np.mean(first == digits.y_test) > 0.5


@pytest.mark.parametrize("name", ["random_forest", "xgboost", "hist_gradient_boosting"])
def test_staged_curves_end_at_the_fitted_model_accuracy(name, tmp_path):
    params = {"random_forest": {"n_estimators": 15}, "xgboost": {"n_estimators": 15},
              "hist_gradient_boosting": {"max_iter": 15}}[name]
    row, artifacts = execute(RunSpec.create("digits", name, seed=0, params=params), tmp_path)
    curve = artifacts["staged_accuracy"]
    assert len(curve) == 15
    assert curve[-1] == pytest.approx(row["accuracy"])
    assert curve[-1] > curve[0]  # one tree or one round is worse than the whole ensemble


def test_tree_artifacts_describe_a_real_tree(tmp_path):
    row, artifacts = execute(RunSpec.create("digits", "decision_tree", seed=0), tmp_path)
    root_feature = artifacts["tree_feature"][0]
    assert 0 <= root_feature < 64 and artifacts["tree_samples"][0] == row["n_train"]
    left, right = artifacts["tree_left"][0], artifacts["tree_right"][0]
    assert artifacts["tree_samples"][left] + artifacts["tree_samples"][right] == row["n_train"]
    assert artifacts["importances"].shape == (64,)
    assert artifacts["importances"].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", [name for name, entry in models.REGISTRY.items()
                                  if not entry.stochastic and name != "logreg"])
def test_models_run_once_are_truly_seed_independent(name, tmp_path):
    """The registry runs deterministic models with one seed; check that no seed matters."""
    # A few rounds of each booster show the seed's effect as well as the default hundred.
    params = {"xgboost": {"n_estimators": 10}, "lightgbm": {"n_estimators": 10},
              "hist_gradient_boosting": {"max_iter": 10}}.get(name)
    _, first = execute(RunSpec.create("digits", name, seed=0, params=params), tmp_path)
    _, second = execute(RunSpec.create("digits", name, seed=1, params=params), tmp_path)
    np.testing.assert_array_equal(first["predictions"], second["predictions"])


# What every shallow entry's classifier gets from the run's seed, as its builder passed it by
# hand before the generic factory (models.builders.seeded): its own ``*random_state`` params, or
# for the project's wrappers their ``seed`` (and what they build inside, once fitted).
SEEDED_BEFORE = {
    "gaussian_nb": set(), "bernoulli_nb": set(), "logreg": {"random_state"},
    "perceptron": {"random_state"}, "linear_svm": {"random_state"}, "rbf_svm": {"random_state"},
    "decision_tree": {"random_state"}, "random_forest": {"random_state"},
    "xgboost": {"random_state"}, "lightgbm": {"random_state"}, "poly_svm": {"random_state"},
    "kernel_map_svm": {"random_state"},
    "hist_gradient_boosting": {"random_state"}, "continual_shallow": {"seed"},
    "random_forest fair": {"seed", "forest_.random_state"},
    "xgboost fair": {"seed", "booster_.random_state"},
    "lightgbm fair": {"seed", "booster_.random_state"},
}


def _seeded_values(classifier) -> dict:
    found = {name: value for name, value in classifier.get_params().items()
             if name.endswith("random_state") or name == "seed"}
    for inner in ("forest_", "booster_"):  # the wrappers' fitted library estimator
        if hasattr(getattr(classifier, inner, None), "get_params"):
            found[f"{inner}.random_state"] = getattr(classifier, inner).get_params()["random_state"]
    return found


@pytest.mark.slow  # fits every shallow model, and the fair-budget variants
def test_every_shallow_estimator_gets_the_seed_where_it_did_before(digits):
    from mlhistory.running.budgets import FAIR_PARAMS

    shallow = [name for name, entry in models.REGISTRY.items() if entry.family == models.SHALLOW]
    variants = [(name, name, {}) for name in shallow]
    variants += [(f"{name} fair", name, FAIR_PARAMS[name]) for name in shallow if name in FAIR_PARAMS]
    assert {label for label, _, _ in variants} == set(SEEDED_BEFORE)
    for label, name, overrides in variants:
        params = models.resolve_params(name, overrides)
        if "n_estimators" in params:  # a few trees or rounds: the seeding is under test
            params["n_estimators"] = 10
        if params.get("growth_step"):
            params["growth_step"] = 5
        pipeline = models.build(name, digits.info, seed=7, params=params)
        pipeline.fit(digits.x_train[:300], digits.y_train[:300])
        seeded = _seeded_values(pipeline[-1])
        assert set(seeded) == SEEDED_BEFORE[label], label
        assert all(value == 7 for value in seeded.values()), (label, seeded)


def test_the_generic_factory_seeds_nested_estimators_too():
    from sklearn.ensemble import BaggingClassifier
    from sklearn.tree import DecisionTreeClassifier

    from mlhistory.models.builders import seeded

    bagging = seeded(BaggingClassifier(DecisionTreeClassifier()), 3)
    assert bagging.random_state == 3 and bagging.estimator.random_state == 3


@pytest.mark.slow  # a fresh interpreter imports the registry
def test_the_svm_implementation_is_resolved_with_a_run_s_params_not_at_import():
    import subprocess
    import sys

    from mlhistory.models.builders import best_svm_implementation
    from mlhistory.models.entry import OnThisMachine

    assert isinstance(models.get("rbf_svm").defaults["implementation"], OnThisMachine)
    assert models.resolve_params("rbf_svm")["implementation"] == best_svm_implementation()
    assert RunSpec.create("digits", "rbf_svm", 0).params_dict["implementation"] \
        == best_svm_implementation()
    assert models.resolve_params("rbf_svm", {"implementation": "stock"})["implementation"] == "stock"
    probe = ("import mlhistory.models.registry, mlhistory.models.builders as builders; "
             "print(builders.best_svm_implementation.cache_info().misses)")
    imported = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              check=True)
    assert imported.stdout.strip() == "0"  # importing the registry looked nothing up


def test_the_book_recipes_are_the_nets_defaults():
    from dataclasses import FrozenInstanceError

    from mlhistory.models.recipes import BOOK_CONVNET, BOOK_DENSE

    assert list(BOOK_DENSE.params().items()) == [("epochs", 5), ("batch_size", 128),
                                                 ("optimizer", "rmsprop"), ("learning_rate", None)]
    assert BOOK_CONVNET.params() == {"epochs": 5, "batch_size": 64, "optimizer": "rmsprop",
                                     "learning_rate": None}
    assert models.get("dense").defaults == BOOK_DENSE.params()
    assert models.get("convnet").defaults == BOOK_CONVNET.params()
    with pytest.raises(FrozenInstanceError):
        BOOK_DENSE.epochs = 10  # type: ignore[misc]


def test_model_entries_are_built_by_keyword_only():
    entry = models.get("logreg")
    with pytest.raises(TypeError):
        models.ModelEntry("logreg", entry.family, entry.build, entry.defaults,  # type: ignore[misc]
                          entry.preprocessing, entry.provenance, entry.stochastic)
