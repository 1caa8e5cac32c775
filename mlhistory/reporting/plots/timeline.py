"""The project's signature figure: measured test error against the year each method appeared,
beside the ImageNet errors the book quotes."""

import csv
from pathlib import Path

from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ...paths import REFERENCES_DIR
from ...results import RUNS_FILE, ExperimentResults, mean_std, read_rows
from .axes import SMALL, WIDE, label_without_overlap, plt, wrap
from .colours import FamilyLegend, family_color, legend_in_family_order
from .readability import save
from .registry import plot_kind


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
    experiment_id = results.manifest.experiment_id
    results_dir = results.folder.parent.parent
    # This dataset's rows are the experiment's own, which may still be in its staging folder
    # (running/staging.py); the other datasets' come from their finished folders.
    others = [path for path in sorted(results_dir.glob(f"*/{experiment_id}/{RUNS_FILE}"))
              if path.parent.parent != results.folder.parent]
    panels, descriptions = {}, {}
    for runs_file in [results.folder / RUNS_FILE, *others]:
        for row in read_rows(runs_file):
            panels.setdefault(row["dataset"], []).append(row)
        record = ExperimentResults.read(runs_file.parent).dataset_record
        descriptions[record.name] = record.description
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
            family = milestone["lineage"]
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
