"""The chapters as written: every number their prose places says what carries it, and the notebooks
only call the library.

Issue-level guarantees, checked on the notebooks' sources and on the facts the library computes:

* every ``{glue:text}`` placed in a chapter's prose is one of the chapter's facts, and none is a
  number from the respondent file: those reach the prose only through a reading, whose wording
  the library chooses from the data source;
* on the synthetic build every reading says what the archived file would show instead of stating
  a finding; on an archived build it states the finding and says nothing of synthetic data;
* notebook code cells define no functions or classes and are at most 15 lines; markdown types no
  percentage from the data (numbers come from glue).
"""
import json
import re
import shutil
from functools import lru_cache

import pytest

from book import pages
from social_licence.report.book import Book
from social_licence.report.chapters import PAGES, chapter_module
from social_licence.study.loader import load_survey
from social_licence.study.paths import PROJECT_ROOT, SYNTHETIC_PATH

NOTEBOOK_PAGES = [docname for docname in PAGES if hasattr(chapter_module(PAGES[docname]), "facts")]
#: glue keys every page may place besides its facts (made by Book.glue_facts)
PAGE_KEYS = ("evidence", "level")
TYPED_PERCENT = re.compile(r"(?<![\w`{])\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent)")
#: a quotation from the sources, which keeps its own numbers (and is cited beside it)
QUOTATION = re.compile(r'"[^"]*"|“[^”]*”', re.S)
SYNTHETIC_READING = "The archived survey file would show "


@lru_cache(maxsize=None)
def facts(docname: str, archived: bool = False) -> dict:
    module = chapter_module(PAGES[docname])
    survey = load_survey(archived_copy()) if archived else None
    return {fact.key: fact for fact in module.facts(Book(module.PREFIX, survey=survey))}


@lru_cache(maxsize=1)
def archived_copy():
    """The synthetic file's content outside data/synthetic, which the loader reads as an archived file."""
    folder = PROJECT_ROOT / "artefacts"
    folder.mkdir(exist_ok=True)
    path = folder / "archived-copy-for-tests.csv"
    shutil.copy(SYNTHETIC_PATH, path)
    return path


def placed_keys(docname: str) -> list[str]:
    """Every glue:text key of a page's prose, in both data sources' {only} blocks."""
    path = pages.source_file(docname)
    texts = [cell["source"] for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "markdown"]
    keys = []
    for text in texts:
        text = "".join(text)
        for tag in ("synthetic", "archived"):
            keys += [role.rsplit(":", 1)[0] if ":" in role else role for role in pages._glue_text_roles(text, tag)]
    return list(dict.fromkeys(keys))


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_prose_places_only_facts_and_never_a_file_number(docname):
    known = facts(docname)
    prefix = chapter_module(PAGES[docname]).PREFIX
    for key in placed_keys(docname):
        if key in {f"{prefix}_{name}" for name in PAGE_KEYS}:
            continue
        assert key in known, f"{docname} places {key!r}, which is not one of its facts"
        assert known[key].kind != "file", (f"{docname} places the file number {key!r} in its prose; interpret it "
                                           f"through a reading (Book.reading), whose wording follows the data source")


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_every_published_derived_and_text_fact_is_placed(docname):
    """The page's evidence line counts its facts, so a fact the prose never places would inflate
    the count: every fact but a file number (placed only through its reading, or shown in a
    table) appears in the page's prose."""
    placed = set(placed_keys(docname))
    unplaced = [key for key, fact in facts(docname).items() if fact.kind != "file" and key not in placed]
    assert not unplaced, f"{docname}: facts its prose never places: {unplaced}"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_readings_on_a_synthetic_build_never_state_a_finding(docname):
    for fact in facts(docname).values():
        if fact.kind == "reading":
            assert fact.value.startswith(SYNTHETIC_READING), f"{fact.key}: {fact.value}"
        if fact.kind == "file":
            assert fact.spread is not None and fact.tolerance is not None, f"{fact.key} has no ensemble range"


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_on_an_archived_build_readings_state_findings_and_nothing_says_synthetic(docname):
    for fact in facts(docname, archived=True).values():
        if fact.kind == "reading":
            assert not fact.value.startswith(SYNTHETIC_READING) and "{" not in fact.value, f"{fact.key}: {fact.value}"
        assert "synthetic" not in str(fact.value).lower(), f"{fact.key} mentions synthetic data: {fact.value}"


def test_the_test_catches_a_file_number_placed_in_prose():
    """The check above fails on a page that places a file number directly."""
    known = facts("chapters/uncertainty")
    file_keys = [key for key, fact in known.items() if fact.kind == "file"]
    assert file_keys and all(key not in placed_keys("chapters/uncertainty") for key in file_keys)


NOTEBOOKS = [pages.source_file(docname) for docname in pages.toc_pages() if pages.source_file(docname).suffix == ".ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_a_few_lines_that_call_the_library(path):
    for number, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        assert not re.search(r"^\s*(def|class) ", source, re.M), f"{path.name} cell {number} defines a function"
        assert len(source.splitlines()) <= 15, f"{path.name} cell {number} has {len(source.splitlines())} lines"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_markdown_types_no_percentage(path):
    for number, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "markdown":
            typed = TYPED_PERCENT.findall(QUOTATION.sub("", "".join(cell["source"])))
            assert not typed, f"{path.name} cell {number} types {typed}: glue numbers from the data"


ONLY_BLOCK = re.compile(r"^:::+\{only\}.*?^:::+\s*$", re.M | re.S)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_heading_inside_an_only_block(path):
    """A heading inside ``{only}`` escapes it (MyST makes the section outside the directive), so
    the other data source's build would show it: put the heading outside, the content inside."""
    for number, cell in enumerate(json.loads(path.read_text())["cells"]):
        if cell["cell_type"] == "markdown":
            for block in ONLY_BLOCK.findall("".join(cell["source"])):
                headings = re.findall(r"^#{1,6} .*$", block, re.M)
                assert not headings, f"{path.name} cell {number}: headings inside an {{only}} block: {headings}"
