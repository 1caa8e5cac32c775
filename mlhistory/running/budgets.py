"""Budgets that several experiments share: each is typed once here, so the experiments that use
it ask for the very same runs (the same specs, hence the same cache keys) and the run cache
serves them all from one fit.
"""

# The RBF SVM runs at full size everywhere it is compared at full size (experiments 03, 05,
# 08): through scikit-learn-intelex it fits 60,000 images in about a minute on two cores
# (`make bench` measures it against stock libsvm at equal settings).
#
# The one cap left: experiment 06 fits every model on every representation, and its learned
# representation trains the book's convnet inside every cell and seed (15 cells, 3 seeds). At
# full size that grid alone would take over half an hour per dataset on this 2-core machine, so
# every cell of it, the SVM's included, trains on as many images, and the grid compares like
# with like; the size is printed in its table and plot.
REPRESENTATION_GRID_TRAIN = 20_000

# Covertype's training cap (experiments 04 and 11, when it can be downloaded) is its catalogue
# entry's (data/catalog.py, ``train_cap``): every run on it keeps to it, whatever the script.

# --- the fair budgets ---------------------------------------------------------------------------
# The book's literal recipes (5 epochs for its nets) and the libraries' defaults (100 rounds,
# 100 trees) stay in the experiments, labelled as such. Beside them every family gets the same
# kind of budget, declared here once: train until a validation split (a seeded, stratified 10 %
# of the run's own training images, data.validation_split) stops improving, up to a generous
# maximum. No family gets a hyperparameter search, so every side of a comparison tried exactly
# one configuration: the RBF SVM and the forest keep the Fashion-MNIST paper's best setting
# (C=10, gamma "scale"; entropy, max_depth 100), the boosters and nets their defaults.
NET_MAX_EPOCHS = 20
NET_PATIENCE = 3  # epochs without a lower validation loss; the best epoch's weights are kept
BOOSTER_MAX_ROUNDS = 1000
BOOSTER_PATIENCE = 20  # rounds without a lower validation log-loss
FOREST_STEP = 50  # trees added at a time while the validation accuracy improves
FOREST_MAX_TREES = 300

FAIR_PARAMS = {
    "dense": {"epochs": NET_MAX_EPOCHS, "patience": NET_PATIENCE},
    "convnet": {"epochs": NET_MAX_EPOCHS, "patience": NET_PATIENCE},
    "xgboost": {"n_estimators": BOOSTER_MAX_ROUNDS, "early_stopping_rounds": BOOSTER_PATIENCE},
    "lightgbm": {"n_estimators": BOOSTER_MAX_ROUNDS, "early_stopping_rounds": BOOSTER_PATIENCE},
    "random_forest": {"n_estimators": FOREST_MAX_TREES, "growth_step": FOREST_STEP},
}
# What the report prints about the budgets, family by family.
FAIR_BUDGETS = {
    "validation split": "a seeded, stratified 10 % of each run's training images; the test "
                        "split is never used to choose or stop anything",
    "nets": f"early stopping on the validation loss (patience {NET_PATIENCE}), up to "
            f"{NET_MAX_EPOCHS} epochs, the best epoch's weights kept",
    "boosters": f"XGBoost and LightGBM add rounds until the validation log-loss has not improved "
                f"for {BOOSTER_PATIENCE} rounds, up to {BOOSTER_MAX_ROUNDS}",
    "forest": f"grown {FOREST_STEP} trees at a time while the validation accuracy improves by at "
              f"least one image, up to {FOREST_MAX_TREES}",
    "RBF SVM": "all 60,000 training images (scikit-learn-intelex), C=10 and gamma 'scale', the "
               "Fashion-MNIST paper's grid-search best",
    "search": "none on any side: one configuration per family",
}

