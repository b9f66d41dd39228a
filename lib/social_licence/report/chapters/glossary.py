"""Page "Glossary": the book's verdict words and terms, from :mod:`social_licence.report.vocabulary`,
with the numbers in their definitions taken from the assumptions in force."""
from __future__ import annotations

from IPython.display import Markdown

from social_licence.report.display import glue
from social_licence.report.page import Page
from social_licence.report.vocabulary import VERDICT_TERMS, glossary_terms

#: the prefix of the page's glue keys
PREFIX = "gl"


def definition_list(terms) -> Markdown:
    """A MyST definition list of ``terms`` (word, with its table mark where it has one)."""
    lines = []
    for term in terms:
        lines += [f"{term.word}{f' ({term.mark})' if term.mark else ''}", f": {term.definition}", ""]
    return Markdown("\n".join(lines))


def publish(page: Page) -> None:
    """Glue the verdicts and the other terms (as the build's data source, assumptions and
    disclosure rules need them) as two definition lists."""
    assumptions = page.assumptions
    low, high = assumptions.deff_range
    factor = assumptions.consensus_factor
    values = {"level": f"{100 * assumptions.level:g}", "min_base": assumptions.min_base, "deff_low": f"{low:g}",
              "deff_high": f"{high:g}", "factor": f"{factor:g}", "threshold2": f"{100 * factor / 2:g}",
              "threshold3": f"{100 * factor / 3:g}"}
    rules = page.evidence.rules
    values |= {"sdc_threshold": rules.safe_threshold, "round_base": rules.safe_round_base,
               "symbol": rules.suppressed_symbol, "mark": rules.rounded_mark}
    glue(f"{PREFIX}_verdicts", definition_list(glossary_terms(page.archived, values, VERDICT_TERMS)))
    glue(f"{PREFIX}_terms", definition_list(glossary_terms(page.archived, values)))
