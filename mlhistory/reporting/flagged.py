"""The runs the sanity flags left out of the claims' means, each once with the claims it was
left out of: a table of the appendix, counted on the main page.

Read from the claim rows only: their ``excluded`` field holds what the flags left out of each
claim ("LightGBM ..., shuttle: 1 of 1 run never gets a class right, excluded").
"""

from collections import defaultdict

from .common import APPENDIX_PAGE, data_name
from .document import Heading, Paragraph, Table, slug

FLAGGED_HEADING = "Runs the sanity flags left out"
EXCLUDED = ", excluded"


def flagged_runs(claims: dict, numbers: dict, names: dict) -> dict[str, dict[str, list[str]]]:
    """Each flagged run as the claims name it (its flag's words), with the data of the claims
    it was left out of (a dataset's name, or the tables: a table's run sits in both image
    datasets' folders) and their numbers, in the order of the claims. ``claims`` and
    ``numbers`` as the glance table keys them (``glance.claims_by_key``,
    ``glance.claim_numbers``), ``names`` the datasets' names."""
    found = defaultdict(lambda: {"data": [], "claims": []})
    for key, by_dataset in claims.items():
        for row in by_dataset.values():
            data = data_name(row, names)
            for part in filter(None, row.get("excluded", "").split("; ")):
                run = found[part.removesuffix(EXCLUDED)]
                run["data"].append(data)
                run["claims"].append(numbers[key])
    return {run: {field: list(dict.fromkeys(values)) for field, values in where.items()}
            for run, where in found.items()}


def flagged_mention(claims: dict, numbers: dict, names: dict) -> list[str]:
    """The main page's one line on them: how many, and where they are named."""
    runs = flagged_runs(claims, numbers, names)
    if not runs:
        return []
    return [f"{len(runs)} flagged runs (diverged, near chance, or never getting a class right) "
            f"are left out of the claims' means and counted in each claim's evidence: "
            f"[the appendix]({APPENDIX_PAGE}#{slug(FLAGGED_HEADING)}) lists them."]


def flagged_section(claims: dict, numbers: dict, names: dict) -> list:
    """The appendix's table of them."""
    runs = flagged_runs(claims, numbers, names)
    if not runs:
        return []
    return [Heading(2, FLAGGED_HEADING),
            Paragraph("A run that diverged, sat near chance or never got a class right is left "
                      "out of every claim's mean, never averaged into it; each row names the "
                      "run with its flag, and the claims it was left out of."),
            Table(["run and its flag", "left out of", "on"],
                  [[run, ", ".join(where["claims"]), ", ".join(where["data"])]
                   for run, where in runs.items()])]
