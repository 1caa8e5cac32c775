"""One experiment on one dataset, in full: its claims with their evidence and budgets, its runs,
what each model got, its tables and every plot. Written as ``<dataset>/<experiment>/README.md``
beside the results it reads, and as a section of the HTML report."""

from collections import defaultdict

from ..judging.changes import RETIRED_VERDICT
from ..judging.verdicts import BOOK
from ..results import METADATA_FILE, group_rows, mean_std, read_json
from ..results.flags import FAILED, SHORT, TIMING, flags_of
from . import tables
from .common import (
    MAIN_PAGE,
    JudgedExperiment,
    accuracy_text,
    bytes_text,
    dataset_name,
    numbers_text,
    params_text,
    sizes_text,
    verdict_changes,
    verdict_text,
)
from .document import BulletList, Cell, Heading, Image, Page, Paragraph, Table, slug
from .evidence import evidence_of, where_to_look
from .plots import format_seconds, plot_filename


def experiment_page(experiment: JudgedExperiment, siblings: list[JudgedExperiment]) -> Page:
    """``siblings``: the same experiment on the other datasets, linked from the top."""
    results, manifest = experiment.results, experiment.results.manifest
    metadata = read_json(results.folder / METADATA_FILE)
    name = dataset_name(experiment)
    links = [f"[Back to the report]({MAIN_PAGE}#{slug(experiment.heading)})"]
    links += [f"[the same on {dataset_name(other)}]({other.page})" for other in siblings]
    blocks = [Heading(1, f"{experiment.heading} ({name})"),
              Paragraph(" · ".join(links)),
              Paragraph(f"Book: {manifest.book_section}. Script: "
                        f"`experiments/{experiment.experiment_id}.py`. Saved results: "
                        f"[runs.csv]({experiment.folder}/runs.csv), "
                        f"[claims.csv]({experiment.folder}/claims.csv). Wall-clock time of the "
                        f"last computation: {format_seconds(computed_seconds(metadata))} "
                        f"({metadata['runs']} runs, {metadata['runs_from_cache']} from the run "
                        "cache)."),
              Paragraph(sizes_text([experiment]))]
    # The docstring's first line is the title, already shown; a bulleted paragraph becomes a list.
    for paragraph in manifest.summary.split("\n\n")[1:]:
        if paragraph.startswith("- "):
            blocks.append(BulletList([" ".join(item.split())
                                      for item in paragraph.removeprefix("- ").split("\n- ")]))
        else:
            blocks.append(Paragraph(" ".join(paragraph.split())))
    changes = verdict_changes(results.folder.parent.parent)
    blocks += _claims(experiment.claims, changes)
    blocks += _retired(results.folder.name, results.folder.parent.name, changes)
    blocks += _flagged(experiment)
    blocks += _runs(experiment)
    blocks += _budgets(experiment)
    for table in manifest.tables:
        rendered = tables.render(results, table)
        blocks += [Heading(2, rendered.title), Table(rendered.header, rendered.rows)]
        blocks += [Paragraph(note) for note in rendered.notes]
    blocks += _figures(experiment)
    return Page(experiment.page, f"{experiment.heading} ({name})", blocks,
                toc_title=experiment.short_heading, toc_label=name)


def _figures(experiment: JudgedExperiment) -> list:
    """Every figure, full width under its own heading (the anchor a claim links to), with a
    line for each claim it carries saying what to see in it."""
    manifest = experiment.results.manifest
    rows = {row["claim_id"]: row for row in experiment.claims}
    carried = defaultdict(list)
    for claim in manifest.claims:
        evidence = evidence_of(claim, list(manifest.plots))
        if evidence and claim["claim_id"] in rows:
            carried[evidence.filename].append((evidence, rows[claim["claim_id"]]))
    blocks = [Heading(2, "Plots")]
    for plot in manifest.plots:
        filename = plot_filename(plot)
        title = filename.removesuffix(".png").replace("_", " ")
        blocks.append(Heading(3, title))
        if carried[filename]:
            blocks.append(BulletList([f"The evidence of \"{row['claim']}\" ({verdict_text(row)}): "
                                      f"look at {where_to_look(evidence, row)}."
                                      for evidence, row in carried[filename]]))
        blocks.append(Image(f"{experiment.folder}/{filename}", title))
    return blocks


def computed_seconds(metadata: dict) -> float:
    """The wall-clock of the last invocation that computed runs (older metadata: the last one)."""
    return metadata.get("computed_wall_seconds", metadata["wall_seconds"])


def _claims(rows: list[dict], changes: dict | None = None) -> list:
    """Each claim with everything its row holds: verdict, passage, test, its key numbers,
    evidence, budgets, and what an earlier test said when a change of the judging changed it
    (``changes``, from the results set's record of them)."""
    blocks = [Heading(2, "Claims")]
    if not rows:
        return blocks + [Paragraph("No claims are judged from this experiment's results yet.")]
    for row in rows:
        whose = "" if row["source"] == BOOK else " (the project's own question)"
        blocks.append(Paragraph(f"{verdict_text(row)}: {row['claim']}{whose}"))
        fields = [("passage", row["passage"]), ("test", row["test"]),
                  ("numbers", numbers_text(row)), ("left out", row.get("excluded", "")),
                  ("evidence", row["evidence"]), ("budgets", row["budgets"])]
        change = (changes or {}).get((row["experiment"], row["dataset"], row["claim_id"]))
        if change and change["new_verdict"] == row["verdict"]:
            earlier = f"**{change['old_verdict']}**" + (
                f" (p = {change['old_p_value']})" if change["old_p_value"] else "")
            fields.append(("earlier verdict", f"{earlier} by the earlier test "
                                              f"({change['old_test'] or 'no test named'}); "
                                              f"changed because {change['reason']}"))
        blocks.append(BulletList([f"{label}: {value}" for label, value in fields if value]))
    return blocks


def _retired(experiment_id: str, dataset: str, changes: dict) -> list:
    """The claims an earlier judging made and this one no longer does, and why."""
    retired = [change for (experiment, data, _), change in changes.items()
               if (experiment, data) == (experiment_id, dataset)
               and change["new_verdict"] == RETIRED_VERDICT]
    if not retired:
        return []
    return [Heading(2, "Claims no longer made"),
            BulletList([f"{change['claim_id']}: earlier **{change['old_verdict']}** by "
                        f"{change['old_test'] or 'no test named'}; {change['reason']}"
                        for change in retired])]


def _flagged(experiment: JudgedExperiment) -> list:
    """The experiment's runs flagged from their saved results or by the flag file, and why."""
    results = experiment.results
    flags = flags_of(results)
    if not flags:
        return []
    items = []
    for label in results.labels:
        for row in results.rows_of(label, all_sizes=True):
            found = flags.get(row["run_key"], ())
            uses = [" and ".join(f"{flag.reason} ({flag.detail})" for flag in found
                                 if flag.action == action) + f": {use}"
                    for action, use in FLAG_USE.items()
                    if any(flag.action == action for flag in found)]
            if uses:
                items.append(f"{results.display_name(label)}, seed {row['seed']}, n_train "
                             f"{row['n_train']:,}: " + "; ".join(uses))
    return [Heading(2, "Runs flagged"),
            Paragraph("Runs that failed as runs, found from their saved predictions and "
                      "training curves (or flagged in the results set's flag file). A claim "
                      "leaves a failed run out of its means and says so; a claim expecting "
                      "failure keeps it."),
            BulletList(list(dict.fromkeys(items)))]


FLAG_USE = {FAILED: "left out of the claims' means", TIMING: "left out of claims on fit time",
            SHORT: "a claim resting on it is setup short"}


def _runs(experiment: JudgedExperiment) -> list:
    """Every labelled run at each of its training sizes, in the order the experiment declares."""
    results = experiment.results
    table = []
    for label in results.labels:
        rows = results.rows_of(label, all_sizes=True)
        for (n_train,), group in group_rows(rows, ("n_train",)).items():
            table.append(run_cells(results.display_name(label), results.family(label), n_train, group))
    return [Heading(2, "Results by run"),
            Paragraph("Mean ± standard deviation over seeds. Times are per run on this machine; "
                      "predict time is per 1,000 test images. Weights are a net's trainable "
                      "parameters; model size is 4 bytes per weight for a net and the pickled "
                      "estimator otherwise. Peak memory is the worker process's peak resident "
                      "set during the run, the loaded dataset included."),
            Table(RUN_HEADER, table)]


RUN_HEADER = ["model", "family", "params", "n_train", "seeds", "accuracy", "macro F1", "fit time",
              "predict / 1k", "weights", "model size", "peak RSS MB"]


def run_cells(name: str, family: str, n_train: int, group: list[dict]) -> list:
    """One row of a runs table (``RUN_HEADER``): a configuration at one size, over its seeds."""
    fit = mean_std(row["fit_seconds"] for row in group)[0]
    predict = mean_std(1000 * row["predict_seconds"] / row["n_test"] for row in group)[0]
    n_params, model_bytes = group[0]["n_params"], group[0]["model_bytes"]
    return [name, family, params_text(group[0]["params"]), f"{n_train:,}", str(len(group)),
            accuracy_text(row["accuracy"] for row in group),
            accuracy_text(row["macro_f1"] for row in group),
            Cell(format_seconds(fit), fit), Cell(format_seconds(predict), predict),
            f"{n_params:,}" if n_params else "",
            Cell(bytes_text(model_bytes), model_bytes or 0),
            f"{max(row['peak_rss_mb'] for row in group):.0f}"]


def _budgets(experiment: JudgedExperiment) -> list:
    results, manifest = experiment.results, experiment.results.manifest
    table = []
    for run in manifest.runs:
        rows = results.rows_of(run.label, all_sizes=True)
        params = params_text(run.params)
        if run.subset_params:
            params += "; below the full size also " + params_text(run.subset_params)
        data = run.dataset + (f", classes {list(run.classes)}" if run.classes else "")
        sizes = sorted({row["n_train"] for row in rows})
        seeds = sorted({row["seed"] for row in rows})
        table.append([run.display_name, data,
                      run.features if run.family == "shallow" else "learned",
                      run.preprocessing, params, ", ".join(f"{size:,}" for size in sizes),
                      str(len(seeds)), run.provenance])
    blocks = [Heading(2, "What each model got"),
              Paragraph("No model was tuned or stopped on the test data. Runs labelled "
                        "\"fair\" (early stopping, a grown forest) got the fair budget, "
                        "declared once for every family:"),
              BulletList([f"{part}: {text}" for part, text in manifest.fair_budgets.items()]),
              Table(["model", "data", "features", "preprocessing", "params", "n_train", "seeds",
                     "provenance"], table)]
    skipped = defaultdict(list)
    for entry in manifest.skipped:
        skipped[entry.reason].append(entry.label)
    blocks += [Paragraph(f"Not run here, so not measured: {', '.join(labels)}. Reason: {reason}.")
               for reason, labels in skipped.items()]
    return blocks
