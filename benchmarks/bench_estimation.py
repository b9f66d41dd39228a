"""Benchmark the estimation core against its floor and its peers on the report's table (``make bench``).

Not a test. For seeded synthetic frames with 30 five-point items (code 9 = don't know), 15 boolean
group columns, a weight, 20 strata of 20 PSUs and 80 clusters, it times the full table -- for every
item and both levels of every group column (900 domains), the weighted proportion agreeing (4 or 5)
among valid answers, with its SE and a confidence interval -- by one
``social_licence.survey.proportions.proportion_by_each`` call, side by side in one run with:

* **the floor**: the products the table needs and nothing else (no checks, counts, degrees of
  freedom, intervals or output table), timed two ways where there are two and the faster kept:
  - weights only: ``[V, P]^T [diag(w) G, diag(w^2) G]`` (G the 30 group-level indicators, V the
    valid and P the agreeing answers) over chunks of rows, or four products over whole arrays,
    then the closed-form estimates and SEs;
  - strata and PSUs: the PSU-by-domain sums of weighted valid and agreeing answers as one
    sparse-by-dense product ``L [V, P]`` (L the (PSU x level) by row matrix of weights), over
    chunks of rows or whole arrays, then the estimates and the stratum-centred variances of the
    PSU totals ``(B_j - p A_j) / W``;
  - replicate weights: ``(G (x) W_rep)^T [V, P]`` (row-wise Kronecker product of the level
    indicators with the 80 replicate weights) over chunks of rows, then the replicate ratios and
    their variance;
* **svy** (the maintained successor of samplics), its fastest route for this table: one
  ``sample.estimation.ratio(y=[agree_q01, ...], x=[valid_q01, ...], where=svy.col(g) == level)``
  per group level, all 30 items batched, Wald intervals (``method="replication"`` on the replicate
  design); at a million rows timed on a few group levels and scaled per domain (stated);
* **R survey** (where ``Rscript`` and the survey package are installed): ``svyby(~yy, ~g,
  subset(design, valid), svyciprop, method = "beta")`` per (item, group) pair
  (benchmarks/bench_survey.R), timed on a subset of pairs and scaled per domain;
* **the file route** (DuckDB over Parquet): the same table on the million-row frame written to
  Parquet, and on a generated Parquet file of 100,000,000 rows (strata and PSUs) with the peak
  memory of the process.

Every timed figure is compared with ours: estimates and SEs (and R's beta limits) printed as the
largest differences. Peak memory is the process's peak resident set while our calls run (``VmHWM``
in ``/proc/self/status``, reset just before through ``/proc/self/clear_refs``; where that cannot be
reset, ``ru_maxrss``, the peak since the start).

Targets: strata/PSU at 1e6 rows within 2x of its floor and at least 10x faster than svy; the
100,000,000-row file through the file route under 4 GB of peak memory.

Run: ``python benchmarks/bench_estimation.py`` (``--quick``: 843 rows only; ``--big-rows N``: the
size of the generated Parquet file, default 100,000,000, kept in ``artefacts/bench/``).
"""
from __future__ import annotations

import argparse
import gc
import io
import os
import resource
import shutil
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import sparse, special
from social_licence.survey.database import DatabaseDesign
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion, proportion_by_each
from social_licence.survey.replicates import ReplicateDesign

N_ITEMS, N_GROUPS, N_STRATA, PSU_PER_STRATUM, N_CLUSTERS, N_REPLICATES = 30, 15, 20, 20, 80, 80
POSITIVE, DONT_KNOW = [4, 5], 9
ITEMS = [f"q{i + 1:02d}" for i in range(N_ITEMS)]
GROUPS = [f"g{j + 1:02d}" for j in range(N_GROUPS)]
REPLICATES = [f"rep{r + 1}" for r in range(N_REPLICATES)]
ANSWERS = np.array([1, 2, 3, 4, 5, DONT_KNOW], dtype=np.int8)
ANSWER_CDF = np.cumsum([0.1, 0.15, 0.25, 0.25, 0.17])  # the sixth answer takes the rest (8%)
#: rows per chunk of the chunked floors (the fastest of 8k-64k here)
FLOOR_CHUNK_ROWS = 16384
ROOT = Path(__file__).resolve().parents[1]
BIG_FILE = ROOT / "artefacts" / "bench" / "survey_rows.parquet"

DESIGNS = {"weights only": {}, "strata/PSU": {"strata": "stratum", "psu": "psu"}}


# --- data ------------------------------------------------------------------------------------------
def synthetic_frame(n: int, seed: int) -> pd.DataFrame:
    """Seeded synthetic frame: weight, 30 items coded 1-5 (+ 9 don't know), 15 flags, 20 strata of
    20 PSUs (PSU labels 0-19 within each stratum) and 80 clusters (for the jackknife)."""
    rng = np.random.default_rng(seed)
    columns = {"w": rng.lognormal(0.0, 0.5, n)}
    for item in ITEMS:
        columns[item] = ANSWERS[np.searchsorted(ANSWER_CDF, rng.random(n), side="right")]
    for j, group in enumerate(GROUPS):
        columns[group] = rng.random(n) < 0.1 + 0.05 * (j % 8)
    columns["stratum"] = rng.integers(0, N_STRATA, n).astype(np.int16)
    columns["psu"] = rng.integers(0, PSU_PER_STRATUM, n).astype(np.int16)
    columns["cluster"] = rng.integers(0, N_CLUSTERS, n).astype(np.int16)
    return pd.DataFrame(columns)


def with_replicates(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with 80 supplied replicate weights: the delete-one jackknife over the 80
    clusters (replicate r: weight 0 in cluster r, w * 80/79 elsewhere)."""
    w, cluster = frame["w"].to_numpy(), frame["cluster"].to_numpy()
    factor = N_CLUSTERS / (N_CLUSTERS - 1)
    reps = {name: np.where(cluster == r, 0.0, w * factor) for r, name in enumerate(REPLICATES)}
    return pd.concat([frame, pd.DataFrame(reps, index=frame.index)], axis=1)


def answer_indicators(answers: np.ndarray) -> np.ndarray:
    """The valid and agreeing answers [V, P] of rows of answers, as float64 (Fortran order)."""
    vp = np.empty((len(answers), 2 * N_ITEMS), order="F")
    np.not_equal(answers, DONT_KNOW, out=vp[:, :N_ITEMS])
    np.logical_or(answers == 4, answers == 5, out=vp[:, N_ITEMS:])
    return vp


def indicators(flags: np.ndarray, answers: np.ndarray, start: int, stop: int):
    """Rows start..stop of the flags and answers: group-level indicators G (levels 2j, 2j+1 = flag
    j False, True) and [V, P], as float64 (Fortran order)."""
    flags = flags[start:stop]
    g = np.empty((stop - start, 2 * N_GROUPS), order="F")
    g[:, 1::2] = flags
    g[:, 0::2] = ~flags
    return g, answer_indicators(answers[start:stop])


# --- the floors ------------------------------------------------------------------------------------
def _closed_form(n: int, w_valid, w_positive, w2_valid, w2_positive):
    """Weights-only estimates and linearised variances: ``p = S / W``,
    ``N/(N-1) * [S2 (1-p)^2 + (W2 - S2) p^2] / W^2`` (levels x items)."""
    p = w_positive / w_valid
    return p, n / (n - 1) * (w2_positive * (1 - p) ** 2 + (w2_valid - w2_positive) * p**2) / w_valid**2


def floor_weights_chunked(frame: pd.DataFrame, rows: int = FLOOR_CHUNK_ROWS):
    """Weights only, over chunks of rows: per chunk one product ``[V, P]^T [diag(w) G, diag(w^2) G]``."""
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


def floor_weights_whole(frame: pd.DataFrame):
    """Weights only, over whole arrays: the four products as four calls."""
    w = frame["w"].to_numpy(dtype=np.float64)
    g, vp = indicators(frame[GROUPS].to_numpy(), frame[ITEMS].to_numpy(), 0, len(frame))
    g *= w[:, None]
    w_sums = g.T @ vp
    g *= w[:, None]
    w2_sums = g.T @ vp
    return _closed_form(len(w), w_sums[:, :N_ITEMS], w_sums[:, N_ITEMS:], w2_sums[:, :N_ITEMS],
                        w2_sums[:, N_ITEMS:])


def floor_psu(frame: pd.DataFrame, rows: int | None):
    """Strata and PSUs: ``L [V, P]`` as one sparse-by-dense product (per chunk of ``rows``, or over
    the whole frame with ``rows=None``), then p and the stratum-centred variance of
    ``z_j = (B_j - p A_j) / W`` (levels x items)."""
    w = frame["w"].to_numpy(dtype=np.float64)
    flags, answers = frame[GROUPS].to_numpy(), frame[ITEMS].to_numpy()
    psu = (frame["stratum"].to_numpy(np.int64) * PSU_PER_STRATUM + frame["psu"].to_numpy(np.int64))
    n, levels, n_psu = len(w), 2 * N_GROUPS, N_STRATA * PSU_PER_STRATUM
    rows = rows or n
    sums = np.zeros((n_psu * levels, 2 * N_ITEMS))
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        cells = (psu[start:stop, None] * levels + 2 * np.arange(N_GROUPS) + flags[start:stop])
        matrix = sparse.csr_matrix((np.repeat(w[start:stop], N_GROUPS), cells.ravel(),
                                    np.arange(0, N_GROUPS * m + 1, N_GROUPS)), shape=(m, n_psu * levels))
        sums += matrix.T @ answer_indicators(answers[start:stop])
    totals = sums.reshape(N_STRATA, PSU_PER_STRATUM, levels, 2 * N_ITEMS)
    a, b = totals[..., :N_ITEMS], totals[..., N_ITEMS:]
    total = a.sum(axis=(0, 1))
    p = b.sum(axis=(0, 1)) / total
    z = (b - p * a) / total
    # the PSUs with rows (all of them at a million rows; a few have none at 843)
    present = (np.bincount(psu, minlength=n_psu) > 0).reshape(N_STRATA, PSU_PER_STRATUM, 1, 1)
    n_h = present.sum(axis=1, keepdims=True)
    centred = np.where(present, z - z.sum(axis=1, keepdims=True) / n_h, 0.0)
    var = (n_h / (n_h - 1) * centred**2).sum(axis=(0, 1))
    return p, var


def floor_replicates(frame: pd.DataFrame, replicates: np.ndarray, rows: int = 1024):
    """Replicate weights: ``(G (x) W_rep)^T [V, P]`` per chunk, then each replicate's ratio and
    ``(R-1)/R * sum_r (p_r - mean)^2`` (the jackknife's variance; levels x items)."""
    n, levels = len(frame), 2 * N_GROUPS
    flags, answers = frame[GROUPS].to_numpy(), frame[ITEMS].to_numpy()
    left = np.empty((rows, levels, N_REPLICATES))
    sums = np.zeros((levels * N_REPLICATES, 2 * N_ITEMS))
    for start in range(0, n, rows):
        stop = min(start + rows, n)
        m = stop - start
        g, vp = indicators(flags, answers, start, stop)
        np.multiply(g[:, :, None], replicates[start:stop, None, :], out=left[:m])
        sums += left[:m].reshape(m, -1).T @ vp
    sums = sums.reshape(levels, N_REPLICATES, 2 * N_ITEMS)
    thetas = sums[..., N_ITEMS:] / sums[..., :N_ITEMS]  # levels, R, items
    var = (N_REPLICATES - 1) / N_REPLICATES * ((thetas - thetas.mean(axis=1, keepdims=True)) ** 2
                                               ).sum(axis=1)
    return thetas.mean(axis=1), var


# --- the peers -------------------------------------------------------------------------------------
def svy_sample(frame: pd.DataFrame, design: str):
    """svy's Sample of the frame: agreeing and valid indicators as float columns (a ratio of the
    two is the proportion among valid answers), the group flags and the design columns."""
    import polars as pl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import svy
    answers = frame[ITEMS].to_numpy()
    columns = {"w": frame["w"].to_numpy(), "stratum": frame["stratum"].to_numpy(),
               "psu": frame["psu"].to_numpy()}
    for j, item in enumerate(ITEMS):
        columns[f"agree_{item}"] = ((answers[:, j] == 4) | (answers[:, j] == 5)).astype(np.float64)
        columns[f"valid_{item}"] = (answers[:, j] != DONT_KNOW).astype(np.float64)
    for group in GROUPS:
        columns[group] = frame[group].to_numpy()
    options = {"wgt": "w"}
    if design == "strata/PSU":
        options.update(stratum="stratum", psu="psu")
    if design == "replicates":
        for name in REPLICATES:
            columns[name] = frame[name].to_numpy()
        options["rep_wgts"] = svy.JackknifeWgts(prefix="rep", n_reps=N_REPLICATES)
    return svy.Sample(pl.DataFrame(columns), svy.Design(**options))


def svy_table(sample, levels: list[tuple[str, bool]], replication: bool) -> dict:
    """svy's fastest route: per group level, one ratio call batching the 30 items. Returns
    {(group, level, item): (estimate, se)}."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import svy
        out = {}
        for group, level in levels:
            results = sample.estimation.ratio(
                [f"agree_{item}" for item in ITEMS], [f"valid_{item}" for item in ITEMS],
                where=svy.col(group) == level, method="replication" if replication else None)
            for item, result in zip(ITEMS, results):
                row = result.to_polars().row(0, named=True)
                out[(group, level, item)] = (row["est"], row["se"])
    return out


def r_available() -> bool:
    if shutil.which("Rscript") is None:
        return False
    check = subprocess.run(["Rscript", "-e", "library(survey)"], capture_output=True)
    return check.returncode == 0


def r_table(frame: pd.DataFrame, design: str, pairs: list[tuple[str, str]]):
    """R survey on (item, group) pairs (benchmarks/bench_survey.R): seconds and the domains."""
    kind = {"weights only": "weights", "strata/PSU": "strata_psu", "replicates": "jk1"}[design]
    columns = ["w", "stratum", "psu", "cluster"] + sorted({i for i, _ in pairs}) + sorted({g for _, g in pairs})
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frame.csv"
        frame[columns].to_csv(path, index=False)
        run = subprocess.run(["Rscript", str(Path(__file__).with_name("bench_survey.R")), str(path), kind,
                              ",".join(f"{i}:{g}" for i, g in pairs)], capture_output=True, text=True,
                             check=True)
    lines = run.stdout.strip().splitlines()
    seconds = float(lines[-1].split(",")[1])
    table = pd.read_csv(io.StringIO("\n".join(lines[:-1])))
    table["level"] = table["level"].astype(str).str.upper().eq("TRUE")
    return seconds, table


# --- measuring ---------------------------------------------------------------------------------------
def best_of_each(repeats: int, functions: dict) -> dict:
    """Each function's best time of ``repeats`` and its result, the functions taking turns (so
    that a change in the machine's load falls on all of them alike): {name: (seconds, result)}."""
    best = {name: (np.inf, None) for name in functions}
    for _ in range(repeats):
        for name, function in functions.items():
            start = time.perf_counter()
            result = function()
            seconds = time.perf_counter() - start
            if seconds < best[name][0]:
                best[name] = (seconds, result)
    return best


def best_of(repeats: int, function, *args):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


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


def largest_difference(ours: pd.DataFrame, theirs: dict, columns=("estimate", "se")) -> list[float]:
    """Largest relative differences from ours over the peer's domains, per column."""
    indexed = ours.set_index(["by", "group", "variable"])
    keys = list(theirs)
    mine = indexed.loc[keys, list(columns)].to_numpy()
    values = np.array([theirs[k] for k in keys], dtype=np.float64)
    return list(np.max(np.abs(mine - values) / np.abs(mine), axis=0))


class Report:
    """The rows of the summary printed at the end: one per design and size."""

    def __init__(self):
        self.rows = []

    def add(self, **row):
        self.rows.append(row)

    def print(self):
        print("\n== summary: seconds for the 900-domain table, and ratios (one run) ==")
        table = pd.DataFrame(self.rows).set_index(["design", "rows"])
        with pd.option_context("display.width", 200, "display.max_columns", 20,
                               "display.float_format", "{:,.3g}".format):
            print(table)


# --- the sections ----------------------------------------------------------------------------------
def in_memory(frame: pd.DataFrame, design_name: str, n: int, repeats: int, report: Report,
              use_r: bool, levels_timed: int | None, pairs_timed: int) -> pd.DataFrame:
    """One linearised design at one size: ours, the floor(s), the per-column route, svy, R."""
    design = SurveyDesign(frame, "w", **DESIGNS[design_name])

    def ours():
        return proportion_by_each(design, ITEMS, POSITIVE, GROUPS, missing_values=[DONT_KNOW],
                                  min_base=0)
    gc.collect()
    rss_before = status_mb("VmRSS")
    was_reset = reset_peak_rss()
    ours()  # untimed: the peak memory of one call
    peak = peak_rss_mb(was_reset)
    if design_name == "weights only":
        floors = {"chunks of rows": lambda: floor_weights_chunked(frame),
                  "whole arrays": lambda: floor_weights_whole(frame)}
    else:
        floors = {"chunks of rows": lambda: floor_psu(frame, 65536),
                  "whole arrays": lambda: floor_psu(frame, None)}
    timed = best_of_each(repeats, {"ours": ours, **floors})
    t_ours, table = timed.pop("ours")
    floor_times = {name: seconds for name, (seconds, _) in timed.items()}
    floor_result = timed[min(floor_times, key=floor_times.get)][1]
    t_floor = min(floor_times.values())
    t_before, before = best_of(1 if n > 10_000 else repeats, lambda: [
        proportion(design, ITEMS, POSITIVE, by=g, missing_values=[DONT_KNOW], min_base=0) for g in GROUPS])

    levels = [(g, lv) for g in GROUPS for lv in (False, True)]
    timed = levels if levels_timed is None else levels[:: len(levels) // levels_timed][:levels_timed]
    sample = svy_sample(frame, design_name)
    t_svy, svy_values = best_of(1, svy_table, sample, timed, False)
    del sample
    t_svy_full = t_svy * len(levels) / len(timed)
    svy_differences = largest_difference(table, {(g, lv, i): v for (g, lv, i), v in svy_values.items()})

    pairs = [(i, g) for g in GROUPS for i in ITEMS]
    r_pairs = pairs[:: len(pairs) // pairs_timed][:pairs_timed]
    t_r_full = r_differences = None
    if use_r:
        t_r, r_rows = r_table(frame, design_name, r_pairs)
        t_r_full = t_r * len(pairs) / len(r_pairs)
        r_differences = largest_difference(table, {(row.group, row.level, row.item): (
            row.estimate, row.se, row.ci_low, row.ci_high) for row in r_rows.itertuples()},
            ("estimate", "se", "ci_low", "ci_high"))

    p, var = floor_result  # levels (group, level) x items
    floor_est = p.reshape(N_GROUPS, 2, N_ITEMS).transpose(0, 2, 1).ravel()
    floor_se = np.sqrt(var.reshape(N_GROUPS, 2, N_ITEMS).transpose(0, 2, 1).ravel())
    stacked = pd.concat([t.rename(columns={g: "group"}).assign(by=g) for g, t in zip(GROUPS, before)],
                        ignore_index=True)[table.columns]
    assert stacked[["by", "group", "variable", "n", "df"]].equals(table[["by", "group", "variable", "n", "df"]])

    print(f"\n== {design_name}, {n:,} rows: {N_ITEMS} items x {N_GROUPS} group columns, both levels = "
          f"{len(table)} domains (best of {repeats}) ==")
    print(f"proportion_by_each (ours)             : {1e3 * t_ours:10.1f} ms")
    for name, seconds in floor_times.items():
        print(f"floor, {name:<31}: {1e3 * seconds:10.1f} ms")
    print(f"15 proportion() calls                 : {1e3 * t_before:10.1f} ms")
    scaled = "" if levels_timed is None else f" (timed on {len(timed)} of {len(levels)} group levels, scaled)"
    print(f"svy {svy_version()} ratio per level, 30 items: {1e3 * t_svy_full:10.1f} ms{scaled}")
    if use_r:
        print(f"R survey svyby(svyciprop, beta)       : {1e3 * t_r_full:10.1f} ms (timed on "
              f"{len(r_pairs)} of {len(pairs)} item x group pairs, {t_r:.2f} s, scaled)")
    print(f"ours / floor = {t_ours / t_floor:.2f}x" + ("   (target <= 2x)" if n > 10_000 and
                                                       design_name == "strata/PSU" else ""))
    print(f"svy / ours = {t_svy_full / t_ours:.1f}x   (target >= 10x)"
          + (f";  R / ours = {t_r_full / t_ours:.0f}x" if use_r else "")
          + f";  15 proportion() calls / ours = {t_before / t_ours:.1f}x")
    print(f"peak memory: {peak:,.0f} MB ({'during our calls' if was_reset else 'since start'}; "
          f"{rss_before:,.0f} MB before them)")
    print(f"largest relative difference from ours: floor estimate "
          f"{np.max(np.abs(table.estimate - floor_est) / table.estimate):.1e}, se "
          f"{np.max(np.abs(table.se - floor_se) / table.se):.1e}; 15 proportion() calls se "
          f"{np.max(np.abs(table.se - stacked.se) / table.se):.1e}; svy estimate "
          f"{svy_differences[0]:.1e}, se {svy_differences[1]:.1e}"
          + (f"; R estimate {r_differences[0]:.1e}, se {r_differences[1]:.1e}, beta limits "
             f"{max(r_differences[2:]):.1e}" if use_r else ""))
    report.add(design=design_name, rows=f"{n:,}", floor=t_floor, ours=t_ours, svy=t_svy_full,
               R=t_r_full if use_r else np.nan, ours_over_floor=t_ours / t_floor,
               svy_over_ours=t_svy_full / t_ours,
               R_over_ours=t_r_full / t_ours if use_r else np.nan, peak_MB=peak)
    return table


def replicate_section(frame: pd.DataFrame, repeats: int, report: Report, use_r: bool) -> None:
    """Supplied replicate weights (80 jackknife columns) at a million rows."""
    frame = with_replicates(frame)
    gc.collect()
    rss_before = status_mb("VmRSS")
    was_reset = reset_peak_rss()
    t_design, design = best_of(1, lambda: ReplicateDesign(frame, "w", REPLICATES, "JK1"))

    def ours():
        return proportion_by_each(design, ITEMS, POSITIVE, GROUPS, missing_values=[DONT_KNOW],
                                  min_base=0)
    t_first, _ = best_of(1, ours)  # the first call also finds the weights' directions (df)
    peak = peak_rss_mb(was_reset)
    frame_mb = frame.memory_usage(deep=True).sum() / 2**20
    timed = best_of_each(repeats, {"ours": ours, "floor": lambda: floor_replicates(
        frame, design.replicate_weights)})
    (t_ours, table), (t_floor, (floor_p, floor_var)) = timed["ours"], timed["floor"]
    del design
    gc.collect()

    levels = [(g, lv) for g in GROUPS for lv in (False, True)]
    timed = levels[:: len(levels) // 2][:2]
    sample = svy_sample(frame, "replicates")
    t_svy, svy_values = best_of(1, svy_table, sample, timed, True)
    del sample
    t_svy_full = t_svy * len(levels) / len(timed)
    svy_differences = largest_difference(table, svy_values)
    pairs = [(i, g) for g in GROUPS for i in ITEMS]
    t_r_full = None
    if use_r:
        t_r, r_rows = r_table(frame, "replicates", pairs[:1])
        t_r_full = t_r * len(pairs)
        r_differences = largest_difference(table, {(row.group, row.level, row.item): (
            row.estimate, row.se, row.ci_low, row.ci_high) for row in r_rows.itertuples()},
            ("estimate", "se", "ci_low", "ci_high"))
    floor_se = np.sqrt(floor_var.reshape(N_GROUPS, 2, N_ITEMS).transpose(0, 2, 1).ravel())

    n = len(frame)
    print(f"\n== replicate weights, {n:,} rows, {N_REPLICATES} supplied jackknife (JK1) columns: "
          f"{len(table)} domains (best of {repeats}) ==")
    print(f"ReplicateDesign(...) (checks, one matrix) : {1e3 * t_design:10.1f} ms")
    print(f"proportion_by_each (ours), first call     : {1e3 * t_first:10.1f} ms (finds the "
          f"directions of the replicate weights, for the domains' df)")
    print(f"proportion_by_each (ours)                 : {1e3 * t_ours:10.1f} ms")
    print(f"floor, (G (x) W_rep)^T [V, P] by chunks   : {1e3 * t_floor:10.1f} ms")
    print(f"svy {svy_version()} replication, ratio per level : {1e3 * t_svy_full:10.1f} ms (timed on "
          f"{len(timed)} of {len(levels)} group levels, {t_svy:.2f} s, scaled)")
    if use_r:
        print(f"R survey svyby(svyciprop), JK1            : {1e3 * t_r_full:10.1f} ms (timed on 1 of "
              f"{len(pairs)} pairs, {t_r:.2f} s, scaled)")
    print(f"ours / floor = {t_ours / t_floor:.2f}x; svy / ours = {t_svy_full / t_ours:.1f}x"
          + (f"; R / ours = {t_r_full / t_ours:.0f}x" if use_r else ""))
    print(f"peak memory: {peak:,.0f} MB during the design and our calls ({rss_before:,.0f} MB before: "
          f"the frame with its replicate columns is {frame_mb:,.0f} MB; the design holds them again "
          f"as one {n:,} x {N_REPLICATES} float64 matrix, {n * N_REPLICATES * 8 / 2**20:,.0f} MB)")
    print(f"largest relative difference from ours: floor se "
          f"{np.max(np.abs(table.se - floor_se) / table.se):.1e}; svy estimate {svy_differences[0]:.1e}, "
          f"se {svy_differences[1]:.1e}"
          + (f"; R estimate {r_differences[0]:.1e}, se {r_differences[1]:.1e}, beta limits "
             f"{max(r_differences[2:]):.1e}" if use_r else ""))
    report.add(design=f"replicates ({N_REPLICATES})", rows=f"{n:,}", floor=t_floor, ours=t_ours,
               svy=t_svy_full, R=t_r_full if use_r else np.nan, ours_over_floor=t_ours / t_floor,
               svy_over_ours=t_svy_full / t_ours,
               R_over_ours=t_r_full / t_ours if use_r else np.nan, peak_MB=peak)


def parquet_table(frame: pd.DataFrame) -> pa.Table:
    columns = ["w", "stratum", "psu"] + ITEMS + GROUPS
    return pa.Table.from_pandas(frame[columns], preserve_index=False)


def file_route_section(frame: pd.DataFrame, tables: dict, report: Report) -> None:
    """The file route on the million-row frame written to Parquet: time and equality with ours."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "frame.parquet"
        pq.write_table(parquet_table(frame), path)
        print(f"\n== file route (DuckDB {duckdb.__version__}) on the {len(frame):,}-row frame as "
              f"Parquet ({path.stat().st_size / 2**20:,.0f} MB) ==")
        for name, options in DESIGNS.items():
            t_file, on_file = best_of(2, lambda: proportion_by_each(
                DatabaseDesign(path, "w", **options), ITEMS, POSITIVE, GROUPS,
                missing_values=[DONT_KNOW], min_base=0))
            memory = tables[name]
            exact = all((on_file[c].to_numpy() == memory[c].to_numpy()).all()
                        for c in ("by", "variable", "n", "n_missing", "df", "suppressed"))
            close = max(np.nanmax(np.abs(on_file[c] - memory[c]) / np.abs(memory[c]))
                        for c in ("estimate", "se", "ci_low", "ci_high", "weighted_n", "deff"))
            print(f"{name:<13}: {1e3 * t_file:8.1f} ms, {t_file / report_time(report, name):.1f}x the "
                  f"in-memory call; largest relative difference {close:.1e}, counts and df equal: {exact}")


def report_time(report: Report, design: str) -> float:
    return next(r["ours"] for r in report.rows if r["design"] == design and r["rows"] == "1,000,000")


def big_file(rows: int) -> Path:
    """The generated Parquet file of ``rows`` rows (strata and PSUs), written in chunks of a million
    rows into artefacts/bench/ (git-ignored) and kept for the next run."""
    path = BIG_FILE.with_name(f"survey_{rows}_rows.parquet")
    if path.exists() and pq.ParquetFile(path).metadata.num_rows == rows:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    start = time.perf_counter()
    chunk = 1_000_000
    with pq.ParquetWriter(partial, parquet_table(synthetic_frame(10, 0)).schema) as writer:
        for number, first in enumerate(range(0, rows, chunk)):
            writer.write_table(parquet_table(synthetic_frame(min(chunk, rows - first), 7_000 + number)))
    os.replace(partial, path)
    print(f"(generated {path.relative_to(ROOT)}: {rows:,} rows, {path.stat().st_size / 2**30:.1f} GB, "
          f"in {time.perf_counter() - start:.0f} s)")
    return path


def big_file_section(rows: int, report: Report) -> None:
    """The file route on the generated file, strata and PSUs, with the process's peak memory."""
    path = big_file(rows)
    gc.collect()
    rss_before = status_mb("VmRSS")
    was_reset = reset_peak_rss()
    connection = duckdb.connect(config={"memory_limit": "2GB", "threads": os.cpu_count() or 2,
                                        "preserve_insertion_order": False})
    start = time.perf_counter()
    table = proportion_by_each(DatabaseDesign(path, "w", strata="stratum", psu="psu", connection=connection),
                               ITEMS, POSITIVE, GROUPS, missing_values=[DONT_KNOW], min_base=0)
    seconds = time.perf_counter() - start
    peak = peak_rss_mb(was_reset)
    print(f"\n== file route on {path.relative_to(ROOT)} ({rows:,} rows, {path.stat().st_size / 2**30:.1f} GB; "
          f"strata and PSUs; DuckDB memory_limit 2GB) ==")
    print(f"proportion_by_each(DatabaseDesign(...)): {seconds:8.1f} s for {len(table)} domains "
          f"({rows / seconds / 1e6:.1f} million rows a second)")
    print(f"peak memory of the process: {peak:,.0f} MB ({'since reset' if was_reset else 'since start'}; "
          f"{rss_before:,.0f} MB before)   (target < 4 GB)")
    report.add(design="file route, strata/PSU", rows=f"{rows:,}", floor=np.nan, ours=seconds,
               svy=np.nan, R=np.nan, ours_over_floor=np.nan, svy_over_ours=np.nan, R_over_ours=np.nan,
               peak_MB=peak)


def svy_version() -> str:
    from importlib.metadata import version
    return version("svy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the 843-row frame")
    parser.add_argument("--big-rows", type=int, default=100_000_000,
                        help="rows of the generated Parquet file (0: skip it)")
    args = parser.parse_args()
    use_r = r_available()
    print(f"R survey: {'Rscript with the survey package' if use_r else 'not installed, left out'}")
    report = Report()
    small = synthetic_frame(843, seed=20240611)
    for name in DESIGNS:
        in_memory(small, name, len(small), repeats=15, report=report, use_r=use_r, levels_timed=None,
                  pairs_timed=30)
    if not args.quick:
        frame = synthetic_frame(1_000_000, seed=20241001)
        tables = {name: in_memory(frame, name, len(frame), repeats=5, report=report, use_r=use_r,
                                  levels_timed=2, pairs_timed=2) for name in DESIGNS}
        replicate_section(frame, repeats=2, report=report, use_r=use_r)
        file_route_section(frame, tables, report)
        del frame, tables
        if args.big_rows:
            big_file_section(args.big_rows, report)
    report.print()


if __name__ == "__main__":
    main()
