"""Survey-weighted proportions with design-based standard errors and intervals, overall or by group.

``proportion(design, variable, positive, by=...)`` is the package's equivalent of

    svyby(~I(y %in% positive), ~g1 + g2, subset(design, !is.na(y) & !(y %in% missing_values)),
          svyciprop, method = "beta", level = 0.95)

in R ``survey`` (Lumley 2010), returned as one tidy DataFrame with the base sizes, Kish's effective
sample size, the design effect, the design degrees of freedom and small-base flags. ``variable`` may
be a list of items sharing one answer scale (``svyby(~q1 + q2 + ..., ...)``); the rows are stacked.

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

``proportion_by_each(design, variables, positive, by_each=[g1, g2, ...])`` is the report table of many
items by each of several breakdowns in turn (``svyby`` over each ``g`` separately, stacked with a
``by`` and a ``group`` column). On a weights-only design it takes the per-cell sums of every item in
every level of every breakdown from a few matrix products, ``[G, diag(w) G, diag(w^2) G]^T [V, 1]``
and ``[diag(w) G, diag(w^2) G]^T P`` with G the level indicators, V the valid- and P the
positive-answer indicators, accumulated over chunks of rows: the bincount passes above cost one
pass per item, breakdown and sum; the products cost a few multiply-adds per row and level, done by
BLAS.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .design import SurveyDesign, describe_values, require_columns
from .intervals import check_level, check_method, proportion_interval

#: rows of a numeric item coded at a time by :func:`answer_states` (a chunk of one float64 column
#: is 256 kB, which stays in the CPU cache through the comparisons with each code)
_STATE_CHUNK_ROWS = 32768

#: cells (rows x columns) of the indicator matrices that :func:`proportion_by_each` multiplies at a
#: time (16 MB of float64, so that a chunk's matrices stay in cache between building and product)
_MATRIX_CHUNK_CELLS = 2**21

#: by columns with more levels than this take the ``np.bincount`` route in
#: :func:`proportion_by_each`: each level costs the matrix products a column in each of three
#: matrices, while the bincount passes cost the same for any number of levels (break-even near 20
#: levels at a million rows on the benchmark machine)
_MATRIX_LEVELS = 20

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


def answer_states(design: SurveyDesign, variables, positive, missing_values=()) -> np.ndarray:
    """Code survey items into answer states, one int8 column per item (rows x items).

    State 0 = a substantive answer that is not positive, 1 = one of the ``positive`` answers,
    2 = missing: NaN or one of the ``missing_values`` codes (don't know, refused, ...).

    Raises ``ValueError`` naming the column when it is absent, when a ``positive`` value never
    occurs in it, when a value in ``positive`` or ``missing_values`` is not a number although the
    column is numeric, or when a value is listed both as positive and as missing.
    """
    data = design.data
    variables = _as_list(variables)
    require_columns(data, variables, "variable")
    positives, missing = _as_list(positive), _as_list(missing_values)
    if not positives:
        raise ValueError(f"positive: give at least one answer value of column(s) {variables}")
    both = [v for v in positives if v in missing]
    if both:
        raise ValueError(f"column(s) {variables}: value(s) {describe_values(both)} listed both "
                         f"as positive and in missing_values")
    n = len(data)
    columns = [data[v] for v in variables]
    numeric = [
        column.dtype.kind in "iuf" if isinstance(column.dtype, np.dtype)
        else pd.api.types.is_numeric_dtype(column.dtype)
        and not pd.api.types.is_bool_dtype(column.dtype)
        for column in columns
    ]
    if any(numeric):
        for role, values in (("positive", positives), ("missing_values", missing)):
            bad = [v for v in values if not _is_number(v)]
            if bad:
                first = columns[numeric.index(True)]
                raise ValueError(
                    f"column {first.name!r} is numeric (dtype {first.dtype}, {n} rows) "
                    f"but {role} value(s) {describe_values(bad)} are not numbers"
                )
    states = np.empty((n, len(variables)), dtype=np.int8, order="F")
    # numeric items are coded a chunk of rows at a time, so that each column's chunk stays in the
    # CPU cache through its comparisons (a pass per code over whole columns is memory-bound)
    numeric_idx = [j for j, flag in enumerate(numeric) if flag]
    values = [columns[j].to_numpy() if isinstance(columns[j].dtype, np.dtype)
              else columns[j].to_numpy(dtype=np.float64, na_value=np.nan) for j in numeric_idx]
    seen = np.zeros((len(positives), len(numeric_idx)), dtype=bool)
    for start in range(0, n, _STATE_CHUNK_ROWS):
        stop = min(start + _STATE_CHUNK_ROWS, n)
        for k, (j, column) in enumerate(zip(numeric_idx, values)):
            chunk = column[start:stop].astype(np.float64, copy=False)
            _code_states(chunk, np.isnan(chunk), positives, missing, seen[:, k],
                         states[start:stop, j])
    _require_seen(seen, positives, [variables[j] for j in numeric_idx], data)
    for j in (j for j, flag in enumerate(numeric) if not flag):
        seen = np.zeros((len(positives), 1), dtype=bool)
        _code_states(columns[j].to_numpy(), columns[j].isna().to_numpy(copy=True), positives,
                     missing, seen[:, 0], states[:, j])
        _require_seen(seen, positives, [variables[j]], data)
    return states


def _code_states(values, is_missing, positives, missing, seen, out) -> None:
    """Write states 0 / 1 / 2 of the rows ``values`` of one item into ``out`` and mark in ``seen``
    (one flag per positive answer) the positive answers that occur among them. ``is_missing``
    (NaN rows) is updated in place."""
    for code in missing:
        is_missing |= values == code
    is_positive = np.zeros(len(values), dtype=bool)
    for k, answer in enumerate(positives):
        hits = values == answer
        if not seen[k]:
            seen[k] = hits.any()
        is_positive |= hits
    is_positive &= ~is_missing  # missing wins (e.g. positive=None in an object column)
    np.add(is_missing, is_missing, out=out, dtype=np.int8)
    out |= is_positive


def _require_seen(seen, positives, names, data) -> None:
    """Raise for the first positive answer (in order) that never occurs in one of the ``names``
    columns; ``seen`` is positives x columns."""
    for k, answer in enumerate(positives):
        unseen = np.flatnonzero(~seen[k])
        if len(unseen):
            name = names[int(unseen[0])]
            observed = pd.unique(data[name].dropna())
            raise ValueError(
                f"positive value {answer!r} never occurs in column {name!r} "
                f"({len(data)} rows; values seen: {describe_values(sorted(observed, key=str), 10)})"
            )


def response_indicators(design: SurveyDesign, variable: str, positive, missing_values=(),
                        include_missing: bool = False):
    """Row-level indicators for one item: ``(is_positive, is_missing, in_base)`` boolean arrays.

    ``is_missing`` marks NaN and the ``missing_values`` codes; ``in_base`` is ``~is_missing``, or
    every row when ``include_missing`` (the missing rows then count as not positive). Errors as in
    :func:`answer_states`.
    """
    state = answer_states(design, [variable], positive, missing_values)[:, 0]
    is_missing = state == 2
    in_base = np.ones(len(state), dtype=bool) if include_missing else ~is_missing
    return state == 1, is_missing, in_base


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


def group_codes(data: pd.DataFrame, by) -> tuple[np.ndarray, pd.DataFrame]:
    """Row codes 0..G-1 for the observed combinations of the ``by`` columns, and a G-row frame of
    those combinations (sorted by the ``by`` columns in order; like ``svyby``'s groups, unobserved
    combinations are not groups). ``by=None`` gives one group and an empty frame with one row.
    Missing values in a by column are an error."""
    codes, levels, n_groups = _group_levels(data, _as_list(by))
    frame = pd.DataFrame({c: _level_column(data, c, v) for c, v in levels.items()},
                         index=range(n_groups))
    return codes, frame


def _check_bases(min_base, flag_base) -> None:
    for name, value in (("min_base", min_base), ("flag_base", flag_base)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"{name}={value!r} must be a non-negative integer")
    if min_base > flag_base:
        raise ValueError(f"min_base={min_base} must not exceed flag_base={flag_base}")


def _closed_form(n_rows: int, positive_w: np.ndarray, total: np.ndarray, positive_w2: np.ndarray,
                 w2_total: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weights-only ratio ``p = S_pos / W`` and its linearised variance in closed form.

    ``N/(N-1) * sum z^2`` with ``z = w (y - p) / W`` on the domain's rows (``sum z = 0``), i.e.
    ``N/(N-1) * [S2_pos (1-p)^2 + (S2 - S2_pos) p^2] / W^2`` from the sums of weights (S) and of
    squared weights (S2) over the domain's base and its positive rows; N = rows in the design.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positive_w / total
        sq = positive_w2 * (1 - p) ** 2 + (w2_total - positive_w2) * p**2
        var = n_rows / (n_rows - 1) * sq / total**2 if n_rows > 1 else np.full_like(p, np.nan)
    return p, var


def _domain_statistics(n, n_missing, total, w2_total, p, var, df, n_nonzero) -> dict:
    """The domain sums with Kish's ``n_eff = W^2 / S2`` and the design effect
    ``var / (p(1-p) / (n_nonzero - 1))`` added (arrays of one shape, one entry per domain)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = total**2 / w2_total
        deff = var / (p * (1 - p) / (n_nonzero - 1))
    return dict(n=n, n_missing=n_missing, weighted_n=total, estimate=p, var=var, n_eff=n_eff,
                deff=deff, df=df)


def _domain_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
                 codes: np.ndarray, n_groups: int) -> dict:
    """Weighted sums, variance and df of the ratio estimator for every item x group.

    Each item needs three ``np.bincount`` passes over (group x answer state) cells -- counts, sums
    of weights and of squared weights -- plus, for a strata/PSU design, one over (cell x PSU).
    Returns arrays of shape (items, groups).
    """
    n_items, size = states.shape[1], 3 * n_groups
    counts = np.empty((n_items, n_groups, 3))
    wsum, w2sum = np.empty_like(counts), np.empty_like(counts)
    psu = np.empty((n_items, n_groups, 3, design.n_psu)) if not design.weights_only else None
    codes3 = codes * 3
    for j in range(n_items):
        cell = codes3 + states[:, j]
        counts[j] = np.bincount(cell, minlength=size).reshape(n_groups, 3)
        wsum[j] = np.bincount(cell, weights=design.w, minlength=size).reshape(n_groups, 3)
        w2sum[j] = np.bincount(cell, weights=design.w2, minlength=size).reshape(n_groups, 3)
        if psu is not None:
            psu[j] = design.psu_totals(design.w, cell, size).reshape(n_groups, 3, design.n_psu)

    base = [0, 1, 2] if include_missing else [0, 1]
    n = counts[..., base].sum(axis=-1)
    total = wsum[..., base].sum(axis=-1)
    w2_total = w2sum[..., base].sum(axis=-1)
    if psu is None:
        p, var = _closed_form(design.n_rows, wsum[..., 1], total, w2sum[..., 1], w2_total)
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            p = wsum[..., 1] / total
            negative = psu[:, :, base].sum(axis=2) - psu[:, :, 1]
            influence = (psu[:, :, 1] * (1 - p)[..., None] - negative * p[..., None])
            var = design.variance_of_psu_totals(influence / total[..., None])

    if design.has_zero_weights or not design.weights_only:
        df, n_nonzero = np.empty_like(n), np.empty_like(n)
        for j in range(n_items):
            in_base = np.isin(states[:, j], base) & (design.w > 0)
            counted = np.where(in_base, codes, n_groups)
            n_nonzero[j] = np.bincount(counted, minlength=n_groups + 1)[:n_groups]
            df[j] = design.domain_df(counted, n_groups)
    else:
        df, n_nonzero = n - 1, n
    return _domain_statistics(n, counts[..., 2], total, w2_total, p, var, df, n_nonzero)


def _matrix_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
                 groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """What :func:`_domain_sums` gives, for several groupings at once, from matrix products.

    Weights-only designs. ``groupings`` holds each grouping's row codes 0..k-1 and k. With G the
    rows' level indicators (n x levels, one column per level of every grouping, side by side), V the
    valid-answer and P the positive-answer indicators (n x items), every sum is a block of

        [G, G_+, diag(w) G, diag(w^2) G]^T [V, 1]   and   [diag(w) G, diag(w^2) G]^T P

    (G_+ = G on the rows with a non-zero weight, only when the design has zero weights, for df and
    deff; the column of ones gives each level's rows and totals, the base when ``include_missing``).
    The products are float64 sums of the same terms ``np.bincount`` adds (``w`` and ``w * w``
    times 0 or 1), in another order, so they agree to rounding; the counts are exact integers. They
    are accumulated over chunks of rows whose matrices stay in cache (:data:`_MATRIX_CHUNK_CELLS`,
    16 MB whatever the number of rows). Returns one dict of arrays (items, k) per grouping.
    """
    n, n_items = states.shape
    starts = np.cumsum([0] + [k for _, k in groupings])
    n_levels = int(starts[-1])
    nonzero = design.w > 0 if design.has_zero_weights else None
    n_blocks = 3 if nonzero is None else 4
    rows = min(n, max(1024, _MATRIX_CHUNK_CELLS // (n_blocks * n_levels + 2 * n_items + 1)))
    left = np.empty((rows, n_blocks * n_levels), order="F")
    base = np.ones((rows, n_items + 1), order="F")  # V, then the column of ones
    positive = np.empty((rows, n_items), order="F")
    by_base = np.zeros((n_items + 1, n_blocks * n_levels))  # products transposed: faster here
    by_positive = np.zeros((n_items, 2 * n_levels))
    weighted = slice((n_blocks - 2) * n_levels, None)
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        indicators = left[:m, :n_levels]
        for (codes, k), first in zip(groupings, starts):
            np.equal(codes[start:stop, None], np.arange(k), out=indicators[:, first:first + k])
        w = design.w[start:stop, None]
        by_weight, by_w2 = (left[:m, b * n_levels:(b + 1) * n_levels]
                            for b in (n_blocks - 2, n_blocks - 1))
        if nonzero is not None:
            np.multiply(indicators, nonzero[start:stop, None], out=left[:m, n_levels:2 * n_levels])
        np.multiply(indicators, w, out=by_weight)
        np.multiply(by_weight, w, out=by_w2)  # (1 * w) * w == w2 exactly
        np.not_equal(states[start:stop], 2, out=base[:m, :n_items])
        np.equal(states[start:stop], 1, out=positive[:m])
        by_base += base[:m].T @ left[:m]
        by_positive += positive[:m].T @ left[:m, weighted]

    def block(sums, b, first, k):
        return sums[:, b * n_levels + first: b * n_levels + first + k]  # (items [+ 1], k)

    results = []
    for (_, k), first in zip(groupings, starts):
        counts, weights, squares = (block(by_base, b, first, k) for b in (0, n_blocks - 2,
                                                                          n_blocks - 1))
        nonzero_counts = counts if nonzero is None else block(by_base, 1, first, k)
        size = np.broadcast_to(counts[n_items], (n_items, k))
        if include_missing:  # the base is every row of the level (the row of ones)
            n_base, total, w2_total, n_nonzero = (
                np.broadcast_to(sums[n_items], (n_items, k))
                for sums in (counts, weights, squares, nonzero_counts))
        else:
            n_base, total, w2_total, n_nonzero = (
                sums[:n_items] for sums in (counts, weights, squares, nonzero_counts))
        p, var = _closed_form(n, block(by_positive, 0, first, k), total,
                              block(by_positive, 1, first, k), w2_total)
        results.append(_domain_statistics(n_base, size - counts[:n_items], total, w2_total, p, var,
                                          n_nonzero - 1, n_nonzero))
    return results


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
    ci_low, ci_high = proportion_interval(sums["estimate"], se, n, sums["df"], method, level)
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
    design : SurveyDesign
        The survey design (weights, optional strata and PSU).
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

        ``variable``; ``estimate`` (weighted proportion); ``se`` (linearised, R ``svymean``);
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
    variables, by_columns = _as_list(variable), _as_list(by)
    clash = [v for v in variables if v in by_columns]
    if clash:
        raise ValueError(f"column(s) {clash} are both a variable and a by column")
    codes, levels, n_groups = _group_levels(design.data, by_columns)
    states = answer_states(design, variables, positive, missing_values)
    sums = _domain_sums(design, states, include_missing, codes, n_groups)

    _require_rows(sums["n"], variables, by_columns, levels, len(design.data))
    columns = {column: _level_column(design.data, column, np.tile(levels[column], len(variables)))
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

    Why a call of its own: on a weights-only design every sum comes from a few float64 matrix
    products over all grouping columns at once (see ``_matrix_sums``), which at a million rows is
    ten times faster than a ``proportion()`` call per column. By columns with more than 20 levels
    (where one-hot columns cost more than the passes they replace), and every column of a design
    with strata or PSU, take :func:`proportion`'s own route -- one ``np.bincount`` pass per item
    and sum, and for strata/PSU the PSU totals -- with the answers coded only once.

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
    variables, by_columns = _as_list(variable), _as_list(by_each)
    if not by_columns:
        raise ValueError(f"by_each: give at least one grouping column of the data "
                         f"({len(design.data)} rows)")
    require_columns(design.data, by_columns, "by_each")
    repeated = sorted({c for c in by_columns if by_columns.count(c) > 1}, key=by_columns.index)
    if repeated:
        raise ValueError(f"by_each column(s) {describe_values(repeated)} given more than once: "
                         f"{by_columns}")
    clash = [v for v in variables if v in by_columns]
    if clash:
        raise ValueError(f"column(s) {clash} are both a variable and a by_each column")
    groupings = [_group_levels(design.data, [column]) for column in by_columns]
    states = answer_states(design, variables, positive, missing_values)

    by_matrix = [j for j, (_, _, k) in enumerate(groupings)
                 if design.weights_only and k <= _MATRIX_LEVELS]
    sums = dict(zip(by_matrix, _matrix_sums(design, states, include_missing,
                                            [groupings[j][::2] for j in by_matrix])))
    sums.update({j: _domain_sums(design, states, include_missing, codes, k)
                 for j, (codes, _, k) in enumerate(groupings) if j not in sums})
    for j, (column, (_, levels, _)) in enumerate(zip(by_columns, groupings)):
        _require_rows(sums[j]["n"], variables, [column], levels, len(design.data))

    items = np.asarray(variables, dtype=object)
    flat = {key: np.concatenate([sums[j][key].ravel() for j in range(len(by_columns))])
            for key in sums[0]}
    columns = {
        "by": np.concatenate([np.full(len(items) * k, column, dtype=object)
                              for column, (_, _, k) in zip(by_columns, groupings)]),
        "group": pd.concat([pd.Series(_level_column(design.data, column,
                                                    np.tile(levels[column], len(items))))
                            for column, (_, levels, _) in zip(by_columns, groupings)],
                           ignore_index=True),
        "variable": np.concatenate([np.repeat(items, k) for _, _, k in groupings]),
    }
    columns.update(_estimate_columns(flat, method, level, min_base, flag_base))
    return pd.DataFrame(columns)
