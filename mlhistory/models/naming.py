"""What readers call a run of a registry model: its display name, with its features'."""

from . import features as feature_transforms
from .registry import get


def features_display(features: str) -> str | None:
    """What readers call a run's features ("HOG"); None for the dataset's own inputs."""
    return None if features in feature_transforms.OWN_INPUTS else feature_transforms.display_name(features)


def display_name(name: str, params: dict, features: str) -> str:
    """What tables call a run of the model on the experiment's data: "RBF SVM (C=10) on HOG"."""
    shown = get(name).display_name(params)
    features_shown = features_display(features)
    return f"{shown} on {features_shown}" if features_shown else shown
