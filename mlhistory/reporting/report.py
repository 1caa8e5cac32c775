"""REPORT.md and index.html, built from saved results only (never the runner or the models).

Both are rendered from one list of blocks, so the Markdown and the single HTML page (which
opens from disk, no server) always say the same thing. ``gather_results`` also writes the
combined ``runs.csv`` and ``claims.csv`` of the results set.
"""

import csv
import html
import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..judging import claims
from ..paths import PROJECT_ROOT, REFERENCES_DIR
from ..results import (
    CLAIMS_FILE,
    METADATA_FILE,
    RUNS_FILE,
    experiment_dirs,
    group_rows,
    mean_std,
    read_json,
    unique_runs,
    write_rows,
)
from . import tables
from .plots import ExperimentResults, format_seconds, plot_filename

PUBLISHED_FILE = REFERENCES_DIR / "published.csv"
# The book's own dataset leads every table, then the dataset that stands in for it.
LEADING_DATASETS = ("mnist", "fashion_mnist")
# "Within 2 points of the published figure" is the agreement the reproduction aims for.
AGREEMENT_POINTS = 2.0


# --- a tiny document model -------------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    level: int
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Image:
    path: str  # relative to the results folder
    caption: str


def to_markdown(blocks) -> str:
    parts = []
    for block in blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {block.text}")
        elif isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Table):
            lines = ["| " + " | ".join(block.header) + " |",
                     "|" + "---|" * len(block.header)]
            lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
                      for row in block.rows]
            parts.append("\n".join(lines))
        elif isinstance(block, Image):
            parts.append(f"![{block.caption}]({block.path})")
    return "\n\n".join(parts) + "\n"


def to_html(blocks, title: str) -> str:
    body = []
    for block in blocks:
        if isinstance(block, Heading):
            anchor = "".join(ch if ch.isalnum() else "-" for ch in block.text.lower())
            body.append(f'<h{block.level} id="{anchor}">{html.escape(block.text)}</h{block.level}>')
        elif isinstance(block, Paragraph):
            body.append(f"<p>{_inline_html(block.text)}</p>")
        elif isinstance(block, Table):
            header = "".join(f"<th>{html.escape(cell)}</th>" for cell in block.header)
            rows = "".join("<tr>" + "".join(f"<td>{_inline_html(cell)}</td>" for cell in row)
                           + "</tr>" for row in block.rows)
            body.append(f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>")
        elif isinstance(block, Image):
            body.append(f'<figure><img src="{html.escape(block.path)}" alt="{html.escape(block.caption)}">'
                        f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    style = ("body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
             "line-height:1.45;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
             "th,td{border:1px solid #ccc;padding:3px 8px;text-align:left}th{background:#f3f3f3}"
             "img{max-width:100%}figure{margin:1.5em 0}figcaption{color:#555;font-size:0.9em}"
             ".holds{color:#1a7f37;font-weight:bold}.fails{color:#cf222e;font-weight:bold}"
             ".inconclusive{color:#9a6700;font-weight:bold}code{background:#f3f3f3;padding:0 3px}")
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{style}</style></head>\n<body>\n"
            + "\n".join(body) + "\n</body></html>\n")


def _inline_html(text: str) -> str:
    """Escape, then turn `code` spans and **verdict** words into markup."""
    escaped = html.escape(text)
    parts = escaped.split("`")
    escaped = "".join(f"<code>{part}</code>" if index % 2 else part
                      for index, part in enumerate(parts))
    for verdict in (claims.HOLDS, claims.FAILS, claims.INCONCLUSIVE):
        escaped = escaped.replace(f"**{verdict}**", f'<span class="{verdict}">{verdict}</span>')
    return escaped


# --- content ---------------------------------------------------------------------------------


def dataset_order(name: str) -> tuple:
    return (LEADING_DATASETS.index(name) if name in LEADING_DATASETS else len(LEADING_DATASETS),
            name)


def _accuracy(values) -> str:
    values = list(values)
    mean, std = mean_std(values)
    return f"{mean:.4f} ± {std:.4f}" if len(values) > 1 else f"{mean:.4f}"


def _format_bytes(count: int | None) -> str:
    if count is None:
        return ""
    for unit in ("B", "KB", "MB"):
        if count < 1024:
            return f"{count:.0f} {unit}"
        count /= 1024
    return f"{count:.0f} GB"


def leaderboard(experiments: list[ExperimentResults]) -> list:
    blocks = [Heading(2, "Leaderboard"),
              Paragraph("Mean ± standard deviation over seeds, per dataset and training size. "
                        "Times are per run on this machine; predict time is per 1,000 test "
                        "images. Parameters are trainable weights (nets only); model size is "
                        "4 bytes per weight for a net and the pickled estimator otherwise. Peak "
                        "memory is "
                        "the worker process's peak resident set during the run, the loaded "
                        "dataset included.")]
    rows = unique_runs([row for experiment in experiments for row in experiment.rows])
    families = {run["model"]: run["family"] for experiment in experiments
                for run in experiment.manifest["runs"]}
    for dataset in sorted({row["dataset"] for row in rows}, key=dataset_order):
        groups = group_rows([row for row in rows if row["dataset"] == dataset],
                            keys=("model", "features", "params", "n_train"))
        # Each configuration once, at its largest training size; curves over sizes live in
        # their experiment's section.
        largest = {}
        for model, features, params, n_train in groups:
            largest[(model, features, params)] = max(n_train, largest.get((model, features, params), 0))
        ranked = sorted(((key, group) for key, group in groups.items() if key[3] == largest[key[:3]]),
                        key=lambda item: -mean_std(r["accuracy"] for r in item[1])[0])
        params_by_model = defaultdict(set)
        for model, _, params in largest:
            params_by_model[model].add(params)
        several_configs = {model for model, params in params_by_model.items() if len(params) > 1}
        table = []
        for (model, features, params, n_train), group in ranked:
            name = f"{model} {params}" if model in several_configs else model
            accuracies = [row["accuracy"] for row in group]
            predict_per_1000 = mean_std(1000 * r["predict_seconds"] / r["n_test"] for r in group)[0]
            n_params = group[0]["n_params"]
            table.append([name, features, families.get(model, ""), f"{n_train:,}", str(len(group)),
                          _accuracy(accuracies), _accuracy([r["macro_f1"] for r in group]),
                          format_seconds(mean_std(r["fit_seconds"] for r in group)[0]),
                          format_seconds(predict_per_1000),
                          f"{n_params:,}" if n_params else "",
                          _format_bytes(group[0]["model_bytes"]),
                          f"{max(r['peak_rss_mb'] for r in group):.0f}"])
        blocks += [Heading(3, dataset),
                   Table(["model", "features", "family", "n_train", "seeds", "accuracy", "macro F1",
                          "fit time", "predict / 1k", "parameters", "model size", "peak RSS MB"],
                         table)]
    return blocks


def read_published() -> list[dict]:
    with open(PUBLISHED_FILE, newline="") as handle:
        return list(csv.DictReader(handle))


def published_vs_measured(experiments: list[ExperimentResults]) -> list:
    """Each published figure beside the measurement of the same model, features and dataset.

    The measurement is taken at the largest training size that model got, and the table
    says which size that was. A published row whose dataset did not run stays, marked so.
    """
    runs = unique_runs([row for experiment in experiments for row in experiment.rows])
    measured = defaultdict(list)
    for row in runs:
        measured[(row["model"], row["features"], row["dataset"])].append(row)
    largest = {key: [row for row in rows if row["n_train"] == max(r["n_train"] for r in rows)]
               for key, rows in measured.items()}
    datasets_run = {row["dataset"] for row in runs}
    references = sorted(read_published(), key=lambda reference: dataset_order(reference["dataset"]))
    table = []
    for reference in references:
        published = float(reference["published_accuracy"])
        head = [reference["model"], reference["features"], reference["dataset"], f"{published:.3f}"]
        tail = [reference["protocol"], reference["source"]]
        rows = largest.get((reference["model"], reference["features"], reference["dataset"]))
        if not rows:
            why = "not run here" if reference["dataset"] not in datasets_run else "not measured here"
            table.append(head + [why, "", "", ""] + tail)
            continue
        mean, _ = mean_std(row["accuracy"] for row in rows)
        difference = 100 * (mean - published)
        if abs(difference) <= AGREEMENT_POINTS:
            status = "yes"
        elif reference["same_protocol"] == "yes":
            status = "no, same protocol: " + (reference["note"] or "unexplained")
        else:
            status = "no: different protocol"
        table.append(head + [_accuracy(row["accuracy"] for row in rows),
                             f"{rows[0]['n_train']:,}", f"{difference:+.1f}", status] + tail)
    published_keys = {(reference["model"], reference["features"], reference["dataset"])
                      for reference in references}
    for key, rows in sorted(largest.items(), key=lambda item: (dataset_order(item[0][2]), item[0])):
        if key not in published_keys and key[1] == "pixels":
            table.append([key[0], key[1], key[2], "none", _accuracy(row["accuracy"] for row in rows),
                          f"{rows[0]['n_train']:,}", "", "no published figure for this model", "",
                          ""])
    return [Heading(2, "Published vs measured"),
            Paragraph(f"Every published figure the project has a model for (the book's own "
                      f"networks, LeCun's MNIST table, the Fashion-MNIST paper's Table 3), beside "
                      f"the measurement at the largest training size the model got here. "
                      f"Difference in accuracy points; agreement means within "
                      f"{AGREEMENT_POINTS:.0f} points. Published numbers live in "
                      "`mlhistory/reporting/references/published.csv` with their sources; where the "
                      "protocol differs, the published protocol says how."),
            Table(["model", "features", "dataset", "published", "measured", "n_train",
                   "difference", f"within {AGREEMENT_POINTS:.0f} points", "published protocol",
                   "source"], table)]


def claims_summary(judged: list[dict]) -> list:
    """One row per claim, its verdict on each dataset side by side, the book's dataset first."""
    datasets = sorted({row["dataset"] for row in judged}, key=dataset_order)
    verdicts = defaultdict(dict)
    for row in judged:
        verdicts[(row["experiment"], row["claim"])][row["dataset"]] = f"**{row['verdict']}**"
    table = [[experiment, claim, *(by_dataset.get(dataset, "not run") for dataset in datasets)]
             for (experiment, claim), by_dataset in verdicts.items()]
    return [Heading(2, "The book's claims, measured"),
            Paragraph("Each verdict is computed from the results: **holds** when the gap is "
                      "in the claimed direction and beyond the noise margin (two standard "
                      "errors over seeds, at least 0.1 points), **fails** when it is beyond "
                      "the margin the other way, **inconclusive** otherwise. The evidence is "
                      "in each experiment's section and in `claims.csv`."),
            Table(["experiment", "claim", *datasets], table)]


def experiment_section(experiment: ExperimentResults, judged: list[dict]) -> list:
    manifest = experiment.manifest
    metadata = read_json(experiment.folder / METADATA_FILE)
    relative = experiment.folder.relative_to(experiment.folder.parent.parent)
    blocks = [Heading(2, f"{manifest['experiment_id']} ({experiment.dataset}): {manifest['title']}"),
              Paragraph(f"Book: {manifest['book_section']}. Script: "
                        f"`experiments/{manifest['experiment_id']}.py`. Wall-clock time of the "
                        f"last computation: {format_seconds(_computed(metadata))} "
                        f"({metadata['runs']} runs, {metadata['runs_from_cache']} from the cache).")]
    # The docstring's first line is the title, already shown above; a bulleted paragraph
    # becomes one paragraph per bullet.
    for paragraph in manifest["summary"].split("\n\n")[1:]:
        items = paragraph.split("\n- ") if paragraph.startswith("- ") else [paragraph]
        blocks += [Paragraph(("- " if index else "") + " ".join(item.split()))
                   for index, item in enumerate(items)]
    budget = []
    for run in manifest["runs"]:
        rows = experiment.rows_of(run["label"], all_sizes=True)
        params = ", ".join(f"{key}={value}" for key, value in run["params"].items())
        if run.get("subset_params"):
            params += "; below the full size also " + ", ".join(
                f"{key}={value}" for key, value in run["subset_params"].items())
        data = run["dataset"] + (f", classes {run['classes']}" if run.get("classes") else "")
        sizes = sorted({row["n_train"] for row in rows})
        seeds = sorted({row["seed"] for row in rows})
        budget.append([run["label"], data,
                       run["features"] if run["family"] == "shallow" else "learned",
                       run["preprocessing"], params or "defaults",
                       ", ".join(f"{size:,}" for size in sizes), str(len(seeds)),
                       run["provenance"]])
    blocks += [Heading(3, "What each model got"),
               Paragraph("No model was tuned on the test data; the README's notes on tuning "
                         "budgets say what each side got."),
               Table(["run", "data", "features", "preprocessing", "params", "n_train", "seeds",
                      "provenance"], budget)]
    skipped = defaultdict(list)
    for entry in manifest.get("skipped", []):
        skipped[(entry["dataset"], entry["reason"])].append(entry["label"])
    blocks += [Paragraph(f"Not run here, so not measured: {', '.join(labels)}. Reason: {reason}.")
               for (_, reason), labels in skipped.items()]
    blocks.append(Heading(3, "Claims"))
    blocks.append(Table(["claim", "verdict", "evidence"],
                        [[row["claim"], f"**{row['verdict']}**", row["evidence"]] for row in judged]))
    for table in manifest.get("tables", []):
        rendered = tables.render(experiment, table)
        blocks += [Heading(3, rendered.title), Table(rendered.header, rendered.rows)]
        blocks += [Paragraph(note) for note in rendered.notes]
    blocks.append(Heading(3, "Plots"))
    for plot in manifest["plots"]:
        caption = plot["kind"].replace("_", " ")
        blocks.append(Image(f"{relative}/{plot_filename(plot)}", caption))
    return blocks


def environment_section(experiments: list[ExperimentResults]) -> list:
    blocks = [Heading(2, "Run budget and environment")]
    table, total = [], 0.0
    for experiment in experiments:
        metadata = read_json(experiment.folder / METADATA_FILE)
        total += _computed(metadata)
        compute = sum(row["fit_seconds"] + row["predict_seconds"]
                      for row in unique_runs(experiment.rows))
        table.append([experiment.manifest["experiment_id"], experiment.dataset,
                      format_seconds(_computed(metadata)), format_seconds(compute),
                      str(metadata["runs"]),
                      str(metadata["runs_from_cache"]), metadata["date"],
                      (metadata["git_commit"] or "unknown")[:10]
                      + (" (uncommitted changes)" if metadata["git_dirty"] else "")])
    blocks.append(Table(["experiment", "dataset", "wall-clock when computed", "fit + predict of its runs",
                         "runs", "from cache", "date", "git commit"], table))
    all_runs = unique_runs([row for experiment in experiments for row in experiment.rows])
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
    latest = read_json(experiments[-1].folder / METADATA_FILE)
    hardware = latest["hardware"]
    gpus = ", ".join(hardware["gpus"]) or "none (CPU only)"
    blocks.append(Paragraph(f"Hardware: {hardware['cpu']}, {hardware['cpu_count']} cores; "
                            f"GPU: {gpus}; {hardware['platform']}."))
    blocks.append(Paragraph("Packages: " + ", ".join(
        f"{name} {version}" for name, version in latest["packages"].items()) + "."))
    return blocks


def _computed(metadata: dict) -> float:
    """The wall-clock of the last invocation that computed runs (older metadata: the last one)."""
    return metadata.get("computed_wall_seconds", metadata["wall_seconds"])


def _display_path(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)


def judge_saved_claims(experiment: ExperimentResults) -> list[dict]:
    """Judge an experiment's saved claims again from its saved results, so verdicts always
    follow the current verdict logic, and refresh its claims.csv."""
    saved_claims = [claims.from_dict(saved) for saved in experiment.manifest["claims"]]
    judged = claims.judge(experiment, saved_claims)
    claims.write(experiment.folder / CLAIMS_FILE, judged)
    return judged


def build(experiments: list[ExperimentResults], judged_by_experiment: list[list[dict]],
          results_dir: Path) -> list:
    judged = [row for rows in judged_by_experiment for row in rows]
    blocks = [Heading(1, "Chapter 1 of Deep Learning with Python, measured"),
              Paragraph("Each era of the book's brief history of machine learning, fitted on "
                        "MNIST-style images and set against a Keras deep net (experiments "
                        "01-05); then what makes deep learning different and why it took off "
                        "when it did (06-10), and where each approach wins today, on tables as "
                        "well as images, and whether it will last (11-12). Everything below "
                        f"is generated by `make report` from the saved results in "
                        f"`{_display_path(results_dir)}/`; nothing is typed in by hand.")]
    if not experiments:
        return blocks + [Paragraph("No finished experiments yet: run `make all` or `make quick`.")]
    blocks += claims_summary(judged)
    blocks += leaderboard(experiments)
    blocks += published_vs_measured(experiments)
    for experiment, experiment_judged in zip(experiments, judged_by_experiment, strict=True):
        blocks += experiment_section(experiment, experiment_judged)
    blocks += environment_section(experiments)
    return blocks


def write_report(results_dir: Path) -> None:
    """Gather runs.csv, judge every claim, then write claims.csv, REPORT.md and index.html."""
    results_dir = Path(results_dir)
    experiments = sorted((ExperimentResults.read(folder) for folder in experiment_dirs(results_dir)),
                         key=lambda experiment: (dataset_order(experiment.dataset),
                                                 experiment.manifest["experiment_id"]))
    judged_by_experiment = [judge_saved_claims(experiment) for experiment in experiments]
    write_rows(results_dir / RUNS_FILE, [row for experiment in experiments for row in experiment.rows])
    claims.write(results_dir / CLAIMS_FILE, [row for rows in judged_by_experiment for row in rows])
    blocks = build(experiments, judged_by_experiment, results_dir)
    atomic.write_text(results_dir / "REPORT.md", to_markdown(blocks))
    atomic.write_text(results_dir / "index.html",
                      to_html(blocks, "Chapter 1 of Deep Learning with Python, measured"))
    print(f"wrote {os.path.relpath(results_dir / 'REPORT.md')} and "
          f"{os.path.relpath(results_dir / 'index.html')} from {len(experiments)} experiment "
          "result sets")
