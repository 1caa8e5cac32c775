"""Grids and images: confusion matrices, a linear model's weights as class templates, and who
wins on which dataset."""

from pathlib import Path

import numpy as np

from ...results import ExperimentResults
from .axes import SMALL, WIDTH, plt, title, wrap
from .readability import save
from .reading import balanced_accuracies, model_name
from .registry import plot_kind


@plot_kind(labels=("models",))  # each a run's label
def confusion_matrices(results: ExperimentResults, path: Path, models: list[str]) -> None:
    """Row-normalised confusion matrices (seed 0 of each model): where each model errs."""
    class_names = results.dataset_record.class_names
    columns = min(len(models), 2)
    grid_rows = -(-len(models) // columns)
    figure, axes = plt.subplots(grid_rows, columns, figsize=(WIDTH, 5.0 * grid_rows + 0.8),
                                squeeze=False, layout="constrained")
    ticks = np.arange(len(class_names))
    for index, (axis, model) in enumerate(zip(axes.flat, models, strict=False)):
        row = results.rows_of(model)[0]
        counts = results.artifacts(row)["confusion"].astype(float)
        percents = 100 * counts / counts.sum(axis=1, keepdims=True)
        image = axis.imshow(percents, cmap="Blues", vmin=0, vmax=100)
        for (true, predicted), percent in np.ndenumerate(percents):
            if percent >= 1:
                axis.text(predicted, true, f"{percent:.0f}", ha="center", va="center",
                          fontsize=SMALL, color="white" if percent > 50 else "black")
        first_column = index % columns == 0
        axis.set_xticks(ticks, class_names, rotation=90, fontsize=SMALL)
        axis.set_yticks(ticks, class_names if first_column else [], fontsize=SMALL)
        axis.set_xlabel("predicted class")
        axis.set_ylabel("true class" if first_column else "")
        axis.set_title(f"{wrap(results.display_name(model), 40)}\naccuracy {row['accuracy']:.3f} "
                       f"(seed {row['seed']})", fontsize=11)
    for axis in axes.flat[len(models):]:
        axis.axis("off")
    figure.colorbar(image, ax=axes, shrink=0.6, label="% of the true class (each row sums to 100)")
    figure.suptitle(title(results, "Confusion matrices: % of each true class predicted as each class"))
    save(figure, path)


@plot_kind(labels=("model",))  # a run's label
def class_templates(results: ExperimentResults, path: Path, model: str) -> None:
    """A linear model's weights, one image per class: the 'template' each class is matched to."""
    class_names = results.dataset_record.class_names
    input_shape = results.dataset_record.input_shape
    row = results.rows_of(model)[0]
    weights = results.artifacts(row)["coef"]
    # A few edge pixels that are almost always blank get extreme weights; clipping the colour
    # scale at the 99th percentile keeps the rest of the pattern visible.
    limit = np.percentile(np.abs(weights), 99)
    columns = 5
    figure, axes = plt.subplots(int(np.ceil(len(class_names) / columns)), columns,
                                figsize=(WIDTH, 5.4), layout="constrained")
    for axis, name, class_weights in zip(axes.flat, class_names, weights, strict=False):
        image = axis.imshow(class_weights.reshape(input_shape), cmap="RdBu_r",
                            vmin=-limit, vmax=limit)
        axis.set_title(name, fontsize=10)
        axis.axis("off")
    figure.colorbar(image, ax=axes, shrink=0.8, extend="both",
                    label="weight on the standardised pixel (scale clipped at the 99th percentile)")
    figure.suptitle(title(results, f"{results.display_name(model)}: weights as class templates\n"
                                    "(red: more ink than average here votes for the class)"))
    save(figure, path)


@plot_kind(models=("models",))
def who_wins_grid(results: ExperimentResults, path: Path, models: list[str],
                  imbalanced: list[str] = ()) -> None:
    """Datasets x models: each cell's gap to the best model on that dataset, winner marked.

    On an imbalanced dataset the comparison uses balanced accuracy (mean recall over classes),
    so "best" there is the best balanced accuracy, and the row says so.
    """
    datasets = results.run_datasets
    gaps = np.full((len(datasets), len(models)), np.nan)
    scores = np.full_like(gaps, np.nan)
    runs = np.zeros_like(gaps, dtype=int)
    for row_index, dataset in enumerate(datasets):
        for column, model in enumerate(models):
            label = results.label_for(model, dataset)
            if label is not None and results.rows_of(label):
                rows = results.rows_of(label)
                values = (balanced_accuracies(results, rows) if dataset in imbalanced
                          else [row["accuracy"] for row in rows])
                scores[row_index, column] = np.mean(values)
                runs[row_index, column] = len(rows)
        gaps[row_index] = 100 * (scores[row_index] - np.nanmax(scores[row_index]))
    figure, axis = plt.subplots(figsize=(WIDTH, 0.75 * len(datasets) + 2.4), layout="constrained")
    image = axis.imshow(np.maximum(gaps, -10), cmap="RdYlGn", vmin=-10, vmax=0, aspect="auto")
    for (row_index, column), gap in np.ndenumerate(gaps):
        if np.isnan(gap):
            declared = results.label_for(models[column], datasets[row_index]) is not None
            axis.text(column, row_index, "not run" if declared else "n/a", ha="center",
                      va="center", fontsize=SMALL, color="gray")
            continue
        text = "best\n" if gap == 0 else f"{gap:+.1f}\n".replace("-0.0", "0.0")
        single = "\n(n = 1 run)" if runs[row_index, column] == 1 else ""
        axis.text(column, row_index, text + f"{scores[row_index, column]:.3f}" + single,
                  ha="center", va="center", fontsize=SMALL,
                  fontweight="bold" if gap == 0 else "normal")
    rows_shown = [f"{dataset} ({'images' if results.datasets[dataset].is_image else 'table'})"
                  + ("\nbalanced accuracy" if dataset in imbalanced else "\naccuracy")
                  for dataset in datasets]
    axis.set_yticks(range(len(datasets)), rows_shown)
    axis.set_xticks(range(len(models)), [wrap(model_name(results, model), 14) for model in models])
    axis.set_xlabel("model")
    axis.set_ylabel("dataset (and the metric compared)")
    figure.colorbar(image, ax=axis, label="points behind the best model\n(mean over seeds; "
                                          "capped at -10)")
    figure.suptitle("Who wins where: gap to the best model on each dataset, by the metric "
                    "that fits the data")
    save(figure, path)
