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

from social_licence.report.display import glue

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


#: palette index per verdict stability (``colorblind``: blue, orange, green, grey, purple), in the
#: order legends list them; "size unknown" is the sensitivity analysis's class for a figure whose
#: group size the paper does not print
_STABILITY_COLOURS = {"settled": 0, "not settled": 1, "overturned": 2, "size unknown": 7, "suppressed": 4}


def _stability_style(stabilities) -> dict:
    """Colour and marker per stability, in a fixed order, the same in every figure."""
    present = set(stabilities)
    return {s: (PALETTE[i], MARKERS[n]) for n, (s, i) in enumerate(_STABILITY_COLOURS.items()) if s in present}


def threshold_margin_plot(table: pd.DataFrame, level: float, *, title: str | None = None) -> Figure:
    """Every attitude figure's distance from its consensus threshold, with its interval.

    ``table`` is :func:`social_licence.report.sensitivity.threshold_margins` output (figures sorted by
    distance) and ``level`` the intervals' confidence level. One vertical interval per figure (x:
    figures labelled by id; y: estimate minus threshold in percentage points), coloured and marked
    by stability (colour-blind palette plus a marker per class), with the threshold as a dashed
    line at zero.
    """
    use_house_style()
    fig, ax = plt.subplots(figsize=(11, 5.2))
    x = np.arange(len(table))
    for stability, (colour, marker) in _stability_style(table["stability"]).items():
        part = table["stability"] == stability
        errors = np.vstack([table.loc[part, "distance"] - table.loc[part, "distance_low"],
                            table.loc[part, "distance_high"] - table.loc[part, "distance"]])
        ax.errorbar(x[part], table.loc[part, "distance"], yerr=errors, fmt=marker, color=colour,
                    markersize=4.5, capsize=1.5, linewidth=1.1,
                    label=f"{stability} ({int(part.sum())})")
    ax.axhline(0, color="0.25", linestyle="--", linewidth=1.1, label="Consensus threshold")
    ax.grid(axis="x", visible=False)
    ax.set_xticks(x, table["figure_id"], rotation=90, fontsize=6)
    ax.set_xlim(-1, len(table))
    ax.set_ylabel(f"Estimate minus threshold (points), {100 * level:g}% interval")
    ax.set_xlabel("Published attitude figure, sorted by distance from its threshold")
    if title:
        ax.set_title(title)
    ax.legend(loc="upper left", frameon=False)
    fig.tight_layout()
    return fig


def stability_by_design_effect_plot(counts: pd.DataFrame, *, reference_deff: float | None = None,
                                    reference_label: str = "Kish design effect of the weights",
                                    title: str | None = None) -> Figure:
    """Number of settled, not settled and overturned verdicts against the assumed design effect.

    ``counts`` is :func:`social_licence.report.sensitivity.count_stability` output (by ``deff``, one
    column per stability). One line per stability that
    occurs (colour and marker as in :func:`threshold_margin_plot`); ``reference_deff``, if given,
    is drawn as a dotted vertical line labelled ``reference_label``.
    """
    if "deff" not in counts:
        raise ValueError(f"stability_by_design_effect_plot: counts has no column 'deff'; it has {list(counts.columns)}")
    use_house_style()
    fig, ax = plt.subplots(figsize=(8, 4.6))
    present = [s for s in _STABILITY_COLOURS if s in counts and counts[s].sum() > 0]
    for stability, (colour, marker) in _stability_style(present).items():
        ax.plot(counts["deff"], counts[stability], marker=marker, color=colour, markersize=5,
                linewidth=1.5, label=stability)
    if reference_deff is not None:
        ax.axvline(reference_deff, color="0.25", linestyle=":", linewidth=1.2,
                   label=f"{reference_label} ({reference_deff:.2f})")
    ax.set_xlabel("Assumed design effect")
    ax.set_ylabel("Published attitude figures")
    ax.set_ylim(bottom=0)
    if title:
        ax.set_title(title)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    fig.tight_layout()
    return fig


def glue_figure(name: str, fig: Figure) -> None:
    """Glue ``fig`` for placement with ``{glue:figure}`` (caption, name, alt text) and close it."""
    glue(name, fig)
    plt.close(fig)
