"""A net for tables (experiment 11): an MLP with an honest, small tuning budget of its own (its
recipe), or one shape the search stage chose (``width`` and ``depth``, with its dropout, learning
rate and batch size: ``search_spaces.TABULAR_MLP``).

Importing this module imports TensorFlow, so only Keras runs do.
"""

import keras
import numpy as np
from keras import layers

from ..data import DatasetInfo, validation_split
from .nets import KerasClassifier, fit_verbosity, predict_in_batches

# The tabular net's tuning budget: these candidates, each trained with early stopping on a
# validation split carved from the training split; the best on validation is kept.
TABULAR_CANDIDATES = (
    {"units": (256, 256), "dropout": 0.1},
    {"units": (512, 256, 128), "dropout": 0.2},
    {"units": (128,), "dropout": 0.0},
)


def tabular_mlp(info: DatasetInfo, units: tuple[int, ...], dropout: float,
                normalization: layers.Normalization) -> keras.Model:
    """Standardised inputs -> ReLU layers with dropout -> softmax."""
    stack = [keras.Input(shape=(int(np.prod(info.input_shape)),)), normalization]
    for width in units:
        stack += [layers.Dense(width, activation="relu"), layers.Dropout(dropout)]
    return keras.Sequential([*stack, layers.Dense(info.n_classes, activation="softmax")],
                            name="tabular_mlp")


class TabularMLPClassifier(KerasClassifier):
    """An MLP for structured data with an honest, small tuning budget.

    The recipe (no ``width``): a stratified ``validation_fraction`` of the training split is
    held out; each of ``TABULAR_CANDIDATES`` trains with Adam until the validation loss stops
    improving for ``patience`` epochs (at most ``epochs``), keeping its best weights; the
    candidate with the best validation accuracy is the model. A searched shape (``width`` units
    in each of ``depth`` layers): that one net, trained as the book's nets are (early stopping
    on ``stop_on`` with a ``patience``, or for exactly ``epochs`` without one: the refit). The
    test set is never seen. Images are flattened.
    """

    def __init__(self, info: DatasetInfo, *, seed: int, epochs: int, batch_size: int,
                 patience: int | None, validation_fraction: float, width: int | None = None,
                 depth: int = 1, dropout: float = 0.0, learning_rate: float | None = None,
                 stop_on: str = "val_loss"):
        super().__init__(None, info, epochs=epochs, batch_size=batch_size, optimizer="adam",
                         learning_rate=learning_rate, patience=patience, seed=seed,
                         stop_on=stop_on)
        self.validation_fraction = validation_fraction
        self.shape = None if width is None else {"units": (width,) * depth, "dropout": dropout}
        self.validation_accuracy: list[float] = []
        self.epochs_trained: list[int] = []

    flat_inputs = True

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        # monitor is ignored: the chosen candidate's epochs are set by early stopping.
        if self.shape is not None:
            return self._fit_shape(self.inputs(images), labels)
        train, validation = validation_split(labels, self.seed, self.validation_fraction)
        inputs = self.inputs(images)
        best = -1.0
        for candidate in TABULAR_CANDIDATES:
            normalization = layers.Normalization()
            normalization.adapt(inputs[train])
            network = tabular_mlp(self.info, candidate["units"], candidate["dropout"], normalization)
            self.compile(network)
            stopping = keras.callbacks.EarlyStopping(patience=self.patience, restore_best_weights=True)
            history = network.fit(inputs[train], labels[train], epochs=self.epochs,
                                  batch_size=self.batch_size, callbacks=[stopping],
                                  validation_data=(inputs[validation], labels[validation]),
                                  verbose=fit_verbosity())
            predicted = predict_in_batches(network, inputs[validation])
            accuracy = float(np.mean(predicted.argmax(axis=1) == labels[validation]))
            self.validation_accuracy.append(accuracy)
            self.epochs_trained.append(len(history.history["loss"]))
            if accuracy > best:
                best, self.network, self.history = accuracy, network, history.history
        return self

    def _fit_shape(self, inputs: np.ndarray, labels: np.ndarray):
        """The searched shape, standardised on the images it trains on (the held-out share
        excluded while early stopping holds one out)."""
        fitted = (validation_split(labels, self.seed)[0] if self.patience is not None
                  else slice(None))
        normalization = layers.Normalization()
        normalization.adapt(inputs[fitted])
        self.network = tabular_mlp(self.info, self.shape["units"], self.shape["dropout"],
                                   normalization)
        self.compile(self.network)
        self.history = self._train(self.network, inputs, labels, self.epochs)
        return self

    def artifacts(self) -> dict:
        if self.shape is not None:
            return super().artifacts()  # its curves, as the book's nets save them
        return {"validation_accuracy": np.asarray(self.validation_accuracy, dtype=np.float32),
                "epochs_trained": np.asarray(self.epochs_trained, dtype=np.int16),
                "chosen_candidate": np.int16(np.argmax(self.validation_accuracy))}
