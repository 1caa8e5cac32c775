"""The README's findings: the book's claims and their verdicts, written into the README by
``make report`` from the judged claims of the reference results, so no number or verdict in it
is typed by hand.

The block sits between two marker lines; everything outside them is left as it is.
"""

import re
from pathlib import Path

from .. import atomic
from ..errors import UsageError
from ..judging import claims
from .common import MAIN_PAGE, JudgedExperiment, dataset_name
from .document import Page, to_markdown
from .overview import by_experiment, takeaways, verdict_table

START = "<!-- findings: written by `make report` from results/claims.csv; edits here are lost -->"
END = "<!-- end of findings -->"


def findings_markdown(experiments: list[JudgedExperiment], results_link: str) -> str:
    """The takeaways and the verdict table, with links into the report under ``results_link``."""
    sections = by_experiment(experiments)
    datasets = list(dict.fromkeys(experiment.dataset for experiment in experiments))
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    book_rows = [row for experiment in experiments for row in experiment.claims
                 if row["source"] == claims.BOOK]
    page = Page("findings", "findings", [verdict_table(book_rows, sections, datasets, names)])
    text = "\n".join(f"- {line}" for line in takeaways(book_rows, sections, datasets, names))
    text += "\n\n" + to_markdown(page).strip()
    return text.replace(f"]({MAIN_PAGE}", f"]({results_link}/{MAIN_PAGE}")


def update_readme(readme: Path, experiments: list[JudgedExperiment], results_link: str) -> None:
    text = Path(readme).read_text()
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise UsageError(f"{readme} has no findings block to update (the lines {START!r} and "
                         f"{END!r})")
    block = f"{START}\n{findings_markdown(experiments, results_link)}\n{END}"
    atomic.write_text(readme, pattern.sub(lambda _: block, text))
