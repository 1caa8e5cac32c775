"""Every run of several experiments at once, into the run cache: ``python -m mlhistory runs``.

Experiments share many runs (05 gathers those of 01-04; the later ones reuse them), and each
experiment run on its own starts worker processes that import TensorFlow again. ``make quick``
therefore first computes the runs of every experiment in one pool: each run once, however many
experiments ask for it, the longest first (``progress.py``) so both workers end together, each
worker importing its libraries once. The experiments then find every run in the cache and only
judge, draw and save. The runs are the very specs the experiments build (``experiment.plan``),
so what the cache holds is what they ask for. A step that keeps its own work in a cache
(``steps.AHEAD``: experiment 03's toy fits) has it computed by the same pool.
"""

import importlib.util
from collections.abc import Callable
from pathlib import Path

from ..errors import UsageError
from ..paths import PROJECT_ROOT, run_cache_root
from . import threads
from .cache import RunCache
from .cli import Config
from .executor import WorkerPool, run_all
from .experiment import Experiment, plan
from .progress import Stages
from .steps import AHEAD

EXPERIMENTS_DIR = PROJECT_ROOT / "experiments"


def experiment_scripts() -> dict[str, Path]:
    """Every experiment script by its id ("01_probabilistic")."""
    return {path.stem: path for path in sorted(EXPERIMENTS_DIR.glob("[0-9][0-9]_*.py"))}


def load_experiment(path: Path) -> Experiment:
    """The script's declaration; its ``main`` runs only under ``__main__``."""
    spec = importlib.util.spec_from_file_location(f"experiment_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.EXPERIMENT


def run_experiments(names: list[str], config: Config) -> list[dict]:
    """The rows of every run the named experiments (all, when none are named) make under
    ``config``, computed into its run cache; nothing else is written."""
    scripts = experiment_scripts()
    unknown = [name for name in names if name not in scripts]
    if unknown:
        raise UsageError(f"no experiment {', '.join(unknown)}; choose among: {', '.join(scripts)}")
    stages = Stages()
    settings = threads.layout(config.threads)
    threads.use(settings)
    experiments = [load_experiment(scripts[name]) for name in names or scripts]
    with stages.stage("data"):
        looked_up = {}  # each dataset located and verified once for every plan
        specs = list(dict.fromkeys(spec for experiment in experiments
                                   for spec in plan(experiment, config, looked_up).specs))
    cache = RunCache(run_cache_root(config.results_dir))
    with stages.stage("fits"):
        if config.scheduler is None:
            with WorkerPool(config.jobs, settings) as pool:
                # First, so the pool's longest-first order still ends with the shortest runs.
                ahead = [pool.submit(compute, config) for compute in work_ahead(experiments, config)]
                rows = run_all(specs, cache, config.data_dir, longest_first=True, pool=pool)
                for future in ahead:
                    future.result()
        else:  # the steps' own work is left to the experiments (steps.AHEAD)
            rows = run_all(specs, cache, config.data_dir, jobs=config.jobs,
                           scheduler=config.scheduler, thread_settings=settings,
                           longest_first=True)
    print(f"{len(specs)} runs of {len(names or scripts)} experiments in the run cache "
          f"({stages.summary()})", flush=True)
    return rows


def work_ahead(experiments: list[Experiment], config: Config) -> list[Callable]:
    """What the experiments' steps can compute into their caches ahead (``steps.AHEAD``) and
    have not yet: each a function of the config."""
    steps = dict.fromkeys(step for experiment in experiments for step in experiment.extra_steps)
    work = [AHEAD[step] for step in steps if step in AHEAD]
    return [compute for cached, compute in work if not cached(config).exists()]
