"""_ext/bibliography.py on a small Sphinx project built twice: every note shown, and the
references page rewritten when a page cites another work (sphinxcontrib-bibtex alone leaves it)."""
from __future__ import annotations

import re

import pytest
from social_licence.study.paths import PROJECT_ROOT
from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace

BIB = r"""
@incollection{chapter2011,
  author = {Author, Ann}, title = {A Chapter}, booktitle = {A Handbook}, publisher = {A Press},
  year = {2011}, note = {Checked against the handbook's front matter.}
}
@article{article2015,
  author = {Writer, Will}, title = {An Article}, journal = {A Journal}, year = {2015},
  note = {Checked against the publisher's abstract.}
}
"""
CONF = f"""
import sys
sys.path.insert(0, {str(PROJECT_ROOT / "_ext")!r})
extensions = ["sphinxcontrib.bibtex", "bibliography"]
bibtex_bibfiles = ["refs.bib"]
bibtex_default_style = "checked"
"""


def build(source, out):
    """Build the project's HTML incrementally, warnings as errors; the references page's text."""
    with docutils_namespace():  # each build registers its node classes afresh, as sphinx-build does
        app = Sphinx(str(source), str(source), str(out), str(out / ".doctrees"), "html", status=None,
                     warningiserror=True, freshenv=False)
        app.build()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", (out / "references.html").read_text()))


@pytest.fixture
def project(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "refs.bib").write_text(BIB)
    (source / "index.rst").write_text("Index\n=====\n\nAs shown :cite:`chapter2011`.\n\n.. toctree::\n\n   references\n")
    (source / "references.rst").write_text("References\n==========\n\n.. bibliography::\n")
    return source, tmp_path / "html"


def test_a_chapter_in_a_book_shows_its_note(project):
    assert "Checked against the handbook's front matter." in build(*project)


def test_the_references_page_follows_a_new_citation(project):
    source, out = project
    assert "An article" not in build(source, out)  # pybtex sets titles in sentence case
    (source / "index.rst").write_text((source / "index.rst").read_text().replace("chapter2011", "chapter2011,article2015"))
    shown = build(source, out)
    assert "An article" in shown and "Checked against the publisher's abstract." in shown
