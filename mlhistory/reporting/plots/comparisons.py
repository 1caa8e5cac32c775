"""Accuracy and its cost compared model by model, as points with their spread: accuracy beside
fit time, parameters against accuracy, the error one model removes from the others, the same
models on other representations, on other kinds of data, and on the other image dataset."""

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from ...results import ExperimentResults, mean_std
from ...results.curves import relative_error_reduction
from ...results.labels import run_label
from .axes import (
    SMALL,
    WIDE,
    WIDTH,
    accuracy_limits,
    accuracy_split,
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
from .colours import FamilyLegend, family_color, family_of, legend_in_family_order, line_styles, member_style
from .readability import save
from .reading import METRIC_NAMES, accuracy_of, claims_metric, metric_values, model_name
from .registry import plot_kind


@plot_kind(labels=("labels",))
def accuracy_and_fit_time(results: ExperimentResults, path: Path, labels: list | None = None,
                          references: list | None = None, time_bound: float | None = None) -> None:
    """Test accuracy beside fit time (log scale), one row per model, coloured by family.

    Both panels draw points, never bars: a bar's length would mean nothing on a truncated
    accuracy axis or from a log axis' arbitrary start. Each seed is a small dot, the mean a
    large one with ± one std; a model run once says "n = 1 run". Each run is shown at its
    largest training size; a run capped below the others' size says so in its name. Where a
    few models lie far below the rest (naive Bayes, say), the accuracy axis is broken in two
    (``axes.accuracy_split``), each part marked where it is cut, so the crowded top gets most
    of the width. ``references`` (dataset, accuracy, source) that a claim compares with are
    drawn on their dataset as dashed lines, named; so is ``time_bound``, a fit time in seconds
    that a claim holds the runs against (experiment 10's hour), on the fit-time panel.
    """
    labels = labels or results.labels
    means = {label: np.mean([row["accuracy"] for row in results.rows_of(label)]) for label in labels}
    split = accuracy_split(list(means.values()))
    columns = 3 if split is not None else 2
    figure, panels = plt.subplots(
        1, columns, figsize=(WIDE, 0.62 * len(labels) + 2.2), sharey=True, layout="constrained",
        gridspec_kw={"width_ratios": [0.38, 1.05, 1] if split is not None else [1.3, 1]})
    *accuracy_panels, time_axis = panels
    low_axis, accuracy_axis = (accuracy_panels if split is not None else (None, accuracy_panels[0]))
    largest = max(row["n_train"] for row in results.rows)
    legend, names, accuracies, lows, seconds = FamilyLegend(), [], [], [], []
    for position, label in enumerate(labels):
        rows = results.rows_of(label)
        family = family_of(results, label)
        color = family_color(family)
        values = [row["accuracy"] for row in rows]
        below = split is not None and means[label] < split
        axis = low_axis if below else accuracy_axis
        spread(axis, position, values, color, label=legend.label(family))
        # In the narrow lower part the value goes above its point, the run note below it.
        axis.annotate(f"{np.mean(values):.3f}", (np.mean(values), position) if below else
                      (max(values), position), fontsize=SMALL, textcoords="offset points",
                      xytext=(0, 11) if below else (8, 0), va="center",
                      ha="center" if below else "left")
        fit_seconds = [row["fit_seconds"] for row in rows]
        spread(time_axis, position, fit_seconds, color)
        time_axis.annotate(format_seconds(np.mean(fit_seconds)), (max(fit_seconds), position),
                           fontsize=SMALL, textcoords="offset points", xytext=(8, 0), va="center")
        capped = f", {rows[0]['n_train']:,} images only" if rows[0]["n_train"] < largest else ""
        names.append(wrap(results.display_name(label) + capped, 30))
        (lows if below else accuracies).extend(values)
        seconds += fit_seconds
    first = low_axis if split is not None else accuracy_axis
    first.set_yticks(range(len(labels)), names)
    first.set_ylim(len(labels) - 0.5, -0.6)
    start = accuracy_limits(accuracies, step=0.05 if split is None else 0.01)[0]
    # Up to 1, or short of it when every model is far below: the crowd gets the width.
    end = min(1.0, max(accuracies) + 0.25 * (max(accuracies) - start))
    accuracy_axis.set_xlim(start, end + 0.1 * (end - start))
    what = f"test accuracy ({results.rows[0]['n_test']:,} test images; trained on {largest:,})"
    if split is not None:
        what = what.replace(" (", "\n(")
    if split is not None:
        low_start = accuracy_limits(lows)[0]
        low_axis.set_xlim(low_start, max(lows) + 0.35 * (max(lows) - low_start) + 0.01)
        low_axis.xaxis.set_major_locator(MaxNLocator(2))
        label_accuracy_axis(low_axis, "x", "accuracy")  # draws its cut's mark
        low_axis.set_xlabel(f"the lowest models\n(from {low_start:.3g})")
        what = what.replace(")", ";\naxis broken: the lowest models on its left)")
    label_accuracy_axis(accuracy_axis, "x", what)
    for dataset, accuracy, source in references or ():
        if dataset == results.dataset:
            accuracy_axis.axvline(accuracy, color="0.35", linestyle="--", linewidth=1)
            accuracy_axis.annotate(wrap(source.split(",")[0], 18), (accuracy, 0),
                                   xycoords=("data", "axes fraction"), textcoords="offset points",
                                   xytext=(-4, 4), ha="right", va="bottom", fontsize=SMALL,
                                   color="0.35")
    if time_bound is not None:
        seconds.append(time_bound)  # the axis reaches the bound
    seconds_log_axis(time_axis, "x", seconds)
    time_axis.set_xlim(right=time_axis.get_xlim()[1] * 3)
    if time_bound is not None:
        time_axis.axvline(time_bound, color="0.35", linestyle="--", linewidth=1)
        # Named at the top, clear of the runs' own labels beside their points.
        time_axis.annotate(f"the claim's bound:\n{format_seconds(time_bound)}", (time_bound, 1),
                           xycoords=("data", "axes fraction"), textcoords="offset points",
                           xytext=(-4, -4), ha="right", va="top", fontsize=SMALL, color="0.35")
    time_axis.set_xlabel("fit time (log scale)")
    for axis in panels:
        axis.grid(axis="x", alpha=0.3)
    legend_in_family_order(figure, axes=accuracy_panels, loc="outside lower center",
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

    The bar the book's quoted figure is about comes first, outlined, with the figure drawn on
    it; the others follow, largest first. Each bar is the reduction between the two means;
    where either model ran several seeds, a whisker spans the reductions of every pairing of
    a seed of one with a seed of the other.
    """
    better_values = [row["accuracy"] for row in results.rows_of(better)]
    better_accuracy = mean_std(better_values)[0]
    others = [label for label in results.labels if label != better]
    quoted = _quoted_reduction(results, better)
    reductions, ranges = {}, {}
    for label in others:
        values = [row["accuracy"] for row in results.rows_of(label)]
        reductions[label] = 100 * relative_error_reduction(better_accuracy, mean_std(values)[0])
        pairs = [100 * relative_error_reduction(mine, theirs)
                 for mine in better_values for theirs in values]
        if len(pairs) > 1:
            ranges[label] = (min(pairs), max(pairs))
    claimed = quoted[0] if quoted is not None and quoted[0] in reductions else None
    ordered = sorted((label for label in others if label != claimed), key=lambda label: -reductions[label])
    # The claim's bar on top, a gap, then the rest.
    positions = {**({claimed: 0.0} if claimed else {}),
                 **{label: index + (1.6 if claimed else 0.0) for index, label in enumerate(ordered)}}
    figure, axis = plt.subplots(figsize=(WIDTH, 0.5 * len(others) + 2.6), layout="constrained")
    legend = FamilyLegend()
    for label, position in positions.items():
        reduction = reductions[label]
        family = family_of(results, label)
        marked = label == claimed
        axis.barh(position, reduction, height=0.6, color=family_color(family),
                  label=legend.label(family))
        if marked:  # outlined apart, so the legend's swatch stays plain
            axis.barh(position, reduction, height=0.6, fill=False, edgecolor="black",
                      linewidth=2, label="_nolegend_")
        low, high = ranges.get(label, (reduction, reduction))
        if label in ranges:
            axis.plot([low, high], [position, position], color="black", linewidth=1.2,
                      label="_nolegend_")
            axis.plot([low, high], [position, position], linestyle="", marker="|",
                      markersize=8, color="black", label="_nolegend_")
        # The bar the book's figure is drawn on carries its value inside, at its start, clear
        # of the mark and the whisker.
        inside = marked and reduction > 15
        end = low if reduction < 0 else (0 if inside else high)
        axis.annotate(f"{reduction:.0f} %", (end, position), textcoords="offset points",
                      xytext=(-4 if reduction < 0 else 4, 0), va="center", fontsize=SMALL,
                      ha="right" if reduction < 0 else "left",
                      color="white" if inside else "black", fontweight="bold" if inside else None)
        if marked:
            axis.plot([100 * quoted[1]] * 2, [position - 0.45, position + 0.45], color="black",
                      linestyle="--", linewidth=1.5, label="_nolegend_")
            # Right of the mark, clear of this bar's whisker.
            axis.annotate(f"the book: about {100 * quoted[1]:.0f} %\n(on MNIST, quoted)",
                          (max(100 * quoted[1], high), position),
                          textcoords="offset points", xytext=(6, 0), va="center", ha="left",
                          fontsize=SMALL, style="italic")
    names = {label: wrap(results.display_name(label), 34) for label in positions}
    if claimed:
        names[claimed] = f"{names[claimed]}\n(the book's claim)"
    axis.set_yticks(list(positions.values()), [names[label] for label in positions])
    if claimed:
        axis.get_yticklabels()[0].set_fontweight("bold")
    axis.set_ylim(max(positions.values()) + 0.6, -0.6)
    axis.axvline(0, color="black", linewidth=0.8)
    low = min(min(reductions.values()), *(start for start, _ in ranges.values()), 0)
    axis.set_xlim(low - 0.15 * (100 - low), 100)
    whiskers = "; whiskers: every pairing of their seeds" if ranges else ""
    axis.set_xlabel(f"share of the model's test errors that {results.display_name(better)} "
                    f"avoids, %\n(bar: between the means{whiskers})")
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


def _model_styles(results: ExperimentResults, models: list[str]) -> dict[str, dict]:
    """Each model's colour (a shade of its lineage's) and marker: two boosters differ."""
    members, styles = {}, {}
    for model in models:
        family = results.manifest.runs_of_model(model)[0].color_family
        index = members[family] = members.get(family, -1) + 1
        styles[model] = member_style(family, index)
    return styles


def landscape_metric(results: ExperimentResults, dataset: str, imbalanced: list[str]) -> str:
    """What the landscape compares on a dataset: the claims' metric when they name one (macro-F1
    here), else accuracy, or balanced accuracy on an imbalanced dataset."""
    return claims_metric(results) or ("balanced_accuracy" if dataset in imbalanced else "accuracy")


@plot_kind(models=("models",))
def landscape(results: ExperimentResults, path: Path, models: list[str], imbalanced: list[str]) -> None:
    """One panel per kind of data: each model's score on each dataset (mean ± std over seeds,
    each seed a black dot), by the metric the experiment's claims compare (else accuracy, and
    balanced accuracy on an imbalanced dataset). Each model has its own shade and marker."""
    datasets = results.run_datasets
    kinds = {"structured (tables)": [d for d in datasets if not results.datasets[d].is_image],
             "perceptual (images)": [d for d in datasets if results.datasets[d].is_image]}
    figure, axes = plt.subplots(1, 2, figsize=(WIDE, 6.2), sharey=True, layout="constrained",
                                gridspec_kw={"width_ratios": [max(len(v), 1) for v in kinds.values()]})
    width = 0.75 / len(models)
    styles = _model_styles(results, models)
    seeds = {model: {len(results.rows_of(label)) for dataset in datasets
                     if (label := results.label_for(model, dataset)) and results.rows_of(label)}
             for model in models}
    names = {model: model_name(results, model) + (" (n = 1 run on every dataset)"
                                                  if seeds[model] == {1} else " (black dots: seeds)")
             for model in models}
    legend = FamilyLegend(names)
    drawn, metrics = [], set()
    for axis, (kind, members) in zip(axes, kinds.items(), strict=True):
        for index, model in enumerate(models):
            for position, dataset in enumerate(members):
                label = results.label_for(model, dataset)
                if label is None or not results.rows_of(label):
                    continue
                rows = results.rows_of(label)
                metric = landscape_metric(results, dataset, imbalanced)
                metrics.add(metric)
                x = position + (index - (len(models) - 1) / 2) * width
                values = metric_values(results, rows, metric)
                spread(axis, x, values, styles[model]["color"], horizontal=False,
                       single_run_note=False, marker=styles[model]["marker"],
                       label=legend.label(model))
                drawn += values
        sizes = [max(row["n_train"] for row in results.rows if row["dataset"] == dataset)
                 for dataset in members]
        axis.set_xticks(range(len(members)), [
            f"{wrap(results.datasets[dataset].title, 16)}\n({size:,} train)"
            + ("\nimbalanced" if dataset in imbalanced else "")
            for dataset, size in zip(members, sizes, strict=True)])
        axis.set_title(kind)
        axis.set_xlabel("dataset")
        axis.grid(axis="y", alpha=0.3)
    axes[0].set_ylim(accuracy_limits(drawn, step=0.1)[0], 1.02)
    shown = " or ".join(METRIC_NAMES[metric] for metric in sorted(metrics))
    whose = "the claims' metric" if claims_metric(results) else "balanced on imbalanced data"
    label_accuracy_axis(axes[0], "y", f"test {shown} ({whose};\nmean ± std over seeds)")
    entries = {}
    for axis in axes:
        for handle, name in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(name, handle)
    figure.legend(list(entries.values()), list(entries), loc="outside lower center", ncols=2,
                  fontsize=SMALL)
    skipped = ", ".join(sorted({results.datasets[entry.dataset].title
                                if entry.dataset in results.datasets else entry.dataset
                                for entry in results.manifest.skipped}))
    note = f"\n(not available here: {skipped})" if skipped else ""
    figure.suptitle("Who wins where: the same models on structured and perceptual data" + note)
    save(figure, path)
