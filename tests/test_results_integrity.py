"""Nothing silently wrong in saved results: every file is checked against the digest recorded by
what refers to it, every row's metrics against its saved predictions, and whatever disagrees is
one line naming the file and what to do."""

import csv
import json

import numpy as np
import pytest

from mlhistory import atomic
from mlhistory.errors import DamagedResults
from mlhistory.results import ExperimentResults, integrity
from mlhistory.results.integrity import verified_experiment_dirs

EXPERIMENT = "01_probabilistic"  # the fake results set's first


@pytest.fixture
def results_dir(tmp_path, write_fake_experiment):
    """One experiment on MNIST shaped like a committed one, its runs in the run cache."""
    assert write_fake_experiment(tmp_path).name == EXPERIMENT
    return tmp_path


def folder_of(results_dir):
    return results_dir / "mnist" / EXPERIMENT


def first_row(results_dir) -> dict:
    with open(folder_of(results_dir) / "runs.csv", newline="") as handle:
        return next(csv.DictReader(handle))


def artifacts_of(results_dir, key):
    return results_dir / "cache" / "mnist" / f"{key}.npz"


def edit_runs_csv(results_dir, column, value) -> None:
    """Set a column of the first row, as a hand edit of runs.csv would."""
    path = folder_of(results_dir) / "runs.csv"
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0][column] = value
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def record_run_digest(results_dir, key) -> None:
    """Record an artifacts file's new digest, as a writer that trusted it would have."""
    path = folder_of(results_dir) / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["digests"]["runs"][key] = integrity.sha256_file(artifacts_of(results_dir, key))
    atomic.write_json(path, metadata)


def refused(results_dir, *fragments) -> str:
    with pytest.raises(DamagedResults) as raised:
        verified_experiment_dirs(results_dir)
    message = str(raised.value)
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_whole_results_pass_and_macro_f1_is_scikit_learns(results_dir):
    from sklearn.metrics import f1_score

    assert verified_experiment_dirs(results_dir) == [folder_of(results_dir)]
    rng = np.random.default_rng(0)
    labels, predictions = rng.integers(0, 10, 500), rng.integers(0, 9, 500)  # class 9 never predicted
    assert integrity.macro_f1(labels, predictions) == pytest.approx(
        f1_score(labels, predictions, average="macro"), abs=1e-12)


def test_tampered_predictions_are_named(results_dir, fake_test_labels):
    key = first_row(results_dir)["run_key"]
    predictions = np.array(fake_test_labels)  # every prediction right: an accuracy of 1
    atomic.write_npz(artifacts_of(results_dir, key), {"predictions": predictions})
    message = refused(results_dir, f"{key}.npz does not match the SHA-256 recorded in",
                      "metadata.json", "delete it and", "recomputes only that run")
    # Even with its digest recorded again, the predictions disagree with the row.
    record_run_digest(results_dir, key)
    message = refused(results_dir, "runs.csv, line 2", "accuracy", "disagrees with 1,",
                      f"{key}.npz")
    assert "recomputed from the predictions" in message


def test_an_edited_row_is_named(results_dir):
    row = first_row(results_dir)
    edit_runs_csv(results_dir, "accuracy", f"{float(row['accuracy']) + 0.01:.6g}")
    refused(results_dir, "runs.csv does not match the SHA-256 recorded in", "delete")
    integrity.record_file_digest(folder_of(results_dir), "runs.csv")
    refused(results_dir, "runs.csv, line 2", f"accuracy {float(row['accuracy']) + 0.01:.6g} "
            f"disagrees with {float(row['accuracy']):.6g}")


def test_recording_a_rewritten_files_digest_keeps_the_time_make_reads(results_dir):
    import os

    folder = folder_of(results_dir)
    metadata = folder / "metadata.json"
    os.utime(metadata, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    (folder / "claims.csv").write_text("claim_id,verdict\nc,holds\n")
    integrity.record_file_digest(folder, "claims.csv")
    recorded = json.loads(metadata.read_text())["digests"]["files"]["claims.csv"]
    assert recorded == integrity.sha256_file(folder / "claims.csv")
    # The experiment ran when it ran: a re-judging is no newer run to make.
    assert metadata.stat().st_mtime_ns == 1_000_000_000_000_000_000


@pytest.mark.parametrize("value, fragment", [
    ("nan", "accuracy is nan, not a number from 0 to 1"),
    ("", "accuracy is missing"),
    ("high", "line 2: accuracy is 'high', not a number"),
])
def test_an_accuracy_that_is_no_number_is_refused(results_dir, value, fragment):
    edit_runs_csv(results_dir, "accuracy", value)
    integrity.record_file_digest(folder_of(results_dir), "runs.csv")
    refused(results_dir, "runs.csv", fragment)


@pytest.mark.parametrize("damage, fragments", [
    (lambda folder, cache: (folder / "test_labels.npz").unlink(),
     ["test_labels.npz is missing", "delete"]),
    (lambda folder, cache: (folder / "experiment.json").write_text('{"experiment_id": "01'),
     ["experiment.json does not match the SHA-256"]),
    (lambda folder, cache: (folder / "metadata.json").write_text('{"date": '),
     ["metadata.json cannot be read"]),
    (lambda folder, cache: (folder / "metadata.json").unlink(),
     ["has no metadata.json, so the experiment never finished"]),
    (lambda folder, cache: [path.unlink() for path in cache.glob("*.npz")],
     [".npz is missing (was the run cache deleted?)", "recomputes only the missing runs"]),
    (lambda folder, cache: next(cache.glob("*.npz")).write_bytes(b""),
     [".npz does not match the SHA-256"]),
])
def test_missing_or_damaged_files_are_named(results_dir, damage, fragments):
    damage(folder_of(results_dir), results_dir / "cache" / "mnist")
    refused(results_dir, *fragments)


def test_results_written_before_digests_are_refused(results_dir):
    path = folder_of(results_dir) / "metadata.json"
    metadata = json.loads(path.read_text())
    del metadata["digests"]
    atomic.write_json(path, metadata)
    refused(results_dir, "records no digests of the results", "rerun `fixture`")


def test_the_report_on_tampered_results_exits_non_zero_naming_the_file(results_dir, run_cli):
    key = first_row(results_dir)["run_key"]
    artifacts = artifacts_of(results_dir, key)
    artifacts.write_bytes(artifacts.read_bytes()[:-10])  # truncated
    completed = run_cli("-m", "mlhistory", "report", "--results-dir", str(results_dir))
    assert completed.returncode == 1
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr
    assert completed.stderr.startswith("error: ") and f"{key}.npz does not match" in completed.stderr
    assert not (results_dir / "REPORT.md").exists()


def test_judging_writes_the_claims_anew_and_records_the_digest_of_what_it_wrote(results_dir,
                                                                               run_cli):
    from mlhistory.judging.results_set import judge_results_set

    claims_csv = folder_of(results_dir) / "claims.csv"
    before = claims_csv.read_text()
    claims_csv.write_text("edited by hand\n")
    # The report reads the verdicts, so a hand-edited claims file stops it in one line.
    completed = run_cli("-m", "mlhistory", "report", "--results-dir", str(results_dir))
    assert completed.returncode == 1 and "Traceback" not in completed.stderr
    assert "claims.csv does not match" in completed.stderr
    judge_results_set(results_dir)
    metadata = json.loads((folder_of(results_dir) / "metadata.json").read_text())
    assert claims_csv.read_text() == before
    assert metadata["digests"]["files"]["claims.csv"] == integrity.sha256_file(claims_csv)
    assert verified_experiment_dirs(results_dir) == [folder_of(results_dir)]


def test_an_array_a_cached_run_never_saved_is_named_with_its_remedy(results_dir):
    results = ExperimentResults.read(folder_of(results_dir))
    row = first_row(results_dir)
    saved = results.artifacts(row)
    assert "predictions" in saved and "no_such_array" not in saved
    with pytest.raises(DamagedResults) as raised:
        saved["no_such_array"]
    message = str(raised.value)
    assert "\n" not in message and "no 'no_such_array' array" in message
    assert f"delete {row['run_key']}.json and {row['run_key']}.npz" in message
