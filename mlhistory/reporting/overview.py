"""The report's main page, the story first: what the chapter says and what was done; the
verdicts with their numbers, each claim once and one click from the figure that carries it;
what the measurements say about the history; published against measured; the timeline; then
one section per experiment, showing each claim's evidence figure.

Everything on it is derived from the judged claims, the manifests and the references: the
history is written from templates the results fill (``history``), so it changes when a result
changes. Test lists, budgets and effort tables are in the appendix and the detail pages.
"""

from collections import Counter, defaultdict

from ..judging.verdicts import BOOK, FAILS, HOLDS, LIMITED_BY_MACHINE
from .common import (
    APPENDIX_PAGE,
    MAIN_PAGE,
    SCOPE_NAMES,
    TESTS_HEADING,
    VERDICT_ORDER,
    VERDICTS_HEADING,
    JudgedExperiment,
    dataset_name,
    own_scope,
    scope_name,
    sizes_text,
)
from .document import BulletList, Heading, Image, Page, Paragraph, slug
from .evidence import missing_reason, where_to_look
from .glance import (
    OWN_QUESTIONS_HEADING,
    by_experiment,
    claim_links,
    claim_numbers,
    claims_by_key,
    evidence_for,
    evidence_heading,
    section_link,
    verdict_table,
)
from .history import history_section, published_section
from .plots import plot_filename
from .tables.eras import read_eras

TITLE = "Chapter 1 of Deep Learning with Python, measured"
# The figure of the whole history on one axis (experiment 05 draws it).
SUMMARY_PLOT_KIND = "timeline"
GLANCE_HEADING = "The book's claims at a glance"


def main_page(experiments: list[JudgedExperiment], results_folder: str) -> Page:
    """``experiments`` in report order: by dataset (the book's first), then by experiment."""
    sections = by_experiment(experiments)
    datasets = list(dict.fromkeys(experiment.dataset for experiment in experiments))
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    book = claims_by_key([row for experiment in experiments for row in experiment.claims
                          if row["source"] == BOOK])
    links, numbers = claim_links(book, sections), claim_numbers(book)
    blocks = [
        Heading(1, TITLE),
        Paragraph(_opening(experiments, names, datasets, len(book), results_folder)),
        Heading(2, GLANCE_HEADING),
        verdict_table(book, links, datasets, names),
        Paragraph("A claim's number links to the figure that carries it. Each cell: the "
                  "verdict, then the two sides' means (the claim's winner first) and the gap "
                  "with its 95 % interval, of the comparison that decides it; a claim about "
                  "the tables, the digits or the machine is judged once (\"see\" the column "
                  "named). What each verdict "
                  f"means: [the appendix]({APPENDIX_PAGE}#{slug(VERDICTS_HEADING)}) (in "
                  "`index.html`, hover over a verdict)."),
        *history_section(experiments, book, numbers, datasets),
        *published_section(experiments),
    ]
    summary_plot = _summary_plot(experiments)
    if summary_plot:
        blocks += [Heading(2, "The history in one figure"), summary_plot]
    for experiment_id, by_dataset in sections.items():
        blocks += _section(by_dataset, datasets, names, sections,
                           {key: rows for key, rows in book.items() if key[0] == experiment_id},
                           numbers)
    blocks += [Heading(2, "Details"),
               Paragraph(f"The [appendix]({APPENDIX_PAGE}) holds [the statistical tests]"
                         f"({APPENDIX_PAGE}#{slug(TESTS_HEADING)}), [the project's own "
                         f"questions]({APPENDIX_PAGE}#{slug(OWN_QUESTIONS_HEADING)}), a glossary, "
                         "leaderboards, the search effort and the machine; the detail pages, "
                         "every claim's evidence, run and figure.")]
    return Page(MAIN_PAGE, TITLE, blocks)


def _opening(experiments: list[JudgedExperiment], names: dict, datasets: list[str],
             claims: int, results_folder: str) -> str:
    """What the chapter says and what was done, in one paragraph."""
    eras = [era["era"].lower() for era in read_eras()]
    searched = any(run.tuned for experiment in experiments
                   for run in experiment.results.manifest.runs)
    budget = ("each family in the configuration the equal search chose where it has been "
              "searched (see the appendix's effort table), else on a fair budget declared once"
              if searched else "each family on a fair budget declared once")
    return ("Chapter 1 of the book tells a brief history of machine learning (" + _join(eras)
            + ") and says what each era could and could not do. Each section below turns one "
            "part of it into an experiment on " + _join([names[dataset] for dataset in datasets])
            + f", and judges the book's {claims} claims about it from the saved results, "
            + budget + ". " + sizes_text(experiments) + " Everything "
            f"here is generated by `make report` from `{results_folder}/`.")


def _section(by_dataset: dict[str, JudgedExperiment], datasets: list[str], names: dict,
             sections: dict, claims: dict, numbers: dict) -> list:
    """One experiment: where its details are, then each figure that carries one of its claims,
    full width on each dataset, under one line per claim saying what to see in it."""
    first = next(iter(by_dataset.values()))
    details = " · ".join(f"[{names[dataset]}]({by_dataset[dataset].page})"
                         for dataset in datasets if dataset in by_dataset)
    blocks = [Heading(2, first.heading, short=first.short_heading),
              Paragraph(f"{first.results.manifest.book_section}; details: {details}.")]
    if not claims:
        return blocks + [Paragraph("No claim of the book is judged from this experiment's "
                                   "results yet.")]
    carried, without = defaultdict(list), []
    for key in claims:
        evidence = evidence_for(sections, key)
        (carried[evidence] if evidence else without).append(key)
    for evidence, keys in carried.items():
        blocks += [Heading(3, evidence_heading(first, evidence)),
                   # The verdicts are in the glance table, once: here, only where to look.
                   BulletList([f"**{numbers[key]}**: look at "
                               f"{where_to_look(evidence, _named_sides(claims[key]))}"
                               for key in keys])]
        # A claim of another scope is judged under one dataset: its figure is shown there only.
        judged_on = {dataset for key in keys for dataset in claims[key]}
        # The heading above names the figure; its caption only the dataset.
        blocks += [Image(f"{by_dataset[dataset].folder}/{evidence.filename}", names[dataset])
                   for dataset in datasets if dataset in by_dataset and dataset in judged_on]
    for key in without:
        manifest = first.results.manifest
        claim = next(saved for saved in manifest.claims if saved["claim_id"] == key[1])
        blocks.append(Paragraph(f"**{numbers[key]}** has no figure: {missing_reason(claim)}."))
    return blocks


def _named_sides(by_dataset: dict[str, dict]) -> dict:
    """The claim's row on the first dataset that names both sides (a setup-short row names
    none)."""
    rows = list(by_dataset.values())
    return next((row for row in rows if row.get("side_a")), rows[0])


def _summary_plot(experiments: list[JudgedExperiment]) -> Image | None:
    for experiment in experiments:
        for plot in experiment.results.manifest.plots:
            if plot["kind"] == SUMMARY_PLOT_KIND:
                return Image(f"{experiment.folder}/{plot_filename(plot)}",
                             f"{experiment.heading}, on {dataset_name(experiment)}")
    return None


# --- The README's findings: the verdicts counted ---------------------------------------------


def takeaways(rows: list[dict], sections: dict, datasets: list[str], names: dict) -> list[str]:
    """The findings the README lists, counted from the book's verdicts."""
    found = [tally(rows, datasets, names)]
    by_section = defaultdict(list)
    for (experiment_id, _), by_dataset in claims_by_key(rows).items():
        by_section[experiment_id].append(by_dataset)
    holding = [experiment_id for experiment_id, claimed in by_section.items()
               if all(row["verdict"] == HOLDS for by_dataset in claimed
                      for row in by_dataset.values())]
    if holding:
        found.append("The book holds throughout (every claim, on every dataset) in "
                     + _join([section_link(sections[experiment_id]) for experiment_id in holding])
                     + ".")
    first = datasets[0]
    failing = {experiment_id: sum(1 for by_dataset in claimed
                                  if by_dataset.get(first, {}).get("verdict") == FAILS
                                  and own_scope(by_dataset[first]))
               for experiment_id, claimed in by_section.items()}
    if any(failing.values()):
        found.append(f"On {names[first]} the measurements contradict the book in "
                     + _join([f"{section_link(sections[experiment_id])} ({count} of "
                              f"{len(by_section[experiment_id])} claims)"
                              for experiment_id, count in failing.items() if count])
                     + ".")
    for other in datasets[1:]:
        found += _disagreement(by_section, sections, first, other, names)
    limited = [experiment_id for experiment_id, claimed in by_section.items()
               if any(row["verdict"] == LIMITED_BY_MACHINE
                      for by_dataset in claimed for row in by_dataset.values())]
    if limited:
        found.append("This machine could not give a fair test to claims in "
                     + _join([section_link(sections[experiment_id]) for experiment_id in limited])
                     + "; their evidence says what a fair test would need.")
    return found


def tally(rows: list[dict], datasets: list[str], names: dict) -> str:
    """The verdicts counted per dataset, then per other scope, each claim once."""
    groups = {names[dataset]: [row for row in rows if row["dataset"] == dataset and own_scope(row)]
              for dataset in datasets}
    others = [row for by_dataset in claims_by_key(rows).values()
              for row in by_dataset.values() if not own_scope(row)]
    order = list(SCOPE_NAMES)
    for row in sorted(others, key=lambda row: (order.index(row["scope"]) if row["scope"] in order
                                               else len(order), row["scope"])):
        groups.setdefault(scope_name(row["scope"]), []).append(row)
    parts = []
    for name, found in groups.items():
        counts = Counter(row["verdict"] for row in found)
        if not found:
            continue
        parts.append(f"on {name} ({len(found)} claim{'s' if len(found) != 1 else ''}): "
                     + ", ".join(f"**{verdict}** {counts[verdict]}" for verdict in VERDICT_ORDER
                                 if counts[verdict]))
    return "Verdicts of the book's claims " + "; ".join(parts) + "."


def _disagreement(by_section: dict, sections: dict, first: str, other: str, names: dict) -> list[str]:
    """Where a claim's verdict on ``other`` differs from its verdict on ``first``."""
    changes, where, compared = Counter(), Counter(), 0
    for experiment_id, claimed in by_section.items():
        for by_dataset in claimed:
            if first in by_dataset and other in by_dataset and own_scope(by_dataset[first]):
                compared += 1
                before, after = by_dataset[first]["verdict"], by_dataset[other]["verdict"]
                if before != after:
                    changes[(before, after)] += 1
                    where[experiment_id] += 1
    if not compared:
        return []
    if not changes:
        return [f"Every claim gets the same verdict on {names[other]} as on {names[first]}."]
    return [f"{sum(changes.values())} of {compared} claims get a different verdict on "
            f"{names[other]} than on {names[first]} ("
            + ", ".join(f"**{before}** → **{after}** {count}"
                        for (before, after), count in changes.most_common())
            + "), in " + _join([f"{section_link(sections[experiment_id])} ({count})"
                                for experiment_id, count in where.items()]) + "."]


def _join(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
