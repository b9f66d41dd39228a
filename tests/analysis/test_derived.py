"""What the publication pins down: group sizes from the printed shares and intervals derived from them.

References: the printed shares of the paper's "Our survey" section (data/published); sizes and bounds
checked by hand (5% of 843 = 42.15 -> 42; the Fréchet bounds of a union and an intersection);
intervals checked against the Clopper-Pearson interval computed directly with scipy's beta
quantiles (Clopper & Pearson 1934), which the Korn-Graubard interval equals for a design effect of
1 and a whole count.
"""
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from social_licence.report import derived
from social_licence.study.codebook import load_codebook
from social_licence.study.published import load_published

HIGHER = "higher_occupation_qualification_income"


@pytest.fixture(scope="module")
def published():
    return load_published()


@pytest.fixture(scope="module")
def sizes(published):
    return derived.group_sizes(published, load_codebook()).set_index("group")


def test_group_sizes_are_printed_shares_of_843(sizes):
    assert sizes.loc["all", ["share", "size", "bound"]].tolist() == [100.0, 843, "exact"]
    assert int(sizes.loc["black", "size"]) == 42 and int(sizes.loc["lone_parent", "size"]) == 93
    assert int(sizes.loc["age_18_29", "size"]) == 101 and int(sizes.loc["household_5_plus", "size"]) == 202
    assert sizes.loc["income_over_3700", "basis"] == "100 - S11" and int(sizes.loc["income_over_3700", "size"]) == 295


def test_the_higher_group_is_bounded_by_its_reading(published, sizes):
    """Any one of 44%, 50%, 35%: at least the largest (422 parents). All three: no lower bound
    (44 + 50 + 35 - 200 < 0), at most the smallest (35%, 295 parents)."""
    assert sizes.loc[HIGHER, ["size", "bound"]].tolist() == [422, "lower"]
    strict = derived.group_sizes(published, load_codebook().with_combine(HIGHER, "all")).set_index("group")
    assert strict.loc[HIGHER, "bound"] == "unknown" and pd.isna(strict.loc[HIGHER, "size"])
    assert int(strict.loc[HIGHER, "upper"]) == 295


def test_a_group_the_paper_never_sizes_has_no_size_and_its_figures_no_interval(published, sizes):
    assert sizes.loc["income_under_1200", "bound"] == "unknown"
    verdicts = derived.derived_verdicts(published, sizes.reset_index()).set_index("figure_id")
    assert verdicts.loc["T1_08", "verdict"] == derived.SIZE_UNKNOWN and np.isnan(verdicts.loc["T1_08", "ci_low@2"])


def test_derived_intervals_are_clopper_pearson_on_n_over_deff(published, sizes):
    """T3_13, early years, all parents: 50% of 843. At a design effect of 1 the interval is the
    Clopper-Pearson interval for 421.5 of 843 (scipy beta quantiles); at 2 it is wider."""
    verdicts = derived.derived_verdicts(published, sizes.reset_index()).set_index("figure_id")
    row = verdicts.loc["T3_13"]
    x, n = 421.5, 843
    low, high = stats.beta.ppf(0.025, x, n - x + 1), stats.beta.ppf(0.975, x + 1, n - x)
    assert row["ci_low@1"] == pytest.approx(low, abs=1e-9) and row["ci_high@1"] == pytest.approx(high, abs=1e-9)
    assert row["ci_low@2"] < low and row["ci_high@2"] > high
    assert row["verdict"] == "open" and not row["depends_on_deff"]


def test_the_verdict_shown_is_the_one_at_the_upper_design_effect(published, sizes):
    verdicts = derived.derived_verdicts(published, sizes.reset_index()).set_index("figure_id")
    judged = verdicts[verdicts["verdict"] != derived.SIZE_UNKNOWN]
    assert (judged["verdict"] == judged["verdict@2"]).all()
    depends = judged[judged["depends_on_deff"]]
    assert len(depends) and (depends["verdict@1"] != depends["verdict@2"]).all()
    assert (depends["verdict@2"] == "open").all(), "a larger design effect can only widen an interval"


def test_settling_size_is_the_smallest_group_that_settles_the_verdict():
    n = derived.settling_size(86.0, 3, 2.0)
    interval = lambda size: derived._intervals([86.0], [3], [size], 2.0, 0.95, "beta")  # noqa: E731
    assert interval(n)["verdict"].iloc[0] == "consensus" and interval(n - 1)["verdict"].iloc[0] == "open"
    assert derived.settling_size(50.0, 3, 2.0) is None, "a figure printed on its threshold never settles"


def test_dont_know_tolerance_by_hand(published):
    """P03, 60% agreeing: with a share d of don't knows in the base, 60(1 - d) >= 50 while d <= 1/6."""
    tolerance = derived.dont_know_tolerance(published).set_index("figure_id")
    assert tolerance.loc["P03", "tolerance"] == pytest.approx(100 / 6)
    assert tolerance.loc["T3_13", "tolerance"] == pytest.approx(0.0)
    assert np.isnan(tolerance.loc["T3_25", "tolerance"]), "a figure below its threshold cannot lose a consensus"


def test_a_verdict_that_the_printed_figure_s_rounding_could_change_is_fragile(published, sizes):
    """T3_01, trust in social work, all parents: printed 55 of 843, a consensus at a design
    effect of 2 (lower limit 50.1%); had the figure been 54.5 before rounding, the Clopper-Pearson
    lower limit for 229.7 of an effective 421.5 parents (scipy) falls below 50%, so the verdict
    depends on the rounding. T2_01 (82%) is far from its line either way."""
    verdicts = derived.derived_verdicts(published, sizes.reset_index()).set_index("figure_id")
    social_work = verdicts.loc["T3_01"]
    n_eff = 843 / 2
    x = 0.545 * n_eff
    assert stats.beta.ppf(0.025, x, n_eff - x + 1) < 0.5 < social_work["ci_low@2"]
    assert social_work["verdict"] == "consensus" and social_work["verdict_rounded_down"] == "open"
    assert social_work["depends_on_rounding"] and social_work["fragile"] and not social_work["depends_on_deff"]
    identify = verdicts.loc["T2_01"]
    assert identify[["verdict", "verdict_rounded_down", "verdict_rounded_up"]].tolist() == ["consensus"] * 3
    assert not identify["fragile"]
    assert (verdicts["fragile"] == (verdicts["depends_on_deff"] | verdicts["depends_on_rounding"])).all()


def test_another_reading_of_a_group_s_size_gives_its_verdicts_under_that_reading(published, sizes):
    """Black parents read as 5% of the 19% minority ethnic parents: 0.05 x 0.19 x 843 = 8 parents.
    At 8 parents and a design effect of 2 (an effective 4), every judged figure is open, and the
    other groups' verdicts are unchanged."""
    other = derived.with_group_size(sizes.reset_index(), "black", 8, "5% of the 19% minority ethnic parents")
    assert other.set_index("group").loc["black", ["size", "bound"]].tolist() == [8, "exact"]
    before = derived.derived_verdicts(published, sizes.reset_index()).set_index("figure_id")
    after = derived.derived_verdicts(published, other).set_index("figure_id")
    black = after[(after["group"] == "black") & (after["measure"] != "awareness")]
    assert len(black) == 14 and (black["verdict"] == "open").all()
    rest = after["group"] != "black"
    assert (after.loc[rest, "verdict"] == before.loc[rest, "verdict"]).all()
    with pytest.raises(ValueError, match="no group 'asian'"):
        derived.with_group_size(sizes.reset_index(), "asian", 8, "nowhere")
