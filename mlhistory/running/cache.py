"""Finished runs of one results set, as ``<dataset>/<key>.json`` (the row) and ``.npz`` (its
artifacts), written atomically: the row last, so a row on disk means its run is complete."""

import json
from pathlib import Path

from .. import atomic
from .spec import RunSpec


class RunCache:
    def __init__(self, root: Path):
        self.root = Path(root)

    def row_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.json"

    def artifacts_path(self, spec: RunSpec) -> Path:
        return self.root / spec.dataset / f"{spec.key}.npz"

    def get(self, spec: RunSpec) -> dict | None:
        path = self.row_path(spec)
        return json.loads(path.read_text()) if path.exists() else None

    def put(self, spec: RunSpec, row: dict, artifacts: dict) -> None:
        atomic.write_npz(self.artifacts_path(spec), artifacts)
        atomic.write_json(self.row_path(spec), row)
