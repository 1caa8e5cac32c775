"""Will it last: reusing a trained network, and training it further on new data (experiment 12).

- ``TransferClassifier``: the book's convnet trained on a source task (some of the classes),
  its convolutional base reused for the target task under a new head, frozen or fine-tuned.
- ``ContinualKeras`` / ``ContinualSklearn``: a model trained on the first part of the
  training split, then on each further part, either continuing where it stopped or
  retrained from scratch on everything seen so far; a snapshot after every stage.
"""

import copy
import time

import keras
import numpy as np
from keras import layers
from sklearn.base import BaseEstimator, ClassifierMixin

from ..data import DatasetInfo, array_digest, stratified_order, stratified_subset
from .nets import KerasClassifier, convnet, dense_network, fit_verbosity, train_once


class TransferClassifier(KerasClassifier):
    """The book's convnet pretrained on ``source``; its base reused under a new softmax head.

    ``mode="frozen"`` trains only the head (feature extraction); ``mode="finetune"`` trains
    the head and the base together at ``finetune_learning_rate``. The base is pretrained with
    the book's recipe for ``base_epochs`` epochs, seeded by the run's seed; that time is
    recorded (``pretrain_seconds``) and kept out of the target task's fit time.
    """

    flat_inputs = False

    def __init__(self, info: DatasetInfo, *, seed: int, mode: str, source_classes: tuple,
                 base_epochs: int, epochs: int, batch_size: int, optimizer: str,
                 learning_rate: float | None, finetune_learning_rate: float,
                 min_steps_per_epoch: int, source_n_train: int | None = None):
        if mode not in ("frozen", "finetune"):
            raise ValueError(f"mode must be 'frozen' or 'finetune', not {mode!r}")
        super().__init__(None, info, epochs=epochs, batch_size=batch_size, optimizer=optimizer,
                         learning_rate=learning_rate, min_steps_per_epoch=min_steps_per_epoch)
        self.seed, self.mode = seed, mode
        self.source_classes = tuple(source_classes)
        self.base_epochs = base_epochs
        self.source_n_train = source_n_train  # None: the source task's whole training split
        self.finetune_learning_rate = finetune_learning_rate
        self.base = None
        self.pretrain_seconds = 0.0  # what the base cost to train, wherever it was trained
        self.pretrained_here_seconds = 0.0  # the part of this fit spent pretraining

    def _source_info(self) -> DatasetInfo:
        from dataclasses import replace

        return replace(self.info, class_names=tuple(map(str, self.source_classes)))

    def pretrained_weights(self, source: tuple[np.ndarray, np.ndarray]) -> list:
        if self.source_n_train is not None:
            chosen = stratified_subset(source[1], self.source_n_train, self.seed)
            source = (source[0][chosen], source[1][chosen])

        def pretrain() -> keras.Model:
            network = convnet(self._source_info())
            self.compile(network)
            network.fit(self.inputs(source[0]), source[1], epochs=self.base_epochs,
                        batch_size=self.batch_size, verbose=fit_verbosity())
            return network

        # Transfer runs that share a source task and a seed share one pretrained base.
        key = ("pretrained_base", array_digest(*source), self.seed, self.base_epochs)
        weights, self.pretrain_seconds, here = train_once(key, self.seed, pretrain)
        self.pretrained_here_seconds += here
        return weights

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None, source=None):
        if source is None:
            raise ValueError("a transfer model needs the source task's training data")
        pretrained = convnet(self._source_info())
        pretrained.set_weights(self.pretrained_weights(source))
        # The base is everything below the source task's softmax layer.
        self.base = keras.Sequential(pretrained.layers[:-1], name="pretrained_base")
        self.base.trainable = self.mode == "finetune"
        # Seed again, so the head starts the same whether the base was trained or reused.
        keras.utils.set_random_seed(self.seed)
        self.network = keras.Sequential([
            keras.Input(shape=(*self.info.input_shape, 1)), self.base,
            layers.Dense(self.info.n_classes, activation="softmax")], name=f"transfer_{self.mode}")
        self.compile(self.network, self.finetune_learning_rate if self.mode == "finetune" else None)
        self.history = self._train(self.network, self.inputs(images), labels, self.epochs,
                                   self._monitor(monitor))
        return self

    @property
    def excluded_seconds(self) -> float:
        return super().excluded_seconds + self.pretrained_here_seconds

    @property
    def n_params(self) -> int:
        return int(sum(np.prod(weight.shape) for weight in self.network.weights))

    def artifacts(self) -> dict:
        return {**super().artifacts(), "pretrain_seconds": np.float32(self.pretrain_seconds)}


# --- continual training ------------------------------------------------------------------------


def stage_indices(labels: np.ndarray, stages: int, seed: int) -> list[np.ndarray]:
    """Disjoint, stratified parts of the training split: the data that arrives at each stage."""
    return [np.sort(part) for part in np.array_split(stratified_order(labels, seed), stages)]


def seen_by_stage(parts: list[np.ndarray], stage: int, mode: str) -> np.ndarray:
    """The examples stage ``stage`` trains on: the new part, or all parts so far from scratch."""
    return parts[stage] if mode == "continue" else np.sort(np.concatenate(parts[:stage + 1]))


def _check_mode(mode: str) -> None:
    if mode not in ("continue", "scratch"):
        raise ValueError(f"mode must be 'continue' or 'scratch', not {mode!r}")


class ContinualKeras(KerasClassifier):
    """The book's dense net or convnet, trained stage by stage on arriving data.

    ``continue``: one network, trained ``epochs_per_stage`` epochs on each new part in turn.
    ``scratch``: at each stage a fresh network trained ``epochs_per_stage`` epochs on every
    part so far. Both end having passed over each example the same number of times in the
    last stage's data; ``stage_seconds`` is the training time of each stage.
    """

    NETWORKS = {"dense": dense_network, "convnet": convnet}

    def __init__(self, info: DatasetInfo, *, seed: int, network: str, mode: str, stages: int,
                 epochs_per_stage: int, batch_size: int, optimizer: str,
                 learning_rate: float | None):
        _check_mode(mode)
        super().__init__(self.NETWORKS[network], info, epochs=epochs_per_stage,
                         batch_size=batch_size, optimizer=optimizer, learning_rate=learning_rate)
        self.seed, self.mode, self.stages = seed, mode, stages
        self.snapshots: list[list[np.ndarray]] = []
        self.stage_seconds: list[float] = []

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        # monitor is ignored: every stage's snapshot is scored on the test split afterwards.
        parts = stage_indices(labels, self.stages, self.seed)
        for stage in range(self.stages):
            start = time.perf_counter()
            if self.network is None or self.mode == "scratch":
                self.network = self.build_network(self.info)
                self.compile(self.network)
            chosen = seen_by_stage(parts, stage, self.mode)
            self._train(self.network, self.inputs(images[chosen]), labels[chosen], self.epochs)
            self.stage_seconds.append(time.perf_counter() - start)
            self.snapshots.append(self.network.get_weights())
        return self

    def staged_artifacts(self, images: np.ndarray, labels: np.ndarray) -> dict:
        final = self.network.get_weights()
        accuracy = []
        for weights in self.snapshots:
            self.network.set_weights(weights)
            accuracy.append(np.mean(self.predict(images) == labels))
        self.network.set_weights(final)
        return {"staged_accuracy": np.asarray(accuracy, dtype=np.float32),
                "stage_seconds": np.asarray(self.stage_seconds, dtype=np.float32)}


class ContinualSklearn(ClassifierMixin, BaseEstimator):
    """A scikit-learn model with ``partial_fit``, trained stage by stage like ``ContinualKeras``.

    ``continue`` calls ``partial_fit`` on each new part (``epochs_per_stage`` passes);
    ``scratch`` starts a fresh model at each stage and makes the same passes over every part
    so far, so the two differ only in whether earlier learning is kept.
    """

    LEARNERS = ("sgd_hinge", "gaussian_nb")

    def __init__(self, info: DatasetInfo, *, seed: int, learner: str, mode: str, stages: int,
                 epochs_per_stage: int):
        _check_mode(mode)
        if learner not in self.LEARNERS:
            raise ValueError(f"learner must be one of {', '.join(self.LEARNERS)}, not {learner!r}")
        self.info, self.seed, self.learner, self.mode = info, seed, learner, mode
        self.stages, self.epochs_per_stage = stages, epochs_per_stage
        self.model = None
        self.snapshots: list = []
        self.stage_seconds: list[float] = []

    def _fresh(self):
        from sklearn.linear_model import SGDClassifier
        from sklearn.naive_bayes import GaussianNB

        if self.learner == "gaussian_nb":
            return GaussianNB()
        return SGDClassifier(loss="hinge", alpha=1e-4, random_state=self.seed)

    def fit(self, features: np.ndarray, labels: np.ndarray):
        classes = np.arange(self.info.n_classes)
        parts = stage_indices(labels, self.stages, self.seed)
        # One pass is exact for naive Bayes (it only counts); SGD makes epochs_per_stage passes.
        passes = 1 if self.learner == "gaussian_nb" else self.epochs_per_stage
        for stage in range(self.stages):
            start = time.perf_counter()
            if self.model is None or self.mode == "scratch":
                self.model = self._fresh()
            chosen = seen_by_stage(parts, stage, self.mode)
            for _ in range(passes):
                self.model.partial_fit(features[chosen], labels[chosen], classes=classes)
            self.stage_seconds.append(time.perf_counter() - start)
            self.snapshots.append(copy.deepcopy(self.model))
        return self

    def predict(self, features: np.ndarray) -> np.ndarray:
        return self.model.predict(features)

    def __sklearn_is_fitted__(self) -> bool:
        return self.model is not None

    def __getstate__(self) -> dict:
        # The model's size is that of the final model, not of the snapshots kept for plots.
        return {**self.__dict__, "snapshots": []}

    def staged_artifacts(self, features: np.ndarray, labels: np.ndarray) -> dict:
        accuracy = [np.mean(snapshot.predict(features) == labels) for snapshot in self.snapshots]
        return {"staged_accuracy": np.asarray(accuracy, dtype=np.float32),
                "stage_seconds": np.asarray(self.stage_seconds, dtype=np.float32)}
