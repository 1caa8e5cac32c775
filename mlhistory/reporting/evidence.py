"""The figure that carries each verdict, and the one line that says what to see in it.

One owner for the mapping: each claim kind names the plot kinds that draw its comparison, in
order of preference (its ``evidence_plots``, beside its test in ``judging``). A claim's
evidence figure is the first plot its experiment declares of the first of those kinds it
declares at all; when the experiment draws that kind several times (experiment 07, once per
network), the one that draws the most of the claim's runs. A plot naming no runs draws every
run of its experiment.

Each plot kind says where in it to look (``WHERE_TO_LOOK``), filled with the claim row's two
sides, so a caption is written from the claim's kind and data, never typed per claim. A claim
whose experiment draws none of its kinds shows no figure, and the report says so
(``missing_reason``).
"""

from dataclasses import dataclass

from ..judging.base import CLAIM_KINDS, from_dict
from .plots import Plot

# Plot kind -> where a reader looks in it for a claim, "{a}" and "{b}" the claim's two sides.
WHERE_TO_LOOK = {
    "accuracy_and_fit_time": "the accuracy dots of {a} and {b}",
    "representation_grid": "the cell of {a} against the best of {b}",
    "learning_curves": "the curves of {a} and {b} at {size} training images",
    "transfer_curves": "the curves of {a} and {b} at the fewest images",
    "accuracy_vs_depth": "the points of {a} and {b}",
    "who_wins_grid": "the cells of {a} and {b} in each row",
    "landscape": "where {a} ranks in each table's column",
    "staged_curves": "the last points of the boosters against the forest",
    "continual_curves": "the last point of each model's two lines, continued and retrained",
    "error_reduction": "the outlined bar against the dashed line of the book's figure",
    "hardware_flops": "the measured dots against the quoted squares, and the throughput bars",
    "epoch_curves": "the epoch at which {a} first reaches {b}'s last accuracy",
    "scaling": "the fit-time slope of {a} against the dashed guide, the linear side's in the "
               "dotted band; what each model keeps, in the right-hand panel",
    "error_curves": "the slopes of {a} and {b}: the steeper, the faster the error falls",
    "reliability": "how far {a} and {b} lie below the diagonal, surer than they are right",
    "input_similarity": "the similarity to the input from one block to the next",
    "greedy_vs_joint": "the gap between the joint and the greedy curves, depth by depth",
    "gradient_norms": "the first layer's gradient norm against the last's, recipe by recipe",
    "probe_accuracy": "the probe's accuracy from block to block",
}
# Where a claim on another quantity than accuracy looks in the same figure.
WHERE_TO_LOOK_FOR = {
    ("accuracy_and_fit_time", "log10 seconds"): "the fit-time dots of {b} against the dashed "
                                                "bound",
}


def evidence_plots(claim_kind: str) -> tuple[str, ...]:
    """The plot kinds that can carry a claim of this kind, the most direct first."""
    known = CLAIM_KINDS.get(claim_kind)
    return known.evidence_plots if known else ()


@dataclass(frozen=True)
class Evidence:
    """A claim's evidence figure: its PNG's file name and the plot kind drawing it."""

    filename: str
    plot_kind: str

    @property
    def title(self) -> str:
        """The figure as the report names it: "accuracy and fit time"."""
        return self.filename.removesuffix(".png").replace("_", " ")


def evidence_of(claim: dict, plots: list[dict]) -> Evidence | None:
    """The figure among an experiment's saved ``plots`` that carries a saved ``claim``, or None
    when the experiment declares no plot of a kind that could."""
    declared = [Plot.from_dict(plot) for plot in plots]
    for kind in evidence_plots(claim["kind"]):
        candidates = [plot for plot in declared if plot.kind == kind]
        if len(candidates) > 1:
            claim_runs = set(from_dict(claim).run_labels())
            candidates.sort(key=lambda plot: -_runs_drawn(plot, claim_runs))
        if candidates:
            return Evidence(candidates[0].filename, kind)
    return None


def _runs_drawn(plot: Plot, claim_runs: set[str]) -> int:
    drawn = set(plot.run_labels())
    return len(claim_runs) if not drawn else len(claim_runs & drawn)


def missing_reason(claim: dict) -> str:
    """Why a claim shows no figure: its experiment draws none of the kinds that could carry it."""
    kinds = evidence_plots(claim["kind"])
    return ("its experiment draws no figure of its comparison"
            + (f" (a {claim['kind']} claim is carried by: {', '.join(kinds)})" if kinds else ""))


def where_to_look(evidence: Evidence, row: dict) -> str:
    """Where to look in the figure for the claim of ``row`` (a claims.csv row)."""
    template = WHERE_TO_LOOK_FOR.get((evidence.plot_kind, row.get("quantity")),
                                     WHERE_TO_LOOK.get(evidence.plot_kind, "the figure"))
    # The size the deciding comparison was made at, where the figure spans several.
    size = f"{int(row['n_train_a']):,}" if row.get("n_train_a") else "the claim's"
    return template.format(a=row.get("side_a") or "the claim's side",
                           b=row.get("side_b") or "what it is compared with", size=size)
