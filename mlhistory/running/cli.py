"""One shared command line for every experiment and tool, and one way to report user errors."""

import argparse
import errno
import os
import re
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..data import DATASETS, check_subset_size, dataset_info
from ..errors import UsageError, UserError
from ..paths import DATA_DIR_ENV, custom_results_dir, default_data_dir, default_results_dir
from .threads import THREADS_ENV, layout

DEFAULT_DATASET = "mnist"  # the book's own dataset
FULL_SEEDS = [0, 1, 2]
# --quick: a subset small enough that every experiment together takes a few minutes.
QUICK_N_TRAIN = 1000
QUICK_N_TEST = 500
QUICK_SEEDS = [0]
# The Dask scheduler to run on, when --scheduler does not name one.
SCHEDULER_ENV = "MLHISTORY_DASK_SCHEDULER"
# What Dask can connect to: PROTOCOL://HOST[:PORT] or HOST:PORT. Anything else makes Dask raise
# a ValueError in a background thread and the client wait out its connect timeout.
SCHEDULER_ADDRESS = re.compile(r"(?:(?:tcp|tls|ucx|inproc|ws|wss)://[^\s/]+|[^\s/:]+:\d+)")
# NumPy, scikit-learn and TensorFlow take seeds of 32 bits.
MAX_SEED = 2**32 - 1


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
    threads: str = "alone"  # the thread layout every run computes with (threads.py)
    # The results set whose search the tuned runs replay: its tuning/<dataset>/chosen.json.
    search_from: Path = field(default_factory=lambda: default_results_dir(False))


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
                        help="results folder (default: results/, results/quick/ with --quick, "
                             "results/custom/NAME/ with other sizes or seeds)")
    parser.add_argument("--search-from", type=Path, default=None, metavar="DIR",
                        help="the tuned runs refit the configurations the search saved in "
                             "DIR/tuning/ (default: the reference results/, whatever the "
                             "results folder; e.g. results/quick/ after `mlhistory tune --quick`)")


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    add_data_arguments(parser)
    add_results_arguments(parser)
    parser.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                        help=f"seeds for stochastic models (default: {FULL_SEEDS}, "
                             f"{QUICK_SEEDS} with --quick); deterministic models use the first")
    parser.add_argument("--n-train", type=int, default=None, metavar="N",
                        help="train on a seeded stratified subset of N images (default: all)")
    parser.add_argument("--n-test", type=int, default=None, metavar="N",
                        help="test on a fixed stratified subset of N images (default: all)")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="runs to execute in parallel worker processes (default: 1)")
    parser.add_argument("--threads", default=None, choices=("alone", "side_by_side"),
                        help="the threads every run computes on: 'alone' (every library on every "
                             "core: one run at a time) or 'side_by_side' (one thread each: two "
                             f"runs at once); default: ${THREADS_ENV}, else alone")
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
    """Resolve defaults and check the values against the chosen dataset, before any work.

    The reference results (``results/``) are written only at the full budget: other sizes or
    seeds without ``--results-dir`` go to ``results/custom/<the options>/``, as ``--quick``
    goes to ``results/quick/``.
    """
    info = dataset_info(arguments.dataset)
    check_subset_size(arguments.n_train, info.n_train, info.n_classes, "--n-train")
    check_subset_size(arguments.n_test, info.n_test, info.n_classes, "--n-test")
    if arguments.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    for seed in arguments.seeds or []:
        if not 0 <= seed <= MAX_SEED:
            raise UsageError(f"--seeds takes whole numbers from 0 to {MAX_SEED}, not {seed}")
    scheduler = arguments.scheduler or os.environ.get(SCHEDULER_ENV) or None
    check_scheduler(scheduler, "--scheduler" if arguments.scheduler else f"${SCHEDULER_ENV}")

    def full_as_none(size: int | None, full: int) -> int | None:
        # The full split is written as None so a full run and its cache key stay size-free.
        return None if size is None or size >= full else size

    default_n_train = full_as_none(QUICK_N_TRAIN if arguments.quick else None, info.n_train)
    default_n_test = full_as_none(QUICK_N_TEST if arguments.quick else None, info.n_test)
    default_seeds = QUICK_SEEDS if arguments.quick else FULL_SEEDS
    n_train = full_as_none(arguments.n_train, info.n_train) if arguments.n_train else default_n_train
    n_test = full_as_none(arguments.n_test, info.n_test) if arguments.n_test else default_n_test
    seeds = list(dict.fromkeys(arguments.seeds or default_seeds))
    budget = {"n-train": (n_train, default_n_train), "n-test": (n_test, default_n_test),
              "seeds": (seeds, default_seeds)}
    changed = {option: value for option, (value, default) in budget.items() if value != default}
    results_dir = arguments.results_dir
    if results_dir is None:
        results_dir = (custom_results_dir(arguments.quick, changed) if changed
                       else default_results_dir(arguments.quick))
    check_writable(results_dir, "--results-dir")
    return Config(
        dataset=info.name,
        quick=arguments.quick,
        seeds=seeds,
        n_train=n_train,
        n_test=n_test,
        data_dir=arguments.data_dir or default_data_dir(),
        results_dir=results_dir,
        jobs=arguments.jobs,
        argv=argv,
        scheduler=scheduler,
        threads=layout(arguments.threads).layout,
        search_from=arguments.search_from or default_results_dir(False),
    )


def check_scheduler(scheduler: str | None, option: str) -> None:
    if scheduler is None or scheduler == "local" or SCHEDULER_ADDRESS.fullmatch(scheduler):
        return
    raise UsageError(f"{option} {scheduler!r} is not a Dask scheduler's address; give one such "
                     "as tcp://HOST:8786, or 'local' for a Dask cluster here")


def check_writable(folder: Path, option: str) -> None:
    """Fail before any work when results could not be saved, rather than after a long run."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as error:
        raise UsageError(f"{option} {folder} cannot be written ({error.strerror}); "
                         "choose a writable folder") from error


class Terminated(BaseException):
    """SIGTERM, raised in the main thread as Ctrl-C raises KeyboardInterrupt, so that the same
    cleanup runs: workers stopped, finished runs kept, no results folder half-written."""


def _raise_terminated(signum, frame) -> None:
    raise Terminated


def run_command(work) -> None:
    """Run ``work()``; a user's mistake ends as one line on stderr and a non-zero exit, and so
    does SIGINT or SIGTERM (with the shell's status for it: 130 or 143)."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        work()
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(error.exit_status)
    except (KeyboardInterrupt, Terminated) as stop:
        received = signal.SIGINT if isinstance(stop, KeyboardInterrupt) else signal.SIGTERM
        print(f"interrupted by {received.name}: workers stopped, every finished run is cached, "
              "no results folder was half-written", file=sys.stderr)
        sys.exit(128 + received)
    except OSError as error:
        # A full disk met outside the atomic writers (which name their file themselves).
        if error.errno not in (errno.ENOSPC, errno.EDQUOT):
            raise
        where = f"cannot write {error.filename}" if error.filename else error.strerror
        print(f"error: the disk is full: {where}; free some space and run again", file=sys.stderr)
        sys.exit(1)
    finally:
        signal.signal(signal.SIGTERM, previous)
