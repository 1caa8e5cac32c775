"""Tables drawn from saved results only, for the report: the counterpart of ``plots``.

An experiment declares its tables as ``Table(kind, **options)``, checked when declared; the
manifest saves each as ``{"kind": ..., options}``. Each kind is one registered function that
takes the experiment's saved results and returns a ``ResultTable``. The report renders them in
the experiment's section.
"""

from . import comparisons, effort, eras, hardware  # noqa: F401  (importing registers the table kinds)
from .registry import TABLE_KINDS, ResultTable, Table, render, table_kind

__all__ = ["TABLE_KINDS", "ResultTable", "Table", "render", "table_kind"]
