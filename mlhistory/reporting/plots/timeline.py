"""The project's signature figure: measured test error against the year each method appeared,
beside the ImageNet errors the book quotes."""

import csv
from pathlib import Path

from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ...paths import REFERENCES_DIR
from ...results import RUNS_FILE, ExperimentResults, mean_std, read_rows
from .axes import MARGIN, NOT_DATA, SMALL, WIDE, label_without_overlap, plt, segments_cross, wrap
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
# Methods not run here have no error to show, and a mark at any error rate would read as one:
# they sit in a strip under each panel's year axis, outside the data area, one row of marks and
# names per STRIP_ROW_INCHES.
STRIP_ROW_INCHES = 0.24
PANEL_INCHES = 4.2
YEARS = (1950, 2020)
# Where the panels sit in the figure's width (fractions): the right margin holds the labels of
# the crowded decade.
LEFT, RIGHT = 0.1, 0.7


@plot_kind()
def timeline(results: ExperimentResults, path: Path) -> None:
    """The project's signature plot: measured test error against the year each method appeared.

    One panel per dataset this experiment has results for (MNIST, the book's dataset, first);
    every method of ``references/timeline.csv`` gets its mark: a method run here at its
    measured error, a method not run here an open circle in a strip under the year axis, with
    no error value. A last panel shows the ImageNet top-5 errors the book quotes (labelled as
    quoted, not measured).
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
    points = {dataset: _timeline_points(panels[dataset]) for dataset in order}
    not_run = {dataset: [milestone for milestone in milestones
                         if milestone["model"] not in points[dataset]] for dataset in order}
    rows = {dataset: _strip_rows(not_run[dataset]) for dataset in order}
    strips = {dataset: (max(rows[dataset].values()) + 1 if rows[dataset] else 0) for dataset in order}
    heights = [PANEL_INCHES + STRIP_ROW_INCHES * (strips[dataset] + 0.5) + 1.0 for dataset in order]
    height = sum(heights) + 2.4 + 1.6
    figure = plt.figure(figsize=(WIDE, height))
    grid = figure.add_gridspec(len(order) + 1, 1, height_ratios=[*heights, 2.4], left=LEFT,
                               right=RIGHT, top=1 - 0.75 / height, bottom=1.6 / height, hspace=0.0)
    legend = FamilyLegend({NOT_RUN: "open circle: not run here (no error to show)"})
    for index, dataset in enumerate(order):
        strip_inches = STRIP_ROW_INCHES * (strips[dataset] + 0.5) if strips[dataset] else 0
        cell = grid[index].subgridspec(3, 1, hspace=0.0, height_ratios=[
            PANEL_INCHES, max(strip_inches, 1e-3), heights[index] - PANEL_INCHES - strip_inches])
        axis = figure.add_subplot(cell[0])
        found = points[dataset]
        largest = max(n_train for _, _, n_train, _ in found.values())
        measured = [found[row["model"]][0] for row in milestones if row["model"] in found]
        labelled = []
        for milestone in milestones:
            model, year = milestone["model"], int(milestone["year"])
            if model not in found:
                continue
            family = milestone["lineage"]
            mean, std, n_train, runs = found[model]
            axis.errorbar(year, mean, yerr=std if runs > 1 else None, fmt="o", capsize=3,
                          color=family_color(family), markersize=7, label=legend.label(family))
            size = "" if n_train == largest else f" ({n_train // 1000}k images)"
            single = " (n = 1 run)" if runs == 1 else ""
            labelled.append((year, mean, f"{milestone['label']}{size}{single}"))
        axis.set_xlim(*YEARS)
        _percent_log_axis(axis, min(measured) / 1.5, max(measured) * 1.8)
        axis.set_ylabel("measured test error\n(log scale, mean ± std over seeds)")
        axis.set_title(f"Measured here: {wrap(descriptions.get(dataset, dataset), 80)}",
                       fontsize=11, loc="left")
        axis.grid(alpha=0.3, which="both")
        crowded = [point for point in labelled if point[0] >= CROWDED_SINCE]
        _labels_in_margin(axis, crowded)
        label_without_overlap(axis, [point for point in labelled if point[0] < CROWDED_SINCE],
                              avoid=crowded)
        year_axis = axis
        if strips[dataset]:
            axis.tick_params(labelbottom=False)
            year_axis = figure.add_subplot(cell[1], sharex=axis)
            _not_run_strip(year_axis, not_run[dataset], rows[dataset], strips[dataset], legend)
        year_axis.set_xlabel("year the method was introduced (its first paper; every date and its "
                             "source is listed in the report's appendix)", fontsize=10)
    _quoted_imagenet(figure.add_subplot(grid[-1]))
    legend_in_family_order(figure, axes=figure.axes, loc="lower center", ncols=3,
                           bbox_to_anchor=(0.45, 0.0))
    figure.suptitle("A brief history of machine learning, measured: test error by the year "
                    "each method was introduced")
    save(figure, path)


def _strip_rows(milestones: list[dict]) -> dict[str, int]:
    """Each method not run here gets the first row of the strip where its mark and name fit
    after the names already there (widths estimated from the name's length)."""
    years_per_character = (YEARS[1] - YEARS[0]) / ((RIGHT - LEFT) * WIDE * 72 / (0.6 * SMALL))
    ends, rows = [], {}
    for milestone in sorted(milestones, key=lambda found: int(found["year"])):
        year = int(milestone["year"])
        name = _not_run_name(milestone)
        row = next((row for row, end in enumerate(ends) if end < year - 1), len(ends))
        if row == len(ends):
            ends.append(0)
        ends[row] = year + 2 + len(name) * years_per_character
        rows[milestone["model"]] = row
    return rows


def _not_run_name(milestone: dict) -> str:
    return f"{milestone['label']} ({milestone['year']})"


def _not_run_strip(strip, milestones: list[dict], rows: dict[str, int], count: int, legend) -> None:
    """Under the year axis, outside the data area: an open mark and the name of each method
    with no run here, at its year."""
    strip.set_gid(MARGIN)
    strip.set_facecolor("0.95")
    strip.set_ylim(count - 0.25, -0.75)
    strip.set_yticks([])
    strip.set_ylabel("not run\nhere", rotation=0, ha="right", va="center", fontsize=SMALL)
    for milestone in milestones:
        year, row = int(milestone["year"]), rows[milestone["model"]]
        strip.plot(year, row, marker="o", markerfacecolor="white", linestyle="", markersize=7,
                   color=family_color(milestone["lineage"]), gid=NOT_DATA,
                   label=legend.label(NOT_RUN))
        strip.annotate(_not_run_name(milestone), (year, row), textcoords="offset points",
                       xytext=(7, 0), va="center", fontsize=SMALL, color="0.25")


def _percent_log_axis(axis, low: float, high: float) -> None:
    """A log y axis of error rates, labelled in per cent ("1 %", "10 %") at 1-2-5 steps."""
    axis.set_yscale("log")
    axis.set_ylim(low, high)
    axis.yaxis.set_major_locator(LogLocator(base=10, subs=(1, 2, 5)))
    axis.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{100 * value:g} %"))
    axis.yaxis.set_minor_formatter(NullFormatter())


# How many swaps of crossing leaders the margin column may make; each one shortens the leaders'
# total length, so a column without crossings comes long before this.
UNCROSSING_SWAPS = 1_000


def _labels_in_margin(axis, points: list[tuple]) -> None:
    """Label (x, y, text) points in a column right of the axes, spaced so no two labels touch,
    each joined to its point by a thin line. Labels start in the order of their points'
    heights; while two leaders cross, the two labels swap places (which shortens the leaders'
    total length, so it ends), so no leader crosses another."""
    if not points:
        return
    figure = axis.figure
    figure.canvas.draw()
    spacing = 1.5 * SMALL / 72 * figure.dpi  # pixels between two labels' baselines
    frame = axis.get_window_extent()
    column = frame.x0 + 1.03 * frame.width
    wanted = sorted(((axis.transData.transform((x, y)), x, y, text) for x, y, text in points),
                    key=lambda found: -found[0][1])
    heights, previous = [], frame.y1 + spacing
    for (_, pixel_y), *_ in wanted:
        previous = min(pixel_y, previous - spacing)
        heights.append(previous)
    overflow = frame.y0 - heights[-1]
    if overflow > 0:  # the column ran off the bottom: shift it up, keeping the spacing
        heights = [height + overflow for height in heights]
    slots = list(range(len(wanted)))  # slots[i]: the height of point i's label

    def leader(index: int) -> tuple:
        return (column, heights[slots[index]]), tuple(wanted[index][0])

    for _ in range(UNCROSSING_SWAPS):
        crossing = next(((first, second) for first in range(len(wanted))
                         for second in range(first + 1, len(wanted))
                         if segments_cross(leader(first), leader(second))), None)
        if crossing is None:
            break
        first, second = crossing
        slots[first], slots[second] = slots[second], slots[first]
    for index, (_, x, y, text) in enumerate(wanted):
        axis.annotate(text, (x, y), xytext=(1.03, (heights[slots[index]] - frame.y0) / frame.height),
                      textcoords="axes fraction", fontsize=SMALL, va="center", ha="left",
                      arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.5, "shrinkA": 0,
                                  "shrinkB": 4, "relpos": (0, 0.5)})


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
