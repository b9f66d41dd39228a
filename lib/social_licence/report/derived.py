"""What the publication itself pins down: intervals and verdicts from the printed figures alone.

The paper prints percentages, and describes who took part, but prints no bases, standard errors or
design effects. This module derives them under stated assumptions, so that the book's verdicts
hold whichever respondent file a build uses:

* **Group sizes** (:func:`group_sizes`): a published group's share of the sample times the 843
  parents, under the codebook's reading of the composition figures (default: unweighted shares of
  the sample, so the printed share is the group's number of respondents). A group the paper never
  sizes (household income under £1,200 a month) has no size. The higher occupation, qualification
  or income group is sized by its reading: as *any one* of three markers it is at least as large as
  its largest part (the 50% with a degree: a lower bound, which errs towards wider intervals); as
  *all three* the printed shares give no lower bound (only an upper one, the smallest part).
* **Design effects** (:data:`DEFF_RANGE`): the weights' design effect is not published, so every
  derived interval is computed at both ends of a stated range, from 1 (a simple random sample) to
  2 (weighting that halves the information). A verdict shown is the one at the upper end; a verdict
  that holds only at the lower end "depends on the design effect".
* **Intervals** (:func:`derived_verdicts`): the published percentage as the estimate, Korn-Graubard
  ("beta") limits on the effective sample size ``n / deff`` (Kish 1965;
  :func:`social_licence.survey.planning.interval_from_summary`), and the consensus verdict of
  :func:`social_licence.survey.consensus.consensus_verdicts`. Rounding of the printed figure is not
  added: a figure printed at its threshold is never settled.
* **Don't know** (:func:`dont_know_tolerance`): the paper does not say whether "don't know" answers
  are in a percentage's base. The book leaves them out (its own reading); the largest share of
  don't knows under which a published consensus would survive their being counted in the base is
  derived here.

"Derived" in the book's sense: computed from published figures under these assumptions, never
from a respondent file. References: Kish L (1965) Survey Sampling, Wiley; Korn EL, Graubard BI
(1998) Survey Methodology 24:193-201; Fréchet M (1951) for the bounds on the size of an intersection.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook, Condition
from social_licence.study.published import COMPOSITION, step_of
from social_licence.survey.consensus import (
    consensus_threshold,
    consensus_verdicts,
    published_reaches_threshold,
)
from social_licence.survey.planning import interval_from_summary

ALL = "all"
#: parents in the sample ("The probability-based sample consisted of 843 parents")
SAMPLE_SIZE = 843
#: the stated range of the weights' design effect: none, and weighting that halves the information
DEFF_RANGE = (1.0, 2.0)
#: the verdict word for a figure whose group size the sources do not give
SIZE_UNKNOWN = "size unknown"
#: the largest group :func:`settling_size` searches
MAX_SIZE = 100_000


def attitude_figures(published: pd.DataFrame) -> pd.DataFrame:
    """The published figures about attitudes and awareness (all but the sample's composition)."""
    return published[published["measure"] != COMPOSITION].reset_index(drop=True)


def _condition_share(condition: Condition, composition: dict, codebook: Codebook):
    """(percent, basis) of a membership condition from the composition figures, or None: a figure
    for the same codes, or 100 minus one for exactly the other codes of the variable."""
    codes = frozenset(condition.codes)
    if (condition.variable, codes) in composition:
        return composition[(condition.variable, codes)]
    complement = (condition.variable, frozenset(codebook.variables[condition.variable].codes) - codes)
    if complement in composition:
        percent, figure_id = composition[complement]
        return 100.0 - percent, f"100 - {figure_id}"
    return None


def group_sizes(published: pd.DataFrame, codebook: Codebook, n: int = SAMPLE_SIZE) -> pd.DataFrame:
    """How many of the ``n`` parents each group of the attitude figures held, from the printed shares.

    One row per group (``all`` first, then in order of appearance): ``group``, ``share`` (percent
    of the sample, NaN where unknown), ``size`` (nullable integer, ``floor(n * share / 100 + 0.5)``),
    ``bound`` (``"exact"``, ``"lower"`` or ``"unknown"``), ``upper`` (the largest size the printed
    shares allow, for a group of several conditions) and ``basis`` (the figures used).
    """
    composition = {}
    for row in published[published["measure"] == COMPOSITION].itertuples(index=False):
        (condition,) = codebook.subgroups[row.item].conditions
        composition[(condition.variable, frozenset(condition.codes))] = (float(row.percent), row.figure_id)
    groups = [ALL] + [g for g in dict.fromkeys(attitude_figures(published)["group"]) if g != ALL]
    rows = []
    for group in groups:
        share, bound, upper, basis = math.nan, "unknown", math.nan, "not published"
        if group == ALL:
            share, bound, basis = 100.0, "exact", "the whole sample"
        else:
            subgroup = codebook.subgroups[group]
            parts = [_condition_share(c, composition, codebook) for c in subgroup.conditions]
            if all(part is not None for part in parts):
                values, names = [p[0] for p in parts], ", ".join(p[1] for p in parts)
                if len(parts) == 1:
                    share, bound, basis = values[0], "exact", names
                elif subgroup.combine == "any":
                    share, bound, basis = max(values), "lower", f"at least the largest of {names}"
                    upper = min(100.0, sum(values))
                else:
                    upper = min(values)
                    frechet = sum(values) - (len(values) - 1) * 100
                    if frechet > 0:
                        share, bound = frechet, "lower"
                    basis = f"all of {names}: at most the smallest"
        size = pd.NA if math.isnan(share) else int(math.floor(n * share / 100 + 0.5))
        rows.append({"group": group, "share": share, "size": size, "bound": bound,
                     "upper": pd.NA if math.isnan(upper) else int(math.floor(n * upper / 100 + 0.5)),
                     "basis": basis})
    table = pd.DataFrame(rows)
    for column in ("size", "upper"):
        table[column] = table[column].astype("Int64")
    return table


def _intervals(percent, k, size, deff, level: float, method: str) -> pd.DataFrame:
    """Interval (proportions) and verdict for published percentages with known sizes."""
    interval = interval_from_summary(percent, size, deff, method=method, level=level)
    frame = pd.DataFrame({"estimate": interval["estimate"] / 100, "ci_low": interval["ci_low"] / 100,
                          "ci_high": interval["ci_high"] / 100})
    return consensus_verdicts(frame, k=np.asarray(k, dtype=np.int64))


def with_group_size(sizes: pd.DataFrame, group: str, size: int, basis: str) -> pd.DataFrame:
    """``sizes`` (:func:`group_sizes`) with ``group`` given ``size`` parents under another reading
    of the sources (``basis`` says which), to show what the verdicts would be under it."""
    if group not in set(sizes["group"]):
        raise ValueError(f"with_group_size: no group {group!r}; groups: {sorted(sizes['group'])}")
    changed = sizes.copy()
    at = changed["group"] == group
    changed.loc[at, "size"] = int(size)
    changed.loc[at, ["bound", "basis"]] = ["exact", basis]
    return changed


def derived_verdicts(published: pd.DataFrame, sizes: pd.DataFrame, deffs=DEFF_RANGE, *, level: float = 0.95,
                     method: str = "beta") -> pd.DataFrame:
    """Each attitude figure's derived interval and verdict at each design effect of ``deffs``.

    One row per figure (in ``published`` order): ``figure_id``, ``measure``, ``item``, ``group``,
    ``published`` (percent), ``k``, ``threshold`` (proportion), ``published_reaches`` (the printed
    figure is at or above the threshold), ``size``, then for each design effect d the columns
    ``ci_low@d``, ``ci_high@d`` (proportions) and ``verdict@d``; finally ``verdict`` (the verdict
    at the largest design effect, the one the book shows), ``depends_on_deff`` (the verdicts differ
    across ``deffs``), ``verdict_rounded_down`` and ``verdict_rounded_up`` (the verdict at the
    largest design effect with the figure at either end of its rounding interval,
    :func:`social_licence.study.published.step_of`), ``depends_on_rounding`` (either differs from
    ``verdict``), ``fragile`` (the verdict depends on the design effect or on the rounding),
    ``level`` and ``method``. A figure without a size has NaN limits and the verdict
    :data:`SIZE_UNKNOWN`.
    """
    figures = attitude_figures(published)
    size_of = dict(zip(sizes["group"], sizes["size"]))
    size = np.array([np.nan if pd.isna(size_of.get(g, pd.NA)) else float(size_of[g]) for g in figures["group"]])
    k = figures["options"].astype(int).to_numpy()
    percent = figures["percent"].astype(float).to_numpy()
    table = figures[["figure_id", "measure", "item", "group"]].assign(
        published=percent, k=k, threshold=np.asarray(consensus_threshold(k), dtype=float),
        published_reaches=published_reaches_threshold(percent, k),
        size=pd.array([pd.NA if np.isnan(s) else int(s) for s in size], dtype="Int64"))
    known = ~np.isnan(size)
    deffs = [float(d) for d in deffs]
    for d in deffs:
        low, high = np.full(len(table), np.nan), np.full(len(table), np.nan)
        verdict = np.full(len(table), SIZE_UNKNOWN, dtype=object)
        if known.any():
            judged = _intervals(percent[known], k[known], size[known], d, level, method)
            low[known], high[known] = judged["ci_low"], judged["ci_high"]
            verdict[known] = judged["verdict"].to_numpy()
        table[f"ci_low@{d:g}"], table[f"ci_high@{d:g}"], table[f"verdict@{d:g}"] = low, high, verdict
    columns = [f"verdict@{d:g}" for d in deffs]
    table["verdict"] = table[columns[-1]]
    table["depends_on_deff"] = table[columns].nunique(axis=1) > 1
    half = np.array([step_of(p) / 2 for p in percent])
    for side, shifted in (("down", percent - half), ("up", percent + half)):
        verdict = np.full(len(table), SIZE_UNKNOWN, dtype=object)
        if known.any():
            shifted = np.clip(shifted, 0.0, 100.0)
            verdict[known] = _intervals(shifted[known], k[known], size[known], deffs[-1], level, method)["verdict"]
        table[f"verdict_rounded_{side}"] = verdict
    table["depends_on_rounding"] = ((table["verdict_rounded_down"] != table["verdict"])
                                    | (table["verdict_rounded_up"] != table["verdict"]))
    table["fragile"] = table["depends_on_deff"] | table["depends_on_rounding"]
    return table.assign(level=float(level), method=method)


def settling_size(percent: float, k: int, deff: float, *, level: float = 0.95, method: str = "beta"):
    """The fewest parents at which a published figure's verdict is no longer open, or None.

    The verdict of a figure printed away from its threshold settles once its group is large
    enough; one printed exactly on it never does (None). Bisection over the size, which relies on
    the interval narrowing as the effective sample size grows.
    """
    def settled(n: int) -> bool:
        return _intervals([percent], [k], [n], deff, level, method)["verdict"].iloc[0] != "open"

    if not settled(MAX_SIZE):
        return None
    low, high = 2, MAX_SIZE
    if settled(low):
        return low
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if settled(middle) else (middle, high)
    return high


def dont_know_tolerance(published: pd.DataFrame) -> pd.DataFrame:
    """For each figure whose printed value reaches its threshold: the largest share of "don't know"
    answers under which it still would, were they counted in the base as not giving the answer.

    A printed p (of valid answers) becomes ``p (1 - d)`` with a share d of don't knows in the base,
    so it stays at or above the threshold t while ``d <= 1 - t / p``. Returns ``figure_id``,
    ``published``, ``threshold`` (percent) and ``tolerance`` (percent of the base; NaN where the
    printed figure is below the threshold, which counting don't knows cannot lift).
    """
    figures = attitude_figures(published)
    k = figures["options"].astype(int).to_numpy()
    threshold = 100 * np.asarray(consensus_threshold(k), dtype=float)
    percent = figures["percent"].astype(float).to_numpy()
    reaches = published_reaches_threshold(percent, k)
    tolerance = np.where(reaches, 100 * (1 - threshold / np.maximum(percent, 1e-9)), np.nan)
    return pd.DataFrame({"figure_id": figures["figure_id"], "published": percent, "threshold": threshold,
                         "tolerance": tolerance})
