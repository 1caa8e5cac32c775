"""Every run of several experiments at once, into the run cache: ``python -m mlhistory runs``.

Experiments share many runs (05 gathers those of 01-04; the later ones reuse them), and each
experiment run on its own starts worker processes that import TensorFlow again. ``make quick``
therefore first computes the runs of every experiment in one pool: each run once, however many
experiments ask for it, the longest first (``progress.py``) so both workers end together, each
worker importing its libraries once. The experiments then find every run in the cache and only
judge, draw and save. The runs are the very specs the experiments build (``experiment.plan``),
so what the cache holds is what they ask for. A step that keeps its own work in a cache
(``steps.AHEAD``: experiment 03's toy fits) has it computed by the same pool.

With ``--write`` (``make quick``) the same pool then writes every experiment's results from the
cache, two at a time on two workers: its rows, claims, plots and metadata, exactly as its own
script would, without starting a Python process and importing the libraries again for each.
"""

import contextlib
import importlib.util
import io
from collections.abc import Callable
from pathlib import Path

from .. import models
from ..errors import UsageError
from ..paths import PROJECT_ROOT, run_cache_root
from . import threads
from .cache import RunCache
from .cli import Config
from .executor import WorkerPool, run_all
from .experiment import Experiment, plan, run
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


def run_experiments(names: list[str], config: Config, write: bool = False) -> list[dict]:
    """The rows of every run the named experiments (all, when none are named) make under
    ``config``, computed into its run cache; with ``write``, each experiment's results are then
    written from the cache as its script writes them."""
    scripts = experiment_scripts()
    unknown = [name for name in names if name not in scripts]
    if unknown:
        raise UsageError(f"no experiment {', '.join(unknown)}; choose among: {', '.join(scripts)}")
    stages = Stages()
    settings = threads.layout(config.threads)
    threads.use(settings)
    paths = [scripts[name] for name in names or scripts]
    experiments = [load_experiment(path) for path in paths]
    with contextlib.ExitStack() as stack:
        pool = None if config.scheduler else stack.enter_context(WorkerPool(config.jobs, settings))
        if pool is not None:
            # The workers start, and import TensorFlow, while the runs are planned here; the
            # steps' own work goes first, so the pool's longest-first order still ends with the
            # shortest runs.
            if any(models.get(declared.model).uses_keras for experiment in experiments
                   for declared in experiment.labelled_runs):
                pool.start(import_keras)
            ahead = [pool.submit(compute, config) for compute in work_ahead(experiments, config)]
        with stages.stage("data"):
            looked_up = {}  # each dataset located and verified once for every plan
            specs = list(dict.fromkeys(spec for experiment in experiments
                                       for spec in plan(experiment, config, looked_up).specs))
        cache = RunCache(run_cache_root(config.results_dir))
        with stages.stage("fits"):
            if pool is not None:
                rows = run_all(specs, cache, config.data_dir, longest_first=True, pool=pool)
                for future in ahead:
                    future.result()
            else:  # the steps' own work is left to the experiments (steps.AHEAD)
                rows = run_all(specs, cache, config.data_dir, jobs=config.jobs,
                               scheduler=config.scheduler, thread_settings=settings,
                               longest_first=True)
        if write:
            with stages.stage("results"):
                write_results(paths, experiments, config, pool)
    print(f"{len(specs)} runs of {len(names or scripts)} experiments in the run cache"
          f"{', their results written' if write else ''} ({stages.summary()})", flush=True)
    return rows


def import_keras() -> None:
    """A worker's first task when runs will need Keras: its import, the longest of any."""
    import keras  # noqa: F401


def write_results(paths: list[Path], experiments: list[Experiment], config: Config,
                  pool: WorkerPool | None) -> None:
    """Each experiment's results written from the run cache, on the pool's workers when there
    is one (those with the most plots and steps first, so both workers end together), here one
    after the other otherwise; each one's lines printed whole, in the order submitted."""
    order = sorted(range(len(paths)), key=lambda index: -(len(experiments[index].plots)
                                                           + len(experiments[index].extra_steps)))
    if pool is None:
        for index in order:
            print(write_experiment(paths[index], config), flush=True)
        return
    for future in [pool.submit(write_experiment, paths[index], config) for index in order]:
        print(future.result(), flush=True)


def write_experiment(path: Path, config: Config) -> str:
    """What the script at ``path`` writes and prints, from the run cache (its runs computed)."""
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run(load_experiment(path), config)
    return printed.getvalue().rstrip("\n")


def work_ahead(experiments: list[Experiment], config: Config) -> list[Callable]:
    """What the experiments' steps can compute into their caches ahead (``steps.AHEAD``) and
    have not yet: each a function of the config."""
    steps = dict.fromkeys(step for experiment in experiments for step in experiment.extra_steps)
    work = [AHEAD[step] for step in steps if step in AHEAD]
    return [compute for cached, compute in work if not cached(config).exists()]
