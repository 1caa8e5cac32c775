"""How a run is labelled: one rule for the runner, the experiments and the readers, since saved
manifests keep the labels it gave and claims, plots and tables find rows by them."""

# A dataset's own inputs (an image's pixels, a table's columns) go unnamed in a label.
OWN_INPUTS = (None, "pixels", "columns")


def run_label(model: str, features: str | None = None, dataset: str | None = None) -> str:
    """'rbf_svm', 'rbf_svm on hog', 'xgboost (letter)': the model, its features unless they are
    the dataset's own inputs, and its dataset when it is not the experiment's."""
    name = model if features in OWN_INPUTS else f"{model} on {features}"
    return f"{name} ({dataset})" if dataset else name
