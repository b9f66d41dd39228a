"""Phrases the chapters build from results, worded as a person would write them.

Every phrase here takes results the chapter's cells computed (a table of derived verdicts, the
family of contrasts, its pattern tests) and words them; nothing is recomputed. A phrase names what
was counted and, for a count of comparisons that hold, the procedure and the design effect it
holds under, so that a headline never rests silently on one multiplicity choice.
"""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.contrasts import PROCEDURE_NAMES
from social_licence.report.vocabulary import word
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
    """The figures (``group``, ``item``, ``published``) named group by group: 'Black or Black
    British parents on “Acceptable: identify families who may need support” (62%) and “Acceptable:
    target services efficiently” (69%)', or 'none'."""
    parts = []
    for group, part in figures.groupby("group", sort=False):
        named = [f"“{codebook.counted_label(row.item)}” ({row.published:g}%)" for row in part.itertuples()]
        parts.append(f"{in_sentence(codebook.name_of(group))} on {series(named)}")
    return "; ".join(parts) or "none"


def how_many(n: int, of: int, noun: str) -> str:
    """'all four reasons', 'three of the four reasons', 'none of the four reasons'."""
    if n == of:
        return f"{'both' if of == 2 else 'all ' + number(of)} {noun}"
    return f"{number(n)} of the {number(of)} {noun}"


def held_counts(rows: pd.DataFrame, deffs) -> dict[tuple[str, float], int]:
    """How many of ``rows`` (contrasts or pattern tests) hold under each procedure at each design
    effect: ``{("holm", 1.0): 0, ...}``, from their adjusted p-values and ``alpha``."""
    alpha = float(rows["alpha"].iloc[0]) if len(rows) else 0.05
    return {(procedure, float(d)): int((rows[f"p_{procedure}@{d:g}"] < alpha).sum())
            for procedure in PROCEDURE_NAMES for d in deffs}


def held_phrase(rows: pd.DataFrame, deffs) -> str:
    """What holds after adjustment, under both procedures at both ends of the design-effect range:
    'none holds after adjustment, under either procedure at either design effect', or 'one holds
    under Holm's adjustment and five under Benjamini and Hochberg's at a design effect of 1; none
    under either at 2'."""
    counts = held_counts(rows, deffs)
    if not any(counts.values()):
        return "none holds after adjustment, under either procedure at either design effect"
    parts = []
    for d in (float(deffs[0]), float(deffs[-1])):
        holm, bh = counts[("holm", d)], counts[("fdr_bh", d)]
        if holm == bh == 0:
            parts.append(f"none under either at {d:g}")
        else:
            verb = "holds" if holm == 1 else "hold"
            parts.append(f"{number(holm)} {verb} under Holm's adjustment and {number(bh)} under Benjamini and "
                         f"Hochberg's at a design effect of {d:g}")
    return "; ".join(parts)


def p_text(value: float) -> str:
    """A p-value in a sentence: 'p = 0.031', 'p < 0.001', 'p = 1'."""
    if value < 0.001:
        return "p < 0.001"
    if value < 0.1:
        return f"p = {value:.3f}".rstrip("0").rstrip(".")
    return "p = 1" if round(value, 2) >= 1 else f"p = {value:.2f}"


def verdict_phrase(verdict: str, depends_on_deff: bool = False, depends_on_rounding: bool = False) -> str:
    """A verdict as a sentence states it, with its article and, for a fragile one, what it rests
    on: 'a consensus', 'no consensus', 'open', 'a consensus, but a fragile one (it changes within
    the printed figure's rounding)'."""
    phrase = {"consensus": "a consensus", "no consensus": "no consensus", "open": "open",
              "size unknown": "of unknown group size"}.get(verdict, word(verdict))
    reasons = (["at a design effect of 1"] if depends_on_deff else []) + \
        (["within the printed figure's rounding"] if depends_on_rounding else [])
    if not reasons:
        return phrase
    return f"{phrase}, but a fragile one (it changes {series(reasons, 'or')})"


def figure_verdict(figure) -> str:
    """A derived verdict of one figure (a row of :func:`social_licence.analysis.derived.verdicts`)
    as a sentence states it, saying whether it is fragile (:func:`verdict_phrase`)."""
    return verdict_phrase(figure["verdict"], bool(figure["depends_on_deff"]), bool(figure["depends_on_rounding"]))


def confirmation(rows: pd.DataFrame, deffs, primary: str, noun: str) -> str:
    """What of ``rows`` (contrasts or pattern tests, each a ``noun``) holds under each adjustment
    at each end of the design-effect range, every check named in one order (the ``primary``
    procedure first, the lower design effect first), so that no single check is picked to lead:
    'of the four gaps, two hold under Holm's adjustment and three under Benjamini-Hochberg's at a
    design effect of 1; none and one at 2'; 'one of the four gaps holds under every check'; 'none
    of the four gaps holds under any of the checks'. For one row: 'the average gap holds under
    Benjamini-Hochberg's adjustment at a design effect of 1 only'."""
    counts = held_counts(rows, deffs)
    procedures = [primary, *(p for p in PROCEDURE_NAMES if p != primary)]
    low, high = float(deffs[0]), float(deffs[-1])
    checks = [(p, d) for d in (low, high) for p in procedures]
    if len(rows) == 1:
        held = [(p, d) for p, d in checks if counts[(p, d)]]
        if not held:
            return f"the {noun} holds under none of the checks"
        if len(held) == len(checks):
            return f"the {noun} holds under every check"
        return (f"the {noun} holds under " + series([f"{PROCEDURE_NAMES[p]}'s adjustment at a design effect of {d:g}"
                                                     for p, d in held]) + " only")
    total = f"the {number(len(rows))} {noun}s"
    found = [counts[check] for check in checks]
    if not any(found):
        return f"none of {total} holds under any of the checks"
    if len(set(found)) == 1:
        return f"{number(found[0])} of {total} {'holds' if found[0] == 1 else 'hold'} under every check"
    first, second = (PROCEDURE_NAMES[p] for p in procedures)
    return (f"of {total}, {number(found[0])} {'holds' if found[0] == 1 else 'hold'} under {first}'s adjustment and "
            f"{number(found[1])} under {second}'s at a design effect of {low:g}; {number(found[2])} and "
            f"{number(found[3])} at {high:g}")