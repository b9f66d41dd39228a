"""Fixtures of the PDF tests: the PDF edition that ``make pdf`` left in ``_build/pdf/``, read with
poppler (``pdfinfo``, ``pdftotext``, ``pdftohtml``), and the HTML edition it was printed beside.

The PDF's file name comes from ``_config.yml`` (``sphinx.config.pdf_edition_file``); another
build's folder can be named by ``BOOK_BUILD_DIR``.
"""
from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import pytest
import yaml
from book.pages import BUILD_DIR, html_path, read_html, toc_pages
from social_licence.study.paths import PROJECT_ROOT

#: the build that make pdf printed: _build, or another build's folder named by BOOK_BUILD_DIR
BUILD = Path(os.environ.get("BOOK_BUILD_DIR", BUILD_DIR))



def poppler(*args: str) -> str:
    """The standard output of a poppler command."""
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


@dataclass
class Bookmark:
    title: str
    page: int
    children: list[Bookmark] = field(default_factory=list)


def parse_outline(xml: str) -> list[Bookmark]:
    """The bookmarks of ``pdftohtml -xml`` output: its ``<outline>`` lists, where an ``<item>``'s
    children are the ``<outline>`` that follows it."""
    start, end = xml.find("<outline>"), xml.rfind("</outline>")
    if start < 0:
        return []

    def read(outline) -> list[Bookmark]:
        marks: list[Bookmark] = []
        for element in outline:
            if element.tag == "item":
                marks.append(Bookmark(unescape("".join(element.itertext())).strip(), int(element.get("page"))))
            elif element.tag == "outline" and marks:
                marks[-1].children = read(element)
        return marks

    return read(ElementTree.fromstring(xml[start:end + len("</outline>")]))


@dataclass(frozen=True)
class Word:
    page: int
    x_min: float
    x_max: float
    y_min: float
    text: str


@dataclass
class Pdf:
    """What the tests read of the PDF edition."""

    path: Path
    info: dict[str, str]
    #: the text of each page (``pdftotext -layout``: lines top to bottom) without its page number
    pages: list[str]
    bookmarks: list[Bookmark]
    page_width: float
    words: list[Word]


@pytest.fixture(scope="session")
def pdf_path() -> Path:
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text(encoding="utf-8"))
    path = BUILD / "pdf" / config["sphinx"]["config"]["pdf_edition_file"]
    if not path.is_file():
        pytest.fail(f"no PDF edition at {path}: run `make pdf` (or `make test`) first")
    return path


@pytest.fixture(scope="session")
def pdf(pdf_path) -> Pdf:
    """The PDF's metadata, the text of each page, its bookmarks and the position of every word
    (``pdftotext -bbox``).

    Page text is read in physical layout (``-layout``), where the page number at the foot is the
    last line; in reading order it may land inside a paragraph that runs on to the next page.
    """
    info = dict(line.split(":", 1) for line in poppler("pdfinfo", str(pdf_path)).splitlines() if ":" in line)
    pages = []
    for number, page in enumerate(poppler("pdftotext", "-layout", str(pdf_path), "-").split("\f")[:-1], 1):
        lines = page.rstrip().splitlines()  # each page ends with a form feed, split off above
        pages.append("\n".join(lines[:-1] if lines and lines[-1].strip() == str(number) else lines))
    boxes = poppler("pdftotext", "-bbox", str(pdf_path), "-")
    widths = [float(width) for width in re.findall(r'<page width="([\d.]+)"', boxes)]
    words = []
    for number, page in enumerate(boxes.split("<page ")[1:], 1):
        words += [Word(number, float(x_min), float(x_max), float(y_min), unescape(text)) for x_min, y_min, x_max, text in
                  re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', page)]
    return Pdf(path=pdf_path, info={key.strip(): value.strip() for key, value in info.items()}, pages=pages,
               bookmarks=parse_outline(poppler("pdftohtml", "-xml", "-i", "-stdout", "-q", str(pdf_path))),
               page_width=max(widths), words=words)


@pytest.fixture(scope="session")
def html_pages() -> dict:
    """The HTML edition's pages that the PDF was printed beside, by docname, in reading order."""
    html_dir = BUILD / "html"
    return {docname: read_html(html_path(docname, html_dir)) for docname in toc_pages()}
