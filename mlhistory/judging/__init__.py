"""The judging layer: the book's claims as data, each judged from saved results only.

It may import ``results`` and the base modules, never ``running``, ``models`` or ``data``:
a verdict can always be recomputed from a results folder, on any machine.

- ``base``: verdicts and what they mean, the ``Claim`` class and its kind registry, judging
  an experiment's claims into ``claims.csv`` rows;
- ``comparisons``: runs against each other on the same test images, by the paired test
  (``paired``);
- ``trends``: a measurement along epochs, training sizes, depth or layers;
- ``references``: a measurement against a figure from outside (published, quoted, a bound).

Importing the package defines, and so registers, every kind.
"""

from .base import BOOK, PROJECT
from .comparisons import (
    AnyMatchesOrBeats,
    Beats,
    CheaperToContinue,
    MatchesOrBeats,
    Pairwise,
    RunnerUp,
    WinRate,
)
from .references import ErrorReduction, GpuSpeedup, ReachesReference, TrainsWithin
from .trends import DiminishingReturns, FailsToTrain, FitTimeExponents, ReachesSooner, RisesAlong

__all__ = ["BOOK", "PROJECT", "AnyMatchesOrBeats", "Beats", "CheaperToContinue",
           "DiminishingReturns", "ErrorReduction", "FailsToTrain", "FitTimeExponents",
           "GpuSpeedup", "MatchesOrBeats", "Pairwise", "ReachesReference", "ReachesSooner",
           "RisesAlong", "RunnerUp", "TrainsWithin", "WinRate"]
