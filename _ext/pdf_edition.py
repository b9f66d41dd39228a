"""The PDF edition in the HTML edition: the first entry of every page's download menu.

``make pdf`` prints the whole book as one PDF (``_ext/print_pdf.py``) and puts a copy in the HTML
build's root folder under the name ``pdf_edition_file`` (``_config.yml``); this extension links
every page's download menu to it, with the right relative path from the page. Since the PDF is printed
after the HTML is built, an HTML build removes any copy an earlier ``make pdf`` left in its
folder, so the site never offers a PDF built from other inputs (another data source, an older
chapter): ``make pdf`` (which builds the HTML first) puts the current one back.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; the browser tests follow every
internal link of every page, this one included.
"""
from __future__ import annotations

from pathlib import Path


def _remove_earlier_pdf(app) -> None:
    """Remove the PDF that an earlier ``make pdf`` copied into this HTML build's folder."""
    if app.builder.name == "html":
        (Path(app.outdir) / app.config.pdf_edition_file).unlink(missing_ok=True)


def _add_download_entry(app, pagename, templatename, context, doctree) -> None:
    """Offer the PDF edition first in sphinx-book-theme's download menu (filled just before, at
    priority 501), or as a header button of its own where a page has no download menu."""
    if app.builder.name != "html" or "header_buttons" not in context:
        return
    button = {"type": "link", "url": context["pathto"](app.config.pdf_edition_file, 1), "text": "Book (PDF)",
              "tooltip": "Download the whole book as one PDF", "icon": "fas fa-book", "label": "pdf-edition-button"}
    menus = [b for b in context["header_buttons"] if b.get("label") == "download-buttons"]
    if menus:
        menus[0]["buttons"].insert(0, button)
    else:
        context["header_buttons"].append(button)


def setup(app) -> dict:
    """Sphinx entry point."""
    app.add_config_value("pdf_edition_file", "book.pdf", "html", types=[str])
    app.connect("builder-inited", _remove_earlier_pdf)
    app.connect("html-page-context", _add_download_entry, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
