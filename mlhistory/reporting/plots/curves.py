"""Learning and training curves: test accuracy as training goes on (epochs, trees added,
stages of new data) or as the training set grows, one line per run with its spread; the test
error on log-log axes; and a reliability diagram (accuracy against confidence)."""

from pathlib import Path

import numpy as np
from matplotlib.ticker import FuncFormatter

from ...judging.base import from_dict as claim_from_dict
from ...judging.growth import error_exponents, per_doubling
from ...results import ExperimentResults
from ...results.curves import epoch_curve, size_curve, staged_curve, staged_steps
from ...results.labels import continual_label
from .axes import SMALL, WIDTH, accuracy_limits, label_accuracy_axis, plt, runs_note, title
from .colours import category_colours, family_of, line_styles
from .readability import save
from .registry import plot_kind

# Some figures build the labels they read from their options, as the experiments label their
# runs: "dense (continue)" (12). The experiment checks, when declared, that each label built from
# its options names one of its runs.
MODES = ("continue", "scratch")  # experiment 12's two ways of training on new data


def _continual_labels(options: dict) -> list[str]:
    return [continual_label(model, mode) for model in options["models"] for mode in MODES]


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


def _accuracy_curves(axis, results: ExperimentResults, labels: list[str], per: int,
                     legend) -> list[float]:
    """Accuracy against training size / ``per`` with a ± std band, coloured by family;
    returns every value drawn."""
    styles = line_styles(results, labels)
    drawn = []
    for label in labels:
        sizes, means, stds = size_curve(results, label, "accuracy")
        means, stds = np.asarray(means), np.asarray(stds)
        steps = np.asarray(sizes) / per
        axis.plot(steps, means, **styles[label], label=legend(label, sizes))
        axis.fill_between(steps, means - stds, means + stds, color=styles[label]["color"], alpha=0.15)
        drawn += list(means - stds) + list(means + stds)
    return drawn


def _claimed_sizes(results: ExperimentResults, labels: list[str]) -> list[int]:
    """The training sizes the experiment's saved claims about these runs compare at."""
    sizes = []
    for saved in results.manifest.claims:
        claim = claim_from_dict(saved)
        size = getattr(claim, "n_train", None)
        if size and set(claim.run_labels()) & set(labels) and size not in sizes:
            sizes.append(size)
    return sizes


@plot_kind(labels=("labels",))
def learning_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Test accuracy against training size (log), mean ± std over seeds, one line per model;
    a vertical line at each training size a claim about these runs compares at."""
    figure, axis = plt.subplots(figsize=(WIDTH, 6.5), layout="constrained")
    drawn = _accuracy_curves(axis, results, labels, per=1, legend=lambda label, sizes:
                             f"{results.display_name(label)} (up to {sizes[-1]:,})")
    for size in _claimed_sizes(results, labels):
        axis.axvline(size, color="black", linestyle=(0, (2, 2)), linewidth=1,
                     label=f"a claim compares the models here: {size:,} training images")
    axis.set_xscale("log")
    axis.set_xlabel("training images (log scale; seeded, stratified, nested subsets)")
    axis.set_ylim(accuracy_limits(drawn, step=0.1)[0], 1.0)
    label_accuracy_axis(axis, "y", "test accuracy (mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=SMALL)
    figure.suptitle(title(results, "Learning curves: accuracy against the amount of data"))
    save(figure, path)


@plot_kind(labels=("labels",))
def transfer_curves(results: ExperimentResults, path: Path, per_class: list[int],
                    labels: list[str]) -> None:
    """Accuracy on the new classes against labelled images per class (log), per approach."""
    n_classes = len(results.run(labels[0]).classes)
    figure, axis = plt.subplots(figsize=(WIDTH, 6), layout="constrained")
    drawn = _accuracy_curves(axis, results, labels, per=n_classes,
                             legend=lambda label, sizes: results.display_name(label))
    axis.set_xscale("log")
    axis.set_xticks(per_class, [str(count) for count in per_class])
    axis.minorticks_off()
    axis.set_xlabel(f"labelled training images per class ({n_classes} new classes; log scale)")
    axis.set_ylim(accuracy_limits(drawn, step=0.1)[0], 1.0)
    label_accuracy_axis(axis, "y", "test accuracy on the new classes\n(mean ± std over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=SMALL)
    figure.suptitle(title(results, "Reusing a pretrained convnet on classes it never saw"))
    save(figure, path)


@plot_kind(labels=_continual_labels)
def continual_curves(results: ExperimentResults, path: Path, models: list[str]) -> None:
    """Accuracy after each stage against cumulative training time: continue vs retrain.

    Each point is drawn as its stage's number, so no label can overprint another. Each panel's
    accuracy axis is zoomed to its own data (the cut marked), so a one-point difference shows;
    a band gives ± one std over seeds where several ran. The two ways of training have one
    colour each in every panel, named in one legend under the panels.
    """
    columns = min(len(models), 2)
    grid_rows = -(-len(models) // columns)
    figure, axes = plt.subplots(grid_rows, columns, figsize=(WIDTH, 4.2 * grid_rows + 1.6),
                                squeeze=False, layout="constrained")
    colors = category_colours(MODES)
    names = {"continue": "continue training", "scratch": "retrain from scratch"}
    for axis, model in zip(axes.flat, models, strict=False):
        drawn = []
        for mode, linestyle in zip(MODES, ("-", "--"), strict=True):
            label = continual_label(model, mode)
            saved = [results.artifacts(row) for row in results.rows_of(label)]
            curves = np.stack([artifacts["staged_accuracy"] for artifacts in saved])
            accuracy = curves.mean(axis=0)
            std = curves.std(axis=0, ddof=1) if len(curves) > 1 else np.zeros_like(accuracy)
            seconds = np.stack([np.cumsum(artifacts["stage_seconds"]) for artifacts in saved]).mean(axis=0)
            color = colors[mode]
            axis.plot(seconds, accuracy, color=color, linestyle=linestyle, alpha=0.8,
                      label=names[mode])
            if len(curves) > 1:
                axis.fill_between(seconds, accuracy - std, accuracy + std, color=color, alpha=0.15)
            for stage, (x, y) in enumerate(zip(seconds, accuracy, strict=True), start=1):
                # Stage 1 trains the same way in both modes: one number there is enough.
                if stage > 1 or mode == MODES[0]:
                    axis.plot(x, y, marker=f"${stage}$", markersize=10, color=color,
                              linestyle="", label="_nolegend_")
            drawn += list(accuracy - std) + list(accuracy + std)
        name = results.display_name(continual_label(model, MODES[0])).replace(f" ({MODES[0]})", "")
        runs = len(results.rows_of(continual_label(model, MODES[0])))
        axis.set_title(f"{name} ({runs_note(runs)}{'; band: ± one std' if runs > 1 else ''})",
                       fontsize=11)
        axis.set_xlabel("cumulative training time, s")
        axis.grid(alpha=0.3)
        low, high = min(drawn), max(drawn)
        pad = max(0.1 * (high - low), 0.002)
        axis.set_ylim(low - pad, min(1.0, high + pad))
        label_accuracy_axis(axis, "y", "test accuracy after each stage\n(mean over seeds)")
        # Room on the right for the last stage's number.
        axis.set_xlim(right=axis.get_xlim()[1] + 0.04 * (axis.get_xlim()[1] - axis.get_xlim()[0]))
    for axis in axes.flat[len(models):]:
        axis.axis("off")
    figure.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside lower center", ncols=2,
                  fontsize=SMALL)
    figure.suptitle(title(results, "New data arrives in thirds: keep training, or retrain from "
                                   "scratch\n(points: stage number; stage 1 is trained alike in both)"))
    save(figure, path)


@plot_kind(labels=("labels",))
def error_curves(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """Test error against training size, both axes on log scales, one line per model: a power
    law error ~ n^-a is a straight line of slope -a, fitted over the sizes the models share."""
    figure, axis = plt.subplots(figsize=(WIDTH, 6.5), layout="constrained")
    styles = line_styles(results, labels)
    curves = {label: size_curve(results, label, "accuracy") for label in labels}
    shared = sorted(set.intersection(*(set(sizes) for sizes, _, _ in curves.values())))
    for label, (sizes, means, _) in curves.items():
        errors = 1 - np.asarray(means)
        exponent = float(error_exponents([means[sizes.index(size)] for size in shared], shared))
        axis.plot(sizes, errors, **styles[label],
                  label=f"{results.display_name(label)}: a = {exponent:.2f}, error "
                        f"{per_doubling(exponent)}")
    axis.set_xscale("log")
    axis.set_yscale("log")
    percent = FuncFormatter(lambda value, _: f"{value:.0%}" if value >= 0.01 else f"{value:.1%}")
    axis.yaxis.set_major_formatter(percent)
    axis.yaxis.set_minor_formatter(percent)
    axis.set_xlabel("training images (log scale; seeded, stratified, nested subsets)")
    axis.set_ylabel("test error, 1 - accuracy (log scale; mean over seeds)")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower left", fontsize=SMALL,
                title=f"exponent a of error ~ n^-a over n_train {shared[0]:,}..{shared[-1]:,}",
                title_fontsize=SMALL)
    figure.suptitle(title(results, "Learning curves on log-log axes: how fast the error "
                                   "falls as the data double"))
    save(figure, path)


RELIABILITY_BINS = np.linspace(0.0, 1.0, 11)  # ten bins of confidence


@plot_kind(labels=("labels",))
def reliability(results: ExperimentResults, path: Path, labels: list[str]) -> None:
    """A reliability diagram: accuracy against the confidence a model gives its predicted class,
    in ten bins of confidence (a calibrated model lies on the diagonal), and below it the
    share of the test images in each bin. Seeds are pooled."""
    figure, (axis, shares) = plt.subplots(2, 1, figsize=(WIDTH, 8), height_ratios=(3, 1.3),
                                          sharex=True, layout="constrained")
    styles = line_styles(results, labels)
    centres = (RELIABILITY_BINS[:-1] + RELIABILITY_BINS[1:]) / 2
    axis.plot([0, 1], [0, 1], color="gray", linestyle="--", label="calibrated: as sure as right")
    for label in labels:
        rows = results.rows_of(label)
        confidence = np.concatenate([results.artifacts(row)["confidence"] for row in rows])
        right = np.concatenate([results.artifacts(row)["predictions"] == results.test_labels(row)
                                for row in rows])
        bins = np.clip(np.digitize(confidence, RELIABILITY_BINS[1:-1]), 0, len(centres) - 1)
        counts = np.bincount(bins, minlength=len(centres))
        filled = counts > 0
        accuracy = np.bincount(bins, weights=right, minlength=len(centres))[filled] / counts[filled]
        mean_confidence = (np.bincount(bins, weights=confidence, minlength=len(centres))[filled]
                           / counts[filled])
        gap = confidence.mean() - right.mean()
        axis.plot(mean_confidence, accuracy, **styles[label],
                  label=f"{results.display_name(label)}: mean confidence {confidence.mean():.3f}, "
                        f"accuracy {right.mean():.3f}: over-confident by {100 * gap:+.1f} points")
        shares.plot(centres[filled], counts[filled] / len(confidence), **styles[label])
    axis.set_xlim(0, 1)
    axis.set_ylim(0, 1)
    label_accuracy_axis(axis, "y", "accuracy of the test images in the bin")
    axis.grid(alpha=0.3)
    axis.legend(loc="upper left", fontsize=SMALL)
    shares.set_yscale("log")
    shares.set_ylabel("share of the\ntest images (log)")
    shares.set_xlabel("confidence: the probability given to the predicted class (ten bins)")
    shares.grid(alpha=0.3, which="both")
    figure.suptitle(title(results, "Reliability: how often a model is right against how sure "
                                   "it is"))
    save(figure, path)
