"""What a long step says of its cost and progress: estimates from the run cache's recorded costs,
the runs done and to do with the time left, the stages an experiment's metadata records, and
every run of several experiments computed at once into the cache."""

import json

import pytest

from mlhistory.errors import UsageError
from mlhistory.running import progress
from mlhistory.running.spec import RunSpec


def _cached(root, model, dataset, n_train, fit, predict=0.0, name=None, params=None):
    folder = root / dataset.split("[")[0]
    folder.mkdir(parents=True, exist_ok=True)
    row = {"model": model, "dataset": dataset, "n_train": n_train, "fit_seconds": fit,
           "predict_seconds": predict}
    if params is not None:
        row["params"] = json.dumps(params, sort_keys=True)
    (folder / f"{name or f'{model}-{dataset}-{n_train}-{fit}-{len(str(params))}'}.json").write_text(
        json.dumps(row))


def test_a_run_s_cost_is_the_median_of_cached_runs_of_its_model_data_and_size(tmp_path):
    for fit in (1.0, 2.0, 9.0):
        _cached(tmp_path, "logreg", "digits", 300, fit, predict=0.5)
    book = progress.CostBook([tmp_path])
    spec = RunSpec.create("digits", "logreg", seed=0, n_train=300)
    assert book.estimate(spec) == 2.5


def test_without_one_of_its_size_the_nearest_is_scaled_then_other_data_then_a_default(tmp_path):
    _cached(tmp_path, "logreg", "digits", 200, 4.0)
    _cached(tmp_path, "logreg", "digits", 1000, 10.0)
    _cached(tmp_path, "xgboost", "mnist", 60_000, 600.0)
    _cached(tmp_path, "xgboost", "mnist", 1_000, -5.0)  # a cost recorded wrong says nothing
    (tmp_path / "digits" / "damaged.json").write_text("{not json")
    book = progress.CostBook([tmp_path, tmp_path / "missing"])
    assert book.estimate(RunSpec.create("digits", "logreg", seed=0, n_train=300)) == pytest.approx(6.0)
    # XGBoost on digits: only its MNIST runs, scaled by the training size (full digits: 1,347).
    assert book.estimate(RunSpec.create("digits", "xgboost", seed=0)) == pytest.approx(600 * 1347 / 60_000)
    assert book.estimate(RunSpec.create("digits", "gaussian_nb", seed=0)) == \
        progress.DEFAULT_SECONDS["shallow"]
    assert book.estimate(RunSpec.create("digits", "dense", seed=0)) == progress.DEFAULT_SECONDS["deep"]


def test_a_configuration_s_own_runs_come_first_even_at_another_size(tmp_path):
    """A search trial's next rung is the same configuration on three times the images: its cost
    is its own smaller run's, scaled, not that of the model's cheap runs at a nearer size."""
    slow = RunSpec.create("digits", "dense", seed=0, n_train=900, params={"epochs": 40})
    _cached(tmp_path, "dense", "digits", 300, 60.0, params=slow.params_dict)
    _cached(tmp_path, "dense", "digits", 800, 20.0,
            params=RunSpec.create("digits", "dense", seed=0, params={"epochs": 2}).params_dict)
    book = progress.CostBook([tmp_path])
    assert book.estimate(slow) == pytest.approx(180.0)
    # Another configuration without runs of its own: the model's nearest size, any configuration.
    other = RunSpec.create("digits", "dense", seed=0, n_train=900, params={"epochs": 3})
    assert book.estimate(other) == pytest.approx(20.0 * 900 / 800)
    # At a size where the model has runs, but none of this configuration: those runs.
    assert book.estimate(RunSpec.create("digits", "dense", seed=0, n_train=300,
                                        params={"epochs": 3})) == pytest.approx(60.0)
    # A search's last rung fits all of its validation split's training part (1,347 less 135
    # held out), and its own smaller run outranks other configurations' full-size runs.
    _cached(tmp_path, "dense", "digits", 1347, 5.0, params={"epochs": 2})
    last_rung = RunSpec.create("digits", "dense", seed=0, params={"epochs": 40},
                               evaluation="validation")
    assert progress.fitted_size(last_rung) == 1212
    assert progress.CostBook([tmp_path]).estimate(last_rung) == pytest.approx(60.0 * 1212 / 300)


def test_progress_says_what_is_done_what_is_left_and_about_how_long(capsys):
    specs = [RunSpec.create("digits", model, seed=0, n_train=300)
             for model in ("logreg", "gaussian_nb", "bernoulli_nb")]
    counter = progress.Progress(dict(zip(specs, (10.0, 20.0, 30.0), strict=True)), cached=4,
                                workers=2)
    assert capsys.readouterr().out == ("[plan] 3 runs to do, 4 from the cache; about 30 s of runs "
                                       "on 2 workers (estimated from the run cache)\n")
    # The first run took twice its estimate: what is left is taken to take longer too, at a
    # ratio between 1 and 2 while a tenth of the work (6 s) still counts as estimated right:
    # the 20 s and 30 s runs to go, each x (20 + 6) / (10 + 6), one on each worker.
    tail = counter.finished(specs[0], {"fit_seconds": 18.0, "predict_seconds": 2.0})
    assert tail.startswith("2 to do, about 49 s left (")
    counter.finished(specs[1], {"fit_seconds": 40.0, "predict_seconds": 0.0})
    assert counter.finished(specs[2], {"fit_seconds": 1.0}).startswith("all 3 done in ")


def test_a_long_run_is_never_shared_out_over_workers_it_cannot_use():
    assert progress.makespan([100.0], workers=2) == 100.0  # one run: the other worker idles
    assert progress.makespan([10.0] * 4, workers=2) == 20.0
    assert progress.makespan([30.0, 20.0, 10.0], workers=2) == 30.0  # 30 | 20 + 10
    assert progress.makespan([], workers=2) == 0.0


def test_one_first_run_far_under_its_estimate_does_not_make_the_rest_look_free(capsys):
    specs = [RunSpec.create("digits", "logreg", seed=seed, n_train=300) for seed in range(10)]
    counter = progress.Progress(dict.fromkeys(specs, 10.0), cached=0, workers=1)
    tail = counter.finished(specs[0], {"fit_seconds": 0.1})
    left = float(tail.split("about ")[1].split(" s left")[0])
    assert 40 < left < 90  # 90 s estimated to go; the ratio of that one run alone says 0.9 s
    for spec in specs[1:9]:
        tail = counter.finished(spec, {"fit_seconds": 0.1})
    assert tail.startswith("1 to do, about 1 s left")  # most of the work done: its ratio rules


def test_durations_read_as_minutes_and_seconds():
    assert progress.duration(42.4) == "42 s"
    assert progress.duration(754) == "12 min 34 s"


def test_stages_record_wall_and_cpu_seconds_in_order():
    stages = progress.Stages()
    with stages.stage("data"):
        sum(range(100_000))
    with stages.stage("fits"):
        pass
    with stages.stage("data"):  # a stage met twice adds up
        pass
    recorded = stages.record()
    assert list(recorded) == ["data", "fits"]
    assert all(set(spent) == {"wall_seconds", "cpu_seconds"} for spent in recorded.values())
    assert all(value >= 0 for spent in recorded.values() for value in spent.values())
    assert stages.summary().startswith("data ")


SCRIPT = """
from mlhistory.running.experiment import Experiment, Run

EXPERIMENT = Experiment("{name}", "A throwaway experiment", "none", "Two cheap runs.",
                        runs=(Run("gaussian_nb"), Run("{other}")))
"""


@pytest.mark.slow  # starts a pool worker
def test_the_runs_of_several_experiments_are_computed_once_into_the_cache(tmp_path, project_data,
                                                                         monkeypatch, capsys):
    from mlhistory.running import batch
    from mlhistory.running.cache import RunCache
    from mlhistory.running.cli import config_from, experiment_parser
    from mlhistory.running.experiment import plan

    scripts = tmp_path / "experiments"
    scripts.mkdir()
    for name, other in (("98_first", "bernoulli_nb"), ("99_second", "logreg")):
        (scripts / f"{name}.py").write_text(SCRIPT.format(name=name, other=other))
    monkeypatch.setattr(batch, "EXPERIMENTS_DIR", scripts)
    argv = ["--dataset", "digits", "--quick", "--results-dir", str(tmp_path / "results"),
            "--data-dir", str(project_data), "--jobs", "2"]
    config = config_from(experiment_parser("").parse_args(argv), argv)
    rows = batch.run_experiments([], config)
    found = batch.experiment_scripts()
    assert list(found) == ["98_first", "99_second"]
    wanted = [spec for path in found.values() for spec in plan(batch.load_experiment(path), config).specs]
    assert len(rows) == len(set(wanted)) == 3 < len(wanted)  # both ask for naive Bayes
    cache = RunCache(tmp_path / "results" / "cache")
    assert all(cache.get(spec) is not None for spec in wanted)
    printed = capsys.readouterr().out
    assert "[plan] 3 runs to do" in printed and "all 3 done" in printed
    assert "3 runs of 2 experiments in the run cache" in printed
    assert not (tmp_path / "results" / "digits").exists()  # only the cache was written
    with pytest.raises(UsageError, match="no experiment 97_nothing"):
        batch.run_experiments(["97_nothing"], config)

    # --write: each experiment's results from the cache, on the workers, as its script writes them.
    batch.run_experiments([], config, write=True)
    printed = capsys.readouterr().out
    assert "[plan]" not in printed  # every run came from the cache
    for name in found:
        folder = tmp_path / "results" / "digits" / name
        metadata = json.loads((folder / "metadata.json").read_text())
        assert metadata["runs"] == metadata["runs_from_cache"] == 2
        assert metadata["command"].endswith(f"experiments/{name}.py {' '.join(argv)}")
        assert len((folder / "runs.csv").read_text().splitlines()) == 1 + 2
        assert f"{name} on digits: 2 runs (2 from the cache)" in printed
    assert "3 runs of 2 experiments in the run cache, their results written" in printed


def test_the_batch_computes_the_toy_fits_ahead_only_while_the_cache_lacks_them(tmp_path):
    from mlhistory.running import batch, steps
    from mlhistory.running.cli import config_from, experiment_parser

    argv = ["--quick", "--results-dir", str(tmp_path)]
    config = config_from(experiment_parser("").parse_args(argv), argv)
    kernel_methods = batch.load_experiment(batch.experiment_scripts()["03_kernel_methods"])
    probabilistic = batch.load_experiment(batch.experiment_scripts()["01_probabilistic"])
    assert batch.work_ahead([probabilistic, kernel_methods], config) == [steps.fit_toy_boundaries]
    assert batch.work_ahead([probabilistic], config) == []
    cached = steps.toy_boundaries_cache(config)
    assert cached.parent.parent == tmp_path / "cache"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"")
    assert batch.work_ahead([kernel_methods], config) == []


def test_timed_fits_repeat_each_size_s_first_seed_record_the_load_and_are_kept_in_the_cache(
        tmp_path, project_data, monkeypatch):
    import csv

    from mlhistory.results import testing
    from mlhistory.results.schema import FIT_TIMES_COLUMNS, FIT_TIMES_FILE
    from mlhistory.running import steps
    from mlhistory.running.cli import config_from, experiment_parser

    def row(model, seed, n_train):
        return {"experiment": "00_fixture", "dataset": "digits", "model": model,
                "features": "pixels", "params": {}, "seed": seed, "n_train": n_train,
                "n_test": 450, "accuracy": 0.9, "macro_f1": 0.9, "fit_seconds": 0.1,
                "run_key": f"{model}-{seed}-{n_train}"}

    rows = [row(model, seed, size) for model in ("gaussian_nb", "bernoulli_nb")
            for size in (200, 500, 1347) for seed in (0, 1)]
    folder = tmp_path / "results" / "digits" / "00_fixture"
    testing.write_experiment(folder, testing.manifest(testing.rows_by_label(rows)), rows)
    argv = ["--dataset", "digits", "--results-dir", str(tmp_path / "results"),
            "--data-dir", str(project_data)]
    config = config_from(experiment_parser("").parse_args(argv), argv)
    step = steps.timed_fits(("gaussian_nb", "bernoulli_nb"), min_size=500, repeats=2)
    assert step.__name__ == "timed_fits"  # the stage its metadata names
    step(config, folder)
    with open(folder / FIT_TIMES_FILE, newline="") as saved:
        timed = list(csv.DictReader(saved))
    assert list(timed[0]) == FIT_TIMES_COLUMNS
    # Seed 0 only, from 500 images on; the models alternate within each repeat.
    assert [(entry["label"], entry["n_train"], entry["repeat"]) for entry in timed] == [
        (label, size, repeat) for repeat in ("0", "1") for label in ("gaussian_nb", "bernoulli_nb")
        for size in ("500", "1347")]
    assert {entry["run_key"] for entry in timed} == {f"{model}-0-{size}" for model in
                                                     ("gaussian_nb", "bernoulli_nb")
                                                     for size in (500, 1347)}
    assert all(float(entry["wall_seconds"]) > 0 and 0 <= float(entry["other_cpu_share"]) <= 1
               for entry in timed)
    # A rerun of the same runs copies the timings from the run cache: nothing is timed again.
    monkeypatch.setattr(steps, "_time_fits", lambda *arguments: pytest.fail("timed again"))
    (folder / FIT_TIMES_FILE).unlink()
    step(config, folder)
    with open(folder / FIT_TIMES_FILE, newline="") as saved:
        assert list(csv.DictReader(saved)) == timed
