"""_ext/repository_links.py: the repository's address comes from CITATION.cff's repository-code and
every page links to the repository and to its own source there, as plain links only."""
from __future__ import annotations

import re

import pytest
import yaml
from social_licence.report.citation import CITATION_PATH
from social_licence.study.paths import PROJECT_ROOT
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import docutils_namespace

import repository_links

URL = "https://github.com/team/report"
CONF = f"""
import sys
sys.path.insert(0, {str(PROJECT_ROOT / "_ext")!r})
extensions = ["myst_parser", "repository_links"]
html_theme = "sphinx_book_theme"
html_theme_options = {{"repository_branch": "main", "path_to_docs": "book"}}
"""


def test_the_book_s_repository_is_the_citation_file_s_repository_code():
    url = yaml.safe_load(CITATION_PATH.read_text(encoding="utf-8"))["repository-code"]
    assert repository_links.repository_url(CITATION_PATH) == url and url.startswith("https://")


@pytest.mark.parametrize("content", ["title: T\n", "repository-code: github.com/team/report\n"])
def test_a_citation_file_without_an_address_is_a_configuration_error(tmp_path, content):
    (tmp_path / "CITATION.cff").write_text(content)
    with pytest.raises(ConfigError, match="repository-code"):
        repository_links.repository_url(tmp_path / "CITATION.cff")


def test_every_page_links_to_the_repository_and_its_source_without_loading_from_it(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    (source / "conf.py").write_text(CONF)
    (source / "CITATION.cff").write_text(f"cff-version: 1.2.0\nrepository-code: {URL}/\n")
    (source / "index.md").write_text("# Page\n\nText.\n")
    with docutils_namespace():
        Sphinx(str(source), str(source), str(tmp_path / "html"), str(tmp_path / ".doctrees"), "html",
               status=None, warningiserror=True).build()
    page = (tmp_path / "html" / "index.html").read_text()
    links = re.findall(r'<a href="([^"]+)"', page)
    assert URL in links and f"{URL}/blob/main/book/index.md?plain=1" in links
    assert URL not in re.sub(r'<a href="[^"]+"', "", page)  # no script, style or image from the repository's host
