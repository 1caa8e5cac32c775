"""Figures of the first experiments: accuracy and time, confusion matrices, linear templates."""

from pathlib import Path

import numpy as np

from ...results import ExperimentResults
from .axes import (
    SMALL,
    WIDE,
    WIDTH,
    accuracy_limits,
    format_seconds,
    label_accuracy_axis,
    plt,
    seconds_log_axis,
    spread,
    title,
    wrap,
)
from .colours import FamilyLegend, family_color, family_of, legend_in_family_order
from .readability import save
from .registry import plot_kind


@plot_kind(labels=("labels",))
def accuracy_and_fit_time(results: ExperimentResults, path: Path, labels: list | None = None) -> None:
    """Test accuracy beside fit time (log scale), one row per model, coloured by family.

    Both panels draw points, never bars: a bar's length would mean nothing on a truncated
    accuracy axis or from a log axis' arbitrary start. Each seed is a small dot, the mean a
    large one with ± one std; a model run once says "n = 1 run". Each run is shown at its
    largest training size; a run capped below the others' size says so in its name.
    """
    labels = labels or results.labels
    figure, (accuracy_axis, time_axis) = plt.subplots(
        1, 2, figsize=(WIDE, 0.62 * len(labels) + 2.0), sharey=True, layout="constrained",
        gridspec_kw={"width_ratios": [1.3, 1]})
    largest = max(row["n_train"] for row in results.rows)
    legend, names, accuracies, seconds = FamilyLegend(), [], [], []
    for position, label in enumerate(labels):
        rows = results.rows_of(label)
        family = family_of(results, label)
        color = family_color(family)
        values = [row["accuracy"] for row in rows]
        spread(accuracy_axis, position, values, color, label=legend.label(family))
        accuracy_axis.annotate(f"{np.mean(values):.3f}", (max(values), position), fontsize=SMALL,
                               textcoords="offset points", xytext=(8, 0), va="center")
        fit_seconds = [row["fit_seconds"] for row in rows]
        spread(time_axis, position, fit_seconds, color)
        time_axis.annotate(format_seconds(np.mean(fit_seconds)), (max(fit_seconds), position),
                           fontsize=SMALL, textcoords="offset points", xytext=(8, 0), va="center")
        capped = f", {rows[0]['n_train']:,} images only" if rows[0]["n_train"] < largest else ""
        names.append(wrap(results.display_name(label) + capped, 30))
        accuracies += values
        seconds += fit_seconds
    accuracy_axis.set_yticks(range(len(labels)), names)
    accuracy_axis.set_ylim(len(labels) - 0.5, -0.6)
    accuracy_axis.set_xlim(accuracy_limits(accuracies)[0], 1.0)
    accuracy_axis.set_xlim(right=1.0 + 0.08 * (1.0 - accuracy_axis.get_xlim()[0]))
    label_accuracy_axis(accuracy_axis, "x", f"test accuracy ({results.rows[0]['n_test']:,} test "
                                            f"images; trained on {largest:,})")
    seconds_log_axis(time_axis, "x", seconds)
    time_axis.set_xlim(right=time_axis.get_xlim()[1] * 3)
    time_axis.set_xlabel("fit time (log scale)")
    for axis in (accuracy_axis, time_axis):
        axis.grid(axis="x", alpha=0.3)
    legend_in_family_order(figure, axes=[accuracy_axis], loc="outside lower center",
                           ncols=min(len(legend.seen), 4))
    figure.suptitle(title(results, "Accuracy and fit time per model (small dots: seeds; "
                                   "bars: ± one std)"))
    save(figure, path)


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
