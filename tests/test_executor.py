"""The executor on its process pool and on real Dask clusters of two worker processes on
loopback: the rows of a plain call, Dask left unimported by the pool, the cache consulted before
anything is submitted, and a worker killed mid-run losing nothing."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import distributed
import psutil
import pytest

from mlhistory.errors import RunFailed
from mlhistory.paths import PROJECT_ROOT
from mlhistory.results.integrity import ARTIFACTS_DIGEST
from mlhistory.running import executor
from mlhistory.running.cache import RunCache
from mlhistory.running.cluster import data_dir_for_workers, local_cluster, task_key
from mlhistory.running.execute import execute
from mlhistory.running.spec import RunSpec

# What the machine measures rather than what the model computes: no two runs agree on them.
MEASURED = ("fit_seconds", "predict_seconds", "peak_rss_mb")
QUICK_SPECS = [RunSpec.create("digits", model, seed=0, n_train=300, data_digest="d")
               for model in ("gaussian_nb", "logreg", "bernoulli_nb")]
# Seconds of fitting on two cores: time enough to kill its worker while it runs.
SLOW_SPEC = RunSpec.create("digits", "random_forest", seed=0, params={"n_estimators": 1000},
                           data_digest="d")


@pytest.fixture(scope="module")
def cluster():
    """An existing cluster, as `dask scheduler` and `dask worker` make one, shared by the tests."""
    with local_cluster(2) as cluster:
        yield cluster


@pytest.fixture
def client(cluster):
    """The test's own view of the cluster, to find and kill workers."""
    with distributed.Client(cluster, set_as_default=False) as client:
        client.wait_for_workers(2)  # a worker killed by an earlier test is restarted by its nanny
        yield client


def without_measurements(row: dict) -> dict:
    return {column: value for column, value in row.items() if column not in MEASURED}


def kill_worker_running(client, spec: RunSpec, after: Path | None = None, timeout: float = 120) -> int:
    """Once ``after`` exists (when given), SIGKILL the worker process running ``spec``, as the
    kernel's out-of-memory killer would; return its PID."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if after is None or after.exists():
            for address, keys in client.processing().items():
                if task_key(spec) in keys:
                    pid = client.run(os.getpid, workers=[address])[address]
                    os.kill(pid, signal.SIGKILL)
                    return pid
        time.sleep(0.05)
    raise AssertionError(f"{spec.describe()} never ran")


# Either way two worker interpreters start, each importing the project and scikit-learn.
@pytest.mark.parametrize("scheduler", [pytest.param(None, marks=pytest.mark.slow),
                                       pytest.param("local", marks=pytest.mark.cluster)])
def test_rows_are_those_of_a_plain_call(tmp_path, scheduler):
    """The process pool, and a Dask cluster started and closed by run_all, change no row."""
    rows = executor.run_all(QUICK_SPECS, RunCache(tmp_path / "cache"), tmp_path / "data", jobs=2,
                            scheduler=scheduler)
    expected = [execute(spec, tmp_path / "data")[0] for spec in QUICK_SPECS]
    # What the run computed, less the digest of its artifacts that the cache adds to the row.
    assert all(row.pop(ARTIFACTS_DIGEST) for row in rows)
    assert [without_measurements(row) for row in rows] == [without_measurements(row) for row in expected]


@pytest.mark.slow  # a fresh interpreter that starts a pool worker of its own
def test_the_process_pool_never_imports_dask(tmp_path):
    """Dask is imported where a cluster is asked for, not by the executor nor by a run on the
    pool; the probe runs in a fresh interpreter, where nothing else has imported it."""
    probe = textwrap.dedent(f"""
        import sys
        from mlhistory.running import executor
        from mlhistory.running.cache import RunCache
        from mlhistory.running.spec import RunSpec

        spec = RunSpec.create("digits", "gaussian_nb", seed=0, n_train=300, data_digest="d")
        root = {str(tmp_path)!r}
        [row] = executor.run_all([spec], RunCache(root + "/cache"), root + "/data", jobs=1)
        assert row["model"] == "gaussian_nb", row
        print(sorted(name for name in sys.modules
                     if name.split(".")[0] in ("dask", "distributed")
                     or name == "mlhistory.running.cluster"))
        """)
    completed = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                               cwd=PROJECT_ROOT, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip().splitlines()[-1] == "[]"


def test_workers_find_the_data_folder_in_their_own_checkout():
    assert data_dir_for_workers(PROJECT_ROOT / "data") == Path("data")
    assert data_dir_for_workers(Path("/srv/shared/data")) == Path("/srv/shared/data")


@pytest.mark.cluster
def test_a_cached_run_is_never_submitted(tmp_path, cluster, monkeypatch):
    cache = RunCache(tmp_path / "cache")
    first = executor.run_all(QUICK_SPECS[:2], cache, tmp_path, scheduler=cluster.scheduler_address)
    submitted = []
    submit = distributed.Client.submit

    def recording_submit(self, function, spec, *arguments, **keywords):
        submitted.append(spec)
        return submit(self, function, spec, *arguments, **keywords)

    monkeypatch.setattr(distributed.Client, "submit", recording_submit)
    rows = executor.run_all(QUICK_SPECS, cache, tmp_path, scheduler=cluster.scheduler_address)
    assert submitted == [QUICK_SPECS[2]] and rows[:2] == first
    # Everything cached: no cluster is even reached (nothing listens on this port).
    assert executor.run_all(QUICK_SPECS, cache, tmp_path, scheduler="tcp://127.0.0.1:9") == rows


@pytest.mark.cluster
def test_a_worker_killed_mid_run_loses_nothing(tmp_path, cluster, client):
    cache = RunCache(tmp_path / "cache")
    specs = [SLOW_SPEC, *QUICK_SPECS]
    with ThreadPoolExecutor(max_workers=1) as killer:
        killed = killer.submit(kill_worker_running, client, SLOW_SPEC)
        rows = executor.run_all(specs, cache, tmp_path, scheduler=cluster.scheduler_address)
        killed.result()
    # The killed run was retried on another worker: every row is there, in the order asked.
    assert [row["run_key"] for row in rows] == [spec.key for spec in specs]
    assert rows == [cache.get(spec) for spec in specs]
    assert not list(cache.root.rglob("*.tmp"))


@pytest.mark.cluster
def test_a_run_that_keeps_killing_workers_stops_the_experiment(tmp_path, cluster, client, monkeypatch):
    monkeypatch.setattr(cluster.scheduler, "allowed_failures", 0)  # the first death is one too many
    cache = RunCache(tmp_path / "cache")
    quick = QUICK_SPECS[0]
    with ThreadPoolExecutor(max_workers=1) as killer:
        # Killed once the quick run has finished on the other worker.
        killed = killer.submit(kill_worker_running, client, SLOW_SPEC, after=cache.row_path(quick))
        with pytest.raises(RunFailed, match=re.escape(SLOW_SPEC.describe())):
            executor.run_all([SLOW_SPEC, quick], cache, tmp_path, scheduler=cluster.scheduler_address)
        killed.result()
    assert cache.get(quick) is not None and cache.get(SLOW_SPEC) is None
    assert not list(cache.root.rglob("*.tmp"))


def pool_workers(process: psutil.Process, besides=frozenset()) -> list[psutil.Process]:
    """The worker processes a process pool of ``process`` has spawned (not Dask's, not its
    resource tracker)."""
    found = []
    for child in process.children():
        try:
            if child.pid not in besides and "spawn_main" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.NoSuchProcess:
            pass
    return found


def gone(process: psutil.Process) -> bool:
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def wait_for(condition, what: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what} never happened"
        time.sleep(0.05)


@pytest.mark.slow  # starts pool workers and kills one
def test_a_pool_worker_killed_mid_run_names_the_run_and_memory_and_keeps_finished_runs(tmp_path):
    """SIGKILL, as the kernel's out-of-memory killer sends it, to the worker of the process pool."""
    cache, quick = RunCache(tmp_path / "cache"), QUICK_SPECS[0]
    here = psutil.Process()
    besides = {child.pid for child in here.children()}

    def kill_once_the_quick_run_is_cached() -> list[psutil.Process]:
        wait_for(lambda: cache.row_path(quick).exists() and pool_workers(here, besides),
                 "the quick run")
        workers = pool_workers(here, besides)
        for worker in workers:
            worker.kill()
        return workers

    with ThreadPoolExecutor(max_workers=1) as killer:
        killed = killer.submit(kill_once_the_quick_run_is_cached)
        with pytest.raises(RunFailed) as raised:
            executor.run_all([quick, SLOW_SPEC], cache, tmp_path)
        workers = killed.result()
    assert str(raised.value) == (f"the worker process running {SLOW_SPEC.describe()} died, most "
                                 "likely killed for want of memory (try --jobs 1, or free "
                                 "memory); the runs that finished are cached")
    assert cache.get(quick) is not None and cache.get(SLOW_SPEC) is None
    assert all(gone(worker) for worker in workers)


@pytest.mark.slow  # a subprocess run with pool workers, stopped by a signal
@pytest.mark.parametrize("signum, status", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_stops_the_workers_keeps_finished_runs_and_exits_with_its_status(tmp_path, signum,
                                                                                  status):
    command = [sys.executable, "-m", "mlhistory", "run", "--model", "random_forest", "--params",
               '{"n_estimators": 1000}', "--dataset", "digits", "--seeds", "0", "1", "2",
               "--results-dir", str(tmp_path)]
    # Started as from a terminal, with Ctrl-C's default action: a test worker of pytest-xdist
    # ignores SIGINT, and a child inherits that (Python then never raises KeyboardInterrupt).
    main = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    cached = tmp_path / "cache" / "digits"
    try:
        wait_for(lambda: main.poll() is not None or list(cached.glob("*.json")), "a finished run")
        assert main.poll() is None, main.communicate()
        workers = pool_workers(psutil.Process(main.pid))
        assert workers  # the next run is being fitted
        main.send_signal(signum)
        stdout, stderr = main.communicate(timeout=60)
    finally:
        if main.poll() is None:
            main.kill()
    assert main.returncode == status
    assert stderr == (f"interrupted by {signal.Signals(signum).name}: workers stopped, every "
                      "finished run is cached, no results folder was half-written\n")
    assert all(gone(worker) for worker in workers)
    finished = stdout.count("[done ")
    assert 1 <= finished < 3 and len(list(cached.glob("*.json"))) == finished
    assert not list(cached.glob(".*.tmp"))


@pytest.mark.slow  # starts pool workers
def test_the_calls_on_one_worker_pool_share_its_workers_which_end_with_it(tmp_path):
    here = psutil.Process()
    besides = {child.pid for child in here.children()}
    cache = RunCache(tmp_path / "cache")
    with executor.WorkerPool(jobs=1) as pool:
        first = executor.run_all(QUICK_SPECS[:1], cache, tmp_path, pool=pool)
        started = {worker.pid for worker in pool_workers(here, besides)}
        second = executor.run_all(QUICK_SPECS[1:], cache, tmp_path, pool=pool)
        assert len(started) == 1 and {worker.pid for worker in pool_workers(here, besides)} == started
    wait_for(lambda: not pool_workers(here, besides), "the pool's workers' end")
    alone = [execute(spec, tmp_path)[0] for spec in QUICK_SPECS]
    assert [without_measurements(row) for row in first + second] == \
        [without_measurements({**row, ARTIFACTS_DIGEST: saved[ARTIFACTS_DIGEST]})
         for row, saved in zip(alone, first + second, strict=True)]


@pytest.mark.slow  # starts a pool worker
def test_a_worker_pool_stopped_by_a_failed_call_refuses_the_next(tmp_path):
    cache = RunCache(tmp_path / "cache")
    broken = RunSpec.create("digits", "gaussian_nb", seed=0, n_train=300, data_digest="d",
                            params={"var_smoothing": -1.0})  # refused by the fit
    with executor.WorkerPool(jobs=1) as pool:
        with pytest.raises(ValueError, match="var_smoothing"):  # scikit-learn's, from the worker
            executor.run_all([broken], cache, tmp_path, pool=pool)
        with pytest.raises(RuntimeError, match="stopped"):
            executor.run_all(QUICK_SPECS[:1], cache, tmp_path, pool=pool)
