"""Tree ensembles on the fair budget: as many rounds or trees as a validation split asks for.

The libraries' defaults stop a booster at 100 rounds and a forest at 100 trees, whether or
not they are still improving. On the fair budget (``running/budgets.py``) each holds out the
same seeded, stratified share of its training images as the nets do (``data.validation_split``)
and grows until that split says stop:

- a booster (XGBoost, LightGBM) adds rounds until the validation log-loss has not improved for
  ``patience`` rounds, up to ``max_rounds``, and predicts with its best round;
- a forest adds ``step`` trees at a time until the validation accuracy gains less than one
  validation image's worth, up to ``max_trees``.

The test split is never seen. Both are scikit-learn classifiers, so they sit in the registry's
pipelines like any other model.
"""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..data import validation_split

# Test-accuracy points recorded along a long run for the staged-curve plot: log-spaced rounds,
# since predicting at every one of up to 1,000 rounds costs quadratically many tree evaluations.
STAGE_POINTS = 40


def staged_rounds(n_rounds: int) -> np.ndarray:
    return np.unique(np.geomspace(1, n_rounds, min(STAGE_POINTS, n_rounds)).round().astype(int))


# A margin gap below this between a row's two best classes is a near tie: the library's own
# softmax could round both probabilities to one value and pick the other class, so such rows are
# asked of the library itself.
NEAR_TIE = {"xgboost": 1e-3, "lightgbm": 1e-9}  # float32 margins; float64 raw scores


def staged_classes(booster, x: np.ndarray, rounds: list[int]) -> list[np.ndarray] | None:
    """The classes ``booster`` (a fitted XGBClassifier or LGBMClassifier) predicts from its first
    r rounds, for each r in ``rounds`` (ascending), from one pass over the rounds.

    Predicting from r rounds evaluates r rounds of trees, so predicting at every round costs
    quadratically many. Here each round's trees are evaluated once, and the margins summed as
    the library sums them: XGBoost adds each round to the margin so far (given as its base
    margin), LightGBM's raw scores of one round each are added in order, in float64. The
    summing is checked against the library's own margins from every round, bit for bit; when it
    differs, or for a problem of two classes, None (the caller predicts round by round). A row
    whose two best margins nearly tie takes the library's own prediction at that round.
    """
    library = "lightgbm" if hasattr(booster, "booster_") else "xgboost"
    wanted = set(rounds)
    last = max(rounds)
    margin = None
    staged = []
    for round_ in range(1, last + 1):
        if library == "xgboost":
            margin = booster.predict(x, output_margin=True, base_margin=margin,
                                     iteration_range=(round_ - 1, round_))
        else:
            step = booster.booster_.predict(x, raw_score=True, start_iteration=round_ - 1,
                                            num_iteration=1)
            margin = step if margin is None else margin + step
        if margin.ndim != 2:
            return None  # two classes: one margin per row, the library thresholds it
        if round_ in wanted:
            staged.append(_classes(booster, library, x, margin, round_))
    full = (booster.predict(x, output_margin=True, iteration_range=(0, last)) if library == "xgboost"
            else booster.booster_.predict(x, raw_score=True, num_iteration=last))
    if not np.array_equal(full, margin):
        return None
    return staged


def _classes(booster, library: str, x: np.ndarray, margin: np.ndarray, rounds: int) -> np.ndarray:
    best = np.sort(margin, axis=1)[:, -2:]
    chosen = margin.argmax(axis=1)
    tied = np.flatnonzero(best[:, 1] - best[:, 0] < NEAR_TIE[library])
    classes = booster.classes_[chosen]
    if len(tied):
        classes[tied] = (booster.predict(x[tied], iteration_range=(0, rounds)) if library == "xgboost"
                         else booster.predict(x[tied], num_iteration=rounds))
    return classes


class EarlyStoppedBooster(ClassifierMixin, BaseEstimator):
    """XGBoost or LightGBM, its number of rounds chosen by early stopping on a validation split."""

    def __init__(self, library: str = "xgboost", seed: int = 0, max_rounds: int = 1000,
                 patience: int = 20, params: dict | None = None):
        self.library = library
        self.seed = seed
        self.max_rounds = max_rounds
        self.patience = patience
        self.params = params

    def fit(self, x: np.ndarray, y: np.ndarray):
        train, held_out = validation_split(y, self.seed)
        params = dict(self.params or {})
        if self.library == "xgboost":
            from xgboost import XGBClassifier

            self.booster_ = XGBClassifier(n_estimators=self.max_rounds, random_state=self.seed,
                                          early_stopping_rounds=self.patience,
                                          eval_metric="mlogloss", **params)
            self.booster_.fit(x[train], y[train], eval_set=[(x[held_out], y[held_out])],
                              verbose=False)
            self.rounds_ = self.booster_.best_iteration + 1
        elif self.library == "lightgbm":
            import lightgbm

            self.booster_ = lightgbm.LGBMClassifier(n_estimators=self.max_rounds,
                                                    random_state=self.seed, verbose=-1, **params)
            # eval_X and eval_y are LightGBM 4.6's spelling of the same one-set eval_set.
            self.booster_.fit(x[train], y[train], eval_X=x[held_out], eval_y=y[held_out],
                              callbacks=[lightgbm.early_stopping(self.patience, verbose=False)])
            self.rounds_ = self.booster_.best_iteration_
        else:
            raise ValueError(f"no early-stopped booster for the library {self.library!r}")
        self.classes_ = self.booster_.classes_
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.predict_at(x, self.rounds_)

    def predict_at(self, x: np.ndarray, rounds: int) -> np.ndarray:
        """Predictions of the first ``rounds`` rounds."""
        if self.library == "xgboost":
            return self.booster_.predict(x, iteration_range=(0, rounds))
        return self.booster_.predict(x, num_iteration=rounds)

    def staged_artifacts(self, x_test: np.ndarray, y_test: np.ndarray) -> dict:
        rounds = staged_rounds(self.rounds_)
        stages = staged_classes(self.booster_, x_test, list(rounds))
        if stages is None:
            stages = [self.predict_at(x_test, stage) for stage in rounds]
        accuracy = [np.mean(predicted == y_test) for predicted in stages]
        return {"staged_accuracy": np.asarray(accuracy, dtype=np.float32),
                "staged_rounds": rounds, "rounds_chosen": np.int32(self.rounds_)}


class GrownForest(ClassifierMixin, BaseEstimator):
    """A random forest grown ``step`` trees at a time while its validation accuracy improves."""

    def __init__(self, seed: int = 0, step: int = 50, max_trees: int = 500,
                 params: dict | None = None):
        self.seed = seed
        self.step = step
        self.max_trees = max_trees
        self.params = params

    def fit(self, x: np.ndarray, y: np.ndarray):
        from sklearn.ensemble import RandomForestClassifier

        train, held_out = validation_split(y, self.seed)
        # One more validation image right: anything less is noise.
        least_gain = 1 / len(held_out)
        # The first step never grows past the cap (under --quick the cap is below one step).
        self.forest_ = RandomForestClassifier(n_estimators=min(self.step, self.max_trees),
                                              warm_start=True,
                                              random_state=self.seed, n_jobs=-1,
                                              **(self.params or {}))
        self.forest_.fit(x[train], y[train])
        best = np.mean(self.forest_.predict(x[held_out]) == y[held_out])
        while self.forest_.n_estimators + self.step <= self.max_trees:
            self.forest_.n_estimators += self.step
            self.forest_.fit(x[train], y[train])
            accuracy = np.mean(self.forest_.predict(x[held_out]) == y[held_out])
            if accuracy - best < least_gain:
                break
            best = accuracy
        self.classes_ = self.forest_.classes_
        return self

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.forest_.predict(x)

    @property
    def estimators_(self) -> list:
        return self.forest_.estimators_

    @property
    def feature_importances_(self) -> np.ndarray:
        return self.forest_.feature_importances_
