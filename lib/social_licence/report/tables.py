"""The report's tables: published figures in the paper's layout, with their intervals and verdicts.

Results tables are laid out as the paper's Tables 1-3 are: one row per question (or service), one
column per group of parents, each cell the percentage with its interval and the verdict as a mark
(``"49 (44–53) ?"``; marks from :mod:`social_licence.report.vocabulary`), and the number of parents
in each group in a row at the foot. Every row names the answer its figures count
(:meth:`social_licence.study.codebook.Codebook.counted_label`: "Disagree: linked records give
factual, unbiased information"). :func:`paper_table` lays out any per-figure results a chapter's
cells computed: derived intervals and verdicts, or a respondent file's estimates. Tables keep full
precision until they are formatted here; listings of one row per figure are offered as downloads.
"""
from __future__ import annotations

import pandas as pd

from social_licence.report.display import WITHHELD, interval
from social_licence.report.vocabulary import mark
from social_licence.study.codebook import Codebook

ALL = "all"
#: a table cell for a question and group the paper prints no figure for
NOT_PUBLISHED = ""


def cell(value_percent: float, low: float, high: float, verdict: str | None) -> str:
    """A table cell: the percentage, its interval (proportions in) and the verdict's mark.

    ``"49 (44–53) ?"``; a figure without an interval shows its value and mark alone, and
    ``verdict=None`` (a figure the paper does not judge, or one from a synthetic file) shows no mark.
    """
    shown = WITHHELD if pd.isna(value_percent) else f"{value_percent:.0f}"
    limits = interval(low, high)
    text = shown if limits == WITHHELD else f"{shown} ({limits})"
    return text if verdict is None else f"{text} {mark(verdict)}"


def _layout(items: list[str], groups: list[str], in_cell, in_base, *, base_label: str, codebook: Codebook,
            marked: dict[str, str], groups_in_rows: bool) -> pd.DataFrame:
    """The paper's layout filled by ``in_cell(item, group)`` and ``in_base(group)`` (the foot row,
    or the last column with ``groups_in_rows``), labelled as :func:`paper_table` labels it."""
    group_label = {group: codebook.short_name_of(group) + marked.get(group, "") for group in groups}
    question = {item: codebook.counted_label(item) for item in items}
    if groups_in_rows:
        return pd.DataFrame([{"Group": group_label[g], **{question[i]: in_cell(i, g) for i in items},
                              base_label: in_base(g)} for g in groups])
    table = [{"Question": question[item], **{group_label[g]: in_cell(item, g) for g in groups}} for item in items]
    table.append({"Question": base_label, **{group_label[g]: in_base(g) for g in groups}})
    return pd.DataFrame(table)


def paper_table(results: pd.DataFrame, items: list[str], groups: list[str], *, value: str, low: str, high: str,
                verdict: str | None, bases: dict[str, str], base_label: str, codebook: Codebook,
                marked: dict[str, str] | None = None, extra_marks: dict[str, str] | None = None,
                replaced: dict[str, str] | None = None, base_values: dict[str, float] | None = None,
                groups_in_rows: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A results table in the paper's layout, and each cell's unrounded value (same shape).

    ``results`` has one row per figure with ``figure_id``, ``item`` and ``group`` and the columns
    named by ``value`` (percent), ``low`` and ``high`` (proportions) and ``verdict`` (None: no
    marks); ``extra_marks`` adds marks after a figure's cell (by figure id: † and ‡), and
    ``replaced`` shows a text instead of a figure (by figure id: the disclosure rules' symbol for a
    withheld one). Rows are questions labelled by their counted answer, columns groups; a question
    with no figure for a group is left blank. ``bases`` gives each group's number of parents, shown
    in a foot row (or last column) labelled ``base_label``; ``marked`` adds a note mark to a
    group's label; ``base_values`` are the bases' unrounded values for the second table (else
    None). ``groups_in_rows`` turns the table round, for a block with many groups and few
    questions (the paper's Table 1), so that it fits the page.
    """
    marked, extra_marks, replaced = marked or {}, extra_marks or {}, replaced or {}
    lookup = {(row["item"], row["group"]): row for row in results.to_dict("records")}

    def shown(item, group):
        row = lookup.get((item, group))
        if row is None:
            return NOT_PUBLISHED
        if row["figure_id"] in replaced:
            return replaced[row["figure_id"]]
        text = cell(row[value], row[low], row[high], row[verdict] if verdict else None)
        return text + extra_marks.get(row["figure_id"], "")

    def number(item, group):
        row = lookup.get((item, group))
        return None if row is None or row["figure_id"] in replaced else row[value]

    layout = {"base_label": base_label, "codebook": codebook, "marked": marked, "groups_in_rows": groups_in_rows}
    return (_layout(items, groups, shown, lambda g: bases.get(g, WITHHELD), **layout),
            _layout(items, groups, number, lambda g: (base_values or {}).get(g), **layout))


def paper_cells(results: pd.DataFrame, items: list[str], groups: list[str], *, column: str, bases: dict[str, object],
                base_label: str, codebook: Codebook, marked: dict[str, str] | None = None,
                groups_in_rows: bool = False) -> pd.DataFrame:
    """Any per-figure ``column`` of ``results`` (and ``bases`` by group) laid out as
    :func:`paper_table` lays out its table, cell for cell: e.g. what the disclosure rules decided
    for each cell, for the page's record."""
    lookup = {(row["item"], row["group"]): row[column] for row in results.to_dict("records")}
    return _layout(items, groups, lambda i, g: lookup.get((i, g)), lambda g: bases.get(g), base_label=base_label,
                   codebook=codebook, marked=marked or {}, groups_in_rows=groups_in_rows)


def figure_listing(results: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """One row per figure with readable labels (the question by its counted answer): the
    downloadable long form of a results table."""
    return results.assign(item_label=[codebook.counted_label(i) for i in results["item"]],
                          group_label=[codebook.name_of(g) for g in results["group"]])
