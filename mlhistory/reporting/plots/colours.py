"""One colour per model lineage, the same in every figure, and the legends that name them.

A run's colour is its model's lineage, as its registry entry gave it (``RunRecord.color_family``);
members of one lineage drawn in one figure are told apart by a shade of that colour (darker,
lighter), a line style and a marker, so no two series of a figure share one colour. Series that
are not models (recipes, two ways of training one model) take the colour-blind-safe Okabe-Ito
palette (``category_colours``), named in a legend.
"""

from collections.abc import Iterable

from matplotlib.colors import to_hex, to_rgb

from ...results import ExperimentResults

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
# The n-th member of a lineage in one figure: its colour mixed with black (below 0) or white
# (above 0) by this much; the first member keeps the lineage's own colour.
SHADES = (0.0, 0.4, -0.45, 0.7, -0.7)
# Okabe & Ito's colour-blind-safe palette (blue, vermillion, bluish green, reddish purple, orange,
# sky blue, black), for series that are not model lineages.
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def shade(color: str, amount: float) -> str:
    """``color`` mixed with white (amount > 0) or black (amount < 0), e.g. shade(red, -0.45)."""
    target = 1.0 if amount > 0 else 0.0
    return to_hex(tuple(channel + abs(amount) * (target - channel) for channel in to_rgb(color)))


def member_style(family: str, index: int) -> dict:
    """The colour, line style and marker of the ``index``-th member of a lineage in a figure."""
    return {"color": shade(family_color(family), SHADES[index % len(SHADES)]),
            "linestyle": LINESTYLES[index % len(LINESTYLES)], "marker": MARKERS[index % len(MARKERS)]}


def line_styles(results: ExperimentResults, labels: list[str]) -> dict[str, dict]:
    """Each label's colour (a shade of its family's), with a line style and a marker, so the
    members of one family drawn in the same figure differ in all three."""
    members, styles = {}, {}
    for label in labels:
        family = family_of(results, label)
        index = members[family] = members.get(family, -1) + 1
        styles[label] = member_style(family, index)
    return styles


def category_colours(names: Iterable[str]) -> dict[str, str]:
    """One Okabe-Ito colour per name, in order: for series that are not models' lineages."""
    names = list(names)
    if len(names) > len(OKABE_ITO):
        raise ValueError(f"{len(names)} categories, but the palette has {len(OKABE_ITO)} colours")
    return dict(zip(names, OKABE_ITO, strict=False))


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
