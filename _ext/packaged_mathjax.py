"""MathJax served with the book from Debian's ``libjs-mathjax``, so that no page loads it from a CDN.

Sphinx's mathjax extension loads MathJax from cdn.jsdelivr.net by default: every reader's browser
would ask another host for it (telling that host who reads the book), the formulas would show as
TeX source offline, and the book could not be tested on a machine without network. The book
instead serves MathJax 2.7 from Debian's package (``make mathjax`` installs it), copied into each
HTML build's ``_static`` folder.

``mathjax_path`` in ``_config.yml`` names the copy, relative to ``_static``, as
``<folder>/MathJax.js?config=<combined configuration>`` (Sphinx then loads MathJax 2 and writes
``mathjax2_config`` into each page with a formula). From that path this extension works out what
to copy: ``MathJax.js``, that one combined configuration and the parts of MathJax it loads (the TeX
input, the CommonHTML output and its TeX web fonts, the extensions and the messages in each
language), about 4 MB instead of the package's 54 MB. The browser tests load every page with
requests to other hosts refused and fail on any request to the book that fails, so a part missing
here, or a remote ``mathjax_path``, fails them.

Listed in ``_config.yml`` under ``sphinx.local_extensions``.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from sphinx.errors import ConfigError, ExtensionError

#: where Debian's libjs-mathjax installs MathJax 2.7
MATHJAX_SOURCE = Path("/usr/share/javascript/mathjax")
#: the parts of MathJax that a TeX-input, CommonHTML-output configuration loads, relative to the
#: MathJax folder (the combined configuration file itself is added from ``mathjax_path``)
USED_PARTS = ("MathJax.js", "extensions", "jax/input/TeX", "jax/element", "jax/output/CommonHTML",
              "jax/output/PreviewHTML", "fonts/HTML-CSS/TeX/woff", "localization")


def served_parts(mathjax_path: str) -> tuple[str, list[str]]:
    """The folder under ``_static`` that ``mathjax_path`` points into, and the parts to copy there.

    Raises ConfigError for a path on another host, or one that is not ``MathJax.js`` with a
    ``?config=`` combined configuration, since neither can be served from the package.
    """
    parts = urlsplit(mathjax_path)
    folder, _, script = parts.path.rpartition("/")
    configs = parse_qs(parts.query).get("config", [])
    if parts.scheme or parts.netloc or not folder or script != "MathJax.js" or len(configs) != 1:
        raise ConfigError(f"mathjax_path {mathjax_path!r}: expected <folder>/MathJax.js?config=<name>, "
                          "served from the book (see _ext/packaged_mathjax.py)")
    return folder, [*USED_PARTS, f"config/{configs[0]}.js"]


def _check_source(app) -> None:
    """Fail before reading any page when an HTML build cannot serve MathJax."""
    if app.builder.format != "html":
        return
    _, parts = served_parts(app.config.mathjax_path)
    missing = [part for part in parts if not (MATHJAX_SOURCE / part).exists()]
    if missing:
        raise ExtensionError(f"MathJax parts {missing} not found under {MATHJAX_SOURCE}: install "
                             "Debian's libjs-mathjax (`make mathjax`)")


def _copy_mathjax(app, exception) -> None:
    """Copy the parts of MathJax the book uses into the finished build's ``_static`` folder."""
    if exception is not None or app.builder.format != "html":
        return
    folder, parts = served_parts(app.config.mathjax_path)
    target = Path(app.outdir) / "_static" / folder
    for part in parts:
        source, destination = MATHJAX_SOURCE / part, target / part
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def setup(app) -> dict:
    """Sphinx entry point."""
    app.connect("builder-inited", _check_source)
    app.connect("build-finished", _copy_mathjax)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
