"""Declarations checked when an experiment is declared, before any run: plot and table kinds and
their options, and every run label or model that claims, plots and tables name."""

import ast
import importlib.util
import json
import re
from pathlib import Path

import pytest

from mlhistory import judging
from mlhistory.errors import UsageError
from mlhistory.judging import base
from mlhistory.judging.base import Claim
from mlhistory.judging.comparisons import Beats, Pairwise
from mlhistory.judging.verdicts import SETUP_SHORT
from mlhistory.paths import PROJECT_ROOT
from mlhistory.reporting.plots import Plot, plot_filename
from mlhistory.reporting.tables import Table
from mlhistory.results import ExperimentResults, Manifest, SkippedRun, testing
from mlhistory.running.experiment import Experiment, Run

SCRIPTS = sorted((PROJECT_ROOT / "experiments").glob("[0-9][0-9]_*.py"))


def load_script(path: Path):
    """An experiment script as a module; its ``main`` runs only under ``__main__``."""
    spec = importlib.util.spec_from_file_location(f"experiment_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_there_are_twelve_experiment_scripts():
    assert len(SCRIPTS) == 12


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.stem)
def test_every_experiment_declares_and_checks_its_names(script):
    experiment = load_script(script).EXPERIMENT
    assert experiment.experiment_id == script.stem
    assert all(isinstance(plot, Plot) for plot in experiment.plots)
    assert all(isinstance(table, Table) for table in experiment.tables)
    experiment.check_names()  # also run at construction; explicit here
    for declaration in (*experiment.plots, *experiment.tables):
        assert type(declaration).from_dict(declaration.to_dict()) == declaration


def experiment(**declarations) -> Experiment:
    runs = ("logreg", "dense", Run("rbf_svm", features="hog"),
            *(Run("poly_svm", features=f"pca{dim}") for dim in (8, 16)))
    return Experiment("00_fixture", "Fixture", "none", "Fixture.", runs=runs, **declarations)


def test_a_sound_declaration_passes():
    experiment(claims=(Beats("b", "B.", winner="dense", losers=("logreg", "rbf_svm on hog")),),
               plots=(Plot("accuracy_and_fit_time"), Plot("epoch_curves", labels=["dense"]),
                      Plot("kernel_trick", dims=[8, 16], kernel="poly_svm on pca{dim}",
                           explicit="poly_svm on pca{dim}")),
               tables=(Table("crossover_table", deep=["dense"], shallow=["logreg"]),))


@pytest.mark.parametrize("declarations, bad", [
    ({"claims": (Beats("b", "B.", winner="dense", losers=("logerg",)),)}, "logerg"),
    ({"claims": (Pairwise("p", "P.", pairs=(("dense", "logreg"), ("dense", "rbf_svm on hgo"))),)},
     "rbf_svm on hgo"),
    ({"plots": (Plot("epoch_curves", labels=["dense", "convnet"]),)}, "convnet"),
    ({"plots": (Plot("tree_diagram", label="decision_tree"),)}, "decision_tree"),
    # A label template is filled in with each dimension: pca32 was never run.
    ({"plots": (Plot("kernel_trick", dims=[8, 32], kernel="poly_svm on pca{dim}",
                     explicit="poly_svm on pca{dim}"),)}, "poly_svm on pca32"),
    ({"tables": (Table("crossover_table", deep=["dense"], shallow=["logreg", "rbf_svm"]),)},
     "rbf_svm"),
])
def test_a_label_that_names_no_run_fails_at_construction(declarations, bad):
    with pytest.raises(UsageError) as raised:
        experiment(**declarations)
    message = str(raised.value)
    assert f"'{bad}'" in message and "'rbf_svm on hog'" in message and "\n" not in message


def test_a_model_name_that_no_run_uses_fails_at_construction():
    with pytest.raises(UsageError, match="names the model 'xgbost'.*'logreg', 'dense'"):
        experiment(plots=(Plot("who_wins_grid", models=["logreg", "xgbost"]),))


def test_two_runs_with_one_label_fail_at_construction():
    with pytest.raises(UsageError, match="two runs are labelled 'logreg'"):
        Experiment("00_fixture", "Fixture", "none", "Fixture.", runs=("logreg", Run("logreg")))


@pytest.mark.parametrize("declare, message", [
    (lambda: Plot("timelin"), "unknown plot kind 'timelin'; the plot kinds are "),
    (lambda: Plot("epoch_curves", label=["dense"]),
     "plot kind 'epoch_curves' has no option 'label' (its options: labels)"),
    (lambda: Plot("scaling", labels=["dense"]),
     "plot kind 'scaling' needs the option 'min_size' (its options: labels, min_size)"),
    (lambda: Table("crossover", deep=[]), "unknown table kind 'crossover'"),
    (lambda: Table("hardware_throughput", labels=["dense"]),
     "table kind 'hardware_throughput' has no option 'labels' (its options: none)"),
])
def test_an_unknown_kind_or_option_fails_when_declared(declare, message):
    with pytest.raises(UsageError) as raised:
        declare()
    assert str(raised.value).startswith(message)


def test_a_plot_saves_as_the_dict_the_manifest_always_held():
    plot = Plot("layer_activations", label="convnet", file="layer_activations_default.png")
    assert plot.to_dict() == {"kind": "layer_activations", "label": "convnet",
                              "file": "layer_activations_default.png"}
    assert plot.filename == plot_filename(plot.to_dict()) == "layer_activations_default.png"
    assert Plot("timeline").to_dict() == {"kind": "timeline"}
    assert plot_filename({"kind": "timeline"}) == "timeline.png"


def test_every_committed_manifest_still_reads_back():
    manifests = sorted((PROJECT_ROOT / "results").glob("*/*/experiment.json"))
    assert manifests
    for path in manifests:
        saved = json.loads(path.read_text())
        manifest = Manifest.from_dict(saved, str(path))
        assert manifest.to_dict() == Manifest.from_dict(manifest.to_dict()).to_dict()
        for plot in manifest.plots:
            assert Plot.from_dict(plot).to_dict() == plot
        for table in manifest.tables:
            assert Table.from_dict(table).to_dict() == table
        for claim in manifest.claims:  # older manifests lack fields added since, with defaults
            assert base.from_dict(claim).kind == claim["kind"]


def test_every_claim_kind_registers_itself():
    exported = [getattr(judging, name) for name in judging.__all__]
    claim_classes = [item for item in exported if isinstance(item, type)]
    assert base.CLAIM_KINDS == {cls.kind: cls for cls in claim_classes}
    with pytest.raises(UsageError, match="unknown claim kind 'beat'"):
        base.from_dict({"kind": "beat", "claim_id": "b", "claim": "B."})


def test_a_claim_class_must_name_its_kind():
    with pytest.raises(TypeError, match="must name the kind"):
        class Unnamed(Beats):  # noqa: F841  (defining it is the test)
            pass


def saved_results(skipped=()) -> ExperimentResults:
    rows = [{"dataset": "d", "seed": 0, "n_train": 100, "n_test": 10, "accuracy": accuracy,
             "run_key": label} for label, accuracy in (("a", 0.9), ("b", 0.8))]
    manifest = testing.manifest(
        [testing.run_record(label, run_keys=[label]) for label in "ab"],
        [testing.dataset_record("d", class_names=("x", "y"))],
        skipped=tuple(SkippedRun(label=label, dataset="x", reason="offline") for label in skipped))
    return ExperimentResults(Path("."), manifest, rows)


# Every kind that compares runs (the GPU claim reads the machine's measured peaks instead).
RUN_CLAIMS = [kind for kind in base.CLAIM_KINDS.values() if kind.kind != "gpu_speedup"]


@pytest.mark.parametrize("claim", RUN_CLAIMS, ids=lambda cls: cls.kind)
def test_judging_a_label_that_names_no_run_fails_in_one_sentence(claim: type[Claim]):
    declared = claim_naming(claim, "typo")
    with pytest.raises(UsageError, match="claim 'c' of 00_fixture names 'typo', which is no run"):
        base.judge(saved_results(), [declared])


@pytest.mark.parametrize("claim", RUN_CLAIMS, ids=lambda cls: cls.kind)
def test_a_run_skipped_here_is_judged_without_results(claim: type[Claim]):
    judged = base.judge(saved_results(skipped=["gone"]), [claim_naming(claim, "gone")])
    assert judged[0]["verdict"] == SETUP_SHORT


def claim_naming(claim: type[Claim], label: str) -> Claim:
    """A claim of the given kind comparing run "a" with ``label``."""
    fields = {
        "beats": {"winner": "a", "losers": (label,)},
        "matches_or_beats": {"winner": "a", "losers": (label,)},
        "reaches_sooner": {"fast": "a", "slow": label},
        "fit_time_exponents": {"steep": "a", "linear": label, "min_size": 10},
        "win_rate": {"pairs": (("a", label),)},
        "error_reduction": {"better": "a", "worse": label, "quoted": 0.5},
        "pairwise": {"pairs": (("a", label),)},
        "any_matches_or_beats": {"candidates": ("a",), "opponents": (label,), "n_train": 100},
        "diminishing_returns": {"labels": ("a", "b", label)},
        "rises_along": {"label": label, "steps": ("input", "dense")},
        "fails_to_train": {"labels": (label,), "reference": "a"},
        "cheaper_to_continue": {"pairs": (("a", label),)},
        "reaches_reference": {"label": label, "references": (("d", 0.5, "a fixture"),)},
        "trains_within": {"label": label, "seconds": 60},
        "runner_up": {"groups": (("a", label),)},
        "trains": {"labels": (label,), "reference": "a"},
        "propagates_better": {"better": "a", "worse": label},
        "fades_with_depth": {"labels": ("a", "b", label)},
        "sometimes": {"cells": ((("a",), (label,), None),)},
        "keeps_gaining": {"keeps": ("a", "b"), "stops": ("b", label)},
        "gap_interaction": {"larger": (("a", "b"),), "smaller": (("b", label),)},
        "grows_with_data": {"grows": "a", "fixed": label},
        "falls_faster": {"fast": "a", "slow": (label,)},
        "drifts_from_input": {"label": label, "steps": ("input", "dense")},
        "more_overconfident": {"overconfident": (label,), "calibrated": "a"},
    }[claim.kind]
    return claim("c", "C.", **fields)


def test_claims_and_plots_take_the_runs_a_script_declared():
    hog, pixels = Run("rbf_svm", features="hog"), Run("rbf_svm")
    claim = Beats("hog_beats_pixels", "HOG beats pixels.", winner=hog, losers=(pixels,))
    assert (claim.winner, claim.losers) == ("rbf_svm on hog", ("rbf_svm",))
    assert Plot("accuracy_and_fit_time", labels=[hog, pixels]).options == {
        "labels": ["rbf_svm on hog", "rbf_svm"]}


# A label built by a rule of results/labels.py: a model on features, on its fair budget, on
# another dataset, a stack, a recipe at a depth.
TYPED_LABEL = re.compile(r"^\w+ (on \w+|fair)( \(\w+\))?$|^\w+ \(\w+\)$|^\w+ k=\d+$|^\w+ depth \d+$")


def test_no_experiment_script_types_a_run_label():
    for script in sorted((PROJECT_ROOT / "experiments").glob("[0-9][0-9]_*.py")):
        tree = ast.parse(script.read_text())
        # A run may name itself where it is declared: Run(..., label="convnet (digits)").
        own_names = {id(keyword.value) for node in ast.walk(tree) if isinstance(node, ast.Call)
                     and getattr(node.func, "id", None) == "Run"
                     for keyword in node.keywords if keyword.arg == "label"}
        typed = [node.value for node in ast.walk(tree)
                 if isinstance(node, ast.Constant) and isinstance(node.value, str)
                 and TYPED_LABEL.match(node.value) and id(node) not in own_names]
        assert not typed, f"{script.name} types the labels {typed}: name the runs it declared"


def test_a_claim_saved_with_fields_its_kind_no_longer_takes_says_so_in_one_sentence():
    from mlhistory.errors import DamagedResults
    from mlhistory.judging.trends import FitTimeExponents

    saved = FitTimeExponents("scaling", "S.", steep="a", linear="b", min_size=10).to_dict()
    with pytest.raises(DamagedResults, match=r"claim 'scaling' was saved by an older version of "
                                             r"the fit_time_exponents claim \(it has threshold"):
        base.from_dict({**saved, "threshold": 1.5})
