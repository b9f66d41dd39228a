"""The report's figures: one house style, dot-and-interval plots with the consensus threshold drawn.

Every figure in the book comes from here so that they look alike and stay accessible: a
colour-blind-safe palette (seaborn's ``colorblind``, after Okabe & Ito) paired with a distinct marker
per group, so no group is told apart by colour alone; horizontal intervals so long item labels stay
readable; the consensus threshold as a dashed line with its value in the legend. Figures are
returned, never shown, and :func:`glue_figure` closes them after gluing so that the notebook does
not also display them (an undisplayed figure would reach the page without alt text).
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from myst_nb import glue

PALETTE = sns.color_palette("colorblind")
MARKERS = ("o", "s", "D", "^", "v", "P", "X", "<", ">", "h")
#: legend entries wrap at this many characters so that long group names fit two columns
LEGEND_WIDTH = 34


def use_house_style() -> None:
    """Apply the report's seaborn theme (called by every plotting function)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "svg.hashsalt": "social-licence"})


def interval_plot(
    table: pd.DataFrame,
    *,
    y: str = "item_label",
    hue: str = "group_label",
    threshold: str = "threshold",
    xlabel: str = "Weighted share of parents (%) with 95% interval",
    title: str | None = None,
) -> Figure:
    """Dot-and-interval plot of estimates in ``table`` (proportions, shown as percentages).

    ``table`` needs columns ``estimate``, ``ci_low``, ``ci_high`` (proportions), ``y`` (one row
    of the plot per value), ``hue`` (one colour and marker per value) and ``threshold`` (the
    consensus threshold, a proportion, drawn as a dashed line for each distinct value). Rows whose
    estimate is withheld (NaN, small base) are left out of the plot but keep their place on the axis.
    """
    missing = [c for c in ("estimate", "ci_low", "ci_high", y, hue, threshold) if c not in table]
    if missing:
        raise ValueError(f"interval_plot: table has no column(s) {missing}; it has {list(table.columns)}")
    use_house_style()
    rows = list(dict.fromkeys(table[y]))
    groups = list(dict.fromkeys(table[hue]))
    if len(groups) > len(MARKERS):
        raise ValueError(f"interval_plot: column {hue!r} has {len(groups)} groups; at most {len(MARKERS)} can be told apart")
    offsets = np.linspace(-0.3, 0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(rows) * max(1, len(groups) / 3) + 1.6))
    for index, group in enumerate(groups):
        part = table[table[hue] == group].dropna(subset=["estimate"])
        position = np.array([rows.index(value) for value in part[y]]) + offsets[index]
        estimate = 100 * part["estimate"].to_numpy()
        errors = 100 * np.vstack([part["estimate"] - part["ci_low"], part["ci_high"] - part["estimate"]])
        ax.errorbar(
            estimate, position, xerr=errors, fmt=MARKERS[index], color=PALETTE[index % len(PALETTE)],
            markersize=6, capsize=2.5, linewidth=1.4, label=textwrap.fill(str(group), LEGEND_WIDTH),
        )
    for value in sorted(table[threshold].dropna().unique()):
        ax.axvline(100 * value, color="0.25", linestyle="--", linewidth=1.1,
                   label=f"Consensus threshold ({100 * value:g}%)")
    ax.set_yticks(range(len(rows)), [str(r) for r in rows])
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(rows) > 2 else -0.3),
              ncol=min(2, len(groups) + 1), frameon=False)
    fig.tight_layout()
    return fig


def glue_figure(name: str, fig: Figure) -> None:
    """Glue ``fig`` for placement with ``{glue:figure}`` (caption, name, alt text) and close it."""
    glue(name, fig, display=False)
    plt.close(fig)
