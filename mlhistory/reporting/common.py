"""What the report's pages share: the judged experiments, the order and names of datasets, where
each page lives, and how numbers are written."""

import csv
import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..judging.verdicts import DIGITS, MACHINE, TABLES, VERDICT_MEANINGS
from ..results import ExperimentResults, base_dataset, mean_std
from ..results.schema import VERDICT_CHANGES_FILE, dataset_order

MAIN_PAGE = "REPORT.md"
APPENDIX_PAGE = "APPENDIX.md"
VERDICT_ORDER = tuple(VERDICT_MEANINGS)


@dataclass(frozen=True)
class JudgedExperiment:
    """One experiment on one dataset: its saved results and its claims judged from them."""

    results: ExperimentResults
    claims: list[dict]  # rows of claims.csv

    @property
    def experiment_id(self) -> str:
        return self.results.manifest.experiment_id

    @property
    def dataset(self) -> str:
        return self.results.dataset

    @property
    def page(self) -> str:
        """The experiment's own page, relative to the results folder."""
        return f"{self.dataset}/{self.experiment_id}/README.md"

    @property
    def folder(self) -> str:
        return f"{self.dataset}/{self.experiment_id}"

    @property
    def heading(self) -> str:
        """"01 Probabilistic modelling: ...": the experiment's number, then its title."""
        return f"{self.number} {self.results.manifest.title}"

    @property
    def short_heading(self) -> str:
        """"01 Probabilistic modelling", "08 Why now: data": the title's first phrase."""
        title = self.results.manifest.title
        first_phrase = title.split(". ")[0] if ". " in title else re.split("[:;]", title)[0]
        return f"{self.number} {first_phrase}"

    @property
    def number(self) -> str:
        return self.experiment_id.split("_")[0]


def dataset_name(experiment: JudgedExperiment | ExperimentResults) -> str:
    """A dataset as readers know it ("Fashion-MNIST"): its description up to the citation."""
    results = experiment.results if isinstance(experiment, JudgedExperiment) else experiment
    return results.dataset_record.title


def verdict_text(row: dict) -> str:
    """A claim's verdict in bold, with its p-value when the row has one."""
    p_value = f" (p = {row['p_value']})" if row["p_value"] else ""
    return f"**{row['verdict']}**{p_value}"


# The appendix's sections on what each verdict means and the statistical tests behind them.
VERDICTS_HEADING = "What the verdicts mean"
TESTS_HEADING = "The statistical tests"

# Quantities measured as a share (accuracy, macro-F1): their gaps are written in points.
IN_POINTS = {"accuracy", "macro_f1", "accuracy gain", "probe accuracy"}
# Judged in log10 seconds (a time against a bound): shown as seconds, and a gap as a factor.
IN_LOG10_SECONDS = {"log10 seconds"}


def own_scope(row: dict) -> bool:
    """Whether a claim row is about its experiment's dataset (not the tables, the digits or
    the machine, whose runs are the same in every dataset's folder)."""
    return row.get("scope", row["dataset"]) == row["dataset"]


SCOPE_NAMES = {TABLES: "the tables", DIGITS: "the 8x8 digits", MACHINE: "this machine"}


def scope_name(scope: str) -> str:
    return SCOPE_NAMES.get(scope, scope)


def data_name(row: dict, names: dict) -> str:
    """A claim row's data as the page names it: its dataset, or the tables, digits or machine."""
    return names.get(row["dataset"], row["dataset"]) if own_scope(row) else scope_name(row["scope"])


def _shown(row: dict, text: str, gap: bool = False) -> str:
    """A number of a claim row as the main page writes it: a share (accuracy) to three places,
    its gap in points to one; log seconds as whole seconds with their unit, their gap as a
    factor; any other quantity to three significant figures, never in exponent notation."""
    number = float(text)
    if row["quantity"] in IN_POINTS:
        return f"{100 * number:+.1f}" if gap else f"{number:.3f}"
    if row["quantity"] in IN_LOG10_SECONDS:
        return f"×{10 ** number:.3g}" if gap else f"{10 ** number:,.0f} s"
    sign = "+" if gap else ""
    if abs(number) >= 1000:
        return f"{number:{sign},.0f}"
    return f"{number:{sign}.3g}"


def gap_text(row: dict) -> str:
    """A claim row's gap with its unit, "+1.2 pt" ("" when the row has none)."""
    if not row.get("quantity") or not row.get("gap"):
        return ""
    return _shown(row, row["gap"], gap=True) + (" pt" if row["quantity"] in IN_POINTS else "")


def glance_text(row: dict) -> str:
    """A claim's verdict with its two numbers and the gap's interval, short enough for a table
    cell: "**holds**: 0.992 vs 0.979, +1.2 [+1.0, +1.4] pt"."""
    verdict = f"**{row['verdict']}**"
    if not row.get("quantity") or row.get("mean_a", "") in ("", None):
        return verdict
    points = row["quantity"] in IN_POINTS
    means = _shown(row, row["mean_a"]) + (f" vs {_shown(row, row['mean_b'])}"
                                          if row.get("mean_b") else "")
    if not row.get("mean_b"):
        # One quantity measured, not two sides: name it (a rank correlation), or name what
        # the other side lacks (no published figure to hold it against).
        means = (f"{means} vs {row['side_b']}" if row.get("side_b")
                 else f"{row['quantity']} {_shown(row, row['mean_a'], gap=True)}")
    if not row.get("gap"):
        return f"{verdict}: {means}"
    interval = (f" [{_shown(row, row['gap_low'], True)}, {_shown(row, row['gap_high'], True)}]"
                if row.get("gap_low") and row.get("gap_high") else "")
    return f"{verdict}: {means}, {_shown(row, row['gap'], True)}{interval}{' pt' if points else ''}"


def numbers_text(row: dict) -> str:
    """A claim row's key numbers in one line: both sides' means, runs and training images, the
    gap with its 95 % interval and the margin ("" when the row has none)."""
    if not row.get("quantity") or row.get("mean_a", "") == "":
        return ""
    points = row["quantity"] in IN_POINTS

    def value(text: str, gap: bool = False) -> str:
        if text == "":
            return ""
        number = float(text)
        if points:
            return f"{100 * number:+.2f}" if gap else f"{number:.4f}"
        return f"{number:+.3g}" if gap else f"{number:.3g}"

    def side(name: str, mean: str, runs: str, n_train: str) -> str:
        details = ", ".join(part for part in (
            f"{runs} run{'s' if runs != '1' else ''}" if runs else "",
            f"n_train {int(n_train):,}" if n_train else "") if part)
        return f"{name} {value(mean)}" + (f" ({details})" if details else "")

    text = (f"{row['quantity']}: {side(row['side_a'], row['mean_a'], row['runs_a'], row['n_train_a'])}"
            + (f" vs {side(row['side_b'], row['mean_b'], row['runs_b'], row['n_train_b'])}"
               if row.get("side_b") or row.get("mean_b") else ""))
    if row.get("gap"):
        unit = " points" if points else ""
        text += f"; gap {value(row['gap'], True)}{unit}"
        if row.get("gap_low") and row.get("gap_high"):
            text += f", 95 % interval {value(row['gap_low'], True)}..{value(row['gap_high'], True)}"
        if row.get("margin"):
            text += f", margin {value(row['margin'], True).lstrip('+')}"
    if row.get("n_test"):
        text += f"; {int(row['n_test']):,} test images"
    if row.get("deciding"):
        text += f" ({row['deciding']})"
    return text


def verdict_changes(results_dir: Path) -> dict[tuple[str, str, str], dict]:
    """The recorded changes of verdict (``VERDICT_CHANGES_FILE`` at the results set's root):
    by (experiment, dataset, claim id), the earlier verdict, its test and why it changed."""
    path = Path(results_dir) / VERDICT_CHANGES_FILE
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        return {(row["experiment"], row["dataset"], row["claim_id"]): row
                for row in csv.DictReader(handle)}


def accuracy_text(values) -> str:
    values = list(values)
    mean, std = mean_std(values)
    return f"{mean:.4f} ± {std:.4f}" if len(values) > 1 else f"{mean:.4f}"


def bytes_text(count: int | None) -> str:
    if count is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if count < 1024:
            return f"{count:.0f} {unit}"
        count /= 1024
    return f"{count:.0f} GB"


def params_text(params: dict | str) -> str:
    """A run's settings as "C=10, gamma=scale" (runs.csv saves them as JSON)."""
    if isinstance(params, str):
        params = json.loads(params)
    return ", ".join(f"{key}={value}" for key, value in params.items()) or "defaults"


def sizes_text(experiments: list[JudgedExperiment]) -> str:
    """What a page shows the measurements of: per dataset, the largest training set, the test
    set and the seeds, against the full splits, so a quick or custom results set says so."""
    parts = {}
    for dataset in sorted({experiment.dataset for experiment in experiments}, key=dataset_order):
        among = [experiment for experiment in experiments if experiment.dataset == dataset]
        rows = [row for experiment in among for row in experiment.results.rows
                if row["dataset"] == dataset]
        # An experiment whose runs all take a class view or another dataset: its own data's.
        rows = rows or [row for experiment in among for row in experiment.results.rows
                        if base_dataset(row["dataset"]) == dataset]
        if not rows:
            continue
        full = among[0].results.datasets[dataset]
        seeds = sorted({seed for experiment in among for seed in experiment.results.manifest.seeds})
        n_train, n_tests = max(row["n_train"] for row in rows), sorted({row["n_test"] for row in rows})
        tests = " or ".join(f"{n_test:,}" for n_test in n_tests)
        parts[dataset_name(among[0])] = (
            f"training on up to {_of_full(n_train, full.n_train)} training images, testing on "
            f"{'all ' if n_tests == [full.n_test] else ''}"
            f"{tests}{'' if n_tests == [full.n_test] else f' of the {full.n_test:,}'} "
            f"test images, seed{'s' if len(seeds) > 1 else ''} {', '.join(map(str, seeds))}")
    if len(parts) > 1 and len(set(parts.values())) == 1:
        # The same sizes on every dataset (the reference results): said once.
        return f"Sizes shown, on {' and '.join(parts)} alike: {next(iter(parts.values()))}."
    return "Sizes shown: " + "; ".join(f"{name}: {part}" for name, part in parts.items()) + "."


def _of_full(size: int, full: int) -> str:
    return f"all {full:,}" if size == full else f"{size:,} of the {full:,}"
