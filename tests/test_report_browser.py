"""index.html in a real headless browser: it renders with no error, every image loads, every
link of the table of contents lands on an element, the tables sort, and at a 1,400-pixel
window no table overflows the page (a wide one scrolls inside its box).

Selenium drives Debian's ``chromium`` through its ``chromedriver`` (package ``chromium-driver``;
``.ci/run`` installs both when it runs as root). Without either the tests are skipped and say why.
"""

import os
import shutil

import pytest

from mlhistory.paths import PROJECT_ROOT

# On the worker that builds the fake results set for test_report.py too (make test's
# --dist loadgroup), so the set and its report are written once, not once per worker.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("fake_results_set")]

# Debian's package installs ``chromium``; other systems name the same browser differently.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DRIVER_NAME = "chromedriver"
BROWSER = next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)
DRIVER = shutil.which(DRIVER_NAME)
COMMITTED_PAGE = PROJECT_ROOT / "results" / "index.html"
# How long the browser may take to load a page before the test fails.
PAGE_LOAD_SECONDS = 60
# Browser log entries at this level are the page's errors: console errors, uncaught exceptions
# and resources that failed to load.
ERROR_LEVEL = "SEVERE"

# What the tests read off the page, in one evaluation.
INSPECT = """return (() => {
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
    """One headless Chromium for the module's tests, its log of the page's errors switched on."""
    webdriver = pytest.importorskip(
        "selenium.webdriver", reason="selenium is not installed (it is pinned in requirements.txt)")
    if BROWSER is None or DRIVER is None:
        missing = [f"a browser ({', '.join(BROWSER_NAMES)})"] if BROWSER is None else []
        missing += [DRIVER_NAME] if DRIVER is None else []
        pytest.skip(f"no {' and no '.join(missing)} found; install Debian's "
                    "`apt-get install chromium chromium-driver`, as .ci/run does")
    options = webdriver.ChromeOptions()
    options.binary_location = BROWSER
    for argument in ("--headless", "--disable-gpu", "--no-first-run", "--mute-audio"):
        options.add_argument(argument)
    if os.geteuid() == 0:  # Chromium refuses to run its sandbox as root.
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # Both paths given: Selenium uses them as they are and never looks for a driver online.
    driver = webdriver.Chrome(service=webdriver.ChromeService(executable_path=DRIVER),
                              options=options)
    driver.set_page_load_timeout(PAGE_LOAD_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(browser, page) -> None:
    """Load a local file; ``get`` returns once the page and its images have loaded."""
    browser.get_log("browser")  # reading the log empties it: what follows is this page's
    browser.get(page.resolve().as_uri())


def errors(browser) -> list[str]:
    """Every error the page reported since it was opened."""
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == ERROR_LEVEL]


@pytest.fixture(scope="module")
def fixture_page(fake_report):
    return fake_report / "index.html"


def check_renders(browser, page) -> dict:
    open_page(browser, page)
    found = browser.execute_script(INSPECT)
    assert errors(browser) == []
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
    open_page(browser, fixture_page)
    # The appendix's MNIST leaderboard (its first table with a fit time), sorted by accuracy,
    # best first; fit time is the 8th column, so a click sorts it by seconds (its data-sort
    # value), not by its text.
    fit_times = """return (() => {
      const isFitTime = (cell) => cell.textContent === "fit time";
      const table = [...document.querySelectorAll("#appendix table")]
        .find((candidate) => [...candidate.tHead.rows[0].cells].some(isFitTime));
      const column = [...table.tHead.rows[0].cells].findIndex(isFitTime);
      const read = () => [...table.tBodies[0].rows].map((row) => Number(row.cells[column].dataset.sort));
      const before = read();
      table.tHead.rows[0].cells[column].click();
      const ascending = read();
      table.tHead.rows[0].cells[column].click();
      return {before: before, ascending: ascending, descending: read()};
    })()"""
    found = browser.execute_script(fit_times)
    assert found["before"] != sorted(found["before"])  # so the click has something to do
    assert found["ascending"] == sorted(found["before"])
    assert found["descending"] == sorted(found["before"], reverse=True)


@pytest.mark.skipif(not COMMITTED_PAGE.exists(), reason="no committed results/index.html")
def test_the_committed_report_renders_with_every_image_and_link_in_place(browser):
    check_renders(browser, COMMITTED_PAGE)


# The width of the browser window the tables are checked at.
WINDOW_WIDTH = 1_400
# Every table whose right edge, or whose box's, passes the page's width; and whether the page
# itself scrolls sideways. A table wider than its box is fine while its box scrolls.
TABLE_OVERFLOW = """return (() => {
  const page = document.documentElement.clientWidth;
  const problems = [];
  for (const table of document.querySelectorAll("table")) {
    const box = table.parentElement;
    const scrolls = ["auto", "scroll"].includes(getComputedStyle(box).overflowX);
    const right = (scrolls ? box : table).getBoundingClientRect().right;
    if (right > page + 1) {
      problems.push(`${table.tHead.rows[0].cells[0].textContent}: right edge ${Math.round(right)} px`);
    }
  }
  if (document.documentElement.scrollWidth > page + 1) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px wide`);
  }
  return {page: page, problems: problems};
})()"""


def table_overflow(browser, page, css: str = "") -> list[str]:
    """What overflows the page width at WINDOW_WIDTH, with ``css`` added to the page's style."""
    browser.set_window_size(WINDOW_WIDTH, 1_000)
    open_page(browser, page)
    if css:
        browser.execute_script("const style = document.createElement('style');"
                               f"style.textContent = {css!r}; document.head.append(style);")
    found = browser.execute_script(TABLE_OVERFLOW)
    assert found["page"] > WINDOW_WIDTH - 100  # the window is as wide as asked
    return found["problems"]


@pytest.fixture(scope="module")
def wide_table_page(tmp_path_factory):
    """A page with a table far wider than any screen: many columns, long headers and cells."""
    from mlhistory.reporting.document import Heading, Page, Paragraph, Table, to_html

    header = [f"a long column header number {index}" for index in range(24)]
    rows = [[f"value {row}.{column} with some words" for column in range(24)] for row in range(3)]
    pages = [Page("REPORT.md", "Wide", [Heading(1, "Wide"), Paragraph("A wide table:"),
                                        Table(header, rows)])]
    path = tmp_path_factory.mktemp("wide") / "index.html"
    path.write_text(to_html(pages, "Wide"))
    return path


def test_a_wide_table_scrolls_inside_its_box_instead_of_widening_the_page(browser, wide_table_page):
    assert table_overflow(browser, wide_table_page) == []


def test_the_overflow_check_catches_a_table_that_widens_the_page(browser, wide_table_page):
    problems = table_overflow(browser, wide_table_page, css=".wide{overflow:visible}")
    assert any("right edge" in problem for problem in problems)
    assert any("scrolls sideways" in problem for problem in problems)


def test_no_table_of_the_report_overflows_the_page(browser, fixture_page):
    assert table_overflow(browser, fixture_page) == []


@pytest.mark.skipif(not COMMITTED_PAGE.exists(), reason="no committed results/index.html")
def test_no_table_of_the_committed_report_overflows_the_page(browser):
    assert table_overflow(browser, COMMITTED_PAGE) == []
