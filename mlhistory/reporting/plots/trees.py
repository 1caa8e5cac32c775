"""What a learned tree asks and where trees look: the top of a tree, importances as pixel
maps."""

from pathlib import Path

import numpy as np

from ...results import ExperimentResults
from .axes import SMALL, WIDE, WIDTH, plt, runs_note, title, wrap
from .readability import save
from .registry import plot_kind


def _pixel_name(feature: int, width: int) -> str:
    return f"pixel ({feature // width}, {feature % width})"


@plot_kind(labels=("label",))
def tree_diagram(results: ExperimentResults, path: Path, label: str, depth: int = 3) -> None:
    """Figure 1.11, measured: the top levels of a learned tree, its questions about pixels."""
    tree = results.artifacts(results.rows_of(label)[0])
    class_names = results.dataset_record.class_names
    width = results.dataset_record.input_shape[1]
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
    shape = results.dataset_record.input_shape
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
