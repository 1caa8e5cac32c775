"""Runs flagged from their saved results, and the flag file a results set may carry.

A flag names a run (its run key), a reason, and what a claim does with it (its ``action``):

- ``FAILED``: the run failed as a run: its predictions are near chance for its classes, or it
  never gets right a class its test labels hold, or its training loss diverged (NaN, or higher
  after the last epoch than after the first). A claim leaves it out of its means and prints
  the rate ("1 of 3 seeds diverged, excluded"); a side with no run left is "setup short".
  A class it never gets right counts whether it never predicts it or predicts it only for
  other classes' images: either way it has stopped separating that class, and macro-F1 scores
  it 0 there. Only a class of at least ``NEVER_RIGHT_MIN_ROWS`` test rows counts: missing
  every one of so many is no model's luck (at a recall of 0.3 per row, 20 misses in a row have
  odds of 1 in 1,250), while a working model misses all three test rows of one of shuttle's
  two rarest classes (7 and 10 training rows) more often than not; that is the test set's
  smallness, which the claim's interval carries (its bootstrap redraws those rows), not a
  failed run.
- ``TIMING``: its fit time cannot be right (negative). Only claims that judge time leave it out.
- ``SHORT``: its setup falls short of what its family reaches in the literature. A sanity gate
  sets it in the flag file (``FLAGS_FILE`` at the results set's root); a claim resting on such
  a run is "setup short", whatever its test says.

``failure_flags`` computes the first two from the saved rows and artifacts; ``read_flag_file``
reads the third (any action may be written there); ``flags_of`` gives both, by run key.
"""

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import atomic
from .store import ExperimentResults

FAILED, TIMING, SHORT = "failed", "timing", "short"
ACTIONS = (FAILED, TIMING, SHORT)
NEAR_CHANCE, NEVER_RIGHT, DIVERGED = "near chance", "never gets a class right", "diverged"
NEGATIVE_FIT_TIME = "negative fit time"
# Within this of chance accuracy counts as near chance. Chance is the better of guessing
# uniformly and always guessing the commonest test class (shuttle is 79 % one class).
NEAR_CHANCE_POINTS = 0.05
# A training loss that ends more than this above its first epoch's has diverged (nats). Less is
# a flat loss: a net stuck at guessing's ln(10) = 2.3026 wobbles in the sixth decimal, and
# stuck is a failure to train, not a step size too large.
LOSS_RISE_NATS = 0.01
# The fewest test rows of a class for a run that never gets it right to count as failed.
NEVER_RIGHT_MIN_ROWS = 20
FLAGS_FILE = "flags.csv"
FLAG_COLUMNS = ["run_key", "action", "reason", "detail"]


@dataclass(frozen=True)
class Flag:
    run_key: str
    action: str  # FAILED, TIMING or SHORT
    reason: str  # a short name: "diverged", "near chance", "short of its literature"
    detail: str = ""  # the numbers behind it

    def __post_init__(self):
        if self.action not in ACTIONS:
            raise ValueError(f"a flag's action is one of {', '.join(ACTIONS)}, not {self.action!r}")


def row_flags(row: dict, predictions: np.ndarray, labels: np.ndarray,
              train_loss: np.ndarray | None = None) -> list[Flag]:
    """The flags one run earns from its predictions, test labels and per-epoch training loss."""
    key, flags = row["run_key"], []
    classes, counts = np.unique(labels, return_counts=True)
    chance = max(1 / len(classes), counts.max() / len(labels))
    accuracy = float(np.mean(predictions == labels))
    if accuracy <= chance + NEAR_CHANCE_POINTS:
        flags.append(Flag(key, FAILED, NEAR_CHANCE, f"accuracy {accuracy:.4f}, chance {chance:.4f}"))
    missed = [label for label, count in zip(classes, counts, strict=True)
              if count >= NEVER_RIGHT_MIN_ROWS
              and not np.any((predictions == label) & (labels == label))]
    if missed:
        never_predicted = np.setdiff1d(missed, np.unique(predictions))

        def shown(label) -> str:
            how = ("never predicted" if label in never_predicted
                   else f"predicted {int(np.sum(predictions == label))} times, never right")
            return f"{int(label)} ({int(counts[classes == label][0])} test rows, {how})"

        flags.append(Flag(key, FAILED, NEVER_RIGHT,
                          f"never gets {len(missed)} of {len(classes)} classes right"
                          + (f": {', '.join(shown(label) for label in missed)}"
                             if len(missed) <= 3 else "")))
    if train_loss is not None and len(train_loss):
        loss = np.asarray(train_loss, dtype=float)
        if not np.all(np.isfinite(loss)):
            flags.append(Flag(key, FAILED, DIVERGED, "training loss NaN or infinite"))
        elif len(loss) > 1 and loss[-1] > loss[0] + LOSS_RISE_NATS:
            flags.append(Flag(key, FAILED, DIVERGED, f"training loss rose from {loss[0]:.3g} "
                                                     f"after epoch 1 to {loss[-1]:.3g}"))
    if row.get("fit_seconds") is not None and row["fit_seconds"] < 0:
        flags.append(Flag(key, TIMING, NEGATIVE_FIT_TIME, f"fit time {row['fit_seconds']:.1f} s"))
    return flags


def failure_flags(results: ExperimentResults, rows: list[dict] | None = None
                  ) -> dict[str, list[Flag]]:
    """The flags each of ``rows`` (default: all of the experiment's) earns from its saved
    artifacts, by run key; runs without any are left out."""
    found, labels_by_set = {}, {}
    for row in results.rows if rows is None else rows:
        if row["run_key"] in found:
            continue
        test_set = (row["dataset"], row["n_test"])
        try:
            if test_set not in labels_by_set:
                labels_by_set[test_set] = results.test_labels(row)
            artifacts = results.artifacts(row)
        except FileNotFoundError:  # nothing saved to flag it by (a claim reading it says so)
            continue
        flags = row_flags(row, artifacts["predictions"], labels_by_set[test_set],
                          artifacts.get("train_loss"))
        found[row["run_key"]] = flags
    return {key: flags for key, flags in found.items() if flags}


def flag_file(results: ExperimentResults) -> Path:
    """Where the results set holding ``results`` keeps its flag file."""
    return results.folder.parent.parent / FLAGS_FILE


def read_flag_file(path: Path) -> dict[str, list[Flag]]:
    """The flags written to a results set's flag file, by run key (none when there is none)."""
    path = Path(path)
    if not path.exists():
        return {}
    found = {}
    with open(path, newline="") as handle:
        for entry in csv.DictReader(handle):
            found.setdefault(entry["run_key"], []).append(
                Flag(entry["run_key"], entry["action"], entry["reason"], entry.get("detail") or ""))
    return found


def write_flag_file(path: Path, flags: list[Flag]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(FLAG_COLUMNS)
    writer.writerows([flag.run_key, flag.action, flag.reason, flag.detail] for flag in flags)
    atomic.write_text(path, buffer.getvalue())


def flags_of(results: ExperimentResults, rows: list[dict] | None = None) -> dict[str, list[Flag]]:
    """Every flag of the experiment's runs (or of ``rows``): computed from the saved results,
    and read from the results set's flag file."""
    found = failure_flags(results, rows)
    keys = {row["run_key"] for row in (results.rows if rows is None else rows)}
    for key, flags in read_flag_file(flag_file(results)).items():
        if key in keys:
            found.setdefault(key, []).extend(flags)
    return found
