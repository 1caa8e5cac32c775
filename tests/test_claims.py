"""Claim verdicts computed from fixture result rows, with saved predictions and test labels."""

from dataclasses import replace

import numpy as np
import pytest

from mlhistory.judging import base
from mlhistory.judging.base import FAILS, HOLDS, INCONCLUSIVE
from mlhistory.judging.comparisons import Beats, MatchesOrBeats, WinRate
from mlhistory.judging.references import ErrorReduction
from mlhistory.judging.trends import FitTimeExponents, ReachesSooner
from mlhistory.results import ExperimentResults, testing
from mlhistory.results.curves import loglog_slope

CLAIM = Beats("a_beats_b", "A beats B.", winner="a", losers=("b",))


@pytest.mark.parametrize("a, b, verdict", [
    ([0.90, 0.91, 0.92], [0.80, 0.81, 0.82], HOLDS),
    ([0.80, 0.81, 0.82], [0.90, 0.91, 0.92], FAILS),
    # A 0.5-point gap against a 2-point seed spread is noise.
    ([0.88, 0.90, 0.92], [0.875, 0.895, 0.915], INCONCLUSIVE),
    # Single runs, McNemar's test: 6 images won and none lost is significant (p = 0.03); one
    # image is not.
    ([0.853], [0.850], HOLDS),
    ([0.8505], [0.8500], INCONCLUSIVE),
])
def test_beats_verdicts(rows, results, a, b, verdict):
    assert CLAIM.evaluate(results(rows("a", a), rows("b", b))).verdict == verdict


def test_one_failed_comparison_fails_a_claim_over_several_models(rows, results):
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    result = claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.95])))
    assert result.verdict == FAILS
    assert "a accuracy 0.9000" in result.evidence and "vs c" in result.evidence


def test_mixed_holds_and_noise_is_inconclusive(rows, results):
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    assert claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.9]))).verdict \
        == INCONCLUSIVE


def test_missing_results_are_inconclusive_not_a_crash(rows, results):
    saved = results(rows("a", [0.9]))
    manifest = replace(saved.manifest, runs=(*saved.manifest.runs, testing.run_record("b")))
    result = CLAIM.evaluate(replace(saved, manifest=manifest))
    assert result.verdict == INCONCLUSIVE and "no results for b" in result.evidence


def test_only_the_largest_training_size_is_judged(rows, results):
    small_subset = rows("a", [0.5], n_train=100) + rows("b", [0.9], n_train=100)
    full = rows("a", [0.9]) + rows("b", [0.8])
    assert CLAIM.evaluate(results(small_subset, full)).verdict == HOLDS


ALL_KINDS = [
    CLAIM,
    MatchesOrBeats("m", "M.", winner="a", losers=("b", "c")),
    ReachesSooner("r", "R.", fast="a", slow="b"),
    FitTimeExponents("f", "F.", steep="a", linear="b", min_size=100),
    WinRate("w", "W.", pairs=(("a", "b"), ("c", "d"))),
    ErrorReduction("e", "E.", better="a", worse="b", quoted=0.6),
]


@pytest.mark.parametrize("claim", ALL_KINDS, ids=lambda claim: claim.kind)
def test_claims_survive_a_round_trip_through_their_saved_form(claim):
    assert base.from_dict(claim.to_dict()) == claim


@pytest.mark.parametrize("a, b, verdict", [
    ([0.90], [0.80], HOLDS),
    ([0.8505], [0.8500], HOLDS),  # within noise counts as a match
    ([0.80], [0.90], FAILS),
])
def test_matches_or_beats(rows, results, a, b, verdict):
    claim = MatchesOrBeats("m", "M.", winner="a", losers=("b",))
    assert claim.evaluate(results(rows("a", a), rows("b", b))).verdict == verdict


def timed_rows(label, sizes, exponent, scale=1e-4):
    return [{"model": label, "dataset": "d", "seed": 0, "n_train": size, "accuracy": 0.9,
             "fit_seconds": scale * size**exponent, "run_key": f"{label}-{size}"}
            for size in sizes]


def test_slope_fit_recovers_a_known_exponent():
    sizes = np.array([1_000, 3_000, 10_000, 60_000])
    assert loglog_slope(sizes, 3e-6 * sizes**2.0) == pytest.approx(2.0)
    assert loglog_slope(sizes, 0.5 * sizes) == pytest.approx(1.0)


@pytest.mark.parametrize("steep, linear, verdict", [(2.0, 1.0, HOLDS), (1.2, 1.0, FAILS),
                                                     (2.0, 1.6, FAILS)])
def test_fit_time_exponents(results, steep, linear, verdict):
    sizes = [1_000, 5_000, 10_000, 60_000]
    saved = results(timed_rows("svm", sizes, steep), timed_rows("net", sizes, linear))
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    result = claim.evaluate(saved)
    assert result.verdict == verdict
    assert f"{steep:.2f} over n_train 5,000..60,000" in result.evidence


def test_fit_time_exponents_need_two_sizes(results):
    saved = results(timed_rows("svm", [60_000], 2.0), timed_rows("net", [60_000], 1.0))
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    assert claim.evaluate(saved).verdict == INCONCLUSIVE


def test_win_rate_counts_one_comparison_per_pair_however_many_seeds(rows, results):
    saved = results(rows("boost", [0.90]), rows("forest", [0.80, 0.81, 0.82]),
                    rows("boost2", [0.90]), rows("forest2", [0.80]),
                    rows("boost3", [0.70]), rows("forest3", [0.90, 0.91, 0.92]))
    claim = WinRate("w", "W.", pairs=(("boost", "forest"), ("boost2", "forest2"),
                                      ("boost3", "forest3")))
    result = claim.evaluate(saved)
    # Three seeds of a forest against one booster run are one comparison, not three.
    assert "2 wins, 1 losses, 0 ties" in result.evidence and "3 comparisons" in result.evidence
    assert result.verdict == HOLDS and result.p_value is not None


def test_win_rate_ties_are_neither_wins_nor_losses(rows, results):
    saved = results(rows("boost", [0.88, 0.90, 0.92]), rows("forest", [0.875, 0.895, 0.915]),
                    rows("boost2", [0.70]), rows("forest2", [0.90]))
    result = WinRate("w", "W.", pairs=(("boost", "forest"), ("boost2", "forest2"))).evaluate(saved)
    assert "0 wins, 1 losses, 1 ties" in result.evidence and result.verdict == FAILS


@pytest.mark.parametrize("better, worse, verdict", [
    (0.992, 0.980, HOLDS),    # error 0.008 against 0.020: 60 % fewer errors
    (0.90, 0.88, FAILS),      # 17 % fewer errors
])
def test_error_reduction_against_the_quoted_figure(rows, results, better, worse, verdict):
    claim = ErrorReduction("e", "E.", better="a", worse="b", quoted=0.6)
    assert claim.evaluate(results(rows("a", [better]), rows("b", [worse]))).verdict == verdict


@pytest.fixture
def curve_results(rows, results):
    """``curve_results(curves)``: saved results whose runs carry per-epoch test accuracy
    artifacts, one run per label of ``curves``."""

    def make(curves: dict) -> ExperimentResults:
        all_rows = [rows(label, [curve[-1]])[0] for label, curve in curves.items()]
        return results(all_rows, artifacts={
            row["run_key"]: {"test_accuracy_per_epoch": np.asarray(curve)}
            for row, curve in zip(all_rows, curves.values(), strict=True)})

    return make


@pytest.mark.parametrize("fast, verdict", [
    ([0.80, 0.86, 0.90], HOLDS),          # reaches LeNet's 0.85 at epoch 2 of 3
    ([0.70, 0.75, 0.80], FAILS),          # never reaches it
    ([0.70, 0.80, 0.84, 0.86], INCONCLUSIVE),     # the same epoch as LeNet
    ([0.70, 0.80, 0.84, 0.84, 0.86], FAILS),      # reaches it only at epoch 5
])
def test_reaches_sooner(curve_results, fast, verdict):
    slow = [0.70, 0.80, 0.83, 0.85]  # within 0.1 points of its final value only at epoch 4
    saved = curve_results({"modern": fast, "lenet": slow})
    result = ReachesSooner("r", "R.", fast="modern", slow="lenet").evaluate(saved)
    assert result.verdict == verdict, result.evidence
