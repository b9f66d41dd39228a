"""The 108 figures the study published, with the interval each rounded figure stands for.

``data/published/published_figures.csv`` carries the percentages printed in the paper and the blog
(one a row). :func:`load_published` reads it, checks it against the codebook (known blocks, items,
groups, counted answers and numbers of options), and adds the rounding interval of each figure.

Rounding convention. Whole-number figures are read as rounded half up to whole numbers: a
published 50 stands for any estimate in [49.5, 50.5). Two figures carry one decimal, 74.5 (two-
parent families) and 38.5 (semi-routine and routine occupations); they are read as rounded to
one decimal, so 74.5 stands for [74.45, 74.55). That is the narrowest reading: the text could
also mean "rounded to the nearest half" ([74.25, 74.75)), and any estimate meeting the narrow
interval meets the wide one too.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.paths import PUBLISHED_PATH

COMPOSITION = "sample_composition"
COLUMNS = ("figure_id", "measure", "item", "group", "percent", "answer", "options", "source")
EXPECTED_FIGURES = 108


def decimals_of(percent: float) -> int:
    """Decimal places a published percentage was rounded to: 0 for whole numbers, else 1."""
    return 0 if float(percent).is_integer() else 1


def round_half_up(value: float, decimals: int) -> float:
    """Round as a printed table does (half up), via the shortest decimal repr of the float."""
    step = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(step, rounding=ROUND_HALF_UP))


def _check(figures: pd.DataFrame, codebook: Codebook) -> None:
    """Raise ValueError naming the figure ids that do not fit the codebook."""
    def fail(what: str, mask: pd.Series) -> None:
        if mask.any():
            ids = figures.loc[mask, "figure_id"].tolist()
            raise ValueError(f"published figures: {what} in {len(ids)} row(s): {ids[:5]}")

    missing_columns = sorted(set(COLUMNS) - set(figures.columns))
    if missing_columns:
        raise ValueError(f"published figures: missing column(s) {missing_columns}")
    if len(figures) != EXPECTED_FIGURES or figures["figure_id"].duplicated().any():
        duplicated = figures.loc[figures["figure_id"].duplicated(), "figure_id"].tolist()
        raise ValueError(f"published figures: expected {EXPECTED_FIGURES} unique ids, found {len(figures)} rows "
                         f"(duplicated: {duplicated[:5]})")
    fail("unknown measure (not a codebook block)", ~figures["measure"].isin(list(codebook.blocks)))
    fail("unknown group (not 'all' or a codebook subgroup)",
         ~figures["group"].isin(["all", *codebook.subgroups]))
    fail("percent outside 0-100 or with more than one decimal",
         ~figures["percent"].between(0, 100) | ((figures["percent"] * 10) % 1 != 0))
    composition = figures["measure"] == COMPOSITION
    single = {k for k, g in codebook.subgroups.items() if len(g.conditions) == 1}
    fail("composition item that is not a one-condition subgroup", composition & ~figures["item"].isin(list(single)))
    fail("composition figure for a group other than 'all'", composition & (figures["group"] != "all"))
    attitude = ~composition
    items = figures["item"].map(codebook.items.get)
    fail("unknown item", attitude & items.isna())
    known = attitude & items.notna()
    for what, field, column in (("measure differs from the item's codebook block", "block", "measure"),
                                ("answer differs from the item's counted answer", "counted", "answer"),
                                ("options differ from the item's k", "k", "options")):
        expected = items.map(lambda item: getattr(item, field) if item else None)
        fail(what, known & (figures[column].astype(object) != expected))


def load_published(path: str | Path | None = None, codebook: Codebook | None = None) -> pd.DataFrame:
    """The published figures, validated, with their rounding intervals.

    Returns the CSV's columns (figure_id, measure, item, group, percent, answer, options, source)
    plus ``decimals`` (0 or 1), ``low`` and ``high``: the figure is met by an estimate ``x`` (in
    percent) when ``low <= x < high``, i.e. when ``x`` rounds half up to ``percent``.
    """
    codebook = codebook or load_codebook()
    figures = pd.read_csv(path or PUBLISHED_PATH, dtype={"options": "Int64"})
    _check(figures, codebook)
    decimals = figures["percent"].map(decimals_of)
    half = 0.5 * 10.0 ** -decimals
    return figures.assign(decimals=decimals, low=figures["percent"] - half, high=figures["percent"] + half)
