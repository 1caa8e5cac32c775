"""The record of changed verdicts: every claim judged otherwise than at an earlier revision,
read from git, with the reason written from the two rows."""

import csv
import subprocess

import pytest

from mlhistory.errors import UsageError
from mlhistory.judging.changes import REASONS, RETIRED, RETIRED_VERDICT, changes, earlier_claims, reason
from mlhistory.results.schema import CLAIMS_FILE

COLUMNS = ["experiment", "dataset", "claim_id", "verdict", "test", "p_value", "side_a", "side_b",
           "gap", "gap_low", "gap_high", "margin"]


def claim(claim_id="beats", verdict="holds", test="paired bootstrap", side_b="SVM", gap="0.01",
          experiment="03_kernel_methods") -> dict:
    return {"experiment": experiment, "dataset": "mnist", "claim_id": claim_id, "verdict": verdict,
            "test": test, "p_value": "0.01", "side_a": "convnet", "side_b": side_b, "gap": gap,
            "gap_low": "0.005", "gap_high": "0.015", "margin": "0.005"}


def write_claims(folder, rows) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / CLAIMS_FILE, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)


def git(*arguments, cwd) -> str:
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_a_claim_judged_otherwise_than_at_a_revision_is_recorded_with_why(tmp_path):
    git("init", "-q", cwd=tmp_path)
    results = tmp_path / "results"
    write_claims(results / "mnist" / "03_kernel_methods", [claim(), claim("same")])
    write_claims(results, [claim(), claim("same")])  # the combined file is not an experiment's
    git("add", ".", cwd=tmp_path)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first", cwd=tmp_path)
    revision = git("rev-parse", "HEAD", cwd=tmp_path)
    earlier = earlier_claims(revision, results)
    assert set(earlier) == {("mnist", "beats"), ("mnist", "same")}
    now = [claim(verdict="fails", side_b="SVM tuned", gap="-0.01",
                 experiment="05_return_of_neural_networks"), claim("same"), claim("new")]
    [changed] = changes(earlier, now)
    assert changed["old_verdict"] == "holds" and changed["new_verdict"] == "fails"
    assert "a side changed: SVM -> SVM tuned" in changed["reason"]
    assert "before in 03_kernel_methods" in changed["reason"]
    assert changed["reason"].endswith("now fails: gap -0.01 (0.005..0.015), margin 0.005")
    with pytest.raises(UsageError, match="--changes-since"):
        earlier_claims("no-such-revision", results)


def test_a_rewritten_test_gives_the_developers_reason_first():
    claim_id = next(iter(REASONS))
    old, new = claim(claim_id), claim(claim_id, verdict="underpowered", test="another test")
    assert reason(old, new).startswith(REASONS[claim_id])
    assert "the test is now" not in reason(old, new)
    assert reason(claim(), claim(verdict="fails")).startswith("the same test on new numbers")


def test_a_claim_no_longer_made_is_recorded_with_why_but_only_for_experiments_judged_now():
    retired = next(iter(RETIRED))
    earlier = {("mnist", claim_id): claim(claim_id, experiment=experiment)
               for claim_id, experiment in ((retired, "07_representations"), ("kept", "07_representations"),
                                           ("elsewhere", "11_modern_landscape"))}
    [gone] = changes(earlier, [claim("kept", experiment="07_representations")])
    assert (gone["claim_id"], gone["old_verdict"], gone["new_verdict"]) == \
        (retired, "holds", RETIRED_VERDICT)
    assert gone["reason"] == RETIRED[retired]


def test_rewritten_the_changes_file_keeps_each_claim_s_last_change_that_still_stands(tmp_path):
    from mlhistory.judging.changes import still_standing
    from mlhistory.results import write_rows
    from mlhistory.results.schema import VERDICT_CHANGES_COLUMNS

    earlier = [{"experiment": "03_kernel_methods", "dataset": "mnist", "claim_id": claim_id,
                "old_verdict": "underpowered", "old_test": "t", "old_p_value": "",
                "new_verdict": new, "reason": "an earlier redesign"}
               for claim_id, new in (("standing", "holds"), ("moved_on", "holds"),
                                     ("moved_now", "holds"))]
    path = tmp_path / "verdict_changes.csv"
    write_rows(path, earlier, VERDICT_CHANGES_COLUMNS)
    judged = [claim("standing"), claim("moved_on", verdict="fails"),
              claim("moved_now", verdict="fails")]
    found_now = [{"dataset": "mnist", "claim_id": "moved_now"}]
    # Still holding, it keeps its account; one that moved since without a row now (its verdict
    # is no longer the row's) loses it; one that moved now has the new row instead.
    assert [row["claim_id"] for row in still_standing(path, found_now, judged)] == ["standing"]
    assert still_standing(tmp_path / "none.csv", found_now, judged) == []
