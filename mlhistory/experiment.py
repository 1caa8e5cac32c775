"""What an experiment script declares, and the one ``main`` that runs any of them.

An experiment is a page of the book: which models, which claims, which plots. ``main`` turns
it into run specs for the chosen dataset and seeds, runs them through the runner (reusing the
run cache), then saves rows, claims, plots and metadata under ``results/<dataset>/<id>/``.
The metadata file is written last, so its presence means the experiment finished.
"""

import sys
import time
from dataclasses import dataclass

from . import atomic, claims, models, plots, runner
from .cli import Config, config_from, experiment_parser, run_command
from .data import dataset_info
from .paths import experiment_dir, run_cache_dir
from .results import CLAIMS_FILE, MANIFEST_FILE, RUNS_FILE, write_metadata, write_rows


@dataclass(frozen=True)
class Experiment:
    experiment_id: str  # also the script's file name, e.g. "01_probabilistic"
    title: str
    book_section: str
    summary: str  # the script's docstring: what the reader should see
    models: tuple[str, ...]
    claims: tuple = ()
    plots: tuple[dict, ...] = ()

    def run_specs(self, config: Config) -> list[runner.RunSpec]:
        """Every stochastic model once per seed; a deterministic model once."""
        return [
            runner.RunSpec.create(config.dataset, model, seed, n_train=config.n_train,
                                  n_test=config.n_test)
            for model in self.models
            for seed in (config.seeds if models.get(model).stochastic else config.seeds[:1])
        ]

    def manifest(self, config: Config) -> dict:
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
            # A list, not a mapping, so plots and tables keep the experiment's order.
            "models": [{"name": name, "family": models.get(name).family,
                        "preprocessing": models.get(name).preprocessing,
                        "provenance": models.get(name).provenance,
                        "params": models.resolve_params(name)}
                       for name in self.models],
            "claims": [claim.to_dict() for claim in self.claims],
            "plots": list(self.plots),
        }


def main(experiment: Experiment, argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = experiment_parser(experiment.summary)
    run_command(lambda: run(experiment, config_from(parser.parse_args(argv), argv)))


def run(experiment: Experiment, config: Config) -> None:
    started = time.perf_counter()
    specs = experiment.run_specs(config)
    cache = runner.RunCache(run_cache_dir(config.results_dir, config.dataset))
    n_cached = sum(cache.get(spec) is not None for spec in specs)
    rows = [{"experiment": experiment.experiment_id, **row}
            for row in runner.run_all(specs, cache, config.data_dir, jobs=config.jobs)]

    folder = experiment_dir(config.results_dir, config.dataset, experiment.experiment_id)
    atomic.write_json(folder / MANIFEST_FILE, experiment.manifest(config))
    write_rows(folder / RUNS_FILE, rows)
    judged = claims.judge(experiment.experiment_id, config.dataset, experiment.claims, rows)
    claims.write(folder / CLAIMS_FILE, judged)
    plots.render_experiment(folder)
    wall_seconds = time.perf_counter() - started
    write_metadata(folder, [f"experiments/{experiment.experiment_id}.py", *config.argv],
                   wall_seconds=round(wall_seconds, 1), runs=len(specs), runs_from_cache=n_cached)

    print(f"{experiment.experiment_id} on {config.dataset}: {len(specs)} runs "
          f"({n_cached} from the cache) in {wall_seconds:.0f} s -> {folder}")
    for claim in judged:
        print(f"  [{claim['verdict']}] {claim['claim']}")
