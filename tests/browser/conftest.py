"""Fixtures of the browser tests: the built book served on 127.0.0.1 and read in headless Chromium.

The tests run against ``_build/html`` as ``make book`` (or the book step of ``make test``) left it.
Every page of ``_toc.yml`` is loaded once, in its own tab, and everything the tests check is
gathered in that one visit (:class:`Visit`): the HTTP status, console messages, uncaught errors,
failed and refused requests, the rendered DOM, the state of every image, the visible text of the
article and axe-core's accessibility report.

Requests to any host other than the local server are refused (``route.abort``) and recorded: the
book serves everything it loads itself, MathJax included (``_ext/packaged_mathjax.py``), so any
such request fails test_pages.py. The machines that build and test the book have no network
anyway, and a test must not depend on one.
"""
from __future__ import annotations

import functools
import http.server
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from book.pages import BUILD_DIR
from bs4 import BeautifulSoup
from playwright.sync_api import sync_playwright
from social_licence.study.paths import PROJECT_ROOT

#: the built book: _build/html, or another build's html folder named by BOOK_HTML_DIR
HTML_DIR = Path(os.environ.get("BOOK_HTML_DIR", BUILD_DIR / "html"))
ARTEFACTS = PROJECT_ROOT / "artefacts"
CHROMIUM = Path("/usr/bin/chromium")
#: headless Chromium as root on a machine without network: no sandbox (root), no GPU, and none of
#: the background connections to Google's services that a closed network refuses at every start
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

#: JavaScript run in the page: wait for every image (lazy ones made eager), then report them
IMAGES_JS = """async () => {
  const images = Array.from(document.images);
  images.forEach(img => { img.loading = "eager"; });
  await Promise.all(images.map(img => img.complete ? null
      : new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
  return images.map(img => ({src: img.currentSrc || img.src, alt: img.getAttribute("alt"),
                             naturalWidth: img.naturalWidth, complete: img.complete}));
}"""


#: JavaScript run in the page: the text a reader sees in the article, without code (literals, code
#: cells and their outputs), where markup such as ``{glue:text}`` may be shown on purpose
PROSE_TEXT_JS = """article => {
  const parts = [];
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (parent.closest("pre, code, .highlight, .cell_output, script, style") || !parent.checkVisibility()) continue;
    parts.push(walker.currentNode.textContent);
  }
  return parts.join("\\n");
}"""
#: JavaScript run in the page: the prose a reader sees, paragraph by paragraph: paragraphs and list
#: items outside tables, figures, collapsed blocks, notices, code cells and download links
PARAGRAPHS_JS = """article => Array.from(article.querySelectorAll("p, li"))
  .filter(el => !el.querySelector("p, li") && el.checkVisibility() && !el.querySelector("a[download]")
    && !el.closest("table, figure, details, .admonition, .cell_output, .cell_input, pre, .toctree-wrapper"))
  .map(el => el.innerText.replace(/\\s+/g, " ").trim()).join(" ")"""
#: JavaScript run in the page: how many words a reader sees in the article (tables, captions and
#: shown outputs included; collapsed code cells and closed dropdowns, which are not rendered, left out)
WORD_COUNT_JS = "article => article.innerText.split(/\\s+/).filter(Boolean).length"
#: JavaScript run in the page: wait until MathJax (2.7) has typeset the page, if the page loads it.
#: MathJax is loaded async and typesets after "load"; its "End" startup hook runs once the first
#: typesetting is done (at once if that has already happened). After 20 s it gives up, and the
#: formula test says which formulas were left as TeX.
MATHJAX_DONE_JS = """() => new Promise(done => {
  const script = document.querySelector('script[src*="MathJax.js"]');
  if (!script) return done(false);
  setTimeout(() => done(false), 20000);
  const hook = () => MathJax.Hub.Register.StartupHook("End", () => done(true));
  if (window.MathJax && window.MathJax.Hub) hook();
  else { script.addEventListener("load", hook); script.addEventListener("error", () => done(false)); }
})"""
#: JavaScript run in the page: let running CSS animations and transitions finish
FINISH_ANIMATIONS_JS = "() => Promise.all(document.getAnimations().map(a => a.finished))"



@dataclass
class Visit:
    """What one load of one page showed."""

    docname: str
    url: str
    status: int | None = None
    console: list[dict] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_requests: list[dict] = field(default_factory=list)
    refused_external: list[str] = field(default_factory=list)
    dom: str = ""
    images: list[dict] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    visible_text: str = ""
    prose: str = ""
    output_text: str = ""
    words: int = 0
    axe_violations: list[dict] = field(default_factory=list)
    seconds: dict = field(default_factory=dict)

    @functools.cached_property
    def soup(self) -> BeautifulSoup:
        """The rendered DOM, parsed once."""
        return BeautifulSoup(self.dom, "html.parser")

    def summary(self) -> dict:
        """What goes to artefacts/browser/ (everything but the DOM)."""
        return {"docname": self.docname, "url": self.url, "status": self.status, "console": self.console,
                "page_errors": self.page_errors, "failed_requests": self.failed_requests,
                "refused_external": self.refused_external, "images": self.images, "words": self.words,
                "seconds": self.seconds,
                "axe_violations": [{key: v[key] for key in ("id", "impact", "help", "helpUrl")}
                                   | {"targets": [n["target"] for n in v["nodes"]]} for v in self.axe_violations]}


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


@pytest.fixture(scope="session")
def html_dir() -> Path:
    if not (HTML_DIR / "index.html").is_file():
        pytest.fail(f"no built book in {HTML_DIR}: run `make book` (or `make test`) first")
    return HTML_DIR


@pytest.fixture(scope="session")
def base_url(html_dir):
    """``http://127.0.0.1:<free port>/`` serving the built book, for the whole session."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(html_dir)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (`make chromium`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def new_context(browser, base_url: str, refused: list[str], viewport: dict = DESKTOP):
    """A browser context that lets through requests to the local server and refuses all others."""
    context = browser.new_context(viewport=viewport)

    def route(route):
        if route.request.url.startswith(base_url):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort("blockedbyclient")

    context.route("**/*", route)
    return context


@pytest.fixture(scope="session")
def visit(browser, base_url):
    """``visit(docname)``: load a page once per session and return its :class:`Visit`."""
    refused: list[str] = []
    context = new_context(browser, base_url, refused)
    axe = Axe()
    visits: dict[str, Visit] = {}
    (ARTEFACTS / "browser").mkdir(parents=True, exist_ok=True)

    def load(docname: str) -> Visit:
        if docname in visits:
            return visits[docname]
        seen = Visit(docname=docname, url=f"{base_url}{docname}.html")
        recording = [True]  # off before axe-core runs: its own stylesheet fetches are not the page's

        def record(target: list, item) -> None:
            if recording[0]:
                target.append(item)

        started = time.perf_counter()
        page = context.new_page()
        page.on("console", lambda m: record(seen.console, {"type": m.type, "text": m.text, "url": m.location.get("url", "")}))
        page.on("pageerror", lambda error: record(seen.page_errors, str(error)))
        page.on("requestfailed", lambda r: record(seen.failed_requests, {"url": r.url, "failure": r.failure}))
        page.on("response", lambda r: r.status >= 400 and record(seen.failed_requests, {"url": r.url, "failure": f"HTTP {r.status}"}))
        refused.clear()
        response = page.goto(seen.url, wait_until="load")
        page.wait_for_load_state("networkidle")
        page.evaluate(MATHJAX_DONE_JS)
        seen.status = response.status if response else None
        seen.images = page.evaluate(IMAGES_JS)
        seen.dom = page.content()
        seen.links = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        seen.ids = set(page.eval_on_selector_all("[id]", "nodes => nodes.map(n => n.id)"))
        seen.visible_text = page.eval_on_selector("article", PROSE_TEXT_JS)
        seen.prose = page.eval_on_selector("article", PARAGRAPHS_JS)
        seen.words = page.eval_on_selector("article", WORD_COUNT_JS)
        seen.output_text = page.eval_on_selector_all("article .cell_output", "outputs => outputs.map(o => o.textContent).join('\\n')")
        seen.refused_external = list(refused)
        recording[0] = False
        loaded = time.perf_counter()
        # axe-core on everything a reader can open: the collapsed code cells are expanded first
        page.eval_on_selector_all("details", "all => all.forEach(d => { d.open = true; })")
        page.evaluate(FINISH_ANIMATIONS_JS)  # myst-nb fades an opened cell in; judge the end state
        seen.axe_violations = axe.run(page).response["violations"]
        seen.seconds = {"load": round(loaded - started, 2), "axe": round(time.perf_counter() - loaded, 2)}
        page.close()
        (ARTEFACTS / "browser" / f"{docname.replace('/', '__')}.json").write_text(json.dumps(seen.summary(), indent=1))
        visits[docname] = seen
        return seen

    yield load
    context.close()


def pytest_terminal_summary(terminalreporter):
    """List the accessibility findings that do not fail (moderate, minor) at the end of the run."""
    report = ARTEFACTS / "accessibility.txt"
    started = getattr(terminalreporter, "_sessionstarttime", None)
    if report.is_file() and (started is None or report.stat().st_mtime >= started):
        terminalreporter.section("axe-core: moderate and minor findings (artefacts/accessibility.txt)")
        for line in report.read_text(encoding="utf-8").splitlines():
            terminalreporter.write_line(line)
