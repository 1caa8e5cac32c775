"""Figures of the era experiments (02-05): learning curves, kernels, scaling, trees, timeline."""

import csv
from pathlib import Path

import numpy as np

from ...paths import REFERENCES_DIR
from ...results import RUNS_FILE, TOY_FILE, ExperimentResults, mean_std, read_rows
from ...results.curves import (
    epoch_curve,
    fit_time_exponent,
    relative_error_reduction,
    size_curve,
    staged_curve,
)
from .style import DEEP_COLOR, SHALLOW_COLOR, plot_kind, plt, save, title

PALETTE = plt.get_cmap("tab10").colors


def _curves_with_bands(axis, results: ExperimentResults, labels: list[str], curve, **style) -> None:
    """One line per label (mean over seeds) with a ± std band, its final value in the legend."""
    for color, label in zip(PALETTE, labels, strict=False):
        mean, std = curve(results, label)
        steps = np.arange(1, len(mean) + 1)
        axis.plot(steps, mean, color=color, label=f"{label} (final {mean[-1]:.3f})", **style)
        axis.fill_between(steps, mean - std, mean + std, color=color, alpha=0.2)


@plot_kind(labels=("labels",))
def epoch_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Test accuracy after every epoch (mean over seeds, band ± std), one line per network."""
    figure, axis = plt.subplots(figsize=(8, 5))
    _curves_with_bands(axis, results, labels, epoch_curve, marker="o", markersize=3)
    axis.set_xlabel("epoch")
    axis.set_ylabel("test accuracy (recorded after each epoch, never used to train)")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
    figure.suptitle(title(results, "Test accuracy per epoch"))
    save(figure, path)


@plot_kind(labels=("labels",))
def params_vs_accuracy(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Trainable parameters (log scale) against test accuracy: size is not what wins."""
    figure, axis = plt.subplots(figsize=(8, 5))
    for color, label in zip(PALETTE, labels, strict=False):
        rows = results.rows_of(label)
        mean, std = mean_std(row["accuracy"] for row in rows)
        axis.errorbar(rows[0]["n_params"], mean, yerr=std, fmt="o", color=color, capsize=4)
        axis.annotate(f"{label}\n{rows[0]['n_params']:,} weights", (rows[0]["n_params"], mean),
                      textcoords="offset points", xytext=(8, -4), fontsize=8)
    axis.set_xscale("log")
    axis.set_xlabel("trainable parameters (log scale)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3)
    axis.set_xlim(right=axis.get_xlim()[1] * 5)
    figure.suptitle(title(results, "Parameters against accuracy"))
    save(figure, path)


@plot_kind()
def decision_boundaries(results: ExperimentResults, path: Path) -> None:
    """Figure 1.10: boundary (solid) and margins (dashed) of each model on 2-D toy data."""
    with np.load(results.folder / TOY_FILE) as saved:
        toy = dict(saved)
    models = [("linear_svm", "linear SVM"), ("rbf_svm", "RBF SVM (kernel trick)"),
              ("net", "small Keras net (2x16 ReLU)")]
    figure, axes = plt.subplots(2, 3, figsize=(13, 8.5), layout="constrained")
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
            axis.set_title(f"{caption} on {name}\ntraining accuracy {accuracy:.2f}", fontsize=10)
            axis.set_xticks([])
            axis.set_yticks([])
    axes[0, 0].legend(loc="lower left", fontsize=8)
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
    """An explicit degree-2 feature map against the polynomial kernel, as input dimension grows."""
    series = {"kernel SVM (implicit map)": kernel, "linear SVM on the explicit map": explicit}
    figure, axes = plt.subplots(1, 3, figsize=(14, 4.5), layout="constrained")
    for color, (caption, template) in zip((SHALLOW_COLOR, DEEP_COLOR), series.items(), strict=True):
        present = [dim for dim in dims if results.rows_of(template.format(dim=dim))]
        rows = [results.rows_of(template.format(dim=dim))[0] for dim in present]
        for axis, metric in zip(axes, ("accuracy", "fit_seconds", "peak_rss_mb"), strict=True):
            axis.plot(present, [row[metric] for row in rows], marker="o", color=color, label=caption)
    n_train = results.rows_of(kernel.format(dim=dims[0]))[0]["n_train"]
    for axis, label in zip(axes, ("test accuracy", "fit time, seconds (log)",
                                  "peak memory of the run, MB (data included)"), strict=True):
        axis.set_xscale("log", base=2)
        axis.set_xticks(dims, [str(dim) for dim in dims])
        axis.set_xlabel("input dimension d (principal components of the pixels)")
        axis.set_ylabel(label)
        axis.grid(alpha=0.3)
    axes[1].set_yscale("log")
    axes[0].legend()
    figure.suptitle(title(results, f"The kernel trick, measured (degree 2, n_train={n_train:,}): "
                                   "the explicit map has d(d+3)/2 features"))
    save(figure, path)


@plot_kind(labels=("labels",))
def scaling(results: ExperimentResults, path: Path, labels: list[str], min_size: int) -> None:
    """Fit time against training size, log-log, with each model's fitted exponent.

    A model capped below the full size gets a dotted extrapolation of its fitted line,
    labelled as such.
    """
    full = results.manifest["dataset"]["n_train_full"]
    figure, axis = plt.subplots(figsize=(9, 6))
    for color, label in zip(PALETTE, labels, strict=False):
        sizes, seconds, stds = size_curve(results, label, "fit_seconds")
        exponent, used = fit_time_exponent(results, label, min_size)
        axis.errorbar(sizes, seconds, yerr=stds, marker="o", color=color, capsize=3,
                      label=f"{label}: exponent {exponent:.2f}")
        if len(used) >= 2:
            anchor = seconds[sizes.index(used[-1])]
            if sizes[-1] < full:
                ends = np.array([used[-1], full])
                axis.plot(ends, anchor * (ends / used[-1]) ** exponent, linestyle=":",
                          color=color, label=f"{label}: extrapolated to {full:,} (not measured)")
    reference = np.array([min(min(size_curve(results, label, "fit_seconds")[0]) for label in labels),
                          full])
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("training images (log)")
    axis.set_ylabel("fit time, seconds (log, mean ± std over seeds)")
    axis.set_xlim(reference[0] * 0.8, reference[1] * 1.25)
    axis.grid(alpha=0.3, which="both")
    axis.legend(fontsize=8, loc="upper left")
    figure.suptitle(title(results, f"How fit time scales (exponents fitted over n_train >= {min_size:,})"))
    save(figure, path)


def _pixel_name(feature: int, width: int) -> str:
    return f"pixel (row {feature // width}, col {feature % width})"


@plot_kind(labels=("label",))
def tree_diagram(results: ExperimentResults, path: Path, label: str, depth: int = 3) -> None:
    """Figure 1.11, measured: the top levels of a learned tree, its questions about pixels."""
    tree = results.artifacts(results.rows_of(label)[0])
    class_names = results.manifest["dataset"]["class_names"]
    width = results.manifest["dataset"]["input_shape"][1]
    figure, axis = plt.subplots(figsize=(16, 7.5))
    axis.axis("off")

    def draw(node: int, level: int, x: float, span: float) -> None:
        samples = tree["tree_samples"][node]
        leaf = tree["tree_left"][node] == -1
        if level == depth or leaf:
            majority = class_names[tree["tree_class"][node]]
            text = f"{'leaf' if leaf else '…'}\n{samples:,} images\nmostly {majority}"
            style = {"boxstyle": "round", "facecolor": "#e8f0e0"}
        else:
            question = (f"{_pixel_name(tree['tree_feature'][node], width)}\n"
                        f"> {tree['tree_threshold'][node]:.2f} ?\n{samples:,} images")
            text, style = question, {"boxstyle": "round", "facecolor": "#dde8f5"}
        y = 1 - level / (depth + 0.3)
        axis.text(x, y, text, ha="center", va="center", fontsize=8, bbox=style)
        if level < depth and not leaf:
            for child, offset, answer in ((tree["tree_right"][node], span / 2, "yes"),
                                          (tree["tree_left"][node], -span / 2, "no")):
                child_y = 1 - (level + 1) / (depth + 0.3)
                axis.annotate("", (x + offset, child_y + 0.06), (x, y - 0.06),
                              arrowprops={"arrowstyle": "->", "color": "grey"})
                axis.text(x + offset / 2, (y + child_y) / 2, answer, fontsize=8, color="grey")
                draw(child, level + 1, x + offset, span / 2)

    draw(0, 0, 0.5, 0.5)
    axis.set_xlim(0, 1)
    axis.set_ylim(-0.05, 1.08)
    figure.suptitle(title(results, f"Figure 1.11, measured: the top {depth} levels of the learned "
                                   f"{label} (pixel values scaled to 0..1)"))
    save(figure, path)


@plot_kind(labels=("labels",))
def importance_maps(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Where the trees look: each model's feature importances drawn as an image."""
    shape = results.manifest["dataset"]["input_shape"]
    figure, axes = plt.subplots(1, len(labels), figsize=(5 * len(labels), 4.6), layout="constrained")
    for axis, label in zip(np.atleast_1d(axes), labels, strict=True):
        importances = np.mean([results.artifacts(row)["importances"]
                               for row in results.rows_of(label)], axis=0)
        image = axis.imshow(importances.reshape(shape), cmap="magma")
        axis.set_title(f"{label} (mean over {len(results.rows_of(label))} seeds)")
        axis.axis("off")
        figure.colorbar(image, ax=axis, shrink=0.8, label="importance (share of impurity decrease)")
    figure.suptitle(title(results, "Feature importances as pixel maps"))
    save(figure, path)


@plot_kind(labels=("labels",))
def staged_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Accuracy after each tree (forest) or boosting round, from one fit per seed."""
    figure, axis = plt.subplots(figsize=(9, 5.5))
    _curves_with_bands(axis, results, labels, staged_curve)
    axis.set_xscale("log")
    axis.set_xlabel("trees in the forest / boosting rounds (log)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right")
    figure.suptitle(title(results, "Accuracy as trees are added (staged predictions, no refits)"))
    save(figure, path)


def _read_reference(name: str) -> list[dict]:
    with open(REFERENCES_DIR / name, newline="") as handle:
        return list(csv.DictReader(handle))


@plot_kind()
def timeline(results: ExperimentResults, path: Path) -> None:
    """The project's signature plot: measured test error against the year each method appeared.

    One panel per dataset this experiment has results for, and a last panel of the ImageNet
    figures the book quotes (labelled as quoted, not measured).
    """
    years = {row["model"]: int(row["year"]) for row in _read_reference("timeline.csv")}
    experiment_id = results.manifest["experiment_id"]
    results_dir = results.folder.parent.parent
    panels = {}
    for runs_file in sorted(results_dir.glob(f"*/{experiment_id}/{RUNS_FILE}")):
        for row in read_rows(runs_file):
            panels.setdefault(row["dataset"], []).append(row)
    figure, axes = plt.subplots(1, len(panels) + 1, figsize=(7.5 * len(panels) + 4.5, 6.5),
                                layout="constrained",
                                gridspec_kw={"width_ratios": [3] * len(panels) + [1.4]})
    for axis, (dataset, rows) in zip(axes, sorted(panels.items()), strict=False):
        largest = {}
        for row in rows:
            if row["features"] == "pixels":
                largest[row["model"]] = max(largest.get(row["model"], 0), row["n_train"])
        points = []
        for model, n_train in largest.items():
            errors = [1 - row["accuracy"] for row in rows if row["model"] == model
                      and row["n_train"] == n_train and row["features"] == "pixels"]
            mean, std = mean_std(errors)
            deep = row_family(results, model) == "deep"
            axis.errorbar(years[model], mean, yerr=std, fmt="o", capsize=3,
                          color=DEEP_COLOR if deep else SHALLOW_COLOR)
            size = "" if n_train == max(largest.values()) else f" (n_train={n_train:,})"
            points.append((years[model], mean, f"{model}{size}"))
        axis.set_yscale("log")
        axis.set_xlim(1950, 2022)
        _label_without_overlap(axis, points)
        axis.set_xlabel("year the method was introduced (mlhistory/reporting/references/timeline.csv)")
        axis.set_ylabel("measured test error (log scale, mean ± std over seeds)")
        axis.set_title(f"{dataset}: measured here")
        axis.grid(alpha=0.3, which="both")
    quoted = [row for row in _read_reference("quoted.csv") if row["figure"] == "imagenet_top5"]
    quoted_axis = axes[-1]
    quoted_axis.plot([int(row["year"]) for row in quoted], [1 - float(row["value"]) for row in quoted],
                     marker="s", color="grey", linestyle="--")
    for row in quoted:
        quoted_axis.annotate(f"{float(row['value']):.1%}\n{row['label']}",
                             (int(row["year"]), 1 - float(row["value"])), fontsize=7,
                             textcoords="offset points", xytext=(-10, 6))
    quoted_axis.set_yscale("log")
    quoted_axis.set_xlim(2010.3, 2016)
    quoted_axis.set_title("ImageNet top-5 error\nQUOTED from the book, not measured", fontsize=10)
    quoted_axis.set_xlabel("year")
    quoted_axis.grid(alpha=0.3, which="both")
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=color)
               for color in (SHALLOW_COLOR, DEEP_COLOR)]
    figure.legend(handles, ["shallow", "deep (Keras)"], loc="lower center", ncols=2,
                  bbox_to_anchor=(0.5, -0.05), frameon=False)
    figure.suptitle("A brief history of machine learning, measured: test error by the year "
                    "each method was introduced")
    save(figure, path)


# Candidate label positions around a point, in points, nearest first.
LABEL_OFFSETS = [(7, 3), (7, -10), (-7, 3), (-7, -10), (12, 14), (12, -20), (-12, 14),
                 (-12, -20), (20, 26), (20, -32), (-20, 26), (-20, -32)]
MARKER_RADIUS_PIXELS = 6


def _label_without_overlap(axis, points: list[tuple]) -> None:
    """Label each point at the nearest offset whose text covers no other label or point.

    A label moved away from its point gets a thin leader line, so it stays readable.
    """
    from matplotlib.transforms import Bbox

    figure = axis.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    markers = {}  # boxes, in display pixels, that labels must not cover
    for x, y, text in points:
        px, py = axis.transData.transform((x, y))
        markers[text] = Bbox.from_extents(px - MARKER_RADIUS_PIXELS, py - MARKER_RADIUS_PIXELS,
                                          px + MARKER_RADIUS_PIXELS, py + MARKER_RADIUS_PIXELS)
    placed = []
    for x, y, text in sorted(points, key=lambda point: (point[0], -point[1])):
        others = placed + [box for name, box in markers.items() if name != text]
        for dx, dy in LABEL_OFFSETS:
            label = axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy),
                                  fontsize=8, ha="left" if dx > 0 else "right", va="center")
            box = label.get_window_extent(renderer).padded(2)  # no leader line yet
            if not any(box.overlaps(other) for other in others) or (dx, dy) == LABEL_OFFSETS[-1]:
                break
            label.remove()
        if (dx, dy) != LABEL_OFFSETS[0]:
            label.remove()
            axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=8,
                          ha="left" if dx > 0 else "right", va="center",
                          arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5,
                                      "shrinkA": 0, "shrinkB": 4})
        placed.append(box)


def row_family(results: ExperimentResults, model: str) -> str:
    return next(run["family"] for run in results.manifest["runs"] if run["model"] == model)


@plot_kind(labels=("better",))
def error_reduction(results: ExperimentResults, path: Path, better: str) -> None:
    """How much of each other model's test error ``better`` removes (relative error reduction)."""
    better_accuracy = mean_std(row["accuracy"] for row in results.rows_of(better))[0]
    others = [label for label in results.labels if label != better]
    reductions = [relative_error_reduction(
        better_accuracy, mean_std(row["accuracy"] for row in results.rows_of(label))[0])
        for label in others]
    order = np.argsort(reductions)
    figure, axis = plt.subplots(figsize=(9, 0.4 * len(others) + 1.8))
    for position, index in enumerate(order):
        label = others[index]
        color = DEEP_COLOR if results.family(label) == "deep" else SHALLOW_COLOR
        axis.barh(position, 100 * reductions[index], color=color, alpha=0.8)
        axis.text(100 * reductions[index] + (1 if reductions[index] >= 0 else -1), position,
                  f"{100 * reductions[index]:.0f} %", va="center", fontsize=8,
                  ha="left" if reductions[index] >= 0 else "right")
    axis.set_yticks(range(len(others)), [others[index] for index in order])
    axis.axvline(0, color="black", linewidth=0.8)
    axis.axvline(60, color="grey", linestyle="--", linewidth=1)
    axis.text(60, len(others) - 0.4, " book: about 60 % vs the dense net (MNIST, quoted)",
              fontsize=8, color="grey")
    axis.set_xlabel(f"share of the model's test errors that {better} avoids, %")
    axis.grid(axis="x", alpha=0.3)
    figure.suptitle(title(results, f"Relative error reduction of {better}"))
    save(figure, path)
