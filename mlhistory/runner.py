"""The one runner: a RunSpec in, one results row (plus artifacts) out.

A run is fully described by its spec, so the spec gives both the cache key and the row, and
a run can be handed to any executor. Today runs are jobs for a pool of worker processes
(``--jobs``); each run resets its worker's peak-memory mark, builds a fresh model and clears
Keras' session, so runs do not see each other. Nothing here knows about experiments.
"""

import functools
import hashlib
import json
import multiprocessing
import pickle
import random
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import atomic, models
from .data import (
    check_classes,
    check_subset_size,
    dataset_info,
    load,
    restrict_classes,
    stratified_subset,
    view_name,
)

# The quick-mode test subset is drawn once with this seed, so every run sees the same images.
TEST_SUBSET_SEED = 0


@dataclass(frozen=True)
class RunSpec:
    dataset: str
    model: str
    params: tuple  # resolved params as sorted (name, value) pairs, so the spec is hashable
    seed: int
    n_train: int | None = None  # None: the full training split
    n_test: int | None = None  # None: the full test split
    features: str = "pixels"  # the feature transform a shallow model takes (features.py)
    classes: tuple[int, ...] | None = None  # a class view (views.py); None: every class

    @classmethod
    def create(cls, dataset, model, seed, params=None, n_train=None, n_test=None,
               features="pixels", classes=None):
        """Validate names and sizes, resolve the params, and return the spec."""
        info = dataset_info(dataset)
        resolved = models.resolve_params(model, params)
        models.check_features(model, features, info)
        n_classes = info.n_classes
        if classes is not None:
            classes = tuple(classes)
            check_classes(info, classes, "the class subset")
            n_classes = len(classes)
        if "source_classes" in resolved:
            check_classes(info, resolved["source_classes"], f"{model}'s source_classes")
        # Counts within a class view are only known once loaded; execute() checks them.
        check_subset_size(n_train, info.n_train, n_classes, "--n-train")
        check_subset_size(n_test, info.n_test, n_classes, "the test subset size")
        return cls(dataset, model, tuple(sorted(resolved.items())), seed, n_train, n_test,
                   features, classes)

    @property
    def params_dict(self) -> dict:
        return dict(self.params)

    @property
    def key(self) -> str:
        """The cache key: dataset, model, resolved params, sizes, seed and the model's code version."""
        identity = {**asdict(self), "params": self.params_dict,
                    "model_version": models.get(self.model).version}
        if self.classes is None:
            del identity["classes"]  # added later: unset, it leaves older runs' keys unchanged
        encoded = json.dumps(identity, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()[:20]

    def describe(self) -> str:
        defaults = models.get(self.model).defaults
        changed = " ".join(f"{name}={value}" for name, value in self.params
                           if name not in defaults or defaults[name] != value)
        size = f"n_train={self.n_train or 'full'}" + (f" {changed}" if changed else "")
        shown = self.features not in ("pixels", "columns")  # not a dataset's own inputs
        model = f"{self.model} on {self.features}" if shown else self.model
        dataset = self.dataset if self.classes is None else f"{self.dataset}{list(self.classes)}"
        return f"{dataset} {model} seed={self.seed} {size}"


def seed_everything(seed: int, keras: bool) -> None:
    random.seed(seed)
    np.random.seed(seed)
    if keras:
        import keras as keras_module

        keras_module.utils.set_random_seed(seed)


@functools.lru_cache(maxsize=2)
def _load_once(name: str, data_dir: Path):
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


def execute(spec: RunSpec, data_dir: Path) -> tuple[dict, dict]:
    """Fit on the training split, predict the test split, and measure. Returns (row, artifacts)."""
    from sklearn.metrics import confusion_matrix, f1_score

    entry = models.get(spec.model)
    full_dataset = _load_once(spec.dataset, Path(data_dir))
    dataset = full_dataset
    if spec.classes is not None:
        dataset = restrict_classes(full_dataset, spec.classes)
        check_subset_size(spec.n_train, dataset.info.n_train, dataset.info.n_classes, "--n-train")
        check_subset_size(spec.n_test, dataset.info.n_test, dataset.info.n_classes,
                          "the test subset size")
    x_train, y_train, x_test, y_test = dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test
    if spec.n_train is not None:
        chosen = stratified_subset(y_train, spec.n_train, spec.seed)
        x_train, y_train = x_train[chosen], y_train[chosen]
    if spec.n_test is not None:
        chosen = stratified_subset(y_test, spec.n_test, TEST_SUBSET_SEED)
        x_test, y_test = x_test[chosen], y_test[chosen]

    if entry.family == models.DEEP:
        import keras

        keras.backend.clear_session()
    measure_peak_memory_from_here()
    seed_everything(spec.seed, keras=entry.family == models.DEEP)
    estimator = models.build(spec.model, dataset.info, spec.seed, spec.params_dict, spec.features)
    fit_arguments = {}
    if entry.family == models.DEEP:
        # The test set only records a per-epoch curve, never steering training.
        fit_arguments["monitor"] = (x_test, y_test)
    if "source_classes" in spec.params_dict:
        # A model that reuses a network gets the source task: the training split of those classes.
        source = restrict_classes(full_dataset, spec.params_dict["source_classes"])
        fit_arguments["source"] = (source.x_train, source.y_train)
    start = time.perf_counter()
    estimator.fit(x_train, y_train, **fit_arguments)
    # Time a model spends on anything but learning this task (recording test curves,
    # pretraining on the source task, learning its features) is measured by the model and
    # kept out of fit time.
    parts = [step for _, step in estimator.steps] if hasattr(estimator, "steps") else [estimator]
    excluded = sum(getattr(part, "excluded_seconds", 0.0) for part in parts)
    fit_seconds = time.perf_counter() - start - excluded
    start = time.perf_counter()
    predictions = estimator.predict(x_test)
    predict_seconds = time.perf_counter() - start

    row = {
        "dataset": view_name(spec.dataset, spec.classes),
        "model": spec.model,
        "features": spec.features,
        "params": json.dumps(spec.params_dict, sort_keys=True),
        "seed": spec.seed,
        "n_train": len(y_train),
        "n_test": len(y_test),
        "accuracy": float(np.mean(predictions == y_test)),
        "macro_f1": float(f1_score(y_test, predictions, average="macro")),
        "fit_seconds": fit_seconds,
        "predict_seconds": predict_seconds,
        "n_params": estimator.n_params if entry.family == models.DEEP else None,
        "model_bytes": model_bytes(estimator),
        "peak_rss_mb": peak_memory_mb(),
        "run_key": spec.key,
    }
    artifacts = {
        "predictions": predictions.astype(np.int16),
        "confusion": confusion_matrix(y_test, predictions, labels=range(dataset.info.n_classes)),
        **entry.artifacts(estimator, x_test, y_test),
    }
    if hasattr(estimator, "steps"):  # what a feature step saves, e.g. its net's training time
        for _, step in estimator.steps[:-1]:
            artifacts.update(step.artifacts() if hasattr(step, "artifacts") else {})
    return row, artifacts


def model_bytes(estimator) -> int:
    """The fitted model's size: float32 weights for a net, the pickle for anything else."""
    if hasattr(estimator, "n_params"):
        return 4 * estimator.n_params
    if hasattr(estimator, "steps"):  # a pipeline, whose features may be a learned net
        return sum(model_bytes(step) for _, step in estimator.steps)
    return len(pickle.dumps(estimator, protocol=pickle.HIGHEST_PROTOCOL))


class RunCache:
    """Finished runs of one results set, as ``<dataset>/<key>.json`` (the row) and ``.npz``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def row_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.json"

    def artifacts_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.npz"

    def get(self, spec: RunSpec) -> dict | None:
        path = self.row_path(spec)
        return json.loads(path.read_text()) if path.exists() else None

    def put(self, spec: RunSpec, row: dict, artifacts: dict) -> None:
        # Artifacts first: a row on disk means its run is complete.
        atomic.write_npz(self.artifacts_path(spec), artifacts)
        atomic.write_json(self.row_path(spec), row)


def _summary(row: dict) -> str:
    return (f"accuracy={row['accuracy']:.4f} macro_f1={row['macro_f1']:.4f} "
            f"fit={row['fit_seconds']:.1f}s predict={row['predict_seconds']:.2f}s "
            f"peak_rss={row['peak_rss_mb']:.0f}MB")


def run_all(specs: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int = 1) -> list[dict]:
    """Rows for every spec, in order: cached ones are read, the rest run as independent jobs."""
    rows: dict[RunSpec, dict] = {}
    pending = []
    for spec in dict.fromkeys(specs):
        cached = cache.get(spec)
        if cached is None:
            pending.append(spec)
        else:
            rows[spec] = cached
            print(f"[cached] {spec.describe()}: {_summary(cached)}", flush=True)
    if pending:
        # Worker processes, not threads: a crash or a leak stays in its worker, and the main
        # process never imports TensorFlow. "spawn" gives each worker a clean interpreter.
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        try:
            futures = {spec: executor.submit(execute, spec, data_dir) for spec in pending}
            for number, (spec, future) in enumerate(futures.items(), start=1):
                print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
                row, artifacts = future.result()
                cache.put(spec, row, artifacts)
                rows[spec] = row
                print(f"[done {number}/{len(pending)}] {spec.describe()}: {_summary(row)}",
                      flush=True)
        finally:
            # On a failure or Ctrl-C, queued runs are dropped; finished ones stay cached.
            executor.shutdown(cancel_futures=True)
    return [rows[spec] for spec in specs]
