"""The landing page: the summary for policy readers, each finding with its uncertainty and evidence."""
from __future__ import annotations

from IPython.display import Markdown

from social_licence.report import derived, patterns
from social_licence.report.book import Book
from social_licence.report.citation import citation_text, load_citation
from social_licence.report.display import glue
from social_licence.report.chapters.common import count, figures_of, firmness
from social_licence.report.contrasts import ALPHA
from social_licence.report.vocabulary import word

#: the prefix of the chapter's glue keys
PREFIX = "in"

DERIVED = "published figures, interval derived at design effect 2"


def _interval(book: Book, figure_id: str) -> str:
    """'78–86%' for a figure's derived interval at the upper design effect."""
    row = book.verdicts.loc[figure_id]
    high = derived.DEFF_RANGE[-1]
    return f"{100 * row[f'ci_low@{high:g}']:.0f}–{100 * row[f'ci_high@{high:g}']:.0f}%"


def facts(book: Book) -> list:
    """Every number the landing page places."""
    reasons = figures_of(book, "acceptability_of_reason")
    trust = figures_of(book, "trust_to_link_records")
    whole_reasons = reasons[reasons["group"] == "all"]
    group_reasons = reasons[reasons["group"] != "all"]
    whole_trust = trust[trust["group"] == "all"]
    published = book.published.set_index("figure_id")["percent"]
    gaps = book.derived_contrasts.reset_index()
    trust_patterns = patterns.group_patterns(gaps, measures=["trust_to_link_records"])

    high = derived.DEFF_RANGE[-1]
    held_at_1 = gaps["holds"] | gaps["depends_on_deff"]

    def verdict(figure_id: str) -> str:
        return word(book.verdicts.loc[figure_id, "verdict"])

    return [
        book.published_fact("n", 843, "paper, \"Our survey\"", "count"),
        book.published_fact("reasons_low", float(whole_reasons["published"].min()), "paper, Table 2"),
        book.published_fact("reasons_high", float(whole_reasons["published"].max()), "paper, Table 2"),
        book.derived_fact("reasons_lowest", 100 * float(whole_reasons[f"ci_low@{derived.DEFF_RANGE[-1]:g}"].min()),
                          DERIVED),
        book.derived_fact("reasons_groups", count(group_reasons, "consensus"), DERIVED, "count"),
        book.derived_fact("reasons_n", len(group_reasons), "paper, Table 2", "count"),
        book.published_fact("trust_low", float(whole_trust["published"].min()), "paper, Table 3"),
        book.published_fact("trust_high", float(whole_trust["published"].max()), "paper, Table 3"),
        book.derived_fact("trust_open", count(trust, "open"), DERIVED, "count"),
        book.derived_fact("trust_n", len(trust), "paper, Table 3", "count"),
        book.published_fact("police", float(published["T3_19"]), "paper, Table 3"),
        book.text_fact("police_interval", _interval(book, "T3_19"), DERIVED),
        book.published_fact("black_police", float(published["T3_21"]), "paper, Table 3"),
        book.text_fact("black_police_interval", _interval(book, "T3_21"), DERIVED),
        book.derived_fact("black_n", int(book.sizes.set_index("group").loc["black", "size"]), "5% of 843", "count"),
        book.text_fact("trust_below", patterns.groups_in_direction(trust_patterns, "below", book.codebook),
                       "derived contrasts on trust"),
        book.derived_fact("family_held", int(gaps["holds"].sum()), "Holm over the family, design effect 2", "count"),
        book.derived_fact("family_held_bh", int((gaps[f"p_fdr_bh@{high:g}"] < ALPHA).sum()),
                          "Benjamini-Hochberg over the family, design effect 2", "count"),
        book.derived_fact("family_held_1", int(held_at_1.sum()), "Holm over the family, design effect 1", "count"),
        book.derived_fact("family_held_1_aware", int((held_at_1 & (gaps["measure"] == "awareness")).sum()),
                          "Holm over the family, design effect 1", "count"),
        book.derived_fact("family_trust_1", int((held_at_1 & (gaps["measure"] == "trust_to_link_records")).sum()),
                          "Holm over the family, design effect 1, trust contrasts", "count"),
        book.derived_fact("family_n", int(gaps["size_known"].sum()), "the family's contrasts that can be tested",
                          "count"),
        book.published_fact("permission", float(published["P03"]), "paper, text"),
        book.text_fact("permission_interval", _interval(book, "P03"), DERIVED),
        book.text_fact("permission_verdict", verdict("P03"), DERIVED),
        book.published_fact("publicise", float(published["P02"]), "paper, text"),
        book.published_fact("aware", float(published["A02"]), "paper, text"),
        book.text_fact("aware_interval", _interval(book, "A02"), DERIVED),
        book.published_fact("companies", float(published["C01"]), "paper, text"),
        book.text_fact("companies_interval", _interval(book, "C01"), DERIVED),
        book.text_fact("companies_verdict", verdict("C01"), DERIVED),
        book.derived_fact("companies_acceptable", 100 - float(published["C01"]),
                          "paper, text: at most 100 minus the share finding it unacceptable"),
        book.text_fact("companies_firmness", firmness(book, "C01"),
                       "derived verdict at either end of the printed figure's rounding"),
        book.published_fact("permission_black", float(published["P04"]), "paper and blog"),
        book.text_fact("permission_black_verdict", verdict("P04"), DERIVED),
        book.published_fact("permission_lone", float(published["P05"]), "paper and blog"),
        book.text_fact("permission_lone_verdict", verdict("P05"), DERIVED),
    ]


def publish_citation() -> None:
    """Glue the citation text built from ``CITATION.cff`` (:mod:`social_licence.report.citation`)."""
    glue("in_citation", Markdown(citation_text(load_citation())))
