"""Showing results in the book: one formatter, numbered captioned tables, CSV downloads.

Rounding happens here and only here, at display time: tables keep full precision. A table reaches
the page as a MyST ``{table}`` directive glued as Markdown (``{glue:md}`` with ``:format: myst``),
which is what gives it a number, a caption and a label that ``{numref}`` can point to. Every
caption ends with the data source the table was built from, so a table built from the synthetic
file always says so. Next to it, the same table can be downloaded as CSV from a link that carries
the data in the page itself (a ``data:`` URL), so the download cannot go stale or missing.
"""
from __future__ import annotations

import base64
import math
import re

import pandas as pd
from IPython.display import HTML, Markdown
from myst_nb import glue

from social_licence.study.loader import DataSource

#: what a withheld (small-base) or missing value shows as
WITHHELD = "–"
#: a table cell that is a number, an interval, a p-value, a base with its small-base star, or a dash
NUMERIC_CELL = re.compile(r"[<>±+\-–]?\d[\d.,]*\*?( ?(–|to) ?[+\-]?\d[\d.,]*)?|–|")


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


def csv_download(table: pd.DataFrame, filename: str) -> HTML:
    """A link that downloads ``table`` (full precision) as ``filename``, with the data in the page."""
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
    glue(name, markdown_table(shown, caption_with_source(caption, source), name), display=False)
    return csv_download(data, f"{name}.csv")


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
    body = f"**This build uses the archived survey file.** {source.label} (mapping: {source.mapping or 'none'})."
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
