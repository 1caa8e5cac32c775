"""The search stage, equal for every family: ``mlhistory tune`` (``make tune``).

A verdict "A beats B" is only as good as the weaker side's budget. So every family with a
search space (its registry entry's ``search_space``, ``models/search_spaces.py``) gets the
same declared number of configurations, ``TRIALS``, searched the same way:

- on the seeded, stratified validation split of the training images (``data.validation_split``):
  a trial fits on its training part and is scored on its held-out part; the test split is
  never read (``RunSpec.evaluation``, ``execute.validation_run_split``);
- by Optuna's TPE sampler, seeded (each trial's draw seeded by the search's seed and the trial's
  number, so a resumed search draws what an uninterrupted one would: ``search_resume.py``),
  asked for ``BATCH`` configurations at a time;
- with successive halving: every trial of a batch first fits on a ninth of the training part,
  the best third of those go on to a third, and the best of those to all of it (``rungs``);
  the others are pruned there, their score at the size they reached kept;
- every fit is one run through the executor (``run_all``: a pool of processes here, or the
  workers of a Dask cluster), cached like any run, and its score told back to the study; a
  rung of one trial on a pool of two workers computes on both cores (``threads.widened``);
- against the family's own recipe (its registry defaults: the book's, the period's or the
  library's configuration), fitted on the same training part and scored on the same held-out
  part: the search keeps the recipe unless the best trial beats it there by more than one
  standard error of its own accuracy (the one-standard-error rule, ``recipe_is_kept``), so a
  search never hands the comparisons a configuration its validation cannot tell from, or rates
  below, the recipe. For a
  stochastic family the two are compared on ``CHOICE_SEEDS`` fresh seeds (``choice_seeds``):
  the best trial's own score is the best of ``TRIALS`` draws of the seed's luck, and one seed of
  a perceptron moves its accuracy by points. The recipe is a reference point every family
  gets, not a trial: the trials stay ``TRIALS`` for every family.

Everything is saved under ``results/tuning/<dataset>/`` (``results/tuning.py``): the studies in
one SQLite database per dataset, after every rung, so a search killed at any point resumes
where it stopped, with every finished trial kept; each family's ``trials.csv``, rewritten after
every rung; and the chosen
configuration per family in ``chosen.json``, which ``Run(model, tuned=True)`` refits on all the
training images with the epochs or rounds its validation chose. ``make all`` only reads
``chosen.json``; only ``make tune`` searches.
"""

import contextlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import models
from ..data import dataset_info, origin, validation_size
from ..errors import UsageError
from ..models import search_spaces
from ..paths import run_cache_root
from ..results import tuning
from .cache import RunCache
from .executor import WorkerPool, run_all
from .progress import duration
from .search_records import (
    best_trial,
    choose,
    finished_trials,
    save_chosen,
    trial_cost,
    write_trials,
)
from .search_resume import decided_at, decided_before, draw_again, sampler_for
from .spec import RunSpec, validation_evaluation

TRIALS = 24  # configurations per family and dataset, the same for every family
BATCH = 6  # configurations asked at a time, run together through the executor
STARTUP_TRIALS = 12  # TPE draws at random until this many trials have finished
REDUCTION = 3  # successive halving: a third of a rung goes on, on three times the images
RUNGS = 3  # fits of a ninth, a third and all of the validation split's training part
MIN_RUNG_PER_CLASS = 10  # a rung smaller than this many images per class is left out
SEARCH_SEED = 0
# A stochastic family's best trial and recipe are refitted on this many fresh seeds, and their
# mean validation accuracies there decide (search_records.recipe_is_kept).
CHOICE_SEEDS = 2
# --quick: a seeded, stratified 2,000 of the training images, 6 trials per family, saved under
# results/quick/tuning/. A smoke test of the stage, not a search to trust.
QUICK_POOL, QUICK_TRIALS = 2000, 6


@dataclass(frozen=True)
class Search:
    """One dataset's search: its size, seed, where it runs and where it is saved."""

    dataset: str
    results_dir: Path
    data_dir: Path
    trials: int = TRIALS
    seed: int = SEARCH_SEED
    pool: int | None = None  # None: all the training images; N: a seeded, stratified N of them
    jobs: int = 1
    scheduler: str | None = None
    batch: int = BATCH

    @property
    def n_pool(self) -> int:
        return self.pool or dataset_info(self.dataset).n_train

    @property
    def n_validation(self) -> int:
        return validation_size(self.n_pool, dataset_info(self.dataset).n_classes)

    @property
    def n_fit(self) -> int:
        """The size of the validation split's training part, which the last rung fits on."""
        return self.n_pool - self.n_validation

    @property
    def rungs(self) -> list[int | None]:
        """The training-part sizes a trial fits on in turn; None: all of it."""
        smallest = self.n_fit // REDUCTION ** (RUNGS - 1)
        floor = MIN_RUNG_PER_CLASS * dataset_info(self.dataset).n_classes
        return [size for size in (smallest * REDUCTION ** rung for rung in range(RUNGS - 1))
                if size >= floor] + [None]

    def step(self, size: int | None) -> int:
        """A rung's step in the study: the number of images it fits on."""
        return self.n_fit if size is None else size

    def settings(self, model: str) -> dict:
        """What makes two searches of a family the same search (saved with its study)."""
        entry = models.get(model)
        return json.loads(json.dumps({
            "seed": self.seed, "pool": self.pool, "batch": self.batch, "rungs": self.rungs,
            "reduction": REDUCTION, "startup_trials": STARTUP_TRIALS,
            "search_space": entry.search_space, "search_budget": entry.search_budget}))


# The families a table's search tunes: those experiment 11 compares there (the image nets take
# no table). An image's search tunes every family with a search space but those searched on
# tables only: the tabular MLP meets images only on its fair budget.
TABLE_FAMILIES = ("logreg", "rbf_svm", "random_forest", "xgboost", "lightgbm", "tabular_mlp")
TABLES_ONLY = ("tabular_mlp",)


def searchable(dataset: str | None = None) -> list[str]:
    """The families the search stage tunes: every registry entry with a search space; on
    ``dataset``, those it tunes there by default (``TABLE_FAMILIES`` on a table)."""
    names = [name for name, entry in models.REGISTRY.items() if entry.search_space]
    if dataset is None:
        return names
    on_images = dataset_info(dataset).is_image
    return [name for name in names if (name not in TABLES_ONLY if on_images else name in TABLE_FAMILIES)]


def distribution(declared: tuple):
    """An Optuna distribution from a search space's plain data."""
    from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

    kind = declared[0]
    if kind == "categorical":
        return CategoricalDistribution(list(declared[1]))
    numeric = FloatDistribution if kind.endswith("float") else IntDistribution
    return numeric(declared[1], declared[2], log=kind.startswith("log"))


def open_study(search: Search, model: str, restart: bool = False):
    """The family's study in the dataset's database, created or resumed; one error line when
    the saved study was searched with other settings."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = tuning.study_path(search.results_dir, search.dataset)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage = optuna.storages.RDBStorage(f"sqlite:///{path}")
    if restart and model in {summary.study_name for summary in
                             optuna.get_all_study_summaries(storage, include_best_trial=False)}:
        optuna.delete_study(study_name=model, storage=storage)
    pruner = optuna.pruners.SuccessiveHalvingPruner(
        min_resource=search.step(search.rungs[0]), reduction_factor=REDUCTION)
    study = optuna.create_study(storage=storage, study_name=model, direction="maximize",
                                pruner=pruner, load_if_exists=True)
    settings = search.settings(model)
    saved = study.user_attrs.get("settings")
    if saved is None:
        study.set_user_attr("settings", settings)
    elif saved != settings:
        changed = ", ".join(key for key in settings if saved.get(key) != settings[key])
        raise UsageError(f"{path} holds a search of {model} with other settings ({changed}); "
                         "rerun with --restart to search it afresh")
    return study


def search_family(search: Search, model: str, digest: str, restart: bool = False,
                  workers: WorkerPool | None = None) -> dict:
    """Search one family to ``search.trials`` finished trials (resuming a saved study), save
    its trials and chosen configuration, and return the chosen record. ``workers``: the open
    pool its runs go to (None: one per batch of runs, or the cluster)."""
    import optuna

    entry = models.get(model)
    if not entry.search_space:
        raise UsageError(f"model '{model}' declares no search space; the searched families are: "
                         f"{', '.join(searchable())}")
    study = open_study(search, model, restart)
    distributions = {name: distribution(declared) for name, declared in entry.search_space.items()}
    cache = RunCache(run_cache_root(tuning.tuning_root(search.results_dir)))
    for start in range(0, search.trials, search.batch):
        numbers = range(start, min(start + search.batch, search.trials))
        existing = {trial.number for trial in study.get_trials(deepcopy=False)}
        for number in numbers:
            if number in existing:
                continue
            study.sampler = sampler_for(search.seed, number, STARTUP_TRIALS)
            asked = study.ask(distributions)
            if asked.number != number:
                where = tuning.study_path(search.results_dir, search.dataset)
                raise UsageError(f"the study of {model} in {where} has trials out of order; "
                                 "rerun with --restart")
        running = [trial for trial in study.get_trials(deepcopy=False)
                   if trial.number in numbers and trial.state == optuna.trial.TrialState.RUNNING]
        for trial in running:
            if set(trial.params) != set(distributions):
                draw_again(study, trial, distributions,
                           sampler_for(search.seed, trial.number, STARTUP_TRIALS))
        running = [trial for trial in study.get_trials(deepcopy=False)
                   if trial.number in numbers and trial.state == optuna.trial.TrialState.RUNNING]
        if running:
            print(f"[tune] {model}: {batch_progress(search, study, numbers)}", flush=True)
            drive(search, model, study, running, cache, digest, workers)
        write_trials(search, model, study)
    best = best_trial(search, model, study)
    chosen = choose(search, model, study, best,
                    score_finalists(search, model, best, cache, digest, workers),
                    method_text(search))
    save_chosen(search, model, chosen)
    return chosen


def batch_progress(search: Search, study, numbers: range) -> str:
    """Where a family's search stands as a batch starts: the trials decided and what they cost,
    and the time left estimated at their mean cost (pruned and complete trials mixed as the
    pruner mixes them), on the search's workers."""
    decided = finished_trials(search, study)
    spent = sum(trial_cost(trial) for trial in decided)
    text = (f"trials {numbers.start}-{numbers.stop - 1} of {search.trials}; {len(decided)} "
            f"decided so far, {duration(spent)} of fits")
    if decided:
        left = (search.trials - len(decided)) * spent / len(decided) / search.jobs
        workers = "1 worker" if search.jobs == 1 else f"{search.jobs} workers"
        text += f"; about {duration(left)} left at their mean cost on {workers}"
    return text


def method_text(search: Search) -> str:
    return (f"Optuna TPE (seed {search.seed}, {STARTUP_TRIALS} random trials first, "
            f"{search.batch} at a time), successive halving (reduction factor {REDUCTION}), "
            "the best trial chosen over the family's recipe only when it beats it by more than "
            "one standard error on the same validation split (a stochastic family's on "
            f"{CHOICE_SEEDS} fresh seeds)")


def choice_seeds(search: Search, model: str) -> list[int]:
    """The seeds the best trial and the recipe are compared on: a stochastic family's next
    ``CHOICE_SEEDS`` after the search's (fresh, so the luck that made a trial the best does not
    count); the search's seed for a family whose fit does not depend on it."""
    if not models.get(model).stochastic:
        return [search.seed]
    return [search.seed + offset for offset in range(1, CHOICE_SEEDS + 1)]


def recipe_spec(search: Search, model: str, digest: str, seed: int | None = None) -> RunSpec:
    """The family's own recipe on the search's validation split: every default, no budget, fitted
    on the whole training part (the last rung's images) and scored on the held-out part."""
    features = models.default_features(dataset_info(search.dataset).is_image)
    return RunSpec.create(search.dataset, model, search.seed if seed is None else seed, {},
                          features=features, data_digest=digest,
                          evaluation=validation_evaluation(search.pool))


def score_finalists(search: Search, model: str, best, cache: RunCache, digest: str,
                    workers: WorkerPool | None = None) -> dict:
    """The recipe on the search's seed (the reference every family gets), and the recipe and the
    best trial on the choice seeds, all in one call of the executor: each one's validation
    accuracy per seed, and what the fits cost beyond the trials' own."""
    seeds = choice_seeds(search, model)
    recipe_specs = {seed: recipe_spec(search, model, digest, seed)
                    for seed in dict.fromkeys([search.seed, *seeds])}
    trial_specs = {seed: trial_spec(search, model, best.params, None, digest, seed)
                   for seed in seeds}
    specs = [*recipe_specs.values(), *trial_specs.values()]
    rows = dict(zip([spec.key for spec in specs],
                    run_all(specs, cache, search.data_dir, jobs=search.jobs,
                            scheduler=search.scheduler, pool=workers), strict=True))

    def cost(spec: RunSpec) -> float:
        return rows[spec.key]["fit_seconds"] + rows[spec.key]["predict_seconds"]

    reference = recipe_specs[search.seed]
    best_run = trial_spec(search, model, best.params, None, digest)
    return {
        "seeds": seeds,
        "recipe": {"search_seed_accuracy": rows[reference.key]["accuracy"],
                   "run_key": reference.key, "cost_seconds": round(cost(reference), 3)},
        "recipe_scores": [rows[recipe_specs[seed].key]["accuracy"] for seed in seeds],
        "best_trial_scores": [rows[trial_specs[seed].key]["accuracy"] for seed in seeds],
        # The recipe's reference run and the best trial's own run are counted once, where they are.
        "cost_seconds": round(sum(cost(spec) for spec in specs
                                  if spec.key not in (reference.key, best_run.key)), 3),
    }


def trial_spec(search: Search, model: str, params: dict, size: int | None, digest: str,
               seed: int | None = None) -> RunSpec:
    """The run of one trial at one rung: its configuration on the validation split (on the
    search's seed unless another is given)."""
    entry = models.get(model)
    features = models.default_features(dataset_info(search.dataset).is_image)
    return RunSpec.create(search.dataset, model, search.seed if seed is None else seed,
                          {**entry.search_budget, **params},
                          n_train=size, features=features, data_digest=digest,
                          evaluation=validation_evaluation(search.pool))


def drive(search: Search, model: str, study, trials: list, cache: RunCache, digest: str,
          workers: WorkerPool | None = None) -> None:
    """Run a batch of trials rung by rung through the executor, telling each score back.

    Scores are told in the order of the trials' numbers, whatever order the runs finished in,
    so the pruner's decisions, and the trials a seed gives, do not depend on the machine.
    A rung already reported (a resumed search) is not reported again; its runs come from the
    cache.
    """
    import optuna

    budget = models.get(model).search_budget
    alive = sorted(trials, key=lambda trial: trial.number)
    for rung, size in enumerate(search.rungs):
        step = search.step(size)
        specs = {trial.number: trial_spec(search, model, trial.params, size, digest)
                 for trial in alive}
        rows = dict(zip(specs, run_all(list(specs.values()), cache, search.data_dir,
                                       jobs=search.jobs, scheduler=search.scheduler,
                                       pool=workers), strict=True))
        saved = {trial.number: trial for trial in study.get_trials(deepcopy=False)}
        survivors = []
        for number, spec in specs.items():
            current, row = saved[number], rows[number]
            trial = optuna.trial.Trial(study, current._trial_id)
            trial.set_user_attr("seconds", {**current.user_attrs.get("seconds", {}),
                                            str(step): row["fit_seconds"] + row["predict_seconds"]})
            trial.set_user_attr("run_keys", {**current.user_attrs.get("run_keys", {}),
                                             str(step): spec.key})
            if step not in current.intermediate_values:
                trial.report(row["accuracy"], step)
            if size is None:
                refit = search_spaces.refit_params(budget, stopped_at(cache, spec, budget),
                                                   models.get(model).defaults)
                trial.set_user_attr("refit_params", {**current.params, **refit})
                study.tell(trial, row["accuracy"])
            elif (decided_before(study, current, rung, REDUCTION) if decided_at(current, rung)
                  else not trial.should_prune()):
                survivors.append(current)
            else:
                study.tell(trial, state=optuna.trial.TrialState.PRUNED)
        # Saved after every rung, not only at the batch's end: a search stopped in a long rung
        # shows its trials so far (the report names it part-way).
        write_trials(search, model, study)
        alive = survivors
        if not alive:
            break


def stopped_at(cache: RunCache, spec: RunSpec, budget: dict) -> dict:
    """The epochs or rounds a finished trial's early stopping chose, from its saved artifacts:
    a net's best validation epoch (its weights were restored), a booster's best round."""
    count = search_spaces.stopped_count(budget)
    if count is None:
        return {}
    with np.load(cache.artifacts_path(spec)) as saved:
        if count == "n_estimators":
            return {count: int(saved["rounds_chosen"])}
        if budget.get("stop_on") == "val_accuracy":
            return {count: int(np.argmax(saved["train_val_accuracy"])) + 1}
        return {count: int(np.argmin(saved["train_val_loss"])) + 1}


def run_search(search: Search, families: list[str], restart: bool = False) -> dict[str, dict]:
    """Search each family in turn on the dataset; returns the chosen record of each. Here (no
    cluster) every rung of every family runs on one pool of workers, started once."""
    digest = origin(search.dataset, search.data_dir).digest
    chosen = {}
    with contextlib.ExitStack() as stack:
        workers = None if search.scheduler else stack.enter_context(WorkerPool(search.jobs))
        for model in families:
            print(f"[tune] {model} on {search.dataset}: {search.trials} trials, "
                  f"{search.n_fit:,} training / {search.n_validation:,} validation images, "
                  f"rungs {[search.step(size) for size in search.rungs]}", flush=True)
            chosen[model] = search_family(search, model, digest, restart, workers)
            record = chosen[model]
            picked = (f"trial {record['trial']}" if record["chose"] == "search" else
                      f"its recipe over trial {record['best_trial']}")
            seeds = ", ".join(str(seed) for seed in record["choice_seeds"])
            print(f"[tune] {model}: chose {picked} (trial {record['best_trial']} scored "
                  f"{record['best_trial_validation_accuracy']:.4f} in the search; on seeds "
                  f"{seeds} it scores {np.mean(record['choice_scores']['best_trial']):.4f}, the "
                  f"recipe {record['recipe']['validation_accuracy']:.4f}; {record['pruned']} of "
                  f"{record['trials']} pruned; {record['search_seconds']:.0f} s of fits): "
                  f"{record['refit_params']}", flush=True)
    return chosen
