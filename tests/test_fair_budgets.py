"""The fair budgets and the statistics behind the verdicts: the validation split, early stopping
that never reads test data, the grown forest and the early-stopped boosters, the paired tests,
the verdict categories, and the SVM's implementations."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.metrics import f1_score

from mlhistory import models
from mlhistory.data import DATASETS, validation_split
from mlhistory.errors import UsageError
from mlhistory.judging import paired
from mlhistory.judging.base import judge
from mlhistory.judging.comparisons import Beats
from mlhistory.judging.references import GpuSpeedup
from mlhistory.judging.verdicts import DOES_NOT_CARRY_OVER, FAILS, HOLDS, LIMITED_BY_MACHINE, TIES
from mlhistory.models.ensembles import EarlyStoppedBooster, GrownForest, staged_classes, staged_rounds
from mlhistory.results import HARDWARE_FILE
from mlhistory.running.spec import RunSpec


@pytest.fixture(scope="module")
def digits():
    """The 8x8 digits as a training split and a test split that share no image."""
    images, labels = load_digits(return_X_y=True)
    images = images.reshape(-1, 8, 8).astype(np.uint8)
    return images[:1200], labels[:1200], images[1200:], labels[1200:]


def test_the_validation_split_is_seeded_stratified_and_disjoint():
    labels = np.repeat(np.arange(10), 100)
    train, held_out = validation_split(labels, seed=3)
    assert len(held_out) == 100 and len(train) == 900
    assert not set(train) & set(held_out)
    assert sorted([*train, *held_out]) == list(range(1000))
    assert np.bincount(labels[held_out]).tolist() == [10] * 10
    again, _ = validation_split(labels, seed=3)
    other, _ = validation_split(labels, seed=4)
    assert np.array_equal(train, again) and not np.array_equal(train, other)


def test_early_stopping_reads_only_the_training_images(digits, monkeypatch):
    """The net's validation data are the held-out share of its training images, and it trains
    on the rest: the test split never reaches it."""
    import keras

    x_train, y_train, _, _ = digits
    seen = {}
    fit = keras.Model.fit

    def recording_fit(self, x, y, *args, validation_data=None, **kwargs):
        seen["train"], seen["validation"] = x, validation_data[0]
        return fit(self, x, y, *args, validation_data=validation_data, **kwargs)

    monkeypatch.setattr(keras.Model, "fit", recording_fit)
    net = models.build("dense", DATASETS["digits"], 0,
                       models.resolve_params("dense", {"epochs": 3, "patience": 1}))
    net.fit(x_train, y_train)
    train, held_out = validation_split(y_train, seed=0)
    as_inputs = (x_train.reshape(len(x_train), -1) / 255.0).astype(np.float32)
    np.testing.assert_array_equal(seen["validation"], as_inputs[held_out])
    np.testing.assert_array_equal(seen["train"], as_inputs[train])


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_a_booster_stops_when_its_validation_loss_stops_improving(digits, library):
    x_train, y_train, x_test, y_test = digits
    flat = x_train.reshape(len(x_train), -1)
    booster = EarlyStoppedBooster(library, seed=0, max_rounds=1000, patience=5,
                                  params={"learning_rate": 0.5, "n_jobs": 1}).fit(flat, y_train)
    assert 1 <= booster.rounds_ < 1000
    artifacts = booster.staged_artifacts(x_test.reshape(len(x_test), -1), y_test)
    assert artifacts["staged_rounds"][-1] == booster.rounds_
    assert artifacts["staged_accuracy"][-1] == pytest.approx(
        np.mean(booster.predict(x_test.reshape(len(x_test), -1)) == y_test))


@pytest.mark.parametrize("library", ["xgboost", "lightgbm"])
def test_staged_predictions_from_one_pass_are_those_of_predicting_round_by_round(digits, library):
    """Each round's trees evaluated once, the margins summed as the library sums them: the very
    predictions of predicting from the first r rounds, for every r, bit for bit."""
    x_train, y_train, x_test, _ = digits
    flat, test = x_train.reshape(len(x_train), -1), x_test.reshape(len(x_test), -1)
    if library == "xgboost":
        from xgboost import XGBClassifier

        booster = XGBClassifier(n_estimators=25, tree_method="hist", n_jobs=1).fit(flat, y_train)
        by_round = [booster.predict(test, iteration_range=(0, r)) for r in range(1, 26)]
    else:
        from lightgbm import LGBMClassifier

        booster = LGBMClassifier(n_estimators=25, n_jobs=1, verbose=-1).fit(flat, y_train)
        by_round = [booster.predict(test, num_iteration=r) for r in range(1, 26)]
    staged = staged_classes(booster, test, list(range(1, 26)))
    assert staged is not None and len(staged) == 25
    assert all(np.array_equal(one, other) for one, other in zip(staged, by_round, strict=True))
    assert [len(found) for found in staged_classes(booster, test, [3, 9])] == [len(test)] * 2


def test_a_forest_grows_in_steps_until_the_validation_accuracy_stalls(digits):
    x_train, y_train, _, _ = digits
    forest = GrownForest(seed=0, step=10, max_trees=200).fit(x_train.reshape(len(x_train), -1),
                                                            y_train)
    assert len(forest.estimators_) % 10 == 0 and 10 <= len(forest.estimators_) <= 200
    assert len(forest.estimators_) < 200  # digits saturate long before 200 trees


def test_staged_rounds_are_log_spaced_and_end_at_the_last_round():
    rounds = staged_rounds(1000)
    assert rounds[0] == 1 and rounds[-1] == 1000 and len(rounds) <= 40
    assert staged_rounds(3).tolist() == [1, 2, 3]


def test_mcnemar_counts_only_the_images_the_models_disagree_on():
    agree = np.ones(100, dtype=bool)
    a, b = agree.copy(), agree.copy()
    b[:6] = False  # A right and B wrong on 6 images, never the other way
    assert paired.mcnemar(a, b) == pytest.approx(2 / 2**6)
    assert paired.mcnemar(a, a) == 1.0


def test_the_bootstrap_macro_f1_is_scikit_learns():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, 500)
    predictions = np.where(rng.random(500) < 0.7, labels, rng.integers(0, 4, 500))
    assert paired.score(predictions, labels, "macro_f1", 4) == pytest.approx(
        f1_score(labels, predictions, average="macro"))


def test_the_paired_bootstrap_counts_the_spread_over_seeds():
    labels = np.arange(1000) % 10
    steady = [np.where(np.arange(1000) < 900, labels, (labels + 1) % 10)] * 3
    # The same mean, 0.9, but one seed at 0.8 and one at 1.0: no longer a clear difference.
    wobbly = [np.where(np.arange(1000) < cut, labels, (labels + 1) % 10) for cut in (800, 900, 1000)]
    better = [np.where(np.arange(1000) < 930, labels, (labels + 1) % 10)] * 3
    assert paired.paired_test(better, steady, labels, "accuracy", 10).significant
    assert not paired.paired_test(better, wobbly, labels, "accuracy", 10).significant


def test_a_contradiction_off_the_books_dataset_does_not_carry_over(rows, results):
    saved = results(rows("a", [0.80]), rows("b", [0.90]))
    about_mnist = Beats("c", "C.", winner="a", losers=("b",), book_dataset="mnist")
    general = Beats("g", "G.", winner="a", losers=("b",))
    judged = {row["claim_id"]: row for row in judge(saved, [about_mnist, general])}
    assert judged["c"]["verdict"] == DOES_NOT_CARRY_OVER  # the fixture's dataset is not MNIST
    assert judged["g"]["verdict"] == FAILS
    assert judged["g"]["test"] == paired.MCNEMAR and judged["g"]["p_value"] == "<0.001"
    assert "n_train 1,000, 1 run" in judged["g"]["budgets"]


def test_a_claim_this_machine_cannot_test_says_what_it_needs(rows, results):
    from mlhistory import atomic

    saved = results(rows("a", [0.9]))
    claim = GpuSpeedup("gpu", "G.", factor=350)
    peaks = {"CPU:0": {"gflops": 90.0}}
    atomic.write_json(saved.folder / HARDWARE_FILE, {"matmul": peaks})
    verdict = claim.evaluate(saved)
    assert verdict.verdict == LIMITED_BY_MACHINE and "no GPU" in verdict.evidence
    atomic.write_json(saved.folder / HARDWARE_FILE,
                      {"matmul": {**peaks, "GPU:0": {"gflops": 90.0 * 400}}})
    assert claim.evaluate(saved).verdict == HOLDS


def test_the_verdicts_of_a_paired_claim(rows, results):
    for a, b, expected in (([0.9], [0.8], HOLDS), ([0.8], [0.9], FAILS), ([0.85], [0.85], TIES)):
        assert Beats("c", "C.", winner="a", losers=("b",)).evaluate(
            results(rows("a", a), rows("b", b))).verdict == expected


def test_the_svm_implementation_is_part_of_the_run():
    stock = RunSpec.create("digits", "rbf_svm", 0, {"implementation": "stock"})
    fast = RunSpec.create("digits", "rbf_svm", 0, {"implementation": "sklearnex"})
    assert stock.key != fast.key
    with pytest.raises(UsageError, match="unknown SVM implementation 'fastest'"):
        models.build("rbf_svm", DATASETS["digits"], 0, {"C": 10.0, "gamma": "scale",
                                                         "implementation": "fastest"})


def test_the_accelerated_svm_scores_as_the_stock_one(digits):
    pytest.importorskip("sklearnex")
    x_train, y_train, x_test, y_test = digits
    accuracy = {}
    for implementation in ("stock", "sklearnex"):
        svm = models.build("rbf_svm", DATASETS["digits"], 0, {"C": 10.0, "gamma": "scale",
                                                               "implementation": implementation})
        svm.fit(x_train, y_train)
        accuracy[implementation] = np.mean(svm.predict(x_test) == y_test)
    assert abs(accuracy["stock"] - accuracy["sklearnex"]) <= 0.002
