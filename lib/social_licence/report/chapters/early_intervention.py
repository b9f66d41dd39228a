"""Chapter "Data linkage for early intervention": the four reasons for linking records (the paper's
Table 2), presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.derived import deffs_of
from social_licence.report.blocks import derived_figure, derived_table, file_table
from social_licence.report.page import Page
from social_licence.report.sentences import confirmation, figure_list, held_phrase, how_many, p_text

#: the prefix of the chapter's glue keys
PREFIX = "ei"

BLOCK = "acceptability_of_reason"
#: the groups of the paper's Table 2, in its order
TABLE2_GROUPS = ["all", "higher_occupation_qualification_income", "black", "lone_parent", "age_18_29",
                 "household_5_plus"]
TABLE2 = "paper, Table 2"
TITLE = "Reasons for joining up records, found acceptable (the paper's Table 2)"


def publish_reasons(page: Page, verdicts: pd.DataFrame, file_verdicts: pd.DataFrame, sizes: pd.DataFrame) -> None:
    """The reasons' table, figure and facts: ``verdicts`` from :func:`social_licence.analysis.derived.verdicts`,
    ``file_verdicts`` the same figures recomputed from the respondent file as the disclosure rules
    release them, with their consensus check, and ``sizes`` the file's group sizes as released."""
    items = list(dict.fromkeys(verdicts["item"]))
    derived_table(page, verdicts, name="tbl-ei-reasons", items=items, groups=TABLE2_GROUPS, title=TITLE)
    file_table(page, file_verdicts, sizes, name="tbl-ei-reasons-file", items=items, groups=TABLE2_GROUPS,
               title=TITLE)
    derived_figure(page, verdicts, name="ei_reasons_plot", items=items, groups=TABLE2_GROUPS,
                   measured="Parents finding the reason acceptable (%)")
    deff = deffs_of(verdicts)[-1]
    whole, groups = verdicts[verdicts["group"] == "all"], verdicts[verdicts["group"] != "all"]
    black = verdicts[verdicts["group"] == "black"]
    basis = f"printed shares of 843, design effect {deff:g}"
    page.glue_facts([
        page.threshold("threshold", 100 * float(verdicts["threshold"].iloc[0])),
        page.published("all_low", float(whole["published"].min()), TABLE2),
        page.published("all_high", float(whole["published"].max()), TABLE2),
        page.published("group_low", float(groups["published"].min()), TABLE2),
        page.published("black_low", float(black["published"].min()), TABLE2),
        page.published("black_high", float(black["published"].max()), TABLE2),
        page.derived("all_lowest_limit", 100 * float(whole[f"ci_low@{deff:g}"].min()), basis),
        page.published("n_group_figures", len(groups), TABLE2, "count"),
        page.derived("n_consensus", int((groups["verdict"] == "consensus").sum()), basis, "count"),
        page.derived("n_open", int((groups["verdict"] == "open").sum()), basis, "count"),
        page.text("open_list", figure_list(groups[groups["verdict"] == "open"], page.codebook), basis),
        page.derived("black_size", int(black["size"].iloc[0]), "printed share of 843 (this book's reading)", "count"),
    ])


def publish_contrasts(page: Page, family: pd.DataFrame, patterns: pd.DataFrame) -> None:
    """The facts about the reasons' gaps between groups: ``family`` and ``patterns`` from
    :mod:`social_licence.analysis.contrasts` (the whole family, adjusted once)."""
    deffs = [float(d) for d in family["deffs"].iloc[0].split(" to ")]
    gaps = family[(family["measure"] == BLOCK) & family["size_known"]]
    black = gaps[gaps["group"] == "black"]
    widest = gaps.loc[gaps["gap"].abs().idxmax()]
    pattern = patterns[(patterns["group"] == "black") & (patterns["measure"] == BLOCK)].iloc[0]
    primary = family["primary"].iloc[0]
    low = f"{deffs[0]:g}"
    basis = "printed figures and shares"
    page.glue_facts([
        page.text("black_below", how_many(int((black["gap"] < 0).sum()), len(black), "reasons"), basis),
        page.derived("black_mean_gap", abs(float(pattern["mean_gap"])), f"{basis}: below the rest", "points"),
        page.derived("widest_gap", float(widest["gap"]), basis, "points"),
        page.text("widest_group", page.codebook.name_of(widest["group"]), basis),
        page.text("widest_item", page.codebook.counted_label(widest["item"]), basis),
        page.derived("family_n", int(family["size_known"].sum()), "contrasts of a group with the rest that can be "
                     "tested", "count"),
        page.derived("n_gaps", len(gaps), f"{TABLE2}, groups of known size", "count"),
        page.text("gaps_held", held_phrase(gaps, deffs), "the family's adjusted p-values"),
        page.derived("gaps_rounding", int(gaps["depends_on_rounding"].sum()), "the rounding check", "count"),
        page.text("black_pattern_p", p_text(float(pattern[f"p_value@{low}"])), f"pattern test, design effect {low}"),
        page.text("black_pattern_adjusted", p_text(float(pattern[f"p_{primary}@{low}"])),
                  f"pattern test adjusted over all pattern tests, design effect {low}"),
        page.derived("pattern_n", len(patterns), "pattern tests of a group's mean gap over a block", "count"),
        page.text("black_gaps_confirmation", confirmation(black, deffs, primary, "gap"),
                  "the family's adjusted p-values"),
        page.text("black_pattern_confirmation", confirmation(patterns.loc[[pattern.name]], deffs, primary,
                                                             "average gap"), "the pattern tests' adjusted p-values"),
    ])
