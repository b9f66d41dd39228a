"""The report's tables: published figures in the paper's layout, with their intervals and verdicts.

Results tables are laid out as the paper's Tables 1-3 are: one row per question (or service), one
column per group of parents, each cell the percentage with its 95% interval and the verdict as a
mark (``"49 (44–53) ?"``; marks from :mod:`social_licence.report.vocabulary`), and the number of
parents in each group in a row at the foot. :func:`paper_table` builds such a table from any
per-figure results: the derived analysis (published percentage, interval from the printed group
size and a design effect) or the respondent file's recomputation (:func:`figure_estimates`).
Tables keep full precision until they are formatted here; listings of one row per figure are
offered as downloads, not printed.
"""
from __future__ import annotations

import pandas as pd

from social_licence.report.display import WITHHELD, interval
from social_licence.report.vocabulary import mark
from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.loader import SurveyData
from social_licence.study.published import COMPOSITION, load_published
from social_licence.study.recompute import estimate_figures
from social_licence.survey.consensus import (
    consensus_verdicts,
    published_reaches_threshold,
)

ALL = "all"


def figure_estimates(survey: SurveyData, figures: pd.DataFrame | None = None, *, method: str = "beta",
                     level: float = 0.95, min_base: int = 30, flag_base: int = 50,
                     codebook: Codebook | None = None, dont_know_in_base: bool = False) -> pd.DataFrame:
    """Recompute published figures from ``survey``, with intervals and consensus verdicts.

    One row per figure of ``figures`` (default: all 108 published figures): its id, block, item,
    group and their labels, the counted answer, ``k``, the ``published`` percentage, and the
    weighted estimate of the same quantity from the respondent file
    (:func:`social_licence.study.recompute.estimate_figures`) with its interval, bases, design
    effect and small-base flags. Attitude figures also get the consensus ``threshold``,
    ``published_reaches`` (the published value reaches it), ``reaches_threshold`` and ``verdict``
    for the recomputed estimate (:mod:`social_licence.survey.consensus`). ``dont_know_in_base``
    recomputes them with "don't know" answers in the base (the book's other reading).
    """
    codebook = codebook or load_codebook()
    figures = load_published(codebook=codebook) if figures is None else figures
    table = estimate_figures(survey.data, figures, codebook, method=method, level=level, min_base=min_base,
                             flag_base=flag_base, dont_know_in_base=dont_know_in_base)
    attitudes = table["measure"] != COMPOSITION
    if attitudes.any():
        judged = consensus_verdicts(table[attitudes], k=table.loc[attitudes, "k"].astype(int).to_numpy())
        judged["published_reaches"] = published_reaches_threshold(judged["published"], judged["k"].astype(int))
        table = table.join(judged[["threshold", "published_reaches", "reaches_threshold", "verdict"]])
    return table


def cell(value_percent: float, low: float, high: float, verdict: str | None) -> str:
    """A table cell: the percentage, its interval (proportions in) and the verdict's mark.

    ``"49 (44–53) ?"``; a figure without an interval shows its value and mark alone, and
    ``verdict=None`` (a figure the paper does not judge) shows no mark.
    """
    shown = WITHHELD if pd.isna(value_percent) else f"{value_percent:.0f}"
    limits = interval(low, high)
    text = shown if limits == WITHHELD else f"{shown} ({limits})"
    return text if verdict is None else f"{text} {mark(verdict)}"


def paper_table(results: pd.DataFrame, items: list[str], groups: list[str], *, value: str, low: str, high: str,
                verdict: str | None, bases: dict[str, str], base_label: str, codebook: Codebook | None = None,
                marked: dict[str, str] | None = None, groups_in_rows: bool = False) -> pd.DataFrame:
    """A results table in the paper's layout: questions in rows, groups in columns.

    ``results`` has one row per figure with ``item`` and ``group`` and the columns named by
    ``value`` (percent), ``low`` and ``high`` (proportions) and ``verdict`` (None: no marks). A
    question with no figure for a group shows a dash. ``bases`` gives each group's number of
    parents, shown in a foot row (or last column) labelled ``base_label``; ``marked`` adds a note
    mark to a group's label. ``groups_in_rows`` turns the table round, for a block with many
    groups and few questions (the paper's Table 1), so that it fits the page.
    """
    codebook = codebook or load_codebook()
    marked = marked or {}
    lookup = {(row["item"], row["group"]): row for row in results.to_dict("records")}

    def shown(item, group):
        row = lookup.get((item, group))
        return WITHHELD if row is None else cell(row[value], row[low], row[high], row[verdict] if verdict else None)

    group_label = {group: codebook.short_name_of(group) + marked.get(group, "") for group in groups}
    if groups_in_rows:
        rows = [{"Group": group_label[g], **{codebook.name_of(i): shown(i, g) for i in items},
                 base_label: bases.get(g, WITHHELD)} for g in groups]
        return pd.DataFrame(rows)
    rows = [{"Question": codebook.name_of(item), **{group_label[g]: shown(item, g) for g in groups}} for item in items]
    rows.append({"Question": base_label, **{group_label[g]: bases.get(g, WITHHELD) for g in groups}})
    return pd.DataFrame(rows)


def figure_listing(results: pd.DataFrame, codebook: Codebook | None = None) -> pd.DataFrame:
    """One row per figure with readable question and group labels: the downloadable long form."""
    codebook = codebook or load_codebook()
    return results.assign(item_label=[codebook.name_of(i) for i in results["item"]],
                          group_label=[codebook.name_of(g) for g in results["group"]])
