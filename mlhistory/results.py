"""The one results schema: a row per run, the same columns everywhere, plus a metadata file.

Rows are written atomically as CSV. Everything downstream (claims, plots, report) reads these
files and never the runner.
"""

import csv
import io
import json
import platform
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import numpy as np

from . import atomic, hardware
from .data.views import base_dataset
from .paths import PROJECT_ROOT, run_cache_dir

COLUMNS = [
    "experiment", "dataset", "model", "features", "params", "seed", "n_train", "n_test",
    "accuracy", "macro_f1", "fit_seconds", "predict_seconds", "n_params", "model_bytes",
    "peak_rss_mb", "run_key",
]
INTEGER_COLUMNS = {"seed", "n_train", "n_test", "n_params", "model_bytes"}
FLOAT_COLUMNS = {"accuracy", "macro_f1", "fit_seconds", "predict_seconds", "peak_rss_mb"}
RECORDED_PACKAGES = ["tensorflow", "keras", "scikit-learn", "xgboost", "numpy", "scipy", "rdata",
                     "matplotlib", "scikit-image"]
RUNS_FILE = "runs.csv"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "experiment.json"
CLAIMS_FILE = "claims.csv"


def write_rows(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: _format(row.get(column)) for column in COLUMNS})
    atomic.write_text(path, buffer.getvalue())


def _format(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        return [_parse(row) for row in csv.DictReader(handle)]


def _parse(row: dict) -> dict:
    parsed = dict(row)
    for column in INTEGER_COLUMNS:
        parsed[column] = int(row[column]) if row.get(column) else None
    for column in FLOAT_COLUMNS:
        parsed[column] = float(row[column]) if row.get(column) else None
    return parsed


def experiment_dirs(results_dir: Path) -> list[Path]:
    """Every ``<dataset>/<experiment>/`` folder of a results set that holds finished rows."""
    return sorted(path.parent for path in Path(results_dir).glob(f"*/*/{RUNS_FILE}")
                  if path.parent.parent.name != "cache")


def gather(results_dir: Path) -> list[dict]:
    return [row for folder in experiment_dirs(results_dir) for row in read_rows(folder / RUNS_FILE)]


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


# --- metadata --------------------------------------------------------------------------------


def _git(*arguments) -> str | None:
    try:
        completed = subprocess.run(["git", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                                   text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip()


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def describe_environment(argv: list[str]) -> dict:
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *argv]),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "packages": package_versions(),
        "hardware": hardware.describe(),
    }


def write_metadata(folder: Path, argv: list[str], **extra) -> None:
    atomic.write_json(Path(folder) / METADATA_FILE, {**describe_environment(argv), **extra})


def read_json(path: Path) -> dict:
    return json.loads(Path(path).read_text())


@dataclass(frozen=True)
class ExperimentResults:
    """What one experiment saved: its manifest, its rows, and the run artifacts beside them.

    The manifest lists the experiment's labelled runs ("rbf_svm on hog", "convnet") with the
    run keys behind each label, so rows are found by label without any extra column.
    """

    folder: Path
    manifest: dict
    rows: list[dict]

    @classmethod
    def read(cls, folder: Path) -> "ExperimentResults":
        folder = Path(folder)
        return cls(folder, read_json(folder / MANIFEST_FILE), read_rows(folder / RUNS_FILE))

    @property
    def dataset(self) -> str:
        return self.manifest["dataset"]["name"]

    @property
    def labels(self) -> list[str]:
        return [run["label"] for run in self.manifest["runs"]]

    def run(self, label: str) -> dict:
        return next(run for run in self.manifest["runs"] if run["label"] == label)

    @property
    def run_datasets(self) -> list[str]:
        """The datasets the experiment's runs use, in the order they were declared."""
        return list(dict.fromkeys(run["dataset"] for run in self.manifest["runs"]))

    def label_for(self, model: str, dataset: str) -> str | None:
        """The label of the run of ``model`` on ``dataset``, or None if there is none."""
        return next((run["label"] for run in self.manifest["runs"]
                     if run["model"] == model and run["dataset"] == dataset), None)

    def family(self, label: str) -> str:
        return self.run(label)["family"]

    def rows_of(self, label: str, all_sizes: bool = False) -> list[dict]:
        """The label's rows by seed; only its largest training size unless ``all_sizes``."""
        keys = set(self.run(label)["run_keys"])
        rows = [row for row in self.rows if row["run_key"] in keys]
        if rows and not all_sizes:
            largest = max(row["n_train"] for row in rows)
            rows = [row for row in rows if row["n_train"] == largest]
        return sorted(rows, key=lambda row: (row["n_train"], row["seed"]))

    def artifacts(self, row: dict) -> dict:
        # A run on a class view (e.g. "fashion_mnist[5,6,7,8,9]") is cached with its dataset.
        folder = run_cache_dir(self.folder.parent.parent, base_dataset(row["dataset"]))
        path = folder / f"{row['run_key']}.npz"
        with np.load(path) as archive:
            return dict(archive)

