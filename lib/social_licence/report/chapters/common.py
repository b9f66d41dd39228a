"""Helpers the chapter modules share: figure selections and small summaries of derived results."""
from __future__ import annotations

import pandas as pd

from social_licence.report import derived
from social_licence.report.book import Book
from social_licence.report.contrasts import holm_survivors
from social_licence.report.plotting import interval_plot

#: the groups of the paper's Tables 2 and 3 (and of its consent and commercial figures), in its order
TABLE_GROUPS = ["all", "higher_occupation_qualification_income", "black", "lone_parent", "age_18_29",
                "household_5_plus"]


def items_of(book: Book, block: str) -> list[str]:
    """The questions of a block, in codebook order."""
    return [key for key, item in book.codebook.items.items() if item.block == block]


def figures_of(book: Book, block: str) -> pd.DataFrame:
    """The derived verdicts of a block's published figures."""
    return book.verdicts[book.verdicts["measure"] == block]


def firmness(book: Book, figure_id: str) -> str:
    """The end of a sentence about a figure's derived verdict: whether the printed figure's rounding
    could change it (:func:`social_licence.report.derived.derived_verdicts`)."""
    if book.verdicts.loc[figure_id, "depends_on_rounding"]:
        return ("; that verdict is fragile (‡): it would not hold if the figure before rounding were up to half a "
                "point below the printed one")
    return "; that verdict holds however the printed figure was rounded"


#: the groups the paper calls marginalised ("Black parents, lone parents, younger parents, and parents
#: in larger households"), in its order
MARGINALISED = ["black", "lone_parent", "age_18_29", "household_5_plus"]
#: design effects from 1 to 2 in steps of 0.1, for how far a finding survives
DEFF_GRID = [round(1 + step / 10, 1) for step in range(11)]


def survives_up_to(book: Book) -> float:
    """The largest design effect of :data:`DEFF_GRID` at which at least one contrast of the family
    holds after Holm's adjustment (1 less a step if none holds even at 1)."""
    survivors = holm_survivors(book.published, book.sizes, DEFF_GRID)
    held = survivors[survivors > 0]
    return float(held.index.max()) if len(held) else DEFF_GRID[0] - 0.1


#: the other reading of "19 per cent of our sample from minority ethnic groups, five per cent of whom
#: were Black": five per cent of the minority ethnic parents, not of the whole sample
BLACK_OF_MINORITY = "5% of the 19% minority ethnic parents"


def black_other_reading(book: Book) -> tuple[int, pd.DataFrame]:
    """(size, derived verdicts of the judged figures for Black parents) if the printed 5% is read as
    a share of the minority ethnic parents instead of the whole sample (this book's reading)."""
    published = book.published.set_index("figure_id")["percent"]
    size = int(derived.SAMPLE_SIZE * published["S15"] * published["S14"] / 100 / 100 + 0.5)
    sizes = derived.with_group_size(book.sizes, "black", size, BLACK_OF_MINORITY)
    verdicts = derived.derived_verdicts(book.published, sizes).set_index("figure_id")
    judged = verdicts[(verdicts["group"] == "black") & verdicts["measure"].isin(book.codebook.judged_blocks)]
    return size, judged


def derived_block_plot(book: Book, block: str, groups: list[str], measured: str, *, threshold: bool = True):
    """A block's published percentages by question and group, with their intervals derived at the
    upper design effect (:func:`social_licence.report.plotting.interval_plot`); ``measured`` names
    the axis ("Parents who knew"), and ``threshold=False`` draws no consensus line, for figures the
    paper does not judge."""
    deff = derived.DEFF_RANGE[-1]
    figures = figures_of(book, block).assign(estimate=lambda frame: frame["published"] / 100)
    if not threshold:
        figures = figures.assign(threshold=float("nan"))
    return interval_plot(figures, labels={group: book.codebook.short_name_of(group) for group in groups},
                         rows={item: book.codebook.name_of(item) for item in items_of(book, block)},
                         low=f"ci_low@{deff:g}", high=f"ci_high@{deff:g}",
                         xlabel=f"{measured} (%): published, with 95% interval derived at a design effect of {deff:g}")


def count(frame: pd.DataFrame, verdict: str) -> int:
    return int((frame["verdict"] == verdict).sum())


def listing(book: Book, frame: pd.DataFrame) -> str:
    """'Black or Black British parents on “Identify families who may need support” (62%); ...'
    for the figures of a frame (with ``group``, ``item`` and ``published``), or 'none'."""
    parts = [f"{book.codebook.name_of(row.group)} on “{book.codebook.name_of(row.item)}” ({row.published:g}%)"
             for row in frame.itertuples()]
    return "; ".join(parts) or "none"
