"""Figures of experiments 06-12: features, layers, data, depth, the landscape, reuse."""

from pathlib import Path

import numpy as np
from matplotlib.ticker import MaxNLocator

from ...results import ExperimentResults, mean_std
from ...results.curves import balanced_accuracy, size_curve
from ...results.labels import run_label
from .history import PALETTE
from .style import DEEP_COLOR, SHALLOW_COLOR, plot_kind, plt, save, title

# Some figures build the labels they read from their options, as the experiments label their
# runs: "greedy k=2" (06), "2010 depth 5" (09), "dense (continue)" (12). The experiment checks,
# when declared, that each label built from its options names one of its runs.
TRAININGS = ("greedy", "joint")  # experiment 06's two ways of training stacked layers
MODES = ("continue", "scratch")  # experiment 12's two ways of training on new data


def _stack_label(training: str, depth: int) -> str:
    return f"{training} k={depth}"


def _recipe_label(recipe: str, depth: int) -> str:
    return f"{recipe} depth {depth}"


def _continual_label(model: str, mode: str) -> str:
    return f"{model} ({mode})"


def _representation_labels(options: dict) -> list[str]:
    return [run_label(model, features) for model in options["models"]
            for features in options["representations"]]


def _stack_labels(options: dict) -> list[str]:
    return [_stack_label(training, depth) for training in TRAININGS for depth in options["depths"]]


def _recipe_labels(options: dict) -> list[str]:
    return [_recipe_label(recipe, depth) for recipe in options["recipes"] for depth in options["depths"]]


def _continual_labels(options: dict) -> list[str]:
    return [_continual_label(model, mode) for model in options["models"] for mode in MODES]


def _accuracy(results: ExperimentResults, label: str) -> tuple[float, float, list[dict]]:
    rows = results.rows_of(label) if label in results.labels else []
    if not rows:
        return float("nan"), 0.0, rows
    mean, std = mean_std(row["accuracy"] for row in rows)
    return mean, std, rows


@plot_kind(labels=_representation_labels)
def representation_grid(results: ExperimentResults, path: Path, models: list[str],
                        representations: list[str]) -> None:
    """Test accuracy of each shallow model on each representation of the same images."""
    figure, axis = plt.subplots(figsize=(11, 5.5))
    width = 0.8 / len(models)
    positions = np.arange(len(representations))
    for index, (color, model) in enumerate(zip(PALETTE, models, strict=False)):
        means, stds, sizes = [], [], set()
        for features in representations:
            mean, std, rows = _accuracy(results, run_label(model, features))
            means.append(mean)
            stds.append(std)
            sizes |= {row["n_train"] for row in rows}
        shown = f"{model} (n_train={max(sizes):,})" if sizes else model
        bars = axis.bar(positions + (index - (len(models) - 1) / 2) * width, means, width,
                        yerr=stds, color=color, capsize=3, label=shown)
        axis.bar_label(bars, labels=[f"{mean:.3f}" for mean in means], fontsize=7, padding=2)
    low = np.nanmin([_accuracy(results, run_label(m, f))[0] for m in models for f in representations])
    axis.set_ylim(max(0.0, low - 0.08), 1.02)
    axis.set_xticks(positions, [f.replace("_", " ") for f in representations])
    axis.set_xlabel("representation (engineered: ink profiles, HOG; learned: convnet features)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.grid(axis="y", alpha=0.3)
    axis.legend(loc="upper left", fontsize=9, ncols=len(models))
    figure.suptitle(title(results, "The same shallow models on engineered, projected and learned features"))
    save(figure, path)


@plot_kind(labels=_stack_labels)
def greedy_vs_joint(results: ExperimentResults, path: Path, depths: list[int]) -> None:
    """Test accuracy against the number of stacked layers, greedy and joint training."""
    figure, axis = plt.subplots(figsize=(8, 5))
    for color, training in zip((SHALLOW_COLOR, DEEP_COLOR), TRAININGS, strict=True):
        stats = [_accuracy(results, _stack_label(training, depth))[:2] for depth in depths]
        means = np.array([mean for mean, _ in stats])
        stds = np.array([std for _, std in stats])
        axis.errorbar(depths, means, yerr=stds, marker="o", capsize=4, color=color,
                      label=f"{training}" + (" (lower layers frozen)" if training == "greedy"
                                             else " (all layers trained together)"))
    axis.set_xticks(depths)
    axis.set_xlabel("k, number of Dense(256, relu) layers (the same epochs, k, in both schemes)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.suptitle(title(results, "Greedy layer-wise against joint training"))
    save(figure, path)


def _first_run_artifacts(results: ExperimentResults, label: str) -> dict:
    return results.artifacts(results.rows_of(label)[0])


@plot_kind(labels=("label",))
def layer_activations(results: ExperimentResults, path: Path, label: str) -> None:
    """Figure 1.6, from the trained net: one test image's activations, layer by layer."""
    saved = _first_run_artifacts(results, label)
    names = [str(name) for name in saved["layer_names"]]
    maps = [index for index in range(len(names)) if saved[f"activation_{index}"].ndim == 4]
    channels = max(saved[f"activation_{index}"].shape[1] for index in maps)
    height = 1.6 * (len(maps) + 1)
    figure, axes = plt.subplots(len(maps) + 1, channels, figsize=(1.5 * channels, height),
                                squeeze=False)
    figure.subplots_adjust(top=1 - 0.7 / height, bottom=0.4 / height)
    for row, index in zip(axes, maps, strict=False):
        activation = saved[f"activation_{index}"][0]
        for column, axis in enumerate(row):
            axis.set_xticks([])
            axis.set_yticks([])
            if column < len(activation):
                axis.imshow(activation[column], cmap="viridis")
            else:
                axis.axis("off")
        row[0].set_ylabel(f"{names[index]}\n{activation.shape[1]}x{activation.shape[2]}", fontsize=8)
    dataset = results.dataset_of(label)
    class_names = dataset.class_names
    probabilities = saved[f"activation_{len(names) - 1}"][0]
    for axis in axes[-1]:
        axis.axis("off")
    bar_axis = figure.add_subplot(len(maps) + 1, 1, len(maps) + 1)
    bar_axis.bar(range(len(probabilities)), probabilities, color=DEEP_COLOR)
    bar_axis.set_xticks(range(len(probabilities)), class_names, fontsize=7)
    bar_axis.set_ylabel("output", fontsize=8)
    truth = class_names[int(saved["sample_labels"][0])]
    figure.suptitle(f"Layer by layer: a test image of class '{truth}' ({label}; the first "
                    f"{channels} channels of each layer)\n{dataset.description}",
                    fontsize=10)
    save(figure, path)


@plot_kind(labels=("label",))
def probe_accuracy(results: ExperimentResults, path: Path, label: str) -> None:
    """Linear-probe test accuracy on the input and on each layer (mean ± std over seeds)."""
    rows = results.rows_of(label)
    saved = [results.artifacts(row) for row in rows]
    curves = np.stack([artifacts["probe_accuracy"] for artifacts in saved])
    names = [str(name) for name in saved[0]["layer_names"]]
    mean = curves.mean(axis=0)
    std = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(mean)
    figure, axis = plt.subplots(figsize=(9, 5))
    steps = np.arange(len(names))
    axis.errorbar(steps, mean, yerr=std, marker="o", capsize=4, color=DEEP_COLOR,
                  label="linear probe (PCA + logistic regression, fitted on training images)")
    for step, value in zip(steps, mean, strict=True):
        axis.annotate(f"{value:.3f}", (step, value), textcoords="offset points", xytext=(0, 8),
                      ha="center", fontsize=8)
    net_mean = mean_std(row["accuracy"] for row in rows)[0]
    axis.axhline(net_mean, color="gray", linestyle="--", label=f"the net's own test accuracy {net_mean:.3f}")
    axis.set_xticks(steps, names, rotation=20)
    axis.set_ylabel(f"probe test accuracy ({len(rows)} seed{'s' if len(rows) != 1 else ''})")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right", fontsize=9)
    figure.suptitle(f"Information distillation, measured: what a linear read-out finds in each layer"
                    f"\n{results.dataset_of(label).description}")
    save(figure, path)


@plot_kind(labels=("label",))
def layer_projections(results: ExperimentResults, path: Path, label: str) -> None:
    """Each layer's test representations projected on its first two principal components."""
    saved = _first_run_artifacts(results, label)
    names = [str(name) for name in saved["layer_names"]]
    classes = saved["projection_labels"]
    columns = 4
    rows = -(-len(names) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(3.6 * columns, 3.4 * rows), squeeze=False,
                                layout="constrained")
    colors = plt.get_cmap("tab10")
    dataset = results.dataset_of(label)
    class_names = dataset.class_names
    for index, axis in enumerate(axes.flat):
        if index >= len(names):
            axis.axis("off")
            continue
        points = saved[f"projection_{index}"]
        axis.scatter(points[:, 0], points[:, 1], c=[colors(label % 10) for label in classes], s=4)
        axis.set_title(f"{names[index]} (probe {saved['probe_accuracy'][index]:.3f})", fontsize=9)
        axis.set_xticks([])
        axis.set_yticks([])
    handles = [plt.Line2D([], [], marker="o", linestyle="", color=colors(index % 10), label=name)
               for index, name in enumerate(class_names)]
    figure.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 10),
                  fontsize=8, frameon=False)
    figure.suptitle(f"Test images in each layer's representation (first two principal components; "
                    f"seed {results.rows_of(label)[0]['seed']}, probe accuracy of that seed)"
                    f"\n{dataset.description}")
    save(figure, path)


def _accuracy_curves(axis, results: ExperimentResults, labels: list[str], per: int, legend) -> None:
    """Accuracy against training size / ``per`` with a ± std band; deep solid, shallow dashed."""
    for color, label in zip(PALETTE, labels, strict=False):
        sizes, means, stds = size_curve(results, label, "accuracy")
        means, stds = np.asarray(means), np.asarray(stds)
        deep = results.family(label) == "deep"
        steps = np.asarray(sizes) / per
        axis.plot(steps, means, marker="o", color=color, linestyle="-" if deep else "--",
                  label=legend(label, deep, sizes))
        axis.fill_between(steps, means - stds, means + stds, color=color, alpha=0.15)


@plot_kind(labels=("labels",))
def learning_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Test accuracy against training size (log), mean ± std over seeds, one line per model."""
    figure, axis = plt.subplots(figsize=(10, 6))
    _accuracy_curves(axis, results, labels, per=1,
                     legend=lambda label, deep, sizes: f"{label} ({'deep' if deep else 'shallow'}; "
                                                       f"up to {sizes[-1]:,})")
    axis.set_xscale("log")
    axis.set_xlabel("training images (log scale; seeded, stratified, nested subsets)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=9)
    figure.suptitle(title(results, "Learning curves: accuracy against the amount of data"))
    save(figure, path)


@plot_kind(labels=_recipe_labels)
def accuracy_vs_depth(results: ExperimentResults, path: Path, recipes: list[str],
                      depths: list[int]) -> None:
    """Test accuracy against depth for each training recipe, with chance marked."""
    figure, axis = plt.subplots(figsize=(8, 5))
    for color, recipe in zip(PALETTE, recipes, strict=False):
        stats = [_accuracy(results, _recipe_label(recipe, depth))[:2] for depth in depths]
        axis.errorbar(depths, [mean for mean, _ in stats], yerr=[std for _, std in stats],
                      marker="o", capsize=4, color=color, label=f"{recipe} recipe")
    axis.axhline(1 / len(results.manifest["dataset"]["class_names"]), color="gray",
                 linestyle=":", label="chance")
    axis.set_xscale("log")
    axis.set_xticks(depths, [str(depth) for depth in depths])
    axis.minorticks_off()
    axis.set_xlabel("hidden layers (128 units each; log scale)")
    axis.set_ylabel("test accuracy (mean ± std over seeds)")
    axis.set_ylim(0, 1)
    axis.grid(alpha=0.3)
    axis.legend(loc="lower left")
    figure.suptitle(title(results, "Depth against accuracy, same epochs, three recipes"))
    save(figure, path)


@plot_kind(labels=_recipe_labels)
def gradient_norms(results: ExperimentResults, path: Path, recipes: list[str],
                   depths: list[int]) -> None:
    """Per-layer gradient norms (log) at initialisation and after epoch 1, per recipe."""
    moments = [("gradient_norms_at_init", "at initialisation"),
               ("gradient_norms_after_epoch_1", "after the first epoch")]
    figure, axes = plt.subplots(len(moments), len(recipes), figsize=(4.5 * len(recipes), 7.5),
                                sharey=True, squeeze=False, layout="constrained")
    for row, (artifact, moment) in zip(axes, moments, strict=True):
        for axis, recipe in zip(row, recipes, strict=True):
            for color, depth in zip(PALETTE, depths, strict=False):
                label = _recipe_label(recipe, depth)
                if label not in results.labels or not results.rows_of(label):
                    continue
                norms = np.stack([results.artifacts(row)[artifact] for row in results.rows_of(label)])
                layers = np.arange(1, norms.shape[1] + 1)
                axis.plot(layers, norms.mean(axis=0), marker=".", color=color, label=f"depth {depth}")
            axis.set_yscale("log")
            axis.xaxis.set_major_locator(MaxNLocator(integer=True))
            axis.set_title(f"{recipe} recipe, {moment}", fontsize=10)
            axis.grid(alpha=0.3, which="both")
            axis.set_xlabel("layer (1 = next to the input; last = softmax)")
        row[0].set_ylabel("gradient norm of the layer's weights (log)")
    axes[0][0].legend(fontsize=8)
    figure.suptitle(title(results, "Vanishing gradients made visible"))
    save(figure, path)


@plot_kind(models=("models",))
def landscape(results: ExperimentResults, path: Path, models: list[str], imbalanced: list[str]) -> None:
    """One panel per kind of data: each model's accuracy on each dataset (± std over seeds)."""
    datasets = results.run_datasets
    kinds = {"structured (tables)": [d for d in datasets if not results.datasets[d].is_image],
             "perceptual (images)": [d for d in datasets if results.datasets[d].is_image]}
    figure, axes = plt.subplots(1, 2, figsize=(15, 5.5), sharey=True,
                                gridspec_kw={"width_ratios": [max(len(v), 1) for v in kinds.values()]})
    width = 0.8 / len(models)
    for axis, (kind, members) in zip(axes, kinds.items(), strict=True):
        positions = np.arange(len(members))
        for index, (color, model) in enumerate(zip(PALETTE, models, strict=False)):
            for position, dataset in zip(positions, members, strict=True):
                label = results.label_for(model, dataset)
                if label is None:
                    continue
                rows = results.rows_of(label)
                mean, std = mean_std(row["accuracy"] for row in rows)
                x = position + (index - (len(models) - 1) / 2) * width
                axis.bar(x, mean, width, yerr=std, color=color, capsize=2,
                         label=model if position == 0 or model == "convnet" else None)
                if dataset in imbalanced:
                    balanced = [balanced_accuracy(results.artifacts(row)["confusion"]) for row in rows]
                    axis.scatter([x] * len(balanced), balanced, marker="_", s=120, color="black",
                                 zorder=3, label="balanced accuracy (a dash per seed)"
                                 if index == 0 else None)
        sizes = [max(row["n_train"] for row in results.rows if row["dataset"] == dataset)
                 for dataset in members]
        axis.set_xticks(positions, [f"{dataset}\n(n_train {size:,})"
                                    for dataset, size in zip(members, sizes, strict=True)])
        axis.set_title(kind)
        axis.grid(axis="y", alpha=0.3)
        axis.set_ylim(0.5, 1.01)
    axes[0].set_ylabel("test accuracy (mean ± std over seeds)")
    handles, labels = [], []
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(handle)
                labels.append(label)
    figure.legend(handles, labels, loc="lower center", ncols=len(labels), frameon=False,
                  bbox_to_anchor=(0.5, -0.04))
    skipped = ", ".join(sorted({entry["dataset"] for entry in results.manifest.get("skipped", [])}))
    note = f" (not available here: {skipped})" if skipped else ""
    figure.suptitle("Who wins where: the same models on structured and perceptual data" + note)
    save(figure, path)


@plot_kind(labels=("labels",))
def transfer_curves(results: ExperimentResults, path: Path, per_class: list[int],
                    labels: list[str]) -> None:
    """Accuracy on the new classes against labelled images per class (log), per approach."""
    n_classes = len(results.run(labels[0])["classes"])
    figure, axis = plt.subplots(figsize=(9, 5.5))
    _accuracy_curves(axis, results, labels, per=n_classes, legend=lambda label, deep, sizes: label)
    axis.set_xscale("log")
    axis.set_xticks(per_class, [str(count) for count in per_class])
    axis.minorticks_off()
    axis.set_xlabel(f"labelled training images per class ({n_classes} new classes)")
    axis.set_ylabel("test accuracy on the new classes (mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=9)
    figure.suptitle(title(results, "Reusing a pretrained convnet on classes it never saw"))
    save(figure, path)


@plot_kind(labels=_continual_labels)
def continual_curves(results: ExperimentResults, path: Path, models: list[str]) -> None:
    """Accuracy after each stage against cumulative training time: continue vs retrain."""
    figure, axes = plt.subplots(1, len(models), figsize=(4.4 * len(models), 4.8), squeeze=False,
                                layout="constrained")
    for axis, model in zip(axes[0], models, strict=True):
        for color, mode in zip((DEEP_COLOR, SHALLOW_COLOR), MODES, strict=True):
            label = _continual_label(model, mode)
            saved = [results.artifacts(row) for row in results.rows_of(label)]
            accuracy = np.stack([artifacts["staged_accuracy"] for artifacts in saved]).mean(axis=0)
            seconds = np.stack([np.cumsum(artifacts["stage_seconds"]) for artifacts in saved]).mean(axis=0)
            axis.plot(seconds, accuracy, marker="o", color=color, label=mode)
            for stage, (x, y) in enumerate(zip(seconds, accuracy, strict=True), start=1):
                axis.annotate(f"{stage}/{len(accuracy)}", (x, y), textcoords="offset points",
                              xytext=(4, -10), fontsize=7, color=color)
        axis.set_title(model, fontsize=10)
        axis.set_xlabel("cumulative training time, s")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="lower right")
    axes[0][0].set_ylabel("test accuracy after each stage (mean over seeds)")
    figure.suptitle(title(results, "New data arrives in thirds: keep training, or retrain from scratch"))
    save(figure, path)


@plot_kind(models=("models",))
def who_wins_grid(results: ExperimentResults, path: Path, models: list[str]) -> None:
    """Datasets x models: each cell's gap to the best model on that dataset, winner marked."""
    datasets = results.run_datasets
    gaps = np.full((len(datasets), len(models)), np.nan)
    means = np.full_like(gaps, np.nan)
    for row_index, dataset in enumerate(datasets):
        for column, model in enumerate(models):
            label = results.label_for(model, dataset)
            if label is not None and results.rows_of(label):
                means[row_index, column] = mean_std(r["accuracy"] for r in results.rows_of(label))[0]
        gaps[row_index] = 100 * (means[row_index] - np.nanmax(means[row_index]))
    figure, axis = plt.subplots(figsize=(1.6 * len(models) + 3, 0.6 * len(datasets) + 2),
                                layout="constrained")
    image = axis.imshow(np.maximum(gaps, -10), cmap="RdYlGn", vmin=-10, vmax=0, aspect="auto")
    for (row_index, column), gap in np.ndenumerate(gaps):
        if np.isnan(gap):
            declared = results.label_for(models[column], datasets[row_index]) is not None
            absent = "not run" if declared else "n/a"
            axis.text(column, row_index, absent, ha="center", va="center", fontsize=8, color="gray")
            continue
        text = "best\n" if gap == 0 else f"{gap:+.1f}\n".replace("-0.0", "0.0")
        axis.text(column, row_index, text + f"{means[row_index, column]:.3f}", ha="center",
                  va="center", fontsize=8, fontweight="bold" if gap == 0 else "normal")
    kinds = ["images" if results.datasets[d].is_image else "table" for d in datasets]
    axis.set_yticks(range(len(datasets)), [f"{d} ({k})" for d, k in zip(datasets, kinds, strict=True)])
    axis.set_xticks(range(len(models)), models)
    figure.colorbar(image, ax=axis, label="points behind the best model (mean over seeds; capped at -10)")
    figure.suptitle("Who wins where: accuracy gap to the best model on each dataset")
    save(figure, path)
