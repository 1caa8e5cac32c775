"""Figures drawn from saved rows and artifacts only; re-rendering never retrains.

An experiment declares its plots as ``Plot(kind, **options)``, checked when declared; the
manifest saves each as ``{"kind": ..., options}`` (and ``"file"`` when it names its PNG). Each
kind is one registered function that takes the experiment's saved results and writes one PNG.
"""

from pathlib import Path

from ...results import ExperimentResults
from ..kinds import Declaration
from . import basic, hardware, history, why_now  # noqa: F401  (importing registers the plot kinds)
from .style import PLOT_KINDS, format_seconds

__all__ = ["PLOT_KINDS", "Plot", "format_seconds", "plot_filename", "render_experiment"]


class Plot(Declaration):
    """One figure of an experiment, e.g. ``Plot("scaling", labels=[...], min_size=5_000)``.

    ``file`` names its PNG, for an experiment that draws one kind several times; by default
    the PNG is named after the kind.
    """

    kinds = PLOT_KINDS

    def __init__(self, kind: str, file: str | None = None, **options):
        super().__init__(kind, **options)
        self.file = file

    @property
    def filename(self) -> str:
        return self.file or f"{self.kind}.png"

    def to_dict(self) -> dict:
        return {**super().to_dict(), **({"file": self.file} if self.file else {})}

    def draw(self, results: ExperimentResults) -> Path:
        """Write the figure beside the experiment's saved results; return its path."""
        path = results.folder / self.filename
        self.kinds[self.kind].function(results, path, **self.options)
        return path


def plot_filename(plot: dict) -> str:
    """The PNG of a plot as the manifest saved it."""
    return Plot.from_dict(plot).filename


def render_experiment(folder: Path) -> list[Path]:
    """Draw every plot an experiment's manifest lists, from its saved results."""
    results = ExperimentResults.read(folder)
    return [Plot.from_dict(plot).draw(results) for plot in results.manifest.plots]
