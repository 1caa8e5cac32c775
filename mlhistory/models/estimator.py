"""The protocol every registry model follows, so the runner needs to know nothing about models.

The runner builds a model with ``assembly.build``, which wraps whatever the entry makes in one
of two adapters: ``SklearnModel`` for a scikit-learn pipeline (feature transform, scaler,
classifier) and ``KerasModel`` for one of the project's Keras classifiers. Both give:

- ``fit(x, y, context)``: learn from the training split. ``context`` holds what a model may
  need besides it, as its registry entry declares: the test split to *record* a curve per
  epoch (never to choose anything), and the whole dataset for a model that learns a source
  task of its own first.
- ``predict(x)``: class labels.
- ``artifacts(x_test, y_test)``: arrays worth saving with the run, for plots.
- ``excluded_seconds``: the part of fit spent on anything but learning this task (recording
  test curves, pretraining a shared base, training a shared feature net), kept out of fit time.
- ``n_params`` (trainable weights of a net, None otherwise) and ``size_bytes``.
"""

import gc
import pickle
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..data import Dataset, restrict_classes


@dataclass(frozen=True)
class FitContext:
    """What a run offers a model besides its training split."""

    monitor: tuple[np.ndarray, np.ndarray] | None  # the test split, for curves only
    dataset: Dataset  # the whole dataset the run's split was taken from, every class of it


class Estimator(Protocol):
    excluded_seconds: float
    n_params: int | None
    size_bytes: int

    def fit(self, x: np.ndarray, y: np.ndarray, context: FitContext) -> None: ...

    def predict(self, x: np.ndarray) -> np.ndarray: ...

    def artifacts(self, x_test: np.ndarray, y_test: np.ndarray) -> dict: ...


def start_run(seed: int, uses_keras: bool) -> None:
    """Seed every generator a model may draw from; a Keras model also gets a fresh session."""
    if uses_keras:
        import keras

        keras.backend.clear_session()
        _freeze_what_lives_on()
    random.seed(seed)
    np.random.seed(seed)
    if uses_keras:
        import keras

        keras.utils.set_random_seed(seed)


def _freeze_what_lives_on() -> None:
    """Once per process, after TensorFlow's import and the first session reset: every object
    alive then (the libraries, the loaded data) moved out of the garbage collector's sight.

    Each later session reset runs a full collection (``clear_session``), which would otherwise
    walk that whole heap again at every Keras run: about half a second each in a worker, more
    than many quick runs' training. What is frozen is long-lived anyway, and the collection
    still frees every cycle made since; the runs' predictions, curves and weights were checked
    to be bit-identical with and without it.
    """
    global _frozen
    if not _frozen:
        gc.collect()
        gc.freeze()
        _frozen = True


_frozen = False


class SklearnModel:
    """A scikit-learn pipeline: its feature steps may be learned (a net) and report their cost."""

    n_params = None

    def __init__(self, pipeline, artifacts: Callable[..., dict]):
        self.pipeline = pipeline
        self._artifacts = artifacts

    def fit(self, x: np.ndarray, y: np.ndarray, context: FitContext) -> None:
        self.pipeline.fit(x, y)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.pipeline.predict(x)

    @property
    def _steps(self) -> list:
        return [step for _, step in self.pipeline.steps]

    @property
    def excluded_seconds(self) -> float:
        return sum(getattr(step, "excluded_seconds", 0.0) for step in self._steps)

    def artifacts(self, x_test: np.ndarray, y_test: np.ndarray) -> dict:
        saved = self._artifacts(self.pipeline, x_test, y_test)
        for step in self._steps[:-1]:  # what a feature step saves, e.g. its net's training time
            saved.update(step.artifacts() if hasattr(step, "artifacts") else {})
        return saved

    @property
    def size_bytes(self) -> int:
        return _size_bytes(self.pipeline)


def _size_bytes(part) -> int:
    """Float32 weights for a learned feature net, the pickle for any other step of a pipeline."""
    if hasattr(part, "n_params"):
        return 4 * part.n_params
    if hasattr(part, "steps"):
        return sum(_size_bytes(step) for _, step in part.steps)
    return len(pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL))


class KerasModel:
    """One of the project's Keras classifiers, given the test curve and any source task it needs."""

    def __init__(self, classifier, artifacts: Callable[..., dict],
                 source_classes: tuple[int, ...] | None = None):
        self.classifier = classifier
        self._artifacts = artifacts
        self.source_classes = source_classes

    def fit(self, x: np.ndarray, y: np.ndarray, context: FitContext) -> None:
        extra: dict[str, Any] = {}
        if self.source_classes is not None:
            source = restrict_classes(context.dataset, self.source_classes)
            extra["source"] = (source.x_train, source.y_train)
        self.classifier.fit(x, y, monitor=context.monitor, **extra)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.classifier.predict(x)

    @property
    def excluded_seconds(self) -> float:
        return self.classifier.excluded_seconds

    @property
    def n_params(self) -> int:
        return self.classifier.n_params

    @property
    def size_bytes(self) -> int:
        return 4 * self.classifier.n_params

    def artifacts(self, x_test: np.ndarray, y_test: np.ndarray) -> dict:
        return self._artifacts(self.classifier, x_test, y_test)
