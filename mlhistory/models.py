"""The model registry: one name -> one factory, used by every experiment and the command line.

Every model takes the dataset's raw uint8 images of shape (n, height, width). A shallow model
is a scikit-learn pipeline: the run's feature transform (``features.py``; pixels/255 by
default), then a StandardScaler where the entry says so, then the classifier. A Keras net
scales pixels to [0, 1] itself. Adding a model is adding one entry here.

Tuning budget. Neither side is tuned on our data: the scikit-learn models use the
configuration that the Fashion-MNIST paper's grid search found best for their family (Xiao et
al. 2017, Table 3), the Keras nets use the book's fixed recipe (or the cited paper's, for the
historical nets). Both sides get zero tuning runs here, and the report says so.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import features as feature_transforms
from .data import DatasetInfo
from .errors import UsageError

SHALLOW = "shallow"
DEEP = "deep"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    family: str  # SHALLOW (scikit-learn, XGBoost) or DEEP (Keras)
    build: Callable[..., Any]  # build(info, seed, **params) -> an unfitted classifier
    defaults: dict
    preprocessing: str
    provenance: str
    stochastic: bool  # False when the fit does not depend on the seed: one seed is enough
    standardize: bool = True  # shallow only: StandardScaler after the feature transform
    # Bump when the code behind the entry changes, so cached runs of the old code are not reused.
    version: int = 1
    # Arrays worth keeping with the run for plots: artifacts(fitted, x_test, y_test) -> dict.
    # Test data may only be *measured* here (curves), never used to choose anything.
    artifacts: Callable[..., dict] = field(default=lambda estimator, x_test, y_test: {})


# --- shallow classifiers ---------------------------------------------------------------------


def _gaussian_nb(info, seed, **params):
    from sklearn.naive_bayes import GaussianNB

    return GaussianNB(**params)


def _bernoulli_nb(info, seed, **params):
    from sklearn.naive_bayes import BernoulliNB

    return BernoulliNB(**params)


def _logreg(info, seed, **params):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(random_state=seed, **params)


def _linear_svm(info, seed, **params):
    from sklearn.svm import LinearSVC

    return LinearSVC(random_state=seed, **params)


def _rbf_svm(info, seed, **params):
    from sklearn.svm import SVC

    return SVC(kernel="rbf", random_state=seed, **params)


def _decision_tree(info, seed, **params):
    from sklearn.tree import DecisionTreeClassifier

    return DecisionTreeClassifier(random_state=seed, **params)


def _random_forest(info, seed, **params):
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(random_state=seed, n_jobs=-1, **params)


def _xgboost(info, seed, **params):
    from xgboost import XGBClassifier

    from .hardware import gpu_available

    # The GPU is used when one is present; the metadata records which hardware ran.
    device = "cuda" if gpu_available() else "cpu"
    return XGBClassifier(tree_method="hist", device=device, random_state=seed, n_jobs=-1, **params)


def _linear_weights(pipeline, x_test, y_test) -> dict:
    return {"coef": pipeline[-1].coef_.astype(np.float32)}


# --- Keras nets ------------------------------------------------------------------------------


def _keras(network_name):
    def build(info: DatasetInfo, seed: int, **params):
        from . import nets

        return nets.KerasClassifier(getattr(nets, network_name), info, **params)

    return build


def _keras_artifacts(classifier, x_test, y_test) -> dict:
    return classifier.artifacts()


FASHION_TABLE_3 = "Fashion-MNIST paper (Xiao et al. 2017) Table 3, best configuration"
STANDARDIZED = "pixels/255, flattened, standardised (StandardScaler fitted on train)"

REGISTRY: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in [
        ModelEntry("gaussian_nb", SHALLOW, _gaussian_nb, {"var_smoothing": 1e-9}, STANDARDIZED,
                   FASHION_TABLE_3, stochastic=False),
        ModelEntry("bernoulli_nb", SHALLOW, _bernoulli_nb, {"alpha": 1.0, "binarize": 0.5},
                   "pixels/255, flattened, binarised at 0.5",
                   "scikit-learn defaults, ink threshold at mid-grey", stochastic=False, standardize=False),
        ModelEntry("logreg", SHALLOW, _logreg, {"C": 1.0, "max_iter": 1000}, STANDARDIZED,
                   FASHION_TABLE_3 + " (C=1), multinomial (lbfgs) rather than one-vs-rest",
                   stochastic=False, artifacts=_linear_weights),
        ModelEntry("linear_svm", SHALLOW, _linear_svm, {"C": 1.0, "dual": False}, STANDARDIZED,
                   FASHION_TABLE_3 + " (LinearSVC, C=1), solved in the primal",
                   stochastic=False, artifacts=_linear_weights),
        ModelEntry("rbf_svm", SHALLOW, _rbf_svm, {"C": 10.0, "gamma": "scale"}, STANDARDIZED,
                   FASHION_TABLE_3 + " (SVC, C=10, rbf)", stochastic=False),
        ModelEntry("decision_tree", SHALLOW, _decision_tree,
                   {"criterion": "entropy", "max_depth": 10}, STANDARDIZED,
                   FASHION_TABLE_3 + " (entropy, max_depth=10)", stochastic=True),
        ModelEntry("random_forest", SHALLOW, _random_forest,
                   {"n_estimators": 100, "criterion": "entropy", "max_depth": 100}, STANDARDIZED,
                   FASHION_TABLE_3 + " (100 trees, entropy, max_depth=100)", stochastic=True),
        ModelEntry("xgboost", SHALLOW, _xgboost,
                   {"n_estimators": 200, "max_depth": 6, "learning_rate": 0.3}, STANDARDIZED,
                   "XGBoost hist, library defaults for depth and learning rate, 200 rounds",
                   stochastic=True),
        ModelEntry("dense", DEEP, _keras("dense_network"),
                   {"epochs": 5, "batch_size": 128, "optimizer": "rmsprop", "learning_rate": None},
                   "pixels/255, flattened",
                   "Deep Learning with Python, ch. 2: Dense(512, relu) -> Dense(10, softmax)",
                   stochastic=True, artifacts=_keras_artifacts),
        ModelEntry("convnet", DEEP, _keras("convnet"),
                   {"epochs": 5, "batch_size": 64, "optimizer": "rmsprop", "learning_rate": None},
                   "pixels/255, 28x28x1 image",
                   "Deep Learning with Python, 2nd ed. ch. 8: Conv 32-pool-64-pool-128-Dense 10",
                   stochastic=True, artifacts=_keras_artifacts),
    ]
}


def get(name: str) -> ModelEntry:
    if name not in REGISTRY:
        raise UsageError(f"unknown model '{name}'; choose one of: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def resolve_params(name: str, overrides: dict | None = None) -> dict:
    """The entry's defaults with overrides applied; an unknown parameter is a usage error."""
    entry = get(name)
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(entry.defaults))
    if unknown:
        raise UsageError(f"model '{name}' has no parameter {', '.join(unknown)}; "
                         f"it takes: {', '.join(entry.defaults)}")
    return {**entry.defaults, **overrides}


def check_features(name: str, features: str) -> None:
    feature_transforms.get(features)
    if get(name).family == DEEP and features != "pixels":
        raise UsageError(f"model '{name}' is a Keras net and learns its own features from "
                         f"pixels; it cannot take features '{features}'")


def build(name: str, info: DatasetInfo, seed: int, params: dict, features: str = "pixels"):
    """A fresh, unfitted estimator (never refit a shared instance) that takes uint8 images."""
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    entry = get(name)
    check_features(name, features)
    classifier = entry.build(info, seed, **params)
    if entry.family == DEEP:
        return classifier
    steps = [FunctionTransformer(feature_transforms.get(features))]
    if entry.standardize:
        steps.append(StandardScaler())
    return make_pipeline(*steps, classifier)
