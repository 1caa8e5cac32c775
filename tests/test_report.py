"""The report's pages, built from a results set shaped like the committed one (no model is
fitted): what the main page opens with, how short it stays, where the details go, and that
every link between the pages leads somewhere."""

import csv
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mlhistory.judging import verdicts
from mlhistory.paths import PROJECT_ROOT
from mlhistory.reporting import report
from mlhistory.reporting.document import slug, to_markdown

# Bytes of Markdown: the main page is a summary, not a log. It holds the verdicts, the
# takeaways, the history figure, the eras table (five rows) and a section per experiment; the
# glossary and every per-run table are in the appendix.
MAIN_PAGE_LIMIT = 30_000
COMMITTED_RESULTS = PROJECT_ROOT / "results"
MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


# Writing and rendering this results set, as many runs and claims as the committed one, takes
# several seconds: the tests that read it are in the slow tier.
@pytest.fixture(scope="module")
def results_set(fake_report) -> Path:
    return fake_report


@pytest.fixture(scope="module")
def judged_once(results_set) -> list:
    return report.read_judged(results_set)


@pytest.fixture
def judged(judged_once) -> list:
    """The fake set's experiments read and judged (once for the module: judging the whole set
    takes seconds), in a list of this test's own."""
    return list(judged_once)


def section(markdown: str, heading: str) -> str:
    """The text under a '## heading', up to the next '## '."""
    return markdown.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.slow
def test_main_page_opens_with_the_verdicts_the_takeaways_and_the_timeline(results_set):
    markdown = (results_set / "REPORT.md").read_text()
    assert len(markdown.encode()) < MAIN_PAGE_LIMIT
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:3] == ["The book's claims at a glance", "What to take away",
                            "The history in one figure"]
    glance = section(markdown, "The book's claims at a glance")
    # One column per dataset, the book's own first.
    assert "| section | claim | MNIST | Fashion-MNIST |" in glance
    # Each verdict is explained once, in the opening, from the judging layer's meanings.
    for verdict, meaning in verdicts.VERDICT_MEANINGS.items():
        assert markdown.count(meaning) == 1
        assert f"- **{verdict}**: {meaning}" in glance
    assert "(mnist/05_return_of_neural_networks/timeline.png)" in section(
        markdown, "The history in one figure")
    # Leaderboards and per-run tables are not on the main page.
    assert "Leaderboard" not in headings and "| fit time |" not in markdown


@pytest.mark.slow
def test_the_main_page_sets_the_eras_side_by_side_and_explains_its_terms(results_set):
    from mlhistory.reporting.sections import GLOSSARY

    markdown = (results_set / "REPORT.md").read_text()
    eras = section(markdown, "The eras in numbers")
    assert "| era | what changed (the book) | MNIST: best (test error) |" in eras
    # One row per era; the first has nothing before it, and later ones are set against it.
    rows = [line for line in eras.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert len(rows) == 5 and rows[0].count("the first era") == 2
    assert "Logistic regression (C=1)" in rows[0] and "fewer errors" in rows[1]
    # The era's models are listed on experiment 05's own page, not on the main page.
    page = (results_set / "mnist" / "05_return_of_neural_networks" / "README.md").read_text()
    assert "| models run here |" in page and "models run here" not in eras
    glossary = section((results_set / "APPENDIX.md").read_text(), "Glossary")
    for term in ("fair budget", "macro-F1", "HOG", "probe", "margin"):
        assert f"- **{term}**: {GLOSSARY[term]}" in glossary
    assert "validation split: 10 % of the training images" in glossary


@pytest.mark.slow
def test_takeaways_are_counted_from_the_verdicts(results_set):
    takeaways = section((results_set / "REPORT.md").read_text(), "What to take away")
    # 11 experiments with book claims: three each, but 05 has one of its three as the project's.
    assert ("on MNIST (32 claims): **holds** 32; on Fashion-MNIST (32 claims): **holds** 21, "
            "**does not carry over** 11.") in takeaways
    # The convnet's claim is about MNIST: on Fashion-MNIST, where the SVM leads, it does not
    # carry over, so every section with that claim differs, and none holds throughout.
    assert ("11 of 32 claims get a different verdict on Fashion-MNIST than on MNIST "
            "(**holds** → **does not carry over** 11)") in takeaways
    assert "holds throughout" not in takeaways and "contradict" not in takeaways


@pytest.mark.slow
def test_a_failing_claim_on_the_books_dataset_is_a_takeaway(results_set, judged):
    experiments = judged
    first = experiments[0]
    failed = [dict(row, verdict=verdicts.FAILS) if row["claim_id"] == "forest_beats_tree" else row
              for row in first.claims]
    experiments[0] = replace(first, claims=failed)
    takeaways = section(to_markdown(report.build_pages(experiments, results_set)[0]),
                        "What to take away")
    anchor = slug(first.heading)
    assert (f"On MNIST the measurements contradict the book in [01 Probabilistic modelling]"
            f"(#{anchor}) (1 of 3 claims).") in takeaways


@pytest.mark.slow
def test_the_projects_own_questions_stand_apart_from_the_books_claims(results_set):
    markdown = (results_set / "REPORT.md").read_text()
    own = section(markdown, "The project's own questions")
    assert "LeNet-5 beats the 1986 MLP" in own
    assert markdown.count("LeNet-5 beats the 1986 MLP") == 1  # not in any table of the book's


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
    assert claim == ("The book's convnet beats every other model on these images. *(1st ed. "
                     "1.2.5; 2nd ed. Back to neural networks)*")
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
    assert '<span class="verdict does-not-carry-over">does not carry over</span>' in page


@pytest.mark.skipif(not (COMMITTED_RESULTS / "REPORT.md").exists(), reason="no committed results")
@pytest.mark.slow  # re-judges and renders every committed experiment
def test_the_committed_results_give_a_short_main_page_whose_links_resolve():
    experiments = report.read_judged(COMMITTED_RESULTS)
    pages = report.build_pages(experiments, COMMITTED_RESULTS)
    assert len(to_markdown(pages[0]).encode()) < MAIN_PAGE_LIMIT
    assert broken_links(COMMITTED_RESULTS) == []


@pytest.mark.slow
def test_claims_and_runs_csv_are_gathered_from_every_experiment(results_set, fake_results_set):
    with open(results_set / "claims.csv", newline="") as handle:
        saved = list(csv.DictReader(handle))
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


def test_a_bench_row_whose_load_was_not_recorded_is_printed_void():
    from mlhistory.reporting.appendix import bench_cells

    cells = bench_cells({"part": "suite", "subject": "make quick", "setting": "", "measured": "90",
                         "baseline": "180", "ratio": "0.5", "unit": "s", "goal": "", "detail": ""})
    assert cells[3:6] == ["void"] * 3 and cells[-1] == "void: the load was not recorded"


def test_a_changed_verdict_shows_what_the_earlier_test_said(tmp_path, write_fake_experiment):
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
    write_rows(results_dir / VERDICT_CHANGES_FILE, [record], VERDICT_CHANGES_COLUMNS)
    page = to_markdown(report.build_pages(experiments, results_dir)[1])
    assert ("earlier verdict: **inconclusive** (p = 0.2) by the earlier test (an older test); "
            "changed because the margin now decides it") in page
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
