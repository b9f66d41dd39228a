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


#: JavaScript run in the page: where the page's answer sits: the first paragraph of the article
#: that opens in bold (and, on the landing page, the list of findings after it), and whether any
#: prose comes before it (the title and the data-source notice aside)
ANSWER_JS = """(article, withList) => {
  const paragraphs = Array.from(article.querySelectorAll("p"))
    .filter(p => !p.closest(".admonition, table, figure, details, .cell_output"));
  const answer = paragraphs.find(p => p.firstElementChild && p.firstElementChild.tagName === "STRONG"
    && p.textContent.trim().startsWith(p.firstElementChild.textContent.trim()));
  if (!answer) return null;
  let last = answer;
  const next = answer.nextElementSibling;
  if (withList && next && next.tagName === "UL") last = next;
  const before = paragraphs.slice(0, paragraphs.indexOf(answer)).map(p => p.textContent.trim()).filter(Boolean);
  return {top: answer.getBoundingClientRect().top, bottom: last.getBoundingClientRect().bottom, before: before};
}"""
#: pages that open with their answer: the landing page, in full at both widths; the substantive
#: chapters, their answer paragraph on the first desktop screen (on a phone the notice comes first)
ANSWER_FIRST = {"intro": ("desktop", "phone"), "chapters/early_intervention": ("desktop",),
                "chapters/social_licence": ("desktop",), "chapters/transparency": ("desktop",),
                "chapters/social_divisions": ("desktop",), "chapters/conclusions": ("desktop",)}


@pytest.mark.parametrize("size", SIZES)
def test_the_answer_comes_first_and_fits_the_first_screen(size, browser, base_url):
    context = new_context(browser, base_url, [], viewport=SIZES[size])
    problems = []
    try:
        for docname, sizes in ANSWER_FIRST.items():
            if size not in sizes:
                continue
            page = context.new_page()
            page.goto(f"{base_url}{docname}.html", wait_until="load")
            page.wait_for_load_state("networkidle")
            answer = page.eval_on_selector("article", ANSWER_JS, docname == "intro")
            if answer is None:
                problems.append(f"{docname}: no answer in bold at the top")
            elif answer["before"]:
                problems.append(f"{docname}: prose before the answer: {answer['before'][0][:80]!r}")
            elif answer["bottom"] > SIZES[size]["height"]:
                problems.append(f"{docname}: the answer ends at {answer['bottom']:.0f}px, below the first screen")
            page.close()
    finally:
        context.close()
    assert not problems, f"at {size} width:\n" + "\n".join(problems)
