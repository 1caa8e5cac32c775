"""The checks a reader's eye would make on a drawn figure, and ``save``, the one way a figure
is written.

``readability_problems`` lists what a reader would trip over in a drawn figure (overlapping
tick labels or texts, legend entries with nothing drawn, unlabelled or silently truncated axes,
text too small to read at the report's width, a mark that is no measurement inside a data area,
leader lines that cross, two series of one colour, a title that claims an effect). Within
``checking_readability()`` (the tests draw every figure so) ``save`` refuses a figure that has
any.

Titles describe what is drawn; they do not claim an effect. A claim is judged from the results
(``judging``), where its verdict can say "fails"; a title cannot. So a title may not use a word
of ``CLAIM_WORDS`` ("vanishing", "explodes", ...): the rule is a word list, not an understanding
of the data, and says so when it refuses a title.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import matplotlib

from ... import atomic
from .axes import MARGIN, NOT_DATA, TRUNCATION_MARK, leader_segment, plt, segments_cross

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
    # The figure's own texts (title, notes under the axes), its legends and every axis label.
    shown = [(scale_axis.label.get_text(), scale_axis.label.get_window_extent(renderer))
             for axis in figure.axes for scale_axis in (axis.xaxis, axis.yaxis)
             if scale_axis.label.get_visible() and scale_axis.label.get_text().strip()]
    shown += [(text.get_text(), text.get_window_extent(renderer)) for text in figure.texts
             if text.get_visible() and text.get_text().strip()]
    shown += [(f"legend {', '.join(entry.get_text() for entry in legend.get_texts())}",
               legend.get_window_extent(renderer)) for legend in figure.legends]
    for first in range(len(shown)):
        for second in range(first + 1, len(shown)):
            if shown[first][1].shrunk(0.98, 0.9).overlaps(shown[second][1].shrunk(0.98, 0.9)):
                problems.append(f"texts overlap: {shown[first][0][:30]!r} and "
                                f"{shown[second][0][:30]!r}")
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


# What an axis label names when its axis shows a score from 0 to 1 (accuracy, macro-F1).
SCORE_WORDS = ("accuracy", "macro-f1", "f1")


def unmarked_truncated_accuracy_axes(figure) -> list[str]:
    """Linear axes of a score from 0 to 1 (accuracy, macro-F1) that start above 0 without a
    break mark."""
    problems = []
    for axis in _data_axes(figure):
        marks = {line for line in axis.lines if line.get_gid() == TRUNCATION_MARK}
        for name, scale_axis, limits in (("x", axis.xaxis, axis.get_xlim()),
                                         ("y", axis.yaxis, axis.get_ylim())):
            label = scale_axis.get_label_text().lower()
            if any(word in label for word in SCORE_WORDS) and scale_axis.get_scale() == "linear" \
                    and min(limits) > 1e-9 \
                    and not (marks and "starts at" in label):
                problems.append(f"{name} accuracy axis of {axis.get_title()!r} starts at "
                                f"{min(limits):g} with no mark")
    return problems


def marks_over_tick_labels(figure) -> list[str]:
    """Break marks drawn over a tick label, where the reader sees neither."""
    renderer = figure.canvas.get_renderer()
    problems = []
    for axis in figure.axes:
        labels = _shown_tick_labels(axis.xaxis) + _shown_tick_labels(axis.yaxis)
        for mark in (line for line in axis.lines if line.get_gid() == TRUNCATION_MARK):
            box = mark.get_window_extent(renderer)
            problems += [f"a break mark of {axis.get_title()!r} is drawn over the tick label "
                         f"{label.get_text()!r}" for label in labels
                         if box.overlaps(label.get_window_extent(renderer))]
    return problems


def text_too_small(figure) -> list[str]:
    """Text that, with the figure scaled to the report's width, is smaller than a reader reads.
    The figure is saved to its tight box, so what spills beyond its width (a wide legend)
    shrinks it on the page."""
    shown_width = max(figure.get_figwidth(),
                      figure.get_tightbbox(figure.canvas.get_renderer()).width)
    points_to_pixels = REPORT_WIDTH_PIXELS / (72 * shown_width)
    shown = [text for text in figure.findobj(matplotlib.text.Text)
             if text.get_visible() and text.get_text().strip()]
    return sorted({f"text {text.get_text()[:30]!r} shows {pixels:.1f} px high"
                   for text in shown
                   if (pixels := text.get_fontsize() * points_to_pixels) < MIN_TEXT_PIXELS})


def _mark_positions(artist) -> list:
    """Where a line's points or a collection's marks are drawn, in display pixels."""
    if isinstance(artist, matplotlib.lines.Line2D):
        return list(artist.get_transform().transform(artist.get_xydata()))
    if isinstance(artist, matplotlib.collections.Collection):
        offsets = artist.get_offsets()
        return list(artist.get_offset_transform().transform(offsets)) if len(offsets) else []
    return []


def non_data_marks_in_data_area(figure) -> list[str]:
    """Marks that are no measurement (gid ``NOT_DATA``: a method not run here, say) drawn inside
    a data area, where a reader would read them as a value. Such marks belong in a margin
    (an axes of gid ``MARGIN``) or outside the axes."""
    areas = [axis for axis in _data_axes(figure) if axis.get_gid() != MARGIN]
    problems = []
    for artist in figure.findobj(lambda found: found.get_gid() == NOT_DATA):
        if not artist.get_visible():
            continue
        for axis in areas:
            inside = axis.bbox.shrunk(0.995, 0.995)
            if any(inside.contains(x, y) for x, y in _mark_positions(artist)):
                problems.append(f"a mark that is no data ({artist.get_label()!r}) sits inside the "
                                f"data area of {axis.get_title()!r}")
    return problems


def crossing_leader_lines(figure) -> list[str]:
    """Leader lines (annotation arrows) of the figure that cross each other."""
    leaders = [(text.get_text(), segment) for axis in figure.axes for text in axis.texts
               if isinstance(text, matplotlib.text.Annotation)
               and (segment := leader_segment(text)) is not None]
    return [f"leader lines cross: {first[:30]!r} and {second[:30]!r}"
            for index, (first, one) in enumerate(leaders)
            for second, other in leaders[index + 1:] if segments_cross(one, other)]


def _series(axis) -> list[tuple[str, tuple]]:
    """(label, colour) of every labelled series of an axes: lines, marks, error bars."""
    found = []
    for line in axis.lines:
        found.append((line.get_label(), line.get_color()))
    for collection in axis.collections:
        colours = collection.get_facecolor() if len(collection.get_facecolor()) else \
            collection.get_edgecolor()
        if len(colours) == 1:
            found.append((collection.get_label(), tuple(colours[0])))
    for container in axis.containers:
        if isinstance(container, matplotlib.container.ErrorbarContainer) and container[0] is not None:
            found.append((container.get_label(), container[0].get_color()))
    return [(label, tuple(round(channel, 3) for channel in matplotlib.colors.to_rgb(colour)))
            for label, colour in found if label and not label.startswith("_")]


def series_sharing_a_colour(figure) -> list[str]:
    """Two series of one axes with different labels drawn in one colour: a reader cannot tell
    which is which without matching line styles to the legend."""
    problems = []
    for axis in figure.axes:
        by_colour = {}
        for label, colour in _series(axis):
            by_colour.setdefault(colour, set()).add(label)
        problems += [f"series of one colour in {axis.get_title()!r}: "
                     + ", ".join(repr(label[:30]) for label in sorted(labels))
                     for labels in by_colour.values() if len(labels) > 1]
    return problems


# Words that claim an effect the data would have to show; a title may not use them (see the
# module's docstring). Matched at the start of a word, in any case.
CLAIM_WORDS = ("vanish", "explod", "explosion", "collaps", "blows up", "proves", "proven",
               "made visible")
_CLAIM_PATTERN = re.compile(r"\b(" + "|".join(re.escape(word) for word in CLAIM_WORDS) + r")",
                            re.IGNORECASE)


def titles_that_claim(figure) -> list[str]:
    """Titles (the figure's and each axes') that use a word claiming an effect (CLAIM_WORDS)."""
    titles = [figure.get_suptitle()]
    titles += [axis.get_title(loc) for axis in figure.axes for loc in ("center", "left", "right")]
    return [f"title {title[:40]!r} claims an effect ({found.group(0)!r}, a word of "
            "readability.CLAIM_WORDS): say what is drawn, and leave the claim to a judged claim"
            for title in titles if (found := _CLAIM_PATTERN.search(title))]


READER_CHECKS = (overlapping_tick_labels, overlapping_texts, empty_legend_entries, unlabelled_axes,
                 unmarked_truncated_accuracy_axes, marks_over_tick_labels, text_too_small,
                 non_data_marks_in_data_area, crossing_leader_lines, series_sharing_a_colour,
                 titles_that_claim)


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
