"""The runner: cache keys, cache hits without refits, atomic writes, and the results schema."""

import json
import os

import numpy as np
import pytest

from mlhistory import atomic, models
from mlhistory.errors import DamagedResults, UsageError
from mlhistory.results import COLUMNS, read_rows, write_rows
from mlhistory.running import executor, threads
from mlhistory.running.cache import RunCache
from mlhistory.running.execute import execute
from mlhistory.running.spec import RunSpec, with_data_digest


def _spec(**changes):
    arguments = {"dataset": "digits", "model": "gaussian_nb", "seed": 0, "n_train": 300,
                 "data_digest": "digits-digest"}
    arguments.update(changes)
    return RunSpec.create(**arguments)


def test_cache_key_follows_every_part_of_the_spec(monkeypatch):
    base = _spec()
    base_key = base.key
    assert base_key == _spec().key
    variants = [_spec(seed=1), _spec(n_train=400), _spec(model="bernoulli_nb"),
                _spec(params={"var_smoothing": 1e-3}), _spec(dataset="fashion_mnist")]
    assert len({base_key, *(variant.key for variant in variants)}) == 1 + len(variants)
    # A new code version of the model invalidates its cached runs.
    entry = models.get("gaussian_nb")
    monkeypatch.setitem(models.REGISTRY, "gaussian_nb",
                        models.ModelEntry(**{**entry.__dict__, "version": entry.version + 1}))
    assert _spec().key != base_key


def test_other_data_under_the_same_name_is_another_run():
    """A re-split or a damaged copy given with --data-dir decodes to other arrays: its digest,
    and so its key, differ, and no run cached on the first copy is served for it."""
    spec = _spec()
    assert _spec(data_digest="another-copy").key != spec.key
    # The key of what the run is, then the data: so cached runs could be re-keyed, not recomputed.
    assert spec.key == with_data_digest(_identity_key(spec), "digits-digest")


def _identity_key(spec):
    import hashlib
    import json
    from dataclasses import asdict

    identity = {**asdict(spec), "params": spec.params_dict, "model_version": 1}
    del identity["data_digest"], identity["classes"], identity["evaluation"]  # unset: not in keys
    return hashlib.sha256(json.dumps(identity, sort_keys=True, default=str).encode()).hexdigest()[:20]


@pytest.mark.parametrize("n_train, message", [(5, "below the number of classes"),
                                              (10**6, "larger than")])
def test_impossible_sizes_fail_before_any_work(n_train, message):
    with pytest.raises(UsageError, match=message):
        _spec(n_train=n_train)


def test_second_run_is_served_from_the_cache_without_refitting(tmp_path, monkeypatch):
    cache = RunCache(tmp_path / "cache")
    specs = [_spec(), _spec(model="bernoulli_nb")]
    first = executor.run_all(specs, cache, tmp_path / "data")
    assert cache.row_path(specs[0]).exists() and cache.artifacts_path(specs[0]).exists()

    def no_refit(*arguments, **keywords):
        raise AssertionError("a cached run was fitted again")

    monkeypatch.setattr(executor, "ProcessPoolExecutor", no_refit)
    assert executor.run_all(specs, cache, tmp_path / "data") == first


def test_a_row_carries_the_schema_and_real_measurements(tmp_path):
    row, artifacts = execute(_spec(model="logreg"), tmp_path)
    # Every column but the experiment's, and the threads it computed on (kept in the run
    # cache's row only: no column of runs.csv).
    assert set(row) == set(COLUMNS) - {"experiment"} | {"threads"}
    assert row["threads"] == threads.record()
    assert row["n_train"] == 300 and row["n_test"] == 450
    assert 0.8 < row["accuracy"] <= 1 and 0 < row["macro_f1"] <= 1
    assert row["fit_seconds"] > 0 and row["peak_rss_mb"] > 10
    assert artifacts["coef"].shape == (10, 64) and row["features"] == "pixels"
    assert artifacts["confusion"].sum() == 450
    assert np.mean(artifacts["predictions"]) >= 0


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    path = tmp_path / "runs.csv"
    write_rows(path, [{"model": "old", "accuracy": 0.5}])
    before = path.read_text()

    class Unprintable(float):
        def __format__(self, spec):
            raise RuntimeError("killed mid-write")

    with pytest.raises(RuntimeError):
        write_rows(path, [{"model": "new", "accuracy": Unprintable(0.9)}])
    assert path.read_text() == before
    assert os.listdir(tmp_path) == ["runs.csv"]
    assert read_rows(path)[0]["model"] == "old"


def test_interrupted_writer_leaves_old_json_intact(tmp_path, monkeypatch):
    path = tmp_path / "row.json"
    atomic.write_json(path, {"accuracy": 0.5})

    def interrupted(descriptor):
        # Ctrl-C once the new contents are written out, before they replace the old file.
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_json(path, {"accuracy": 0.9})
    assert json.loads(path.read_text()) == {"accuracy": 0.5}
    assert os.listdir(tmp_path) == ["row.json"]


def test_a_run_on_a_class_view_offers_the_whole_dataset_for_a_source_task(tmp_path, monkeypatch):
    """A transfer model trains on classes 5-9 but pretrains on classes 0-4 of the same dataset:
    the context must hold every class, not the view's renumbered five."""
    seen = {}

    class Recorder:
        excluded_seconds, n_params, size_bytes = 0.0, None, 1

        def fit(self, x, y, context):
            seen["context"] = context

        def predict(self, x):
            return np.zeros(len(x), dtype=np.int64)

        def artifacts(self, x_test, y_test):
            return {}

    monkeypatch.setattr(models, "build_estimator", lambda *arguments: Recorder())
    spec = RunSpec.create("digits", "transfer_convnet", seed=0, classes=(5, 6, 7, 8, 9),
                          data_digest="d")
    row, _ = execute(spec, tmp_path)
    assert row["dataset"] == "digits[5,6,7,8,9]"
    assert seen["context"].dataset.info.n_classes == 10
    assert len(seen["context"].dataset.y_train) == 1347


def _truncate(path, keep=100):
    path.write_bytes(path.read_bytes()[:keep])


def _rewrite_row(cache, spec, **changes):
    row = {**json.loads(cache.row_path(spec).read_text()), **changes}
    cache.row_path(spec).write_text(json.dumps({key: value for key, value in row.items()
                                                if value is not None}))


@pytest.mark.parametrize("damage, fragment", [
    (lambda cache, spec: _truncate(cache.artifacts_path(spec)), ".npz does not match the SHA-256"),
    (lambda cache, spec: cache.artifacts_path(spec).write_bytes(b""), ".npz does not match"),
    (lambda cache, spec: cache.artifacts_path(spec).unlink(), ".npz is missing"),
    (lambda cache, spec: cache.row_path(spec).write_text(""), ".json is empty"),
    (lambda cache, spec: _truncate(cache.row_path(spec), 40), ".json is truncated or not JSON"),
    (lambda cache, spec: _rewrite_row(cache, spec, accuracy=float("nan")), "accuracy is nan"),
    (lambda cache, spec: _rewrite_row(cache, spec, macro_f1="0.9"), "macro_f1 is '0.9'"),
    (lambda cache, spec: _rewrite_row(cache, spec, artifacts_sha256=None), "records no digest"),
])
def test_a_damaged_cache_entry_is_named_in_one_line_and_never_served(tmp_path, monkeypatch,
                                                                     damage, fragment):
    cache, spec = RunCache(tmp_path / "cache"), _spec()
    stored = cache.put(spec, {"accuracy": 0.8, "macro_f1": 0.79, "run_key": spec.key},
                       {"predictions": np.zeros(450, dtype=np.int16)})
    assert cache.get(spec) == stored
    damage(cache, spec)

    def no_rerun(*arguments, **keywords):
        raise AssertionError("a damaged entry was silently recomputed")

    monkeypatch.setattr(executor, "ProcessPoolExecutor", no_rerun)
    with pytest.raises(DamagedResults) as raised:
        executor.run_all([spec], cache, tmp_path / "data")
    message = str(raised.value)
    assert "\n" not in message and fragment in message and spec.key in message
    assert message.endswith("and rerun: the cache then recomputes only that run")
