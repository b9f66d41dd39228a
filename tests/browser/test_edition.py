"""The edition built under a parameters file, as a reader's browser shows it: every page that
computes says, in its first screen, which assumptions differ from the default edition.

``make test`` builds the edition of ``params/deff-3.yml`` beside the default one
(``_build/editions/deff-3/``); ``tests/editions`` checks its numbers, this test what a reader sees.
"""
from __future__ import annotations

import functools
import http.server
import sys
import threading
from pathlib import Path

import nbformat
import pytest
from social_licence.analysis.assumptions import Assumptions, load_parameters
from social_licence.report.notices import differences_text
from social_licence.study.paths import PROJECT_ROOT

from browser.conftest import DESKTOP, QuietHandler, new_context

sys.path.insert(0, str(PROJECT_ROOT / "_ext"))
import edition  # noqa: E402 - a build script of _ext/, as the Makefile runs it

PARAMS = Path("params/deff-3.yml")
HTML = edition.edition_folder(PARAMS) / "_build" / "html"
NOTICE = "Built under other assumptions"


def computing_pages() -> list[str]:
    sources = [s for s in edition.toc_sources(PROJECT_ROOT / "_toc.yml") if s.suffix == ".ipynb"]
    return [s.with_suffix("").as_posix() for s in sources
            if any("parameters" in c.metadata.get("tags", []) for c in nbformat.read(PROJECT_ROOT / s, 4).cells)]


@pytest.fixture(scope="module")
def edition_url():
    if not (HTML / "index.html").is_file():
        pytest.fail(f"no edition in {HTML}: run `make book PARAMS={PARAMS}` (or `make test`) first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(HTML)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_every_computing_page_shows_the_assumptions_notice_in_its_first_screen(browser, edition_url):
    expected = differences_text(Assumptions(**load_parameters(PROJECT_ROOT / PARAMS)))
    context = new_context(browser, edition_url, [], viewport=DESKTOP)
    problems = []
    try:
        for docname in computing_pages():
            page = context.new_page()
            page.goto(f"{edition_url}{docname}.html", wait_until="load")
            notice = page.locator(".admonition", has_text=NOTICE).first
            if not notice.count() or not notice.is_visible():
                problems.append(f"{docname}: no visible notice")
            else:
                box = notice.bounding_box()
                text = " ".join(notice.inner_text().split())
                if expected not in text:
                    problems.append(f"{docname}: notice {text!r} does not name {expected!r}")
                if box["y"] > DESKTOP["height"]:
                    problems.append(f"{docname}: the notice starts below the first screen ({box['y']:.0f}px)")
            page.close()
    finally:
        context.close()
    assert not problems, "\n".join(problems)
