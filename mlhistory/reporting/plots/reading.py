"""What several figures read of an experiment's saved results the same way."""

from ...results import ExperimentResults, mean_std
from ...results.curves import balanced_accuracy


def accuracy_of(results: ExperimentResults, label: str) -> tuple[float, float, list[dict]]:
    rows = results.rows_of(label) if label in results.labels else []
    if not rows:
        return float("nan"), 0.0, rows
    mean, std = mean_std(row["accuracy"] for row in rows)
    return mean, std, rows


def model_name(results: ExperimentResults, model: str, among=()) -> str:
    """What readers call a model of the experiment, without the dataset or features a run's
    display name adds: "XGBoost (100 rounds)" for "XGBoost (100 rounds), letter". A model run in
    other configurations on other datasets (searched on the tables, on its fair budget on the
    images) is named by its family alone, "XGBoost (configured per dataset)": no one
    configuration's name would be true of every point. ``among``: only these labels' runs."""
    displays = list(dict.fromkeys(run.model_display for run in results.manifest.runs_of_model(model)
                                  if not among or run.label in among))
    if len(displays) == 1:
        return displays[0]
    return f"{displays[0].split(' (')[0].split(',')[0]} (configured per dataset)"


def balanced_accuracies(results: ExperimentResults, rows: list[dict]) -> list[float]:
    return [balanced_accuracy(results.artifacts(row)["confusion"]) for row in rows]


# How readers name the metrics a claim may compare (a row's column, or balanced accuracy).
METRIC_NAMES = {"accuracy": "accuracy", "macro_f1": "macro-F1",
                "balanced_accuracy": "balanced accuracy"}


def claims_metric(results: ExperimentResults) -> str | None:
    """The metric the experiment's saved claims compare ("macro_f1"), when they all name the
    same one; None when none names a metric or they differ."""
    named = {claim["metric"] for claim in results.manifest.claims if claim.get("metric")}
    return named.pop() if len(named) == 1 else None


def metric_values(results: ExperimentResults, rows: list[dict], metric: str) -> list[float]:
    """Each row's value of ``metric``: a saved column, or balanced accuracy from its confusion."""
    if metric == "balanced_accuracy":
        return balanced_accuracies(results, rows)
    return [row[metric] for row in rows]
