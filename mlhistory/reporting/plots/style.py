"""Shared look and helpers for every figure."""

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (the backend must be chosen first)

from ... import atomic  # noqa: E402
from ...results import ExperimentResults  # noqa: E402
from ..kinds import KindRegistry  # noqa: E402

# Every figure function, by name; ``@plot_kind(labels=..., models=...)`` registers one and says
# which of its options name runs (kinds.KindRegistry.register).
PLOT_KINDS = KindRegistry("plot", leading=("results", "path"))
plot_kind = PLOT_KINDS.register


def save(figure, path: Path) -> None:
    atomic.save_figure(figure, path)
    plt.close(figure)


DEEP_COLOR, SHALLOW_COLOR = "#c44e52", "#4c72b0"


def format_seconds(seconds: float) -> str:
    return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"


def title(results: ExperimentResults, text: str) -> str:
    return f"{text}\n{results.manifest['dataset']['description']}"


