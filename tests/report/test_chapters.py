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
* re-running a chapter with one assumption changed (papermill) changes its glued values, verdicts
  and a table cell to what the library computes under that assumption, and leaves the committed
  notebook untouched.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import nbformat
import papermill
import pytest

from book import pages
from social_licence.analysis import contrasts, derived
from social_licence.analysis.assumptions import Assumptions, PARAMETERS
from social_licence.analysis.evidence import load_evidence
from social_licence.report.page import PAGES
from social_licence.report.tables import cell
from social_licence.study.fidelity import fidelity_table
from social_licence.study.paths import PROJECT_ROOT

NOTEBOOKS = {docname: pages.source_file(docname) for docname in pages.toc_pages()
             if pages.source_file(docname).suffix == ".ipynb"}
TYPED_PERCENT = re.compile(r"(?<![\w`{])\d{1,3}(?:\.\d+)?\s?(?:%|per ?cent)")
#: a quotation from the sources, which keeps its own numbers (and is cited beside it)
QUOTATION = re.compile(r'"[^"]*"|“[^”]*”', re.S)
SYNTHETIC_READING = "The archived survey file would show "
#: glue keys every page places besides its facts (made by Page.finish and open_page)
PAGE_KEYS = ("evidence", "level", "source_notice")


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

#: the assumption each analysis chapter is re-run under
CHANGED = {
    "intro": {"deff_range": [1.0, 3.0]},
    "chapters/early_intervention": {"deff_range": [1.0, 3.0]},
    "chapters/social_licence": {"black_group": "minority ethnic"},
    "chapters/transparency": {"level": 0.9},
    "chapters/social_divisions": {"interval_method": "wilson"},
    "chapters/uncertainty": {"deff_range": [1.0, 3.0]},
    "chapters/conclusions": {"verdict_rule": "point"},
    "chapters/appendix": {"dont_know_in_base": True},
}


def _run(docname: str, folder) -> tuple[dict, dict]:
    """Execute a chapter with its changed parameter (papermill) in ``folder``; return its glued
    values and its record, and check that the committed notebook is untouched."""
    source = NOTEBOOKS[docname]
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    output = folder / f"{docname.replace('/', '_')}.ipynb"
    papermill.execute_notebook(str(source), str(output), parameters=CHANGED[docname], cwd=str(source.parent),
                               progress_bar=False, kernel_name="python3")
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, f"{source.name} was modified by the run"
    prefix = pages.page_prefix(docname)
    return pages.glued_outputs(output), pages.notebook_record(output, prefix)


@pytest.fixture(scope="module")
def reruns(tmp_path_factory):
    """Every analysis chapter re-run under its changed assumption, two at a time."""
    folder = tmp_path_factory.mktemp("reruns")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {docname: pool.submit(_run, docname, folder) for docname in CHANGED}
        return {docname: future.result() for docname, future in futures.items()}


def changed(**values) -> Assumptions:
    return Assumptions(**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()})


def table_cell(run: tuple, table: str, row: str, column: str) -> str:
    records = {r["key"]: r for r in run[1]["records"]}
    return records[f"{table}/{row}/{column}"]["text"]


def test_every_analysis_chapter_is_re_run_under_a_changed_assumption():
    assert set(CHANGED) == set(NOTEBOOKS) - {"chapters/datasheet", "chapters/glossary"}


def test_rerun_records_the_parameters_in_force(reruns):
    for docname, (_, run_record) in reruns.items():
        parameters = run_record["parameters"]
        for name, value in CHANGED[docname].items():
            assert parameters[name] == value, f"{docname}: record says {name}={parameters[name]!r}"


def test_intro_under_a_design_effect_of_3(reruns):
    values, _ = reruns["intro"]
    assumptions = changed(deff_range=[1.0, 3.0])
    evidence = load_evidence(assumptions)
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    verdicts = derived.verdicts(derived.intervals(evidence.figures(), sizes, deffs=(1.0, 3.0))).set_index("figure_id")
    police = verdicts.loc["T3_19"]
    assert values["in_police_interval"] == f"{100 * police['ci_low@3']:.0f}% to {100 * police['ci_high@3']:.0f}%"
    assert values["in_deff_high"] == "3"
    assert values["in_police_interval"] != pages.glued_outputs(NOTEBOOKS["intro"])["in_police_interval"]


def test_early_intervention_under_a_design_effect_of_3(reruns):
    run = reruns["chapters/early_intervention"]
    values = run[0]
    evidence = load_evidence(changed(deff_range=[1.0, 3.0]))
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    verdicts = derived.verdicts(derived.intervals(evidence.figures("acceptability_of_reason"), sizes,
                                                  deffs=(1.0, 3.0))).set_index("figure_id")
    whole = verdicts[verdicts["group"] == "all"]
    groups = verdicts[verdicts["group"] != "all"]
    assert values["ei_all_lowest_limit"] == pytest.approx(100 * whole["ci_low@3"].min(), rel=1e-5)
    assert values["ei_n_consensus"] == int((groups["verdict"] == "consensus").sum())
    assert values["ei_n_open"] == int((groups["verdict"] == "open").sum())
    assert values["ei_all_lowest_limit"] != \
        pages.glued_outputs(NOTEBOOKS["chapters/early_intervention"])["ei_all_lowest_limit"]
    black = verdicts.loc["T2_09"]
    marks = ("†" if black["depends_on_deff"] else "") + ("‡" if black["depends_on_rounding"] else "")
    expected = cell(black["published"], black["ci_low@3"], black["ci_high@3"], black["verdict"]) + marks
    shown = table_cell(run, "tbl-ei-reasons", evidence.codebook.counted_label(black["item"]), "Black parents")
    assert shown == expected


def test_social_licence_under_the_other_reading_of_the_black_group(reruns):
    values, _ = reruns["chapters/social_licence"]
    evidence = load_evidence(changed(black_group="minority ethnic"))
    minority = derived.group_sizes(evidence.published, evidence.codebook, black_group="minority ethnic")
    whole = derived.group_sizes(evidence.published, evidence.codebook)
    assert values["sl_black_n"] == int(minority.set_index("group").loc["black", "size"])
    assert values["sl_black_alt_n"] == int(whole.set_index("group").loc["black", "size"])
    assert values["sl_black_used"] == "a share of the minority ethnic"


def test_transparency_at_a_confidence_level_of_90(reruns):
    run = reruns["chapters/transparency"]
    values = run[0]
    evidence = load_evidence(changed(level=0.9))
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    consent = derived.verdicts(derived.intervals(evidence.figures("transparency"), sizes, deffs=(1.0, 2.0),
                                                 level=0.9)).set_index("figure_id")
    assert values["tc_p03_low"] == pytest.approx(100 * consent.loc["P03", "ci_low@2"], rel=1e-5)
    assert values["tc_p04_verdict"] == consent.loc["P04", "verdict"]
    row = consent.loc["P04"]
    expected = cell(row["published"], row["ci_low@2"], row["ci_high@2"], row["verdict"]) + \
        ("†" if row["depends_on_deff"] else "") + ("‡" if row["depends_on_rounding"] else "")
    assert table_cell(run, "tbl-tc-consent", evidence.codebook.counted_label(row["item"]), "Black parents") == expected
    assert values["tc_level"] == pytest.approx(90.0)


def test_social_divisions_with_wilson_intervals(reruns):
    run = reruns["chapters/social_divisions"]
    values = run[0]
    evidence = load_evidence(changed(interval_method="wilson"))
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    trust = derived.verdicts(derived.intervals(evidence.figures("trust_to_link_records"), sizes, deffs=(1.0, 2.0),
                                               method="wilson")).set_index("figure_id")
    assert values["sd_black_police_high"] == pytest.approx(100 * trust.loc["T3_21", "ci_high@2"], rel=1e-5)
    row = trust.loc["T3_21"]
    expected = cell(row["published"], row["ci_low@2"], row["ci_high@2"], row["verdict"]) + \
        ("†" if row["depends_on_deff"] else "") + ("‡" if row["depends_on_rounding"] else "")
    assert table_cell(run, "tbl-sd-trust", evidence.codebook.counted_label(row["item"]), "Black parents") == expected


def test_uncertainty_under_a_design_effect_of_3(reruns):
    values, _ = reruns["chapters/uncertainty"]
    evidence = load_evidence(changed(deff_range=[1.0, 3.0]))
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    verdicts = derived.verdicts(derived.intervals(evidence.figures(), sizes, deffs=(1.0, 3.0)))
    judged = verdicts[verdicts["measure"].isin(evidence.codebook.judged_blocks)]
    assert values["un_consensus_high"] == int((judged["verdict@3"] == "consensus").sum())
    assert values["un_open_high"] == int((judged["verdict@3"] == "open").sum())
    assert values["un_depends"] == int(judged["depends_on_deff"].sum())


def test_conclusions_under_the_paper_s_point_rule(reruns):
    values, _ = reruns["chapters/conclusions"]
    evidence = load_evidence(changed(verdict_rule="point"))
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    verdicts = derived.verdicts(derived.intervals(evidence.figures("trust_to_link_records"), sizes, deffs=(1.0, 2.0)),
                                rule="point")
    assert values["co_trust_consensus"] == int((verdicts["verdict"] == "consensus").sum())
    assert values["co_trust_open"] == 0
    family = contrasts.derived_family(evidence.published, sizes, deffs=(1.0, 2.0))
    assert values["co_marginal_n"] == int(family["group"].isin(["black", "lone_parent", "age_18_29",
                                                                  "household_5_plus"]).sum())


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
