"""One colour per model lineage, the same in every figure, and the legends that name them.

A run's colour is its model's lineage, as its registry entry gave it (``RunRecord.color_family``);
members of one lineage drawn in one figure are told apart by line style and marker.
"""

from collections.abc import Iterable

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
