"""One module per page of the book: the page's facts, tables and figures.

Each module's ``facts(book)`` returns every number the page's prose places, as
:class:`social_licence.report.evidence.Fact` objects carrying their evidence class; its
``publish_*`` functions glue the page's tables and figures; ``PREFIX`` starts its glue keys. The
notebooks open their page with :func:`open_chapter` and call these in a few lines a cell; they
hold no analysis of their own.
"""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

from social_licence.report.book import Book

#: the book's pages (docnames of _toc.yml) and the module that computes each
PAGES = {
    "intro": "intro", "chapters/early_intervention": "early_intervention", "chapters/social_licence": "social_licence",
    "chapters/transparency": "transparency", "chapters/social_divisions": "social_divisions",
    "chapters/uncertainty": "uncertainty", "chapters/conclusions": "conclusions", "chapters/datasheet": "datasheet",
    "chapters/appendix": "appendix", "chapters/glossary": "glossary",
}


def chapter_module(name: str) -> ModuleType:
    """The module of a page, by its name (``"early_intervention"``)."""
    if name not in PAGES.values():
        raise ValueError(f"no chapter module {name!r}; the pages are {sorted(PAGES.values())}")
    return import_module(f"{__name__}.{name}")


def open_chapter(name: str):
    """(book, module) for a page: the shared context under the page's glue prefix, and its module."""
    module = chapter_module(name)
    return Book.open(module.PREFIX), module
