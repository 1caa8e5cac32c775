"""The one results schema: a row per run with the same columns everywhere, the names of the
files an experiment saves, and how a row names the data it ran on.

Rows are written atomically as CSV. Everything downstream (claims, plots, report) reads these
files and never the runner.
"""

import csv
import io
from pathlib import Path

from .. import atomic
from ..errors import DamagedResults

COLUMNS = [
    "experiment", "dataset", "model", "features", "params", "seed", "n_train", "n_test",
    "accuracy", "macro_f1", "fit_seconds", "predict_seconds", "n_params", "model_bytes",
    "peak_rss_mb", "device", "run_key",
]
INTEGER_COLUMNS = {"seed", "n_train", "n_test", "n_params", "model_bytes"}
FLOAT_COLUMNS = {"accuracy", "macro_f1", "fit_seconds", "predict_seconds", "peak_rss_mb"}
RUNS_FILE = "runs.csv"
METADATA_FILE = "metadata.json"
MANIFEST_FILE = "experiment.json"
CLAIMS_FILE = "claims.csv"
# The verdicts a change of the judging logic changed, at a results set's root: each claim's
# earlier verdict and test, and why it changed (the experiment pages print it).
VERDICT_CHANGES_FILE = "verdict_changes.csv"
VERDICT_CHANGES_COLUMNS = ["experiment", "dataset", "claim_id", "old_verdict", "old_test",
                           "old_p_value", "new_verdict", "reason"]
# Files an experiment's extra steps save beside its rows, for its plots and tables.
TOY_FILE = "toy_boundaries.npz"  # experiment 03: decision boundaries on 2-D toy data
HARDWARE_FILE = "hardware.json"  # experiment 10: matmul peaks and counted FLOPs
# Experiment 03: its scaling runs' fits timed again, repeated, each with the load it was taken
# under (``steps.timed_fits``), for the fit-time claim.
FIT_TIMES_FILE = "fit_times.csv"
FIT_TIMES_COLUMNS = ["label", "run_key", "n_train", "repeat", "wall_seconds", "cpu_seconds",
                     "other_cpu_share", "threads"]
# Above this share of the CPUs used by other processes a timing is not quiet: a bench row is
# void, a timed fit is left out of its claim. Background daemons of an idle machine stay well
# below it; one other busy thread on two CPUs is 50 %.
QUIET_CPU_SHARE = 0.05
# Test images, for figures that show the data: the first few of each class (experiment 01), and
# the first test images in order, to show which ones a model got wrong (experiment 05). Each
# holds ``images``, ``labels``, their ``indices`` in the test set the runs were scored on, and
# that test set's key (``key_of_test_set``) as ``test_set``.
SAMPLE_IMAGES_FILE = "sample_images.npz"
TEST_IMAGES_FILE = "test_images.npz"
# The labels of every test set the experiment's runs were scored on, for paired tests.
TEST_LABELS_FILE = "test_labels.npz"
# `make bench`: one row per measured pair, the ratio measured / baseline taken in the same run,
# with the largest share of the CPUs other processes used while it was measured, and why it is
# void when they used more than the bench allows ("" when it was measured quiet).
BENCH_DIR = "bench"
BENCH_FILE = "bench.csv"
BENCH_COLUMNS = ["part", "subject", "setting", "measured", "baseline", "ratio", "unit", "goal",
                 "other_cpu_share", "void", "detail"]


def write_rows(path: Path, rows: list[dict], columns: list[str] = COLUMNS) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: csv_text(row.get(column)) for column in columns})
    atomic.write_text(path, buffer.getvalue())


def csv_text(value) -> str:
    """A value as the results' CSV files write it: nothing for None, floats to 6 digits."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="") as handle:
        # Line 1 is the header.
        return [_parse(row, path, line) for line, row in enumerate(csv.DictReader(handle), start=2)]


def _parse(row: dict, path: Path, line: int) -> dict:
    parsed = dict(row)
    for columns, kind in ((INTEGER_COLUMNS, int), (FLOAT_COLUMNS, float)):
        for column in columns:
            try:
                parsed[column] = kind(row[column]) if row.get(column) else None
            except ValueError as error:
                raise DamagedResults(f"{path}, line {line}: {column} is {row[column]!r}, not a "
                                     "number; the file is damaged: rerun the experiment that "
                                     "wrote it") from error
    return parsed


def view_name(dataset: str, classes: tuple[int, ...] | None) -> str:
    """How a result row names its data: the dataset, and the classes when it is a view."""
    return dataset if classes is None else f"{dataset}[{','.join(map(str, classes))}]"


def key_of_test_set(dataset_view: str, n_test: int) -> str:
    """Names the test set a row was scored on: its dataset (or class view) and its size."""
    return f"{dataset_view} {n_test}"


# The book's own dataset leads every table and gathered file, then the dataset that stands in
# for it; any other dataset follows, by name.
LEADING_DATASETS = ("mnist", "fashion_mnist")


def dataset_order(name: str) -> tuple:
    """A dataset's place in every table and gathered file (``LEADING_DATASETS`` first)."""
    return (LEADING_DATASETS.index(name) if name in LEADING_DATASETS else len(LEADING_DATASETS),
            name)


def base_dataset(name: str) -> str:
    """The dataset a row's data comes from, with any class view removed."""
    return name.split("[", 1)[0]
