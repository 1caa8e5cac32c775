"""Accuracy and its cost compared model by model, as points with their spread: accuracy beside
fit time, parameters against accuracy, the error one model removes from the others, the same
models on other representations and on other kinds of data."""

from pathlib import Path

import numpy as np

from ...results import ExperimentResults, mean_std
from ...results.curves import relative_error_reduction
from ...results.labels import run_label
from .axes import (
    SMALL,
    WIDE,
    WIDTH,
    accuracy_limits,
    format_seconds,
    label_accuracy_axis,
    label_without_overlap,
    plt,
    runs_note,
    seconds_log_axis,
    spread,
    title,
    wrap,
)
from .colours import FamilyLegend, color_of, family_color, family_of, legend_in_family_order, line_styles
from .readability import save
from .reading import accuracy_of, balanced_accuracies, model_name
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


@plot_kind(labels=("labels",))
def params_vs_accuracy(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Trainable parameters (log scale) against test accuracy: size is not what wins."""
    figure, axis = plt.subplots(figsize=(WIDTH, 6), layout="constrained")
    styles = line_styles(results, labels)
    points, accuracies = [], []
    for label in labels:
        rows = results.rows_of(label)
        values = [row["accuracy"] for row in rows]
        mean, std = mean_std(values)
        axis.errorbar(rows[0]["n_params"], mean, yerr=std if len(rows) > 1 else None, capsize=4,
                      color=styles[label]["color"], marker=styles[label]["marker"], markersize=8,
                      linestyle="")
        points.append((rows[0]["n_params"], mean, f"{results.display_name(label)}\n"
                       f"{rows[0]['n_params']:,} weights, {runs_note(len(rows))}"))
        accuracies += [mean - std, mean + std]
    axis.set_xscale("log")
    axis.set_xlabel("trainable parameters (log scale)")
    axis.set_xlim(axis.get_xlim()[0] / 2, axis.get_xlim()[1] * 8)
    axis.set_ylim(accuracy_limits(accuracies)[0], min(1.0, max(accuracies) + 0.02))
    label_accuracy_axis(axis, "y", "test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3)
    label_without_overlap(axis, points)
    figure.suptitle(title(results, "Parameters against accuracy"))
    save(figure, path)


def _quoted_reduction(results: ExperimentResults, better: str) -> tuple[str, float] | None:
    """The model and figure of the error reduction the book quotes for ``better``, as the
    experiment's claim saved it (None if it quotes none)."""
    for claim in results.manifest.claims:
        if claim.get("kind") == "error_reduction" and claim.get("better") == better \
                and claim.get("quoted") is not None:
            return claim["worse"], float(claim["quoted"])
    return None


@plot_kind(labels=("better",))
def error_reduction(results: ExperimentResults, path: Path, better: str) -> None:
    """How much of each other model's test error ``better`` removes (relative error reduction).

    The figure the book quotes is drawn on the one bar it is about, not across them all.
    """
    better_accuracy = mean_std(row["accuracy"] for row in results.rows_of(better))[0]
    others = [label for label in results.labels if label != better]
    reductions = [100 * relative_error_reduction(
        better_accuracy, mean_std(row["accuracy"] for row in results.rows_of(label))[0])
        for label in others]
    order = list(np.argsort(reductions))
    quoted = _quoted_reduction(results, better)
    figure, axis = plt.subplots(figsize=(WIDTH, 0.5 * len(others) + 2.2), layout="constrained")
    legend = FamilyLegend()
    for position, index in enumerate(order):
        label, reduction = others[index], reductions[index]
        family = family_of(results, label)
        axis.barh(position, reduction, height=0.6, color=family_color(family),
                  label=legend.label(family))
        marked = quoted is not None and label == quoted[0]
        # The bar the book's figure is drawn on carries its value inside, clear of the mark.
        inside = marked and reduction > 15
        axis.annotate(f"{reduction:.0f} %", (reduction, position), textcoords="offset points",
                      xytext=(-4 if inside or reduction < 0 else 4, 0), va="center",
                      fontsize=SMALL, ha="right" if inside or reduction < 0 else "left",
                      color="white" if inside else "black")
        if marked:
            axis.plot([100 * quoted[1]] * 2, [position - 0.45, position + 0.45], color="black",
                      linestyle="--", linewidth=1.5, label="_nolegend_")
            # Right of the mark, and of this bar's own value label.
            axis.annotate(f"the book: about {100 * quoted[1]:.0f} %\n(on MNIST, quoted)",
                          (100 * quoted[1], position),
                          textcoords="offset points", xytext=(6, 0), va="center", ha="left",
                          fontsize=SMALL, style="italic")
    axis.set_yticks(range(len(others)), [wrap(results.display_name(others[index]), 34)
                                         for index in order])
    axis.set_ylim(-0.6, len(others) - 0.4)
    axis.axvline(0, color="black", linewidth=0.8)
    low = min(min(reductions), 0)
    axis.set_xlim(low - 0.15 * (100 - low), 100)
    axis.set_xlabel(f"share of the model's test errors that {results.display_name(better)} "
                    "avoids, %")
    axis.grid(axis="x", alpha=0.3)
    legend_in_family_order(figure, axes=[axis], loc="outside lower center", ncols=4, fontsize=SMALL)
    figure.suptitle(title(results, f"Relative error reduction of {results.display_name(better)}"))
    save(figure, path)


# Some figures build the labels they read from their options, as the experiments label their
# runs: "rbf_svm on hog" (07). The experiment checks, when declared, that each label built from
# its options names one of its runs.
def _representation_labels(options: dict) -> list[str]:
    return [run_label(model, features) for model in options["models"]
            for features in options["representations"]]


@plot_kind(labels=_representation_labels)
def representation_grid(results: ExperimentResults, path: Path, models: list[str],
                        representations: list[str]) -> None:
    """Test accuracy of each shallow model on each representation of the same images, as points
    (mean ± std over seeds, each seed a small dot; "1 run" under a value run once)."""
    figure, axis = plt.subplots(figsize=(WIDTH, 6), layout="constrained")
    width = 0.7 / len(models)
    drawn, sizes = [], set()
    for index, model in enumerate(models):
        color = family_color(family_of(results, run_label(model, representations[0])))
        for position, features in enumerate(representations):
            mean, _, rows = accuracy_of(results, run_label(model, features))
            if not rows:
                continue
            x = position + (index - (len(models) - 1) / 2) * width
            spread(axis, x, [row["accuracy"] for row in rows], color, horizontal=False,
                   single_run_note=False,
                   label=model_name(results, model) if position == 0 else "_nolegend_")
            single = "\n(1 run)" if len(rows) == 1 else ""
            axis.annotate(f"{mean:.3f}{single}", (x, max(row["accuracy"] for row in rows)),
                          textcoords="offset points", xytext=(0, 7), ha="center", fontsize=SMALL)
            drawn += [row["accuracy"] for row in rows]
            sizes |= {row["n_train"] for row in rows}
    axis.set_ylim(accuracy_limits(drawn)[0], 1.0 + 0.1 * (1 - accuracy_limits(drawn)[0]))
    label_accuracy_axis(axis, "y", "test accuracy (mean ± std over seeds)")
    axis.set_xticks(range(len(representations)),
                    [wrap(_features_name(results, models[0], features), 16)
                     for features in representations])
    axis.set_xlabel(f"representation of the same images (trained on {max(sizes):,})")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(loc="upper left", ncols=len(models), fontsize=SMALL)
    figure.suptitle(title(results, "The same shallow models on engineered, projected and learned features"))
    save(figure, path)


def _features_name(results: ExperimentResults, model: str, features: str) -> str:
    """The display name of a representation, as the run's display name gives it."""
    display = results.display_name(run_label(model, features))
    return display.split(" on ", 1)[1] if " on " in display else "raw pixels"


@plot_kind(models=("models",))
def landscape(results: ExperimentResults, path: Path, models: list[str], imbalanced: list[str]) -> None:
    """One panel per kind of data: each model's accuracy on each dataset (mean ± std over
    seeds, as points); on imbalanced datasets its balanced accuracy too, as an open diamond."""
    datasets = results.run_datasets
    kinds = {"structured (tables)": [d for d in datasets if not results.datasets[d].is_image],
             "perceptual (images)": [d for d in datasets if results.datasets[d].is_image]}
    figure, axes = plt.subplots(1, 2, figsize=(WIDE, 6), sharey=True, layout="constrained",
                                gridspec_kw={"width_ratios": [max(len(v), 1) for v in kinds.values()]})
    width = 0.75 / len(models)
    drawn = []
    balanced_label = "balanced accuracy (open diamond; imbalanced data)"
    for axis, (kind, members) in zip(axes, kinds.items(), strict=True):
        for index, model in enumerate(models):
            for position, dataset in enumerate(members):
                label = results.label_for(model, dataset)
                if label is None or not results.rows_of(label):
                    continue
                rows = results.rows_of(label)
                color = color_of(results, label)
                x = position + (index - (len(models) - 1) / 2) * width
                values = [row["accuracy"] for row in rows]
                spread(axis, x, values, color, horizontal=False,
                       label=model_name(results, model))
                drawn += values
                if dataset in imbalanced:
                    balanced = balanced_accuracies(results, rows)
                    axis.plot([x, x], [np.mean(values), np.mean(balanced)], color=color,
                              linewidth=0.8, label="_nolegend_")
                    axis.plot(x, np.mean(balanced), marker="D", markersize=8, linestyle="",
                              markerfacecolor="white", color=color, label=balanced_label)
                    drawn += balanced
        sizes = [max(row["n_train"] for row in results.rows if row["dataset"] == dataset)
                 for dataset in members]
        axis.set_xticks(range(len(members)), [
            f"{dataset}\n({size:,} train)" + ("\nimbalanced" if dataset in imbalanced else "")
            for dataset, size in zip(members, sizes, strict=True)])
        axis.set_title(kind)
        axis.set_xlabel("dataset")
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylim(accuracy_limits(drawn, step=0.1)[0], 1.02)
    label_accuracy_axis(axes[0], "y", "test accuracy (mean ± std over seeds)")
    entries = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    figure.legend(list(entries.values()), list(entries), loc="outside lower center", ncols=3,
                  fontsize=SMALL)
    skipped = ", ".join(sorted({entry.dataset for entry in results.manifest.skipped}))
    note = f"\n(not available here: {skipped})" if skipped else ""
    figure.suptitle("Who wins where: the same models on structured and perceptual data" + note)
    save(figure, path)
