"""Claim verdicts computed from fixture result rows."""

from pathlib import Path

import pytest

from mlhistory import claims
from mlhistory.claims import FAILS, HOLDS, INCONCLUSIVE, Beats
from mlhistory.results import ExperimentResults


def rows(label, accuracies, n_train=1000):
    return [{"model": label, "dataset": "d", "seed": seed, "n_train": n_train, "accuracy": value,
             "run_key": f"{label}-{n_train}-{seed}"} for seed, value in enumerate(accuracies)]


def results(*row_lists):
    """An in-memory ExperimentResults whose labels are the rows' model names."""
    all_rows = [row for row_list in row_lists for row in row_list]
    labels = dict.fromkeys(row["model"] for row in all_rows)
    manifest = {"experiment_id": "00_fixture", "dataset": {"name": "d"},
                "runs": [{"label": label, "family": "shallow",
                          "run_keys": [row["run_key"] for row in all_rows if row["model"] == label]}
                         for label in labels]}
    return ExperimentResults(Path("."), manifest, all_rows)


CLAIM = Beats("a_beats_b", "A beats B.", winner="a", losers=("b",))


@pytest.mark.parametrize("a, b, verdict", [
    ([0.90, 0.91, 0.92], [0.80, 0.81, 0.82], HOLDS),
    ([0.80, 0.81, 0.82], [0.90, 0.91, 0.92], FAILS),
    # A 0.5-point gap against a 2-point seed spread is noise.
    ([0.88, 0.90, 0.92], [0.875, 0.895, 0.915], INCONCLUSIVE),
    # Deterministic single runs: any gap beyond the 0.1-point floor decides.
    ([0.853], [0.850], HOLDS),
    ([0.8505], [0.8500], INCONCLUSIVE),
])
def test_beats_verdicts(a, b, verdict):
    assert CLAIM.evaluate(results(rows("a", a), rows("b", b))).verdict == verdict


def test_one_failed_comparison_fails_a_claim_over_several_models():
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    result = claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.95])))
    assert result.verdict == FAILS
    assert "a accuracy 0.9000" in result.evidence and "vs c" in result.evidence


def test_mixed_holds_and_noise_is_inconclusive():
    claim = Beats("a_beats_all", "A beats B and C.", winner="a", losers=("b", "c"))
    assert claim.evaluate(results(rows("a", [0.9]), rows("b", [0.8]), rows("c", [0.9]))).verdict \
        == INCONCLUSIVE


def test_missing_results_are_inconclusive_not_a_crash():
    saved = results(rows("a", [0.9]))
    saved.manifest["runs"].append({"label": "b", "family": "shallow", "run_keys": []})
    result = CLAIM.evaluate(saved)
    assert result.verdict == INCONCLUSIVE and "no results for b" in result.evidence


def test_only_the_largest_training_size_is_judged():
    small_subset = rows("a", [0.5], n_train=100) + rows("b", [0.9], n_train=100)
    full = rows("a", [0.9]) + rows("b", [0.8])
    assert CLAIM.evaluate(results(small_subset, full)).verdict == HOLDS


def test_claims_survive_a_round_trip_through_their_saved_form():
    assert claims.from_dict(CLAIM.to_dict()) == CLAIM
