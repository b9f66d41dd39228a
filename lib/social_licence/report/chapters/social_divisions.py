"""Chapter "Social divisions in trust": trust in services (the paper's Table 3), beliefs about linked
records, commercial involvement, the family of comparisons and the higher group under both
readings, presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.contrasts import PROCEDURE_NAMES
from social_licence.analysis.derived import deffs_of
from social_licence.report.blocks import PUBLISHED_ORIGIN, derived_figure, derived_table, file_table
from social_licence.report.display import p_value
from social_licence.report.page import Page
from social_licence.report.sentences import (
    confirmation,
    figure_verdict,
    group_list,
    held_phrase,
    how_many,
    in_sentence,
    p_text,
)
from social_licence.report.vocabulary import word

#: the prefix of the chapter's glue keys
PREFIX = "sd"

TRUST, BELIEFS, COMMERCIAL = "trust_to_link_records", "beliefs_about_linkage", "commercial_outsourcing"
TABLE_GROUPS = ["all", "higher_occupation_qualification_income", "black", "lone_parent", "age_18_29",
                "household_5_plus"]
BELIEF_GROUPS = ["black", "lone_parent", "age_18_29", "household_5_plus"]
#: the groups the paper calls marginalised, in its order
MARGINALISED = ["black", "lone_parent", "age_18_29", "household_5_plus"]
TABLE3 = "paper, Table 3"
TITLES = {
    TRUST: "Trust in organisations to join up records (the paper's Table 3)",
    BELIEFS: "Beliefs about linked records, four groups (no figure for all parents)",
    COMMERCIAL: "Companies using algorithms to target services, found unacceptable (the paper's text)",
}


def publish_blocks(page: Page, verdicts: pd.DataFrame, file_verdicts: pd.DataFrame, sizes: pd.DataFrame) -> None:
    """Tables 3, the beliefs and the commercial question (derived, and from the file with its group
    ``sizes``, as released), the trust figure, and their facts."""
    for block, groups in ((TRUST, TABLE_GROUPS), (BELIEFS, BELIEF_GROUPS), (COMMERCIAL, TABLE_GROUPS)):
        items = list(dict.fromkeys(verdicts.loc[verdicts["measure"] == block, "item"]))
        name = {TRUST: "tbl-sd-trust", BELIEFS: "tbl-sd-beliefs", COMMERCIAL: "tbl-sd-commercial"}[block]
        derived_table(page, verdicts, name=name, items=items, groups=groups, title=TITLES[block])
        file_table(page, file_verdicts, sizes, name=f"{name}-file", items=items, groups=groups, title=TITLES[block])
    trust_items = list(dict.fromkeys(verdicts.loc[verdicts["measure"] == TRUST, "item"]))
    derived_figure(page, verdicts, name="sd_trust_plot", items=trust_items, groups=TABLE_GROUPS,
                   measured="Parents trusting the service (%)")
    deff = deffs_of(verdicts)[-1]
    basis = f"printed shares of 843, design effect {deff:g}"
    figures = verdicts.set_index("figure_id")
    trust = verdicts[verdicts["measure"] == TRUST]
    whole = trust[trust["group"] == "all"]
    beliefs = verdicts[verdicts["measure"] == BELIEFS]
    commercial = verdicts[verdicts["measure"] == COMMERCIAL]
    black = verdicts[verdicts["group"] == "black"]
    black_reasons = black[black["measure"] == "acceptability_of_reason"]
    large = trust[trust["group"] == "household_5_plus"].set_index("item")["published"]
    page.glue_facts([
        page.published("trust_low", float(whole["published"].min()), TABLE3),
        page.published("trust_high", float(whole["published"].max()), TABLE3),
        page.published("social_work", float(figures.loc["T3_01", "published"]), TABLE3),
        page.published("early_years", float(figures.loc["T3_13", "published"]), TABLE3),
        page.published("immigration", float(figures.loc["T3_25", "published"]), TABLE3),
        page.published("black_police", float(figures.loc["T3_21", "published"]), TABLE3),
        page.published("black_immigration", float(figures.loc["T3_27", "published"]), TABLE3),
        page.published("trust_n", len(trust), TABLE3, "count"),
        page.derived("trust_consensus", int((trust["verdict"] == "consensus").sum()), basis, "count"),
        page.derived("trust_open", int((trust["verdict"] == "open").sum()), basis, "count"),
        page.derived("trust_none", int((trust["verdict"] == "no consensus").sum()), basis, "count"),
        page.text("social_work_verdict", word(figures.loc["T3_01", "verdict"]), basis),
        page.text("social_work_fragile", "fragile: it would not hold had the printed figure been rounded up from just "
                  "below" if figures.loc["T3_01", "depends_on_rounding"] else "firm", basis),
        page.derived("black_police_high", 100 * float(figures.loc["T3_21", f"ci_high@{deff:g}"]), basis),
        page.published("b01", float(figures.loc["B01", "published"]), "paper and blog"),
        page.published("b02", float(figures.loc["B02", "published"]), "paper and blog"),
        page.published("b03", float(figures.loc["B03", "published"]), "paper and blog"),
        page.published("beliefs_n", len(beliefs), "paper and blog", "count"),
        page.derived("beliefs_consensus", int((beliefs["verdict"] == "consensus").sum()), basis, "count"),
        page.text("beliefs_firm", "; ".join(f"{in_sentence(page.codebook.name_of(r.group))} on “{page.codebook.counted_label(r.item)}”"
                                            for r in beliefs[beliefs["verdict"] == "consensus"].itertuples()), basis),
        page.published("c01", float(figures.loc["C01", "published"]), "paper, text"),
        page.derived("c01_acceptable", 100 - float(figures.loc["C01", "published"]),
                     "paper, text: at most 100 minus the share finding it unacceptable"),
        page.text("c01_verdict", figure_verdict(figures.loc["C01"]), basis),
        page.published("commercial_low", float(commercial["published"].min()), "paper, text"),
        page.published("commercial_high", float(commercial["published"].max()), "paper, text"),
        page.derived("commercial_open", int((commercial["verdict"] == "open").sum()), basis, "count"),
        page.published("black_abuse", float(figures.loc["T2_21", "published"]), "paper, Table 2"),
        page.text("black_abuse_verdict", word(figures.loc["T2_21", "verdict"]), basis),
        page.published("black_reasons_low", float(black_reasons["published"].min()), "paper, Table 2"),
        page.text("large_at_or_above", how_many(int((large >= whole.set_index("item")["published"]).sum()),
                                                len(large), "services"),
                  "paper, Table 3: households of 5+ against all parents"),
    ])


def contrast_summary(family: pd.DataFrame, deffs) -> pd.DataFrame:
    """Per group of the family: contrasts, how many point below and above the rest, and how many
    hold under each procedure at each end of the design-effect range."""
    alpha = float(family["alpha"].iloc[0])
    rows = []
    for group, part in family[family["size_known"]].groupby("group", sort=False):
        rows.append({"group": group, "contrasts": len(part), "below": int((part["gap"] < 0).sum()),
                     "above": int((part["gap"] > 0).sum()),
                     **{f"{procedure}@{d:g}": int((part[f"p_{procedure}@{d:g}"] < alpha).sum())
                        for procedure in PROCEDURE_NAMES for d in deffs}})
    return pd.DataFrame(rows)


def publish_contrasts(page: Page, family: pd.DataFrame, patterns: pd.DataFrame) -> None:
    """The family summarised by group, the pattern tests, and their facts (every count under both
    procedures at both ends of the design-effect range)."""
    deffs = [float(d) for d in family["deffs"].iloc[0].split(" to ")]
    low, high = f"{deffs[0]:g}", f"{deffs[-1]:g}"
    summary = contrast_summary(family, deffs)
    shown = pd.DataFrame({
        "Group": [page.codebook.short_name_of(g) for g in summary["group"]],
        "Contrasts": summary["contrasts"].astype(str), "Below the rest": summary["below"].astype(str),
        "Above the rest": summary["above"].astype(str),
        **{f"Hold, {name}, design effect {d:g}": summary[f"{p}@{d:g}"].astype(str)
           for p, name in PROCEDURE_NAMES.items() for d in deffs}})
    page.table("tbl-sd-contrasts", shown, family,
               "Each published group against the rest of the sample: how many gaps point below and above the rest, "
               "and how many hold after each adjustment at each design effect (every contrast in the download)",
               origin=PUBLISHED_ORIGIN, evidence="derived", css_class="results")
    chosen = patterns[patterns["group"].isin(MARGINALISED + ["higher_occupation_qualification_income"])
                      & patterns["measure"].isin([TRUST, "acceptability_of_reason"])]
    block_words = {TRUST: "trust in services", "acceptability_of_reason": "reasons for linkage"}
    shown = pd.DataFrame({
        "Group: questions": [f"{page.codebook.short_name_of(g)}: {block_words[m]}"
                             for g, m in zip(chosen["group"], chosen["measure"])],
        "Below / above": [f"{b} / {a}" for b, a in zip(chosen["below"], chosen["above"])],
        "Mean gap (points)": [f"{g:+.1f}" for g in chosen["mean_gap"]],
        f"p, design effect {low}": [p_value(v) for v in chosen[f"p_value@{low}"]],
        **{f"{name}, design effect {low}": [p_value(v) for v in chosen[f"p_{p}@{low}"]]
           for p, name in PROCEDURE_NAMES.items()},
        f"p, design effect {high}": [p_value(v) for v in chosen[f"p_value@{high}"]]})
    page.table("tbl-sd-patterns", shown, patterns,
               "Patterns tested as patterns: each group's mean gap to the rest over a block, with a standard error "
               "that holds whatever the correlation between answers; p before adjustment and adjusted over every "
               "pattern test (all in the download)", origin=PUBLISHED_ORIGIN, evidence="derived", css_class="results")
    known = family[family["size_known"]]
    trust = known[known["measure"] == TRUST]
    marginal = known[known["group"].isin(MARGINALISED)]
    below = [g for g, part in trust.groupby("group", sort=False) if (part["gap"] < 0).all()]
    above = [g for g, part in trust.groupby("group", sort=False) if (part["gap"] >= 0).all()]
    black = patterns[(patterns["group"] == "black") & (patterns["measure"] == TRUST)].iloc[0]
    lone = patterns[(patterns["group"] == "lone_parent") & (patterns["measure"] == TRUST)].iloc[0]
    primary = family["primary"].iloc[0]
    basis = "the family of contrasts, adjusted once"
    awareness = known[known["measure"] == "awareness"]
    black_rows = patterns[(patterns["group"] == "black") & (patterns["measure"] == TRUST)]
    alpha = float(family["alpha"].iloc[0])
    settled = (trust[f"p_{primary}@{high}"] < alpha).any() or (black_rows[f"p_{primary}@{high}"] < alpha).any()
    page.glue_facts([
        page.derived("family_n", int(family["size_known"].sum()), "contrasts of a group with the rest that can be "
                     "tested", "count"),
        page.derived("family_all", len(family), "subgroup figures with a whole-sample figure", "count"),
        page.text("family_held", held_phrase(known, deffs), basis),
        page.text("trust_held", held_phrase(trust, deffs), basis),
        page.text("marginal_held", held_phrase(marginal, deffs), basis),
        page.derived("marginal_n", len(marginal), "contrasts for the four groups the paper calls marginalised", "count"),
        page.text("trust_below", group_list(below, page.codebook), "printed figures and shares"),
        page.text("trust_above", group_list(above, page.codebook), "printed figures and shares"),
        page.derived("black_trust_gap", abs(float(black["mean_gap"])), "mean gap over five services, below the rest",
                     "points"),
        page.text("black_trust_p", p_text(float(black[f"p_value@{low}"])), f"pattern test, design effect {low}"),
        page.text("black_trust_adjusted", p_text(float(black[f"p_{primary}@{low}"])),
                  f"pattern test, {PROCEDURE_NAMES[primary]}, design effect {low}"),
        page.derived("lone_trust_gap", abs(float(lone["mean_gap"])), "mean gap over five services, below the rest",
                     "points"),
        page.derived("pattern_n", len(patterns), "pattern tests", "count"),
        page.text("patterns_held", held_phrase(patterns, deffs), "pattern tests adjusted once"),
        page.derived("rounding_n", int(known["depends_on_rounding"].sum()), "the rounding check", "count"),
        page.text("primary", PROCEDURE_NAMES[primary], "the multiplicity assumption"),
        page.text("awareness_confirmation", confirmation(awareness, deffs, primary, "gap"), basis),
        page.text("trust_confirmation", confirmation(trust, deffs, primary, "gap"), basis),
        page.text("black_trust_confirmation", confirmation(black_rows, deffs, primary, "average gap"),
                  "pattern tests adjusted once"),
        page.text("trust_conclusion", "Some of the divisions in trust hold up even under the book's headline check"
                  if settled else "The divisions in trust are a pattern in the printed figures that the survey, at its "
                  "size, can neither confirm nor rule out", basis),
        page.derived("alpha", 100 * float(family["alpha"].iloc[0]), "1 - level (the confidence level assumed)"),
    ])


def publish_higher(page: Page, readings: pd.DataFrame) -> None:
    """The higher group under both readings (``readings``:
    :func:`social_licence.analysis.derived.higher_readings`), as a table and its facts."""
    upper = int(readings["all_upper"].iloc[0])
    shown = pd.DataFrame({
        "Question": [page.codebook.counted_label(i) for i in readings["item"]],
        "Printed %": [f"{p:g}" for p in readings["published"]],
        "Any one: interval, verdict": [f"{100 * lo:.0f}–{100 * hi:.0f}, {word(v)}" for lo, hi, v in
                                       zip(readings["any_low"], readings["any_high"], readings["any_verdict"])],
        "All three: parents a verdict needs": [f"{n}" if ok else f"more than {upper}"
                                               for n, ok in zip(readings["all_needed"], readings["all_settles"])],
        "Gap, any one (points)": [f"{g:+.0f} or more" if g > 0 else f"{g:+.0f} or less" if g < 0 else "0"
                                  for g in readings["gap_any_low"]],
        "Gap, all three (points)": [f"{d:+.0f} to {g:+.0f}" if d else "0"
                                    for d, g in zip(readings["difference"], readings["gap_all_high"])],
    })
    page.table("tbl-sd-higher", shown, readings,
               f"The higher group under both readings: as any one of its three markers (at least "
               f"{int(readings['any_size'].iloc[0])} parents), its "
               f"interval and verdict; as all three (at most {upper}), the fewest parents a verdict would need; and its "
               "gap to the rest under each", origin=PUBLISHED_ORIGIN, evidence="derived", css_class="results")
    reasons = readings[readings["figure_id"].str.startswith("T2")]
    trust = readings[readings["figure_id"].str.startswith("T3")]
    page.glue_facts([
        page.derived("higher_reasons_needed", int(reasons["all_needed"].max()), "settling sizes", "count"),
        page.derived("higher_trust_unsettled", int((~trust["all_settles"]).sum()), "settling sizes against the upper "
                     "bound of the all-three reading", "count"),
        page.derived("higher_trust_n", len(trust), TABLE3, "count"),
        page.derived("higher_upper", upper, "the smallest of the three printed shares", "count"),
    ])
