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

The verdicts (``VERDICT_MEANINGS``, printed by the report) say what the evidence shows, by
the 95 % interval of the measurement against the declared margin (``margins``):

- holds: the interval lies on the book's side (above 0 for "beats", above minus the margin
  for "matches or beats");
- fails: it lies on the other side, on the data the book talks about;
- ties: the book predicts a difference, and the interval lies within ± the margin;
- underpowered: the interval is too wide to decide, or the test set too small; the evidence
  says what would settle it;
- does not carry over: a claim the book makes about one dataset (``book_dataset``, e.g.
  MNIST) is contradicted on another;
- limited by this machine: the machine cannot give the claim a fair test (no GPU);
- setup short: a run the claim rests on failed (every run of a side flagged and excluded), is
  flagged short of its family's literature, or has no results here, or a figure it needs is
  missing.

A run a claim needs without results here (skipped, or lacking the size) makes the claim
"setup short", "no results for <label>": a kind reads its runs through ``results_of`` and
``Claim.evaluate`` turns the ``NoResults`` it raises into that verdict, so no kind writes the
guard itself. ``Claim.evaluate`` also screens the runs by their flags (``results.flags``)
before the kind sees them: failed runs are left out (and counted in the evidence), runs
flagged short make the verdict "setup short".
"""

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path

from .. import atomic
from ..errors import DamagedResults, UsageError
from ..results import ExperimentResults
from ..results.flags import SHORT, TIMING, Flag, flags_of
from ..results.labels import as_labels
from ..results.schema import base_dataset, dataset_order
from .verdicts import (
    BOOK,
    CLAIMS_COLUMNS,
    DOES_NOT_CARRY_OVER,
    FAILS,
    MACHINE,
    SETUP_SHORT,
    TABLES,
    Numbers,
    Verdict,
)

# Every claim class by the kind it is saved under, filled as each class is defined.
CLAIM_KINDS: dict[str, type["Claim"]] = {}


class NoResults(Exception):
    """A run a claim needs has no results here: declared but skipped (its dataset not
    available), lacking the training size asked for, or with every run flagged and excluded
    (``excluded``). ``Claim.evaluate`` turns it into the setup-short verdict; a kind that
    counts several comparisons catches it to skip one."""

    def __init__(self, *labels: str, n_train: int | None = None, excluded: bool = False):
        size = "" if n_train is None else f" at n_train={n_train:,}"
        what = "no unflagged results" if excluded else "no results"
        self.evidence = f"{what} for {', '.join(labels)}{size}"
        self.excluded = excluded
        super().__init__(self.evidence)

    @property
    def verdict(self) -> Verdict:
        return Verdict(SETUP_SHORT, self.evidence)


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
    judges_time = False  # a kind that judges fit times leaves out runs whose time is flagged
    # The plot kinds that draw its comparison, the most direct first: the report shows the
    # first its experiment draws as the figure that carries the verdict.
    evidence_plots = ()  # a class attribute, not a field
    # Failure flags that are the evidence of a claim expecting its runs to fail
    # (``expects_failure``), so they do not exclude those runs.
    expected_failures = ()

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

    def expects_failure(self) -> tuple[str, ...]:
        """Labels whose failed runs are the claim's evidence (a claim that deep nets fail to
        train), so a failure flag does not exclude them."""
        return ()

    def judged_rows(self, results: ExperimentResults, label: str) -> list[dict]:
        """The rows of ``label`` the claim judges: at its ``n_train`` if it has one, else at
        the label's largest size (excluded runs included)."""
        size = getattr(self, "n_train", None)
        rows = results.rows_of(label, all_sizes=size is not None, with_excluded=True)
        return [row for row in rows if size is None or row["n_train"] == size]

    def evaluate(self, results: ExperimentResults,
                 flags: Mapping[str, Sequence[Flag]] | None = None) -> Verdict:
        """The claim's verdict on ``results``, its runs screened by their flags first (computed
        from the saved results when ``flags`` is None): failed runs are left out and counted
        in the evidence; a run flagged short makes the verdict "setup short"; a run it needs
        without results makes it "setup short" too."""
        labels = [label for label in dict.fromkeys(self.run_labels()) if label in results.labels]
        if flags is None:
            flags = flags_of(results, [row for label in labels
                                       for row in results.rows_of(label, all_sizes=True)])
        screen = self.screen(results, labels, flags)
        try:
            verdict = self.decide(results.excluding(screen.excluded))
        except NoResults as missing:
            verdict = missing.verdict
        if screen.short:
            verdict = replace(verdict, verdict=SETUP_SHORT,
                              evidence=f"{'; '.join(screen.short)}; the test alone gives "
                                       f"{verdict.verdict}: {verdict.evidence}")
        if screen.notes:
            verdict = replace(verdict, evidence="; ".join(screen.notes) + "; " + verdict.evidence)
        return verdict

    def screen(self, results: ExperimentResults, labels: list[str],
               flags: Mapping[str, Sequence[Flag]]) -> "Screen":
        """Which runs the claim leaves out, which make it setup short, and the notes saying so
        ("Perceptron (1958): 1 of 3 seeds diverged, excluded")."""
        excluded, notes, short = set(), [], []
        expected = set(self.expects_failure())
        for label in labels:
            judged = {row["run_key"] for row in self.judged_rows(results, label)}
            left_out, kept = {}, {}
            for row in results.rows_of(label, all_sizes=True, with_excluded=True):
                key = row["run_key"]
                for flag in flags.get(key, ()):
                    if flag.action == SHORT:
                        if key in judged:
                            short.append(f"{results.display_name(label)} is flagged "
                                         f"{flag.reason}" + (f" ({flag.detail})" if flag.detail
                                                             else ""))
                    elif flag.action == TIMING and not self.judges_time:
                        continue
                    elif label in expected and flag.reason in self.expected_failures:
                        kept.setdefault(key, []).append(flag.reason)
                    else:
                        excluded.add(key)
                        left_out.setdefault(key, []).append(flag.reason)
            for found, outcome in ((left_out, "excluded"),
                                   ({key: reasons for key, reasons in kept.items()
                                     if key not in left_out}, "kept: the claim judges its failure")):
                counted = [reasons for key, reasons in found.items() if key in judged]
                if counted:
                    reasons = list(dict.fromkeys(reason for run in counted for reason in run))
                    runs = "seeds" if len(judged) > 1 else "run"
                    notes.append(f"{results.display_name(label)}: {len(counted)} of {len(judged)} "
                                 f"{runs} {_and(reasons)}, {outcome}")
        return Screen(frozenset(excluded), notes, list(dict.fromkeys(short)))

    def decide(self, results: ExperimentResults) -> Verdict:
        """The kind's own test, reading its runs through ``results_of``."""
        raise NotImplementedError


@dataclass(frozen=True)
class Screen:
    excluded: frozenset[str]
    notes: list[str]
    short: list[str]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _as_lists(value):
    return [_as_lists(item) for item in value] if isinstance(value, tuple) else value


def flatten(pairs: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    return tuple(label for pair in pairs for label in pair)


def rows_at(results: ExperimentResults, label: str, n_train: int | None = None) -> list[dict]:
    """A label's rows at its largest size, or at ``n_train``; none for a run the experiment
    declared but skipped here (its dataset not available), or lacking that size, or whose every
    run there is excluded."""
    if label not in results.labels:
        return []
    if n_train is None:
        return results.rows_of(label)
    return [row for row in results.rows_of(label, all_sizes=True) if row["n_train"] == n_train]


def results_of(results: ExperimentResults, label: str, n_train: int | None = None) -> list[dict]:
    """``rows_at``, or ``NoResults`` when there are none."""
    rows = rows_at(results, label, n_train)
    if not rows:
        excluded = label in results.labels and any(
            row["run_key"] in results.excluded and (n_train is None or row["n_train"] == n_train)
            for row in results.rows_of(label, all_sizes=n_train is not None, with_excluded=True))
        raise NoResults(label, n_train=n_train, excluded=excluded)
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
    values = {key: tuple(tuple(item) if isinstance(item, list) else item for item in value)
              if isinstance(value, list) else value
              for key, value in saved.items() if key != "kind"}
    kind = CLAIM_KINDS[saved["kind"]]
    unknown = sorted(set(values) - {declared.name for declared in fields(kind)})
    if unknown:
        raise DamagedResults(f"claim {saved.get('claim_id', '?')!r} was saved by an older "
                             f"version of the {saved['kind']} claim (it has "
                             f"{', '.join(unknown)}, which the claim no longer takes): run its "
                             "experiment again to save it anew (its runs come from the cache)")
    return kind(**values)


def judge(results: ExperimentResults, claims: list,
          flags: Mapping[str, Sequence[Flag]] | None = None) -> list[dict]:
    """One ``claims.csv`` row per claim, judged on one experiment's saved results.

    ``flags``: the flags of its runs by run key; by default computed from the saved results and
    read from the results set's flag file (``results.flags.flags_of``).

    A claim may name a run that was skipped here (judged without it), never one the experiment
    does not have: experiments check their claims when declared, and this catches a saved
    manifest that slipped past.
    """
    declared = [*results.labels, *(entry.label for entry in results.manifest.skipped)]
    for claim in claims:
        unknown = [label for label in claim.run_labels() if label not in declared]
        if unknown:
            raise UsageError(f"claim {claim.claim_id!r} of {results.manifest.experiment_id} names "
                             f"{unknown[0]!r}, which is no run of the experiment (its runs: "
                             f"{', '.join(declared)})")
    if flags is None:
        named = dict.fromkeys(label for claim in claims for label in claim.run_labels()
                              if label in results.labels)
        flags = flags_of(results, [row for label in named
                                   for row in results.rows_of(label, all_sizes=True)])
    judged = []
    for claim in claims:
        verdict = claim.evaluate(results, flags)
        outcome = verdict.verdict
        if outcome == FAILS and claim.book_dataset not in (None, base_dataset(results.dataset)):
            outcome = DOES_NOT_CARRY_OVER
        numbers = (verdict.numbers or Numbers("")).columns()
        judged.append({"experiment": results.manifest.experiment_id, "dataset": results.dataset,
                       "scope": scope_of(results, claim), "claim_id": claim.claim_id,
                       "source": claim.source, "passage": claim.passage, "claim": claim.claim,
                       "verdict": outcome, "test": verdict.test,
                       "p_value": p_value_text(verdict.p_value), **numbers,
                       "excluded": excluded_text(results, claim, flags),
                       "evidence": verdict.evidence, "budgets": budgets(results, claim, flags)})
    return judged


def judge_saved(results: ExperimentResults,
                flags: Mapping[str, Sequence[Flag]] | None = None) -> list[dict]:
    """Judge an experiment's saved claims (its manifest's) again from its saved results, so
    verdicts always follow the current verdict logic: no experiment is rerun."""
    return judge(results, [from_dict(saved) for saved in results.manifest.claims], flags)


def scope_of(results: ExperimentResults, claim: Claim) -> str:
    """What a claim is about: the experiment's dataset when a run it compares is on it; else
    ``TABLES`` (every run on a table), the other dataset's name ("digits"), or ``MACHINE``
    (a claim that compares no run). Claims of any scope but the experiment's dataset judge the
    same runs in every image dataset's folder, so they are listed and counted once."""
    if not claim.run_labels():
        return MACHINE
    # The runs the experiment has (a skipped run's dataset was never loaded, so not known).
    datasets = {base_dataset(results.run(label).dataset) for label in claim.run_labels()
                if label in results.labels}
    if base_dataset(results.dataset) in datasets or not datasets:
        return results.dataset
    if all(not results.datasets[name].is_image for name in datasets):
        return TABLES
    return "+".join(sorted(datasets))


def excluded_text(results: ExperimentResults, claim: Claim, flags: Mapping[str, Sequence[Flag]]
                  ) -> str:
    """The runs a claim left out, with why: "Perceptron: 1 of 3 (diverged)"."""
    labels = [label for label in dict.fromkeys(claim.run_labels()) if label in results.labels]
    screen = claim.screen(results, labels, flags)
    return "; ".join(note for note in screen.notes if note.endswith("excluded"))


def p_value_text(p_value: float | None) -> str:
    """Three significant digits; below 0.001 only the bound, which is all 2,000 bootstrap draws
    can resolve."""
    if p_value is None:
        return ""
    return "<0.001" if p_value < 0.001 else f"{p_value:.3g}"


def budgets(results: ExperimentResults, claim: Claim,
            flags: Mapping[str, Sequence[Flag]] | None = None) -> str:
    """What each side of a claim got, at the size the claim judges: its display name,
    training size and runs (and how many of them were left out)."""
    described = []
    labels = [label for label in dict.fromkeys(claim.run_labels()) if label in results.labels]
    excluded = claim.screen(results, labels, flags or {}).excluded
    for label in labels:
        rows = claim.judged_rows(results, label)
        if rows:
            sizes = sorted({row["n_train"] for row in rows})
            left_out = sum(row["run_key"] in excluded for row in rows)
            described.append(f"{results.display_name(label)}: n_train "
                             f"{'/'.join(f'{size:,}' for size in sizes)}, {len(rows)} "
                             f"run{'s' if len(rows) > 1 else ''}"
                             + (f" ({left_out} excluded)" if left_out else ""))
    return "; ".join(described)


def write(path: Path, judged: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CLAIMS_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(judged)
    atomic.write_text(path, buffer.getvalue())


def dedupe(judged: list[dict]) -> list[dict]:
    """The rows of a gathered ``claims.csv``, in one order whoever gathers them (the book's
    dataset first, then by experiment); a claim about tables, the digits or the machine (the
    same runs in every image dataset's folder) listed once: its row of the first dataset."""
    seen, kept = set(), []
    for row in sorted(judged, key=lambda row: (dataset_order(row["dataset"]), row["experiment"])):
        key = (row["experiment"], row["claim_id"],
               row["scope"] if row["scope"] != row["dataset"] else row["dataset"])
        if key not in seen:
            seen.add(key)
            kept.append(row)
    return kept
