"""Every path of the project, derived once from the project root."""

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCES_DIR = Path(__file__).resolve().parent / "reporting" / "references"

# The data folder can be moved with --data-dir or this environment variable.
DATA_DIR_ENV = "MLHISTORY_DATA_DIR"


def default_data_dir() -> Path:
    return Path(os.environ.get(DATA_DIR_ENV, PROJECT_ROOT / "data"))


def default_results_dir(quick: bool) -> Path:
    results = PROJECT_ROOT / "results"
    return results / "quick" if quick else results


def custom_results_dir(quick: bool, budget: dict) -> Path:
    """Where a run of other sizes or seeds than the reference (or quick) ones goes, named after
    them: ``results/custom/n-train-500_seeds-0-1/``, so it never mixes with the reference."""
    parts = ["quick"] if quick else []
    for option, value in budget.items():
        shown = "full" if value is None else "-".join(map(str, value)) if isinstance(value, list) \
            else str(value)
        parts.append(f"{option}-{shown}")
    return PROJECT_ROOT / "results" / "custom" / "_".join(parts)


def run_cache_root(results_dir: Path) -> Path:
    """Where single runs are cached, shared by every experiment of one results set."""
    return Path(results_dir) / "cache"


def run_cache_dir(results_dir: Path, dataset: str) -> Path:
    """The cached runs on one dataset (whichever experiment asked for them)."""
    return run_cache_root(results_dir) / dataset


def experiment_dir(results_dir: Path, dataset: str, experiment_id: str) -> Path:
    return Path(results_dir) / dataset / experiment_id


def shown(path: Path) -> str:
    """A path as the user typed it, relative to the working folder when it lies inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
