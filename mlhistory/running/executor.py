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

The Dask side lives in ``cluster.py``, imported only when a cluster is asked for: Dask and
``distributed`` are large imports that start threads of their own, and a run on the pool (the
default, the tests, the reference results) has no use for them.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cache import RunCache
from .execute import execute, row_summary
from .spec import RunSpec

# ``--scheduler local``: a Dask cluster started here for the experiment (see cluster.py).
LOCAL_SCHEDULER = "local"


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
            print(f"[cached] {spec.describe()}: {row_summary(cached)}", flush=True)
    if pending and scheduler is None:
        _run_in_processes(pending, cache, data_dir, jobs, rows)
    elif pending:
        from .cluster import connect, run_pending

        with connect(None if scheduler == LOCAL_SCHEDULER else scheduler, jobs) as client:
            run_pending(client, pending, cache, data_dir, rows)
    return [rows[spec] for spec in specs]


def _run_in_processes(pending: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int,
                      rows: dict) -> None:
    """Run on a pool of worker processes here, caching each run in the order submitted."""
    # Processes, not threads: a crash or a leak stays in its worker, and the main process
    # never imports TensorFlow. "spawn" gives each worker a clean interpreter.
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        futures = {spec: pool.submit(execute, spec, data_dir) for spec in pending}
        for number, (spec, future) in enumerate(futures.items(), start=1):
            print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
            row, artifacts = future.result()
            cache.put(spec, row, artifacts)
            rows[spec] = row
            print(f"[done {number}/{len(pending)}] {spec.describe()}: {row_summary(row)}", flush=True)
    finally:
        # On a failure or Ctrl-C, queued runs are dropped; finished ones stay cached.
        pool.shutdown(cancel_futures=True)
