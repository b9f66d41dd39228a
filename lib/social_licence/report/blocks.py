"""A block of published figures as the chapters show it: the derived table, the file's beside it.

For a set of questions and groups (the paper's Table 2, say), a chapter's cells compute the
derived intervals and verdicts (:mod:`social_licence.analysis.derived`) and the same figures
recomputed from the respondent file; these functions lay the results out in the paper's layout
(:func:`social_licence.report.tables.paper_table`) and glue them, never recomputing anything:

:func:`derived_table`
    the published percentages with their intervals at the upper design effect of the range, and
    the verdicts (``†`` a verdict that differs at the lower design effect, ``‡`` one that differs
    with the printed figure at either end of its rounding interval);
:func:`file_table`
    the same figures recomputed from the build's respondent file, with their design-based
    intervals and numbers of respondents. From the archived file they are evidence, with verdict
    marks, in the book's table series, and pass the disclosure rules (a withheld figure shows their
    symbol, sizes are rounded); from a synthetic file they carry no verdict marks and are numbered
    as supplementary tables ("Table S1"), since nothing in them is a finding about parents.

Each comes with a CSV download of its figures in long form, labelled by source row by row.
"""
from __future__ import annotations

import pandas as pd
from social_licence.analysis.derived import deffs_of
from social_licence.analysis.release import decisions
from social_licence.report.display import WITHHELD, data_origin, disclosure_note, released_count
from social_licence.report.page import Page
from social_licence.report.plotting import glue_figure, interval_plot
from social_licence.report.tables import figure_listing, paper_cells, paper_table
from social_licence.report.vocabulary import marks_legend, word

HIGHER = "higher_occupation_qualification_income"
#: where published figures come from, for the captions of derived tables
PUBLISHED_ORIGIN = "Source: Edwards, Gillies & Gorin (2021a); intervals derived here"
#: marks in table headings and cells
HIGHER_MARK, DEPENDS_MARK, ROUNDING_MARK = "*", "†", "‡"


def fragility_marks(depends_on_deff: bool, depends_on_rounding: bool) -> str:
    """The marks of a fragile derived verdict: † (differs at the lower design effect), ‡ (differs
    within the printed figure's rounding), both, or none."""
    return (DEPENDS_MARK if depends_on_deff else "") + (ROUNDING_MARK if depends_on_rounding else "")


def _sizes_row(page: Page, verdicts: pd.DataFrame, groups: list[str]) -> dict[str, str]:
    """The foot row of a derived table: each group's base (parents answering, from its printed share)."""
    bases = verdicts.drop_duplicates("group").set_index("group")["base"]
    bounds = {"higher_occupation_qualification_income": "≥ "} if page.codebook.subgroups[HIGHER].combine == "any" else {}
    return {g: WITHHELD if g not in bases or pd.isna(bases[g]) else f"{bounds.get(g, '')}{int(bases[g])}" for g in groups}


def base_label(page: Page) -> str:
    """The label of a derived table's foot row."""
    share = page.assumptions.answering_share
    return "Parents implied by the printed share (derived)" if share == 1 else \
        f"Parents answering ({share:.0%} of those the printed share implies; derived)"


def higher_note(page: Page) -> str:
    """The note on the higher group's column: the reading in force."""
    if page.codebook.subgroups[HIGHER].combine == "any":
        return f"{HIGHER_MARK} Read as any one of its three markers (size a lower bound)"
    return f"{HIGHER_MARK} Read as all three of its markers (size unknown)"


def derived_table(page: Page, verdicts: pd.DataFrame, *, name: str, items: list[str], groups: list[str], title: str,
                  judged: bool = True, groups_in_rows: bool = False) -> None:
    """Glue table ``name``: the block's published figures with their derived intervals at the
    upper design effect and (``judged``) their verdicts, with its CSV download."""
    deff = deffs_of(verdicts)[-1]
    chosen = verdicts[verdicts["item"].isin(items) & verdicts["group"].isin(groups)]
    marks = {HIGHER: HIGHER_MARK} if HIGHER in groups else {}
    extra = {row.figure_id: fragility_marks(row.depends_on_deff, row.depends_on_rounding)
             for row in chosen.itertuples()} if judged else {}
    shown, values = paper_table(chosen, items, groups, value="published", low=f"ci_low@{deff:g}",
                                high=f"ci_high@{deff:g}", verdict="verdict" if judged else None,
                                bases=_sizes_row(page, chosen, groups), base_label=base_label(page),
                                codebook=page.codebook, marked=marks, extra_marks=extra, groups_in_rows=groups_in_rows)
    level = 100 * page.assumptions.level
    caption = f"{title}: published % and derived {level:g}% interval (design effect {deff:g})"
    if judged:
        threshold = " or ".join(sorted({f"{100 * t:g}%" for t in chosen["threshold"]}))
        caption += f"; verdict against the {threshold} line: {marks_legend()}; † ‡ fragile"
    if HIGHER in groups:
        caption += f". {higher_note(page)}"
    listing = figure_listing(chosen, page.codebook)
    if "verdict" in chosen:
        listing = listing.assign(verdict_shown=[word(v) for v in chosen["verdict"]])
    page.table(name, shown, listing, caption, origin=PUBLISHED_ORIGIN, evidence="derived", values=values,
               css_class="results")


def file_table(page: Page, estimates: pd.DataFrame, sizes: pd.DataFrame, *, name: str, items: list[str],
               groups: list[str], title: str, judged: bool = True, groups_in_rows: bool = False) -> None:
    """Glue table ``name``: the block's figures recomputed from the respondent file (``estimates``:
    :func:`social_licence.analysis.release.released_figures` with the consensus check) and its
    groups' sizes (``sizes``: :func:`social_licence.analysis.release.released_sizes`), with verdict
    marks from the archived file only; a synthetic file's table is supplementary. On a build from the
    archived file a withheld figure or size shows the disclosure rules' symbol and sizes are rounded."""
    chosen = estimates[estimates["item"].isin(items) & estimates["group"].isin(groups)]
    rules, applied = page.evidence.rules, page.archived
    bases = {g: released_count(sizes.loc[g, "count"], sizes.loc[g, "result"], applied, rules) for g in groups}
    marks = {HIGHER: HIGHER_MARK} if HIGHER in groups else {}
    evidence_marks = judged and applied
    replaced = {row.figure_id: rules.suppressed_symbol for row in chosen.itertuples() if row.withheld}
    layout = {"base_label": "Respondents in this file", "codebook": page.codebook, "marked": marks,
              "groups_in_rows": groups_in_rows}
    shown, values = paper_table(chosen.assign(percent=100 * chosen["estimate"]), items, groups, value="percent",
                                low="ci_low", high="ci_high", verdict="verdict" if evidence_marks else None,
                                bases=bases, replaced=replaced, **layout,
                                base_values={g: None if pd.isna(sizes.loc[g, "count"]) else float(sizes.loc[g, "count"])
                                             for g in groups})
    decided = decisions(chosen["cell"], chosen["rule"], chosen["result"], applied)
    group_sizes = sizes.loc[groups]
    disclosure = paper_cells(chosen.assign(decided=decided), items, groups, column="decided",
                             bases=dict(zip(groups, decisions(group_sizes["cell"], group_sizes["rule"],
                                                              group_sizes["result"], applied))), **layout)
    level = 100 * page.assumptions.level
    caption = f"{title}, from the respondent file: weighted % and {level:g}% design-based interval"
    if evidence_marks:
        caption += f"; verdict: {marks_legend(('consensus', 'no consensus', 'open', 'suppressed'))}"
    if applied:
        caption += f". {disclosure_note(rules)}"
    else:
        caption += ". Synthetic: the percentages match the published ones by construction; the intervals are the generator's"
    page.table(name, shown, figure_listing(chosen, page.codebook), caption, origin=data_origin(page.evidence.source),
               evidence="file", values=values, css_class="results", series="" if applied else "S",
               disclosure=disclosure)


def derived_figure(page: Page, verdicts: pd.DataFrame, *, name: str, items: list[str], groups: list[str],
                   measured: str, threshold: bool = True) -> None:
    """Glue figure ``name``: the block's published percentages by question (labelled by the counted
    answer) and group, with their intervals derived at the upper design effect; ``threshold=False``
    draws no consensus line, for figures the paper does not judge."""
    deff = deffs_of(verdicts)[-1]
    figures = verdicts[verdicts["item"].isin(items) & verdicts["group"].isin(groups)]
    figures = figures.assign(estimate=figures["published"] / 100)
    if not threshold:
        figures = figures.assign(threshold=float("nan"))
    level = 100 * page.assumptions.level
    glue_figure(name, interval_plot(figures, labels={g: page.codebook.short_name_of(g) for g in groups},
                                    rows={item: page.codebook.counted_label(item) for item in items},
                                    low=f"ci_low@{deff:g}", high=f"ci_high@{deff:g}",
                                    xlabel=f"{measured}: published, with {level:g}% interval (design effect {deff:g})"))
