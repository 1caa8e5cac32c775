"""What every claim kind shares: verdicts, the ``Claim`` base class and its kind registry, and
judging an experiment's claims into ``claims.csv`` rows.

A claim is data (an id, the claim in our own words, the passage of the book it tests, and
what it compares), so an experiment can save its claims and ``make report`` can judge them
again from results alone. Each kind registers itself under its ``kind`` when defined, and
lists the labels of the runs it compares (``run_labels``), so an experiment checks them
against its runs when declared. The kinds live by what they test: ``comparisons`` (one run
against others on the same test images), ``trends`` (how a measurement moves along epochs,
training sizes, depth or layers) and ``references`` (a measurement against a figure from
outside: a published accuracy, a quoted reduction or factor, a time bound).

The verdicts (``VERDICT_MEANINGS``):

- holds: the measurement agrees with the book beyond the test's threshold;
- fails: it contradicts the book, on the data the book talks about;
- inconclusive: the difference is within the noise, or a run is missing;
- does not carry over: a claim the book makes about one dataset (``book_dataset``, e.g.
  MNIST) is contradicted on another;
- limited by this machine: the machine cannot give the claim a fair test (no GPU).

A run a claim needs without results here (skipped, or lacking the size) makes the claim
inconclusive, "no results for <label>": a kind reads its runs through ``results_of`` and
``Claim.evaluate`` turns the ``NoResults`` it raises into that verdict, so no kind writes the
guard itself.
"""

import csv
import io
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from .. import atomic
from ..errors import UsageError
from ..results import ExperimentResults
from ..results.labels import as_labels
from ..results.schema import base_dataset

HOLDS, FAILS, INCONCLUSIVE = "holds", "fails", "inconclusive"
DOES_NOT_CARRY_OVER = "does not carry over"
LIMITED_BY_MACHINE = "limited by this machine"
# What each verdict means; the report explains them once, in its opening.
VERDICT_MEANINGS = {
    HOLDS: "the measurement agrees with the book, beyond the test's threshold",
    FAILS: "the book is contradicted, on the data it talks about",
    INCONCLUSIVE: "the difference is within the noise, or a run is missing",
    DOES_NOT_CARRY_OVER: "the book's claim is about other data (MNIST, say); on this dataset "
                         "the measurement goes the other way",
    LIMITED_BY_MACHINE: "this machine could not give the claim a fair test (no GPU, say); the "
                        "evidence says what would be needed",
}
# Where a claim comes from: a passage of the book, or a question of the project's own, which
# the report keeps under a heading of its own.
BOOK, PROJECT = "book", "project"
# One row per claim and dataset.
CLAIMS_COLUMNS = ["experiment", "dataset", "claim_id", "source", "passage", "claim", "verdict",
                  "test", "p_value", "evidence", "budgets"]
# Every claim class by the kind it is saved under, filled as each class is defined.
CLAIM_KINDS: dict[str, type["Claim"]] = {}


@dataclass(frozen=True)
class Verdict:
    verdict: str
    evidence: str
    test: str = ""  # the statistical test and its threshold, e.g. "McNemar, two-sided, p < 0.05"
    p_value: float | None = None


class NoResults(Exception):
    """A run a claim needs has no results here: declared but skipped (its dataset not
    available), or lacking the training size asked for. ``Claim.evaluate`` turns it into the
    inconclusive verdict; a kind that counts several comparisons catches it to skip one."""

    def __init__(self, *labels: str, n_train: int | None = None):
        size = "" if n_train is None else f" at n_train={n_train:,}"
        self.evidence = f"no results for {', '.join(labels)}{size}"
        super().__init__(self.evidence)

    @property
    def verdict(self) -> Verdict:
        return Verdict(INCONCLUSIVE, self.evidence)


@dataclass(frozen=True)
class Claim:
    """A sentence from the book and what to compare; subclasses say how it is judged.

    A kind is a subclass naming its ``kind``, with its fields, ``run_labels`` and ``decide``;
    defining it registers it, and nothing else needs to learn about it.
    """

    claim_id: str
    claim: str  # in our own words, with at most a key phrase of the book in quotation marks
    # The passage it tests: edition and section, e.g. "1st ed. 1.2.3; 2nd ed. 1.2.3".
    passage: str = field(default="", kw_only=True)
    source: str = field(default=BOOK, kw_only=True)  # BOOK, or PROJECT for our own questions
    # The dataset the book's passage is about ("mnist"), or None when it speaks of perceptual
    # data in general: on any other dataset a contradiction "does not carry over".
    book_dataset: str | None = field(default=None, kw_only=True)
    kind = ""  # the name it is saved under (a class attribute, not a field)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "kind" not in cls.__dict__:  # an inherited kind would replace the parent's entry
            raise TypeError(f"claim class {cls.__name__} must name the kind it is saved under")
        taken = CLAIM_KINDS.get(cls.kind)
        if taken and (taken.__module__, taken.__qualname__) != (cls.__module__, cls.__qualname__):
            raise TypeError(f"claim class {cls.__name__} names the kind {cls.kind!r}, which "
                            f"{taken.__module__}.{taken.__qualname__} is already saved under")
        CLAIM_KINDS[cls.kind] = cls

    def __post_init__(self) -> None:
        # Runs named by the objects an experiment declared are kept by their labels.
        for item in fields(self):
            object.__setattr__(self, item.name, as_labels(getattr(self, item.name)))

    def to_dict(self) -> dict:
        """The saved form of a claim: its kind and fields, tuples as lists."""
        return {"kind": self.kind, **{key: _as_lists(value) for key, value in asdict(self).items()}}

    def run_labels(self) -> tuple[str, ...]:
        """The labels of the runs the claim compares."""
        raise NotImplementedError

    def evaluate(self, results: ExperimentResults) -> Verdict:
        """The claim's verdict on ``results``: inconclusive when a run it needs has no results."""
        try:
            return self.decide(results)
        except NoResults as missing:
            return missing.verdict

    def decide(self, results: ExperimentResults) -> Verdict:
        """The kind's own test, reading its runs through ``results_of``."""
        raise NotImplementedError


def _as_lists(value):
    return [_as_lists(item) for item in value] if isinstance(value, tuple) else value


def flatten(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(label for pair in pairs for label in pair)


def rows_at(results: ExperimentResults, label: str, n_train: int | None = None) -> list[dict]:
    """A label's rows at its largest size, or at ``n_train``; none for a run the experiment
    declared but skipped here (its dataset not available), or lacking that size."""
    if label not in results.labels:
        return []
    if n_train is None:
        return results.rows_of(label)
    return [row for row in results.rows_of(label, all_sizes=True) if row["n_train"] == n_train]


def results_of(results: ExperimentResults, label: str, n_train: int | None = None) -> list[dict]:
    """``rows_at``, or ``NoResults`` when there are none."""
    rows = rows_at(results, label, n_train)
    if not rows:
        raise NoResults(label, n_train=n_train)
    return rows


def results_of_each(results: ExperimentResults, labels, n_train: int | None = None
                    ) -> dict[str, list[dict]]:
    """Each label's rows (``results_of``), in order; the first without any raises."""
    return {label: results_of(results, label, n_train) for label in labels}


def from_dict(saved: dict) -> Claim:
    """A claim read back from its saved form (``Claim.to_dict``)."""
    if saved["kind"] not in CLAIM_KINDS:
        raise UsageError(f"unknown claim kind {saved['kind']!r}; the claim kinds are "
                         f"{', '.join(sorted(CLAIM_KINDS))}")
    fields = {key: tuple(tuple(item) if isinstance(item, list) else item for item in value)
              if isinstance(value, list) else value
              for key, value in saved.items() if key != "kind"}
    return CLAIM_KINDS[saved["kind"]](**fields)


def judge(results: ExperimentResults, claims: list) -> list[dict]:
    """One ``claims.csv`` row per claim, judged on one experiment's saved results.

    A claim may name a run that was skipped here (judged without it), never one the experiment
    does not have: experiments check their claims when declared, and this catches a saved
    manifest that slipped past.
    """
    declared = [*results.labels, *(entry.label for entry in results.manifest.skipped)]
    judged = []
    for claim in claims:
        unknown = [label for label in claim.run_labels() if label not in declared]
        if unknown:
            raise UsageError(f"claim {claim.claim_id!r} of {results.manifest.experiment_id} names "
                             f"{unknown[0]!r}, which is no run of the experiment (its runs: "
                             f"{', '.join(declared)})")
        verdict = claim.evaluate(results)
        outcome = verdict.verdict
        if outcome == FAILS and claim.book_dataset not in (None, base_dataset(results.dataset)):
            outcome = DOES_NOT_CARRY_OVER
        judged.append({"experiment": results.manifest.experiment_id, "dataset": results.dataset,
                       "claim_id": claim.claim_id, "source": claim.source,
                       "passage": claim.passage, "claim": claim.claim, "verdict": outcome,
                       "test": verdict.test,
                       "p_value": p_value_text(verdict.p_value),
                       "evidence": verdict.evidence, "budgets": budgets(results, claim)})
    return judged


def p_value_text(p_value: float | None) -> str:
    """Three significant digits; below 0.001 only the bound, which is all 2,000 bootstrap draws
    can resolve."""
    if p_value is None:
        return ""
    return "<0.001" if p_value < 0.001 else f"{p_value:.3g}"


def budgets(results: ExperimentResults, claim: Claim) -> str:
    """What each side of a claim got: its display name, training size and seeds."""
    described = []
    for label in dict.fromkeys(claim.run_labels()):
        rows = rows_at(results, label) if label in results.labels else []
        if rows:
            sizes = sorted({row["n_train"] for row in rows})
            described.append(f"{results.display_name(label)}: n_train "
                             f"{'/'.join(f'{size:,}' for size in sizes)}, {len(rows)} "
                             f"run{'s' if len(rows) > 1 else ''}")
    return "; ".join(described)


def write(path: Path, judged: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CLAIMS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(judged)
    atomic.write_text(path, buffer.getvalue())
