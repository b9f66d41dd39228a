"""Helpers the chapter modules share: figure selections and small summaries of derived results."""
from __future__ import annotations

import pandas as pd

from social_licence.report.book import Book

#: the groups of the paper's Tables 2 and 3 (and of its consent and commercial figures), in its order
TABLE_GROUPS = ["all", "higher_occupation_qualification_income", "black", "lone_parent", "age_18_29",
                "household_5_plus"]


def items_of(book: Book, block: str) -> list[str]:
    """The questions of a block, in codebook order."""
    return [key for key, item in book.codebook.items.items() if item.block == block]


def figures_of(book: Book, block: str) -> pd.DataFrame:
    """The derived verdicts of a block's published figures."""
    return book.verdicts[book.verdicts["measure"] == block]


def count(frame: pd.DataFrame, verdict: str) -> int:
    return int((frame["verdict"] == verdict).sum())


def listing(book: Book, frame: pd.DataFrame) -> str:
    """'Black or Black British parents on “Identify families who may need support” (62%); ...'
    for the figures of a frame (with ``group``, ``item`` and ``published``), or 'none'."""
    parts = [f"{book.codebook.name_of(row.group)} on “{book.codebook.name_of(row.item)}” ({row.published:g}%)"
             for row in frame.itertuples()]
    return "; ".join(parts) or "none"
