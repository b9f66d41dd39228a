"""Reading the built book: its pages, glued numbers, numbered tables and CSV downloads.

Shared by the browser tests (``tests/browser/``), which parse the DOM that Chromium rendered, and
by the archived-route and stale-number test (``tests/book/test_archived_route.py``), which parses the HTML files
of a temporary build. Everything is derived from the book's own sources (``_toc.yml``,
``_config.yml``, the chapters), so the tests follow the book as chapters are added and filled in.
"""
from __future__ import annotations

import ast
import base64
import binascii
import io
import json
import os
import re
from contextlib import contextmanager
from importlib import import_module
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import nbformat
import pandas as pd
import yaml
from bs4 import BeautifulSoup
from markdown_it.renderer import RendererHTML
from myst_parser.config.main import MdParserConfig
from myst_parser.parsers.mdit import create_md_parser
from social_licence.report.page import PAGES
from social_licence.sphinxext.build_inputs import source_tag
from social_licence.study.paths import PROJECT_ROOT

BUILD_DIR = PROJECT_ROOT / "_build"
SOURCE_SUFFIXES = (".ipynb", ".md")
#: directives whose body is not Markdown (code, maths, raw output), so holds no glue role
NOT_MARKDOWN = {"code", "code-block", "code-cell", "sourcecode", "math", "raw", "eval-rst",
                "literalinclude", "glue:md", "glue:math", "glue:any"}


def toc_pages(root: Path = PROJECT_ROOT) -> list[str]:
    """Every page of ``_toc.yml`` in reading order, root first, as docnames (``chapters/x``)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]

    def walk(entries) -> None:
        for entry in entries or []:
            if "file" in entry:
                pages.append(entry["file"])
            for key in ("parts", "chapters", "sections"):
                walk(entry.get(key))

    for key in ("parts", "chapters", "sections"):
        walk(toc.get(key))
    return [str(Path(p).with_suffix("")) if Path(p).suffix in SOURCE_SUFFIXES else p for p in pages]


def source_file(docname: str, root: Path = PROJECT_ROOT) -> Path:
    """The notebook or Markdown file a page is built from."""
    for suffix in SOURCE_SUFFIXES:
        path = root / f"{docname}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(f"no source for page {docname!r} (looked for {SOURCE_SUFFIXES})")


def html_path(docname: str, html_dir: Path) -> Path:
    return html_dir / f"{docname}.html"


def read_html(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@contextmanager
def data_source(data: str, mapping: str):
    """Within the block, the environment selects ``data`` and ``mapping``, as a build of them did
    (pages parsed inside it follow that build's ``{only}`` blocks)."""
    saved = {name: os.environ.get(name) for name in ("SOCIAL_LICENCE_DATA", "SOCIAL_LICENCE_MAPPING")}
    os.environ.update({"SOCIAL_LICENCE_DATA": data, "SOCIAL_LICENCE_MAPPING": mapping})
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def plain(text: str) -> str:
    """Text as compared: typographic quotes made straight (Sphinx's smartquotes), spaces collapsed."""
    text = text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "\u00a0": " "}))
    return re.sub(r"\s+", " ", text).strip()


# --- glued text ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _markdown_parser():
    """The MyST parser with the book's Markdown extensions (from ``_config.yml``)."""
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = set((config.get("parse") or {}).get("myst_enable_extensions") or [])
    return create_md_parser(MdParserConfig(enable_extensions=extensions), RendererHTML)


def _directive_body(content: str) -> str:
    """A directive's content without its ``:option: value`` lines or front-matter block."""
    lines = content.splitlines()
    if lines and lines[0].strip() == "---":
        end = next((i for i, line in enumerate(lines[1:], 1) if line.strip() == "---"), 0)
        lines = lines[end + 1:]
    while lines and re.match(r"^\s*:[\w-]+:", lines[0]):
        lines = lines[1:]
    return "\n".join(lines)


def _glue_text_roles(markdown: str, tag: str) -> list[str]:
    """Contents of the ``{glue:text}`` roles of a Markdown text, in reading order.

    An ``{only}`` block counts only when its tag is the build's data-source ``tag``
    (``synthetic`` or ``archived``, see ``social_licence.sphinxext.build_inputs``).
    """
    found = []
    for token in _markdown_parser().parse(markdown):
        if token.type == "inline":
            found += [child.content for child in token.children or []
                      if child.type == "myst_role" and child.meta.get("name") == "glue:text"]
        elif token.type in ("fence", "colon_fence") and token.info.startswith("{"):
            name, _, argument = token.info[1:].partition("}")
            if name == "only" and argument.strip() != tag:
                continue
            if name not in NOT_MARKDOWN:
                found += _glue_text_roles(_directive_body(token.content), tag)
    return found


def glue_text_roles(docname: str, root: Path = PROJECT_ROOT) -> list[tuple[str, str]]:
    """(key, format spec) of every ``{glue:text}`` role of a page, in reading order.

    The key and spec are split as myst-nb splits them (``key:spec``; no spec means ``"s"``).
    ``{only}`` blocks follow the data source that the environment selects, as the build did.
    """
    path = source_file(docname, root)
    if path.suffix == ".ipynb":
        notebook = nbformat.read(path, as_version=4)
        texts = [cell.source for cell in notebook.cells if cell.cell_type == "markdown"]
    else:
        texts = [path.read_text(encoding="utf-8")]
    tag = source_tag()
    roles = [role for text in texts for role in _glue_text_roles(text, tag)]
    return [tuple(role.rsplit(":", 1)) if ":" in role else (role, "s") for role in roles]


def format_glued(value, spec: str) -> str:
    """Format a value the way myst-nb's ``{glue:text}`key:spec` `` shows it."""
    if spec in ("", "s"):
        return str(value)
    if spec[-1] in "bcdoxX":
        return format(int(value), spec)
    if spec[-1] in "eEfFgGn%":
        return format(float(value), spec)
    return format(value, spec)


def page_prefix(docname: str) -> str:
    """The glue prefix of a page (its presentation module's ``PREFIX``)."""
    return import_module(f"social_licence.report.chapters.{PAGES[docname]}").PREFIX


def _glue_outputs(path: Path):
    """(key, data) of every glue output of an executed notebook, mime prefix removed: from its
    cells, or, for a notebook a build executed (``<build>/jupyter_execute/``), from the
    ``<name>.glue.json`` beside it, where myst-nb moves them."""
    moved = path.with_suffix(".glue.json")
    outputs = json.loads(moved.read_text(encoding="utf-8")).values() if moved.is_file() else (
        output for cell in nbformat.read(path, as_version=4).cells for output in cell.get("outputs", []))
    for output in outputs:
        meta = output.get("metadata", {}).get("scrapbook")
        if meta:
            prefix = meta.get("mime_prefix", "")
            yield meta["name"], {key.removeprefix(prefix): value for key, value in output.get("data", {}).items()}


def glued_outputs(path: Path) -> dict[str, object]:
    """The plain values an executed notebook glued (numbers and strings; rich objects left out),
    by key, as myst-nb shows them with ``{glue:text}``."""
    values = {}
    for key, data in _glue_outputs(path):
        text = data.get("text/plain")
        if text is None or key.endswith("_values") or set(data) - {"text/plain"}:
            continue
        try:
            values[key] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            continue
    return values


def notebook_record(path: Path, prefix: str) -> dict:
    """The record of numbers an executed notebook glued under ``<prefix>_values`` (Page.finish)."""
    for key, data in _glue_outputs(path):
        if key == f"{prefix}_values":
            return json.loads(data["text/plain"])
    raise AssertionError(f"{path.name} glued no record of its numbers ({prefix}_values): re-execute it")


def notebook_values(docname: str, root: Path = PROJECT_ROOT) -> dict[str, object]:
    """Every plain value a page's committed notebook glued, by key (its facts, its evidence line,
    its interval level). nbval checks that these outputs equal a fresh run of the notebook, so a
    page showing anything else was built from stale or other inputs."""
    path = source_file(docname, root)
    return glued_outputs(path) if path.suffix == ".ipynb" else {}


@dataclass(frozen=True)
class Glued:
    key: str
    spec: str
    shown: str


def glued_text(soup: BeautifulSoup, docname: str, root: Path = PROJECT_ROOT) -> list[Glued]:
    """Every glued text of a page: its key and format from the source, its text from the page.

    myst-nb writes ``{glue:text}`` as ``<span class="pasted-text">`` without the key, so the
    spans of the article are paired with the roles of the source in reading order; a different
    count means a role did not render (or rendered twice) and raises AssertionError.
    """
    spans = [span.get_text() for span in _article(soup).select("span.pasted-text")]
    roles = glue_text_roles(docname, root)
    assert len(spans) == len(roles), (
        f"{docname}: {len(roles)} {{glue:text}} roles in the source but {len(spans)} glued "
        f"texts in the page")
    return [Glued(key, spec, shown) for (key, spec), shown in zip(roles, spans)]


def glued_values(soup: BeautifulSoup, docname: str, root: Path = PROJECT_ROOT) -> dict[str, list[Glued]]:
    """:func:`glued_text` grouped by key (a key may be placed more than once)."""
    grouped: dict[str, list[Glued]] = {}
    for glued in glued_text(soup, docname, root):
        grouped.setdefault(glued.key, []).append(glued)
    return grouped


# --- tables, figures, downloads -----------------------------------------------------------------

def _article(soup: BeautifulSoup):
    article = soup.select_one("article")
    assert article is not None, "page has no <article> element"
    return article


@dataclass(frozen=True)
class Table:
    id: str | None
    number: str
    caption: str
    header: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> list[str]:
        return [row[self.header.index(name)] for row in self.rows]

    def cell(self, row_key: str, column: str, key_column: str = "Figure") -> str:
        """The cell of ``column`` in the row whose ``key_column`` is ``row_key``."""
        matches = [row for row in self.rows if row[self.header.index(key_column)] == row_key]
        assert len(matches) == 1, f"table {self.id}: {len(matches)} rows with {key_column} = {row_key!r}"
        return matches[0][self.header.index(column)]


def tables(soup: BeautifulSoup) -> list[Table]:
    """Every table of the article with its number, caption text, header and body cells."""
    found = []
    for table in _article(soup).select("table"):
        caption = table.find("caption")
        number = caption.select_one(".caption-number") if caption else None
        text = caption.select_one(".caption-text") if caption else None
        found.append(Table(
            id=table.get("id"),
            number=plain(number.get_text()) if number else "",
            caption=plain(text.get_text()) if text else "",
            header=[plain(th.get_text()) for th in table.select("thead th")],
            rows=[[plain(td.get_text()) for td in tr.find_all(["td", "th"])] for tr in table.select("tbody tr")],
        ))
    return found


def table_by_id(soup: BeautifulSoup, table_id: str) -> Table:
    matches = [table for table in tables(soup) if table.id == table_id]
    assert len(matches) == 1, f"{len(matches)} tables with id {table_id!r} in the page"
    return matches[0]


def csv_downloads(soup: BeautifulSoup) -> dict[str, pd.DataFrame]:
    """The CSV downloads of a page (``<a download href="data:text/csv;base64,...">``) by file name."""
    found = {}
    for link in soup.select('a[download][href^="data:text/csv"]'):
        header, _, payload = link["href"].partition(",")
        assert header.endswith(";base64"), f"{link['download']}: CSV data URL is not base64 ({header})"
        try:
            found[link["download"]] = pd.read_csv(io.BytesIO(base64.b64decode(payload, validate=True)))
        except (binascii.Error, ValueError) as error:
            raise AssertionError(f"{link['download']}: CSV download does not decode: {error}") from error
    return found


def figure_image(soup: BeautifulSoup, figure_id: str) -> str:
    """The ``src`` of the image of figure ``figure_id`` (relative to the page)."""
    figure = soup.select_one(f"figure#{figure_id}")
    assert figure is not None, f"no figure with id {figure_id!r} in the page"
    image = figure.find("img")
    assert image is not None and image.get("src"), f"figure {figure_id!r} has no image"
    return image["src"]


def notices(soup: BeautifulSoup) -> list[str]:
    """The plain text of every admonition of the article."""
    return [plain(box.get_text(" ")) for box in _article(soup).select(".admonition")]
