"""How sure are the consensus verdicts? Their sensitivity to sampling error, method and multiplicity.

The paper prints percentages but no standard errors, bases or design effects. This module asks
how much its consensus verdicts and contrasts depend on what it left out. Most of it works from
the printed figures alone, so that the answer holds whichever respondent file (synthetic or
archived) a build uses; the functions marked "respondent file" need one:

* :func:`published_group_sizes` -- how many of the 843 parents each published group held, from the
  printed composition of the sample (a lower bound where the paper prints no share);
* :func:`verdicts_by_design_effect` and :func:`count_stability` -- each published attitude
  figure's interval and verdict as the assumed design effect runs over a grid (variance
  ``p(1-p) * deff / n``, Kish 1965; :func:`social_licence.survey.planning.interval_from_summary`);
* :func:`settling_sizes` -- for each figure, the fewest parents its verdict needs to be settled,
  and the largest design effect its printed group size can bear;
* :func:`stability_by_method` -- how many verdicts the interval method changes (respondent file);
* :func:`corrected_contrasts` -- subgroup-versus-rest differences with Holm and Benjamini-Hochberg
  adjustment (respondent file);
* :func:`precision_plan` -- the group sizes a ±5 or ±10 point interval needs, without and with
  the Kish design effect of each group's weights (:func:`social_licence.survey.design.kish_design_effect`;
  respondent file for the weights);
* :func:`threshold_margins`, :func:`threshold_margin_plot` and :func:`stability_by_design_effect_plot`
  -- the chapter's figures, in the house style of :mod:`social_licence.report.plotting`.

"Settled", "overturned" and "not settled" mean what they mean in
:func:`social_licence.survey.consensus.verdict_against_published`: the interval lies wholly on the side of
the consensus threshold that the published figure claims, wholly on the other side, or across it.
A figure whose group size is unknown gets :data:`SIZE_UNKNOWN` instead.

References: Kish L (1965) Survey Sampling, Wiley (design effect, effective sample size ``n/deff``,
Kish's ``n * sum(w^2) / sum(w)^2`` for unequal weights); Korn EL, Graubard BI (1998) Survey
Methodology 24:193-201 (the "beta" interval); Holm S (1979) Scand J Stat 6:65-70; Benjamini Y,
Hochberg Y (1995) JRSS B 57:289-300.
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from social_licence.report.tables import figure_contrasts, figure_estimates
from social_licence.study.codebook import Codebook, Condition, load_codebook
from social_licence.study.published import COMPOSITION
from social_licence.study.synthetic import ASSUMED_WHOLE_SAMPLE
from social_licence.survey.consensus import (
    STABILITIES,
    consensus_threshold,
    consensus_verdicts,
    published_reaches_threshold,
    verdict_against_published,
)
from social_licence.survey.design import (
    describe_values,
    kish_design_effect,
    require_columns,
)
from social_licence.survey.intervals import METHODS, check_level, check_method
from social_licence.survey.planning import interval_from_summary, sample_size_for_margin

ALL = "all"
#: the stability of a figure whose group size the paper does not print
SIZE_UNKNOWN = "size unknown"
#: the order in which stabilities are counted, tabulated and plotted
STABILITY_ORDER = ("settled", "not settled", "overturned", SIZE_UNKNOWN)
#: the largest group size :func:`settling_sizes` searches (beyond it a verdict counts as never settled)
MAX_SEARCH_SIZE = 2**24


def _attitude_figures(published: pd.DataFrame) -> pd.DataFrame:
    require_columns(published, ["figure_id", "measure", "item", "group", "percent", "options"],
                    "published figures")
    return published[published["measure"] != COMPOSITION].reset_index(drop=True)


def _condition_share(condition: Condition, composition: dict, codebook: Codebook):
    """(percent, basis) of one membership condition from the composition figures, or None.

    A condition is met by a composition figure defined by the same variable and codes, or by 100
    minus a figure whose codes are exactly the other substantive codes of the same variable.
    """
    codes = frozenset(condition.codes)
    if (condition.variable, codes) in composition:
        percent, figure_id = composition[(condition.variable, codes)]
        return percent, figure_id
    every = frozenset(codebook.variables[condition.variable].codes)
    complement = (condition.variable, every - codes)
    if complement in composition:
        percent, figure_id = composition[complement]
        return 100.0 - percent, f"100 - {figure_id}"
    return None


def generator_whole_sample_shares() -> dict[str, float]:
    """Whole-sample shares that the generator of the shipped respondent file assumed, by question.

    For the belief questions the paper reports only subgroups, so the generator anchored the
    whole sample on an assumption (:data:`social_licence.study.synthetic.ASSUMED_WHOLE_SAMPLE`);
    a chapter shows them beside any comparison that they, not the publication, decide.
    """
    return dict(ASSUMED_WHOLE_SAMPLE)


def published_group_sizes(published: pd.DataFrame, n: int = 843, *,
                          shares: Mapping[str, float] | None = None,
                          codebook: Codebook | None = None) -> pd.DataFrame:
    """How many parents each group of the published attitude figures held, from the paper alone.

    Parameters
    ----------
    published : pandas.DataFrame
        The published figures (:func:`social_licence.study.published.load_published`).
    n : int
        Parents in the whole sample (843 in the paper).
    shares : mapping of group key to percent, optional
        Shares of the sample to use instead of (or where the paper prints no) composition figure,
        e.g. ``{"income_under_1200": 15}``: an explicit assumption, labelled ``"assumed"``.
    codebook : Codebook, optional
        Defines each group (default: the project's codebook).

    Returns
    -------
    pandas.DataFrame
        One row per group of the attitude figures (``all`` first, then in order of appearance):
        ``group``, ``group_label``, ``share`` (percent of the sample), ``size`` (nullable integer:
        ``floor(n * share / 100 + 0.5)``, a whole number of parents) and ``basis``.

    How a share is found, in order: ``shares`` if it names the group; 100 for ``all``; the
    composition figure of a one-condition group (``"S04"``); 100 minus the figure for the other
    codes of the same variable (``"100 - S11"``: income over £3,700 = 100 - 65, taking everyone as
    answering the income question); for a group defined by any of several conditions
    (``combine: any``), the largest of their shares -- a **lower bound** on the size of the
    union (``"lower bound: max(S07, S08, 100 - S11)"``; 50% with a degree for the higher
    occupation, qualification or income group); for ``combine: all``, the Fréchet lower bound
    ``max(0, sum - (m - 1) * 100)`` when it is positive. Anything else (e.g. household income
    under £1,200, which the paper never sizes) has no size and basis ``"not published"``. A lower
    bound errs on the side of wider intervals. The printed shares are themselves rounded
    (5% is 4.5-5.5%, i.e. 38-46 parents): :func:`verdicts_by_design_effect` covers that, since
    a group 10% smaller has the interval of a design effect 10% larger.
    """
    codebook = codebook or load_codebook()
    if isinstance(n, bool) or not float(n).is_integer() or n < 2:
        raise ValueError(f"n={n!r} must be a whole number of parents, at least 2")
    shares = dict(shares or {})
    bad = {k: v for k, v in shares.items()
           if (k != ALL and k not in codebook.subgroups) or not 0 <= float(v) <= 100}
    if bad:
        raise ValueError(f"shares: unknown group or share outside 0-100 for {len(bad)} group(s): "
                         f"{describe_values(list(bad.items()))}")
    composition = {}
    for row in published[published["measure"] == COMPOSITION].itertuples(index=False):
        (condition,) = codebook.subgroups[row.item].conditions
        composition[(condition.variable, frozenset(condition.codes))] = (float(row.percent), row.figure_id)

    groups = [ALL] + [g for g in dict.fromkeys(_attitude_figures(published)["group"]) if g != ALL]
    rows = []
    for group in groups:
        share, basis = math.nan, "not published"
        if group in shares:
            share, basis = float(shares[group]), "assumed"
        elif group == ALL:
            share, basis = 100.0, "whole sample"
        else:
            subgroup = codebook.subgroups[group]
            parts = [_condition_share(c, composition, codebook) for c in subgroup.conditions]
            if all(part is not None for part in parts):
                values = [part[0] for part in parts]
                names = ", ".join(part[1] for part in parts)
                if len(parts) == 1:
                    share, basis = values[0], names
                elif subgroup.combine == "any":
                    share, basis = max(values), f"lower bound: max({names})"
                elif sum(values) - (len(values) - 1) * 100 > 0:
                    share = sum(values) - (len(values) - 1) * 100
                    basis = f"lower bound: {names} all held"
        size = pd.NA if math.isnan(share) else int(math.floor(n * share / 100 + 0.5))
        rows.append({"group": group, "group_label": codebook.name_of(group),
                     "share": share, "size": size, "basis": basis})
    table = pd.DataFrame(rows)
    table["size"] = table["size"].astype("Int64")
    return table


def _sizes_of(figures: pd.DataFrame, sizes: pd.DataFrame) -> np.ndarray:
    """Group size of each figure (float, NaN where unknown); every group must be in ``sizes``."""
    require_columns(sizes, ["group", "size"], "group sizes")
    lookup = dict(zip(sizes["group"], sizes["size"]))
    missing = sorted(set(figures["group"]) - set(lookup))
    if missing:
        raise ValueError(f"sizes has no row for group(s) {describe_values(missing)} "
                         f"({len(sizes)} rows); use published_group_sizes()")
    values = np.array([np.nan if pd.isna(lookup[g]) else float(lookup[g]) for g in figures["group"]])
    small = values < 2
    if small.any():
        raise ValueError(f"group sizes must be at least 2; got {describe_values(values[small])}")
    return values


def _judge(percent, k, size, deff, method: str, level: float) -> pd.DataFrame:
    """Interval and verdicts for published percentages with known sizes (arrays of equal length)."""
    interval = interval_from_summary(percent, size, deff, method=method, level=level)
    frame = pd.DataFrame({"estimate": interval["estimate"] / 100, "ci_low": interval["ci_low"] / 100,
                          "ci_high": interval["ci_high"] / 100, "n_eff": interval["n_eff"]})
    judged = consensus_verdicts(frame, k=np.asarray(k, dtype=np.int64))
    judged["published_reaches"] = published_reaches_threshold(np.asarray(percent, dtype=float),
                                                              np.asarray(k, dtype=np.int64))
    judged["stability"] = verdict_against_published(judged["published_reaches"], judged["verdict"])
    return judged


def verdicts_by_design_effect(published: pd.DataFrame, sizes: pd.DataFrame,
                              deffs: Sequence[float] = (1.0, 1.5, 2.0), *, level: float = 0.95,
                              method: str = "beta") -> pd.DataFrame:
    """Each published attitude figure's interval and verdict at each assumed design effect.

    The published percentage is taken as the estimate, its group's size from ``sizes``
    (:func:`published_group_sizes`) as the unweighted base, and ``deff`` as the design effect:
    :func:`social_licence.survey.planning.interval_from_summary` (with ``"beta"``, Clopper-Pearson on
    ``n / deff``). Rounding of the printed figure is not added: a figure printed at its
    threshold (a 50 against 50%) is never settled, whatever the size.

    Returns one row per figure and design effect (figures in ``published`` order within each
    ``deff``): ``figure_id``, ``measure``, ``item``, ``group``, ``published`` (percent), ``k``,
    ``threshold`` (proportion), ``size``, ``deff``, ``n_eff``, ``estimate``, ``ci_low``, ``ci_high``
    (proportions), ``level``, ``method``, ``published_reaches``, ``verdict`` and ``stability``
    (one of :data:`STABILITY_ORDER`; ``"size unknown"`` with NaN interval where ``sizes`` has no
    size for the group).
    """
    check_method(method)
    check_level(level)
    deffs = np.asarray(deffs, dtype=np.float64).ravel()
    if deffs.size == 0 or np.isnan(deffs).any() or (deffs <= 0).any():
        raise ValueError(f"deffs must be positive numbers; got {describe_values(deffs)}")
    figures = _attitude_figures(published)
    size = _sizes_of(figures, sizes)
    k = figures["options"].astype(int).to_numpy()
    base = figures[["figure_id", "measure", "item", "group"]].assign(
        published=figures["percent"].astype(float).to_numpy(), k=k,
        threshold=np.asarray(consensus_threshold(k), dtype=float),
        size=pd.array([pd.NA if np.isnan(s) else int(s) for s in size], dtype="Int64"))
    table = pd.concat([base.assign(deff=d) for d in deffs], ignore_index=True)
    known = np.tile(~np.isnan(size), len(deffs))
    for column in ("n_eff", "estimate", "ci_low", "ci_high"):
        table[column] = np.nan
    table["level"], table["method"] = float(level), method
    table["published_reaches"] = published_reaches_threshold(table["published"].to_numpy(),
                                                             table["k"].to_numpy())
    table["verdict"], table["stability"] = None, SIZE_UNKNOWN
    if known.any():
        part = table[known]
        judged = _judge(part["published"].to_numpy(), part["k"].to_numpy(),
                        part["size"].to_numpy(dtype=float), part["deff"].to_numpy(), method, level)
        for column in ("n_eff", "estimate", "ci_low", "ci_high", "verdict", "stability"):
            table.loc[known, column] = judged[column].to_numpy()
    return table


def count_stability(verdicts: pd.DataFrame, by: str = "deff") -> pd.DataFrame:
    """How many figures are settled, not settled, overturned or of unknown size, per value of ``by``.

    ``verdicts`` is :func:`verdicts_by_design_effect` output (or any table with ``stability``
    and the ``by`` column). One row per value of ``by`` (sorted), one integer column per entry of
    :data:`STABILITY_ORDER` (zero where none), then ``total``.
    """
    require_columns(verdicts, ["stability", by], "verdicts")
    unknown = sorted(set(verdicts["stability"]) - set(STABILITY_ORDER) - set(STABILITIES))
    if unknown:
        raise ValueError(f"stability values must be among {STABILITY_ORDER}; got {unknown} "
                         f"in {len(verdicts)} rows")
    counts = pd.crosstab(verdicts[by], verdicts["stability"])
    counts = counts.reindex(columns=list(STABILITY_ORDER), fill_value=0).astype(np.int64)
    counts["total"] = counts.sum(axis=1)
    counts.columns.name = None
    return counts.reset_index()


def settling_sizes(published: pd.DataFrame, sizes: pd.DataFrame | None = None, *,
                   deff: float = 1.0, level: float = 0.95, method: str = "beta") -> pd.DataFrame:
    """For each attitude figure: how many parents its verdict needs, and how much design effect it bears.

    ``n_needed`` is the smallest whole number of parents at which the interval around the
    published percentage (design effect ``deff``) lies wholly on the side of the threshold that
    the published figure claims; NaN when no size is enough (the figure is printed exactly at its
    threshold) or more than :data:`MAX_SEARCH_SIZE` would be needed. ``deff_limit`` is the largest
    design effect at which the figure's group size (from ``sizes``; NaN where unknown or when
    ``sizes`` is None) still settles it: below 1 means not settled even as a simple random sample.
    Both are found by bisection, which relies on the interval narrowing as the effective sample
    size grows (true of all three methods). Returns ``figure_id``, ``item``, ``group``,
    ``published``, ``k``, ``threshold``, ``size``, ``deff``, ``n_needed`` (nullable integer)
    and ``deff_limit``.
    """
    check_method(method)
    check_level(level)
    if not deff > 0:
        raise ValueError(f"deff={deff!r} must be > 0")
    figures = _attitude_figures(published)
    percent = figures["percent"].astype(float).to_numpy()
    k = figures["options"].astype(int).to_numpy()

    def settled(n, d):
        return _judge(percent, k, n, d, method, level)["stability"].to_numpy() == "settled"

    lo = np.full(len(figures), 1.0)
    hi = np.full(len(figures), float(MAX_SEARCH_SIZE))
    at_two, reachable = settled(np.full(len(figures), 2.0), deff), settled(hi, deff)
    while np.any(reachable & ~at_two & (hi - lo > 1)):
        mid = np.floor((lo + hi) / 2)
        ok = settled(np.maximum(mid, 2.0), deff)
        hi, lo = np.where(ok, mid, hi), np.where(ok, lo, mid)
    needed = np.where(at_two, 2.0, np.where(reachable, hi, np.nan))

    size = (np.full(len(figures), np.nan) if sizes is None else _sizes_of(figures, sizes))
    limit = np.full(len(figures), np.nan)
    known = ~np.isnan(size) & reachable
    if known.any():
        n_known = size[known]
        low, high = np.full(known.sum(), 1e-6), n_known / 2.0
        p_known, k_known = percent[known], k[known]

        def settles(d):
            return _judge(p_known, k_known, n_known, d, method, level)["stability"].to_numpy() == "settled"

        for _ in range(60):  # bisection on log(deff): ample for 1e-12 relative precision
            mid = np.sqrt(low * high)
            ok = settles(mid)
            low, high = np.where(ok, mid, low), np.where(ok, high, mid)
        limit[known] = np.where(settles(np.full(known.sum(), 1e-6)), low, np.nan)
    return figures[["figure_id", "item", "group"]].assign(
        published=percent, k=k, threshold=np.asarray(consensus_threshold(k), dtype=float),
        size=pd.array([pd.NA if np.isnan(s) else int(s) for s in size], dtype="Int64"),
        deff=float(deff),
        n_needed=pd.array([pd.NA if np.isnan(v) else int(v) for v in needed], dtype="Int64"),
        deff_limit=limit)


def stability_by_method(survey, methods: Sequence[str] = METHODS, *,
                        level: float = 0.95) -> pd.DataFrame:
    """How many verdicts each interval method settles, from the respondent file.

    Runs :func:`social_licence.report.tables.figure_estimates` once per method and returns one row per
    method: the counts of :data:`social_licence.survey.consensus.STABILITIES` among the attitude
    figures, and the median and largest interval width (proportions).
    """
    rows = []
    for method in methods:
        check_method(method)
        estimates = figure_estimates(survey, method=method, level=level)
        attitudes = estimates[estimates["measure"] != COMPOSITION]
        width = attitudes["ci_high"] - attitudes["ci_low"]
        counts = attitudes["stability"].value_counts()
        rows.append({"method": method, **{s: int(counts.get(s, 0)) for s in STABILITIES},
                     "median_width": float(width.median()), "max_width": float(width.max())})
    return pd.DataFrame(rows)


def corrected_contrasts(survey, *, level: float = 0.95) -> pd.DataFrame:
    """Every published subgroup-versus-rest difference with Holm and Benjamini-Hochberg p-values.

    :func:`social_licence.report.tables.figure_contrasts` (design-based t test of the group against all
    other parents, one per attitude figure of a subgroup) run with both adjustments over the whole
    family of contrasts: ``p_holm`` controls the family-wise error rate (Holm 1979), ``p_bh`` the
    false discovery rate (Benjamini & Hochberg 1995). ``holds``, ``holds_holm`` and ``holds_bh``
    say whether the unadjusted, Holm and BH p-values are below ``1 - level`` (0.05 by default,
    matching the 95% intervals).
    """
    check_level(level)
    holm = figure_contrasts(survey, adjust="holm", level=level)
    bh = figure_contrasts(survey, adjust="fdr_bh", level=level)
    table = holm.drop(columns=["p_adjusted", "adjustment"]).assign(
        p_holm=holm["p_adjusted"].to_numpy(), p_bh=bh["p_adjusted"].to_numpy())
    alpha = 1 - level
    return table.assign(holds=table["p_value"] < alpha, holds_holm=table["p_holm"] < alpha,
                        holds_bh=table["p_bh"] < alpha)


def precision_plan(data: pd.DataFrame, published: pd.DataFrame, *, weights: str = "weight",
                   sizes: pd.DataFrame | None = None, margins: Sequence[float] = (10.0, 5.0),
                   level: float = 0.95, codebook: Codebook | None = None) -> pd.DataFrame:
    """Parents each published group would need for an interval of ± ``margin`` points.

    For each group of the attitude figures (``all`` first) and each margin, the size
    :func:`social_licence.survey.planning.sample_size_for_margin` gives (normal approximation,
    ``z^2 p(1-p) deff / margin^2``) at p = 50% (the widest case) and at each of the group's
    published percentages, with no design effect (deff = 1) and with the Kish design effect of the
    group's weights in ``data`` (:func:`social_licence.survey.design.kish_design_effect`). ``data`` needs
    a boolean column per group, as :func:`social_licence.study.loader.load_survey` gives it.

    Returns a long table: ``group``, ``group_label``, ``margin``, ``n_file`` (the group's rows in
    ``data``), ``size`` (from ``sizes``, else missing), ``kish_deff``, ``figure_id`` (None for the
    50% row), ``p`` (percent), ``deff_basis`` (``"none"`` or ``"Kish"``), ``deff`` and
    ``n_required``.
    """
    codebook = codebook or load_codebook()
    check_level(level)
    margins = np.asarray(margins, dtype=np.float64).ravel()
    if margins.size == 0 or np.isnan(margins).any() or (margins <= 0).any() or (margins >= 50).any():
        raise ValueError(f"margins must be percentage points in (0, 50); got {describe_values(margins)}")
    figures = _attitude_figures(published)
    groups = [ALL] + [g for g in dict.fromkeys(figures["group"]) if g != ALL]
    require_columns(data, [weights] + [g for g in groups if g != ALL], "group or weight")
    size_of = {} if sizes is None else dict(zip(sizes["group"], sizes["size"]))
    rows = []
    for group in groups:
        member = np.ones(len(data), dtype=bool) if group == ALL else data[group].to_numpy(dtype=bool)
        kish = kish_design_effect(data.loc[member, weights])
        points = [(None, 50.0)] + [(f.figure_id, float(f.percent))
                                   for f in figures[figures["group"] == group].itertuples(index=False)]
        for margin in margins:
            for figure_id, p in points:
                for deff_basis, deff in (("none", 1.0), ("Kish", kish)):
                    rows.append({"group": group, "group_label": codebook.name_of(group),
                                 "margin": float(margin), "n_file": int(member.sum()),
                                 "size": size_of.get(group, pd.NA), "kish_deff": kish,
                                 "figure_id": figure_id, "p": p, "deff_basis": deff_basis,
                                 "deff": deff,
                                 "n_required": sample_size_for_margin(p, margin, deff, level=level)})
    table = pd.DataFrame(rows)
    table["size"] = table["size"].astype("Int64")
    return table


def plan_for_readers(plan: pd.DataFrame) -> pd.DataFrame:
    """Format :func:`precision_plan` output: one row per group and margin, sizes needed side by side.

    Columns: group, margin, parents in the file, parents by the printed share, the Kish design
    effect, and the parents needed at 50% and at the group's published values (their range), each
    without and with the Kish design effect.
    """
    rows = []
    for (group, margin), part in plan.groupby(["group", "margin"], sort=False):
        first = part.iloc[0]
        at_half = part[part["figure_id"].isna()].set_index("deff_basis")["n_required"]
        at_published = part[part["figure_id"].notna()]

        def spread(basis):
            values = at_published.loc[at_published["deff_basis"] == basis, "n_required"]
            return f"{values.min()}–{values.max()}" if values.min() != values.max() else f"{values.min()}"

        rows.append({"Group": first["group_label"], "Margin (± points)": f"{margin:g}",
                     "Parents in file": f"{first['n_file']}",
                     "Parents by printed share": "–" if pd.isna(first["size"]) else f"{first['size']}",
                     "Kish deff": f"{first['kish_deff']:.2f}",
                     "Needed at 50% (deff 1)": f"{at_half['none']}",
                     "Needed at 50% (Kish)": f"{at_half['Kish']}",
                     "Needed at published % (deff 1)": spread("none"),
                     "Needed at published % (Kish)": spread("Kish")})
    return pd.DataFrame(rows)


def threshold_margins(estimates: pd.DataFrame) -> pd.DataFrame:
    """Each attitude figure's estimate and interval minus its consensus threshold, in points, sorted.

    ``estimates`` is :func:`social_licence.report.tables.figure_estimates` output; composition figures
    (no threshold) are left out. Returns ``figure_id``, ``item_label``, ``group_label``,
    ``stability``, ``distance``, ``distance_low`` and ``distance_high`` (percentage points:
    ``100 * (value - threshold)``), sorted by ``distance`` (ties by figure id).
    """
    require_columns(estimates, ["figure_id", "estimate", "ci_low", "ci_high", "threshold",
                                "stability"], "estimates")
    rows = estimates[estimates["threshold"].notna()]
    table = rows[[c for c in ("figure_id", "item_label", "group_label", "stability") if c in rows]].copy()
    for column, source in (("distance", "estimate"), ("distance_low", "ci_low"), ("distance_high", "ci_high")):
        table[column] = 100 * (rows[source].astype(float) - rows["threshold"].astype(float))
    return table.sort_values(["distance", "figure_id"], kind="mergesort").reset_index(drop=True)
