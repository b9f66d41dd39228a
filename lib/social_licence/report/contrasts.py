"""One family of comparisons: each published group against the rest of the sample, adjusted once.

The paper reads its groups' percentages against one another and against "the sample as a whole".
This book makes that one family: every published subgroup figure whose question also has a
published whole-sample figure is one contrast of the group against the rest of the sample.
:func:`family` lists them, once, in the order of the published figures (68: Tables 1, 2 and 3, the
consent question and the commercial question; the belief questions have no whole-sample figure, so
"the rest" is not published and they are not in the family). Every chapter, table and sentence uses these contrasts and their adjusted p-values,
so the same contrast always carries the same adjusted p.

Two analyses of the same family, each adjusted once over all of it (Holm 1979, which controls the
family-wise error rate, and Benjamini & Hochberg 1995, the false discovery rate):

* :func:`derived_contrasts` -- from the published figures alone. With s the group's share of the
  sample and P the printed percentages, the rest's percentage is ``(P_all - s P_group) / (1 - s)``
  and the gap ``P_group - P_rest = (P_group - P_all) / (1 - s)``. That is exact for the weighted
  share s; the book uses the printed share, read as unweighted, as its stand-in, and the division
  by ``1 - s`` magnifies the printed figures' rounding for a large group. Its standard error assumes the
  group and the rest are independent samples of their printed sizes with a design effect d:
  ``sqrt(d (p_g q_g / n_g + p_r q_r / n_r))``, with a t test on ``n - 2`` degrees of freedom (as
  for a weights-only design); computed at both ends of :data:`social_licence.report.derived.DEFF_RANGE`.
  A contrast whose group size the sources do not give has no derived test; it stays in the family
  with p = 1 for the adjustment, so that the adjustment is over the same contrasts in every analysis.
  The rounding of the printed figures (half a point each) is not added.
* :func:`file_contrasts` -- from the respondent file: the design-based difference of the group and
  the rest with R ``svyttest``'s t test (:func:`social_licence.survey.compare.compare_with_rest`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from social_licence.report.derived import DEFF_RANGE, SAMPLE_SIZE, attitude_figures
from social_licence.study.codebook import Codebook
from social_licence.study.loader import SurveyData
from social_licence.study.recompute import figure_question
from social_licence.survey.compare import adjust_pvalues, compare_each_with_rest
from social_licence.survey.design import SurveyDesign

ALL = "all"
#: the adjustments applied to the family, with their names in tables
ADJUSTMENTS = {"holm": "Holm", "fdr_bh": "BH"}
#: significance level of the family's tests (matching the 95% intervals)
ALPHA = 0.05


def family(published: pd.DataFrame) -> pd.DataFrame:
    """The contrasts the paper can draw: every subgroup figure whose question has a whole-sample figure.

    Columns ``figure_id``, ``measure``, ``item``, ``group``, ``published`` (the group's percent),
    ``published_all`` (the whole sample's percent for the same question), ``k``.
    """
    figures = attitude_figures(published)
    whole = figures[figures["group"] == ALL].set_index("item")["percent"]
    chosen = figures[(figures["group"] != ALL) & figures["item"].isin(whole.index)]
    return chosen[["figure_id", "measure", "item", "group"]].assign(
        published=chosen["percent"].astype(float).to_numpy(),
        published_all=chosen["item"].map(whole).astype(float).to_numpy(),
        k=chosen["options"].astype(int).to_numpy()).reset_index(drop=True)


def adjusted(pvalues: np.ndarray) -> dict[str, np.ndarray]:
    """Holm and BH adjustments over the whole family; a missing p counts as 1 and stays missing."""
    present = ~np.isnan(pvalues)
    result = {}
    for method in ADJUSTMENTS:
        values = adjust_pvalues(np.where(present, pvalues, 1.0), method=method)
        result[f"p_{method}"] = np.where(present, values, np.nan)
    return result


def _t_test(p_a, n_a, p_b, n_b, deff: float):
    """(se, t, df, two-sided p) of the difference of two independent shares (proportions) of
    ``n_a`` and ``n_b`` parents at design effect ``deff``; NaN where a size is unknown."""
    with np.errstate(invalid="ignore", divide="ignore"):
        se = np.sqrt(deff * (p_a * (1 - p_a) / n_a + p_b * (1 - p_b) / n_b))
        t = (p_a - p_b) / se
    df = np.asarray(n_a + n_b - 2, dtype=float)
    p_value = np.where(np.isnan(t), np.nan, 2 * stats.t.sf(np.abs(t), np.where(np.isnan(df), 1, df)))
    return se, t, df, p_value


def derived_pair(published: pd.DataFrame, sizes: pd.DataFrame, figure_a: str, figure_b: str,
                 deff: float) -> dict:
    """Two published figures for the same question in groups that do not overlap (Black against
    White British parents, say), compared as :func:`derived_contrasts` compares a group with the
    rest: ``gap`` (points, a minus b) and its unadjusted two-sided ``p_value``. Outside the family:
    for a comparison the paper draws between two groups."""
    figures = attitude_figures(published).set_index("figure_id")
    a, b = figures.loc[figure_a], figures.loc[figure_b]
    if a["item"] != b["item"]:
        raise ValueError(f"derived_pair: {figure_a} and {figure_b} are figures for different questions")
    size = dict(zip(sizes["group"], sizes["size"]))
    p_a, p_b = float(a["percent"]) / 100, float(b["percent"]) / 100
    _, _, _, p_value = _t_test(p_a, float(size[a["group"]]), p_b, float(size[b["group"]]), deff)
    return {"gap": 100 * (p_a - p_b), "p_value": float(p_value)}


def derived_contrasts(published: pd.DataFrame, sizes: pd.DataFrame, deff: float) -> pd.DataFrame:
    """The family from the published figures and printed group sizes, at design effect ``deff``.

    Columns of :func:`family` plus ``share`` (the group's share of the sample, percent), ``n_group``,
    ``n_rest``, ``rest`` (the rest's percent), ``gap`` (points), ``se`` (points), ``df``, ``t``,
    ``p_value``, ``p_holm``, ``p_fdr_bh`` and ``deff``; NaN where the group's size is unknown.
    """
    table = family(published)
    share_of = dict(zip(sizes["group"], sizes["share"]))
    share = table["group"].map(share_of).astype(float).to_numpy() / 100
    n_group = np.floor(SAMPLE_SIZE * share + 0.5)
    n_rest = SAMPLE_SIZE - n_group
    p_group, p_all = table["published"].to_numpy() / 100, table["published_all"].to_numpy() / 100
    with np.errstate(invalid="ignore", divide="ignore"):
        p_rest = (p_all - share * p_group) / (1 - share)
    # a group printed at the whole sample's figure is level with the rest: exactly, not to rounding noise
    p_rest = np.where(p_group == p_all, p_all, p_rest)
    se, t, df, p_value = _t_test(p_group, n_group, p_rest, n_rest, deff)
    return table.assign(share=100 * share, n_group=n_group, n_rest=n_rest, rest=100 * p_rest,
                        gap=100 * (p_group - p_rest), se=100 * se, df=df, t=t, p_value=p_value,
                        **adjusted(p_value), deff=float(deff))


def derived_family(published: pd.DataFrame, sizes: pd.DataFrame, deffs=DEFF_RANGE) -> pd.DataFrame:
    """:func:`derived_contrasts` at both ends of the design-effect range, side by side.

    One row per contrast: the family's columns, ``share``, ``n_group``, ``rest``, ``gap``, and for
    each design effect d: ``p_value@d``, ``p_holm@d``, ``p_fdr_bh@d``; then ``holds`` (Holm p
    below :data:`ALPHA` at every design effect), ``depends_on_deff`` (below it at the smallest
    only) and ``size_known``.
    """
    results = [derived_contrasts(published, sizes, d) for d in deffs]
    table = results[0].drop(columns=["se", "df", "t", "p_value", "p_holm", "p_fdr_bh", "deff"])
    for d, result in zip(deffs, results):
        for column in ("p_value", "p_holm", "p_fdr_bh"):
            table[f"{column}@{d:g}"] = result[column].to_numpy()
    low, high = (table[f"p_holm@{d:g}"] for d in (deffs[0], deffs[-1]))
    return table.assign(holds=high < ALPHA, depends_on_deff=(low < ALPHA) & ~(high < ALPHA),
                        size_known=table["share"].notna())


def holm_survivors(published: pd.DataFrame, sizes: pd.DataFrame, deffs) -> pd.Series:
    """How many of the family's contrasts hold after Holm's adjustment at each design effect of
    ``deffs`` (index: the design effect), to show how far beyond 1 a finding survives."""
    counts = {float(d): int((derived_contrasts(published, sizes, d)["p_holm"] < ALPHA).sum()) for d in deffs}
    return pd.Series(counts, name="survivors")


def file_contrasts(survey: SurveyData, published: pd.DataFrame, codebook: Codebook, *,
                   level: float = 0.95) -> pd.DataFrame:
    """The family from the respondent file: each group against the rest, design-based.

    Columns of :func:`family` plus ``estimate_group``, ``estimate_rest`` (percent), ``n_group``,
    ``gap`` (points), ``ci_low``, ``ci_high`` (points, at ``level``), ``se`` (points), ``df``,
    ``p_value``, ``p_holm`` and ``p_fdr_bh``. Contrasts that count the same answers are computed
    together (:func:`social_licence.survey.compare.compare_each_with_rest`).
    """
    table = family(published)
    design = SurveyDesign(survey.data, weights=codebook.weight_variable)
    questions = [figure_question(figure, codebook) for figure in table.itertuples(index=False)]
    batches: dict[tuple, tuple[list, list]] = {}
    for (variable, counted, missing), group in zip(questions, table["group"]):
        items, groups = batches.setdefault((tuple(counted), tuple(missing)), ([], []))
        items += [] if variable in items else [variable]
        groups += [] if group in groups else [group]
    found = {}
    for (counted, missing), (items, groups) in batches.items():
        result = compare_each_with_rest(design, items, list(counted), groups, level=level, missing_values=missing)
        found.update({(counted, row["variable"], row["by"]): row for row in result.to_dict("records")})
    rows = []
    for (variable, counted, _), group in zip(questions, table["group"]):
        result = found[(tuple(counted), variable, group)]
        rows.append({"estimate_group": 100 * result["estimate_a"], "estimate_rest": 100 * result["estimate_b"],
                     "n_group": int(result["n_a"]), "gap": 100 * result["difference"],
                     "ci_low": 100 * result["ci_low"], "ci_high": 100 * result["ci_high"],
                     "se": 100 * result["se"], "df": int(result["df"]), "p_value": float(result["p_value"])})
    file = pd.DataFrame(rows)
    return pd.concat([table, file], axis=1).assign(**adjusted(file["p_value"].to_numpy()))
