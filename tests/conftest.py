"""Shared fixtures: tiny IDX files, and a results set built from digits through the real runner."""

import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def idx_bytes(array: np.ndarray, type_code: int = 0x08) -> bytes:
    header = bytes([0, 0, type_code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_idx(path: Path, array: np.ndarray, compress: bool = True) -> Path:
    data = idx_bytes(array)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def run_cli(*arguments, cwd=PROJECT_ROOT, env=None) -> subprocess.CompletedProcess:
    """Run a project command the way a user does, with the project's interpreter."""
    return subprocess.run([sys.executable, *arguments], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=600)


@pytest.fixture(scope="session")
def project_data() -> Path:
    """The project's data folder, which the data step (`make data`) fills before the tests."""
    from mlhistory.paths import default_data_dir

    return default_data_dir()


@pytest.fixture(scope="session")
def digits_results(tmp_path_factory) -> Path:
    """Experiment 01 run end to end on digits through the real command line."""
    results_dir = tmp_path_factory.mktemp("results")
    completed = run_cli("experiments/01_probabilistic.py", "--dataset", "digits", "--seeds", "0",
                        "1", "--results-dir", str(results_dir))
    assert completed.returncode == 0, completed.stderr
    return results_dir
