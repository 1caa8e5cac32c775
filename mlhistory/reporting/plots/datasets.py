"""Figures across datasets: every model's accuracy on MNIST against Fashion-MNIST."""

from pathlib import Path

import numpy as np

from ...results import MANIFEST_FILE, ExperimentResults, mean_std
from .axes import (
    SMALL,
    WIDE,
    WIDTH,
    label_accuracy_axis,
    label_without_overlap,
    plt,
)
from .colours import line_styles
from .readability import save
from .registry import plot_kind


def _sibling_results(results: ExperimentResults) -> dict[str, ExperimentResults]:
    """The same experiment's saved results on every dataset of the results set, this one's
    own included (it may still be in its staging folder: running/staging.py)."""
    experiment_id = results.manifest.experiment_id
    found = {results.dataset: results}
    for manifest in sorted(results.folder.parent.parent.glob(f"*/{experiment_id}/{MANIFEST_FILE}")):
        if manifest.parent.parent != results.folder.parent:
            other = ExperimentResults.read(manifest.parent)
            found.setdefault(other.dataset, other)
    return found


def _limits(points: dict, labels: list[str]) -> tuple[tuple, tuple]:
    """Axis limits around the points of ``labels`` and their ± std, with a margin, up to 1."""
    limits = []
    for mean, spread_at in ((0, 1), (2, 3)):
        low = min(points[label][mean] - points[label][spread_at] for label in labels)
        high = max(points[label][mean] + points[label][spread_at] for label in labels)
        margin = 0.08 * max(high - low, 0.01)
        limits.append((low - margin, min(1.0, high + margin)))
    return tuple(limits)


@plot_kind()
def accuracy_across_datasets(results: ExperimentResults, path: Path) -> None:
    """Every model of the experiment by its test accuracy on the book's dataset (x) and on the
    other dataset (y), mean ± std over seeds, from both datasets' saved results: whether the
    order of the models carries over. Each model is a numbered mark (its colour a shade of its
    lineage's), named in the key under the panels; the better half, by the book's dataset, is
    drawn again, zoomed."""
    siblings = _sibling_results(results)
    order = sorted(siblings, key=lambda dataset: (dataset != "mnist", dataset))
    if len(order) < 2:
        figure, axis = plt.subplots(figsize=(WIDTH, 2), layout="constrained")
        axis.axis("off")
        axis.text(0.5, 0.5, f"Only {siblings[order[0]].dataset_record.title} has results for "
                  "this experiment: there is no second dataset to set it against.",
                  ha="center", va="center", transform=axis.transAxes)
        save(figure, path)
        return
    first, second = siblings[order[0]], siblings[order[1]]
    labels = [label for label in first.labels if label in second.labels
              and first.rows_of(label) and second.rows_of(label)]
    styles = line_styles(first, labels)
    points = {}
    for label in labels:
        xs = [row["accuracy"] for row in first.rows_of(label)]
        ys = [row["accuracy"] for row in second.rows_of(label)]
        points[label] = (*mean_std(xs), *mean_std(ys), len(xs), len(ys))
    median = float(np.median([point[0] for point in points.values()]))
    better = [label for label in labels if points[label][0] >= median]
    limits = {"whole": _limits(points, labels), "zoom": _limits(points, better)}
    (low_x, high_x), (low_y, high_y) = limits["zoom"]
    # The zoom shows every model inside its box, whichever half it belongs to.
    zoomed = [label for label in labels if low_x <= points[label][0] <= high_x
              and low_y <= points[label][2] <= high_y]
    numbers = {label: str(number) for number, label in enumerate(labels, start=1)}
    rows = -(-len(labels) // 3)
    figure, (whole, zoom) = plt.subplots(1, 2, figsize=(WIDE, 6.0 + 0.2 * rows),
                                         layout="constrained", gridspec_kw={"width_ratios": [1, 1.3]})
    for axis, shown, (x_limits, y_limits) in ((whole, labels, limits["whole"]),
                                               (zoom, zoomed, limits["zoom"])):
        for label in shown:
            x, x_std, y, y_std, x_runs, y_runs = points[label]
            style = styles[label]
            axis.errorbar(x, y, xerr=x_std if x_runs > 1 else None,
                          yerr=y_std if y_runs > 1 else None, fmt=style["marker"], markersize=7,
                          color=style["color"], capsize=2, elinewidth=0.8,
                          markeredgecolor="0.25", markeredgewidth=0.6,
                          label=f"{numbers[label]}: {first.display_name(label)}"
                          if axis is whole else "_nolegend_")
        axis.set_xlim(*x_limits)
        axis.set_ylim(*y_limits)
        label_accuracy_axis(axis, "x", f"test accuracy on {first.dataset_record.title}")
        label_accuracy_axis(axis, "y", f"test accuracy on {second.dataset_record.title}")
        axis.grid(alpha=0.3)
    low_x, high_x = zoom.get_xlim()
    low_y, high_y = zoom.get_ylim()
    whole.add_patch(plt.Rectangle((low_x, low_y), high_x - low_x, high_y - low_y, fill=False,
                                  linestyle="--", edgecolor="0.4", linewidth=1))
    whole.set_title("Every model (dashed box: the zoom)", fontsize=11)
    zoom.set_title(f"Zoom: the better half on {first.dataset_record.title}", fontsize=11)
    for axis, shown in ((whole, [label for label in labels if label not in zoomed]),
                        (zoom, zoomed)):
        label_without_overlap(axis, [(points[label][0], points[label][2], numbers[label])
                                     for label in shown])
    figure.legend(*whole.get_legend_handles_labels(), loc="outside lower center", ncols=3,
                  fontsize=SMALL)
    figure.suptitle(f"The same models on {first.dataset_record.title} and "
                    f"{second.dataset_record.title}: does the order carry over?\n(mean ± std "
                    "over seeds; bars only where several seeds ran)")
    save(figure, path)
