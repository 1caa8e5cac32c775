"""A run, fully described: the spec gives both its cache key and its row, so a run can be
handed to any executor. Nothing here knows about experiments or about any particular model.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

from .. import models
from ..data import check_classes, check_subset_size, dataset_info
from ..results.labels import run_label


@dataclass(frozen=True)
class RunSpec:
    dataset: str
    model: str
    params: tuple  # resolved params as sorted (name, value) pairs, so the spec is hashable
    seed: int
    n_train: int | None = None  # None: the full training split
    n_test: int | None = None  # None: the full test split
    features: str = "pixels"  # the feature transform a shallow model takes (models/features.py)
    classes: tuple[int, ...] | None = None  # a class view (data/views.py); None: every class
    data_digest: str = ""  # the digest of the dataset's decoded arrays (data.origin)

    @classmethod
    def create(cls, dataset, model, seed, params=None, n_train=None, n_test=None,
               features="pixels", classes=None, data_digest=""):
        """Validate names and sizes, resolve the params, and return the spec."""
        info = dataset_info(dataset)
        resolved = models.resolve_params(model, params)
        models.check_run(model, resolved, features, info)
        n_classes = info.n_classes
        if classes is not None:
            classes = tuple(classes)
            check_classes(info, classes, "the class subset")
            n_classes = len(classes)
        # Counts within a class view are only known once loaded; execute() checks them.
        check_subset_size(n_train, info.n_train, n_classes, "--n-train")
        check_subset_size(n_test, info.n_test, n_classes, "the test subset size")
        return cls(dataset, model, tuple(sorted(resolved.items())), seed, n_train, n_test,
                   features, classes, data_digest)

    @property
    def params_dict(self) -> dict:
        return dict(self.params)

    @property
    def key(self) -> str:
        """The cache key: what the run is (dataset name, model, resolved params, sizes, seed,
        the model's and the features' code versions), then the digest of the data it runs on."""
        identity = {**asdict(self), "params": self.params_dict,
                    "model_version": models.get(self.model).version}
        del identity["data_digest"]
        if self.classes is None:
            del identity["classes"]  # added later: unset, it leaves older runs' keys unchanged
        if models.features_version(self.features) != 1:  # likewise
            identity["features_version"] = models.features_version(self.features)
        encoded = json.dumps(identity, sort_keys=True, default=str).encode()
        return with_data_digest(hashlib.sha256(encoded).hexdigest()[:20], self.data_digest)

    def describe(self) -> str:
        defaults = models.get(self.model).default_params()
        changed = " ".join(f"{name}={value}" for name, value in self.params
                           if name not in defaults or defaults[name] != value)
        size = f"n_train={self.n_train or 'full'}" + (f" {changed}" if changed else "")
        dataset = self.dataset if self.classes is None else f"{self.dataset}{list(self.classes)}"
        return f"{dataset} {run_label(self.model, self.features)} seed={self.seed} {size}"


def with_data_digest(identity_key: str, data_digest: str) -> str:
    """A run's key from the key of what it is and the digest of its data."""
    return hashlib.sha256(f"{identity_key}|{data_digest}".encode()).hexdigest()[:20]
