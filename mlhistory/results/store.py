"""Saved results, read back: the experiments of a results set, their rows by label, the run
artifacts beside them, and the summaries every reader shares.
"""

import json
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import DamagedResults
from ..paths import run_cache_dir, shown
from .manifest import DatasetRecord, Manifest, RunRecord
from .schema import (
    MANIFEST_FILE,
    METADATA_FILE,
    RUNS_FILE,
    TEST_LABELS_FILE,
    base_dataset,
    key_of_test_set,
    read_rows,
)


def experiment_dirs(results_dir: Path) -> list[Path]:
    """Every ``<dataset>/<experiment>/`` folder of a results set, whole or not (readers check them:
    integrity.py). Not the run cache, nor other results sets (``custom/<name>/``) or staging
    folders (hidden) inside it."""
    return sorted({path.parent for name in (METADATA_FILE, MANIFEST_FILE, RUNS_FILE)
                   for path in Path(results_dir).glob(f"*/*/{name}")
                   if path.parent.parent.name not in ("cache", "custom")
                   and not path.parent.name.startswith(".")})


# --- summaries -------------------------------------------------------------------------------


def group_rows(rows: list[dict], keys: tuple[str, ...]) -> dict[tuple, list[dict]]:
    groups = defaultdict(list)
    for row in rows:
        groups[tuple(row[key] for key in keys)].append(row)
    return dict(groups)


def unique_runs(rows: list[dict]) -> list[dict]:
    """One row per run: experiments that share a cached run list it once each."""
    return list({row["run_key"]: row for row in rows}.values())


def mean_std(values) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value)."""
    values = np.asarray(list(values), dtype=float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


@dataclass(frozen=True)
class ExperimentResults:
    """What one experiment saved: its manifest, its rows, and the run artifacts beside them.

    The manifest lists the experiment's labelled runs ("rbf_svm on hog", "convnet") with the
    run keys behind each label, so rows are found by label without any extra column.
    """

    folder: Path
    manifest: Manifest
    rows: list[dict]
    # Run keys a reader set aside (a judge excluding failed runs): ``rows_of`` leaves them out
    # after choosing the size, so a label whose every largest run is excluded has none there.
    excluded: frozenset[str] = field(default=frozenset())
    # Each run's artifacts as first read, by path, shared with the ``excluding`` views: judging,
    # the sanity gate, the flags and the report's pages read the same runs again and again.
    _read_artifacts: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def read(cls, folder: Path) -> "ExperimentResults":
        folder = Path(folder)
        manifest = Manifest.from_dict(read_json(folder / MANIFEST_FILE), str(folder / MANIFEST_FILE))
        return cls(folder, manifest, read_rows(folder / RUNS_FILE))

    @property
    def dataset(self) -> str:
        return self.manifest.dataset

    @property
    def datasets(self) -> dict[str, DatasetRecord]:
        """Every dataset the experiment's runs used, by name, as the manifest recorded it."""
        return self.manifest.datasets

    @property
    def dataset_record(self) -> DatasetRecord:
        """The experiment's own dataset."""
        return self.manifest.dataset_record

    def dataset_of(self, label: str) -> DatasetRecord:
        """The dataset of a labelled run, with the class names of its class view if it has one."""
        run = self.run(label)
        return self.datasets[run.dataset].with_classes(run.classes)

    @property
    def labels(self) -> list[str]:
        return self.manifest.labels

    def run(self, label: str) -> RunRecord:
        return self.manifest.run(label)

    @property
    def run_datasets(self) -> list[str]:
        """The datasets the experiment's runs use, in the order they were declared."""
        return list(dict.fromkeys(run.dataset for run in self.manifest.runs))

    def label_for(self, model: str, dataset: str, among=()) -> str | None:
        """The label of the run of ``model`` on ``dataset`` (the first, among the labels
        ``among`` when given), or None if there is none."""
        return next((run.label for run in self.manifest.runs
                     if run.model == model and run.dataset == dataset
                     and (not among or run.label in among)), None)

    def display_name(self, label: str) -> str:
        """What readers call the run: "Book's convnet (5 epochs)", "RBF SVM (C=10) on HOG"."""
        return self.run(label).display_name

    def family(self, label: str) -> str:
        return self.run(label).family

    def rows_of(self, label: str, all_sizes: bool = False, with_excluded: bool = False
                ) -> list[dict]:
        """The label's rows by seed; only its largest training size unless ``all_sizes``;
        without the excluded runs unless ``with_excluded``."""
        keys = set(self.run(label).run_keys)
        rows = [row for row in self.rows if row["run_key"] in keys]
        if rows and not all_sizes:
            largest = max(row["n_train"] for row in rows)
            rows = [row for row in rows if row["n_train"] == largest]
        if not with_excluded:
            rows = [row for row in rows if row["run_key"] not in self.excluded]
        return sorted(rows, key=lambda row: (row["n_train"], row["seed"]))

    def excluding(self, run_keys) -> "ExperimentResults":
        """The same results with these runs set aside as well (``excluded``)."""
        return replace(self, excluded=self.excluded | frozenset(run_keys))

    def test_labels(self, row: dict) -> np.ndarray:
        """The labels of the test images the row was scored on, in the order predicted."""
        with np.load(self.folder / TEST_LABELS_FILE) as archive:
            return archive[key_of_test_set(row["dataset"], row["n_test"])]

    def images(self, name: str) -> dict:
        """Test images an extra step saved beside the results (``SAMPLE_IMAGES_FILE``,
        ``TEST_IMAGES_FILE``): ``images``, ``labels``, their ``indices`` in the test set named
        ``test_set``. Their labels must be that test set's, as ``test_labels.npz`` holds them."""
        with np.load(self.folder / name) as archive:
            saved = dict(archive)
        saved["test_set"] = str(saved["test_set"])
        with np.load(self.folder / TEST_LABELS_FILE) as archive:
            labels = archive[saved["test_set"]] if saved["test_set"] in archive else None
        if labels is None or not np.array_equal(labels[saved["indices"]], saved["labels"]):
            raise DamagedResults(f"{self.folder / name}: its labels are not those of test set "
                                 f"{saved['test_set']!r} in {TEST_LABELS_FILE}; rerun the "
                                 "experiment that wrote it")
        return saved

    def artifacts(self, row: dict) -> "SavedArtifacts":
        """The run's saved arrays, read-only: each run's file is read once for this experiment."""
        # A run on a class view (e.g. "fashion_mnist[5,6,7,8,9]") is cached with its dataset.
        folder = run_cache_dir(self.folder.parent.parent, base_dataset(row["dataset"]))
        path = folder / f"{row['run_key']}.npz"
        if path not in self._read_artifacts:
            with np.load(path) as archive:
                saved = dict(archive)
            for array in saved.values():
                array.flags.writeable = False
            self._read_artifacts[path] = saved
        return SavedArtifacts(self._read_artifacts[path], path=path)


class SavedArtifacts(dict):
    """A run's saved arrays; asking for one it lacks names the run and the remedy in one line.
    The cache key covers what a run computes, not the arrays its model keeps for plots, so a run
    cached before its model kept an array (a probabilistic model's confidence, say) lacks it."""

    def __init__(self, arrays: dict, path: Path):
        super().__init__(arrays)
        self.path = path

    def __missing__(self, name: str):
        raise DamagedResults(
            f"{shown(self.path)} has no '{name}' array: the run was cached before its model kept "
            f"it; delete {self.path.stem}.json and {self.path.name} in {shown(self.path.parent)} "
            "and rerun the experiment: the cache then recomputes only that run")

