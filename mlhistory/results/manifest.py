"""The typed manifest (``experiment.json``): the one contract between the runner, which writes
it, and every reader, which reads it through these classes and never by string key.

A manifest says what an experiment declared and what it ran: its labelled runs (with the run
keys behind each label, so rows are found by label), the datasets they used as readers show
them, the runs skipped and why, and the declarations of its claims, plots and tables (parsed
by their own layers). Display names are stored as parts, so no reader takes one apart.
"""

from dataclasses import asdict, dataclass, field, fields, replace

from ..errors import DamagedResults

# Bump when a field is added, renamed or changes meaning; readers refuse other versions.
SCHEMA_VERSION = 2


@dataclass(frozen=True, kw_only=True)
class DatasetRecord:
    """What the manifest records of a dataset a run used: all a reader may show of it."""

    name: str
    title: str  # what a reader calls it: "MNIST", "Fashion-MNIST"
    description: str
    kind: str  # "image" or "tabular"
    input_shape: tuple[int, ...]
    class_names: tuple[str, ...]
    n_train: int
    n_test: int

    @property
    def is_image(self) -> bool:
        return self.kind == "image"

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    def with_classes(self, classes: tuple[int, ...] | None) -> "DatasetRecord":
        """The record of a class view: the same dataset, naming only the view's classes."""
        if not classes:
            return self
        return replace(self, class_names=tuple(self.class_names[index] for index in classes))


@dataclass(frozen=True, kw_only=True)
class RunRecord:
    """One labelled run of an experiment: its model, features, data and the runs behind it."""

    label: str  # how claims, plots and tables name it: "rbf_svm on hog", "xgboost (letter)"
    model: str
    model_display: str  # the model with its settings: "RBF SVM (C=10)"
    features: str
    features_display: str | None  # "HOG"; None for the dataset's own inputs
    family: str  # "shallow" or "deep"
    color_family: str  # the plot colour the registry gives the model's lineage
    preprocessing: str
    provenance: str
    params: dict
    subset_params: dict
    quick_params: dict
    max_n_train: int | None
    dataset: str
    # The experiment's dataset is left out of display names; a run on another one names it.
    dataset_shown: bool
    classes: tuple[int, ...] | None
    run_keys: tuple[str, ...]
    # Whether the run refits the search's chosen configuration (``mlhistory tune``). Added with
    # a default, so manifests written before it read back as untuned runs.
    tuned: bool = False

    @property
    def display_name(self) -> str:
        """What readers call the run: "RBF SVM (C=10) on HOG", "XGBoost (100 rounds), letter"."""
        name = self.display_without_dataset
        return f"{name}, {self.dataset}" if self.dataset_shown else name

    @property
    def display_without_dataset(self) -> str:
        if self.features_display is None:
            return self.model_display
        return f"{self.model_display} on {self.features_display}"


@dataclass(frozen=True, kw_only=True)
class SkippedRun:
    """A declared run left out because its dataset could not be loaded here."""

    label: str
    dataset: str
    reason: str


@dataclass(frozen=True, kw_only=True)
class Manifest:
    experiment_id: str  # also the script's file name, e.g. "01_probabilistic"
    title: str
    book_section: str
    summary: str
    quick: bool
    seeds: tuple[int, ...]
    n_train: int | None  # the --n-train asked for; None for the full training split
    n_test: int | None
    dataset: str  # the experiment's dataset; a key of ``datasets``
    datasets: dict[str, DatasetRecord]  # every dataset a run used, as readers show it
    runs: tuple[RunRecord, ...]  # in the experiment's order, which plots and tables keep
    skipped: tuple[SkippedRun, ...] = ()
    fair_budgets: dict[str, str] = field(default_factory=dict)
    data_sources: dict[str, str] = field(default_factory=dict)  # a --data-dir shows here
    # Declarations, each parsed by its own layer (judging for claims, reporting for the rest).
    claims: tuple[dict, ...] = ()
    plots: tuple[dict, ...] = ()
    tables: tuple[dict, ...] = ()
    schema_version: int = SCHEMA_VERSION

    @property
    def dataset_record(self) -> DatasetRecord:
        return self.datasets[self.dataset]

    @property
    def labels(self) -> list[str]:
        return [run.label for run in self.runs]

    def run(self, label: str) -> RunRecord:
        for run in self.runs:
            if run.label == label:
                return run
        raise KeyError(f"{self.experiment_id} has no run labelled {label!r}")

    def runs_of_model(self, model: str) -> list[RunRecord]:
        return [run for run in self.runs if run.model == model]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, saved: dict, source: str = "experiment.json") -> "Manifest":
        """The manifest as saved; one line naming the file when it is not this schema's."""
        version = saved.get("schema_version") if isinstance(saved, dict) else None
        if version != SCHEMA_VERSION:
            raise DamagedResults(f"{source} is of manifest schema {version}, not {SCHEMA_VERSION}: "
                               "rerun its experiment to rewrite it")
        try:
            return cls(**{
                **_known(cls, saved),
                "seeds": tuple(saved["seeds"]),
                "datasets": {name: _dataset(record) for name, record in saved["datasets"].items()},
                "runs": tuple(_run(run) for run in saved["runs"]),
                "skipped": tuple(SkippedRun(**entry) for entry in saved.get("skipped", ())),
                "claims": tuple(saved.get("claims", ())),
                "plots": tuple(saved.get("plots", ())),
                "tables": tuple(saved.get("tables", ())),
            })
        except (KeyError, TypeError) as error:
            raise DamagedResults(f"{source} lacks a field of the manifest schema ({error}): rerun "
                               "its experiment to rewrite it") from None


def _known(cls, saved: dict) -> dict:
    return {field_.name: saved[field_.name] for field_ in fields(cls) if field_.name in saved}


def _dataset(saved: dict) -> DatasetRecord:
    return DatasetRecord(**{**_known(DatasetRecord, saved),
                            "input_shape": tuple(saved["input_shape"]),
                            "class_names": tuple(saved["class_names"])})


def _run(saved: dict) -> RunRecord:
    classes = saved.get("classes")
    return RunRecord(**{**_known(RunRecord, saved),
                        "classes": tuple(classes) if classes else None,
                        "run_keys": tuple(saved["run_keys"])})
