"""The axes every figure shares: sizes and fonts, accuracy axes that say where they are cut,
log axes of seconds, spreads that say when there was only one run, and short texts.

Importing this module picks matplotlib's file-only backend and the fonts, so every plot module
takes ``plt`` from here.
"""

import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import matplotlib.text  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.path import Path  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402
from matplotlib.transforms import Bbox, ScaledTranslation  # noqa: E402

from ...results import ExperimentResults  # noqa: E402

# --- sizes -----------------------------------------------------------------------------------

# The report shows every figure at one width (readability.REPORT_WIDTH_PIXELS), so a figure's
# fonts shrink with its width in inches. Figures are drawn 10-11 inches wide and fonts start at
# 9 points, so the smallest text reads at 9-10 pixels on the page.
WIDTH = 10.0  # inches: the usual figure width
WIDE = 11.0  # inches: figures with long model names beside two panels

plt.rcParams.update({
    "font.size": 11, "axes.titlesize": 12, "axes.labelsize": 11, "xtick.labelsize": 10,
    "ytick.labelsize": 10, "legend.fontsize": 10, "figure.titlesize": 13,
    "legend.frameon": False, "axes.spines.top": False, "axes.spines.right": False,
})
SMALL = 9  # points: the smallest font any figure uses (value labels, notes)


def wrap(text: str, width: int = 26) -> str:
    """A long name broken into lines, so tick labels stay narrow."""
    return "\n".join(textwrap.wrap(text, width)) or text


def title(results: ExperimentResults, text: str) -> str:
    return f"{text}\n{results.dataset_record.description}"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:,.0f} s"


# --- spreads, accuracy axes, log time axes --------------------------------------------------------

TRUNCATION_MARK = "truncation mark"  # the gid of the break mark a truncated axis carries
# Where the break mark's two slashes sit, in points past the axis' start.
BREAK_MARK_OFFSETS = (6, 10)
# The gid of a mark that is no measurement (a method "not run here", say): it must sit outside
# every data area, where no reader takes it for a value (readability.non_data_marks_in_data_area).
NOT_DATA = "not data"
# The gid of an axes that is a margin beside a data area, holding such marks: its own area
# shows no values.
MARGIN = "margin"


def runs_note(count: int) -> str:
    return "n = 1 run" if count == 1 else f"{count} seeds"


def spread(axis, position: float, values, color: str, horizontal: bool = True,
           single_run_note: bool = True, marker: str = "o", **options) -> None:
    """A mean (large dot) with each run as a small black dot and ± one std as a line; a single
    run gets no error bar (its std is unknown) but a 'n = 1 run' note under it, unless the
    caller says so in its own label (``single_run_note=False``)."""
    values = np.asarray(list(values), dtype=float)
    mean = values.mean()
    std = values.std(ddof=1) if len(values) > 1 else None
    along, across = (values, np.full(len(values), position))
    point = (mean, position) if horizontal else (position, mean)
    error = {"xerr": std} if horizontal else {"yerr": std}
    axis.errorbar(*point, **(error if std is not None else {}), fmt=marker, color=color, markersize=8,
                  capsize=4, elinewidth=1.5, zorder=3, **options)
    if len(values) > 1:
        axis.scatter(*((along, across) if horizontal else (across, along)), color="black", s=8, zorder=4)
    elif single_run_note:
        axis.annotate("n = 1 run", point, textcoords="offset points", xytext=(0, -14),
                      fontsize=SMALL, color="dimgray", style="italic", ha="center", va="center")


def accuracy_limits(values, top: float = 1.0, margin: float = 0.02, step: float = 0.05) -> tuple:
    """Limits that show the spread of accuracies: from a round value below the lowest one."""
    low = float(np.nanmin(list(values)))
    start = max(0.0, np.floor((low - margin) / step) * step)
    return start, top


# An accuracy axis is broken in two where a gap between the values takes at least this share of
# the axis, the part above the gap at most SPLIT_UPPER_SHARE, and at least half of the values lie
# above it: the crowded top then gets most of the width instead of a sliver.
SPLIT_GAP_SHARE, SPLIT_UPPER_SHARE = 0.15, 0.5


def accuracy_split(values) -> float | None:
    """Where to break an accuracy axis that runs from a round value below the lowest value to
    1: the lowest value above a gap wide enough (``SPLIT_GAP_SHARE``) with the part above it
    narrow enough (``SPLIT_UPPER_SHARE``) and holding at least half of the values; of several
    such gaps the highest, so that a tail of weak models (naive Bayes, the perceptron) goes
    to the narrow part whole. None when no gap qualifies."""
    ordered = np.sort(np.asarray(list(values), dtype=float))
    if len(ordered) < 2:
        return None
    span = 1.0 - accuracy_limits(ordered)[0]
    splits = [float(upper) for index, (gap, upper)
              in enumerate(zip(np.diff(ordered), ordered[1:], strict=True))
              if gap >= SPLIT_GAP_SHARE * span and 1.0 - upper <= SPLIT_UPPER_SHARE * span
              and 2 * (len(ordered) - index - 1) >= len(ordered)]
    return max(splits) if splits else None


def label_accuracy_axis(axis, which: str, label: str) -> None:
    """Label an accuracy axis; if it does not start at 0, say so in the label and draw a break
    mark (two short slashes) where the axis starts. Call it once the limits are final."""
    scale_axis = axis.xaxis if which == "x" else axis.yaxis
    start = (axis.get_xlim() if which == "x" else axis.get_ylim())[0]
    truncated = scale_axis.get_scale() == "linear" and start > 1e-9
    if truncated:
        label = f"{label}\n(axis starts at {start:.3g}, not 0)"
    (axis.set_xlabel if which == "x" else axis.set_ylabel)(label)
    if truncated:
        # Two slashes on the axis line just past its start, sized in points (not in shares of
        # the axes, which a tall or narrow panel stretches over its tick labels).
        slash = [(-1, -2), (1, 2)] if which == "x" else [(-2, -1), (2, 1)]
        for offset in BREAK_MARK_OFFSETS:
            along = (offset / 72, 0) if which == "x" else (0, offset / 72)
            axis.plot([0], [0], linestyle="none", marker=slash, markersize=9,
                      markeredgewidth=1.2, color="black",
                      transform=axis.transAxes + ScaledTranslation(*along,
                                                                   axis.figure.dpi_scale_trans),
                      clip_on=False, gid=TRUNCATION_MARK, label="_nolegend_")


def _seconds_tick(value: float, _) -> str:
    """'0.1 s', '10 s', '1000 s', then '1e4 s': short enough for decades side by side."""
    return f"{value:g} s" if value < 1e4 else f"1e{round(np.log10(value))} s"


def seconds_log_axis(axis, which: str, values) -> None:
    """A log axis of seconds with one labelled tick per decade ('1 s', '10 s'), never the minor
    ticks' crowded labels, spanning whole decades around the values."""
    values = np.asarray(list(values), dtype=float)
    low = 10 ** np.floor(np.log10(values.min()))
    high = 10 ** np.ceil(np.log10(values.max() * 1.5))
    scale_axis = axis.xaxis if which == "x" else axis.yaxis
    (axis.set_xscale if which == "x" else axis.set_yscale)("log")
    (axis.set_xlim if which == "x" else axis.set_ylim)(low, high)
    scale_axis.set_major_locator(LogLocator(base=10, numticks=6))
    scale_axis.set_major_formatter(FuncFormatter(_seconds_tick))
    scale_axis.set_minor_formatter(NullFormatter())


# --- labels beside points ----------------------------------------------------------------------

# Candidate label positions around a point, in points, nearest first.
LABEL_OFFSETS = [(8, 0), (-8, 0), *[(dx, dy) for step in range(1, 7)
                                     for dx in (8 + 6 * step, -8 - 6 * step)
                                     for dy in (12 * step, -12 * step)]]
MARKER_RADIUS_PIXELS = 7
# Two leader lines whose ends lie this close (pixels) meet at a shared point; they do not cross.
SHARED_END_PIXELS = 1.5


def segments_cross(first: tuple, second: tuple) -> bool:
    """Whether two segments ((x0, y0), (x1, y1)) cross: each one's ends on either side of the
    other's line. Segments that only meet at an end (two leaders to one point) do not."""
    (a, b), (c, d) = first, second
    ends = [np.asarray(point, dtype=float) for point in (a, b, c, d)]
    if any(np.hypot(*(p - q)) < SHARED_END_PIXELS for p in ends[:2] for q in ends[2:]):
        return False

    def side(p, q, r) -> float:
        return float((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]))

    a, b, c, d = ends
    return side(a, b, c) * side(a, b, d) < 0 and side(c, d, a) * side(c, d, b) < 0


def leader_segment(annotation) -> tuple | None:
    """The drawn leader line of an annotation, in display pixels (after a draw), or None."""
    patch = annotation.arrow_patch
    if patch is None or not annotation.get_visible():
        return None
    vertices = patch.get_path().vertices
    return (tuple(vertices[0]), tuple(vertices[-1])) if len(vertices) >= 2 else None


def _existing_leaders(axis) -> list[tuple]:
    return [segment for text in axis.texts if isinstance(text, matplotlib.text.Annotation)
            and (segment := leader_segment(text)) is not None]


def label_without_overlap(axis, points: list[tuple], avoid: list[tuple] = ()) -> None:
    """Label each (x, y, text) point (or (x, y, text, colour)) at the nearest offset whose text
    covers no other label or point (nor the points of ``avoid``), whose leader crosses no other
    leader already drawn in the axes, and that stays inside the axes. A label moved away from
    its point gets a thin leader line."""
    figure = axis.figure
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    frame = axis.get_window_extent(renderer)
    markers = []  # boxes, in display pixels, that labels must not cover
    for x, y, *_ in [*points, *avoid]:
        px, py = axis.transData.transform((x, y))
        markers.append(Bbox.from_extents(px - MARKER_RADIUS_PIXELS, py - MARKER_RADIUS_PIXELS,
                                         px + MARKER_RADIUS_PIXELS, py + MARKER_RADIUS_PIXELS))
    placed = [matplotlib.text.Text.get_window_extent(text, renderer).padded(2)
              for text in axis.texts if text.get_visible() and text.get_text().strip()]
    leaders = _existing_leaders(axis)
    for x, y, text, *colour in sorted(points, key=lambda point: (point[0], -point[1])):
        target = tuple(axis.transData.transform((x, y)))
        best = None
        for dx, dy in LABEL_OFFSETS:
            label = axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy),
                                  fontsize=SMALL, ha="left" if dx > 0 else "right", va="center")
            box = label.get_window_extent(renderer).padded(2)
            label.remove()
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            # A leader runs from the label's box towards its point: it must cross no other.
            leader = None if (dx, dy) in LABEL_OFFSETS[:2] else (
                ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2), target)
            crossings = sum(segments_cross(leader, other) for other in leaders) if leader else 0
            # A label written over another label's leader is hard to read too.
            struck = sum(Path(other).intersects_bbox(box, filled=True) for other in leaders)
            # Crossing or covering another label is worse than covering a point.
            clashes = 3 * sum(box.overlaps(other) for other in placed) + 3 * crossings + sum(
                box.overlaps(other) for other in markers) + struck
            score = (clashes + (0 if inside else 10), LABEL_OFFSETS.index((dx, dy)))
            best = min(best, (score, dx, dy, box, leader)) if best else (score, dx, dy, box, leader)
            if score[0] == 0:
                break
        _, dx, dy, box, leader = best
        arrow = {} if leader is None else {
            "arrowprops": {"arrowstyle": "-", "color": "grey", "lw": 0.5, "shrinkA": 0, "shrinkB": 4}}
        axis.annotate(text, (x, y), textcoords="offset points", xytext=(dx, dy), fontsize=SMALL,
                      ha="left" if dx > 0 else "right", va="center",
                      color=colour[0] if colour else "black", **arrow)
        placed.append(box)
        if leader is not None:
            leaders.append(leader)
