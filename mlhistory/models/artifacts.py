"""What a run keeps with its row for plots: artifacts(fitted, x_test, y_test) -> dict of arrays.

Test data may only be *measured* here (curves), never used to choose anything.
"""

import numpy as np


def linear_weights(pipeline, x_test, y_test) -> dict:
    return {"coef": pipeline[-1].coef_.astype(np.float32)}


def confidence(pipeline, x_test, y_test) -> dict:
    """The probability the model gives its predicted class, per test image: set against how
    often it is right, it shows whether the model is surer than it should be (calibration)."""
    return {"confidence": pipeline.predict_proba(x_test).max(axis=1).astype(np.float32)}


def linear_weights_and_confidence(pipeline, x_test, y_test) -> dict:
    return {**linear_weights(pipeline, x_test, y_test), **confidence(pipeline, x_test, y_test)}


def tree_structure(pipeline, x_test, y_test) -> dict:
    """The fitted tree's nodes (for drawing its top levels) and its pixel importances."""
    tree = pipeline[-1].tree_
    return {"tree_feature": tree.feature, "tree_threshold": tree.threshold.astype(np.float32),
            "tree_left": tree.children_left, "tree_right": tree.children_right,
            "tree_samples": tree.n_node_samples,
            "tree_class": tree.value[:, 0, :].argmax(axis=1),
            "importances": pipeline[-1].feature_importances_.astype(np.float32)}


def staged_accuracy(stage_predictions, y_test) -> np.ndarray:
    return np.asarray([np.mean(predicted == y_test) for predicted in stage_predictions],
                      dtype=np.float32)


def staged_forest(pipeline, x_test, y_test) -> dict:
    """Test accuracy of the first k trees' vote, for every k: no refits, one forest."""
    inputs = pipeline[:-1].transform(x_test)
    forest = pipeline[-1]
    summed = np.zeros((len(x_test), len(forest.classes_)))
    stages = []
    for tree in forest.estimators_:
        summed += tree.predict_proba(inputs)
        stages.append(forest.classes_[summed.argmax(axis=1)])
    return {"staged_accuracy": staged_accuracy(stages, y_test),
            "importances": forest.feature_importances_.astype(np.float32)}


def staged_booster(pipeline, x_test, y_test) -> dict:
    """Test accuracy after each boosting round (log-spaced rounds on the fair budget), from the
    one fitted booster."""
    from .ensembles import EarlyStoppedBooster, staged_classes

    inputs = pipeline[:-1].transform(x_test)
    booster = pipeline[-1]
    if isinstance(booster, EarlyStoppedBooster):
        return booster.staged_artifacts(inputs, y_test)
    rounds = list(range(1, booster.n_estimators + 1))
    # Each round's trees evaluated once (ensembles.staged_classes), the very predictions of
    # predicting from each number of rounds; round by round where that cannot be vouched for.
    stages = staged_classes(booster, inputs, rounds)
    if stages is None and hasattr(booster, "booster_"):  # LightGBM
        stages = (booster.predict(inputs, num_iteration=count) for count in rounds)
    elif stages is None:
        stages = (booster.predict(inputs, iteration_range=(0, count)) for count in rounds)
    return {"staged_accuracy": staged_accuracy(stages, y_test)}


def staged_boosting(pipeline, x_test, y_test) -> dict:
    inputs = pipeline[:-1].transform(x_test)
    return {"staged_accuracy": staged_accuracy(pipeline[-1].staged_predict(inputs), y_test)}


def keras_artifacts(classifier, x_test, y_test) -> dict:
    return classifier.artifacts()


def probe_artifacts(classifier, x_test, y_test) -> dict:
    return {**classifier.artifacts(), **classifier.layer_artifacts(x_test, y_test)}


def staged_net_artifacts(classifier, x_test, y_test) -> dict:
    return classifier.staged_artifacts(x_test, y_test)


def staged_shallow_artifacts(pipeline, x_test, y_test) -> dict:
    return pipeline[-1].staged_artifacts(pipeline[:-1].transform(x_test), y_test)
