"""One family of comparisons: each published group against the rest of the sample, adjusted once.

The paper reads its groups' percentages against one another and against "the sample as a whole".
This book makes that one family: every published subgroup figure whose question also has a
published whole-sample figure is one contrast of the group against the rest of the sample.
:func:`family` lists them, once, in the order of the published figures (68: Tables 1, 2 and 3, the
consent question and the commercial question; the belief questions have no whole-sample figure, so
"the rest" is not published and they are not in the family). Every chapter, table and sentence uses
these contrasts and their adjusted p-values, so the same contrast always carries the same adjusted p.

The family is adjusted once by both procedures (Holm 1979, which controls the family-wise error
rate, and Benjamini & Hochberg 1995, the false discovery rate) at both ends of the design-effect
range; the chapter's ``multiplicity`` assumption names the primary one, and the book reports the
other beside it. A contrast *holds* when its primary adjusted p is below ``1 - level``.

* :func:`derived_family` -- from the published figures alone. With s the group's share of the
  sample and P the printed percentages, the rest's percentage is ``(P_all - s P_group) / (1 - s)``
  and the gap ``P_group - P_rest = (P_group - P_all) / (1 - s)``. That is exact for the weighted
  share s; the book uses the printed share, read as unweighted, as its stand-in. Its standard
  error assumes the group and the rest are independent samples of their printed sizes (times the
  share that answered) with a design effect d: ``sqrt(d (p_g q_g / n_g + p_r q_r / n_r))``, with a
  t test on ``n - 2`` degrees of freedom (as for a weights-only design). A contrast whose group
  size the sources do not give has no derived test; it stays in the family with p = 1 for the
  adjustment, so that the adjustment is over the same contrasts in every analysis.
  **Rounding check**: the division by ``1 - s`` magnifies the printed figures' rounding (half a
  point each), so the family is also tested with every pair of figures moved to the ends of their
  rounding intervals that shrink each gap, and to those that widen it; a contrast whose primary
  verdict differs between the two "depends on the rounding", as a verdict does.
* :func:`pattern_tests` -- a pattern ("below the rest on 5 of 5 services") tested as a pattern:
  for each group and block, the mean of its gaps, with a standard error bounded by the mean of
  the gaps' standard errors. Since ``|cov(x_i, x_j)| <= sd_i sd_j``, the variance of a mean of m
  gaps is at most ``(sum sd_i / m)^2`` whatever the correlation between the items (answers of the
  same parents), so the test is conservative under any correlation. Adjusted once, as its own
  family, by both procedures.
* :func:`file_contrasts` -- from the respondent file: the design-based difference of the group and
  the rest with R ``svyttest``'s t test (:func:`social_licence.survey.compare.compare_each_with_rest`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from social_licence.analysis.derived import SAMPLE_SIZE, attitude_figures
from social_licence.study.codebook import Codebook
from social_licence.study.published import step_of
from social_licence.study.recompute import figure_question
from social_licence.survey.compare import ADJUSTMENTS, adjust_pvalues, compare_each_with_rest
from social_licence.survey.design import SurveyDesign

ALL = "all"
#: the procedures' names in tables and sentences
PROCEDURE_NAMES = {"holm": "Holm", "fdr_bh": "Benjamini-Hochberg"}
#: the two rounding scenarios of the derived family: every gap shrunk, every gap widened
ROUNDING_SCENARIOS = ("shrunk", "widened")


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
    """Both adjustments over the whole family (``p_holm``, ``p_fdr_bh``); a missing p counts as
    1 and stays missing."""
    pvalues = np.asarray(pvalues, dtype=float)
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


def _gaps(p_group, p_all, share):
    """(rest, gap) as proportions: the rest's share and the group's gap to it."""
    with np.errstate(invalid="ignore", divide="ignore"):
        rest = np.clip((p_all - share * p_group) / (1 - share), 0.0, 1.0)
    # a group printed at the whole sample's figure is level with the rest: exactly, not to rounding noise
    rest = np.where(p_group == p_all, p_all, rest)
    return rest, p_group - rest


def _bases(table: pd.DataFrame, sizes: pd.DataFrame, answering_share: float):
    """(share, n_group, n_rest): the group's printed share of the sample (proportion) and the
    bases of the group and of the rest, each ``answering_share`` of its parents."""
    share = table["group"].map(dict(zip(sizes["group"], sizes["share"]))).astype(float).to_numpy() / 100
    n_group = np.floor(SAMPLE_SIZE * share + 0.5)
    return share, np.floor(n_group * answering_share + 0.5), np.floor((SAMPLE_SIZE - n_group) * answering_share + 0.5)


def derived_pair(published: pd.DataFrame, sizes: pd.DataFrame, figure_a: str, figure_b: str, *,
                 deff: float, answering_share: float = 1.0) -> dict:
    """Two published figures for the same question in groups that do not overlap (Black against
    White British parents, say), compared as :func:`derived_family` compares a group with the
    rest: ``gap`` (points, a minus b) and its unadjusted two-sided ``p_value``. Outside the family:
    for a comparison the paper draws between two groups."""
    figures = attitude_figures(published).set_index("figure_id")
    a, b = figures.loc[figure_a], figures.loc[figure_b]
    if a["item"] != b["item"]:
        raise ValueError(f"derived_pair: {figure_a} and {figure_b} are figures for different questions")
    size = dict(zip(sizes["group"], sizes["size"]))
    p_a, p_b = float(a["percent"]) / 100, float(b["percent"]) / 100
    n_a, n_b = (np.floor(float(size[g]) * answering_share + 0.5) for g in (a["group"], b["group"]))
    _, _, _, p_value = _t_test(p_a, n_a, p_b, n_b, deff)
    return {"gap": 100 * (p_a - p_b), "p_value": float(p_value)}


def _tests(p_group, p_all, share, n_group, n_rest, deffs) -> dict:
    """p-values and both adjustments of the family at each design effect (columns ``@d``)."""
    rest, gap = _gaps(p_group, p_all, share)
    columns = {}
    for d in deffs:
        se, _, df, p_value = _t_test(p_group, n_group, rest, n_rest, d)
        columns.update({f"se@{d:g}": 100 * se, f"p_value@{d:g}": p_value,
                        **{f"{name}@{d:g}": values for name, values in adjusted(p_value).items()}})
    return {"rest": 100 * rest, "gap": 100 * gap, "df": n_group + n_rest - 2, **columns}


def derived_family(published: pd.DataFrame, sizes: pd.DataFrame, *, deffs, level: float = 0.95,
                   primary: str = "holm", answering_share: float = 1.0) -> pd.DataFrame:
    """The family from the published figures and printed group sizes, at each design effect of
    ``deffs``, adjusted once by both procedures.

    One row per contrast: the columns of :func:`family`, ``share`` (the group's share of the
    sample, percent), ``n_group``, ``n_rest`` (bases), ``rest`` (the rest's percent), ``gap``
    (points), ``df``; for each design effect d: ``se@d`` (points), ``p_value@d``, ``p_holm@d``,
    ``p_fdr_bh@d``; then ``holds`` (the ``primary`` adjusted p below ``1 - level`` at the largest
    design effect), ``holds_at_lowest`` (the same at the smallest), ``depends_on_deff`` (holds at
    the smallest only), ``depends_on_rounding`` (holds in one rounding scenario and not the other,
    at the largest design effect), ``size_known``, ``primary``, ``alpha`` and ``deffs`` as text.
    """
    if primary not in ADJUSTMENTS:
        raise ValueError(f"primary={primary!r} is not one of {', '.join(map(repr, ADJUSTMENTS))}")
    deffs = [float(d) for d in deffs]
    alpha = 1.0 - float(level)
    table = family(published)
    share, n_group, n_rest = _bases(table, sizes, answering_share)
    p_group, p_all = table["published"].to_numpy() / 100, table["published_all"].to_numpy() / 100
    result = table.assign(share=100 * share, n_group=n_group, n_rest=n_rest,
                          **_tests(p_group, p_all, share, n_group, n_rest, deffs))
    low, high = (f"p_{primary}@{d:g}" for d in (deffs[0], deffs[-1]))
    holds = result[high] < alpha
    holds_at_lowest = result[low] < alpha
    step = np.array([[step_of(p) / 200 for p in table[column]] for column in ("published", "published_all")])
    direction = np.sign(p_group - p_all)
    scenarios = {}
    for name, sign in zip(ROUNDING_SCENARIOS, (-1, 1)):
        shifted = _tests(np.clip(p_group + sign * direction * step[0], 0, 1),
                         np.clip(p_all - sign * direction * step[1], 0, 1), share, n_group, n_rest, [deffs[-1]])
        scenarios[name] = shifted[f"p_{primary}@{deffs[-1]:g}"] < alpha
    return result.assign(holds=holds, holds_at_lowest=holds_at_lowest, depends_on_deff=holds_at_lowest & ~holds,
                         depends_on_rounding=scenarios["shrunk"] != scenarios["widened"],
                         size_known=result["share"].notna(), primary=primary, alpha=alpha,
                         deffs=" to ".join(f"{d:g}" for d in deffs))


def survivors(family: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """How many contrasts of a family (:func:`derived_family` or :func:`file_contrasts`) hold
    under each procedure at each design effect: one row per (procedure, design effect), with
    ``procedure``, ``deff`` (NaN for a file family), ``held`` and, by block, ``held:<measure>``."""
    rows = []
    for procedure in ADJUSTMENTS:
        columns = [c for c in family.columns if c.startswith(f"p_{procedure}")]
        for column in columns:
            held = family[column] < alpha
            deff = float(column.split("@", 1)[1]) if "@" in column else float("nan")
            rows.append({"procedure": procedure, "deff": deff, "held": int(held.sum()),
                         **{f"held:{measure}": int(held[family["measure"] == measure].sum())
                            for measure in dict.fromkeys(family["measure"])}})
    return pd.DataFrame(rows)


def pattern_tests(family: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
    """Each group's mean gap over each block of the family, tested conservatively (module docstring).

    ``family`` is :func:`derived_family` (or :func:`file_contrasts`, whose single ``se`` and ``df``
    are used). One row per group and block with at least two contrasts of known size: ``group``,
    ``measure``, ``n`` (contrasts), ``below``, ``above`` (gaps below and above the rest),
    ``mean_gap`` (points); for each design effect d: ``se_bound@d`` (points, the mean of the
    gaps' standard errors), ``p_value@d``, ``p_holm@d`` and ``p_fdr_bh@d`` (adjusted over all the
    pattern tests); and ``alpha``.
    """
    known = family[family["gap"].notna()]
    suffixes = [c.split("@", 1)[1] for c in known.columns if c.startswith("se@")] or [None]
    rows = []
    for (group, measure), part in known.groupby(["group", "measure"], sort=False):
        if len(part) < 2:
            continue
        row = {"group": group, "measure": measure, "n": len(part), "below": int((part["gap"] < 0).sum()),
               "above": int((part["gap"] > 0).sum()), "mean_gap": float(part["gap"].mean())}
        for suffix in suffixes:
            se = part["se" if suffix is None else f"se@{suffix}"]
            bound = float(se.mean())
            df = float(part["df"].min())
            t = row["mean_gap"] / bound
            key = "" if suffix is None else f"@{suffix}"
            row[f"se_bound{key}"] = bound
            row[f"p_value{key}"] = float(2 * stats.t.sf(abs(t), df))
        rows.append(row)
    table = pd.DataFrame(rows)
    for suffix in suffixes:
        key = "" if suffix is None else f"@{suffix}"
        for name, values in adjusted(table[f"p_value{key}"].to_numpy()).items():
            table[f"{name}{key}"] = values
    return table.assign(alpha=1.0 - float(level))


def file_contrasts(design: SurveyDesign, published: pd.DataFrame, codebook: Codebook, *,
                   level: float = 0.95, dont_know_in_base: bool = False) -> pd.DataFrame:
    """The family from the respondent file: each group against the rest, design-based.

    Columns of :func:`family` plus ``estimate_group``, ``estimate_rest`` (percent), ``n_group``,
    ``gap`` (points), ``ci_low``, ``ci_high`` (points, at ``level``), ``se`` (points), ``df``,
    ``p_value``, ``p_holm`` and ``p_fdr_bh``. Contrasts that count the same answers are computed
    together (:func:`social_licence.survey.compare.compare_each_with_rest`).
    """
    table = family(published)
    questions = [figure_question(figure, codebook, dont_know_in_base) for figure in table.itertuples(index=False)]
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
