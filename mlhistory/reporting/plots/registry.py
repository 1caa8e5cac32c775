"""The plot kinds, and the typed declaration of one plot: what a new kind registers with.

An experiment declares its plots as ``Plot(kind, **options)``, checked when declared; the
manifest saves each as ``{"kind": ..., options}`` (and ``"file"`` when it names its PNG). Each
kind is one function decorated with ``@plot_kind``: it takes the experiment's saved results and
a path, and writes one PNG there.
"""

from pathlib import Path

from ...results import ExperimentResults
from ..kinds import Declaration, KindRegistry

# Every figure function, by name; ``@plot_kind(labels=..., models=...)`` registers one and says
# which of its options name runs (kinds.KindRegistry.register).
PLOT_KINDS = KindRegistry("plot", leading=("results", "path"))
plot_kind = PLOT_KINDS.register


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
