"""Every number the book states, with what carries it: published, derived or from the respondent file.

A chapter's numbers are :class:`Fact` objects, made in the library where they are computed, never
typed: ``evidence`` says what carries each one --

``"published"``
    printed in the study's sources (the paper, the authors' blog, the university's news item);
``"derived"``
    computed from published figures under stated assumptions (group sizes from the printed shares
    of the sample, a range of design effects), by :mod:`social_licence.analysis.derived`;
``"file"``
    computed from the respondent file the build uses. On a synthetic build such a number carries
    its range across the ensemble of equally faithful synthetic files (``spread``): within its
    ``tolerance`` the publication pins it down; beyond it the number is *set by the generator*.

A file number is never placed in the prose directly. Where the book interprets one, it does so in a
:func:`reading`: a sentence whose wording the library chooses from the data source. From the
archived file it states the finding; from a synthetic file it says what the number would show and
that this file cannot show it (with the ensemble's range), so nothing is typed twice and nothing a
generator chose is read as a fact about parents. ``tests/test_chapters.py`` checks that every
number a chapter's prose places is published, derived or such a reading.

A file number also carries its :class:`social_licence.analysis.release.Release`: what the
disclosure rules decided for the respondents behind it. On a build from the archived file a
withheld number reads as the rules' symbol, "withheld", and a rounded count with its mark.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from social_licence.analysis.release import Release

EVIDENCE = ("published", "derived", "file")
#: a fact that is a sentence (a reading of file numbers, or a label), not a number
KINDS = (*EVIDENCE, "reading", "text")
#: how a number reads in a sentence, by unit
UNITS = ("percent", "points", "p", "ratio", "count", "text")


def format_value(value, unit: str) -> str:
    """A value as a sentence shows it: '49%', '+5.2 points', 'p = 0.031', '1.40', '42'."""
    if unit == "text" or isinstance(value, str):
        return str(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "not available"
    if unit == "percent":
        return f"{value:.0f}%"
    if unit == "points":
        return f"{value:+.1f} points"
    if unit == "p":
        return "p < 0.001" if value < 0.001 else f"p = {value:.3f}"
    if unit == "ratio":
        return f"{value:.2f}"
    return f"{int(round(value))}"


@dataclass(frozen=True)
class Fact:
    """One stated number (or sentence) of the book and what carries it.

    ``key`` is its glue key, ``kind`` one of :data:`KINDS`, ``basis`` a few words on where it comes
    from (e.g. "paper, Table 3"; "printed shares of 843, design effect 1-2"; "respondent file").
    For a file number on a synthetic build, ``spread`` is its (lowest, highest) value over this
    file and the ensemble's ``members`` files, and ``tolerance`` the width within which the
    publication counts as pinning it down. ``release``: for a file number, what the disclosure
    rules decided (its ``value`` is then the released one: None if withheld, a rounded count).
    """

    key: str
    value: object
    kind: str
    basis: str
    unit: str = "count"
    spread: tuple[float, float] | None = None
    tolerance: float | None = None
    members: int = 0
    release: Release | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"fact {self.key!r}: kind {self.kind!r} is not one of {KINDS}")
        if self.unit not in UNITS:
            raise ValueError(f"fact {self.key!r}: unit {self.unit!r} is not one of {UNITS}")
        if self.kind == "file" and self.spread is not None and self.tolerance is None:
            raise ValueError(f"fact {self.key!r}: a file number with an ensemble range needs a tolerance")

    @property
    def set_by_generator(self) -> bool:
        """True for a file number whose ensemble range is wider than its tolerance."""
        return self.spread is not None and self.spread[1] - self.spread[0] > self.tolerance

    @property
    def text(self) -> str:
        if self.release is not None and self.release.withheld:
            return f"{self.release.symbol} (withheld)"
        if self.release is not None and self.release.rounded:
            return f"{self.release.mark}{format_value(self.value, self.unit)}"
        return format_value(self.value, self.unit)

    @property
    def range_text(self) -> str:
        """'41% to 58%' for a file number with an ensemble range."""
        low, high = (format_value(v, self.unit) for v in self.spread)
        return low if low == high else f"{low} to {high}"


def reading(key: str, facts: list[Fact], *, finding: str, shows: str, archived: bool) -> Fact:
    """A sentence that interprets file numbers, worded by the data source.

    ``finding`` is the sentence for the archived file, with ``{key}`` placeholders for the facts'
    texts; ``shows`` says what the numbers would show ("whether trust in the police differs across
    ethnic groups"). On a synthetic build the sentence says that this file cannot show it, and how
    far the equally faithful synthetic files spread: set by the generator, or narrowed by the
    published figures to a range.
    """
    for fact in facts:
        if fact.kind != "file":
            raise ValueError(f"reading {key!r}: {fact.key!r} is a {fact.kind} number; readings are for file numbers")
    if archived:
        text = finding.format(**{fact.key: fact.text for fact in facts})
    else:
        spread = [fact for fact in facts if fact.spread is not None]
        members = max((fact.members for fact in spread), default=0)
        loose = [fact for fact in spread if fact.set_by_generator]
        text = f"The archived survey file would show {shows}; a synthetic file cannot."
        if loose:
            ranges = "; ".join(f"{fact.range_text} ({fact.basis})" for fact in loose)
            text += (f" Here the answer is set by the generator: across {members} equally faithful synthetic "
                     f"files it ranges from {ranges}.")
        elif spread:
            ranges = " and ".join(f"{fact.range_text} ({fact.basis})" for fact in spread)
            text += (f" The published figures pin it down: all {members} equally faithful synthetic files give "
                     f"{ranges}.")
    return Fact(key, text, "reading", "respondent file, worded by the data source", unit="text")


def evidence_counts(facts: list[Fact]) -> dict[str, int]:
    """How many numbers of each evidence class the facts state, and how many file numbers are set
    by the generator (readings count their file numbers through the facts they were made from)."""
    counts = {kind: sum(f.kind == kind for f in facts) for kind in EVIDENCE}
    counts["set by the generator"] = sum(f.kind == "file" and f.set_by_generator for f in facts)
    return counts


def evidence_line(facts: list[Fact]) -> str:
    """One sentence for the foot of a page: what carries the numbers it states."""
    counts = evidence_counts(facts)
    published = f"{counts['published']} published number{'' if counts['published'] == 1 else 's'}"
    line = (f"The text of this page states {published}, {counts['derived']} derived from them "
            f"and {counts['file']} computed from the respondent file")
    loose = counts["set by the generator"]
    if loose:
        line += f" (of which {loose} {'is' if loose == 1 else 'are'} set by the synthetic file's generator)"
    return line + "; tables name their source in their captions."


def facts_table(facts: list[Fact]) -> pd.DataFrame:
    """The facts as a table for download: key, value, evidence, basis, the ensemble's range, and
    (on a build that applies the disclosure rules) what they decided for a file number."""
    return pd.DataFrame({
        "key": [f.key for f in facts], "value": [f.value for f in facts], "evidence": [f.kind for f in facts],
        "basis": [f.basis for f in facts],
        "ensemble_low": [f.spread[0] if f.spread else None for f in facts],
        "ensemble_high": [f.spread[1] if f.spread else None for f in facts],
        "tolerance": [f.tolerance for f in facts],
        "set_by_generator": [f.set_by_generator if f.spread else None for f in facts],
        "disclosure": [f.release.result if f.release and f.release.applied else None for f in facts],
    })
