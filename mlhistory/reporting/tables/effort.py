"""What each family's search cost and chose (``mlhistory tune``), read from the saved tuning
files of the results set (``results/tuning.py``) and the experiment's tuned runs."""

from pathlib import Path

from ...results import ExperimentResults, mean_std
from ...results.tuning import (
    choice_seconds,
    choice_seeds,
    read_chosen,
    read_trials,
    trials_path,
    tuned_datasets,
)
from .registry import ResultTable, table_kind

EFFORT_HEADER = ["family", "dataset", "search space", "trials (pruned)", "chosen configuration",
                 "validation accuracy", "the recipe's", "compared on", "search cost", "final fit"]
TRIALS_HEADER = ["trial", "state", "validation accuracy", "images reached", "cost", "configuration"]


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def space_text(space: dict) -> str:
    """``{"C": ["log_float", 0.1, 1000]}`` as "C: 0.1 to 1000 (log)"."""
    parts = []
    for param, declared in space.items():
        kind, *bounds = declared
        if kind == "categorical":
            parts.append(f"{param}: {' | '.join(_number(choice) for choice in bounds[0])}")
        else:
            scale = " (log)" if kind.startswith("log") else ""
            parts.append(f"{param}: {_number(bounds[0])} to {_number(bounds[1])}{scale}")
    return "; ".join(parts)


def params_text(params: dict) -> str:
    return ", ".join(f"{name}={_number(value)}" for name, value in sorted(params.items()))


def _seconds(value: float) -> str:
    return f"{value:,.1f} s" if value < 600 else f"{value / 60:,.1f} min"


def seeds_text(seeds: list[int]) -> str:
    return ("seed " if len(seeds) == 1 else "seeds ") + ", ".join(str(seed) for seed in seeds)


def effort_rows(results_dir: Path, datasets: list[str] | None = None,
                final_fits: dict[tuple[str, str], list[float]] | None = None) -> list[list[str]]:
    """One row per family and dataset that has a chosen configuration saved."""
    rows = []
    for dataset in datasets or tuned_datasets(results_dir):
        for model, chosen in read_chosen(results_dir, dataset).items():
            fits = (final_fits or {}).get((dataset, model))
            final = (f"{_seconds(mean_std(fits)[0])} per seed ({len(fits)})" if fits
                     else "not run here")
            configuration = (params_text(chosen["refit_params"]) if chosen["chose"] == "search"
                             else f"the recipe (the best trial did not beat it beyond its noise; trial "
                                  f"{chosen['best_trial']}: "
                                  f"{chosen['best_trial_validation_accuracy']:.4f})")
            rows.append([model, dataset, space_text(chosen["search_space"]),
                         f"{chosen['trials']} ({chosen['pruned']} pruned)", configuration,
                         f"{chosen['validation_accuracy']:.4f}",
                         f"{chosen['recipe']['validation_accuracy']:.4f}",
                         seeds_text(choice_seeds(chosen)),
                         _seconds(chosen["search_seconds"] + choice_seconds(chosen)), final])
    return rows


def effort_notes(results_dir: Path, datasets: list[str]) -> list[str]:
    """What every search shared, then each method a saved choice names, with its families: the
    choice rule changed twice while the searches were run, and a record says the one it used."""
    records = [(dataset, model, chosen) for dataset in datasets
               for model, chosen in read_chosen(results_dir, dataset).items()]
    sizes = {(chosen["n_fit"], chosen["n_validation"], tuple(chosen["rungs"]))
             for _, _, chosen in records}
    sized = "; ".join(f"{fit:,} training and {held:,} validation images, rungs of "
                      f"{', '.join(f'{rung:,}' for rung in rungs)} images"
                      for fit, held, rungs in sorted(sizes))
    by_method: dict[str, list[str]] = {}
    for dataset, model, chosen in records:
        by_method.setdefault(chosen["method"], []).append(f"{model} ({dataset})")
    methods = [f"Searched and chosen by: {method}. Families: {', '.join(families)}."
               for method, families in sorted(by_method.items(), key=lambda item: -len(item[1]))]
    return [f"Every family searched the same number of configurations on the seeded, stratified "
            f"validation split of the training images (the test split never read): {sized}. "
            "The recipe (the family's defaults: the book's, the period's or the library's) is "
            "scored on the same split and kept unless the best trial beats it by more than one "
            "standard error of the best trial's validation accuracy (the one-standard-error "
            "rule): the best of many configurations on one split flatters itself. Every saved "
            "choice, including those recorded under an earlier rule, is the one this rule makes "
            "from its recorded means (a test re-checks it). The validation accuracies are the "
            "means over the seeds the two were compared on: a stochastic family's are fresh "
            "seeds, refitted for the comparison (the best trial's own seed made it the best of "
            "all); a stochastic family compared on seed 0 alone was chosen before that rule. A "
            "pruned trial stopped at a smaller rung. The search cost is the fit and predict time "
            "of all its trials and of the refits that compared the best with the recipe; the "
            "final fit refits the chosen configuration on all the training images, for the "
            "epochs or rounds the validation chose. Every trial is in "
            "results/tuning/<dataset>/<family>/trials.csv.", *methods]


@table_kind()
def search_effort(results: ExperimentResults) -> ResultTable:
    """Per family and dataset: the search space, trials run and pruned, the chosen
    configuration, what the search cost and what the experiment's final fit of it cost."""
    results_dir = results.folder.parent.parent
    final_fits: dict[tuple[str, str], list[float]] = {}
    for run in results.manifest.runs:
        if run.tuned and run.label in results.labels:
            seconds = [row["fit_seconds"] for row in results.rows_of(run.label)]
            final_fits.setdefault((run.dataset, run.model), []).extend(seconds)
    datasets = [dataset for dataset in results.run_datasets if read_chosen(results_dir, dataset)]
    rows = effort_rows(results_dir, datasets, final_fits)
    notes = effort_notes(results_dir, datasets) if rows else [
        "No search has been saved for these datasets: run `make tune`."]
    return ResultTable(title="Search effort per family", header=EFFORT_HEADER, rows=rows,
                       notes=notes)


def trials_table(results_dir: Path, dataset: str, model: str) -> ResultTable:
    """Every trial of one family's search, in the order they were asked."""
    rows = [[str(trial["trial"]), trial["state"],
             "" if trial["validation_accuracy"] is None else f"{trial['validation_accuracy']:.4f}",
             "" if trial["n_train_reached"] is None else f"{trial['n_train_reached']:,}",
             _seconds(trial["cost_seconds"]), params_text(trial["params"])]
            for trial in read_trials(results_dir, dataset, model)]
    return ResultTable(title=f"Trials of {model} on {dataset}", header=TRIALS_HEADER, rows=rows,
                       notes=[f"From {trials_path(results_dir, dataset, model)}."])
