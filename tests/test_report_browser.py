"""index.html in a real headless browser: it renders with no error, every image loads, every
link of the table of contents lands on an element, and the tables sort.

The browser is Debian's ``chromium`` (``.ci/run`` installs it when it runs as root); without
one the tests are skipped and say why.
"""

import pytest
from conftest import PROJECT_ROOT
from headless_chromium import BROWSER_NAMES, Browser, find_browser

from mlhistory.reporting import report

BROWSER = find_browser()
pytestmark = pytest.mark.skipif(
    BROWSER is None, reason=f"no headless browser found (looked for {', '.join(BROWSER_NAMES)}); "
                            "install Debian's chromium (`apt-get install chromium`, as .ci/run does)")
COMMITTED_PAGE = PROJECT_ROOT / "results" / "index.html"

# What the tests read off the page, in one evaluation.
INSPECT = """(() => {
  const contents = [...document.querySelectorAll("nav a")].map((link) => link.getAttribute("href"));
  const internal = [...document.querySelectorAll('a[href^="#"]')].map((link) => link.getAttribute("href"));
  return {
    title: document.title,
    headings: document.querySelectorAll("h2").length,
    images: [...document.images].map((image) => ({src: image.getAttribute("src"),
                                                  width: image.naturalWidth, complete: image.complete})),
    contents: contents,
    unresolved: [...new Set(contents.concat(internal))]
      .filter((href) => !document.getElementById(decodeURIComponent(href.slice(1)))),
  };
})()"""


@pytest.fixture(scope="module")
def browser():
    with Browser(BROWSER) as opened:
        yield opened


@pytest.fixture(scope="module")
def fixture_page(fake_results_set):
    report.write_report(fake_results_set.root)
    return fake_results_set.root / "index.html"


def check_renders(browser: Browser, page) -> dict:
    browser.events.clear()
    browser.open(page)
    found = browser.evaluate(INSPECT)
    assert browser.errors() == []
    assert found["title"] and found["headings"] > 10
    assert found["images"], "the page shows no image"
    assert [image["src"] for image in found["images"] if not image["width"]] == []
    assert len(found["contents"]) > 10
    assert found["unresolved"] == []
    return found


def test_the_report_renders_with_every_image_and_link_in_place(browser, fixture_page):
    found = check_renders(browser, fixture_page)
    assert "#mnist-01_probabilistic" in found["contents"] and "#appendix" in found["contents"]


def test_clicking_a_column_header_sorts_the_table(browser, fixture_page):
    browser.open(fixture_page)
    # The appendix's MNIST leaderboard, sorted by accuracy, best first; fit time is the 8th
    # column, so a click sorts it by seconds (its data-sort value), not by its text.
    fit_times = """(() => {
      const table = document.querySelector("#appendix table");
      const column = [...table.tHead.rows[0].cells].findIndex((cell) => cell.textContent === "fit time");
      const read = () => [...table.tBodies[0].rows].map((row) => Number(row.cells[column].dataset.sort));
      const before = read();
      table.tHead.rows[0].cells[column].click();
      const ascending = read();
      table.tHead.rows[0].cells[column].click();
      return {before: before, ascending: ascending, descending: read()};
    })()"""
    found = browser.evaluate(fit_times)
    assert found["before"] != sorted(found["before"])  # so the click has something to do
    assert found["ascending"] == sorted(found["before"])
    assert found["descending"] == sorted(found["before"], reverse=True)


@pytest.mark.skipif(not COMMITTED_PAGE.exists(), reason="no committed results/index.html")
def test_the_committed_report_renders_with_every_image_and_link_in_place(browser):
    check_renders(browser, COMMITTED_PAGE)
