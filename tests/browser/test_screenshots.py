"""Screenshots of the landing page and the first analysis chapter, at desktop and phone widths.

Written to ``artefacts/screenshots/`` (not committed) for a person to look at. The test also
checks what a screenshot would show badly: at either width the page must not scroll sideways (wide
tables scroll inside their own container).
"""
from __future__ import annotations

import pytest
from book import pages

from browser.conftest import ARTEFACTS, DESKTOP, PHONE, new_context

TOC = pages.toc_pages()
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SCREENSHOTS = ARTEFACTS / "screenshots"


def analysis_chapter(html_dir) -> str:
    """The first page after the root that has both a numbered table and a figure."""
    for docname in TOC[1:]:
        soup = pages.read_html(pages.html_path(docname, html_dir))
        if pages.tables(soup) and soup.select("article figure img"):
            return docname
    pytest.fail("no chapter has both a table and a figure yet")


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_without_sideways_scrolling(size, browser, base_url, html_dir):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, base_url, [], viewport=SIZES[size])
    try:
        for docname in (TOC[0], analysis_chapter(html_dir)):
            page = context.new_page()
            page.goto(f"{base_url}{docname}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            name = docname.replace("/", "__")
            page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png")
            page.screenshot(path=SCREENSHOTS / f"{name}-{size}-full.png", full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= SIZES[size]["width"], f"{docname} at {size} width scrolls sideways ({width}px wide)"
            page.close()
    finally:
        context.close()
