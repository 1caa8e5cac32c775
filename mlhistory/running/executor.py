"""The one executor: every run an experiment needs, as independent jobs.

Cached runs are read; the rest are dispatched to worker processes and each finished run is
written to the cache as soon as it arrives, so an interrupted experiment loses nothing done.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .cache import RunCache
from .execute import execute
from .spec import RunSpec


def _summary(row: dict) -> str:
    return (f"accuracy={row['accuracy']:.4f} macro_f1={row['macro_f1']:.4f} "
            f"fit={row['fit_seconds']:.1f}s predict={row['predict_seconds']:.2f}s "
            f"peak_rss={row['peak_rss_mb']:.0f}MB")


def run_all(specs: list[RunSpec], cache: RunCache, data_dir: Path, jobs: int = 1) -> list[dict]:
    """Rows for every spec, in order: cached ones are read, the rest run as independent jobs."""
    rows: dict[RunSpec, dict] = {}
    pending = []
    for spec in dict.fromkeys(specs):
        cached = cache.get(spec)
        if cached is None:
            pending.append(spec)
        else:
            rows[spec] = cached
            print(f"[cached] {spec.describe()}: {_summary(cached)}", flush=True)
    if pending:
        # Worker processes, not threads: a crash or a leak stays in its worker, and the main
        # process never imports TensorFlow. "spawn" gives each worker a clean interpreter.
        context = multiprocessing.get_context("spawn")
        executor = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
        try:
            futures = {spec: executor.submit(execute, spec, data_dir) for spec in pending}
            for number, (spec, future) in enumerate(futures.items(), start=1):
                print(f"[run {number}/{len(pending)}] {spec.describe()} ...", flush=True)
                row, artifacts = future.result()
                cache.put(spec, row, artifacts)
                rows[spec] = row
                print(f"[done {number}/{len(pending)}] {spec.describe()}: {_summary(row)}",
                      flush=True)
        finally:
            # On a failure or Ctrl-C, queued runs are dropped; finished ones stay cached.
            executor.shutdown(cancel_futures=True)
    return [rows[spec] for spec in specs]
