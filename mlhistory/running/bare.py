"""The library calls a run makes, with nothing of the runner around them: build and fit, then
predict, on arrays already split. ``make bench`` holds the runner against them."""

from .. import models
from ..models import DEEP
from .spec import RunSpec


def compiled_net(spec: RunSpec, split):
    """The run's net, built and compiled as the runner's would be, not yet trained."""
    classifier = models.build(spec.model, split.dataset.info, spec.seed, spec.params_dict)
    classifier.network = classifier.build_network(split.dataset.info)
    classifier.compile(classifier.network)
    return classifier


def fit(spec: RunSpec, split):
    """The run's model built and fitted on the split's training arrays: a scikit-learn-style
    pipeline, or a Keras classifier whose ``network`` is trained."""
    if models.get(spec.model).family != DEEP:
        pipeline = models.build(spec.model, split.dataset.info, spec.seed, spec.params_dict,
                                spec.features)
        return pipeline.fit(split.x_train, split.y_train)
    classifier = compiled_net(spec, split)
    classifier.network.fit(classifier.inputs(split.x_train), split.y_train,
                           epochs=classifier.epochs, batch_size=classifier.batch_size, verbose=0)
    return classifier


def predict(spec: RunSpec, fitted, split):
    """What ``fit`` returned, asked for the split's test predictions."""
    if models.get(spec.model).family != DEEP:
        return fitted.predict(split.x_test)
    return fitted.network.predict(fitted.inputs(split.x_test), verbose=0)
