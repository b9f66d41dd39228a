"""Chapter "Data linkage for early intervention": the four reasons for linking records (Table 2)."""
from __future__ import annotations

from social_licence.report import derived
from social_licence.report.blocks import HIGHER, publish_block
from social_licence.report.book import Book
from social_licence.report.chapters.common import (
    TABLE_GROUPS,
    count,
    derived_block_plot,
    figures_of,
    items_of,
    listing,
)
from social_licence.report.patterns import in_sentence
from social_licence.report.plotting import glue_figure
from social_licence.survey.consensus import consensus_threshold

#: the prefix of the chapter's glue keys
PREFIX = "ei"

BLOCK = "acceptability_of_reason"
TABLE2 = "paper, Table 2"


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    figures = figures_of(book, BLOCK)
    whole = figures[figures["group"] == "all"]
    deff = derived.DEFF_RANGE[-1]
    black = figures[figures["group"] == "black"]
    sizes = book.sizes.set_index("group")["size"]
    gaps = book.derived_contrasts[book.derived_contrasts["measure"] == BLOCK]
    widest = gaps.loc[gaps["gap"].abs().idxmax()]

    def agree(view) -> float:
        """How many of the block's figures the file's own intervals judge as the derived analysis does."""
        return float((view.estimates.loc[figures.index, "verdict"] == figures["verdict"]).sum())

    recomputed = book.file("all_identify_file", lambda view: 100 * float(view.estimates.loc["T2_01", "estimate"]),
                           basis="respondent file, weighted", unit="percent", tolerance=1.0)
    agreeing = book.file("file_agrees", agree, basis="respondent file's intervals against the derived verdicts",
                         unit="count", tolerance=0)
    return [
        book.published_fact("threshold", 100 * consensus_threshold(3), "paper, consensus baseline for three options"),
        book.published_fact("all_low", float(whole["published"].min()), TABLE2),
        book.published_fact("all_high", float(whole["published"].max()), TABLE2),
        book.derived_fact("all_lowest_limit", 100 * float(whole[f"ci_low@{deff:g}"].min()),
                          "printed sample of 843, design effect 2"),
        book.published_fact("n_figures", len(figures), TABLE2, "count"),
        book.derived_fact("n_consensus", count(figures, "consensus"), "printed shares, design effect 2", "count"),
        book.derived_fact("n_open", count(figures, "open"), "printed shares, design effect 2", "count"),
        book.text_fact("open_list", listing(book, figures[figures["verdict"] == "open"].reset_index()),
                       "derived verdicts at design effect 2"),
        book.published_fact("black_low", float(black["published"].min()), TABLE2),
        book.published_fact("black_high", float(black["published"].max()), TABLE2),
        book.derived_fact("black_size", int(sizes["black"]), "5% of 843 (paper, \"Our survey\")", "count"),
        book.derived_fact("n_gaps", len(gaps), "the family of contrasts, Table 2", "count"),
        book.derived_fact("gaps_hold", int(gaps["holds"].sum()), "Holm over the family, design effect 2", "count"),
        book.derived_fact("gaps_deff1", int(gaps["depends_on_deff"].sum()), "Holm over the family, design effect 1",
                          "count"),
        book.text_fact("deff1_list", gap_listing(book, gaps[gaps["depends_on_deff"]]),
                       "Holm over the family, design effect 1"),
        book.derived_fact("widest_gap", float(widest["gap"]), "printed figures and shares", "points"),
        book.text_fact("widest_group", book.codebook.name_of(widest["group"]), "printed figures and shares"),
        book.text_fact("widest_item", book.codebook.name_of(widest["item"]), "printed figures and shares"),
        book.derived_fact("widest_p", float(widest[f"p_holm@{derived.DEFF_RANGE[0]:g}"]),
                          "Holm over the family, design effect 1", "p"),
        recomputed, agreeing,
        book.reading("file_reading", [recomputed, agreeing],
                     finding=("Recomputed from the survey's own responses and weights, {ei_all_identify_file} of all "
                              "parents found it acceptable to join up records to identify families who may need "
                              "support, and the file's own intervals give the same verdict as the published "
                              "figures for {ei_file_agrees} of the table's figures."),
                     shows="whether the survey's own responses and weights give the verdicts that the published "
                           "figures give"),
    ]


def gap_listing(book: Book, gaps) -> str:
    """'the higher occupation, qualification or income group on “Identify children at risk of abuse”
    (+8 points, under this book's reading of the group)' for contrasts of the family, or 'none'."""
    parts = []
    for row in gaps.itertuples():
        name = in_sentence(book.codebook.name_of(row.group))
        name, reading = (f"the {name} group", ", under this book's reading of the group") if row.group == HIGHER \
            else (name, "")
        parts.append(f"{name} on “{book.codebook.name_of(row.item)}” ({row.gap:+.0f} points{reading})")
    return "; ".join(parts) or "none"


def publish_tables(book: Book):
    """Table 2 in the paper's layout, derived and from the respondent file; returns the CSV links."""
    return publish_block(book, "tbl-ei-reasons", items_of(book, BLOCK), TABLE_GROUPS,
                         "Acceptability of four reasons for joining up families' records (the paper's Table 2)")


def publish_figure(book: Book) -> None:
    """The reasons by group: published percentages with their derived intervals."""
    glue_figure("ei_reasons_plot",
                derived_block_plot(book, BLOCK, TABLE_GROUPS, "Parents finding the reason acceptable"))
