"""Page "Glossary": the book's verdict words and terms, from :mod:`social_licence.report.vocabulary`."""
from __future__ import annotations

from IPython.display import Markdown

from social_licence.report.book import Book
from social_licence.report.display import glue
from social_licence.report.vocabulary import VERDICT_TERMS, glossary_terms

#: the prefix of the page's glue keys
PREFIX = "gl"


def definition_list(terms) -> Markdown:
    """A MyST definition list of ``terms`` (word, with its table mark where it has one)."""
    lines = []
    for term in terms:
        lines += [f"{term.word}{f' ({term.mark})' if term.mark else ''}", f": {term.definition}", ""]
    return Markdown("\n".join(lines))


def publish(book: Book) -> None:
    """Glue the verdicts and the other terms (as the build's data source needs them) as two
    definition lists."""
    glue(f"{PREFIX}_verdicts", definition_list(VERDICT_TERMS.values()))
    glue(f"{PREFIX}_terms", definition_list(glossary_terms(book.archived)))
