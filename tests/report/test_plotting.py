"""The house figure: dot-and-interval plot with the consensus threshold."""
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from social_licence.report.plotting import MARKERS, glue_figure, interval_plot

matplotlib.use("Agg")


def table(groups=("All", "Black")):
    rows = []
    for g, group in enumerate(groups):
        for i, item in enumerate(("Reason A", "Reason B")):
            p = 0.6 + 0.1 * i - 0.05 * g
            rows.append({"item_label": item, "group_label": group, "estimate": p,
                         "ci_low": p - 0.05, "ci_high": p + 0.04, "threshold": 0.5})
    return pd.DataFrame(rows)


def test_one_series_per_group_and_the_threshold_line():
    fig = interval_plot(table())
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == ["All", "Black"]
    dashed = [line for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 1 and np.allclose(dashed[0].get_xdata(), 50)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Reason A", "Reason B"]
    points = ax.containers[0].lines[0].get_xdata()
    np.testing.assert_allclose(points, [60, 70])
    plt.close(fig)


def test_withheld_estimates_are_left_out():
    data = table()
    data.loc[0, ["estimate", "ci_low", "ci_high"]] = np.nan
    fig = interval_plot(data)
    assert len(fig.axes[0].containers[0].lines[0].get_xdata()) == 1
    plt.close(fig)


def test_missing_column_and_too_many_groups_are_errors():
    with pytest.raises(ValueError, match="threshold"):
        interval_plot(table().drop(columns="threshold"))
    with pytest.raises(ValueError, match="group_label"):
        interval_plot(table(groups=[f"g{i}" for i in range(len(MARKERS) + 1)]))


def test_glue_figure_closes_the_figure():
    fig = interval_plot(table())
    glue_figure("test-figure", fig)
    assert not plt.fignum_exists(fig.number)
