"""The references page: every entry's note shown, and the page rewritten whenever a citing page is.

1. Each entry of ``references.bib`` ends with a note saying what was checked, against which record.
   pybtex's ``alpha`` style (sphinxcontrib-bibtex's default), like the ``unsrt`` style it extends,
   prints the note of most entry types but not of a chapter in a book (``@incollection``), so that
   entry's note never reached the reader. The style ``checked`` adds it where the other types have
   theirs: after the date, before any links. ``bibtex_default_style`` in ``_config.yml`` chooses it.
2. sphinxcontrib-bibtex 2.7 lists on the references page only the works the pages cite, but tells
   Sphinx of no page to rewrite when the citations change (its ``env-updated`` handler returns no
   page). An incremental build after a chapter cites a new work left the references page as it
   was: the new work missing, and the chapter's link to it pointing at no entry. Whenever a page
   is read again, every page holding a bibliography is rewritten too (the references page: a
   fraction of a second).

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tests/ext/test_bibliography.py builds a
small project twice to check both, and tests/browser/test_pages.py checks the book's references page.
"""
from __future__ import annotations

from pybtex.plugin import register_plugin
from pybtex.style.formatting import toplevel
from pybtex.style.formatting.alpha import Style as AlphaStyle
from pybtex.style.template import optional_field, sentence


class CheckedStyle(AlphaStyle):
    """``alpha`` with the note of a chapter in a book."""

    def get_incollection_template(self, e):
        template = super().get_incollection_template(e)
        *body, web_refs = template.children
        return toplevel[(*body, sentence[optional_field("note")], web_refs)]


def _note_pages_read(app, env, docnames: list[str]) -> None:
    """Record whether this build reads any page (Sphinx's ``env-before-read-docs``)."""
    app.bibliography_pages_read = bool(docnames)


def _pages_with_a_bibliography(app, env) -> list[str]:
    """The pages holding a bibliography, rewritten when any page was read (``env-updated``)."""
    if not getattr(app, "bibliography_pages_read", False):
        return []
    return sorted({key.docname for key in env.get_domain("cite").bibliographies})


def setup(app) -> dict:
    """Sphinx entry point: the style made known to pybtex, the references page kept current."""
    register_plugin("pybtex.style.formatting", "checked", CheckedStyle)
    app.connect("env-before-read-docs", _note_pages_read)
    app.connect("env-updated", _pages_with_a_bibliography)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
