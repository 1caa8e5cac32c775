"""What a search saves of itself (``search.py``): every trial of a family as a row of its
``trials.csv``, and the configuration chosen (the best trial, or the family's recipe unless the
best trial beats it by more than its own noise on the validation split: ``recipe_is_kept``)
into the dataset's ``chosen.json``. ``search`` is the dataset's ``search.Search``: its size,
seed and where it is saved."""

import json
import math
from pathlib import Path

import numpy as np

from .. import atomic, models
from ..errors import DamagedResults, UsageError
from ..results import tuning
from ..results.schema import write_rows


def finished_trials(search, study) -> list:
    """The search's trials: the first ``search.trials`` by number that finished."""
    return [trial for trial in sorted(study.get_trials(deepcopy=False), key=lambda t: t.number)
            if trial.number < search.trials and trial.state.is_finished()]


def trial_cost(trial) -> float:
    return float(sum(trial.user_attrs.get("seconds", {}).values()))


def write_trials(search, model: str, study) -> Path:
    """Every trial of the family so far as one CSV row: configuration, score, cost, pruning."""
    rows = []
    for trial in sorted(study.get_trials(deepcopy=False), key=lambda trial: trial.number):
        scores = {str(step): value for step, value in sorted(trial.intermediate_values.items())}
        last = trial.intermediate_values.get(trial.last_step) if trial.last_step is not None else None
        value = trial.value if trial.state.name == "COMPLETE" else last
        rows.append({"trial": trial.number, "state": trial.state.name.lower(),
                     "pruned": "yes" if trial.state.name == "PRUNED" else "no",
                     "validation_accuracy": "" if value is None else f"{value:.6g}",
                     "n_train_reached": trial.last_step if trial.last_step is not None else "",
                     "scores": json.dumps(scores), "cost_seconds": f"{trial_cost(trial):.3f}",
                     "params": json.dumps(trial.params, sort_keys=True),
                     "refit": json.dumps(trial.user_attrs.get("refit_params"), sort_keys=True)
                     if "refit_params" in trial.user_attrs else ""})
    path = tuning.trials_path(search.results_dir, search.dataset, model)
    write_rows(path, rows, tuning.TRIALS_COLUMNS)
    return path


def best_trial(search, model: str, study):
    """The trial with the best validation score of those that ran to the last rung (the earliest
    on a tie); one error line while the search has trials left to run."""
    trials = finished_trials(search, study)
    complete = [trial for trial in trials if trial.state.name == "COMPLETE"]
    if len(trials) < search.trials or not complete:
        raise UsageError(f"the search of {model} on {search.dataset} has {len(trials)} of "
                         f"{search.trials} trials finished; rerun `mlhistory tune` to finish it")
    return max(complete, key=lambda trial: (trial.value, -trial.number))


def choice_margin(best_accuracy: float, n_images: int) -> float:
    """The standard error of the best trial's validation accuracy, binomial over the ``n_images``
    it was scored on (the held-out images times the choice seeds)."""
    return math.sqrt(best_accuracy * (1 - best_accuracy) / n_images)


def recipe_is_kept(recipe_accuracy: float, best_accuracy: float, n_images: int) -> bool:
    """The one-standard-error rule (Breiman et al. 1984; Hastie et al., The Elements of
    Statistical Learning, 7.10): the recipe is kept unless the best trial beats it by more than
    one standard error of the best trial's own accuracy. The best of many configurations scored
    on one validation split is an optimistic estimate of it, and a gain inside its noise is no
    evidence that the searched configuration is the better one; the recipe, the family's own
    literature's configuration, is the one that needs none."""
    return best_accuracy - recipe_accuracy <= choice_margin(best_accuracy, n_images)


def choose(search, model: str, study, best, finalists: dict, method: str) -> dict:
    """The chosen configuration: the best trial, or the family's recipe when the best trial's
    mean validation accuracy on the choice seeds (``search.score_finalists``) does not beat the
    recipe's by more than ``choice_margin`` (``recipe_is_kept``); with what the whole search
    cost. ``validation_accuracy`` (the chosen side's) and the recipe's are those means;
    ``best_trial_validation_accuracy`` is the score that made the trial the best."""
    trials = finished_trials(search, study)
    complete = [trial for trial in trials if trial.state.name == "COMPLETE"]
    recipe_mean = float(np.mean(finalists["recipe_scores"]))
    best_mean = float(np.mean(finalists["best_trial_scores"]))
    n_images = search.n_validation * len(finalists["seeds"])
    if recipe_is_kept(recipe_mean, best_mean, n_images):
        picked = {"trial": None, "chose": "recipe", "validation_accuracy": recipe_mean,
                  "params": {}, "refit_params": {}}
    else:
        picked = {"trial": best.number, "chose": "search", "validation_accuracy": best_mean,
                  "params": best.params, "refit_params": best.user_attrs["refit_params"]}
    entry = models.get(model)
    return {
        "model": model, "dataset": search.dataset, **picked,
        "best_trial": best.number, "best_trial_validation_accuracy": best.value,
        "recipe": {**finalists["recipe"], "validation_accuracy": recipe_mean},
        "choice_seeds": finalists["seeds"], "choice_seconds": finalists["cost_seconds"],
        "choice_margin": choice_margin(best_mean, n_images),
        "choice_scores": {"recipe": finalists["recipe_scores"],
                          "best_trial": finalists["best_trial_scores"]},
        "trials": search.trials, "complete": len(complete), "pruned": len(trials) - len(complete),
        "search_seconds": round(sum(trial_cost(trial) for trial in trials), 3),
        "search_space": json.loads(json.dumps(entry.search_space)),
        "search_budget": entry.search_budget, "seed": search.seed, "pool": search.pool,
        "n_fit": search.n_fit, "n_validation": search.n_validation,
        "rungs": [search.step(size) for size in search.rungs],
        "method": method,
    }


def save_chosen(search, model: str, chosen: dict) -> Path:
    """Write the family's record into the dataset's ``chosen.json``, keeping the others'."""
    path = tuning.chosen_path(search.results_dir, search.dataset)
    try:
        families = tuning.read_chosen(search.results_dir, search.dataset)
    except DamagedResults:  # an older schema: its records lack what choosing now records
        print(f"[tune] {path} was of an older schema: it now holds only the families searched "
              "from here on (rerun `mlhistory tune` for the others; their studies are kept)",
              flush=True)
        families = {}
    families[model] = chosen
    atomic.write_json(path, {"schema": tuning.CHOSEN_SCHEMA, "dataset": search.dataset,
                             "families": dict(sorted(families.items()))})
    return path
