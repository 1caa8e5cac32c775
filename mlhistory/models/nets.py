"""Keras networks and the scikit-learn-style wrapper the runner fits like any other model.

TensorFlow places the work on a GPU when one is present and on the CPU otherwise; nothing
here asks for a device. Importing this module imports TensorFlow, so only Keras runs do.
"""

import sys
import time

import keras
import numpy as np
from keras import layers

from ..data import DatasetInfo, validation_split

PREDICT_BATCH_SIZE = 1024


def predict_in_batches(network: keras.Model, inputs: np.ndarray,
                       batch_size: int = PREDICT_BATCH_SIZE) -> np.ndarray:
    """``network.predict(inputs, batch_size=...)``, batch by batch through ``predict_on_batch``:
    the same batches through the same compiled step, so the very same outputs (checked bit for
    bit on the book's and the historical nets), without the dataset and iterator that
    ``predict`` builds at every call (a tenth of a quick net's training time, called after
    every epoch by the test monitor)."""
    return np.concatenate([np.asarray(network.predict_on_batch(inputs[start:start + batch_size]))
                           for start in range(0, len(inputs), batch_size)])


def build_training_state(network: keras.Model) -> None:
    """Create a compiled network's optimizer, loss and metric variables now, eagerly.

    Keras on TensorFlow otherwise creates them inside the first traced training step, and a
    ``tf.function`` that creates variables is traced twice: once making them, once more without.
    Built here, the step is traced once, which halves its start-up (from 0.7 to 0.4 CPU seconds
    for the book's dense net, from 7.4 to 4.0 for experiment 09's 20-layer net). The variables
    start as they would have (zeros; nothing here draws a random number), so the trained
    weights are bit-identical. Keras does exactly this itself under a distribution strategy
    (``Trainer._symbolic_build``, from a symbolic batch); one example of each input's shape
    stands for the batch.
    """
    example = [np.zeros((1, *tensor.shape[1:]), dtype=tensor.dtype) for tensor in network.inputs]
    labels = np.zeros((1,), dtype=np.int64)
    network._symbolic_build(data_batch=(example[0] if len(example) == 1 else example, labels))


def fit_verbosity() -> int:
    """A live progress bar on a terminal; one line per epoch in logs and under make -j."""
    return 1 if sys.stdout.isatty() else 2


# What this process computed once for a key naming what, on which data and seed: runs that need
# the same thing (a learned representation, a pretrained base, the 1990s recipe's choice of
# learning rate) compute it once. Each user puts its own role first in the key.
_COMPUTED: dict[tuple, tuple[object, float]] = {}


def computed_once(key: tuple, compute) -> tuple[object, float, float]:
    """``compute()``, called at most once per process for ``key``.

    Returns (its value, seconds the computation took, seconds spent computing in this call):
    only the call that computed it spent the time, so only that run may keep it out of its
    fit time.
    """
    if key not in _COMPUTED:
        start = time.perf_counter()
        value = compute()
        _COMPUTED[key] = (value, time.perf_counter() - start)
        return (*_COMPUTED[key], _COMPUTED[key][1])
    return (*_COMPUTED[key], 0.0)


def train_once(key: tuple, seed: int, train) -> tuple[list, float, float]:
    """The weights of ``train()``'s net, trained at most once per process for ``key``
    (``computed_once``). The seed is set right before training, so the net is the same
    whichever run trains it."""
    def trained() -> list:
        keras.utils.set_random_seed(seed)
        return train().get_weights()

    return computed_once(("trained net", *key), trained)


def _dropout(rate: float) -> list:
    """A dropout layer where a searched configuration asks for one; none in the book's recipes,
    so their networks (and their seeded weights) are exactly the book's."""
    return [layers.Dropout(rate)] if rate else []


def _one_hidden_layer(info: DatasetInfo, units: int, activation: str, name: str,
                      dropout: float = 0.0) -> keras.Model:
    n_pixels = info.input_shape[0] * info.input_shape[1]
    return keras.Sequential([
        keras.Input(shape=(n_pixels,)),
        layers.Dense(units, activation=activation),
        *_dropout(dropout),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name=name)


def dense_network(info: DatasetInfo, dropout: float = 0.0) -> keras.Model:
    """The book's chapter-2 net: 784 pixels -> Dense(512, relu) -> Dense(10, softmax)."""
    return _one_hidden_layer(info, 512, "relu", "dense", dropout)


def convnet(info: DatasetInfo, dropout: float = 0.0) -> keras.Model:
    """The book's chapter-8 convnet (2nd ed.): Conv 32 -> pool -> 64 -> pool -> 128 -> Dense 10.

    The book's valid-padded 3x3 convolutions need at least 28x28 inputs; on smaller images
    (the 8x8 digits) the convolutions are "same"-padded so the same stack still fits. A
    searched configuration may add dropout before the classifier.
    """
    padding = "valid" if min(info.input_shape) >= 28 else "same"
    return keras.Sequential([
        keras.Input(shape=(*info.input_shape, 1)),
        layers.Conv2D(32, 3, activation="relu", padding=padding),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu", padding=padding),
        layers.MaxPooling2D(2),
        layers.Conv2D(128, 3, activation="relu", padding=padding),
        layers.Flatten(),
        *_dropout(dropout),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name="convnet")


class _EpochMonitor(keras.callbacks.Callback):
    """Records held-out accuracy after each epoch, for learning curves only.

    It never influences training (no early stopping, no selection), and its own time is
    kept apart so the runner can leave it out of the fit time.
    """

    def __init__(self, images, labels):
        super().__init__()
        self.images, self.labels = images, labels
        self.accuracy: list[float] = []
        self.seconds = 0.0

    def on_epoch_end(self, epoch, logs=None):
        start = time.perf_counter()
        probabilities = predict_in_batches(self.model, self.images)
        self.accuracy.append(float(np.mean(probabilities.argmax(axis=1) == self.labels)))
        self.seconds += time.perf_counter() - start


class KerasClassifier:
    """fit/predict on a dataset's raw inputs, like the scikit-learn pipelines in the registry.

    Images arrive as uint8 and are scaled to [0, 1]; table rows arrive as float32 and are
    passed on as they are (a tabular net standardises them itself).
    """

    def __init__(self, build_network, info: DatasetInfo, *, epochs: int, batch_size: int,
                 optimizer: str, learning_rate: float | None, min_steps_per_epoch: int = 0,
                 patience: int | None = None, seed: int = 0, stop_on: str = "val_loss",
                 lr_decay: float | None = None, dropout: float | None = None):
        self.build_network = build_network
        self.info = info
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate  # None: the optimizer's Keras default
        # On a small training set one pass is a handful of steps; an epoch then passes over
        # the set as often as it takes to make at least this many steps (0: one pass).
        self.min_steps_per_epoch = min_steps_per_epoch
        # The fair budget: with a patience, ``epochs`` is a maximum. A seeded, stratified share of
        # the training images is held out, and training stops once the validation loss has not
        # improved for ``patience`` epochs, keeping the best epoch's weights. None: the recipe's
        # fixed number of epochs on every training image.
        self.patience = patience
        # What early stopping watches: the validation loss (the fair budget) or accuracy (the
        # search, which scores configurations by accuracy).
        self.stop_on = stop_on
        # A searched schedule: the learning rate of epoch e is learning_rate / (1 + lr_decay * e)
        # (inverse-time decay per epoch, which needs no horizon, so a refit on fewer epochs
        # follows the same rates). None: constant, as in the book.
        self.lr_decay = lr_decay
        # A searched dropout rate before the classifier (nets that take one); None: the recipe's.
        self.network_options = {} if dropout is None else {"dropout": dropout}
        self.seed = seed
        self.network = None
        self.history: dict = {}
        self.monitor = None

    # Whether the net takes flattened pixels; None: read it off the built network.
    flat_inputs: bool | None = None

    def inputs(self, images: np.ndarray) -> np.ndarray:
        if not self.info.is_image:
            return images.astype(np.float32)
        scaled = images.astype(np.float32) / 255.0
        flat = self.flat_inputs
        if flat is None:
            flat = len(self.network.input_shape) == 2
        return scaled.reshape(len(images), -1) if flat else scaled[..., np.newaxis]

    def compile(self, network: keras.Model, learning_rate: float | None = None) -> None:
        optimizer = keras.optimizers.get(self.optimizer)
        learning_rate = self.learning_rate if learning_rate is None else learning_rate
        if learning_rate is not None:
            optimizer.learning_rate = learning_rate
        network.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                         metrics=["accuracy"])
        build_training_state(network)

    def _train(self, network: keras.Model, inputs: np.ndarray, labels: np.ndarray, epochs: int,
               callbacks=()) -> dict:
        """Fit ``network`` for ``epochs`` (at most, with early stopping); each epoch makes at least
        ``min_steps_per_epoch`` steps."""
        callbacks, validation = list(callbacks), None
        if self.patience is not None:
            train, held_out = validation_split(labels, self.seed)
            validation = (inputs[held_out], labels[held_out])
            inputs, labels = inputs[train], labels[train]
            callbacks.append(keras.callbacks.EarlyStopping(
                monitor=self.stop_on, patience=self.patience, restore_best_weights=True))
        if self.lr_decay:
            base = float(keras.ops.convert_to_numpy(network.optimizer.learning_rate))
            decay = self.lr_decay
            callbacks.append(keras.callbacks.LearningRateScheduler(
                lambda epoch, rate: base / (1.0 + decay * epoch)))
        steps = -(-len(labels) // self.batch_size)
        if steps < self.min_steps_per_epoch:
            repeats = -(-self.min_steps_per_epoch * self.batch_size // len(labels))
            inputs, labels = np.concatenate([inputs] * repeats), np.concatenate([labels] * repeats)
        history = network.fit(inputs, labels, epochs=epochs, batch_size=self.batch_size,
                              validation_data=validation, callbacks=callbacks,
                              verbose=fit_verbosity())
        return history.history

    def _monitor(self, monitor) -> list:
        if monitor is None:
            return []
        self.monitor = _EpochMonitor(self.inputs(monitor[0]), monitor[1])
        return [self.monitor]

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        """Train with the book's recipe; ``monitor`` = (images, labels) only records curves."""
        self.network = self.build_network(self.info, **self.network_options)
        self.compile(self.network)
        self.history = self._train(self.network, self.inputs(images), labels, self.epochs,
                                   self._monitor(monitor))
        return self

    def predict(self, images: np.ndarray) -> np.ndarray:
        return predict_in_batches(self.network, self.inputs(images)).argmax(axis=1)

    @property
    def excluded_seconds(self) -> float:
        """Time inside fit that was not spent learning: recording the test curve."""
        return self.monitor.seconds if self.monitor else 0.0

    @property
    def n_params(self) -> int:
        return int(sum(np.prod(weight.shape) for weight in self.network.trainable_weights))

    def artifacts(self) -> dict:
        curves = {f"train_{key}": np.asarray(values, dtype=np.float32)
                  for key, values in self.history.items()}
        if self.monitor is not None:
            curves["test_accuracy_per_epoch"] = np.asarray(self.monitor.accuracy, dtype=np.float32)
        return curves


# --- the historical and the modern nets (experiments 02 and 05) --------------------------------


def mlp_1986(info: DatasetInfo) -> keras.Model:
    """The backpropagation era (Rumelhart, Hinton & Williams 1986): one hidden layer of sigmoids.

    300 hidden units, as in the "2-layer NN, 300 hidden units" row of LeCun's MNIST table;
    trained with plain SGD. Cross-entropy rather than the period's squared error.
    """
    return _one_hidden_layer(info, 300, "sigmoid", "mlp_1986")


def lenet1989(info: DatasetInfo) -> keras.Model:
    """LeCun et al. 1989, "Backpropagation applied to handwritten zip code recognition".

    16x16 inputs scaled to [-1, 1]; H1: 12 maps of 5x5 convolutions with stride 2 (8x8);
    H2: 12 maps, 5x5, stride 2 (4x4); H3: 30 tanh units; 10 outputs; plain SGD. The paper
    connects each H2 map to 8 of the 12 H1 maps; here every map sees all 12 (a small superset).
    """
    return keras.Sequential([
        keras.Input(shape=(*info.input_shape, 1)),
        layers.Resizing(16, 16),
        layers.Rescaling(2.0, offset=-1.0),
        layers.Conv2D(12, 5, strides=2, padding="same", activation="tanh"),
        layers.Conv2D(12, 5, strides=2, padding="same", activation="tanh"),
        layers.Flatten(),
        layers.Dense(30, activation="tanh"),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name="lenet1989")


def lenet5(info: DatasetInfo) -> keras.Model:
    """LeCun et al. 1998, "Gradient-based learning applied to document recognition": LeNet-5.

    6@5x5 convolutions (on 28x28 padded like the paper's 32x32 input), 2x2 average pooling,
    16@5x5, average pooling, then 120, 84 and 10 units, tanh throughout; plain SGD. The
    paper's partial C3 connectivity and RBF output layer are replaced by full connections
    and a softmax.
    """
    return keras.Sequential([
        keras.Input(shape=(*info.input_shape, 1)),
        layers.Resizing(28, 28),
        layers.Conv2D(6, 5, padding="same", activation="tanh"),
        layers.AveragePooling2D(2),
        layers.Conv2D(16, 5, activation="tanh"),
        layers.AveragePooling2D(2),
        layers.Flatten(),
        layers.Dense(120, activation="tanh"),
        layers.Dense(84, activation="tanh"),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name="lenet5")


def convnet_modern(info: DatasetInfo) -> keras.Model:
    """The book's convnet with the 2015-era additions: batch normalisation, dropout, augmentation.

    The same Conv 32-pool-64-pool-128 stack, each convolution followed by batch normalisation
    (Ioffe & Szegedy 2015) before its ReLU, dropout (0.5) before the classifier, Adam, and
    random shifts of up to 10 % of the image side as augmentation (active only in training).
    """
    padding = "valid" if min(info.input_shape) >= 28 else "same"

    def convolution(filters):
        return [layers.Conv2D(filters, 3, padding=padding, use_bias=False),
                layers.BatchNormalization(momentum=0.9), layers.Activation("relu")]

    return keras.Sequential([
        keras.Input(shape=(*info.input_shape, 1)),
        layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        *convolution(32),
        layers.MaxPooling2D(2),
        *convolution(64),
        layers.MaxPooling2D(2),
        *convolution(128),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name="convnet_modern")

