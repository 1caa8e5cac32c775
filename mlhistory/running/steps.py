"""Steps an experiment runs outside the runner, whose saved files its plots and tables read.

Each is called as ``step(config, folder)`` after the experiment's rows are saved, and writes
one file of the results schema atomically.
"""

from pathlib import Path

from .. import atomic
from ..data import dataset_info
from ..models import DEEP, flops, toy
from ..paths import run_cache_root
from ..results.manifest import Manifest
from ..results.schema import HARDWARE_FILE, MANIFEST_FILE, TOY_FILE
from ..results.store import read_json


def toy_boundaries(config, folder: Path) -> None:
    """Experiment 03: Figure 1.10's decision boundaries on two moons and two circles.

    The fits depend only on the seed and the toy code, so they are kept in the run cache like
    any run: a rerun (or the other dataset's experiment 03) copies them instead of refitting.
    """
    seed = config.seeds[0]
    # --quick trains the toy net for fewer epochs: the same code, a rougher boundary.
    epochs = toy.QUICK_NET_EPOCHS if config.quick else toy.NET_EPOCHS
    shortened = "" if epochs == toy.NET_EPOCHS else f"-epochs{epochs}"
    cached = (run_cache_root(config.results_dir) / "toy"
              / f"boundaries-v{toy.VERSION}-seed{seed}{shortened}.npz")
    if not cached.exists():
        atomic.write_npz(cached, toy.fit_toy_boundaries(seed, epochs))
    atomic.write_bytes(Path(folder) / TOY_FILE, cached.read_bytes())


def hardware_measurement(config, folder: Path) -> None:
    """Experiment 10: this machine's matmul peak per device and each Keras net's FLOPs."""
    manifest = Manifest.from_dict(read_json(Path(folder) / MANIFEST_FILE))
    nets = [(run.model, run.params) for run in manifest.runs if run.family == DEEP]
    measured = flops.measure(nets, dataset_info(config.dataset), config.seeds[0], config.quick)
    atomic.write_json(Path(folder) / HARDWARE_FILE, measured)
