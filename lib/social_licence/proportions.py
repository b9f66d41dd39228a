"""Survey-weighted proportions with design-based standard errors and intervals, overall or by group.

``proportion(design, variable, positive, by=...)`` is the package's equivalent of

    svyby(~I(y %in% positive), ~g1 + g2, subset(design, !is.na(y) & !(y %in% missing_values)),
          svyciprop, method = "beta", level = 0.95)

in R ``survey`` (Lumley 2010), returned as one tidy DataFrame with the base sizes, Kish's effective
sample size, the design effect, the design degrees of freedom and small-base flags.

How it is computed (and why it is fast): the proportion in domain d is the ratio
``p_d = sum(w y) / sum(w)`` over the domain's base rows. Its linearised influence values are
``z_i = w_i (y_i - p_d) / W_d`` on the domain's rows and zero elsewhere (Woodruff 1971; Lumley 2010,
sec. 2.2.2), and its variance is the design's with-replacement variance of the total of z
(:meth:`SurveyDesign.variance_of_psu_totals`). Everything reduces to weighted sums by
(group x answer) cell, so one ``np.bincount`` per sum serves every group at once:

* weights only: since ``sum(z) = 0`` the variance is ``N/(N-1) * sum(z^2)`` with
  ``sum(z^2) = [S2_pos (1-p)^2 + S2_neg p^2] / W^2`` (S2 = sums of squared weights by cell, N = rows
  in the whole design), a closed form with no second pass over the data;
* strata / PSU: the PSU totals of z are ``[S_pos,j (1-p) - S_neg,j p] / W`` from one bincount over
  (cell, PSU) codes.

Domains always use the full-sample design (influence zero outside the domain), never a re-weighted
subset, so domain standard errors are R's ``svyby`` ones.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .design import SurveyDesign, _describe_values, require_columns
from .intervals import check_level, check_method, proportion_interval

#: columns of :func:`proportion`'s output after the ``by`` columns, in order
OUTPUT_COLUMNS = (
    "variable", "estimate", "se", "ci_low", "ci_high", "level", "method", "n", "n_missing",
    "weighted_n", "n_eff", "deff", "df", "suppressed", "low_base",
)


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def response_indicators(design: SurveyDesign, variable: str, positive, missing_values=(),
                        include_missing: bool = False):
    """Code one survey item into row-level indicators.

    Returns ``(is_positive, is_missing, in_base)`` as boolean arrays over the design's rows:
    ``is_missing`` marks NaN and the ``missing_values`` codes (don't know, refused, ...);
    ``in_base`` is ``~is_missing``, or every row when ``include_missing`` (then the missing rows
    count as not positive); ``is_positive`` marks rows whose answer is one of ``positive``.

    Raises ``ValueError`` naming the column when it is absent, when a ``positive`` value never
    occurs in it, when a value in ``positive`` or ``missing_values`` is not a number although the
    column is numeric, or when a value is listed both as positive and as missing.
    """
    data = design.data
    require_columns(data, [variable], "variable")
    positives = _as_list(positive)
    missing = _as_list(missing_values)
    if not positives:
        raise ValueError(f"positive: give at least one answer value of column {variable!r}")
    both = [v for v in positives if v in missing]
    if both:
        raise ValueError(f"column {variable!r}: value(s) {_describe_values(both)} listed both as "
                         f"positive and in missing_values")
    column = data[variable]
    numeric = pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column)
    if numeric:
        for role, values in (("positive", positives), ("missing_values", missing)):
            bad = [v for v in values if not _is_number(v)]
            if bad:
                raise ValueError(
                    f"column {variable!r} is numeric (dtype {column.dtype}, {len(data)} rows) "
                    f"but {role} value(s) {_describe_values(bad)} are not numbers"
                )
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        is_missing = np.isnan(values)
    else:
        values = column.to_numpy()
        is_missing = column.isna().to_numpy()

    for code in missing:
        is_missing = is_missing | (values == code)
    is_positive = np.zeros(len(values), dtype=bool)
    for answer in positives:
        hits = values == answer
        if not hits.any():
            seen = pd.unique(column.dropna())
            raise ValueError(
                f"positive value {answer!r} never occurs in column {variable!r} ({len(data)} rows; "
                f"values seen: {_describe_values(sorted(seen, key=str), limit=10)})"
            )
        is_positive |= hits
    is_positive &= ~is_missing
    in_base = np.ones(len(values), dtype=bool) if include_missing else ~is_missing
    return is_positive, is_missing, in_base


def _factorize(series: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 and the k observed levels of one grouping column (sorted).

    Fast paths for boolean and small-range integer columns avoid hashing a million rows.
    Missing values are an error: nothing is silently dropped.
    """
    n = len(series)
    if series.dtype == np.dtype(bool):
        raw, levels = series.to_numpy().astype(np.int64), np.array([False, True])
    elif isinstance(series.dtype, np.dtype) and series.dtype.kind in "iu" and n:
        arr = series.to_numpy()
        low, high = int(arr.min()), int(arr.max())
        if high - low > 4 * n:
            raw, levels = pd.factorize(series, sort=True)
        else:
            raw, levels = arr.astype(np.int64) - low, np.arange(low, high + 1, dtype=arr.dtype)
    else:
        raw, levels = pd.factorize(series, sort=True)
        levels = np.asarray(levels)
        if (raw < 0).any():
            raise ValueError(
                f"by column {column!r} has {int((raw < 0).sum())} missing value(s) out of {n} rows; "
                f"recode them to a level (e.g. 'missing') so that no row is silently dropped"
            )
    observed = np.flatnonzero(np.bincount(raw, minlength=len(levels)))
    if len(observed) < len(levels):
        remap = np.full(len(levels), -1, dtype=np.int64)
        remap[observed] = np.arange(len(observed))
        raw, levels = remap[raw], levels[observed]
    return raw.astype(np.int64, copy=False), levels


def group_codes(data: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Row codes 0..G-1 for the observed combinations of the ``by`` columns, and a G-row frame of
    those combinations (sorted by the ``by`` columns in order; like ``svyby``'s groups, unobserved
    combinations are not groups). ``by=None`` gives one group and an empty frame with one row."""
    by_columns = _as_list(by)
    require_columns(data, by_columns, "by")
    if len(set(by_columns)) < len(by_columns):
        raise ValueError(f"by columns repeat: {by_columns}")
    if not by_columns:
        return np.zeros(len(data), dtype=np.int64), pd.DataFrame(index=range(1))
    codes = np.zeros(len(data), dtype=np.int64)
    sizes, level_sets = [], []
    for column in by_columns:
        col_codes, levels = _factorize(data[column], column)
        codes = codes * len(levels) + col_codes
        sizes.append(len(levels))
        level_sets.append(levels)
    if len(by_columns) > 1:
        observed = np.flatnonzero(np.bincount(codes, minlength=int(np.prod(sizes))))
        remap = np.full(int(np.prod(sizes)), -1, dtype=np.int64)
        remap[observed] = np.arange(len(observed))
        codes = remap[codes]
        positions = np.unravel_index(observed, sizes)
    else:
        positions = (np.arange(sizes[0]),)
    frame = pd.DataFrame({
        column: pd.Series(levels[pos], dtype=data[column].dtype)
        for column, levels, pos in zip(by_columns, level_sets, positions)
    })
    return codes, frame


def _check_bases(min_base, flag_base) -> None:
    for name, value in (("min_base", min_base), ("flag_base", flag_base)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}={value!r} must be a non-negative integer")
    if min_base > flag_base:
        raise ValueError(f"min_base={min_base} must not exceed flag_base={flag_base}")


def _domain_sums(design: SurveyDesign, is_positive, is_missing, include_missing, codes, n_groups):
    """Weighted sums, variance and df of the ratio estimator for every group in one pass."""
    # cell = group x answer state: 0 = not positive, 1 = positive, 2 = missing / non-substantive
    state = is_positive.view(np.int8) + np.int8(2) * is_missing.view(np.int8)
    cell = codes * 3 + state
    size = 3 * n_groups
    counts = np.bincount(cell, minlength=size).reshape(n_groups, 3)
    wsum = np.bincount(cell, weights=design.w, minlength=size).reshape(n_groups, 3)
    w2sum = np.bincount(cell, weights=design.w2, minlength=size).reshape(n_groups, 3)
    base = [0, 1, 2] if include_missing else [0, 1]
    n = counts[:, base].sum(axis=1)
    total = wsum[:, base].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = wsum[:, 1] / total
        if design.weights_only:
            n_all = design.n_rows
            sq = (w2sum[:, 1] * (1 - p) ** 2 + (w2sum[:, base].sum(axis=1) - w2sum[:, 1]) * p**2)
            var = n_all / (n_all - 1) * sq / total**2 if n_all > 1 else np.full(n_groups, np.nan)
        else:
            psu = design.psu_totals(design.w, cell, size).reshape(n_groups, 3, design.n_psu)
            negative = psu[:, base].sum(axis=1) - psu[:, 1]
            influence = (psu[:, 1] * (1 - p)[:, None] - negative * p[:, None]) / total[:, None]
            var = design.variance_of_psu_totals(influence)
        n_eff = total**2 / w2sum[:, base].sum(axis=1)

    if design.has_zero_weights:
        in_base = np.isin(state, base)
        counted = np.where(in_base & (design.w > 0), codes, n_groups)
        n_nonzero = np.bincount(counted, minlength=n_groups + 1)[:n_groups]
        df = design.domain_df(counted, n_groups)
    else:
        n_nonzero = n
        df = n - 1 if design.weights_only else design.domain_df(
            np.where(np.isin(state, base), codes, n_groups), n_groups)
    with np.errstate(divide="ignore", invalid="ignore"):
        deff = var / (p * (1 - p) / (n_nonzero - 1))
    return dict(n=n, n_missing=counts[:, 2], weighted_n=total, estimate=p, var=var,
                n_eff=n_eff, deff=deff, df=df)


def proportion(design: SurveyDesign, variable: str, positive, by=None, method: str = "beta",
               level: float = 0.95, missing_values=(), include_missing: bool = False,
               min_base: int = 30, flag_base: int = 50) -> pd.DataFrame:
    """Weighted proportion giving one of the ``positive`` answers to ``variable``, overall or by group.

    Parameters
    ----------
    design : SurveyDesign
        The survey design (weights, optional strata and PSU).
    variable : str
        Column holding the answers.
    positive : scalar or list
        Answer value(s) counted as "yes" (e.g. ``[4, 5]`` for agree + strongly agree). Each must
        occur in the column.
    by : None, str or list of str
        Grouping column(s); one output row per observed combination (like ``svyby(..., ~g1 + g2)``).
    method : {"beta", "logit", "wilson"}
        Interval method, see :mod:`social_licence.intervals`.
    level : float
        Confidence level in (0, 1).
    missing_values : list
        Codes that are non-substantive answers (don't know, refused), in addition to NaN.
    include_missing : bool
        False (default): NaN and ``missing_values`` rows are left out of the base (domain
        estimation: R's ``subset(design, !is.na(y) & !(y %in% missing_values))``). True: they stay
        in the base as not positive (the share of everyone asked).
    min_base : int
        Groups with an unweighted base ``n < min_base`` are suppressed: estimate, se, interval and
        deff set to NaN, ``suppressed = True``.
    flag_base : int
        Groups with ``min_base <= n < flag_base`` get ``low_base = True``.

    Returns
    -------
    pandas.DataFrame
        One row per group (one row when ``by=None``), sorted by the ``by`` columns, with the by
        columns followed by :data:`OUTPUT_COLUMNS`:

        ``variable``; ``estimate`` (weighted proportion); ``se`` (linearised, R ``svymean``);
        ``ci_low``, ``ci_high``, ``level``, ``method`` (R ``svyciprop``); ``n`` (unweighted base:
        rows in the group's base); ``n_missing`` (rows of the group that are NaN or a
        ``missing_values`` code -- outside the base unless ``include_missing``); ``weighted_n`` (sum of
        weights in the base); ``n_eff`` (Kish, ``(sum w)^2 / sum w^2`` over the base); ``deff``
        (design effect ``var / var_srs`` with the with-replacement SRS variance
        ``p(1-p)/(n-1)``: R ``svymean(..., deff = "replace")``, which is also SAS SURVEYFREQ's
        default; NaN when p is 0 or 1); ``df`` (design degrees of freedom of the domain, R
        ``degf``); ``suppressed``; ``low_base``.

    Raises
    ------
    ValueError
        Missing ``variable`` or ``by`` column, a ``positive`` value never seen, a non-numeric
        ``positive``/``missing_values`` value for a numeric column, missing values in a ``by``
        column, ``level`` outside (0, 1), an unknown ``method``, bad ``min_base``/``flag_base``, or
        a group (or the whole item, with ``by=None``) with no rows in its base.
    """
    check_method(method)
    check_level(level)
    _check_bases(min_base, flag_base)
    by_columns = _as_list(by)
    if variable in by_columns:
        raise ValueError(f"column {variable!r} is both the variable and a by column")
    codes, groups = group_codes(design.data, by_columns)
    is_positive, is_missing, _ = response_indicators(design, variable, positive, missing_values,
                                                     include_missing)
    sums = _domain_sums(design, is_positive, is_missing, include_missing, codes, len(groups))

    empty = sums["n"] == 0
    if empty.any():
        if by_columns:
            labels = [tuple(row) for row in groups.loc[empty].itertuples(index=False)]
            raise ValueError(
                f"column {variable!r} has no valid rows in group(s) {_describe_values(labels)} of "
                f"by column(s) {by_columns} ({len(design.data)} rows); drop or merge those groups"
            )
        raise ValueError(f"column {variable!r} has no valid rows: all {len(design.data)} rows are "
                         f"missing or in missing_values")

    se = np.sqrt(sums["var"])
    ci_low, ci_high = proportion_interval(sums["estimate"], se, sums["n"], sums["df"], method, level)
    suppressed = sums["n"] < min_base

    def hide(values):
        return np.where(suppressed, np.nan, values).astype(np.float64)

    out = groups.copy()
    out["variable"] = variable
    out["estimate"] = hide(sums["estimate"])
    out["se"] = hide(se)
    out["ci_low"] = hide(ci_low)
    out["ci_high"] = hide(ci_high)
    out["level"] = float(level)
    out["method"] = method
    out["n"] = sums["n"].astype(np.int64)
    out["n_missing"] = sums["n_missing"].astype(np.int64)
    out["weighted_n"] = sums["weighted_n"].astype(np.float64)
    out["n_eff"] = sums["n_eff"].astype(np.float64)
    out["deff"] = hide(sums["deff"])
    out["df"] = np.asarray(sums["df"], dtype=np.int64)
    out["suppressed"] = suppressed.astype(bool)
    out["low_base"] = ((sums["n"] >= min_base) & (sums["n"] < flag_base)).astype(bool)
    return out.reset_index(drop=True)
