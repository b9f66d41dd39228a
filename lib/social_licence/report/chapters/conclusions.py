"""Chapter "Conclusions": what the published figures carry, stated as computed patterns."""
from __future__ import annotations

from social_licence.report import derived, patterns
from social_licence.report.book import Book
from social_licence.report.chapters.common import (
    MARGINALISED,
    TABLE_GROUPS,
    black_other_reading,
    count,
    figures_of,
    firmness,
    survives_up_to,
)
from social_licence.report.contrasts import ALPHA

#: the prefix of the chapter's glue keys
PREFIX = "co"

REASONS, TRUST = "acceptability_of_reason", "trust_to_link_records"


def lowest_counts(book: Book, blocks: list[str], groups: list[str]) -> tuple[str, int, int]:
    """(group, how often, out of how many questions): the group with the lowest printed figure most often."""
    figures = book.verdicts[book.verdicts["measure"].isin(blocks) & book.verdicts["group"].isin(groups)]
    lowest = figures.loc[figures.groupby("item")["published"].idxmin(), "group"]
    counts = lowest.value_counts()
    return counts.index[0], int(counts.iloc[0]), int(figures["item"].nunique())


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    reasons, trust = figures_of(book, REASONS), figures_of(book, TRUST)
    gaps = book.derived_contrasts.reset_index()
    trust_patterns = patterns.group_patterns(gaps, measures=[TRUST])
    reason_patterns = patterns.group_patterns(gaps, measures=[REASONS])
    group, times, questions = lowest_counts(book, [REASONS, TRUST], TABLE_GROUPS[1:])
    low, high = derived.DEFF_RANGE
    consent = book.verdicts.loc[["P01", "P02", "P03"]]
    sizes = book.sizes.set_index("group")["size"]
    group_reasons = reasons[reasons["group"] != "all"]
    judged = book.verdicts[book.verdicts["measure"].isin(book.codebook.judged_blocks)]
    black_alt_n, _ = black_other_reading(book)
    return [
        book.derived_fact("reasons_all", int(count(reasons[reasons["group"] == "all"], "consensus")), "design effect 2",
                          "count"),
        book.derived_fact("reasons_consensus", count(group_reasons, "consensus"), "design effect 2", "count"),
        book.derived_fact("reasons_n", len(group_reasons), "paper, Table 2", "count"),
        book.derived_fact("trust_consensus", count(trust, "consensus"), "design effect 2", "count"),
        book.derived_fact("trust_open", count(trust, "open"), "design effect 2", "count"),
        book.derived_fact("trust_n", len(trust), "paper, Table 3", "count"),
        book.derived_fact("consent_consensus", count(consent, "consensus"), "design effect 2", "count"),
        book.derived_fact("consent_n", len(consent), "paper, text", "count"),
        book.published_fact("c01_acceptable", 100 - float(book.published.set_index("figure_id").loc["C01", "percent"]),
                            "paper, text: at most 100 minus the share finding it unacceptable"),
        book.text_fact("c01_verdict", book.verdicts.loc["C01", "verdict"], "design effect 2"),
        book.text_fact("c01_firmness", firmness(book, "C01"), "derived verdict at either end of the rounding"),
        book.text_fact("trust_below", patterns.groups_in_direction(trust_patterns, "below", book.codebook),
                       "derived contrasts on trust"),
        book.text_fact("trust_above", patterns.groups_in_direction(trust_patterns, "above", book.codebook),
                       "derived contrasts on trust"),
        book.text_fact("trust_mixed", patterns.groups_in_direction(trust_patterns, "mixed", book.codebook),
                       "derived contrasts on trust"),
        book.text_fact("reasons_below", patterns.groups_in_direction(reason_patterns, "below", book.codebook),
                       "derived contrasts on the reasons"),
        book.text_fact("lowest_group", book.codebook.name_of(group), "printed figures of Tables 2 and 3"),
        book.derived_fact("lowest_times", times, "printed figures of Tables 2 and 3", "count"),
        book.derived_fact("lowest_questions", questions, "printed figures of Tables 2 and 3", "count"),
        book.derived_fact("family_n", int(gaps["size_known"].sum()), "the family's contrasts that can be tested",
                          "count"),
        book.derived_fact("marginalised_n", int(gaps["group"].isin(MARGINALISED).sum()),
                          "contrasts for the four groups the paper calls marginalised", "count"),
        book.derived_fact("marginalised_1", int((gaps["group"].isin(MARGINALISED)
                                                 & (gaps[f"p_holm@{low:g}"] < ALPHA)).sum()),
                          "Holm over the family, design effect 1, the four groups", "count"),
        book.derived_fact("survives_up_to", survives_up_to(book), "Holm over the family, design effects 1 to 2",
                          "ratio"),
        book.derived_fact("family_held", int(gaps["holds"].sum()), "Holm, design effect 2", "count"),
        book.derived_fact("family_deff1", int((gaps[f"p_holm@{low:g}"] < ALPHA).sum()), "Holm, design effect 1",
                          "count"),
        book.derived_fact("family_bh", int((gaps[f"p_fdr_bh@{high:g}"] < ALPHA).sum()),
                          "Benjamini-Hochberg, design effect 2", "count"),
        book.text_fact("deff1_blocks", ", ".join(dict.fromkeys(
            book.codebook.blocks[m].lower() for m in gaps.loc[gaps[f"p_holm@{low:g}"] < ALPHA, "measure"])) or "none",
            "blocks of the contrasts that hold at design effect 1"),
        book.derived_fact("black_n", int(sizes["black"]), "5% of 843", "count"),
        book.derived_fact("black_alt_n", black_alt_n, "5% of the 19% minority ethnic parents", "count"),
        book.derived_fact("rounding", int(judged["depends_on_rounding"].sum()),
                          "derived verdicts at either end of the printed figures' rounding", "count"),
        book.derived_fact("deff_high", high, "this book's assumption", "ratio"),
    ]
