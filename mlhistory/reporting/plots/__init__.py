"""Figures drawn from saved rows and artifacts only; re-rendering never retrains.

An experiment declares its plots as ``Plot(kind, **options)``, checked when declared; the
manifest saves each as ``{"kind": ..., options}`` (and ``"file"`` when it names its PNG). Each
kind is one function registered by ``@plot_kind`` (``registry``) that takes the experiment's
saved results and writes one PNG, filed in the module of its kind of figure. What the figures
share is filed by kind too: ``colours`` (one colour per model lineage, and the legends),
``axes`` (sizes, fonts, axis and annotation helpers) and ``readability`` (the checks a reader's
eye would make, and ``save``).
"""

# Importing each module of figures registers its plot kinds.
from . import comparisons, curves, datasets, grids, layers, scaling, timeline, trees  # noqa: F401
from .axes import format_seconds
from .registry import PLOT_KINDS, Plot, plot_filename, render_experiment

__all__ = ["PLOT_KINDS", "Plot", "format_seconds", "plot_filename", "render_experiment"]
