"""The one executor: every run an experiment needs, as independent jobs.

Cached runs are read and never submitted. The rest run in worker processes: by default a pool
of ``jobs`` processes on this machine, or the workers of a Dask cluster (``--scheduler
tcp://HOST:8786``, or ``--scheduler local`` for a Dask cluster of ``jobs`` processes here).
Workers fit and return each run's row and artifacts; the client writes them to the run cache
as they arrive, so an interrupted experiment loses nothing done and workers share no folder.

Why the local default is a plain process pool: a Keras net trained in a Dask worker differs in
its last bits from the same run in a plain process, and from another Dask run of it (measured
on experiment 09's deep nets: accuracies moved by up to 10 points on 1,000 images), while the
pool reproduces every row exactly. The committed reference results come from the pool.

A worker that dies mid-run (killed, out of memory) loses nothing either: Dask runs the task again
on another worker, up to its ``allowed-failures`` (3 by default); past that the experiment stops
with ``RunFailed``, naming the run. In the process pool a dead worker breaks the pool: the
experiment stops at once with ``RunFailed``, naming the run and the likely cause (memory).
Whatever stops the pool (a failed run, a dead worker, Ctrl-C, SIGTERM) terminates its workers,
so none outlives the main process, and caches every run that had finished.
"""

import contextlib
import logging
import multiprocessing
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import dask
from distributed import Client, Future, KilledWorker, LocalCluster, WorkerPlugin, as_completed
from distributed.core import Status

from ..errors import RunFailed, UserError
from ..paths import PROJECT_ROOT
from .cache import RunCache
from .execute import execute
from .spec import RunSpec

# ``--scheduler local``: a Dask cluster started here for the experiment, listening on loopback.
LOCAL_SCHEDULER = "local"
LOCAL_HOST = "127.0.0.1"
DASHBOARD_PORT = 8787  # Dask's usual one; when it is taken, Dask picks a free port instead
# How long a terminated worker may take to exit before it is killed.
WORKER_STOP_SECONDS = 10


def _summary(row: dict) -> str:
    return (f"accuracy={row['accuracy']:.4f} macro_f1={row['macro_f1']:.4f} "
            f"fit={row['fit_seconds']:.1f}s predict={row['predict_seconds']:.2f}s "
            f"peak_rss={row['peak_rss_mb']:.0f}MB")


def run_all(specs: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int = 1,
            scheduler: str | None = None) -> list[dict]:
    """Rows for every spec, in order: cached ones are read, the rest run as independent jobs.

    ``scheduler`` is None (a pool of ``jobs`` processes here), the address of an existing Dask
    cluster (``tcp://HOST:8786``), or ``local`` (a Dask cluster of ``jobs`` processes here,
    closed however the call ends).
    """
    rows: dict[RunSpec, dict] = {}
    pending = []
    for spec in dict.fromkeys(specs):
        cached = cache.get(spec)
        if cached is None:
            pending.append(spec)
        else:
            rows[spec] = cached
            print(f"[cached] {spec.describe()}: {_summary(cached)}", flush=True)
    if pending and scheduler is None:
        _run_in_processes(pending, cache, data_dir, jobs, rows)
    elif pending:
        with connect(None if scheduler == LOCAL_SCHEDULER else scheduler, jobs) as client:
            _run_pending(client, pending, cache, data_dir, rows)
    return [rows[spec] for spec in specs]


def _run_in_processes(pending: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int,
                      rows: dict) -> None:
    """Run on a pool of worker processes here, caching each run in the order submitted."""
    # Processes, not threads: a crash or a leak stays in its worker, and the main process
    # never imports TensorFlow. "spawn" gives each worker a clean interpreter.
    others = set(multiprocessing.active_children())
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_leave_interrupts_to_the_main_process)
    futures = {spec: pool.submit(execute, spec, data_dir) for spec in pending}
    # The pool starts its workers as runs are submitted, and never replaces one.
    workers = set(multiprocessing.active_children()) - others
    try:
        for number, (spec, future) in enumerate(futures.items(), start=1):
            print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
            try:
                row, artifacts = future.result()
            except BrokenProcessPool as error:
                # The pool runs in the order submitted: the first unfinished runs were running.
                running = [other.describe() for other in futures if other not in rows][:jobs]
                raise RunFailed(f"the worker process running {' or '.join(running)} died, most "
                                "likely killed for want of memory (try --jobs 1, or free memory); "
                                "the runs that finished are cached") from error
            rows[spec] = cache.put(spec, row, artifacts)
            print(f"[done {number}/{len(pending)}] {spec.describe()}: {_summary(row)}", flush=True)
    except BaseException:
        # A failed run, a dead worker, Ctrl-C or SIGTERM: queued runs are dropped, running ones
        # stopped (their workers would otherwise finish them as orphans), finished ones cached.
        _stop_workers(pool, workers)
        for spec, future in futures.items():
            if spec not in rows and future.done() and not future.cancelled() \
                    and future.exception() is None:
                rows[spec] = cache.put(spec, *future.result())
        raise
    finally:
        pool.shutdown(cancel_futures=True)


def _leave_interrupts_to_the_main_process() -> None:
    """Ctrl-C reaches every process of the terminal: the main process alone handles it, so the
    workers do not each print a traceback, and it stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stop_workers(pool: ProcessPoolExecutor, workers: set) -> None:
    """Terminate the pool's worker processes and wait for them, so none outlives the run."""
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(WORKER_STOP_SECONDS)
        if worker.is_alive():
            worker.kill()
            worker.join()


@contextlib.contextmanager
def connect(scheduler: str | None, jobs: int) -> Iterator[Client]:
    """A client of the cluster at ``scheduler``, or of a new local cluster of ``jobs`` workers."""
    if scheduler is None:
        with local_cluster(jobs) as cluster, Client(cluster, set_as_default=False) as client:
            client.register_plugin(LocalWorkerSetup())
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
        print(f"[dask] {len(client.nthreads())} workers at {scheduler}", flush=True)
        yield client


def local_cluster(jobs: int) -> LocalCluster:
    """``jobs`` worker processes of one thread each, on which a run behaves as in a plain process.

    Processes, not threads: a crash stays in its worker, and the main process never imports
    TensorFlow. The workers live as long as the cluster, so each imports TensorFlow once.
    """
    with dask.config.set({
        # Dask caps BLAS and OpenMP at one thread per worker; a run has always had every core,
        # and its fit time, and through the order of sums its numbers, must not change.
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


def _check_one_run_per_worker(client: Client) -> None:
    """Runs in one process share its Keras session, global seeds and peak-memory mark, so a worker
    must run one at a time."""
    threaded = sorted(address for address, threads in client.nthreads().items() if threads > 1)
    if threaded:
        raise UserError(f"Dask workers {', '.join(threaded)} run several threads; start each with "
                        "`dask worker SCHEDULER --nthreads 1` (add --nworkers N for N runs at once)")


def _run_pending(client: Client, pending: list[RunSpec], cache: RunCache, data_dir: Path,
                 rows: dict) -> None:
    """Submit every pending run, then cache each one as it finishes, in whatever order."""
    data_dir = _as_sent_to_workers(data_dir)
    futures: dict[Future, RunSpec] = {}
    for number, spec in enumerate(pending, start=1):
        print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
        futures[client.submit(execute_on_worker, spec, data_dir, key=task_key(spec))] = spec
    # Leaving the client, however it happens, releases the futures: queued runs are dropped.
    try:
        for number, future in enumerate(as_completed(futures, loop=client.loop), start=1):
            spec = futures[future]
            rows[spec] = _store(future, spec, cache)
            print(f"[done {number}/{len(pending)}] {spec.describe()}: {_summary(rows[spec])}",
                  flush=True)
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


def _as_sent_to_workers(data_dir: Path) -> Path:
    """The data folder, relative to the project when it lies inside it: a worker whose checkout
    sits elsewhere then reads (or fetches into) its own copy. Any other folder is sent as is."""
    absolute = Path(data_dir).resolve()
    return absolute.relative_to(PROJECT_ROOT) if absolute.is_relative_to(PROJECT_ROOT) else absolute


def execute_on_worker(spec: RunSpec, data_dir: Path) -> tuple[dict, dict]:
    """``execute`` on a worker, with a project-relative data folder placed in its own checkout."""
    return execute(spec, PROJECT_ROOT / data_dir)
