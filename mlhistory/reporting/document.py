"""A tiny document model, written out as Markdown pages and as one self-contained HTML file.

The report is a set of pages (the main page, one page per experiment and dataset, an appendix),
each a list of blocks. Text may hold four kinds of inline markup, written as in Markdown:
`code`, **bold** (a verdict in bold gets its colour in HTML), *italics* and [links](target). A link's
target, like an image's path, is relative to the results folder ("mnist/01_x/README.md#claims"),
so each writer can resolve it: the Markdown pages link to each other by relative path, while
the HTML file holds every page as a section of itself and links to its anchor. The HTML opens
from disk with no server and no network: its style and its script are inline.
"""

import html
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field

from ..judging.verdicts import VERDICT_MEANINGS

LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"\*([^*\n]+)\*")  # read after bold, so only single asterisks are left


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    short: str = ""  # how the HTML's table of contents names it, when shorter than the text

    @property
    def anchor(self) -> str:
        return slug(self.text)


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class BulletList:
    items: list[str]


@dataclass(frozen=True)
class Cell:
    """A table cell whose order differs from its text's ("1.2 MB" sorts by bytes)."""

    text: str
    sort_value: float


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str | Cell]]


@dataclass(frozen=True)
class Image:
    path: str  # relative to the results folder
    caption: str


@dataclass(frozen=True)
class Page:
    path: str  # relative to the results folder, e.g. "REPORT.md"
    title: str
    blocks: list = field(default_factory=list)
    # How the HTML's table of contents lists a page other than the first: pages that share a
    # title ("01 Probabilistic modelling") share a line, each linked by its label ("MNIST").
    toc_title: str = ""
    toc_label: str = ""

    @property
    def anchor(self) -> str:
        return slug(self.path.removesuffix(".md").removesuffix("/README").replace("/", " "))


def slug(text: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to '-'."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def cell_text(cell: str | Cell) -> str:
    return cell.text if isinstance(cell, Cell) else cell


# --- Markdown --------------------------------------------------------------------------------


def to_markdown(page: Page) -> str:
    """The page as Markdown, its links and images relative to the page's own folder."""
    folder = posixpath.dirname(page.path)

    def relative(target: str) -> str:
        path, hash_mark, anchor = target.partition("#")
        if path in ("", page.path):  # an anchor on this page
            return hash_mark + anchor
        return posixpath.relpath(path, folder or ".") + hash_mark + anchor

    def inline(text: str) -> str:
        return LINK.sub(lambda found: f"[{found[1]}]({relative(found[2])})", text)

    parts = []
    for block in page.blocks:
        if isinstance(block, Heading):
            parts.append(f"{'#' * block.level} {inline(block.text)}")
        elif isinstance(block, Paragraph):
            parts.append(inline(block.text))
        elif isinstance(block, BulletList):
            parts.append("\n".join(f"- {inline(item)}" for item in block.items))
        elif isinstance(block, Table):
            lines = ["| " + " | ".join(block.header) + " |", "|" + "---|" * len(block.header)]
            lines += ["| " + " | ".join(inline(cell_text(cell)).replace("|", "\\|") for cell in row)
                      + " |" for row in block.rows]
            parts.append("\n".join(lines))
        elif isinstance(block, Image):
            parts.append(f"![{block.caption}]({relative(block.path)})")
    return "\n\n".join(parts) + "\n"


# --- HTML ------------------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;margin:0;line-height:1.45;color:#222}
.layout{display:grid;grid-template-columns:250px minmax(0,1fr);gap:2em;max-width:1500px;
  margin:0 auto;padding:0 1em}
nav{position:sticky;top:0;max-height:100vh;overflow-y:auto;box-sizing:border-box;
  font-size:.85em;background:#f6f8fa;border-right:1px solid #ddd;padding:1em .8em}
nav ul{margin:.2em 0 .8em;padding-left:1.1em}nav li{margin:.15em 0}
@media (max-width:1000px){.layout{display:block}nav{position:static;max-height:none}}
section.page{border-top:3px solid #ccc;margin-top:3em}
table{border-collapse:collapse;margin:0;font-size:.9em}
th,td{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top;
  overflow-wrap:break-word}
th{background:#f3f3f3;cursor:pointer;user-select:none}
th[data-order=ascending]::after{content:" \\25B2"}th[data-order=descending]::after{content:" \\25BC"}
figure{margin:1em 0}figure img{width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}
.wide{overflow-x:auto;max-width:100%;margin:1em 0}
code{background:#f3f3f3;padding:0 3px}
.verdict{font-weight:bold;white-space:nowrap}
.holds{color:#1a7f37}.fails{color:#cf222e}.inconclusive{color:#9a6700}
.ties{color:#0969da}.underpowered{color:#9a6700}.setup-short{color:#bc4c00}
.does-not-carry-over{color:#8250df}.limited-by-this-machine{color:#57606a}
.top{font-size:.85em}
"""

# Sorts a table by the clicked column: numbers as numbers (a cell's data-sort value first,
# else its leading number, thousands separators ignored), other text alphabetically.
SCRIPT = """
function sortValue(cell) {
  const text = cell.dataset.sort ?? cell.textContent.trim();
  const number = parseFloat(text.replace(/,/g, ""));
  return isNaN(number) ? text.toLowerCase() : number;
}
function compareValues(a, b) {
  if (typeof a !== typeof b) return typeof a === "number" ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
document.querySelectorAll("table.sortable th").forEach((header) => {
  header.addEventListener("click", () => {
    const ascending = header.dataset.order !== "ascending";
    header.parentElement.querySelectorAll("th").forEach((other) => delete other.dataset.order);
    header.dataset.order = ascending ? "ascending" : "descending";
    const body = header.closest("table").tBodies[0];
    const column = header.cellIndex;
    const rows = [...body.rows].sort((x, y) =>
      compareValues(sortValue(x.cells[column]), sortValue(y.cells[column])));
    body.append(...(ascending ? rows : rows.reverse()));
  });
});
"""


def to_html(pages: list[Page], title: str) -> str:
    """Every page in one HTML file: the first page, then each other page as a section.

    The table of contents, a sidebar, lists the first page's sections, then the other pages:
    pages that share a ``toc_title`` on one line, a page of its own with its sections. A link
    to a page becomes a link to its section; the other pages' heading anchors are prefixed
    with the page's, so a heading repeated on each page ("Claims") stays unique.
    """
    anchors = {page.path: page.anchor for page in pages}
    main = pages[0]

    def heading_id(page: Page, heading: Heading) -> str:
        return heading.anchor if page is main else f"{page.anchor}-{heading.anchor}"

    def href(target: str, page: Page) -> str:
        path, _, anchor = target.partition("#")
        if not path:
            path = page.path
        if path not in anchors:  # a file, not a page: the HTML lives in the results folder
            return target
        if not anchor:
            return f"#{anchors[path]}"
        return f"#{anchor}" if path == main.path else f"#{anchors[path]}-{anchor}"

    def inline(text: str, page: Page) -> str:
        escaped = html.escape(text, quote=False)
        escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
        escaped = BOLD.sub(lambda found: _bold(found[1]), escaped)
        escaped = ITALIC.sub(r"<em>\1</em>", escaped)
        return LINK.sub(lambda found: f'<a href="{html.escape(href(found[2], page))}">{found[1]}</a>',
                        escaped)

    def figure(image: Image) -> str:
        source, caption = html.escape(image.path), html.escape(image.caption)
        return (f'<figure><a href="{source}" target="_blank" title="open full size">'
                f'<img src="{source}" alt="{caption}"></a><figcaption>{caption}</figcaption>'
                "</figure>")

    def cell(value: str | Cell, page: Page) -> str:
        if isinstance(value, Cell):
            return f'<td data-sort="{value.sort_value!r}">{inline(value.text, page)}</td>'
        return f"<td>{inline(value, page)}</td>"

    def render(page: Page) -> list[str]:
        body = []
        for block in page.blocks:
            if isinstance(block, Heading):
                body.append(f'<h{block.level} id="{heading_id(page, block)}">'
                            f"{inline(block.text, page)}</h{block.level}>")
            elif isinstance(block, Paragraph):
                body.append(f"<p>{inline(block.text, page)}</p>")
            elif isinstance(block, BulletList):
                body.append("<ul>" + "".join(f"<li>{inline(item, page)}</li>" for item in block.items)
                            + "</ul>")
            elif isinstance(block, Table):
                header = "".join(f'<th title="sort">{html.escape(name)}</th>' for name in block.header)
                rows = "".join("<tr>" + "".join(cell(value, page) for value in row) + "</tr>"
                               for row in block.rows)
                body.append(f'<div class="wide"><table class="sortable"><thead><tr>{header}</tr>'
                            f"</thead><tbody>{rows}</tbody></table></div>")
            elif isinstance(block, Image):
                body.append(figure(block))
        return body

    def contents() -> str:
        def entries(page: Page) -> str:
            sections = [block for block in page.blocks if isinstance(block, Heading) and block.level == 2]
            return "".join(f'<li><a href="#{heading_id(page, heading)}">'
                           f"{inline(heading.short or heading.text, page)}</a></li>"
                           for heading in sections)

        groups = defaultdict(list)
        for page in pages[1:]:
            groups[page.toc_title or page.title].append(page)
        others = []
        for toc_title, grouped in groups.items():
            if len(grouped) == 1:
                page = grouped[0]
                others.append(f'<li><a href="#{page.anchor}">{html.escape(toc_title)}</a>'
                              f"<ul>{entries(page)}</ul></li>")
            else:
                links = " · ".join(f'<a href="#{page.anchor}">{html.escape(page.toc_label)}</a>'
                                   for page in grouped)
                others.append(f"<li>{html.escape(toc_title)}: {links}</li>")
        return (f'<nav id="contents"><strong>Contents</strong><ul>{entries(main)}</ul>'
                f"<strong>Details</strong><ul>{''.join(others)}</ul></nav>")

    sections = []
    for page in pages[1:]:
        sections.append(f'<section class="page" id="{page.anchor}">'
                        + "\n".join(render(page))
                        + '<p class="top"><a href="#contents">back to the contents</a></p></section>')
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>\n<body>\n"
            f'<div class="layout">{contents()}\n<main>\n'
            + f'<section id="{main.anchor}">' + "\n".join(render(main)) + "</section>\n"
            + "\n".join(sections)
            + f"\n</main></div>\n<script>{SCRIPT}</script>\n</body></html>\n")


def _bold(text: str) -> str:
    """Bold text; a verdict gets its colour, and its meaning when hovered."""
    if text in VERDICT_MEANINGS:
        return (f'<span class="verdict {slug(text)}" '
                f'title="{html.escape(VERDICT_MEANINGS[text])}">{text}</span>')
    return f"<strong>{text}</strong>"
