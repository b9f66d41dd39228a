"""Patterns across the family of contrasts, stated from the data rather than typed.

The paper's conclusions rest on patterns ("consistently lower among Black parents", "more trusting
than the sample as a whole"), not on single differences. :func:`group_patterns` counts, for each
group and block of questions, how many of its contrasts with the rest of the sample point below or
above, and how many survive the family's adjustment; :func:`describe` turns one group's counts into
a sentence, naming the group and the direction the numbers give, so that the sentence is true of
whichever figures the build uses.
"""
from __future__ import annotations

import pandas as pd

from social_licence.study.codebook import Codebook

#: a direction counts as consistent when at least this share of a group's contrasts share it
CONSISTENT = 0.8


def group_patterns(contrasts: pd.DataFrame, *, measures: list[str] | None = None,
                   gap: str = "gap", holds: str = "holds") -> pd.DataFrame:
    """Per group (and block): contrasts, how many below and above the rest, how many hold.

    ``contrasts`` has one row per contrast with ``group``, ``measure``, a signed ``gap`` column and
    a boolean ``holds`` column (the adjusted test); rows with no gap (group size unknown) are left
    out. Returns ``group``, ``n``, ``below``, ``above``, ``held``, ``direction`` ("below", "above"
    or "mixed": at least :data:`CONSISTENT` of the contrasts one way), in order of first appearance.
    """
    chosen = contrasts if measures is None else contrasts[contrasts["measure"].isin(measures)]
    chosen = chosen[chosen[gap].notna()]
    rows = []
    for group, part in chosen.groupby("group", sort=False):
        below, above = int((part[gap] < 0).sum()), int((part[gap] > 0).sum())
        n = len(part)
        direction = "below" if below >= CONSISTENT * n else "above" if above >= CONSISTENT * n else "mixed"
        rows.append({"group": group, "n": n, "below": below, "above": above, "held": int(part[holds].sum()),
                     "direction": direction})
    return pd.DataFrame(rows, columns=["group", "n", "below", "above", "held", "direction"])


def describe(row, codebook: Codebook, what: str) -> str:
    """'Black or Black British parents are below the rest of the sample on 5 of 5 trust figures
    (none confirmed after adjustment)' for one row of :func:`group_patterns`."""
    name = codebook.name_of(row["group"])
    confirmed = "none" if row["held"] == 0 else f"{row['held']}"
    if row["direction"] == "mixed":
        side = f"below the rest of the sample on {row['below']} and above it on {row['above']} of {row['n']} {what}"
    else:
        side = f"{row['direction']} the rest of the sample on {row[row['direction']]} of {row['n']} {what}"
    return f"{name} are {side} ({confirmed} confirmed after adjustment)"


#: words that keep their capital inside a sentence
PROPER = ("Black", "White", "Asian")


def in_sentence(name: str) -> str:
    """A group's name as it reads inside a sentence: 'Lone parents' -> 'lone parents', while
    'Black or Black British parents' keeps its capital."""
    return name if name.split()[0] in PROPER else name[0].lower() + name[1:]


def groups_in_direction(patterns: pd.DataFrame, direction: str, codebook: Codebook) -> str:
    """The groups whose contrasts point consistently one way, named for the inside of a sentence
    ('Black or Black British parents and lone parents'), or 'no group'."""
    names = [in_sentence(codebook.name_of(g)) for g in patterns.loc[patterns["direction"] == direction, "group"]]
    if not names:
        return "no group"
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
