"""Weighted sums by domain -- the sufficient statistics of every proportion -- and what they give.

A proportion in domain d (a level of a grouping, among the base rows of an item) is the ratio
``p_d = S_d / W_d`` of the weighted positive answers to the weighted base. Its linearised influence
values are ``z_i = w_i (y_i - p_d) / W_d`` on the domain's rows and zero elsewhere (Woodruff 1971;
Lumley 2010, sec. 2.2.2), so every estimate, variance and degrees of freedom comes from a few sums:

* by domain: rows, rows with a non-zero weight, and the sums of w and w^2 over the base and over
  its positive rows (Kish's n_eff, the weights-only variance in closed form);
* by PSU within domain, for strata/PSU designs: ``A_dj`` and ``B_dj``, the weighted base and
  positive answers of domain d in PSU j, whose influence total is ``z_dj = (B_dj - p_d A_dj) / W_d``
  (the stratified variance of :func:`~.design.stratified_variance`); ``A_dj > 0`` marks the PSUs
  that count towards the domain's degrees of freedom;
* by replicate within domain, for replicate designs: the same two sums under each replicate
  weight, whose ratios are the replicate estimates (:mod:`.replicates`).

This module computes them from rows in memory for many items and groupings at once; the file route
(:mod:`.database`) computes the same sums with SQL and finishes with the same functions
(:func:`closed_form`, :func:`domain_statistics`, :func:`psu_statistics`). Each function returns,
per grouping, a dict of arrays of shape (items, levels) with the keys of :func:`domain_statistics`.

How, for speed: with G the rows' level indicators (one column per level of every grouping, side by
side), V the base and P the positive-answer indicators (rows x items),

* the by-domain sums are blocks of ``[G, G_+, diag(w) G, diag(w^2) G]^T [V, 1]`` and
  ``[diag(w) G, diag(w^2) G]^T P`` (:func:`level_sums`, BLAS matrix products over chunks of rows);
* the PSU sums are one sparse-by-dense product ``L [V, P]``, L the (PSU x level) by row matrix
  with each row's weight at its PSU and level of every grouping (:func:`cluster_level_totals`):
  a few multiply-adds per row, item and grouping, and no pass per item or PSU;
* the replicate sums are ``(G (x) W_rep)^T [V, P]``, the row-wise Kronecker product of the level
  indicators with the (rows x R) replicate weights, one dense product per chunk of rows holding
  every replicate.

``bincount_sums`` is the route of one grouping with many levels (one ``np.bincount`` pass per item
and sum), which :func:`~.proportions.proportion` takes on linearised designs.

References: Woodruff RS (1971) A simple method for approximating the variance of a complicated
estimate, JASA 66:411-414; Lumley T (2010) Complex Surveys, Wiley.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse, special

from .design import SurveyDesign, variance_from_stratum_sums
from .replicates import ReplicateDesign, rank, replicate_variance

#: cells (rows x columns) of the indicator matrices multiplied at a time (16 MB of float64, so
#: that a chunk's matrices stay in cache between building and product)
_MATRIX_CHUNK_CELLS = 2**21

#: by columns with more levels than this take the ``np.bincount`` route in
#: ``proportion_by_each`` on linearised designs: each level costs the matrix products a column in
#: each of three matrices, while the bincount passes cost the same for any number of levels
#: (break-even near 20 levels at a million rows on the benchmark machine)
MATRIX_LEVELS = 20

#: rows per sparse product in :func:`cluster_level_totals` (the fastest of 16k-256k here)
_SPARSE_CHUNK_ROWS = 65536

#: bytes of (cluster x level x column) totals held at once; more levels are done in batches
_CLUSTER_TOTALS_BYTES = 2**28


def closed_form(n_rows: int, positive_w: np.ndarray, total: np.ndarray, positive_w2: np.ndarray,
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


def domain_statistics(n, n_missing, total, w2_total, p, var, df, n_nonzero, logit_var=None) -> dict:
    """The domain sums with Kish's ``n_eff = W^2 / S2`` and the design effect
    ``var / (p(1-p) / (n_nonzero - 1))`` added (arrays of one shape, one entry per domain).
    ``logit_var`` is the variance of logit(p) where the design gives it directly (replicates)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = total**2 / w2_total
        deff = var / (p * (1 - p) / (n_nonzero - 1))
    out = dict(n=n, n_missing=n_missing, weighted_n=total, estimate=p, var=var, n_eff=n_eff,
               deff=deff, df=df)
    if logit_var is not None:
        out["logit_var"] = logit_var
    return out


def psu_statistics(base_totals: np.ndarray, positive_totals: np.ndarray, psu_per_stratum,
                   stratum_starts, variance) -> tuple:
    """Estimate, variance and degrees of freedom of each domain from its PSU totals.

    ``base_totals`` and ``positive_totals`` are ``A`` and ``B`` (..., n_psu), the PSUs of each
    stratum contiguous; ``variance`` maps influence totals (..., n_psu) to variances (e.g.
    :meth:`SurveyDesign.variance_of_psu_totals`). Returns ``(W, p, var, df)``: ``W = sum_j A_j``,
    ``p = sum_j B_j / W``, the variance of ``z_j = (B_j - p A_j) / W`` and R's ``degf`` of the
    domain, PSUs with ``A_j > 0`` minus strata with one.
    """
    total = base_totals.sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = positive_totals.sum(axis=-1) / total
        var = variance((positive_totals - p[..., None] * base_totals) / total[..., None])
    present = base_totals > 0
    strata = np.add.reduceat(present, stratum_starts, axis=-1) > 0
    return total, p, var, (present.sum(axis=-1) - strata.sum(axis=-1)).astype(np.int64)


def bincount_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
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
        p, var = closed_form(design.n_rows, wsum[..., 1], total, w2sum[..., 1], w2_total)
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
    return domain_statistics(n, counts[..., 2], total, w2_total, p, var, df, n_nonzero)


def _fill_indicators(groupings, starts, start: int, stop: int, out: np.ndarray) -> None:
    """Write the level indicators of rows start..stop of every grouping into ``out`` (m, levels)."""
    for (codes, k), first in zip(groupings, starts):
        np.equal(codes[start:stop, None], np.arange(k), out=out[:, first:first + k])


def _answer_columns(states: np.ndarray, include_missing: bool, start: int, stop: int) -> np.ndarray:
    """``[V, P]`` of rows start..stop as float64 (m, 2 items): base indicators (every row when
    ``include_missing``), then positive answers."""
    block = states[start:stop]
    n_items = block.shape[1]
    out = np.empty((stop - start, 2 * n_items))
    if include_missing:
        out[:, :n_items] = 1.0
    else:
        np.not_equal(block, 2, out=out[:, :n_items])
    np.equal(block, 1, out=out[:, n_items:])
    return out


def level_sums(design, states: np.ndarray, include_missing: bool,
               groupings: list[tuple[np.ndarray, int]], weighted: bool = True) -> list[dict]:
    """The by-domain sums of several groupings at once, from matrix products.

    ``groupings`` holds each grouping's row codes 0..k-1 and k; ``design`` gives ``w``, ``w2`` and
    ``has_zero_weights``. Every sum is a block of the one product

        [V, 1, P]^T [G, G_+, diag(w) G, diag(w^2) G]

    (V the valid answers; G_+ = G on the rows with a non-zero weight, only when the design has zero
    weights; the column of ones gives each level's rows and totals, the base when
    ``include_missing``). One product, so that a domain whose base rows are all positive has its
    positive sums computed like its base sums, and they are set equal where the counts say so: p
    is exactly 1 there. ``weighted=False`` leaves out ``diag(w) G`` and P (strata/PSU designs take
    those sums from their PSU totals). The products are float64 sums of the same terms
    ``np.bincount`` adds (``w`` and ``w * w`` times 0 or 1), in another order, so they agree to
    rounding; the counts are exact integers. They are accumulated over chunks of rows whose
    matrices stay in cache (:data:`_MATRIX_CHUNK_CELLS`, 16 MB whatever the number of rows).

    Returns one dict per grouping of arrays (items, k): ``n`` (base rows), ``n_missing`` (rows of
    the level that are missing, in the base or not), ``n_positive`` (when ``weighted``),
    ``n_nonzero`` (base rows with a non-zero weight), ``w2_total`` and, when ``weighted``,
    ``total``, ``positive`` and ``positive_w2``.
    """
    n, n_items = states.shape
    starts = np.cumsum([0] + [k for _, k in groupings])
    n_levels = int(starts[-1])
    nonzero = design.w > 0 if design.has_zero_weights else None
    blocks = ["count"] + (["nonzero"] if nonzero is not None else []) + (
        ["w"] if weighted else []) + ["w2"]
    at = {name: b * n_levels for b, name in enumerate(blocks)}
    width = len(blocks) * n_levels
    answers = 2 * n_items + 1 if weighted else n_items + 1  # [V, 1, P] or [V, 1]
    rows = min(n, max(1024, _MATRIX_CHUNK_CELLS // (width + answers)))
    left = np.empty((rows, width), order="F")
    right = np.ones((rows, answers), order="F")
    sums = np.zeros((answers, width))  # products transposed: faster here
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        indicators = left[:m, :n_levels]
        _fill_indicators(groupings, starts[:-1], start, stop, indicators)
        w = design.w[start:stop, None]
        by_w2 = left[:m, at["w2"]:at["w2"] + n_levels]
        if nonzero is not None:
            np.multiply(indicators, nonzero[start:stop, None],
                        out=left[:m, at["nonzero"]:at["nonzero"] + n_levels])
        if weighted:
            by_weight = left[:m, at["w"]:at["w"] + n_levels]
            np.multiply(indicators, w, out=by_weight)
            np.multiply(by_weight, w, out=by_w2)  # (1 * w) * w == w2 exactly
            np.equal(states[start:stop], 1, out=right[:m, n_items + 1:])
        else:
            np.multiply(indicators, design.w2[start:stop, None], out=by_w2)
        np.not_equal(states[start:stop], 2, out=right[:m, :n_items])
        sums += right[:m].T @ left[:m]

    def block(name, first, k, items=slice(None)):
        return sums[items, at[name] + first: at[name] + first + k]  # (items, k)

    results = []
    valid, ones, positives = slice(0, n_items), n_items, slice(n_items + 1, None)
    for (_, k), first in zip(groupings, starts):
        counts = block("count", first, k)
        base = {"n": counts, "n_nonzero": block("nonzero" if nonzero is not None else "count",
                                                first, k), "w2_total": block("w2", first, k)}
        if weighted:
            base["total"] = block("w", first, k)
        # the base: the item's valid rows, or every row of the level (the row of ones)
        out = {key: np.broadcast_to(value[ones], (n_items, k)) if include_missing
               else value[valid] for key, value in base.items()}
        out["n_missing"] = np.broadcast_to(counts[ones], (n_items, k)) - counts[valid]
        if weighted:
            # a domain whose base rows are all positive has S = W and S2 = W2 exactly (the
            # products may add the same terms in two orders)
            everyone = counts[positives] == out["n"]
            out["positive"] = np.where(everyone, out["total"], block("w", first, k, positives))
            out["positive_w2"] = np.where(everyone, out["w2_total"],
                                          block("w2", first, k, positives))
            out["n_positive"] = counts[positives]
        results.append(out)
    return results


def matrix_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
                groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """What :func:`bincount_sums` gives on a weights-only design, for several groupings at once:
    :func:`level_sums` and the closed-form variance."""
    results = []
    for sums in level_sums(design, states, include_missing, groupings):
        p, var = closed_form(design.n_rows, sums["positive"], sums["total"], sums["positive_w2"],
                             sums["w2_total"])
        results.append(domain_statistics(sums["n"], sums["n_missing"], sums["total"],
                                         sums["w2_total"], p, var, sums["n_nonzero"] - 1,
                                         sums["n_nonzero"]))
    return results


def cluster_level_totals(clusters: np.ndarray, n_clusters: int, weights: np.ndarray,
                         groupings: list[tuple[np.ndarray, int]], columns, n_columns: int
                         ) -> np.ndarray:
    """Sums of ``weights * columns`` by (cluster, level of each grouping): (clusters, levels, cols).

    ``clusters`` gives each row's cluster 0..n_clusters-1 (PSUs, or directions of replicate
    weights); ``columns(start, stop)`` returns the (m, n_columns) float64 values of rows
    start..stop. One sparse-by-dense product per chunk of rows: ``L^T`` is the chunk's (rows x
    clusters * levels) matrix holding each row's weight at its cluster and level of every
    grouping (one non-zero per grouping), and ``L columns`` adds each row's values into those
    cells. Levels are numbered as in :func:`level_sums`, the groupings side by side.
    """
    n = len(clusters)
    sizes = [k for _, k in groupings]
    starts = np.cumsum([0] + sizes)[:-1]
    n_levels, width = int(sum(sizes)), len(groupings)
    sums = np.zeros((n_clusters * n_levels, n_columns))
    for start in range(0, n, _SPARSE_CHUNK_ROWS):
        stop = min(start + _SPARSE_CHUNK_ROWS, n)
        m = stop - start
        cells = np.empty((m, width), dtype=np.int64)
        for j, ((codes, _), first) in enumerate(zip(groupings, starts)):
            np.add(codes[start:stop], first, out=cells[:, j])
        cells += (clusters[start:stop] * n_levels)[:, None]
        by_row = sparse.csr_matrix(
            (np.repeat(weights[start:stop], width), cells.ravel(), np.arange(0, width * m + 1, width)),
            shape=(m, n_clusters * n_levels))
        sums += by_row.T @ columns(start, stop)
    return sums.reshape(n_clusters, n_levels, n_columns)


def _batches(groupings: list, bytes_per_level: int) -> list[list[int]]:
    """Indices of ``groupings`` in consecutive batches whose levels take at most
    :data:`_CLUSTER_TOTALS_BYTES` at ``bytes_per_level`` each (at least one grouping per batch)."""
    batches, current, held = [], [], 0
    for j, (_, k) in enumerate(groupings):
        if current and held + k * bytes_per_level > _CLUSTER_TOTALS_BYTES:
            batches.append(current)
            current, held = [], 0
        current.append(j)
        held += k * bytes_per_level
    return batches + [current]


def psu_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
             groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """What :func:`bincount_sums` gives on a strata/PSU design, for several groupings at once.

    The counts and squared weights by domain from :func:`level_sums`, and the PSU totals ``A`` and
    ``B`` of every item and level from :func:`cluster_level_totals` (groupings in batches whose
    totals fit in :data:`_CLUSTER_TOTALS_BYTES`), finished by :func:`psu_statistics`.
    """
    n_items = states.shape[1]
    dense = level_sums(design, states, include_missing, groupings, weighted=False)
    results = [None] * len(groupings)
    for batch in _batches(groupings, design.n_psu * 2 * n_items * 8):
        chosen = [groupings[j] for j in batch]
        totals = cluster_level_totals(
            design.psu_codes, design.n_psu, design.w, chosen,
            lambda start, stop: _answer_columns(states, include_missing, start, stop), 2 * n_items)
        first = 0
        for j, (_, k) in zip(batch, chosen):
            block = totals[:, first:first + k].transpose(2, 1, 0)  # (2 items, k, n_psu)
            first += k
            total, p, var, df = psu_statistics(block[:n_items], block[n_items:],
                                               design.psu_per_stratum, design.stratum_starts,
                                               design.variance_of_psu_totals)
            sums = dense[j]
            results[j] = domain_statistics(sums["n"], sums["n_missing"], total, sums["w2_total"],
                                           p, var, df, sums["n_nonzero"])
    return results


def strata_sums(design: SurveyDesign, states: np.ndarray, include_missing: bool,
                groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """What :func:`bincount_sums` gives on a design with strata and no PSU, for several groupings.

    Every row is its own PSU, so a stratum's sums of influence values and of their squares are
    the closed forms of the weights-only case taken within the stratum:
    ``sum_h z = (S_h - p W_h) / W`` and ``sum_h z^2 = [S2_h (1-p)^2 + (W2_h - S2_h) p^2] / W^2``
    from :func:`level_sums` by (stratum, level), n_h the stratum's rows
    (:func:`~.design.variance_from_stratum_sums`). No sum by row is ever held.
    """
    n_items = states.shape[1]
    row_stratum = design.psu_stratum[design.psu_codes]
    n_strata = len(design.psu_per_stratum)
    expanded = [(row_stratum * k + codes, n_strata * k) for codes, k in groupings]
    results = []
    for sums, (_, k) in zip(level_sums(design, states, include_missing, expanded), groupings):
        by = {key: np.reshape(value, (n_items, n_strata, k)) for key, value in sums.items()}
        total, positive = by["total"].sum(axis=1), by["positive"].sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = (positive / total)[:, None]
            squares = (by["positive_w2"] * (1 - p) ** 2 + (by["w2_total"] - by["positive_w2"]) * p**2)
            scale = total[:, None] ** 2
            var = variance_from_stratum_sums(
                (squares / scale).transpose(0, 2, 1),
                ((by["positive"] - p * by["total"]) / total[:, None]).transpose(0, 2, 1),
                design.psu_per_stratum, design.lonely_psu)
        n_nonzero = by["n_nonzero"].sum(axis=1)
        df = n_nonzero - (by["n_nonzero"] > 0).sum(axis=1)
        results.append(domain_statistics(by["n"].sum(axis=1), by["n_missing"].sum(axis=1), total,
                                         by["w2_total"].sum(axis=1), p[:, 0], var, df, n_nonzero))
    return results


def _replicate_df(design: ReplicateDesign, states: np.ndarray, include_missing: bool,
                  groupings: list[tuple[np.ndarray, int]]) -> list[np.ndarray]:
    """R's ``degf`` of each domain of a replicate design, (items, k) per grouping: the rank of the
    replicate weights of the domain's base rows, minus one (``design.df`` when given)."""
    n_items = states.shape[1]
    shapes = [(n_items, k) for _, k in groupings]
    if design.df is not None:
        return [np.full(shape, design.df, dtype=np.int64) for shape in shapes]
    patterns = design.patterns
    ranks = {}
    results = []
    if patterns is None:  # every domain's rows factorised: exact, slow on large files
        base = np.ones_like(states, dtype=bool) if include_missing else states != 2
        for codes, k in groupings:
            df = np.empty((n_items, k), dtype=np.int64)
            for level in range(k):
                in_level = codes == level
                for i in range(n_items):
                    df[i, level] = rank(design.replicate_weights[in_level & base[:, i]]) - 1
            results.append(df)
        return results
    codes, directions = patterns
    counted = np.where(codes >= 0, 1.0, 0.0)
    for batch in _batches(groupings, len(directions) * n_items * 8):
        chosen = [groupings[j] for j in batch]
        present = cluster_level_totals(
            np.maximum(codes, 0), len(directions), counted, chosen,
            lambda start, stop: _answer_columns(states, include_missing, start, stop)[:, :n_items],
            n_items) > 0  # (directions, levels, items)
        first = 0
        for _, k in chosen:
            sets = present[:, first:first + k].transpose(2, 1, 0).reshape(n_items * k, -1)
            first += k
            df = np.empty(len(sets), dtype=np.int64)
            for row, members in enumerate(sets):
                key = members.tobytes()
                if key not in ranks:
                    ranks[key] = rank(directions[members]) - 1
                df[row] = ranks[key]
            results.append(df.reshape(n_items, k))
    return results


def replicate_sums(design: ReplicateDesign, states: np.ndarray, include_missing: bool,
                   groupings: list[tuple[np.ndarray, int]]) -> list[dict]:
    """The domain statistics of a replicate design, for several groupings at once.

    The full-sample sums from :func:`level_sums`; the replicate sums ``W_dr`` and ``S_dr`` of every
    domain and replicate from one product per chunk of rows, ``(G (x) W_rep)^T [V, P]`` (G the level
    indicators, ``(x)`` the row-wise Kronecker product with the (rows x R) replicate weights);
    the replicate estimates ``S_dr / W_dr`` and their variance (:func:`~.replicates.
    replicate_variance`), also on the logit scale (R's ``svyciprop(method = "logit")`` takes the
    variance of the replicate fits' ``logit(p_r)``); the design effect against
    ``p(1-p)/(n-1)`` with n the domain's rows (R's ``svymean(deff = "replace")`` on replicate
    designs); degrees of freedom as :func:`_replicate_df`.
    """
    n, n_items = states.shape
    replicates = design.replicate_weights
    n_replicates = replicates.shape[1]
    starts = np.cumsum([0] + [k for _, k in groupings])
    n_levels = int(starts[-1])
    rows = min(n, max(64, _MATRIX_CHUNK_CELLS // (n_levels * n_replicates + 2 * n_items)))
    indicators = np.empty((rows, n_levels))
    left = np.empty((rows, n_levels, n_replicates))
    sums = np.zeros((n_levels * n_replicates, 2 * n_items))
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        _fill_indicators(groupings, starts[:-1], start, stop, indicators[:m])
        np.multiply(indicators[:m, :, None], replicates[start:stop, None, :], out=left[:m])
        sums += left[:m].reshape(m, -1).T @ _answer_columns(states, include_missing, start, stop)
    sums = sums.reshape(n_levels, n_replicates, 2 * n_items)
    dense = level_sums(design, states, include_missing, groupings)
    dfs = _replicate_df(design, states, include_missing, groupings)
    results = []
    for (_, k), first, full, df in zip(groupings, starts, dense, dfs):
        block = sums[first:first + k].transpose(2, 0, 1)  # (2 items, k, R)
        with np.errstate(divide="ignore", invalid="ignore"):
            thetas = block[n_items:] / block[:n_items]
            everyone = (full["n_positive"] == full["n"])[..., None]  # p_r = 1 exactly there
            thetas = np.where(everyone, np.where(block[:n_items] > 0, 1.0, np.nan), thetas)
            p = full["positive"] / full["total"]
            var = replicate_variance(thetas, p, design.replicate_scale, design.replicate_rscales,
                                     design.mse)
            logits = special.logit(thetas)
            logit_var = replicate_variance(logits, special.logit(p), design.replicate_scale,
                                           design.replicate_rscales, design.mse)
            # a replicate estimate at 0 or 1 has an infinite logit: the logit interval is [0, 1]
            # (R's svyglm stops short of infinity there, at an interval within 1e-4 of it)
            logit_var[np.isinf(logits).any(axis=-1)] = np.inf
        results.append(domain_statistics(full["n"], full["n_missing"], full["total"],
                                         full["w2_total"], p, var, df, full["n"], logit_var))
    return results
