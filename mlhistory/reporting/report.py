"""The report, built from saved results only (never the runner or the models).

``make report`` judges every experiment's claims again from its saved results
(``judging.results_set``, which writes each experiment's ``claims.csv`` and the results set's
gathered one), then the report reads those verdicts, gathers the results set's combined
``runs.csv``, and writes the pages:

- ``REPORT.md``, the main page: the verdicts at a glance, the takeaways, one short section per
  experiment (``overview``);
- ``<dataset>/<experiment>/README.md``, one per experiment and dataset, beside the results it
  reads: evidence, runs, budgets, tables and every plot (``experiment_page``);
- ``APPENDIX.md``: leaderboards, published figures, run budget (``appendix``);
- ``index.html``: all of these in one file that opens from disk, each page a section of it;
- for the reference results, the README's findings section (``findings``).
"""

import os
from pathlib import Path

from .. import atomic
from ..judging.results_set import read_claims
from ..paths import PROJECT_ROOT
from ..results import RUNS_FILE, ExperimentResults, write_rows
from ..results.integrity import verified_experiment_dirs
from .appendix import appendix_page
from .common import JudgedExperiment, dataset_order
from .document import Heading, Page, Paragraph, to_html, to_markdown
from .experiment_page import experiment_page
from .findings import update_readme
from .overview import TITLE, main_page

# The committed reference results, whose verdicts the README's findings section repeats.
REFERENCE_RESULTS = PROJECT_ROOT / "results"
README = PROJECT_ROOT / "README.md"


def read_judged(results_dir: Path) -> list[JudgedExperiment]:
    """Every finished experiment of a results set, each checked whole (integrity.py, its
    ``claims.csv`` too) with its verdicts as last judged; the book's dataset first."""
    experiments = sorted((ExperimentResults.read(folder)
                          for folder in verified_experiment_dirs(results_dir)),
                         key=lambda results: (dataset_order(results.dataset),
                                              results.manifest.experiment_id))
    return [JudgedExperiment(results, read_claims(results.folder)) for results in experiments]


def build_pages(experiments: list[JudgedExperiment], results_dir: Path) -> list[Page]:
    """The report's pages, the main page first."""
    if not experiments:
        return [Page("REPORT.md", TITLE, [
            Heading(1, TITLE),
            Paragraph("No finished experiments yet: run `make all` or `make quick`.")])]
    pages = [main_page(experiments, _display_path(results_dir))]
    for experiment in experiments:
        siblings = [other for other in experiments
                    if other.experiment_id == experiment.experiment_id and other is not experiment]
        pages.append(experiment_page(experiment, siblings))
    pages.append(appendix_page(experiments, results_dir))
    return pages


def write_report(results_dir: Path) -> list[JudgedExperiment]:
    """Write runs.csv, every page and index.html from the judged results (``judge_results_set``
    first); returns the experiments as judged, for a caller that reads them further."""
    results_dir = Path(results_dir)
    experiments = read_judged(results_dir)
    write_rows(results_dir / RUNS_FILE,
               [row for experiment in experiments for row in experiment.results.rows])
    pages = build_pages(experiments, results_dir)
    for page in pages:
        atomic.write_text(results_dir / page.path, to_markdown(page))
    atomic.write_text(results_dir / "index.html", to_html(pages, TITLE))
    if results_dir.resolve() == REFERENCE_RESULTS.resolve() and experiments:
        update_readme(README, experiments, results_dir)
    print(f"wrote {os.path.relpath(results_dir / pages[0].path)}, {len(pages) - 1} linked pages "
          f"and {os.path.relpath(results_dir / 'index.html')} from {len(experiments)} "
          "experiment result sets")
    return experiments


def _display_path(path: Path) -> str:
    path = Path(path).resolve()
    return str(path.relative_to(PROJECT_ROOT)) if path.is_relative_to(PROJECT_ROOT) else str(path)
