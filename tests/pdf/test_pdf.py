"""The PDF edition as a reader gets it: its text, bookmarks, contents, page numbers and layout.

What the PDF must contain comes from the book's sources and from the HTML edition it was printed
beside, so these checks follow the chapters as they change: the chapters are the pages of
``_toc.yml``, with their titles and section titles as the built pages show them; every paragraph
with a glued number, every numbered table and figure caption and every bibliography entry of the
HTML edition must be in the PDF's text (``pdftotext``); and every glued text of the pages must be
the value its notebook computed for the key (``pages.notebook_values``, as the browser tests
check), in its sentence in the PDF. Supplementary tables (from a synthetic file, "Table S1", ...)
are left out of the PDF: nothing in them is evidence about parents. Running text is compared without white space (:func:`squeezed`): the PDF's text has
spaces where the page has padding (around inline code, say) and line breaks where it has spaces.
"""
from __future__ import annotations

import re

import pytest
import yaml
from book import pages
from bs4 import BeautifulSoup
from book.pages import plain
from social_licence.report.citation import load_citation
from social_licence.study.loader import load_survey
from social_licence.study.paths import PROJECT_ROOT

from pdf.conftest import BUILD

TOC = pages.toc_pages()
#: how far (points) a word may reach past the mirror image of the left margin: rounding of glyph boxes
MARGIN_TOLERANCE = 1.5


def shown_text(element) -> str:
    """An element's text as printed: without "#" permalinks, inline elements run together as a
    browser runs them."""
    copy = BeautifulSoup(str(element), "html.parser")
    for hidden in copy.select(".headerlink"):
        hidden.extract()
    return plain(copy.get_text())


def squeezed(text: str) -> str:
    """Text as running text is compared: straight quotes (:func:`pages.plain`), no white space."""
    return re.sub(r"\s+", "", plain(text))


def chapter_title(soup) -> str:
    return shown_text(soup.select_one("article h1"))


def section_titles(soup) -> list[str]:
    return [shown_text(heading) for heading in soup.select("article h2")]


@pytest.fixture(scope="module")
def text(pdf) -> str:
    """The whole PDF's text, squeezed."""
    return squeezed("\n".join(pdf.pages))


@pytest.fixture(scope="module")
def chapter_text(pdf):
    """``chapter_text(docname)``: the text of the pages from that chapter's first page to the next
    chapter's, squeezed (the chapters' bookmarks follow the contents' one, in ``_toc.yml``'s order)."""
    starts = [mark.page for mark in pdf.bookmarks[1:]] + [len(pdf.pages) + 1]
    assert len(starts) == len(TOC) + 1, "one bookmark per chapter expected (see the bookmarks test)"
    return lambda docname: squeezed("\n".join(pdf.pages[starts[TOC.index(docname)] - 1:starts[TOC.index(docname) + 1] - 1]))


def glued_blocks(soup, docname: str) -> list[tuple[pages.Glued, object]]:
    """Each glued text of a page with the paragraph or list item it sits in."""
    spans = pages._article(soup).select("span.pasted-text")
    blocks = [span.find_parent(["p", "li", "dt", "dd"]) for span in spans]
    return list(zip(pages.glued_text(soup, docname), blocks))


def test_the_served_copy_is_the_built_pdf(pdf_path):
    served = BUILD / "html" / pdf_path.name
    assert served.is_file(), f"the HTML edition does not serve the PDF: no {served}"
    assert served.read_bytes() == pdf_path.read_bytes(), f"{served} is not the PDF in {pdf_path.parent}"


def test_the_title_page_names_the_book_its_version_and_its_data_source(pdf):
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert pdf.info["Title"] == config["title"]
    first = plain(pdf.pages[0])
    expected = [*config["title"].split(": "), config["author"], f"Version {load_citation()['version']}",
                f"Data: {load_survey().source.label}"]
    missing = [plain(part) for part in expected if plain(part) not in first]
    assert not missing, f"the title page does not show {missing}: {first[:300]!r}"


def test_the_bookmarks_are_the_contents_then_each_chapter_with_its_sections(pdf, html_pages):
    expected = [("Contents", [])] + [(chapter_title(soup), section_titles(soup)) for soup in html_pages.values()]
    shown = [(plain(mark.title), [plain(child.title) for child in mark.children]) for mark in pdf.bookmarks]
    assert shown == expected


def test_every_chapter_starts_a_page_in_reading_order(pdf):
    starts = [mark.page for mark in pdf.bookmarks[1:]]
    assert starts == sorted(set(starts)), f"chapters' first pages {starts}"
    wrong = [(mark.title, mark.page) for mark in pdf.bookmarks[1:]
             if not plain(pdf.pages[mark.page - 1]).startswith(plain(mark.title))]
    assert not wrong, f"chapters that do not open their page: {wrong}"


def test_the_contents_give_the_page_of_every_chapter_and_section(pdf):
    contents = plain("\n".join(pdf.pages[pdf.bookmarks[0].page - 1:pdf.bookmarks[1].page - 1]))
    entries = [mark for chapter in pdf.bookmarks[1:] for mark in (chapter, *chapter.children)]
    wrong = [f"{plain(mark.title)} {mark.page}" for mark in entries if f"{plain(mark.title)} {mark.page}" not in contents]
    assert not wrong, f"contents entries missing or with the wrong page: {wrong}"


def bottom_lines(pdf) -> list[tuple[str, float]]:
    """The lowest line of each page: its text and how far its middle is from the page's middle."""
    lines = []
    for number in range(1, len(pdf.pages) + 1):
        words = [word for word in pdf.words if word.page == number]
        lowest = max(word.y_min for word in words)
        line = [word for word in words if word.y_min > lowest - 1]
        middle = (min(word.x_min for word in line) + max(word.x_max for word in line)) / 2
        lines.append((" ".join(word.text for word in line), abs(middle - pdf.page_width / 2)))
    return lines


def test_every_page_but_the_title_page_shows_its_number_at_the_foot(pdf):
    lines = bottom_lines(pdf)
    wrong = [(number, text) for number, (text, off_centre) in enumerate(lines[1:], 2)
             if text != str(number) or off_centre > 3]
    assert not wrong, f"pages whose lowest line is not their number, centred: {wrong[:10]}"
    assert lines[0][0] != "1", "the title page shows a page number"


def test_nothing_reaches_into_the_right_margin(pdf):
    """Tables (and everything else) fit the page: no word lies further right than the left margin
    is wide (the page's margins are equal), so none is cut off or runs into the margin."""
    left = min(word.x_min for word in pdf.words)
    limit = pdf.page_width - left + MARGIN_TOLERANCE
    over = [(word.page, word.text, round(word.x_max - limit, 1)) for word in pdf.words if word.x_max > limit]
    assert not over, f"words past the right margin (page, word, points over): {over[:20]}"


@pytest.mark.parametrize("docname", TOC)
def test_every_table_and_figure_is_in_the_pdf_with_its_number_and_caption(docname, html_pages, chapter_text):
    soup = html_pages[docname]
    captions = [f"{table.number} {table.caption}" for table in pages.tables(soup) if not table.number.startswith("Table S")]
    captions += [shown_text(caption) for caption in soup.select("article figure figcaption")]
    shown = chapter_text(docname)
    missing = [caption[:120] for caption in captions if squeezed(caption) not in shown]
    assert not missing, f"{docname}: numbered captions missing from the PDF: {missing}"


@pytest.mark.parametrize("docname", TOC)
def test_every_paragraph_with_a_glued_number_is_in_the_pdf(docname, html_pages, chapter_text):
    """The PDF shows every glued number of the HTML edition in its sentence (paragraphs with a
    formula aside: the PDF's text of a typeset formula is its glyphs, not its TeX)."""
    shown = chapter_text(docname)
    blocks = {shown_text(block) for _, block in glued_blocks(html_pages[docname], docname)
              if block is not None and not block.select(".math")}
    missing = [block[:160] for block in sorted(blocks) if squeezed(block) not in shown]
    assert not missing, f"{docname}: paragraphs with glued numbers missing from the PDF: {missing}"


@pytest.mark.parametrize("docname", TOC)
def test_glued_numbers_in_the_pdf_are_the_library_s(docname, html_pages, chapter_text):
    values = pages.notebook_values(docname)
    shown = chapter_text(docname)
    problems = []
    for glued, block in glued_blocks(html_pages[docname], docname):
        expected = pages.format_glued(values[glued.key], glued.spec) if glued.key in values else None
        if expected is None or plain(glued.shown) != plain(expected):
            problems.append(f"{glued.key}: shows {glued.shown!r}; the notebook computed {expected!r}")
        elif squeezed(shown_text(block)) not in shown:
            problems.append(f"{glued.key}: its sentence is not in the PDF")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


def test_the_bibliography_lists_every_entry(html_pages, text):
    entries = [shown_text(entry.select_one("p")) for soup in html_pages.values() for entry in soup.select("article .citation")]
    assert entries, "the HTML edition has no bibliography entries"
    missing = [entry[:100] for entry in entries if squeezed(entry) not in text]
    assert not missing, f"bibliography entries missing from the PDF: {missing}"


def test_no_tex_source_collapsed_code_or_download_link_is_printed(html_pages, text):
    """Formulas are typeset (their TeX is not in the text), and what the HTML edition shows only
    on request (code cells) or only on screen (CSV downloads) is left out."""
    formulas = [plain(math.get_text()) for soup in html_pages.values() for math in soup.select("article .math")]
    downloads = [link["download"] for soup in html_pages.values() for link in soup.select("article a[download]")]
    prompts = ["Show the code", "Hide the code"]
    printed = [item for item in formulas + downloads + prompts if squeezed(item) in text]
    assert not printed, f"in the PDF's text: {printed}"


def test_supplementary_tables_are_left_out(html_pages, text):
    """Tables from a synthetic file (numbered "Table S1", ...) are not printed: the PDF's main text
    holds only evidence; the HTML edition keeps them, collapsed."""
    supplementary = [f"{table.number} {table.caption}" for soup in html_pages.values() for table in pages.tables(soup)
                     if table.number.startswith("Table S")]
    printed = [caption[:80] for caption in supplementary if squeezed(caption) in text]
    assert not printed, f"supplementary tables in the PDF: {printed}"
