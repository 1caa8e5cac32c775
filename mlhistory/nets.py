"""Keras networks and the scikit-learn-style wrapper the runner fits like any other model.

TensorFlow places the work on a GPU when one is present and on the CPU otherwise; nothing
here asks for a device. Importing this module imports TensorFlow, so only Keras runs do.
"""

import sys
import time

import keras
import numpy as np
from keras import layers

from .data import DatasetInfo

PREDICT_BATCH_SIZE = 1024


def _one_hidden_layer(info: DatasetInfo, units: int, activation: str, name: str) -> keras.Model:
    n_pixels = info.input_shape[0] * info.input_shape[1]
    return keras.Sequential([
        keras.Input(shape=(n_pixels,)),
        layers.Dense(units, activation=activation),
        layers.Dense(info.n_classes, activation="softmax"),
    ], name=name)


def dense_network(info: DatasetInfo) -> keras.Model:
    """The book's chapter-2 net: 784 pixels -> Dense(512, relu) -> Dense(10, softmax)."""
    return _one_hidden_layer(info, 512, "relu", "dense")


def convnet(info: DatasetInfo) -> keras.Model:
    """The book's chapter-8 convnet (2nd ed.): Conv 32 -> pool -> 64 -> pool -> 128 -> Dense 10.

    The book's valid-padded 3x3 convolutions need at least 28x28 inputs; on smaller images
    (the 8x8 digits) the convolutions are "same"-padded so the same stack still fits.
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
        probabilities = self.model.predict(self.images, batch_size=PREDICT_BATCH_SIZE, verbose=0)
        self.accuracy.append(float(np.mean(probabilities.argmax(axis=1) == self.labels)))
        self.seconds += time.perf_counter() - start


class KerasClassifier:
    """fit/predict on raw uint8 images, like the scikit-learn pipelines in the registry."""

    def __init__(self, build_network, info: DatasetInfo, *, epochs: int, batch_size: int,
                 optimizer: str, learning_rate: float | None):
        self.build_network = build_network
        self.info = info
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.learning_rate = learning_rate  # None: the optimizer's Keras default
        self.network = None
        self.history: dict = {}
        self.monitor = None

    def _inputs(self, images: np.ndarray) -> np.ndarray:
        scaled = images.astype(np.float32) / 255.0
        if len(self.network.input_shape) == 2:
            return scaled.reshape(len(images), -1)
        return scaled[..., np.newaxis]

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        """Train with the book's recipe; ``monitor`` = (images, labels) only records curves."""
        self.network = self.build_network(self.info)
        optimizer = keras.optimizers.get(self.optimizer)
        if self.learning_rate is not None:
            optimizer.learning_rate = self.learning_rate
        self.network.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy",
                             metrics=["accuracy"])
        callbacks = []
        if monitor is not None:
            self.monitor = _EpochMonitor(self._inputs(monitor[0]), monitor[1])
            callbacks.append(self.monitor)
        # A live progress bar on a terminal; one line per epoch in logs and under make -j.
        verbose = 1 if sys.stdout.isatty() else 2
        history = self.network.fit(self._inputs(images), labels, epochs=self.epochs,
                                   batch_size=self.batch_size, callbacks=callbacks,
                                   verbose=verbose)
        self.history = history.history
        return self

    def predict(self, images: np.ndarray) -> np.ndarray:
        probabilities = self.network.predict(self._inputs(images), batch_size=PREDICT_BATCH_SIZE,
                                             verbose=0)
        return probabilities.argmax(axis=1)

    @property
    def monitor_seconds(self) -> float:
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
