"""What an experiment script declares, and the one ``main`` that runs any of them.

An experiment is a page of the book: which runs (models, with their features and sizes),
which claims, which plots and tables. Declaring one checks that every label its claims, plots
and tables name is one of its runs, so a typo fails at once rather than after every run has
finished. ``main`` turns it into run specs for the chosen dataset and seeds,
runs them through the runner (reusing the run cache), then saves rows, claims, plots and
metadata under ``results/<dataset>/<id>/``. The metadata file is written last, so its
presence means the experiment finished.
"""

import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from .. import atomic, models
from ..data import dataset_info, origin
from ..errors import DataError, UsageError
from ..judging.base import judge
from ..judging.base import write as write_claims
from ..judging.sanity import current_flags
from ..paths import experiment_dir, run_cache_root
from ..reporting import plots
from ..reporting.plots import Plot
from ..reporting.tables import Table
from ..results import (
    CLAIMS_FILE,
    MANIFEST_FILE,
    METADATA_FILE,
    RUNS_FILE,
    TEST_LABELS_FILE,
    ExperimentResults,
    write_metadata,
    write_rows,
)
from ..results.integrity import experiment_digests
from ..results.labels import run_label
from ..results.manifest import Manifest, SkippedRun
from ..results.tuning import chosen_path, read_chosen
from . import staging, threads
from .budgets import FAIR_BUDGETS, FAIR_PARAMS
from .cache import RunCache
from .cli import Config, config_from, experiment_parser, run_command
from .execute import test_labels
from .executor import run_all
from .manifests import dataset_record, run_record
from .progress import Stages
from .spec import RunSpec


@dataclass(frozen=True)
class Run:
    """One labelled line of an experiment: a model with its features and params.

    ``sizes`` asks for several training sizes (a scaling or learning curve); sizes above the
    experiment's training size are dropped, so ``--quick`` shrinks the curve with the rest,
    and the full size ends the curve unless ``include_full`` is off. ``max_n_train`` caps a
    method that cannot run at full size within the time budget (a dataset's catalogue entry may
    cap every run on it, ``train_cap``); the size it got is in every row, table and plot.

    What the run's model and dataset say of every run is theirs, never the script's: a dataset
    whose runs are optional (skipped, with the reason, when it cannot be loaded), its training
    cap and its nets' steps per epoch are in the catalogue (``data.DatasetInfo``); what a model
    shrinks under ``--quick`` is in its registry entry (``ModelEntry.quick_params``).

    Seeds: a stochastic model runs every seed; a deterministic one runs once, unless
    ``resample`` says the seed draws the training subset (learning curves), in which case it
    runs every seed at every size below the full split. ``small_size_seeds=(size, count)``
    gives sizes up to ``size`` at least ``count`` seeds when the experiment runs several.
    ``subset_params`` apply only below the full size, so the full-size point stays the very
    run other experiments made (and the run cache serves it).

    ``tuned`` refits the configuration the search stage chose for the model on the run's
    dataset (``mlhistory tune``, saved in ``results/tuning/<dataset>/chosen.json``) on all
    the training images, with the epochs or rounds its validation chose; ``params`` still
    override it. Labelled "<model> tuned" unless ``label`` says otherwise.
    """

    model: str
    features: str | None = None  # None: the dataset's own inputs (pixels, or a table's columns)
    params: dict = field(default_factory=dict)
    sizes: tuple[int, ...] = ()
    max_n_train: int | None = None
    dataset: str | None = None  # another dataset than the experiment's
    label: str = ""
    classes: tuple[int, ...] | None = None  # train and test on these classes only (views.py)
    include_full: bool = True
    resample: bool = False
    small_size_seeds: tuple[int, int] | None = None
    subset_params: dict = field(default_factory=dict)
    # Under --quick only: params that shrink a run's inner work (pretraining, tuning epochs),
    # so the smoke run of every experiment stays within minutes (besides its model's own, in
    # its registry entry). Full runs never see them.
    quick_params: dict = field(default_factory=dict)
    tuned: bool = False  # the search's chosen configuration (see above)

    def __post_init__(self) -> None:
        if self.tuned and self.features not in (None, "pixels", "columns"):
            raise UsageError(f"run {self.name!r}: the search tunes each family on the dataset's "
                             "own inputs; a tuned run cannot take other features")

    @property
    def name(self) -> str:
        model = f"{self.model} tuned" if self.tuned else self.model
        return self.label or run_label(model, self.features, self.dataset)

    def resolved(self, config: Config) -> "Run":
        """The run with everything its params depend on filled in: for a tuned run, the chosen
        configuration (one error line naming ``make tune`` when none is saved)."""
        if not self.tuned:
            return self
        dataset = self.dataset_name(config)
        chosen = read_chosen(config.search_from, dataset).get(self.model)
        if chosen is None:
            raise UsageError(f"run {self.name!r} needs the configuration the search chose for "
                             f"{self.model} on {dataset}, and {chosen_path(config.search_from, dataset)} "
                             f"has none: run `make tune` (or `mlhistory tune --dataset {dataset} "
                             f"--models {self.model}`) first")
        return replace(self, label=self.name, params={**chosen["refit_params"], **self.params})

    def dataset_name(self, config: Config) -> str:
        return self.dataset or config.dataset

    def features_for(self, config: Config) -> str:
        return self.features or models.default_features(dataset_info(self.dataset_name(config)).is_image)

    def params_for(self, config: Config) -> dict:
        """The run's params at full size: what its model takes from its dataset's catalogue
        entry (``models.dataset_params``), the boosters' declared bins (``threads.py``, nothing
        while they are the libraries' defaults), then the run's own."""
        info = dataset_info(self.dataset_name(config))
        return {**models.dataset_params(self.model, info), **threads.model_params(self.model),
                **self.params}

    def quick_params_for(self, config: Config) -> dict:
        """Under --quick, its model's quick params (its registry entry's), then the run's."""
        if not config.quick:
            return {}
        return {**models.get(self.model).quick_params, **self.quick_params}

    def train_cap(self, config: Config) -> int | None:
        """The most training examples the run takes: its own cap or its dataset's, the smaller."""
        dataset_cap = dataset_info(self.dataset_name(config)).train_cap
        caps = [cap for cap in (self.max_n_train, dataset_cap and dataset_cap.n_train)
                if cap is not None]
        return min(caps) if caps else None

    def train_sizes(self, config: Config) -> list[int | None]:
        """Training sizes for this config; None stands for the full training split.

        ``--n-train`` was checked against the experiment's dataset; a run on a smaller
        dataset uses at most all of that dataset.
        """
        full = dataset_info(self.dataset_name(config)).n_train
        base = min(config.n_train or full, full)
        # The experiment's own size ends the list; larger sizes are dropped.
        sizes = [size for size in self.sizes if size < base]
        if self.include_full or not sizes:
            sizes.append(base)
        cap = self.train_cap(config)
        if cap is not None:
            sizes = [min(size, cap) for size in sizes]
        return [None if size == full else size for size in dict.fromkeys(sizes)]

    def seeds(self, config: Config, n_train: int | None) -> list[int]:
        draws_subset = self.resample and n_train is not None
        seeds = models.get(self.model).seeds(
            config.seeds, models.seed_dependent_features(self.features) or draws_subset)
        if self.small_size_seeds and len(seeds) > 1 and n_train is not None:
            threshold, count = self.small_size_seeds
            if n_train <= threshold:  # more seeds up to ``count``; range() is empty past it
                seeds += list(range(max(seeds) + 1, max(seeds) + 1 + count - len(seeds)))
        return seeds

    def specs(self, config: Config, digests: dict[str, str]) -> list[RunSpec]:
        dataset = self.dataset_name(config)
        n_test = config.n_test
        if n_test is not None and n_test >= dataset_info(dataset).n_test:
            n_test = None

        def params(n_train: int | None) -> dict:
            return {**self.params_for(config), **(self.subset_params if n_train else {}),
                    **self.quick_params_for(config)}

        return [RunSpec.create(dataset, self.model, seed, params(n_train), n_train, n_test,
                               self.features_for(config), self.classes, digests[dataset])
                for n_train in self.train_sizes(config) for seed in self.seeds(config, n_train)]


def tuned(model: str, label: str | None = None, **run_options) -> Run:
    """A run of ``model`` in the configuration the search chose, refitted on all the training
    images, labelled "<model> tuned" (and its dataset when it is not the experiment's)."""
    return Run(model, tuned=True, label=label or "", **run_options)


def fair(model: str, label: str | None = None, **run_options) -> Run:
    """A run of ``model`` on the fair budget (budgets.FAIR_PARAMS), labelled "<model> fair" (and
    its dataset when it is not the experiment's)."""
    if model not in FAIR_PARAMS:
        raise UsageError(f"model '{model}' has no fair budget of its own (it runs to convergence "
                         f"as it is); the fair budgets are for: {', '.join(FAIR_PARAMS)}")
    return Run(model, params={**FAIR_PARAMS[model], **run_options.pop("params", {})},
               label=label or run_label(f"{model} fair", dataset=run_options.get("dataset")),
               **run_options)


def on_fair_budget(model: str, **run_options) -> Run:
    """``fair(model)`` for a model with a fair budget of its own (budgets.FAIR_PARAMS); any
    other model as it is: it trains to convergence, which is its fair budget already."""
    if model in FAIR_PARAMS:
        return fair(model, **run_options)
    return Run(model, **run_options)


@dataclass(frozen=True)
class Experiment:
    experiment_id: str  # also the script's file name, e.g. "01_probabilistic"
    title: str
    book_section: str
    summary: str  # the script's docstring: what the reader should see
    runs: tuple  # Run objects, or bare model names for a model on pixels at the default size
    claims: tuple = ()  # judging.base.Claim objects, of any kind
    plots: tuple[Plot, ...] = ()
    tables: tuple[Table, ...] = ()  # report tables drawn from saved results
    # Steps outside the runner that save artifacts for plots, e.g. fits on 2-D toy data:
    # each is called as step(config, folder) before the plots are drawn.
    extra_steps: tuple = ()

    def __post_init__(self) -> None:
        self.check_names()

    @property
    def labelled_runs(self) -> list[Run]:
        return [run if isinstance(run, Run) else Run(run) for run in self.runs]

    def check_names(self) -> None:
        """Every run label and model name a claim, plot or table names must be one of the runs'.

        Readers find rows by label only after every run has finished, where a typo would give
        a silent "inconclusive", an empty plot or a crash.
        """
        labels = [run.name for run in self.labelled_runs]
        repeated = [label for index, label in enumerate(labels) if label in labels[:index]]
        if repeated:
            raise UsageError(f"{self.experiment_id}: two runs are labelled {repeated[0]!r}; "
                             "give one of them its own label")
        models = list(dict.fromkeys(run.model for run in self.labelled_runs))
        for claim in self.claims:
            self._check_named(f"claim {claim.claim_id!r}", claim.run_labels(), "run", labels)
        for declaration in (*self.plots, *self.tables):
            self._check_named(str(declaration), declaration.run_labels(), "run", labels)
            self._check_named(str(declaration), declaration.model_names(), "model", models)

    def _check_named(self, declaration: str, named: list[str], what: str, known: list[str]) -> None:
        unknown = [name for name in named if name not in known]
        if unknown:
            raise UsageError(f"{self.experiment_id}: {declaration} names the {what} {unknown[0]!r}, "
                             f"which is not one of the experiment's {what}s "
                             f"({', '.join(repr(name) for name in known)})")

    def manifest(self, config: Config, runs: list[Run], specs_by_run: dict,
                 skipped: list[SkippedRun], sources: dict) -> Manifest:
        return Manifest(
            experiment_id=self.experiment_id, title=self.title, book_section=self.book_section,
            summary=self.summary.strip(), quick=config.quick, seeds=tuple(config.seeds),
            n_train=config.n_train, n_test=config.n_test, dataset=config.dataset,
            datasets={name: dataset_record(name)
                      for name in dict.fromkeys([config.dataset,
                                                 *(run.dataset_name(config) for run in runs)])},
            runs=tuple(run_record(run, config, specs_by_run[run.name]) for run in runs),
            skipped=tuple(skipped), fair_budgets=FAIR_BUDGETS, data_sources=sources,
            claims=tuple(claim.to_dict() for claim in self.claims),
            plots=tuple(plot.to_dict() for plot in self.plots),
            tables=tuple(table.to_dict() for table in self.tables))


def available_runs(runs: list[Run], config: Config, looked_up: dict | None = None
                   ) -> tuple[list[Run], list[SkippedRun], dict]:
    """The runs to make, the optional ones skipped, and each dataset's origin (data.Origin).

    Every dataset is fetched and verified here, once, before any run starts. A run on a dataset
    the catalogue calls optional (``DatasetInfo.optional``) is skipped when it cannot be loaded,
    and not silently: the manifest lists it with the reason, and the report prints it. Any
    other run whose dataset fails to load, and any run on the experiment's own dataset, stops
    the experiment. ``looked_up`` holds each dataset's origin, or the error that loading it
    raised, by name, as the plans of several experiments share them (batch.py); it is filled in.
    """
    looked_up = {} if looked_up is None else looked_up
    origins, reasons = {}, {}
    for dataset in dict.fromkeys(run.dataset_name(config) for run in runs):
        if dataset not in looked_up:
            try:
                looked_up[dataset] = origin(dataset, config.data_dir)
            except DataError as error:
                looked_up[dataset] = error
        if not isinstance(looked_up[dataset], DataError):
            origins[dataset] = looked_up[dataset]
        elif not dataset_info(dataset).optional or dataset == config.dataset:
            raise looked_up[dataset]
        else:
            reasons[dataset] = str(looked_up[dataset])
    kept = [run for run in runs if run.dataset_name(config) not in reasons]
    skipped = [SkippedRun(label=run.name, dataset=run.dataset_name(config),
                          reason=reasons[run.dataset_name(config)])
               for run in runs if run not in kept]
    for entry in skipped:
        print(f"[skipped] {entry.label}: {entry.reason}", flush=True)
    return kept, skipped, origins


def main(experiment: Experiment, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = experiment_parser(experiment.summary)
    run_command(lambda: run(experiment, config_from(parser.parse_args(argv), argv)))


def run(experiment: Experiment, config: Config) -> None:
    target = experiment_dir(config.results_dir, config.dataset, experiment.experiment_id)
    # Written into a staging folder that takes the target's place at the end (staging.py).
    with staging.results_folder(target) as folder:
        summary = _run(experiment, config, folder, target)
    print("\n".join(summary))


@dataclass(frozen=True)
class Plan:
    """The runs an experiment makes under a config: those kept, those skipped (an optional
    dataset that cannot be loaded), each dataset's origin, and the specs of each run."""

    runs: list
    skipped: list
    origins: dict
    specs_by_run: dict

    @property
    def specs(self) -> list[RunSpec]:
        return list(dict.fromkeys(spec for specs in self.specs_by_run.values() for spec in specs))


def plan(experiment: Experiment, config: Config, looked_up: dict | None = None) -> Plan:
    """The experiment's runs under ``config``; ``looked_up``: the datasets found so far, shared
    by the plans of several experiments (``available_runs``)."""
    # A tuned run without a chosen configuration fails here, before any data is loaded.
    declared = [run.resolved(config) for run in experiment.labelled_runs]
    runs, skipped, origins = available_runs(declared, config, looked_up)
    digests = {name: found.digest for name, found in origins.items()}
    return Plan(runs, skipped, origins, {run.name: run.specs(config, digests) for run in runs})


def _run(experiment: Experiment, config: Config, folder: Path, target: Path) -> list[str]:
    """The experiment, written into ``folder``; returns the lines that say what it found. The
    metadata records each stage's wall and CPU seconds (``progress.Stages``)."""
    started = time.perf_counter()
    stages = Stages()
    # This process's threads too: the extra steps fit here, and the workers inherit them.
    threads.use(threads.layout(config.threads))
    with stages.stage("data"):
        planned = plan(experiment, config)
        specs = planned.specs
    cache = RunCache(run_cache_root(config.results_dir))
    n_cached = sum(cache.row_path(spec).exists() for spec in specs)  # run_all checks them whole
    with stages.stage("fits"):
        rows = [{"experiment": experiment.experiment_id, **row}
                for row in run_all(specs, cache, config.data_dir, jobs=config.jobs,
                                   scheduler=config.scheduler,
                                   thread_settings=threads.layout(config.threads))]
    with stages.stage("saving"):
        manifest = experiment.manifest(config, planned.runs, planned.specs_by_run, planned.skipped,
                                       {name: found.source for name, found in planned.origins.items()})
        atomic.write_json(folder / MANIFEST_FILE, manifest.to_dict())
        write_rows(folder / RUNS_FILE, rows)
        atomic.write_npz(folder / TEST_LABELS_FILE, test_labels(specs, config.data_dir))
    for step in experiment.extra_steps:
        with stages.stage(f"step {step.__name__}"):
            step(config, folder)
    with stages.stage("judging"):
        results = ExperimentResults.read(folder)
        judged = judge(results, experiment.claims, current_flags(results))
        write_claims(folder / CLAIMS_FILE, judged)
    with stages.stage("rendering"):
        plots.render_experiment(folder)
    wall_seconds = time.perf_counter() - started
    write_metadata(folder, [f"experiments/{experiment.experiment_id}.py", *config.argv],
                   wall_seconds=round(wall_seconds, 1), runs=len(specs), runs_from_cache=n_cached,
                   previous=target / METADATA_FILE, digests=experiment_digests(folder, rows),
                   threads=threads.record(), stages=stages.record())
    return [f"{experiment.experiment_id} on {config.dataset}: {len(specs)} runs "
            f"({n_cached} from the cache) in {wall_seconds:.0f} s ({stages.summary()}) -> {target}",
            *(f"  [{claim['verdict']}] {claim['claim']}" for claim in judged)]
