"""One run: a spec in, one results row and its artifacts out.

Each run resets its worker's peak-memory mark, builds a fresh model through the registry and
starts it from its seed (a fresh Keras session for a net), so runs do not see each other. The
model follows the estimator protocol (``mlhistory/models/estimator.py``): nothing here knows
which model it runs.
"""

import functools
import json
import resource
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from .. import models
from ..data import (
    Dataset,
    check_subset_size,
    load,
    restrict_classes,
    stratified_subset,
    validation_split,
)
from ..results.integrity import macro_f1
from ..results.schema import key_of_test_set, view_name
from . import threads
from .spec import RunSpec, validation_pool

# The quick-mode test subset is drawn once with this seed, so every run sees the same images.
TEST_SUBSET_SEED = 0


@dataclass(frozen=True)
class Split:
    """The arrays one run sees, the dataset (or class view) they were taken from, and the whole
    dataset (a model that learns a source task first takes other classes of it)."""

    dataset: Dataset
    whole: Dataset
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray


def fit_as_run(spec: RunSpec, split: Split) -> tuple[object, float, float]:
    """The run's estimator built and fitted as every run fits it, after the per-run reset
    (seeds, a fresh Keras session): (the fitted model, its fit seconds, the CPU seconds of the
    fit call). The fit seconds leave out what the model excludes (the per-epoch scoring of the
    test images, for the curves); the CPU seconds, of all this process's threads, include it."""
    models.start_run(spec.seed, models.get(spec.model).uses_keras)
    model = models.build_estimator(spec.model, split.dataset.info, spec.seed, spec.params_dict,
                                   spec.features)
    # The test split is only recorded per epoch by the models that draw curves; a search trial
    # records nothing of its held-out images while it fits.
    monitor = None if spec.evaluation else (split.x_test, split.y_test)
    context = models.FitContext(monitor=monitor, dataset=split.whole)
    cpu, start = time.process_time(), time.perf_counter()
    model.fit(split.x_train, split.y_train, context)
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    return model, wall - model.excluded_seconds, cpu


def execute(spec: RunSpec, data_dir: Path,
            thread_settings: threads.ThreadSettings | None = None) -> tuple[dict, dict]:
    """Fit on the training split, predict the test split, and measure. Returns (row, artifacts).
    ``thread_settings``: threads for this run only (``threads.widened``); None: the worker's."""
    with threads.applied(thread_settings):
        return _execute(spec, Path(data_dir))


def _execute(spec: RunSpec, data_dir: Path) -> tuple[dict, dict]:
    split = run_split(spec, data_dir)
    measure_peak_memory_from_here()
    model, fit_seconds, _ = fit_as_run(spec, split)
    start = time.perf_counter()
    predictions = model.predict(split.x_test)
    predict_seconds = time.perf_counter() - start
    row = {"dataset": view_name(spec.dataset, spec.classes), "model": spec.model,
           "features": spec.features, "params": json.dumps(spec.params_dict, sort_keys=True),
           "seed": spec.seed, "n_train": len(split.y_train), "n_test": len(split.y_test),
           "accuracy": float(np.mean(predictions == split.y_test)),
           "macro_f1": macro_f1(split.y_test, predictions),
           "fit_seconds": fit_seconds, "predict_seconds": predict_seconds,
           "n_params": model.n_params, "model_bytes": model.size_bytes,
           "peak_rss_mb": peak_memory_mb(),
           "device": models.get(spec.model).device(spec.params_dict), "run_key": spec.key,
           # The threads it computed on (threads.py): kept in the run cache's row, no column of
           # runs.csv and no part of the key.
           "threads": threads.record()}
    artifacts = {"predictions": predictions.astype(np.int16),
                 "confusion": confusion(split.y_test, predictions, split.dataset.info.n_classes),
                 **model.artifacts(split.x_test, split.y_test)}
    return row, artifacts


def confusion(labels: np.ndarray, predictions: np.ndarray, n_classes: int) -> np.ndarray:
    """scikit-learn's confusion matrix (true class by row, predicted by column), counted in
    NumPy as ``integrity.macro_f1`` computes scikit-learn's macro-F1: the same numbers without
    scikit-learn's checks of its inputs, which took longer than naive Bayes takes to predict."""
    pairs = labels.astype(np.int64) * n_classes + predictions.astype(np.int64)
    return np.bincount(pairs, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def row_summary(row: dict) -> str:
    """A run's row in one progress line: its scores, times and peak memory."""
    return (f"accuracy={row['accuracy']:.4f} macro_f1={row['macro_f1']:.4f} "
            f"fit={row['fit_seconds']:.1f}s predict={row['predict_seconds']:.2f}s "
            f"peak_rss={row['peak_rss_mb']:.0f}MB")


def test_labels(specs: list[RunSpec], data_dir: Path) -> dict[str, np.ndarray]:
    """The labels of every test set the specs are scored on, by ``key_of_test_set``."""
    labels = {}
    # The test set depends on the dataset, its class view and the test size only.
    for spec in {(spec.dataset, spec.classes, spec.n_test): spec for spec in specs}.values():
        y_test = run_split(spec, Path(data_dir)).y_test
        labels[key_of_test_set(view_name(spec.dataset, spec.classes), len(y_test))] = y_test
    return labels


def run_split(spec: RunSpec, data_dir: Path) -> Split:
    """The spec's class view of its dataset, then its seeded training subset and test subset;
    for a search trial, the validation split of the training images (``validation_run_split``)."""
    if spec.evaluation is not None:
        return validation_run_split(spec, _load_once(spec.dataset, data_dir))
    return _test_split(spec.dataset, spec.classes, spec.n_train, spec.n_test, spec.seed,
                       Path(data_dir))


@functools.lru_cache(maxsize=4)
def _test_split(name: str, classes: tuple[int, ...] | None, n_train: int | None,
                n_test: int | None, seed: int, data_dir: Path) -> Split:
    """A split as ``run_split`` makes it, once per process for the runs that share it (the
    models of an experiment on one training subset, a bench's repeats): drawing a subset of
    60,000 labels and copying its images costs more than fitting naive Bayes on them. Its
    arrays are read-only, as the loaded dataset's are, so no run can change another's data."""
    whole = dataset = _load_once(name, data_dir)
    if classes is not None:
        dataset = restrict_classes(whole, classes)
        check_subset_size(n_train, dataset.info.n_train, dataset.info.n_classes, "--n-train")
        check_subset_size(n_test, dataset.info.n_test, dataset.info.n_classes,
                          "the test subset size")
    x_train, y_train, x_test, y_test = dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test
    if n_train is not None:
        chosen = stratified_subset(y_train, n_train, seed)
        x_train, y_train = x_train[chosen], y_train[chosen]
    if n_test is not None:
        chosen = stratified_subset(y_test, n_test, TEST_SUBSET_SEED)
        x_test, y_test = x_test[chosen], y_test[chosen]
    for array in (x_train, y_train, x_test, y_test):
        array.flags.writeable = False
    return Split(dataset, whole, x_train, y_train, x_test, y_test)


def validation_indices(y_train: np.ndarray, spec: RunSpec) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices into the training split of what a trial fits on and what it is scored on.

    The pool (all the training images, or a seeded, stratified N of them) is split by
    ``data.validation_split`` with the spec's seed, the same for every trial of a search; the
    trial fits on a seeded, stratified ``n_train`` of the training part (nested, so a larger
    rung holds a smaller one) and is scored on the whole held-out part, the same at every rung.
    """
    pool = validation_pool(spec.evaluation)
    chosen = np.arange(len(y_train)) if pool is None else stratified_subset(y_train, pool, spec.seed)
    train, held_out = validation_split(y_train[chosen], spec.seed)
    train, held_out = chosen[train], chosen[held_out]
    if spec.n_train is not None:
        check_subset_size(spec.n_train, len(train), len(np.unique(y_train)), "a trial's n_train")
        train = train[stratified_subset(y_train[train], spec.n_train, spec.seed)]
    return train, held_out


def validation_run_split(spec: RunSpec, dataset: Dataset) -> Split:
    """A trial's arrays, all taken from the training split: the test split is never read, and
    the run's "whole dataset" is the pool's two parts, so no model can reach it either."""
    if spec.classes is not None:
        raise ValueError("a search trial runs on the whole dataset, not a class view")
    train, held_out = validation_indices(dataset.y_train, spec)
    x_train, y_train = dataset.x_train[train], dataset.y_train[train]
    x_held, y_held = dataset.x_train[held_out], dataset.y_train[held_out]
    info = replace(dataset.info, n_train=len(y_train), n_test=len(y_held))
    whole = Dataset(info, x_train, y_train, x_held, y_held, dataset.source)
    return Split(whole, whole, x_train, y_train, x_held, y_held)


@functools.lru_cache(maxsize=2)
def _load_once(name: str, data_dir: Path) -> Dataset:
    """A worker loads and verifies each dataset once; the arrays are read-only to all runs."""
    dataset = load(name, data_dir)
    for array in (dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test):
        array.flags.writeable = False
    return dataset


def measure_peak_memory_from_here() -> None:
    """Reset the kernel's peak-RSS mark (Linux), so the peak read later belongs to this run."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass  # elsewhere the peak falls back to the worker's lifetime peak: an upper bound


def peak_memory_mb() -> float:
    """Peak resident memory of this process since the last reset, in MB (data included)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
