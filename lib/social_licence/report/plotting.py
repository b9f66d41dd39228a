"""The report's figures: one house style, one colour and marker per group, the threshold drawn.

Every figure in the book comes from here so that they look alike and stay accessible: a
colour-blind-safe palette (seaborn's ``colorblind``, after Okabe & Ito) paired with a marker, so no
group is told apart by colour alone; and :data:`GROUP_STYLES` gives each group of parents the same
colour and marker in every figure. Intervals are horizontal, so question labels stay readable;
the consensus threshold is a dashed line. Figures are returned, never shown, and
:func:`glue_figure` closes them after gluing so that the notebook does not also display them (an
undisplayed figure would reach the page without alt text).
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

from social_licence.report.display import glue
from social_licence.report.vocabulary import word

PALETTE = sns.color_palette("colorblind")
#: every group of the published figures, with its colour (palette index) and marker, fixed for the
#: whole book; groups shown together in one figure never share a colour
GROUP_STYLES = {
    "all": (0, "o"), "higher_occupation_qualification_income": (2, "s"), "black": (1, "D"),
    "lone_parent": (3, "^"), "age_18_29": (4, "v"), "household_5_plus": (5, "P"),
    "white_british": (7, "X"), "nssec_managerial_professional": (9, "<"), "nssec_semi_routine_routine": (6, ">"),
    "degree_or_above": (2, "h"), "no_qualifications": (3, "p"), "income_over_3700": (5, "*"),
    "income_under_1200": (4, "d"),
}
#: colours and markers of the verdicts, in the order legends list them
VERDICT_STYLES = {"consensus": (0, "o"), "open": (1, "s"), "no consensus": (2, "D"), "size unknown": (7, "x")}
#: characters at which long labels wrap
LABEL_WIDTH = 30


def use_house_style() -> None:
    """Apply the report's seaborn theme (called by every plotting function)."""
    sns.set_theme(style="whitegrid", context="notebook", palette=PALETTE)
    plt.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "svg.hashsalt": "social-licence"})


def group_style(group: str) -> tuple:
    """(colour, marker) of a group of parents, the same in every figure."""
    if group not in GROUP_STYLES:
        raise ValueError(f"no style for group {group!r}; groups with a style: {', '.join(GROUP_STYLES)}")
    index, marker = GROUP_STYLES[group]
    return PALETTE[index], marker


def _draw_intervals(ax, table: pd.DataFrame, labels: dict[str, str], rows: dict[str, str], *, estimate: str,
                    low: str, high: str, scale: float = 100.0, open_hollow: bool = False) -> None:
    """Draw one row per item of ``rows`` and one marker per group of ``labels`` (its house style),
    at ``estimate`` with a horizontal interval from ``low`` to ``high`` (times ``scale``).
    ``open_hollow`` draws a figure whose ``verdict`` is not firm with a hollow marker. A figure
    with no interval (its group's size is not published) is drawn as a marker alone, and its
    group's legend entry says so: every legend entry is drawn."""
    items, groups = list(rows), list(labels)
    offsets = np.linspace(-0.3, 0.3, len(groups)) if len(groups) > 1 else np.zeros(1)
    for index, group in enumerate(groups):
        part = table[(table["group"] == group) & table["item"].isin(items)].dropna(subset=[estimate])
        if part.empty:
            continue
        colour, marker = group_style(group)
        position = np.array([items.index(item) for item in part["item"]]) + offsets[index]
        centre = scale * part[estimate].to_numpy()
        bounded = part[[low, high]].notna().all(axis=1).to_numpy()
        errors = scale * np.vstack([part[estimate] - part[low], part[high] - part[estimate]])[:, bounded]
        hollow = (~part["verdict"].isin(["consensus", "no consensus"])).to_numpy() if open_hollow \
            else np.zeros(len(part), dtype=bool)
        faces = [(1.0, 1.0, 1.0) if empty else colour for empty in hollow] or [colour]
        if bounded.any():
            ax.errorbar(centre[bounded], position[bounded], xerr=errors, fmt="none", ecolor=colour, capsize=2.5,
                        linewidth=1.4)
        label = labels[group] + ("" if bounded.all() else " (no interval: size not published)")
        ax.scatter(centre, position, marker=marker, s=36, facecolors=faces, edgecolors=[colour], linewidths=1.2,
                   zorder=3, label=textwrap.fill(label, LABEL_WIDTH))
    ax.set_yticks(range(len(items)), [textwrap.fill(rows[item], LABEL_WIDTH) for item in items])
    ax.set_ylim(len(items) - 0.5, -0.5)


def interval_plot(table: pd.DataFrame, *, labels: dict[str, str], rows: dict[str, str], xlabel: str,
                  estimate: str = "estimate", low: str = "ci_low", high: str = "ci_high") -> Figure:
    """Dot-and-interval plot, one row per question and one marker per group, threshold dashed.

    ``table`` has one row per figure with ``item``, ``group``, ``threshold`` (proportion, NaN for
    none) and the ``estimate``, ``low`` and ``high`` columns (proportions); ``rows`` maps each item
    to its label (in plotting order) and ``labels`` each group to its legend label (in legend
    order). A figure without an interval (its group's size is not published) is drawn as a marker
    alone, and its group's legend entry says so. The legend sits
    below the plot in up to three columns, so the plot keeps the full width.
    """
    missing = [c for c in ("item", "group", "threshold", estimate, low, high) if c not in table]
    if missing:
        raise ValueError(f"interval_plot: table has no column(s) {missing}; it has {list(table.columns)}")
    use_house_style()
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(rows) * max(1, len(labels) / 2.5) + 1.9))
    _draw_intervals(ax, table, labels, rows, estimate=estimate, low=low, high=high)
    for value in sorted(table["threshold"].dropna().unique()):
        ax.axvline(100 * value, color="0.25", linestyle="--", linewidth=1.1,
                   label=f"Consensus threshold ({100 * value:g}%)")
    ax.set_xlim(0, 100)
    ax.set_xlabel(xlabel)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16 if len(rows) > 2 else -0.35),
              ncol=min(3, len(labels) + 1), frameon=False, fontsize=9)
    fig.tight_layout()
    return fig


def margins_plot(table: pd.DataFrame, *, blocks: dict[str, dict[str, str]], labels: dict[str, str],
                 xlabel: str) -> Figure:
    """Every judged figure's distance from its threshold: one panel per question block.

    ``table`` has one row per figure with ``measure`` (the block), ``item``, ``group``, ``verdict``
    and ``distance``, ``distance_low``, ``distance_high`` (points from the threshold); ``blocks``
    maps each block's title to its items and their labels ({block: {"title": ..., item: label}}),
    ``labels`` each group to its legend label. Each panel has one row per question and one marker
    per group, in the group's house style, filled when the verdict is firm and hollow when open;
    the threshold is the dashed line at zero.
    """
    use_house_style()
    heights = [len(rows) - 1 for rows in blocks.values()]
    fig, axes = plt.subplots(len(blocks), 1, figsize=(8, sum(0.62 * h for h in heights) + 0.55 * len(blocks) + 1.6),
                             gridspec_kw={"height_ratios": heights}, sharex=True)
    for ax, (block, rows) in zip(np.atleast_1d(axes), blocks.items()):
        items = {item: label for item, label in rows.items() if item != "title"}
        part = table[table["measure"] == block]
        _draw_intervals(ax, part, labels, items, estimate="distance", low="distance_low", high="distance_high",
                        scale=1.0, open_hollow=True)
        ax.axvline(0, color="0.25", linestyle="--", linewidth=1.1)
        ax.set_title(rows["title"], fontsize=10, loc="left")
    last = np.atleast_1d(axes)[-1]
    last.set_xlabel(xlabel)
    legend = {}
    for ax in np.atleast_1d(axes):  # every group drawn in any panel, once, in order of appearance
        for handle, name in zip(*ax.get_legend_handles_labels()):
            legend.setdefault(name, handle)
    fig.legend(list(legend.values()), list(legend), loc="lower center", ncol=3, frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def verdicts_by_deff_plot(counts: pd.DataFrame, *, reference: float | None = None,
                          reference_label: str = "") -> Figure:
    """Number of figures with each verdict against the assumed design effect.

    ``counts`` has a ``deff`` column and one column per verdict of :data:`VERDICT_STYLES` that
    occurs; ``reference`` draws a dotted line labelled ``reference_label``.
    """
    if "deff" not in counts:
        raise ValueError(f"verdicts_by_deff_plot: counts has no column 'deff'; it has {list(counts.columns)}")
    use_house_style()
    fig, ax = plt.subplots(figsize=(8, 4.4))
    for verdict, (index, marker) in VERDICT_STYLES.items():
        if verdict in counts and counts[verdict].sum() > 0:
            ax.plot(counts["deff"], counts[verdict], marker=marker, color=PALETTE[index], markersize=5,
                    linewidth=1.5, label=word(verdict))
    if reference is not None:
        ax.axvline(reference, color="0.25", linestyle=":", linewidth=1.2, label=reference_label)
    ax.set_xlabel("Assumed design effect")
    ax.set_ylabel("Published figures judged by the paper")
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=3, frameon=False)
    fig.tight_layout()
    return fig


def glue_figure(name: str, fig: Figure) -> None:
    """Glue ``fig`` for placement with ``{glue:figure}`` (caption, name, alt text) and close it."""
    glue(name, fig)
    plt.close(fig)


def fidelity_plot(table: pd.DataFrame, *, blocks: dict[str, str]) -> Figure:
    """How far each recomputed figure lies from its published value, one row per question block.

    ``table`` has one row per published figure with ``measure``, ``estimate`` and ``published``
    (percent) and ``low``/``high`` (its rounding interval); each dot is one figure's gap in points,
    and the shaded band is the rounding interval of a whole-number figure (half a point either side).
    """
    use_house_style()
    fig, ax = plt.subplots(figsize=(8, 0.42 * len(blocks) + 1.4))
    rng = np.random.default_rng(0)  # vertical jitter only, so dots in one row do not hide each other
    for position, block in enumerate(blocks):
        part = table[table["measure"] == block]
        gap = part["estimate"] - part["published"]
        ax.scatter(gap, position + rng.uniform(-0.18, 0.18, len(part)), s=14, color=PALETTE[0], alpha=0.8)
    ax.axvspan(-0.5, 0.5, color="0.9", zorder=0, label="Rounds to the published whole number")
    ax.axvline(0, color="0.25", linewidth=1.0)
    ax.set_yticks(range(len(blocks)), [textwrap.fill(label, LABEL_WIDTH) for label in blocks.values()], fontsize=9)
    ax.invert_yaxis()
    limit = max(1.0, float((table["estimate"] - table["published"]).abs().max()) * 1.1)
    ax.set_xlim(-limit, limit)
    ax.set_xlabel("Recomputed minus published figure (percentage points)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), frameon=False, fontsize=9)
    fig.tight_layout()
    return fig
