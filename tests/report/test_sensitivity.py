"""Tests for social_licence.report.sensitivity, by hand calculation.

References used: group sizes worked out from the paper's composition figures (843 parents; 5%
Black -> 42.15 -> 42; 11% lone parents -> 92.73 -> 93; 100 - 65% = 35% over £3,700 -> 295.05 ->
295; the higher group's lower bound 50% -> 421.5 -> 422); Clopper-Pearson limits written out as
beta quantiles on the effective sample size m = n / deff (Korn & Graubard 1998 with df = n - 1:
lower = qbeta(alpha/2, m p, m (1 - p) + 1), upper = qbeta(1 - alpha/2, m p + 1, m (1 - p)));
Kish's n sum(w^2) / (sum w)^2 on a small weight vector; Cochran's n = ceil(z^2 p (1 - p) deff / e^2).
"""
import dataclasses

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats
from social_licence.report.display import contrasts_for_readers
from social_licence.report.plotting import (
    stability_by_design_effect_plot,
    threshold_margin_plot,
)
from social_licence.report.sensitivity import (
    SIZE_UNKNOWN,
    STABILITY_ORDER,
    corrected_contrasts,
    count_stability,
    plan_for_readers,
    precision_plan,
    published_group_sizes,
    settling_sizes,
    stability_by_method,
    threshold_margins,
    verdicts_by_design_effect,
)
from social_licence.study.codebook import Condition, load_codebook
from social_licence.study.loader import load_survey
from social_licence.study.published import load_published

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def published():
    return load_published()


@pytest.fixture(scope="module")
def sizes(published):
    return published_group_sizes(published)


def clopper_pearson(p, m, level=0.95):
    """Clopper-Pearson limits for a proportion p on a (possibly non-integer) sample of m."""
    alpha = 1 - level
    return (stats.beta.ppf(alpha / 2, m * p, m * (1 - p) + 1),
            stats.beta.ppf(1 - alpha / 2, m * p + 1, m * (1 - p)))


def test_group_sizes_from_the_composition_figures(sizes):
    by_group = sizes.set_index("group")
    expected = {"all": (100, 843, "whole sample"), "black": (5, 42, "S15"), "lone_parent": (11, 93, "S04"),
                "age_18_29": (12, 101, "S06"), "household_5_plus": (24, 202, "S05"),
                "income_over_3700": (35, 295, "100 - S11"),
                "higher_occupation_qualification_income": (50, 422, "lower bound: max(S07, S08, 100 - S11)")}
    for group, (share, size, basis) in expected.items():
        assert by_group.loc[group, "share"] == pytest.approx(share)
        assert by_group.loc[group, "size"] == size
        assert by_group.loc[group, "basis"] == basis
    assert pd.isna(by_group.loc["income_under_1200", "size"])
    assert by_group.loc["income_under_1200", "basis"] == "not published"
    assert sizes["group"].iloc[0] == "all" and sizes["group"].is_unique
    assert str(sizes["size"].dtype) == "Int64"


def test_assumed_shares_and_sample_size_are_used(published):
    sizes = published_group_sizes(published, n=1000, shares={"income_under_1200": 15, "black": 4})
    by_group = sizes.set_index("group")
    assert by_group.loc["income_under_1200", "size"] == 150
    assert by_group.loc["black", "size"] == 40 and by_group.loc["black", "basis"] == "assumed"
    assert by_group.loc["lone_parent", "size"] == 110


def test_all_conditions_give_the_frechet_lower_bound(published):
    """Mothers (57%) in two-parent families (74.5%): at least 57 + 74.5 - 100 = 31.5%; the higher
    group read as all three markers has no positive bound (44 + 50 + 35 - 200 < 0)."""
    codebook = load_codebook()
    subgroups = dict(codebook.subgroups)
    subgroups["mothers_two_parent"] = dataclasses.replace(
        subgroups["mothers"], key="mothers_two_parent", conditions=(
            Condition("sex", (2,)), Condition("household_type", (1,))))
    subgroups["higher_occupation_qualification_income"] = dataclasses.replace(
        subgroups["higher_occupation_qualification_income"], combine="all")
    codebook = dataclasses.replace(codebook, subgroups=subgroups)
    figures = published.copy()
    figures.loc[figures["figure_id"] == "C06", "group"] = "mothers_two_parent"
    by_group = published_group_sizes(figures, codebook=codebook).set_index("group")
    assert by_group.loc["mothers_two_parent", "share"] == pytest.approx(31.5)
    assert by_group.loc["mothers_two_parent", "size"] == 266  # 843 * 0.315 = 265.545
    assert pd.isna(by_group.loc["higher_occupation_qualification_income", "size"])


def test_verdicts_follow_clopper_pearson_on_n_over_deff(published, sizes):
    """T2_09: 71% of 42 Black parents against 50%."""
    table = verdicts_by_design_effect(published, sizes, [1.0, 1.5, 2.0])
    rows = table[table["figure_id"] == "T2_09"].set_index("deff")
    for deff in (1.0, 1.5, 2.0):
        low, high = clopper_pearson(0.71, 42 / deff)
        assert rows.loc[deff, "ci_low"] == pytest.approx(low, abs=1e-10)
        assert rows.loc[deff, "ci_high"] == pytest.approx(high, abs=1e-10)
        assert rows.loc[deff, "stability"] == ("settled" if low >= 0.5 else "not settled")
    assert list(rows["stability"]) == ["settled", "settled", "not settled"]
    assert len(table) == 3 * 93 and set(table["level"]) == {0.95} and set(table["method"]) == {"beta"}


def test_a_figure_at_its_threshold_is_never_settled_and_unknown_sizes_are_marked(published, sizes):
    table = verdicts_by_design_effect(published, sizes, [0.1, 1.0])
    assert set(table.loc[table["figure_id"] == "T3_13", "stability"]) == {"not settled"}
    unknown = table[table["group"] == "income_under_1200"]
    assert set(unknown["stability"]) == {SIZE_UNKNOWN} and unknown["ci_low"].isna().all()


def test_level_and_method_change_the_intervals(published, sizes):
    wide = verdicts_by_design_effect(published, sizes, [1.0], level=0.99)
    logit = verdicts_by_design_effect(published, sizes, [1.0], method="logit").iloc[0]
    row = wide.iloc[0]  # A01: 72% of 843
    low, high = clopper_pearson(0.72, 843, level=0.99)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((low, high), abs=1e-10)
    half = stats.t.ppf(0.975, 842) * np.sqrt(0.72 * 0.28 / 843) / (0.72 * 0.28)
    logit_low = 1 / (1 + np.exp(-(np.log(0.72 / 0.28) - half)))
    assert logit["ci_low"] == pytest.approx(logit_low, abs=1e-12)


def test_count_stability_by_hand():
    verdicts = pd.DataFrame({"deff": [1, 1, 1, 2, 2, 2],
                             "stability": ["settled", "settled", SIZE_UNKNOWN,
                                           "settled", "not settled", SIZE_UNKNOWN]})
    counts = count_stability(verdicts)
    assert list(counts.columns) == ["deff", *STABILITY_ORDER, "total"]
    assert counts.to_dict("list") == {"deff": [1, 2], "settled": [2, 1], "not settled": [0, 1],
                                      "overturned": [0, 0], SIZE_UNKNOWN: [1, 1], "total": [3, 3]}


def test_settling_size_is_the_smallest_that_settles(published, sizes):
    table = settling_sizes(published, sizes).set_index("figure_id")
    for figure_id, p, above in (("T2_09", 0.71, True), ("T3_21", 0.28, False), ("A01", 0.72, False)):
        n = int(table.loc[figure_id, "n_needed"])

        def settled(m):
            low, high = clopper_pearson(p, m)
            return low >= (0.5 if figure_id != "A01" else 0.75) if above else \
                high < (0.5 if figure_id != "A01" else 0.75)

        assert settled(n) and not settled(n - 1)
    assert pd.isna(table.loc["T3_13", "n_needed"])  # printed at 50 against 50
    assert pd.isna(table.loc["T3_13", "deff_limit"])


def test_design_effect_limit_puts_the_limit_on_the_threshold(published, sizes):
    """At deff_limit the Clopper-Pearson limit on 42 / deff_limit meets the threshold."""
    table = settling_sizes(published, sizes).set_index("figure_id")
    limit = table.loc["T2_09", "deff_limit"]
    assert clopper_pearson(0.71, 42 / limit)[0] == pytest.approx(0.5, abs=1e-9)
    limit = table.loc["T3_21", "deff_limit"]  # 28% of 42, no consensus: upper limit meets 50%
    assert clopper_pearson(0.28, 42 / limit)[1] == pytest.approx(0.5, abs=1e-9)
    assert pd.isna(table.loc["T1_08", "deff_limit"])  # group size not published
    assert settling_sizes(published).loc[:, "deff_limit"].isna().all()


def test_settling_size_scales_with_the_design_effect(published):
    one = settling_sizes(published, deff=1.0).set_index("figure_id")["n_needed"]
    two = settling_sizes(published, deff=2.0).set_index("figure_id")["n_needed"]
    # beta with df = n - 1 depends on n / deff only: doubling deff doubles the size, within rounding
    assert two["T2_09"] in (2 * one["T2_09"] - 1, 2 * one["T2_09"])


def test_precision_plan_by_hand(published):
    data = pd.DataFrame({"weight": [1, 1, 2, 4] * 5})
    for group in published_group_sizes(published)["group"][1:]:
        data[group] = [True, True, False, False] * 5
    plan = precision_plan(data, published, margins=[10])
    z = stats.norm.ppf(0.975)
    everyone = plan[(plan["group"] == "all") & plan["figure_id"].isna()].set_index("deff_basis")
    assert everyone.loc["none", "n_required"] == int(np.ceil(z**2 * 0.25 / 0.01)) == 97
    kish = 20 * 5 * 22 / (5 * 8) ** 2
    assert everyone.loc["Kish", "deff"] == pytest.approx(kish)
    assert everyone.loc["Kish", "n_required"] == int(np.ceil(z**2 * 0.25 * kish / 0.01))
    black = plan[plan["group"] == "black"]
    assert set(black["n_file"]) == {10} and black["kish_deff"].iloc[0] == pytest.approx(1.0)
    at_79 = black[(black["figure_id"] == "B01") & (black["deff_basis"] == "none")]["n_required"].item()
    assert at_79 == int(np.ceil(z**2 * 0.79 * 0.21 / 0.01))
    shown = plan_for_readers(plan)
    assert len(shown) == 13 and shown.iloc[0]["Needed at 50% (deff 1)"] == "97"


def test_threshold_margins_in_points_sorted():
    estimates = pd.DataFrame({
        "figure_id": ["X1", "X2", "X3", "S1"], "estimate": [0.6, 0.7, 0.45, 0.5],
        "ci_low": [0.55, 0.68, 0.4, 0.45], "ci_high": [0.66, 0.72, 0.52, 0.55],
        "threshold": [0.5, 0.75, 0.5, np.nan],
        "stability": ["settled", "settled", "not settled", None]})
    table = threshold_margins(estimates)
    assert list(table["figure_id"]) == ["X2", "X3", "X1"]
    np.testing.assert_allclose(table["distance"], [-5, -5, 10])
    np.testing.assert_allclose(table["distance_low"], [-7, -10, 5])
    np.testing.assert_allclose(table["distance_high"], [-3, 2, 16])


def test_plots_draw_one_series_per_stability(published, sizes):
    estimates = pd.DataFrame({
        "figure_id": ["X1", "X2"], "estimate": [0.6, 0.45], "ci_low": [0.55, 0.4],
        "ci_high": [0.66, 0.52], "threshold": [0.5, 0.5], "stability": ["settled", "not settled"],
        "level": [0.95, 0.95]})
    fig = threshold_margin_plot(threshold_margins(estimates), level=0.95)
    ax = fig.axes[0]
    assert [c.get_label() for c in ax.containers] == ["settled (1)", "not settled (1)"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["X2", "X1"]
    plt.close(fig)
    counts = count_stability(verdicts_by_design_effect(published, sizes, [1.0, 2.0]))
    fig = stability_by_design_effect_plot(counts, reference_deff=1.41)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert labels == ["settled", "not settled", SIZE_UNKNOWN, "Kish design effect of the weights (1.41)"]
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), counts["settled"])
    plt.close(fig)


def test_stability_by_method_counts_every_attitude_figure():
    table = stability_by_method(load_survey(), ["beta", "wilson"])
    assert list(table["method"]) == ["beta", "wilson"]
    assert (table[["settled", "overturned", "not settled", "suppressed"]].sum(axis=1) == 93).all()
    assert (table["median_width"] > 0).all() and (table["max_width"] >= table["median_width"]).all()


@pytest.mark.parametrize("call, message", [
    (lambda p, s: published_group_sizes(p, n=0), r"n=0 must be a whole number"),
    (lambda p, s: published_group_sizes(p, shares={"martians": 3}), r"unknown group .*\('martians', 3\)"),
    (lambda p, s: verdicts_by_design_effect(p, s, [0.0]), r"deffs must be positive numbers; got 0.0"),
    (lambda p, s: verdicts_by_design_effect(p, s[s["group"] != "black"]), r"no row for group\(s\) 'black'"),
    (lambda p, s: verdicts_by_design_effect(p, s, method="exact"), r"method='exact' is not one of"),
    (lambda p, s: settling_sizes(p, deff=0), r"deff=0 must be > 0"),
    (lambda p, s: count_stability(pd.DataFrame({"deff": [1], "stability": ["maybe"]})),
     r"got \['maybe'\] in 1 rows"),
    (lambda p, s: precision_plan(pd.DataFrame({"weight": [1.0]}), p), r"group or weight column"),
])
def test_bad_input_raises(published, sizes, call, message):
    with pytest.raises(ValueError, match=message):
        call(published, sizes)


def test_corrected_contrasts_adjust_by_hand():
    """Holm: sorted p-values times (m, m-1, ...), made monotone, capped at 1; BH: p * m / rank,
    made monotone from the top; both over the whole family of subgroup figures."""
    table = corrected_contrasts(load_survey())
    p = table["p_value"].to_numpy()
    m = len(p)
    order = np.argsort(p)
    holm = np.minimum(np.maximum.accumulate(p[order] * (m - np.arange(m))), 1)
    bh = np.minimum(np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1], 1)
    np.testing.assert_allclose(table["p_holm"].to_numpy()[order], holm, rtol=1e-12)
    np.testing.assert_allclose(table["p_bh"].to_numpy()[order], bh, rtol=1e-12)
    assert (table["holds_holm"] == (table["p_holm"] < 0.05)).all()
    assert table["holds_holm"].sum() <= table["holds_bh"].sum() <= table["holds"].sum()
    shown = contrasts_for_readers(table)  # both adjustments side by side
    assert len(shown) == m == 78
    first = table.iloc[0]
    assert shown.iloc[0]["Difference (points)"] == f"{100 * first['difference']:+.1f}"
