"""The model registry: one name -> one factory, used by every experiment and the command line.

Every model takes the dataset's raw inputs: uint8 images of shape (n, height, width), or
float32 table rows of shape (n, n_features). A shallow model is a scikit-learn pipeline: the
run's feature transform (``features.py``; pixels/255, or a table's columns, by default), then a
StandardScaler where the entry says so, then the classifier. A Keras net scales pixels to
[0, 1] itself. Adding a model is adding one entry here.

Tuning budget. The scikit-learn models use the configuration that the Fashion-MNIST paper's
grid search found best for their family (Xiao et al. 2017, Table 3), the boosters their
libraries' defaults, the Keras nets the book's fixed recipe (or the cited paper's, for the
historical nets): zero tuning runs on either side. The one exception is the tabular MLP of
experiment 11, which picks one of three shapes on a validation split of the training data.
Beside them, the search stage (``mlhistory tune``, ``running/search.py``) gives every family
that declares a ``search_space`` the same number of trials on a validation split; a run asks
for its choice with ``Run(model, tuned=True)``.

Seeds. Every builder gets the run's seed. A scikit-learn-API estimator (scikit-learn, XGBoost,
LightGBM, scikit-learn-intelex) is built by one generic factory, ``sklearn_estimator``, which
puts the seed into every parameter whose name ends in ``random_state`` (``seeded``, as
scikit-learn's benchmarks/bench_mnist.py does), so no builder passes ``random_state`` by hand.
Only builders that need the seed otherwise pass it themselves: the Keras nets (``seed=``), the
project's own wrappers (``GrownForest``, ``EarlyStoppedBooster``, the continual learners),
which seed what they build inside, and cuML's SVC, whose SMO is deterministic and takes none.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib import import_module
from typing import Any

import numpy as np

from ..data import DatasetInfo, check_classes
from ..errors import UsageError
from . import features as feature_transforms
from . import search_spaces as spaces
from .ensembles import EarlyStoppedBooster, GrownForest
from .estimator import Estimator, KerasModel, SklearnModel
from .recipes import BOOK_CONVNET, BOOK_DENSE

SHALLOW = "shallow"
DEEP = "deep"
# Lines of descent in the book's history, in its order; every model belongs to one.
LINEAGES = ("naive_bayes", "linear", "svm", "tree", "forest", "boosting", "historical_net",
            "book_net", "modern_net")


@dataclass(frozen=True)
class OnThisMachine:
    """A default that depends on the machine (the fastest installed implementation): resolved
    when a run's params are resolved (``resolve_params``), never when the registry is imported,
    and then recorded in the run's params like any other value."""

    resolve: Callable[[], Any]  # called at most once per process (``functools.cache``)
    description: str  # how ``python -m mlhistory models`` explains its value ("the fastest installed")


@dataclass(frozen=True, kw_only=True)
class ModelEntry:
    name: str
    family: str  # SHALLOW (scikit-learn, XGBoost) or DEEP (Keras)
    build: Callable[..., Any]  # build(info, seed, **params) -> an unfitted classifier (see Seeds)
    # A value may be OnThisMachine; ``default_params`` resolves it.
    defaults: dict
    preprocessing: str
    provenance: str
    stochastic: bool  # False when the fit does not depend on the seed: one seed is enough
    # What readers call it: a format string filled with the run's params ("RBF SVM (C={C:g})"),
    # or a function of them.
    display: str | Callable[[dict], str]
    # The model's line of descent in the book's history (LINEAGES), which gives it its colour
    # in every plot; a composite model that wraps another one takes its lineage from its params.
    lineage: str | Callable[[dict], str]
    standardize: bool = True  # shallow only: StandardScaler after the feature transform
    # Bump when the code behind the entry changes, so cached runs of the old code are not reused.
    version: int = 1
    # Arrays worth keeping with the run for plots: artifacts(fitted, x_test, y_test) -> dict.
    # Test data may only be *measured* here (curves), never used to choose anything.
    artifacts: Callable[..., dict] = field(default=lambda estimator, x_test, y_test: {})
    # Parameters a run may set that enter its identity only when set, so adding one later
    # leaves every earlier run's cache key unchanged; the value here is the builder's default.
    options: dict = field(default_factory=dict)
    # The types a parameter takes when they are more than its default's (a default of None, or
    # gamma's "scale" beside a number); every other parameter takes the type of its default.
    param_types: dict = field(default_factory=dict)
    needs_images: bool = False  # a net whose input layer is an image or its pixels
    # A model that first learns a task of its own on some classes of the same dataset names
    # them here, from its params; the runner's FitContext gives it the whole dataset.
    source_classes: Callable[[dict], tuple[int, ...]] | None = None
    # Whether the run computes on a GPU when one is present (a Keras net always does).
    gpu_capable: Callable[[dict], bool] = field(default=lambda params: False)
    # A model that wraps or stacks other models, trained by the project's own loop (greedy
    # layers, a pretrained base, stages, a choice among shapes): there is no bare library call
    # to hold it against, so `make bench` leaves it out of the runner-overhead part.
    composite: bool = False
    # Under --quick only (the smoke run of every experiment): params that shrink the model's
    # inner work, whatever experiment runs it; a full run never sees them.
    quick_params: dict = field(default_factory=dict)
    # What the search stage (``mlhistory tune``) may change, as plain data from the family's
    # literature: {param: ("log_float", low, high) | ("float", ...) | ("int", ...) |
    # ("log_int", ...) | ("categorical", [choices])} (``search_spaces.py``). Empty: not searched.
    search_space: dict = field(default_factory=dict)
    # Params every trial sets that the search does not choose: its training budget and early
    # stopping (the refit fixes the epochs or rounds chosen), and what every fit needs.
    search_budget: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.display:
            raise TypeError(f"model entry {self.name!r} needs a display name")
        if not callable(self.lineage) and self.lineage not in LINEAGES:
            raise TypeError(f"model entry {self.name!r} needs a lineage, one of: "
                            f"{', '.join(LINEAGES)}")
        spaces.check(self.name, self.search_space, self.search_budget,
                     set(self.defaults) | set(self.options))

    def default_params(self) -> dict:
        """The defaults, a default that depends on the machine resolved (``OnThisMachine``)."""
        return {name: value.resolve() if isinstance(value, OnThisMachine) else value
                for name, value in self.defaults.items()}

    def lineage_of(self, params: dict) -> str:
        if not callable(self.lineage):
            return self.lineage
        return self.lineage({**self.default_params(), **self.options, **params})

    def display_name(self, params: dict) -> str:
        resolved = {**self.default_params(), **self.options, **params}
        return self.display(resolved) if callable(self.display) else self.display.format(**resolved)

    @property
    def uses_keras(self) -> bool:
        return self.family == DEEP

    def device(self, params: dict) -> str:
        """Where a run of this entry computes on this machine: its GPU when it can, else the CPU."""
        from ..machine import gpu_names

        if gpu_names() and (self.uses_keras or self.gpu_capable(params)):
            return f"GPU ({gpu_names()[0]})"
        return "CPU"

    def seeds(self, seeds: list[int], seed_dependent_input: bool) -> list[int]:
        """The seed policy: a stochastic model, or one whose input depends on the seed (learned
        features, a seeded training subset), runs every seed; any other model runs once."""
        return list(seeds) if self.stochastic or seed_dependent_input else list(seeds[:1])


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


def _rbf_svm(info, seed, implementation, **params):
    if implementation not in SVM_IMPLEMENTATIONS:
        raise UsageError(f"unknown SVM implementation {implementation!r}; choose one of: "
                         f"{', '.join(SVM_IMPLEMENTATIONS)}")
    svc = import_module(SVM_IMPLEMENTATIONS[implementation]).SVC(kernel="rbf", **params)
    return svc if implementation == "cuml" else seeded(svc, seed)  # cuML's SMO takes no seed


def _random_forest(info, seed, growth_step=None, n_estimators=100, **params):
    if growth_step is not None:
        return GrownForest(seed, step=growth_step, max_trees=n_estimators, params=params)
    from sklearn.ensemble import RandomForestClassifier

    return seeded(RandomForestClassifier(n_estimators=n_estimators, n_jobs=-1, **params), seed)


def _xgboost(info, seed, early_stopping_rounds=None, n_estimators=100, **params):
    from ..machine import gpu_available

    # The GPU is used when one is present; each row records the device it ran on.
    params = {"tree_method": "hist", "device": "cuda" if gpu_available() else "cpu",
              "n_jobs": -1, **params}
    if early_stopping_rounds is not None:
        return EarlyStoppedBooster("xgboost", seed, n_estimators, early_stopping_rounds, params)
    from xgboost import XGBClassifier

    return seeded(XGBClassifier(n_estimators=n_estimators, **params), seed)


def _lightgbm(info, seed, early_stopping_rounds=None, n_estimators=100, **params):
    params = {"n_jobs": -1, **params}
    if early_stopping_rounds is not None:
        return EarlyStoppedBooster("lightgbm", seed, n_estimators, early_stopping_rounds, params)
    from lightgbm import LGBMClassifier

    return seeded(LGBMClassifier(n_estimators=n_estimators, verbose=-1, **params), seed)


def _budgeted(name: str, count: str, unit: str, stopping: str) -> Callable[[dict], str]:
    """ "XGBoost (100 rounds)", "Book's convnet (5 epochs)"; on the fair budget, where the
    ``stopping`` param is set, "(early stopping, up to 1000 rounds)"."""
    def display(params: dict) -> str:
        bound = "early stopping, up to " if params.get(stopping) is not None else ""
        return f"{name} ({bound}{params[count]} {unit})"
    return display


def _rounds_for(name: str) -> Callable[[dict], str]:
    return _budgeted(name, "n_estimators", "rounds", "early_stopping_rounds")


def _forest_display(params: dict) -> str:
    if params.get("growth_step") is None:
        return f"Random forest ({params['n_estimators']} trees)"
    return (f"Random forest (grown {params['growth_step']} trees at a time, up to "
            f"{params['n_estimators']})")


def _linear_weights(pipeline, x_test, y_test) -> dict:
    return {"coef": pipeline[-1].coef_.astype(np.float32)}


def _tree_structure(pipeline, x_test, y_test) -> dict:
    """The fitted tree's nodes (for drawing its top levels) and its pixel importances."""
    tree = pipeline[-1].tree_
    return {"tree_feature": tree.feature, "tree_threshold": tree.threshold.astype(np.float32),
            "tree_left": tree.children_left, "tree_right": tree.children_right,
            "tree_samples": tree.n_node_samples,
            "tree_class": tree.value[:, 0, :].argmax(axis=1),
            "importances": pipeline[-1].feature_importances_.astype(np.float32)}


def _staged_accuracy(stage_predictions, y_test) -> np.ndarray:
    return np.asarray([np.mean(predicted == y_test) for predicted in stage_predictions],
                      dtype=np.float32)


def _staged_forest(pipeline, x_test, y_test) -> dict:
    """Test accuracy of the first k trees' vote, for every k: no refits, one forest."""
    inputs = pipeline[:-1].transform(x_test)
    forest = pipeline[-1]
    summed = np.zeros((len(x_test), len(forest.classes_)))
    stages = []
    for tree in forest.estimators_:
        summed += tree.predict_proba(inputs)
        stages.append(forest.classes_[summed.argmax(axis=1)])
    return {"staged_accuracy": _staged_accuracy(stages, y_test),
            "importances": forest.feature_importances_.astype(np.float32)}


def _staged_booster(pipeline, x_test, y_test) -> dict:
    """Test accuracy after each boosting round (log-spaced rounds on the fair budget), from the
    one fitted booster."""
    inputs = pipeline[:-1].transform(x_test)
    booster = pipeline[-1]
    if isinstance(booster, EarlyStoppedBooster):
        return booster.staged_artifacts(inputs, y_test)
    if hasattr(booster, "booster_"):  # LightGBM
        stages = (booster.predict(inputs, num_iteration=rounds)
                  for rounds in range(1, booster.n_estimators + 1))
    else:
        stages = (booster.predict(inputs, iteration_range=(0, rounds))
                  for rounds in range(1, booster.n_estimators + 1))
    return {"staged_accuracy": _staged_accuracy(stages, y_test)}


def _staged_boosting(pipeline, x_test, y_test) -> dict:
    inputs = pipeline[:-1].transform(x_test)
    return {"staged_accuracy": _staged_accuracy(pipeline[-1].staged_predict(inputs), y_test)}


# --- Keras nets ------------------------------------------------------------------------------


def _keras(network_name):
    def build(info: DatasetInfo, seed: int, **params):
        from . import nets

        return nets.KerasClassifier(getattr(nets, network_name), info, seed=seed, **params)

    return build


def _trained_for(name: str) -> Callable[[dict], str]:
    return _budgeted(name, "epochs", "epochs", "patience")


# A Keras net's early stopping (the fair budget, running/budgets.py) is an option, so the book's
# fixed-epoch recipe keeps its cache key.
EARLY_STOPPING = {"patience": None}
# What the search changes of a net besides its recipe's params, options likewise: what early
# stopping watches, the learning-rate decay, and (for the book's nets) dropout before the
# classifier.
NET_SEARCH = {"stop_on": "val_loss", "lr_decay": None}
# The pixel scaling of a model that standardises (``build``), an option the search sets: None
# keeps the entry's own.
SCALING = {"scaling": None}


def _keras_artifacts(classifier, x_test, y_test) -> dict:
    return classifier.artifacts()


def _stacked_dense(info, seed, **params):
    from .layered_nets import StackedDenseClassifier

    return StackedDenseClassifier(info, **params)


def _depth_recipe(info, seed, **params):
    from .layered_nets import DepthRecipeClassifier

    return DepthRecipeClassifier(info, seed=seed, **params)


def _probed_convnet(info, seed, **params):
    from .layered_nets import ProbedClassifier

    return ProbedClassifier(info, seed=seed, **params)


def _probe_artifacts(classifier, x_test, y_test) -> dict:
    return {**classifier.artifacts(), **classifier.layer_artifacts(x_test, y_test)}


def _transfer_convnet(info, seed, **params):
    from .reused_nets import TransferClassifier

    return TransferClassifier(info, seed=seed, **params)


def _continual_net(info, seed, **params):
    from .reused_nets import ContinualKeras

    return ContinualKeras(info, seed=seed, **params)


def _continual_shallow(info, seed, **params):
    from .reused_nets import ContinualSklearn

    return ContinualSklearn(info, seed=seed, **params)


def _staged_net_artifacts(classifier, x_test, y_test) -> dict:
    return classifier.staged_artifacts(x_test, y_test)


def _staged_shallow_artifacts(pipeline, x_test, y_test) -> dict:
    return pipeline[-1].staged_artifacts(pipeline[:-1].transform(x_test), y_test)


def _tabular_mlp(info, seed, **params):
    from .nets import TabularMLPClassifier

    return TabularMLPClassifier(info, seed=seed, **params)


# What readers call the nets and shallow learners that can continue (experiment 12).
BOOK_NETS = {"dense": "dense net", "convnet": "convnet"}
CONTINUAL_LEARNERS = {"sgd_hinge": "Linear SVM (SGD)", "gaussian_nb": "Gaussian naive Bayes"}
# The continual wrappers belong to the lineage of the model they continue.
CONTINUAL_LINEAGES = {"sgd_hinge": "svm", "gaussian_nb": "naive_bayes"}


def _continual_net_lineage(params: dict) -> str:
    return REGISTRY[params["network"]].lineage_of({})


def _continual_shallow_lineage(params: dict) -> str:
    return CONTINUAL_LINEAGES[params["learner"]]


FASHION_TABLE_3 = "Fashion-MNIST paper (Xiao et al. 2017) Table 3, best configuration"
STANDARDIZED = "pixels/255, flattened, standardised (StandardScaler fitted on train)"
# Trees split on thresholds, so standardising would change nothing but the split values.
TREE_INPUT = "pixels/255, flattened (trees need no standardisation)"

REGISTRY: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in [
        ModelEntry(name="gaussian_nb", family=SHALLOW,
                   build=sklearn_estimator("sklearn.naive_bayes.GaussianNB"),
                   defaults={"var_smoothing": 1e-9}, preprocessing=STANDARDIZED,
                   provenance=FASHION_TABLE_3, stochastic=False,
                   lineage="naive_bayes", display="Gaussian naive Bayes",
                   search_space=spaces.GAUSSIAN_NB),
        ModelEntry(name="bernoulli_nb", family=SHALLOW,
                   build=sklearn_estimator("sklearn.naive_bayes.BernoulliNB"),
                   defaults={"alpha": 1.0, "binarize": 0.5},
                   preprocessing="pixels/255, flattened, binarised at 0.5",
                   provenance="scikit-learn defaults, ink threshold at mid-grey",
                   stochastic=False, standardize=False,
                   lineage="naive_bayes", display="Bernoulli naive Bayes",
                   search_space=spaces.BERNOULLI_NB),
        ModelEntry(name="logreg", family=SHALLOW,
                   build=sklearn_estimator("sklearn.linear_model.LogisticRegression"),
                   defaults={"C": 1.0, "max_iter": 1000}, preprocessing=STANDARDIZED,
                   provenance=FASHION_TABLE_3 + " (C=1), multinomial (lbfgs) rather than one-vs-rest",
                   stochastic=False, artifacts=_linear_weights,
                   lineage="linear", display="Logistic regression (C={C:g})",
                   search_space=spaces.LOGREG, search_budget=spaces.LOGREG_BUDGET),
        ModelEntry(name="perceptron", family=SHALLOW,
                   build=sklearn_estimator("sklearn.linear_model.Perceptron", n_jobs=-1),
                   defaults={"penalty": None, "max_iter": 1000, "tol": 1e-3},
                   preprocessing=STANDARDIZED,
                   provenance="Rosenblatt 1958: one layer of threshold units and the perceptron "
                   "rule (scikit-learn's Perceptron, one against the rest, library defaults)",
                   stochastic=True, artifacts=_linear_weights, options=SCALING,
                   param_types={"tol": (float, type(None))},  # None: exactly max_iter epochs
                   lineage="historical_net", display="Perceptron (1958)",
                   search_space=spaces.PERCEPTRON, search_budget=spaces.PERCEPTRON_BUDGET),
        # LinearSVC's solvers do not converge within the time budget on 60,000 standardised
        # images here; the same hinge-loss linear SVM trained by SGD does, in seconds.
        ModelEntry(name="linear_svm", family=SHALLOW,
                   build=sklearn_estimator("sklearn.linear_model.SGDClassifier", loss="hinge",
                                           n_jobs=-1),
                   defaults={"alpha": 1e-4, "early_stopping": True, "validation_fraction": 0.1},
                   preprocessing=STANDARDIZED,
                   provenance="a linear SVM (hinge loss) trained by SGD, scikit-learn defaults, "
                   "early stopping on 10 % of the training split",
                   stochastic=True, artifacts=_linear_weights, options=SCALING,
                   lineage="svm", display="Linear SVM (SGD, hinge)",
                   search_space=spaces.LINEAR_SVM),
        ModelEntry(name="rbf_svm", family=SHALLOW, build=_rbf_svm,
                   defaults={"C": 10.0, "gamma": "scale",
                             "implementation": OnThisMachine(best_svm_implementation,
                                                             "the fastest installed")},
                   preprocessing=STANDARDIZED, provenance=FASHION_TABLE_3 + " (SVC, C=10, rbf)",
                   stochastic=False,
                   lineage="svm", display="RBF SVM (C={C:g})",
                   param_types={"gamma": (str, int, float)},  # "scale", "auto" or a number
                   gpu_capable=lambda params: params["implementation"] == "cuml",
                   options=SCALING, search_space=spaces.RBF_SVM),
        ModelEntry(name="decision_tree", family=SHALLOW,
                   build=sklearn_estimator("sklearn.tree.DecisionTreeClassifier"),
                   defaults={"criterion": "entropy", "max_depth": 10}, preprocessing=TREE_INPUT,
                   provenance=FASHION_TABLE_3 + " (entropy, max_depth=10)", stochastic=True,
                   standardize=False, artifacts=_tree_structure, options={"min_samples_leaf": 1},
                   param_types={"max_depth": (int, type(None))},  # None: grown to purity
                   lineage="tree", display="Decision tree (depth {max_depth})",
                   search_space=spaces.DECISION_TREE),
        ModelEntry(name="random_forest", family=SHALLOW, build=_random_forest,
                   defaults={"n_estimators": 100, "criterion": "entropy", "max_depth": 100},
                   preprocessing=TREE_INPUT,
                   provenance=FASHION_TABLE_3 + " (100 trees, entropy, max_depth=100)",
                   stochastic=True, standardize=False, artifacts=_staged_forest,
                   options={"growth_step": None, "max_features": "sqrt"},
                   # None: grown to purity; max_features a rule's name or a share of features
                   param_types={"max_depth": (int, type(None)), "max_features": (str, float)},
                   lineage="forest", display=_forest_display, search_space=spaces.RANDOM_FOREST),
        # Without row or column subsampling both boosters are deterministic: the seed
        # changes nothing, so they run once.
        ModelEntry(name="xgboost", family=SHALLOW, build=_xgboost,
                   defaults={"n_estimators": 100, "max_depth": 6, "learning_rate": 0.3},
                   preprocessing=TREE_INPUT,
                   provenance="XGBoost hist, library defaults (100 rounds, depth 6, learning "
                   "rate 0.3)",
                   stochastic=False, standardize=False, artifacts=_staged_booster,
                   options={"early_stopping_rounds": None, "subsample": 1.0,
                            "colsample_bytree": 1.0, "min_child_weight": 1.0},
                   lineage="boosting", display=_rounds_for("XGBoost"),
                   gpu_capable=lambda params: True,
                   search_space=spaces.XGBOOST, search_budget=spaces.BOOSTER_BUDGET),
        ModelEntry(name="lightgbm", family=SHALLOW, build=_lightgbm,
                   defaults={"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31},
                   preprocessing=TREE_INPUT,
                   provenance="LightGBM, library defaults (100 rounds, learning rate 0.1, "
                   "31 leaves)",
                   stochastic=False, standardize=False, artifacts=_staged_booster,
                   options={"early_stopping_rounds": None, "subsample": 1.0, "subsample_freq": 0,
                            "colsample_bytree": 1.0, "min_child_samples": 20},
                   lineage="boosting", display=_rounds_for("LightGBM"),
                   search_space=spaces.LIGHTGBM, search_budget=spaces.LIGHTGBM_BUDGET),
        ModelEntry(name="poly_svm", family=SHALLOW,
                   build=sklearn_estimator("sklearn.svm.SVC", kernel="poly"),
                   defaults={"C": 10.0, "degree": 2, "coef0": 1.0}, preprocessing=STANDARDIZED,
                   provenance="SVC with a degree-2 polynomial kernel, C as the RBF SVM's",
                   stochastic=False,
                   lineage="svm", display="Polynomial-kernel SVM (degree {degree})"),
        ModelEntry(name="hist_gradient_boosting", family=SHALLOW,
                   build=sklearn_estimator("sklearn.ensemble.HistGradientBoostingClassifier"),
                   defaults={"max_iter": 100, "learning_rate": 0.1, "early_stopping": False},
                   preprocessing=TREE_INPUT,
                   provenance="scikit-learn HistGradientBoostingClassifier, library defaults "
                   "(100 rounds, learning rate 0.1), early stopping off so every round is kept, "
                   "as for XGBoost",
                   stochastic=False, standardize=False, artifacts=_staged_boosting,
                   lineage="boosting", display="scikit-learn gradient boosting ({max_iter} rounds)"),
        ModelEntry(name="mlp_1986", family=DEEP, build=_keras("mlp_1986"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.1},
                   preprocessing="pixels/255, flattened",
                   provenance="Rumelhart, Hinton & Williams 1986: 300 sigmoid units, plain SGD",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   lineage="historical_net", display=_trained_for("1986 MLP (sigmoid, SGD)"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="lenet1989", family=DEEP, build=_keras("lenet1989"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.05},
                   preprocessing="resized to 16x16, pixels scaled to [-1, 1]",
                   provenance="LeCun et al. 1989 (zip codes): 12@8x8, 12@4x4 strided 5x5 convs, "
                   "30 tanh, plain SGD",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   lineage="historical_net", display=_trained_for("LeNet-1989"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="lenet5", family=DEEP, build=_keras("lenet5"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.05},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="LeCun et al. 1998: 6@5x5, avg-pool, 16@5x5, avg-pool, 120, 84, 10, "
                   "tanh, plain SGD",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   lineage="historical_net", display=_trained_for("LeNet-5 (1998)"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="convnet_modern", family=DEEP, build=_keras("convnet_modern"),
                   defaults={"epochs": 5, "batch_size": 64, "optimizer": "adam",
                             "learning_rate": None},
                   preprocessing="pixels/255, 28x28x1 image, random shifts of up to 10 % while "
                   "training",
                   provenance="the book's convnet with batch normalisation, dropout, Adam and "
                   "augmentation",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH}, lineage="book_net",
                   display=_trained_for("Book's convnet + BN, dropout, augmentation"),
                   search_space=spaces.MODERN_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="dense", family=DEEP, build=_keras("dense_network"),
                   defaults=BOOK_DENSE.params(), preprocessing="pixels/255, flattened",
                   provenance="Deep Learning with Python, ch. 2: Dense(512, relu) -> "
                   "Dense(10, softmax)",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0, **EARLY_STOPPING, **NET_SEARCH,
                            "dropout": None},
                   lineage="book_net", display=_trained_for("Book's dense net"),
                   search_space=spaces.BOOK_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="convnet", family=DEEP, build=_keras("convnet"),
                   defaults=BOOK_CONVNET.params(), preprocessing="pixels/255, 28x28x1 image",
                   provenance="Deep Learning with Python, 2nd ed. ch. 8: Conv "
                   "32-pool-64-pool-128-Dense 10",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0, **EARLY_STOPPING, **NET_SEARCH,
                            "dropout": None},
                   lineage="book_net", display=_trained_for("Book's convnet"),
                   search_space=spaces.BOOK_NET, search_budget=spaces.NET_BUDGET),
        # --- what makes deep learning different, and why now (experiments 06-10) ---
        ModelEntry(name="stacked_dense", family=DEEP, build=_stacked_dense,
                   defaults={"depth": 1, "width": 256, "training": "joint",
                             "epochs_per_layer": 1, "batch_size": 128, "optimizer": "rmsprop",
                             "learning_rate": None},
                   preprocessing="pixels/255, flattened",
                   provenance="k Dense(relu) layers, trained greedily (each layer under a "
                   "temporary head, the layers below frozen) or jointly, the same total epochs",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   composite=True,
                   lineage="modern_net", display="Dense stack, depth {depth}, {training} training"),
        ModelEntry(name="depth_recipe", family=DEEP, build=_depth_recipe,
                   defaults={"depth": 2, "width": 128, "recipe": "2010", "epochs": 5,
                             "batch_size": 128},
                   preprocessing="pixels/255, flattened",
                   provenance="dense net of a given depth: 1990s (tanh, LeCun init, SGD at the "
                   "learning rate that scores best on validation at depth 2), 2010 (ReLU, He "
                   "init, Adam) or 2015 (2010 + batch norm + residual connections)",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={"learning_rates": None}, composite=True,
                   lineage="modern_net", display="{recipe} recipe, depth {depth}"),
        ModelEntry(name="probed_convnet", family=DEEP, build=_probed_convnet,
                   defaults={"epochs": 5, "batch_size": 64, "optimizer": "rmsprop",
                             "learning_rate": None, "probe_train": 5000, "probe_dims": 256,
                             "projection_points": 1000, "sample_images": 3},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="the book's convnet, then a linear probe (PCA + logistic "
                   "regression, fitted on training images) on the output of every layer",
                   stochastic=True, artifacts=_probe_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0}, composite=True,
                   lineage="book_net", display="Book's convnet, probed ({epochs} epochs)"),
        # --- will it last (experiment 12) ---
        ModelEntry(name="transfer_convnet", family=DEEP, build=_transfer_convnet,
                   defaults={"mode": "frozen", "source_classes": (0, 1, 2, 3, 4),
                             "base_epochs": 5, "epochs": 5, "batch_size": 64,
                             "optimizer": "rmsprop", "learning_rate": None,
                             "finetune_learning_rate": 1e-4, "min_steps_per_epoch": 0},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="the book's convnet pretrained on the source classes (5 epochs); "
                   "its base under a new head, frozen or fine-tuned",
                   stochastic=True, artifacts=_keras_artifacts, needs_images=True,
                   options={"source_n_train": None}, composite=True,
                   source_classes=lambda params: tuple(params["source_classes"]),
                   lineage="book_net", display="Book's convnet transferred ({mode})"),
        ModelEntry(name="continual_net", family=DEEP, build=_continual_net,
                   defaults={"network": "dense", "mode": "continue", "stages": 3,
                             "epochs_per_stage": 1, "batch_size": 128, "optimizer": "rmsprop",
                             "learning_rate": None},
                   preprocessing="pixels/255",
                   provenance="the book's dense net or convnet, trained on each new part of the "
                   "data in turn (continue) or retrained on all data so far (scratch)",
                   stochastic=True, artifacts=_staged_net_artifacts, needs_images=True,
                   composite=True, lineage=_continual_net_lineage,
                   display=lambda params: (f"Book's {BOOK_NETS[params['network']]} "
                                          f"({params['mode']})")),
        ModelEntry(name="continual_shallow", family=SHALLOW, build=_continual_shallow,
                   defaults={"learner": "sgd_hinge", "mode": "continue", "stages": 3,
                             "epochs_per_stage": 1},
                   preprocessing="pixels/255, flattened (not standardised: the scaler would see "
                   "all stages)",
                   provenance="scikit-learn partial_fit: SGD hinge loss (a linear SVM) or "
                   "Gaussian naive Bayes, continued on new data or restarted",
                   stochastic=True, standardize=False, artifacts=_staged_shallow_artifacts,
                   composite=True, lineage=_continual_shallow_lineage,
                   display=lambda params: (f"{CONTINUAL_LEARNERS[params['learner']]}, partial fit "
                                          f"({params['mode']})")),
        # --- the modern landscape (experiment 11) ---
        ModelEntry(name="tabular_mlp", family=DEEP, build=_tabular_mlp,
                   defaults={"epochs": 30, "batch_size": 256, "patience": 3,
                             "validation_fraction": 0.1},
                   preprocessing="columns (images: pixels/255, flattened), standardised by the net",
                   provenance="MLP, 3 candidate shapes, each with early stopping on a validation "
                   "split of the training data; the best on validation is kept",
                   stochastic=True, artifacts=_keras_artifacts, composite=True,
                   quick_params={"epochs": 5},  # each candidate; early stopping still applies
                   lineage="modern_net", display="MLP (early stopping)"),
    ]
}


def get(name: str) -> ModelEntry:
    if name not in REGISTRY:
        raise UsageError(f"unknown model '{name}'; choose one of: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def resolve_params(name: str, overrides: dict | None = None) -> dict:
    """The entry's defaults with overrides applied; an unknown parameter is a usage error.

    A default that depends on the machine (``OnThisMachine``: the RBF SVM's implementation) is
    resolved here, so the value a run used is in its params, its cache key and its manifest.
    Lists become tuples, so a spec holding them stays hashable.
    """
    entry = get(name)
    overrides = {key: tuple(value) if isinstance(value, list) else value
                 for key, value in (overrides or {}).items()}
    unknown = sorted(set(overrides) - set(entry.defaults) - set(entry.options))
    if unknown:
        raise UsageError(f"model '{name}' has no parameter {', '.join(unknown)}; "
                         f"it takes: {', '.join([*entry.defaults, *entry.options])}")
    for key, value in overrides.items():
        _check_type(entry, key, value)
    return {**entry.default_params(), **overrides}


def dataset_params(name: str, info: DatasetInfo) -> dict:
    """What a run of the model takes from its dataset's catalogue entry (a run's own params
    override it): a net that can repeat its data within an epoch (``min_steps_per_epoch``)
    makes at least the dataset's minimum of gradient steps per epoch on a small training set."""
    entry = get(name)
    takes_steps = "min_steps_per_epoch" in {**entry.defaults, **entry.options}
    if takes_steps and info.min_steps_per_epoch:
        return {"min_steps_per_epoch": info.min_steps_per_epoch}
    return {}


# What a default of each type says a parameter takes; a bool is no number here.
TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
              tuple: "a list", type(None): "null"}


def _check_type(entry: ModelEntry, key: str, value) -> None:
    """A parameter of the wrong type fails here, in one line, rather than deep inside a fit."""
    default = {**entry.default_params(), **entry.options}[key]
    if key in entry.param_types:
        accepted = entry.param_types[key]
    elif default is None:
        return  # nothing says what the builder expects
    else:
        accepted = (int, float) if type(default) is float else (type(default),)
    if type(value) in accepted:
        return
    # A float takes whole numbers too: "a number" says both.
    named = [kind for kind in accepted if not (kind is int and float in accepted)]
    wanted = " or ".join(TYPE_NAMES.get(kind, kind.__name__) for kind in named)
    raise UsageError(f"model '{entry.name}': parameter {key} takes {wanted} (its default is "
                     f"{default!r}), not {value!r}")


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


def features_display(features: str) -> str | None:
    """What readers call a run's features ("HOG"); None for the dataset's own inputs."""
    return None if features in feature_transforms.OWN_INPUTS else feature_transforms.display_name(features)


def display_name(name: str, params: dict, features: str) -> str:
    """What tables call a run of the model on the experiment's data: "RBF SVM (C=10) on HOG"."""
    shown = get(name).display_name(params)
    features_shown = features_display(features)
    return f"{shown} on {features_shown}" if features_shown else shown
