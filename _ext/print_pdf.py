"""Print the PDF edition: the book's single-page build, laid out for paper, printed by Chromium.

``make pdf`` builds the book as one HTML page (``jupyter-book build --builder singlehtml``, from
the same execution cache as the HTML edition) and then runs this script, which loads that page in
headless Chromium (Debian's, driven by Playwright, as in the browser tests) and prints it. The PDF
therefore shows exactly what the HTML edition shows: the same glued numbers, numbered tables and
figures, bibliography and typeset formulas. Why this route and not LaTeX: see the README.

Before printing, the page is rearranged for paper (``PREPARE_JS``, ``pdf_edition.css``): a title
page; a table of contents; each document of ``_toc.yml`` as a chapter that starts a page, its
headings re-levelled so that chapters are the PDF's top-level bookmarks (singlehtml nests the
chapters inside the landing page's table of contents); collapsed code cells and CSV download links
left out, dropdowns opened; tables set to the width of the text. Chromium writes the bookmarks from the headings
(``outline``) and the page numbers from the CSS page footer. The contents' page numbers need a
second print: the first one's named destinations (``pdfinfo -dests``: the page of each element id)
give the page of every entry, which is then written in, in space kept for it; the pages of the
entries are checked to be unchanged in the final PDF.

The page may request nothing from another host: such a request is refused and stops the print, as
does an image that does not load. The PDF goes to ``<build>/pdf/<pdf_edition_file>`` and a copy to
``<build>/html/`` (the HTML edition's header links to it, see pdf_edition.py).

Usage: ``python _ext/print_pdf.py [BUILD_DIR]`` (default ``_build``).
"""
from __future__ import annotations

import datetime
import functools
import http.server
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright
from social_licence.report.citation import load_citation
from social_licence.study.loader import load_survey

ROOT = Path(__file__).resolve().parent.parent
STYLESHEET = Path(__file__).with_name("pdf_edition.css")
CHROMIUM = Path("/usr/bin/chromium")
#: headless Chromium as root on a machine without network (as in tests/browser/conftest.py)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
#: prints until the contents' page numbers hold (the second normally does)
MAX_PRINTS = 3

#: JavaScript run in the page: load every image (lazy ones made eager), wait for the fonts and for
#: MathJax's first typesetting (its "End" startup hook), and return the images that did not load
LOADED_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null
      : new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  if (window.MathJax && MathJax.Hub) await new Promise(done => MathJax.Hub.Register.StartupHook("End", done));
  await document.fonts.ready;
  return images.filter(img => !img.naturalWidth).map(img => img.src);
}"""

#: JavaScript run in the page: rearrange the single page for print (see the module docstring) and
#: return the element ids that the contents' entries point to
PREPARE_JS = """(cover) => {
  const article = document.querySelector("article");
  const make = (tag, className, text) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };
  // chapters: the root document, then each document singlehtml inlined (marked by a span whose
  // id, "document-<name>", the cross-document links point to), moved out in reading order
  const chapters = [[null, article.querySelector("section")]];
  article.querySelectorAll('span[id^="document-"]').forEach(marker => chapters.push([marker, marker.nextElementSibling]));
  chapters.forEach(([marker, section]) => {
    const chapter = make("div", "pdf-chapter");
    if (marker) chapter.append(marker);
    chapter.append(section);
    article.append(chapter);
    // the chapter's title becomes a level-1 heading and its sections follow
    const shift = Number(section.querySelector("h1, h2, h3, h4, h5, h6").tagName[1]) - 1;
    chapter.querySelectorAll("h1, h2, h3, h4, h5, h6").forEach(heading => {
      const level = Math.max(1, Number(heading.tagName[1]) - shift);
      const relevelled = make(`h${Math.min(level, 6)}`);
      for (const attribute of heading.attributes) relevelled.setAttribute(attribute.name, attribute.value);
      relevelled.append(...heading.childNodes);
      heading.replaceWith(relevelled);
    });
  });
  article.querySelectorAll(".toctree-wrapper").forEach(wrapper => { if (!wrapper.textContent.trim()) wrapper.remove(); });
  // dropdowns (the tables recomputed from the respondent file) print open: paper cannot expand them
  article.querySelectorAll("details.sd-dropdown").forEach(dropdown => { dropdown.open = true; });

  // an entry points to its section's heading, given an id for it: the page of a heading, not of
  // the top of its section (which may end the page before), is the page the entry gives
  const entry = section => {
    const title = section.querySelector(":scope > h1, :scope > h2");
    title.id = title.id || `pdf-${section.id}`;
    const text = title.cloneNode(true);
    text.querySelectorAll(".headerlink").forEach(link => link.remove());
    const item = make("li");
    const link = make("a");
    link.href = `#${title.id}`;
    link.append(make("span", "pdf-entry", text.textContent.trim()), make("span", "pdf-page"));
    link.lastChild.dataset.target = title.id;
    item.append(link);
    return item;
  };
  const contents = make("nav", "pdf-contents");
  const list = make("ol");
  contents.append(make("h1", "", cover.contents), list);
  article.querySelectorAll(".pdf-chapter > section").forEach(chapter => {
    const item = entry(chapter);
    const sections = Array.from(chapter.querySelectorAll(":scope > section")).filter(s => s.querySelector(":scope > h2"));
    if (sections.length) {
      const sublist = make("ol");
      sections.forEach(section => sublist.append(entry(section)));
      item.append(sublist);
    }
    list.append(item);
  });

  const page = make("div", "pdf-title-page");
  page.append(make("p", "pdf-title", cover.title));
  if (cover.subtitle) page.append(make("p", "pdf-subtitle", cover.subtitle));
  page.append(make("p", "pdf-author", cover.author));
  cover.lines.forEach(line => page.append(make("p", "pdf-meta", line)));
  article.prepend(page, contents);
  return Array.from(contents.querySelectorAll("[data-target]")).map(span => span.dataset.target);
}"""

#: JavaScript run in the page: write each contents entry's page number
PAGES_JS = """(pages) => document.querySelectorAll(".pdf-contents [data-target]").forEach(span => {
  span.textContent = String(pages[span.dataset.target]);
})"""


def book_config(root: Path = ROOT) -> dict:
    """The book's ``_config.yml``."""
    return yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))


def pdf_file_name(root: Path = ROOT) -> str:
    """The PDF edition's file name (``sphinx.config.pdf_edition_file`` in ``_config.yml``)."""
    return book_config(root)["sphinx"]["config"]["pdf_edition_file"]


def root_document(root: Path = ROOT) -> str:
    """The name of the book's root document (``root`` in ``_toc.yml``), which singlehtml writes as
    ``<root>.html``."""
    name = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))["root"]
    return str(Path(name).with_suffix("")) if Path(name).suffix in (".ipynb", ".md") else name


def destinations(pdf: Path) -> dict[str, int]:
    """The page of each named destination of a PDF (Chromium names one for every element id)."""
    listing = subprocess.run(["pdfinfo", "-dests", str(pdf)], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in listing.splitlines():
        match = re.match(r'\s*(\d+)\s+\[.*\]\s+"(.*)"$', line)
        if match:
            found[match.group(2)] = int(match.group(1))
    return found


def cover(root: Path = ROOT) -> dict:
    """What the title page says: the book's title (split at its colon into title and subtitle, with
    typographic apostrophes as Sphinx prints the pages), author, version (CITATION.cff), date of
    printing and the data source the book was built from."""
    config = book_config(root)
    title, _, subtitle = config["title"].replace("'", "\u2019").partition(": ")
    today = datetime.date.today().isoformat()
    return {"title": title, "subtitle": subtitle, "author": config["author"], "contents": "Contents",
            "lines": [f"Version {load_citation()['version']}, printed {today}", f"Data: {load_survey().source.label}"]}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@contextmanager
def served(directory: Path):
    """``http://127.0.0.1:<free port>/`` serving ``directory`` for the duration of the block."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()


def print_book(singlehtml: Path, output: Path, title_page: dict, root_name: str) -> int:
    """Print the single-page build ``singlehtml`` to ``output``; return the number of prints made.

    Raises RuntimeError when the page asks another host for anything, an image does not load, or
    the contents' page numbers do not settle within :data:`MAX_PRINTS` prints.
    """
    refused: list[str] = []
    with served(singlehtml) as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page()

        def route(route):
            if route.request.url.startswith(base_url):
                route.continue_()
            else:
                refused.append(route.request.url)
                route.abort("blockedbyclient")

        page.route("**/*", route)
        page.goto(f"{base_url}{root_name}.html", wait_until="networkidle")
        broken = page.evaluate(LOADED_JS)
        if refused or broken:
            raise RuntimeError(f"the book requested other hosts {refused}; images that did not load: {broken}")
        page.add_style_tag(content=STYLESHEET.read_text(encoding="utf-8"))
        targets = page.evaluate(PREPARE_JS, title_page)
        numbers: dict[str, int] = {}
        for prints in range(1, MAX_PRINTS + 1):
            page.pdf(path=str(output), prefer_css_page_size=True, print_background=True, outline=True, tagged=True)
            pages = destinations(output)
            missing = [target for target in targets if target not in pages]
            if missing:
                raise RuntimeError(f"contents entries without a destination in the PDF: {missing}")
            if prints > 1 and all(pages[target] == numbers[target] for target in targets):
                break
            numbers = {target: pages[target] for target in targets}
            page.evaluate(PAGES_JS, numbers)
        else:
            raise RuntimeError(f"the contents' page numbers did not settle in {MAX_PRINTS} prints")
        browser.close()
    if refused:
        raise RuntimeError(f"the book requested other hosts while printing: {refused}")
    return prints


def main(argv: list[str]) -> None:
    """Print ``<build>/singlehtml`` to ``<build>/pdf/<name>`` and copy it into ``<build>/html``."""
    build = Path(argv[1]) if len(argv) > 1 else ROOT / "_build"
    singlehtml, html = build / "singlehtml", build / "html"
    for folder, command in ((singlehtml, "jupyter-book build . --builder singlehtml"), (html, "make book")):
        if not folder.is_dir():
            raise SystemExit(f"{folder} not found: run `{command}` first (or `make pdf`)")
    output = build / "pdf" / pdf_file_name()
    output.parent.mkdir(parents=True, exist_ok=True)
    prints = print_book(singlehtml, output, cover(), root_document())
    shutil.copy2(output, html / output.name)
    pages = re.search(r"^Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(output)], check=True, capture_output=True,
                                                          text=True).stdout, re.MULTILINE).group(1)
    print(f"The PDF edition is at {output} ({pages} pages, {prints} prints), and served as {html / output.name}")


if __name__ == "__main__":
    main(sys.argv)
