"""The figure that carries each verdict: the one mapping from claim kinds to plot kinds, how a
claim's figure is chosen among its experiment's plots, and, on the committed results, that
every claim has a drawn figure and the main page stays short, with each claim once."""

import csv
import json
import re

import pytest

from mlhistory.judging.base import CLAIM_KINDS
from mlhistory.judging.verdicts import BOOK
from mlhistory.paths import PROJECT_ROOT
from mlhistory.reporting.document import slug
from mlhistory.reporting.evidence import (
    WHERE_TO_LOOK,
    Evidence,
    evidence_of,
    missing_reason,
    where_to_look,
)
from mlhistory.reporting.plots import PLOT_KINDS

COMMITTED = PROJECT_ROOT / "results"
COMMITTED_MANIFESTS = sorted(COMMITTED.glob("*mnist/*/experiment.json"))
MAIN_PAGE_LIMIT = 30_000


def test_every_claim_kind_names_registered_plot_kinds_that_say_where_to_look():
    package_kinds = [cls for cls in CLAIM_KINDS.values() if cls.__module__.startswith("mlhistory.")]
    assert all(cls.evidence_plots for cls in package_kinds), [cls.kind for cls in package_kinds
                                                             if not cls.evidence_plots]
    named = {kind for cls in package_kinds for kind in cls.evidence_plots}
    assert named <= set(PLOT_KINDS)
    assert named <= set(WHERE_TO_LOOK)


def beats(winner: str, *losers: str) -> dict:
    return {"kind": "beats", "claim_id": "c", "claim": "c", "winner": winner,
            "losers": list(losers), "metric": "accuracy", "n_train": None}


def test_a_claim_gets_the_first_kind_its_experiment_draws_and_the_plot_drawing_its_runs():
    plots = [{"kind": "learning_curves", "labels": ["logreg", "convnet"]},
             {"kind": "accuracy_and_fit_time", "labels": ["logreg", "dense"], "file": "a.png"},
             {"kind": "accuracy_and_fit_time", "labels": ["logreg", "convnet"], "file": "b.png"}]
    # Both figures compare accuracies: the accuracy figure is preferred to the learning curves,
    # and of its two, the one drawing both of the claim's runs.
    assert evidence_of(beats("convnet", "logreg"), plots) == Evidence("b.png", "accuracy_and_fit_time")
    assert evidence_of(beats("dense", "logreg"), plots) == Evidence("a.png", "accuracy_and_fit_time")
    # A plot naming no runs draws them all.
    assert evidence_of(beats("dense", "logreg"), [{"kind": "accuracy_and_fit_time"}]) == Evidence(
        "accuracy_and_fit_time.png", "accuracy_and_fit_time")
    assert evidence_of(beats("convnet", "logreg"), plots[:1]) == Evidence(
        "learning_curves.png", "learning_curves")


def test_a_claim_no_figure_carries_says_why():
    claim = beats("convnet", "logreg")
    assert evidence_of(claim, [{"kind": "timeline"}]) is None
    assert missing_reason(claim).startswith("its experiment draws no figure of its comparison "
                                            "(a beats claim is carried by: accuracy_and_fit_time")


def test_the_caption_names_the_claims_two_sides():
    evidence = Evidence("scaling.png", "scaling")
    assert where_to_look(evidence, {"side_a": "RBF SVM", "side_b": "threshold 1.5"}) == (
        "the fit-time slope of RBF SVM against the dashed guide, the linear side's in the dotted "
        "band; what each model keeps, in the right-hand panel")
    assert where_to_look(Evidence("a.png", "accuracy_and_fit_time"),
                         {"side_a": "A", "side_b": "B"}) == "the accuracy dots of A and B"
    # Learning curves: at the size the deciding comparison was made.
    assert where_to_look(Evidence("l.png", "learning_curves"),
                         {"side_a": "A", "side_b": "B", "n_train_a": "100"}) == (
        "the curves of A and B at 100 training images")
    # A claim on fit times reads the same figure's other panel.
    assert where_to_look(Evidence("a.png", "accuracy_and_fit_time"),
                         {"side_a": "bound", "side_b": "B", "quantity": "log10 seconds"}) == (
        "the fit-time dots of B against the dashed bound")


@pytest.mark.skipif(not COMMITTED_MANIFESTS, reason="no committed results")
@pytest.mark.parametrize("manifest", COMMITTED_MANIFESTS,
                         ids=lambda path: f"{path.parent.parent.name}/{path.parent.name}")
def test_every_committed_claim_has_its_figure_drawn(manifest):
    saved = json.loads(manifest.read_text())
    for claim in saved["claims"]:
        evidence = evidence_of(claim, saved["plots"])
        assert evidence is not None, (claim["claim_id"], missing_reason(claim))
        assert (manifest.parent / evidence.filename).is_file(), (claim["claim_id"], evidence)


@pytest.mark.skipif(not (COMMITTED / "REPORT.md").exists(), reason="no committed results")
def test_the_committed_main_page_is_short_each_claim_once_and_no_list_of_tests():
    markdown = (COMMITTED / "REPORT.md").read_text()
    assert len(markdown.encode()) < MAIN_PAGE_LIMIT
    with open(COMMITTED / "claims.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for claim in {row["claim"] for row in rows if row["source"] == BOOK}:
        assert markdown.count(claim) == 1, claim
    tests = {row["test"] for row in rows if row["test"]}
    for paragraph in markdown.split("\n\n"):
        assert sum(test in paragraph for test in tests) <= 1, paragraph[:200]
    # Each claim's number links to a heading of the page, under which its figure is shown.
    headings = {slug(heading): heading for heading in re.findall(r"^#+ (.+)$", markdown, re.M)}
    linked = re.findall(r"^\| \[(\d\d\.\d)\]\(#([^)]+)\) \|", markdown, flags=re.MULTILINE)
    assert len(linked) == len({(row["experiment"], row["claim_id"]) for row in rows
                               if row["source"] == BOOK})
    for number, anchor in linked:
        under = markdown.split(f"\n### {headings[anchor]}\n", 1)[1].split("\n#", 1)[0]
        assert f"- **{number}**: look at " in under and "\n![" in under
