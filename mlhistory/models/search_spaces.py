"""What the search stage (``running/search.py``, ``mlhistory tune``) may change of each family,
as plain data that its registry entry declares, drawn from the family's literature.

A search space maps a parameter to one of
``("log_float", low, high)``, ``("float", low, high)``, ``("int", low, high)``,
``("log_int", low, high)`` or ``("categorical", [choices])``. Every parameter named is one of
its entry's defaults or options, so a searched configuration is an ordinary run.

A search budget holds the params every trial of the family sets that are no choice of the
search: how long a trial may train (``epochs`` or ``n_estimators``, with the early stopping
that cuts it short: ``patience``, ``early_stopping_rounds``), and what a fit needs whatever the
configuration (logistic regression run to convergence). The final refit on all the training
images keeps the budget's fixed params and trains for the epochs or rounds the trial's early
stopping chose, without early stopping (``STOPPING``).
"""

from ..errors import UsageError

KINDS = ("log_float", "float", "int", "log_int", "categorical")
# A budget's early-stopping param -> the count it bounds, which the refit fixes at the value the
# validation chose; the params that only early stopping reads go with it.
STOPPING = {"patience": "epochs", "early_stopping_rounds": "n_estimators"}
STOPPING_ONLY = ("stop_on",)

# The pixel scaling of the models that standardise (``assembly.build``): [0, 1] or z-scores.
SCALINGS = ("unit", "standardized")
SCALING = {"scaling": ("categorical", list(SCALINGS))}

# --- shallow families ---------------------------------------------------------------------------
# Naive Bayes: the variance floor (scikit-learn's var_smoothing, a share of the largest pixel
# variance) and, for the Bernoulli model, the additive smoothing and the ink threshold.
GAUSSIAN_NB = {"var_smoothing": ("log_float", 1e-10, 1.0)}
BERNOULLI_NB = {"alpha": ("log_float", 1e-3, 10.0), "binarize": ("float", 0.1, 0.9)}
# Logistic regression: the inverse regularisation C (Xiao et al. 2017 grid 0.1-100, extended
# down), run to convergence.
LOGREG = {"C": ("log_float", 1e-4, 10.0)}
LOGREG_BUDGET = {"max_iter": 5000}
# The perceptron keeps Rosenblatt's rule; what its period tuned was how long to run it.
PERCEPTRON = {"max_iter": ("log_int", 1, 100), **SCALING}
PERCEPTRON_BUDGET = {"tol": None}  # exactly max_iter epochs
# Linear SVM by SGD: the regularisation alpha (1 / (C n)), the scaling, and whether the weights
# are averaged over the steps (averaged SGD, which Bottou 2010 and Xu 2011 recommend for linear
# SVMs: it converges to the exact solver's optimum, which plain SGD only approaches).
LINEAR_SVM = {"alpha": ("log_float", 1e-6, 1e-2), "average": ("categorical", [False, True]),
              **SCALING}
# RBF SVM: C and gamma over the ranges of Hsu, Chang & Lin's practical guide (coarse grid
# 2^-5..2^15 for C; gamma around 1 / n_features for each scaling), and the pixel scaling.
RBF_SVM = {"C": ("log_float", 0.1, 1000.0), "gamma": ("log_float", 1e-4, 0.1), **SCALING}
# Trees: depth, leaf size and split criterion (Xiao et al. 2017 searched depth and criterion).
DECISION_TREE = {"max_depth": ("int", 5, 40), "min_samples_leaf": ("log_int", 1, 50),
                 "criterion": ("categorical", ["gini", "entropy"])}
# Forests: the number of trees and features per split (Breiman 2001; Probst et al. 2019 find
# max_features the one that matters), and the criterion.
RANDOM_FOREST = {"n_estimators": ("log_int", 50, 500),
                 "max_features": ("categorical", ["sqrt", "log2", 0.05, 0.15, 0.3]),
                 "criterion": ("categorical", ["gini", "entropy"])}
# Boosters: learning rate, tree size, row and column subsampling, leaf weight floor (the
# XGBoost and LightGBM parameter guides); rounds by early stopping on the trial's own split.
BOOSTER_BUDGET = {"n_estimators": 2000, "early_stopping_rounds": 50}
XGBOOST = {"learning_rate": ("log_float", 0.01, 0.3), "max_depth": ("int", 3, 12),
           "subsample": ("float", 0.5, 1.0), "colsample_bytree": ("float", 0.2, 1.0),
           "min_child_weight": ("log_float", 1.0, 20.0)}
LIGHTGBM = {"learning_rate": ("log_float", 0.01, 0.3), "num_leaves": ("log_int", 15, 255),
            "subsample": ("float", 0.5, 1.0), "colsample_bytree": ("float", 0.2, 1.0),
            "min_child_samples": ("log_int", 5, 100)}
LIGHTGBM_BUDGET = {**BOOSTER_BUDGET, "subsample_freq": 1}  # LightGBM bags rows only when > 0

# --- Keras nets ---------------------------------------------------------------------------------
# Every net trains up to NET_EPOCHS epochs and stops once its validation accuracy has not
# improved for NET_PATIENCE epochs; the refit trains for the best epoch's count.
NET_EPOCHS = 40
NET_PATIENCE = 5
NET_BUDGET = {"epochs": NET_EPOCHS, "patience": NET_PATIENCE, "stop_on": "val_accuracy"}
# The book's nets (RMSprop) and the modern convnet (Adam): learning rate around the optimisers'
# 1e-3 default, its per-epoch decay, batch size, and dropout before the classifier.
BOOK_NET = {"learning_rate": ("log_float", 1e-4, 1e-2), "lr_decay": ("log_float", 1e-3, 1.0),
            "batch_size": ("categorical", [32, 64, 128, 256]), "dropout": ("float", 0.0, 0.5)}
MODERN_NET = {"learning_rate": ("log_float", 1e-4, 1e-2), "lr_decay": ("log_float", 1e-3, 1.0),
              "batch_size": ("categorical", [32, 64, 128, 256])}
# The tabular MLP (experiment 11): its shape (width of every hidden layer, and how many), dropout,
# Adam's learning rate and the batch size, over the ranges Gorishniy et al. 2021 ("Revisiting deep
# learning models for tabular data", the MLP baseline) tune; epochs by early stopping.
TABULAR_MLP = {"width": ("log_int", 64, 1024), "depth": ("int", 1, 4),
               "dropout": ("float", 0.0, 0.5), "learning_rate": ("log_float", 1e-4, 1e-2),
               "batch_size": ("categorical", [64, 128, 256, 512])}
# The historical nets keep their period's architecture, activations and plain SGD: the search
# is over what their authors tuned, the learning rate and its decay (and epochs, by stopping).
HISTORICAL_NET = {"learning_rate": ("log_float", 1e-3, 0.5), "lr_decay": ("log_float", 1e-3, 1.0)}


def check(name: str, space: dict, budget: dict, known: set[str]) -> None:
    """A space of known kinds and bounds over parameters the entry takes; a budget likewise."""
    for param, declared in space.items():
        kind = declared[0] if isinstance(declared, tuple) and declared else None
        if kind not in KINDS:
            raise TypeError(f"model entry {name!r}: search space of {param!r} must be one of "
                            f"{', '.join(KINDS)}, not {declared!r}")
        if kind == "categorical":
            if len(declared) != 2 or not list(declared[1]):
                raise TypeError(f"model entry {name!r}: {param!r} needs a list of choices")
        elif len(declared) != 3 or not declared[1] < declared[2] or (
                kind.startswith("log") and declared[1] <= 0):
            raise TypeError(f"model entry {name!r}: {param!r} needs low < high (> 0 on a log "
                            f"scale), not {declared!r}")
    unknown = sorted((set(space) | set(budget)) - known)
    if unknown:
        raise TypeError(f"model entry {name!r} searches {', '.join(unknown)}, which it does not "
                        f"take (add them to its defaults or options)")
    both = sorted(set(space) & set(budget))
    if both:
        raise TypeError(f"model entry {name!r}: {', '.join(both)} both searched and fixed")


def refit_params(budget: dict, stopped_at: dict, defaults: dict | None = None) -> dict:
    """The params of the refit on all the training images: the budget's fixed params, its
    early stopping replaced by the count the validation chose (``stopped_at``). An entry whose
    own ``defaults`` stop early (the tabular MLP's recipe) gets its stopping turned off."""
    params = {key: value for key, value in budget.items()
              if key not in STOPPING and key not in STOPPING_ONLY}
    for stopping, count in STOPPING.items():
        if stopping in budget:
            if count not in stopped_at:
                raise UsageError(f"the trial recorded no {count} for its refit")
            params[count] = int(stopped_at[count])
            if (defaults or {}).get(stopping) is not None:
                params[stopping] = None
    return params


def stopped_count(budget: dict) -> str | None:
    """The count (epochs, n_estimators) the budget's early stopping chooses, if it has one."""
    return next((count for stopping, count in STOPPING.items() if stopping in budget), None)
