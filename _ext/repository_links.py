"""Every page links to the book's repository and to its own source there, from ``CITATION.cff``.

The repository's address is written once, as ``repository-code`` in ``CITATION.cff`` (the
citation file GitHub, Zenodo and reference managers read). This extension reads it when the
configuration is loaded and hands it to sphinx-book-theme, with the repository button and the
"Show source" button switched on: each page's header then links to the repository and to the
page's notebook (or Markdown file) in it, at ``repository.branch`` and ``repository.path_to_book``
of ``_config.yml``. Jupyter Book passes its own ``repository.url`` on only together with
buttons it would then require; reading the address here keeps it in the one file that names it.

The address must be on GitHub, GitLab or Bitbucket (sphinx-book-theme builds the source link from
it; another host needs ``repository_provider`` in the theme options). The links are plain
``<a href>`` elements: nothing is fetched from the repository's host when a page loads, so the
book still works offline and the browser tests (which refuse any request to another host) pass.
A ``CITATION.cff`` without ``repository-code`` is a configuration error.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested in
``tests/ext/test_repository_links.py``.
"""
from __future__ import annotations

from pathlib import Path

import yaml
from sphinx.errors import ConfigError

CITATION = "CITATION.cff"


def repository_url(citation: Path) -> str:
    """The repository's address: ``repository-code`` of the citation file."""
    try:
        url = (yaml.safe_load(citation.read_text(encoding="utf-8")) or {}).get("repository-code")
    except (OSError, yaml.YAMLError) as error:
        raise ConfigError(f"{citation}: cannot be read ({error})") from error
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        raise ConfigError(f"{citation}: repository-code={url!r} must be the repository's http(s) address")
    return url.rstrip("/")


def _configure_links(app, config) -> None:
    """On config-inited: the theme's repository address and its repository and source buttons."""
    config.html_theme_options = {**(config.html_theme_options or {}),
                                 "repository_url": repository_url(Path(app.srcdir) / CITATION),
                                 "use_repository_button": True, "use_source_button": True}


def setup(app) -> dict:
    """Sphinx entry point."""
    app.connect("config-inited", _configure_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
