"""A registry entry: what the project knows of one model (``ModelEntry``), and how readers
name a model from its params (the display helpers the entries share).

The entries themselves are in ``registry.py``; their builders in ``builders.py``, what a run
keeps for plots in ``artifacts.py``.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..errors import UsageError
from . import search_spaces as spaces

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


# What a default of each type says a parameter takes; a bool is no number here.
TYPE_NAMES = {bool: "true or false", int: "a whole number", float: "a number", str: "a string",
              tuple: "a list", type(None): "null"}


@dataclass(frozen=True, kw_only=True)
class ModelEntry:
    name: str
    family: str  # SHALLOW (scikit-learn, XGBoost) or DEEP (Keras)
    build: Callable[..., Any]  # build(info, seed, **params) -> an unfitted classifier (builders.py)
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

    def check_type(self, key: str, value) -> None:
        """A parameter of the wrong type fails here, in one line, rather than deep inside a fit."""
        default = {**self.default_params(), **self.options}[key]
        if key in self.param_types:
            accepted = self.param_types[key]
        elif default is None:
            return  # nothing says what the builder expects
        else:
            accepted = (int, float) if type(default) is float else (type(default),)
        if type(value) in accepted:
            return
        # A float takes whole numbers too: "a number" says both.
        named = [kind for kind in accepted if not (kind is int and float in accepted)]
        wanted = " or ".join(TYPE_NAMES.get(kind, kind.__name__) for kind in named)
        raise UsageError(f"model '{self.name}': parameter {key} takes {wanted} (its default is "
                         f"{default!r}), not {value!r}")


# --- what readers call a model ------------------------------------------------------------


def budgeted(name: str, count: str, unit: str, stopping: str) -> Callable[[dict], str]:
    """ "XGBoost (100 rounds)", "Book's convnet (5 epochs)"; on the fair budget, where the
    ``stopping`` param is set, "(early stopping, up to 1000 rounds)"."""
    def display(params: dict) -> str:
        bound = "early stopping, up to " if params.get(stopping) is not None else ""
        return f"{name} ({bound}{params[count]} {unit})"
    return display


def rounds_for(name: str) -> Callable[[dict], str]:
    return budgeted(name, "n_estimators", "rounds", "early_stopping_rounds")


def forest_display(params: dict) -> str:
    if params.get("growth_step") is None:
        return f"Random forest ({params['n_estimators']} trees)"
    return (f"Random forest (grown {params['growth_step']} trees at a time, up to "
            f"{params['n_estimators']})")


def tabular_display(params: dict) -> str:
    """The recipe's "MLP (early stopping)"; a searched shape "MLP (2 x 256, 14 epochs)"."""
    if params.get("width") is None:
        return "MLP (early stopping)"
    layers = f"{params.get('depth', 1)} x {params['width']}"
    if params.get("patience") is not None:
        return f"MLP ({layers}, early stopping, up to {params['epochs']} epochs)"
    return f"MLP ({layers}, {params['epochs']} epochs)"


def trained_for(name: str) -> Callable[[dict], str]:
    return budgeted(name, "epochs", "epochs", "patience")


# What readers call the nets and shallow learners that can continue (experiment 12).
BOOK_NETS = {"dense": "dense net", "convnet": "convnet"}
CONTINUAL_LEARNERS = {"sgd_hinge": "Linear SVM (SGD)", "gaussian_nb": "Gaussian naive Bayes"}
