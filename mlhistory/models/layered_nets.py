"""What the layers of a deep net learn, and how they are trained (experiments 06, 07 and 09).

- ``StackedDenseClassifier``: the same stack of k dense layers trained greedily, one layer at
  a time under a temporary softmax head with the layers below frozen, or jointly end to end,
  with the same total number of epochs.
- ``DepthRecipeClassifier``: dense nets of a given depth trained with the 1990s, 2010 or 2015
  recipe, recording each layer's gradient norm at initialisation and after the first epoch.
- ``ProbedClassifier``: the book's convnet plus a linear probe on every layer's activations
  (information distillation, measured) and the activations themselves (Figure 1.6).
"""

import time

import keras
import numpy as np
from keras import layers

from ..data import DatasetInfo, array_digest, stratified_subset, validation_split
from .nets import PREDICT_BATCH_SIZE, KerasClassifier, computed_once, convnet, predict_in_batches


def _flat_size(info: DatasetInfo) -> int:
    return int(np.prod(info.input_shape))


# --- greedy vs joint (06) ----------------------------------------------------------------------


class StackedDenseClassifier(KerasClassifier):
    """k Dense(width, relu) layers under a softmax head, trained greedily or jointly.

    Greedy: stage i adds layer i and a fresh head on top of layers 1..i-1, which are frozen,
    and trains for ``epochs_per_layer`` epochs; the last stage's head is the classifier.
    Joint: all k layers and the head train together for k * ``epochs_per_layer`` epochs.
    """

    flat_inputs = True

    def __init__(self, info: DatasetInfo, *, depth: int, width: int, training: str,
                 epochs_per_layer: int, batch_size: int, optimizer: str,
                 learning_rate: float | None):
        super().__init__(None, info, epochs=depth * epochs_per_layer, batch_size=batch_size,
                         optimizer=optimizer, learning_rate=learning_rate)
        if training not in ("greedy", "joint"):
            raise ValueError(f"training must be 'greedy' or 'joint', not {training!r}")
        self.depth, self.width, self.training = depth, width, training
        self.epochs_per_layer = epochs_per_layer
        self.hidden: list[layers.Dense] = []
        self.stage_weights: list[list[np.ndarray]] = []  # each stage's frozen layers, after it

    def _stack(self, hidden: list) -> keras.Model:
        return keras.Sequential([keras.Input(shape=(_flat_size(self.info),)), *hidden,
                                 layers.Dense(self.info.n_classes, activation="softmax")])

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        callbacks = self._monitor(monitor)
        if self.training == "joint":
            self.hidden = [layers.Dense(self.width, activation="relu") for _ in range(self.depth)]
            self.network = self._stack(self.hidden)
            self.compile(self.network)
            self.history = self._train(self.network, self.inputs(images), labels, self.epochs,
                                       callbacks)
            return self
        for _ in range(self.depth):
            for layer in self.hidden:
                layer.trainable = False
            self.hidden.append(layers.Dense(self.width, activation="relu"))
            self.network = self._stack(self.hidden)
            self.compile(self.network)  # compile after freezing, so freezing takes effect
            history = self._train(self.network, self.inputs(images), labels,
                                  self.epochs_per_layer, callbacks)
            for key, values in history.items():
                self.history.setdefault(key, []).extend(values)
            self.stage_weights.append([weight.copy() for layer in self.hidden[:-1]
                                       for weight in layer.get_weights()])
        for layer in self.hidden:
            layer.trainable = True  # so n_params counts every weight of the final stack
        return self


# --- depth and the three recipes (09) ------------------------------------------------------------

RECIPES = {
    # Tanh units, the small uniform initialisation of the period, U(-1/sqrt(fan_in),
    # +1/sqrt(fan_in)) (the "standard initialization" Glorot and Bengio 2010 examined, whose
    # variance is a third of LeCun's), and plain SGD: deep nets as they were trained before
    # 2009-2010. Its learning rate is chosen on a validation split at each depth, so every
    # depth gets the step size that suits it best and depth is the only thing that changes.
    "1990s": {"activation": "tanh", "optimizer": "sgd", "batch_norm": False, "residual": False,
              "initializer": ("variance_scaling", {"scale": 1 / 3, "mode": "fan_in",
                                                   "distribution": "uniform"})},
    # ReLU, He initialisation and an adaptive optimiser (around 2009-2010).
    "2010": {"activation": "relu", "initializer": "he_normal", "optimizer": "adam",
             "batch_norm": False, "residual": False},
    # The 2010 recipe plus batch normalisation and residual connections (2014-2016).
    "2015": {"activation": "relu", "initializer": "he_normal", "optimizer": "adam",
             "batch_norm": True, "residual": True},
}
GRADIENT_BATCH = 1024
LEARNING_RATE_CHOICE = "1990s learning rate"  # its role in the process's shared computations


def _initializer(declared):
    """A Keras initialiser from its name, or from (name, arguments) (a fresh object each
    layer, so no two layers share one)."""
    if isinstance(declared, str):
        return declared
    name, arguments = declared
    return keras.initializers.get({"class_name": name, "config": arguments})


def depth_recipe_network(info: DatasetInfo, depth: int, width: int, recipe: str) -> keras.Model:
    """``depth`` hidden layers of ``width`` units (the first maps the pixels to ``width``)."""
    spec = RECIPES[recipe]

    def dense(units: int, **options) -> layers.Dense:
        return layers.Dense(units, kernel_initializer=_initializer(spec["initializer"]), **options)

    inputs = keras.Input(shape=(_flat_size(info),))
    hidden = inputs
    for index in range(depth):
        if spec["batch_norm"]:
            update = dense(width, use_bias=False)(hidden)
            update = layers.Activation(spec["activation"])(layers.BatchNormalization()(update))
        else:
            update = dense(width, activation=spec["activation"])(hidden)
        # The first layer changes the width, so the identity path starts after it.
        hidden = layers.Add()([hidden, update]) if spec["residual"] and index > 0 else update
    outputs = dense(info.n_classes, activation="softmax")(hidden)
    return keras.Model(inputs, outputs, name=f"depth{depth}_{recipe}")


def kernel_gradient_norms(network: keras.Model, inputs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """The L2 norm of the loss gradient for each Dense kernel, input side first."""
    import tensorflow as tf

    kernels = [layer.kernel for layer in network.layers if isinstance(layer, layers.Dense)]
    loss_function = keras.losses.SparseCategoricalCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_function(labels, network(inputs, training=True))
    gradients = tape.gradient(loss, kernels)
    return np.asarray([float(tf.norm(gradient)) for gradient in gradients], dtype=np.float32)


class _GradientRecorder(keras.callbacks.Callback):
    """Gradient norms on a fixed training batch after the first epoch (not counted as fit time)."""

    def __init__(self, inputs, labels):
        super().__init__()
        self.inputs, self.labels = inputs, labels
        self.after_first_epoch = None
        self.seconds = 0.0

    def on_epoch_end(self, epoch, logs=None):
        if epoch == 0:
            start = time.perf_counter()
            self.after_first_epoch = kernel_gradient_norms(self.model, self.inputs, self.labels)
            self.seconds += time.perf_counter() - start


class DepthRecipeClassifier(KerasClassifier):
    """A deep dense net trained with one recipe, its gradient norms recorded per layer."""

    flat_inputs = True

    def __init__(self, info: DatasetInfo, *, seed: int, depth: int, width: int, recipe: str,
                 epochs: int, batch_size: int, learning_rates: tuple[float, ...] | None = None):
        if recipe not in RECIPES:
            raise ValueError(f"recipe must be one of {', '.join(RECIPES)}, not {recipe!r}")
        if (recipe == "1990s") != bool(learning_rates):
            raise ValueError("the 1990s recipe, and it alone, chooses its SGD learning rate on a "
                             "validation split: give it learning_rates to choose from")
        super().__init__(None, info, epochs=epochs, batch_size=batch_size,
                         optimizer=RECIPES[recipe]["optimizer"], learning_rate=None)
        self.seed, self.depth, self.width, self.recipe = seed, depth, width, recipe
        self.learning_rates = tuple(learning_rates or ())
        self.validation_accuracy: list[float] = []
        self.selection_seconds = 0.0  # spent choosing the learning rate inside this fit
        self.shared_selection_seconds = 0.0  # what the choice took, whichever run made it
        self.gradient_norms_at_init = None
        self.recorder = None

    def _choose_learning_rate(self, inputs: np.ndarray, labels: np.ndarray) -> float:
        """The candidate whose net of this depth scores best on a validation split of the
        training images, after the recipe's epochs (the test split is never seen).

        The choice depends on the data, the seed, the depth and the candidates, so a worker
        asked for the same run twice makes it once. Its time is kept out of the fit time of
        the run that made it, the only run whose fit it was spent in: a run reusing the choice
        subtracts nothing."""
        def validation_accuracy() -> list[float]:
            train, held_out = validation_split(labels, self.seed)
            accuracy = []
            for learning_rate in self.learning_rates:
                keras.utils.set_random_seed(self.seed)
                network = depth_recipe_network(self.info, self.depth, self.width, self.recipe)
                self.compile(network, learning_rate)
                network.fit(inputs[train], labels[train], epochs=self.epochs,
                            batch_size=self.batch_size, verbose=0)
                predicted = predict_in_batches(network, inputs[held_out])
                accuracy.append(float(np.mean(predicted.argmax(axis=1) == labels[held_out])))
            return accuracy

        key = (LEARNING_RATE_CHOICE, array_digest(labels, inputs), self.seed, self.depth,
               self.learning_rates, self.epochs, self.batch_size, self.width)
        (self.validation_accuracy, self.shared_selection_seconds,
         self.selection_seconds) = computed_once(key, validation_accuracy)
        keras.utils.set_random_seed(self.seed)
        return self.learning_rates[int(np.argmax(self.validation_accuracy))]

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        inputs = self.inputs(images)
        if self.learning_rates:
            self.learning_rate = self._choose_learning_rate(inputs, labels)
        self.network = depth_recipe_network(self.info, self.depth, self.width, self.recipe)
        self.compile(self.network)
        # The same seeded, stratified batch of training images before and after epoch 1.
        batch = stratified_subset(labels, min(GRADIENT_BATCH, len(labels)), self.seed)
        start = time.perf_counter()
        self.gradient_norms_at_init = kernel_gradient_norms(self.network, inputs[batch], labels[batch])
        self.recorder = _GradientRecorder(inputs[batch], labels[batch])
        self.recorder.seconds = time.perf_counter() - start
        self.history = self._train(self.network, inputs, labels, self.epochs,
                                   [*self._monitor(monitor), self.recorder])
        return self

    @property
    def excluded_seconds(self) -> float:
        """The gradient recording, and the 1990s recipe's choice of learning rate when this
        fit made it (its time is reported with the run's artifacts)."""
        return super().excluded_seconds + self.recorder.seconds + self.selection_seconds

    def artifacts(self) -> dict:
        chosen = ({"learning_rate_candidates": np.asarray(self.learning_rates, dtype=np.float32),
                   "learning_rate_validation_accuracy": np.asarray(self.validation_accuracy,
                                                                   dtype=np.float32),
                   "learning_rate_selection_seconds": np.float32(self.shared_selection_seconds)}
                  if self.learning_rates else {})
        return {**super().artifacts(), "gradient_norms_at_init": self.gradient_norms_at_init,
                "gradient_norms_after_epoch_1": self.recorder.after_first_epoch, **chosen}


# --- linear probes of every layer (07) -----------------------------------------------------------

SAMPLE_CHANNELS = 8  # channels of each activation map kept for the Figure 1.6 view
# The test images are split into this many batches for each layer's linear CKA with the input,
# so a claim can resample batches (a CKA is of a set of images, not of one image).
CKA_BATCHES = 10


def linear_cka(first: np.ndarray, second: np.ndarray) -> float:
    """Linear CKA (centred kernel alignment, Kornblith et al. 2019) of two representations of
    the same images, one row each: 1 when one is a rotation and scaling of the other, near 0
    when they are unrelated. Computed from the images' Gram matrices, so a 21,632-number
    convolution map costs no more memory than a batch of its rows."""
    grams = []
    for features in (first, second):
        flat = features.reshape(len(features), -1).astype(np.float32)
        flat = flat - flat.mean(axis=0, dtype=np.float64).astype(np.float32)
        grams.append((flat @ flat.T).astype(np.float64))
    return float((grams[0] * grams[1]).sum()
                 / (np.linalg.norm(grams[0]) * np.linalg.norm(grams[1])))


class ProbedClassifier(KerasClassifier):
    """The book's convnet; then a linear probe on every layer's activations.

    A probe is (whitened) PCA to at most ``probe_dims`` components, then logistic regression,
    fitted on a seeded stratified subset of ``probe_train`` *training* images and scored on
    the test split, for the input pixels and the output of every layer. PCA keeps the probe
    linear and its cost the same for a 21,632-number convolution map and a 10-number output.
    Probe time is recorded apart from the network's fit time.
    """

    def __init__(self, info: DatasetInfo, *, seed: int, epochs: int, batch_size: int,
                 optimizer: str, learning_rate: float | None, probe_train: int, probe_dims: int,
                 projection_points: int, sample_images: int, min_steps_per_epoch: int = 0):
        super().__init__(convnet, info, epochs=epochs, batch_size=batch_size,
                         optimizer=optimizer, learning_rate=learning_rate,
                         min_steps_per_epoch=min_steps_per_epoch)
        self.seed = seed
        self.probe_train, self.probe_dims = probe_train, probe_dims
        self.projection_points, self.sample_images = projection_points, sample_images
        self.probes = []
        self.probe_seconds = 0.0

    def probed_layers(self) -> list:
        # Flatten only reshapes the layer below it: it has nothing new for a probe to read.
        return [layer for layer in self.network.layers if not isinstance(layer, layers.Flatten)]

    def layer_names(self) -> list[str]:
        return ["input"] + [layer.name for layer in self.probed_layers()]

    def activations(self, images: np.ndarray) -> list[np.ndarray]:
        """The input and every probed layer's output, one array per layer, in batches."""
        inputs = self.inputs(images)
        probed = self.probed_layers()
        extractor = keras.Model(self.network.inputs, [layer.output for layer in probed])
        batches = [extractor.predict(inputs[start:start + PREDICT_BATCH_SIZE], verbose=0)
                   for start in range(0, len(inputs), PREDICT_BATCH_SIZE)]
        per_layer = [np.concatenate([batch[index] for batch in batches])
                     for index in range(len(probed))]
        return [inputs, *per_layer]

    def _probe(self, features: np.ndarray, labels: np.ndarray):
        from sklearn.decomposition import PCA
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        flat = features.reshape(len(features), -1)
        dims = min(self.probe_dims, flat.shape[1], len(flat) - 1)
        # Whitened components keep the logistic regression well conditioned on every layer.
        probe = make_pipeline(StandardScaler(), PCA(dims, whiten=True, random_state=self.seed),
                              LogisticRegression(max_iter=1000))
        return probe.fit(flat, labels)

    def fit(self, images: np.ndarray, labels: np.ndarray, monitor=None):
        super().fit(images, labels, monitor)
        start = time.perf_counter()
        chosen = stratified_subset(labels, min(self.probe_train, len(labels)), self.seed)
        self.probes = [self._probe(features, labels[chosen])
                       for features in self.activations(images[chosen])]
        self.probe_seconds = time.perf_counter() - start
        return self

    @property
    def excluded_seconds(self) -> float:
        return super().excluded_seconds + self.probe_seconds

    def layer_artifacts(self, images: np.ndarray, labels: np.ndarray) -> dict:
        """Probe predictions and accuracy per layer on the test split, each layer's linear CKA with the input
        per batch of test images, 2-D projections, and sample activations."""
        layer_outputs = self.activations(images)
        shown = stratified_subset(labels, min(self.projection_points, len(labels)), self.seed)
        # One test image of each of the first classes, for the Figure 1.6 view.
        samples = [int(np.flatnonzero(labels == label)[0])
                   for label in np.unique(labels)[:self.sample_images]]
        saved = {"layer_names": np.asarray(self.layer_names()),
                 "probe_seconds": np.float32(self.probe_seconds),
                 "projection_labels": labels[shown].astype(np.int16),
                 "sample_labels": labels[samples].astype(np.int16)}
        predictions = []
        for index, (outputs, probe) in enumerate(zip(layer_outputs, self.probes, strict=True)):
            flat = outputs.reshape(len(outputs), -1)
            predictions.append(probe.predict(flat))
            projected = probe[:-1].transform(flat[shown])[:, :2]  # the first two components
            saved[f"projection_{index}"] = projected.astype(np.float32)
            sample = outputs[samples]
            if sample.ndim == 4:  # a convolution map: keep a few channels
                sample = np.moveaxis(sample[..., :SAMPLE_CHANNELS], -1, 1)
            saved[f"activation_{index}"] = sample.astype(np.float32)
        # Each layer's probe prediction of every test image (the rise is judged per image), and
        # its accuracy (for the plot).
        saved["probe_predictions"] = np.stack(predictions).astype(np.int16)
        saved["probe_accuracy"] = np.mean(saved["probe_predictions"] == labels,
                                          axis=1).astype(np.float32)
        batches = np.array_split(np.arange(len(labels)), CKA_BATCHES)
        saved["input_cka"] = np.asarray([[linear_cka(layer_outputs[0][batch], outputs[batch])
                                          for outputs in layer_outputs] for batch in batches],
                                        dtype=np.float32)
        return saved
