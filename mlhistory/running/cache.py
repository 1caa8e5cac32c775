"""Finished runs of one results set, as ``<dataset>/<key>.json`` (the row) and ``.npz`` (its
artifacts), written atomically: the row last, so a row on disk means its run is complete.

The row records the SHA-256 of its artifacts, and a run is served from the cache only once its
row reads whole, its artifacts match that digest and its metrics are numbers: a truncated,
empty or edited entry is named in one line, never served.
"""

import json
from pathlib import Path

from .. import atomic
from ..errors import DamagedResults
from ..paths import shown
from ..results.integrity import ARTIFACTS_DIGEST, check_metrics, sha256_bytes, sha256_file
from .spec import RunSpec


class RunCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def row_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.json"

    def artifacts_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.npz"

    def get(self, spec: RunSpec) -> dict | None:
        """The run's row, checked whole; None when the run was never cached."""
        path, artifacts = self.row_path(spec), self.artifacts_path(spec)
        if not path.exists():
            return None
        remedy = (f"delete {path.name} and {artifacts.name} in {shown(path.parent)} and rerun: the "
                  "cache then recomputes only that run")
        try:
            row = json.loads(path.read_text())
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            state = "empty" if path.stat().st_size == 0 else "truncated or not JSON"
            raise DamagedResults(f"{shown(path)} is {state}; {remedy}") from error
        if not isinstance(row, dict) or not row.get(ARTIFACTS_DIGEST):
            raise DamagedResults(f"{shown(path)} records no digest of its artifacts (written before "
                                 f"digests were kept, or edited); {remedy}")
        if not artifacts.exists():
            raise DamagedResults(f"{shown(artifacts)} is missing; {remedy}")
        if sha256_file(artifacts) != row[ARTIFACTS_DIGEST]:
            raise DamagedResults(f"{shown(artifacts)} does not match the SHA-256 its row {path.name} "
                                 f"records (truncated, empty or edited); {remedy}")
        check_metrics(row, shown(path), remedy)
        return row

    def put(self, spec: RunSpec, row: dict, artifacts: dict) -> dict:
        """Cache a finished run; returns the row as stored, with its artifacts' digest."""
        data = atomic.npz_bytes(artifacts)
        atomic.write_bytes(self.artifacts_path(spec), data)
        stored = {**row, ARTIFACTS_DIGEST: sha256_bytes(data)}
        atomic.write_json(self.row_path(spec), stored)
        return stored
