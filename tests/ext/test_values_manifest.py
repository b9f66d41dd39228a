"""_ext/values_manifest.py: values.json gathers every page's record of numbers with the text each
glued value shows, the cell that computed it and the parameters in force; a page that should have a
record and has none, a record naming a missing cell, a key recorded twice and pages computed under
different parameters are warnings (the strict build fails).

One small book is built at test time (two notebooks with stored outputs, executed by nobody) to
check what the extension reads and writes in a real Sphinx build; the rest are unit checks.
"""
from __future__ import annotations

import io
import json
from types import SimpleNamespace

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
from social_licence.study.paths import PROJECT_ROOT
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

import values_manifest as vm
from social_licence.report.page import GLUED_MIME

PREFIX = "application/papermill.record/"
PARSER = vm.markdown_parser(["colon_fence"])


def glued(name: str, text: str):
    """A glue output as myst-nb's glue() writes it."""
    return new_output("display_data", data={f"{PREFIX}text/plain": text},
                      metadata={"scrapbook": {"name": name, "mime_prefix": PREFIX}})


def record(parameters=None, table_glue="tbl-t") -> dict:
    """A page's record of numbers as page.finish() glues it (each record names the glue key whose
    output marks its cell)."""
    item = {"page": "p", "evidence": "derived", "basis": "printed shares", "value": 82.456}
    return {"page": "p", "data_source": "synthetic", "data_path": "data/x.csv", "sha256": "ab",
            "parameters": parameters or {"level": 0.95},
            "records": [{**item, "key": "t_share", "glue": "t_share", "kind": "value", "unit": "percent", "text": "82%"},
                        {**item, "key": "t_verdict", "glue": "t_verdict", "kind": "value", "unit": "text",
                         "value": "open", "text": "open"},
                        {**item, "key": "t_phrase", "glue": "t_phrase", "kind": "value", "unit": "text",
                         "value": "Holm's test", "text": "Holm's test"},
                        {**item, "key": "tbl-t/Row/All", "glue": table_glue, "kind": "table cell",
                         "text": "82 (78–86) ✓"}]}


#: the outputs of the record's cell: its glued values, and the mark of the keys it glued
GLUED = [glued("t_share", "82.456"), glued("t_verdict", "'open'"), glued("t_phrase", '"Holm\'s test"'),
         glued("tbl-t", "'table'"),
         new_output("display_data", data={GLUED_MIME: {"glued": ["t_share", "t_verdict", "t_phrase", "tbl-t"]}})]


def notebook(markdown: str, outputs: list, parameters: bool = True):
    """A notebook as executed: a parameters cell (count 1), then a cell that glues ``outputs`` (count 2)."""
    nb = new_notebook(metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}})
    nb.cells = [new_markdown_cell(markdown),
                new_code_cell("level = 0.95", execution_count=1, metadata={"tags": ["parameters"] if parameters else []}),
                new_code_cell("# The shares and their verdicts\nchapter.publish(page)", execution_count=2, outputs=outputs)]
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number:02d}"
    return nb


SHARES = ("# Shares\n\nA share of {glue:text}`t_share:.0f`% ({glue:text}`t_verdict`, {glue:text}`t_phrase`).\n\n"
          ":::{only} archived\nFrom the archived file: {glue:text}`t_share:.1f`%.\n:::\n\n"
          ":::{note}\nAgain {glue:text}`t_share:.2f`.\n:::\n\n```{toctree}\nnorecord\n```\n")
CONF = f"""
import sys
sys.path.insert(0, {str(PROJECT_ROOT / "_ext")!r})
extensions = ["myst_nb", "values_manifest"]
nb_execution_mode = "off"
myst_enable_extensions = ["colon_fence"]
suppress_warnings = ["mystnb.unknown_mime_type"]  # the cells' marks of what they glued, as in _config.yml
html_theme = "sphinx_book_theme"
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A two-page book: one page with its record, one that takes parameters and glues none."""
    folder = tmp_path_factory.mktemp("book")
    source, out = folder / "source", folder / "_build"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    nbformat.write(notebook(SHARES, [*GLUED, glued("t_values", json.dumps(record()))]), source / "index.ipynb")
    nbformat.write(notebook("# No record\n\nNothing glued.\n", []), source / "norecord.ipynb")
    warnings = io.StringIO()
    with docutils_namespace():
        app = Sphinx(str(source), str(source), str(out / "html"), str(out / ".doctrees"), "html", status=None,
                     warning=warnings)
        app.build()
    html = out / "html"
    return json.loads((html / vm.MANIFEST).read_text()), warnings.getvalue(), html


def test_values_json_holds_each_record_with_its_page_cell_and_shown_text(built):
    manifest, _, _ = built
    assert list(manifest["pages"]) == ["index"]  # the page without a record is absent
    assert manifest["parameters"] == {"level": 0.95} and manifest["parameters_differ"] == {}
    share, verdict, phrase, cell = manifest["records"]
    assert share["docname"] == "index" and share["cell_id"] == "cell-02"
    assert share["cell_comment"] == "The shares and their verdicts"
    # formatted as myst-nb formats each role; the {only} block of the other data source is not on the page
    assert share["shown"] == ["82", "82.46"] and share["value"] == 82.456
    assert verdict["shown"] == ["open"] and phrase["shown"] == ["Holm’s test"]  # as Sphinx writes it
    assert cell["text"] == "82 (78–86) ✓" and "shown" not in cell


def test_a_page_that_takes_parameters_without_a_record_is_a_warning(built):
    _, warnings, _ = built
    assert "norecord: the page takes the book's parameters but glues no record" in warnings
    assert warnings.count("WARNING") == 1


def test_every_page_offers_values_json_in_its_download_menu(built):
    _, _, html = built
    for page, href in (("index.html", 'href="values.json"'), ("norecord.html", 'href="values.json"')):
        text = (html / page).read_text()
        assert "Numbers (JSON)" in text and href in text


def test_glue_text_roles_follow_only_blocks_and_nested_directives():
    markdown = ("{glue:text}`a:.0f` and {glue:text}`b`\n\n:::{only} archived\n{glue:text}`c:.1f`\n:::\n\n"
                "::::{dropdown} More\n:open:\n:::{only} synthetic\n{glue:text}`d:.2%`\n:::\n::::\n\n"
                "```{glue:md} tbl\n:format: myst\n```\n")
    assert vm.glue_text_roles(markdown, PARSER, lambda tag: tag == "synthetic") == [
        ("a", ".0f"), ("b", "s"), ("d", ".2%")]
    assert vm.glue_text_roles(markdown, PARSER, lambda tag: tag == "archived") == [("a", ".0f"), ("b", "s"), ("c", ".1f")]


def test_a_role_myst_nb_cannot_fill_places_nothing():
    glue = {"t_values": {"data": {"text/plain": json.dumps(record())}}, "t_share": {"data": {"text/plain": "'82%'"}}}
    roles = [("t_share", ".0f"), ("t_missing", "s"), ("t_share", "s")]
    entry, problems = vm.page_entry("chapter", notebook("", GLUED), glue, roles, ["82%"])
    assert entry["placements"] == [("t_share", "82%")] and problems == []


def test_the_text_shown_is_the_page_s_and_must_match_the_formatted_value_but_for_typography():
    glue = {"t_values": {"data": {"text/plain": json.dumps(record())}},
            "t_verdict": {"data": {"text/plain": '"Holm\'s -- open..."'}}}
    entry, problems = vm.page_entry("chapter", notebook("", GLUED), glue, [("t_verdict", "s")], ["Holm’s – open…"])
    assert problems == [] and entry["records"][1]["shown"] == ["Holm’s – open…"]
    _, problems = vm.page_entry("chapter", notebook("", GLUED), glue, [("t_verdict", "s")], ["Holm’s – closed…"])
    assert "would not say what the page shows" in problems[0]
    _, problems = vm.page_entry("chapter", notebook("", GLUED), glue, [("t_verdict", "s")], [])
    assert "would not say what the page shows" in problems[0]


def test_a_record_whose_glue_key_no_cell_glued_is_a_problem():
    glue = {"t_values": {"data": {"text/plain": json.dumps(record(table_glue="tbl-missing"))}}}
    entry, problems = vm.page_entry("chapter", notebook("", GLUED), glue, [], [])
    assert entry["records"][0]["cell_id"] == "cell-02" and entry["records"][3]["cell_id"] is None
    assert problems == ["chapter: record 'tbl-t/Row/All' was glued as 'tbl-missing', but no code cell of the "
                        "executed notebook glued that key"]


def test_a_page_placing_glued_values_needs_a_record_even_without_parameters():
    entry, problems = vm.page_entry("intro", notebook("", [], parameters=False), {"x": {}}, [("x", "s")], [])
    assert entry is None and "places glued values but glues no record" in problems[0]
    assert vm.page_entry("glossary", notebook("", [], parameters=False), {}, [], []) == (None, [])


def test_pages_under_different_parameters_and_repeated_keys_are_said():
    entries = {}
    for docname, level in (("a", 0.95), ("b", 0.9)):
        glue = {"x_values": {"data": {"text/plain": json.dumps(record({"level": level, "min_base": 30}))}}}
        entries[docname], _ = vm.page_entry(docname, notebook("", GLUED), glue, [], [])
    manifest, problems = vm.book_manifest(entries)
    assert manifest["parameters"] is None
    assert manifest["parameters_differ"] == {"level": {"a": 0.95, "b": 0.9}}
    assert any("different parameters (level: {'a': 0.95, 'b': 0.9})" in p for p in problems)
    assert any("key 't_share' is recorded twice (a, b)" in p for p in problems)


def test_a_build_starts_by_removing_the_earlier_manifest(tmp_path):
    (tmp_path / vm.MANIFEST).write_text("{}")
    vm.remove_earlier_manifest(SimpleNamespace(builder=SimpleNamespace(format="latex"), outdir=str(tmp_path)))
    assert (tmp_path / vm.MANIFEST).is_file()
    vm.remove_earlier_manifest(SimpleNamespace(builder=SimpleNamespace(format="html"), outdir=str(tmp_path)))
    assert not (tmp_path / vm.MANIFEST).exists()
