"""The model layer: the registry (one name -> one estimator), the Keras nets, the feature
transforms, and the estimators of experiments 06, 07, 09 and 12.

It may import ``data`` and the base modules (``errors``, ``paths``, ``atomic``, ``machine``),
never ``running``, ``results``, ``judging`` or ``reporting``. Adding a model is adding one
entry to ``registry.py`` (a ``ModelEntry``, ``entry.py``), with its builder in ``builders.py``
(for a new kind of net, also in ``nets.py``) and what it keeps for plots in ``artifacts.py``.
"""

from .assembly import build, build_estimator, check_features, check_run
from .builders import set_library_threads
from .estimator import Estimator, FitContext, start_run
from .features import default_for as default_features
from .features import seed_dependent as seed_dependent_features
from .features import version as features_version
from .naming import display_name, features_display
from .registry import (
    DEEP,
    REGISTRY,
    SHALLOW,
    ModelEntry,
    dataset_params,
    get,
    resolve_params,
)

__all__ = ["DEEP", "REGISTRY", "SHALLOW", "Estimator", "FitContext", "ModelEntry", "build",
           "build_estimator", "check_features", "check_run", "dataset_params", "default_features",
           "display_name", "features_display", "features_version", "get", "resolve_params",
           "seed_dependent_features", "set_library_threads", "start_run"]
