"""The builders of the registry's models: build(info, seed, **params) -> an unfitted classifier.

Seeds. Every builder gets the run's seed. A scikit-learn-API estimator (scikit-learn, XGBoost,
LightGBM, scikit-learn-intelex) is built by one generic factory, ``sklearn_estimator``, which
puts the seed into every parameter whose name ends in ``random_state`` (``seeded``, as
scikit-learn's benchmarks/bench_mnist.py does), so no builder passes ``random_state`` by hand.
Only builders that need the seed otherwise pass it themselves: the Keras nets (``seed=``), the
project's own wrappers (``GrownForest``, ``EarlyStoppedBooster``, the continual learners),
which seed what they build inside, and cuML's SVC, whose SMO is deterministic and takes none.
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module
from typing import Any

from ..data import DatasetInfo
from ..errors import UsageError

# Threads the libraries that take them as arguments compute on, set for the whole process by the
# runner's thread layout (running/threads.py): the boosters' n_jobs (-1: as many as OpenMP
# allows) and oneDAL's threads (None: its default, every core). Never part of a run's params.
LIBRARY_THREADS = {"booster_n_jobs": -1, "onedal": None}


def set_library_threads(booster_n_jobs: int = -1, onedal: int | None = None) -> None:
    LIBRARY_THREADS.update(booster_n_jobs=booster_n_jobs, onedal=onedal)
    if onedal is not None:
        import sys

        if "daal4py" in sys.modules:  # loaded already; otherwise rbf_svm sets it as it loads
            sys.modules["daal4py"].daalinit(onedal)

# --- shallow classifiers ---------------------------------------------------------------------


def seeded(estimator, seed: int):
    """``estimator`` with ``seed`` in every parameter whose name ends in ``random_state``, its
    nested estimators' included (scikit-learn's benchmarks/bench_mnist.py seeds its own so)."""
    return estimator.set_params(**{name: seed for name in estimator.get_params()
                                   if name.endswith("random_state")})


def sklearn_estimator(path: str, **fixed) -> Callable[..., Any]:
    """The builder of the scikit-learn-API class at ``path`` ("sklearn.svm.SVC"), imported only
    when a run builds it: the ``fixed`` arguments and the run's params, then the seed."""
    module, _, name = path.rpartition(".")

    def build(info, seed, **params):
        return seeded(getattr(import_module(module), name)(**fixed, **params), seed)

    return build


# The RBF SVM's implementations, each the same model (libsvm's SMO formulation, same C, gamma
# and tolerance): scikit-learn's libsvm; Intel's oneDAL through scikit-learn-intelex, about 6x
# faster here at equal accuracy (`make bench` measures both); RAPIDS cuML on a GPU.
SVM_IMPLEMENTATIONS = {"stock": "sklearn.svm", "sklearnex": "sklearnex.svm", "cuml": "cuml.svm"}


@cache
def best_svm_implementation() -> str:
    """The fastest implementation installed here: cuML on a GPU, then oneDAL, then libsvm.

    It is a param of every RBF SVM run, so it enters the run's cache key and the report."""
    from importlib.util import find_spec

    from ..machine import gpu_available

    if gpu_available() and find_spec("cuml") is not None:
        return "cuml"
    return "sklearnex" if find_spec("sklearnex") is not None else "stock"


def rbf_svm(info, seed, implementation, **params):
    if implementation not in SVM_IMPLEMENTATIONS:
        raise UsageError(f"unknown SVM implementation {implementation!r}; choose one of: "
                         f"{', '.join(SVM_IMPLEMENTATIONS)}")
    svc = import_module(SVM_IMPLEMENTATIONS[implementation]).SVC(kernel="rbf", **params)
    if implementation == "sklearnex" and LIBRARY_THREADS["onedal"] is not None:
        import daal4py

        daal4py.daalinit(LIBRARY_THREADS["onedal"])
    return svc if implementation == "cuml" else seeded(svc, seed)  # cuML's SMO takes no seed


def random_forest(info, seed, growth_step=None, n_estimators=100, **params):
    if growth_step is not None:
        from .ensembles import GrownForest

        return GrownForest(seed, step=growth_step, max_trees=n_estimators, params=params)
    from sklearn.ensemble import RandomForestClassifier

    return seeded(RandomForestClassifier(n_estimators=n_estimators, n_jobs=-1, **params), seed)


def xgboost_classifier(info, seed, early_stopping_rounds=None, n_estimators=100, **params):
    from ..machine import gpu_available

    # The GPU is used when one is present; each row records the device it ran on.
    params = {"tree_method": "hist", "device": "cuda" if gpu_available() else "cpu",
              "n_jobs": LIBRARY_THREADS["booster_n_jobs"], **params}
    if early_stopping_rounds is not None:
        from .ensembles import EarlyStoppedBooster

        return EarlyStoppedBooster("xgboost", seed, n_estimators, early_stopping_rounds, params)
    from xgboost import XGBClassifier

    return seeded(XGBClassifier(n_estimators=n_estimators, **params), seed)


def lightgbm_classifier(info, seed, early_stopping_rounds=None, n_estimators=100, **params):
    params = {"n_jobs": LIBRARY_THREADS["booster_n_jobs"], **params}
    if early_stopping_rounds is not None:
        from .ensembles import EarlyStoppedBooster

        return EarlyStoppedBooster("lightgbm", seed, n_estimators, early_stopping_rounds, params)
    from lightgbm import LGBMClassifier

    return seeded(LGBMClassifier(n_estimators=n_estimators, verbose=-1, **params), seed)


# --- Keras nets ------------------------------------------------------------------------------


def keras_net(network_name):
    def build(info: DatasetInfo, seed: int, **params):
        from . import nets

        return nets.KerasClassifier(getattr(nets, network_name), info, seed=seed, **params)

    return build


def stacked_dense(info, seed, **params):
    from .layered_nets import StackedDenseClassifier

    return StackedDenseClassifier(info, **params)


def depth_recipe(info, seed, **params):
    from .layered_nets import DepthRecipeClassifier

    return DepthRecipeClassifier(info, seed=seed, **params)


def probed_convnet(info, seed, **params):
    from .layered_nets import ProbedClassifier

    return ProbedClassifier(info, seed=seed, **params)


def transfer_convnet(info, seed, **params):
    from .reused_nets import TransferClassifier

    return TransferClassifier(info, seed=seed, **params)


def continual_net(info, seed, **params):
    from .reused_nets import ContinualKeras

    return ContinualKeras(info, seed=seed, **params)


def continual_shallow(info, seed, **params):
    from .reused_nets import ContinualSklearn

    return ContinualSklearn(info, seed=seed, **params)


def tabular_mlp(info, seed, **params):
    from .tabular_net import TabularMLPClassifier

    return TabularMLPClassifier(info, seed=seed, **params)
