"""The search stage (``mlhistory tune``): trials on the validation split only, through the
executor, the same for the same seed, resumed after a kill -9; tuned runs refit the chosen
configuration; the cache keys of every committed run unchanged; the sanity gate; the effort
table."""

import csv
import hashlib
import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from mlhistory import models
from mlhistory.data import DATASETS, Dataset, load, recorded_checksums
from mlhistory.errors import UsageError
from mlhistory.judging.sanity import claim_flags, sanity_flags, write_gate_flags
from mlhistory.models import search_spaces
from mlhistory.paths import PROJECT_ROOT, default_results_dir
from mlhistory.reporting import appendix, published
from mlhistory.reporting.tables import Table
from mlhistory.reporting.tables.effort import effort_rows
from mlhistory.results import Manifest, testing
from mlhistory.results.labels import RECIPE_KEPT_NOTE, TUNED_NOTE
from mlhistory.results.schema import write_rows
from mlhistory.results.tuning import (
    CHOSEN_SCHEMA,
    TRIALS_COLUMNS,
    choice_seeds,
    chosen_path,
    read_chosen,
    read_trials,
    study_path,
    trials_path,
    tuned_datasets,
)
from mlhistory.running import execute as execute_module
from mlhistory.running import search, search_records
from mlhistory.running.cache import RunCache
from mlhistory.running.cli import Config, config_from, experiment_parser
from mlhistory.running.execute import execute, validation_indices
from mlhistory.running.experiment import Run, tuned
from mlhistory.running.manifests import run_record
from mlhistory.running.spec import RunSpec, validation_evaluation

# The families of the book's comparisons between families (experiments 01-05 and 08), each of
# which the search stage must be able to tune.
COMPARED_FAMILIES = ["gaussian_nb", "bernoulli_nb", "logreg", "perceptron", "linear_svm",
                     "rbf_svm", "decision_tree", "random_forest", "xgboost", "lightgbm",
                     "mlp_1986", "lenet1989", "lenet5", "dense", "convnet", "convnet_modern"]


def load_script(path: Path):
    """An experiment script as a module; its ``main`` runs only under ``__main__``."""
    spec = importlib.util.spec_from_file_location(f"experiment_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def recorded_digest(name: str) -> str:
    """A dataset's digest (``data.origin``) from its recorded checksums, without decoding it."""
    recorded = recorded_checksums()[name]
    combined = ",".join(f"{key}:{recorded[key]}" for key in sorted(recorded))
    return hashlib.sha256(combined.encode()).hexdigest()[:20]


def test_every_committed_run_keeps_its_cache_key():
    """The search's new RunSpec field and options enter a key only when set: every run key of
    every committed manifest is still the key its experiment builds today."""
    checked = 0
    for path in sorted((PROJECT_ROOT / "results").glob("*/*/experiment.json")):
        manifest = Manifest.from_dict(json.loads(path.read_text()), str(path))
        experiment = load_script(PROJECT_ROOT / "experiments" / f"{manifest.experiment_id}.py").EXPERIMENT
        config = Config(manifest.dataset, manifest.quick, list(manifest.seeds), manifest.n_train,
                        manifest.n_test, PROJECT_ROOT / "data", PROJECT_ROOT / "results", 1, [])
        runs = {run.name: run for run in experiment.labelled_runs}
        digests = {name: recorded_digest(name) for name in manifest.datasets}
        for record in manifest.runs:
            keys = tuple(spec.key for spec in runs[record.label].resolved(config).specs(config, digests))
            assert keys == record.run_keys, f"{path}: {record.label}"
            checked += 1
    assert checked > 300


def test_every_compared_family_declares_a_search_space_over_params_it_takes():
    assert set(COMPARED_FAMILIES) <= set(search.searchable())
    # By default a table's search tunes the families experiment 11 compares on it, an image's
    # every family but the tabular MLP.
    assert search.searchable("letter") == ["logreg", "rbf_svm", "random_forest", "xgboost",
                                           "lightgbm", "tabular_mlp"]
    assert set(search.searchable("mnist")) == set(search.searchable()) - {"tabular_mlp"}
    for name in search.searchable():
        entry = models.get(name)
        known = set(entry.defaults) | set(entry.options)
        assert set(entry.search_space) | set(entry.search_budget) <= known, name
        for declared in entry.search_space.values():
            search.distribution(declared)  # every declaration is an Optuna distribution
    with pytest.raises(TypeError, match="searches nonsense"):
        replace(models.get("logreg"), search_space={"nonsense": ("float", 0.0, 1.0)})
    with pytest.raises(TypeError, match="low < high"):
        replace(models.get("logreg"), search_space={"C": ("log_float", 0.0, 1.0)})


class Poisoned:
    """Stands for the test split: any use of it fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"the test split was read ({name})")

    def __getitem__(self, index):
        raise AssertionError("the test split was read")

    def __len__(self):
        raise AssertionError("the test split was read")

    def __array__(self, *args, **kwargs):
        raise AssertionError("the test split was read")


def trial(n_train=None, pool=None, model="gaussian_nb", params=None) -> RunSpec:
    return RunSpec.create("digits", model, 0, params, n_train=n_train, data_digest="d",
                          evaluation=validation_evaluation(pool))


def test_a_trial_reads_the_validation_split_only(monkeypatch, project_data):
    digits = load("digits", project_data)
    spy = Dataset(digits.info, digits.x_train, digits.y_train, Poisoned(), Poisoned(), "spy")
    monkeypatch.setattr(execute_module, "_load_once", lambda name, data_dir: spy)
    row, _ = execute(trial(n_train=300), project_data)
    held_out = validation_indices(digits.y_train, trial())[1]
    assert row["n_train"] == 300 and row["n_test"] == len(held_out)
    assert 0.5 < row["accuracy"] <= 1.0


@pytest.mark.parametrize("pool", [None, 600])
def test_a_trial_fits_and_scores_on_disjoint_training_rows(pool, project_data):
    labels = load("digits", project_data).y_train
    held_out = validation_indices(labels, trial(pool=pool))[1]
    fitted = []
    for n_train in (100, 300, None):
        fit, scored = validation_indices(labels, trial(n_train, pool))
        assert np.array_equal(scored, held_out)  # every rung is scored on the same images
        assert len(np.unique(fit)) == len(fit) and not set(fit) & set(scored)
        assert fit.max() < len(labels) and len(fit) == (n_train or (pool or len(labels)) - len(scored))
        fitted.append(set(fit))
    assert fitted[0] < fitted[1] < fitted[2]  # nested rungs
    if pool:
        assert len(fitted[2]) + len(held_out) == pool


def searched(tmp_path: Path, monkeypatch, trials=6, seed=0, families=("gaussian_nb",),
             scheduler=None):
    """A search on digits through the real executor, recording every batch it submitted."""
    submitted = []
    real = search.run_all

    def recording(specs, *args, **kwargs):
        submitted.append(list(specs))
        return real(specs, *args, **kwargs)

    monkeypatch.setattr(search, "run_all", recording)
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=trials, seed=seed,
                           scheduler=scheduler)
    chosen = search.run_search(config, list(families))
    return config, chosen, submitted


def trial_outcomes(results_dir: Path, model="gaussian_nb") -> list[tuple]:
    return [(row["trial"], row["state"], row["validation_accuracy"], row["n_train_reached"],
             json.dumps(row["params"], sort_keys=True))
            for row in read_trials(results_dir, "digits", model)]


@pytest.mark.slow  # three searches, each starting worker processes rung by rung
def test_trials_run_through_the_executor_and_the_same_seed_gives_the_same_trials(
        tmp_path, monkeypatch):
    config, chosen, submitted = searched(tmp_path / "a", monkeypatch)
    # Each rung of the batch was one call of the executor, on the validation split only, and
    # so was the family's recipe, on the whole training part, after the trials, beside the best
    # trial's own run (this family's fit does not depend on the seed: compared on seed 0).
    *rungs, [recipe, finalist] = submitted
    assert finalist.n_train is None and finalist.seed == recipe.seed == 0
    assert [len(batch) for batch in rungs][0] == 6
    for batch, size in zip(rungs, config.rungs[:len(rungs)], strict=True):
        assert {(spec.evaluation, spec.n_train) for spec in batch} == {("validation", size)}
    assert config.rungs == [134, 402, None]
    assert (recipe.evaluation, recipe.n_train) == ("validation", None)
    assert recipe.params_dict == models.resolve_params("gaussian_nb", {})
    trials = read_trials(tmp_path / "a", "digits", "gaussian_nb")
    assert len(trials) == 6 and sum(row["pruned"] for row in trials) >= 3
    assert all(row["cost_seconds"] >= 0 for row in trials)
    record = chosen["gaussian_nb"]
    assert read_chosen(tmp_path / "a", "digits")["gaussian_nb"] == record
    best = max((row for row in trials if not row["pruned"]),
               key=lambda row: (row["validation_accuracy"], -row["trial"]))
    assert record["best_trial"] == best["trial"] and record["recipe"]["run_key"] == recipe.key
    if record["chose"] == "search":
        assert record["trial"] == best["trial"] and record["refit_params"] == best["params"]
    else:
        assert record["recipe"]["validation_accuracy"] >= best["validation_accuracy"]
    assert study_path(tmp_path / "a", "digits").exists()
    # The same seed draws, prunes and scores the same trials; another seed draws others.
    searched(tmp_path / "b", monkeypatch)
    assert trial_outcomes(tmp_path / "a") == trial_outcomes(tmp_path / "b")
    searched(tmp_path / "c", monkeypatch, seed=1)
    assert [row[4] for row in trial_outcomes(tmp_path / "c")] != \
        [row[4] for row in trial_outcomes(tmp_path / "a")]
    # The effort table reads the saved files.
    [row] = effort_rows(tmp_path / "a", ["digits"])
    assert row[:2] == ["gaussian_nb", "digits"] and row[3] == f"6 ({record['pruned']} pruned)"


def planted_study(scores: list[float], seconds: float = 1.0):
    """An in-memory study whose trials all finished at the last rung with these scores, each
    after ``seconds``, ``seconds`` times two, three... of fits."""
    import optuna

    study = optuna.create_study(direction="maximize")
    for number, score in enumerate(scores):
        study.add_trial(optuna.trial.create_trial(
            params={"var_smoothing": 10.0 ** -number},
            distributions={"var_smoothing": search.distribution(("log_float", 1e-10, 1.0))},
            value=score, user_attrs={"refit_params": {"var_smoothing": 10.0 ** -number},
                                     "seconds": {"134": seconds * (number + 1)}}))
    return study


@pytest.mark.parametrize("recipe_scores, chose, trial, refit", [
    ([0.80, 0.84], "search", 1, {"var_smoothing": 0.1}),  # the best trial beats the recipe
    ([0.87, 0.88], "recipe", None, {}),  # ahead by less than its standard error
    ([0.90, 0.86], "recipe", None, {}),  # a tie of the means goes to the recipe
    ([0.95, 0.95], "recipe", None, {}),
])
def test_the_search_keeps_the_recipe_unless_the_best_trial_beats_it_beyond_its_noise(
        recipe_scores, chose, trial, refit, tmp_path):
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=3)
    study = planted_study([0.85, 0.90, 0.90])
    finalists = {"seeds": [1, 2], "recipe": {"search_seed_accuracy": 0.99, "run_key": "k",
                                             "cost_seconds": 1.0},
                 "recipe_scores": recipe_scores, "best_trial_scores": [0.87, 0.89],
                 "cost_seconds": 4.0}
    best = search.best_trial(config, "gaussian_nb", study)
    record = search.choose(config, "gaussian_nb", study, best, finalists,
                           search.method_text(config))
    assert (record["chose"], record["trial"], record["refit_params"]) == (chose, trial, refit)
    # The best trial is the best of the search's scores; the choice rests on the fresh seeds
    # alone, so the recipe's 0.99 on the search's seed does not count.
    assert record["best_trial"] == 1 and record["best_trial_validation_accuracy"] == 0.90
    assert record["validation_accuracy"] == pytest.approx(0.88 if chose == "search"
                                                          else np.mean(recipe_scores))
    assert record["recipe"]["validation_accuracy"] == pytest.approx(np.mean(recipe_scores))
    assert record["choice_seeds"] == [1, 2] and record["choice_seconds"] == 4.0
    assert record["trials"] == 3 and record["recipe"]["run_key"] == "k"
    # One standard error of the best trial's 0.88 on the validation images of both seeds.
    assert record["choice_margin"] == pytest.approx(np.sqrt(0.88 * 0.12 / (2 * config.n_validation)))
    assert 0.005 < record["choice_margin"] < 0.06


def test_every_committed_choice_follows_the_one_standard_error_rule():
    """Each family's saved choice, read from its recorded means, is the one the rule makes now,
    including the records written before the rule (their trial led the recipe by more than it)."""
    for dataset in tuned_datasets(default_results_dir(quick=False)):
        for model, chosen in read_chosen(default_results_dir(quick=False), dataset).items():
            scores = chosen.get("choice_scores")
            best = (np.mean(scores["best_trial"]) if scores
                    else chosen["best_trial_validation_accuracy"])
            n_images = chosen["n_validation"] * len(choice_seeds(chosen))
            kept = search_records.recipe_is_kept(chosen["recipe"]["validation_accuracy"], best,
                                                 n_images)
            assert chosen["chose"] == ("recipe" if kept else "search"), (dataset, model)


def test_a_stochastic_family_is_compared_with_its_recipe_on_fresh_seeds(tmp_path):
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=3)
    assert search.choice_seeds(config, "perceptron") == \
        [search.SEARCH_SEED + offset for offset in range(1, search.CHOICE_SEEDS + 1)]
    assert search.choice_seeds(config, "gaussian_nb") == [search.SEARCH_SEED]


def test_an_unfinished_search_chooses_nothing(tmp_path):
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=4)
    with pytest.raises(UsageError, match="has 3 of 4 trials finished"):
        search.best_trial(config, "gaussian_nb", planted_study([0.85, 0.90, 0.90]))


def test_each_batch_says_the_trials_decided_and_estimates_the_time_left(tmp_path):
    import optuna

    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=12, jobs=2)
    study = planted_study([0.8, 0.9, 0.85], seconds=10.0)  # 10, 20 and 30 s
    study.ask()  # the batch's first trial, running
    assert search.batch_progress(config, study, range(3, 9)) == (
        "trials 3-8 of 12; 3 decided so far, 1 min 0 s of fits; about 1 min 30 s left at their "
        "mean cost on 2 workers")  # 9 trials left at 20 s each, on 2 workers
    fresh = optuna.create_study(direction="maximize")
    assert search.batch_progress(config, fresh, range(0, 6)) == \
        "trials 0-5 of 12; 0 decided so far, 0 s of fits"


class Killed(Exception):
    """Stands for a kill -9 at one instant of the search."""


@pytest.mark.slow  # two searches, each starting worker processes rung by rung
def test_a_search_killed_between_a_pruning_decision_and_its_record_goes_on_as_before(
        tmp_path, monkeypatch):
    """The pruner records a trial's score at its rung as it decides; killed before the trial's
    pruning is recorded, the resumed search prunes it all the same."""
    import optuna

    searched(tmp_path / "whole", monkeypatch)
    tell = optuna.study.Study.tell

    def killed_at_the_first_pruning(study, trial, values=None, state=None, **options):
        if state == optuna.trial.TrialState.PRUNED:
            raise Killed
        return tell(study, trial, values, state, **options)

    monkeypatch.setattr(optuna.study.Study, "tell", killed_at_the_first_pruning)
    with pytest.raises(Killed):
        searched(tmp_path / "cut", monkeypatch)
    monkeypatch.setattr(optuna.study.Study, "tell", tell)
    searched(tmp_path / "cut", monkeypatch)
    assert trial_outcomes(tmp_path / "cut") == trial_outcomes(tmp_path / "whole")


@pytest.mark.slow  # a search starting worker processes rung by rung
def test_a_search_stopped_in_a_rung_shows_the_trials_of_the_rungs_before_it(tmp_path, monkeypatch):
    """trials.csv is rewritten after every rung, so a search stopped in a long rung (the report
    calls it part-way) shows every score it has, not only those of the batches it ended."""
    real, calls = search.run_all, []

    def killed_at_the_second_rung(specs, *args, **kwargs):
        calls.append(specs)
        if len(calls) == 2:
            raise Killed
        return real(specs, *args, **kwargs)

    monkeypatch.setattr(search, "run_all", killed_at_the_second_rung)
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=6)
    with pytest.raises(Killed):
        search.run_search(config, ["gaussian_nb"])
    first_rung = config.step(config.rungs[0])
    saved = read_trials(tmp_path, "digits", "gaussian_nb")
    assert [row["trial"] for row in saved] == list(range(6))
    assert all(str(first_rung) in row["scores"] for row in saved)
    assert {row["state"] for row in saved} == {"running", "pruned"}
    assert sum(row["state"] == "running" for row in saved) == len(calls[1])


@pytest.mark.slow  # two searches, each starting worker processes rung by rung
def test_a_search_killed_while_it_drew_a_configuration_draws_it_as_before(tmp_path, monkeypatch):
    """Killed after a trial was created and one of its params drawn, before the next: the
    resumed search draws the rest as the uninterrupted search did."""
    import optuna

    families = ("bernoulli_nb",)
    searched(tmp_path / "whole", monkeypatch, families=families)
    suggest = optuna.trial.Trial._suggest

    def killed_drawing(trial, name, distribution):
        if trial.number == 4 and name == "binarize":
            raise Killed
        return suggest(trial, name, distribution)

    monkeypatch.setattr(optuna.trial.Trial, "_suggest", killed_drawing)
    with pytest.raises(Killed):
        searched(tmp_path / "cut", monkeypatch, families=families)
    monkeypatch.setattr(optuna.trial.Trial, "_suggest", suggest)
    searched(tmp_path / "cut", monkeypatch, families=families)
    assert trial_outcomes(tmp_path / "cut", "bernoulli_nb") == \
        trial_outcomes(tmp_path / "whole", "bernoulli_nb")


@pytest.mark.cluster
def test_on_a_dask_cluster_the_trials_are_its_tasks_and_the_same_trials(tmp_path, monkeypatch):
    searched(tmp_path / "pool", monkeypatch, trials=3)
    _, _, submitted = searched(tmp_path / "dask", monkeypatch, trials=3, scheduler="local")
    assert submitted and all(spec.evaluation == "validation" for batch in submitted for spec in batch)
    assert trial_outcomes(tmp_path / "dask") == trial_outcomes(tmp_path / "pool")


def finished(results_dir: Path) -> list[tuple]:
    """The finished trials of a search that has stopped."""
    import optuna

    study = optuna.load_study(study_name="gaussian_nb",
                              storage=f"sqlite:///{study_path(results_dir, 'digits')}")
    return sorted((trial.number, trial.state.name, trial.value, json.dumps(trial.params))
                  for trial in study.get_trials(deepcopy=False) if trial.state.is_finished())


def finished_so_far(results_dir: Path) -> int:
    """How many trials a running search has finished, read without Optuna (which would create
    the database's tables if the search had not yet) and without writing."""
    import sqlite3

    path = study_path(results_dir, "digits")
    if not path.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as database:
            [(count,)] = database.execute(
                "SELECT COUNT(*) FROM trials WHERE state IN ('COMPLETE', 'PRUNED')").fetchall()
    except sqlite3.OperationalError:  # no tables yet, or the database busy
        return 0
    return count


def tune(results_dir: Path, **options) -> subprocess.Popen:
    command = [sys.executable, "-m", "mlhistory", "tune", "--dataset", "digits", "--models",
               "gaussian_nb", "--trials", "8", "--batch", "2", "--results-dir", str(results_dir)]
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, **options)


@pytest.mark.slow  # three searches as subprocesses
def test_a_search_killed_mid_way_resumes_and_loses_no_finished_trial(tmp_path):
    killed = tune(tmp_path / "killed", start_new_session=True)
    deadline = time.monotonic() + 300
    while finished_so_far(tmp_path / "killed") < 3:
        assert killed.poll() is None and time.monotonic() < deadline, killed.stderr.read()
        time.sleep(0.2)
    os.killpg(killed.pid, signal.SIGKILL)  # kill -9, the search and its worker processes
    killed.wait()
    before = finished(tmp_path / "killed")
    assert 3 <= len(before) < 8
    resumed = tune(tmp_path / "killed")
    assert resumed.wait(timeout=300) == 0, resumed.stderr.read()
    after = finished(tmp_path / "killed")
    assert len(after) == 8 and set(before) <= set(after)
    # A resumed search ends where an uninterrupted one does.
    whole = tune(tmp_path / "whole")
    assert whole.wait(timeout=300) == 0, whole.stderr.read()
    assert after == finished(tmp_path / "whole")
    with open(tmp_path / "killed" / "tuning" / "digits" / "gaussian_nb" / "trials.csv") as saved:
        assert len(list(csv.DictReader(saved))) == 8


def test_a_changed_search_space_refuses_to_resume(tmp_path, monkeypatch):
    config = search.Search("digits", tmp_path, PROJECT_ROOT / "data", trials=2)
    search.open_study(config, "gaussian_nb")
    entry = models.get("gaussian_nb")
    monkeypatch.setitem(models.REGISTRY, "gaussian_nb",
                        replace(entry, search_space={"var_smoothing": ("log_float", 1e-5, 1.0)}))
    with pytest.raises(UsageError, match="other settings \\(search_space\\).*--restart"):
        search.open_study(config, "gaussian_nb")
    search.open_study(config, "gaussian_nb", restart=True)


@pytest.mark.slow  # a Keras training
def test_the_refit_trains_for_what_the_validation_chose(tmp_path, project_data):
    assert search_spaces.refit_params(search_spaces.NET_BUDGET, {"epochs": 7}) == {"epochs": 7}
    assert search_spaces.refit_params(search_spaces.LIGHTGBM_BUDGET, {"n_estimators": 90}) == \
        {"n_estimators": 90, "subsample_freq": 1}
    assert search_spaces.refit_params(search_spaces.LOGREG_BUDGET, {}) == {"max_iter": 5000}
    # The tabular MLP's recipe stops early by default: its refit turns that off.
    assert search_spaces.refit_params(search_spaces.NET_BUDGET, {"epochs": 7},
                                      models.get("tabular_mlp").defaults) == \
        {"epochs": 7, "patience": None}
    # A net's trial: early stopping on validation accuracy, a decaying rate, dropout; the refit
    # takes its best epoch.
    budget = {**search_spaces.NET_BUDGET, "epochs": 8, "patience": 2}
    spec = trial(model="dense", params={**budget, "learning_rate": 1e-3, "lr_decay": 0.5,
                                        "batch_size": 64, "dropout": 0.2})
    cache = RunCache(tmp_path)
    row, artifacts = execute(spec, project_data)
    cache.put(spec, row, artifacts)
    epochs = search.stopped_at(cache, spec, budget)["epochs"]
    history = artifacts["train_val_accuracy"]
    assert 1 <= epochs <= len(history) <= 8 and history[epochs - 1] == history.max()
    assert np.allclose(artifacts["train_learning_rate"][:2], [1e-3, 1e-3 / 1.5])


def write_chosen(results_dir: Path, dataset: str, model: str, refit: dict) -> None:
    path = chosen_path(results_dir, dataset)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"schema": CHOSEN_SCHEMA, "dataset": dataset, "families": {
        model: {"refit_params": refit}}}))


def test_a_tuned_run_refits_the_chosen_configuration_on_all_training_images(tmp_path):
    # The search replayed is the one saved under search_from, whatever folder the runs go to.
    config = Config("digits", False, [0], None, None, PROJECT_ROOT / "data", tmp_path / "quick",
                    1, [], search_from=tmp_path)
    run = tuned("rbf_svm")
    assert run.name == "rbf_svm tuned" and Run("rbf_svm", tuned=True).name == "rbf_svm tuned"
    with pytest.raises(UsageError) as missing:
        run.resolved(config)
    assert "make tune" in str(missing.value) and "\n" not in str(missing.value)
    write_chosen(tmp_path, "digits", "rbf_svm", {"C": 3.0, "gamma": 0.01, "scaling": "unit"})
    [spec] = run.resolved(config).specs(config, {"digits": "d"})
    assert spec.params_dict["C"] == 3.0 and spec.params_dict["scaling"] == "unit"
    assert spec.n_train is None and spec.evaluation is None  # all the training images, tested
    pipeline = models.build("rbf_svm", DATASETS["digits"], 0, spec.params_dict)
    assert [name for name, _ in pipeline.steps] == ["functiontransformer", "svc"]
    with pytest.raises(UsageError, match="cannot take other features"):
        Run("rbf_svm", features="hog", tuned=True)


def test_a_tuned_run_says_whether_its_search_kept_the_recipe(tmp_path):
    config = Config("digits", False, [0], None, None, PROJECT_ROOT / "data", tmp_path / "quick",
                    1, [], search_from=tmp_path)
    for refit, note in (({"C": 3.0}, TUNED_NOTE), ({}, RECIPE_KEPT_NOTE)):
        shutil.rmtree(tmp_path / "tuning", ignore_errors=True)
        write_chosen(tmp_path, "digits", "rbf_svm", refit)
        run = tuned("rbf_svm").resolved(config)
        record = run_record(run, config, run.specs(config, {"digits": "d"}))
        assert record.model_display.endswith(note) and record.tuned


# --- the sanity gate ----------------------------------------------------------------------------

def planted(tmp_path: Path, claims: tuple = ()):
    """An MNIST-shaped experiment with a sound run and a short, a diverged and a collapsed one,
    a tuned run below its own default recipe by 13 points of its 1,000 test images, and one
    below it by one image, shown within the margin (and ``claims``, declared)."""
    labels = np.arange(1000) % 10
    record = testing.dataset_record("mnist", n_train=60_000, n_test=1000)
    runs = {  # label: (model, accuracy, predictions, tuned)
        "gaussian_nb": ("gaussian_nb", 0.56, None, False),
        "gaussian_nb tuned": ("gaussian_nb", 0.559, None, True),
        "rbf_svm": ("rbf_svm", 0.98, None, False),
        "rbf_svm tuned": ("rbf_svm", 0.85, None, True),
        "dense": ("dense", 0.95, None, False),
        "convnet": ("convnet", 0.10, None, False),
        "logreg": ("logreg", 0.30, np.where(labels < 3, labels, 0), False),
    }
    rows, artifacts, records = [], {}, []
    for label, (model, accuracy, predictions, is_tuned) in runs.items():
        key = label.replace(" ", "_")
        rows.append({"experiment": "00_fixture", "dataset": "mnist", "model": model,
                     "features": "pixels", "params": {}, "seed": 0, "n_train": 60_000,
                     "n_test": 1000, "accuracy": accuracy,
                     "macro_f1": accuracy if label != "convnet" else 0.02, "fit_seconds": 1.0,
                     "predict_seconds": 0.1, "run_key": key})
        if predictions is None:
            predictions = testing.predictions_scoring(accuracy, labels, 10)
        artifacts[key] = {"predictions": predictions.astype(np.int16)}
        records.append(testing.run_record(label, model=model, dataset="mnist", run_keys=[key],
                                          tuned=is_tuned))
    return testing.write_experiment(tmp_path / "mnist" / "00_fixture",
                                    testing.manifest(records, [record],
                                                     claims=tuple(claim.to_dict()
                                                                  for claim in claims)),
                                    rows, testing.test_labels_of("mnist", labels), artifacts)


def test_the_sanity_gate_flags_planted_short_diverged_and_collapsed_runs(tmp_path):
    flags = sanity_flags(planted(tmp_path))
    assert set(flags) == {"rbf_svm tuned", "dense", "convnet", "logreg"}
    assert flags["dense"] == ["short by 2.8 points: 95.00% against the published 97.8% "
                              "(Deep Learning with Python (Chollet), ch. 2; 1st-ed. notebook "
                              "prints 0.9777, 3rd ed. 0.9785)"]
    # A tuned run answers to the best figure on the same data (LeCun's 98.6 %), and to its
    # family's default recipe unless it is shown within the margin of it (one image below it,
    # of 1,000, is: the tuned naive Bayes is not flagged).
    [short, below] = flags["rbf_svm tuned"]
    assert short.startswith("short by 13.6 points: 85.00% against the published 98.6%")
    assert below.startswith("below its own default recipe: 85.00% against 98.00%")
    assert below.endswith("(00_fixture), gap -13.00 [-15.10, -11.00] points")
    assert any(reason.startswith("diverged: accuracy 10.0%") for reason in flags["convnet"])
    assert flags["logreg"] == ["collapsed: predicts class 0 for 80% of the test images "
                               "(seed 0, n_train 60,000)"]
    assert claim_flags(["gaussian_nb", "dense"], flags) == [f"dense: {flags['dense'][0]}"]


def test_the_gate_writes_its_flags_for_judge_which_finds_the_claim_setup_short(tmp_path):
    from mlhistory.judging import base, verdicts
    from mlhistory.judging.comparisons import Beats
    from mlhistory.results.flags import FLAGS_FILE, SHORT, read_flag_file

    results = planted(tmp_path)
    written = write_gate_flags(tmp_path)
    assert {(flag.run_key, flag.action, flag.reason) for flag in written} == {
        ("dense", SHORT, "short by 2.8 points"), ("rbf_svm_tuned", SHORT, "short by 13.6 points"),
        ("rbf_svm_tuned", SHORT, "below its own default recipe")}
    # The collapsed and the diverged run are the failure flags' own (never predicts a class,
    # near chance): the gate does not write them twice.
    assert set(read_flag_file(tmp_path / FLAGS_FILE)) == {"dense", "rbf_svm_tuned"}
    [judged] = base.judge(results, [Beats("c", "C.", winner="dense", losers=("gaussian_nb",))])
    assert judged["verdict"] == verdicts.SETUP_SHORT
    # Rewritten, the gate's flags replace its earlier ones; flags set by others are kept.
    assert write_gate_flags(tmp_path) == written
    assert len([flag for flags in read_flag_file(tmp_path / FLAGS_FILE).values()
                for flag in flags]) == 3


def test_an_experiment_judging_itself_finds_the_gate_s_flags_before_any_flag_file(tmp_path):
    """An experiment judges itself as it ends, before `mlhistory judge` has written the flag
    file for its new runs: it finds the gate's flags itself, so it prints the verdicts the
    judging of the whole results set writes next."""
    from mlhistory.judging import base, verdicts
    from mlhistory.judging.comparisons import Beats
    from mlhistory.judging.sanity import current_flags
    from mlhistory.results.flags import FLAGS_FILE, SHORT, TIMING, Flag, write_flag_file

    results = planted(tmp_path)
    claim = Beats("c", "C.", winner="dense", losers=("gaussian_nb",))
    assert not (tmp_path / FLAGS_FILE).exists()
    assert base.judge(results, [claim])[0]["verdict"] != verdicts.SETUP_SHORT  # the file's word
    [judged] = base.judge(results, [claim], current_flags(results))
    assert judged["verdict"] == verdicts.SETUP_SHORT
    # The file's gate flags are from an earlier judging (naive Bayes was short then): they give
    # way to the gate's word now; a flag set by anything else is kept.
    write_flag_file(tmp_path / FLAGS_FILE, [Flag("gaussian_nb", SHORT, "short by 9.0 points"),
                                            Flag("gaussian_nb", TIMING, "negative fit time")])
    found = current_flags(results)
    assert [flag.reason for flag in found["gaussian_nb"]] == ["negative fit time"]
    assert [flag.reason for flag in found["dense"]] == ["short by 2.8 points"]


def test_the_effort_table_reads_the_saved_search(tmp_path, monkeypatch):
    results = planted(tmp_path)
    assert Table("search_effort").render(results).notes == [
        "No search has been saved for these datasets: run `make tune`."]
    chosen = {"search_space": {"C": ["log_float", 0.1, 1000.0],
                               "scaling": ["categorical", ["unit", "standardized"]]},
              "trials": 24, "pruned": 15, "refit_params": {"C": 4.2}, "validation_accuracy": 0.98,
              "chose": "search", "best_trial": 3, "best_trial_validation_accuracy": 0.98,
              "recipe": {"validation_accuracy": 0.97, "run_key": "k", "cost_seconds": 60.0},
              "search_seconds": 1200.0, "method": "TPE", "n_fit": 54000, "n_validation": 6000,
              "rungs": [6000, 18000, 54000], "seed": 0, "choice_seeds": [1, 2],
              "choice_seconds": 300.0}
    write_chosen(tmp_path, "mnist", "rbf_svm", {})
    chosen_path(tmp_path, "mnist").write_text(json.dumps(
        {"schema": CHOSEN_SCHEMA, "dataset": "mnist", "families": {"rbf_svm": chosen}}))
    table = Table("search_effort").render(results)
    row = ["rbf_svm", "mnist", "C: 0.1 to 1e+03 (log); scaling: unit | standardized",
           "24 (15 pruned)", "C=4.2", "0.9800", "0.9700", "seeds 1, 2", "25.0 min"]
    assert table.rows == [[*row, "1.0 s per seed (1)"]]
    # The appendix shows the same table for the whole results set.
    heading, shown, *notes = appendix.search_effort([], tmp_path)
    assert heading.text == "Search effort" and shown.rows == [[*row, "not run here"]] and notes


def test_the_appendix_names_each_family_a_claim_compares_without_its_search(tmp_path):
    from mlhistory.judging.comparisons import Beats
    from mlhistory.reporting.common import JudgedExperiment

    claim = Beats("c", "C.", winner="rbf_svm tuned", losers=("rbf_svm", "dense"))
    results = planted(tmp_path, claims=(claim,))
    chosen_path(tmp_path, "mnist").parent.mkdir(parents=True)
    chosen_path(tmp_path, "mnist").write_text(json.dumps(
        {"schema": CHOSEN_SCHEMA, "dataset": "mnist", "families": {"rbf_svm": {}}}))
    not_searched, untuned = appendix.unsearched_section([JudgedExperiment(results, [])], tmp_path)
    # The tuned SVM is the search's; its recipe beside it is searched but untuned; the dense
    # net has no search at all.
    assert not_searched.text.startswith("Not searched") and not_searched.text.endswith(
        " mnist: dense.")
    assert untuned.text.startswith("Searched, but compared untuned") and untuned.text.endswith(
        " mnist: rbf_svm.")
    # A search stopped part-way is named with how far it went (its trials.csv, rung by rung).
    write_rows(trials_path(tmp_path, "mnist", "dense"),
               [{"trial": number, "state": state, "pruned": "yes" if state == "pruned" else "no",
                 "validation_accuracy": "0.9", "n_train_reached": "6000", "scores": "{}",
                 "cost_seconds": "1.0", "params": "{}", "refit": ""}
                for number, state in enumerate(("pruned", "running", "pruned"))],
               TRIALS_COLUMNS)
    not_searched, _ = appendix.unsearched_section([JudgedExperiment(results, [])], tmp_path)
    assert not_searched.text.endswith(" mnist: dense (searched part-way: 2 trials decided so far).")


def test_a_measurement_short_of_its_published_figure_says_what_its_search_found(tmp_path):
    reference = {"model": "convnet", "dataset": "mnist", "features": "pixels",
                 "same_protocol": "no"}
    assert published.shortfall_reason(tmp_path, reference, tuned=False) == (
        "not searched", "not searched (no trials), so this runs its fair budget")
    write_rows(trials_path(tmp_path, "mnist", "convnet"),
               [{"trial": 0, "state": "pruned", "pruned": "yes", "validation_accuracy": "0.9",
                 "n_train_reached": "6000", "scores": "{}", "cost_seconds": "1.0",
                 "params": "{}", "refit": ""}], TRIALS_COLUMNS)
    assert published.shortfall_reason(tmp_path, reference, tuned=False)[0] == "search part-way"
    chosen_path(tmp_path, "mnist").write_text(json.dumps(
        {"schema": CHOSEN_SCHEMA, "dataset": "mnist", "families": {"convnet": {
            "trials": 24, "best_trial_validation_accuracy": 0.9876}}}))
    kind, why = published.shortfall_reason(tmp_path, reference, tuned=True)
    assert kind == "searched" and why.startswith(
        "searched: the best of its 24 trials scored 0.9876 on validation; the published model")
    kind, why = published.shortfall_reason(tmp_path, reference, tuned=False)
    assert kind == "searched, recipe kept" and "did not beat the recipe" in why
    on_hog = {**reference, "features": "hog"}
    assert published.shortfall_reason(tmp_path, on_hog, tuned=False)[0] == \
        "not searched on hog features"


@pytest.mark.parametrize("arguments, message", [
    (["--models", "nonsense"], "model 'nonsense' has no search space; the searched families are: "),
    (["--trials", "0"], "--trials must be at least 1"),
    (["--dataset", "nonsense"], "unknown dataset 'nonsense'"),
])
def test_a_bad_tune_command_fails_in_one_line_before_any_search(arguments, message, tmp_path,
                                                                capsys):
    from mlhistory.__main__ import main

    with pytest.raises(SystemExit) as exited:
        main(["tune", "--results-dir", str(tmp_path), *arguments])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert error.startswith(f"error: {message}") and error.count("\n") == 1
    assert not (tmp_path / "tuning").exists()


def test_quick_and_custom_runs_replay_the_reference_search_unless_told_another(tmp_path):
    parser = experiment_parser("an experiment")
    quick = config_from(parser.parse_args(["--quick", "--dataset", "digits"]), [])
    assert quick.results_dir == default_results_dir(True)
    assert quick.search_from == default_results_dir(False)
    other = config_from(parser.parse_args(["--quick", "--dataset", "digits", "--search-from",
                                           str(tmp_path)]), [])
    assert other.search_from == tmp_path
