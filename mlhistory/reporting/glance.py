"""The verdict tables: each claim once, with its verdict and key numbers on each dataset, and a
link to the figure that carries it.

A claim of the book is numbered by its experiment and its place there ("03.2"); the number
links to its evidence figure in the experiment's section of the main page (``evidence``). A
claim about the tables, the 8x8 digits or the machine (its ``scope`` is not the experiment's
dataset) judges the same runs in both image datasets' folders: it is shown once.
"""

import re
from collections import defaultdict

from ..judging.verdicts import PROJECT
from .common import MAIN_PAGE, JudgedExperiment, dataset_name, glance_text, own_scope, scope_name
from .document import Heading, Paragraph, Table, slug
from .evidence import Evidence, evidence_of

NOT_RUN = "not run"
OWN_QUESTIONS_HEADING = "The project's own questions"


def by_experiment(experiments: list[JudgedExperiment]) -> dict[str, dict[str, JudgedExperiment]]:
    """Each experiment's runs by dataset, experiments in their numbered order."""
    sections = defaultdict(dict)
    for experiment in sorted(experiments, key=lambda found: found.experiment_id):
        sections[experiment.experiment_id][experiment.dataset] = experiment
    return dict(sections)


def section_link(by_dataset: dict[str, JudgedExperiment], text: str | None = None) -> str:
    """A link to an experiment's section, named by its number and short title by default."""
    experiment = next(iter(by_dataset.values()))
    return f"[{text or experiment.short_heading}]({MAIN_PAGE}#{slug(experiment.heading)})"


def claims_by_key(rows: list[dict]) -> dict[tuple[str, str], dict[str, dict]]:
    """Each claim, keyed by experiment and claim id, with its row on each dataset (a claim of
    another scope, the same runs in every folder, under the first dataset only)."""
    found = defaultdict(dict)
    for row in rows:
        by_dataset = found[(row["experiment"], row["claim_id"])]
        if own_scope(row) or not by_dataset:
            by_dataset[row["dataset"]] = row
    return found


def claim_numbers(claims: dict) -> dict[tuple[str, str], str]:
    """Each claim's number, "03.2": its experiment's number and its place among its claims."""
    numbers, counted = {}, defaultdict(int)
    for experiment_id, claim_id in claims:
        counted[experiment_id] += 1
        numbers[(experiment_id, claim_id)] = f"{experiment_id.split('_')[0]}.{counted[experiment_id]}"
    return numbers


def evidence_for(sections: dict, key: tuple[str, str]) -> Evidence | None:
    """The figure that carries a claim, from its experiment's saved declarations."""
    experiment_id, claim_id = key
    manifest = next(iter(sections[experiment_id].values())).results.manifest
    claim = next(saved for saved in manifest.claims if saved["claim_id"] == claim_id)
    return evidence_of(claim, list(manifest.plots))


def evidence_heading(experiment: JudgedExperiment, evidence: Evidence) -> str:
    """The main page's heading over a figure that carries claims ("03: scaling"), under its
    experiment's section."""
    return f"{experiment.number}: {evidence.title}"


def claim_links(claims: dict, sections: dict) -> dict[tuple[str, str], str]:
    """Each claim's number, linked to its figure in its section of the main page (to the
    section itself when no figure carries it)."""
    links = {}
    for key, number in claim_numbers(claims).items():
        by_dataset = sections[key[0]]
        evidence = evidence_for(sections, key)
        experiment = next(iter(by_dataset.values()))
        anchor = slug(evidence_heading(experiment, evidence) if evidence else experiment.heading)
        links[key] = f"[{number}]({MAIN_PAGE}#{anchor})"
    return links


def detail_links(claims: dict, sections: dict) -> dict[tuple[str, str], str]:
    """Each claim's experiment number, linked to its figure on the first dataset's detail page
    (for the project's own questions, which the main page does not show)."""
    links = {}
    for key in claims:
        experiment = next(iter(sections[key[0]].values()))
        evidence = evidence_for(sections, key)
        anchor = f"#{slug(evidence.title)}" if evidence else ""
        links[key] = f"[{experiment.number}]({experiment.page}{anchor})"
    return links


def verdict_cells(by_dataset: dict[str, dict], datasets: list[str], names: dict, text) -> list[str]:
    """A claim's cell under each dataset: its verdict there; a claim of another scope once,
    under the first dataset it was judged on, the others pointing to it."""
    row = next(iter(by_dataset.values()))
    if own_scope(row):
        return [text(by_dataset[dataset]) if dataset in by_dataset else NOT_RUN
                for dataset in datasets]
    return [f"{text(row)} (on {scope_name(row['scope'])})" if dataset == row["dataset"]
            else f"see {names[row['dataset']]}" for dataset in datasets]


def short_passage(passage: str) -> str:
    """Where to read a claim, in short: the first passage named, by its edition and section
    number when it has one ("1st ed. 1.2.4"); the claim's own section on its experiment's page
    names every edition's passage in full."""
    first = passage.split("; ")[0]
    numbered = re.match(r"\d(?:st|nd|rd|th) ed\. \d+(?:\.\d+)+", first)
    return numbered.group(0) if numbered else first


def verdict_table(claims: dict, links: dict, datasets: list[str], names: dict,
                  header: tuple[str, str] = ("claim", "what the book says")) -> Table:
    """``claims`` by key (``claims_by_key``), ``links`` the first column's link for each;
    ``header`` names the link's column and the claim's."""
    table = []
    for key, by_dataset in claims.items():
        row = next(iter(by_dataset.values()))
        passage = f" *({short_passage(row['passage'])})*" if row["passage"] else ""
        table.append([links[key], row["claim"] + passage,
                      *verdict_cells(by_dataset, datasets, names, glance_text)])
    return Table([*header, *(names[dataset] for dataset in datasets)], table)


def own_questions(experiments: list[JudgedExperiment]) -> list:
    """The appendix's table of the project's own questions, each linked to its figure on its
    experiment's detail page."""
    sections = by_experiment(experiments)
    datasets = list(dict.fromkeys(experiment.dataset for experiment in experiments))
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    claims = claims_by_key([row for experiment in experiments for row in experiment.claims
                            if row["source"] == PROJECT])
    if not claims:
        return []
    return [Heading(2, OWN_QUESTIONS_HEADING),
            Paragraph("Questions the experiments answer that the book does not ask, kept apart "
                      "from the book's claims and not counted with them. The section number "
                      "links to the figure that carries the question."),
            verdict_table(claims, detail_links(claims, sections), datasets, names,
                          header=("section", "question"))]
