"""The published figures beside ours: each figure of ``references/published.csv`` (the book's
nets, LeCun's MNIST table, the Fashion-MNIST paper's Table 3 and README) beside the measurement
of the same model, features and dataset, whether the two agree, and, for a measurement short of
its figure, what its family's saved search found (the appendix in full, the report in short)."""

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from ..judging.sanity import SHORT_POINTS
from ..paths import REFERENCES_DIR
from ..results import mean_std, unique_runs
from ..results.tuning import read_chosen, read_trials
from .common import JudgedExperiment, accuracy_text, dataset_order
from .document import Heading, Paragraph, Table

PUBLISHED_FILE = REFERENCES_DIR / "published.csv"
# "Within 2 points of the published figure" is the agreement the reproduction aims for.
AGREEMENT_POINTS = 2.0


def display_names(experiments: list[JudgedExperiment]) -> dict[str, tuple[str, str]]:
    """Each run key's display name and family, from the manifests' run records."""
    return {key: (run.display_name, run.family) for experiment in experiments
            for run in experiment.results.manifest.runs for key in run.run_keys}


def read_published() -> list[dict]:
    with open(PUBLISHED_FILE, newline="") as handle:
        return list(csv.DictReader(handle))


@dataclass(frozen=True)
class PublishedRow:
    """A published figure beside the measurement of its model, or a measured model on pixels
    that has no published figure (``published`` None)."""

    name: str
    dataset: str
    published: float | None
    measured: str  # mean ± std over seeds, "" when not measured
    n_train: str
    difference: str  # measured minus published, in points
    status: str  # agreement, or why there is none
    protocol: str = ""
    source: str = ""
    tuned: bool = False  # the measurement refits the search's chosen configuration
    # Why the measurement is more than SHORT_POINTS below the published figure, from the saved
    # search of its family: in a few words ("searched", "not searched", ...) and in full; ""
    # when it is not short.
    short_kind: str = ""
    shortfall: str = ""

    @property
    def agrees(self) -> str:
        """The status in a word or three: "yes", "no (same protocol)", "no (different protocol)"."""
        if not self.measured or self.status == "yes":
            return self.status if self.measured else ""
        return ("no (same protocol)" if self.status.startswith(SAME_PROTOCOL)
                else "no (different protocol)")


SAME_PROTOCOL = "no, same protocol"


def published_comparison(experiments: list[JudgedExperiment]) -> list[PublishedRow]:
    """Each published figure beside the measurement of the same model, features and dataset,
    then each model measured on pixels that has none.

    The measurement is the model's strongest configuration here (its searched one, where the
    search beat its recipe), at the largest training size it got; each configuration's seeds
    are pooled, never one configuration's with another's. A published row whose dataset did
    not run stays, marked so.
    """
    names = display_names(experiments)
    results_dir = experiments[0].results.folder.parent.parent if experiments else Path()
    tuned_keys = {key for experiment in experiments for run in experiment.results.manifest.runs
                  if run.tuned for key in run.run_keys}
    runs = unique_runs([row for experiment in experiments for row in experiment.results.rows])
    configurations = defaultdict(list)
    for row in runs:
        configurations[(row["model"], row["features"], row["dataset"], row["params"])].append(row)
    strongest = {}
    for (model, features, dataset, _), rows in configurations.items():
        rows = [row for row in rows if row["n_train"] == max(r["n_train"] for r in rows)]
        rank = (rows[0]["n_train"], mean_std(row["accuracy"] for row in rows)[0])
        key = (model, features, dataset)
        if key not in strongest or rank > strongest[key][0]:
            strongest[key] = (rank, rows)
    largest = {key: rows for key, (_, rows) in strongest.items()}
    datasets_run = {row["dataset"] for row in runs}
    references = sorted(read_published(), key=lambda reference: dataset_order(reference["dataset"]))
    found = []
    for reference in references:
        key = (reference["model"], reference["features"], reference["dataset"])
        rows = largest.get(key)
        published = float(reference["published_accuracy"])
        name = names[rows[0]["run_key"]][0] if rows else f"{reference['model']} on {reference['features']}"
        cited = {"protocol": reference["protocol"], "source": reference["source"]}
        if not rows:
            why = "not run here" if reference["dataset"] not in datasets_run else "not measured here"
            found.append(PublishedRow(name, reference["dataset"], published, "", "", "", why, **cited))
            continue
        mean, _ = mean_std(row["accuracy"] for row in rows)
        difference = 100 * (mean - published)
        if abs(difference) <= AGREEMENT_POINTS:
            status = "yes"
        elif reference["same_protocol"] == "yes":
            status = f"{SAME_PROTOCOL}: " + (reference["note"] or "unexplained")
        else:
            status = "no: different protocol"
        tuned = rows[0]["run_key"] in tuned_keys
        short_kind, shortfall = (("", "") if -difference <= SHORT_POINTS else
                                 shortfall_reason(results_dir, reference, tuned))
        found.append(PublishedRow(name, reference["dataset"], published,
                                  accuracy_text(row["accuracy"] for row in rows),
                                  f"{rows[0]['n_train']:,}", f"{difference:+.1f}", status, **cited,
                                  tuned=tuned, short_kind=short_kind,
                                  shortfall=shortfall))
    published_keys = {(reference["model"], reference["features"], reference["dataset"])
                      for reference in references}
    for key, rows in sorted(largest.items(), key=lambda item: (dataset_order(item[0][2]), item[0])):
        if key not in published_keys and key[1] == "pixels":
            found.append(PublishedRow(names[rows[0]["run_key"]][0], key[2], None,
                                      accuracy_text(row["accuracy"] for row in rows),
                                      f"{rows[0]['n_train']:,}", "",
                                      "no published figure for this model"))
    return found


def shortfall_reason(results_dir: Path, reference: dict, tuned: bool) -> tuple[str, str]:
    """Why a measurement more than ``SHORT_POINTS`` below its published figure is short, from
    its family's saved search on the dataset (``results/tuning/``), in a few words and in full:
    what the search found, how far it has gone, or that there is none."""
    model, dataset, features = reference["model"], reference["dataset"], reference["features"]
    chosen = read_chosen(results_dir, dataset).get(model)
    if features != "pixels":
        return (f"not searched on {features} features",
                f"not searched on {features} features: the search tunes {model} on pixels only, "
                "so this runs its fair budget")
    if chosen is not None:
        searched = (f"searched: the best of its {chosen['trials']} trials scored "
                    f"{chosen['best_trial_validation_accuracy']:.4f} on validation")
        if not tuned:
            return ("searched, recipe kept", f"{searched} and did not beat the recipe beyond "
                    "its noise, so the recipe runs")
        if reference["same_protocol"] == "yes":
            return "searched", f"{searched}; the sanity flag says by how much"
        return "searched", (f"{searched}; the published model or protocol differs, and no "
                            "configuration of the search space reached it here")
    decided = [trial for trial in read_trials(results_dir, dataset, model)
               if trial["state"] in ("complete", "pruned")]
    if decided:
        return "search part-way", (f"its search stopped part-way ({len(decided)} trials "
                                   "decided), so this runs its fair budget")
    return "not searched", "not searched (no trials), so this runs its fair budget"


def published_vs_measured(experiments: list[JudgedExperiment]) -> list:
    """The published figures beside ours, in full: protocols and sources."""
    table = [[found.name, found.dataset,
              "none" if found.published is None else f"{found.published:.3f}",
              found.measured or found.status, found.n_train, found.difference,
              "" if not found.measured and found.published is not None else found.status,
              found.shortfall, found.protocol, found.source]
             for found in published_comparison(experiments)]
    return [Heading(2, "Published vs measured"),
            Paragraph(f"Every published figure the project has a model for (the book's own "
                      f"networks, LeCun's MNIST table, the Fashion-MNIST paper's Table 3), beside "
                      f"the measurement at the largest training size the model got here. "
                      f"Difference in accuracy points; agreement means within "
                      f"{AGREEMENT_POINTS:.0f} points. Published numbers live in "
                      "`mlhistory/reporting/references/published.csv` with their sources; where the "
                      "protocol differs, the published protocol says how. A measurement more "
                      f"than {SHORT_POINTS} points below its published figure says why, from "
                      "its family's saved search (the equal search's goal is to come within "
                      f"{SHORT_POINTS} points of each family's best published figure)."),
            Table(["model", "dataset", "published", "measured", "n_train", "difference",
                   f"within {AGREEMENT_POINTS:.0f} points",
                   f"more than {SHORT_POINTS} points short: why", "published protocol",
                   "source"], table)]
