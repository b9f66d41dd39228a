"""Phrases the chapters build from results, worded as a person would write them.

Every phrase here takes results the chapter's cells computed (a table of derived verdicts, the
family of contrasts, its pattern tests) and words them; nothing is recomputed. A phrase names what
was counted and, for a count of comparisons that hold, the procedure and the design effect it
holds under, so that a headline never rests silently on one multiplicity choice.
"""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.contrasts import PROCEDURE_NAMES
from social_licence.study.codebook import Codebook

#: words that keep their capital inside a sentence
PROPER = ("Black", "White", "Asian")
NUMBER_WORDS = {0: "none", 1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten"}


def in_sentence(name: str) -> str:
    """A group's name as it reads inside a sentence: 'Lone parents' -> 'lone parents', while
    'Black or Black British parents' keeps its capital."""
    return name if name.split()[0] in PROPER else name[0].lower() + name[1:]


def number(n: int) -> str:
    """'none', 'one', ... 'ten', then digits: how a count reads in running text."""
    return NUMBER_WORDS.get(int(n), f"{int(n):,}")


def series(parts: list[str], joiner: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {joiner} " + parts[-1]


def group_list(groups, codebook: Codebook) -> str:
    """Groups named for the inside of a sentence ('Black or Black British parents and lone
    parents'), or 'no group'."""
    names = [in_sentence(codebook.name_of(g)) for g in groups]
    return series(names) or "no group"


def figure_list(figures: pd.DataFrame, codebook: Codebook) -> str:
    """'Black or Black British parents on “Acceptable: identify families who may need support”
    (62%)' for each figure (``group``, ``item``, ``published``), or 'none'."""
    parts = [f"{in_sentence(codebook.name_of(row.group))} on “{codebook.counted_label(row.item)}” ({row.published:g}%)"
             for row in figures.itertuples()]
    return "; ".join(parts) or "none"


def held_counts(rows: pd.DataFrame, deffs) -> dict[tuple[str, float], int]:
    """How many of ``rows`` (contrasts or pattern tests) hold under each procedure at each design
    effect: ``{("holm", 1.0): 0, ...}``, from their adjusted p-values and ``alpha``."""
    alpha = float(rows["alpha"].iloc[0]) if len(rows) else 0.05
    return {(procedure, float(d)): int((rows[f"p_{procedure}@{d:g}"] < alpha).sum())
            for procedure in PROCEDURE_NAMES for d in deffs}


def held_phrase(rows: pd.DataFrame, deffs, *, noun: str = "gap") -> str:
    """What holds after adjustment, under both procedures and at both design effects, e.g. 'none
    holds under Holm's or Benjamini-Hochberg's adjustment, at a design effect of 1 or 2' or
    '3 hold under Benjamini-Hochberg at a design effect of 1 (none under Holm; none at 2)'."""
    counts = held_counts(rows, deffs)
    low, high = (f"{d:g}" for d in (deffs[0], deffs[-1]))
    if not any(counts.values()):
        verb = "holds" if len(rows) != 1 else "holds"
        return (f"none {verb} after adjustment, under Holm or Benjamini-Hochberg, at a design effect of {low} "
                f"or {high}")
    parts = []
    for d in (deffs[0], deffs[-1]):
        here = [f"{number(counts[(p, float(d))])} under {name}" for p, name in PROCEDURE_NAMES.items()]
        parts.append(f"at a design effect of {d:g}, {series(here)}")
    plural = noun if sum(counts.values()) == 1 else f"{noun}s"
    return f"{plural} holding after adjustment: " + "; ".join(parts)


def p_text(value: float) -> str:
    """A p-value in a sentence: 'p = 0.031', 'p < 0.001', 'p = 1'."""
    if value < 0.001:
        return "p < 0.001"
    return "p = 1" if value >= 0.9995 else f"p = {value:.3f}".rstrip("0").rstrip(".") if value < 0.1 \
        else f"p = {value:.2f}"
