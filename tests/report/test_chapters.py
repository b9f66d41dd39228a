"""The chapters as written: their analysis in their cells, a parameters cell that changes their
numbers, and prose that places only the facts those cells computed.

Issue-level guarantees, checked on the notebooks' sources, their committed outputs (nbval checks
that those equal a fresh run) and fresh runs under changed parameters:

* every page opens its code with one ``parameters`` cell (papermill's convention) that sets every
  assumption of :class:`social_licence.analysis.assumptions.Assumptions` to its default;
* the analysis cells are hidden behind a toggle, not removed, start with a comment saying what
  they compute, hold at most 15 lines and define nothing; only layout plumbing is removed;
* every ``{glue:text}`` placed in a page's prose is one of the facts its cells glued, and none is
  a number from the respondent file (those reach the prose only through a reading, worded by the
  data source); every published, derived and text fact is placed;
* re-running a chapter with one assumption changed (papermill) changes its numbers to what the
  library computes under that assumption, and leaves the committed notebook untouched (the other
  analysis chapters are re-run under another design-effect range by the edition that ``make test``
  builds: ``tests/editions``).
"""
from __future__ import annotations

import ast
import contextlib
import hashlib
import json
import re
from functools import lru_cache

import nbformat
import papermill
import pytest

from book import pages
from social_licence.analysis import derived, release
from social_licence.analysis.assumptions import Assumptions, PARAMETERS
from social_licence.analysis.evidence import load_evidence
from social_licence.report.page import PAGES
from social_licence.study.fidelity import fidelity_table
from social_licence.study.paths import PROJECT_ROOT

NOTEBOOKS = {docname: pages.source_file(docname) for docname in pages.toc_pages()
             if pages.source_file(docname).suffix == ".ipynb"}
TYPED_PERCENT = re.compile(r"(?<![\w`{])\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent)")
#: a quotation from the sources, which keeps its own numbers (and is cited beside it)
QUOTATION = re.compile(r'"[^"]*"|“[^”]*”', re.S)
SYNTHETIC_READING = "The archived survey file would show "
#: glue keys every page places besides its facts (made by Page.finish and open_page)
PAGE_KEYS = ("evidence", "level", "source_notice", "assumptions_notice")


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def tags(cell) -> set[str]:
    return set(cell.metadata.get("tags", []))


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_the_first_code_cell_holds_every_assumption_at_its_default(docname):
    first = code_cells(NOTEBOOKS[docname])[0]
    assert "parameters" in tags(first), f"{docname}: the first code cell is not tagged 'parameters'"
    assigned = {node.targets[0].id: ast.literal_eval(node.value) for node in ast.parse(first.source).body
                if isinstance(node, ast.Assign)}
    assert list(assigned) == list(PARAMETERS), f"{docname}: parameters {list(assigned)} (expected {PARAMETERS})"
    default = Assumptions().as_dict()
    for name, value in assigned.items():
        assert (list(value) if isinstance(value, tuple) else value) == default[name], \
            f"{docname}: parameter {name} = {value!r}, but the book's default is {default[name]!r}"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_code_cells_are_short_commented_library_calls_shown_behind_a_toggle(docname):
    for number, code in enumerate(code_cells(NOTEBOOKS[docname])):
        source = code.source
        where = f"{docname} code cell {number}"
        assert not re.search(r"^\s*(def|class|lambda) ", source, re.M), f"{where} defines a function"
        assert len(source.splitlines()) <= 15, f"{where} has {len(source.splitlines())} lines"
        assert tags(code) & {"hide-input", "remove-input"}, f"{where} shows its code on the page"
        calls = re.search(r"\b(derived|contrasts|estimate_figures|consensus_verdicts|fidelity_table|file_numbers|"
                          r"load_evidence)\b", source)
        if calls:
            assert "hide-input" in tags(code), f"{where} computes but is removed: hide it behind the toggle"
            assert source.lstrip().startswith("#"), f"{where} does not start with a comment saying what it computes"


@lru_cache(maxsize=None)
def record(docname: str) -> dict:
    """The committed notebook's record of its numbers (glued by Page.finish)."""
    prefix = pages.page_prefix(docname)
    return pages.notebook_record(NOTEBOOKS[docname], prefix)


def facts(docname: str) -> dict[str, dict]:
    return {r["key"]: r for r in record(docname)["records"] if r["kind"] == "value"}


def placed_keys(docname: str) -> list[str]:
    """Every glue:text key of a page's prose, in both data sources' {only} blocks."""
    keys = []
    for text in (c.source for c in nbformat.read(NOTEBOOKS[docname], as_version=4).cells if c.cell_type == "markdown"):
        for tag in ("synthetic", "archived"):
            keys += [role.rsplit(":", 1)[0] if ":" in role else role for role in pages._glue_text_roles(text, tag)]
    return list(dict.fromkeys(keys))


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_prose_places_only_facts_and_never_a_file_number(docname):
    known = facts(docname)
    prefix = pages.page_prefix(docname)
    for key in placed_keys(docname):
        if key in {f"{prefix}_{name}" for name in PAGE_KEYS}:
            continue
        assert key in known, f"{docname} places {key!r}, which is not one of the facts its cells glued"
        assert known[key]["evidence"] != "file", (f"{docname} places the file number {key!r} in its prose; "
                                                  "interpret it through a reading (Page.reading)")


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_every_published_derived_and_text_fact_is_placed(docname):
    """The page's evidence line counts its facts, so a fact the prose never places would inflate the
    count: every fact but a file number (placed only through its reading) appears in the prose."""
    placed = set(placed_keys(docname))
    unplaced = [key for key, fact in facts(docname).items()
                if fact["evidence"] in ("published", "derived", "text", "reading") and key not in placed]
    assert not unplaced, f"{docname}: facts its prose never places: {unplaced}"


@pytest.mark.parametrize("docname", NOTEBOOKS)
def test_readings_on_a_synthetic_build_never_state_a_finding(docname):
    for key, fact in facts(docname).items():
        if fact["evidence"] == "reading":
            assert fact["text"].startswith(SYNTHETIC_READING), f"{key}: {fact['text']}"


def test_the_test_catches_a_file_number_placed_in_prose():
    """The check above fails on a page that places a file number directly."""
    file_keys = [key for key, fact in facts("chapters/uncertainty").items() if fact["evidence"] == "file"]
    assert file_keys and all(key not in placed_keys("chapters/uncertainty") for key in file_keys)


@pytest.mark.parametrize("path", NOTEBOOKS.values(), ids=lambda p: p.stem)
def test_markdown_types_no_percentage(path):
    for number, cell_ in enumerate(nbformat.read(path, as_version=4).cells):
        if cell_.cell_type == "markdown":
            typed = TYPED_PERCENT.findall(QUOTATION.sub("", cell_.source))
            assert not typed, f"{path.name} cell {number} types {typed}: glue numbers from the data"


ONLY_BLOCK = re.compile(r"^:::+\{only\}.*?^:::+\s*$", re.M | re.S)


@pytest.mark.parametrize("path", NOTEBOOKS.values(), ids=lambda p: p.stem)
def test_no_heading_inside_an_only_block(path):
    """A heading inside ``{only}`` escapes it (MyST makes the section outside the directive), so
    the other data source's build would show it: put the heading outside, the content inside."""
    for number, cell_ in enumerate(nbformat.read(path, as_version=4).cells):
        if cell_.cell_type == "markdown":
            for block in ONLY_BLOCK.findall(cell_.source):
                headings = re.findall(r"^#{1,6} .*$", block, re.M)
                assert not headings, f"{path.name} cell {number}: headings inside an {{only}} block: {headings}"


def test_every_page_of_the_book_has_its_presentation_module():
    assert set(NOTEBOOKS) == set(PAGES), "report.page.PAGES must list every notebook page of _toc.yml"


# --- a changed parameter changes the chapter -------------------------------------------------------

#: chapters re-run here under an assumption the edition built by ``make test`` (design effects 1 to 3,
#: ``tests/editions``) leaves alone: the appendix's numbers come from the file and the Black group's
#: reading is not a design effect
CHANGED = {
    "chapters/social_licence": {"black_group": "minority ethnic"},
    "chapters/appendix": {"dont_know_in_base": True},
}


def _run(docname: str, folder) -> tuple[dict, dict]:
    """Execute a chapter with its changed parameter (papermill) in ``folder``; return its glued
    values and its record, and check that the committed notebook is untouched."""
    source = NOTEBOOKS[docname]
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    output = folder / f"{docname.replace('/', '_')}.ipynb"
    papermill.execute_notebook(str(source), str(output), parameters=CHANGED[docname], progress_bar=False,
                               kernel_name="python3")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, f"{source.name} was modified by the run"
    prefix = pages.page_prefix(docname)
    return pages.glued_outputs(output), pages.notebook_record(output, prefix)


@pytest.fixture(scope="module")
def reruns(tmp_path_factory):
    """The chapters of :data:`CHANGED` re-run under their changed assumption, one after the other
    (kernels started from two threads of one process can be handed the same port), from
    ``chapters/`` as the book runs them."""
    folder = tmp_path_factory.mktemp("reruns")
    with contextlib.chdir(PROJECT_ROOT / "chapters"):
        return {docname: _run(docname, folder) for docname in CHANGED}


def changed(**values) -> Assumptions:
    return Assumptions.from_dict(values)


def test_rerun_records_the_parameters_in_force(reruns):
    for docname, (_, run_record) in reruns.items():
        parameters = run_record["parameters"]
        for name, value in CHANGED[docname].items():
            assert parameters[name] == value, f"{docname}: record says {name}={parameters[name]!r}"


def test_social_licence_under_the_other_reading_of_the_black_group(reruns):
    values, _ = reruns["chapters/social_licence"]
    evidence = load_evidence(changed(black_group="minority ethnic"))
    minority = derived.group_sizes(evidence.published, evidence.codebook, black_group="minority ethnic")
    whole = derived.group_sizes(evidence.published, evidence.codebook)
    assert values["sl_black_n"] == int(minority.set_index("group").loc["black", "size"])
    assert values["sl_black_alt_n"] == int(whole.set_index("group").loc["black", "size"])
    assert values["sl_black_used"] == "a share of the minority ethnic"


def test_appendix_with_don_t_know_in_the_base(reruns):
    values, _ = reruns["chapters/appendix"]
    evidence = load_evidence(changed(dont_know_in_base=True))
    table = fidelity_table(evidence.data, evidence.codebook, evidence.published, dont_know_in_base=True)
    assert values["ap_fidelity_met"] == float(table["within_rounding_interval"].sum())
    assert values["ap_fidelity_met"] < pages.glued_outputs(NOTEBOOKS["chapters/appendix"])["ap_fidelity_met"]


def test_the_committed_notebooks_record_their_data_source_fingerprint():
    recorded = (PROJECT_ROOT / "data" / "synthetic" / "SHA256SUMS").read_text().split()[0]
    for docname in NOTEBOOKS:
        assert record(docname)["sha256"] == recorded, f"{docname} was executed on another file"
        assert record(docname)["parameters"] == json.loads(json.dumps(Assumptions().as_dict()))


def test_the_synthetic_build_reports_what_the_disclosure_rules_would_withhold():
    """The appendix's two tables of the disclosure rules, from the committed notebook, against
    ``analysis.release.cell_checks`` on the synthetic file: each kind of cell counted by result,
    and the withheld ones listed; nothing shown elsewhere is withheld on a synthetic build."""
    checks = release.cell_checks(load_evidence(Assumptions()))
    cells = {r["key"]: r for r in record("chapters/appendix")["records"]}
    kinds = {"figure": "Published figures recomputed from the file", "size": "Group sizes in the file",
             "number": "Numbers the text reads from the file"}
    for prefix, label in kinds.items():
        found = checks[checks.index.str.startswith(f"{prefix}/")]
        for column, result in (("Released as computed", "pass"), ("Rounded", "rounded"),
                               ("Would be withheld", "suppressed")):
            assert cells[f"tbl-ap-release/{label}/{column}"]["text"] == str(int((found["result"] == result).sum()))
    withheld = [r for key, r in cells.items() if key.startswith("tbl-ap-withheld/")]
    assert len(withheld) == int((checks["result"] == "suppressed").sum()) == 5
    assert {r["key"].split("/")[1] for r in withheld} >= {"Black parents: Trust: immigration services"}
    for docname in NOTEBOOKS:
        shown = [r for r in record(docname)["records"] if r.get("disclosure")]
        assert not any(r["disclosure"]["applied"] for r in shown), f"{docname}: a synthetic build withheld a value"
