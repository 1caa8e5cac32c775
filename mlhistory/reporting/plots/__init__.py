"""Figures drawn from saved rows and artifacts only; re-rendering never retrains.

An experiment lists its plots as data in its manifest (``{"kind": ..., options}``); each kind
is one registered function that takes the experiment's saved results and writes one PNG.
"""

from pathlib import Path

from ...results import ExperimentResults
from . import basic, hardware, history, why_now  # noqa: F401  (importing registers the plot kinds)
from .style import PLOT_KINDS, format_seconds

__all__ = ["PLOT_KINDS", "format_seconds", "plot_filename", "render_experiment"]


def plot_filename(plot: dict) -> str:
    return plot.get("file", f"{plot['kind']}.png")


def render_experiment(folder: Path) -> list[Path]:
    """Draw every plot an experiment's manifest lists, from its saved results."""
    results = ExperimentResults.read(folder)
    written = []
    for plot in results.manifest["plots"]:
        options = {key: value for key, value in plot.items() if key not in ("kind", "file")}
        path = results.folder / plot_filename(plot)
        PLOT_KINDS[plot["kind"]](results, path, **options)
        written.append(path)
    return written
