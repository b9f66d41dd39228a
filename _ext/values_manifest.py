"""The build's manifest of numbers, ``values.json``: every glued value and table cell of the book,
with the text a reader sees, the unrounded value, what carries it and the cell that computed it.

Each computing page ends with ``page.finish()`` (``social_licence.report.page``), which glues the
record of its numbers under ``<prefix>_values`` as JSON text: the data source with its SHA-256,
the parameters in force and one record per glued value and table cell (key, kind, evidence class
and basis, unit, unrounded value, text, and the glue key whose output marks the cell that computed
it). myst-nb keeps
the glued data of each page it reads in ``<build>/jupyter_execute/<docname>.glue.json``, beside the
executed notebook. When an HTML build finishes without an exception, this extension gathers those
records, in reading order, into ``<outdir>/values.json``::

    {"parameters": {...} or null, "parameters_differ": {name: {docname: value}},
     "pages": {docname: {"page", "data_source", "data_path", "sha256", "parameters"}},
     "records": [{...the page's record..., "docname", "cell_id", "cell_comment", "shown"}]}

and adds it to every page's download menu ("Numbers (JSON)"). A build that stops with an exception
leaves no ``values.json`` (the earlier one is removed when the build starts). To each record it adds its page's
docname, the id (``cell-NN``) and first comment line of the code cell that computed it (the code
cell of the executed notebook that marked the record's glue key in its outputs, as
``social_licence.report.page.mark_cell`` does), and, for a glued value,
``shown``: the text of each
``{glue:text}`` role that places it on the page, formatted with the role's format spec by myst-nb's
own formatter and paired with the glued texts of the page's doctree (the ``{only}`` blocks of
another data source left out, as the page is written): ``shown`` holds the page's text (with
Sphinx's typographic quotes), and a pair that differs otherwise fails the build, so the manifest
says what the page shows. Keys a page places without a record are listed under its
``placed_without_record``, for whoever checks the book.

A page without a record (the glossary, the references) is simply absent; a page that should have
one has none is a warning, so the strict build fails: one whose notebook has a ``parameters`` cell
(papermill's tag: it computes under the book's assumptions) or places a ``{glue:text}`` value.
So are a record whose glue key no cell of its notebook glued, a key recorded twice, and pages whose
parameters differ (``parameters`` is then null and ``parameters_differ`` names them): every page
of one build, the default edition or one built from a parameters file, computes under the same
assumptions. ``_ext/compare_builds.py`` (``make compare``) compares two builds through their
manifests.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested in
``tests/ext/test_values_manifest.py``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import nbformat
from docutils import nodes
from markdown_it.renderer import RendererHTML
from myst_nb.core.variables import format_plain_text
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from social_licence.report.page import GLUED_MIME, RECORD
from sphinx.util import logging
from sphinx.util.nodes import process_only_nodes

logger = logging.getLogger(__name__)

MANIFEST = "values.json"
#: myst-nb's folder of executed notebooks and their glue data, beside the builder's output folder
EXECUTED = "jupyter_execute"
#: directives whose body is not Markdown (code, maths, raw output), so places no glued text
NOT_MARKDOWN = {"code", "code-block", "code-cell", "sourcecode", "math", "raw", "eval-rst",
                "literalinclude", "glue:md", "glue:math", "glue:any"}
#: Sphinx's smart quotes (``smartquotes``), written back as straight ones
TYPOGRAPHIC = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


# --- what a page's Markdown places -----------------------------------------------------------------

def markdown_parser(extensions) -> object:
    """MyST's Markdown parser with the book's syntax extensions (``myst_enable_extensions``)."""
    return create_md_parser(MdParserConfig(enable_extensions=set(extensions)), RendererHTML)


def _directive_body(content: str) -> str:
    """A directive's content without its ``:option: value`` lines or front-matter block."""
    lines = content.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    while lines and re.match(r"^\s*:[\w-]+:", lines[0]):
        lines = lines[1:]
    return "\n".join(lines)


def _role_contents(markdown: str, parser, shown: Callable[[str], bool]) -> list[str]:
    found = []
    for token in parser.parse(markdown):
        if token.type == "inline":
            found += [child.content for child in token.children or []
                      if child.type == "myst_role" and child.meta.get("name") == "glue:text"]
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name, _, argument = token.info[1:].partition("}")
            if name == "only" and not shown(argument.strip()):
                continue
            if name not in NOT_MARKDOWN:
                found += _role_contents(_directive_body(token.content), parser, shown)
    return found


def glue_text_roles(markdown: str, parser, shown: Callable[[str], bool]) -> list[tuple[str, str]]:
    """(key, format spec) of every ``{glue:text}`` role of a Markdown text, in reading order.

    ``shown(condition)`` says whether an ``{only}`` block with that condition is on the page (the
    build's tags). Key and spec are split as myst-nb splits them: at the last colon, ``"s"`` when
    there is none.
    """
    return [tuple(role.rsplit(":", 1)) if ":" in role else (role, "s")
            for role in _role_contents(markdown, parser, shown)]


# --- one page's entry ----------------------------------------------------------------------------------

def first_comment(source: str) -> str:
    """The first comment line of a code cell (what the cell computes), without its ``#``."""
    return next((line.strip().lstrip("#").strip() for line in source.splitlines() if line.strip().startswith("#")), "")


def page_record(docname: str, glue: dict) -> tuple[dict | None, list[str]]:
    """The record of numbers a page glued (``<prefix>_values``), or None; and the problems found."""
    keys = [key for key in glue if key.endswith(f"_{RECORD}")]
    if len(keys) > 1:
        return None, [f"{docname}: more than one record of numbers glued ({', '.join(keys)})"]
    if not keys:
        return None, []
    try:
        return json.loads(glue[keys[0]]["data"]["text/plain"]), []
    except (KeyError, TypeError, json.JSONDecodeError) as error:
        return None, [f"{docname}: glue key {keys[0]!r} is not a record of numbers (JSON text/plain): {error}"]


def typographic(text: str) -> str:
    """A text with Sphinx's smart quotes, dashes and ellipses written back in ASCII, to compare a
    glued value as formatted with the same value as the page writes it."""
    return text.translate(TYPOGRAPHIC).replace("—", "---").replace("–", "--").replace("…", "...")


def page_entry(docname: str, notebook, glue: dict, roles: list[tuple[str, str]],
               pasted: list[str]) -> tuple[dict | None, list[str]]:
    """A page's part of the manifest: ``{"page": header, "records": [...], "placements": [(key, text)],
    "placed_without_record": [...]}``, or None when it records nothing; and the problems found.

    ``notebook`` is the executed notebook, ``glue`` its glued data (``<docname>.glue.json``),
    ``roles`` the ``{glue:text}`` roles its Markdown places and ``pasted`` the glued texts of the
    page as written, both in reading order. Each role's value is formatted as myst-nb formats it and
    paired with the page's text: the text shown is the page's (with Sphinx's typographic quotes),
    and a pair that differs other than typographically is a problem.
    """
    record, problems = page_record(docname, glue)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    takes_parameters = any("parameters" in cell.get("metadata", {}).get("tags", []) for cell in code)
    if record is None:
        if not problems and (takes_parameters or roles):
            why = "takes the book's parameters" if takes_parameters else "places glued values"
            problems.append(f"{docname}: the page {why} but glues no record of its numbers "
                            f"(<prefix>_{RECORD}: page.finish() in its last cell)")
        return None, problems
    placements = []
    for key, spec in roles:
        try:
            placements.append((key, format_plain_text(glue[key]["data"]["text/plain"], spec)))
        except Exception:  # noqa: BLE001 - as myst-nb: a role it cannot fill is its own warning, and shows nothing
            continue
    if [typographic(text) for _, text in placements] == [typographic(text) for text in pasted]:
        placements = [(key, text) for (key, _), text in zip(placements, pasted)]
    else:
        problems.append(f"{docname}: the page shows the glued texts {pasted}, but its {{glue:text}} roles format "
                        f"to {[text for _, text in placements]}: values.json would not say what the page shows")
    cells = {key: cell for cell in code for output in cell.get("outputs", [])
             for key in output.get("data", {}).get(GLUED_MIME, {}).get("glued", [])}
    records = []
    for item in record["records"]:
        cell = cells.get(item["glue"])
        if cell is None:
            problems.append(f"{docname}: record {item['key']!r} was glued as {item['glue']!r}, but no code cell of "
                            "the executed notebook glued that key")
        extra = {"docname": docname, "cell_id": cell.get("id") if cell else None,
                 "cell_comment": first_comment(cell.source) if cell else None}
        if item["kind"] == "value":
            extra["shown"] = [text for key, text in placements if key == item["key"]]
        records.append({**item, **extra})
    header = {name: record[name] for name in ("page", "data_source", "data_path", "sha256", "parameters")}
    recorded = {item["key"] for item in records}
    unrecorded = sorted({key for key, _ in placements} - recorded)
    return {"page": header, "records": records, "placements": placements, "placed_without_record": unrecorded}, problems


# --- the book's manifest -------------------------------------------------------------------------------

def book_manifest(entries: dict[str, dict]) -> tuple[dict, list[str]]:
    """``values.json`` from the pages' entries (docname -> :func:`page_entry`), in reading order,
    and the problems found across pages: a key recorded twice, parameters that differ."""
    pages = {docname: {**entry["page"], "placed_without_record": entry["placed_without_record"]}
             for docname, entry in entries.items()}
    records = [record for entry in entries.values() for record in entry["records"]]
    problems = []
    seen: dict[str, str] = {}
    for record in records:
        if record["key"] in seen:
            problems.append(f"key {record['key']!r} is recorded twice ({seen[record['key']]}, {record['docname']}): "
                            "values.json identifies a number by its key")
        seen.setdefault(record["key"], record["docname"])
    names = sorted({name for page in pages.values() for name in page["parameters"]})
    differ = {}
    for name in names:
        values = {docname: page["parameters"].get(name) for docname, page in pages.items()}
        if len({json.dumps(value, sort_keys=True) for value in values.values()}) > 1:
            differ[name] = values
    if differ:
        problems.append("the pages were computed under different parameters ("
                        + "; ".join(f"{name}: {values}" for name, values in differ.items())
                        + "): a build computes every page under one set of assumptions")
    common = next(iter(pages.values()))["parameters"] if pages and not differ else None
    return {"parameters": common, "parameters_differ": differ, "pages": pages, "records": records}, problems


# --- Sphinx -------------------------------------------------------------------------------------------

def reading_order(env) -> list[str]:
    """The build's documents in reading order (the toctree from the root), then any others."""
    order: list[str] = []

    def visit(docname: str) -> None:
        if docname in order or docname not in env.found_docs:
            return
        order.append(docname)
        for child in env.toctree_includes.get(docname, []):
            visit(child)

    visit(env.config.root_doc)
    return order + sorted(env.found_docs - set(order))


def pasted_texts(app, docname: str) -> list[str]:
    """The glued texts of a page as written: its doctree's ``pasted-text`` spans, ``{only}``
    blocks of other tags removed."""
    doctree = app.env.get_doctree(docname)
    process_only_nodes(doctree, app.builder.tags)
    return [node.astext() for node in doctree.findall(nodes.inline) if "pasted-text" in node["classes"]]


def _read_page(app, docname: str, executed: Path, parser) -> tuple[dict | None, list[str]]:
    notebook_path = executed / f"{docname}.ipynb"
    if not notebook_path.is_file():
        return None, []  # a Markdown page: it executes nothing and glues nothing
    notebook = nbformat.read(notebook_path, as_version=4)
    glue_path = executed / f"{docname}.glue.json"
    glue = json.loads(glue_path.read_text(encoding="utf-8")) if glue_path.is_file() else {}
    roles = [role for cell in notebook.cells if cell.cell_type == "markdown"
             for role in glue_text_roles(cell.source, parser, app.builder.tags.eval_condition)]
    return page_entry(docname, notebook, glue, roles, pasted_texts(app, docname))


def write_manifest(app, exception) -> None:
    """On build-finished: write ``values.json`` into an HTML build's output folder, and warn (the
    strict build fails) on every problem found."""
    if exception is not None or app.builder.format != "html":
        return
    executed = Path(app.outdir).parent / EXECUTED
    parser = markdown_parser(app.config.myst_enable_extensions)
    entries, problems = {}, []
    for docname in reading_order(app.env):
        entry, found = _read_page(app, docname, executed, parser)
        problems += found
        if entry is not None:
            entries[docname] = entry
    manifest, found = book_manifest(entries)
    problems += found
    (Path(app.outdir) / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n",
                                             encoding="utf-8")
    for problem in problems:
        logger.warning(f"{MANIFEST}: {problem}", type="values_manifest")


def remove_earlier_manifest(app) -> None:
    """On builder-inited: remove the ``values.json`` of an earlier build, so that a build that stops
    with an exception leaves none (``make compare`` then refuses it) rather than a stale one."""
    if app.builder.format == "html":
        (Path(app.outdir) / MANIFEST).unlink(missing_ok=True)


def add_download_entry(app, pagename, templatename, context, doctree) -> None:
    """Offer ``values.json`` in sphinx-book-theme's download menu (after the PDF edition's entry)."""
    if app.builder.format != "html" or "header_buttons" not in context:
        return
    button = {"type": "link", "url": context["pathto"](MANIFEST, 1), "text": "Numbers (JSON)",
              "tooltip": "Download every number of the book with what carries it (values.json)",
              "icon": "fas fa-list-ol", "label": "values-manifest-button"}
    menus = [b for b in context["header_buttons"] if b.get("label") == "download-buttons"]
    if menus:
        menus[0]["buttons"].append(button)
    else:
        context["header_buttons"].append(button)


def setup(app) -> dict:
    """Sphinx entry point. The manifest is written before build_inputs records a clean build
    (priority 400 < 500), so its warnings count against that build."""
    app.connect("builder-inited", remove_earlier_manifest)
    app.connect("build-finished", write_manifest, priority=400)
    app.connect("html-page-context", add_download_entry, priority=503)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
