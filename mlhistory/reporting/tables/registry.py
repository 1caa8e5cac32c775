"""The table registry, the typed declaration of a table, and the one table type every kind
returns."""

from dataclasses import dataclass, field

from ...results import ExperimentResults
from ..kinds import Declaration, KindRegistry

# Every table function, by name; ``@table_kind(labels=..., models=...)`` registers one and says
# which of its options name runs (kinds.KindRegistry.register).
TABLE_KINDS = KindRegistry("table", leading=("results",))
table_kind = TABLE_KINDS.register


@dataclass(frozen=True)
class ResultTable:
    title: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)  # paragraphs printed under the table


class Table(Declaration):
    """One report table of an experiment, e.g. ``Table("crossover_table", deep=[...],
    shallow=[...])``: checked when declared, drawn from saved results by ``render``."""

    kinds = TABLE_KINDS

    def render(self, results: ExperimentResults) -> ResultTable:
        return self.kinds[self.kind].function(results, **self.options)


def render(results: ExperimentResults, table: dict) -> ResultTable:
    """A table as the manifest saved it, drawn from the experiment's saved results."""
    return Table.from_dict(table).render(results)
