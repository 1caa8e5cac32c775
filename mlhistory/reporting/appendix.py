"""The appendix page: every configuration's leaderboard per dataset, the published figures
beside ours, and what the experiments cost in time on which machine."""

import csv
from collections import Counter, defaultdict
from pathlib import Path

from ..judging.base import from_dict
from ..judging.verdicts import BOOK, VERDICT_MEANINGS
from ..paths import REFERENCES_DIR
from ..results import METADATA_FILE, base_dataset, group_rows, mean_std, read_json, unique_runs
from ..results.schema import BENCH_DIR, BENCH_FILE
from ..results.tuning import read_chosen, read_trials, tuned_datasets
from .common import (
    APPENDIX_PAGE,
    MAIN_PAGE,
    TESTS_HEADING,
    VERDICTS_HEADING,
    JudgedExperiment,
    dataset_name,
    dataset_order,
    sizes_text,
)
from .document import BulletList, Heading, Page, Paragraph, Table
from .experiment_page import RUN_HEADER, computed_seconds, run_cells
from .flagged import flagged_section
from .glance import claim_numbers, claims_by_key, own_questions
from .plots import format_seconds
from .published import display_names, published_vs_measured
from .sections import glossary_section
from .tables.effort import EFFORT_HEADER, effort_notes, effort_rows

TIMELINE_FILE = REFERENCES_DIR / "timeline.csv"
TITLE = "Appendix: leaderboards, published figures, run budget"


def appendix_page(experiments: list[JudgedExperiment], results_dir: Path) -> Page:
    blocks = [Heading(1, TITLE), Paragraph(f"[Back to the report]({MAIN_PAGE})"),
              Paragraph(sizes_text(experiments))]
    blocks += [Heading(2, VERDICTS_HEADING),
               BulletList([f"**{verdict}**: {meaning}" for verdict, meaning in VERDICT_MEANINGS.items()])]
    blocks += glossary_section(experiments)
    blocks += tests_section([row for experiment in experiments for row in experiment.claims])
    blocks += own_questions(experiments)
    book = claims_by_key([row for experiment in experiments for row in experiment.claims
                          if row["source"] == BOOK])
    names = {experiment.dataset: dataset_name(experiment) for experiment in experiments}
    blocks += flagged_section(book, claim_numbers(book), names)
    blocks += leaderboard(experiments)
    blocks += published_vs_measured(experiments)
    blocks += timeline_dates()
    blocks += environment(experiments)
    blocks += search_effort(experiments, Path(results_dir))
    blocks += speed(Path(results_dir) / BENCH_DIR)
    return Page(APPENDIX_PAGE, TITLE, blocks, toc_title="Appendix")


def search_effort(experiments: list[JudgedExperiment], results_dir: Path) -> list:
    """What the search stage cost and chose per family, when `make tune` has saved a search."""
    datasets = sorted(tuned_datasets(results_dir), key=dataset_order)
    if not datasets:
        return []
    fitted = {}  # each tuned run once, however many experiments show it
    for experiment in experiments:
        results = experiment.results
        for run in results.manifest.runs:
            if run.tuned and run.label in results.labels:
                fitted.update({row["run_key"]: (run.dataset, run.model, row["fit_seconds"])
                               for row in results.rows_of(run.label)})
    final_fits: dict[tuple[str, str], list[float]] = {}
    for dataset, model, seconds in fitted.values():
        final_fits.setdefault((dataset, model), []).append(seconds)
    return [Heading(2, "Search effort"),
            Table(EFFORT_HEADER, effort_rows(results_dir, datasets, final_fits)),
            *(Paragraph(note) for note in effort_notes(results_dir, datasets)),
            *unsearched_section(experiments, results_dir)]


def unsearched_section(experiments: list[JudgedExperiment], results_dir: Path) -> list:
    """The families some claim rests on in an untuned run: those with no search saved on the
    run's data, and those searched there whose claims still compare their recipe or fair
    budget. Neither has trials behind the run the claim compares."""
    not_searched: dict[str, set[str]] = defaultdict(set)
    untuned: dict[str, set[str]] = defaultdict(set)
    searched = {}
    for experiment in experiments:
        results = experiment.results
        runs = {run.label: run for run in results.manifest.runs}
        for saved in results.manifest.claims:
            for label in from_dict(saved).run_labels():
                run = runs.get(label)
                if run is None or run.tuned:
                    continue  # skipped here (the claim says so), or the search's choice
                dataset = base_dataset(run.dataset)
                if dataset not in searched:
                    searched[dataset] = set(read_chosen(results_dir, dataset))
                (untuned if run.model in searched[dataset] else not_searched)[dataset].add(run.model)

    def listed(found: dict[str, set[str]]) -> str:
        return "; ".join(
            f"{dataset}: {', '.join(family(dataset, model) for model in sorted(found[dataset]))}"
            for dataset in sorted(found, key=dataset_order))

    def family(dataset: str, model: str) -> str:
        """The family, and how far its search has gone when it stopped part-way."""
        trials = read_trials(results_dir, dataset, model)
        if not trials or model in searched.get(dataset, ()):
            return model
        decided = sum(1 for trial in trials if trial["state"] in ("complete", "pruned"))
        return (f"{model} (searched part-way: {decided} trial{'' if decided == 1 else 's'} "
                "decided so far)")

    blocks = []
    if not_searched:
        blocks.append(Paragraph("Not searched (no trials, against the trials of each family "
                                "above): the families some claim rests on with no search saved "
                                "on the run's data, so those claims compare their recipe or "
                                "fair budget, whose equal effort this table cannot show. "
                                + listed(not_searched) + "."))
    if untuned:
        blocks.append(Paragraph("Searched, but compared untuned by some claim (its recipe or "
                                "fair budget, beside or instead of the configuration chosen "
                                "above): " + listed(untuned) + "."))
    return blocks


def tests_section(rows: list[dict]) -> list:
    """The appendix's list of the tests behind the verdicts, as the claim rows record them."""
    return [Heading(2, TESTS_HEADING), Paragraph(_tests_sentence(rows))]


def _tests_sentence(rows: list[dict]) -> str:
    """The statistical tests behind the verdicts, stated once, as the claim rows record them."""
    tests = Counter(row["test"] for row in rows if row["test"])
    untested = sum(1 for row in rows if not row["test"])
    if len(tests) == 1 and not untested:
        return f"Every verdict comes from one test: {next(iter(tests))}."
    parts = []
    if tests:
        parts.append("The verdicts come from these tests: "
                     + "; ".join(f"{test} ({count} claim rows)" for test, count in tests.items()) + ".")
    if untested:
        parts.append(f"{untested} of {len(rows)} claim rows name no statistical test: the evidence "
                     "on their experiment's page gives the comparison they were judged by.")
    return " ".join(parts)


def speed(folder: Path) -> list:
    """``make bench``'s table, when it has been run: each measurement against its baseline,
    taken side by side in the same run on the machine it names. Only figures measured quiet
    are printed: a void row (other processes used the CPUs, or its load was not recorded) is
    listed with its reason and no figure."""
    if not (folder / BENCH_FILE).exists():
        return []
    with open(folder / BENCH_FILE, newline="") as saved:
        rows = list(csv.DictReader(saved))
    metadata = read_json(folder / METADATA_FILE)
    hardware = metadata["hardware"]
    limit = metadata.get("load", {}).get("other_cpu_limit")
    table = [bench_cells(row) for row in rows]
    void = sum(cells[3] == VOID for cells in table)
    # A bench of some parts keeps the other parts' rows from the runs that timed them.
    timed = metadata.get("load", {}).get("parts_timed")
    kept = sorted({row["part"] for row in rows} - set(timed)) if timed else []
    when = metadata["date"][:10] + (f" (the {', '.join(timed)} rows; those of {', '.join(kept)} "
                                    "from an earlier run)" if kept else "")
    return [Heading(2, "Speed, measured side by side"),
            Paragraph(f"`make bench` on {hardware['cpu']} ({hardware['cpu_count']} cores), "
                      f"{when}. Each row times two ways of doing the same work "
                      "in the same run; the ratio is measured over baseline. A benchmark "
                      "measures and never fails a test. The load is the largest share of the "
                      "CPUs that other processes used while a row was measured"
                      + (f"; above {100 * float(limit):.0f} % the row is void" if limit is not None else "")
                      + (f" ({void} of {len(table)} rows here): it is listed without figures."
                         if void else ".")),
            Table(["part", "what", "setting", "measured", "baseline", "ratio", "unit", "goal",
                   "load", "detail"], table)]


VOID = "void"


def bench_cells(row: dict) -> list[str]:
    """A bench row as printed: its figures only when it was measured quiet."""
    share = row.get("other_cpu_share") or ""
    reason = row.get("void") or ("" if share else "void: the load was not recorded")
    load = f"{100 * float(share):.1f} %" if share else "not recorded"
    if reason:
        return [row["part"], row["subject"], row["setting"], VOID, VOID, VOID, row["unit"],
                row["goal"], load, reason]
    return [row["part"], row["subject"], row["setting"], f"{float(row['measured']):,.4g}",
            f"{float(row['baseline']):,.4g}", f"{float(row['ratio']):.3g}", row["unit"],
            row["goal"], load, row["detail"]]


def leaderboard(experiments: list[JudgedExperiment]) -> list:
    blocks = [Heading(2, "Leaderboard"),
              Paragraph("Every configuration once per dataset, at the largest training size it "
                        "got, best accuracy first (curves over sizes are on the experiments' "
                        "pages). Mean ± standard deviation over seeds; times are per run on "
                        "this machine, predict time per 1,000 test images. Weights are a net's "
                        "trainable parameters; model size is 4 bytes per weight for a net and "
                        "the pickled estimator otherwise; peak memory is the worker process's "
                        "peak resident set, the loaded dataset included.")]
    names = display_names(experiments)
    descriptions = {name: record.description for experiment in experiments
                    for name, record in experiment.results.datasets.items()}
    rows = unique_runs([row for experiment in experiments for row in experiment.results.rows])
    for dataset in sorted({row["dataset"] for row in rows}, key=dataset_order):
        groups = group_rows([row for row in rows if row["dataset"] == dataset],
                            keys=("model", "features", "params", "n_train"))
        largest = {}
        for model, features, params, n_train in groups:
            largest[(model, features, params)] = max(n_train, largest.get((model, features, params), 0))
        ranked = sorted((group for key, group in groups.items() if key[3] == largest[key[:3]]),
                        key=lambda group: -mean_std(row["accuracy"] for row in group)[0])
        table = [run_cells(*names[group[0]["run_key"]], group[0]["n_train"], group) for group in ranked]
        # A class view ("fashion_mnist[5,6,7,8,9]") keeps its name after its dataset's.
        name = descriptions.get(base_dataset(dataset), dataset).split(" (")[0]
        view = dataset.removeprefix(base_dataset(dataset))
        blocks += [Heading(3, f"{name} {view}".strip()), Table(RUN_HEADER, table)]
    return blocks


def timeline_dates() -> list:
    """Every date the timeline figure puts a method at, with what it marks and its source."""
    with open(TIMELINE_FILE, newline="") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda row: int(row["year"]))
    return [Heading(2, "The timeline's dates and their sources"),
            Paragraph("The year each method is drawn at in experiment 05's timeline, what that "
                      "year marks, and where it comes from. The mark is what was measured here "
                      "(the book's small convnet trained on this machine's CPU, say), at the year "
                      "of the method it stands for (GPU-trained convnets winning ImageNet)."),
            Table(["method, as measured here", "year", "what the year marks", "source"],
                  [[row["label"], row["year"], row["milestone"], row["source"]] for row in rows])]


def environment(experiments: list[JudgedExperiment]) -> list:
    blocks = [Heading(2, "Run budget and environment")]
    table, total = [], 0.0
    for experiment in experiments:
        metadata = read_json(experiment.results.folder / METADATA_FILE)
        total += computed_seconds(metadata)
        compute = sum(row["fit_seconds"] + row["predict_seconds"]
                      for row in unique_runs(experiment.results.rows))
        table.append([experiment.experiment_id, experiment.dataset,
                      format_seconds(computed_seconds(metadata)), format_seconds(compute),
                      str(metadata["runs"]), str(metadata["runs_from_cache"]), metadata["date"],
                      (metadata["git_commit"] or "unknown")[:10]
                      + (" (uncommitted changes)" if metadata["git_dirty"] else "")])
    blocks.append(Table(["experiment", "dataset", "wall-clock when computed",
                         "fit + predict of its runs", "runs", "from cache", "date", "git commit"],
                        table))
    all_runs = unique_runs([row for experiment in experiments for row in experiment.results.rows])
    compute_total = sum(row["fit_seconds"] + row["predict_seconds"] for row in all_runs)
    blocks.append(Paragraph(
        f"Fit + predict time of all {len(all_runs)} distinct runs: "
        f"{format_seconds(compute_total)} ({compute_total / 60:.1f} minutes), whether or not "
        "they were served from the cache in the last invocation."))
    blocks.append(Paragraph(
        f"Total wall-clock of each experiment's last invocation that computed runs: "
        f"{format_seconds(total)} ({total / 60:.1f} minutes). In a `make all` from scratch, "
        "later experiments take the runs earlier ones already did from the run cache, so this "
        "total is the time the whole reproduction took. A rerun that finds every run cached "
        "(after a change to code no run depends on) keeps the time of the computation; one "
        "that recomputes some runs states its own, shorter, time."))
    latest = read_json(experiments[-1].results.folder / METADATA_FILE)
    hardware = latest["hardware"]
    gpus = ", ".join(hardware["gpus"]) or "none (CPU only)"
    blocks.append(Paragraph(f"Hardware: {hardware['cpu']}, {hardware['cpu_count']} cores; "
                            f"GPU: {gpus}; {hardware['platform']}."))
    blocks.append(Paragraph("Packages: " + ", ".join(
        f"{name} {version}" for name, version in latest["packages"].items()) + "."))
    return blocks
