"""Learned features: the book's convnet trained on a run's training split, its last layer
before the softmax taken as the features of a shallow model (``features.make``)."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin


class ConvnetFeatures(TransformerMixin, BaseEstimator):
    """Features learned by the book's convnet, trained (book recipe) on the training split only.

    A scikit-learn transformer: ``fit`` trains the net on the images and labels it is given,
    ``transform`` returns the activations of its last layer before the softmax (the flattened
    top convolution map), so a shallow model can take them like any other features. The net's
    training time is its own (``training_seconds``) and is kept out of the shallow model's fit
    time, so every model on these features is timed alike whether or not it trained the net.
    """

    def __init__(self, seed: int):
        self.seed = seed
        self.classifier = None
        self.training_seconds = 0.0  # what the net cost to train, wherever it was trained
        self.excluded_seconds = 0.0  # the part of this fit spent training it

    def fit(self, images: np.ndarray, labels: np.ndarray):
        from ..data import DatasetInfo, array_digest
        from .nets import KerasClassifier, convnet, train_once
        from .recipes import BOOK_CONVNET

        # The net needs the image shape and the number of classes, both read off the data.
        info = DatasetInfo("training split", "", images.shape[1:], len(labels), 0,
                           tuple(map(str, np.unique(labels))))
        self.classifier = KerasClassifier(convnet, info, **BOOK_CONVNET.params())
        # The shallow models of one seed read the very same learned representation.
        key = ("convnet_features", array_digest(images, labels), self.seed)
        weights, self.training_seconds, self.excluded_seconds = train_once(
            key, self.seed, lambda: self.classifier.fit(images, labels).network)
        if self.classifier.network is None:
            self.classifier.network = convnet(info)
            self.classifier.network.set_weights(weights)
        return self

    def transform(self, images: np.ndarray) -> np.ndarray:
        import keras

        from .nets import PREDICT_BATCH_SIZE

        network = self.classifier.network
        penultimate = keras.Model(network.inputs, network.layers[-2].output)
        return penultimate.predict(self.classifier.inputs(images), verbose=0,
                                   batch_size=PREDICT_BATCH_SIZE)

    def __sklearn_is_fitted__(self) -> bool:
        return self.classifier is not None

    @property
    def n_params(self) -> int:
        return self.classifier.n_params

    def artifacts(self) -> dict:
        return {"feature_net_seconds": np.float32(self.training_seconds)}
