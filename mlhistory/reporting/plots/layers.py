"""Layer by layer and depth: one image's activations, linear probes, similarity to the input
and projections of each layer, gradient norms per layer, and accuracy as layers are stacked or
added."""

from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter

from ...judging.gradients import final_training_loss
from ...judging.similarity import INPUT_CKA
from ...results import ExperimentResults
from ...results.labels import recipe_label, stack_label
from .axes import (
    SMALL,
    WIDE,
    WIDTH,
    accuracy_limits,
    label_accuracy_axis,
    label_without_overlap,
    plt,
    runs_note,
    title,
    wrap,
)
from .colours import category_colours, color_of
from .readability import save
from .reading import accuracy_of
from .registry import plot_kind

# Some figures build the labels they read from their options, as the experiments label their
# runs: "greedy k=2" (06), "2010 depth 5" (09). The experiment checks, when declared, that each
# label built from its options names one of its runs.
TRAININGS = ("greedy", "joint")  # experiment 06's two ways of training stacked layers


def _stack_labels(options: dict) -> list[str]:
    return [stack_label(training, depth) for training in TRAININGS for depth in options["depths"]]


def _recipe_labels(options: dict) -> list[str]:
    return [recipe_label(recipe, depth) for recipe in options["recipes"] for depth in options["depths"]]


# Keras' layer names, by their kind, and what the book calls that kind of layer.
BOOK_LAYER_WORDS = {"conv2d": "conv block", "max_pooling2d": "pooling", "dense": "dense"}


def book_layer_names(names: list[str]) -> list[str]:
    """Keras' layer names in the book's words: "conv2d_1" -> "conv block 2", "max_pooling2d" ->
    "pooling 1", the last dense layer -> "dense head". An unknown kind of layer is an error."""
    counts, shown = {}, []
    for index, name in enumerate(names):
        kind = name.rsplit("_", 1)[0] if name.rsplit("_", 1)[-1].isdigit() else name
        if kind in ("input", "flatten"):
            shown.append("input pixels" if kind == "input" else "flatten")
            continue
        if kind not in BOOK_LAYER_WORDS:
            raise ValueError(f"layer {name!r} has no name in the book's words (BOOK_LAYER_WORDS)")
        if kind == "dense" and index == len(names) - 1:
            shown.append("dense head")
            continue
        counts[kind] = counts.get(kind, 0) + 1
        shown.append(f"{BOOK_LAYER_WORDS[kind]} {counts[kind]}")
    return shown


def _first_run_artifacts(results: ExperimentResults, label: str) -> dict:
    return results.artifacts(results.rows_of(label)[0])


def _final_losses(results: ExperimentResults, axis, recipes, depths, colors, linestyles,
                  markers) -> None:
    """Each seed's training loss after its last epoch, per recipe and depth, with the median."""
    guessing = float(np.log(len(results.dataset_record.class_names)))
    blew_up = []
    for index, (recipe, linestyle, marker) in enumerate(zip(recipes, linestyles, markers,
                                                             strict=False)):
        nudge = 1 + 0.035 * (index - (len(recipes) - 1) / 2)
        medians = []
        for depth in depths:
            rows = results.rows_of(recipe_label(recipe, depth), with_excluded=True)
            losses = np.array([final_training_loss(results, row) for row in rows])
            finite = losses[np.isfinite(losses)]
            medians.append(float(np.median(finite)) if len(finite) else np.nan)
            axis.scatter([depth * nudge] * len(finite), finite, color=colors[recipe],
                         edgecolors="black", linewidths=0.5, s=22, zorder=3)
            blew_up += [(depth * nudge, colors[recipe])] * int((~np.isfinite(losses)).sum())
        axis.plot(depths, medians, marker=marker, linestyle=linestyle, color=colors[recipe],
                  markersize=5, label=f"{recipe} recipe")
    axis.axhline(guessing, color="gray", linestyle=":",
                 label=f"guessing (ln {len(results.dataset_record.class_names)})")
    axis.set_yscale("log")
    # Ticks at 1, 2 and 5 of each decade, labelled plainly: a loss spans two decades at most.
    axis.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    axis.yaxis.set_minor_formatter(NullFormatter())
    if blew_up:
        top = axis.get_ylim()[1]
        for x, color in blew_up:
            axis.scatter([x], [top], marker="^", facecolors="white", edgecolors=color, s=40,
                         zorder=4)
        axis.scatter([], [], marker="^", facecolors="white", edgecolors="black",
                     label="a seed whose loss blew up")
    axis.set_ylabel("final training loss\n(dots: seeds; line: median; log scale)")
    axis.set_title("What the trainability claims judge: the training loss after the same epochs")
    # Left of the middle: clear of guessing's line at the top and the converged nets below.
    axis.legend(loc="center left", fontsize=SMALL)


@plot_kind(labels=("label",))
def layer_activations(results: ExperimentResults, path: Path, label: str) -> None:
    """Figure 1.6, from the trained net: one test image's activations, layer by layer."""
    saved = _first_run_artifacts(results, label)
    names = book_layer_names([str(name) for name in saved["layer_names"]])
    maps = [index for index in range(len(names)) if saved[f"activation_{index}"].ndim == 4]
    channels = max(saved[f"activation_{index}"].shape[1] for index in maps)
    height = 1.3 * (len(maps) + 1) + 1.0
    figure, axes = plt.subplots(len(maps) + 1, channels, figsize=(WIDE, height), squeeze=False)
    figure.subplots_adjust(top=1 - 0.9 / height, bottom=0.55 / height, left=0.12)
    for row, index in zip(axes, maps, strict=False):
        activation = saved[f"activation_{index}"][0]
        for column, axis in enumerate(row):
            axis.set_xticks([])
            axis.set_yticks([])
            if column < len(activation):
                axis.imshow(activation[column], cmap="viridis")
            else:
                axis.axis("off")
        row[0].set_ylabel(f"{names[index]}\n{activation.shape[1]}x{activation.shape[2]}",
                          fontsize=SMALL, rotation=0, ha="right", va="center")
    dataset = results.dataset_of(label)
    class_names = dataset.class_names
    probabilities = saved[f"activation_{len(names) - 1}"][0]
    for axis in axes[-1]:
        axis.axis("off")
    bar_axis = figure.add_subplot(len(maps) + 1, 1, len(maps) + 1)
    bar_axis.bar(range(len(probabilities)), probabilities, color=color_of(results, label))
    bar_axis.set_xticks(range(len(probabilities)), [wrap(name, 10) for name in class_names],
                        fontsize=SMALL)
    bar_axis.set_ylim(0, 1)
    bar_axis.set_xlabel("class", fontsize=SMALL)
    bar_axis.set_ylabel(f"{names[-1]}:\nprobability", fontsize=SMALL)
    truth = class_names[int(saved["sample_labels"][0])]
    figure.suptitle(f"Layer by layer: a test image of class '{truth}' through "
                    f"{results.display_name(label)}\n(the first {channels} channels of each "
                    f"layer; {dataset.description})", fontsize=11)
    save(figure, path)


@plot_kind(labels=("label",))
def probe_accuracy(results: ExperimentResults, path: Path, label: str) -> None:
    """Linear-probe test accuracy on the input and on each layer (mean ± std over seeds)."""
    rows = results.rows_of(label)
    saved = [results.artifacts(row) for row in rows]
    curves = np.stack([artifacts["probe_accuracy"] for artifacts in saved])
    names = book_layer_names([str(name) for name in saved[0]["layer_names"]])
    mean = curves.mean(axis=0)
    std = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(mean)
    figure, axis = plt.subplots(figsize=(WIDTH, 5.5), layout="constrained")
    steps = np.arange(len(names))
    color = color_of(results, label)
    axis.errorbar(steps, mean, yerr=std if len(rows) > 1 else None, marker="o", capsize=4,
                  color=color, label="linear probe (PCA + logistic regression, fitted on "
                                     "training images)")
    for step, value in zip(steps, mean, strict=True):
        axis.annotate(f"{value:.3f}", (step, value), textcoords="offset points", xytext=(0, 8),
                      ha="center", fontsize=SMALL)
    net_values = [row["accuracy"] for row in rows]
    net_mean = float(np.mean(net_values))
    axis.axhline(net_mean, color="gray", linestyle="--",
                 label=f"the net's own test accuracy, {net_mean:.3f}")
    axis.set_xticks(steps, [wrap(name, 12) for name in names])
    axis.set_xlabel("layer (input pixels first, the net's output last)")
    drawn = [*(mean - std), *(mean + std), net_mean]
    axis.set_ylim(accuracy_limits(drawn)[0], min(1.0, max(drawn) + 0.03) + 0.01)
    label_accuracy_axis(axis, "y", f"probe test accuracy ({runs_note(len(rows))})")
    axis.grid(alpha=0.3)
    figure.legend(loc="outside lower center", ncols=2, fontsize=SMALL)
    figure.suptitle(f"Information distillation, measured: what a linear read-out finds in each layer"
                    f"\n{results.display_name(label)}; {results.dataset_of(label).description}")
    save(figure, path)


@plot_kind(labels=("label",))
def input_similarity(results: ExperimentResults, path: Path, label: str) -> None:
    """Linear CKA between the input pixels and each layer's output on the test images (mean ±
    std over seeds, each seed's value the mean over its test batches): 1 for the input itself,
    lower the less a layer looks like it."""
    rows = results.rows_of(label)
    saved = [results.artifacts(row) for row in rows]
    per_seed = np.stack([artifacts[INPUT_CKA].mean(axis=0) for artifacts in saved])
    names = book_layer_names([str(name) for name in saved[0]["layer_names"]])
    mean = per_seed.mean(axis=0)
    std = per_seed.std(axis=0, ddof=1) if len(rows) > 1 else None
    batches = saved[0][INPUT_CKA].shape[0]
    figure, axis = plt.subplots(figsize=(WIDTH, 5.5), layout="constrained")
    steps = np.arange(len(names))
    axis.errorbar(steps, mean, yerr=std, marker="o", capsize=4, color=color_of(results, label),
                  label=f"linear CKA with the input pixels ({runs_note(len(rows))}; each the mean "
                        f"over {batches} batches of the test images)")
    for step, value in zip(steps, mean, strict=True):
        axis.annotate(f"{value:.3f}", (step, value), textcoords="offset points", xytext=(0, 8),
                      ha="center", fontsize=SMALL)
    axis.set_xticks(steps, [wrap(name, 12) for name in names])
    axis.set_xlabel("layer (input pixels first, the net's output last)")
    axis.set_ylim(0, 1.08)
    axis.set_ylabel("linear CKA with the input pixels\n(1: the same up to rotation and scale)")
    axis.grid(alpha=0.3)
    figure.legend(loc="outside lower center", fontsize=SMALL)
    figure.suptitle(f"How much each layer still looks like the input image\n"
                    f"{results.display_name(label)}; {results.dataset_of(label).description}")
    save(figure, path)


@plot_kind(labels=("label",))
def layer_projections(results: ExperimentResults, path: Path, label: str) -> None:
    """Each layer's test representations projected on its first two principal components."""
    saved = _first_run_artifacts(results, label)
    names = book_layer_names([str(name) for name in saved["layer_names"]])
    classes = saved["projection_labels"]
    columns = 4
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(WIDE, 2.9 * rows + 1.2), squeeze=False,
                                layout="constrained")
    colors = plt.get_cmap("tab10")
    dataset = results.dataset_of(label)
    class_names = dataset.class_names
    for index, axis in enumerate(axes.flat):
        if index >= len(names):
            axis.axis("off")
            continue
        points = saved[f"projection_{index}"]
        for class_index, name in enumerate(class_names):
            chosen = classes == class_index
            axis.scatter(points[chosen, 0], points[chosen, 1], color=colors(class_index % 10), s=4,
                         label=name if index == 0 else "_nolegend_")
        axis.set_title(f"{names[index]}\n(probe {saved['probe_accuracy'][index]:.3f})", fontsize=10)
        axis.set_xticks([])
        axis.set_yticks([])
    # The colours here are classes, not model families.
    figure.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center",
                  ncols=min(len(class_names), 5), fontsize=SMALL, markerscale=3)
    figure.suptitle(f"Test images in each layer's representation (first two principal components; "
                    f"seed {results.rows_of(label)[0]['seed']})\n{results.display_name(label)}; "
                    f"{dataset.description}", fontsize=11)
    save(figure, path)


def _input_to_last_hidden(norms: np.ndarray) -> float:
    """The gradient norm of the layer next to the input over that of the last hidden layer
    (the last entry is the softmax output layer): below 1, the signal fades towards the input."""
    return float(norms[0] / norms[-2])


@plot_kind(labels=_recipe_labels)
def gradient_norms(results: ExperimentResults, path: Path, recipes: list[str],
                   depths: list[int]) -> None:
    """Per-layer gradient norms (log) at initialisation and after epoch 1, per recipe.

    Colour here is depth (light: shallow, dark: deep), not a model family: every line is
    the same family of dense nets. The title states the measured range of the first layer's
    norm over the last hidden layer's, over every net drawn, rather than naming an effect.
    """
    moments = [("gradient_norms_at_init", "at initialisation"),
               ("gradient_norms_after_epoch_1", "after the first epoch")]
    depth_colors = plt.get_cmap("Greys")(np.linspace(0.4, 1.0, len(depths)))
    figure, axes = plt.subplots(len(moments), len(recipes), figsize=(WIDE, 8),
                                sharey=True, squeeze=False, layout="constrained")
    ratios = []
    for row, (artifact, moment) in zip(axes, moments, strict=True):
        for axis, recipe in zip(row, recipes, strict=True):
            for color, depth in zip(depth_colors, depths, strict=False):
                label = recipe_label(recipe, depth)
                if label not in results.labels or not results.rows_of(label):
                    continue
                norms = np.stack([results.artifacts(row)[artifact] for row in results.rows_of(label)])
                layers = np.arange(1, norms.shape[1] + 1)
                axis.plot(layers, norms.mean(axis=0), marker=".", color=color, label=f"depth {depth}")
                if norms.shape[1] >= 3:  # an input layer, a hidden layer and the output
                    ratios.append(_input_to_last_hidden(norms.mean(axis=0)))
            axis.set_yscale("log")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_title(f"{recipe} recipe,\n{moment}", fontsize=11)
            axis.grid(alpha=0.3, which="both")
            axis.set_xlabel("layer (1 = next to the input)")
        row[0].set_ylabel("gradient norm of the\nlayer's weights (log)")
    axes[0][0].legend(fontsize=SMALL)
    measured = (f": the layer next to the input gets {min(ratios):.2g} to {max(ratios):.2g} times "
                "the last hidden layer's" if ratios else "")
    figure.suptitle(title(results, f"Gradient norm of each layer's weights{measured}\n(mean over "
                                   "seeds; last layer: the softmax output)"))
    save(figure, path)


@plot_kind(labels=_stack_labels)
def greedy_vs_joint(results: ExperimentResults, path: Path, depths: list[int]) -> None:
    """Test accuracy against the number of stacked layers, greedy and joint training."""
    figure, axis = plt.subplots(figsize=(WIDTH, 5.5), layout="constrained")
    drawn = []
    colors = category_colours(TRAININGS)
    for linestyle, marker, training in zip(("--", "-"), ("s", "o"), TRAININGS, strict=True):
        stats = [accuracy_of(results, stack_label(training, depth)) for depth in depths]
        means = np.array([mean for mean, _, _ in stats])
        stds = np.array([std for _, std, _ in stats])
        runs = {len(rows) for _, _, rows in stats}
        axis.errorbar(depths, means, yerr=stds, marker=marker, linestyle=linestyle, capsize=4,
                      color=colors[training],
                      label=f"{training}" + (" (lower layers frozen)" if training == "greedy"
                                             else " (all layers trained together)")
                      + (", n = 1 run each" if runs == {1} else ""))
        drawn += list(means - stds) + list(means + stds)
    axis.set_xticks(depths)
    axis.set_xlabel("k, number of Dense(256, relu) layers (the same epochs, k, in both schemes)")
    axis.set_ylim(accuracy_limits(drawn)[0], min(1.0, max(drawn) + 0.01))
    label_accuracy_axis(axis, "y", "test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.suptitle(title(results, "Greedy layer-wise against joint training"))
    save(figure, path)


@plot_kind(labels=_recipe_labels)
def accuracy_vs_depth(results: ExperimentResults, path: Path, recipes: list[str],
                      depths: list[int]) -> None:
    """Test accuracy against depth for each training recipe (one colour each): the whole 0-1
    range with chance marked, every seed as a dot and a line through the median of the seeds
    (a mean of a seed that trains and one at chance would be neither), and a zoom on the
    recipes whose every seed trains, so their order at each depth shows. Below, what the
    trainability claims judge: each seed's final training loss against depth (log scale),
    guessing's loss marked, a loss that blew up drawn at the top as an open mark."""
    figure = plt.figure(figsize=(WIDE, 9.5), layout="constrained")
    grid = figure.add_gridspec(2, 2, height_ratios=[1, 0.8])
    whole_axis, zoom_axis = figure.add_subplot(grid[0, 0]), figure.add_subplot(grid[0, 1])
    loss_axis = figure.add_subplot(grid[1, :])
    chance = 1 / len(results.dataset_record.class_names)
    colors = category_colours(recipes)
    linestyles, markers = ("-", "--", ":", "-."), ("o", "s", "^", "D")
    zoomed, values = [], []
    for index, (recipe, linestyle, marker) in enumerate(zip(recipes, linestyles, markers, strict=False)):
        stats = [accuracy_of(results, recipe_label(recipe, depth)) for depth in depths]
        means = np.array([mean for mean, _, _ in stats])
        stds = np.array([std for _, std, _ in stats])
        runs = {len(rows) for _, _, rows in stats}
        color = colors[recipe]
        medians = [float(np.median([row["accuracy"] for row in rows])) if rows else np.nan
                   for _, _, rows in stats]
        whole_axis.plot(depths, medians, marker=marker, linestyle=linestyle, color=color,
                        markersize=5, label=f"{recipe} recipe"
                        + (" (n = 1 run each)" if runs == {1} else ""))
        # Each recipe's seeds a little apart from the others' along the (log) depth axis.
        nudge = 1 + 0.035 * (index - (len(recipes) - 1) / 2)
        for depth, (_, _, rows) in zip(depths, stats, strict=True):
            whole_axis.scatter([depth * nudge] * len(rows), [row["accuracy"] for row in rows],
                               color=color, edgecolors="black", linewidths=0.5, s=22, zorder=3)
        seeds = [row["accuracy"] for _, _, rows in stats for row in rows]
        # The zoom shows the recipes whose every seed learns at every depth (above twice chance).
        if seeds and min(seeds) > 2 * chance:
            zoom_axis.errorbar(depths, means, yerr=stds, marker=marker, linestyle=linestyle,
                               capsize=4, color=color, label=f"{recipe} recipe")
            values += [(depth, mean, f"{mean:.3f}", color) for depth, mean in zip(depths, means, strict=True)]
            zoomed += list(means - stds) + list(means + stds)
    whole_axis.axhline(chance, color="gray", linestyle=":", label="chance")
    whole_axis.set_ylim(0, 1)
    label_accuracy_axis(whole_axis, "y", "test accuracy (dots: seeds; line: their median)")
    whole_axis.set_title("Every seed, the whole range")
    whole_axis.legend(loc="center right", fontsize=SMALL)
    if zoomed:
        low, high = min(zoomed), max(zoomed)
        zoom_axis.set_ylim(low - 0.1 * (high - low), min(1.0, high + 0.1 * (high - low)))
        label_accuracy_axis(zoom_axis, "y", "test accuracy (mean ± std over seeds)")
        zoom_axis.set_title("Zoom on the recipes whose every seed trains")
        zoom_axis.legend(loc="lower left", fontsize=SMALL)
        for axis in (whole_axis, zoom_axis):
            axis.set_xscale("log")
        # Each mean's value beside it, where it covers no other value (two recipes can tie).
        label_without_overlap(zoom_axis, values)
    _final_losses(results, loss_axis, recipes, depths, colors, linestyles, markers)
    for axis in (whole_axis, zoom_axis, loss_axis):
        axis.set_xscale("log")
        axis.set_xticks(depths, [str(depth) for depth in depths])
        axis.minorticks_off()
        axis.set_xlabel("hidden layers (128 units each; log scale)")
        axis.grid(alpha=0.3)
    figure.suptitle(title(results, "Depth against accuracy and training loss, same epochs, "
                                   "three recipes"))
    save(figure, path)
