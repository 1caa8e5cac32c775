"""Figures of the era experiments (02-05): learning curves, kernels, scaling, trees, timeline."""

import csv
from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter
from matplotlib.transforms import Bbox

from ...paths import REFERENCES_DIR
from ...results import RUNS_FILE, TOY_FILE, ExperimentResults, mean_std, read_rows
from ...results.curves import (
    epoch_curve,
    fit_time_exponent,
    relative_error_reduction,
    size_curve,
    staged_curve,
    staged_steps,
)
from .style import (
    SMALL,
    WIDE,
    WIDTH,
    FamilyLegend,
    accuracy_limits,
    color_of,
    family_color,
    family_of,
    label_accuracy_axis,
    legend_in_family_order,
    line_styles,
    model_family,
    plot_kind,
    plt,
    runs_note,
    save,
    seconds_log_axis,
    title,
    wrap,
)


def _curves_with_bands(axis, results: ExperimentResults, labels: list[str], curve,
                       steps_of=None) -> list[float]:
    """One line per label (mean over seeds) with a ± std band, its final value in the legend;
    returns every value drawn. ``steps_of(label, n)`` gives the x of a curve of n points."""
    styles = line_styles(results, labels)
    drawn = []
    for label in labels:
        mean, std = curve(results, label)
        steps = steps_of(label, len(mean)) if steps_of else np.arange(1, len(mean) + 1)
        runs = len(results.rows_of(label))
        axis.plot(steps, mean, markersize=4, markevery=max(1, len(mean) // 10), **styles[label],
                  label=f"{results.display_name(label)}: final {mean[-1]:.3f}"
                        + (" (n = 1 run)" if runs == 1 else f" ({runs} seeds)"))
        axis.fill_between(steps, mean - std, mean + std, color=styles[label]["color"], alpha=0.15)
        drawn += list(mean - std) + list(mean + std)
    return drawn


@plot_kind(labels=("labels",))
def epoch_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Test accuracy after every epoch (mean over seeds, band ± std), one line per network."""
    figure, axis = plt.subplots(figsize=(WIDTH, 6), layout="constrained")
    drawn = _curves_with_bands(axis, results, labels, epoch_curve)
    axis.set_xlabel("epoch")
    axis.set_ylim(accuracy_limits(drawn)[0], min(1.0, max(drawn) + 0.01))
    label_accuracy_axis(axis, "y", "test accuracy (recorded after each epoch, never used to train)")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
    figure.suptitle(title(results, "Test accuracy per epoch (band: ± one std over seeds)"))
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


@plot_kind()
def decision_boundaries(results: ExperimentResults, path: Path) -> None:
    """Figure 1.10: boundary (solid) and margins (dashed) of each model on 2-D toy data."""
    with np.load(results.folder / TOY_FILE) as saved:
        toy = dict(saved)
    models = [("linear_svm", "linear SVM"), ("rbf_svm", "RBF SVM (kernel trick)"),
              ("net", "small Keras net (2x16 ReLU)")]
    figure, axes = plt.subplots(2, 3, figsize=(WIDE, 8.2), layout="constrained")
    for row_axes, name in zip(axes, ("moons", "circles"), strict=True):
        points, labels = toy[f"{name}_points"], toy[f"{name}_labels"]
        grid_x, grid_y = toy[f"{name}_grid_x"], toy[f"{name}_grid_y"]
        for axis, (key, caption) in zip(row_axes, models, strict=True):
            decision = toy[f"{name}_{key}_decision"]
            limit = np.abs(decision).max()
            axis.contourf(grid_x, grid_y, decision, levels=20, cmap="RdBu", alpha=0.35,
                          vmin=-limit, vmax=limit)
            axis.contour(grid_x, grid_y, decision, levels=[0], colors="black", linewidths=1.5)
            if key != "net":
                axis.contour(grid_x, grid_y, decision, levels=[-1, 1], colors="black",
                             linewidths=0.8, linestyles="dashed")
                support = toy[f"{name}_{key}_support"]
                axis.scatter(support[:, 0], support[:, 1], s=60, facecolors="none",
                             edgecolors="black", linewidths=0.7, label="support vectors")
            axis.scatter(points[:, 0], points[:, 1], c=labels, cmap="RdBu", s=10,
                         edgecolors="white", linewidths=0.3)
            accuracy = float(toy[f"{name}_{key}_accuracy"])
            axis.set_title(f"{caption} on {name}\ntraining accuracy {accuracy:.2f}", fontsize=11)
            axis.set_xticks([])
            axis.set_yticks([])
    axes[0, 0].legend(loc="lower left", fontsize=SMALL)
    figure.suptitle("Figure 1.10, measured: a linear boundary cannot separate these classes; "
                    "the kernel trick and a small net can\n(solid: decision boundary; dashed: "
                    "the SVM's margins; circled: support vectors)")
    save(figure, path)


def _kernel_trick_labels(options: dict) -> list[str]:
    """The runs behind the kernel trick plot: each label template filled in with each dimension."""
    return [template.format(dim=dim) for template in (options["kernel"], options["explicit"])
            for dim in options["dims"]]


@plot_kind(labels=_kernel_trick_labels)
def kernel_trick(results: ExperimentResults, path: Path, dims: list[int], kernel: str,
                 explicit: str) -> None:
    """The cost of an explicit degree-2 feature map against the polynomial kernel, as the input
    dimension grows; accuracy beside it as context.

    Both are the same model class (a degree-2 polynomial SVM); the point of the kernel trick is
    equal accuracy at lower cost, so the cost panels come first and the accuracy panel says
    that any gap comes from the two solvers (SVC against SGD with early stopping).
    """
    series = {"kernel SVM (implicit map, SVC)": kernel,
              "linear SVM on the explicit map (SGD)": explicit}
    figure, axes = plt.subplots(1, 3, figsize=(WIDE, 5.2), layout="constrained")
    time_axis, memory_axis, accuracy_axis = axes
    seconds, accuracies, memory = [], [], []
    for (caption, template), linestyle, marker in zip(series.items(), ("-", "--"), ("o", "s"),
                                                      strict=True):
        present = [dim for dim in dims if results.rows_of(template.format(dim=dim))]
        rows = [results.rows_of(template.format(dim=dim)) for dim in present]
        color = color_of(results, template.format(dim=present[0]))
        runs = {len(dim_rows) for dim_rows in rows}
        note = " (n = 1 run each)" if runs == {1} else ""
        for axis, metric, store in ((time_axis, "fit_seconds", seconds),
                                    (memory_axis, "peak_rss_mb", memory),
                                    (accuracy_axis, "accuracy", accuracies)):
            values = [mean_std(row[metric] for row in dim_rows)[0] for dim_rows in rows]
            axis.plot(present, values, marker=marker, linestyle=linestyle, color=color,
                      label=caption + note)
            store += values
    n_train = results.rows_of(kernel.format(dim=dims[0]))[0]["n_train"]
    for axis in axes:
        axis.set_xscale("log", base=2)
        axis.set_xticks(dims, [f"{dim}\n{dim * (dim + 3) // 2:,}" for dim in dims])
        axis.minorticks_off()
        axis.set_xlabel("input dimension d (PCA of the pixels)\nand features of the explicit map")
        axis.grid(alpha=0.3)
    seconds_log_axis(time_axis, "y", seconds)
    time_axis.set_ylabel("fit time (log scale)")
    time_axis.set_title("Fit time")
    memory_axis.set_ylim(0, max(memory) * 1.15)
    memory_axis.set_ylabel("peak memory of the run, MB\n(data and Python included; axis from 0)")
    memory_axis.set_title("Peak memory")
    accuracy_axis.set_ylim(accuracy_limits(accuracies, step=0.1)[0], 1.0)
    label_accuracy_axis(accuracy_axis, "y", "test accuracy")
    accuracy_axis.set_title("Accuracy, for context:\none model class, two solvers", fontsize=11)
    time_axis.legend(loc="upper left", fontsize=SMALL)
    figure.supxlabel("Both fit the same degree-2 polynomial SVM. SVC solves it exactly through "
                     "the kernel; the explicit map is fitted by SGD with early stopping, so an "
                     "accuracy gap\nis the solvers', not the kernel trick's. The point is the "
                     "cost: the explicit map grows as d(d+3)/2 features.", fontsize=SMALL,
                     color="dimgray")
    figure.suptitle(title(results, f"The kernel trick, measured: the same degree-2 model with "
                                   f"and without the explicit map ({n_train:,} training images)"))
    save(figure, path)


@plot_kind(labels=("labels",))
def scaling(results: ExperimentResults, path: Path, labels: list[str], min_size: int) -> None:
    """Fit time against training size, log-log, with each model's fitted exponent.

    A model capped below the full size gets a dotted extrapolation of its fitted line,
    labelled as such.
    """
    full = results.manifest["dataset"]["n_train_full"]
    styles = line_styles(results, labels)
    figure, axis = plt.subplots(figsize=(WIDTH, 6.5), layout="constrained")
    drawn = []
    for label in labels:
        sizes, seconds, stds = size_curve(results, label, "fit_seconds")
        exponent, used = fit_time_exponent(results, label, min_size)
        name = results.display_name(label)
        axis.errorbar(sizes, seconds, yerr=stds, capsize=3, **styles[label],
                      label=f"{name}: exponent {exponent:.2f}")
        drawn += seconds
        if len(used) >= 2 and sizes[-1] < full:
            anchor = seconds[sizes.index(used[-1])]
            ends = np.array([used[-1], full])
            extrapolated = anchor * (ends / used[-1]) ** exponent
            axis.plot(ends, extrapolated, linestyle=":", color=styles[label]["color"],
                      label=f"{name}: extrapolated to {full:,} (not measured)")
            drawn += list(extrapolated)
    smallest = min(min(size_curve(results, label, "fit_seconds")[0]) for label in labels)
    axis.set_xscale("log")
    axis.set_xlabel("training images (log scale)")
    axis.set_xlim(smallest * 0.8, full * 1.25)
    seconds_log_axis(axis, "y", drawn)
    axis.set_ylabel("fit time (log scale, mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="upper left", fontsize=SMALL)
    figure.suptitle(title(results, f"How fit time scales (exponents fitted over n_train >= {min_size:,})"))
    save(figure, path)


def _pixel_name(feature: int, width: int) -> str:
    return f"pixel ({feature // width}, {feature % width})"


@plot_kind(labels=("label",))
def tree_diagram(results: ExperimentResults, path: Path, label: str, depth: int = 3) -> None:
    """Figure 1.11, measured: the top levels of a learned tree, its questions about pixels."""
    tree = results.artifacts(results.rows_of(label)[0])
    class_names = results.manifest["dataset"]["class_names"]
    width = results.manifest["dataset"]["input_shape"][1]
    figure, axis = plt.subplots(figsize=(WIDE, 6.5), layout="constrained")
    axis.axis("off")

    def draw(node: int, level: int, x: float, span: float) -> None:
        samples = tree["tree_samples"][node]
        leaf = tree["tree_left"][node] == -1
        if level == depth or leaf:
            majority = class_names[tree["tree_class"][node]]
            text = f"{'leaf' if leaf else '…'}\n{samples:,} images\nmostly\n{majority}"
            style = {"boxstyle": "round", "facecolor": "#e8f0e0"}
        else:
            question = (f"{_pixel_name(tree['tree_feature'][node], width)}\n"
                        f"> {tree['tree_threshold'][node]:.2f} ?\n{samples:,} images")
            text, style = question, {"boxstyle": "round", "facecolor": "#dde8f5"}
        y = 1 - level / (depth + 0.3)
        axis.text(x, y, text, ha="center", va="center", fontsize=SMALL, bbox=style)
        if level < depth and not leaf:
            for child, offset, answer in ((tree["tree_right"][node], span / 2, "yes"),
                                          (tree["tree_left"][node], -span / 2, "no")):
                child_y = 1 - (level + 1) / (depth + 0.3)
                axis.annotate("", (x + offset, child_y + 0.08), (x, y - 0.08),
                              arrowprops={"arrowstyle": "->", "color": "grey"})
                axis.text(x + offset / 2, (y + child_y) / 2, answer, fontsize=SMALL, color="grey")
                draw(child, level + 1, x + offset, span / 2)

    draw(0, 0, 0.5, 0.5)
    axis.set_xlim(0, 1)
    axis.set_ylim(-0.1, 1.1)
    figure.suptitle(title(results, f"Figure 1.11, measured: the top {depth} levels of the learned "
                                   f"{results.display_name(label)}\n(pixel (row, column), "
                                   "values scaled to 0..1)"))
    save(figure, path)


@plot_kind(labels=("labels",))
def importance_maps(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Where the trees look: each model's feature importances drawn as an image."""
    shape = results.manifest["dataset"]["input_shape"]
    figure, axes = plt.subplots(1, len(labels), figsize=(WIDTH, 5), layout="constrained")
    for axis, label in zip(np.atleast_1d(axes), labels, strict=True):
        rows = results.rows_of(label)
        importances = np.mean([results.artifacts(row)["importances"] for row in rows], axis=0)
        image = axis.imshow(importances.reshape(shape), cmap="magma")
        axis.set_title(f"{wrap(results.display_name(label), 30)}\n(mean over {runs_note(len(rows))})"
                       .replace("over n = 1 run", "of n = 1 run"))
        axis.axis("off")
        figure.colorbar(image, ax=axis, shrink=0.8, label="share of impurity decrease")
    figure.suptitle(title(results, "Feature importances as pixel maps"))
    save(figure, path)


def _trees_per_step(results: ExperimentResults, label: str) -> int:
    """Trees a staged curve adds per step: one per forest tree; per boosting round, one per
    class (a multiclass booster fits one tree per class each round), or one for two classes."""
    family = family_of(results, label)
    if family == "forest":
        return 1
    if family == "boosting":
        classes = len(results.dataset_of(label).class_names)
        return classes if classes > 2 else 1
    raise ValueError(f"staged curves count the trees of forests and boosters, not of {label!r}")


@plot_kind(labels=("labels",))
def staged_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Accuracy against the number of trees grown, from one fit per seed (staged predictions).

    The x-axis counts trees, so a forest's 100 trees and a booster's 100 rounds (10 trees each
    on 10 classes) sit where their work puts them.
    """
    figure, axis = plt.subplots(figsize=(WIDTH, 6), layout="constrained")

    def trees(label: str, steps: int) -> np.ndarray:
        return staged_steps(results, label, steps) * _trees_per_step(results, label)

    drawn = _curves_with_bands(axis, results, labels, staged_curve, steps_of=trees)
    for line, label in zip(axis.get_lines(), labels, strict=True):
        per_step = _trees_per_step(results, label)
        unit = "tree per step" if per_step == 1 else f"trees per round ({per_step} classes)"
        line.set_label(f"{line.get_label()}; {per_step} {unit}")
    axis.set_xscale("log")
    axis.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.set_xlabel("trees grown (log scale): forest trees, or boosting rounds x trees per round")
    axis.set_ylim(accuracy_limits(drawn, step=0.1)[0], 1.0)
    label_accuracy_axis(axis, "y", "test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=SMALL)
    figure.suptitle(title(results, "Accuracy as trees are added (staged predictions, no refits)"))
    save(figure, path)


def _read_reference(name: str) -> list[dict]:
    with open(REFERENCES_DIR / name, newline="") as handle:
        return list(csv.DictReader(handle))


def _timeline_points(rows: list[dict]) -> dict[str, tuple[float, float, int, int]]:
    """Each model's test error on the dataset's pixels at its largest size: (mean, std,
    n_train, runs)."""
    largest = {}
    for row in rows:
        if row["features"] == "pixels":
            largest[row["model"]] = max(largest.get(row["model"], 0), row["n_train"])
    points = {}
    for model, n_train in largest.items():
        errors = [1 - row["accuracy"] for row in rows if row["model"] == model
                  and row["n_train"] == n_train and row["features"] == "pixels"]
        points[model] = (*mean_std(errors), n_train, len(errors))
    return points


# Methods introduced from this year on crowd the right end of the timeline; their labels go in
# a column in the right margin instead, each joined to its point by a thin line.
CROWDED_SINCE = 2005
NOT_RUN = "not_run"  # the legend entry of the open marks: methods with no run in the experiment
# Methods not run here sit in a strip along the year axis, in axes coordinates: they have no
# error to show, and a mark at any error rate would read as one. One line below the marks names
# them.
NOT_RUN_HEIGHT, NOT_RUN_NAMES_HEIGHT = 0.12, 0.02


@plot_kind()
def timeline(results: ExperimentResults, path: Path) -> None:
    """The project's signature plot: measured test error against the year each method appeared.

    One panel per dataset this experiment has results for (MNIST, the book's dataset, first);
    every method of ``references/timeline.csv`` gets its mark, a method not run here an open
    one in a strip along the year axis, apart from the error scale. A last panel shows the
    ImageNet top-5 errors the book quotes
    (labelled as quoted, not measured).
    """
    milestones = _read_reference("timeline.csv")
    experiment_id = results.manifest["experiment_id"]
    results_dir = results.folder.parent.parent
    # This dataset's rows are the experiment's own, which may still be in its staging folder
    # (staging.py); the other datasets' come from their finished folders.
    others = [path for path in sorted(results_dir.glob(f"*/{experiment_id}/{RUNS_FILE}"))
              if path.parent.parent != results.folder.parent]
    panels, descriptions = {}, {}
    for runs_file in [results.folder / RUNS_FILE, *others]:
        for row in read_rows(runs_file):
            panels.setdefault(row["dataset"], []).append(row)
        manifest = ExperimentResults.read(runs_file.parent).manifest["dataset"]
        descriptions[manifest["name"]] = manifest["description"]
    order = sorted(panels, key=lambda dataset: (dataset != "mnist", dataset))
    height = 4.6 * len(order) + 3.6
    figure = plt.figure(figsize=(WIDE, height))
    grid = figure.add_gridspec(len(order) + 1, 1, height_ratios=[1] * len(order) + [0.5],
                               left=0.1, right=0.7, top=1 - 0.75 / height, bottom=1.7 / height,
                               hspace=0.45)
    legend = FamilyLegend({NOT_RUN: "open circle: not run here"})
    for index, dataset in enumerate(order):
        axis = figure.add_subplot(grid[index])
        points = _timeline_points(panels[dataset])
        largest = max(n_train for _, _, n_train, _ in points.values())
        measured = [points[row["model"]][0] for row in milestones if row["model"] in points]
        labelled, not_run = [], []
        strip = axis.get_xaxis_transform()  # x in years, y in the axes' fraction
        for milestone in milestones:
            model, year = milestone["model"], int(milestone["year"])
            family = model_family(model)
            color = family_color(family)
            if model not in points:
                axis.plot(year, NOT_RUN_HEIGHT, transform=strip, marker="o",
                          markerfacecolor="white", color=color, linestyle="", markersize=7,
                          label=legend.label(NOT_RUN))
                not_run.append(f"{milestone['label']} ({year})")
                continue
            mean, std, n_train, runs = points[model]
            axis.errorbar(year, mean, yerr=std if runs > 1 else None, fmt="o", capsize=3,
                          color=color, markersize=7, label=legend.label(family))
            size = "" if n_train == largest else f" ({n_train // 1000}k images)"
            single = " (n = 1 run)" if runs == 1 else ""
            labelled.append((year, mean, f"{milestone['label']}{size}{single}"))
        axis.set_xlim(1950, 2020)
        if not_run:
            axis.text(0.01, NOT_RUN_NAMES_HEIGHT, wrap("not run here: " + ", ".join(not_run), 110),
                      transform=axis.transAxes, va="bottom", fontsize=SMALL, color="0.3")
        # Room below the lowest error for the strip of methods not run here.
        _percent_log_axis(axis, min(measured) / (4.0 if not_run else 1.5), max(measured) * 1.8)
        axis.set_xlabel("year the method was introduced (dates and sources: "
                        "reporting/references/timeline.csv)", fontsize=10)
        axis.set_ylabel("measured test error\n(log scale, mean ± std over seeds)")
        axis.set_title(f"Measured here: {wrap(descriptions.get(dataset, dataset), 80)}",
                       fontsize=11, loc="left")
        axis.grid(alpha=0.3, which="both")
        crowded = [point for point in labelled if point[0] >= CROWDED_SINCE]
        label_without_overlap(axis, [point for point in labelled if point[0] < CROWDED_SINCE],
                              avoid=crowded)
        _labels_in_margin(axis, crowded)
    _quoted_imagenet(figure.add_subplot(grid[-1]))
    legend_in_family_order(figure, axes=figure.axes, loc="lower center", ncols=3,
                           bbox_to_anchor=(0.45, 0.0))
    figure.suptitle("A brief history of machine learning, measured: test error by the year "
                    "each method was introduced")
    save(figure, path)


def _percent_log_axis(axis, low: float, high: float) -> None:
    """A log y axis of error rates, labelled in per cent ("1 %", "10 %") at 1-2-5 steps."""
    axis.set_yscale("log")
    axis.set_ylim(low, high)
    axis.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{100 * value:g} %"))
    axis.yaxis.set_minor_formatter(NullFormatter())


def _labels_in_margin(axis, points: list[tuple]) -> None:
    """Label (x, y, text) points in a column right of the axes, in the order of their heights,
    spaced so no two labels touch, each joined to its point by a thin line."""
    if not points:
        return
    figure = axis.figure
    figure.canvas.draw()
    spacing = 1.5 * SMALL / 72 * figure.dpi  # pixels between two labels' baselines
    frame = axis.get_window_extent()
    wanted = sorted(((axis.transData.transform((x, y))[1], x, y, text) for x, y, text in points),
                    reverse=True)
    heights, previous = [], frame.y1 + spacing
    for pixel_y, *_ in wanted:
        previous = min(pixel_y, previous - spacing)
        heights.append(previous)
    overflow = frame.y0 - heights[-1]
    if overflow > 0:  # the column ran off the bottom: shift it up, keeping the spacing
        heights = [height + overflow for height in heights]
    for height, (_, x, y, text) in zip(heights, wanted, strict=True):
        axis.annotate(text, (x, y), xytext=(1.03, (height - frame.y0) / frame.height),
                      textcoords="axes fraction", fontsize=SMALL, va="center", ha="left",
                      arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5,
                                  "shrinkA": 0, "shrinkB": 4})


def _quoted_imagenet(axis) -> None:
    """The ImageNet top-5 errors of the winning entries the book quotes, on an error axis."""
    quoted = [row for row in _read_reference("quoted.csv") if row["figure"] == "imagenet_top5"]
    years = [int(row["year"]) for row in quoted]
    errors = [1 - float(row["value"]) for row in quoted]
    axis.plot(years, errors, marker="s", color="grey", linestyle="--",
              label="ImageNet winners (quoted)")
    for row, year, error in zip(quoted, years, errors, strict=True):
        axis.annotate(f"{error:.1%}: {row['label']}", (year, error), textcoords="offset points",
                      xytext=(8, 0), ha="left", va="center", fontsize=SMALL)
    _percent_log_axis(axis, min(errors) / 1.5, max(errors) * 1.8)
    axis.set_xlim(min(years) - 0.5, max(years) + 2)
    axis.set_xticks(range(min(years), max(years) + 1))
    axis.set_title("ImageNet top-5 error of the winning entry: QUOTED from the book, not measured",
                   fontsize=11, loc="left")
    axis.set_xlabel("year of the competition")
    axis.set_ylabel("top-5 test error\n(log scale)")
    axis.grid(alpha=0.3, which="both")


# Candidate label positions around a point, in points, nearest first.
LABEL_OFFSETS = [(8, 0), (-8, 0), *[(dx, dy) for step in range(1, 7)
                                     for dx in (8 + 6 * step, -8 - 6 * step)
                                     for dy in (12 * step, -12 * step)]]
MARKER_RADIUS_PIXELS = 7


def label_without_overlap(axis, points: list[tuple], avoid: list[tuple] = ()) -> None:
    """Label each (x, y, text) point at the nearest offset whose text covers no other label or
    point (nor the points of ``avoid``) and stays inside the axes. A label moved away from its
    point gets a thin leader line."""
    figure = axis.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    frame = axis.get_window_extent(renderer)
    markers = []  # boxes, in display pixels, that labels must not cover
    for x, y, _ in [*points, *avoid]:
        px, py = axis.transData.transform((x, y))
        markers.append(Bbox.from_extents(px - MARKER_RADIUS_PIXELS, py - MARKER_RADIUS_PIXELS,
                                         px + MARKER_RADIUS_PIXELS, py + MARKER_RADIUS_PIXELS))
    placed = []
    for x, y, text in sorted(points, key=lambda point: (point[0], -point[1])):
        best = None
        for dx, dy in LABEL_OFFSETS:
            label = axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy),
                                  fontsize=SMALL, ha="left" if dx > 0 else "right", va="center")
            box = label.get_window_extent(renderer).padded(2)
            label.remove()
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            # Covering another label is worse than covering a point.
            clashes = 3 * sum(box.overlaps(other) for other in placed) + sum(
                box.overlaps(other) for other in markers)
            score = (clashes + (0 if inside else 10), LABEL_OFFSETS.index((dx, dy)))
            best = min(best, (score, dx, dy, box)) if best else (score, dx, dy, box)
            if score[0] == 0:
                break
        _, dx, dy, box = best
        leader = {} if (dx, dy) in LABEL_OFFSETS[:2] else {
            "arrowprops": {"arrowstyle": "-", "color": "grey", "lw": 0.5, "shrinkA": 0, "shrinkB": 4}}
        axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=SMALL,
                      ha="left" if dx > 0 else "right", va="center", **leader)
        placed.append(box)


def _quoted_reduction(results: ExperimentResults, better: str) -> tuple[str, float] | None:
    """The model and figure of the error reduction the book quotes for ``better``, as the
    experiment's claim saved it (None if it quotes none)."""
    for claim in results.manifest.get("claims", []):
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
