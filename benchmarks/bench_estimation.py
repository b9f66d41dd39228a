"""Benchmark the estimation core on the full item x group table (not a test; ``make bench``).

For a seeded synthetic frame (843 rows, like the survey, and 1,000,000 rows) with 30 five-point
items (code 9 = don't know), 15 boolean group columns and a weight column, time the full table:
for every item and both levels of every group column (900 domains), the weighted proportion
agreeing (4 or 5) among valid answers in the domain, with its linearised SE and a confidence
interval, computed by one ``social_licence.survey.proportions.proportion_by_each`` call (all 30
items by each of the 15 columns in turn, as ``svyby`` over each column would).

Measured in the same run:

(a) against the matrix-product floor: the four float64 products ``G^T diag(w) V``,
    ``G^T diag(w) P``, ``G^T diag(w^2) V`` and ``G^T diag(w^2) P`` (G the 30 group-level indicators,
    V the valid-answer and P the agreeing-answer indicators, built from the frame) and the
    closed-form estimates and SEs from them, nothing else -- no validation, no counts or degrees
    of freedom, no intervals, no output table. Timed two ways, over chunks of rows (one product
    ``[V, P]^T [diag(w) G, diag(w^2) G]`` per chunk holding the four) and over whole arrays; the
    faster one is the floor;
(b) against samplics 0.6.1 (``TaylorEstimator(PopParam.prop).estimate(y, samp_weight,
    domain=...)``, logit intervals), computing the same domain estimates on the full design. At
    1,000,000 rows samplics is timed on a subset of item x group pairs and scaled per estimate
    (stated in the output);
(c) peak memory: the process's peak resident set while our calls run (``VmHWM`` in
    ``/proc/self/status``, reset just before them through ``/proc/self/clear_refs``; where that
    cannot be reset, ``ru_maxrss``, the peak since the start), which counts the data frame and the
    library, and the call's own peak allocation above its inputs (``tracemalloc``, which NumPy
    reports to, in an untimed call).

The 15 ``proportion()`` calls, one per group column, that the table took before are timed too, and
every figure is compared with them, with the floor and with samplics.

Targets: 843 rows under 10 ms; 1e6 rows within 2x of the floor and peak memory under 1.5 GB; at
least 10x faster than samplics.
Run: ``python benchmarks/bench_estimation.py`` (``--quick`` skips the 1e6-row frame).
"""
from __future__ import annotations

import argparse
import gc
import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion, proportion_by_each

N_ITEMS, N_GROUPS = 30, 15
POSITIVE, DONT_KNOW = [4, 5], 9
ITEMS = [f"q{i + 1:02d}" for i in range(N_ITEMS)]
GROUPS = [f"g{j + 1:02d}" for j in range(N_GROUPS)]
#: rows per chunk of the chunked floor (the fastest of 8k-64k here)
FLOOR_CHUNK_ROWS = 16384


def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """Seeded synthetic survey frame: weights, 30 items coded 1-5 (+ 9 don't know), 15 flags."""
    rng = np.random.default_rng(seed)
    columns = {"w": rng.lognormal(0.0, 0.5, n)}
    for item in ITEMS:
        answers = rng.choice([1, 2, 3, 4, 5, DONT_KNOW], size=n,
                             p=[0.1, 0.15, 0.25, 0.25, 0.17, 0.08])
        columns[item] = answers.astype(np.int64)
    for j, group in enumerate(GROUPS):
        columns[group] = rng.random(n) < 0.1 + 0.05 * (j % 8)
    return pd.DataFrame(columns)


def ours(design: SurveyDesign, method: str) -> pd.DataFrame:
    """The full table with the library: one call, every item by each group column (both levels)."""
    return proportion_by_each(design, ITEMS, POSITIVE, GROUPS, method=method,
                              missing_values=[DONT_KNOW], min_base=0)


def per_column(design: SurveyDesign) -> list[pd.DataFrame]:
    """The same table as 15 ``proportion()`` calls, one per group column (how it was computed)."""
    return [proportion(design, ITEMS, POSITIVE, by=group, missing_values=[DONT_KNOW], min_base=0)
            for group in GROUPS]


def stacked(tables: list[pd.DataFrame]) -> pd.DataFrame:
    """The 15 ``proportion()`` tables stacked like ``proportion_by_each``'s (not timed)."""
    return pd.concat([table.rename(columns={group: "group"}).assign(by=group)
                      for group, table in zip(GROUPS, tables)], ignore_index=True)


def _closed_form(n: int, w_valid, w_positive, w2_valid, w2_positive):
    """Estimates and weights-only linearised variances from the four sums (levels x items):
    ``p = S / W``, ``N/(N-1) * [S2 (1-p)^2 + (W2 - S2) p^2] / W^2``."""
    p = w_positive / w_valid
    return p, n / (n - 1) * (w2_positive * (1 - p) ** 2 + (w2_valid - w2_positive) * p**2) / w_valid**2


def matrix_floor_chunked(frame: pd.DataFrame, rows: int = FLOOR_CHUNK_ROWS):
    """The matrix-product floor over chunks of rows (matrices reused, in cache): per chunk, one
    product ``[V, P]^T [diag(w) G, diag(w^2) G]`` holding the four. Returns (p, var), levels x items
    with level 2j / 2j + 1 = group column j False / True."""
    w = frame["w"].to_numpy(dtype=np.float64)
    flags, answers = frame[GROUPS].to_numpy(), frame[ITEMS].to_numpy()
    n, levels = len(w), 2 * N_GROUPS
    left = np.empty((rows, 2 * levels), order="F")
    right = np.empty((rows, 2 * N_ITEMS), order="F")
    sums = np.zeros((2 * N_ITEMS, 2 * levels))
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        by_w, by_w2 = left[:m, :levels], left[:m, levels:]
        by_w2[:, 1::2] = flags[start:stop]
        by_w2[:, 0::2] = ~flags[start:stop]
        np.multiply(by_w2, w[start:stop, None], out=by_w)
        np.multiply(by_w, w[start:stop, None], out=by_w2)
        y = answers[start:stop]
        np.not_equal(y, DONT_KNOW, out=right[:m, :N_ITEMS])
        np.logical_or(y == 4, y == 5, out=right[:m, N_ITEMS:])
        sums += right[:m].T @ left[:m]
    valid, positive = sums[:N_ITEMS], sums[N_ITEMS:]
    return _closed_form(n, valid[:, :levels].T, positive[:, :levels].T, valid[:, levels:].T,
                        positive[:, levels:].T)


def matrix_floor_whole(frame: pd.DataFrame):
    """The matrix-product floor over whole arrays (n x 30 float64 each, column-major): the four
    products as four calls, as the issue first measured it. Same result as the chunked floor."""
    w = frame["w"].to_numpy(dtype=np.float64)
    flags, answers = frame[GROUPS].to_numpy(), frame[ITEMS].to_numpy()
    g = np.empty((len(w), 2 * N_GROUPS), order="F")
    g[:, 1::2] = flags
    g[:, 0::2] = ~flags
    valid = (answers != DONT_KNOW).astype(np.float64)
    positive = ((answers == 4) | (answers == 5)).astype(np.float64)
    g *= w[:, None]
    w_valid, w_positive = g.T @ valid, g.T @ positive
    g *= w[:, None]
    return _closed_form(len(w), w_valid, w_positive, g.T @ valid, g.T @ positive)


def samplics_table(frame: pd.DataFrame, pairs) -> np.ndarray:
    """samplics' estimate and SE for the group == True valid domain of each (item, group) pair."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from samplics import PopParam, TaylorEstimator
    w = frame["w"].to_numpy(dtype=np.float64)
    out = []
    for item, group in pairs:
        y = frame[item].to_numpy()
        positive = ((y == 4) | (y == 5)).astype(np.int64)
        domain = frame[group].to_numpy().astype(np.int64) + 2 * (y == DONT_KNOW)
        estimator = TaylorEstimator(PopParam.prop)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            estimator.estimate(y=positive, samp_weight=w, domain=domain)
        out.append((estimator.point_est[1][1], estimator.stderror[1][1]))
    return np.array(out)


def best_of(repeats: int, function, *args):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def peak_allocation(function, *args) -> int:
    """Bytes allocated at the peak of one call above what was allocated before it (tracemalloc)."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        function(*args)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def reset_peak_rss() -> bool:
    """Reset the process's peak resident set size (Linux); False where that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def status_mb(field: str) -> float:
    """A memory field of ``/proc/self/status`` (``VmRSS``, ``VmHWM``) in MB; NaN where absent."""
    try:
        with open("/proc/self/status") as handle:
            line = next(line for line in handle if line.startswith(field + ":"))
    except (OSError, StopIteration):
        return float("nan")
    return int(line.split()[1]) / 1024


def peak_rss_mb(was_reset: bool) -> float:
    """Peak resident set size in MB: since :func:`reset_peak_rss` when it worked, else since start."""
    if was_reset:
        return status_mb("VmHWM")
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def max_relative(a, b) -> float:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.nanmax(np.abs(a - b) / np.abs(b)))


def run(n: int, repeats: int, samplics_pairs: int | None) -> None:
    frame = synthetic_frame(n, seed=20240611 + n)
    design = SurveyDesign(frame, "w")
    gc.collect()
    rss_before = status_mb("VmRSS")
    was_reset = reset_peak_rss()
    t_beta, table = best_of(repeats, ours, design, "beta")
    t_logit, table_logit = best_of(repeats, ours, design, "logit")
    max_rss = peak_rss_mb(was_reset)
    allocated = peak_allocation(ours, design, "beta") / 2**20
    t_before, before = best_of(1 if n > 10_000 else repeats, per_column, design)
    t_chunked, (floor_p, floor_var) = best_of(repeats, matrix_floor_chunked, frame)
    t_whole, (whole_p, whole_var) = best_of(repeats, matrix_floor_whole, frame)
    t_floor = min(t_chunked, t_whole)
    pairs = [(item, group) for group in GROUPS for item in ITEMS]
    subset = pairs if samplics_pairs is None else pairs[:: len(pairs) // samplics_pairs][:samplics_pairs]
    t_samplics, reference = best_of(1 if samplics_pairs else min(repeats, 2), samplics_table, frame,
                                    subset)
    t_samplics_full = t_samplics * len(pairs) / len(subset)

    # the floor's rows are (group column, level), columns items; ours: group column, item, level
    floor_est = floor_p.reshape(N_GROUPS, 2, N_ITEMS).transpose(0, 2, 1).ravel()
    floor_se = np.sqrt(floor_var.reshape(N_GROUPS, 2, N_ITEMS).transpose(0, 2, 1).ravel())
    true_rows = table[table["group"].astype(bool)].set_index(["variable", "by"])
    sub_est = true_rows.loc[subset, "estimate"].to_numpy()
    sub_se = true_rows.loc[subset, "se"].to_numpy()
    assert np.array_equal(table_logit["estimate"], table["estimate"])
    assert np.allclose(whole_p, floor_p, rtol=1e-12) and np.allclose(whole_var, floor_var, rtol=1e-12)

    print(f"\n== {n:,} rows: {N_ITEMS} items x {N_GROUPS} group columns, both levels = "
          f"{len(table)} domain estimates (best of {repeats}) ==")
    print(f"proportion_by_each(), beta intervals  : {1e3 * t_beta:9.1f} ms")
    print(f"proportion_by_each(), logit intervals : {1e3 * t_logit:9.1f} ms")
    print(f"15 proportion() calls, beta (before)  : {1e3 * t_before:9.1f} ms"
          + (" (once)" if n > 10_000 else ""))
    print(f"matrix-product floor, chunks of rows  : {1e3 * t_chunked:9.1f} ms")
    print(f"matrix-product floor, whole arrays    : {1e3 * t_whole:9.1f} ms")
    scaled = "" if samplics_pairs is None else (
        f" (timed on {len(subset)} of {len(pairs)} pairs, {1e3 * t_samplics:.0f} ms, scaled per pair)")
    print(f"samplics TaylorEstimator, logit       : {1e3 * t_samplics_full:9.1f} ms{scaled}")
    print(f"(a) ours (beta) / matrix-product floor = {t_beta / t_floor:6.2f}x"
          + ("   (target <= 2x)" if n > 10_000 else ""))
    print(f"(b) samplics / ours (logit)            = {t_samplics_full / t_logit:6.1f}x   (target >= 10x)")
    print(f"    15 proportion() calls / ours       = {t_before / t_beta:6.1f}x")
    print(f"(c) peak memory: process {max_rss:,.0f} MB "
          f"({'during our calls' if was_reset else 'since start'}; {rss_before:,.0f} MB before them: "
          f"data and library), the call {allocated:,.0f} MB above its inputs"
          + ("   (target < 1.5 GB)" if n > 10_000 else ""))
    if n < 10_000:
        print(f"{n}-row table under 10 ms: {'yes' if t_beta < 0.01 else 'NO'} ({1e3 * t_beta:.1f} ms)")
    before = stacked(before)[table.columns]
    assert before[["by", "group", "variable", "n", "df"]].equals(table[["by", "group", "variable", "n", "df"]])
    print(f"max relative difference from 15 proportion() calls: estimate "
          f"{max_relative(table['estimate'], before['estimate']):.1e}, se "
          f"{max_relative(table['se'], before['se']):.1e}, ci_low "
          f"{max_relative(table['ci_low'], before['ci_low']):.1e}; counts and df equal")
    print(f"max |estimate - floor|    = {np.max(np.abs(table['estimate'] - floor_est)):.2e}, "
          f"max |se - floor| = {np.max(np.abs(table['se'] - floor_se)):.2e}")
    print(f"max |estimate - samplics| = {np.max(np.abs(sub_est - reference[:, 0])):.2e}, "
          f"max |se - samplics| = {np.max(np.abs(sub_se - reference[:, 1])):.2e} "
          f"over {len(subset)} pairs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 843-row frame")
    args = parser.parse_args()
    run(843, repeats=15, samplics_pairs=None)
    if not args.quick:
        run(1_000_000, repeats=5, samplics_pairs=6)


if __name__ == "__main__":
    main()
