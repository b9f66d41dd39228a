"""Showing results in the book: one formatter, numbered captioned tables, CSV downloads.

Rounding for the reader happens here, at display time: tables keep full precision until they are
formatted. A table reaches the page as a MyST ``{table}`` directive glued as Markdown
(``{glue:md}`` with ``:format: myst``), which is what gives it a number, a caption and a label that
``{numref}`` can point to. Every caption ends with the data source the table was built from, so a
table built from the synthetic file always says so. Next to it, the same table can be downloaded as
CSV from a link that carries the data in the page itself (a ``data:`` URL), so the download cannot
go stale or missing; its first column names the data source too.

Every number a notebook *stores* (a glued value, a CSV download) passes through :func:`stable`
once, which rounds it to :data:`STORED_DIGITS` significant digits. The stored outputs are nbval's
regression baseline, and the last digits of a float depend on which BLAS kernel the reader's CPU
selects (the covariance and Rao-Scott code use matrix products): six significant digits are far
finer than anything the book displays (at most 0.1 percentage point) and far coarser than that
noise (about 1e-15 relative), so the baseline holds on every machine.
"""
from __future__ import annotations

import base64
import math
import re

import numpy as np
import pandas as pd
from IPython.display import HTML, Markdown
from myst_nb import glue as myst_glue

from social_licence.study.loader import DataSource
from social_licence.survey.disclosure import ROUNDED, SUPPRESSED, DisclosureRules

#: significant digits of every number a notebook stores (see the module docstring)
STORED_DIGITS = 6
#: ... and at most this many decimals, so that floating-point noise around zero stores as 0
STORED_MAX_DECIMALS = 10
#: the first column of every CSV download: where its numbers come from
SOURCE_COLUMN = "data_source"

#: what a withheld (small-base) or missing value shows as
WITHHELD = "–"
#: a table cell that is a number, an interval, a p-value, a base with its small-base star, a rounded
#: count (the default mark ≈), a dash or the default symbol of a withheld value ([c])
NUMERIC_CELL = re.compile(r"≈?[<>±+\-–]?\d[\d.,]*\*?( ?(–|to) ?[+\-]?\d[\d.,]*)?|–|\[c\]|")


def stable(value):
    """``value`` as a notebook stores it: floats rounded to :data:`STORED_DIGITS` significant digits.

    Python and NumPy floats become Python floats (NaN and infinities unchanged); a DataFrame or
    Series has its float columns, and the floats of its mixed (object) columns, rounded; anything
    else (ints, bools, text, Markdown, figures) is returned as it is.
    """
    if isinstance(value, pd.DataFrame):
        rounded = value.copy()
        for column in rounded.columns:
            rounded[column] = stable(rounded[column])
        return rounded
    if isinstance(value, pd.Series):
        return value.map(stable) if value.dtype.kind in "fO" else value
    if isinstance(value, (float, np.floating)):
        number = float(value)
        if number == 0 or not math.isfinite(number):
            return number
        decimals = STORED_DIGITS - 1 - math.floor(math.log10(abs(number)))
        return float(round(number, min(decimals, STORED_MAX_DECIMALS)))
    return value


def glue(name: str, value) -> None:
    """Glue ``value`` for the page (``{glue:text}``, ``{glue:md}``, ``{glue:figure}``), undisplayed.

    Numbers are stored through :func:`stable`, so the notebook's stored output is the same on
    every machine; NumPy scalars become plain Python numbers (their reprs break ``{glue:text}``).
    """
    if isinstance(value, np.integer):
        value = int(value)
    myst_glue(name, stable(value), display=False)


def percent(proportion: float, decimals: int = 0) -> str:
    """A proportion as a percentage string, e.g. ``0.7234 -> "72"``; NaN shows as a dash."""
    if proportion is None or math.isnan(proportion):
        return WITHHELD
    return f"{100 * proportion:.{decimals}f}"


def interval(low: float, high: float, decimals: int = 0) -> str:
    """A confidence interval of proportions as ``"68–76"`` (percent); NaN shows as a dash."""
    if any(v is None or math.isnan(v) for v in (low, high)):
        return WITHHELD
    return f"{percent(low, decimals)}–{percent(high, decimals)}"


def _is_numeric_column(values) -> bool:
    """A column of numbers, intervals, p-values or dashes, which reads best right-aligned."""
    return all(NUMERIC_CELL.fullmatch(str(v).strip()) for v in values)


#: the directive of each table series: the book's tables, and the supplementary tables built from a
#: synthetic file, numbered apart ("Table S1", ``_ext/table_series.py``) so that none reads as evidence
SERIES = {"": "table", "S": "supplementary-table"}


def markdown_table(frame: pd.DataFrame, caption: str, name: str, css_class: str | None = None,
                   series: str = "") -> Markdown:
    """A numbered, captioned MyST table of ``frame`` (already formatted as strings).

    Text columns are left-aligned and columns of numbers right-aligned; ``css_class`` (e.g.
    ``"results"``, the compact style of ``_static/book.css``) is added to the HTML table.
    ``series`` is ``""`` (the book's tables) or ``"S"`` (supplementary tables from a synthetic
    file, numbered "Table S1", "Table S2", ...).
    """
    if series not in SERIES:
        raise ValueError(f"series={series!r} is not one of {list(SERIES)}")
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---:" if _is_numeric_column(frame[c]) else ":---" for c in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    options = [f":name: {name}"] + ([f":class: {css_class}"] if css_class else [])
    lines = [f"```{{{SERIES[series]}}} {caption}", *options, "", header, rule, *body, "```"]
    return Markdown("\n".join(lines) + "\n")


def csv_download(table: pd.DataFrame, filename: str, source) -> HTML:
    """A link that downloads ``table`` as ``filename``, with the data in the page.

    The CSV's first column, :data:`SOURCE_COLUMN`, names where each row's numbers come from:
    ``source`` is one text for every row (the data source's label, or the file a documentation
    table is built from) or one per row (published rows say published, derived rows derived, file
    rows name the file), so a downloaded table cannot be mistaken for the survey's. Numbers are
    stored through :func:`stable`.
    """
    table = stable(table)
    if not isinstance(source, str) and len(source) != len(table):
        raise ValueError(f"{filename}: {len(source)} source texts for {len(table)} rows")
    table.insert(0, SOURCE_COLUMN, source if isinstance(source, str) else list(source))
    encoded = base64.b64encode(table.to_csv(index=False).encode("utf-8")).decode("ascii")
    return HTML(
        f'<p><a download="{filename}" href="data:text/csv;base64,{encoded}">'
        f"Download this table as CSV ({filename})</a></p>"
    )


def downloads(links) -> HTML:
    """Several CSV download links (:func:`csv_download`) as one block, for one cell to display."""
    return HTML("".join(link.data for link in links if link is not None))


def no_table(name: str) -> None:
    """Glue table ``name`` empty: for a table that only the other data source has (it is placed in
    an ``{only}`` block for that source). An empty glue makes no table node, so the table takes no
    number and the book's tables stay numbered without a gap."""
    glue(name, Markdown(""))


def data_origin(source: DataSource) -> str:
    """The origin of a table built from a respondent file: 'Data: <the source's label>'."""
    return f"Data: {source.label}"


def source_notice(source: DataSource) -> Markdown:
    """The admonition that tells a reader which respondent file this build used.

    A synthetic build gets a warning-style box saying what its numbers can and cannot show; a
    build from the archived file gets a note naming the file. Glue it and place it with
    ``{glue:md}`` and ``:format: myst`` near the top of a page.
    """
    if source.kind == "synthetic":
        body = ("**This build uses a synthetic respondent file**, reconstructed from the published figures; it "
                "holds no answers from the survey. Published numbers are the study's own; derived numbers are this "
                "book's, computed from them under stated assumptions; numbers computed from the file are labelled as "
                "such and are not read as findings about parents ({doc}`/chapters/datasheet`).")
        return Markdown(f":::{{admonition}} Data source: synthetic\n:class: warning\n{body}\n:::\n")
    body = (f"**This build uses the archived survey file** `{source.shown_path}` "
            f"(mapping: `{source.shown_mapping or 'none'}`). {source.label}.")
    return Markdown(f":::{{admonition}} Data source: archived survey file\n:class: note\n{body}\n:::\n")


def p_value(value: float) -> str:
    """A p-value for a table: three decimals, '<0.001', or a dash where there is none."""
    if value is None or math.isnan(value):
        return WITHHELD
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def released_count(count, result: str, applied: bool, rules: DisclosureRules) -> str:
    """A count as a page shows it under the disclosure rules: on a build that applies them (the
    archived file), the rules' symbol if withheld and the mark before a count they round; else the
    count."""
    if applied and result == SUPPRESSED:
        return rules.suppressed_symbol
    if applied and result == ROUNDED:
        return f"{rules.rounded_mark}{int(count)}"
    return str(int(count))


def disclosure_note(rules: DisclosureRules) -> str:
    """The note that explains the disclosure rules' marks, for a table built from the archived file."""
    return (f"{rules.rounded_mark} rounded to the nearest {rules.safe_round_base}; {rules.suppressed_symbol} "
            f"withheld by the disclosure rules")
