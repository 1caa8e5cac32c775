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

The Dask side lives in ``cluster.py``, imported only when a cluster is asked for: Dask and
``distributed`` are large imports that start threads of their own, and a run on the pool (the
default, the tests, the reference results) has no use for them.
"""

import multiprocessing
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from ..errors import RunFailed
from ..paths import default_results_dir, run_cache_root
from . import threads
from .cache import RunCache
from .execute import execute, row_summary
from .progress import CostBook, Progress
from .spec import RunSpec
from .threads import ThreadSettings

# ``--scheduler local``: a Dask cluster started here for the experiment (see cluster.py).
LOCAL_SCHEDULER = "local"
# How long a terminated worker may take to exit before it is killed.
WORKER_STOP_SECONDS = 10


class WorkerPool:
    """``jobs`` worker processes here, for one ``run_all`` or for several in turn.

    ``run_all`` makes one for its runs when given none. A caller that runs batch after batch
    (the search, rung by rung) opens one and passes it to each call, so its workers start, and
    import their libraries, once rather than per batch. Whatever stops a call (a failed run, a
    dead worker, Ctrl-C, SIGTERM) terminates the workers and closes the pool for good; leaving
    the ``with`` block closes it too, so no worker outlives it.
    """

    def __init__(self, jobs: int, thread_settings: ThreadSettings | None = None) -> None:
        self.jobs = jobs
        self.thread_settings = thread_settings or threads.layout()
        # Processes, not threads: a crash or a leak stays in its worker, and the main process
        # never imports TensorFlow. "spawn" gives each worker a clean interpreter.
        self._executor = ProcessPoolExecutor(
            max_workers=jobs, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(self.thread_settings,))
        self._workers: set = set()
        self.closed = False

    def start(self, preparation: Callable) -> None:
        """Start every worker now rather than at the first runs, each given ``preparation`` (an
        import, say) to do while the caller gets the runs ready."""
        for _ in range(self.jobs):
            self.submit(preparation)

    def submit_all(self, pending: list[RunSpec], data_dir: Path) -> dict:
        """Submit every run, in order; the futures by spec. Fewer runs than workers in a pool
        laid out side by side (one thread each) share out the idle workers' cores: a lone run
        computes on two threads rather than one beside an idle worker (``threads.widened``)."""
        settings = threads.widened(self.thread_settings, self.jobs // max(1, len(pending)))
        widened = None if settings == self.thread_settings else settings
        return {spec: self.submit(execute, spec, data_dir, widened) for spec in pending}

    def submit(self, function: Callable, *arguments) -> Future:
        """``function(*arguments)`` on a worker, after what was submitted before; its future."""
        if self.closed:
            raise RuntimeError("this worker pool was stopped; open another")
        others = set(multiprocessing.active_children())
        future = self._executor.submit(function, *arguments)
        # The pool starts its workers as work is submitted, and never replaces one.
        self._workers |= set(multiprocessing.active_children()) - others
        return future

    def stop(self) -> None:
        """Drop the queued runs and terminate the workers, waiting for each, so none outlives
        the run."""
        self.closed = True
        self._executor.shutdown(wait=False, cancel_futures=True)
        for worker in self._workers:
            worker.terminate()
        for worker in self._workers:
            worker.join(WORKER_STOP_SECONDS)
            if worker.is_alive():
                worker.kill()
                worker.join()

    def close(self) -> None:
        self.closed = True
        self._executor.shutdown(cancel_futures=True)

    def __enter__(self) -> "WorkerPool":
        return self

    def __exit__(self, *exception) -> None:
        self.close()


def run_all(specs: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int = 1,
            scheduler: str | None = None, thread_settings: ThreadSettings | None = None,
            longest_first: bool | None = None, pool: WorkerPool | None = None) -> list[dict]:
    """Rows for every spec, in order: cached ones are read, the rest run as independent jobs.

    ``scheduler`` is None (a pool of ``jobs`` processes here), the address of an existing Dask
    cluster (``tcp://HOST:8786``), or ``local`` (a Dask cluster of ``jobs`` processes here,
    closed however the call ends). Every worker computes with ``thread_settings`` (threads.py;
    by default the layout ``$MLHISTORY_THREADS`` names), applied in this process first so the
    workers inherit them as they start. ``longest_first`` (by default, on more than one job)
    submits the runs the run cache's costs say are longest first; otherwise in order. ``pool``,
    an open ``WorkerPool``, runs them on its workers (its jobs and threads) instead of a pool
    made for this call.
    """
    if pool is not None:
        jobs, thread_settings = pool.jobs, pool.thread_settings
    thread_settings = thread_settings or threads.layout()
    rows: dict[RunSpec, dict] = {}
    pending = []
    for spec in dict.fromkeys(specs):
        cached = cache.get(spec)
        if cached is None:
            pending.append(spec)
        else:
            rows[spec] = cached
            print(f"[cached] {spec.describe()}: {row_summary(cached)}", flush=True)
    if not pending:
        return [rows[spec] for spec in specs]
    threads.use(thread_settings)
    book = CostBook(list(dict.fromkeys([cache.root, run_cache_root(default_results_dir(False))])))
    estimates = {spec: book.estimate(spec) for spec in pending}
    if jobs > 1 if longest_first is None else longest_first:
        # As the run cache's recorded costs estimate them (progress.py): the workers then end
        # together, rather than one of them on a long run alone.
        pending.sort(key=lambda spec: -estimates[spec])
    progress = Progress(estimates, cached=len(rows), workers=jobs)
    if pool is not None:
        _run_in_processes(pending, cache, data_dir, rows, pool, progress)
    elif scheduler is None:
        with WorkerPool(jobs, thread_settings) as own_pool:
            _run_in_processes(pending, cache, data_dir, rows, own_pool, progress)
    else:
        from .cluster import connect, run_pending

        with connect(None if scheduler == LOCAL_SCHEDULER else scheduler, jobs,
                     thread_settings) as client:
            run_pending(client, pending, cache, data_dir, rows, progress)
    return [rows[spec] for spec in specs]


def _run_in_processes(pending: list[RunSpec], cache: RunCache, data_dir: Path, rows: dict,
                      pool: WorkerPool, progress: Progress) -> None:
    """Run on a pool of worker processes here, caching each run in the order submitted."""
    futures = pool.submit_all(pending, data_dir)
    try:
        for number, (spec, future) in enumerate(futures.items(), start=1):
            print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
            try:
                row, artifacts = future.result()
            except BrokenProcessPool as error:
                # The pool runs in the order submitted: the first unfinished runs were running.
                running = [other.describe() for other in futures if other not in rows][:pool.jobs]
                raise RunFailed(f"the worker process running {' or '.join(running)} died, most "
                                "likely killed for want of memory (try --jobs 1, or free memory); "
                                "the runs that finished are cached") from error
            rows[spec] = cache.put(spec, row, artifacts)
            print(f"[done {number}/{len(pending)}] {spec.describe()}: {row_summary(row)}; "
                  f"{progress.finished(spec, row)}", flush=True)
    except BaseException:
        # A failed run, a dead worker, Ctrl-C or SIGTERM: queued runs are dropped, running ones
        # stopped (their workers would otherwise finish them as orphans), finished ones cached.
        pool.stop()
        for spec, future in futures.items():
            if spec not in rows and future.done() and not future.cancelled() \
                    and future.exception() is None:
                rows[spec] = cache.put(spec, *future.result())
        raise


def _start_worker(thread_settings: ThreadSettings) -> None:
    """A pool worker's setup: its threads (as a Dask worker's, threads.py), and Ctrl-C left to
    the main process. Ctrl-C reaches every process of the terminal: the main process alone
    handles it, so the workers do not each print a traceback, and it stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threads.start_worker(thread_settings)
