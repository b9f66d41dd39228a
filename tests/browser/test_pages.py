"""Every page of the table of contents, as a reader's browser shows it.

Pages come from ``_toc.yml`` (root, chapters, references), so a chapter added to the book is tested
without touching this file. Each check names the page and what failed.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from book import pages
from bs4 import BeautifulSoup
from markdown_it import MarkdownIt
from pybtex.database import parse_file
from pybtex.richtext import Text
from social_licence.report.citation import citation_text, load_citation
from social_licence.study.codebook import load_codebook
from social_licence.study.loader import load_survey
from social_licence.study.paths import PROJECT_ROOT

TOC = pages.toc_pages()
ROOT = TOC[0]

#: what MathJax 2's CommonHTML output puts in a typeset formula
MATHJAX_OUTPUT = ".MathJax_CHTML"
#: prose (outside code) that must never reach a reader: unrendered MyST roles and directives and
#: unresolved references
RAW_MARKUP = {
    "unrendered role": re.compile(r"\{(glue|numref|cite|doc|ref|eq|term|download|math)(:[\w-]+)?\}"),
    "unrendered directive": re.compile(r"```|^:::", re.MULTILINE),
    "unresolved reference (??)": re.compile(r"\?\?"),
}
#: prose or cell output that must never reach a reader: missing or NumPy-repr values, matplotlib
#: reprs and Python tracebacks
BAD_VALUES = {
    "NaN": re.compile(r"\b(nan|NaN)\b"),
    "NumPy scalar repr": re.compile(r"np\.(float|int|bool|str)\w*\("),
    "matplotlib figure repr": re.compile(r"<Figure size"),
    "Python traceback": re.compile(r"Traceback \(most recent call last\)"),
}
#: elements that mean docutils, Sphinx or a notebook reported a problem inside the page
PROBLEM_ELEMENTS = {
    ".problematic": "docutils could not resolve markup",
    ".system-message": "docutils system message",
    ".output.traceback, .output.error": "a cell raised an error",
    ".output.stderr": "a cell wrote to stderr",
}


@pytest.fixture(params=TOC)
def page(request, visit):
    return visit(request.param)


def test_page_is_served(page):
    assert page.status == 200, f"{page.url}: HTTP {page.status}"


def test_no_console_errors(page):
    errors = [m for m in page.console if m["type"] == "error"]
    assert not page.page_errors, f"{page.docname}: uncaught errors {page.page_errors}"
    assert not errors, f"{page.docname}: console errors {errors}"


def test_no_failed_requests_to_the_book(page, base_url):
    failed = [r for r in page.failed_requests if r["url"].startswith(base_url)]
    assert not failed, f"{page.docname}: failed requests {failed}"


def test_no_request_to_another_host(page):
    """Everything a page loads is served with the book (MathJax included: _ext/packaged_mathjax.py)."""
    assert not page.refused_external, (f"{page.docname} requests other hosts: {page.refused_external}. "
                                       "Serve the asset from the book.")


def test_every_formula_is_typeset(page):
    """Each formula shows as MathJax's rendering, not as its TeX source (MathJax loaded and ran)."""
    untypeset = [pages.plain(math.get_text())[:80] for math in page.soup.select("article .math")
                 if not math.select_one(MATHJAX_OUTPUT)]
    assert not untypeset, f"{page.docname}: formulas shown as TeX source: {untypeset}"


def test_the_book_has_formulas(visit):
    """The formula check above has something to check (the effective sample size in the
    uncertainty chapter, at the time of writing): without any formula the book needs no MathJax."""
    assert any(visit(docname).soup.select("article .math") for docname in TOC), (
        "no page has a formula: drop _ext/packaged_mathjax.py and mathjax_path from _config.yml")


def test_every_image_loads_and_has_alt_text(page):
    broken = [img["src"] for img in page.images if not (img["complete"] and img["naturalWidth"] > 0)]
    no_alt = [img["src"] for img in page.images if not (img["alt"] or "").strip()]
    assert not broken, f"{page.docname}: images that did not load: {broken}"
    assert not no_alt, f"{page.docname}: images without alt text: {no_alt}"


@lru_cache(maxsize=None)
def ids_in(path: Path) -> frozenset[str]:
    return frozenset(tag["id"] for tag in pages.read_html(path).find_all(id=True))


def test_every_internal_link_and_anchor_resolves(page, base_url, html_dir):
    problems = []
    for href in sorted(set(page.links)):
        if not href.startswith(base_url):
            continue  # other hosts (DOIs) are not reachable here; data: URLs are checked elsewhere
        parts = urlsplit(href)
        relative = unquote(parts.path)[len(urlsplit(base_url).path):] or "index.html"
        target = html_dir / (relative + "index.html" if relative.endswith("/") else relative)
        if not target.is_file():
            problems.append(f"{href}: no file {target.relative_to(html_dir)}")
            continue
        anchor = unquote(parts.fragment)
        if anchor and target.suffix == ".html":
            ids = page.ids if target == pages.html_path(page.docname, html_dir) else ids_in(target)
            if anchor not in ids:
                problems.append(f"{href}: no element with id {anchor!r}")
    assert not problems, f"{page.docname}: broken links:\n" + "\n".join(problems)


def matches(patterns: dict, text: str) -> list[str]:
    return [f"{what}: {match.group(0)!r} in …{text[max(0, match.start() - 60):match.end() + 60]!r}…"
            for what, pattern in patterns.items() for match in pattern.finditer(text)]


def test_no_raw_markup_placeholders_or_tracebacks(page):
    found = matches(RAW_MARKUP, page.visible_text) + matches(BAD_VALUES, page.visible_text + "\n" + page.output_text)
    soup = page.soup
    article = soup.select_one("article")
    found += [f"{why}: {element.get_text(' ', strip=True)[:200]!r}"
              for selector, why in PROBLEM_ELEMENTS.items() for element in article.select(selector)]
    assert not found, f"{page.docname}:\n" + "\n".join(found)


def test_every_glued_text_renders(page):
    glued = pages.glued_text(page.soup, page.docname)
    empty = [g.key for g in glued if not g.shown.strip()]
    assert not empty, f"{page.docname}: glued texts that show nothing: {empty}"


def test_every_table_is_numbered_and_captioned(page):
    problems = [f"table {table.id}: number {table.number!r}, caption {table.caption[:60]!r}"
                for table in pages.tables(page.soup)
                if not re.fullmatch(r"Table S?\d+(\.\d+)*", table.number) or not table.caption]
    assert not problems, f"{page.docname}: tables without a number or caption:\n" + "\n".join(problems)


def test_every_figure_is_numbered_and_captioned(page):
    problems = []
    for figure in page.soup.select("article figure"):
        number = figure.select_one("figcaption .caption-number")
        text = figure.select_one("figcaption .caption-text")
        number = pages.plain(number.get_text()) if number else ""
        if not re.fullmatch(r"Figure \d+(\.\d+)*", number) or not (text and text.get_text(strip=True)):
            problems.append(f"figure {figure.get('id')}: number {number!r}")
        if not figure.find("img"):
            problems.append(f"figure {figure.get('id')}: no image")
    assert not problems, f"{page.docname}: " + "; ".join(problems)


def test_numbers_run_from_one_without_a_gap(visit):
    """Tables, supplementary tables (Table S1, ...) and figures are each numbered 1, 2, 3, ...
    through the book: a table the build's data source lacks (``display.no_table``) takes no number."""
    numbers = {"Table": [], "Table S": [], "Figure": []}
    for docname in TOC:
        soup = visit(docname).soup
        found = [t.number for t in pages.tables(soup)]
        found += [pages.plain(n.get_text()) for n in soup.select("article figure figcaption .caption-number")]
        for number in found:
            kind, value = re.fullmatch(r"(Table S|Table|Figure) ?(\d+)", number).groups()
            numbers[kind].append(int(value))
    for kind, values in numbers.items():
        assert values == list(range(1, len(values) + 1)), f"{kind} numbers in reading order: {values}"


def test_numbers_are_unique_across_the_book(visit):
    """Table N and Figure N each name one table or figure in the whole book."""
    seen: dict[str, str] = {}
    repeated = []
    for docname in TOC:
        soup = visit(docname).soup
        numbers = [t.number for t in pages.tables(soup)]
        numbers += [pages.plain(n.get_text()) for n in soup.select("article figure figcaption .caption-number")]
        for number in numbers:
            if number in seen:
                repeated.append(f"{number} in {seen[number]} and {docname}")
            seen[number] = docname
    assert not repeated, "numbers used twice: " + "; ".join(repeated)


def test_landing_page_names_the_data_source(visit):
    """The landing page's notice says which respondent file the build used: a synthetic build
    says so in its title; an archived build names the file and its label, and says nothing of
    synthetic data."""
    source = load_survey().source
    notices = [notice for notice in pages.notices(visit(ROOT).soup) if notice.startswith("Data source:")]
    assert len(notices) == 1, f"{ROOT}: expected one data-source notice, found {notices}"
    if source.kind == "synthetic":
        assert notices[0].startswith("Data source: synthetic") and "synthetic respondent file" in notices[0], notices[0]
    else:
        assert "synthetic" not in notices[0].lower(), notices[0]
        assert pages.plain(source.label) in notices[0] and source.shown_path in notices[0], notices[0]


def test_landing_page_shows_the_citation_built_from_citation_cff(visit):
    """Every paragraph and list item of the citation text (``{glue:md}``, CommonMark) is on the page."""
    expected = BeautifulSoup(MarkdownIt("commonmark").render(citation_text(load_citation())), "html.parser")
    shown = pages.plain(visit(ROOT).soup.select_one("article").get_text())
    missing = [text for text in (pages.plain(block.get_text()) for block in expected.select("p, li"))
               if text not in shown]
    assert not missing, f"{ROOT}: citation text from CITATION.cff not shown: {missing}"


def test_every_reference_shows_what_was_checked(visit):
    """Each entry of references.bib notes what it was checked against; the references page shows
    every note (a chapter in a book included: _ext/bibliography.py)."""
    entries = parse_file(PROJECT_ROOT / "references.bib").entries
    shown = pages.plain(visit("references").soup.select_one("article").get_text())
    unnoted = [key for key, entry in entries.items() if "note" not in entry.fields]
    missing = [key for key, entry in entries.items() if "note" in entry.fields
               and pages.plain(Text.from_latex(entry.fields["note"]).render_as("text")) not in shown]
    assert not unnoted, f"references.bib entries without a note of what was checked: {unnoted}"
    assert not missing, f"references.bib notes not shown on the references page: {missing}"

#: most words a reader may see on a page (article text, tables and captions included), and in the
#: whole book: the limits of the issue that halved the book; evidence beyond them is in downloads
WORD_LIMITS = {"chapters/uncertainty": 3500, "chapters/appendix": 2000}
BOOK_WORD_LIMIT = 15000


@pytest.mark.parametrize("docname", WORD_LIMITS)
def test_page_is_within_its_word_limit(docname, visit):
    words = visit(docname).words
    assert 0 < words <= WORD_LIMITS[docname], f"{docname}: {words} visible words (limit {WORD_LIMITS[docname]})"


def test_book_is_within_its_word_limit(visit):
    words = {docname: visit(docname).words for docname in TOC}
    assert sum(words.values()) <= BOOK_WORD_LIMIT, f"{sum(words.values())} visible words (limit {BOOK_WORD_LIMIT}): {words}"
    assert all(words.values()), f"pages with no visible words: {[d for d, n in words.items() if not n]}"


#: the most words a table or figure caption may run to (the rest belongs in a note or the glossary)
CAPTION_WORDS = 60


def test_captions_are_short(visit):
    long = {}
    for docname in TOC:
        soup = visit(docname).soup
        captions = [(t.id, t.caption) for t in pages.tables(soup)]
        captions += [(f.get("id"), pages.plain(f.select_one("figcaption .caption-text").get_text(" ")))
                     for f in soup.select("article figure") if f.select_one("figcaption .caption-text")]
        long.update({f"{docname} {name}": len(text.split()) for name, text in captions
                     if len(text.split()) > CAPTION_WORDS})
    assert not long, f"captions over {CAPTION_WORDS} words: {long}"


#: pages about what parents think, where the book's own method must stay in the background
SUBSTANTIVE = ["intro", "chapters/early_intervention", "chapters/social_licence", "chapters/transparency",
               "chapters/social_divisions", "chapters/conclusions"]
#: the most the book's own method may take of a substantive page's visible prose (words)
METHOD_SHARE = 0.25
#: a sentence about the book's own method, evidence classes, intervals, verdicts or files: any of
#: these words marks it (a sentence with a finding and a method clause counts whole)
METHOD_WORDS = re.compile(
    r"(?<!regular )interval|design effect|adjust|Holm|Benjamini|\bp\s*[=<]|p-value|derived|verdict|synthetic|"
    r"respondent file|this book|the book\b|rounding|standard error|significan|contrast|"
    r"famil(y|ies) of (comparisons|contrasts)|pattern test|Korn|Clopper|Kish|effective sample|ensemble|generator|"
    r"assum|parameter|estimat|confidence|margin of error|(is|are) open\b|\bfragile\b(?! Families)|\btest", re.I)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")


def method_share(prose: str) -> tuple[float, int]:
    """(share of the words in sentences about method, words) of a page's visible prose."""
    sentences = [s for s in SENTENCE_END.split(prose) if s.strip()]
    words = [len(s.split()) for s in sentences]
    method = sum(n for sentence, n in zip(sentences, words) if METHOD_WORDS.search(sentence))
    return method / max(1, sum(words)), sum(words)


def test_the_method_share_counts_method_sentences():
    share, words = method_share("Parents accept the reasons. The derived interval at a design effect of 2 is wide.")
    assert words == 15 and share == 11 / 15


@pytest.mark.parametrize("docname", SUBSTANTIVE)
def test_the_book_s_method_is_at_most_a_quarter_of_a_substantive_page(docname, visit):
    share, words = method_share(visit(docname).prose)
    assert words > 200, f"{docname}: only {words} words of prose found"
    assert share <= METHOD_SHARE, f"{docname}: {share:.0%} of {words} words of prose are about method"


def test_results_tables_label_each_row_by_its_counted_answer(visit):
    """Every question in a results table names the answer its figures count ("Disagree: linked
    records give factual, unbiased information"), and so does every CSV listing of figures."""
    codebook = load_codebook()
    labels = {codebook.counted_label(key) for key in codebook.items}
    bare = {codebook.items[key].label for key in codebook.items}
    problems, checked = [], 0
    for docname in TOC:
        soup = visit(docname).soup
        for table in pages.tables(soup):
            names = [row[0] for row in table.rows] if table.header[:1] == ["Question"] else table.header[1:]
            for name in names:
                checked += name in labels
                if name in bare:
                    problems.append(f"{docname} {table.id}: {name!r} does not say which answer was counted")
        for file, download in pages.csv_downloads(soup).items():
            if "item_label" in download:
                problems += [f"{docname} {file}: {name!r}" for name in download["item_label"] if name not in labels]
    assert checked > 50 and not problems, "\n".join(problems)


#: terms and symbols a page may use, each with the glossary entry that must define it
GLOSSARY = {
    r"\bHolm": "Holm's adjustment", r"Benjamini": "Benjamini-Hochberg adjustment", r"\bp-value|\bp [=<]": "p-value",
    r"\bcontrast": "contrast", r"Clopper": "Clopper-Pearson interval", r"Korn": "Korn-Graubard interval",
    r"linearisation": "Taylor linearisation", r"Rao[- ]Scott|Rao and Scott": "Rao-Scott test",
    r"\bKish": "Kish's design effect", r"design effect": "design effect", r"\binterval": "confidence interval",
    r"‡|†": "fragile verdict", r"\bpattern": "pattern test", r"effective sample": "effective sample size",
    r"\bconsensus": "consensus",
}


def test_the_glossary_defines_every_term_and_symbol_the_pages_use(visit):
    soup = visit("chapters/glossary").soup
    defined = {pages.plain(dt.get_text(" ")).split(" (")[0] for dt in soup.select("article dt")}
    missing = {}
    for docname in TOC:
        text = visit(docname).prose
        for pattern, term in GLOSSARY.items():
            if re.search(pattern, text) and term not in defined:
                missing.setdefault(term, docname)
    assert not missing, f"terms used but not in the glossary (term: first page): {missing}"


def test_every_symbol_has_one_meaning(visit):
    """Each table mark is defined once in the glossary: no symbol means two things."""
    soup = visit("chapters/glossary").soup
    marks = []
    for dt in soup.select("article dt"):
        found = re.search(r"\(([^)]*)\)$", pages.plain(dt.get_text(" ")))
        if found:
            marks += [m.strip() for m in found.group(1).split(",")]
    repeated = sorted({m for m in marks if marks.count(m) > 1})
    assert marks and not repeated, f"marks with two meanings: {repeated}"
