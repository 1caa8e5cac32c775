"""The search stage's saved files (``mlhistory tune``), one folder per dataset of a results set:

- ``tuning/<dataset>/study.sqlite3``: the Optuna studies, one per family, every trial with its
  params, intermediate validation scores and state (browse it with optuna-dashboard);
- ``tuning/<dataset>/<family>/trials.csv``: every trial of the family as a table: its
  configuration, validation accuracy, cost in seconds and whether it was pruned;
- ``tuning/<dataset>/chosen.json``: the configuration chosen per family (the best trial, or the
  family's recipe unless the best trial beat it by more than one standard error on the same
  validation split, a stochastic family's on fresh seeds), and what the search cost; the final
  runs (``Run(model, tuned=True)``) refit it on all the training images.

The trials' own run cache (``tuning/cache/``) only speeds up a resumed search and is not kept.
Readers (the effort table, the sanity gate) read these files and nothing else of the search.
"""

import csv
import json
from pathlib import Path

from ..errors import DamagedResults

TUNING_DIR = "tuning"
STUDY_FILE = "study.sqlite3"
CHOSEN_FILE = "chosen.json"
TRIALS_FILE = "trials.csv"
CHOSEN_SCHEMA = 2  # 2: the family's recipe scored beside the trials, and chosen when no trial beats it
TRIALS_COLUMNS = ["trial", "state", "pruned", "validation_accuracy", "n_train_reached",
                  "scores", "cost_seconds", "params", "refit"]


def tuning_root(results_dir: Path) -> Path:
    return Path(results_dir) / TUNING_DIR


def tuning_dir(results_dir: Path, dataset: str) -> Path:
    return tuning_root(results_dir) / dataset


def study_path(results_dir: Path, dataset: str) -> Path:
    return tuning_dir(results_dir, dataset) / STUDY_FILE


def chosen_path(results_dir: Path, dataset: str) -> Path:
    return tuning_dir(results_dir, dataset) / CHOSEN_FILE


def trials_path(results_dir: Path, dataset: str, model: str) -> Path:
    return tuning_dir(results_dir, dataset) / model / TRIALS_FILE


def tuned_datasets(results_dir: Path) -> list[str]:
    """The datasets of a results set with a chosen configuration saved."""
    return sorted(path.parent.name for path in tuning_root(results_dir).glob(f"*/{CHOSEN_FILE}"))


def read_chosen(results_dir: Path, dataset: str) -> dict[str, dict]:
    """Each family's chosen configuration on ``dataset``, by model name; {} when none saved."""
    path = chosen_path(results_dir, dataset)
    if not path.exists():
        return {}
    saved = json.loads(path.read_text())
    if saved.get("schema") != CHOSEN_SCHEMA:
        raise DamagedResults(f"{path} is of schema {saved.get('schema')}, not {CHOSEN_SCHEMA}: "
                           "rerun `make tune` to rewrite it")
    return saved["families"]


def choice_seeds(chosen: dict) -> list[int]:
    """The seeds a family's best trial and recipe were compared on. A record written before the
    comparison moved to fresh seeds (it has no ``choice_seeds``) compared the two on the
    search's own seed, and fitted nothing more to do so."""
    return chosen.get("choice_seeds", [chosen["seed"]])


def choice_seconds(chosen: dict) -> float:
    """What the fits that compared the best trial with the recipe cost beyond the trials'."""
    return chosen.get("choice_seconds", 0.0)


def read_trials(results_dir: Path, dataset: str, model: str) -> list[dict]:
    """Every trial of ``model``'s search on ``dataset``, parsed; [] when it has none."""
    path = trials_path(results_dir, dataset, model)
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [{**row, "trial": int(row["trial"]), "pruned": row["pruned"] == "yes",
             "validation_accuracy": float(row["validation_accuracy"])
             if row["validation_accuracy"] else None,
             "n_train_reached": int(row["n_train_reached"]) if row["n_train_reached"] else None,
             "scores": json.loads(row["scores"] or "{}"),
             "cost_seconds": float(row["cost_seconds"]),
             "params": json.loads(row["params"]), "refit": json.loads(row["refit"] or "null")}
            for row in rows]


def search_cost(results_dir: Path, dataset: str) -> dict:
    """What the saved searches on ``dataset`` cost so far, from the records alone: the seconds
    of every finished trial's fits, of each family's recipe scored beside them and of the fits
    that compared the two (``seconds``), the families searched to the end (``complete``, by
    name), and those with trials recorded but nothing chosen yet (``part_way``: their trials
    recorded, by name)."""
    chosen = read_chosen(results_dir, dataset)
    recorded = {path.parent.name: read_trials(results_dir, dataset, path.parent.name)
                for path in sorted(tuning_dir(results_dir, dataset).glob(f"*/{TRIALS_FILE}"))}
    seconds = sum(trial["cost_seconds"] for trials in recorded.values() for trial in trials)
    seconds += sum(choice["recipe"]["cost_seconds"] + choice_seconds(choice)
                   for choice in chosen.values())
    return {"seconds": seconds, "complete": sorted(chosen),
            "part_way": {model: len(trials) for model, trials in recorded.items()
                         if model not in chosen}}
