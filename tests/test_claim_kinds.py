"""A new claim kind is one class: defined here, declared in a tiny experiment's manifest, judged
and rendered in the report, with no other registry or table told about it."""

import csv
from dataclasses import dataclass

import numpy as np
import pytest

from mlhistory.judging import base
from mlhistory.judging.base import Claim, results_of
from mlhistory.judging.comparisons import Beats
from mlhistory.judging.results_set import judge_results_set
from mlhistory.judging.verdicts import FAILS, HOLDS, SETUP_SHORT, Verdict
from mlhistory.reporting.report import write_report
from mlhistory.results import ExperimentResults, SkippedRun, testing

LABELS = np.arange(100) % 10


@pytest.fixture
def claim_kinds():
    """The kind registry as it was, restored after the test: a kind defined in a test must not
    outlive it (the other tests check the registry holds exactly the exported kinds)."""
    saved = dict(base.CLAIM_KINDS)
    yield base.CLAIM_KINDS
    base.CLAIM_KINDS.clear()
    base.CLAIM_KINDS.update(saved)


def define_kind():
    @dataclass(frozen=True)
    class ScoresAbove(Claim):
        """``label``'s mean accuracy is above ``floor``."""

        label: str
        floor: float
        kind = "scores_above"

        def run_labels(self) -> tuple[str, ...]:
            return (self.label,)

        def decide(self, results: ExperimentResults) -> Verdict:
            rows = results_of(results, self.label)  # a run without results: setup short
            mean = sum(row["accuracy"] for row in rows) / len(rows)
            return Verdict(HOLDS if mean > self.floor else FAILS,
                           f"{self.label} accuracy {mean:.3f} against a floor of {self.floor}",
                           "the mean over seeds against the floor")

    return ScoresAbove


def tiny_experiment(folder, claims) -> ExperimentResults:
    """One run, logreg, with two seeds on a 100-image test set, and one run skipped here."""
    rows = [{"experiment": "00_fixture", "dataset": "d", "model": "logreg", "features": "pixels",
             "params": {}, "seed": seed, "n_train": 500, "n_test": 100, "accuracy": accuracy,
             "macro_f1": accuracy, "fit_seconds": 1.0, "predict_seconds": 0.1, "n_params": None,
             "model_bytes": 1000, "peak_rss_mb": 100.0, "run_key": f"logreg-{seed}"}
            for seed, accuracy in enumerate((0.90, 0.92))]
    manifest = testing.manifest(
        [testing.run_record("logreg", run_keys=[row["run_key"] for row in rows])],
        claims=tuple(claim.to_dict() for claim in claims),
        skipped=(SkippedRun(label="gone", dataset="other", reason="not available here"),))
    artifacts = {row["run_key"]: {"predictions": testing.predictions_scoring(row["accuracy"],
                                                                             LABELS, 10)}
                 for row in rows}
    saved = testing.write_experiment(folder, manifest, rows, testing.test_labels_of("d", LABELS),
                                     artifacts)
    testing.write_metadata(folder, runs=len(rows), wall_seconds=1.0)
    return saved


def test_a_new_claim_kind_is_judged_and_reported_with_no_other_change(tmp_path, claim_kinds):
    ScoresAbove = define_kind()
    assert claim_kinds["scores_above"] is ScoresAbove
    declared = [ScoresAbove("logreg_above_80", "Logistic regression scores above 0.8.",
                            label="logreg", floor=0.8),
                ScoresAbove("logreg_above_95", "Logistic regression scores above 0.95.",
                            label="logreg", floor=0.95),
                ScoresAbove("gone_above_80", "A run skipped here scores above 0.8.",
                            label="gone", floor=0.8)]
    results_dir = tmp_path / "results"
    saved = tiny_experiment(results_dir / "d" / "00_fixture", declared)

    # Read back from the manifest, as the report does.
    claims = [base.from_dict(claim) for claim in saved.manifest.claims]
    assert claims == declared
    judged = base.judge(saved, claims)
    assert [row["verdict"] for row in judged] == [HOLDS, FAILS, SETUP_SHORT]
    assert judged[0]["evidence"] == "logreg accuracy 0.910 against a floor of 0.8"
    assert judged[2]["evidence"] == "no results for gone"  # the shared guard, not the kind's code

    judge_results_set(results_dir)  # as `make report` does, before the pages
    write_report(results_dir)
    report = (results_dir / "REPORT.md").read_text()
    page = (results_dir / "d" / "00_fixture" / "README.md").read_text()
    for row in judged:
        assert f"| {row['claim']} | **{row['verdict']}** |" in report  # the verdicts at a glance
        assert f"**{row['verdict']}**: {row['claim']}" in page
    assert "logreg accuracy 0.910 against a floor of 0.8" in page
    with open(results_dir / "claims.csv", newline="") as handle:
        assert [row["verdict"] for row in csv.DictReader(handle)] == [HOLDS, FAILS, SETUP_SHORT]


def test_two_classes_cannot_share_a_kind(claim_kinds):
    with pytest.raises(TypeError, match="names the kind 'beats', which .*Beats is already saved"):
        @dataclass(frozen=True)
        class AlsoBeats(Beats):  # noqa: F841  (defining it is the test)
            kind = "beats"
    assert claim_kinds["beats"] is Beats
