"""A run, fully described: the spec gives both its cache key and its row, so a run can be
handed to any executor. Nothing here knows about experiments or about any particular model.
"""

import hashlib
import json
from dataclasses import asdict, dataclass

from .. import models
from ..data import check_classes, check_subset_size, dataset_info
from ..errors import UsageError
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
    # None: fit on the training split, score on the test split. ``VALIDATION`` (a search trial):
    # fit on the training part of the seeded, stratified validation split of the training
    # images and score on its held-out part, never reading the test split; "validation:N"
    # first draws a seeded, stratified N of the training images (``--quick`` searches).
    # ``n_train`` then sizes the subset of the training part the trial fits on.
    evaluation: str | None = None

    @classmethod
    def create(cls, dataset, model, seed, params=None, n_train=None, n_test=None,
               features="pixels", classes=None, data_digest="", evaluation=None):
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
        if evaluation is not None:
            pool = validation_pool(evaluation)
            check_subset_size(pool, info.n_train, n_classes, "the search's training images")
            if n_test is not None:
                raise UsageError("a validation run scores on its held-out images, not on a "
                                 "test subset")
        return cls(dataset, model, tuple(sorted(resolved.items())), seed, n_train, n_test,
                   features, classes, data_digest, evaluation)

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
        if self.evaluation is None:
            del identity["evaluation"]  # likewise
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
        scored = "" if self.evaluation is None else f" [{self.evaluation}]"
        return f"{dataset}{scored} {run_label(self.model, self.features)} seed={self.seed} {size}"


def with_data_digest(identity_key: str, data_digest: str) -> str:
    """A run's key from the key of what it is and the digest of its data."""
    return hashlib.sha256(f"{identity_key}|{data_digest}".encode()).hexdigest()[:20]


# A search trial's evaluation: the validation split of the training images (``RunSpec.evaluation``).
VALIDATION = "validation"


def validation_evaluation(pool: int | None = None) -> str:
    """The evaluation of a trial on the validation split of all the training images, or of a
    seeded, stratified ``pool`` of them."""
    return VALIDATION if pool is None else f"{VALIDATION}:{pool}"


def validation_pool(evaluation: str) -> int | None:
    """The number of training images a validation evaluation draws from (None: all of them)."""
    name, _, pool = evaluation.partition(":")
    if name != VALIDATION or (pool and not pool.isdigit()):
        raise UsageError(f"unknown evaluation {evaluation!r}; a run is scored on the test split "
                         f"(none) or on the validation split ({VALIDATION!r}, or "
                         f"'{VALIDATION}:N' for N of the training images)")
    return int(pool) if pool else None
