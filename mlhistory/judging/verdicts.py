"""The verdicts a claim can get, what each means, and the key numbers a verdict carries: the
vocabulary every claim kind and the report share (``base.py`` judges with it)."""

from dataclasses import dataclass

from ..results.schema import csv_text

HOLDS, FAILS, TIES, UNDERPOWERED = "holds", "fails", "ties", "underpowered"
DOES_NOT_CARRY_OVER = "does not carry over"
LIMITED_BY_MACHINE = "limited by this machine"
SETUP_SHORT = "setup short"
# What each verdict means; the report explains them once, in its opening.
VERDICT_MEANINGS = {
    HOLDS: "the 95 % interval of the measurement lies on the book's side: above 0 for "
           "\"beats\", above minus the declared margin for \"matches or beats\"",
    FAILS: "the interval lies on the other side: the book is contradicted, on the data it "
           "talks about",
    TIES: "the book predicts a difference, but the interval lies within ± the declared "
          "margin: the two are the same, to the margin",
    UNDERPOWERED: "the interval is wider than the margin allows to decide either way, or the "
                  "test set has fewer than 2,000 images; the evidence says how many seeds or "
                  "test images would settle it",
    DOES_NOT_CARRY_OVER: "the book's claim is about other data (MNIST, say); on this dataset "
                         "the measurement goes the other way",
    LIMITED_BY_MACHINE: "this machine could not give the claim a fair test (no GPU, say); the "
                        "evidence says what would be needed",
    SETUP_SHORT: "a run the claim rests on failed (every run of a side diverged, sat near "
                 "chance or never got a class right), is flagged short of what its family "
                 "reaches in the literature, or has no results here, or a figure it needs is "
                 "missing",
}
# Where a claim comes from: a passage of the book, or a question of the project's own, which
# the report keeps under a heading of its own.
BOOK, PROJECT = "book", "project"
# What a claim is about, when not the experiment's own dataset: the same runs sit in both
# image datasets' folders, so a claim about them is listed and counted once.
TABLES, DIGITS, MACHINE = "tables", "digits", "machine"
# One row per claim and dataset: what the book says, the verdict and its test, the deciding
# comparison's numbers (``Numbers``), the evidence in words, and what each run got.
NUMBER_COLUMNS = ["quantity", "side_a", "side_b", "mean_a", "mean_b", "gap", "gap_low",
                  "gap_high", "margin", "runs_a", "runs_b", "n_train_a", "n_train_b", "n_test",
                  "deciding"]
CLAIMS_COLUMNS = ["experiment", "dataset", "scope", "claim_id", "source", "passage", "claim",
                  "verdict", "test", "p_value", *NUMBER_COLUMNS, "excluded", "evidence",
                  "budgets"]


@dataclass(frozen=True)
class Numbers:
    """The key numbers of a verdict: its deciding comparison's two sides, their means, the gap
    with its 95 % interval, the margin, and each side's runs and training images.

    A claim of one comparison reports it; a claim of several (or a trend, or a reference)
    reports the one that decides its verdict, and ``deciding`` says which and why.
    """

    quantity: str  # what the means measure: "accuracy", "macro_f1", "epochs to reach", ...
    side_a: str = ""
    side_b: str = ""
    mean_a: float | None = None
    mean_b: float | None = None
    gap: float | None = None
    low: float | None = None
    high: float | None = None
    margin: float | None = None
    runs_a: int | None = None
    runs_b: int | None = None
    n_train_a: int | None = None
    n_train_b: int | None = None
    n_test: int | None = None
    deciding: str = ""

    def columns(self) -> dict:
        values = {"quantity": self.quantity, "side_a": self.side_a, "side_b": self.side_b,
                  "mean_a": self.mean_a, "mean_b": self.mean_b, "gap": self.gap,
                  "gap_low": self.low, "gap_high": self.high, "margin": self.margin,
                  "runs_a": self.runs_a, "runs_b": self.runs_b, "n_train_a": self.n_train_a,
                  "n_train_b": self.n_train_b, "n_test": self.n_test, "deciding": self.deciding}
        return {key: csv_text(value) for key, value in values.items()}


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str
    test: str = ""  # the statistical test and its threshold
    p_value: float | None = None
    numbers: Numbers | None = None
