"""The report's pages, built from a results set shaped like the committed one (no model is
fitted): what the main page opens with, how short it stays, where the details go, and that
every link between the pages leads somewhere."""

import csv
import html
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mlhistory.judging import verdicts
from mlhistory.paths import PROJECT_ROOT
from mlhistory.reporting import report
from mlhistory.reporting.common import VERDICTS_HEADING, glance_text
from mlhistory.reporting.document import slug, to_markdown
from mlhistory.reporting.history import HISTORY_HEADING, PUBLISHED_HEADING

# With test_report_browser.py on one worker (make test's --dist loadgroup): the fake
# results set and its report are written once.
pytestmark = pytest.mark.xdist_group("fake_results_set")

# Bytes of Markdown: the main page is a summary, not a log. It holds the verdicts, the story
# they tell, the published figures in short, the timeline and each claim's evidence figure; the
# verdicts' meanings, the tests, the glossary and every per-run table are in the appendix.
MAIN_PAGE_LIMIT = 30_000
COMMITTED_RESULTS = PROJECT_ROOT / "results"
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


# Writing and rendering this results set, as many runs and claims as the committed one, takes
# several seconds: the tests that read it are in the slow tier.
@pytest.fixture(scope="module")
def results_set(fake_report) -> Path:
    return fake_report


@pytest.fixture
def judged(fake_judged_report) -> list:
    """The fake set's experiments as its report judged them (once for the session: judging the
    whole set takes seconds), in a list of this test's own."""
    return list(fake_judged_report[1])


def section(markdown: str, heading: str) -> str:
    """The text under a '## heading', up to the next '## '."""
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_main_page_tells_the_story_first_and_keeps_the_details_in_the_appendix(results_set):
    markdown = (results_set / "REPORT.md").read_text()
    assert len(markdown.encode()) < MAIN_PAGE_LIMIT
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:4] == ["The book's claims at a glance", HISTORY_HEADING, PUBLISHED_HEADING,
                            "The history in one figure"]
    # The opening paragraph comes before the verdicts and names what was done.
    opening = markdown.split("\n## ", 1)[0]
    assert "MNIST and Fashion-MNIST" in opening and "Sizes shown" in opening
    glance = section(markdown, "The book's claims at a glance")
    # One column per dataset, the book's own first.
    assert "| claim | what the book says | MNIST | Fashion-MNIST |" in glance
    # Each verdict is explained once, in the appendix, from the judging layer's meanings.
    appendix = (results_set / "APPENDIX.md").read_text()
    meanings = section(appendix, VERDICTS_HEADING)
    for verdict, meaning in verdicts.VERDICT_MEANINGS.items():
        assert f"- **{verdict}**: {meaning}" in meanings and meaning not in markdown
    assert f"(APPENDIX.md#{slug(VERDICTS_HEADING)})" in glance
    assert "(mnist/05_return_of_neural_networks/timeline.png)" in section(
        markdown, "The history in one figure")
    # Leaderboards, per-run tables and the project's own questions are not on the main page.
    assert "Leaderboard" not in headings and "| fit time |" not in markdown
    assert "The project's own questions" not in headings


@pytest.mark.slow
def test_the_history_is_written_from_the_eras_and_the_verdicts(results_set):
    from mlhistory.reporting.sections import GLOSSARY

    history = section((results_set / "REPORT.md").read_text(), HISTORY_HEADING)
    # Each era's best error on each dataset, and what the last era bought over those before.
    for name in ("MNIST", "Fashion-MNIST"):
        line = next(line for line in history.splitlines()
                    if line.startswith(f"- Each era's best test error on {name}:"))
        assert line.count(" %") >= 5 and "(Logistic regression)" in line
        assert "The last era's best against the best of every era before it:" in line
    # Where Fashion-MNIST departs: the convnet's claim, about MNIST, goes the other way there.
    departs = next(line for line in history.splitlines() if "departs from MNIST" in line)
    assert departs.startswith("- Fashion-MNIST departs from MNIST in 11 of 32 claims;")
    assert "and 11 go the other way there" in departs
    # Listed by change of verdict: the eleven claims after their one change.
    assert re.search(r"holds → does not carry over (\d\d\.\d, ){10}\d\d\.\d", departs)
    # The era table itself is on experiment 05's page.
    page = (results_set / "mnist" / "05_return_of_neural_networks" / "README.md").read_text()
    assert "| models run here |" in page
    glossary = section((results_set / "APPENDIX.md").read_text(), "Glossary")
    for term in ("fair budget", "macro-F1", "HOG", "probe", "margin"):
        assert f"- **{term}**: {GLOSSARY[term]}" in glossary
    assert "validation split: 10 % of the training images" in glossary


@pytest.mark.slow
def test_the_history_names_the_verdicts_short_of_their_setup(results_set, judged):
    experiments = judged
    first = experiments[0]
    short = [dict(row, verdict=verdicts.SETUP_SHORT, evidence="no results for gone; more")
             if row["claim_id"] == "convnet_beats_all" else row for row in first.claims]
    experiments[0] = replace(first, claims=short)
    history = section(to_markdown(report.build_pages(experiments, results_set)[0]),
                      HISTORY_HEADING)
    assert ("- Setup short (a run it rests on failed, is flagged short or is missing): on MNIST "
            "01.1. Why: no results for gone (01.1).") in history


@pytest.mark.slow
def test_each_claim_is_one_click_from_the_figure_that_carries_it(results_set):
    markdown = (results_set / "REPORT.md").read_text()
    glance = section(markdown, "The book's claims at a glance")
    links = re.findall(r"^\| \[(\d\d\.\d)\]\(#([^)]+)\) \|", glance, flags=re.MULTILINE)
    assert len(links) == 32
    for number, anchor in links:
        heading = next(heading for heading in re.findall(r"^### (.+)$", markdown, re.MULTILINE)
                       if slug(heading) == anchor)
        under = markdown.split(f"\n### {heading}\n", 1)[1].split("\n#", 1)[0]
        # One line per claim saying what to see (its verdicts are in the glance table, once),
        # then the figure on each dataset, full width.
        assert re.search(rf"^- \*\*{re.escape(number)}\*\*: look at .+$", under,
                         flags=re.MULTILINE)
        assert not re.search(rf"^- \*\*{re.escape(number)}\*\*: .*\*\*holds\*\*", under,
                             flags=re.MULTILINE)
        assert len(re.findall(r"^!\[(MNIST|Fashion-MNIST)\]\(", under, flags=re.MULTILINE)) == 2
    # The fake claims all compare accuracies: the accuracy figure that draws every run.
    assert "### 03: accuracy and fit time" in markdown
    assert "nets.png" not in markdown
    # A figure is a full-width figure of its own in the HTML, never a thumbnail in a row.
    page = (results_set / "index.html").read_text()
    assert 'class="figures"' not in page and "figure img{width:100%" in page


def takeaways_of(experiments: list) -> list[str]:
    """The README's takeaways, counted from the book's verdicts of ``experiments``."""
    from mlhistory.reporting.glance import by_experiment
    from mlhistory.reporting.overview import takeaways

    names = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
    rows = [row for experiment in experiments for row in experiment.claims
            if row["source"] == verdicts.BOOK]
    return takeaways(rows, by_experiment(experiments), list(names), names)


@pytest.mark.slow
def test_takeaways_are_counted_from_the_verdicts(judged):
    takeaways = "\n".join(takeaways_of(judged))
    # 11 experiments with book claims: three each, but 05 has one of its three as the project's.
    assert ("on MNIST (32 claims): **holds** 32; on Fashion-MNIST (32 claims): **holds** 21, "
            "**does not carry over** 11.") in takeaways
    # The convnet's claim is about MNIST: on Fashion-MNIST, where the SVM leads, it does not
    # carry over, so every section with that claim differs, and none holds throughout.
    assert ("11 of 32 claims get a different verdict on Fashion-MNIST than on MNIST "
            "(**holds** → **does not carry over** 11)") in takeaways
    assert "holds throughout" not in takeaways and "contradict" not in takeaways


@pytest.mark.slow
def test_a_failing_claim_on_the_books_dataset_is_a_takeaway(judged):
    experiments = judged
    first = experiments[0]
    failed = [dict(row, verdict=verdicts.FAILS) if row["claim_id"] == "forest_beats_tree" else row
              for row in first.claims]
    experiments[0] = replace(first, claims=failed)
    anchor = slug(first.heading)
    assert (f"On MNIST the measurements contradict the book in [01 Probabilistic modelling]"
            f"(REPORT.md#{anchor}) (1 of 3 claims).") in takeaways_of(experiments)


@pytest.mark.slow
def test_the_projects_own_questions_stand_apart_from_the_books_claims(results_set):
    markdown = (results_set / "REPORT.md").read_text()
    assert "LeNet-5 beats the 1986 MLP" not in markdown
    appendix = (results_set / "APPENDIX.md").read_text()
    own = section(appendix, "The project's own questions")
    assert "LeNet-5 beats the 1986 MLP" in own
    assert appendix.count("LeNet-5 beats the 1986 MLP") == 1  # not in any table of the book's
    # Its section number links to the figure carrying it on the experiment's own page.
    assert "| [05](mnist/05_return_of_neural_networks/README.md#accuracy-and-fit-time) |" in own


@pytest.mark.slow
def test_every_experiment_has_a_section_and_a_claims_section(results_set, fake_results_set):
    markdown = (results_set / "REPORT.md").read_text()
    for experiment_id, title, _ in fake_results_set.experiments:
        heading = f"{experiment_id.split('_')[0]} {title}"
        assert f"\n## {heading}\n" in markdown
        for dataset in ("mnist", "fashion_mnist"):
            page = (results_set / dataset / experiment_id / "README.md").read_text()
            assert "\n## Claims\n" in page
            assert f"](../../REPORT.md#{slug(heading)})" in page  # back to its section
    without = next(f"{experiment_id.split('_')[0]} {title}"
                   for experiment_id, title, _ in fake_results_set.experiments
                   if experiment_id == fake_results_set.without_claims)
    assert "No claim of the book is judged from this experiment's results yet." in section(
        markdown, without)


@pytest.mark.slow
def test_passage_test_and_p_value_are_shown_as_the_rows_hold_them(results_set, fake_results_set,
                                                                  judged):
    experiments = judged
    test = "McNemar's test, two-sided, p < 0.05"
    experiments = [replace(experiment, claims=[dict(row, test=test, p_value="0.0021")
                                                for row in experiment.claims])
                   for experiment in experiments]
    pages = report.build_pages(experiments, results_set)
    markdown = to_markdown(pages[0])
    appendix = to_markdown(next(page for page in pages if page.path == "APPENDIX.md"))
    # The test is stated once, in the appendix; the main page points there.
    assert f"Every verdict comes from one test: {test}." in appendix
    assert test not in markdown and "(APPENDIX.md#the-statistical-tests)" in markdown
    # Each claim once on the main page (the fake set's every experiment but one judges this
    # sentence), with its passage and its verdict on each dataset.
    judging = [experiment_id for experiment_id, *_ in fake_results_set.experiments
               if experiment_id != fake_results_set.without_claims]
    assert markdown.count("The book's convnet beats every other model on these images.") \
        == len(judging)
    convnet_row = next(line for line in section(markdown, "The book's claims at a glance")
                       .splitlines() if "The book's convnet beats" in line)
    claim, mnist, fashion = convnet_row.split(" | ", 1)[1].rstrip(" |").split(" | ")
    # The passage in short, its first part: the detail page names every edition's.
    assert claim == "The book's convnet beats every other model on these images. *(1st ed. 1.2.5)*"
    assert any("1st ed. 1.2.5; 2nd ed. Back to neural networks" in to_markdown(page)
               for page in pages if page.path.endswith("README.md"))
    # The verdict, both sides' means and the gap with its interval, in points.
    number, gap = r"\d\.\d{3}", r"[+-]\d+\.\d"
    for cell, verdict in ((mnist, "holds"), (fashion, "does not carry over")):
        assert re.fullmatch(rf"\*\*{verdict}\*\*: {number} vs {number}, {gap} \[{gap}, {gap}\] pt",
                            cell), cell
    details = to_markdown(next(page for page in pages if page.path == "mnist/01_probabilistic/README.md"))
    assert f"- test: {test}" in details and "- passage: 1st ed. 1.2.5" in details


@pytest.mark.slow
def test_tables_name_models_by_display_name_with_params_in_their_own_column(results_set):
    page = (results_set / "mnist" / "03_kernel_methods" / "README.md").read_text()
    runs = section(page, "Results by run")
    header = next(line for line in runs.splitlines() if line.startswith("| model"))
    assert header.split(" | ")[:3] == ["| model", "family", "params"]
    assert "| RBF SVM (C=10) | shallow | C=10.0, gamma=scale | 60,000 | 1 | 0.9580 |" in runs
    appendix = (results_set / "APPENDIX.md").read_text()
    for markdown in (page, appendix):
        names = [line.split(" | ")[0] for line in markdown.splitlines() if line.startswith("| ")]
        assert not [name for name in names if "{" in name]  # no JSON in a name column
    leaderboard = section(appendix, "Leaderboard")
    assert leaderboard.index("| Book's convnet (5 epochs) |") < leaderboard.index("| LeNet-5 (1998) |")


@pytest.mark.slow
def test_the_appendix_sets_published_figures_beside_the_measured_ones(results_set):
    published = section((results_set / "APPENDIX.md").read_text(), "Published vs measured")
    # The book's convnet within 2 points of the book's figure; Gaussian naive Bayes 3 points
    # above the Fashion-MNIST paper's, under the same protocol (published.csv says so).
    assert ("| Book's convnet (5 epochs) | mnist | 0.991 | 0.9910 ± 0.0020 | 60,000 | +0.0 | yes |"
            in published)
    assert ("| Gaussian naive Bayes | mnist | 0.524 | 0.5540 | 60,000 | +3.0 | no, same protocol: "
            in published)


@pytest.mark.slow
def test_every_link_and_image_of_every_page_leads_somewhere(results_set):
    assert broken_links(results_set) == []


@pytest.mark.slow
def test_the_html_holds_every_page_and_its_links_stay_inside_it(results_set):
    page = (results_set / "index.html").read_text()
    parsed = parse_html(page)
    assert {"mnist-01_probabilistic", "fashion_mnist-12_will_it_last", "appendix"} <= parsed.ids
    internal = [href[1:] for href in parsed.links if href.startswith("#")]
    assert internal and set(internal) <= parsed.ids
    # No server and no network: every other link and image is a file of the results set.
    for target in [href for href in parsed.links if not href.startswith("#")] + parsed.images:
        assert (results_set / target).is_file(), target
    # Each image is a link to itself at full size; every table sorts.
    assert sorted(parsed.image_links) == sorted(parsed.images)
    assert parsed.tables == parsed.sortable_tables > 0
    # A verdict in its colour, its meaning shown when hovered.
    meaning = html.escape(verdicts.VERDICT_MEANINGS[verdicts.DOES_NOT_CARRY_OVER])
    assert (f'<span class="verdict does-not-carry-over" title="{meaning}">does not carry over'
            '</span>') in page


@pytest.mark.skipif(not (COMMITTED_RESULTS / "REPORT.md").exists(), reason="no committed results")
@pytest.mark.slow  # re-judges and renders every committed experiment
# It reads no fake set: in a group of its own, another worker runs it beside the fake set's tests.
@pytest.mark.xdist_group("committed_results")
def test_the_committed_results_give_a_short_main_page_whose_links_resolve():
    experiments = report.read_judged(COMMITTED_RESULTS)
    pages = report.build_pages(experiments, COMMITTED_RESULTS)
    assert len(to_markdown(pages[0]).encode()) < MAIN_PAGE_LIMIT
    assert broken_links(COMMITTED_RESULTS) == []


@pytest.mark.slow
def test_claims_and_runs_csv_are_gathered_from_every_experiment(results_set, fake_results_set):
    from mlhistory.judging.base import dedupe
    from mlhistory.judging.results_set import read_claims
    from mlhistory.results.store import experiment_dirs

    # Gathered as `mlhistory judge` gathers them: a claim on the same runs in both datasets'
    # folders (the tables, the digits) once.
    saved = dedupe([row for folder in experiment_dirs(results_set) for row in read_claims(folder)])
    assert len(saved) == 2 * 11 * 3
    assert list(saved[0]) == verdicts.CLAIMS_COLUMNS
    with open(results_set / "runs.csv", newline="") as handle:
        runs_per_size = sum(seeds for *_, seeds in fake_results_set.models)
        assert len(list(csv.DictReader(handle))) == 2 * 12 * 4 * runs_per_size


# --- helpers ---------------------------------------------------------------------------------


def broken_links(results_dir: Path) -> list[str]:
    """Every link or image of the written Markdown pages whose file or heading is missing."""
    pages = [results_dir / "REPORT.md", results_dir / "APPENDIX.md",
             *sorted(results_dir.glob("*/*/README.md"))]
    broken = []
    for page in pages:
        for target in MARKDOWN_LINK.findall(page.read_text()):
            path, _, anchor = target.partition("#")
            file = (page.parent / path).resolve() if path else page
            if not file.is_file():
                broken.append(f"{page.relative_to(results_dir)}: {target}")
            elif anchor and anchor not in {slug(heading) for heading in
                                           re.findall(r"^#+ (.+)$", file.read_text(), re.MULTILINE)}:
                broken.append(f"{page.relative_to(results_dir)}: {target} (no such heading)")
    return broken


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.links, self.images, self.image_links = set(), [], [], []
        self.tables = self.sortable_tables = 0
        self._open_link = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a":
            self._open_link = attributes.get("href")
            self.links.append(self._open_link)
        elif tag == "img":
            self.images.append(attributes["src"])
            if self._open_link == attributes["src"]:
                self.image_links.append(self._open_link)
        elif tag == "table":
            self.tables += 1
            self.sortable_tables += "sortable" in attributes.get("class", "").split()

    def handle_endtag(self, tag):
        if tag == "a":
            self._open_link = None


def parse_html(page: str) -> _Page:
    parsed = _Page()
    parsed.feed(page)
    return parsed


@pytest.mark.slow
def test_the_readme_findings_are_rewritten_from_the_verdicts(results_set, tmp_path, judged):
    from mlhistory.errors import UsageError
    from mlhistory.reporting import findings

    experiments = judged
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\nbefore\n\n{findings.START}\nold text\n{findings.END}\n\nafter\n"
                      f"{findings.BUDGETS_START}\nold budget\n{findings.BUDGETS_END}\n")
    findings.update_readme(readme, experiments, results_set)
    text = readme.read_text()
    assert "old text" not in text and text.startswith("# Title\n\nbefore\n") and "after" in text
    rows = [row for experiment in experiments for row in experiment.claims
            if row["source"] == verdicts.BOOK]
    mnist_verdicts = [row["verdict"] for row in rows if row["dataset"] == "mnist"]
    assert f"on MNIST ({len(mnist_verdicts)} claims)" in text
    assert f"]({results_set.name}/REPORT.md#" in text  # links lead into the report
    assert "old budget" not in text and "every experiment at full size took" in text
    findings.update_readme(readme, experiments, results_set)
    assert readme.read_text() == text  # rewriting is idempotent
    readme.write_text("# no block\n")
    with pytest.raises(UsageError, match="has no block to update"):
        findings.update_readme(readme, experiments, results_set)


def test_the_appendix_prints_the_bench_table_when_there_is_one(tmp_path):
    from mlhistory import atomic
    from mlhistory.reporting.appendix import speed
    from mlhistory.reporting.document import Page
    from mlhistory.results.schema import BENCH_COLUMNS, write_rows

    assert speed(tmp_path / "bench") == []
    row = {"part": "accelerated", "subject": "RBF SVM", "setting": "n_train 20,000",
           "measured": 11.6, "baseline": 118.0, "ratio": 0.0983, "unit": "s", "goal": "",
           "other_cpu_share": 0.012, "void": "", "detail": "accuracy 0.8788 against 0.8788"}
    busy = {**row, "subject": "Busy SVM", "other_cpu_share": 0.31,
            "void": "void: other processes used 31 % of the 2 CPUs"}
    write_rows(tmp_path / "bench" / "bench.csv", [row, busy], BENCH_COLUMNS)
    atomic.write_json(tmp_path / "bench" / "metadata.json", {
        "date": "2026-11-23T08:00:00+00:00",
        "hardware": {"cpu": "AMD EPYC", "cpu_count": 2}, "load": {"other_cpu_limit": 0.05}})
    markdown = to_markdown(Page("APPENDIX.md", "A", speed(tmp_path / "bench")))
    assert "Speed, measured side by side" in markdown and "AMD EPYC (2 cores)" in markdown
    assert "| accelerated | RBF SVM | n_train 20,000 | 11.6 | 118 | 0.0983 | s |  | 1.2 % |" in markdown
    # Only figures measured quiet are printed: a void row is listed with its reason.
    assert ("| accelerated | Busy SVM | n_train 20,000 | void | void | void | s |  | 31.0 % | "
            "void: other processes used 31 % of the 2 CPUs |") in markdown
    assert "above 5 % the row is void (1 of 2 rows here)" in markdown
    assert "2026-11-23." in markdown  # every part was timed that day
    # A bench of one part keeps the others' rows, and the date says which rows it is for.
    write_rows(tmp_path / "bench" / "bench.csv", [row, {**row, "part": "suite"}], BENCH_COLUMNS)
    atomic.write_json(tmp_path / "bench" / "metadata.json", {
        "date": "2026-11-24T08:00:00+00:00", "hardware": {"cpu": "AMD EPYC", "cpu_count": 2},
        "load": {"other_cpu_limit": 0.05, "parts_timed": ["suite"]}})
    markdown = to_markdown(Page("APPENDIX.md", "A", speed(tmp_path / "bench")))
    assert "2026-11-24 (the suite rows; those of accelerated from an earlier run)." in markdown


def test_a_bench_row_whose_load_was_not_recorded_is_printed_void():
    from mlhistory.reporting.appendix import bench_cells

    cells = bench_cells({"part": "suite", "subject": "make quick", "setting": "", "measured": "90",
                         "baseline": "180", "ratio": "0.5", "unit": "s", "goal": "", "detail": ""})
    assert cells[3:6] == ["void"] * 3 and cells[-1] == "void: the load was not recorded"



def test_the_readme_gives_the_make_targets_times_only_from_quiet_suite_rows(tmp_path):
    from mlhistory.reporting import findings
    from mlhistory.results.schema import BENCH_COLUMNS, write_rows

    folder = tmp_path / "bench"
    assert findings._suite_lines(folder) == [
        "- `make quick` and `make test`: not yet measured by `make bench` on a quiet machine "
        "(`python -m mlhistory bench --part suite`), so no figure is given."]
    quick = {"part": "suite", "subject": "make quick from a fresh clone",
             "setting": "-j2, after set-up, median of 3", "measured": 118.4, "baseline": 120.0,
             "ratio": 0.987, "unit": "s", "goal": "<= 120 s", "other_cpu_share": 0.01, "void": "",
             "detail": "fresh clones of abc1234567"}
    tests = {**quick, "subject": "make test from a fresh clone", "measured": 190.2,
             "baseline": 180.0, "ratio": 1.06, "goal": "<= 180 s"}
    busy = {**quick, "subject": "no-op make all", "other_cpu_share": 0.3,
            "void": "void: other processes used 30 % of the 2 CPUs"}
    other = {**quick, "part": "threads", "subject": "XGBoost: 1 thread against 2, alone"}
    write_rows(folder / "bench.csv", [quick, tests, busy, other], BENCH_COLUMNS)
    assert findings._suite_lines(folder) == [
        "- `make quick`: 118.4 s, -j2, after set-up, median of 3, fresh clones of abc1234567, "
        "load 1.0 %; goal <= 120 s: met.",
        "- `make test` (every tier and the lint): 190.2 s, -j2, after set-up, median of 3, fresh "
        "clones of abc1234567, load 1.0 %; goal <= 180 s: not met.",
        "- a no-op `make all`: no figure, void: other processes used 30 % of the 2 CPUs (-j2, "
        "after set-up, median of 3)."]

def test_a_changed_verdict_shows_what_the_earlier_test_said(tmp_path, write_fake_experiment):
    from mlhistory.judging.changes import RETIRED_VERDICT
    from mlhistory.results.schema import VERDICT_CHANGES_COLUMNS, VERDICT_CHANGES_FILE, write_rows

    # One experiment of the fake set, as the full set's first: its page is the same.
    results_dir = tmp_path / "results"
    write_fake_experiment(results_dir)
    experiments = report.read_judged(results_dir)
    experiment = experiments[0]
    row = experiment.claims[0]
    record = {"experiment": row["experiment"], "dataset": row["dataset"],
              "claim_id": row["claim_id"], "old_verdict": "inconclusive",
              "old_test": "an older test", "old_p_value": "0.2", "new_verdict": row["verdict"],
              "reason": "the margin now decides it"}
    # A claim of the same experiment that an earlier judging made and this one no longer does.
    retired = {**record, "claim_id": "gone", "old_verdict": "underpowered",
               "new_verdict": RETIRED_VERDICT, "reason": "its test set is too small"}
    write_rows(results_dir / VERDICT_CHANGES_FILE, [record, retired], VERDICT_CHANGES_COLUMNS)
    page = to_markdown(report.build_pages(experiments, results_dir)[1])
    assert ("earlier verdict: **inconclusive** (p = 0.2) by the earlier test (an older test); "
            "changed because the margin now decides it") in page
    assert ("## Claims no longer made\n\n- gone: earlier **underpowered** by an older test; its "
            "test set is too small") in page
    # Every claim row's key numbers are on its page.
    assert f"- numbers: accuracy: {row['side_a']} " in page and "95 % interval" in page


def test_judge_rewrites_every_claims_file_and_prints_what_changed(tmp_path, capsys,
                                                                   write_fake_experiment):
    from mlhistory.__main__ import main

    folder = write_fake_experiment(tmp_path / "results")
    with open(folder / "claims.csv", newline="") as handle:
        judged = list(csv.DictReader(handle))
    (folder / "claims.csv").write_text("experiment,dataset,claim_id,verdict\n" + "".join(
        f"{row['experiment']},{row['dataset']},{row['claim_id']},fails\n" for row in judged))
    main(["judge", "--results-dir", str(tmp_path / "results")])
    printed = capsys.readouterr().out
    first = judged[0]
    assert f"mnist/01_probabilistic {first['claim_id']}: fails -> {first['verdict']}" in printed
    assert f"{len(judged)} verdicts changed" in printed
    with open(folder / "claims.csv", newline="") as handle:
        assert [row["verdict"] for row in csv.DictReader(handle)] == [row["verdict"]
                                                                     for row in judged]
    assert (tmp_path / "results" / "claims.csv").exists()


def test_inline_markup_is_html_in_a_table_cell_as_in_a_paragraph():
    from mlhistory.reporting.document import Page, Paragraph, Table, to_html

    page = Page("REPORT.md", "t", [Paragraph("a *passage* and **holds**"),
                                   Table(["claim"], [["a claim. *(1st ed. 1.2.2)*"]])])
    written = to_html([page], "t")
    assert "a <em>passage</em> and" in written and "a claim. <em>(1st ed. 1.2.2)</em>" in written
    assert "*" not in written.split("<main>")[1].split("<script>")[0]


@pytest.mark.parametrize("numbers, shown", [
    ({"quantity": "accuracy", "mean_a": "0.9921", "mean_b": "0.9793", "gap": "0.0128",
      "gap_low": "0.0101", "gap_high": "0.0155"}, "**holds**: 0.992 vs 0.979, +1.3 [+1.0, +1.6] pt"),
    # A probe's accuracy is an accuracy: its gap in points.
    ({"quantity": "probe accuracy", "mean_a": "0.9919", "mean_b": "0.9883", "gap": "0.0036",
      "gap_low": "0.0017", "gap_high": "0.0055"}, "**holds**: 0.992 vs 0.988, +0.4 [+0.2, +0.5] pt"),
    # Log seconds as whole seconds with their unit, never in exponent notation; the gap a factor.
    ({"quantity": "log10 seconds", "mean_a": "3.5563", "mean_b": "2.2553", "gap": "1.301",
      "gap_low": "1.0", "gap_high": "1.6021"}, "**holds**: 3,600 s vs 180 s, ×20 [×10, ×40]"),
    # One quantity, not two sides: named.
    ({"quantity": "fit-time exponent", "mean_a": "1.5"}, "**holds**: fit-time exponent +1.5"),
    # A side without a number says what it lacks.
    ({"quantity": "accuracy", "mean_a": "0.9893", "side_b": "no published figure"},
     "**holds**: 0.989 vs no published figure"),
])
def test_a_glance_cell_gives_the_verdict_and_its_numbers_readably(numbers, shown):
    assert glance_text({"verdict": "holds", **numbers}) == shown


def test_each_flagged_run_is_listed_once_with_every_claim_it_was_left_out_of():
    from mlhistory.reporting.flagged import flagged_mention, flagged_runs

    def row(dataset, scope, excluded):
        return {"dataset": dataset, "scope": scope, "excluded": excluded}

    booster = "LightGBM, shuttle: 1 of 1 run never gets a class right, excluded"
    claims = {("04", "a"): {"mnist": row("mnist", "mnist", booster),
                            "fashion_mnist": row("fashion_mnist", "fashion_mnist", booster)},
              ("11", "b"): {"mnist": row("mnist", "tables", f"{booster}; MLP, shuttle: 1 of 3 "
                                                            "seeds diverged, excluded")},
              ("11", "c"): {"mnist": row("mnist", "tables", "")}}
    numbers = {("04", "a"): "04.1", ("11", "b"): "11.1", ("11", "c"): "11.2"}
    names = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}
    assert flagged_runs(claims, numbers, names) == {
        "LightGBM, shuttle: 1 of 1 run never gets a class right":
            {"data": ["MNIST", "Fashion-MNIST", "the tables"], "claims": ["04.1", "11.1"]},
        "MLP, shuttle: 1 of 3 seeds diverged": {"data": ["the tables"], "claims": ["11.1"]}}
    assert flagged_mention(claims, numbers, names)[0].startswith("2 flagged runs")
    assert flagged_mention({("11", "c"): claims[("11", "c")]}, numbers, names) == []


@pytest.mark.parametrize("passage, short", [
    ("1st ed. 1.2.4 Decision trees, random forests; 2nd ed. (same section)", "1st ed. 1.2.4"),
    ("1st ed. Why deep learning? Why now? (Hardware)", "1st ed. Why deep learning? Why now? (Hardware)"),
    ("2nd ed. ch. 8 (about 60 %)", "2nd ed. ch. 8 (about 60 %)"),
])
def test_the_glance_table_names_a_passage_by_its_section_number_where_it_has_one(passage, short):
    from mlhistory.reporting.glance import short_passage

    assert short_passage(passage) == short


def test_the_search_cost_sums_every_recorded_trial_and_names_a_family_part_way(tmp_path):
    import csv
    import json

    from mlhistory.reporting.findings import _search_cost_line
    from mlhistory.results import tuning

    def record(model, costs):
        path = tuning.trials_path(tmp_path, "mnist", model)
        path.parent.mkdir(parents=True)
        with open(path, "w", newline="") as handle:
            writer = csv.DictWriter(handle, tuning.TRIALS_COLUMNS)
            writer.writeheader()
            for trial, cost in enumerate(costs):
                writer.writerow({"trial": trial, "state": "complete", "pruned": "no",
                                 "validation_accuracy": 0.9, "n_train_reached": 100,
                                 "scores": "{}", "cost_seconds": cost, "params": "{}",
                                 "refit": ""})

    record("logreg", [100.0, 200.0])
    record("lightgbm", [1000.0, 2000.0, 600.0])  # killed before it chose
    tuning.chosen_path(tmp_path, "mnist").write_text(json.dumps(
        {"schema": tuning.CHOSEN_SCHEMA, "dataset": "mnist",
         "families": {"logreg": {"recipe": {"cost_seconds": 300.0}}}}))
    cost = tuning.search_cost(tmp_path, "mnist")
    assert cost == {"seconds": 4200.0, "complete": ["logreg"], "part_way": {"lightgbm": 3}}
    line = _search_cost_line(tmp_path, "mnist", "MNIST")
    assert "1.2 hours of fits" in line and "part-way: lightgbm, 3 trials recorded" in line
