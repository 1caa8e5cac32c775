"""Threads and bins in one place (running/threads.py): the layouts, what they set in a process
and in every worker, what a run records of them, and the bins that enter a run's params only
when declared."""

import json
import subprocess
import sys
import textwrap

import pytest

from mlhistory.errors import UsageError
from mlhistory.paths import PROJECT_ROOT
from mlhistory.running import threads
from mlhistory.running.cli import config_from, experiment_parser
from mlhistory.running.experiment import Run


def test_one_run_alone_takes_one_blas_and_inter_op_thread_and_two_side_by_side_one_of_each():
    assert threads.LAYOUTS["alone"].environment() == {"OPENBLAS_NUM_THREADS": "1",
                                                      "MKL_NUM_THREADS": "1",
                                                      "TF_NUM_INTEROP_THREADS": "1"}
    assert threads.LAYOUTS["alone"].booster_n_jobs == -1
    assert threads.LAYOUTS["side_by_side"].environment() == {
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "LOKY_MAX_CPU_COUNT": "1", "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    two = threads.LAYOUTS["alone"].with_threads(2)
    assert two.environment()["OMP_NUM_THREADS"] == "2" and two.booster_n_jobs == 2


def test_the_layout_comes_from_the_option_then_the_environment(monkeypatch):
    monkeypatch.delenv(threads.THREADS_ENV, raising=False)
    assert threads.layout().layout == "alone"
    monkeypatch.setenv(threads.THREADS_ENV, "side_by_side")
    assert threads.layout().layout == "side_by_side"
    assert threads.layout("alone").layout == "alone"
    arguments = experiment_parser("").parse_args(["--dataset", "digits"])
    assert config_from(arguments, []).threads == "side_by_side"
    monkeypatch.setenv(threads.THREADS_ENV, "sideways")
    with pytest.raises(UsageError, match="unknown thread layout 'sideways'"):
        threads.layout()


def _in_a_fresh_interpreter(code: str) -> dict:
    completed = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                               text=True, cwd=PROJECT_ROOT, timeout=300,
                               env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(PROJECT_ROOT)})
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.slow  # a fresh interpreter that starts a pool worker of its own
def test_every_pool_worker_computes_with_the_layout_and_its_run_records_it(tmp_path):
    found = _in_a_fresh_interpreter(f"""
        import json
        from mlhistory.running import executor, threads
        from mlhistory.running.cache import RunCache
        from mlhistory.running.spec import RunSpec

        spec = RunSpec.create("digits", "gaussian_nb", seed=0, n_train=300, data_digest="d")
        root = {str(tmp_path)!r}
        settings = threads.LAYOUTS["side_by_side"]
        [row] = executor.run_all([spec], RunCache(root + "/cache"), root + "/data", jobs=1,
                                 thread_settings=settings)
        print(json.dumps(row["threads"]))
        """)
    assert found["layout"] == "side_by_side" and found["openmp"] == 1
    assert found["environment"]["OMP_NUM_THREADS"] == "1"
    assert found["environment"]["TF_NUM_INTRAOP_THREADS"] == "1"


def test_a_lone_run_in_a_side_by_side_pool_takes_the_idle_workers_cores_but_not_tensorflow_s():
    side_by_side = threads.LAYOUTS["side_by_side"]
    widened = threads.widened(side_by_side, 2)
    assert (widened.openmp, widened.joblib, widened.booster_n_jobs, widened.onedal) == (2, 2, 2, 2)
    assert widened.blas == 1  # one run alone is faster on one BLAS thread (the bench rows)
    assert (widened.tf_intra, widened.tf_inter) == (1, 1)  # fixed once TensorFlow has started
    assert widened.layout == "alone on 2 cores of a side_by_side pool"
    assert threads.widened(side_by_side, 1) is side_by_side
    assert threads.widened(threads.LAYOUTS["alone"], 2) is threads.LAYOUTS["alone"]


@pytest.mark.slow  # a fresh interpreter that starts two pool workers
def test_a_pool_widens_a_lone_run_only_and_each_worker_goes_back_to_its_layout(tmp_path):
    found = _in_a_fresh_interpreter(f"""
        import json
        from mlhistory.running import executor, threads
        from mlhistory.running.cache import RunCache
        from mlhistory.running.spec import RunSpec

        def spec(seed):
            return RunSpec.create("digits", "gaussian_nb", seed=seed, n_train=300, data_digest="d")
        root = {str(tmp_path)!r}
        cache = RunCache(root + "/cache")
        with executor.WorkerPool(2, threads.LAYOUTS["side_by_side"]) as pool:
            [lone] = executor.run_all([spec(0)], cache, root + "/data", pool=pool)
            pair = executor.run_all([spec(1), spec(2)], cache, root + "/data", pool=pool)
        print(json.dumps([row["threads"] for row in [lone, *pair]]))
        """)
    lone, *pair = found
    assert lone["layout"] == "alone on 2 cores of a side_by_side pool" and lone["openmp"] == 2
    assert lone["environment"]["OMP_NUM_THREADS"] == "2"
    assert [row["layout"] for row in pair] == ["side_by_side", "side_by_side"]
    assert [row["environment"]["OMP_NUM_THREADS"] for row in pair] == ["1", "1"]


@pytest.mark.slow  # a fresh interpreter importing scikit-learn and the boosters
def test_using_a_layout_caps_the_libraries_loaded_already_and_the_boosters():
    found = _in_a_fresh_interpreter("""
        import json
        import numpy, sklearn.ensemble, xgboost
        from threadpoolctl import threadpool_info
        from mlhistory import models
        from mlhistory.data import dataset_info
        from mlhistory.models.builders import LIBRARY_THREADS
        from mlhistory.running import threads

        threads.use(threads.LAYOUTS["side_by_side"].with_threads(1, "one"))
        booster = models.build("xgboost", dataset_info("digits"), 0, models.resolve_params("xgboost"))
        print(json.dumps({"pools": sorted({info["num_threads"] for info in threadpool_info()}),
                          "n_jobs": booster[-1].n_jobs, "onedal": LIBRARY_THREADS["onedal"]}))
        """)
    assert found == {"pools": [1], "n_jobs": 1, "onedal": 1}


def test_a_run_records_the_settings_it_was_given_and_the_variables_as_they_were(monkeypatch):
    monkeypatch.setattr(threads, "_current", threads.LAYOUTS["side_by_side"])
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.delenv("OMP_WAIT_POLICY", raising=False)
    recorded = threads.record()
    assert recorded["layout"] == "side_by_side" and recorded["tf_inter"] == 1
    assert recorded["environment"]["OMP_NUM_THREADS"] == "1"
    assert "OMP_WAIT_POLICY" not in recorded["environment"]


def test_declared_bins_enter_a_booster_run_s_params_and_key_only_when_set(monkeypatch):
    # A full-size run: under --quick XGBoost bins more coarsely anyway (its quick_params).
    config = config_from(experiment_parser("").parse_args(["--dataset", "digits"]), [])
    digests = {"digits": "d"}
    default = Run("xgboost").specs(config, digests)
    assert "max_bin" not in default[0].params_dict
    monkeypatch.setitem(threads.BOOSTER_MAX_BIN, "xgboost", 64)
    binned = Run("xgboost").specs(config, digests)
    assert binned[0].params_dict["max_bin"] == 64 and binned[0].key != default[0].key
    assert Run("lightgbm").specs(config, digests)[0].params_dict.get("max_bin") is None


@pytest.mark.cluster
def test_every_dask_worker_is_set_up_as_a_pool_worker(monkeypatch):
    from mlhistory.running import cluster

    given = []
    monkeypatch.setattr(threads, "start_worker", given.append)
    cluster.ThreadsSetup(threads.LAYOUTS["side_by_side"]).setup(worker=None)
    assert given == [threads.LAYOUTS["side_by_side"]]


# Which setting of a layout each committed "1 thread against 2, alone" row decides.
ALONE_ROWS = {"XGBoost": "booster_n_jobs", "LightGBM": "booster_n_jobs",
              "HistGradientBoosting": "openmp", "oneDAL SVM": "onedal",
              "TensorFlow dense net": "tf_intra", "BLAS (logistic regression)": "blas",
              "TensorFlow inter-op": "tf_inter"}


def test_every_declared_thread_count_follows_the_committed_quiet_bench_rows():
    import csv

    from mlhistory.paths import PROJECT_ROOT

    with open(PROJECT_ROOT / "results" / "bench" / "bench.csv", newline="") as saved:
        rows = [row for row in csv.DictReader(saved) if row["part"] == "threads"]
    assert rows and not any(row["void"] for row in rows)
    alone, side_by_side = threads.LAYOUTS["alone"], threads.LAYOUTS["side_by_side"]
    for library, setting in ALONE_ROWS.items():
        [row] = [row for row in rows if row["subject"].startswith(f"{library}: 1 thread against 2")]
        one_is_faster = float(row["ratio"]) < 1
        # A setting of one thread where one thread was faster; the library's default otherwise.
        assert (getattr(alone, setting) == 1) == one_is_faster, row["subject"]
    for row in rows:
        if "side by side on 1 thread each" in row["subject"]:
            assert float(row["ratio"]) < 1, row["subject"]
    assert {side_by_side.blas, side_by_side.openmp, side_by_side.onedal, side_by_side.tf_intra,
            side_by_side.tf_inter, side_by_side.joblib} == {1}
