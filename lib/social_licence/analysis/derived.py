"""What the publication itself pins down: intervals and verdicts from the printed figures alone.

The paper prints percentages, and describes who took part, but prints no bases, standard errors or
design effects. This module derives them under the assumptions a chapter states
(:class:`social_licence.analysis.assumptions.Assumptions`), so that the book's verdicts hold
whichever respondent file a build uses. The steps, in the order a chapter calls them:

* **Group sizes** (:func:`group_sizes`): a published group's share of the sample times the 843
  parents, under the codebook's reading of the composition figures (unweighted shares of the
  sample, so the printed share is the group's number of respondents). A group the paper never
  sizes (household income under £1,200 a month) has no size. The higher occupation,
  qualification or income group is sized by its reading: as *any one* of three markers it is at
  least as large as its largest part (the 50% with a degree: a lower bound, which errs towards
  wider intervals); as *all three* the printed shares give no lower bound (only an upper one, the
  smallest part; Fréchet 1951). Black parents are 5% of the whole sample or, on the other
  reading of the paper's sentence, 5% of its 19% minority ethnic parents.
* **Intervals** (:func:`intervals`): the published percentage as the estimate, and its interval
  on the effective sample size ``base / deff`` (Kish 1965) at each design effect of the stated
  range (:func:`social_licence.survey.planning.interval_from_summary`, Korn and Graubard's "beta"
  by default), where the base is the share of the group that answered times its size. At the
  upper design effect the interval is also computed with the figure at either end of its rounding
  interval (:func:`social_licence.study.published.step_of`), for the rounding check.
* **Verdicts** (:func:`verdicts`): the consensus check of
  :func:`social_licence.survey.consensus.consensus_verdicts` at each design effect and at each end
  of the rounding. The verdict shown is the one at the upper design effect; a verdict that
  differs at the lower end "depends on the design effect" (†), one that differs at either end of
  the rounding "depends on the rounding" (‡).

"Derived" in the book's sense: computed from published figures under these assumptions, never
from a respondent file. References: Kish L (1965) Survey Sampling, Wiley; Korn EL, Graubard BI
(1998) Survey Methodology 24:193-201; Fréchet M (1951) Ann Univ Lyon 14:53-77.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from social_licence.analysis.assumptions import BLACK_READINGS
from social_licence.study.codebook import Codebook, Condition
from social_licence.study.published import COMPOSITION, step_of
from social_licence.survey.consensus import FACTOR, consensus_threshold, consensus_verdicts
from social_licence.survey.planning import interval_from_summary

ALL = "all"
#: the paper's undefined "higher occupation / qualification / income" group
HIGHER = "higher_occupation_qualification_income"
#: parents in the sample ("The probability-based sample consisted of 843 parents")
SAMPLE_SIZE = 843
#: the verdict word for a figure whose group size the sources do not give
SIZE_UNKNOWN = "size unknown"
#: the largest group :func:`settling_size` searches
MAX_SIZE = 100_000
#: the figures behind the two readings of the Black group's size: Black parents, minority ethnic parents
BLACK_SHARE, MINORITY_SHARE = "S15", "S14"
#: the ends of a printed figure's rounding interval, as column suffixes
ROUNDING_ENDS = ("rounded_down", "rounded_up")


def attitude_figures(published: pd.DataFrame, blocks=None) -> pd.DataFrame:
    """The published figures about attitudes and awareness (all but the sample's composition),
    of the question ``blocks`` if given, in published order."""
    figures = published[published["measure"] != COMPOSITION]
    if blocks is not None:
        blocks = [blocks] if isinstance(blocks, str) else list(blocks)
        unknown = sorted(set(blocks) - set(figures["measure"]))
        if unknown:
            raise ValueError(f"no published figures for block(s) {unknown}; blocks: {sorted(set(figures['measure']))}")
        figures = figures[figures["measure"].isin(blocks)]
    return figures.reset_index(drop=True)


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


def composition(published: pd.DataFrame, n: int = SAMPLE_SIZE) -> pd.DataFrame:
    """The printed make-up of the sample (the composition figures) with the number of parents each
    share implies, read as a share of the ``n`` respondents: ``figure_id``, ``group``, ``share``
    (percent) and ``parents`` (``floor(n * share / 100 + 0.5)``)."""
    figures = published[published["measure"] == COMPOSITION]
    shares = figures["percent"].astype(float)
    return pd.DataFrame({"figure_id": figures["figure_id"].to_numpy(), "group": figures["item"].to_numpy(),
                         "share": shares.to_numpy(), "parents": [_size(n, s) for s in shares]})


def _size(n: int, share: float):
    return pd.NA if math.isnan(share) else int(math.floor(n * share / 100 + 0.5))


def group_sizes(published: pd.DataFrame, codebook: Codebook, *, black_group: str = "whole sample",
                n: int = SAMPLE_SIZE) -> pd.DataFrame:
    """How many of the ``n`` parents each group of the attitude figures held, from the printed shares.

    One row per group (``all`` first, then in order of appearance): ``group``, ``share`` (percent
    of the sample, NaN where unknown), ``size`` (nullable integer, ``floor(n * share / 100 + 0.5)``),
    ``bound`` (``"exact"``, ``"lower"`` or ``"unknown"``), ``upper`` (the largest size the printed
    shares allow, for a group of several conditions) and ``basis`` (the figures used). The higher
    group follows the codebook's ``combine`` reading; ``black_group`` is one of
    :data:`social_licence.analysis.assumptions.BLACK_READINGS`.
    """
    if black_group not in BLACK_READINGS:
        raise ValueError(f"black_group={black_group!r} is not one of {', '.join(map(repr, BLACK_READINGS))}")
    printed = published.set_index("figure_id")["percent"]
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
        elif group == "black" and black_group == "minority ethnic":
            share, bound = float(printed[BLACK_SHARE]) * float(printed[MINORITY_SHARE]) / 100, "exact"
            basis = f"{BLACK_SHARE} of the {MINORITY_SHARE} minority ethnic parents"
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
        rows.append({"group": group, "share": share, "size": _size(n, share), "bound": bound,
                     "upper": _size(n, upper), "basis": basis})
    table = pd.DataFrame(rows)
    for column in ("size", "upper"):
        table[column] = table[column].astype("Int64")
    return table


def _limits(percent, base, deff: float, method: str, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Interval limits (proportions) of published percentages on bases of known size; NaN where
    the base is unknown."""
    percent, base = np.asarray(percent, dtype=float), np.asarray(base, dtype=float)
    low, high = np.full(len(percent), np.nan), np.full(len(percent), np.nan)
    known = ~np.isnan(base)
    if known.any():
        interval = interval_from_summary(np.clip(percent[known], 0, 100), base[known], deff, method=method, level=level)
        low[known], high[known] = interval["ci_low"] / 100, interval["ci_high"] / 100
    return low, high


def intervals(figures: pd.DataFrame, sizes: pd.DataFrame, *, deffs, method: str = "beta", level: float = 0.95,
              answering_share: float = 1.0) -> pd.DataFrame:
    """Each published figure with its interval derived from its group's printed size.

    ``figures`` are published attitude figures (:func:`attitude_figures`); ``sizes`` is
    :func:`group_sizes`. The base of a figure is ``answering_share`` times its group's size (a
    printed percentage is a share of the parents who answered). One row per figure, in order:
    ``figure_id``, ``measure``, ``item``, ``group``, ``published`` (percent), ``k``, ``size``,
    ``base``; for each design effect d of ``deffs`` the limits ``ci_low@d`` and ``ci_high@d``
    (proportions); at the largest d the limits with the figure at the lower and upper end of its
    rounding interval (``ci_low@d:rounded_down``, ...); then ``level`` and ``method``
    (:func:`deffs_of` reads the design effects back). A figure whose group has no size has NaN
    limits.
    """
    if not 0 < answering_share <= 1:
        raise ValueError(f"answering_share={answering_share!r} must lie in (0, 1]")
    deffs = [float(d) for d in deffs]
    size_of = dict(zip(sizes["group"], sizes["size"]))
    missing = sorted(set(figures["group"]) - set(size_of))
    if missing:
        raise ValueError(f"intervals: no size row for group(s) {missing} ({len(figures)} figures)")
    size = np.array([np.nan if pd.isna(size_of[g]) else float(size_of[g]) for g in figures["group"]])
    base = np.floor(size * answering_share + 0.5)
    percent = figures["percent"].astype(float).to_numpy()
    table = figures[["figure_id", "measure", "item", "group"]].assign(
        published=percent, k=figures["options"].astype(int).to_numpy(),
        size=pd.array([pd.NA if np.isnan(s) else int(s) for s in size], dtype="Int64"),
        base=pd.array([pd.NA if np.isnan(b) else int(b) for b in base], dtype="Int64"))
    for d in deffs:
        table[f"ci_low@{d:g}"], table[f"ci_high@{d:g}"] = _limits(percent, base, d, method, level)
    for end, shifted in zip(ROUNDING_ENDS, rounding_ends(percent)):
        low, high = _limits(shifted, base, deffs[-1], method, level)
        table[f"ci_low@{deffs[-1]:g}:{end}"], table[f"ci_high@{deffs[-1]:g}:{end}"] = low, high
    return table.assign(level=float(level), method=method)


def deff_grid(deff_range, step: float = 0.1) -> list[float]:
    """Design effects across a range in steps of ``step`` (both ends included), for showing how
    far a result survives as the assumed design effect grows."""
    low, high = (float(d) for d in deff_range)
    inner = [round(low + i * step, 10) for i in range(1, int((high - low) / step + 1e-9) + 1)]
    return [low, *(d for d in inner if low < d < high), *([high] if high > low else [])]


def deffs_of(intervals: pd.DataFrame) -> list[float]:
    """The design effects a table of :func:`intervals` was computed at, in order."""
    return [float(c.split("@", 1)[1]) for c in intervals.columns if c.startswith("ci_low@") and ":" not in c]


def rounding_ends(percent) -> tuple[np.ndarray, np.ndarray]:
    """The ends of printed figures' rounding intervals, ``[p - step/2, p + step/2)``: the lower
    end itself, and the upper end approached from below (``p + step/2`` would print as the next
    figure up)."""
    percent = np.asarray(percent, dtype=float)
    half = np.array([step_of(p) / 2 for p in percent])
    return percent - half, percent + half - 1e-9


def _judge(estimate, low, high, k, known, factor: float, rule: str) -> np.ndarray:
    """Verdicts of figures (proportions) against ``factor / k``; :data:`SIZE_UNKNOWN` where the
    base is unknown and the rule needs an interval."""
    frame = pd.DataFrame({"estimate": estimate, "ci_low": low, "ci_high": high})
    judged = consensus_verdicts(frame, k=np.asarray(k, dtype=np.int64), factor=factor, rule=rule)["verdict"].to_numpy()
    return judged if rule == "point" else np.where(known, judged, SIZE_UNKNOWN)


def verdicts(intervals: pd.DataFrame, *, factor: float = FACTOR, rule: str = "interval") -> pd.DataFrame:
    """The consensus check of derived intervals (:func:`intervals`), at every design effect and
    with the printed figure at either end of its rounding.

    Adds ``threshold`` (proportion, ``factor / k``); ``verdict@d`` for each design effect d;
    ``verdict`` (the one at the largest d, which the book shows); ``depends_on_deff`` (the
    verdicts differ across the range); ``verdict_rounded_down`` and ``verdict_rounded_up`` (at
    the largest d, the figure at either end of its rounding interval); ``depends_on_rounding``
    (either differs from ``verdict``); ``fragile`` (either dependence); ``factor`` and ``rule``.
    Figures whose group has no size get :data:`SIZE_UNKNOWN` under the interval rule.
    """
    deffs = deffs_of(intervals)
    table = intervals.copy()
    k = table["k"].to_numpy()
    table["threshold"] = np.asarray(consensus_threshold(k, factor), dtype=float)
    known = table["base"].notna().to_numpy()
    estimate = table["published"].to_numpy(dtype=float) / 100
    for d in deffs:
        table[f"verdict@{d:g}"] = _judge(estimate, table[f"ci_low@{d:g}"], table[f"ci_high@{d:g}"], k, known,
                                         factor, rule)
    top = f"{deffs[-1]:g}"
    table["verdict"] = table[f"verdict@{top}"]
    table["depends_on_deff"] = table[[f"verdict@{d:g}" for d in deffs]].nunique(axis=1) > 1
    for end, shifted in zip(ROUNDING_ENDS, rounding_ends(table["published"].to_numpy(dtype=float))):
        table[f"verdict_{end}"] = _judge(np.clip(shifted / 100, 0, 1), table[f"ci_low@{top}:{end}"],
                                         table[f"ci_high@{top}:{end}"], k, known, factor, rule)
    table["depends_on_rounding"] = ((table["verdict_rounded_down"] != table["verdict"])
                                    | (table["verdict_rounded_up"] != table["verdict"]))
    table["fragile"] = table["depends_on_deff"] | table["depends_on_rounding"]
    return table.assign(factor=float(factor), rule=rule)


def settling_size(percent: float, k: int, deff: float, *, level: float = 0.95, method: str = "beta",
                  factor: float = FACTOR):
    """The fewest parents at which a published figure's interval verdict is no longer open, or None.

    The verdict of a figure printed away from its threshold settles once its group is large
    enough; one printed exactly on it never does (None). Bisection over the size, which relies on
    the interval narrowing as the effective sample size grows.
    """
    def settled(n: int) -> bool:
        low, high = _limits([percent], [n], deff, method, level)
        return _judge([percent / 100], low, high, [k], [True], factor, "interval")[0] != "open"

    if not settled(MAX_SIZE):
        return None
    low, high = 2, MAX_SIZE
    if settled(low):
        return low
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (low, middle) if settled(middle) else (middle, high)
    return high


def dont_know_tolerance(figures: pd.DataFrame, *, factor: float = FACTOR) -> pd.DataFrame:
    """For each figure whose printed value reaches its threshold: the largest share of "don't know"
    answers under which it still would, were they counted in the base as not giving the answer.

    A printed p (of valid answers) becomes ``p (1 - d)`` with a share d of don't knows in the base,
    so it stays at or above the threshold t while ``d <= 1 - t / p``. ``figures`` are published
    attitude figures. Returns ``figure_id``, ``published``, ``threshold`` (percent) and
    ``tolerance`` (percent of the base; NaN where the printed figure is below the threshold, which
    counting don't knows cannot lift).
    """
    k = figures["options"].astype(int).to_numpy()
    threshold = 100 * np.asarray(consensus_threshold(k, factor), dtype=float)
    percent = figures["percent"].astype(float).to_numpy()
    reaches = percent >= threshold - 1e-9
    tolerance = np.where(reaches, 100 * (1 - threshold / np.maximum(percent, 1e-9)), np.nan)
    return pd.DataFrame({"figure_id": figures["figure_id"].to_numpy(), "published": percent,
                         "threshold": threshold, "tolerance": tolerance})


def higher_readings(published: pd.DataFrame, codebook: Codebook, *, deffs, method: str = "beta", level: float = 0.95,
                    factor: float = FACTOR, answering_share: float = 1.0, group: str = HIGHER) -> pd.DataFrame:
    """The undefined higher group's judged figures under both readings of its definition.

    Read as *any one* of its markers the printed shares give it at least its largest part's
    parents: its interval and verdict at the largest design effect. Read as *all three* they give
    no lower bound, only an upper one (the smallest part): the fewest parents at which its verdict
    would settle (:func:`settling_size`, None if never) and whether the reading allows that many.
    Its gap to the rest is ``(P_group - P_all) / (1 - s)`` over the shares s each reading allows
    (``gap_any_low``: at the lower bound of the any-one reading, which has no upper one;
    ``gap_all_high``: at the upper bound of the all-three reading, whose lower end is the bare
    difference). One row per judged figure of the group with a whole-sample figure.
    """
    sizes = {reading: group_sizes(published, codebook.with_combine(group, reading)).set_index("group").loc[group]
             for reading in ("any", "all")}
    deff = float(deffs[-1])
    figures = attitude_figures(published, codebook.judged_blocks)
    whole = figures[figures["group"] == ALL].set_index("item")["percent"]
    chosen = figures[(figures["group"] == group) & figures["item"].isin(whole.index)]
    any_sizes = group_sizes(published, codebook.with_combine(group, "any"))
    judged = verdicts(intervals(chosen, any_sizes, deffs=deffs, method=method, level=level,
                                answering_share=answering_share), factor=factor).set_index("figure_id")
    upper_all = sizes["all"]["upper"]
    rows = []
    for row in chosen.itertuples(index=False):
        needed = settling_size(float(row.percent), int(row.options), deff, level=level, method=method, factor=factor)
        difference = float(row.percent) - float(whole[row.item])
        rows.append({"figure_id": row.figure_id, "item": row.item, "published": float(row.percent),
                     "any_low": judged.loc[row.figure_id, f"ci_low@{deff:g}"],
                     "any_high": judged.loc[row.figure_id, f"ci_high@{deff:g}"],
                     "any_verdict": judged.loc[row.figure_id, "verdict"],
                     "any_size": int(sizes["any"]["size"]), "all_needed": needed, "all_upper": int(upper_all),
                     "all_settles": needed is not None and needed <= int(upper_all) * answering_share,
                     "difference": difference,
                     "gap_any_low": difference / (1 - sizes["any"]["share"] / 100),
                     "gap_all_high": difference / (1 - int(upper_all) / SAMPLE_SIZE)})
    return pd.DataFrame(rows)
