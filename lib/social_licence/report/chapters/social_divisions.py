"""Chapter "Social divisions in trust": trust in services (Table 3), beliefs about linked records,
commercial involvement, the family of contrasts and the higher group under both readings."""
from __future__ import annotations

import pandas as pd

from social_licence.report import derived, patterns
from social_licence.report.blocks import HIGHER, PUBLISHED_ORIGIN, publish_block
from social_licence.report.book import Book, View
from social_licence.report.chapters.common import (
    TABLE_GROUPS,
    count,
    derived_block_plot,
    figures_of,
    firmness,
    items_of,
)
from social_licence.report.contrasts import ALPHA
from social_licence.report.display import publish_table
from social_licence.report.groups import collapse_categories, rao_scott_across
from social_licence.report.plotting import glue_figure
from social_licence.report.vocabulary import word

#: the prefix of the chapter's glue keys
PREFIX = "sd"

TRUST, BELIEFS, COMMERCIAL = "trust_to_link_records", "beliefs_about_linkage", "commercial_outsourcing"
BELIEF_GROUPS = ["black", "lone_parent", "age_18_29", "household_5_plus"]
TABLE3 = "paper, Table 3"
#: ethnic groups for the test across them: only the first three rows' codes matter for the paper
ETHNIC_GROUPS = {"White British": [1], "Other White background": [2], "Black or Black British": [3],
                 "Asian, mixed or other ethnic group": [4, 5, 6]}
POLICE = "police_and_criminal_justice"


def _rao_scott_p(view: View) -> float:
    """The Rao-Scott test's p that trust in the police is the same in four ethnic groups (file)."""
    grouping = collapse_categories(view.data, "ethnic_group", ETHNIC_GROUPS, codebook=view.codebook)
    return float(rao_scott_across(view.data, POLICE, grouping, codebook=view.codebook)["p_value"].iloc[0])


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    trust = figures_of(book, TRUST)
    whole = trust[trust["group"] == "all"]
    beliefs = figures_of(book, BELIEFS)
    commercial = figures_of(book, COMMERCIAL)
    published = book.published.set_index("figure_id")["percent"]
    gaps = book.derived_contrasts
    low, high = derived.DEFF_RANGE
    trust_patterns = patterns.group_patterns(gaps.reset_index(), measures=[TRUST])
    by_group = trust_patterns.set_index("group", drop=False)
    family_held = int(gaps["holds"].sum())
    held_at_1 = gaps[f"p_holm@{low:g}"] < ALPHA
    family_deff1 = int(held_at_1.sum())
    black_police = gaps.loc["T3_21"]
    higher_table = higher_group_table(book)
    strict = derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "all")).set_index("group")
    higher = {"any_share": derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "any"))
              .set_index("group").loc[HIGHER, "share"] / 100,
              "all_upper": float(strict.loc[HIGHER, "upper"]) / derived.SAMPLE_SIZE}
    higher_reasons = higher_table[higher_table["figure_id"].str.startswith("T2")]
    higher_trust = higher_table[higher_table["figure_id"].str.startswith("T3")]
    rao_scott = book.file("rao_scott_p", _rao_scott_p, basis="respondent file, four ethnic groups", unit="p",
                          tolerance=0.05)
    return [
        book.published_fact("trust_low", float(whole["published"].min()), TABLE3),
        book.published_fact("trust_high", float(whole["published"].max()), TABLE3),
        book.published_fact("social_work", float(published["T3_01"]), TABLE3),
        book.published_fact("early_years", float(published["T3_13"]), TABLE3),
        book.published_fact("immigration", float(published["T3_25"]), TABLE3),
        book.derived_fact("trust_consensus", count(trust, "consensus"), "design effect 2", "count"),
        book.derived_fact("trust_open", count(trust, "open"), "design effect 2", "count"),
        book.derived_fact("trust_none", count(trust, "no consensus"), "design effect 2", "count"),
        book.derived_fact("trust_n", len(trust), TABLE3, "count"),
        book.text_fact("social_work_verdict", word(trust.loc["T3_01", "verdict"]), "design effect 2"),
        book.text_fact("social_work_firmness", firmness(book, "T3_01"),
                       "derived verdict at either end of the rounding"),
        book.published_fact("black_police", float(published["T3_21"]), TABLE3),
        book.published_fact("black_immigration", float(published["T3_27"]), TABLE3),
        book.derived_fact("black_police_high", 100 * float(trust.loc["T3_21", f"ci_high@{high:g}"]), "design effect 2"),
        book.derived_fact("black_police_high1", 100 * float(trust.loc["T3_21", f"ci_high@{low:g}"]), "design effect 1"),
        book.derived_fact("black_police_gap", float(black_police["gap"]), "printed figures and shares", "points"),
        book.derived_fact("black_police_p1", float(black_police[f"p_holm@{low:g}"]), "Holm, design effect 1", "p"),
        *(book.text_fact(f"trust_{name}", patterns.describe(by_group.loc[group], book.codebook, "services"),
                         "derived contrasts")
          for name, group in (("black", "black"), ("lone", "lone_parent"), ("large", "household_5_plus"))),
        book.text_fact("below_groups", patterns.groups_in_direction(trust_patterns, "below", book.codebook),
                       "derived contrasts on trust"),
        book.text_fact("above_groups", patterns.groups_in_direction(trust_patterns, "above", book.codebook),
                       "derived contrasts on trust"),
        book.derived_fact("family_n", len(gaps), "the family of contrasts", "count"),
        book.derived_fact("family_printed", int((gaps["size_known"] & (gaps["group"] != HIGHER)).sum()),
                          "contrasts for groups whose share the paper prints", "count"),
        book.derived_fact("family_higher", int((gaps["group"] == HIGHER).sum()),
                          "contrasts for the higher group, sized by the book's reading", "count"),
        book.derived_fact("family_unknown", int((~gaps["size_known"]).sum()), "contrasts for a group never sized",
                          "count"),
        book.derived_fact("family_bh", int((gaps[f"p_fdr_bh@{high:g}"] < ALPHA).sum()),
                          "Benjamini-Hochberg over the family, design effect 2", "count"),
        book.derived_fact("family_trust_1", int((held_at_1 & (gaps["measure"] == TRUST)).sum()),
                          "Holm over the family, design effect 1, trust contrasts", "count"),
        book.derived_fact("family_held", family_held, "Holm over the family, design effect 2", "count"),
        book.derived_fact("family_deff1", family_deff1, "Holm over the family, design effect 1", "count"),
        book.published_fact("b01", float(published["B01"]), "paper and blog"),
        book.published_fact("b02", float(published["B02"]), "paper and blog"),
        book.published_fact("b03", float(published["B03"]), "paper and blog"),
        book.derived_fact("beliefs_consensus", count(beliefs, "consensus"), "design effect 2", "count"),
        book.derived_fact("beliefs_n", len(beliefs), "paper and blog", "count"),
        book.text_fact("beliefs_firm", "; ".join(
            f"{book.codebook.name_of(r.group)} on “{book.codebook.name_of(r.item)}”"
            for r in beliefs[beliefs["verdict"] == "consensus"].itertuples()), "design effect 2"),
        book.published_fact("c01", float(published["C01"]), "paper"),
        book.published_fact("commercial_low", float(commercial["published"].min()), "paper"),
        book.published_fact("commercial_high", float(commercial["published"].max()), "paper"),
        book.text_fact("c01_verdict", word(commercial.loc["C01", "verdict"]), "design effect 2"),
        book.text_fact("c01_firmness", firmness(book, "C01"), "derived verdict at either end of the rounding"),
        book.derived_fact("c01_acceptable", 100 - float(published["C01"]),
                          "paper, text: at most 100 minus the share finding it unacceptable"),
        book.derived_fact("commercial_open", count(commercial, "open"), "design effect 2", "count"),
        book.derived_fact("higher_factor", 1 / (1 - higher["any_share"]), "the higher group's lower bound", "ratio"),
        book.derived_fact("higher_factor_all", 1 / (1 - higher["all_upper"]),
                          "the higher group's upper bound, all three", "ratio"),
        book.derived_fact("higher_reasons_needed", int(higher_reasons["all_needed"].max()),
                          "settling sizes at design effect 2", "count"),
        book.derived_fact("higher_trust_unsettled", int((~higher_trust["all_settles"]).sum()),
                          "settling sizes against the stricter reading's upper bound", "count"),
        book.derived_fact("higher_trust_n", len(higher_trust), TABLE3, "count"),
        rao_scott,
        book.reading("rao_scott_reading", [rao_scott],
                     finding="Across the four ethnic groups, the Rao-Scott test of trust in the police gives "
                             "{sd_rao_scott_p}; three of the four groups are not reported in the paper.",
                     shows="whether trust in the police to link records differs across four ethnic groups, three "
                           "of which the paper never reports"),
    ]


def publish_tables(book: Book):
    """Table 3, the beliefs and the commercial question in the paper's layout; returns the CSV links."""
    trust = publish_block(book, "tbl-sd-trust", items_of(book, TRUST), TABLE_GROUPS,
                          "Trust in organisations to join up records to identify families for targeted services "
                          "(the paper's Table 3)")
    beliefs = publish_block(book, "tbl-sd-beliefs", items_of(book, BELIEFS), BELIEF_GROUPS,
                            "Beliefs about linked records, for the four groups the paper reports (it prints no "
                            "figure for all parents): the counted answer is disagreeing that linked records are "
                            "factual and unbiased, and agreeing with the other two statements")
    commercial = publish_block(book, "tbl-sd-commercial", items_of(book, COMMERCIAL), TABLE_GROUPS,
                               "Finding it unacceptable for commercial companies to use algorithms to target services "
                               "(the paper's text): a consensus here withholds licence")
    return [*trust, *beliefs, *commercial]


def contrast_summary(book: Book) -> pd.DataFrame:
    """Per group and block of the family: how many contrasts point below and above the rest, and
    how many hold after Holm at each end of the design-effect range."""
    gaps = book.derived_contrasts.reset_index()
    rows = []
    for group in dict.fromkeys(gaps["group"]):
        part = gaps[(gaps["group"] == group) & gaps["size_known"]]
        if part.empty:
            continue
        rows.append({"group": group, "contrasts": len(part), "below": int((part["gap"] < 0).sum()),
                     "above": int((part["gap"] > 0).sum()), "hold_at_2": int(part["holds"].sum()),
                     "hold_at_1": int((part[f"p_holm@{derived.DEFF_RANGE[0]:g}"] < ALPHA).sum())})
    return pd.DataFrame(rows)


def publish_contrasts(book: Book):
    """The family of contrasts summarised by group; the full family as a download."""
    summary = contrast_summary(book)
    low, high = derived.DEFF_RANGE
    shown = pd.DataFrame({
        "Group": [book.codebook.short_name_of(g) for g in summary["group"]],
        "Contrasts": summary["contrasts"].astype(str), "Below the rest": summary["below"].astype(str),
        "Above the rest": summary["above"].astype(str),
        f"Hold (Holm), design effect {low:g}": summary["hold_at_1"].astype(str),
        f"Hold (Holm), design effect {high:g}": summary["hold_at_2"].astype(str)})
    family = book.derived_contrasts.reset_index()
    caption = ("The family of contrasts, each published group figure against the rest of the sample, from the "
               "published figures and printed group shares: by group, how many of its gaps point below and above the "
               "rest (a group printed at the whole sample's figure is level, neither) and how many hold after Holm's "
               "adjustment over the whole family (the download lists every contrast with its gap and its unadjusted, "
               "Holm and Benjamini-Hochberg p at both design effects; the higher group is sized by this book's "
               "reading, and the group that cannot be sized is left out here)")
    return publish_table("tbl-sd-contrasts", shown, family, caption, PUBLISHED_ORIGIN)


def _gap_range(difference: float, low_share: float | None, high_share: float | None) -> str:
    """The gap to the rest, (P_group - P_all) / (1 - s), over the shares a reading allows."""
    if difference == 0:
        return "0"
    near = difference / (1 - (low_share or 0.0))
    if high_share is None or high_share >= 1:
        return f"{near:+.0f} or more" if difference > 0 else f"{near:+.0f} or less"
    far = difference / (1 - high_share)
    return f"{near:+.0f} to {far:+.0f}"


def higher_group_table(book: Book) -> pd.DataFrame:
    """The higher group's figures under both readings: its derived verdict and gap to the rest
    under "any one of" the markers, and under "all three" the parents a verdict would need."""
    any_sizes = derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "any")).set_index("group")
    all_sizes = derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "all")).set_index("group")
    any_share = any_sizes.loc[HIGHER, "share"] / 100
    all_upper = all_sizes.loc[HIGHER, "upper"]
    figures = book.verdicts[book.verdicts["group"] == HIGHER]
    family = book.derived_contrasts
    deff = derived.DEFF_RANGE[-1]
    rows = []
    for figure_id, row in figures.iterrows():
        needed = derived.settling_size(row["published"], int(row["k"]), deff)
        difference = float(family.loc[figure_id, "published"] - family.loc[figure_id, "published_all"])
        rows.append({"figure_id": figure_id, "item": row["item"], "published": row["published"],
                     "any_low": row[f"ci_low@{deff:g}"], "any_high": row[f"ci_high@{deff:g}"],
                     "any_verdict": row["verdict"], "all_needed": needed,
                     "all_settles": needed is not None and needed <= all_upper,
                     "gap_any": _gap_range(difference, any_share, None),
                     "gap_all": _gap_range(difference, 0.0, all_upper / derived.SAMPLE_SIZE)})
    return pd.DataFrame(rows)


def publish_higher_group(book: Book):
    """The higher group under both readings, as a table."""
    table = higher_group_table(book)
    upper = int(derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "all"))
                .set_index("group").loc[HIGHER, "upper"])
    shown = pd.DataFrame({
        "Question": [book.codebook.name_of(i) for i in table["item"]],
        "Printed %": [f"{p:g}" for p in table["published"]],
        "Any one: interval, verdict": [f"{100 * lo:.0f}–{100 * hi:.0f}, {word(v)}" for lo, hi, v in
                                       zip(table["any_low"], table["any_high"], table["any_verdict"])],
        "All three: parents a verdict needs": [f"{n}" if ok else f"more than {upper}"
                                               for n, ok in zip(table["all_needed"], table["all_settles"])],
        "Gap to the rest, any one (points)": table["gap_any"],
        "Gap to the rest, all three (points)": table["gap_all"],
    })
    caption = ("The higher occupation, qualification or income group under both readings, from the published figures: "
               "read as any one of the three markers (at least the 50% with a degree, so at least 422 parents), its "
               "derived interval and verdict at a design effect of 2; read as all three (at most the 35% with an "
               f"income over £3,700, {upper} parents, and no printed lower bound), the fewest parents its verdict "
               "would need; and its gap to the rest of the sample under each reading, (P_group − P_all) / (1 − s) "
               "over the shares s the reading allows")
    return publish_table("tbl-sd-higher", shown, table, caption, PUBLISHED_ORIGIN, css_class="results")


def publish_figure(book: Book) -> None:
    """Trust in services by group: published percentages with their derived intervals."""
    glue_figure("sd_trust_plot", derived_block_plot(book, TRUST, TABLE_GROUPS, "Parents trusting the service"))
