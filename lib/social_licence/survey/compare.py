"""Comparing a proportion between groups: differences with design-based tests, Rao-Scott tests.

* :func:`compare_with_rest` -- a group (``True`` in a boolean column) against everyone else;
* :func:`compare_groups` -- two levels of one column;
* :func:`rao_scott_test` -- is the proportion the same in every level of a column?
* :func:`adjust_pvalues` -- Holm or Benjamini-Hochberg adjustment over a family of tests.

Both domains come from one design, so the difference is linearised as a whole: its influence values
are those of p_a minus those of p_b (each zero outside its own domain), and the design's
with-replacement variance of their total (:meth:`SurveyDesign.covariance`) accounts for any
covariance between the domains induced by shared PSUs (Lumley 2010, sec. 2.2; Wolter 2007, ch. 6).
This is R's ``svyby(~y, ~g, design, svymean, covmat = TRUE)`` followed by ``svycontrast``, and also
the coefficient and standard error of ``svyglm(y ~ g, design)``.

The t statistic, its degrees of freedom and the p-value are those of R's ``svyttest(y ~ g,
design)``: df = degf(design restricted to the two domains' valid rows) - 1, the residual df of the
two-parameter design-based regression. The interval is ``difference +/- qt(1 - (1-level)/2, df) * se``
(R ``confint(svyglm(y ~ g, design), 2, level = level)``).

References: Lumley T (2010) Complex Surveys, Wiley; Rao JNK, Scott AJ (1984) On chi-squared tests for
multiway contingency tables with cell proportions estimated from survey data, Ann Stat 12:46-60;
Holm S (1979) Scand J Stat 6:65-70; Benjamini Y, Hochberg Y (1995) JRSS B 57:289-300.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .design import SurveyDesign, describe_values, require_columns
from .intervals import check_level
from .answers import response_indicators
from .proportions import group_codes, proportion_by_each

#: p-value adjustments accepted by :func:`adjust_pvalues` (the names statsmodels' ``multipletests`` uses)
ADJUSTMENTS = ("holm", "fdr_bh")


def _require_linearised(design, function: str) -> None:
    """The comparisons use the linearised covariance of a :class:`SurveyDesign`; refuse others."""
    if not isinstance(design, SurveyDesign):
        raise ValueError(f"{function} needs a SurveyDesign (weights, strata and PSU, in memory); "
                         f"got a {type(design).__name__}, for which only proportion() and "
                         f"proportion_by_each() are built")


def _check_single_column(by) -> None:
    if not isinstance(by, str):
        raise ValueError(f"by={by!r} must name one column")


def _difference(design: SurveyDesign, variable: str, is_positive, in_base, in_a, in_b,
                level: float, labels: dict) -> pd.DataFrame:
    """Difference p_a - p_b of two disjoint domains with its linearised SE, t test and interval."""
    a, b = in_a & in_base, in_b & in_base
    n_a, n_b = int(a.sum()), int(b.sum())
    for label, count in ((labels["a"], n_a), (labels["b"], n_b)):
        if count == 0:
            raise ValueError(f"column {variable!r} has no valid rows in group {label!r} of "
                             f"{labels['by']!r} ({len(design.data)} rows)")
    w, y = design.w, is_positive.astype(np.float64)
    total_a, total_b = w[a].sum(), w[b].sum()
    p_a, p_b = (w * y)[a].sum() / total_a, (w * y)[b].sum() / total_b
    influence = np.zeros((design.n_rows, 2))
    influence[a, 0] = w[a] * (y[a] - p_a) / total_a
    influence[b, 1] = w[b] * (y[b] - p_b) / total_b
    cov = design.covariance(influence)
    se = float(np.sqrt(cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]))
    counted = (a | b) & (w != 0)
    df = int(design.domain_df(np.where(counted, 0, 1), 1)[0]) - 1
    difference = p_a - p_b
    with np.errstate(divide="ignore", invalid="ignore"):
        t = difference / se
        quantile = stats.t.ppf(1 - (1 - level) / 2, df) if df > 0 else np.nan
    p_value = 2 * stats.t.sf(abs(t), df) if df > 0 else np.nan
    return pd.DataFrame([{
        "variable": variable, "by": labels["by"], "a": labels["a"], "b": labels["b"],
        "estimate_a": float(p_a), "se_a": float(np.sqrt(cov[0, 0])), "n_a": n_a,
        "estimate_b": float(p_b), "se_b": float(np.sqrt(cov[1, 1])), "n_b": n_b,
        "difference": float(difference), "se": se,
        "ci_low": float(difference - quantile * se), "ci_high": float(difference + quantile * se),
        "level": float(level), "t": float(t), "df": df, "p_value": float(p_value),
    }])


def compare_with_rest(design: SurveyDesign, variable: str, positive, group: str,
                      level: float = 0.95, missing_values=(), include_missing: bool = False
                      ) -> pd.DataFrame:
    """Proportion in a group (``group`` is True) minus the proportion in the rest (False).

    ``positive``, ``missing_values`` and ``include_missing`` mean what they mean in
    :func:`social_licence.survey.proportions.proportion`.

    Returns a one-row DataFrame with columns ``variable``, ``by`` (= ``group``), ``a`` (True),
    ``b`` (False), ``estimate_a``, ``se_a``, ``n_a``, ``estimate_b``, ``se_b``, ``n_b``,
    ``difference`` (a - b), ``se`` (linearised SE of the difference), ``ci_low``, ``ci_high``,
    ``level``, ``t``, ``df``, ``p_value`` (two-sided). Matches R's
    ``svycontrast(svyby(~y, ~group, d, svymean, covmat = TRUE), c(-1, 1))`` and
    ``svyttest(y ~ group, d)`` with ``d`` the design restricted to valid answers.

    Raises ``ValueError`` if ``group`` is not a column, is not boolean, or either side has no valid
    rows, and for the item errors of ``proportion``.
    """
    _require_linearised(design, "compare_with_rest")
    check_level(level)
    data = design.data
    require_columns(data, [group], "group")
    column = data[group]
    if not pd.api.types.is_bool_dtype(column) or column.isna().any():
        raise ValueError(f"group column {group!r} must be boolean (True = in the group) without "
                         f"missing values; it has dtype {column.dtype}, values "
                         f"{describe_values(pd.unique(column))}, {int(column.isna().sum())} missing "
                         f"of {len(data)} rows")
    is_positive, _, in_base = response_indicators(design, variable, positive, missing_values,
                                                  include_missing)
    in_group = column.to_numpy(dtype=bool)
    return _difference(design, variable, is_positive, in_base, in_group, ~in_group, level,
                       {"by": group, "a": True, "b": False})


def compare_each_with_rest(design: SurveyDesign, variable, positive, groups, level: float = 0.95,
                           missing_values=()) -> pd.DataFrame:
    """:func:`compare_with_rest` for every item of ``variable`` and every boolean column of ``groups``.

    One row per group column and item (groups in order, items within each), with the columns of
    :func:`compare_with_rest`. On a weights-only design the two domains' estimates and variances
    come from one :func:`social_licence.survey.proportions.proportion_by_each` call: the domains
    are disjoint, so the covariance of their totals is zero and the variance of the difference is
    the sum of theirs, ``N/(N-1) (sum z_a^2 + sum z_b^2)``; the t test's df is the rows of both
    domains' bases minus 2 (R ``svyttest``). Other designs take :func:`compare_with_rest` pair by
    pair. Errors as :func:`compare_with_rest`.
    """
    _require_linearised(design, "compare_each_with_rest")
    check_level(level)
    variables, groups = ([variable] if isinstance(variable, str) else list(variable),
                         [groups] if isinstance(groups, str) else list(groups))
    if not design.weights_only or design.has_zero_weights:
        return pd.concat([compare_with_rest(design, item, positive, group, level=level, missing_values=missing_values)
                          for group in groups for item in variables], ignore_index=True)
    for group in groups:
        require_columns(design.data, [group], "group")
        if not pd.api.types.is_bool_dtype(design.data[group]):
            raise ValueError(f"group column {group!r} must be boolean (True = in the group); it has dtype "
                             f"{design.data[group].dtype} ({len(design.data)} rows)")
    table = proportion_by_each(design, variables, positive, by_each=groups, missing_values=missing_values,
                               min_base=0, flag_base=0)
    keys = ["by", "variable"]
    inside, outside = table[table["group"].astype(bool)], table[~table["group"].astype(bool)]
    pairs = pd.DataFrame([(g, v) for g in groups for v in variables], columns=keys)
    a, b = (pairs.merge(side, on=keys, how="left") for side in (inside, outside))
    empty = pairs[a["n"].isna().to_numpy() | b["n"].isna().to_numpy()]
    if len(empty):
        group, item = empty.iloc[0]
        raise ValueError(f"column {item!r} has no valid rows on one side of group {group!r} "
                         f"({len(design.data)} rows)")
    difference = a["estimate"] - b["estimate"]
    se = np.sqrt(a["se"] ** 2 + b["se"] ** 2)
    df = a["n"] + b["n"] - 2
    with np.errstate(divide="ignore", invalid="ignore"):
        t = difference / se
    quantile = stats.t.ppf(1 - (1 - level) / 2, df)
    return pd.DataFrame({
        "variable": a["variable"], "by": a["by"], "a": True, "b": False,
        "estimate_a": a["estimate"], "se_a": a["se"], "n_a": a["n"],
        "estimate_b": b["estimate"], "se_b": b["se"], "n_b": b["n"],
        "difference": difference, "se": se, "ci_low": difference - quantile * se,
        "ci_high": difference + quantile * se, "level": float(level), "t": t, "df": df.astype(np.int64),
        "p_value": 2 * stats.t.sf(np.abs(t), df),
    })


def compare_groups(design: SurveyDesign, variable: str, positive, by: str, a, b,
                   level: float = 0.95, missing_values=(), include_missing: bool = False
                   ) -> pd.DataFrame:
    """Proportion in level ``a`` of column ``by`` minus the proportion in level ``b``.

    Same output columns as :func:`compare_with_rest` (``by`` = the column, ``a``/``b`` = the
    levels). R reference: ``svycontrast`` on ``svyby(~y, ~by, d, svymean, covmat = TRUE)`` and
    ``svyttest(y ~ I(by == a), subset(d, by %in% c(a, b)))``; the t test's df counts the PSUs of
    the two groups only.

    Raises ``ValueError`` if ``by`` is not a column, ``a`` or ``b`` does not occur in it, ``a == b``,
    or a group has no valid rows, and for the item errors of ``proportion``.
    """
    _require_linearised(design, "compare_groups")
    check_level(level)
    data = design.data
    _check_single_column(by)
    require_columns(data, [by], "by")
    if a == b:
        raise ValueError(f"compare_groups needs two different levels of {by!r}, got {a!r} twice")
    column = data[by]
    for value in (a, b):
        if not (column == value).any():
            raise ValueError(f"level {value!r} does not occur in by column {by!r} ({len(data)} rows; "
                             f"levels: {describe_values(pd.unique(column.dropna()), limit=10)})")
    is_positive, _, in_base = response_indicators(design, variable, positive, missing_values,
                                                  include_missing)
    return _difference(design, variable, is_positive, in_base, (column == a).to_numpy(),
                       (column == b).to_numpy(), level, {"by": by, "a": a, "b": b})


def rao_scott_test(design: SurveyDesign, variable: str, positive, by: str, missing_values=(),
                   include_missing: bool = False) -> pd.DataFrame:
    """Rao-Scott test that the proportion is equal in every level of ``by``.

    The 2 x k table (positive or not, by level) is tested with Pearson's X^2 on the weighted table
    scaled to the unweighted base N, divided by the mean generalised design effect, and referred
    to an F distribution with Satterthwaite degrees of freedom ``d0`` and ``d0 * nu`` (Rao & Scott
    1984; second-order correction). This is exactly R's
    ``svychisq(~y + by, d, statistic = "F")`` (survey 4.1 source): ``Delta`` is computed from the
    design covariance of the cell proportions and the SRS covariance on the interaction contrasts,
    ``F = X^2 / tr(Delta)``, ``d0 = tr(Delta)^2 / tr(Delta^2)``, nu = PSUs - strata among the base
    rows (counting zero-weight rows, as ``svychisq`` does).

    Returns a one-row DataFrame: ``variable``, ``by``, ``statistic`` (F), ``ndf``, ``ddf``,
    ``p_value``, ``chisq`` (unadjusted Pearson X^2), ``n`` (base rows), ``n_groups``.

    Raises ``ValueError`` for a missing column, fewer than two levels, a level with no valid rows,
    an item that does not vary (all or none positive), and the item errors of ``proportion``.
    """
    _require_linearised(design, "rao_scott_test")
    data = design.data
    _check_single_column(by)
    require_columns(data, [by], "by")
    is_positive, _, in_base = response_indicators(design, variable, positive, missing_values,
                                                  include_missing)
    codes, groups = group_codes(data, by)
    n_groups = len(groups)
    base_counts = np.bincount(codes[in_base], minlength=n_groups)
    if n_groups < 2:
        raise ValueError(f"by column {by!r} has only one level ({groups[by].iloc[0]!r}); "
                         f"a test needs at least two")
    if (base_counts == 0).any():
        raise ValueError(f"column {variable!r} has no valid rows in group(s) "
                         f"{describe_values(groups[by][base_counts == 0])} of {by!r}")
    answers = np.bincount(is_positive[in_base].astype(np.int64), minlength=2)
    if (answers == 0).any():
        raise ValueError(f"column {variable!r}: every valid row is {'' if answers[0] == 0 else 'not '}"
                         f"positive, so there is nothing to test across {by!r}")

    n_rows, n_answers = 2, n_groups
    cell = is_positive.astype(np.int64) + n_rows * codes  # R's interaction(): rows vary fastest
    w = np.where(in_base, design.w, 0.0)
    total = w.sum()
    cells = np.zeros((design.n_rows, n_rows * n_answers))
    cells[np.flatnonzero(in_base), cell[in_base]] = 1.0
    mean = (w @ cells) / total
    influence = np.where(in_base[:, None], w[:, None] * (cells - mean) / total, 0.0)
    v_design = design.covariance(influence)
    n_base = int(in_base.sum())
    nu = int(design.domain_df(np.where(in_base, 0, 1), 1)[0])

    table = mean.reshape(n_answers, n_rows).T * n_base
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n_base
    chisq = float(((table - expected) ** 2 / expected).sum())

    rows_factor = np.tile(np.arange(n_rows), n_answers)
    cols_factor = np.repeat(np.arange(n_answers), n_rows)
    main = np.column_stack([np.ones(n_rows * n_answers)]
                           + [(rows_factor == r).astype(float) for r in range(1, n_rows)]
                           + [(cols_factor == c).astype(float) for c in range(1, n_answers)])
    interactions = np.column_stack([(rows_factor == r) & (cols_factor == c)
                                    for c in range(1, n_answers) for r in range(1, n_rows)]
                                   ).astype(float)
    contrasts = interactions - main @ np.linalg.lstsq(main, interactions, rcond=None)[0]
    inv_mean = np.diag(np.where(mean == 0, 0.0, 1.0 / np.where(mean == 0, 1.0, mean)))
    denominator = contrasts.T @ (inv_mean / n_base) @ contrasts
    numerator = contrasts.T @ inv_mean @ v_design @ inv_mean @ contrasts
    delta = np.linalg.solve(denominator, numerator)
    trace = float(np.trace(delta))
    d0 = trace**2 / float(np.trace(delta @ delta))
    statistic = chisq / trace
    return pd.DataFrame([{
        "variable": variable, "by": by, "statistic": statistic, "ndf": d0, "ddf": d0 * nu,
        "p_value": float(stats.f.sf(statistic, d0, d0 * nu)), "chisq": chisq, "n": n_base,
        "n_groups": n_groups,
    }])


def adjust_pvalues(pvalues, method: str = "holm"):
    """Adjust a family of p-values for multiple testing.

    ``method="holm"`` controls the family-wise error rate (Holm 1979): with the p-values sorted,
    the i-th smallest times (m - i + 1), made non-decreasing. ``"fdr_bh"`` controls the false
    discovery rate (Benjamini & Hochberg 1995): the i-th smallest times m / i, made non-increasing
    from the largest. Both are capped at 1: the formulas of R's ``p.adjust(p, "holm")`` and
    ``p.adjust(p, "BH")``, and equal to statsmodels' ``multipletests``, which the tests check. They
    are computed here because ``multipletests`` runs a full garbage collection on every Holm call
    (tens of milliseconds in a notebook's heap; the book adjusts a family for every synthetic file).
    Returns the adjusted p-values in the input's order, as a Series with the same index when given
    a Series, else as a float array. NaN or values outside [0, 1] raise ``ValueError``.
    """
    if method not in ADJUSTMENTS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, ADJUSTMENTS))}")
    values = np.asarray(pvalues, dtype=np.float64).ravel()
    bad = np.isnan(values) | (values < 0) | (values > 1)
    if bad.any():
        raise ValueError(f"p-values must be numbers in [0, 1]; {int(bad.sum())} of {len(values)} are "
                         f"not (values: {describe_values(values[bad])})")
    m = len(values)
    order = np.argsort(values, kind="stable")
    if method == "holm":
        stepped = np.maximum.accumulate((m - np.arange(m)) * values[order])
    else:
        order = order[::-1]
        stepped = np.minimum.accumulate(m / np.arange(m, 0, -1) * values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(stepped, 1.0)
    if isinstance(pvalues, pd.Series):
        return pd.Series(adjusted, index=pvalues.index, name=pvalues.name)
    return adjusted
