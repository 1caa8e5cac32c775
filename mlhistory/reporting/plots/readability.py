"""The checks a reader's eye would make on a drawn figure, and ``save``, the one way a figure
is written.

``readability_problems`` lists what a reader would trip over in a drawn figure (overlapping
tick labels or texts, legend entries with nothing drawn, unlabelled or silently truncated axes,
text too small to read at the report's width). Within ``checking_readability()`` (the tests
draw every figure so) ``save`` refuses a figure that has any.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import matplotlib

from ... import atomic
from .axes import TRUNCATION_MARK, plt

# The report shows every figure about this wide, whatever its size in inches, so a figure's
# fonts shrink by REPORT_WIDTH_PIXELS / (its width in pixels): a font of f points in a figure w
# inches wide shows f / 72 * REPORT_WIDTH_PIXELS / w pixels high, whatever the resolution.
REPORT_WIDTH_PIXELS = 800
MIN_TEXT_PIXELS = 8.5  # the smallest text height, as shown in the report, a reader can read

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
