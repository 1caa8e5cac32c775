"""Training procedures of experiments 06, 07, 09 and 12, on the 8x8 digits (seconds each)."""

import numpy as np
import pytest

from mlhistory import models
from mlhistory.data import load, restrict_classes, stratified_subset
from mlhistory.errors import UsageError
from mlhistory.models.layered_nets import kernel_gradient_norms
from mlhistory.models.reused_nets import seen_by_stage, stage_indices
from mlhistory.running.execute import execute
from mlhistory.running.spec import RunSpec


@pytest.fixture(scope="module")
def digits(tmp_path_factory):
    return load("digits", tmp_path_factory.mktemp("data"))


def _stacked(digits, training, depth=3):
    params = {**models.resolve_params("stacked_dense"), "depth": depth, "training": training,
              "width": 32, "epochs_per_layer": 5}
    return models.build("stacked_dense", digits.info, seed=0, params=params)


@pytest.mark.slow  # trains a 3-layer stack for 15 epochs
def test_greedy_training_freezes_every_layer_below_the_new_one(digits):
    classifier = _stacked(digits, "greedy")
    classifier.fit(digits.x_train, digits.y_train)
    # stage_weights[i] holds the layers below stage i's new layer, as they were after stage i.
    first, second, third = classifier.stage_weights
    assert first == []
    np.testing.assert_array_equal(second[0], third[0])  # layer 1 unchanged by stage 3
    np.testing.assert_array_equal(second[1], third[1])
    np.testing.assert_array_equal(classifier.hidden[0].get_weights()[0], third[0])
    np.testing.assert_array_equal(classifier.hidden[1].get_weights()[0], third[2])
    # The last layer trained in the last stage, and the final stack holds all three.
    assert len(classifier.network.layers) == 4
    assert classifier.n_params == (64 * 32 + 32) + 2 * (32 * 32 + 32) + (32 * 10 + 10)
    assert np.mean(classifier.predict(digits.x_test) == digits.y_test) > 0.25  # chance: 0.1


@pytest.mark.slow  # trains a 3-layer stack for 15 epochs
def test_joint_training_trains_every_layer_for_all_epochs(digits):
    classifier = _stacked(digits, "joint")
    classifier.fit(digits.x_train, digits.y_train)
    assert len(classifier.history["loss"]) == 15  # depth x epochs_per_layer
    assert all(layer.trainable for layer in classifier.hidden)


@pytest.mark.slow  # trains a 5-layer net once per candidate learning rate
def test_gradient_norms_have_one_value_per_dense_layer(digits):
    classifier = models.build("depth_recipe", digits.info, seed=0,
                              params={**models.resolve_params("depth_recipe"), "depth": 5,
                                      "recipe": "1990s", "epochs": 1, "learning_rates": (0.1, 1.0)})
    classifier.fit(digits.x_train, digits.y_train)
    artifacts = classifier.artifacts()
    assert artifacts["gradient_norms_at_init"].shape == (6,)  # 5 hidden layers + the softmax
    assert artifacts["gradient_norms_after_epoch_1"].shape == (6,)
    # The learning rate was chosen on validation among the candidates, each scored once.
    assert artifacts["learning_rate_validation_accuracy"].shape == (2,)
    norms = kernel_gradient_norms(classifier.network, classifier.inputs(digits.x_train[:64]),
                                  digits.y_train[:64])
    assert np.all(norms > 0)


@pytest.mark.slow  # trains a convnet, then a probe on each of its layers
def test_probe_pipeline_reads_every_layer_and_scores_on_test(digits, tmp_path):
    spec = RunSpec.create("digits", "probed_convnet", 0, {"epochs": 2, "probe_train": 500,
                                                          "projection_points": 200})
    row, artifacts = execute(spec, tmp_path)
    names = list(artifacts["layer_names"])
    # The input and the book's convnet's layers but Flatten (a reshape, nothing new to read).
    assert names[0] == "input" and len(names) == 7
    assert artifacts["probe_accuracy"].shape == (len(names),)
    # The probe on the softmax output reads the net's own prediction: it cannot beat chance
    # by less than the net itself does, and the pixels alone already carry the class.
    assert artifacts["probe_accuracy"][-1] > 0.5 and artifacts["probe_accuracy"][0] > 0.5
    # Each layer's linear CKA with the input, per batch of test images: 1 for the input itself.
    assert artifacts["input_cka"].shape == (10, len(names))
    np.testing.assert_allclose(artifacts["input_cka"][:, 0], 1.0, rtol=1e-5)
    assert np.all((artifacts["input_cka"] > 0) & (artifacts["input_cka"] <= 1 + 1e-5))
    assert artifacts["projection_0"].shape == (200, 2)
    assert artifacts["activation_1"].shape[:2] == (3, 8)  # 3 sample images, 8 channels
    assert row["fit_seconds"] > 0 and artifacts["probe_seconds"] > 0


def test_class_view_keeps_and_renumbers_the_chosen_classes(digits):
    view = restrict_classes(digits, (7, 2))
    assert set(np.unique(view.y_train)) == {0, 1}
    np.testing.assert_array_equal(view.x_train[view.y_train == 0], digits.x_train[digits.y_train == 7])
    assert view.info.class_names == ("7", "2") and view.info.n_train == len(view.y_train)
    with pytest.raises(UsageError, match="at least two distinct"):
        restrict_classes(digits, (3,))


def test_per_class_sampling_is_exact_on_balanced_classes_and_nested():
    labels = np.repeat(np.arange(5), 600)
    for per_class in (10, 30, 100):
        chosen = stratified_subset(labels, per_class * 5, seed=3)
        assert np.all(np.bincount(labels[chosen]) == per_class)
    small, large = stratified_subset(labels, 50, 3), stratified_subset(labels, 150, 3)
    assert set(small) <= set(large)
    assert not np.array_equal(stratified_subset(labels, 50, 4), small)


def _transfer(digits, mode):
    params = {**models.resolve_params("transfer_convnet"), "mode": mode,
              "source_classes": (0, 1, 2, 3, 4), "base_epochs": 1, "epochs": 2}
    target = restrict_classes(digits, (5, 6, 7, 8, 9))
    source = restrict_classes(digits, (0, 1, 2, 3, 4))
    return models.build("transfer_convnet", target.info, seed=0, params=params), target, source


@pytest.fixture(scope="module")
def frozen_transfer(digits):
    """The frozen transfer net, fitted: it pretrains the base that a net of the same seed and
    source, frozen or fine-tuned, reuses in this process."""
    classifier, target, source = _transfer(digits, "frozen")
    classifier.fit(target.x_train, target.y_train, source=(source.x_train, source.y_train))
    return classifier, target, source


@pytest.mark.slow  # pretrains a convnet, then trains its head
def test_frozen_base_weights_are_unchanged_by_training_the_head(frozen_transfer):
    classifier, target, source = frozen_transfer
    pretrained = classifier.pretrained_weights((source.x_train, source.y_train))
    base_now = classifier.base.get_weights()
    assert len(base_now) == len(pretrained) - 2  # everything but the source softmax layer
    for now, before in zip(base_now, pretrained, strict=False):
        np.testing.assert_array_equal(now, before)
    assert classifier.n_params > sum(np.prod(w.shape) for w in classifier.network.trainable_weights)
    assert np.mean(classifier.predict(target.x_test) == target.y_test) > 0.5


@pytest.mark.slow  # pretrains a convnet (in the frozen net's fixture), then fine-tunes it
def test_fine_tuning_changes_the_base_and_pretraining_is_shared(digits, frozen_transfer):
    classifier, target, source = _transfer(digits, "finetune")
    classifier.fit(target.x_train, target.y_train, source=(source.x_train, source.y_train))
    pretrained = classifier.pretrained_weights((source.x_train, source.y_train))
    assert not np.array_equal(classifier.base.get_weights()[0], pretrained[0])
    # The frozen run of the same seed and source pretrained this base: nothing was retrained.
    assert classifier.pretrained_here_seconds == 0.0 and classifier.pretrain_seconds > 0


def test_stages_partition_the_data_and_scratch_sees_everything_so_far():
    labels = np.repeat(np.arange(3), 30)
    parts = stage_indices(labels, 3, seed=0)
    assert sorted(np.concatenate(parts)) == list(range(90))
    assert all(np.all(np.bincount(labels[part]) == 10) for part in parts)
    np.testing.assert_array_equal(seen_by_stage(parts, 1, "continue"), parts[1])
    assert len(seen_by_stage(parts, 2, "scratch")) == 90


@pytest.mark.parametrize("learner", ["gaussian_nb", "sgd_hinge"])
def test_continual_shallow_models_keep_a_snapshot_per_stage(digits, tmp_path, learner):
    spec = RunSpec.create("digits", "continual_shallow", 0, {"learner": learner, "mode": "continue"})
    row, artifacts = execute(spec, tmp_path)
    assert artifacts["staged_accuracy"].shape == (3,) and artifacts["stage_seconds"].shape == (3,)
    assert artifacts["staged_accuracy"][-1] == pytest.approx(row["accuracy"])


def test_naive_bayes_continued_equals_naive_bayes_refitted(digits, tmp_path):
    """Naive Bayes only counts, so continuing on new parts gives exactly the refitted model."""
    rows = [execute(RunSpec.create("digits", "continual_shallow", 0,
                                   {"learner": "gaussian_nb", "mode": mode}), tmp_path)[0]
            for mode in ("continue", "scratch")]
    assert rows[0]["accuracy"] == pytest.approx(rows[1]["accuracy"], abs=0.005)


def test_image_nets_and_image_features_refuse_tables():
    with pytest.raises(UsageError, match="takes images"):
        RunSpec.create("letter", "convnet", 0, features="columns")
    with pytest.raises(UsageError, match="do not apply to a table"):
        RunSpec.create("letter", "logreg", 0, features="hog")
    with pytest.raises(UsageError, match="do not apply to images"):
        RunSpec.create("digits", "logreg", 0, features="columns")


def test_the_1990s_recipe_chooses_its_learning_rate_at_its_own_depth():
    """Each depth chooses its own learning rate on the validation split: a choice made for
    depth 5 serves depth 5 (the run reusing it keeps none of its time out of its fit time)
    and never depth 2."""
    from mlhistory.data import DATASETS
    from mlhistory.models import layered_nets, nets

    rng = np.random.default_rng(0)
    images, labels = rng.random((40, 8, 8)).astype(np.float32), np.arange(40) % 10
    options = {"seed": 0, "width": 8, "recipe": "1990s", "epochs": 1, "batch_size": 8,
               "learning_rates": (0.1, 0.01)}
    deep = layered_nets.DepthRecipeClassifier(DATASETS["digits"], depth=5, **options)
    shallow = layered_nets.DepthRecipeClassifier(DATASETS["digits"], depth=2, **options)
    key = (layered_nets.LEARNING_RATE_CHOICE,
           layered_nets.array_digest(labels, deep.inputs(images)), 0, 5, (0.1, 0.01), 1, 8, 8)
    nets._COMPUTED[key] = ([0.5, 0.7], 123.0)  # as if depth 5 had chosen it already
    try:
        assert deep._choose_learning_rate(deep.inputs(images), labels) == 0.01
        shallow._choose_learning_rate(shallow.inputs(images), labels)
    finally:
        nets._COMPUTED.pop(key)
    assert deep.selection_seconds == 0.0 and deep.shared_selection_seconds == 123.0
    assert shallow.validation_accuracy != [0.5, 0.7] and shallow.selection_seconds > 0


def test_a_shared_computation_runs_once_and_only_its_first_caller_spent_the_time():
    """One memo serves the trained nets and the 1990s recipe's learning rate: the second caller
    gets the same value, the time it took, and nothing spent in its own call."""
    from mlhistory.models import nets

    calls = []
    key = ("a throwaway role", 1)
    try:
        first = nets.computed_once(key, lambda: calls.append(1) or [0.5])
        second = nets.computed_once(key, lambda: calls.append(2) or [0.9])
    finally:
        del nets._COMPUTED[key]
    assert calls == [1]
    assert first[0] == second[0] == [0.5]
    assert first[1] == first[2] == second[1] and second[2] == 0.0
