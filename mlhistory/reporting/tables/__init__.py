"""Tables drawn from saved results only, for the report: the counterpart of ``plots``.

An experiment lists its tables as data in its manifest (``{"kind": ..., options}``); each
kind is one registered function that takes the experiment's saved results and returns a
``ResultTable``. The report renders them in the experiment's section.
"""

from . import comparisons, hardware  # noqa: F401  (importing registers the table kinds)
from .registry import TABLE_KINDS, ResultTable, render, table_kind

__all__ = ["TABLE_KINDS", "ResultTable", "render", "table_kind"]
