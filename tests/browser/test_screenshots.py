"""Screenshots of every page at desktop and phone widths, and no page that scrolls sideways.

Written to ``artefacts/screenshots/`` (not committed) for a person to look at: the first screen and
the full page of each page of ``_toc.yml``. At either width no page may scroll sideways: a table
wider than the content column scrolls inside its own container, never the page.
"""
from __future__ import annotations

import pytest
from book import pages

from browser.conftest import ARTEFACTS, DESKTOP, PHONE, new_context

TOC = pages.toc_pages()
SIZES = {"desktop": DESKTOP, "phone": PHONE}
SCREENSHOTS = ARTEFACTS / "screenshots"


@pytest.mark.parametrize("size", SIZES)
def test_screenshots_without_sideways_scrolling(size, browser, base_url):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = new_context(browser, base_url, [], viewport=SIZES[size])
    too_wide = {}
    try:
        for docname in TOC:
            page = context.new_page()
            page.goto(f"{base_url}{docname}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            name = docname.replace("/", "__")
            page.screenshot(path=SCREENSHOTS / f"{name}-{size}.png")
            page.screenshot(path=SCREENSHOTS / f"{name}-{size}-full.png", full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > SIZES[size]["width"]:
                too_wide[docname] = width
            page.close()
    finally:
        context.close()
    assert not too_wide, f"pages that scroll sideways at {size} width ({SIZES[size]['width']}px): {too_wide}"
