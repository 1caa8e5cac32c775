"""Runs as tasks of a Dask cluster: an existing one (``--scheduler tcp://HOST:8786``) or one of
``jobs`` worker processes started here (``--scheduler local``). The executor imports this module
only when a cluster is asked for.

Workers fit and return each run's row and artifacts; the client writes them to the run cache as
they arrive, so workers share no folder. A worker that dies mid-run (killed, out of memory) loses
nothing: Dask runs the task again on another worker, up to its ``allowed-failures`` (3 by
default); past that the experiment stops with ``RunFailed``, naming the run.
"""

import contextlib
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import dask
from distributed import Client, Future, KilledWorker, LocalCluster, WorkerPlugin, as_completed
from distributed.core import Status

from ..errors import RunFailed, UserError
from ..paths import PROJECT_ROOT
from . import threads
from .cache import RunCache
from .execute import execute, row_summary
from .progress import Progress
from .spec import RunSpec
from .threads import ThreadSettings

LOCAL_HOST = "127.0.0.1"  # a local cluster listens on loopback only
DASHBOARD_PORT = 8787  # Dask's usual one; when it is taken, Dask picks a free port instead


@contextlib.contextmanager
def connect(scheduler: str | None, jobs: int,
            thread_settings: ThreadSettings | None = None) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``jobs`` workers;
    either way every worker computes with ``thread_settings`` (threads.py)."""
    thread_settings = thread_settings or threads.current()
    if scheduler is None:
        with local_cluster(jobs) as cluster, Client(cluster, set_as_default=False) as client:
            client.register_plugin(LocalWorkerSetup())
            client.register_plugin(ThreadsSetup(thread_settings))
            workers = f"{jobs} worker process{'es' if jobs > 1 else ''}"
            print(f"[dask] local cluster of {workers}; dashboard: {client.dashboard_link}", flush=True)
            yield client
        return
    try:
        client = Client(scheduler, set_as_default=False)
    except OSError as error:  # a refused connection, or the connect timeout
        raise UserError(f"cannot reach the Dask scheduler at {scheduler} ({error})") from error
    with client:
        _check_one_run_per_worker(client)
        client.register_plugin(ThreadsSetup(thread_settings))
        print(f"[dask] {len(client.nthreads())} workers at {scheduler}", flush=True)
        yield client


def local_cluster(jobs: int) -> LocalCluster:
    """``jobs`` worker processes of one thread each, on which a run behaves as in a plain process.

    Processes, not threads: a crash stays in its worker, and the main process never imports
    TensorFlow. The workers live as long as the cluster, so each imports TensorFlow once.
    """
    with dask.config.set({
        # Dask caps BLAS and OpenMP at one thread per worker; a run has the threads of its layout
        # instead (threads.py: every core, alone), inherited from this process's environment,
        # so its fit time, and through the order of sums its numbers, match the pool's.
        "distributed.nanny.pre-spawn-environ.OMP_NUM_THREADS": None,
        "distributed.nanny.pre-spawn-environ.MKL_NUM_THREADS": None,
        "distributed.nanny.pre-spawn-environ.OPENBLAS_NUM_THREADS": None,
        # Dask also tunes glibc's malloc in its workers. Where memory lands changes which
        # vectorised kernels TensorFlow picks, and a deep net's training amplifies the last-bit
        # differences: runs would no longer match those of a plain process.
        "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
        # The profiler samples each worker's stack 100 times a second: it would slow the very
        # fits whose time is measured.
        "distributed.worker.profile.enabled": False,
        # A run waits on the scheduler until a worker is free, rather than on a worker behind a
        # long run while another worker idles.
        "distributed.scheduler.worker-saturation": 1.0,
    }):
        return LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, host=LOCAL_HOST,
                            dashboard_address=f"{LOCAL_HOST}:{DASHBOARD_PORT}",
                            # No memory cap, as in a plain process: Dask would otherwise pause and
                            # restart a worker past its share of the machine's memory.
                            memory_limit=0,
                            # Dask's INFO lines would bury the progress lines; errors still show.
                            silence_logs=logging.ERROR)


class LocalWorkerSetup(WorkerPlugin):
    """What a local worker, which shares the client's terminal, needs on top of Dask's defaults."""

    def setup(self, worker) -> None:
        # Ctrl-C reaches every process of the terminal: the client alone handles it, and closes
        # the cluster in order.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        # A worker closed mid-run (Ctrl-C, a failed run) can lose the scheduler before its last
        # heartbeat: what it logs while closing is part of the shutdown, not a fault.
        logging.getLogger("distributed.worker").addFilter(
            lambda record: worker.status not in (Status.closing, Status.closed))


class ThreadsSetup(WorkerPlugin):
    """Every worker's threads, as a pool worker's (``threads.start_worker``)."""

    name = "mlhistory-threads"  # registered again, it replaces the worker's earlier setup

    def __init__(self, thread_settings: ThreadSettings):
        self.thread_settings = thread_settings

    def setup(self, worker) -> None:
        threads.start_worker(self.thread_settings)


def _check_one_run_per_worker(client: Client) -> None:
    """Runs in one process share its Keras session, global seeds and peak-memory mark, so a worker
    must run one at a time."""
    threaded = sorted(address for address, threads in client.nthreads().items() if threads > 1)
    if threaded:
        raise UserError(f"Dask workers {', '.join(threaded)} run several threads; start each with "
                        "`dask worker SCHEDULER --nthreads 1` (add --nworkers N for N runs at once)")


def run_pending(client: Client, pending: list[RunSpec], cache: RunCache, data_dir: Path,
                rows: dict, progress: Progress | None = None) -> None:
    """Submit every pending run, then cache each one as it finishes, in whatever order."""
    data_dir = data_dir_for_workers(data_dir)
    futures: dict[Future, RunSpec] = {}
    for number, spec in enumerate(pending, start=1):
        print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
        futures[client.submit(execute_on_worker, spec, data_dir, key=task_key(spec))] = spec
    # Leaving the client, however it happens, releases the futures: queued runs are dropped.
    try:
        for number, future in enumerate(as_completed(futures, loop=client.loop), start=1):
            spec = futures[future]
            rows[spec] = _store(future, spec, cache)
            tail = f"; {progress.finished(spec, rows[spec])}" if progress else ""
            print(f"[done {number}/{len(pending)}] {spec.describe()}: {row_summary(rows[spec])}"
                  f"{tail}", flush=True)
    except Exception:
        # Runs that finished while the failed one was reported are kept as well.
        for future, spec in futures.items():
            if spec not in rows and future.status == "finished":
                rows[spec] = _store(future, spec, cache)
        raise


def task_key(spec: RunSpec) -> str:
    """The name of a run's Dask task: its cache key, shown on the dashboard. A run that two clients
    of a shared cluster ask for (two experiments at once) is then computed once."""
    return f"run-{spec.key}"


def _store(future: Future, spec: RunSpec, cache: RunCache) -> dict:
    """Write a finished run to the cache; a run that kept killing its workers stops the experiment."""
    try:
        row, artifacts = future.result()
    except KilledWorker as error:
        raise RunFailed(f"{spec.describe()}: every Dask worker that ran it died "
                        f"({error.allowed_failures + 1} tried; out of memory, or a crash in native "
                        "code?); the runs that finished are cached") from error
    return cache.put(spec, row, artifacts)


def data_dir_for_workers(data_dir: Path) -> Path:
    """The data folder, relative to the project when it lies inside it: a worker whose checkout
    sits elsewhere then reads (or fetches into) its own copy. Any other folder is sent as is."""
    absolute = Path(data_dir).resolve()
    return absolute.relative_to(PROJECT_ROOT) if absolute.is_relative_to(PROJECT_ROOT) else absolute


def execute_on_worker(spec: RunSpec, data_dir: Path) -> tuple[dict, dict]:
    """``execute`` on a worker, with a project-relative data folder placed in its own checkout."""
    return execute(spec, PROJECT_ROOT / data_dir)
