"""Builders of saved results without fitting anything, for tests and worked examples.

One place builds a manifest the way the runner writes it, with every field a reader may use,
so a fixture cannot drift from the schema: a new field gets its default here once.
"""

import json
from pathlib import Path

import numpy as np

from .. import atomic
from .integrity import ARTIFACTS_DIGEST, DIGESTS, experiment_digests, macro_f1, sha256_file
from .manifest import DatasetRecord, Manifest, RunRecord
from .schema import (
    MANIFEST_FILE,
    METADATA_FILE,
    RUNS_FILE,
    TEST_LABELS_FILE,
    base_dataset,
    key_of_test_set,
    read_rows,
    write_rows,
)
from .store import ExperimentResults


def dataset_record(name: str = "d", **fields) -> DatasetRecord:
    defaults = {"title": name, "description": name, "kind": "image", "input_shape": (8, 8),
                "class_names": tuple("0123456789"), "n_train": 1000, "n_test": 100}
    return DatasetRecord(name=name, **{**defaults, **fields})


def run_record(label: str, **fields) -> RunRecord:
    """A run labelled ``label``: its model is the label unless ``model`` is given."""
    defaults = {"model": label, "model_display": fields.get("model", label), "features": "pixels",
                "features_display": None, "family": "shallow", "color_family": "linear",
                "preprocessing": "pixels/255", "provenance": "fixture", "params": {},
                "subset_params": {}, "quick_params": {}, "max_n_train": None, "dataset": "d",
                "dataset_shown": False, "classes": None, "run_keys": ()}
    fields = {**defaults, **fields}
    return RunRecord(label=label, **{**fields, "run_keys": tuple(fields["run_keys"])})


def manifest(runs: list[RunRecord], datasets: list[DatasetRecord] | None = None,
             **fields) -> Manifest:
    """A manifest of ``runs``, on the first of ``datasets`` (default: one dataset "d")."""
    datasets = datasets or [dataset_record(runs[0].dataset if runs else "d")]
    defaults = {"experiment_id": "00_fixture", "title": "Fixture", "book_section": "1.2",
                "summary": "Fixture.", "quick": False, "seeds": (0,), "n_train": None,
                "n_test": None, "dataset": datasets[0].name}
    return Manifest(datasets={record.name: record for record in datasets},
                    runs=tuple(runs), **{**defaults, **fields})


def rows_by_label(rows: list[dict], label_of=lambda row: row["model"]) -> list[RunRecord]:
    """One run per label of ``rows``, with the run keys of its rows."""
    labels = dict.fromkeys(label_of(row) for row in rows)
    return [run_record(label, dataset=next(row["dataset"] for row in rows if label_of(row) == label),
                       run_keys=[row["run_key"] for row in rows if label_of(row) == label])
            for label in labels]


def predictions_scoring(accuracy: float, labels: np.ndarray, n_classes: int,
                        order: np.ndarray | None = None) -> np.ndarray:
    """Predictions of ``labels`` right on ``accuracy`` of them (to the nearest image), the first
    ones of ``order``; a wrong prediction is the next class."""
    order = np.arange(len(labels)) if order is None else order
    predictions = (labels + 1) % n_classes
    right = order[:round(accuracy * len(labels))]
    predictions[right] = labels[right]
    return predictions


def write_experiment(folder: Path, saved: Manifest, rows: list[dict],
                     test_labels: dict[str, np.ndarray] | None = None,
                     artifacts: dict[str, dict] | None = None) -> ExperimentResults:
    """Save ``saved`` and ``rows`` as the runner does, each run's artifacts in the run cache
    beside the results folder, then read them back as every reader does.

    ``test_labels`` are keyed by ``(dataset view, n_test)``'s test-set key; ``artifacts`` by
    run key (a run without any gets none). A row whose predictions are given gets the accuracy
    and macro-F1 they score, as the runner's rows do.
    """
    folder = Path(folder)
    atomic.write_json(folder / MANIFEST_FILE, saved.to_dict())
    write_rows(folder / RUNS_FILE, [{**row, **_metrics(row, test_labels, artifacts),
                                     "params": _params_text(row.get("params"))} for row in rows])
    if test_labels is not None:
        atomic.write_npz(folder / TEST_LABELS_FILE, test_labels)
    for run_key, arrays in (artifacts or {}).items():
        dataset = next(row["dataset"] for row in rows if row["run_key"] == run_key)
        atomic.write_npz(folder.parent.parent / "cache" / dataset.split("[", 1)[0]
                         / f"{run_key}.npz", arrays)
    return ExperimentResults.read(folder)


def write_metadata(folder: Path, runs: int, **fields) -> None:
    """A results folder's ``metadata.json`` as the runner writes it last (fixture values): the
    date, commit, budget and machine the report states, and the digests of what the folder and
    its runs saved, which every reader checks."""
    folder = Path(folder)
    rows = read_rows(folder / RUNS_FILE) if (folder / RUNS_FILE).exists() else []
    cache = folder.parent.parent / "cache"
    artifacts = {row["run_key"]: cache / base_dataset(row["dataset"]) / f"{row['run_key']}.npz"
                 for row in rows}
    defaults = {"date": "2026-11-21T00:00:00+00:00", "command": "fixture", "git_commit": "abc123",
                "git_dirty": False, "packages": {"numpy": "2"}, "wall_seconds": 42.0, "runs": runs,
                "runs_from_cache": 0, "hardware": {"cpu": "fixture CPU", "cpu_count": 2, "gpus": [],
                                                   "machine": "x86_64", "platform": "Linux"},
                DIGESTS: experiment_digests(folder, [
                    {**row, ARTIFACTS_DIGEST: sha256_file(artifacts[row["run_key"]])}
                    for row in rows if artifacts[row["run_key"]].exists()])}
    atomic.write_json(folder / METADATA_FILE, {**defaults, **fields})


def _metrics(row: dict, test_labels: dict | None, artifacts: dict | None) -> dict:
    """A row's accuracy and macro-F1 as its saved predictions score them, when it has some: the
    readers recompute both and refuse a row that disagrees."""
    predictions = (artifacts or {}).get(row["run_key"], {}).get("predictions")
    labels = (test_labels or {}).get(key_of_test_set(row["dataset"], row["n_test"]))
    if predictions is None or labels is None:
        return {}
    return {"accuracy": float(np.mean(predictions == labels)),
            "macro_f1": macro_f1(labels, predictions)}


def test_labels_of(dataset: str, labels: np.ndarray) -> dict[str, np.ndarray]:
    return {key_of_test_set(dataset, len(labels)): labels}


def _params_text(params) -> str | None:
    if params is None or isinstance(params, str):
        return params
    return json.dumps(params, sort_keys=True)
