"""The sanity gate: is each run of an experiment set up well enough to be judged? From saved
results only (the manifest, the rows, the run artifacts and the published figures).

A run is flagged, with one reason per problem, when

- it is **short**: at the full training and test split, its mean accuracy is more than
  ``SHORT_POINTS`` below the best published figure for its family, features and dataset at the
  same protocol (``published.csv``, ``same_protocol=yes``; for a run tuned by the search stage
  also ``same_data=yes``, a figure of the family on the same images whatever its settings):
  "short by 1.3 points of the published 97.3 % (source)";
- it is a **tuned run below its own family's default**: the book's or the library's recipe of
  the same model (the run labelled by the model's name alone, in this experiment or another
  of the results set on the same dataset) scored higher on the same training and test sizes,
  and the tuned run is not shown within the declared margin of it (``margins.MARGINS``: the
  95 % interval of the paired gap of the means reaches below minus the margin). The search
  chose the tuned configuration over the recipe on its validation split, so a shortfall that
  stays within the margin is the test images' word against the validation images'; one that
  may be larger (a recipe ahead by points, or seeds so unequal that nothing is shown) means
  the search handed the comparisons a weaker side than the family's own default;
- it **diverged**: a seed's accuracy is at most ``DIVERGED_TIMES`` chance, or its training
  loss is not finite;
- it **collapsed**: a seed predicts one class for most of the test images
  (``COLLAPSED_SHARE``, or twice the largest class's true share), or only a few classes.

``sanity_flags(results)`` returns ``{run label: [reason, ...]}`` for the flagged runs only;
``claim_flags(claim_labels, flags)`` gives the reasons behind one claim's labels.

``judge()`` reads them from the results set's flag file (``results/flags.py``), which
``write_gate_flags(results_dir)`` writes, run by run key, before every judging of a results set
(``mlhistory judge``, so ``make report`` and ``make all``): a short run or a tuned run below its
default as ``SHORT`` (a claim resting on it is "setup short"), a collapsed run that the failure
flags computed from the saved results do not already catch as ``FAILED`` (left out of the
claim's means). Diverged runs are left to those failure flags, which catch them on their own.
An experiment judging itself as it ends (``current_flags``) computes its own gate flags against
its siblings as saved, so the verdicts it prints are those the next judging of the whole results
set writes, unless a sibling changes meanwhile.
"""

import csv
from pathlib import Path

import numpy as np

from ..errors import DamagedResults
from ..paths import REFERENCES_DIR
from ..results import ExperimentResults, experiment_dirs, mean_std
from ..results.flags import (
    FAILED,
    FLAGS_FILE,
    SHORT,
    Flag,
    failure_flags,
    flag_file,
    read_flag_file,
    write_flag_file,
)
from ..results.labels import run_label
from . import margins, paired
from .comparisons import deterministic

PUBLISHED_FILE = REFERENCES_DIR / "published.csv"
SHORT_POINTS = 0.5
DIVERGED_TIMES = 1.5  # accuracy at most this many times chance
COLLAPSED_SHARE = 0.5  # one class predicted for more than this share of the test images


def read_published(path: Path = PUBLISHED_FILE) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def sibling_results(results: ExperimentResults) -> list[ExperimentResults]:
    """The other experiments of the same results set on the same dataset, as saved."""
    siblings = []
    for folder in experiment_dirs(results.folder.parent.parent):
        if folder.parent.name != results.folder.parent.name or folder == results.folder:
            continue
        try:
            siblings.append(ExperimentResults.read(folder))
        except (DamagedResults, OSError):  # unreadable: checked by its own experiment
            continue
    return siblings


# What the gate writes into the flag file, by the reasons it gives (the file may hold others).
GATE_REASONS = ("short by", "below its own default recipe", "collapsed")


def findings(results: ExperimentResults, siblings: list[ExperimentResults] | None = None,
             published: list[dict] | None = None) -> list[tuple[str, tuple[str, ...], str, str]]:
    """Every problem found, as (run label, run keys it concerns, reason, detail)."""
    siblings = sibling_results(results) if siblings is None else siblings
    published = read_published() if published is None else published
    found = []
    failed = set(failure_flags(results))
    for run in results.manifest.runs:
        rows = results.rows_of(run.label, all_sizes=True)
        if not rows:
            continue
        broken = _broken(results, run.label, rows)
        found += [(run.label, *finding) for finding in broken]
        # A failed seed is left out of a claim's means: it is not the setup's measure either.
        failed |= {key for keys, reason, _ in broken if reason == "diverged" for key in keys}
        found += [(run.label, *finding) for finding in _short(results, run, published, failed)]
        if run.tuned:
            found += [(run.label, *finding)
                      for finding in _below_default(results, run, [results, *siblings])]
    return found


def sanity_flags(results: ExperimentResults, siblings: list[ExperimentResults] | None = None,
                 published: list[dict] | None = None) -> dict[str, list[str]]:
    """Each flagged run's label and its reasons; a run with nothing wrong is left out."""
    flags: dict[str, list[str]] = {}
    for label, _, reason, detail in findings(results, siblings, published):
        flags.setdefault(label, []).append(f"{reason}: {detail}")
    return flags


def gate_flags(results: ExperimentResults, siblings: list[ExperimentResults] | None = None,
               published: list[dict] | None = None) -> list[Flag]:
    """The gate's findings as flags of the flag file, by run key (see the module's docstring)."""
    failed = failure_flags(results)
    flags = []
    for _, keys, reason, detail in findings(results, siblings, published):
        if reason.startswith(GATE_REASONS[:2]):
            flags += [Flag(key, SHORT, reason, detail) for key in keys]
        elif reason == "collapsed":
            flags += [Flag(key, FAILED, reason, detail) for key in keys if key not in failed]
    return flags


def write_gate_flags(results_dir: Path) -> list[Flag]:
    """Check every experiment of a results set and write the gate's flags into its flag file,
    in place of the gate's earlier ones (flags set by anything else are kept). No file is
    written while there is nothing to say."""
    path = Path(results_dir) / FLAGS_FILE
    kept = [flag for flags in read_flag_file(path).values() for flag in flags
            if not flag.reason.startswith(GATE_REASONS)]
    found = []
    everything = []
    for folder in experiment_dirs(results_dir):
        try:
            everything.append(ExperimentResults.read(folder))
        except (DamagedResults, OSError):  # refused by the judging that follows, in one line
            continue
    for results in everything:
        siblings = [other for other in everything if other.folder != results.folder
                    and other.folder.parent == results.folder.parent]
        found += gate_flags(results, siblings)
    unique = list({(flag.run_key, flag.action, flag.reason): flag for flag in found}.values())
    if unique or kept or path.exists():
        write_flag_file(path, [*kept, *unique])
    return unique


def current_flags(results: ExperimentResults) -> dict[str, list[Flag]]:
    """Every flag of the experiment's runs as a judging of the whole results set would find them
    now: computed from its saved results, the gate's against its siblings as saved (not as the
    flag file holds them from the last judging, before this experiment's runs were saved), and
    the flag file's others (``flags_of`` reads all three from the file)."""
    found = failure_flags(results)
    keys = {row["run_key"] for row in results.rows}
    for key, flags in read_flag_file(flag_file(results)).items():
        if key in keys:
            found.setdefault(key, []).extend(flag for flag in flags
                                             if not flag.reason.startswith(GATE_REASONS))
    for flag in gate_flags(results):
        found.setdefault(flag.run_key, []).append(flag)
    return found


def claim_flags(labels, flags: dict[str, list[str]]) -> list[str]:
    """The reasons behind the runs a claim rests on, each prefixed by its run's label."""
    return [f"{label}: {reason}" for label in dict.fromkeys(labels)
            for reason in flags.get(label, [])]


def _largest(rows: list[dict]) -> list[dict]:
    largest = max(row["n_train"] for row in rows)
    return [row for row in rows if row["n_train"] == largest]


def _broken(results: ExperimentResults, label: str, rows: list[dict]) -> list[tuple]:
    n_classes = results.dataset_of(label).n_classes
    chance = 1 / n_classes
    reasons = []
    for row in rows:
        where = f"seed {row['seed']}, n_train {row['n_train']:,}"
        saved = _artifacts(results, row)
        loss = saved.get("train_loss")
        key = (row["run_key"],)
        if row["accuracy"] <= DIVERGED_TIMES * chance:
            reasons.append((key, "diverged", f"accuracy {row['accuracy']:.1%} ({where}), about "
                                             f"chance ({chance:.0%})"))
        elif loss is not None and not np.all(np.isfinite(loss)):
            reasons.append((key, "diverged", f"training loss not finite ({where})"))
        collapse = _collapse(results, row, saved.get("predictions"), n_classes)
        if collapse:
            reasons.append((key, "collapsed", f"{collapse} ({where})"))
    return reasons


def _artifacts(results: ExperimentResults, row: dict) -> dict:
    try:
        return results.artifacts(row)
    except (OSError, ValueError):  # no artifacts saved for the row: its row is all there is
        return {}


def _collapse(results: ExperimentResults, row: dict, predictions, n_classes: int) -> str:
    if predictions is None:
        # Without its predictions, one class for everything shows as a macro F1 far below
        # accuracy (one class right, nine F1 scores of zero).
        if row["macro_f1"] is not None and row["macro_f1"] < 0.5 * row["accuracy"]:
            return f"macro F1 {row['macro_f1']:.3f} against accuracy {row['accuracy']:.3f}"
        return ""
    counts = np.bincount(np.asarray(predictions, dtype=np.int64), minlength=n_classes)
    top, share = int(np.argmax(counts)), counts.max() / max(counts.sum(), 1)
    try:
        truth = np.bincount(results.test_labels(row), minlength=n_classes)
        largest_truth = truth.max() / truth.sum()
    except (OSError, KeyError):
        largest_truth = 1 / n_classes
    if share > max(COLLAPSED_SHARE, 2 * largest_truth):
        return f"predicts class {top} for {share:.0%} of the test images"
    predicted = int(np.count_nonzero(counts))
    if predicted <= n_classes // 2:
        return f"predicts only {predicted} of {n_classes} classes"
    return ""


def _short(results: ExperimentResults, run, published: list[dict], failed: set[str]) -> list[tuple]:
    """More than SHORT_POINTS below the best published figure at the same protocol, over the
    seeds that did not fail."""
    dataset = results.datasets[run.dataset]
    if run.classes:
        return []
    full = [row for row in _largest(results.rows_of(run.label, all_sizes=True))
            if row["n_train"] == dataset.n_train and row["n_test"] == dataset.n_test
            and row["run_key"] not in failed]
    figures = [reference for reference in published
               if (reference["model"], reference["features"], reference["dataset"])
               == (run.model, run.features, run.dataset)
               and (reference["same_protocol"] == "yes"
                    or (run.tuned and reference.get("same_data") == "yes"))]
    if not full or not figures:
        return []
    best = max(figures, key=lambda reference: float(reference["published_accuracy"]))
    figure = float(best["published_accuracy"])
    mean = mean_std(row["accuracy"] for row in full)[0]
    gap = 100 * (figure - mean)
    if gap <= SHORT_POINTS:
        return []
    return [(tuple(row["run_key"] for row in full), f"short by {gap:.1f} points",
             f"{mean:.2%} against the published {figure:.1%} ({best['source']})")]


def _below_default(results: ExperimentResults, run,
                   experiments: list[ExperimentResults]) -> list[tuple]:
    """A tuned run below its family's default recipe on the same data and sizes."""
    tuned_rows = _largest(results.rows_of(run.label, all_sizes=True))
    sizes = {(row["n_train"], row["n_test"]) for row in tuned_rows}
    tuned = mean_std(row["accuracy"] for row in tuned_rows)[0]
    for experiment in experiments:
        for other in experiment.manifest.runs:
            shown = other.dataset if other.dataset_shown else None
            if (other.tuned or other.model != run.model or other.features != run.features
                    or other.dataset != run.dataset or other.classes != run.classes
                    or other.label != run_label(other.model, other.features, shown)):
                continue
            rows = [row for row in experiment.rows_of(other.label, all_sizes=True)
                    if (row["n_train"], row["n_test"]) in sizes]
            if not rows:
                continue
            default = mean_std(row["accuracy"] for row in rows)[0]
            if tuned >= default:
                continue
            interval = _gap_interval(results, run.label, tuned_rows, experiment, other.label, rows)
            if interval is not None and interval[0] >= -margins.ACCURACY_MARGIN:
                continue  # shown within the margin: no worse than the recipe
            within = ("" if interval is None else
                      f", gap {100 * (tuned - default):+.2f} [{100 * interval[0]:+.2f}, "
                      f"{100 * interval[1]:+.2f}] points")
            return [(tuple(row["run_key"] for row in tuned_rows), "below its own default recipe",
                     f"{tuned:.2%} against {default:.2%} for {other.display_name} "
                     f"({experiment.manifest.experiment_id}){within}")]
    return []


def _gap_interval(results: ExperimentResults, tuned: str, tuned_rows: list[dict],
                  experiment: ExperimentResults, default: str, default_rows: list[dict]
                  ) -> tuple[float, float] | None:
    """The 95 % interval of the tuned runs' mean accuracy minus the default's, paired on the
    same test images (``paired.paired_test``: seeds and images resampled together; McNemar's
    for one deterministic run each, by the comparisons' own rule); None without the
    predictions to tell."""
    try:
        predictions = [[results.artifacts(row)["predictions"] for row in tuned_rows],
                       [experiment.artifacts(row)["predictions"] for row in default_rows]]
        labels = results.test_labels(tuned_rows[0])
    except (OSError, KeyError, ValueError):
        return None
    n_classes = results.datasets[tuned_rows[0]["dataset"]].n_classes
    result = paired.paired_test(*predictions, labels, "accuracy", n_classes,
                                deterministic(results, tuned, tuned_rows[0]["n_train"]),
                                deterministic(experiment, default, default_rows[0]["n_train"]))
    return result.low, result.high
