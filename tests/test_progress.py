"""What a long step says of its cost and progress: estimates from the run cache's recorded costs,
the runs done and to do with the time left, the stages an experiment's metadata records, and
every run of several experiments computed at once into the cache."""

import json

import pytest

from mlhistory.errors import UsageError
from mlhistory.running import progress
from mlhistory.running.spec import RunSpec


def _cached(root, model, dataset, n_train, fit, predict=0.0, name=None):
    folder = root / dataset.split("[")[0]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name or f'{model}-{dataset}-{n_train}-{fit}'}.json").write_text(json.dumps(
        {"model": model, "dataset": dataset, "n_train": n_train, "fit_seconds": fit,
         "predict_seconds": predict}))


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
    (tmp_path / "digits" / "damaged.json").write_text("{not json")
    book = progress.CostBook([tmp_path, tmp_path / "missing"])
    assert book.estimate(RunSpec.create("digits", "logreg", seed=0, n_train=300)) == pytest.approx(6.0)
    # XGBoost on digits: only its MNIST runs, scaled by the training size (full digits: 1,347).
    assert book.estimate(RunSpec.create("digits", "xgboost", seed=0)) == pytest.approx(600 * 1347 / 60_000)
    assert book.estimate(RunSpec.create("digits", "gaussian_nb", seed=0)) == \
        progress.DEFAULT_SECONDS["shallow"]
    assert book.estimate(RunSpec.create("digits", "dense", seed=0)) == progress.DEFAULT_SECONDS["deep"]


def test_progress_says_what_is_done_what_is_left_and_about_how_long(capsys):
    specs = [RunSpec.create("digits", model, seed=0, n_train=300)
             for model in ("logreg", "gaussian_nb", "bernoulli_nb")]
    counter = progress.Progress(dict(zip(specs, (10.0, 20.0, 30.0), strict=True)), cached=4,
                                workers=2)
    assert capsys.readouterr().out == ("[plan] 3 runs to do, 4 from the cache; about 30 s of runs "
                                       "on 2 workers (estimated from the run cache)\n")
    # The first run took twice its estimate: what is left is taken to as well.
    tail = counter.finished(specs[0], {"fit_seconds": 18.0, "predict_seconds": 2.0})
    assert tail.startswith("2 to do, about 50 s left (")
    counter.finished(specs[1], {"fit_seconds": 40.0, "predict_seconds": 0.0})
    assert counter.finished(specs[2], {"fit_seconds": 1.0}).startswith("all 3 done in ")


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


@pytest.mark.slow  # runs two experiments' runs on digits, in worker processes
def test_the_runs_of_several_experiments_are_computed_once_into_the_cache(tmp_path, project_data,
                                                                         capsys):
    from mlhistory.running import batch
    from mlhistory.running.cache import RunCache
    from mlhistory.running.cli import config_from, experiment_parser
    from mlhistory.running.experiment import plan

    argv = ["--dataset", "digits", "--quick", "--results-dir", str(tmp_path),
            "--data-dir", str(project_data), "--jobs", "2"]
    config = config_from(experiment_parser("").parse_args(argv), argv)
    names = ["01_probabilistic", "05_return_of_neural_networks"]
    rows = batch.run_experiments(names, config)
    scripts = batch.experiment_scripts()
    wanted = [spec for name in names
              for spec in plan(batch.load_experiment(scripts[name]), config).specs]
    assert len(rows) == len(set(wanted)) < len(wanted)  # 05 asks again for 01's runs
    cache = RunCache(tmp_path / "cache")
    assert all(cache.get(spec) is not None for spec in wanted)
    printed = capsys.readouterr().out
    assert "[plan] " in printed and "all " in printed and " runs of 2 experiments" in printed
    with pytest.raises(UsageError, match="no experiment 99_nothing"):
        batch.run_experiments(["99_nothing"], config)
