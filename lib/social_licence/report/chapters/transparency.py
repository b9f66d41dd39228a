"""Chapter "Transparency and consent": awareness (Table 1), understanding, publicity and permission."""
from __future__ import annotations

from social_licence.report import derived
from social_licence.report.blocks import publish_block
from social_licence.report.book import Book
from social_licence.report.chapters.common import derived_block_plot, figures_of, items_of, survives_up_to
from social_licence.report.contrasts import derived_pair
from social_licence.report.plotting import glue_figure
from social_licence.survey.consensus import consensus_threshold

#: the prefix of the chapter's glue keys
PREFIX = "tc"

AWARENESS, CONSENT = "awareness", "transparency"
TABLE1 = "paper, Table 1 and text"
TEXT = "paper, \"Transparency about data linkage\""
#: the groups of the paper's Table 1, in its order
TABLE1_GROUPS = ["all", "black", "white_british", "nssec_managerial_professional", "nssec_semi_routine_routine",
                 "degree_or_above", "no_qualifications", "income_over_3700", "income_under_1200"]
CONSENT_GROUPS = ["all", "black", "lone_parent"]


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    aware = figures_of(book, AWARENESS)
    consent = figures_of(book, CONSENT)
    published = book.published.set_index("figure_id")["percent"]
    deff_low, deff_high = derived.DEFF_RANGE
    gaps = book.derived_contrasts
    gradient = gaps[(gaps["measure"] == AWARENESS) & gaps["size_known"]]
    depends = gradient[gradient["depends_on_deff"]]
    strongest = gradient.loc[gradient[f"p_holm@{deff_low:g}"].idxmin()]
    consent_gaps = gaps.loc[["P04", "P05"]]
    linkable = aware[aware["item"] == "records_linkable"]
    highest = linkable.loc[linkable["published"].idxmax()]
    black_white = {d: derived_pair(book.published, book.sizes, "T1_09", "T1_10", d) for d in derived.DEFF_RANGE}
    return [
        book.published_fact("threshold2", 100 * consensus_threshold(2), "paper, consensus baseline"),
        book.published_fact("threshold3", 100 * consensus_threshold(3), "paper, consensus baseline"),
        book.published_fact("a01", float(published["A01"]), TEXT),
        book.published_fact("a02", float(published["A02"]), TEXT),
        book.derived_fact("a02_high", 100 * float(aware.loc["A02", f"ci_high@{deff_high:g}"]),
                          "printed sample of 843, design effect 2"),
        book.published_fact("link_max", float(highest["published"]), TABLE1),
        book.text_fact("link_max_group", book.codebook.name_of(highest["group"]), TABLE1),
        book.derived_fact("link_max_high", 100 * float(highest[f"ci_high@{deff_high:g}"]), "design effect 2"),
        book.published_fact("noqual_link", float(published["T1_14"]), TABLE1),
        book.published_fact("degree_link", float(published["T1_13"]), TABLE1),
        book.published_fact("black_link", float(published["T1_09"]), TABLE1),
        book.published_fact("white_link", float(published["T1_10"]), TABLE1),
        book.derived_fact("n_gradient", len(gradient), "contrasts of Table 1 with a printed group size", "count"),
        book.derived_fact("gradient_deff1", len(depends), "Holm over the family, design effect 1", "count"),
        book.derived_fact("gradient_hold", int(gradient["holds"].sum()), "Holm over the family, design effect 2",
                          "count"),
        book.text_fact("gradient_groups", "; ".join(dict.fromkeys(book.codebook.name_of(g) for g in depends["group"])),
                       "derived contrasts that hold at design effect 1"),
        book.derived_fact("strongest_gap", float(strongest["gap"]), "printed figures and shares", "points"),
        book.derived_fact("strongest_p1", float(strongest[f"p_holm@{deff_low:g}"]), "Holm, design effect 1", "p"),
        book.derived_fact("strongest_p2", float(strongest[f"p_holm@{deff_high:g}"]), "Holm, design effect 2", "p"),
        book.derived_fact("survives_up_to", survives_up_to(book), "Holm over the family, design effects 1 to 2",
                          "ratio"),
        book.text_fact("strongest_label", f"{book.codebook.name_of(strongest['group'])} knowing that "
                       f"{'records are collected' if strongest['item'] == 'records_collected' else 'records can be linked'}",
                       "printed figures and shares"),
        book.derived_fact("black_n", int(book.sizes.set_index("group").loc["black", "size"]), "5% of 843", "count"),
        book.derived_fact("bw_gap", black_white[deff_low]["gap"], "printed figures, Table 1", "points"),
        book.derived_fact("bw_p1", black_white[deff_low]["p_value"], "printed shares, design effect 1, unadjusted",
                          "p"),
        book.derived_fact("bw_p2", black_white[deff_high]["p_value"], "printed shares, design effect 2, unadjusted",
                          "p"),
        book.published_fact("p01", float(published["P01"]), TEXT),
        book.published_fact("p02", float(published["P02"]), TEXT),
        book.published_fact("p03", float(published["P03"]), TEXT),
        book.published_fact("p04", float(published["P04"]), TEXT),
        book.published_fact("p05", float(published["P05"]), TEXT),
        book.derived_fact("p03_low", 100 * float(consent.loc["P03", f"ci_low@{deff_high:g}"]), "design effect 2"),
        book.derived_fact("p04_low", 100 * float(consent.loc["P04", f"ci_low@{deff_high:g}"]), "design effect 2"),
        book.derived_fact("p05_low", 100 * float(consent.loc["P05", f"ci_low@{deff_high:g}"]), "design effect 2"),
        book.derived_fact("p04_gap", float(consent_gaps.loc["P04", "gap"]), "printed figures and shares", "points"),
        book.derived_fact("p05_gap", float(consent_gaps.loc["P05", "gap"]), "printed figures and shares", "points"),
        book.derived_fact("consent_p", float(consent_gaps[f"p_holm@{deff_low:g}"].min()), "Holm, design effect 1", "p"),
        book.text_fact("permission_supportive", book.codebook.items["parents_should_be_asked_permission"].supportive,
                       "codebook: the answer that favours linkage"),
    ]


def publish_tables(book: Book):
    """Awareness (Table 1, turned round) and understanding, publicity and permission; CSV links."""
    awareness = publish_block(book, "tbl-tc-awareness", items_of(book, AWARENESS), TABLE1_GROUPS,
                              "Awareness that records are kept digitally and can be joined up (the paper's Table 1 "
                              "and its text); the paper reports these as shares and does not judge them against "
                              "the 75% threshold", judged=False, groups_in_rows=True)
    consent = publish_block(book, "tbl-tc-consent", items_of(book, CONSENT), CONSENT_GROUPS,
                            "Understanding, publicity and permission (the paper's text): the counted answer is "
                            "disagreeing that families understand how their records are used, and agreeing with "
                            "the other two statements")
    return [*awareness, *consent]


def publish_figure(book: Book) -> None:
    """Awareness by group: published percentages with their derived intervals (the paper does not
    judge awareness against a threshold, so none is drawn)."""
    glue_figure("tc_awareness_plot",
                derived_block_plot(book, AWARENESS, TABLE1_GROUPS, "Parents who knew", threshold=False))
