"""The README's generated blocks, written by ``make report`` from the reference results, so no
number or verdict in the README is typed by hand:

- the findings: the book's claims and their verdicts, with the takeaways counted from them;
- the measured budgets: what the reference run took, and ``make bench``'s table.

Each block sits between two marker lines; everything outside them is left as it is.
"""

import re
from pathlib import Path

from .. import atomic
from ..errors import UsageError
from ..judging.verdicts import BOOK
from ..results import METADATA_FILE, read_json
from ..results.schema import BENCH_DIR, BENCH_FILE
from ..results.tuning import search_cost, tuned_datasets
from .appendix import VOID, bench_cells, speed
from .common import MAIN_PAGE, JudgedExperiment, dataset_name
from .document import Page, to_markdown
from .experiment_page import computed_seconds
from .glance import by_experiment, claim_links, claims_by_key, verdict_table
from .overview import takeaways

START = "<!-- findings: written by `make report` from results/claims.csv; edits here are lost -->"
END = "<!-- end of findings -->"
BUDGETS_START = ("<!-- budgets: written by `make report` from the results' metadata and "
                 "results/bench/; edits here are lost -->")
BUDGETS_END = "<!-- end of budgets -->"


def findings_markdown(experiments: list[JudgedExperiment], results_link: str) -> str:
    """The takeaways and the verdict table, with links into the report under ``results_link``."""
    sections = by_experiment(experiments)
    datasets = list(dict.fromkeys(experiment.dataset for experiment in experiments))
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    book_rows = [row for experiment in experiments for row in experiment.claims
                 if row["source"] == BOOK]
    book = claims_by_key(book_rows)
    page = Page("findings", "findings",
                [verdict_table(book, claim_links(book, sections), datasets, names)])
    text = "\n".join(f"- {line}" for line in takeaways(book_rows, sections, datasets, names))
    text += "\n\n" + to_markdown(page).strip()
    return text.replace(f"]({MAIN_PAGE}", f"]({results_link}/{MAIN_PAGE}")


def budgets_markdown(experiments: list[JudgedExperiment], results_dir: Path) -> str:
    """What the reference run and its searches took per dataset, and the bench table when there
    is one."""
    lines = []
    by_dataset = {}
    for experiment in experiments:
        metadata = read_json(experiment.results.folder / METADATA_FILE)
        by_dataset.setdefault(dataset_name(experiment), []).append(metadata)
    for name, metadata in by_dataset.items():
        minutes = sum(computed_seconds(entry) for entry in metadata) / 60
        hardware = metadata[-1]["hardware"]
        lines.append(f"- {name}: every experiment at full size took {minutes:.0f} minutes of "
                     f"wall-clock as last computed, on {hardware['cpu']} "
                     f"({hardware['cpu_count']} cores).")
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    searched = tuned_datasets(results_dir)
    lines += [_search_cost_line(results_dir, dataset, name)
              for dataset, name in names.items() if dataset in searched]
    # The tables' and the digits' searches, whose runs the experiments of both datasets share.
    lines += [_search_cost_line(results_dir, dataset, dataset)
              for dataset in searched if dataset not in names]
    lines += _suite_lines(Path(results_dir) / BENCH_DIR)
    text = "\n".join(lines)
    bench = speed(Path(results_dir) / BENCH_DIR)
    if bench:
        text += "\n\n" + to_markdown(Page("bench", "bench", bench[1:])).strip()
    return text


# The bench's suite rows that have a goal of their own, as the README names them.
SUITE_TARGETS = {"make quick from a fresh clone": "`make quick`",
                 "make test from a fresh clone": "`make test` (every tier and the lint)",
                 "no-op make all": "a no-op `make all`"}


def _suite_lines(folder: Path) -> list[str]:
    """The make targets' measured times against their goals, from ``make bench``'s suite rows
    (``--part suite``), or why there is no figure: a void row or no row at all."""
    import csv

    rows = []
    if (folder / BENCH_FILE).exists():
        with open(folder / BENCH_FILE, newline="") as saved:
            rows = [row for row in csv.DictReader(saved) if row["subject"] in SUITE_TARGETS]
    if not rows:
        return ["- `make quick` and `make test`: not yet measured by `make bench` on a quiet "
                "machine (`python -m mlhistory bench --part suite`), so no figure is given."]
    lines = []
    for row in rows:
        target = SUITE_TARGETS[row["subject"]]
        cells = bench_cells(row)
        if cells[3] == VOID:
            lines.append(f"- {target}: no figure, {cells[-1]} ({row['setting']}).")
            continue
        verdict = "met" if float(row["ratio"]) <= 1 else "not met"
        lines.append(f"- {target}: {float(row['measured']):.1f} s, {row['setting']}, "
                     f"{row['detail']}, load {cells[8]}; goal {row['goal']}: {verdict}.")
    return lines


def _search_cost_line(results_dir: Path, dataset: str, name: str) -> str:
    """One dataset's search cost so far, as the saved trials record it."""
    cost = search_cost(results_dir, dataset)
    part_way = "".join(f"; part-way: {model}, {trials} trials recorded"
                       for model, trials in cost["part_way"].items())
    spent = (f"{cost['seconds'] / 3600:.1f} hours" if cost["seconds"] >= 3600
             else f"{cost['seconds'] / 60:.0f} minutes")
    return (f"- {name}: the committed searches (`make tune`) recorded "
            f"{spent} of fits, summed over every finished trial and "
            f"each family's recipe scored beside them ({len(cost['complete'])} families "
            f"searched to the end{part_way}).")


def update_readme(readme: Path, experiments: list[JudgedExperiment], results_dir: Path) -> None:
    """Rewrite the README's findings and budgets blocks from the results under ``results_dir``."""
    text = Path(readme).read_text()
    link = Path(results_dir).name
    for start, end, content in ((START, END, findings_markdown(experiments, link)),
                                (BUDGETS_START, BUDGETS_END,
                                 budgets_markdown(experiments, results_dir))):
        pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
        if not pattern.search(text):
            raise UsageError(f"{readme} has no block to update between the lines {start!r} "
                             f"and {end!r}")
        text = pattern.sub(lambda _, block=f"{start}\n{content}\n{end}": block, text)
    atomic.write_text(readme, text)
