"""Claim verdicts computed from fixture result rows, with saved predictions and test labels:
every verdict category, the paired test of the mean against brute force, the declared
margins, and failed runs flagged and left out."""

import itertools
import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from mlhistory.judging import base, margins, paired
from mlhistory.judging.comparisons import Beats, MatchesOrBeats, Pairwise, WinRate
from mlhistory.judging.rankings import RunnerUp
from mlhistory.judging.references import ErrorReduction, ReachesReference, human_accuracy
from mlhistory.judging.trainability import FailsToTrain
from mlhistory.judging.trends import FitTimeExponents, ReachesSooner
from mlhistory.judging.verdicts import FAILS, HOLDS, SETUP_SHORT, TIES, UNDERPOWERED
from mlhistory.results import ExperimentResults, testing
from mlhistory.results.curves import loglog_slope
from mlhistory.results.flags import (
    DIVERGED,
    FAILED,
    FLAGS_FILE,
    NEAR_CHANCE,
    NEVER_RIGHT,
    SHORT,
    Flag,
    row_flags,
    write_flag_file,
)

CLAIM = Beats("a_beats_b", "A beats B.", winner="a", losers=("b",))


@pytest.mark.parametrize("a, b, verdict", [
    ([0.90, 0.91, 0.92], [0.80, 0.81, 0.82], HOLDS),
    ([0.80, 0.81, 0.82], [0.90, 0.91, 0.92], FAILS),
    # A 0.5-point gap against a 2-point seed spread: the interval is wider than the margin.
    ([0.88, 0.90, 0.92], [0.875, 0.895, 0.915], UNDERPOWERED),
    # The same, to a tenth of a point, with a tight spread: equal within the margin.
    ([0.850, 0.851, 0.852], [0.851, 0.850, 0.852], TIES),
    # One deterministic run each, McNemar's test: 6 images won and none lost is significant
    # (p = 0.03); one image is not, and a gap of one image in 2,000 lies within the margin.
    ([0.853], [0.850], HOLDS),
    ([0.8505], [0.8500], TIES),
])
def test_beats_verdicts(rows, results, a, b, verdict):
    judged = CLAIM.evaluate(results(rows("a", a), rows("b", b)))
    assert judged.verdict == verdict, judged.evidence
    numbers = judged.numbers
    assert numbers.gap == pytest.approx(np.mean(a) - np.mean(b), abs=1e-9)
    assert numbers.low - 1e-12 <= numbers.gap <= numbers.high + 1e-12
    assert numbers.margin == margins.ACCURACY_MARGIN and numbers.runs_a == len(a)


def test_an_underpowered_comparison_says_how_many_seeds_would_settle_it(rows, results):
    judged = CLAIM.evaluate(results(rows("a", [0.88, 0.90, 0.92]),
                                    rows("b", [0.875, 0.895, 0.915])))
    assert judged.verdict == UNDERPOWERED
    seeds = re.search(r"(about|more than) (\d+) seeds per seeded side", judged.evidence)
    assert seeds and int(seeds.group(2)) > 3, judged.evidence


def test_the_power_calculation_of_a_known_case():
    # gap 0 against a 0.5-point margin: settled when 2.80 standard errors fit in 0.5 points,
    # a variance of 3.19e-6; the images give 1e-6, so a seed variance of 2e-5 needs 10 seeds.
    text = paired.settling(0.0, 0.005, margins.BEATS, 1e-6, [(2e-5, 3), (0.0, 1)], 10_000)
    assert text.startswith("about 10 seeds per seeded side")
    # When the images alone are too noisy, more seeds cannot help; more images can.
    text = paired.settling(0.0, 0.005, margins.BEATS, 4e-6, [(3e-6, 3)], 10_000)
    assert text.startswith("more seeds cannot settle it") and "18,306 test images would" in text
    # When neither alone can, both together.
    text = paired.settling(0.0, 0.005, margins.BEATS, 4e-6, [(2e-5, 3)], 10_000)
    assert text.startswith("neither more seeds nor more test images alone settle it")


def test_one_failed_comparison_fails_a_claim_over_several_models(rows, results):
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    result = claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.95])))
    assert result.verdict == FAILS
    assert "a accuracy 0.9000" in result.evidence and "vs c" in result.evidence
    # The numbers are the deciding comparison's, and say so.
    assert result.numbers.side_b == "c" and "of 2 comparisons" in result.numbers.deciding


def test_a_tie_with_one_loser_is_a_tie_of_the_whole_claim(rows, results):
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    assert claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.9]))).verdict \
        == TIES


def test_missing_results_are_setup_short_not_a_crash(rows, results):
    saved = results(rows("a", [0.9]))
    manifest = replace(saved.manifest, runs=(*saved.manifest.runs, testing.run_record("b")))
    result = CLAIM.evaluate(replace(saved, manifest=manifest))
    assert result.verdict == SETUP_SHORT and "no results for b" in result.evidence


def test_a_test_set_under_2000_images_decides_nothing(rows, results, claim_labels):
    small = results(rows("a", [0.95, 0.96, 0.97], n_test=1_000),
                    rows("b", [0.60, 0.61, 0.62], n_test=1_000), test_labels=claim_labels[:1_000])
    judged = CLAIM.evaluate(small)
    assert judged.verdict == UNDERPOWERED and "1,000 test images" in judged.evidence
    assert "the interval alone: holds" in judged.evidence


@pytest.mark.parametrize("low, high, relation, verdict", [
    (0.001, 0.01, margins.BEATS, HOLDS), (-0.01, -0.001, margins.BEATS, FAILS),
    (-0.004, 0.004, margins.BEATS, TIES), (-0.004, 0.006, margins.BEATS, UNDERPOWERED),
    (-0.004, 0.01, margins.MATCHES_OR_BEATS, HOLDS),
    (-0.02, -0.006, margins.MATCHES_OR_BEATS, FAILS),
    (-0.006, 0.01, margins.MATCHES_OR_BEATS, UNDERPOWERED),
    (0.006, 0.02, margins.EXCEEDS, HOLDS), (-0.01, 0.004, margins.EXCEEDS, FAILS),
    (0.004, 0.02, margins.EXCEEDS, UNDERPOWERED),
])
def test_an_interval_against_the_margin(low, high, relation, verdict):
    assert margins.verdict_of_interval(low, high, 0.005, relation) == verdict


# --- the paired test of the mean, against brute force ------------------------------------------

TINY_LABELS = np.array([0, 1, 2])
# Two seeds a side, three test images: each seed's predictions.
TINY_A = np.array([[0, 1, 0], [0, 2, 2]])
TINY_B = np.array([[1, 1, 2], [0, 0, 1]])


def exact_gaps(metric: str) -> Counter:
    """The bootstrap distribution of the gap, every outcome enumerated: each side's two seeds
    drawn with replacement (4 ordered draws a side) and the three images (27 ordered draws),
    all equally likely; the gap is the mean metric of A's drawn seeds minus B's."""
    outcomes = Counter()
    for images in itertools.product(range(3), repeat=3):
        index = np.array(images)
        for seeds_a in itertools.product(range(2), repeat=2):
            for seeds_b in itertools.product(range(2), repeat=2):
                mean_a = np.mean([paired.score(TINY_A[seed][index], TINY_LABELS[index], metric, 3)
                                  for seed in seeds_a])
                mean_b = np.mean([paired.score(TINY_B[seed][index], TINY_LABELS[index], metric, 3)
                                  for seed in seeds_b])
                outcomes[round(mean_a - mean_b, 9)] += 1
    return outcomes


@pytest.mark.parametrize("metric, counted, draws", [("accuracy", True, 200_000),
                                                    ("accuracy", False, 40_000),
                                                    ("macro_f1", False, 40_000)])
def test_the_paired_bootstrap_of_the_mean_is_the_enumerated_distribution(metric, counted, draws):
    exact = exact_gaps(metric)
    total = sum(exact.values())
    values = np.array(list(exact))
    weights = np.array(list(exact.values())) / total
    mean = float(values @ weights)
    variance = float(((values - mean) ** 2) @ weights)
    drawn = paired.bootstrap_means([TINY_A, TINY_B], TINY_LABELS, metric, 3, draws=draws,
                                   counted=counted)
    gaps = np.round(drawn[:, 0] - drawn[:, 1], 9)
    assert gaps.mean() == pytest.approx(mean, abs=4 * np.sqrt(variance / draws))
    assert gaps.var() == pytest.approx(variance, rel=0.03)
    # Every outcome, with its probability.
    found = Counter(gaps.tolist())
    assert set(found) <= set(exact)
    assert max(abs(found[value] / draws - count / total) for value, count in exact.items()) < 0.01


def test_the_paired_test_compares_the_means_and_its_draws_are_seeded():
    first = paired.paired_test(list(TINY_A), list(TINY_B), TINY_LABELS, "accuracy", 3)
    assert first.gap == pytest.approx(TINY_A.__eq__(TINY_LABELS).mean()
                                      - TINY_B.__eq__(TINY_LABELS).mean())
    assert first == paired.paired_test(list(TINY_A), list(TINY_B), TINY_LABELS, "accuracy", 3)
    assert first.test == paired.BOOTSTRAP


def test_mcnemar_only_for_one_deterministic_run_a_side(predictions_for, claim_labels):
    a, b = [predictions_for(0.853)], [predictions_for(0.850)]
    assert paired.paired_test(a, b, claim_labels, "accuracy", 10, True, True).test == paired.MCNEMAR
    # One run of a seeded model is not a deterministic one: the bootstrap, seed spread unknown.
    seeded = paired.paired_test(a, b, claim_labels, "accuracy", 10, False, True)
    assert seeded.test == paired.BOOTSTRAP and np.isnan(seeded.seed_variance_a)


def test_the_mcnemar_interval_excludes_zero_exactly_when_its_p_is_significant():
    for won, lost in [(6, 0), (5, 0), (9, 2), (8, 2), (30, 15), (30, 17)]:
        a = np.ones(1000, dtype=bool)
        b = np.ones(1000, dtype=bool)
        b[:won] = False
        a[won:won + lost] = False
        low, high = paired.mcnemar_interval(a, b)
        assert (low > 0 or high < 0) == (paired.mcnemar(a, b) < 0.05), (won, lost)


# --- failed runs, flagged ----------------------------------------------------------------------


def diverged_loss() -> np.ndarray:
    return np.array([0.9, 1.4, np.nan])


def test_a_planted_diverged_seed_is_flagged_and_left_out(rows, results):
    a = rows("a", [0.90, 0.91, 0.60])
    saved = results(a, rows("b", [0.85, 0.86, 0.87]),
                    artifacts={a[2]["run_key"]: {"train_loss": diverged_loss()}})
    judged = base.judge(saved, [CLAIM])[0]
    assert judged["verdict"] == HOLDS  # on the two seeds that trained
    assert "a: 1 of 3 seeds diverged, excluded" in judged["evidence"]
    assert judged["excluded"] == "a: 1 of 3 seeds diverged, excluded"
    assert judged["runs_a"] == "2" and "3 runs (1 excluded)" in judged["budgets"]
    assert float(judged["mean_a"]) == pytest.approx(0.905)


def test_a_side_with_every_seed_failed_is_setup_short(rows, results):
    a = rows("a", [0.90, 0.91, 0.92])
    saved = results(a, rows("b", [0.85, 0.86, 0.87]),
                    artifacts={row["run_key"]: {"train_loss": diverged_loss()} for row in a})
    judged = CLAIM.evaluate(saved)
    assert judged.verdict == SETUP_SHORT and "3 of 3 seeds diverged" in judged.evidence
    assert "no unflagged results for a" in judged.evidence


def test_a_never_predicted_class_is_flagged(rows, results, predictions_for, claim_labels):
    predictions = predictions_for(0.9)
    predictions[predictions == 3] = 4
    flags = row_flags({"run_key": "k"}, predictions, claim_labels)
    assert [flag.reason for flag in flags] == [NEVER_RIGHT]
    assert f"({np.sum(claim_labels == 3)} test rows, never predicted)" in flags[0].detail
    a = rows("a", [0.90, 0.91, 0.92])
    saved = results(a, rows("b", [0.85, 0.86, 0.87]),
                    artifacts={a[0]["run_key"]: {"predictions": predictions}})
    assert "a: 1 of 3 seeds never gets a class right, excluded" in CLAIM.evaluate(saved).evidence


def test_a_class_predicted_only_wrongly_is_flagged_like_one_never_predicted(predictions_for,
                                                                         claim_labels):
    """LightGBM on shuttle predicts its two rarest classes, but never for their own rows."""
    predictions = predictions_for(0.9)
    rows_of_3 = np.flatnonzero(claim_labels == 3)
    predictions[rows_of_3] = 4
    predictions[np.flatnonzero(claim_labels == 5)[:2]] = 3
    flags = row_flags({"run_key": "k"}, predictions, claim_labels)
    assert [flag.reason for flag in flags] == [NEVER_RIGHT]
    wrongly = int(np.sum(predictions == 3))
    assert wrongly >= 2
    assert f"3 ({len(rows_of_3)} test rows, predicted {wrongly} times, never right)" in flags[0].detail


def test_a_class_of_a_few_test_rows_missed_is_the_test_set_s_smallness_not_a_failure():
    """Shuttle's two rarest classes hold three test rows each: a working model often misses
    all three; a class of 20 rows missed whole is a failure."""
    labels = np.array([0] * 100 + [1] * 100 + [2] * 3 + [3] * 20)
    predictions = np.where(labels < 2, labels, 0)  # both small classes missed
    [flag] = row_flags({"run_key": "k"}, predictions, labels)
    assert flag.reason == NEVER_RIGHT and flag.detail.startswith("never gets 1 of 4 classes right: 3 ")
    predictions[-20:] = 3  # the 20-row class right: the 3-row class alone is missed
    assert row_flags({"run_key": "k"}, predictions, labels) == []


def test_near_chance_and_a_rising_loss_are_flagged_and_a_healthy_run_is_not(predictions_for, claim_labels):
    assert [flag.reason for flag in row_flags({"run_key": "k"}, predictions_for(0.12),
                                              claim_labels)] == [NEAR_CHANCE]
    assert row_flags({"run_key": "k"}, predictions_for(0.9), claim_labels,
                     np.array([0.9, 0.5, 0.3])) == []
    rising = row_flags({"run_key": "k"}, predictions_for(0.9), claim_labels,
                       np.array([51.2, 53.8, 53.9]))
    assert [flag.reason for flag in rising] == [DIVERGED] and "rose" in rising[0].detail
    # A net stuck at guessing's loss wobbles in the sixth decimal: flat, not diverged.
    stuck = row_flags({"run_key": "k"}, predictions_for(0.9), claim_labels,
                      np.array([2.302585, 2.302584, 2.302586]))
    assert stuck == []


def test_a_negative_fit_time_is_left_out_of_timing_claims_only(results, predictions_for, claim_labels):
    flags = row_flags({"run_key": "k", "fit_seconds": -3.0}, predictions_for(0.9), claim_labels)
    assert [(flag.action, flag.reason) for flag in flags] == [("timing", "negative fit time")]
    sizes = [1_000, 5_000, 10_000, 60_000]
    svm = timed_rows("svm", sizes, 2.0)
    svm[-1]["fit_seconds"] = -5.0
    saved = results(svm, timed_rows("net", sizes, 1.0))
    timing = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    assert "svm: 1 of 3 run" not in timing.evaluate(saved).evidence
    assert "negative fit time, excluded" in timing.evaluate(saved).evidence
    accuracy = Beats("b", "B.", winner="svm", losers=("net",), n_train=60_000)
    assert "excluded" not in accuracy.evaluate(saved).evidence


def test_a_failure_a_claim_expects_is_kept_and_a_divergence_is_not(rows, results):
    deep = rows("deep", [0.10, 0.11, 0.90])
    shallow = rows("shallow", [0.88, 0.89, 0.90])
    guessing = np.array([2.31, 2.30])
    artifacts = {row["run_key"]: {"train_loss": guessing} for row in deep[:2]}
    artifacts[deep[2]["run_key"]] = {"train_loss": diverged_loss()}
    artifacts |= {row["run_key"]: {"train_loss": np.array([0.5, 0.2])} for row in shallow}
    saved = results(shallow, deep, artifacts=artifacts)
    claim = FailsToTrain("f", "", labels=("deep",), reference="shallow")
    judged = claim.evaluate(saved)
    assert "deep: 2 of 3 seeds near chance, kept: the claim judges its failure" in judged.evidence
    assert "deep: 1 of 3 seeds diverged, excluded" in judged.evidence
    assert judged.verdict == HOLDS  # the two seeds left stay at guessing's loss


def test_a_run_flagged_short_of_its_literature_makes_the_claim_setup_short(rows, results):
    saved = results(rows("a", [0.90, 0.91, 0.92]), rows("b", [0.80, 0.81, 0.82]))
    write_flag_file(saved.folder.parent.parent / FLAGS_FILE,
                    [Flag("b-1000-0", SHORT, "short of its literature", "0.80 against 0.95")])
    judged = CLAIM.evaluate(saved)
    assert judged.verdict == SETUP_SHORT
    assert judged.evidence.startswith("b is flagged short of its literature (0.80 against 0.95); "
                                      "the test alone gives holds")
    # The hook: flags handed to judge() directly.
    clean = base.judge(saved, [CLAIM], flags={})
    assert clean[0]["verdict"] == HOLDS
    flagged = base.judge(saved, [CLAIM], flags={"a-1000-0": [Flag("a-1000-0", FAILED, "odd")]})
    assert "a: 1 of 3 seeds odd, excluded" in flagged[0]["evidence"]


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
    ([0.8505], [0.8500], HOLDS),  # one image apart: within the margin
    ([0.847], [0.850], HOLDS),  # 0.3 points worse: still within the margin
    ([0.80], [0.90], FAILS),
    ([0.843, 0.85, 0.857], [0.85, 0.85, 0.85], UNDERPOWERED),  # could be 0.5 points worse
])
def test_matches_or_beats(rows, results, a, b, verdict):
    claim = MatchesOrBeats("m", "M.", winner="a", losers=("b",))
    assert claim.evaluate(results(rows("a", a), rows("b", b))).verdict == verdict


def timed_rows(label, sizes, exponent, scale=1e-4, n_test=2_000):  # the fixture test set's size
    return [{"model": label, "dataset": "d", "seed": 0, "n_train": size, "n_test": n_test,
             "accuracy": 0.9,
             "fit_seconds": scale * size**exponent, "run_key": f"{label}-{size}"}
            for size in sizes]


def test_slope_fit_recovers_a_known_exponent():
    sizes = np.array([1_000, 3_000, 10_000, 60_000])
    assert loglog_slope(sizes, 3e-6 * sizes**2.0) == pytest.approx(2.0)
    assert loglog_slope(sizes, 0.5 * sizes) == pytest.approx(1.0)


def _noisy(rows, factors):
    for row, factor in zip(rows, factors, strict=True):
        row["fit_seconds"] *= factor
    return rows


@pytest.mark.parametrize("steep, linear, verdict", [(2.0, 1.0, HOLDS), (1.0, 1.6, FAILS),
                                                     (1.55, 1.5, TIES)])
def test_fit_time_exponents_compare_the_two_slopes(results, steep, linear, verdict):
    sizes = [1_000, 5_000, 10_000, 20_000, 60_000]
    # A little timing noise, so each slope has an interval (of about +-0.03).
    wobble = [1, 1.02, 0.98, 1.01, 0.99]
    saved = results(_noisy(timed_rows("svm", sizes, steep), wobble),
                    _noisy(timed_rows("net", sizes, linear), wobble[::-1]))
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    result = claim.evaluate(saved)
    assert result.verdict == verdict
    assert "fit-time exponent of svm " in result.evidence and "(95 % interval" in result.evidence
    assert "from 4 runs over n_train 5,000..60,000" in result.evidence
    assert result.numbers.gap == pytest.approx(steep - linear, abs=0.02)


def test_the_gap_of_two_slopes_has_the_welch_interval():
    from scipy.stats import t

    from mlhistory.judging.trends import slope_gap_interval

    low, high = slope_gap_interval((2.0, 0.1, 4), (1.0, 0.1, 4))
    # Equal errors and freedoms: Welch's degrees of freedom are the sum, 8.
    half = t.ppf(0.975, 8) * np.sqrt(0.02)
    assert (low, high) == pytest.approx((1.0 - half, 1.0 + half))


def test_repeated_timings_at_each_size_are_points_of_the_fit(results):
    sizes = [5_000, 10_000, 60_000]
    repeats = [dict(row, seed=seed, run_key=f"{row['run_key']}-{seed}")
               for seed, factor in enumerate((0.9, 1.0, 1.1))
               for row in _noisy(timed_rows("svm", sizes, 2.0), [factor] * 3)]
    saved = results(repeats, _noisy(timed_rows("net", sizes, 1.0), [1.0, 1.05, 0.97]))
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    result = claim.evaluate(saved)
    assert "from 9 runs over n_train 5,000..60,000" in result.evidence
    assert (result.numbers.runs_a, result.numbers.runs_b) == (9, 3)
    assert result.verdict == HOLDS


def test_fit_time_exponents_need_two_sizes_and_three_for_an_interval(results):
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    saved = results(timed_rows("svm", [60_000], 2.0), timed_rows("net", [60_000], 1.0))
    assert claim.evaluate(saved).verdict == SETUP_SHORT
    saved = results(timed_rows("svm", [5_000, 60_000], 2.0), timed_rows("net", [5_000, 60_000], 1.0))
    assert claim.evaluate(saved).verdict == UNDERPOWERED


def test_noisy_fit_times_give_a_gap_too_uncertain_to_judge(results):
    sizes = [1_000, 5_000, 10_000, 20_000, 60_000]
    noisy = _noisy(timed_rows("svm", sizes, 1.6), [1, 1, 3, 0.4, 1])
    saved = results(noisy, timed_rows("net", sizes, 1.0))
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    assert claim.evaluate(saved).verdict == UNDERPOWERED


def test_win_rate_counts_one_comparison_per_pair_however_many_seeds(rows, results):
    saved = results(rows("boost", [0.90]), rows("forest", [0.80, 0.81, 0.82]),
                    rows("boost2", [0.90]), rows("forest2", [0.80]),
                    rows("boost3", [0.70]), rows("forest3", [0.90, 0.91, 0.92]))
    claim = WinRate("w", "W.", pairs=(("boost", "forest"), ("boost2", "forest2"),
                                      ("boost3", "forest3")))
    result = claim.evaluate(saved)
    # Three seeds of a forest against one booster run are one comparison, not three.
    assert "2 wins, 1 losses, 0 ties" in result.evidence
    assert "3 counted comparisons" in result.evidence
    assert result.verdict == HOLDS and result.p_value is not None


def test_win_rate_ties_and_undecided_pairs_are_neither_wins_nor_losses(rows, results):
    saved = results(rows("boost", [0.88, 0.90, 0.92]), rows("forest", [0.875, 0.895, 0.915]),
                    rows("boost2", [0.70]), rows("forest2", [0.90]),
                    rows("boost3", [0.8505]), rows("forest3", [0.8500]))
    result = WinRate("w", "W.", pairs=(("boost", "forest"), ("boost2", "forest2"),
                                       ("boost3", "forest3"))).evaluate(saved)
    assert "0 wins, 1 losses, 1 ties (within the margin), 1 undecided" in result.evidence
    # No win, one loss and one tie: two of three lost the predicted difference.
    assert result.verdict == TIES


def test_a_setup_short_win_rate_still_shows_the_numbers_of_a_counted_pair(rows, results):
    """One pair whose booster failed every run makes the count setup short; the glance table
    still gets two means and an interval, from a pair that was compared."""
    broken = rows("broken", [0.97])
    saved = results(rows("boost", [0.80, 0.90, 0.95]), rows("forest", [0.86, 0.87, 0.88]),
                    broken, rows("forest2", [0.90]),
                    artifacts={broken[0]["run_key"]: {"train_loss": diverged_loss()}})
    result = WinRate("w", "W.", pairs=(("boost", "forest"), ("broken", "forest2"))).evaluate(saved)
    assert result.verdict == SETUP_SHORT
    assert (result.numbers.side_a, result.numbers.side_b) == ("boost", "forest")
    assert result.numbers.low < result.numbers.gap < result.numbers.high
    assert "of 2 comparisons" in result.numbers.deciding


def test_a_reference_claim_without_a_figure_here_shows_the_measurement(rows, results):
    saved = results(rows("net", [0.90, 0.91, 0.92]))
    judged = ReachesReference("r", "R.", label="net",
                              references=(("elsewhere", 0.85, "a fixture"),)).evaluate(saved)
    assert judged.verdict == SETUP_SHORT and "no published figure for d" in judged.evidence
    assert judged.numbers.mean_a == pytest.approx(0.91) and judged.numbers.gap is None
    found = ReachesReference("r", "R.", label="net", references=(("d", 0.85, "a fixture"),))
    assert found.evaluate(saved).verdict == HOLDS


def test_human_accuracy_is_data_with_a_source_once_per_dataset():
    figures = human_accuracy()
    datasets = [dataset for dataset, _, _ in figures]
    assert "fashion_mnist" in datasets and len(set(datasets)) == len(datasets)
    assert all(0 < value <= 1 and source.strip() for _, value, source in figures)


def test_the_runner_up_counts_only_the_datasets_it_places_on(rows, results):
    saved = results(rows("rf1", [0.90, 0.91]), rows("x1", [0.95]), rows("y1", [0.80]),
                    rows("rf2", [0.90, 0.91]), rows("x2", [0.95]), rows("y2", [0.85]),
                    rows("rf3", [0.80, 0.81]), rows("x3", [0.95]), rows("y3", [0.90]))
    claim = RunnerUp("r", "R.", groups=(("rf1", "x1", "y1"), ("rf2", "x2", "y2"),
                                        ("rf3", "x3", "y3")))
    result = claim.evaluate(saved)
    assert ("on 3 counted datasets: first or second by mean on 2; by the test against the "
            "second best, places on 2, does not on 1, undecided on 0") in result.evidence
    assert result.verdict == HOLDS


def test_the_runner_up_ranks_among_the_competitors_that_did_not_fail(rows, results):
    """A competitor whose every run failed is left out of the ranking and named, not allowed to
    make the whole dataset setup short."""
    broken = rows("broken", [0.97])
    saved = results(rows("rf", [0.90, 0.91]), rows("x", [0.95]), rows("y", [0.80]), broken,
                    artifacts={broken[0]["run_key"]: {"train_loss": diverged_loss()}})
    result = RunnerUp("r", "R.", groups=(("rf", "x", "y", "broken"),)).evaluate(saved)
    assert result.verdict == HOLDS
    assert "rank 2 of 3 on accuracy by mean (left out, every run failed: broken)" in result.evidence


def test_pairs_on_fewer_than_2000_test_images_are_shown_and_never_decide(rows, results,
                                                                       claim_labels):
    """The 8x8 digits' 450 test images: a clear gap there is an illustration, not a verdict."""
    small = claim_labels[:450]
    saved = results(rows("a", [0.95], n_test=450), rows("b", [0.80], n_test=450),
                    test_labels=small)
    claim = Pairwise("p", "P.", pairs=(("a", "b"),), relation="beats")
    judged = claim.evaluate(saved)
    assert judged.verdict == UNDERPOWERED
    assert "[illustration, not counted]" in judged.evidence
    assert WinRate("w", "W.", pairs=(("a", "b"),)).evaluate(saved).verdict == UNDERPOWERED


@pytest.mark.parametrize("better, worse, verdict", [
    (0.80, 0.50, HOLDS),      # 400 errors against 1,000: 60 % fewer, give or take 3
    (0.90, 0.88, FAILS),      # 17 % fewer errors
    # 16 errors against 40 of 2,000 test images: 60 % fewer, but the interval spans 40-80 %.
    (0.992, 0.980, UNDERPOWERED),
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
    ([0.70, 0.80, 0.84, 0.86], TIES),     # the same epoch as LeNet
    ([0.70, 0.80, 0.84, 0.84, 0.86], FAILS),      # reaches it only at epoch 5
])
def test_reaches_sooner(curve_results, fast, verdict):
    slow = [0.70, 0.80, 0.83, 0.85]  # within 0.1 points of its final value only at epoch 4
    saved = curve_results({"modern": fast, "lenet": slow})
    result = ReachesSooner("r", "R.", fast="modern", slow="lenet").evaluate(saved)
    assert result.verdict == verdict, result.evidence


# --- what a claim is about: the tables and the digits, counted once ----------------------------


def test_a_claim_on_tables_or_digits_is_scoped_to_them(rows, results):
    saved = results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.7]))
    records = [testing.dataset_record("d", n_test=2_000),
               testing.dataset_record("letter", kind="tabular"),
               testing.dataset_record("digits")]
    runs = [replace(run, dataset={"a": "d", "b": "letter", "c": "digits"}[run.label])
            for run in saved.manifest.runs]
    saved = replace(saved, manifest=replace(saved.manifest, runs=tuple(runs),
                                            datasets={record.name: record for record in records}))
    on = {"tables": Beats("t", "T.", winner="b", losers=("b",)),
          "digits": Beats("g", "G.", winner="c", losers=("c",)),
          "d": Beats("m", "M.", winner="a", losers=("b",)),
          "machine": GpuSpeedupLike()}
    for scope, claim in on.items():
        assert base.scope_of(saved, claim) == scope


class GpuSpeedupLike:
    """A claim comparing no run (as the GPU claim): about the machine."""

    def run_labels(self):
        return ()


def judged_row(dataset: str, claim_id: str, verdict: str, scope: str | None = None) -> dict:
    return {"experiment": "11_modern_landscape", "dataset": dataset, "scope": scope or dataset,
            "claim_id": claim_id, "claim": claim_id, "source": "book", "verdict": verdict,
            "passage": "", "p_value": ""}


def test_table_claims_are_listed_and_counted_once():
    from mlhistory.reporting.glance import verdict_cells
    from mlhistory.reporting.overview import tally

    # Gathered in folder order (Fashion-MNIST's first), listed the book's dataset first, by
    # whichever command gathers them: a claim of another scope under the book's dataset.
    datasets = ("fashion_mnist", "mnist")
    rows = [judged_row(dataset, "on_images", HOLDS) for dataset in datasets]
    rows += [judged_row(dataset, "on_tables", UNDERPOWERED, "tables") for dataset in datasets]
    rows += [judged_row(dataset, "on_digits", FAILS, "digits") for dataset in datasets]
    gathered = base.dedupe(rows)
    assert [(row["dataset"], row["claim_id"]) for row in gathered] == [
        ("mnist", "on_images"), ("mnist", "on_tables"), ("mnist", "on_digits"),
        ("fashion_mnist", "on_images")]
    names = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
    assert tally(rows, list(names), names) == (
        "Verdicts of the book's claims on MNIST (1 claim): **holds** 1; on Fashion-MNIST (1 "
        "claim): **holds** 1; on the tables (1 claim): **underpowered** 1; on the 8x8 digits "
        "(1 claim): **fails** 1.")
    by_dataset = {row["dataset"]: row for row in rows if row["claim_id"] == "on_tables"}
    assert verdict_cells({"mnist": by_dataset["mnist"]}, list(names), names,
                         lambda row: row["verdict"]) == [
        "underpowered (on the tables)", "see MNIST"]


@pytest.mark.parametrize("low, high, verdict", [
    (-0.004, 0.003, HOLDS),       # within the half-point margin: the same model
    (0.012, 0.03, FAILS),         # wholly beyond it
    (-0.002, 0.012, UNDERPOWERED),
])
def test_equality_within_the_margin(low, high, verdict):
    assert margins.verdict_of_interval(low, high, margins.ACCURACY_MARGIN, margins.EQUALS) == verdict


def test_sometimes_holds_on_one_cell_and_one_case_never_refutes_it(rows, results):
    from mlhistory.judging.panels import Sometimes

    saved = results(rows("shallow", [0.90], n_train=100), rows("net", [0.80, 0.81, 0.82], n_train=100),
                    rows("shallow", [0.90], n_train=1000), rows("net", [0.95, 0.96, 0.97]))
    cells = lambda *sizes: tuple(((("shallow",), ("net",), size)) for size in sizes)  # noqa: E731
    assert Sometimes("s", "S.", cells=cells(100, 1000)).evaluate(saved).verdict == HOLDS
    assert Sometimes("s", "S.", cells=cells(1000)).evaluate(saved).verdict == FAILS
    judged = base.judge(saved, [Sometimes("s", "S.", cells=cells(100, 1000))])[0]
    assert "n_train 100/1,000" in judged["budgets"]  # the sizes judged, not the largest alone


def _timed_fits(folder, points: dict[str, list[tuple[int, float, float]]]) -> None:
    """Experiment 03's fit_times.csv: per label, (n_train, wall seconds, other processes' share)."""
    from mlhistory.results.schema import FIT_TIMES_COLUMNS, FIT_TIMES_FILE, write_rows

    write_rows(folder / FIT_TIMES_FILE, [
        {"label": label, "run_key": f"{label}-{size}", "n_train": size, "repeat": repeat,
         "wall_seconds": wall, "cpu_seconds": 2 * wall, "other_cpu_share": share,
         "threads": "alone"}
        for label, timed in points.items() for repeat, (size, wall, share) in enumerate(timed)],
        FIT_TIMES_COLUMNS)


def test_saved_timed_fits_decide_the_exponents_and_a_busy_repeat_is_left_out(results):
    sizes = [5_000, 10_000, 60_000]
    # The runs' own fit times say the SVM scales like the net; the quiet timings say it is steeper.
    saved = results(timed_rows("svm", sizes, 1.0), timed_rows("net", sizes, 1.0))
    quiet = {"svm": [(size, (size / 1000) ** 2 * factor, 0.01) for size in sizes
                     for factor in (0.95, 1.0, 1.05)],
             "net": [(size, size / 1000 * factor, 0.0) for size in sizes
                     for factor in (1.04, 1.0, 0.97)]}
    # A repeat timed while other processes used half the CPUs, far off the line: left out.
    quiet["svm"].append((10_000, 5_000.0, 0.5))
    _timed_fits(saved.folder, quiet)
    claim = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000)
    result = claim.evaluate(saved)
    assert result.verdict == HOLDS and result.numbers.gap == pytest.approx(1.0, abs=0.05)
    assert "from 9 quiet timed fits over n_train 5,000..60,000; on CPU time 2.00" in result.evidence
    assert "1 of 19 timed fits were taken while other processes used more than 5 % of the CPUs, " \
           "left out" in result.evidence
    assert result.test.startswith("least-squares slope of log wall-clock fit time")
    assert (result.numbers.runs_a, result.numbers.runs_b) == (9, 9)


def test_timed_fits_all_taken_on_a_busy_machine_leave_the_claim_setup_short(results):
    sizes = [5_000, 10_000, 60_000]
    saved = results(timed_rows("svm", sizes, 2.0), timed_rows("net", sizes, 1.0))
    _timed_fits(saved.folder, {"svm": [(size, size / 100, 0.3) for size in sizes],
                               "net": [(size, size / 1000, 0.3) for size in sizes]})
    result = FitTimeExponents("f", "F.", steep="svm", linear="net", min_size=5_000).evaluate(saved)
    assert result.verdict == SETUP_SHORT
    assert "6 of 6 timed fits were taken while other processes used more than 5 %" in result.evidence
