"""Project tools: ``python -m mlhistory {data,models,run,tune,bench,judge,plots,report} --help``.

- data: locate, fetch and verify datasets, and print what was found;
- models: list the registry with each model's preprocessing and defaults;
- run: one model through the runner and its cache, outside any experiment;
- tune: the search stage, the same number of configurations for every family on a validation
  split of the training images, saved under results/tuning/ (resumes where it stopped);
- runs: every run of the experiments into the run cache at once (each once, the longest first),
  then with --write every experiment's results from the cache on the same workers;
- bench: time the runner, the Keras input path, the SVM's implementations and the make targets;
- judge: judge every experiment's claims again from its saved results and rewrite its
  claims.csv, printing each verdict that changed (after a change of the statistics, no
  experiment needs to run again);
- plots, report: re-render from saved results only (never retrain); the report reads the
  verdicts ``judge`` wrote.
"""

import argparse
import json
import os
import sys
from pathlib import Path

from .data import DATASETS, array_checksums, recorded_checksums, verification
from .errors import DataError, UsageError
from .paths import default_data_dir, default_results_dir, run_cache_root
from .running.cli import (
    SCHEDULER_ENV,
    add_data_arguments,
    add_results_arguments,
    add_run_arguments,
    check_writable,
    config_from,
    run_command,
)


def data_command(arguments) -> None:
    """Fetch and verify datasets; fail if one that can be had offline is missing or damaged, or
    if one cannot be verified at all."""
    from .data import load

    names = [arguments.dataset] if arguments.dataset else sorted(DATASETS)
    data_dir = arguments.data_dir or default_data_dir()
    recorded_checksums()  # without the file no dataset can be verified: one line, not one each
    failed = []
    for name in names:
        try:
            verified_by = verification(name)
        except DataError as error:
            failed.append(name)
            print(f"{name}: REFUSED: {error}")
            continue
        try:
            dataset = load(name, data_dir)
        except DataError as error:  # report every dataset before failing
            needs_network = DATASETS[name].needs_network
            failed += [] if needs_network else [name]
            print(f"{name}: {'needs network' if needs_network else 'NOT AVAILABLE'}: {error}")
            continue
        info = dataset.info
        digests = array_checksums({"x_train": dataset.x_train, "y_train": dataset.y_train,
                                   "x_test": dataset.x_test, "y_test": dataset.y_test}, info.kind)
        examples = (f"images of {'x'.join(map(str, info.input_shape))}" if info.is_image
                    else f"rows of {info.input_shape[0]} features")
        print(f"{name}: ok, {len(dataset.y_train):,} train / {len(dataset.y_test):,} test {examples}, "
              f"{info.n_classes} classes, {verified_by}; from {dataset.source}")
        if not arguments.brief:
            computed = "" if name in recorded_checksums() else " (computed here, not recorded)"
            for key, digest in digests.items():
                print(f"    sha256 {key}: {digest}{computed}")
    if failed:
        raise DataError(f"not available or not verifiable: {', '.join(failed)} (see above)")


def models_command(arguments) -> None:
    from .models import REGISTRY
    from .models.entry import OnThisMachine

    for entry in REGISTRY.values():
        print(f"{entry.name:14} {entry.family:8} {entry.preprocessing}")
        print(f"{'':24}defaults: {json.dumps(entry.default_params())}")
        for name, default in entry.defaults.items():
            if isinstance(default, OnThisMachine):
                print(f"{'':24}{name}: {default.description} on this machine")
        print(f"{'':24}from: {entry.provenance}")


def run_one_command(arguments) -> None:
    from .data import origin
    from .running.cache import RunCache
    from .running.executor import run_all
    from .running.spec import RunSpec
    from .running.threads import layout

    config = config_from(arguments, sys.argv[1:])
    try:
        overrides = json.loads(arguments.params) if arguments.params else {}
    except json.JSONDecodeError as error:
        raise UsageError(f"--params must be a JSON object ({error})") from error
    if not isinstance(overrides, dict):
        raise UsageError(f"--params must be a JSON object of parameter names and values, such "
                         f'as \'{{"C": 0.1}}\', not {arguments.params}')
    digest = origin(config.dataset, config.data_dir).digest
    specs = [RunSpec.create(config.dataset, arguments.model, seed, overrides, config.n_train,
                            config.n_test, arguments.features, data_digest=digest)
             for seed in config.seeds]
    cache = RunCache(run_cache_root(config.results_dir))
    for row in run_all(specs, cache, config.data_dir, jobs=config.jobs,
                       scheduler=config.scheduler, thread_settings=layout(config.threads)):
        print(json.dumps(row))


def print_table(table) -> None:
    """A report table as aligned plain text, for the terminal."""
    cells = [table.header, *table.rows]
    widths = [max(len(row[column]) for row in cells) for column in range(len(table.header))]
    print(table.title)
    for row in cells:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    for note in table.notes:
        print(f"  {note}")


def tune_command(arguments) -> None:
    from .data import dataset_info
    from .reporting.tables.effort import EFFORT_HEADER, effort_notes, effort_rows, trials_table
    from .reporting.tables.registry import ResultTable
    from .running import search

    info = dataset_info(arguments.dataset)
    families = arguments.models or search.searchable(arguments.dataset)
    unknown = [name for name in families if name not in search.searchable()]
    if unknown:
        raise UsageError(f"model '{unknown[0]}' has no search space; the searched families are: "
                         f"{', '.join(search.searchable())}")
    batch = search.BATCH if arguments.batch is None else arguments.batch
    if arguments.jobs < 1 or batch < 1:
        raise UsageError("--jobs and --batch must be at least 1")
    default_trials = search.QUICK_TRIALS if arguments.quick else search.TRIALS
    trials = default_trials if arguments.trials is None else arguments.trials
    if trials < 1:
        raise UsageError("--trials must be at least 1")
    pool = min(search.QUICK_POOL, info.n_train) if arguments.quick else None
    results_dir = Path(arguments.results_dir or default_results_dir(arguments.quick))
    check_writable(results_dir, "--results-dir")
    config = search.Search(arguments.dataset, results_dir, arguments.data_dir or default_data_dir(),
                           trials=trials, seed=arguments.seed, pool=pool, jobs=arguments.jobs,
                           scheduler=arguments.scheduler or os.environ.get(SCHEDULER_ENV) or None,
                           batch=batch)
    if not arguments.show:
        search.run_search(config, families, restart=arguments.restart)
    for model in families:
        print_table(trials_table(results_dir, arguments.dataset, model))
    rows = [row for row in effort_rows(results_dir, [arguments.dataset]) if row[0] in families]
    print_table(ResultTable("Search effort", EFFORT_HEADER, rows,
                            effort_notes(results_dir, [arguments.dataset]) if rows else []))


def bench_command(arguments) -> None:
    from .running.bench import PARTS, SUITE, run_bench
    from .running.quiet import MIN_REPEATS, QuietTimer

    if arguments.repeats < MIN_REPEATS:
        raise UsageError(f"--repeats must be at least {MIN_REPEATS} (the median of at least "
                         f"{MIN_REPEATS} pairs), not {arguments.repeats}")
    unknown = sorted(set(arguments.part or ()) - {*PARTS, SUITE})
    if unknown:
        raise UsageError(f"no bench part {', '.join(unknown)}; choose among: "
                         f"{', '.join([*PARTS, SUITE])}")
    results_dir = Path(arguments.results_dir or default_results_dir(False))
    check_writable(results_dir, "--results-dir")
    data_dir = arguments.data_dir or default_data_dir()
    path = run_bench(arguments.dataset, data_dir, results_dir, arguments.repeats,
                     arguments.suite, ["-m", "mlhistory", *sys.argv[1:]],
                     timer=QuietTimer(allow_busy=arguments.allow_busy),
                     parts=tuple(arguments.part) if arguments.part else None)
    print(f"wrote {path}")


def plots_command(arguments) -> None:
    from .reporting.plots import render_experiment
    from .results.integrity import verified_experiment_dirs

    results_dir = arguments.results_dir or default_results_dir(arguments.quick)
    folders = verified_experiment_dirs(results_dir)
    for folder in folders:
        for path in render_experiment(folder):
            print(f"wrote {path}")
    if not folders:
        print(f"no finished experiments under {results_dir}; nothing to draw")


def judge_command(arguments) -> None:
    from .judging.results_set import judge_results_set

    results_dir = Path(arguments.results_dir or default_results_dir(arguments.quick))
    check_writable(results_dir, "--results-dir")
    # The sanity gate first: the runs it flags (short of the literature, a tuned run below its
    # default) make the claims resting on them "setup short".
    judged = judge_results_set(results_dir)
    for flag in judged.flags:
        print(f"[flagged] {flag.run_key}: {flag.reason} ({flag.detail})")
    for row, previous in judged.changed:
        print(f"{row['dataset']}/{row['experiment']} {row['claim_id']}: {previous} -> "
              f"{row['verdict']}")
    print(f"judged {len(judged.rows)} claims in {judged.experiments} experiment "
          f"result sets under {results_dir}; {len(judged.changed)} verdicts changed")
    if arguments.changes_since:
        from .judging.changes import write_changes

        found = write_changes(results_dir, arguments.changes_since, judged.rows)
        print(f"{len(found)} claims judged otherwise than at {arguments.changes_since}: "
              f"written to {results_dir / 'verdict_changes.csv'}")


def runs_command(arguments) -> None:
    from .running.batch import run_experiments

    # What each experiment's metadata records as the command that wrote it: its script's options.
    script_options = [token for token in sys.argv[2:]
                      if token != "--write" and token not in arguments.experiments]
    run_experiments(arguments.experiments, config_from(arguments, script_options),
                    write=arguments.write)


def report_command(arguments) -> None:
    from .reporting.report import write_report

    results_dir = Path(arguments.results_dir or default_results_dir(arguments.quick))
    check_writable(results_dir, "--results-dir")
    write_report(results_dir)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m mlhistory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    data = commands.add_parser("data", help="locate, fetch and verify datasets")
    add_data_arguments(data)
    data.add_argument("--brief", action="store_true", help="one line per dataset, no digests")
    data.set_defaults(dataset=None, handler=data_command)
    commands.add_parser("models", help="list the model registry").set_defaults(handler=models_command)
    run = commands.add_parser("run", help="run one model through the runner and its cache")
    run.add_argument("--model", required=True, metavar="NAME", help="a registry name")
    run.add_argument("--params", metavar="JSON", help='overrides, e.g. \'{"C": 0.1}\'')
    run.add_argument("--features", default="pixels", metavar="NAME",
                     help="feature transform for a shallow model: pixels, ink_profiles, hog, "
                          "pca<k>, pca<k>_poly2 (default: pixels)")
    add_run_arguments(run)
    run.set_defaults(handler=run_one_command)
    tune = commands.add_parser("tune", help="search every family's configuration on a validation "
                               "split (the same number of trials each), under results/tuning/")
    add_data_arguments(tune)
    tune.add_argument("--quick", action="store_true",
                      help="a smoke test: 2,000 training images and 6 trials per family, "
                           "written under results/quick/tuning/")
    tune.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                      help="writes DIR/tuning/ (default: results/, or results/quick/ with --quick)")
    tune.add_argument("--trials", type=int, default=None, metavar="N",
                      help="configurations per family (default: 24, 6 with --quick)")
    tune.add_argument("--models", nargs="+", default=None, metavar="NAME",
                      help="only these families (default: every family with a search space)")
    tune.add_argument("--seed", type=int, default=0, help="the sampler's and the split's seed "
                      "(default: 0)")
    tune.add_argument("--batch", type=int, default=None, metavar="N",
                      help="configurations asked at a time and run together (default: 6; "
                           "another batch draws other trials)")
    tune.add_argument("--jobs", type=int, default=1, metavar="N",
                      help="trials to run in parallel worker processes (default: 1)")
    tune.add_argument("--scheduler", default=None, metavar="ADDRESS",
                      help="run the trials on this Dask cluster, or 'local' (as for run)")
    tune.add_argument("--restart", action="store_true",
                      help="forget each family's saved study and search it afresh")
    tune.add_argument("--show", action="store_true",
                      help="only print the saved trials and effort tables; search nothing")
    tune.set_defaults(handler=tune_command)
    runs = commands.add_parser("runs", help="compute every run of the experiments into the run "
                               "cache at once: each once, the longest first (make quick's first "
                               "step)")
    runs.add_argument("experiments", nargs="*", metavar="EXPERIMENT",
                      help="experiment ids, e.g. 01_probabilistic (default: every experiment)")
    add_run_arguments(runs)
    runs.add_argument("--write", action="store_true",
                      help="then write every experiment's results from the run cache, on the "
                           "same workers (make quick)")
    runs.set_defaults(handler=runs_command)
    bench = commands.add_parser("bench", help="measure the runner's overhead, the Keras input "
                                "path, the accelerated SVM and (--suite) the make targets")
    add_data_arguments(bench)
    bench.add_argument("--results-dir", type=Path, default=None, metavar="DIR",
                       help="writes DIR/bench/bench.csv (default: results/)")
    bench.add_argument("--repeats", type=int, default=3, metavar="N",
                       help="interleaved repeats of each timed pair, the median kept (default "
                            "and least: 3)")
    bench.add_argument("--suite", action="store_true",
                       help="also time make quick in a fresh clone (-j1 and -j2), a no-op make "
                            "all and make test in a fresh clone")
    bench.add_argument("--part", action="append", default=None, metavar="NAME",
                       help="time only this part (repeatable; default: every part; 'suite': "
                            "the make targets); the saved rows of the parts not timed are kept")
    bench.add_argument("--allow-busy", action="store_true",
                       help="start even when other processes use the CPUs (every row measured "
                            "then is void, and printed as void)")
    bench.set_defaults(handler=bench_command)
    judge = commands.add_parser("judge", help="judge every claim again from saved results and "
                                              "rewrite the claims.csv files (never retrains)")
    add_results_arguments(judge)
    judge.add_argument("--changes-since", default=None, metavar="REVISION",
                       help="also write verdict_changes.csv: every claim whose verdict or test "
                            "differs from the claims committed at this git revision, and why")
    judge.set_defaults(handler=judge_command)
    for name, handler in (("plots", plots_command), ("report", report_command)):
        command = commands.add_parser(name, help=f"re-render {name} from saved results "
                                                 "(the report from the verdicts `judge` wrote)")
        add_results_arguments(command)
        command.set_defaults(handler=handler)
    arguments = parser.parse_args(argv)
    run_command(lambda: arguments.handler(arguments))


if __name__ == "__main__":
    main()
