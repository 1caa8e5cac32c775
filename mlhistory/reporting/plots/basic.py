"""Figures of the first experiments: accuracy and time, confusion matrices, linear templates."""

from pathlib import Path

import numpy as np

from ...results import ExperimentResults, mean_std
from .style import DEEP_COLOR, SHALLOW_COLOR, format_seconds, plot_kind, plt, save, title


@plot_kind(labels=("labels",))
def accuracy_and_fit_time(results: ExperimentResults, path: Path, labels: list | None = None) -> None:
    """Test accuracy (mean ± std over seeds, each seed a dot) beside fit time on a log scale.

    Each run is shown at its largest training size; a run capped below the others' size
    says so in its label.
    """
    labels = labels or results.labels
    figure, (accuracy_axis, time_axis) = plt.subplots(
        1, 2, figsize=(11, 0.55 * len(labels) + 1.8), sharey=True)
    positions = np.arange(len(labels))
    largest = max(row["n_train"] for row in results.rows)
    tick_labels = []
    for position, label in zip(positions, labels, strict=True):
        rows = results.rows_of(label)
        color = DEEP_COLOR if results.family(label) == "deep" else SHALLOW_COLOR
        accuracies = [row["accuracy"] for row in rows]
        mean, std = mean_std(accuracies)
        accuracy_axis.barh(position, mean, xerr=std, color=color, alpha=0.8, capsize=3)
        accuracy_axis.scatter(accuracies, [position] * len(rows), color="black", s=10, zorder=3)
        accuracy_axis.text(mean + std + 0.005, position, f"{mean:.3f}", va="center", fontsize=9)
        fit_mean, fit_std = mean_std(row["fit_seconds"] for row in rows)
        time_axis.barh(position, fit_mean, xerr=fit_std, color=color, alpha=0.8, capsize=3)
        time_axis.text(fit_mean * 1.15, position, format_seconds(fit_mean), va="center", fontsize=9)
        seeds = f"{len(rows)} seed{'s' if len(rows) > 1 else ''}"
        capped = f", n_train={rows[0]['n_train']:,} only" if rows[0]["n_train"] < largest else ""
        tick_labels.append(f"{label}\n({seeds}{capped})")
    accuracy_axis.set_yticks(positions, tick_labels)
    accuracy_axis.invert_yaxis()
    low = min(row["accuracy"] for label in labels for row in results.rows_of(label))
    accuracy_axis.set_xlim(max(0.0, low - 0.1), 1.0)
    accuracy_axis.set_xlabel(f"test accuracy (n_train={largest:,}, n_test={results.rows[0]['n_test']:,})")
    time_axis.set_xscale("log")
    time_axis.set_xlabel("fit time, seconds (log scale)")
    time_axis.set_xlim(right=time_axis.get_xlim()[1] * 4)
    for axis in (accuracy_axis, time_axis):
        axis.grid(axis="x", alpha=0.3)
    handles = [plt.Rectangle((0, 0), 1, 1, color=color, alpha=0.8)
               for color in (SHALLOW_COLOR, DEEP_COLOR)]
    figure.legend(handles, ["shallow", "deep (Keras)"], loc="lower center", ncols=2,
                  bbox_to_anchor=(0.5, -0.06), frameon=False)
    figure.suptitle(title(results, "Accuracy and fit time per model"))
    save(figure, path)


@plot_kind(labels=("models",))  # each a run's label
def confusion_matrices(results: ExperimentResults, path: Path, models: list[str]) -> None:
    """Row-normalised confusion matrices (seed 0 of each model): where each model errs."""
    class_names = results.manifest["dataset"]["class_names"]
    figure, axes = plt.subplots(1, len(models), figsize=(4.8 * len(models), 5.2),
                                layout="constrained")
    for index, (axis, model) in enumerate(zip(np.atleast_1d(axes), models, strict=True)):
        row = results.rows_of(model)[0]
        counts = results.artifacts(row)["confusion"].astype(float)
        rates = counts / counts.sum(axis=1, keepdims=True)
        axis.imshow(rates, cmap="Blues", vmin=0, vmax=1)
        for (true, predicted), rate in np.ndenumerate(rates):
            if rate >= 0.01:
                axis.text(predicted, true, f"{100 * rate:.0f}", ha="center", va="center",
                          fontsize=6.5, color="white" if rate > 0.5 else "black")
        ticks = np.arange(len(class_names))
        axis.set_xticks(ticks, class_names, rotation=90, fontsize=7)
        axis.set_yticks(ticks, class_names if index == 0 else [], fontsize=7)
        axis.set_xlabel("predicted")
        if index == 0:
            axis.set_ylabel("true")
        axis.set_title(f"{model}: accuracy {row['accuracy']:.3f}")
    figure.suptitle(title(results, "Confusion matrices, % of each true class"))
    save(figure, path)


@plot_kind(labels=("model",))  # a run's label
def class_templates(results: ExperimentResults, path: Path, model: str) -> None:
    """A linear model's weights, one image per class: the 'template' each class is matched to."""
    class_names = results.manifest["dataset"]["class_names"]
    input_shape = results.manifest["dataset"]["input_shape"]
    row = results.rows_of(model)[0]
    weights = results.artifacts(row)["coef"]
    # A few edge pixels that are almost always blank get extreme weights; clipping the colour
    # scale at the 99th percentile keeps the rest of the pattern visible.
    limit = np.percentile(np.abs(weights), 99)
    columns = 5
    figure, axes = plt.subplots(int(np.ceil(len(class_names) / columns)), columns,
                                figsize=(2.2 * columns, 5.0), layout="constrained")
    for axis, name, class_weights in zip(axes.flat, class_names, weights, strict=False):
        image = axis.imshow(class_weights.reshape(input_shape), cmap="RdBu_r",
                            vmin=-limit, vmax=limit)
        axis.set_title(name, fontsize=9)
        axis.axis("off")
    figure.colorbar(image, ax=axes, shrink=0.8, extend="both",
                    label="weight on the standardised pixel (scale clipped at the 99th percentile)")
    figure.suptitle(title(results, f"{model} weights as class templates "
                                    "(red: more ink than average here votes for the class)"))
    save(figure, path)
