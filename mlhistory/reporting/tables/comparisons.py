"""Tables that compare labelled runs: model x representation, crossover sizes, who wins where."""

import csv

from ...paths import REFERENCES_DIR
from ...results import ExperimentResults, mean_std
from ...results.curves import balanced_accuracy, crossover_size, size_curve
from ...results.labels import run_label
from .registry import ResultTable, table_kind

LANDSCAPE_FILE = REFERENCES_DIR / "landscape.csv"
# The features of a run that takes the data as it comes: an image's pixels, a table's columns.
RAW_INPUTS = ("pixels", "columns")


def _cell(rows: list[dict], metric: str = "accuracy") -> str:
    if not rows:
        return "not run"
    mean, std = mean_std(row[metric] for row in rows)
    seeds = f", {len(rows)} seeds" if len(rows) > 1 else ""
    return f"{mean:.4f} ± {std:.4f}{seeds}"


def _model_name(results: ExperimentResults, model: str) -> str:
    """What readers call a model in a table that spans several of its runs: the display name
    of its run on the experiment's own dataset and raw inputs, else of another of its runs
    without the dataset that run's name ends with ("MLP (early stopping), letter")."""
    runs = sorted((run for run in results.manifest.runs if run.model == model),
                  key=lambda run: (run.dataset != results.dataset,
                                   run.features not in RAW_INPUTS))
    if not runs:
        return model
    return runs[0].display_without_dataset


def _representation_labels(options: dict) -> list[str]:
    """The runs the representation table reads: each model on each representation."""
    return [run_label(model, features) for model in options["models"]
            for features in options["representations"]]


@table_kind(labels=_representation_labels)
def representation_table(results: ExperimentResults, models: list[str],
                         representations: list[str]) -> ResultTable:
    """Model x representation: test accuracy, with each run's training size."""
    rows, net_seconds = [], {}
    for model in models:
        cells = [_model_name(results, model)]
        for features in representations:
            label = run_label(model, features)
            found = results.rows_of(label) if label in results.labels else []
            cells.append(_cell(found) + (f" (n={found[0]['n_train']:,})" if found else ""))
            for row in found:
                saved = results.artifacts(row)
                if "feature_net_seconds" in saved:
                    net_seconds[(row["n_train"], row["seed"])] = float(saved["feature_net_seconds"])
        rows.append(cells)
    notes = ["Engineered: ink_profiles (the book's pixel histograms) and hog. convnet_features: "
             "the book's convnet trained on the same training images (per seed, shared by the "
             "shallow models of that seed and size), its last layer before the softmax."]
    for size in sorted({size for size, _ in net_seconds}):
        seconds = [value for (n, _), value in net_seconds.items() if n == size]
        notes.append(f"Training the feature net on {size:,} images took {mean_std(seconds)[0]:.0f} s "
                     f"(mean over {len(seconds)} seeds); that time is not in the shallow models' "
                     "fit times.")
    return ResultTable("Test accuracy by model and representation", ["model", *representations],
                       rows, notes)


@table_kind(labels=("deep", "shallow"))
def crossover_table(results: ExperimentResults, deep: list[str], shallow: list[str]) -> ResultTable:
    """For each deep net and shallow model: the training size from which the net stays ahead."""
    rows = []
    for net in deep:
        for model in shallow:
            net_sizes, net_means, _ = size_curve(results, net, "accuracy")
            sizes, means, _ = size_curve(results, model, "accuracy")
            shared = sorted(set(net_sizes) & set(sizes))
            net_at = [net_means[net_sizes.index(size)] for size in shared]
            model_at = [means[sizes.index(size)] for size in shared]
            crossing = crossover_size(shared, net_at, model_at)
            if crossing is None:
                verdict = f"never, up to {shared[-1]:,}" if shared else "no shared sizes"
            elif crossing == shared[0]:
                verdict = f"ahead at every size from {crossing:,}"
            else:
                verdict = f"from {crossing:,}"
            gaps = ", ".join(f"{size:,}: {100 * (a - b):+.1f}"
                             for size, a, b in zip(shared, net_at, model_at, strict=True))
            rows.append([results.display_name(net), results.display_name(model), verdict, gaps])
    return ResultTable("Where the deep nets overtake each shallow model",
                       ["deep net", "shallow model", "deep net ahead (mean over seeds)",
                        "gap in points by training size"], rows,
                       ["Sizes are compared where both were run; the RBF SVM stops at its cap."])


@table_kind(models=("models",))
def who_wins_where(results: ExperimentResults, models: list[str]) -> ResultTable:
    """Per dataset: each model's accuracy, the winner and its margin over the runner-up."""
    rows = []
    for dataset in results.run_datasets:
        labels = {model: results.label_for(model, dataset) for model in models}
        labels = {model: label for model, label in labels.items() if label is not None}
        if not labels:
            continue
        means = {}
        cells = [dataset]
        for model in models:
            found = results.rows_of(labels[model]) if model in labels else []
            cells.append(_cell(found) if model in labels else "-")
            if found:
                means[model] = mean_std(row["accuracy"] for row in found)[0]
        ranked = sorted(means, key=means.get, reverse=True)
        margin = 100 * (means[ranked[0]] - means[ranked[1]]) if len(ranked) > 1 else 0.0
        winner_rows = results.rows_of(labels[ranked[0]])
        balanced = mean_std(balanced_accuracy(results.artifacts(row)["confusion"])
                            for row in winner_rows)[0]
        size = max(row["n_train"] for row in results.rows if row["dataset"] == dataset)
        rows.append(cells + [results.display_name(labels[ranked[0]]), f"{margin:.2f}",
                             f"{balanced:.4f}", f"{size:,}"])
    skipped = sorted({entry.dataset for entry in results.manifest.skipped})
    notes = [f"Not available on this machine, so not in the table: {', '.join(skipped)} (the "
             "reason is under \"What each model got\")."] if skipped else []
    names = [_model_name(results, model) for model in models]
    return ResultTable("Who wins where", ["dataset", *names, "best", "margin over the next (points)",
                                          "best's balanced accuracy", "n_train"], rows, notes)


@table_kind()
def quoted_landscape(results: ExperimentResults) -> ResultTable:
    """Published statements about the landscape, quoted for context (not measured here)."""
    with open(LANDSCAPE_FILE, newline="") as handle:
        quoted = list(csv.DictReader(handle))
    return ResultTable("Context, quoted (not measured here)", ["finding", "source"],
                       [[row["finding"], row["source"]] for row in quoted])
