"""Grids and images: confusion matrices, a linear model's weights as class templates, who wins
on which dataset, sample test images and the test images the best models get wrong."""

from pathlib import Path

import numpy as np
from matplotlib.colors import TwoSlopeNorm

from ...results import SAMPLE_IMAGES_FILE, TEST_IMAGES_FILE, ExperimentResults, key_of_test_set
from .axes import SMALL, WIDE, WIDTH, plt, title, wrap
from .comparisons import landscape_metric
from .readability import save
from .reading import METRIC_NAMES, claims_metric, metric_values, model_name
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


# The who-wins grid's colours: ColorBrewer's red-blue diverging map (colour-blind safe), blue
# for a model within GAP_CENTRE points of the best, red for one further behind, white between.
GAP_MAP = "RdBu"
GAP_FLOOR, GAP_CENTRE = -10.0, -1.0


@plot_kind(models=("models",), labels=("labels",))
def who_wins_grid(results: ExperimentResults, path: Path, models: list[str],
                  imbalanced: list[str] = (), labels: list[str] = (),
                  metric: str | None = None) -> None:
    """Datasets x models: each cell's gap to the best model on that dataset, winner marked.

    The comparison uses ``metric`` when given (the metric of the claim the grid carries), else
    the metric the experiment's claims compare (macro-F1 in experiment 11), else accuracy, and
    balanced accuracy (mean recall over classes) on an imbalanced dataset; each row says which.
    Rows are named by the dataset's title. Each cell is the model's run on that dataset, among
    ``labels`` when given (one budget per model where an experiment runs several).
    """
    datasets = results.run_datasets
    gaps = np.full((len(datasets), len(models)), np.nan)
    scores = np.full_like(gaps, np.nan)
    runs = np.zeros_like(gaps, dtype=int)
    metrics = {dataset: metric or landscape_metric(results, dataset, list(imbalanced))
               for dataset in datasets}
    for row_index, dataset in enumerate(datasets):
        for column, model in enumerate(models):
            label = results.label_for(model, dataset, among=labels)
            if label is not None and results.rows_of(label):
                rows = results.rows_of(label)
                scores[row_index, column] = np.mean(metric_values(results, rows, metrics[dataset]))
                runs[row_index, column] = len(rows)
        gaps[row_index] = 100 * (scores[row_index] - np.nanmax(scores[row_index]))
    figure, axis = plt.subplots(figsize=(WIDE, 0.8 * len(datasets) + 2.4), layout="constrained")
    norm = TwoSlopeNorm(vmin=GAP_FLOOR, vcenter=GAP_CENTRE, vmax=0)
    shown = np.maximum(gaps, GAP_FLOOR)
    image = axis.imshow(shown, cmap=GAP_MAP, norm=norm, aspect="auto")
    for (row_index, column), gap in np.ndenumerate(gaps):
        if np.isnan(gap):
            declared = results.label_for(models[column], datasets[row_index], among=labels)
            axis.text(column, row_index, "not run" if declared else "n/a", ha="center",
                      va="center", fontsize=SMALL, color="gray")
            continue
        text = "best\n" if gap == 0 else f"{gap:+.1f}\n".replace("-0.0", "0.0")
        single = "\n(n = 1 run)" if runs[row_index, column] == 1 else ""
        # Dark cells (either end of the map) take white text.
        dark = abs(norm(shown[row_index, column]) - 0.5) > 0.35
        axis.text(column, row_index, text + f"{scores[row_index, column]:.3f}" + single,
                  ha="center", va="center", fontsize=SMALL, color="white" if dark else "black",
                  fontweight="bold" if gap == 0 else "normal")
    rows_shown = [f"{wrap(results.datasets[dataset].title, 22)}\n"
                  f"({'images' if results.datasets[dataset].is_image else 'table'}; "
                  f"{METRIC_NAMES[metrics[dataset]]})" for dataset in datasets]
    axis.set_yticks(range(len(datasets)), rows_shown)
    names = [model_name(results, model, among=labels) for model in models]
    axis.set_xticks(range(len(models)), [wrap(name, 14) for name in names])
    axis.set_xlabel("model")
    axis.set_ylabel("dataset (and the metric compared)")
    bar = figure.colorbar(image, ax=axis, label=f"points behind the best model\n(mean over "
                                                f"seeds; capped at {GAP_FLOOR:g};\nblue: within "
                                                f"{-GAP_CENTRE:g} point of the best)")
    bar.set_ticks([GAP_FLOOR, -5, -2, GAP_CENTRE, 0])
    metric = metric or claims_metric(results)
    by = f"by {METRIC_NAMES[metric]}, the metric of the claims" if metric else \
        "by the metric that fits the data"
    figure.suptitle(f"Who wins where: gap to the best model on each dataset, {by}")
    save(figure, path)


def _show_image(axis, image: np.ndarray, shape: tuple) -> None:
    """One greyscale test image, ink dark on white, scaled over its own range."""
    axis.imshow(np.asarray(image, dtype=float).reshape(shape), cmap="gray_r",
                interpolation="nearest")
    axis.set_xticks([])
    axis.set_yticks([])
    for spine in axis.spines.values():
        spine.set_visible(False)


@plot_kind()
def sample_images(results: ExperimentResults, path: Path) -> None:
    """What the data look like: the first test images of each class, one row per class, from
    the sample the experiment saved (``SAMPLE_IMAGES_FILE``)."""
    saved = results.images(SAMPLE_IMAGES_FILE)
    record = results.dataset_record
    classes = np.unique(saved["labels"])
    per_class = max(int(np.sum(saved["labels"] == label)) for label in classes)
    figure, grid = plt.subplots(len(classes), per_class, squeeze=False,
                                figsize=(WIDTH, 0.78 * len(classes) + 1.0))
    figure.subplots_adjust(left=0.14, right=0.94, top=1 - 0.9 / (0.78 * len(classes) + 1.0),
                           bottom=0.02, wspace=0.08, hspace=0.08)
    for row, label in zip(grid, classes, strict=True):
        images = saved["images"][saved["labels"] == label]
        for column, axis in enumerate(row):
            if column < len(images):
                _show_image(axis, images[column], record.input_shape)
            else:
                axis.axis("off")
        row[0].set_ylabel(wrap(record.class_names[int(label)], 14), rotation=0, ha="right",
                          va="center", fontsize=10)
    figure.suptitle(title(results, f"The data: the first {per_class} test images of each class "
                                   "(raw pixel values; darker is higher)"))
    save(figure, path)


ERRORS_SHOWN = 12  # misclassified test images shown per model
ERROR_COLUMNS = 6


def _best_of(results: ExperimentResults, labels: list[str]) -> str | None:
    """The label, of those with results, whose mean test accuracy is highest."""
    found = {label: np.mean([row["accuracy"] for row in results.rows_of(label)])
             for label in labels if label in results.labels and results.rows_of(label)}
    return max(found, key=found.get) if found else None


@plot_kind(labels=("deep", "shallow"))
def confusion_and_errors(results: ExperimentResults, path: Path, deep: list[str],
                         shallow: list[str]) -> None:
    """Where the best net and the best shallow model (highest mean accuracy of the ``deep`` and
    ``shallow`` labels) go wrong: each one's confusion matrix with the right predictions (the
    diagonal) left blank, so the errors show, and the first test images it misclassifies, from
    the saved confusion and predictions of its first seed.

    No class probabilities are saved with the runs, so these are not the most confidently
    wrong images: they are the first wrong ones in test order, among the test images the
    experiment saved (``TEST_IMAGES_FILE``), and the figure says so.
    """
    saved = results.images(TEST_IMAGES_FILE)
    record = results.dataset_record
    names = record.class_names
    chosen = [label for label in (_best_of(results, deep), _best_of(results, shallow)) if label]
    height = 4.6 * len(chosen) + 1.4
    figure = plt.figure(figsize=(WIDE, height), layout="constrained")
    panels = figure.subfigures(len(chosen), 1, squeeze=False)[:, 0]
    for panel, label in zip(panels, chosen, strict=True):
        row = results.rows_of(label)[0]
        predictions = results.artifacts(row)["predictions"]
        counts = results.artifacts(row)["confusion"].astype(float)
        errors = np.where(np.eye(len(counts), dtype=bool), np.nan, counts)
        grid = panel.add_gridspec(2, ERROR_COLUMNS + 1,
                                  width_ratios=[ERROR_COLUMNS * 0.9] + [1] * ERROR_COLUMNS)
        matrix = panel.add_subplot(grid[:, 0])
        most = max(np.nanmax(errors), 1)
        matrix.imshow(errors, cmap="Blues", vmin=0, vmax=most)
        for (true, predicted), count in np.ndenumerate(errors):
            if count > 0:
                matrix.text(predicted, true, f"{count:.0f}", ha="center", va="center",
                            fontsize=SMALL, color="white" if count > most / 2 else "black")
        ticks = np.arange(len(names))
        matrix.set_xticks(ticks, [wrap(name, 10) for name in names], rotation=90, fontsize=SMALL)
        matrix.set_yticks(ticks, names, fontsize=SMALL)
        matrix.set_xlabel("predicted class")
        matrix.set_ylabel("true class")
        matrix.set_title(f"wrong predictions, of {int(counts.sum()):,} test images\n(count per "
                         "true and predicted class)", fontsize=10)
        same_set = saved["test_set"] == key_of_test_set(row["dataset"], row["n_test"])
        wrong = [index for index, image_index in enumerate(saved["indices"])
                 if same_set and predictions[image_index] != saved["labels"][index]]
        for slot in range(2 * ERROR_COLUMNS):
            axis = panel.add_subplot(grid[slot // ERROR_COLUMNS, 1 + slot % ERROR_COLUMNS])
            if slot >= min(len(wrong), ERRORS_SHOWN):
                axis.axis("off")
                continue
            index = wrong[slot]
            _show_image(axis, saved["images"][index], record.input_shape)
            truth = names[int(saved["labels"][index])]
            guess = names[int(predictions[saved["indices"][index]])]
            axis.set_title(f"{wrap(truth, 11)}\n→ {wrap(guess, 11)}", fontsize=SMALL)
        shown = min(len(wrong), ERRORS_SHOWN)
        panel.suptitle(f"{results.display_name(label)}: accuracy {row['accuracy']:.3f} (seed "
                       f"{row['seed']})\n{len(wrong)} of the first {len(saved['indices']):,} test "
                       f"images wrong, the first {shown} shown (true → predicted)", fontsize=11)
    figure.suptitle(title(results, "Where the best net and the best shallow model go wrong\n"
                                   "(no class probabilities are saved: the first wrong images "
                                   "in test order, not the most confident)"))
    save(figure, path)
