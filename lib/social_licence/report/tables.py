"""The report's analysis tables, computed from a respondent file.

Each function returns one tidy, full-precision DataFrame (proportions, not percentages); the
chapters format them with :mod:`social_licence.report.display` and plot them with
:mod:`social_licence.report.plotting`. The unit of the report is the published figure: every one of the
108 figures the study printed is recomputed from the respondent file with its design-based
interval and consensus verdicts, so published and recomputed values always sit side by side.
"""
from __future__ import annotations

import pandas as pd

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.loader import SurveyData
from social_licence.study.published import COMPOSITION, load_published
from social_licence.study.recompute import estimate_figures, figure_question
from social_licence.survey.compare import adjust_pvalues, compare_with_rest
from social_licence.survey.consensus import (
    consensus_verdicts,
    published_reaches_threshold,
    verdict_against_published,
)
from social_licence.survey.design import SurveyDesign

ALL = "all"


def figure_estimates(survey: SurveyData, figures: pd.DataFrame | None = None, *, method: str = "beta",
                     level: float = 0.95, min_base: int = 30, flag_base: int = 50,
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Recompute published figures from ``survey``, with intervals and consensus verdicts.

    One row per figure of ``figures`` (default: all 108 published figures): its id, block, item,
    group and their labels, the counted answer, ``k``, the ``published`` percentage, and the
    weighted estimate of the same quantity from the respondent file (:func:`proportion` on a
    weights-only design, don't know and refused left out of the base, domain estimation within
    the group) with its interval, bases, design effect and small-base flags. Attitude figures
    also get the consensus ``threshold``, ``published_reaches`` (the published value reaches it),
    ``reaches_threshold`` and ``verdict`` for the recomputed estimate (see
    :mod:`social_licence.survey.consensus`), and ``stability``: whether the published verdict is
    ``settled``, ``overturned`` or ``not settled`` once the interval is counted.
    """
    codebook = codebook or load_codebook()
    figures = load_published(codebook=codebook) if figures is None else figures
    table = estimate_figures(survey.data, figures, codebook, method=method, level=level,
                             min_base=min_base, flag_base=flag_base)
    attitudes = table["measure"] != COMPOSITION
    if attitudes.any():
        judged = consensus_verdicts(table[attitudes], k=table.loc[attitudes, "k"].astype(int).to_numpy())
        judged["published_reaches"] = published_reaches_threshold(judged["published"], judged["k"].astype(int))
        judged["stability"] = verdict_against_published(judged["published_reaches"], judged["verdict"])
        table = table.join(judged[["threshold", "published_reaches", "reaches_threshold", "verdict", "stability"]])
    return table


def figure_contrasts(survey: SurveyData, figures: pd.DataFrame | None = None, *,
                     adjust: str = "holm", level: float = 0.95,
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Each published subgroup figure against the rest of the sample, with adjusted p-values.

    One row per attitude figure whose group is not ``all``: the subgroup's estimate minus that of
    all other parents (design-based, :func:`compare_with_rest`), its interval and p-value, and the
    p-value adjusted for the number of contrasts in the table (``adjust``: ``"holm"`` controls the
    family-wise error rate, ``"fdr_bh"`` the false discovery rate).
    """
    codebook = codebook or load_codebook()
    figures = load_published(codebook=codebook) if figures is None else figures
    chosen = figures[(figures["measure"] != COMPOSITION) & (figures["group"] != ALL)]
    design = SurveyDesign(survey.data, weights=codebook.weight_variable)
    rows = []
    for figure in chosen.itertuples(index=False):
        variable, counted, missing = figure_question(figure, codebook)
        result = compare_with_rest(design, variable, counted, figure.group, level=level, missing_values=missing)
        rows.append({"figure_id": figure.figure_id, "item": figure.item,
                     "item_label": codebook.name_of(figure.item), "group": figure.group,
                     "group_label": codebook.name_of(figure.group), **result.iloc[0].to_dict()})
    table = pd.DataFrame(rows)
    table["p_adjusted"] = adjust_pvalues(table["p_value"].to_numpy(), method=adjust)
    table["adjustment"] = adjust
    return table
