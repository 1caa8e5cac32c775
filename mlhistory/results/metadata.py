"""What every results set records about how it was made: date, command, git commit, package
versions and hardware.
"""

import json
import platform
import subprocess
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .. import atomic, machine
from ..paths import PROJECT_ROOT
from .schema import METADATA_FILE

RECORDED_PACKAGES = ["tensorflow", "keras", "scikit-learn", "scikit-learn-intelex", "xgboost",
                     "lightgbm", "numpy", "scipy", "rdata",
                     "matplotlib", "scikit-image", "distributed"]


def _git(*arguments) -> str | None:
    try:
        completed = subprocess.run(["git", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                                   text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout.strip()


def package_versions() -> dict:
    versions = {"python": platform.python_version()}
    for package in RECORDED_PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions


def describe_environment(argv: list[str]) -> dict:
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *argv]),
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(status) if status is not None else None,
        "packages": package_versions(),
        "hardware": machine.describe(),
    }


def write_metadata(folder: Path, argv: list[str], wall_seconds: float, runs: int,
                   runs_from_cache: int, previous: Path | None = None, **extra) -> None:
    """Record how a results folder was made, written last (its presence marks it finished).

    ``computed_wall_seconds`` is the wall-clock of the last invocation that computed a run: a
    rerun served wholly from the run cache (after a change to code no run depends on) keeps the
    time the real computation took, which the report states as the budget. ``previous`` is the
    metadata of the folder this one replaces (by default, the folder's own).
    """
    path = Path(folder) / METADATA_FILE
    previous = Path(previous or path)
    computed = wall_seconds
    if runs_from_cache == runs and previous.exists():
        try:
            recorded = json.loads(previous.read_text())
            computed = recorded.get("computed_wall_seconds", recorded["wall_seconds"])
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, AttributeError):
            pass  # a damaged record of the old folder: this invocation's time is all there is
    atomic.write_json(path, {**describe_environment(argv), "wall_seconds": wall_seconds,
                             "computed_wall_seconds": computed, "runs": runs,
                             "runs_from_cache": runs_from_cache, **extra})
