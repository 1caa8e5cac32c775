"""What an experiment script declares, and the one ``main`` that runs any of them.

An experiment is a page of the book: which runs (models, with their features and sizes),
which claims, which plots. ``main`` turns it into run specs for the chosen dataset and seeds,
runs them through the runner (reusing the run cache), then saves rows, claims, plots and
metadata under ``results/<dataset>/<id>/``. The metadata file is written last, so its
presence means the experiment finished.
"""

import sys
import time
from dataclasses import dataclass, field

from . import atomic, claims, models, plots, runner
from .cli import Config, config_from, experiment_parser, run_command
from .data import dataset_info
from .paths import experiment_dir, run_cache_dir
from .results import CLAIMS_FILE, MANIFEST_FILE, RUNS_FILE, ExperimentResults, write_metadata, write_rows


@dataclass(frozen=True)
class Run:
    """One labelled line of an experiment: a model with its features and params.

    ``sizes`` asks for several training sizes (a scaling or learning curve); sizes above the
    experiment's training size are dropped, so ``--quick`` shrinks the curve with the rest.
    ``max_n_train`` caps a method that cannot run at full size within the time budget; the
    size it got is in every row, table and plot.
    """

    model: str
    features: str = "pixels"
    params: dict = field(default_factory=dict)
    sizes: tuple[int, ...] = ()
    max_n_train: int | None = None
    label: str = ""

    @property
    def name(self) -> str:
        if self.label:
            return self.label
        return self.model if self.features == "pixels" else f"{self.model} on {self.features}"

    def train_sizes(self, config: Config) -> list[int | None]:
        """Training sizes for this config; None stands for the full training split."""
        full = dataset_info(config.dataset).n_train
        base = config.n_train or full
        sizes = [size for size in self.sizes if size <= base] or [base]
        if self.max_n_train is not None:
            sizes = [min(size, self.max_n_train) for size in sizes]
        return [None if size == full else size for size in dict.fromkeys(sizes)]

    def specs(self, config: Config) -> list[runner.RunSpec]:
        seeds = config.seeds if models.get(self.model).stochastic else config.seeds[:1]
        return [runner.RunSpec.create(config.dataset, self.model, seed, self.params, n_train,
                                      config.n_test, self.features)
                for n_train in self.train_sizes(config) for seed in seeds]


@dataclass(frozen=True)
class Experiment:
    experiment_id: str  # also the script's file name, e.g. "01_probabilistic"
    title: str
    book_section: str
    summary: str  # the script's docstring: what the reader should see
    runs: tuple  # Run objects, or bare model names for a model on pixels at the default size
    claims: tuple = ()
    plots: tuple[dict, ...] = ()

    @property
    def labelled_runs(self) -> list[Run]:
        return [run if isinstance(run, Run) else Run(run) for run in self.runs]

    def manifest(self, config: Config, specs_by_run: dict) -> dict:
        info = dataset_info(config.dataset)
        return {
            "experiment_id": self.experiment_id,
            "title": self.title,
            "book_section": self.book_section,
            "summary": self.summary.strip(),
            "quick": config.quick,
            "seeds": config.seeds,
            "dataset": {"name": info.name, "description": info.description,
                        "class_names": list(info.class_names),
                        "image_shape": list(info.image_shape), "n_train_full": info.n_train},
            # A list, so plots and tables keep the experiment's order.
            "runs": [{"label": run.name, "model": run.model, "features": run.features,
                      "family": models.get(run.model).family,
                      "preprocessing": models.get(run.model).preprocessing,
                      "provenance": models.get(run.model).provenance,
                      "params": models.resolve_params(run.model, run.params),
                      "max_n_train": run.max_n_train,
                      "run_keys": [spec.key for spec in specs_by_run[run.name]]}
                     for run in self.labelled_runs],
            "claims": [claim.to_dict() for claim in self.claims],
            "plots": list(self.plots),
        }


def main(experiment: Experiment, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = experiment_parser(experiment.summary)
    run_command(lambda: run(experiment, config_from(parser.parse_args(argv), argv)))


def run(experiment: Experiment, config: Config) -> None:
    started = time.perf_counter()
    specs_by_run = {run.name: run.specs(config) for run in experiment.labelled_runs}
    specs = list(dict.fromkeys(spec for specs in specs_by_run.values() for spec in specs))
    cache = runner.RunCache(run_cache_dir(config.results_dir, config.dataset))
    n_cached = sum(cache.get(spec) is not None for spec in specs)
    rows = [{"experiment": experiment.experiment_id, **row}
            for row in runner.run_all(specs, cache, config.data_dir, jobs=config.jobs)]

    folder = experiment_dir(config.results_dir, config.dataset, experiment.experiment_id)
    atomic.write_json(folder / MANIFEST_FILE, experiment.manifest(config, specs_by_run))
    write_rows(folder / RUNS_FILE, rows)
    results = ExperimentResults.read(folder)
    judged = claims.judge(results, experiment.claims)
    claims.write(folder / CLAIMS_FILE, judged)
    plots.render_experiment(folder)
    wall_seconds = time.perf_counter() - started
    write_metadata(folder, [f"experiments/{experiment.experiment_id}.py", *config.argv],
                   wall_seconds=round(wall_seconds, 1), runs=len(specs), runs_from_cache=n_cached)

    print(f"{experiment.experiment_id} on {config.dataset}: {len(specs)} runs "
          f"({n_cached} from the cache) in {wall_seconds:.0f} s -> {folder}")
    for claim in judged:
        print(f"  [{claim['verdict']}] {claim['claim']}")
