"""The model registry: one name -> one factory, used by every experiment and the command line.

Every model takes the dataset's raw inputs: uint8 images of shape (n, height, width), or
float32 table rows of shape (n, n_features). A shallow model is a scikit-learn pipeline: the
run's feature transform (``features.py``; pixels/255, or a table's columns, by default), then a
StandardScaler where the entry says so, then the classifier. A Keras net scales pixels to
[0, 1] itself. Adding a model is adding one entry here.

Tuning budget. The scikit-learn models use the configuration that the Fashion-MNIST paper's
grid search found best for their family (Xiao et al. 2017, Table 3), the boosters their
libraries' defaults, the Keras nets the book's fixed recipe (or the cited paper's, for the
historical nets), the tabular MLP of experiment 11 the best of three shapes on a validation
split of the training data. Beside these recipes, the search stage (``mlhistory tune``,
``running/search.py``) gives every family that declares a ``search_space`` the same number of
trials on a validation split; a run asks for its choice with ``Run(model, tuned=True)``.

The entries are ``ModelEntry`` objects (``entry.py``), their builders are in ``builders.py``
(with the seeding rule), what they keep for plots in ``artifacts.py``.
"""

from ..data import DatasetInfo
from ..errors import UsageError
from . import artifacts, builders
from . import search_spaces as spaces
from .entry import (
    BOOK_NETS,
    CONTINUAL_LEARNERS,
    DEEP,
    LINEAGES,
    SHALLOW,
    ModelEntry,
    OnThisMachine,
    forest_display,
    rounds_for,
    tabular_display,
    trained_for,
)
from .recipes import BOOK_CONVNET, BOOK_DENSE

__all__ = ["DEEP", "LINEAGES", "REGISTRY", "SHALLOW", "ModelEntry", "OnThisMachine",
           "dataset_params", "get", "resolve_params"]

# A Keras net's early stopping (the fair budget, running/budgets.py) is an option, so the book's
# fixed-epoch recipe keeps its cache key. What the search changes of a net besides its recipe's
# params, options likewise: what early stopping watches, the learning-rate decay (and dropout).
EARLY_STOPPING = {"patience": None}
NET_SEARCH = {"stop_on": "val_loss", "lr_decay": None}
# The pixel scaling of a model that standardises (``build``), set by the search (None: its own).
SCALING = {"scaling": None}
# The tabular MLP's one searched shape (None: its recipe's three candidates), options likewise.
TABULAR_SHAPE = {"width": None, "depth": 1, "dropout": 0.0, "learning_rate": None, "stop_on": "val_loss"}
TABULAR_TYPES = {"width": (int, type(None)), "patience": (int, type(None))}  # None: no early stop

CONTINUAL_LINEAGES = {"sgd_hinge": "svm", "gaussian_nb": "naive_bayes"}  # those they continue


def _continual_net_lineage(params: dict) -> str:
    return REGISTRY[params["network"]].lineage_of({})


def _continual_shallow_lineage(params: dict) -> str:
    return CONTINUAL_LINEAGES[params["learner"]]


# Under --quick the nets train 2 epochs, the boosters 30 rounds, scikit-learn's 10 and the
# forests 30 trees (their quick_params): the same code on a fraction of the work. XGBoost bins
# each pixel into 64 bins rather than 256 (make bench's bins rows compare them): on 1,000 MNIST
# images its 30 rounds take 1.6 CPU seconds rather than 3.5, within a point of accuracy. The
# probed convnet's probes keep 64 principal components rather than 256.
FASHION_TABLE_3 = "Fashion-MNIST paper (Xiao et al. 2017) Table 3, best configuration"
STANDARDIZED = "pixels/255, flattened, standardised (StandardScaler fitted on train)"
# Trees split on thresholds, so standardising would change nothing but the split values.
TREE_INPUT = "pixels/255, flattened (trees need no standardisation)"

# The probabilistic models keep each test image's confidence (experiment 01's calibration
# claim) with their version unchanged: the fitted model and its predictions are the same, so
# no cached run is invalidated; a run cached before lacks it, which the claim says.

# Version 2 of the probed convnet keeps each layer's linear CKA with the input (experiment 07);
# version 3 each layer's probe predictions of the test images.
PROBE_PREDICTIONS_KEPT = 3
# Version 2 of the depth recipes: the 1990s recipe starts from the period's small uniform
# initialisation and chooses its learning rate at each depth (it took LeCun's and chose at 2).
PERIOD_INIT_PER_DEPTH = 2

REGISTRY: dict[str, ModelEntry] = {
    entry.name: entry
    for entry in [
        ModelEntry(name="gaussian_nb", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.naive_bayes.GaussianNB"),
                   defaults={"var_smoothing": 1e-9}, preprocessing=STANDARDIZED,
                   provenance=FASHION_TABLE_3, stochastic=False,
                   artifacts=artifacts.confidence,
                   lineage="naive_bayes", display="Gaussian naive Bayes",
                   search_space=spaces.GAUSSIAN_NB),
        ModelEntry(name="bernoulli_nb", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.naive_bayes.BernoulliNB"),
                   defaults={"alpha": 1.0, "binarize": 0.5},
                   preprocessing="pixels/255, flattened, binarised at 0.5",
                   provenance="scikit-learn defaults, ink threshold at mid-grey",
                   stochastic=False, standardize=False,
                   artifacts=artifacts.confidence,
                   lineage="naive_bayes", display="Bernoulli naive Bayes",
                   search_space=spaces.BERNOULLI_NB),
        ModelEntry(name="logreg", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.linear_model.LogisticRegression"),
                   defaults={"C": 1.0, "max_iter": 1000}, preprocessing=STANDARDIZED,
                   provenance=FASHION_TABLE_3 + " (C=1), multinomial (lbfgs) rather than one-vs-rest",
                   stochastic=False, artifacts=artifacts.linear_weights_and_confidence,
                   lineage="linear", display="Logistic regression (C={C:g})",
                   search_space=spaces.LOGREG, search_budget=spaces.LOGREG_BUDGET),
        ModelEntry(name="perceptron", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.linear_model.Perceptron", n_jobs=-1),
                   defaults={"penalty": None, "max_iter": 1000, "tol": 1e-3},
                   preprocessing=STANDARDIZED,
                   provenance="Rosenblatt 1958: one layer of threshold units and the perceptron "
                   "rule (scikit-learn's Perceptron, one against the rest, library defaults)",
                   stochastic=True, artifacts=artifacts.linear_weights, options=SCALING,
                   param_types={"tol": (float, type(None))},  # None: exactly max_iter epochs
                   lineage="historical_net", display="Perceptron (1958)",
                   search_space=spaces.PERCEPTRON, search_budget=spaces.PERCEPTRON_BUDGET),
        # LinearSVC's solvers do not converge within the time budget on 60,000 standardised
        # images here; the same hinge-loss linear SVM trained by SGD does, in seconds.
        ModelEntry(name="linear_svm", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.linear_model.SGDClassifier", loss="hinge",
                                           n_jobs=-1),
                   defaults={"alpha": 1e-4, "early_stopping": True, "validation_fraction": 0.1},
                   preprocessing=STANDARDIZED,
                   provenance="a linear SVM (hinge loss) trained by SGD, scikit-learn defaults, "
                   "early stopping on 10 % of the training split",
                   stochastic=True, artifacts=artifacts.linear_weights,
                   options={**SCALING, "average": False}, lineage="svm",
                   display="Linear SVM (SGD, hinge)",
                   search_space=spaces.LINEAR_SVM),
        ModelEntry(name="rbf_svm", family=SHALLOW, build=builders.rbf_svm,
                   defaults={"C": 10.0, "gamma": "scale",
                             "implementation": OnThisMachine(builders.best_svm_implementation,
                                                             "the fastest installed")},
                   preprocessing=STANDARDIZED, provenance=FASHION_TABLE_3 + " (SVC, C=10, rbf)",
                   stochastic=False,
                   lineage="svm", display="RBF SVM (C={C:g})",
                   param_types={"gamma": (str, int, float)},  # "scale", "auto" or a number
                   gpu_capable=lambda params: params["implementation"] == "cuml",
                   options=SCALING, search_space=spaces.RBF_SVM),
        ModelEntry(name="decision_tree", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.tree.DecisionTreeClassifier"),
                   defaults={"criterion": "entropy", "max_depth": 10}, preprocessing=TREE_INPUT,
                   provenance=FASHION_TABLE_3 + " (entropy, max_depth=10)", stochastic=True,
                   standardize=False, artifacts=artifacts.tree_structure, options={"min_samples_leaf": 1},
                   param_types={"max_depth": (int, type(None))},  # None: grown to purity
                   lineage="tree", display="Decision tree (depth {max_depth})",
                   search_space=spaces.DECISION_TREE),
        ModelEntry(name="random_forest", family=SHALLOW, build=builders.random_forest,
                   defaults={"n_estimators": 100, "criterion": "entropy", "max_depth": 100},
                   preprocessing=TREE_INPUT, quick_params={"n_estimators": 30},
                   provenance=FASHION_TABLE_3 + " (100 trees, entropy, max_depth=100)",
                   stochastic=True, standardize=False, artifacts=artifacts.staged_forest,
                   options={"growth_step": None, "max_features": "sqrt"},
                   # None: grown to purity; max_features a rule's name or a share of features
                   param_types={"max_depth": (int, type(None)), "max_features": (str, float)},
                   lineage="forest", display=forest_display, search_space=spaces.RANDOM_FOREST),
        # Without row or column subsampling both boosters are deterministic: the seed
        # changes nothing, so they run once.
        ModelEntry(name="xgboost", family=SHALLOW, build=builders.xgboost_classifier,
                   defaults={"n_estimators": 100, "max_depth": 6, "learning_rate": 0.3},
                   preprocessing=TREE_INPUT,
                   provenance="XGBoost hist, library defaults (100 rounds, depth 6, learning "
                   "rate 0.3)",
                   stochastic=False, standardize=False, artifacts=artifacts.staged_booster,
                   options={"early_stopping_rounds": None, "max_bin": None, "subsample": 1.0,
                            "colsample_bytree": 1.0, "min_child_weight": 1.0},
                   param_types={"max_bin": (int, type(None))},  # None: the library's bins
                   quick_params={"n_estimators": 30, "max_bin": 64},
                   lineage="boosting", display=rounds_for("XGBoost"),
                   gpu_capable=lambda params: True,
                   search_space=spaces.XGBOOST, search_budget=spaces.BOOSTER_BUDGET),
        ModelEntry(name="lightgbm", family=SHALLOW, build=builders.lightgbm_classifier,
                   defaults={"n_estimators": 100, "learning_rate": 0.1, "num_leaves": 31},
                   preprocessing=TREE_INPUT,
                   provenance="LightGBM, library defaults (100 rounds, learning rate 0.1, "
                   "31 leaves)",
                   stochastic=False, standardize=False, artifacts=artifacts.staged_booster,
                   options={"early_stopping_rounds": None, "max_bin": None, "subsample": 1.0,
                            "subsample_freq": 0, "colsample_bytree": 1.0, "min_child_samples": 20},
                   param_types={"max_bin": (int, type(None))},  # None: the library's bins
                   quick_params={"n_estimators": 30},
                   lineage="boosting", display=rounds_for("LightGBM"),
                   search_space=spaces.LIGHTGBM, search_budget=spaces.LIGHTGBM_BUDGET),
        ModelEntry(name="poly_svm", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.svm.SVC", kernel="poly"),
                   defaults={"C": 10.0, "degree": 2, "coef0": 1.0}, preprocessing=STANDARDIZED,
                   provenance="SVC with a degree-2 polynomial kernel, C as the RBF SVM's",
                   stochastic=False,
                   lineage="svm", display="Polynomial-kernel SVM (degree {degree})"),
        # The kernel trick undone (experiment 03): the polynomial SVM's own solver and problem
        # (libsvm, one-vs-one, the same C), its kernel computed as inner products of the exact
        # feature map of the same standardised components (features.py), so it differs from
        # the kernel machine only in how it computes.
        ModelEntry(name="kernel_map_svm", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.svm.SVC", kernel="linear"),
                   defaults={"C": 10.0},
                   preprocessing="the features as they are (the kernel's map of standardised "
                   "components: a scaler after it would change the kernel)", standardize=False,
                   provenance="SVC with a linear kernel on the explicit map, C as the "
                   "polynomial SVM's", stochastic=False, lineage="svm",
                   display="Linear SVM on the explicit map (C={C:g})"),
        ModelEntry(name="hist_gradient_boosting", family=SHALLOW,
                   build=builders.sklearn_estimator("sklearn.ensemble.HistGradientBoostingClassifier"),
                   defaults={"max_iter": 100, "learning_rate": 0.1, "early_stopping": False},
                   preprocessing=TREE_INPUT,
                   provenance="scikit-learn HistGradientBoostingClassifier, library defaults "
                   "(100 rounds, learning rate 0.1), early stopping off so every round is kept, "
                   "as for XGBoost",
                   stochastic=False, standardize=False, artifacts=artifacts.staged_boosting,
                   quick_params={"max_iter": 10},
                   lineage="boosting", display="scikit-learn gradient boosting ({max_iter} rounds)"),
        ModelEntry(name="mlp_1986", family=DEEP, build=builders.keras_net("mlp_1986"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.1},
                   preprocessing="pixels/255, flattened",
                   provenance="Rumelhart, Hinton & Williams 1986: 300 sigmoid units, plain SGD",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   quick_params={"epochs": 2},
                   lineage="historical_net", display=trained_for("1986 MLP (sigmoid, SGD)"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="lenet1989", family=DEEP, build=builders.keras_net("lenet1989"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.05},
                   preprocessing="resized to 16x16, pixels scaled to [-1, 1]",
                   provenance="LeCun et al. 1989 (zip codes): 12@8x8, 12@4x4 strided 5x5 convs, "
                   "30 tanh, plain SGD",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   quick_params={"epochs": 2},
                   lineage="historical_net", display=trained_for("LeNet-1989"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="lenet5", family=DEEP, build=builders.keras_net("lenet5"),
                   defaults={"epochs": 10, "batch_size": 64, "optimizer": "sgd",
                             "learning_rate": 0.05},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="LeCun et al. 1998: 6@5x5, avg-pool, 16@5x5, avg-pool, 120, 84, 10, "
                   "tanh, plain SGD",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH},
                   quick_params={"epochs": 2},
                   lineage="historical_net", display=trained_for("LeNet-5 (1998)"),
                   search_space=spaces.HISTORICAL_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="convnet_modern", family=DEEP, build=builders.keras_net("convnet_modern"),
                   defaults={"epochs": 5, "batch_size": 64, "optimizer": "adam",
                             "learning_rate": None},
                   preprocessing="pixels/255, 28x28x1 image, random shifts of up to 10 % while "
                   "training",
                   provenance="the book's convnet with batch normalisation, dropout, Adam and "
                   "augmentation",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={**EARLY_STOPPING, **NET_SEARCH}, quick_params={"epochs": 2},
                   lineage="book_net",
                   display=trained_for("Book's convnet + BN, dropout, augmentation"),
                   search_space=spaces.MODERN_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="dense", family=DEEP, build=builders.keras_net("dense_network"),
                   defaults=BOOK_DENSE.params(), preprocessing="pixels/255, flattened",
                   provenance="Deep Learning with Python, ch. 2: Dense(512, relu) -> "
                   "Dense(10, softmax)",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0, **EARLY_STOPPING, **NET_SEARCH,
                            "dropout": None},
                   quick_params={"epochs": 2},
                   lineage="book_net", display=trained_for("Book's dense net"),
                   search_space=spaces.BOOK_NET, search_budget=spaces.NET_BUDGET),
        ModelEntry(name="convnet", family=DEEP, build=builders.keras_net("convnet"),
                   defaults=BOOK_CONVNET.params(), preprocessing="pixels/255, 28x28x1 image",
                   provenance="Deep Learning with Python, 2nd ed. ch. 8: Conv "
                   "32-pool-64-pool-128-Dense 10",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0, **EARLY_STOPPING, **NET_SEARCH,
                            "dropout": None},
                   quick_params={"epochs": 2},
                   lineage="book_net", display=trained_for("Book's convnet"),
                   search_space=spaces.BOOK_NET, search_budget=spaces.NET_BUDGET),
        # --- what makes deep learning different, and why now (experiments 06-10) ---
        ModelEntry(name="stacked_dense", family=DEEP, build=builders.stacked_dense,
                   defaults={"depth": 1, "width": 256, "training": "joint",
                             "epochs_per_layer": 1, "batch_size": 128, "optimizer": "rmsprop",
                             "learning_rate": None},
                   preprocessing="pixels/255, flattened",
                   provenance="k Dense(relu) layers, trained greedily (each layer under a "
                   "temporary head, the layers below frozen) or jointly, the same total epochs",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   composite=True,
                   lineage="modern_net", display="Dense stack, depth {depth}, {training} training"),
        ModelEntry(name="depth_recipe", family=DEEP, build=builders.depth_recipe,
                   defaults={"depth": 2, "width": 128, "recipe": "2010", "epochs": 5,
                             "batch_size": 128},
                   preprocessing="pixels/255, flattened",
                   provenance="dense net of a given depth: 1990s (tanh, the standard uniform "
                   "init U(+-1/sqrt(fan_in)), plain SGD at the learning rate that scores best "
                   "on validation at that depth), 2010 (ReLU, He init, Adam) or 2015 (2010 + "
                   "batch norm + residual connections)",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={"learning_rates": None}, composite=True,
                   version=PERIOD_INIT_PER_DEPTH,
                   quick_params={"epochs": 1},
                   lineage="modern_net", display="{recipe} recipe, depth {depth}"),
        ModelEntry(name="probed_convnet", family=DEEP, build=builders.probed_convnet,
                   defaults={"epochs": 5, "batch_size": 64, "optimizer": "rmsprop",
                             "learning_rate": None, "probe_train": 5000, "probe_dims": 256,
                             "projection_points": 1000, "sample_images": 3},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="the book's convnet, then a linear probe (PCA + logistic "
                   "regression, fitted on training images) on the output of every layer",
                   stochastic=True, artifacts=artifacts.probe_artifacts, needs_images=True,
                   options={"min_steps_per_epoch": 0}, composite=True, version=PROBE_PREDICTIONS_KEPT,
                   quick_params={"epochs": 2, "probe_dims": 64},
                   lineage="book_net", display="Book's convnet, probed ({epochs} epochs)"),
        # --- will it last (experiment 12) ---
        ModelEntry(name="transfer_convnet", family=DEEP, build=builders.transfer_convnet,
                   defaults={"mode": "frozen", "source_classes": (0, 1, 2, 3, 4),
                             "base_epochs": 5, "epochs": 5, "batch_size": 64,
                             "optimizer": "rmsprop", "learning_rate": None,
                             "finetune_learning_rate": 1e-4, "min_steps_per_epoch": 0},
                   preprocessing="pixels/255, 28x28x1 image",
                   provenance="the book's convnet pretrained on the source classes (5 epochs); "
                   "its base under a new head, frozen or fine-tuned",
                   stochastic=True, artifacts=artifacts.keras_artifacts, needs_images=True,
                   options={"source_n_train": None}, composite=True,
                   source_classes=lambda params: tuple(params["source_classes"]),
                   quick_params={"base_epochs": 2, "epochs": 2},
                   lineage="book_net", display="Book's convnet transferred ({mode})"),
        ModelEntry(name="continual_net", family=DEEP, build=builders.continual_net,
                   defaults={"network": "dense", "mode": "continue", "stages": 3,
                             "epochs_per_stage": 1, "batch_size": 128, "optimizer": "rmsprop",
                             "learning_rate": None},
                   preprocessing="pixels/255",
                   provenance="the book's dense net or convnet, trained on each new part of the "
                   "data in turn (continue) or retrained on all data so far (scratch)",
                   stochastic=True, artifacts=artifacts.staged_net_artifacts, needs_images=True,
                   composite=True, lineage=_continual_net_lineage,
                   display=lambda params: (f"Book's {BOOK_NETS[params['network']]} "
                                          f"({params['mode']})")),
        ModelEntry(name="continual_shallow", family=SHALLOW, build=builders.continual_shallow,
                   defaults={"learner": "sgd_hinge", "mode": "continue", "stages": 3,
                             "epochs_per_stage": 1},
                   preprocessing="pixels/255, flattened (not standardised: the scaler would see "
                   "all stages)",
                   provenance="scikit-learn partial_fit: SGD hinge loss (a linear SVM) or "
                   "Gaussian naive Bayes, continued on new data or restarted",
                   stochastic=True, standardize=False, artifacts=artifacts.staged_shallow_artifacts,
                   composite=True, lineage=_continual_shallow_lineage,
                   display=lambda params: (f"{CONTINUAL_LEARNERS[params['learner']]}, partial fit "
                                          f"({params['mode']})")),
        # --- the modern landscape (experiment 11) ---
        ModelEntry(name="tabular_mlp", family=DEEP, build=builders.tabular_mlp,
                   defaults={"epochs": 30, "batch_size": 256, "patience": 3,
                             "validation_fraction": 0.1},
                   preprocessing="columns (images: pixels/255, flattened), standardised by the net",
                   provenance="MLP, 3 candidate shapes, each stopped early on a validation split "
                   "of the training data, the best on it kept",
                   stochastic=True, artifacts=artifacts.keras_artifacts, composite=True,
                   quick_params={"epochs": 2},  # each candidate; early stopping still applies
                   options=TABULAR_SHAPE, param_types=TABULAR_TYPES, lineage="modern_net",
                   display=tabular_display, search_space=spaces.TABULAR_MLP, search_budget=spaces.NET_BUDGET),
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
        entry.check_type(key, value)
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
