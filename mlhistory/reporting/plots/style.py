"""The look every figure shares, and the checks a reader's eye would make on it.

One colour per model family, the same in every figure; font sizes chosen for the width the
report shows a figure at; accuracy axes that say where they are cut; spreads that say when there
was only one run. ``readability_problems`` lists what a reader would trip over in a drawn figure
(overlapping tick labels or texts, legend entries with nothing drawn, unlabelled or silently truncated
axes, text too small to read); the tests make ``save`` refuse a figure that has any.
"""

import re
import textwrap
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)
import numpy as np  # noqa: E402
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter  # noqa: E402

from ... import atomic  # noqa: E402
from ...results import ExperimentResults  # noqa: E402
from ..kinds import KindRegistry  # noqa: E402

# Every figure function, by name; ``@plot_kind(labels=..., models=...)`` registers one and says
# which of its options name runs (kinds.KindRegistry.register).
PLOT_KINDS = KindRegistry("plot", leading=("results", "path"))
plot_kind = PLOT_KINDS.register

# --- sizes -----------------------------------------------------------------------------------

# The report shows every figure about this wide, whatever its size in inches, so a figure's
# fonts shrink by REPORT_WIDTH_PIXELS / (its width in pixels): a font of f points in a figure w
# inches wide shows f / 72 * REPORT_WIDTH_PIXELS / w pixels high, whatever the resolution.
# Figures are drawn 10-11 inches wide and fonts start at 9 points, so the smallest text reads at
# 9-10 pixels on the page.
REPORT_WIDTH_PIXELS = 800
MIN_TEXT_PIXELS = 8.5  # the smallest text height, as shown in the report, a reader can read
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


# --- colour per model family -------------------------------------------------------------------

# Each lineage of the registry (models.LINEAGES): its name in legends and its colour; the legend
# order follows the book's history.
FAMILIES = {
    "naive_bayes": ("naive Bayes", "#9467bd"),
    "linear": ("linear models", "#17becf"),
    "svm": ("SVMs", "#1f77b4"),
    "tree": ("single trees", "#bcbd22"),
    "forest": ("forests", "#2ca02c"),
    "boosting": ("gradient boosting", "#ff7f0e"),
    "historical_net": ("historical nets (1958-1998)", "#e377c2"),
    "book_net": ("the book's nets", "#d62728"),
    "modern_net": ("other modern nets", "#8c564b"),
}

def family_of(results: ExperimentResults, label: str) -> str:
    """The lineage of a labelled run, as its registry entry gave it: it picks the colour."""
    return results.run(label).color_family


def family_color(family: str) -> str:
    return FAMILIES[family][1]


def family_label(family: str) -> str:
    return FAMILIES[family][0]


def color_of(results: ExperimentResults, label: str) -> str:
    """The colour of a labelled run: its model family's."""
    return family_color(family_of(results, label))


LINESTYLES = ("-", "--", ":", "-.")
MARKERS = ("o", "s", "^", "D", "v")


def line_styles(results: ExperimentResults, labels: list[str]) -> dict[str, dict]:
    """Each label's colour (its family's), with a line style and a marker that tell apart the
    members of one family drawn in the same figure."""
    members, styles = {}, {}
    for label in labels:
        family = family_of(results, label)
        index = members[family] = members.get(family, -1) + 1
        styles[label] = {"color": family_color(family), "linestyle": LINESTYLES[index % len(LINESTYLES)],
                         "marker": MARKERS[index % len(MARKERS)]}
    return styles


class FamilyLegend:
    """Hands out each family's legend label once, to the first artist drawn for it, so a
    legend built from the drawn artists lists exactly the families that appear. ``extra``
    names other kinds of mark a figure hands labels out for the same way."""

    def __init__(self, extra: dict[str, str] | None = None):
        self.seen = set()
        self.extra = extra or {}

    def label(self, family: str) -> str:
        if family in self.seen:
            return "_nolegend_"
        self.seen.add(family)
        return self.extra[family] if family in self.extra else family_label(family)


def legend_in_family_order(axis_or_figure, axes: Iterable | None = None, **options):
    """A legend of the drawn artists, families in the order of FAMILIES, other entries after."""
    axes = list(axes) if axes is not None else [axis_or_figure]
    entries = {}
    for axis in axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            entries.setdefault(label, handle)
    order = [family_label(family) for family in FAMILIES]
    labels = sorted(entries, key=lambda label: order.index(label) if label in order else len(order))
    return axis_or_figure.legend([entries[label] for label in labels], labels, **options)


# --- spreads, accuracy axes, log time axes --------------------------------------------------------

TRUNCATION_MARK = "truncation mark"  # the gid of the break mark a truncated axis carries


def runs_note(count: int) -> str:
    return "n = 1 run" if count == 1 else f"{count} seeds"


def spread(axis, position: float, values, color: str, horizontal: bool = True,
           single_run_note: bool = True, **options) -> None:
    """A mean (large dot) with each run as a small black dot and ± one std as a line; a single
    run gets no error bar (its std is unknown) but a 'n = 1 run' note under it, unless the
    caller says so in its own label (``single_run_note=False``)."""
    values = np.asarray(list(values), dtype=float)
    mean = values.mean()
    std = values.std(ddof=1) if len(values) > 1 else None
    along, across = (values, np.full(len(values), position))
    point = (mean, position) if horizontal else (position, mean)
    error = {"xerr": std} if horizontal else {"yerr": std}
    axis.errorbar(*point, **(error if std is not None else {}), fmt="o", color=color, markersize=8,
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
        # Just above (or right of) the axis' start, clear of its first tick label.
        for shift in (0.03, 0.045):
            ends = ([shift - 0.008, shift + 0.008], [-0.02, 0.02]) if which == "x" else \
                   ([-0.02, 0.02], [shift - 0.008, shift + 0.008])
            axis.plot(*ends, transform=axis.transAxes, color="black", linewidth=1.2,
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


# --- the checks a reader's eye would make --------------------------------------------------------

NUMBER_LIKE = re.compile(r"^[−\-+]?[\d.,]+(e[−\-+]?\d+)?\s*(%|s|×|x)?$")


def _is_number(text: str) -> bool:
    plain = re.sub(r"\\mathdefault|\\times|[${}^]", "", text).replace("10^", "10").strip()
    return bool(NUMBER_LIKE.match(plain))


def _shown_tick_labels(scale_axis) -> list:
    return [tick for tick in scale_axis.get_ticklabels(which="both")
            if tick.get_visible() and tick.get_text().strip()]


def _data_axes(figure) -> list:
    """The figure's plotting axes (colour bars and switched-off axes excluded)."""
    return [axis for axis in figure.axes if axis.axison and axis.get_label() != "<colorbar>"]


def overlapping_tick_labels(figure) -> list[str]:
    renderer = figure.canvas.get_renderer()
    problems = []
    for axis in figure.axes:
        for name, scale_axis in (("x", axis.xaxis), ("y", axis.yaxis)):
            ticks = _shown_tick_labels(scale_axis)
            boxes = [tick.get_window_extent(renderer) for tick in ticks]
            for first in range(len(boxes)):
                for second in range(first + 1, len(boxes)):
                    if boxes[first].shrunk(0.98, 0.9).overlaps(boxes[second].shrunk(0.98, 0.9)):
                        problems.append(f"{name} tick labels overlap: {ticks[first].get_text()!r} "
                                        f"and {ticks[second].get_text()!r}")
    return problems


def overlapping_texts(figure) -> list[str]:
    """Texts written in one axes (value labels, annotations) that cover each other."""
    renderer = figure.canvas.get_renderer()
    problems = []
    for axis in figure.axes:
        texts = [text for text in axis.texts if text.get_visible() and text.get_text().strip()]
        # The text's own box: an annotation's box would include its leader line.
        boxes = [matplotlib.text.Text.get_window_extent(text, renderer).shrunk(0.96, 0.8)
                 for text in texts]
        for first in range(len(boxes)):
            for second in range(first + 1, len(boxes)):
                if boxes[first].overlaps(boxes[second]):
                    problems.append(f"texts overlap: {texts[first].get_text()[:30]!r} and "
                                    f"{texts[second].get_text()[:30]!r}")
    return problems


def _drawn(artist) -> bool:
    if isinstance(artist, matplotlib.container.Container):
        return any(_drawn(child) for child in artist.get_children())
    if not artist.get_visible() or artist.figure is None:
        return False
    if isinstance(artist, matplotlib.lines.Line2D):
        return len(artist.get_xdata()) > 0
    if isinstance(artist, matplotlib.collections.Collection):
        return len(artist.get_offsets()) > 0 or len(artist.get_paths()) > 0
    return True


def empty_legend_entries(figure) -> list[str]:
    """Legend entries naming no drawn artist (an artist carrying that label in the figure)."""
    drawn = set()
    for axis in figure.axes:
        for artist in [*axis.get_children(), *axis.containers]:
            if _drawn(artist):
                drawn.add(artist.get_label())
    legends = [*figure.legends, *(axis.get_legend() for axis in figure.axes)]
    return [f"legend entry {text.get_text()!r} has nothing drawn" for legend in legends if legend
            for text in legend.get_texts() if text.get_text() not in drawn]


def unlabelled_axes(figure) -> list[str]:
    """Axes showing numbers with no label saying what they measure."""
    problems = []
    for axis in _data_axes(figure):
        for name, scale_axis in (("x", axis.xaxis), ("y", axis.yaxis)):
            ticks = _shown_tick_labels(scale_axis)
            if ticks and all(_is_number(tick.get_text()) for tick in ticks) \
                    and not scale_axis.get_label_text().strip():
                problems.append(f"{name} axis of {axis.get_title()!r} shows numbers but has no label")
    return problems


def unmarked_truncated_accuracy_axes(figure) -> list[str]:
    """Linear accuracy axes that start above 0 without a break mark."""
    problems = []
    for axis in _data_axes(figure):
        marks = {line for line in axis.lines if line.get_gid() == TRUNCATION_MARK}
        for name, scale_axis, limits in (("x", axis.xaxis, axis.get_xlim()),
                                         ("y", axis.yaxis, axis.get_ylim())):
            label = scale_axis.get_label_text().lower()
            if "accuracy" in label and scale_axis.get_scale() == "linear" and min(limits) > 1e-9 \
                    and not (marks and "starts at" in label):
                problems.append(f"{name} accuracy axis of {axis.get_title()!r} starts at "
                                f"{min(limits):g} with no mark")
    return problems


def text_too_small(figure) -> list[str]:
    """Text that, with the figure scaled to the report's width, is smaller than a reader reads."""
    points_to_pixels = REPORT_WIDTH_PIXELS / (72 * figure.get_figwidth())
    shown = [text for text in figure.findobj(matplotlib.text.Text)
             if text.get_visible() and text.get_text().strip()]
    return sorted({f"text {text.get_text()[:30]!r} shows {pixels:.1f} px high"
                   for text in shown
                   if (pixels := text.get_fontsize() * points_to_pixels) < MIN_TEXT_PIXELS})


READER_CHECKS = (overlapping_tick_labels, overlapping_texts, empty_legend_entries, unlabelled_axes,
                 unmarked_truncated_accuracy_axes, text_too_small)


def readability_problems(figure) -> list[str]:
    """Everything a reader would trip over in the drawn figure (empty if none)."""
    figure.canvas.draw()
    return [problem for check in READER_CHECKS for problem in check(figure)]


class UnreadableFigure(AssertionError):
    pass


_checking = False


@contextmanager
def checking_readability():
    """Within this block, ``save`` refuses (raises) a figure with readability problems."""
    global _checking
    previous, _checking = _checking, True
    try:
        yield
    finally:
        _checking = previous


def save(figure, path: Path) -> None:
    try:
        if _checking and (problems := readability_problems(figure)):
            raise UnreadableFigure(f"{Path(path).name}: " + "; ".join(problems))
        atomic.save_figure(figure, path)
    finally:
        plt.close(figure)
