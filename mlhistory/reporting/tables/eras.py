"""The history's eras in numbers: what each era changed, and what it bought on each dataset.

The eras, their section of the book's chapter 1 (1st edition), what the book says changed in
each and which models stand for it are data (``references/eras.csv``); the numbers come from
the experiment's saved results on every dataset of the results set (experiment 05 gathers
every era's runs).
"""

import csv

import numpy as np

from ...paths import REFERENCES_DIR
from ...results import MANIFEST_FILE, ExperimentResults
from .registry import ResultTable, table_kind

ERAS_FILE = REFERENCES_DIR / "eras.csv"


def read_eras() -> list[dict]:
    with open(ERAS_FILE, newline="") as handle:
        return [{**row, "models": row["models"].split()} for row in csv.DictReader(handle)]


def _datasets(results: ExperimentResults) -> dict[str, ExperimentResults]:
    """This experiment's results on every dataset of the results set, the book's first."""
    found = {results.dataset: results}
    experiment_id = results.manifest.experiment_id
    for manifest in sorted(results.folder.parent.parent.glob(f"*/{experiment_id}/{MANIFEST_FILE}")):
        if manifest.parent.parent != results.folder.parent:
            other = ExperimentResults.read(manifest.parent)
            found.setdefault(other.dataset, other)
    return dict(sorted(found.items(), key=lambda item: (item[0] != "mnist", item[0])))


def _best(results: ExperimentResults, models: list[str]) -> tuple[str, float, int] | None:
    """The era's best run here: (display name, mean test error, seeds), or None."""
    found = []
    for label in results.labels:
        rows = results.rows_of(label)
        if results.run(label).model in models and rows:
            found.append((1 - float(np.mean([row["accuracy"] for row in rows])),
                          results.display_name(label), len(rows)))
    if not found:
        return None
    error, name, seeds = min(found)
    return name, error, seeds


# Below this share of the errors, an era neither removes nor adds errors, for this table.
EVEN_SHARE = 0.01


def against_before(error: float, before: float) -> str:
    """What an era's best error bought against the best before it."""
    change = 1 - error / before
    span = f"({100 * before:.2f} → {100 * error:.2f} %)"
    if abs(change) < EVEN_SHARE:
        return f"about even {span}"
    if change > 0:
        return f"{100 * change:.0f} % fewer errors {span}"
    return f"none: {100 * -change:.0f} % more errors {span}"


def era_bests(results: ExperimentResults) -> tuple[dict[str, ExperimentResults], list]:
    """This experiment on every dataset of the results set, and per era (its row of eras.csv)
    its best run on each dataset: (display name, mean test error, seeds), or None."""
    by_dataset = _datasets(results)
    return by_dataset, [(era, {dataset: _best(found, era["models"])
                               for dataset, found in by_dataset.items()})
                        for era in read_eras()]


@table_kind()
def era_table(results: ExperimentResults) -> ResultTable:
    """Per era: what changed, its models run here, and on each dataset its best model's test
    error and how many of the errors of the best model of every earlier era it removes."""
    by_dataset, eras = era_bests(results)
    header = ["era", "what changed (the book)", "models run here"]
    for found in by_dataset.values():
        title = found.dataset_record.title
        header += [f"{title}: best (test error)", f"{title}: errors against the best before"]
    rows, best_before = [], {dataset: None for dataset in by_dataset}
    for era, bests in eras:
        present = sorted({found.run(label).model_display for found in by_dataset.values()
                          for label in found.labels if found.run(label).model in era["models"]})
        row = [f"{era['era']} ({era['years']}; book {era['section']})", era["what_changed"],
               ", ".join(present) or "none"]
        for dataset, best in bests.items():
            if best is None:
                row += ["not run", ""]
                continue
            name, error, seeds = best
            row.append(f"{name}: {100 * error:.2f} %" + (" (1 run)" if seeds == 1 else ""))
            before = best_before[dataset]
            if before is None:
                row.append("the first era")
            else:
                row.append(against_before(error, before))
            best_before[dataset] = error if before is None else min(before, error)
        rows.append(row)
    return ResultTable(
        "The eras in numbers", header, rows,
        ["The best model of an era is the best mean test accuracy over seeds among this "
         "experiment's runs of the era's models, on the book's recipe or the fair budget; "
         "\"the best before\" is the best of every earlier era. A difference of a few errors in "
         "10,000 is within the spread of seeds: the claims' verdicts, not this table, say which "
         "differences hold. Eras, what changed and which models stand for each: "
         "`mlhistory/reporting/references/eras.csv`."])
