"""Chapter "Transparency and consent": awareness (the paper's Table 1), understanding, publicity and
permission, presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.derived import deffs_of
from social_licence.report.blocks import derived_figure, derived_table, file_table
from social_licence.report.page import Page
from social_licence.report.sentences import confirmation, held_phrase, p_text, series
from social_licence.report.vocabulary import word

#: the prefix of the chapter's glue keys
PREFIX = "tc"

AWARENESS, CONSENT = "awareness", "transparency"
TABLE1 = "paper, Table 1 and text"
TEXT = "paper, \"Transparency about data linkage\""
#: the groups of the paper's Table 1, in its order
TABLE1_GROUPS = ["all", "black", "white_british", "nssec_managerial_professional", "nssec_semi_routine_routine",
                 "degree_or_above", "no_qualifications", "income_over_3700", "income_under_1200"]
CONSENT_GROUPS = ["all", "black", "lone_parent"]


def publish_awareness(page: Page, intervals: pd.DataFrame, file_estimates: pd.DataFrame, sizes: pd.DataFrame) -> None:
    """Awareness (Table 1, turned round): the derived ``intervals`` (the paper judges no verdict
    here) and the same figures from the respondent file with its group ``sizes``, as released."""
    items = list(dict.fromkeys(intervals["item"]))
    title = "Knowing that records are kept digitally and that they can be joined up (the paper's Table 1 and text)"
    derived_table(page, intervals, name="tbl-tc-awareness", items=items, groups=TABLE1_GROUPS, title=title,
                  judged=False, groups_in_rows=True)
    file_table(page, file_estimates, sizes, name="tbl-tc-awareness-file", items=items, groups=TABLE1_GROUPS, title=title,
               judged=False, groups_in_rows=True)
    derived_figure(page, intervals, name="tc_awareness_plot", items=items, groups=TABLE1_GROUPS,
                   measured="Parents who knew (%)", threshold=False)
    deff = deffs_of(intervals)[-1]
    figures = intervals.set_index("figure_id")
    linkable = intervals[intervals["item"] == "records_linkable"]
    highest = linkable.loc[linkable["published"].idxmax()]
    basis = f"printed shares of 843, design effect {deff:g}"
    page.glue_facts([
        page.published("a01", float(figures.loc["A01", "published"]), TEXT),
        page.published("a02", float(figures.loc["A02", "published"]), TEXT),
        page.derived("a02_high", 100 * float(figures.loc["A02", f"ci_high@{deff:g}"]), basis),
        page.published("link_max", float(highest["published"]), TABLE1),
        page.text("link_max_group", page.codebook.name_of(highest["group"]), TABLE1),
        page.derived("link_max_high", 100 * float(highest[f"ci_high@{deff:g}"]), basis),
        page.published("degree_link", float(figures.loc["T1_13", "published"]), TABLE1),
        page.published("noqual_link", float(figures.loc["T1_14", "published"]), TABLE1),
        page.published("black_link", float(figures.loc["T1_09", "published"]), TABLE1),
        page.published("white_link", float(figures.loc["T1_10", "published"]), TABLE1),
    ])


def publish_consent(page: Page, verdicts: pd.DataFrame, file_verdicts: pd.DataFrame, sizes: pd.DataFrame) -> None:
    """Understanding, publicity and permission: derived ``verdicts`` and the file's figures and
    group ``sizes``, as released."""
    items = list(dict.fromkeys(verdicts["item"]))
    title = "Understanding, publicity and permission (the paper's text)"
    derived_table(page, verdicts, name="tbl-tc-consent", items=items, groups=CONSENT_GROUPS, title=title)
    file_table(page, file_verdicts, sizes, name="tbl-tc-consent-file", items=items, groups=CONSENT_GROUPS, title=title)
    deff = deffs_of(verdicts)[-1]
    figures = verdicts.set_index("figure_id")
    basis = f"printed shares of 843, design effect {deff:g}"
    whole = figures.loc[["P01", "P02", "P03"]]
    page.glue_facts([
        page.threshold("threshold2", 100 * float(figures.loc["P01", "factor"]) / 2),
        page.threshold("threshold3", 100 * float(figures.loc["P01", "threshold"])),
        *(page.published(key.lower(), float(figures.loc[key, "published"]), TEXT) for key in ("P01", "P02", "P03", "P04",
                                                                                             "P05")),
        page.text("whole_verdicts", series(sorted({word(v) for v in whole["verdict"]})), basis),
        page.derived("p03_low", 100 * float(figures.loc["P03", f"ci_low@{deff:g}"]), basis),
        page.derived("p04_low", 100 * float(figures.loc["P04", f"ci_low@{deff:g}"]), basis),
        page.derived("p05_low", 100 * float(figures.loc["P05", f"ci_low@{deff:g}"]), basis),
        page.text("p04_verdict", word(figures.loc["P04", "verdict"]), basis),
        page.text("p05_verdict", word(figures.loc["P05", "verdict"]), basis),
        page.text("permission_supportive", page.codebook.items["parents_should_be_asked_permission"].supportive,
                  "codebook: the answer that favours linkage"),
    ])


def publish_gaps(page: Page, family: pd.DataFrame, sweep: pd.DataFrame, pair: dict) -> None:
    """The awareness gradient and the consent gaps: ``family`` (the whole family of contrasts),
    ``sweep`` (the family at every design effect of the range's grid) and ``pair`` (Black against
    White British parents on linkage, by design effect)."""
    deffs = [float(d) for d in family["deffs"].iloc[0].split(" to ")]
    low, high = f"{deffs[0]:g}", f"{deffs[-1]:g}"
    primary = family["primary"].iloc[0]
    alpha = float(family["alpha"].iloc[0])
    gradient = family[(family["measure"] == AWARENESS) & family["size_known"]]
    held_low = gradient[gradient[f"p_{primary}@{low}"] < alpha]
    strongest = gradient.loc[gradient[f"p_{primary}@{low}"].idxmin()]
    grid = sorted(float(c.split("@")[1]) for c in sweep.columns if c.startswith(f"p_{primary}@"))
    surviving = [d for d in grid if ((sweep["measure"] == AWARENESS) & (sweep[f"p_{primary}@{d:g}"] < alpha)).any()]
    consent = family.set_index("figure_id").loc[["P04", "P05"]]
    what = "records are collected" if strongest["item"] == "records_collected" else "records can be joined up"
    basis = "printed figures and shares"
    page.glue_facts([
        page.derived("n_gradient", len(gradient), "awareness contrasts with a printed group size", "count"),
        page.text("gradient_held", held_phrase(gradient, deffs), "the family's adjusted p-values"),
        page.text("gradient_confirmation", confirmation(gradient, deffs, primary, "gap"),
                  "the family's adjusted p-values"),
        page.text("gradient_groups", series(list(dict.fromkeys(page.codebook.name_of(g).lower()
                                                                for g in held_low["group"]))) or "none",
                  f"contrasts holding at design effect {low}"),
        page.text("strongest_label", f"{page.codebook.name_of(strongest['group']).lower()} knowing that {what}", basis),
        page.derived("strongest_gap", float(strongest["gap"]), basis, "points"),
        page.text("strongest_p_low", p_text(float(strongest[f"p_{primary}@{low}"])), f"adjusted, design effect {low}"),
        page.text("strongest_p_high", p_text(float(strongest[f"p_{primary}@{high}"])), f"adjusted, design effect {high}"),
        page.derived("survives_up_to", max(surviving) if surviving else float("nan"),
                     "the largest design effect of the grid at which an awareness contrast holds", "ratio"),
        page.derived("bw_gap", float(pair[deffs[0]]["gap"]), "printed figures, Table 1", "points"),
        page.text("bw_p_low", p_text(pair[deffs[0]]["p_value"]), f"unadjusted, design effect {low}"),
        page.text("bw_p_high", p_text(pair[deffs[-1]]["p_value"]), f"unadjusted, design effect {high}"),
        page.derived("p04_gap", float(consent.loc["P04", "gap"]), basis, "points"),
        page.derived("p05_gap", float(consent.loc["P05", "gap"]), basis, "points"),
        page.text("consent_p", p_text(float(consent[f"p_{primary}@{low}"].min())), f"adjusted, design effect {low}"),
    ])
