"""Who took part and where the consensus line sits: the tables behind the "Social licence" chapter.

* :func:`composition_table` -- the 15 published shares of the sample (who took part) recomputed from
  the respondent file as weighted shares with design-based intervals, next to each group's
  unweighted count and share, so a reader can see what the weighting does to each group;
* :func:`threshold_table` -- the consensus baseline ``1.5 / k`` for several numbers of answer
  options, with the smallest published (whole-percent) figure that counts as reaching it and the
  lowest unrounded estimate that prints as that figure (the rounding convention of
  :mod:`social_licence.survey.consensus`), and how many questions of the codebook use each k;
* :func:`composition_for_readers`, :func:`thresholds_for_readers` -- the two tables formatted for the
  page with the shared formatter of :mod:`social_licence.report.display`.

References: Kish L (1965) Survey Sampling, Wiley; Kish L (1992) Weighting for unequal
Pi, Journal of Official Statistics 8:183-200; Finch J, Mason J (1991) Br J Sociol 42:345-367.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from social_licence.report.display import figures_for_readers, percent
from social_licence.report.tables import figure_estimates
from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.loader import SurveyData
from social_licence.study.published import COMPOSITION, load_published
from social_licence.survey.consensus import consensus_threshold


def composition_table(survey: SurveyData, *, method: str = "beta", level: float = 0.95,
                      codebook: Codebook | None = None) -> pd.DataFrame:
    """The published composition figures (S01-S15) recomputed, with unweighted counts beside them.

    One row per composition figure: the columns of :func:`social_licence.report.tables.figure_estimates`
    (``published`` in percent; ``estimate``, ``ci_low``, ``ci_high`` the weighted share of the
    sample in the group, as proportions, with its ``method`` interval at ``level``) plus
    ``members`` (unweighted number of respondents in the group) and ``unweighted_share``
    (``members`` over the ``n`` respondents in the base).
    """
    codebook = codebook or load_codebook()
    figures = load_published(codebook=codebook)
    figures = figures[figures["measure"] == COMPOSITION]
    table = figure_estimates(survey, figures, method=method, level=level, codebook=codebook)
    members = [int(survey.data[group].sum()) for group in table["item"]]
    table["members"] = members
    table["unweighted_share"] = table["members"] / table["n"]
    return table.reset_index(drop=True)


def composition_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`composition_table` output formatted for the page (published beside recomputed)."""
    shown = figures_for_readers(table, group=False).rename(columns={"Question": "Parents"})
    shown = shown.drop(columns="n")
    shown["Respondents (unweighted)"] = [str(int(m)) for m in table["members"]]
    shown["Unweighted %"] = [percent(p, 1) for p in table["unweighted_share"]]
    return shown


def threshold_table(ks=(2, 3, 4, 5), codebook: Codebook | None = None) -> pd.DataFrame:
    """The consensus baseline for each number of answer options in ``ks``.

    Columns: ``k``; ``equal_share`` (1 / k, the share each option gets if answers are spread
    evenly); ``threshold`` (1.5 / k, from :func:`social_licence.survey.consensus.consensus_threshold`);
    ``lowest_published`` (the smallest whole-percent figure at or above the threshold, i.e. the
    smallest printed figure counted as consensus); ``lowest_estimate`` (the smallest unrounded
    proportion that rounds half up to ``lowest_published``); ``questions`` (how many codebook
    questions are judged with this k).
    """
    values = np.atleast_1d(np.asarray(ks))
    if values.size == 0:
        raise ValueError("ks: give at least one number of answer options (got none)")
    thresholds = np.atleast_1d(consensus_threshold(values))  # raises ValueError unless whole numbers >= 2
    ks = [int(k) for k in values]
    codebook = codebook or load_codebook()
    used = pd.Series([item.k for item in codebook.items.values()]).value_counts()
    lowest_published = [math.ceil(round(100 * t, 9)) for t in thresholds]
    return pd.DataFrame({
        "k": ks,
        "equal_share": [1 / k for k in ks],
        "threshold": thresholds,
        "lowest_published": lowest_published,
        "lowest_estimate": [(p - 0.5) / 100 for p in lowest_published],
        "questions": [int(used.get(k, 0)) for k in ks],
    })


def thresholds_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`threshold_table` output formatted for the page."""
    return pd.DataFrame({
        "Answer options (k)": [str(k) for k in table["k"]],
        "Equal share %": [percent(p, 1) for p in table["equal_share"]],
        "Threshold 1.5/k %": [percent(p, 1) for p in table["threshold"]],
        "Lowest published figure counted %": [str(p) for p in table["lowest_published"]],
        "Lowest unrounded share counted %": [percent(p, 1) for p in table["lowest_estimate"]],
        "Questions in this survey": [str(n) for n in table["questions"]],
    })
