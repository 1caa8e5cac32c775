"""The main page's story: what the measurements say about the history, written from templates
that the saved results fill, and the published figures beside the measured ones, in short.

Nothing here is typed per result: each era's best error comes from experiment 05's era table
(``tables.eras``), where Fashion-MNIST departs from MNIST from the claims' verdicts and gaps,
and the verdicts that are short of their setup, of power or of this machine from the claim
rows; the runs the sanity flags left out are counted here, listed in the appendix
(``flagged``).
"""

import re
from collections import defaultdict

from ..judging.sanity import SHORT_POINTS
from ..judging.verdicts import DOES_NOT_CARRY_OVER, LIMITED_BY_MACHINE, SETUP_SHORT, UNDERPOWERED
from ..results.labels import TUNING_NOTES
from .common import APPENDIX_PAGE, JudgedExperiment, data_name, dataset_name
from .document import BulletList, Heading, Paragraph, Table, slug
from .flagged import flagged_mention
from .published import AGREEMENT_POINTS, published_comparison
from .tables.eras import against_before, era_bests

HISTORY_HEADING = "What the measurements say about the history"
PUBLISHED_HEADING = "Published against measured"
# The table kind whose experiment gathers every era's runs (experiment 05 declares it).
ERA_TABLE_KIND = "era_table"


def history_section(experiments: list[JudgedExperiment], claims: dict, numbers: dict,
                    datasets: list[str]) -> list:
    """``claims``: each book claim's rows by dataset (``glance.claims_by_key``); ``numbers``:
    each claim's number by the same key (the glance table links it to its figure)."""
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    items = _eras(experiments)
    for other in datasets[1:]:
        items += _departures(claims, numbers, datasets[0], other, names)
    items += _short(claims, numbers, names) + flagged_mention(claims, numbers, names)
    return [Heading(2, HISTORY_HEADING), BulletList(items)] if items else []


def _eras(experiments: list[JudgedExperiment]) -> list[str]:
    """Per dataset: each era's best test error, and what the last era bought over the best
    before it."""
    experiment = next((found for found in experiments
                       if any(table["kind"] == ERA_TABLE_KIND
                              for table in found.results.manifest.tables)), None)
    if experiment is None:
        return []
    by_dataset, eras = era_bests(experiment.results)
    items = []
    for dataset, found in by_dataset.items():
        errors = [(era, bests[dataset]) for era, bests in eras if bests[dataset]]
        if not errors:
            continue
        listed = "; ".join(f"{era['era'].lower()} {100 * best[1]:.2f} % ({_model_name(best[0])})"
                           for era, best in errors)
        (last_era, (last_name, last_error, _)) = errors[-1]
        earlier = [best[1] for _, best in errors[:-1]]
        text = f"Each era's best test error on {found.dataset_record.title}: {listed}."
        if earlier:
            text += (f" The last era's best against the best of every era before it: "
                     f"{against_before(last_error, min(earlier))}.")
        items.append(text)
    if items:
        items[-1] += (f" Each era's models and changes: [experiment {experiment.number}]"
                      f"({experiment.page}).")
    return items


def _departures(claims: dict, numbers: dict, first: str, other: str, names: dict) -> list[str]:
    """Where a claim's verdict on ``other`` differs from its verdict on ``first``, with the
    gap it rests on on each; each claim by its number (the glance table links it)."""
    compared, changed = 0, []
    for key, by_dataset in claims.items():
        if first in by_dataset and other in by_dataset:
            compared += 1
            before, after = by_dataset[first], by_dataset[other]
            if before["verdict"] != after["verdict"]:
                changed.append((key, before, after))
    if not compared:
        return []
    if not changed:
        return [f"Every claim gets the same verdict on {names[other]} as on {names[first]}."]
    smaller = sum(1 for _, before, after in changed
                  if before.get("gap") and after.get("gap")
                  and float(after["gap"]) < float(before["gap"]))
    reversed_ = sum(1 for _, _, after in changed if after["verdict"] == DOES_NOT_CARRY_OVER)
    # By change of verdict; the gaps themselves are in the glance table, one click up.
    by_change = defaultdict(list)
    for key, before, after in changed:
        by_change[f"{before['verdict']} → {after['verdict']}"].append(numbers[key])
    listed = "; ".join(f"{change} {', '.join(claims)}" for change, claims in by_change.items())
    return [f"{names[other]} departs from {names[first]} in {len(changed)} of {compared} "
            f"claims; in {smaller} of them the gap the verdict rests on is smaller on "
            f"{names[other]}, and {reversed_} go the other way there: {listed}."]


def _short(claims: dict, numbers: dict, names: dict) -> list[str]:
    """The verdicts short of their setup, each claim by its number (the glance table links it),
    and those short of power or of this machine, counted."""
    found = {SETUP_SHORT: defaultdict(list), UNDERPOWERED: defaultdict(list),
             LIMITED_BY_MACHINE: defaultdict(list)}
    short_reasons = defaultdict(list)
    for key, by_dataset in claims.items():
        number = numbers[key]
        for row in by_dataset.values():
            if row["verdict"] in found:
                found[row["verdict"]][data_name(row, names)].append(number)
                # Why each setup is short, once per reason (a flagged run left out is named in
                # the flagged runs' item).
                if row["verdict"] == SETUP_SHORT and not row.get("excluded"):
                    short_reasons[_in_short(row["evidence"].split("; ")[0])].append(number)

    def listed(by_scope: dict) -> str:
        return "; ".join(f"on {scope} {', '.join(numbers)}" for scope, numbers in by_scope.items())

    items = []
    if found[SETUP_SHORT]:
        reasons = "; ".join(f"{reason} ({', '.join(dict.fromkeys(numbers))})"
                            for reason, numbers in short_reasons.items())
        items.append("Setup short (a run it rests on failed, is flagged short or is missing): "
                     + listed(found[SETUP_SHORT]) + "." + (f" Why: {reasons}." if reasons else ""))
    # The verdicts short of power or of this machine, counted: the glance table names them, and
    # each one's evidence says what would settle it (more seeds, more test images, a GPU).
    counts = [f"{sum(map(len, found[verdict].values()))} {verdict}"
              for verdict in (UNDERPOWERED, LIMITED_BY_MACHINE) if found[verdict]]
    if counts:
        items.append(f"Not settled here: {' and '.join(counts)}; each one's evidence says what "
                     "would settle it (more seeds, more test images, other hardware).")
    return items


def _in_short(reason: str) -> str:
    """A flag's reason without its figures ("... below its own default recipe"): the claim's
    evidence on its experiment's page gives them."""
    head, flagged, rest = reason.partition(" is flagged ")
    return head + flagged + rest.split(" (")[0] if flagged else reason


def published_section(experiments: list[JudgedExperiment]) -> list:
    """Each published figure beside the measurement of the same model and dataset, in short:
    one row per model (a second row where a dataset has two figures for it), a column per
    dataset; the spreads, protocols and sources are in the appendix."""
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    found = [row for row in published_comparison(experiments) if row.published is not None]
    if not found:
        return []
    datasets = list(dict.fromkeys(row.dataset for row in found))
    cells = defaultdict(lambda: defaultdict(list))  # model -> dataset -> its cells
    for row in found:
        cells[_model_name(row.name)][row.dataset].append(_published_cell(row))
    table = []
    for name, by_dataset in cells.items():
        for line in range(max(map(len, by_dataset.values()))):
            table.append([name] + [by_dataset[dataset][line] if line < len(by_dataset[dataset])
                                   else "" for dataset in datasets])
    return [Heading(2, PUBLISHED_HEADING),
            Paragraph("Each published figure, then the model's strongest configuration here "
                      "(\"tuned\": its search's choice) at its largest training size, and the "
                      f"difference in points (\"apart\" beyond {AGREEMENT_POINTS:.0f}; "
                      f"\"short\" more than {SHORT_POINTS} below it, and whether its family "
                      "was searched). "
                      f"Spreads, protocols, sources: [the appendix]({APPENDIX_PAGE}#"
                      f"{slug('Published vs measured')})."),
            Table(["model", *(names.get(dataset, dataset) for dataset in datasets)], table)]


def _model_name(display: str) -> str:
    """A model as the short table names it, whatever its configuration: "RBF SVM on HOG" for
    "RBF SVM (C=10) on HOG (4x4 cells)", so that its tuned and recipe runs share a row."""
    for note in TUNING_NOTES:
        display = display.removesuffix(note)
    return re.sub(r" \([^()]*\)", "", display)


def _published_cell(row) -> str:
    """"0.978 → 0.979 (+0.1)", whether the measurement is the searched configuration, and why
    they are apart when they are."""
    if not row.measured:
        return f"{row.published:.3f} → {row.status}"
    measured = row.measured.split(" ± ")[0]
    notes = (["tuned"] if row.tuned else []) + (
        [] if row.agrees == "yes" else [f"apart, {row.agrees.removeprefix('no (').rstrip(')')}"]
    ) + ([f"short: {row.short_kind}"] if row.short_kind else [])
    return (f"{row.published:.3f} → {float(measured):.3f} ({row.difference}"
            + "".join(f"; {note}" for note in notes) + ")")
