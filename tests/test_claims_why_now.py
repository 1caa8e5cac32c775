"""Verdicts of the claim kinds added for experiments 06-12, on fixture results."""

import numpy as np
import pytest

from mlhistory.judging.base import from_dict
from mlhistory.judging.comparisons import AnyMatchesOrBeats, Beats, CheaperToContinue, Pairwise
from mlhistory.judging.margins import TIME_BOUND_MARGIN
from mlhistory.judging.references import TrainsWithin
from mlhistory.judging.trainability import FailsToTrain
from mlhistory.judging.trends import DiminishingReturns
from mlhistory.judging.verdicts import FAILS, HOLDS, SETUP_SHORT, TIES, UNDERPOWERED


def test_beats_at_a_given_size_ignores_other_sizes(rows, results):
    fixture = results(rows("a", [0.60, 0.61], n_train=100), rows("b", [0.70, 0.71], n_train=100),
                      rows("a", [0.95, 0.96], n_train=1000), rows("b", [0.80, 0.81], n_train=1000))
    assert Beats("c", "", winner="a", losers=("b",)).evaluate(fixture).verdict == HOLDS
    assert Beats("c", "", winner="a", losers=("b",), n_train=100).evaluate(fixture).verdict == FAILS
    missing = Beats("c", "", winner="a", losers=("b",), n_train=300).evaluate(fixture)
    assert missing.verdict == SETUP_SHORT and "n_train=300" in missing.evidence


@pytest.mark.parametrize("relation, quorum, expected", [
    ("matches_or_beats", "all", FAILS),  # pair 3 is clearly lost
    ("matches_or_beats", "most", HOLDS),  # 2 of 3 pairs won or tied
    # 1 win, 1 tie, 1 loss: no majority of wins, and two of three lack the predicted difference.
    ("beats", "most", TIES),
    ("beats", "all", FAILS),
])
def test_pairwise_relations_and_quorums(rows, results, relation, quorum, expected):
    fixture = results(rows("w1", [0.90, 0.91]), rows("l1", [0.80, 0.81]),  # a clear win
                      rows("w2", [0.85, 0.85]), rows("l2", [0.85, 0.85]),  # a tie
                      rows("w3", [0.70, 0.71]), rows("l3", [0.90, 0.91]))  # a clear loss
    claim = Pairwise("p", "", pairs=(("w1", "l1"), ("w2", "l2"), ("w3", "l3")),
                     relation=relation, quorum=quorum)
    assert claim.evaluate(fixture).verdict == expected


def test_pairwise_does_not_count_pairs_without_results(rows, results):
    fixture = results(rows("w1", [0.90, 0.91]), rows("l1", [0.80, 0.81]))
    claim = Pairwise("p", "", pairs=(("w1", "l1"), ("w9", "l9")), quorum="most")
    verdict = claim.evaluate(fixture)
    assert verdict.verdict == HOLDS
    assert "1 of 1 pairs" in verdict.evidence and "not counted" in verdict.evidence


@pytest.mark.parametrize("shallow, expected", [([0.70, 0.71], HOLDS), ([0.40, 0.41], FAILS)])
def test_any_matches_or_beats_needs_one_unbeaten_candidate(rows, results, shallow, expected):
    fixture = results(rows("tree", shallow, n_train=100), rows("svm", [0.30, 0.31], n_train=100),
                      rows("net", [0.60, 0.61], n_train=100))
    claim = AnyMatchesOrBeats("s", "", candidates=("svm", "tree"), opponents=("net",), n_train=100)
    assert claim.evaluate(fixture).verdict == expected


@pytest.mark.parametrize("means, expected", [
    ([0.80, 0.85, 0.86, 0.865], HOLDS),  # gains 5, 1, 0.5 points
    ([0.80, 0.81, 0.83, 0.88], FAILS),  # gains grow
    # Steady gains: a shrink of 0, but the images the steps differ on leave it +-0.6 points.
    ([0.80, 0.81, 0.82, 0.83], UNDERPOWERED),
    ([0.80, 0.80, 0.80, 0.80], TIES),  # no gain at all: the same to the margin
])
def test_diminishing_returns(rows, results, means, expected):
    fixture = results(*(rows(f"k{k}", [mean - 0.001, mean + 0.001]) for k, mean in enumerate(means)))
    claim = DiminishingReturns("d", "", labels=tuple(f"k{k}" for k in range(len(means))))
    assert claim.evaluate(fixture).verdict == expected


def with_final_losses(rows, results, **final_losses):
    """Results of labels whose seeds end their training at the given losses (a curve of two
    epochs each), test accuracy 0.9."""
    fixture_rows, artifacts = [], {}
    for label, losses in final_losses.items():
        labelled = rows(label, [0.9] * len(losses))
        fixture_rows += labelled
        artifacts |= {row["run_key"]: {"train_loss": np.array([2.3, loss])}
                      for row, loss in zip(labelled, losses, strict=True)}
    return results(fixture_rows, artifacts=artifacts)


@pytest.mark.parametrize("deep, expected", [
    ([2.30, 2.29], HOLDS),  # no better than guessing (ln 10 = 2.30)
    ([0.50, 0.52], HOLDS),  # far above the shallow net's loss
    ([0.12, 0.13], FAILS),  # a little above: trained, if not quite as well
    ([0.10, 0.60], UNDERPOWERED),  # far above on average, but the seeds disagree
    ([np.nan, 2.0], HOLDS),  # a loss that blew up counts as guessing's
    ([0.10, 0.11], FAILS),  # trained as well as the shallow net
])
def test_fails_to_train_is_judged_on_the_training_loss(rows, results, deep, expected):
    fixture = with_final_losses(rows, results, shallow=[0.10, 0.11], deep=deep)
    claim = FailsToTrain("f", "", labels=("deep",), reference="shallow")
    judged = claim.evaluate(fixture)
    assert judged.verdict == expected, judged.evidence
    assert judged.numbers.quantity == "final training loss" and judged.numbers.margin == 0.1


def test_trains_is_the_converse():
    from mlhistory.judging.trainability import Trains

    assert issubclass(Trains, FailsToTrain) and Trains.kind != FailsToTrain.kind


@pytest.mark.parametrize("shallow, deep, expected", [
    ([-0.1, -0.2], [-2.0, -2.2], HOLDS),  # two orders of magnitude fainter at depth
    ([-2.0, -2.2], [-0.1, -0.2], FAILS),  # stronger at depth
    ([-0.5, -0.6], [-0.6, -0.5], TIES),  # the same within a factor of 2
    ([-0.5, -0.6], [-0.2, -1.6], UNDERPOWERED),  # the deep seeds disagree
])
def test_fading_gradients_compare_the_first_layer_s_signal_shallowest_and_deepest(
        rows, results, shallow, deep, expected):
    from mlhistory.judging.gradients import FadesWithDepth

    fixture_rows, artifacts = [], {}
    for label, ratios in (("d2", shallow), ("d5", [-1.0, -1.0]), ("d20", deep)):
        labelled = rows(label, [0.9] * len(ratios))
        fixture_rows += labelled
        # The first layer's norm is 10^value; the last layer's moves with it, as when the
        # signal fades on the way forward too, so only the first layer's norm tells.
        artifacts |= {row["run_key"]: {"gradient_norms_after_epoch_1":
                                       np.array([10.0 ** value, 0.5, 10.0 ** value])}
                      for row, value in zip(labelled, ratios, strict=True)}
    claim = FadesWithDepth("g", "", labels=("d2", "d5", "d20"))
    judged = claim.evaluate(results(fixture_rows, artifacts=artifacts))
    assert judged.verdict == expected, judged.evidence
    assert "d5 -1.00 (2 seeds)" in judged.evidence


def test_a_deep_net_left_at_chance_is_the_fading_signal_s_evidence_not_excluded(rows, results):
    from mlhistory.judging.gradients import FadesWithDepth

    shallow, deep = rows("d2", [0.95, 0.96]), rows("d20", [0.10, 0.10])
    artifacts = {row["run_key"]: {"gradient_norms_after_epoch_1": np.array([1.0, 1.0]),
                                  "train_loss": np.array([1.0, 0.1])} for row in shallow}
    artifacts |= {row["run_key"]: {"gradient_norms_after_epoch_1": np.array([1e-4, 1.0]),
                                   "train_loss": np.array([2.3, 2.3])} for row in deep}
    judged = FadesWithDepth("g", "", labels=("d2", "d20")).evaluate(
        results(shallow, deep, artifacts=artifacts))
    assert judged.verdict == HOLDS, judged.evidence
    assert "near chance" in judged.evidence and "kept: the claim judges its failure" in judged.evidence


def _timed(fixture_rows, seconds):
    return [{**row, "fit_seconds": seconds} for row in fixture_rows]


@pytest.mark.parametrize("continued, seconds, expected", [
    ([0.85, 0.85], 10.0, HOLDS),
    ([0.85, 0.85], 30.0, HOLDS),  # as accurate: the time is reported, not tested
    ([0.70, 0.71], 10.0, FAILS),  # faster but worse
])
def test_continuing_keeps_up_with_retraining(rows, results, continued, seconds, expected):
    fixture = results(_timed(rows("cont", continued), seconds),
                      _timed(rows("scratch", [0.85, 0.85]), 20.0))
    verdict = CheaperToContinue("c", "", pairs=(("cont", "scratch"),)).evaluate(fixture)
    assert verdict.verdict == expected
    assert f"{seconds:.1f} s vs 20.0 s" in verdict.evidence


@pytest.mark.parametrize("claim", [
    Pairwise("p", "P.", pairs=(("a", "b"), ("c", "d")), relation="beats", quorum="most"),
    AnyMatchesOrBeats("a", "A.", candidates=("x",), opponents=("y", "z"), n_train=100),
    DiminishingReturns("d", "D.", labels=("a", "b", "c")),
    FailsToTrain("f", "F.", labels=("a",), reference="b"),
    CheaperToContinue("c", "C.", pairs=(("a", "b"),)),
    Beats("b", "B.", winner="a", losers=("b",), n_train=50),
])
def test_new_claims_survive_a_round_trip(claim):
    assert from_dict(claim.to_dict()) == claim


@pytest.mark.parametrize("seconds, verdict", [
    ([100.0, 110.0, 120.0], HOLDS),  # 30 times under the hour: any laptop of this kind
    ([1500.0, 1600.0, 1700.0], FAILS),  # within the hour, but not by the factor of 3 to spare
    ([200.0, 2000.0, 900.0], UNDERPOWERED),  # the runs' spread straddles the margin
])
def test_a_time_bound_holds_only_with_a_factor_of_three_to_spare(rows, results, seconds, verdict):
    timed = [{**row, "fit_seconds": fit} for row, fit in zip(rows("net", [0.9] * 3), seconds,
                                                            strict=True)]
    judged = TrainsWithin("t", "", label="net", seconds=3600).evaluate(results(timed))
    assert judged.verdict == verdict, judged.evidence
    numbers = judged.numbers
    assert numbers.gap == pytest.approx(np.log10(3600) - np.mean(np.log10(seconds)))
    assert numbers.low < numbers.gap < numbers.high and numbers.margin == TIME_BOUND_MARGIN
