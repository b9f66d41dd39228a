"""The 108 figures the study published, with the interval each rounded figure stands for.

``data/published/published_figures.csv`` carries the percentages printed in the paper and the blog
(one a row). :func:`load_published` reads it, checks it against the codebook (known blocks, items,
groups, counted answers and numbers of options), and adds the rounding interval of each figure.

Rounding convention. Whole-number figures are read as rounded half up to whole numbers: a
published 50 stands for any estimate in [49.5, 50.5). Two figures end in a half, 74.5 (two-parent
families) and 38.5 (semi-routine and routine occupations); they are read as rounded to the nearest
half point, so 38.5 stands for [38.25, 38.75). The narrower reading, rounded to one decimal
([38.45, 38.55)), cannot hold for a share of 843 parents: 324 parents are 38.43% and 325 are
38.55%. Under the codebook's default, unweighted reading of the sample's composition, only the
half-point reading is possible; a figure with any other decimal would be read to that decimal.
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
    """Decimal places a published percentage is printed with: 0 for whole numbers, else 1."""
    return 0 if float(percent).is_integer() else 1


def step_of(percent: float) -> float:
    """The rounding step a published percentage stands for: 1 for a whole number, 0.5 for a
    figure ending in a half (see the module docstring), else 0.1."""
    value = float(percent)
    return 1.0 if value.is_integer() else 0.5 if (2 * value).is_integer() else 0.1


def round_half_up(value: float, step: float) -> float:
    """Round to a multiple of ``step`` as a printed table does (half up), in decimal arithmetic
    on the shortest repr of the float, so that 74.5 stays 74.5 and 0.745 * 100 rounds up."""
    unit = Decimal(repr(float(step)))
    steps = (Decimal(repr(float(value))) / unit).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return float(steps * unit)


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
    plus ``decimals`` (printed decimal places, 0 or 1), ``step`` (the rounding step, 1 or 0.5),
    ``low`` and ``high``: the figure is met by an estimate ``x`` (in percent) when
    ``low <= x < high``, i.e. when ``x`` rounds half up to ``percent`` at that step.
    """
    codebook = codebook or load_codebook()
    figures = pd.read_csv(path or PUBLISHED_PATH, dtype={"options": "Int64"})
    _check(figures, codebook)
    step = figures["percent"].map(step_of)
    return figures.assign(decimals=figures["percent"].map(decimals_of), step=step,
                          low=figures["percent"] - step / 2, high=figures["percent"] + step / 2)
