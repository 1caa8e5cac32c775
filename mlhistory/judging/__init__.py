"""The judging layer: the book's claims as data, each judged from saved results only.

It may import ``results`` and the base modules, never ``running``, ``models`` or ``data``:
a verdict can always be recomputed from a results folder, on any machine.

- ``base``: verdicts and what they mean, the ``Claim`` class and its kind registry, judging
  an experiment's claims into ``claims.csv`` rows (each with its key numbers, its scope, and
  its runs screened by their flags, ``results.flags``);
- ``margins``: the declared margin of each kind of quantity, and how the 95 % interval of a
  gap becomes a verdict for each relation (beats, matches or beats, exceeds);
- ``paired``: the paired test of the mean over seeds and test images (McNemar's for two
  deterministic runs), and the power calculation behind "underpowered";
- ``comparisons``: runs against each other on the same test images, by the paired test:
  Beats, MatchesOrBeats, AnyMatchesOrBeats, Pairwise, WinRate, RunnerUp, CheaperToContinue;
- ``trends``: a measurement along epochs, training sizes, depth or layers: ReachesSooner,
  FitTimeExponents, DiminishingReturns, FailsToTrain;
- ``references``: a measurement against a figure from outside (published, quoted, a bound):
  ReachesReference, ErrorReduction, TrainsWithin, GpuSpeedup;
- ``trainability`` and ``gradients``: whether deep nets train, judged on the training side:
  FailsToTrain, Trains, PropagatesBetter, FadesWithDepth;
- ``panels``: a "sometimes" over a panel of datasets and sizes (Sometimes), an interaction
  of two series' gains (KeepsGaining), and of a gap across two sets of datasets
  (GapInteraction);
- ``growth``: power laws along the training size: a model's size (GrowsWithData) and its
  test error (FallsFaster);
- ``similarity``: each layer less like the input, by linear CKA (DriftsFromInput), and more
  informative about the class, by a linear probe (RisesAlong);
- ``calibration``: confidence against accuracy (MoreOverconfident).

Importing the package imports the modules of kinds, which registers every kind; the package
exports each registered kind under its class name, so a new kind is its class and nothing else.
"""

from . import (  # noqa: F401  (defining the kinds registers them)
    calibration,
    comparisons,
    gradients,
    growth,
    panels,
    rankings,
    references,
    similarity,
    trainability,
    trends,
)
from .base import CLAIM_KINDS
from .verdicts import BOOK, PROJECT

globals().update({kind.__name__: kind for kind in CLAIM_KINDS.values()})
__all__ = ["BOOK", "PROJECT", *sorted(kind.__name__ for kind in CLAIM_KINDS.values())]
