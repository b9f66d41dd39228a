"""The estimate behind each published figure, recomputed from a respondent file.

One estimator serves the fidelity check (:mod:`.fidelity`) and the report's tables: for a
composition figure, the weighted share of the sample in the subgroup; for an attitude figure, the
weighted share giving the counted answer among valid answers within the figure's group
(:func:`social_licence.survey.proportions.proportion` on a weights-only design).
"""
from __future__ import annotations

import pandas as pd

from social_licence.study.codebook import Codebook
from social_licence.study.published import COMPOSITION
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion

ALL = "all"


def figure_question(figure, codebook: Codebook) -> tuple[str, list, tuple]:
    """(variable, counted codes, missing codes) that a published figure counts."""
    if figure.measure == COMPOSITION:
        return figure.item, [True], ()
    item = codebook.items[figure.item]
    return item.key, list(item.counted_codes), codebook.missing_codes(item.key)


def estimate_figures(data: pd.DataFrame, figures: pd.DataFrame, codebook: Codebook, **options) -> pd.DataFrame:
    """The estimate behind each row of ``figures`` from respondent ``data`` (no verdicts).

    ``data`` is a respondent file in codebook terms with its subgroup indicator columns (as
    :func:`social_licence.study.loader.load_survey` gives it); ``options`` go to :func:`proportion`
    (``method``, ``level``, ``min_base``, ``flag_base``). Composition figures are the weighted
    share of the sample in the subgroup; attitude figures the weighted share giving the counted
    answer among valid answers within the figure's group.
    """
    design = SurveyDesign(data, weights=codebook.weight_variable)
    rows = []
    for figure in figures.itertuples(index=False):
        variable, counted, missing = figure_question(figure, codebook)
        by = None if figure.group == ALL else figure.group
        result = proportion(design, variable, counted, by=by, missing_values=missing, **options)
        estimate = result.iloc[0] if by is None else result[result[by]].iloc[0]
        rows.append({
            "figure_id": figure.figure_id, "measure": figure.measure, "item": figure.item,
            "item_label": codebook.name_of(figure.item), "group": figure.group,
            "group_label": codebook.name_of(figure.group), "answer": figure.answer,
            "k": figure.options, "published": float(figure.percent),
            **{column: estimate[column] for column in (
                "estimate", "se", "ci_low", "ci_high", "level", "method", "n", "n_missing",
                "weighted_n", "n_eff", "deff", "suppressed", "low_base")},
        })
    return pd.DataFrame(rows)
