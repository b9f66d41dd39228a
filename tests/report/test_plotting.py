"""The house figures: one style per group, intervals with the threshold, panels by block."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection

from social_licence.report.plotting import (
    GROUP_STYLES,
    fidelity_plot,
    glue_figure,
    group_style,
    interval_plot,
    margins_plot,
    verdicts_by_deff_plot,
)

matplotlib.use("Agg")


def scatters(ax):
    """The markers of a plot (its errorbars are line collections)."""
    return [c for c in ax.collections if isinstance(c, PathCollection)]


ROWS = {"a": "Reason A", "b": "Reason B"}


def table(groups=("all", "black")):
    rows = []
    for g, group in enumerate(groups):
        for i, item in enumerate(ROWS):
            p = 0.6 + 0.1 * i - 0.05 * g
            rows.append({"item": item, "group": group, "estimate": p, "ci_low": p - 0.05, "ci_high": p + 0.04,
                         "threshold": 0.5, "verdict": "consensus" if g == 0 else "open"})
    return pd.DataFrame(rows)


def test_every_group_has_its_own_colour_and_marker_and_groups_shown_together_differ_in_colour():
    pairs = list(GROUP_STYLES.values())
    assert len(set(pairs)) == len(pairs), "two groups share a colour and a marker"
    table2 = ["all", "higher_occupation_qualification_income", "black", "lone_parent", "age_18_29", "household_5_plus"]
    table1 = ["all", "black", "white_british", "nssec_managerial_professional", "nssec_semi_routine_routine",
              "degree_or_above", "no_qualifications", "income_over_3700", "income_under_1200"]
    for groups in (table2, table1):
        assert len({GROUP_STYLES[g][0] for g in groups}) == len(groups)
    assert group_style("black") == group_style("black")
    with pytest.raises(ValueError, match="no style for group 'martians'"):
        group_style("martians")


def test_one_series_per_group_in_its_style_and_the_threshold_line():
    fig = interval_plot(table(), labels={"all": "All parents", "black": "Black parents"}, rows=ROWS, xlabel="x")
    ax = fig.axes[0]
    markers = scatters(ax)
    assert [c.get_label() for c in markers] == ["All parents", "Black parents"]
    np.testing.assert_allclose(markers[0].get_offsets()[:, 0], [60, 70])
    np.testing.assert_allclose(markers[0].get_facecolors()[0][:3], group_style("all")[0], atol=1e-6)
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), 50)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Reason A", "Reason B"]
    plt.close(fig)


def test_no_threshold_line_when_none_is_judged_and_a_figure_without_interval_is_a_marker_alone():
    """A figure whose group's size is not published keeps its marker but has no interval bar, and
    its group's legend entry says so; a figure with no estimate at all is left out."""
    data = table().assign(threshold=np.nan)
    data.loc[0, ["ci_low", "ci_high"]] = np.nan
    data.loc[3, "estimate"] = np.nan
    fig = interval_plot(data, labels={"all": "All", "black": "Black"}, rows=ROWS, xlabel="x")
    ax = fig.axes[0]
    assert not [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    all_markers, black_markers = scatters(ax)
    np.testing.assert_allclose(all_markers.get_offsets()[:, 0], [60, 70])  # both figures keep their markers
    assert all_markers.get_label() == "All (no interval: size not\npublished)"
    assert len(black_markers.get_offsets()) == 1 and black_markers.get_label() == "Black"
    bars = [c for c in ax.collections if not isinstance(c, PathCollection)]
    assert sum(len(c.get_segments()) for c in bars) == 2, "one bar for All's bounded figure, one for Black's"
    plt.close(fig)
    with pytest.raises(ValueError, match="threshold"):
        interval_plot(table().drop(columns="threshold"), labels={"all": "All"}, rows=ROWS, xlabel="x")


def margins_data():
    """Two blocks: the first with All parents' figures only, the second with both groups'."""
    data = pd.concat([table().assign(measure="m2"), table(("all",)).assign(measure="m1")], ignore_index=True)
    return data.assign(distance=10.0, distance_low=5.0, distance_high=15.0)


def test_margins_plot_has_a_panel_per_block_and_hollow_markers_for_open_verdicts():
    blocks = {"m1": {"title": "Block one", **ROWS}, "m2": {"title": "Block two", **ROWS}}
    fig = margins_plot(margins_data(), blocks=blocks, labels={"all": "All", "black": "Black"}, xlabel="points")
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["Block one", "Block two"]
    assert len(scatters(fig.axes[0])) == 1 and len(scatters(fig.axes[1])) == 2
    black = scatters(fig.axes[1])[1]  # Black parents' verdicts are open: hollow markers
    assert np.allclose(black.get_facecolors()[0], [1, 1, 1, 1])
    every = scatters(fig.axes[1])[0]  # All parents' are consensus: filled in their colour
    np.testing.assert_allclose(every.get_facecolors()[0][:3], group_style("all")[0], atol=1e-6)
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["All", "Black"]
    plt.close(fig)


def test_the_margins_legend_lists_every_group_whichever_panel_holds_it():
    """The legend is the figure's, not one panel's: a group whose figures are all in one block (Black
    parents here, only in the first block) still has its entry. (Before the refactor every group
    drew a possibly empty series in every panel, so the second panel's legend listed them all.)"""
    blocks = {"m2": {"title": "Block two", **ROWS}, "m1": {"title": "Block one", **ROWS}}
    fig = margins_plot(margins_data(), blocks=blocks, labels={"all": "All", "black": "Black"}, xlabel="points")
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["All", "Black"]
    plt.close(fig)


def test_fidelity_and_sweep_plots():
    fidelity = pd.DataFrame({"measure": ["m1", "m1", "m2"], "estimate": [50.2, 60.0, 70.1],
                             "published": [50, 60, 70], "low": [49.5, 59.5, 69.5], "high": [50.5, 60.5, 70.5]})
    fig = fidelity_plot(fidelity, blocks={"m1": "One", "m2": "Two"})
    np.testing.assert_allclose(sorted(scatters(fig.axes[0])[0].get_offsets()[:, 0]), [0.0, 0.2], atol=1e-9)
    plt.close(fig)
    counts = pd.DataFrame({"deff": [1.0, 2.0], "consensus": [3, 2], "open": [1, 2], "no consensus": [0, 0]})
    fig = verdicts_by_deff_plot(counts)
    assert [line.get_label() for line in fig.axes[0].get_lines()] == ["consensus", "open"]
    plt.close(fig)


def test_glue_figure_closes_the_figure(monkeypatch):
    from social_licence.report import plotting
    glued = {}
    monkeypatch.setattr(plotting, "glue", lambda name, value: glued.update({name: value}))
    fig = interval_plot(table(), labels={"all": "All"}, rows=ROWS, xlabel="x")
    glue_figure("test-figure", fig)
    assert glued["test-figure"] is fig and not plt.fignum_exists(fig.number)
