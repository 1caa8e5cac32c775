"""The table registry and the one table type every kind returns."""

from dataclasses import dataclass, field

from ...results import ExperimentResults

TABLE_KINDS = {}


@dataclass(frozen=True)
class ResultTable:
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)  # paragraphs printed under the table


def table_kind(function):
    """Register a table function under its name, for experiments' table lists."""
    TABLE_KINDS[function.__name__] = function
    return function


def render(results: ExperimentResults, table: dict) -> ResultTable:
    options = {key: value for key, value in table.items() if key != "kind"}
    return TABLE_KINDS[table["kind"]](results, **options)
