"""The judging layer: the book's claims as data, each judged from saved results only.

It may import ``results`` and the base modules, never ``running``, ``models`` or ``data``:
a verdict can always be recomputed from a results folder, on any machine.
"""

from .claims import (
    BOOK,
    PROJECT,
    AnyMatchesOrBeats,
    Beats,
    CheaperToContinue,
    DiminishingReturns,
    ErrorReduction,
    FailsToTrain,
    FitTimeExponents,
    GpuSpeedup,
    MatchesOrBeats,
    Pairwise,
    ReachesReference,
    ReachesSooner,
    RisesAlong,
    RunnerUp,
    TrainsWithin,
    WinRate,
)

__all__ = ["BOOK", "PROJECT", "AnyMatchesOrBeats", "Beats", "CheaperToContinue",
           "DiminishingReturns", "ErrorReduction", "FailsToTrain", "FitTimeExponents",
           "GpuSpeedup", "MatchesOrBeats", "Pairwise", "ReachesReference", "ReachesSooner",
           "RisesAlong", "RunnerUp", "TrainsWithin", "WinRate"]
