"""How a run is labelled: one rule for the runner, the experiments and the readers, since saved
manifests keep the labels it gave and claims, plots and tables find rows by them."""

# A dataset's own inputs (an image's pixels, a table's columns) go unnamed in a label.
OWN_INPUTS = (None, "pixels", "columns")
# What a tuned run's display name adds to its model's (the manifest writes it, the report reads it):
# the configuration its search chose, or, where the search kept the family's recipe (its best
# trial did not beat it beyond the noise), that, so a reader never takes the recipe for a tuning.
TUNED_NOTE = ", tuned on a validation split"
RECIPE_KEPT_NOTE = ", the recipe its search kept"
TUNING_NOTES = (TUNED_NOTE, RECIPE_KEPT_NOTE)


def run_label(model: str, features: str | None = None, dataset: str | None = None) -> str:
    """'rbf_svm', 'rbf_svm on hog', 'xgboost (letter)': the model, its features unless they are
    the dataset's own inputs, and its dataset when it is not the experiment's."""
    name = model if features in OWN_INPUTS else f"{model} on {features}"
    return f"{name} ({dataset})" if dataset else name


# Labels of the run families whose figures build the labels they read from their options.
def stack_label(training: str, depth: int) -> str:
    """Experiment 06's layer stacks: "greedy k=3"."""
    return f"{training} k={depth}"


def recipe_label(recipe: str, depth: int) -> str:
    """Experiment 09's nets by recipe and depth: "2010 depth 20"."""
    return f"{recipe} depth {depth}"


def continual_label(name: str, mode: str) -> str:
    """Experiment 12's continual learners: "dense (continue)"."""
    return f"{name} ({mode})"


def as_labels(value):
    """What claims, plots and tables store of the runs they name: a run declared by an experiment
    (anything with a ``name``, its label) becomes its label, and so does each one of a tuple or
    list of them; any other value is kept. Scripts then name runs by the objects they declared,
    never by typing a label."""
    if hasattr(value, "name") and not isinstance(value, str):
        return value.name
    if isinstance(value, tuple | list):
        return type(value)(as_labels(item) for item in value)
    return value
