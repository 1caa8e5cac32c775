"""What plots and tables share: a registry of kinds (one function each, drawn from saved results)
and the typed declaration an experiment makes of one, ``Plot(kind, **options)`` or
``Table(kind, **options)``.

A declaration is checked when the experiment is declared, before any run: its kind must be
registered and its options must fit the kind's function. Each kind also says which options name
runs (labels) or models, so the experiment can check those names against its runs. The manifest
saves a declaration as ``{"kind": ..., options}``, and the report reads it back from there.
"""

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..errors import UsageError
from ..results.labels import as_labels


@dataclass(frozen=True)
class Kind:
    """A registered function, and which of its options name runs of the experiment.

    ``labels`` lists the options that hold a run's label or a list of labels, or is a function
    of the options that builds the labels the kind reads (e.g. a label template filled in for
    each dimension); ``models`` lists the options that hold lists of model names.
    """

    function: Callable
    labels: tuple[str, ...] | Callable[[dict], Iterable[str]] = ()
    models: tuple[str, ...] = ()

    def run_labels(self, options: dict) -> list[str]:
        return list(self.labels(options)) if callable(self.labels) else _values(options, self.labels)

    def model_names(self, options: dict) -> list[str]:
        return _values(options, self.models)


def _values(options: dict, names: tuple[str, ...]) -> list[str]:
    """The names the given options hold, each option one name or a list of them (None: none)."""
    found = []
    for name in names:
        value = options.get(name)
        found += [] if value is None else [value] if isinstance(value, str) else list(value)
    return found


class KindRegistry(dict):
    """The kinds of plots (or of tables) by name: ``what`` names them in messages, ``leading``
    names the arguments every function takes before its options, e.g. ``("results", "path")``."""

    def __init__(self, what: str, leading: tuple[str, ...]):
        super().__init__()
        self.what = what
        self.leading = leading

    def register(self, labels: tuple[str, ...] | Callable[[dict], Iterable[str]] = (),
                 models: tuple[str, ...] = ()):
        """A decorator registering a function under its name, with the options naming runs; a
        second function of a registered name fails, rather than replace the first unseen."""
        def decorate(function: Callable) -> Callable:
            if tuple(inspect.signature(function).parameters)[:len(self.leading)] != self.leading:
                raise TypeError(f"{self.what} function {function.__name__} must take "
                                f"{', '.join(self.leading)} before its options")
            if function.__name__ in self:
                raise TypeError(f"{self.what} kind {function.__name__!r} is registered twice: in "
                                f"{self[function.__name__].function.__module__} and "
                                f"{function.__module__}")
            self[function.__name__] = Kind(function, labels, models)
            return function
        return decorate

    def check(self, kind: str, options: dict) -> None:
        """Fail in one sentence unless ``kind`` is registered and ``options`` fit its function."""
        if kind not in self:
            raise UsageError(f"unknown {self.what} kind {kind!r}; the {self.what} kinds are "
                             f"{', '.join(sorted(self))}")
        parameters = list(inspect.signature(self[kind].function).parameters.values())
        accepted = [parameter.name for parameter in parameters[len(self.leading):]]
        unknown = [name for name in options if name not in accepted]
        missing = [parameter.name for parameter in parameters[len(self.leading):]
                   if parameter.default is parameter.empty and parameter.name not in options]
        if unknown or missing:
            problem = f"has no option {unknown[0]!r}" if unknown else f"needs the option {missing[0]!r}"
            raise UsageError(f"{self.what} kind {kind!r} {problem} (its options: "
                             f"{', '.join(accepted) or 'none'})")


class Declaration:
    """A plot or a table as an experiment declares it: a registered kind and its options.

    Subclasses name their registry in ``kinds``.
    """

    kinds: KindRegistry

    def __init__(self, kind: str, **options):
        # Runs named by the objects an experiment declared are kept by their labels.
        options = {name: as_labels(value) for name, value in options.items()}
        self.kinds.check(kind, options)
        self.kind = kind
        self.options = options

    @classmethod
    def from_dict(cls, saved: dict) -> "Declaration":
        """A declaration read back from a manifest, checked as when it was declared."""
        return cls(**saved)

    def to_dict(self) -> dict:
        """The saved form: ``{"kind": ..., options}``."""
        return {"kind": self.kind, **self.options}

    def run_labels(self) -> list[str]:
        """The labels of the runs it reads."""
        return self.kinds[self.kind].run_labels(self.options)

    def model_names(self) -> list[str]:
        """The model names it looks runs up by."""
        return self.kinds[self.kind].model_names(self.options)

    def __str__(self) -> str:
        return f"{self.kinds.what} {self.kind!r}"

    def __repr__(self) -> str:
        options = "".join(f", {name}={value!r}" for name, value in self.to_dict().items() if name != "kind")
        return f"{type(self).__name__}({self.kind!r}{options})"

    def __eq__(self, other) -> bool:
        return type(other) is type(self) and other.to_dict() == self.to_dict()
