"""Judging a whole results set, the one place verdicts are written (``mlhistory judge``, so
``make report`` and ``make all``): the sanity gate first, then every finished experiment's
saved claims judged again from its saved results, each experiment's ``claims.csv`` rewritten
with its digest, and the results set's gathered ``claims.csv``. The report reads these files
(checked against their digests) and never judges.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import DamagedResults
from ..results import CLAIMS_FILE, ExperimentResults
from ..results.flags import Flag
from ..results.integrity import record_file_digest, verified_experiment_dirs
from . import base
from .sanity import write_gate_flags
from .verdicts import CLAIMS_COLUMNS


@dataclass(frozen=True)
class Judged:
    """What a judging of a results set found: the gate's flags, every claim row judged, and
    each row whose verdict differs from its experiment's previous ``claims.csv``, with that
    earlier verdict."""

    flags: list[Flag]
    rows: list[dict]
    changed: list[tuple[dict, str]]
    experiments: int


def judge_results_set(results_dir: Path) -> Judged:
    """Gate, judge and write every finished experiment of ``results_dir`` (each checked whole
    before it is judged)."""
    results_dir = Path(results_dir)
    flags = write_gate_flags(results_dir)
    gathered, changed = [], []
    folders = verified_experiment_dirs(results_dir, judging=True)
    for folder in folders:
        previous = _previous_verdicts(folder / CLAIMS_FILE)
        judged = base.judge_saved(ExperimentResults.read(folder))
        base.write(folder / CLAIMS_FILE, judged)
        record_file_digest(folder, CLAIMS_FILE)
        gathered += judged
        changed += [(row, previous[row["claim_id"]]) for row in judged
                    if previous.get(row["claim_id"], row["verdict"]) != row["verdict"]]
    if gathered:
        base.write(results_dir / CLAIMS_FILE, base.dedupe(gathered))
    return Judged(flags, gathered, changed, len(folders))


def _previous_verdicts(path: Path) -> dict[str, str]:
    """Claim id -> verdict of the claims file about to be replaced, whatever its version (empty
    when there is none, or it has no verdicts to compare)."""
    if not path.exists():
        return {}
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {row["claim_id"]: row["verdict"] for row in rows
            if row.get("claim_id") and row.get("verdict")}


def read_claims(folder: Path) -> list[dict]:
    """An experiment's judged claims, as ``judge_results_set`` (or the experiment) wrote them."""
    path = Path(folder) / CLAIMS_FILE
    if not path.exists():
        raise DamagedResults(f"{path} is missing: judge the results first "
                             f"(python -m mlhistory judge; make report does)")
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    if reader.fieldnames != CLAIMS_COLUMNS:
        raise DamagedResults(f"{path} has the columns of an older version: judge the results "
                             f"again (python -m mlhistory judge; make report does)")
    return rows
