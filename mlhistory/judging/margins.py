"""The declared margins, in one place, and how the interval of a difference becomes a verdict.

A margin is the smallest difference that would matter, declared before looking at any result:
a gap inside it is "the same" (equivalence), a gap beyond it a real difference. Every claim
of a kind that compares a measurement reads its margin here, by the quantity it measures,
so no claim chooses its own and no "holds" rests on a non-significant difference without one.

The relations a claim can predict, each decided by the 95 % interval of the gap (A minus B):

- ``BEATS`` (the book predicts a difference): holds when the interval lies above 0, fails when
  it lies below 0, ties when it lies within ±margin (equivalence: two one-sided tests, each at
  2.5 %), and is underpowered otherwise (the interval is wider than the margin allows);
- ``MATCHES_OR_BEATS`` (non-inferiority): holds when the interval lies above -margin, fails when
  it lies below -margin, underpowered otherwise;
- ``EXCEEDS`` (superiority by the margin, e.g. "far below"): holds when the interval lies above
  +margin, fails when it lies below it, underpowered otherwise;
- ``EQUALS`` (the book predicts no difference, e.g. the kernel trick computes the same model):
  holds when the interval lies within ±margin, fails when it lies wholly beyond it on either
  side, underpowered otherwise.
"""

import math

from .verdicts import FAILS, HOLDS, TIES, UNDERPOWERED

# Accuracy, in points of the test set: half a point, declared before judging. It is the
# smallest gap that would change which model a reader of the chapter should pick (the book
# ranks model families, not tuning runs), and about three times the standard error of a paired
# gap on a 10,000-image test set at MNIST's accuracies (0.1-0.2 points), so a full-size test
# with a few seeds can resolve it; the nets' seed-to-seed spread here is 0.1-2 points, which
# is why some comparisons need more seeds than were run, and say so.
ACCURACY_MARGIN = 0.005
# Macro-F1, used by the claims that span tables (imbalanced classes) and images: one point.
# Every class counts equally, so a class of a few test rows (shuttle has two classes of 3 rows
# and one of 12) moves it by several points per row; half a point would call equivalence or
# non-inferiority on the luck of single rows.
MACRO_F1_MARGIN = 0.01
MARGINS = {"accuracy": ACCURACY_MARGIN, "macro_f1": MACRO_F1_MARGIN}
# A quoted relative error reduction ("about 60 % fewer errors"): within 10 points of it. The
# book rounds (60 % in one edition, 68 % in the other), so "about" spans that much.
ERROR_REDUCTION_TOLERANCE = 0.10
# "Reaches" a curve's value: within a tenth of a point of it (a test curve of 10,000 images
# moves in steps of 0.01 points, so this is ten images).
REACH_TOLERANCE = 0.001
# The smallest test set a verdict may rest on, unless cross-validated (no claim here is): below
# it the interval of a paired gap is a few points wide, and a verdict an illustration only.
MIN_TEST_IMAGES = 2_000
# Trainability (experiment 09), judged on the training side, where there are no test images:
# the final training loss, in nats of cross-entropy, within 0.02 (a 2 % change of the mean
# likelihood the net gives the right class); and the gradient ratio of the first to the last
# layer, in log10, within a factor of 2 (the book's "fade away" is orders of magnitude).
TRAINING_LOSS_MARGIN = 0.02
GRADIENT_RATIO_MARGIN = 0.30103  # log10(2)
# "Fails to train": a final training loss more than 0.1 nats above the shallower net's after
# the same steps, a mean likelihood of the right class a tenth lower (e^-0.1 = 0.90): five
# times the equality margin, and a twentieth of the way from a converged net to guessing's
# ln(10) = 2.3 on ten classes.
TRAINING_LOSS_FAR = 0.1
# Over-confidence (experiment 01): a model's mean top-class probability minus its accuracy, a
# gap between two shares of the same test images, so it takes the accuracy margin.
CONFIDENCE_MARGIN = ACCURACY_MARGIN
# Model size against training size (experiment 03): the exponent b of bytes ~ n_train^b, within
# a tenth. From 1,000 to 60,000 images (60 times the data) an exponent of 0.1 grows a model by
# half (60^0.1 = 1.5): below it a model is as good as fixed in size, as a net's weights are.
MODEL_SIZE_EXPONENT_MARGIN = 0.1
# Fit time against training size (experiment 03): the gap of two exponents of seconds ~
# n_train^b, within a tenth, for the same reason: over 60 times the data a gap of 0.1 makes one
# model's fit time grow by half again as much as the other's, the least that would change which
# a reader expects to scale.
FIT_TIME_EXPONENT_MARGIN = 0.1
# Learning curves (experiment 08): the exponent a of test error ~ n_train^-a (a doubling of the
# data multiplies the error by 2^-a), within 0.05. Over the curve's nine doublings (100 to
# 60,000 images) a difference of 0.05 changes the final error by about a third
# (2^(9 x 0.05) = 1.37), the least that would change which model a reader expects to gain more
# from more data.
LEARNING_EXPONENT_MARGIN = 0.05
# Similarity to the input, in linear CKA (0 for unrelated representations, 1 for the same up to
# a rotation and scale; experiment 07): a twentieth of that range. Two layers closer than this
# to the input look equally like it.
CKA_MARGIN = 0.05
# A time bound (experiment 10's "trains on a laptop within an hour"), in log10 seconds: the
# bound must hold with a factor of 3 to spare. Machines of the same kind differ 2-3x in speed,
# and a fit timed beside other work runs up to 4x slower, so a fit within a factor of 3 of the
# bound here says nothing about the reader's laptop.
TIME_BOUND_MARGIN = 0.47712  # log10(3)

BEATS, MATCHES_OR_BEATS, EXCEEDS, EQUALS = "beats", "matches_or_beats", "exceeds", "equals"
RELATIONS = (BEATS, MATCHES_OR_BEATS, EXCEEDS, EQUALS)
Z_95 = 1.959963984540054  # the two-sided 95 % normal quantile
Z_POWER = 0.8416212335729143  # 80 % power


def margin_of(metric: str) -> float:
    """The declared margin of a metric ("accuracy", "macro_f1")."""
    if metric not in MARGINS:
        raise ValueError(f"no margin is declared for {metric!r}; the margins are for "
                         f"{', '.join(MARGINS)}")
    return MARGINS[metric]


def verdict_of_interval(low: float, high: float, margin: float, relation: str) -> str:
    """The verdict the 95 % interval (low, high) of a gap gives for ``relation``."""
    if relation == BEATS:
        if low > 0:
            return HOLDS
        if high < 0:
            return FAILS
        return TIES if -margin <= low and high <= margin else UNDERPOWERED
    if relation == EQUALS:
        if -margin <= low and high <= margin:
            return HOLDS
        return FAILS if low > margin or high < -margin else UNDERPOWERED
    threshold = {MATCHES_OR_BEATS: -margin, EXCEEDS: margin}.get(relation)
    if threshold is None:
        raise ValueError(f"unknown relation {relation!r}; the relations are {', '.join(RELATIONS)}")
    if low > threshold:
        return HOLDS
    return FAILS if high < threshold else UNDERPOWERED


def distance_to_settle(gap: float, margin: float, relation: str) -> float:
    """How narrow (half-width) an interval centred on ``gap`` must be to give a verdict other
    than underpowered: to clear 0 or fit inside ±margin (``BEATS``), or to clear the margin."""
    if relation == BEATS:
        return max(abs(gap), margin - abs(gap))
    if relation == EQUALS:
        return abs(margin - abs(gap))
    return abs(gap - (-margin if relation == MATCHES_OR_BEATS else margin))


def target_standard_error(distance: float) -> float:
    """The standard error at which an interval settles ``distance`` with 80 % power."""
    return distance / (Z_95 + Z_POWER)


def points(value: float) -> str:
    """A difference in points: "+1.25"."""
    return "nan" if math.isnan(value) else f"{100 * value:+.2f}"
