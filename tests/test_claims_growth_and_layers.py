"""Verdicts of the claim kinds that read a power law along training sizes (GrowsWithData,
FallsFaster), a layer's similarity to the input (DriftsFromInput) and its probe accuracy
(RisesAlong), calibration
(MoreOverconfident) and a gap across two sets of datasets (GapInteraction), on fixture results."""

import numpy as np
import pytest

from mlhistory.judging import paired
from mlhistory.judging.base import from_dict
from mlhistory.judging.calibration import MoreOverconfident
from mlhistory.judging.growth import FallsFaster, GrowsWithData, error_exponents
from mlhistory.judging.panels import GapInteraction
from mlhistory.judging.similarity import DriftsFromInput, RisesAlong
from mlhistory.judging.verdicts import FAILS, HOLDS, SETUP_SHORT, TIES, UNDERPOWERED

SIZES = (1_000, 2_000, 5_000, 10_000, 20_000)


def test_the_score_bootstrap_draws_seeds_and_units_with_replacement():
    scores = np.random.default_rng(3).random((1, 400))
    draws = paired.bootstrap_score_means([scores, np.full((2, 400), 0.5)])
    assert draws[:, 0].mean() == pytest.approx(scores.mean(), abs=0.002)
    # The standard error of a mean of 400 units, as resampling them gives it.
    assert draws[:, 0].std() == pytest.approx(scores.std() / 20, rel=0.1)
    assert draws[:, 1] == pytest.approx(0.5)  # a constant side stays constant in every draw


def sized(rows, label, model_bytes, seeds=1):
    """One row per size and seed of ``label``, each with its model's size in bytes."""
    return [{**row, "model_bytes": size_bytes}
            for size, size_bytes in zip(SIZES, model_bytes, strict=True)
            for row in rows(label, [0.9] * seeds, n_train=size)]


@pytest.mark.parametrize("svm_bytes, net_bytes, expected", [
    ([n ** 0.6 * 1e3 for n in SIZES], [1e6] * 5, HOLDS),  # support vectors pile up
    ([2e7] * 5, [1e6] * 5, FAILS),  # the SVM's size stays the same
    ([n ** 0.6 * 1e3 for n in SIZES], [n ** 0.5 * 1e3 for n in SIZES], FAILS),  # the net grows
    ([2e7, 9e7, 1e7, 8e7, 3e7], [1e6] * 5, UNDERPOWERED),  # too scattered to fit a slope
])
def test_a_model_that_keeps_its_data_grows_while_a_net_stays_fixed(rows, results, svm_bytes,
                                                                   net_bytes, expected):
    fixture = results(sized(rows, "svm", svm_bytes), sized(rows, "net", net_bytes, seeds=2))
    verdict = GrowsWithData("m", "", grows="svm", fixed="net").evaluate(fixture)
    assert verdict.verdict == expected, verdict.evidence
    numbers = verdict.numbers
    assert (numbers.runs_a, numbers.runs_b, numbers.n_train_a) == (5, 10, 20_000)
    assert numbers.mean_b == pytest.approx(np.polyfit(np.log(SIZES), np.log(net_bytes), 1)[0])


def test_growth_needs_three_sizes(rows, results):
    fixture = results(*([{**row, "model_bytes": 1e6} for row in rows(label, [0.9], n_train=size)]
                        for label in ("svm", "net") for size in SIZES[:2]))
    assert GrowsWithData("m", "", grows="svm", fixed="net").evaluate(fixture).verdict == SETUP_SHORT


CURVE_SIZES = (100, 400, 1_600)


def curve(rows, label, errors):
    """Two seeds per size, their test errors on either side of ``errors``."""
    return [row for size, error in zip(CURVE_SIZES, errors, strict=True)
            for row in rows(label, [1 - error - 0.002, 1 - error + 0.002], n_train=size)]


STEEP, SHALLOW = (0.40, 0.16, 0.064), (0.30, 0.24, 0.192)  # error x0.63 and x0.89 per doubling


@pytest.mark.parametrize("fast, slow, expected", [
    (STEEP, SHALLOW, HOLDS),
    (SHALLOW, STEEP, FAILS),
    (STEEP, STEEP, TIES),  # the same curve: the same exponent in every draw
])
def test_one_error_falls_faster_per_doubling_than_another(rows, results, fast, slow, expected):
    fixture = results(curve(rows, "convnet", fast), curve(rows, "logreg", slow))
    verdict = FallsFaster("f", "", fast="convnet", slow=("logreg",)).evaluate(fixture)
    assert verdict.verdict == expected, verdict.evidence
    assert verdict.numbers.mean_a == pytest.approx(
        float(error_exponents(1 - np.asarray(fast), CURVE_SIZES)), abs=0.01)
    assert "per doubling" in verdict.evidence and verdict.numbers.runs_a == 6


def test_the_exponent_is_that_of_a_power_law():
    sizes = np.array([100, 1_000, 10_000])
    assert float(error_exponents(1 - 0.5 * sizes ** -0.3, sizes)) == pytest.approx(0.3)


LAYERS = np.array(["input", "pool1", "pool2", "dense"])


def cka_results(rows, results, per_layer, test_labels=None, seeds=2, noise=0.01):
    """A probed net whose saved CKA with the input is ``per_layer`` in each of 10 batches, plus
    a little noise per batch and seed, on the fixture test set (or on ``test_labels``, its
    first images)."""
    n_test = 2_000 if test_labels is None else len(test_labels)
    fixture_rows = rows("net", [0.9] * seeds, n_test=n_test)
    rng = np.random.default_rng(0)
    artifacts = {row["run_key"]: {"input_cka": np.asarray(per_layer) + noise * rng.normal(
        size=(10, len(per_layer))), "layer_names": LAYERS} for row in fixture_rows}
    return results(fixture_rows, artifacts=artifacts, test_labels=test_labels)


@pytest.mark.parametrize("per_layer, expected", [
    ([1.0, 0.7, 0.5, 0.3], HOLDS),
    ([1.0, 0.5, 0.7, 0.3], FAILS),  # the second pooling looks more like the input again
    ([1.0, 0.6, 0.6, 0.3], TIES),  # two layers as like the input, to the margin
])
def test_each_layer_drifts_further_from_the_input(rows, results, per_layer, expected):
    claim = DriftsFromInput("d", "", label="net", steps=tuple(LAYERS))
    verdict = claim.evaluate(cka_results(rows, results, per_layer))
    assert verdict.verdict == expected, verdict.evidence
    assert verdict.numbers.runs_a == 2 and verdict.numbers.margin == 0.05


def test_drift_on_a_small_test_set_is_an_illustration(rows, results, claim_labels):
    claim = DriftsFromInput("d", "", label="net", steps=tuple(LAYERS))
    verdict = claim.evaluate(cka_results(rows, results, [1.0, 0.7, 0.5, 0.3],
                                         test_labels=claim_labels[:500]))
    assert verdict.verdict == UNDERPOWERED and "illustration" in verdict.evidence


def test_drift_needs_the_saved_similarity(rows, results):
    claim = DriftsFromInput("d", "", label="net", steps=tuple(LAYERS))
    assert claim.evaluate(results(rows("net", [0.9]))).verdict == SETUP_SHORT


PROBED = np.array(["in", "c1", "p1", "c2", "p2", "head"])


def probed_results(rows, results, predictions_for, per_layer, seeds=2, test_labels=None):
    """A probed net whose every seed's probe at each layer of ``PROBED`` scores ``per_layer``
    (the easiest images right, so each layer's errors nest in the one before's)."""
    n_test = 2_000 if test_labels is None else len(test_labels)
    fixture_rows = rows("net", [0.9] * seeds, n_test=n_test)
    probe = np.stack([predictions_for(accuracy)[:n_test] for accuracy in per_layer])
    return results(fixture_rows, test_labels=test_labels, artifacts={
        row["run_key"]: {"probe_predictions": probe, "layer_names": PROBED}
        for row in fixture_rows})


@pytest.mark.parametrize("per_layer, steps, expected", [
    ([0.80, 0.85, 0.87, 0.90, 0.92, 0.95], (), HOLDS),
    ([0.80, 0.85, 0.83, 0.90, 0.92, 0.95], (), FAILS),  # the first pooling reads less
    ([0.80, 0.85, 0.85, 0.90, 0.92, 0.95], (), TIES),  # a layer that adds nothing
    # Convolutions that dip inside their blocks; the block outputs (the judged steps) rise.
    ([0.80, 0.70, 0.85, 0.70, 0.90, 0.95], ("in", "p1", "p2", "head"), HOLDS),
])
def test_the_probe_rises_at_every_step(rows, results, predictions_for, per_layer, steps,
                                       expected):
    claim = RisesAlong("r", "", label="net", steps=steps or tuple(PROBED))
    verdict = claim.evaluate(probed_results(rows, results, predictions_for, per_layer))
    assert verdict.verdict == expected, verdict.evidence
    numbers = verdict.numbers
    assert numbers.margin == 0.005 and numbers.runs_a == 2 and numbers.low <= numbers.high
    if expected == HOLDS:  # the weakest step decides: here a rise of 2 or 3 points
        assert numbers.gap == pytest.approx(min(np.diff(np.array(per_layer)[
            [list(PROBED).index(step) for step in claim.steps]])))


def test_a_probe_on_a_small_test_set_is_an_illustration(rows, results, predictions_for,
                                                        claim_labels):
    verdict = RisesAlong("r", "", label="net", steps=tuple(PROBED)).evaluate(probed_results(
        rows, results, predictions_for, [0.80, 0.85, 0.87, 0.90, 0.92, 0.95],
        test_labels=claim_labels[:500]))
    assert verdict.verdict == UNDERPOWERED and "illustration" in verdict.evidence


def test_the_probe_claim_needs_the_saved_predictions(rows, results):
    claim = RisesAlong("r", "", label="net", steps=tuple(PROBED))
    assert claim.evaluate(results(rows("net", [0.9]))).verdict == SETUP_SHORT


def confident(rows, label, accuracy, confidence):
    fixture_rows = rows(label, [accuracy])
    return fixture_rows, {row["run_key"]: {"confidence": np.full(2_000, confidence)}
                          for row in fixture_rows}


@pytest.mark.parametrize("naive_bayes, logreg, expected", [
    ((0.80, 0.99), (0.90, 0.91), HOLDS),  # 19 points too sure, against 1
    ((0.80, 0.80), (0.90, 0.99), FAILS),  # calibrated naive Bayes, over-confident logreg
    ((0.90, 0.92), (0.90, 0.92), TIES),  # both 2 points too sure on the same images
])
def test_naive_bayes_is_surer_than_it_is_right(rows, results, naive_bayes, logreg, expected):
    bayes_rows, bayes_saved = confident(rows, "bayes", *naive_bayes)
    logreg_rows, logreg_saved = confident(rows, "logreg", *logreg)
    fixture = results(bayes_rows, logreg_rows, artifacts={**bayes_saved, **logreg_saved})
    verdict = MoreOverconfident("o", "", overconfident=("bayes",),
                                calibrated="logreg").evaluate(fixture)
    assert verdict.verdict == expected, verdict.evidence
    assert verdict.numbers.mean_a == pytest.approx(naive_bayes[1] - naive_bayes[0])


def test_calibration_needs_the_saved_confidence(rows, results):
    fixture = results(rows("bayes", [0.8]), rows("logreg", [0.9]))
    verdict = MoreOverconfident("o", "", overconfident=("bayes",), calibrated="logreg")
    assert verdict.evaluate(fixture).verdict == SETUP_SHORT


@pytest.mark.parametrize("tables, images, expected", [
    (((0.90, 0.85), (0.95, 0.93)), ((0.97, 0.99),), HOLDS),  # +3.5 on tables, -2 on images
    (((0.90, 0.90),), ((0.97, 0.90),), FAILS),  # the booster's edge is on the images
    (((0.90, 0.90),), ((0.95, 0.95),), TIES),  # no edge on either: the same runs' gaps
])
def test_an_advantage_larger_on_tables_than_on_images(rows, results, tables, images, expected):
    pairs, row_lists = {}, []
    for where, accuracies in (("table", tables), ("image", images)):
        pairs[where] = tuple((f"xgb {where} {index}", f"net {where} {index}")
                             for index in range(len(accuracies)))
        for (booster, net), (booster_accuracy, net_accuracy) in zip(pairs[where], accuracies,
                                                                     strict=True):
            row_lists += [rows(booster, [booster_accuracy]),
                          rows(net, [net_accuracy, net_accuracy])]
    claim = GapInteraction("g", "", larger=pairs["table"], smaller=pairs["image"])
    verdict = claim.evaluate(results(*row_lists))
    assert verdict.verdict == expected, verdict.evidence
    expected_gap = (np.mean([a - b for a, b in tables]) - np.mean([a - b for a, b in images]))
    assert verdict.numbers.gap == pytest.approx(expected_gap, abs=0.001)


@pytest.mark.parametrize("claim", [
    GrowsWithData("m", "M.", grows="a", fixed="b"),
    FallsFaster("f", "F.", fast="a", slow=("b", "c")),
    DriftsFromInput("d", "D.", label="a", steps=("input", "dense")),
    MoreOverconfident("o", "O.", overconfident=("a", "b"), calibrated="c"),
    GapInteraction("g", "G.", larger=(("a", "b"),), smaller=(("c", "d"), ("e", "f")),
                   metric="macro_f1"),
])
def test_the_new_claims_survive_a_round_trip(claim):
    assert from_dict(claim.to_dict()) == claim
