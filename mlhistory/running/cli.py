"""One shared command line for every experiment and tool, and one way to report user errors."""

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..data import DATASETS, check_subset_size, dataset_info
from ..errors import UsageError, UserError
from ..paths import DATA_DIR_ENV, default_data_dir, default_results_dir

DEFAULT_DATASET = "mnist"  # the book's own dataset
FULL_SEEDS = [0, 1, 2]
# --quick: a subset small enough that every experiment together takes a few minutes.
QUICK_N_TRAIN = 1000
QUICK_N_TEST = 1000
QUICK_SEEDS = [0]
# The Dask scheduler to run on, when --scheduler does not name one.
SCHEDULER_ENV = "MLHISTORY_DASK_SCHEDULER"


@dataclass(frozen=True)
class Config:
    dataset: str
    quick: bool
    seeds: list[int]
    n_train: int | None  # None: the full training split
    n_test: int | None  # None: the full test split
    data_dir: Path
    results_dir: Path
    jobs: int
    argv: list[str]
    scheduler: str | None = None  # a Dask cluster's address, or "local"; None: a process pool


def add_data_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default=DEFAULT_DATASET, metavar="NAME",
                        help=f"one of {', '.join(sorted(DATASETS))} (default: {DEFAULT_DATASET})")
    parser.add_argument("--data-dir", type=Path, default=None, metavar="DIR",
                        help=f"dataset folder (default: ${DATA_DIR_ENV} or data/)")


def add_results_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quick", action="store_true",
                        help=f"small subset ({QUICK_N_TRAIN} train / {QUICK_N_TEST} test images, "
                             "one seed), written under results/quick/")
    parser.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                        help="results folder (default: results/, or results/quick/ with --quick)")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    add_results_arguments(parser)
    parser.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                        help=f"seeds for stochastic models (default: {FULL_SEEDS}, "
                             f"{QUICK_SEEDS} with --quick); deterministic models use the first")
    parser.add_argument("--n-train", type=int, default=None, metavar="N",
                        help="train on a seeded stratified subset of N images (default: all)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="runs to execute in parallel worker processes (default: 1)")
    parser.add_argument("--scheduler", default=None, metavar="ADDRESS",
                        help="run on the Dask cluster of this scheduler, e.g. tcp://HOST:8786, or "
                             "'local' for a Dask cluster of --jobs workers here (default: "
                             f"${SCHEDULER_ENV}, or a pool of --jobs worker processes here)")


def experiment_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_run_arguments(parser)
    return parser


def config_from(arguments: argparse.Namespace, argv: list[str]) -> Config:
    """Resolve defaults and check the values against the chosen dataset, before any work."""
    info = dataset_info(arguments.dataset)
    check_subset_size(arguments.n_train, info.n_train, info.n_classes, "--n-train")
    n_train, n_test = arguments.n_train, None
    if arguments.quick:
        n_train = n_train or min(QUICK_N_TRAIN, info.n_train)
        n_test = min(QUICK_N_TEST, info.n_test)
    if arguments.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    seeds = arguments.seeds or (QUICK_SEEDS if arguments.quick else FULL_SEEDS)
    results_dir = arguments.results_dir or default_results_dir(arguments.quick)
    check_writable(results_dir, "--results-dir")
    return Config(
        dataset=info.name,
        quick=arguments.quick,
        seeds=list(dict.fromkeys(seeds)),
        # The full split is written as None so a full run and its cache key stay size-free.
        n_train=None if n_train == info.n_train else n_train,
        n_test=None if n_test == info.n_test else n_test,
        data_dir=arguments.data_dir or default_data_dir(),
        results_dir=results_dir,
        jobs=arguments.jobs,
        argv=argv,
        scheduler=arguments.scheduler or os.environ.get(SCHEDULER_ENV) or None,
    )


def check_writable(folder: Path, option: str) -> None:
    """Fail before any work when results could not be saved, rather than after a long run."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise UsageError(f"{option} {folder} cannot be written ({error.strerror}); "
                         "choose a writable folder") from error


def run_command(work) -> None:
    """Run ``work()``; a user's mistake ends as one line on stderr and a non-zero exit."""
    try:
        work()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_status)
    except KeyboardInterrupt:
        print("interrupted: finished runs are cached; nothing half-written was kept",
              file=sys.stderr)
        sys.exit(130)
