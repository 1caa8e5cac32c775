"""Digests of saved results, and the checks a reader makes before it believes them.

What refers to a file records its SHA-256:

- a run cache entry's row (``cache/<dataset>/<key>.json``) records its artifacts
  (``<key>.npz``, the predictions among them) as ``artifacts_sha256``;
- an experiment's ``metadata.json``, written last, records under ``digests`` its
  ``experiment.json``, ``runs.csv``, ``test_labels.npz``, ``claims.csv`` and the files of its
  extra steps (``files``: toy boundaries, hardware, sample and test images), and the
  artifacts' digest of every run its rows come from (``runs``).

Readers check each file against its digest (but claims.csv, which the report judges anew and
rewrites, recording its new digest), and recompute every row's accuracy and macro-F1 from the
saved predictions and test labels. Whatever disagrees ends in one ``DamagedResults``
line naming the file and what to do: a deleted cache entry is recomputed, alone, by a rerun.
"""

import hashlib
import json
import math
import os
import zipfile
from pathlib import Path

import numpy as np

from .. import atomic
from ..errors import DamagedResults
from ..paths import default_results_dir, run_cache_dir, shown
from .schema import (
    CLAIMS_FILE,
    FIT_TIMES_FILE,
    HARDWARE_FILE,
    MANIFEST_FILE,
    METADATA_FILE,
    RUNS_FILE,
    SAMPLE_IMAGES_FILE,
    TEST_IMAGES_FILE,
    TEST_LABELS_FILE,
    TOY_FILE,
    base_dataset,
    key_of_test_set,
)
from .store import ExperimentResults, experiment_dirs

DIGESTS = "digests"
ARTIFACTS_DIGEST = "artifacts_sha256"  # in a run cache entry's row
# The files of an experiment folder its metadata records, those the experiment saved; plots
# and pages are not among them, since they are redrawn from these.
RECORDED_FILES = (MANIFEST_FILE, RUNS_FILE, TEST_LABELS_FILE, CLAIMS_FILE, TOY_FILE, HARDWARE_FILE,
                  FIT_TIMES_FILE,
                  SAMPLE_IMAGES_FILE, TEST_IMAGES_FILE)
REQUIRED_FILES = (MANIFEST_FILE, RUNS_FILE, TEST_LABELS_FILE)
METRICS = ("accuracy", "macro_f1")
# runs.csv keeps six significant digits of each metric; one test image in 10,000 is 1e-4.
TOLERANCE = 1e-6
# What np.load raises on an archive that its digest vouches for but that cannot be read.
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def experiment_digests(folder: Path, rows: list[dict]) -> dict:
    """The ``digests`` record of an experiment folder whose rows carry their artifacts' digest."""
    folder = Path(folder)
    return {"files": {name: sha256_file(folder / name) for name in RECORDED_FILES
                      if (folder / name).exists()},
            "runs": {row["run_key"]: row[ARTIFACTS_DIGEST] for row in rows}}


def record_file_digest(folder: Path, name: str) -> None:
    """Record the digest of a file rewritten after the experiment (the report's claims.csv) in
    its metadata; the metadata is rewritten only when the digest changed, and keeps its time:
    make reads that time as when the experiment last ran, so a re-judging must not pass for a
    run newer than a search that changed the experiment's configurations."""
    path = Path(folder) / METADATA_FILE
    metadata = json.loads(path.read_text())
    digest = sha256_file(Path(folder) / name)
    if metadata[DIGESTS]["files"].get(name) != digest:
        metadata[DIGESTS]["files"][name] = digest
        ran = path.stat()
        atomic.write_json(path, metadata)
        os.utime(path, ns=(ran.st_atime_ns, ran.st_mtime_ns))


def check_metrics(row: dict, where: str, remedy: str) -> None:
    """Accuracy and macro-F1 must be numbers from 0 to 1: a NaN, a blank or a word is refused."""
    for name in METRICS:
        value = row.get(name)
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if value is None:
            raise DamagedResults(f"{where}: {name} is missing; {remedy}")
        if not number or not math.isfinite(value) or not 0 <= value <= 1:
            raise DamagedResults(f"{where}: {name} is {value!r}, not a number from 0 to 1; {remedy}")


def macro_f1(labels: np.ndarray, predictions: np.ndarray) -> float:
    """scikit-learn's macro-averaged F1 (over every class that is a label or a prediction, 0 for
    a class never predicted right), in NumPy: readers of saved results do not load scikit-learn."""
    classes = np.union1d(labels, predictions)
    true_index, predicted_index = np.searchsorted(classes, labels), np.searchsorted(classes, predictions)
    hits = np.bincount(true_index[labels == predictions], minlength=len(classes))
    # 2 TP + FP + FN is the number predicted as the class plus the number that are the class.
    counts = np.bincount(true_index, minlength=len(classes)) + np.bincount(predicted_index,
                                                                          minlength=len(classes))
    return float(np.mean(2 * hits / counts))


def verified_experiment_dirs(results_dir: Path, judging: bool = False) -> list[Path]:
    """Every experiment folder of a results set, each checked whole (``ResultsCheck``); for
    ``judging``, which writes each claims.csv anew, everything but the verdicts."""
    check = ResultsCheck(judging)
    folders = experiment_dirs(results_dir)
    for folder in folders:
        check.experiment(folder)
    return folders


def _where(folder: Path) -> str:
    """The option that sends an experiment's results to ``folder``'s results set."""
    results_dir = folder.parent.parent
    if results_dir.resolve() == default_results_dir(False).resolve():
        return ""
    if results_dir.resolve() == default_results_dir(True).resolve():
        return " --quick"
    return f" --results-dir {shown(results_dir)}"


class ResultsCheck:
    """Checks experiment folders against their metadata's digests; a run shared by several
    experiments has its artifacts hashed and its metrics recomputed once. ``judging``: the
    verdicts (claims.csv) are about to be written anew, so they are not checked."""

    def __init__(self, judging: bool = False) -> None:
        self._judging = judging
        self._digests: dict[Path, str] = {}
        self._predictions: dict[Path, np.ndarray] = {}

    def experiment(self, folder: Path) -> None:
        folder = Path(folder)
        metadata_path = folder / METADATA_FILE
        rerun = f"rerun `python experiments/{folder.name}.py --dataset {folder.parent.name}{_where(folder)}`"
        if not metadata_path.exists():
            raise DamagedResults(f"{shown(folder)} has no {METADATA_FILE}, so the experiment never "
                                 f"finished writing it; delete the folder and {rerun}")
        try:
            metadata = json.loads(metadata_path.read_text())
            rerun = f"rerun `{metadata['command']}`"
            digests = metadata.get(DIGESTS)
        except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError) as error:
            raise DamagedResults(f"{shown(metadata_path)} cannot be read ({error}); delete "
                                 f"{shown(folder)} and {rerun}") from error
        if not digests:
            raise DamagedResults(f"{shown(metadata_path)} records no digests of the results (it was "
                                 f"written before they were kept); {rerun}")
        redo = f"delete {shown(folder)} and {rerun} (its finished runs come from the run cache)"
        for name in REQUIRED_FILES:
            if name not in digests["files"]:
                raise DamagedResults(f"{shown(metadata_path)} records no digest of {name}; {redo}")
        for name, expected in digests["files"].items():
            if name == CLAIMS_FILE:
                if not self._judging:
                    self._check_file(folder / name, expected, metadata_path,
                                     "judge the results again (python -m mlhistory judge; make "
                                     "report does)")
            else:
                self._check_file(folder / name, expected, metadata_path, redo)
        try:
            results = ExperimentResults.read(folder)
            with np.load(folder / TEST_LABELS_FILE) as archive:
                test_labels = dict(archive)
        except (*UNREADABLE, json.JSONDecodeError) as error:
            raise DamagedResults(f"{shown(folder)} cannot be read ({error}); {redo}") from error
        for line, row in enumerate(results.rows, start=2):
            where = f"{shown(folder / RUNS_FILE)}, line {line} (run {row['run_key']})"
            check_metrics(row, where, redo)
            self._check_row(results, row, where, test_labels, digests["runs"], metadata_path, rerun)

    def _check_row(self, results: ExperimentResults, row: dict, where: str, test_labels: dict,
                   run_digests: dict, metadata_path: Path, rerun: str) -> None:
        key = row["run_key"]
        artifacts = run_cache_dir(results.folder.parent.parent, base_dataset(row["dataset"])) / f"{key}.npz"
        if key not in run_digests:
            raise DamagedResults(f"{shown(metadata_path)} records no digest of run {key}'s "
                                 f"artifacts; delete {shown(results.folder)} and {rerun}")
        if not artifacts.exists():
            raise DamagedResults(f"{shown(artifacts)} is missing (was the run cache deleted?); "
                                 f"{rerun}: the run cache recomputes only the missing runs")
        self._check_file(artifacts, run_digests[key], metadata_path,
                         f"delete it and {key}.json beside it, then {rerun}: the run cache "
                         "recomputes only that run")
        labels = test_labels.get(key_of_test_set(row["dataset"], row["n_test"]))
        predictions = self._predictions_of(artifacts, rerun)
        if labels is None or len(labels) != len(predictions):
            raise DamagedResults(f"{where}: {shown(results.folder / TEST_LABELS_FILE)} holds no "
                                 f"{row['n_test']} test labels of {row['dataset']} to score its "
                                 f"predictions against; delete {shown(results.folder)} and {rerun}")
        recomputed = {"accuracy": float(np.mean(predictions == labels)),
                      "macro_f1": macro_f1(labels, predictions)}
        for name, value in recomputed.items():
            if abs(row[name] - value) > TOLERANCE:
                raise DamagedResults(f"{where}: {name} {row[name]:.6g} disagrees with {value:.6g}, "
                                     f"recomputed from the predictions in {shown(artifacts)} and "
                                     f"the test labels; delete {shown(results.folder)} and {rerun}")

    def _check_file(self, path: Path, expected: str, metadata_path: Path, remedy: str) -> None:
        if not path.exists():
            raise DamagedResults(f"{shown(path)} is missing; {remedy}")
        if path not in self._digests:
            self._digests[path] = sha256_file(path)
        if self._digests[path] != expected:
            raise DamagedResults(f"{shown(path)} does not match the SHA-256 recorded in "
                                 f"{shown(metadata_path)} (truncated, edited, or rewritten since); "
                                 f"{remedy}")

    def _predictions_of(self, path: Path, rerun: str) -> np.ndarray:
        if path not in self._predictions:
            try:
                with np.load(path) as archive:
                    self._predictions[path] = archive["predictions"].astype(np.int64)
            except UNREADABLE as error:
                raise DamagedResults(f"{shown(path)} cannot be read ({error}); delete it, then "
                                     f"{rerun}: the run cache recomputes only that run") from error
        return self._predictions[path]

