"""A run's estimator assembled from its registry entry: its features and source classes
checked, the entry's builder called with the run's seed and params, the scaler and feature
transform around a shallow model, one of the estimator protocol's adapters around it all."""

from ..data import DatasetInfo, check_classes
from ..errors import UsageError
from . import features as feature_transforms
from . import search_spaces as spaces
from .entry import DEEP
from .estimator import Estimator, KerasModel, SklearnModel
from .registry import get


def check_run(name: str, params: dict, features: str, info: DatasetInfo) -> None:
    """Everything about a run the model decides, checked before it starts: its features, and
    the source classes of a model that learns a source task."""
    entry = get(name)
    check_features(name, features, info)
    if entry.source_classes is not None:
        check_classes(info, entry.source_classes(params), f"{name}'s source_classes")


def check_features(name: str, features: str, info: DatasetInfo) -> None:
    entry = get(name)
    feature_transforms.check(features, info.is_image)
    if entry.needs_images and not info.is_image:
        raise UsageError(f"model '{name}' takes images; {info.name} is a table")
    default = feature_transforms.default_for(info.is_image)
    if entry.family == DEEP and features != default:
        raise UsageError(f"model '{name}' is a Keras net and learns its own features from "
                         f"{default}; it cannot take features '{features}'")


def build(name: str, info: DatasetInfo, seed: int, params: dict, features: str = "pixels"):
    """The entry's classifier, fresh and unfitted (never refit a shared instance): a Keras
    classifier as it is, or a scikit-learn pipeline of the run's feature transform, a scaler
    where the entry says so, and the classifier."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    entry = get(name)
    check_features(name, features, info)
    params = dict(params)
    scaling = params.pop("scaling", None)
    if scaling is not None and scaling not in spaces.SCALINGS:
        raise UsageError(f"model '{name}': scaling must be one of {', '.join(spaces.SCALINGS)}, "
                         f"not {scaling!r}")
    classifier = entry.build(info, seed, **params)
    if entry.family == DEEP:
        return classifier
    steps = [feature_transforms.make(features, seed)]
    if entry.standardize if scaling is None else scaling == "standardized":
        steps.append(StandardScaler())
    return make_pipeline(*steps, classifier)


def build_estimator(name: str, info: DatasetInfo, seed: int, params: dict,
                    features: str = "pixels") -> Estimator:
    """The model a run fits: ``build``'s classifier behind the estimator protocol."""
    entry = get(name)
    classifier = build(name, info, seed, params, features)
    if entry.family == DEEP:
        source = entry.source_classes(params) if entry.source_classes else None
        return KerasModel(classifier, entry.artifacts, source)
    return SklearnModel(classifier, entry.artifacts)
