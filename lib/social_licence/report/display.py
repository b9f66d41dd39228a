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

#: significant digits of every number a notebook stores (see the module docstring)
STORED_DIGITS = 6
#: ... and at most this many decimals, so that floating-point noise around zero stores as 0
STORED_MAX_DECIMALS = 10
#: the first column of every CSV download: where its numbers come from
SOURCE_COLUMN = "data_source"

#: what a withheld (small-base) or missing value shows as
WITHHELD = "–"
#: a table cell that is a number, an interval, a p-value, a base with its small-base star, or a dash
NUMERIC_CELL = re.compile(r"[<>±+\-–]?\d[\d.,]*\*?( ?(–|to) ?[+\-]?\d[\d.,]*)?|–|")


def stable(value):
    """``value`` as a notebook stores it: floats rounded to :data:`STORED_DIGITS` significant digits.

    Python and NumPy floats become Python floats (NaN and infinities unchanged); a DataFrame or
    Series has its float columns rounded; anything else (ints, bools, text, Markdown, figures) is
    returned as it is.
    """
    if isinstance(value, pd.DataFrame):
        rounded = value.copy()
        for column in rounded.columns:
            rounded[column] = stable(rounded[column])
        return rounded
    if isinstance(value, pd.Series):
        return value.map(stable) if value.dtype.kind == "f" else value
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


def caption_with_source(caption: str, source: DataSource) -> str:
    """The caption followed by the data source, so that no table hides what it was built from."""
    return f"{caption.rstrip('.')}. Data: {source.label}."


def _is_numeric_column(values) -> bool:
    """A column of numbers, intervals, p-values or dashes, which reads best right-aligned."""
    return all(NUMERIC_CELL.fullmatch(str(v).strip()) for v in values)


def markdown_table(frame: pd.DataFrame, caption: str, name: str) -> Markdown:
    """A numbered, captioned MyST table of ``frame`` (already formatted as strings).

    Text columns are left-aligned and columns of numbers right-aligned.
    """
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = "|" + "|".join("---:" if _is_numeric_column(frame[c]) else ":---" for c in frame.columns) + "|"
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    lines = [f"```{{table}} {caption}", f":name: {name}", "", header, rule, *body, "```"]
    return Markdown("\n".join(lines) + "\n")


def csv_download(table: pd.DataFrame, filename: str, source: str) -> HTML:
    """A link that downloads ``table`` as ``filename``, with the data in the page.

    The CSV's first column, :data:`SOURCE_COLUMN`, names where its numbers come from (``source``:
    the data source's label, or the file a documentation table is built from), so a downloaded
    table cannot be mistaken for the survey's. Numbers are stored through :func:`stable`.
    """
    table = stable(table)
    table.insert(0, SOURCE_COLUMN, source)
    encoded = base64.b64encode(table.to_csv(index=False).encode("utf-8")).decode("ascii")
    return HTML(
        f'<p><a download="{filename}" href="data:text/csv;base64,{encoded}">'
        f"Download this table as CSV ({filename})</a></p>"
    )


def publish_table(name: str, shown: pd.DataFrame, data: pd.DataFrame, caption: str,
                  source: DataSource) -> HTML:
    """Glue ``shown`` as numbered table ``name`` and return the CSV link for ``data``.

    ``shown`` is the formatted table for readers; ``data`` the full-precision table it was made
    from, offered for download. Place the table with ``{glue:md}`` and ``:format: myst``.
    """
    glue(name, markdown_table(shown, caption_with_source(caption, source), name))
    return csv_download(data, f"{name}.csv", source.label)


#: how the consensus module's verdicts read in a table (the counted answer is not always supportive
#: of linkage, so tables say whether consensus is reached; the text says what it means)
CONSENSUS_WORDS = {"licence": "reached", "no licence": "not reached", "not settled": "not settled",
                   "suppressed": "withheld"}


def figures_for_readers(estimates: pd.DataFrame, *, group: bool = True, item: bool = True) -> pd.DataFrame:
    """Format :func:`social_licence.report.tables.figure_estimates` output as a table for readers.

    Columns: figure id, question and/or group labels, published %, recomputed %, the interval,
    the unweighted base (``*`` marks a base under 50), and for attitude figures whether the
    published figure reaches the consensus threshold and what the interval says.
    """
    shown = pd.DataFrame({"Figure": estimates["figure_id"]})
    if item:
        shown["Question"] = estimates["item_label"]
    if group:
        shown["Group"] = estimates["group_label"]
    shown["Published %"] = [f"{value:g}" for value in estimates["published"]]
    shown["Recomputed %"] = [percent(v, 1) for v in estimates["estimate"]]
    level = estimates["level"].iloc[0]
    shown[f"{100 * level:g}% interval"] = [interval(lo, hi, 1) for lo, hi in zip(estimates["ci_low"], estimates["ci_high"])]
    shown["n"] = [f"{n}{'*' if low else ''}" for n, low in zip(estimates["n"], estimates["low_base"])]
    if "verdict" in estimates and estimates["verdict"].notna().any():
        shown["Threshold %"] = [percent(t) for t in estimates["threshold"]]
        shown["Published: consensus?"] = ["yes" if r else "no" for r in estimates["published_reaches"]]
        shown["Interval: consensus?"] = [CONSENSUS_WORDS[v] for v in estimates["verdict"]]
    return shown


def source_notice(source: DataSource) -> Markdown:
    """The admonition that tells a reader which respondent file this build used.

    A synthetic build gets a warning-style box saying what the numbers can and cannot show; a
    build from the archived file gets a note naming the file. Glue it and place it with
    ``{glue:md}`` and ``:format: myst`` on the landing page.
    """
    if source.kind == "synthetic":
        body = (f"**This build uses synthetic data.** {source.label}. The respondent file was made so that "
                "every figure the study published is reproduced when rounded; everything beyond those "
                "published margins (intervals, tests, contrasts) reflects how the file was generated, not "
                "what parents said. See the appendix and `data/README.md`; a user who has the archived "
                "survey file can rebuild the whole book from it.")
        return Markdown(f":::{{admonition}} Data source: synthetic\n:class: warning\n{body}\n:::\n")
    body = (f"**This build uses the archived survey file.** {source.label} "
            f"(`{source.shown_path}`; mapping: `{source.shown_mapping or 'none'}`).")
    return Markdown(f":::{{admonition}} Data source: archived survey file\n:class: note\n{body}\n:::\n")


#: short names of the multiple-comparison adjustments in table headings
ADJUSTMENT_NAMES = {"holm": "Holm", "fdr_bh": "BH"}


def p_value(value: float) -> str:
    """A p-value for a table: three decimals, or '<0.001'."""
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def contrasts_for_readers(contrasts: pd.DataFrame) -> pd.DataFrame:
    """Format group-versus-rest contrasts for a table.

    ``contrasts`` is :func:`social_licence.report.tables.figure_contrasts` output (one adjusted p-value,
    ``p_adjusted``, named by ``adjustment``) or :func:`social_licence.report.sensitivity.corrected_contrasts`
    output (both ``p_holm`` and ``p_bh``). Columns: figure id, question, group, the group's base,
    the group's and the rest's weighted share (%), the difference in percentage points with its
    interval, the unadjusted p-value and each adjusted one, headed by the adjustment's name.
    """
    if "p_adjusted" in contrasts:
        adjusted = {f"{ADJUSTMENT_NAMES[contrasts['adjustment'].iloc[0]]} p": "p_adjusted"}
    else:
        adjusted = {"Holm p": "p_holm", "BH p": "p_bh"}
    level = float(contrasts["level"].iloc[0])
    shown = pd.DataFrame({
        "Figure": contrasts["figure_id"],
        "Question": contrasts["item_label"],
        "Group": contrasts["group_label"],
        "n (group)": [str(int(n)) for n in contrasts["n_a"]],
        "Group %": [percent(v, 1) for v in contrasts["estimate_a"]],
        "Rest %": [percent(v, 1) for v in contrasts["estimate_b"]],
        "Difference (points)": [f"{100 * v:+.1f}" for v in contrasts["difference"]],
        f"{100 * level:g}% interval": [f"{100 * lo:+.1f} to {100 * hi:+.1f}"
                                       for lo, hi in zip(contrasts["ci_low"], contrasts["ci_high"])],
        "p": [p_value(v) for v in contrasts["p_value"]],
    })
    for heading, column in adjusted.items():
        shown[heading] = [p_value(v) for v in contrasts[column]]
    return shown.reset_index(drop=True)
