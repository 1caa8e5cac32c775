"""Steps an experiment runs outside the runner, whose saved files its plots and tables read.

Each is called as ``step(config, folder)`` after the experiment's rows are saved, and writes
one file of the results schema atomically.
"""

import hashlib
import json
from pathlib import Path

import numpy as np

from .. import atomic
from ..data import dataset_info, load, origin, stratified_subset
from ..models import DEEP, flops, toy
from ..paths import run_cache_root
from ..results import ExperimentResults
from ..results.manifest import Manifest
from ..results.schema import (
    FIT_TIMES_COLUMNS,
    FIT_TIMES_FILE,
    HARDWARE_FILE,
    MANIFEST_FILE,
    SAMPLE_IMAGES_FILE,
    TEST_IMAGES_FILE,
    TOY_FILE,
    key_of_test_set,
    write_rows,
)
from ..results.store import read_json
from . import threads
from .execute import TEST_SUBSET_SEED
from .spec import RunSpec

SAMPLES_PER_CLASS = 10  # sample_images: the first test images of each class
FIRST_TEST_IMAGES = 1_000  # first_test_images: the first test images, in order


def toy_boundaries(config, folder: Path) -> None:
    """Experiment 03: Figure 1.10's decision boundaries on two moons and two circles.

    The fits depend only on the seed and the toy code, so they are kept in the run cache like
    any run: a rerun (or the other dataset's experiment 03) copies them instead of refitting.
    """
    cached = toy_boundaries_cache(config)
    if not cached.exists():
        fit_toy_boundaries(config)
    atomic.write_bytes(Path(folder) / TOY_FILE, cached.read_bytes())


def toy_boundaries_cache(config) -> Path:
    """Where the run cache keeps the toy fits of ``config``'s first seed."""
    # --quick trains the toy net for fewer epochs: the same code, a rougher boundary.
    shortened = "" if _toy_epochs(config) == toy.NET_EPOCHS else f"-epochs{_toy_epochs(config)}"
    return (run_cache_root(config.results_dir) / "toy"
            / f"boundaries-v{toy.VERSION}-seed{config.seeds[0]}{shortened}.npz")


def fit_toy_boundaries(config) -> None:
    """Fit the toy models and keep their boundaries in the run cache."""
    atomic.write_npz(toy_boundaries_cache(config),
                     toy.fit_toy_boundaries(config.seeds[0], _toy_epochs(config)))


def _toy_epochs(config) -> int:
    return toy.QUICK_NET_EPOCHS if config.quick else toy.NET_EPOCHS


def timed_fits(labels: tuple[str, ...], min_size: int, repeats: int = 3):
    """Experiment 03's fit-time claim measured like a benchmark: the step that times the first
    seed's fit of each of ``labels`` again at every training size from ``min_size``, ``repeats``
    times, in the experiment's own process once its runs are done (its workers idle), on its
    thread layout. The models alternate within each repeat and the repeats sweep the sizes in
    turn, so a drift of the machine reaches every model and size alike, after one untimed fit of
    each model. Each fit is the run's own (``execute.fit_as_run``: what its ``fit_seconds``
    measured) and keeps its wall and CPU seconds and the share of the CPUs other processes used
    meanwhile (``quiet.py``); the claim keeps the quiet ones.

    The timings repeat runs whose keys say what they are, so they are kept in the run cache
    under those keys: a rerun (after a change that leaves the runs alone) copies the figures
    taken when they were measured rather than timing again.
    """
    def timed_fits(config, folder: Path) -> None:
        results = ExperimentResults.read(folder)
        chosen = [(label, row) for label in labels
                  for row in _first_seed_per_size(results.rows_of(label, all_sizes=True))
                  if row["n_train"] >= min_size]
        identity = json.dumps([TIMED_FITS_VERSION, repeats, [row["run_key"] for _, row in chosen]])
        cached = (run_cache_root(config.results_dir) / "timed"
                  / f"fit-times-{hashlib.sha256(identity.encode()).hexdigest()[:20]}.csv")
        if not cached.exists():
            write_rows(cached, _time_fits(config, chosen, repeats), FIT_TIMES_COLUMNS)
        atomic.write_bytes(Path(folder) / FIT_TIMES_FILE, cached.read_bytes())
    return timed_fits


TIMED_FITS_VERSION = 2  # of how the fits are timed: a change times them again


def _first_seed_per_size(rows: list[dict]) -> list[dict]:
    first = {}
    for row in rows:
        first.setdefault(row["n_train"], row)
    return list(first.values())


def _time_fits(config, chosen: list[tuple[str, dict]], repeats: int) -> list[dict]:
    from .execute import fit_as_run, run_split
    from .quiet import MachineLoad, other_share

    load = MachineLoad()
    splits = {}
    for label, row in chosen:
        info = dataset_info(row["dataset"])
        spec = RunSpec.create(row["dataset"], row["model"], row["seed"], json.loads(row["params"]),
                              n_train=None if row["n_train"] == info.n_train else row["n_train"],
                              features=row["features"],
                              data_digest=origin(row["dataset"], Path(config.data_dir)).digest)
        splits[label, row["n_train"]] = spec, run_split(spec, Path(config.data_dir))
    # One untimed fit of each model first, at its smallest size: a library's first call in a
    # process pays for its start-up (oneDAL's, TensorFlow's graph), which no later fit does.
    for label in dict.fromkeys(label for label, _ in chosen):
        fit_as_run(*splits[label, min(size for other, size in splits if other == label)])
    measured = []
    for repeat in range(repeats):
        for label, row in chosen:
            before = load.sample()
            _, wall, cpu = fit_as_run(*splits[label, row["n_train"]])
            share = other_share(before, load.sample(), load.cpus)
            measured.append({"label": label, "run_key": row["run_key"], "n_train": row["n_train"],
                             "repeat": repeat, "wall_seconds": round(wall, 4),
                             "cpu_seconds": round(cpu, 4), "other_cpu_share": round(share, 4),
                             "threads": threads.current().layout})
    return measured


# What a step can compute ahead into a cache of its own, which the step then copies: (where
# the cache is, what fills it). The batch of every run (batch.py) hands this work to a worker of
# its pool, where TensorFlow is imported already, rather than leave it to the experiment's
# process (experiment 03's toy net cost it a TensorFlow import and a third of make quick's
# replay of the experiments).
AHEAD = {toy_boundaries: (toy_boundaries_cache, fit_toy_boundaries)}


def hardware_measurement(config, folder: Path) -> None:
    """Experiment 10: this machine's matmul peak per device and each Keras net's FLOPs."""
    manifest = Manifest.from_dict(read_json(Path(folder) / MANIFEST_FILE))
    nets = [(run.model, run.params) for run in manifest.runs if run.family == DEEP]
    measured = flops.measure(nets, dataset_info(config.dataset), config.seeds[0], config.quick)
    atomic.write_json(Path(folder) / HARDWARE_FILE, measured)


def _scored_test_set(config) -> tuple[np.ndarray, np.ndarray, str]:
    """The experiment's own test images and labels, as its runs are scored on them (the whole
    test split, or the seeded stratified subset ``--n-test`` asks for), and that set's key."""
    dataset = load(config.dataset, Path(config.data_dir))
    images, labels = dataset.x_test, dataset.y_test
    if config.n_test is not None:
        chosen = stratified_subset(labels, config.n_test, TEST_SUBSET_SEED)
        images, labels = images[chosen], labels[chosen]
    return images, labels, key_of_test_set(config.dataset, len(labels))


def _write_images(path: Path, images: np.ndarray, labels: np.ndarray, indices: np.ndarray,
                  test_set: str) -> None:
    atomic.write_npz(path, {"images": images[indices], "labels": labels[indices],
                            "indices": indices, "test_set": np.array(test_set)})


def sample_images(config, folder: Path) -> None:
    """Experiment 01: the first ``SAMPLES_PER_CLASS`` test images of each class, so the report
    shows what the data look like (readers never load the data)."""
    images, labels, test_set = _scored_test_set(config)
    indices = np.concatenate([np.flatnonzero(labels == label)[:SAMPLES_PER_CLASS]
                              for label in np.unique(labels)])
    _write_images(Path(folder) / SAMPLE_IMAGES_FILE, images, labels, indices, test_set)


def first_test_images(config, folder: Path) -> None:
    """Experiment 05: the first ``FIRST_TEST_IMAGES`` test images in order, so a figure can
    show the images a model got wrong among them, from its saved predictions."""
    images, labels, test_set = _scored_test_set(config)
    indices = np.arange(min(FIRST_TEST_IMAGES, len(labels)))
    _write_images(Path(folder) / TEST_IMAGES_FILE, images, labels, indices, test_set)
