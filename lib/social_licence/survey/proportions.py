"""Survey-weighted proportions with design-based standard errors and intervals, overall or by group.

``proportion(design, variable, positive, by=...)`` is the package's equivalent of

    svyby(~I(y %in% positive), ~g1 + g2, subset(design, !is.na(y) & !(y %in% missing_values)),
          svyciprop, method = "beta", level = 0.95)

in R ``survey`` (Lumley 2010), returned as one tidy DataFrame with the base sizes, Kish's effective
sample size, the design effect, the design degrees of freedom and small-base flags. ``variable`` may
be a list of items sharing one answer scale (``svyby(~q1 + q2 + ..., ...)``); the rows are stacked.

Designs: a :class:`~.design.SurveyDesign` (weights, strata, PSUs: Taylor linearisation), a
:class:`~.replicates.ReplicateDesign` (replicate weights) or a :class:`~.database.DatabaseDesign`
(a file larger than memory, summed in SQL); every design gives the same table, and the
variance is each design's own: R's ``svyby`` on ``svydesign``, ``svrepdesign`` or a
database-backed design.

How it is computed (and why it is fast): the proportion in domain d is the ratio
``p_d = sum(w y) / sum(w)`` over the domain's base rows. Its linearised influence values are
``z_i = w_i (y_i - p_d) / W_d`` on the domain's rows and zero elsewhere (Woodruff 1971; Lumley 2010,
sec. 2.2.2), and its variance is the design's with-replacement variance of the total of z
(:meth:`SurveyDesign.variance_of_psu_totals`). Everything reduces to weighted sums by domain (and
by PSU, or by replicate), :mod:`.domain_sums`:

* ``proportion`` (one grouping, any number of levels): one ``np.bincount`` per sum and item serves
  every group at once; weights only in closed form, ``N/(N-1) * sum(z^2)`` with
  ``sum(z^2) = [S2_pos (1-p)^2 + S2_neg p^2] / W^2``; strata/PSU from the PSU totals of z,
  ``[S_pos,j (1-p) - S_neg,j p] / W``;
* ``proportion_by_each`` (many items by each of several breakdowns, ``svyby`` over each ``g`` in
  turn, stacked with a ``by`` and a ``group`` column): the sums of every item in every level of
  every breakdown from a few matrix products over chunks of rows -- BLAS products for the sums by
  domain, one sparse-by-dense product for the PSU totals of a strata/PSU design, one product
  holding every replicate for a replicate design -- instead of a pass per item, breakdown and sum.

Domains always use the full-sample design (influence zero outside the domain), never a re-weighted
subset, so domain standard errors are R's ``svyby`` ones.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .answers import as_list, answer_states
from .database import DatabaseDesign
from .design import SurveyDesign, describe_values, require_columns
from .domain_sums import (MATRIX_LEVELS, bincount_sums, matrix_sums, psu_sums, replicate_sums,
                          strata_sums)
from .intervals import check_level, check_method, proportion_interval
from .replicates import ReplicateDesign

#: columns of :func:`proportion`'s output after the ``by`` columns, in order
OUTPUT_COLUMNS = (
    "variable", "estimate", "se", "ci_low", "ci_high", "level", "method", "n", "n_missing",
    "weighted_n", "n_eff", "deff", "df", "suppressed", "low_base",
)



def _factorize(series: pd.Series, column: str) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes 0..k-1 and the k observed levels of one grouping column (sorted).

    Fast paths for boolean and small-range integer columns avoid hashing a million rows.
    Missing values are an error: nothing is silently dropped.
    """
    n = len(series)
    if series.dtype == np.dtype(bool):
        arr = series.to_numpy()
        n_true = int(np.count_nonzero(arr))
        if 0 < n_true < n:  # both levels observed
            return arr.astype(np.int64), np.array([False, True])
        return np.zeros(n, dtype=np.int64), np.array([n_true > 0])
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


def _group_levels(data: pd.DataFrame, by_columns: list) -> tuple[np.ndarray, dict, int]:
    """Row codes 0..G-1 for the observed combinations of ``by_columns``, a dict of each column's
    level per group (arrays of length G) and G."""
    require_columns(data, by_columns, "by")
    if len(set(by_columns)) < len(by_columns):
        raise ValueError(f"by columns repeat: {by_columns}")
    if not by_columns:
        return np.zeros(len(data), dtype=np.int64), {}, 1
    codes = None
    sizes, level_sets = [], []
    for column in by_columns:
        col_codes, levels = _factorize(data[column], column)
        codes = col_codes if codes is None else codes * len(levels) + col_codes
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
    levels = {column: level_set[pos] for column, level_set, pos in zip(by_columns, level_sets, positions)}
    return codes, levels, len(positions[0])


def _level_column(data: pd.DataFrame, column: str, values: np.ndarray):
    """Group levels as an array with the by column's own dtype (category, string, ...)."""
    dtype = data[column].dtype
    return values.astype(dtype) if isinstance(dtype, np.dtype) else pd.array(values, dtype=dtype)


def _level_values(design, column: str, values: np.ndarray):
    """Group levels with the by column's dtype: the data frame's, or as the file route read them."""
    if isinstance(design, DatabaseDesign):
        return values
    return _level_column(design.data, column, values)


def group_codes(data: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Row codes 0..G-1 for the observed combinations of the ``by`` columns, and a G-row frame of
    those combinations (sorted by the ``by`` columns in order; like ``svyby``'s groups, unobserved
    combinations are not groups). ``by=None`` gives one group and an empty frame with one row.
    Missing values in a by column are an error."""
    codes, levels, n_groups = _group_levels(data, as_list(by))
    frame = pd.DataFrame({c: _level_column(data, c, v) for c, v in levels.items()},
                         index=range(n_groups))
    return codes, frame


def _check_bases(min_base, flag_base) -> None:
    for name, value in (("min_base", min_base), ("flag_base", flag_base)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}={value!r} must be a non-negative integer")
    if min_base > flag_base:
        raise ValueError(f"min_base={min_base} must not exceed flag_base={flag_base}")


def _require_rows(n: np.ndarray, variables: list, by_columns: list, levels: dict,
                  n_rows: int) -> None:
    """Raise for the first item (in order) with a group (or, with no by columns, no rows at all)
    whose base is empty; ``n`` is the base sizes, items x groups."""
    empty = n == 0
    if not empty.any():
        return
    item = variables[int(np.flatnonzero(empty.any(axis=1))[0])]
    if by_columns:
        rows = empty[variables.index(item)]
        labels = list(zip(*(levels[c][rows].tolist() for c in by_columns)))
        raise ValueError(
            f"column {item!r} has no valid rows in group(s) {describe_values(labels)} of "
            f"by column(s) {by_columns} ({n_rows} rows); drop or merge those groups"
        )
    raise ValueError(f"column {item!r} has no valid rows: all {n_rows} rows are "
                     f"missing or in missing_values")


def _estimate_columns(sums: dict, method: str, level: float, min_base: int,
                      flag_base: int) -> dict:
    """The output columns from ``estimate`` on (:data:`OUTPUT_COLUMNS` after ``variable``), from
    domain sums flattened to one entry per output row: intervals, suppression and flags."""
    n = sums["n"]
    se = np.sqrt(sums["var"])
    logit_se = np.sqrt(sums["logit_var"]) if "logit_var" in sums else None
    ci_low, ci_high = proportion_interval(sums["estimate"], se, n, sums["df"], method, level,
                                          logit_se=logit_se)
    suppressed = n < min_base

    def hide(values):
        return np.where(suppressed, np.nan, values).astype(np.float64)

    return {
        "estimate": hide(sums["estimate"]),
        "se": hide(se),
        "ci_low": hide(ci_low),
        "ci_high": hide(ci_high),
        "level": np.full(len(n), float(level)),
        "method": np.full(len(n), method, dtype=object),
        "n": n.astype(np.int64),
        "n_missing": sums["n_missing"].astype(np.int64),
        "weighted_n": sums["weighted_n"].astype(np.float64),
        "n_eff": sums["n_eff"].astype(np.float64),
        "deff": hide(sums["deff"]),
        "df": sums["df"].astype(np.int64),
        "suppressed": suppressed,
        "low_base": (n >= min_base) & (n < flag_base),
    }


def proportion(design: SurveyDesign, variable, positive, by=None, method: str = "beta",
               level: float = 0.95, missing_values=(), include_missing: bool = False,
               min_base: int = 30, flag_base: int = 50) -> pd.DataFrame:
    """Weighted proportion giving one of the ``positive`` answers to ``variable``, overall or by group.

    Parameters
    ----------
    design : SurveyDesign, ReplicateDesign or DatabaseDesign
        The survey design: weights with optional strata and PSU (linearised), replicate weights,
        or a file read by DuckDB.
    variable : str or list of str
        Column holding the answers, or several columns sharing one answer scale (like
        ``svyby(~q1 + q2 + ..., ...)``): the result stacks them, item by item.
    positive : scalar or list
        Answer value(s) counted as "yes" (e.g. ``[4, 5]`` for agree + strongly agree). Each must
        occur in every column.
    by : None, str or list of str
        Grouping column(s); one output row per observed combination (like ``svyby(..., ~g1 + g2)``).
        Missing values in a by column are an error (recode them to a level).
    method : {"beta", "logit", "wilson"}
        Interval method, see :mod:`social_licence.survey.intervals`.
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
        One row per item and group (one row per item when ``by=None``), items in the order given
        and groups sorted by the ``by`` columns; the by columns followed by :data:`OUTPUT_COLUMNS`:

        ``variable``; ``estimate`` (weighted proportion); ``se`` (linearised, or from the
        replicates: R ``svymean``);
        ``ci_low``, ``ci_high``, ``level``, ``method`` (R ``svyciprop``); ``n`` (unweighted base:
        rows in the group's base, R's ``nrow`` of the domain); ``n_missing`` (rows of the group
        that are NaN or a ``missing_values`` code -- outside the base unless ``include_missing``);
        ``weighted_n`` (sum of weights in the base); ``n_eff`` (Kish, ``(sum w)^2 / sum w^2`` over
        the base); ``deff`` (design effect ``var / var_srs`` with the with-replacement SRS variance
        ``p(1-p)/(n-1)``, n counting non-zero weights: R ``svymean(..., deff = "replace")``, also
        SAS SURVEYFREQ's default; NaN when p is 0 or 1); ``df`` (design degrees of freedom of the
        domain, R ``degf``); ``suppressed``; ``low_base``.

    See :func:`proportion_by_each` for many items by each of several by columns in turn.

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
    variables, by_columns = as_list(variable), as_list(by)
    clash = [v for v in variables if v in by_columns]
    if clash:
        raise ValueError(f"column(s) {clash} are both a variable and a by column")
    if isinstance(design, DatabaseDesign):
        ((levels, sums),) = design.domain_statistics(variables, positive, missing_values,
                                                     include_missing, [by_columns])
        n_groups = len(sums["n"][0])
    else:
        codes, levels, n_groups = _group_levels(design.data, by_columns)
        states = answer_states(design, variables, positive, missing_values)
        sums = (replicate_sums(design, states, include_missing, [(codes, n_groups)])[0]
                if isinstance(design, ReplicateDesign)
                else bincount_sums(design, states, include_missing, codes, n_groups))

    _require_rows(sums["n"], variables, by_columns, levels, design.n_rows)
    columns = {column: _level_values(design, column, np.tile(levels[column], len(variables)))
               for column in by_columns}
    columns["variable"] = np.repeat(np.asarray(variables, dtype=object), n_groups)
    columns.update(_estimate_columns({key: value.ravel() for key, value in sums.items()}, method,
                                     level, min_base, flag_base))
    return pd.DataFrame(columns)


def proportion_by_each(design: SurveyDesign, variable, positive, by_each, method: str = "beta",
                       level: float = 0.95, missing_values=(), include_missing: bool = False,
                       min_base: int = 30, flag_base: int = 50) -> pd.DataFrame:
    """Weighted proportions of many items by each of several grouping columns in turn, in one call.

    The table a report prints as items down the side and breakdowns across the top ("banner"
    columns): for every column ``g`` in ``by_each``, what ``proportion(design, variable, positive,
    by=g, ...)`` gives, i.e. R's ``svyby(~yy, ~g, subset(design, valid), svyciprop)`` for each
    ``g`` in turn -- not the cross-classification ``~g1 + g2`` (that is ``proportion(by=[...])``).
    The results equal :func:`proportion`'s column by column up to the rounding of sums taken in
    another order (relative differences below 1e-13 at a million rows; counts, df and flags exactly).

    Why a call of its own: every sum comes from a few float64 matrix products over all grouping
    columns at once (:mod:`.domain_sums`): on a weights-only design the sums by domain, with a
    strata/PSU design also the PSU totals of every item and level as one sparse-by-dense product,
    with replicate weights every replicate's sums in one product per chunk of rows -- at a million
    rows ten times faster or more than a ``proportion()`` call per column. On linearised designs,
    by columns with more than 20 levels (where one-hot columns cost more than the passes they
    replace) take :func:`proportion`'s own route, with the answers coded only once. A
    :class:`~.database.DatabaseDesign` sums in SQL.

    Parameters
    ----------
    by_each : str or list of str
        Grouping columns, each estimated on its own; booleans or columns of several levels (each
        observed level is a domain, as in ``svyby``). Missing values are an error.
    design, variable, positive, method, level, missing_values, include_missing, min_base, flag_base
        As in :func:`proportion`.

    Returns
    -------
    pandas.DataFrame
        ``by`` (the grouping column's name), ``group`` (its level: the column's own values, so the
        dtype is the by columns' common dtype, object when they differ) and then
        :data:`OUTPUT_COLUMNS`. Rows: for each column of ``by_each`` in order, the rows of
        ``proportion(..., by=column)`` (item by item, levels sorted).

    Raises
    ------
    ValueError
        As :func:`proportion`; also for an empty or repeated ``by_each``. A level of a by column
        with no rows in an item's base is an error naming the item, the column and the level.
    """
    check_method(method)
    check_level(level)
    _check_bases(min_base, flag_base)
    variables, by_columns = as_list(variable), as_list(by_each)
    if not by_columns:
        raise ValueError(f"by_each: give at least one grouping column of the data "
                         f"({design.n_rows} rows)")
    if isinstance(design, DatabaseDesign):
        design.require_columns(by_columns, "by_each")
    else:
        require_columns(design.data, by_columns, "by_each")
    repeated = sorted({c for c in by_columns if by_columns.count(c) > 1}, key=by_columns.index)
    if repeated:
        raise ValueError(f"by_each column(s) {describe_values(repeated)} given more than once: "
                         f"{by_columns}")
    clash = [v for v in variables if v in by_columns]
    if clash:
        raise ValueError(f"column(s) {clash} are both a variable and a by_each column")
    if isinstance(design, DatabaseDesign):
        results = design.domain_statistics(variables, positive, missing_values, include_missing,
                                           [[column] for column in by_columns])
        levels = [found[column] for (found, _), column in zip(results, by_columns)]
        sums = [statistics for _, statistics in results]
    else:
        groupings = [_group_levels(design.data, [column]) for column in by_columns]
        states = answer_states(design, variables, positive, missing_values)
        levels = [found[column] for (_, found, _), column in zip(groupings, by_columns)]
        sums = _grouping_sums(design, states, include_missing,
                              [(codes, k) for codes, _, k in groupings])
    for column, found, statistics in zip(by_columns, levels, sums):
        _require_rows(statistics["n"], variables, [column], {column: found}, design.n_rows)

    items = np.asarray(variables, dtype=object)
    flat = {key: np.concatenate([statistics[key].ravel() for statistics in sums]) for key in sums[0]}
    columns = {
        "by": np.concatenate([np.full(len(items) * len(found), column, dtype=object)
                              for column, found in zip(by_columns, levels)]),
        "group": pd.concat([pd.Series(_level_values(design, column, np.tile(found, len(items))))
                            for column, found in zip(by_columns, levels)], ignore_index=True),
        "variable": np.concatenate([np.repeat(items, len(found)) for found in levels]),
    }
    columns.update(_estimate_columns(flat, method, level, min_base, flag_base))
    return pd.DataFrame(columns)


def _grouping_sums(design, states: np.ndarray, include_missing: bool,
                   groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """The domain statistics of each grouping (row codes, levels) by the route its design takes:
    replicate designs all at once; on linearised designs, the groupings of at most
    ``MATRIX_LEVELS`` levels together by matrix products (weights only, strata, or strata and PSU)
    and the others by ``np.bincount`` passes (:mod:`.domain_sums`)."""
    if isinstance(design, ReplicateDesign):
        return replicate_sums(design, states, include_missing, groupings)
    route = (matrix_sums if design.weights_only else
             strata_sums if design.psu is None else psu_sums)
    together = [j for j, (_, k) in enumerate(groupings) if k <= MATRIX_LEVELS]
    sums = dict(zip(together, route(design, states, include_missing,
                                    [groupings[j] for j in together]))) if together else {}
    sums.update({j: bincount_sums(design, states, include_missing, codes, k)
                 for j, (codes, k) in enumerate(groupings) if j not in sums})
    return [sums[j] for j in range(len(groupings))]
