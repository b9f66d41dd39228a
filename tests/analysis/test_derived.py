"""What the publication pins down: group sizes from the printed shares, intervals and verdicts
derived from them.

References: the printed shares of the paper's "Our survey" section (data/published); sizes and bounds
checked by hand (5% of 843 = 42.15 -> 42; 5% of the 19% minority ethnic parents = 8.0 -> 8; the
Fréchet bounds of a union and an intersection); intervals checked against the Clopper-Pearson interval
computed directly with scipy's beta quantiles on the effective sample size ``base / deff`` (Clopper &
Pearson 1934), which the Korn-Graubard interval of a published figure equals; verdicts against the
definition written out here (consensus when the lower limit is at or above factor / k, no consensus
when the upper one is below it, open otherwise).
"""
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from social_licence.analysis import derived

HIGHER = "higher_occupation_qualification_income"
DEFFS = (1.0, 2.0)


@pytest.fixture(scope="module")
def figures(published):
    return derived.attitude_figures(published)


@pytest.fixture(scope="module")
def judged(figures, sizes):
    return derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS)).set_index("figure_id")


def clopper_pearson(p: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """The Clopper-Pearson interval of a share p of n (x = p n need not be whole), scipy's beta quantiles."""
    x, tail = p * n, (1 - level) / 2
    return stats.beta.ppf(tail, x, n - x + 1), stats.beta.ppf(1 - tail, x + 1, n - x)


def one_figure(percent: float, k: int, size, *, figure_id="X1"):
    """A hand-made published figure of one group and that group's size: (figures, sizes)."""
    figures = pd.DataFrame({"figure_id": [figure_id], "measure": ["m"], "item": ["q"], "group": ["g"],
                            "percent": [float(percent)], "options": [k]})
    sizes = pd.DataFrame({"group": ["g"], "size": pd.array([size], dtype="Int64")})
    return figures, sizes


def verdict_of(percent, k, size, deff, **options):
    figures, sizes = one_figure(percent, k, size)
    factor = options.pop("factor", 1.5)
    table = derived.intervals(figures, sizes, deffs=[deff], **options)
    return derived.verdicts(table, factor=factor).iloc[0]["verdict"]


# --- group sizes ------------------------------------------------------------------------------------

def test_group_sizes_are_printed_shares_of_843(sizes):
    table = sizes.set_index("group")
    assert table.loc["all", ["share", "size", "bound"]].tolist() == [100.0, 843, "exact"]
    assert int(table.loc["black", "size"]) == 42 and int(table.loc["lone_parent", "size"]) == 93
    assert int(table.loc["age_18_29", "size"]) == 101 and int(table.loc["household_5_plus", "size"]) == 202
    assert table.loc["income_over_3700", "basis"] == "100 - S11" and int(table.loc["income_over_3700", "size"]) == 295
    assert sizes["group"].iloc[0] == "all" and sizes["group"].is_unique


def test_the_higher_group_is_bounded_by_its_reading(published, codebook, sizes):
    """Any one of 44%, 50%, 35%: at least the largest (422 parents), at most all of them together
    (capped at 843). All three: no lower bound (44 + 50 + 35 - 200 < 0), at most the smallest (35%,
    295 parents)."""
    table = sizes.set_index("group")
    assert table.loc[HIGHER, ["size", "bound", "upper"]].tolist() == [422, "lower", 843]
    strict = derived.group_sizes(published, codebook.with_combine(HIGHER, "all")).set_index("group")
    assert strict.loc[HIGHER, "bound"] == "unknown" and pd.isna(strict.loc[HIGHER, "size"])
    assert int(strict.loc[HIGHER, "upper"]) == 295


def test_the_black_group_under_both_readings_of_the_printed_five_per_cent(published, codebook, sizes):
    """5% of the whole sample: 42 parents; 5% of the 19% minority ethnic parents: 0.05 x 0.19 x 843
    = 8.01 -> 8. Every other group keeps its size."""
    other = derived.group_sizes(published, codebook, black_group="minority ethnic").set_index("group")
    assert other.loc["black", ["share", "size", "bound"]].tolist() == [pytest.approx(0.95), 8, "exact"]
    assert "S15" in other.loc["black", "basis"] and "S14" in other.loc["black", "basis"]
    rest = sizes.set_index("group").drop(index="black")
    pd.testing.assert_frame_equal(other.drop(index="black"), rest)
    with pytest.raises(ValueError, match="black_group='minority' is not one of 'whole sample', 'minority ethnic'"):
        derived.group_sizes(published, codebook, black_group="minority")


def test_composition_lists_the_printed_make_up_with_the_parents_each_share_implies(published):
    table = derived.composition(published).set_index("figure_id")
    assert len(table) == 15
    assert table.loc["S15", ["group", "share", "parents"]].tolist() == ["black", 5.0, 42]
    assert table.loc["S03", "parents"] == 628  # 74.5% of 843 = 628.035
    assert table.loc["S09", "parents"] == 325  # 38.5% of 843 = 324.555 -> 325
    assert derived.composition(published, n=100).set_index("figure_id").loc["S15", "parents"] == 5


def test_attitude_figures_leave_out_the_composition_and_choose_blocks(published):
    figures = derived.attitude_figures(published)
    assert len(figures) == 93 and "sample_composition" not in set(figures["measure"])
    assert set(derived.attitude_figures(published, "awareness")["measure"]) == {"awareness"}
    with pytest.raises(ValueError, match=r"no published figures for block\(s\) \['nothing'\]"):
        derived.attitude_figures(published, ["awareness", "nothing"])


# --- intervals ---------------------------------------------------------------------------------------

def test_a_group_the_paper_never_sizes_has_no_size_and_its_figures_no_interval(sizes, judged):
    assert sizes.set_index("group").loc["income_under_1200", "bound"] == "unknown"
    row = judged.loc["T1_08"]
    assert row["verdict"] == derived.SIZE_UNKNOWN and pd.isna(row["base"])
    assert np.isnan(row["ci_low@2"]) and np.isnan(row["ci_high@1"])


def test_derived_intervals_are_clopper_pearson_on_the_base_over_deff(judged):
    """T3_13, early years, all parents: 50% of 843. At a design effect of 1 the interval is the
    Clopper-Pearson interval for 421.5 of 843 (scipy beta quantiles); at 2 for 210.75 of 421.5."""
    row = judged.loc["T3_13"]
    low, high = clopper_pearson(0.5, 843)
    assert row["ci_low@1"] == pytest.approx(low, abs=1e-9) and row["ci_high@1"] == pytest.approx(high, abs=1e-9)
    low2, high2 = clopper_pearson(0.5, 843 / 2)
    assert row["ci_low@2"] == pytest.approx(low2, abs=1e-9) and row["ci_high@2"] == pytest.approx(high2, abs=1e-9)
    assert row["ci_low@2"] < low and row["ci_high@2"] > high
    assert row["verdict"] == "open" and not row["depends_on_deff"]
    black = judged.loc["T3_21"]  # 28% of 42 Black parents
    assert (black["ci_low@2"], black["ci_high@2"]) == pytest.approx(clopper_pearson(0.28, 21), abs=1e-9)


def test_intervals_carry_their_columns_level_and_method(figures, sizes):
    table = derived.intervals(figures, sizes, deffs=[1, 1.5, 2.5], method="wilson", level=0.9)
    assert table.columns.tolist()[:8] == ["figure_id", "measure", "item", "group", "published", "k", "size", "base"]
    assert derived.deffs_of(table) == [1.0, 1.5, 2.5]
    assert "ci_low@2.5:rounded_down" in table and "ci_high@2.5:rounded_up" in table
    assert "ci_low@1:rounded_down" not in table, "the rounding ends only at the largest design effect"
    assert set(table["level"]) == {0.9} and set(table["method"]) == {"wilson"}
    assert table["figure_id"].tolist() == figures["figure_id"].tolist()
    with pytest.raises(ValueError, match=r"no size row for group\(s\) \['black'\]"):
        derived.intervals(figures, sizes[sizes["group"] != "black"], deffs=DEFFS)


def test_the_level_is_used(figures, sizes):
    """T3_13 at 90%: the Clopper-Pearson 90% interval for 421.5 of 843."""
    table = derived.intervals(figures, sizes, deffs=[1.0], level=0.9).set_index("figure_id")
    assert (table.loc["T3_13", "ci_low@1"], table.loc["T3_13", "ci_high@1"]) == \
        pytest.approx(clopper_pearson(0.5, 843, 0.9), abs=1e-9)


def test_the_answering_share_shrinks_the_base_and_widens_every_interval(figures, sizes):
    """Half of each group answering: 843 -> floor(421.5 + 0.5) = 422, 42 -> 21; T3_13's interval at
    a design effect of 1 is then Clopper-Pearson for 211 of 422."""
    full = derived.intervals(figures, sizes, deffs=DEFFS).set_index("figure_id")
    half = derived.intervals(figures, sizes, deffs=DEFFS, answering_share=0.5).set_index("figure_id")
    assert half.loc["T3_13", ["size", "base"]].tolist() == [843, 422]
    assert half.loc["T3_21", ["size", "base"]].tolist() == [42, 21]
    assert (half["size"].dropna() == full["size"].dropna()).all()
    assert (half.loc["T3_13", "ci_low@1"], half.loc["T3_13", "ci_high@1"]) == \
        pytest.approx(clopper_pearson(0.5, 422), abs=1e-9)
    known = full["base"].notna()
    for d in ("1", "2"):
        assert (half.loc[known, f"ci_low@{d}"] < full.loc[known, f"ci_low@{d}"]).all()
        assert (half.loc[known, f"ci_high@{d}"] > full.loc[known, f"ci_high@{d}"]).all()
    for share in (0, 1.5, -0.1):
        with pytest.raises(ValueError, match=rf"answering_share={share!r} must lie in \(0, 1\]"):
            derived.intervals(figures, sizes, deffs=DEFFS, answering_share=share)


def test_deffs_of_and_the_grid_of_design_effects(figures, sizes):
    assert derived.deffs_of(derived.intervals(figures, sizes, deffs=DEFFS)) == [1.0, 2.0]
    assert derived.deff_grid((1, 2)) == [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0]
    assert derived.deff_grid((1.0, 2.0), step=0.25) == [1.0, 1.25, 1.5, 1.75, 2.0]
    assert derived.deff_grid((1.5, 1.5)) == [1.5]


@pytest.mark.parametrize("deff_range", [(1.0, 2.25), (1.0, 1.04), (1.0, 1.96)])
def test_the_grid_includes_both_ends_of_any_range_and_nothing_outside_it(deff_range):
    """The docstring's 'both ends included', for a range that is not a whole number of steps: the
    verdict shown (at the upper end) must be on the grid, which the uncertainty chapter sweeps, and
    no design effect beyond the assumed range may be (1.96 must not become 2.0)."""
    grid = derived.deff_grid(deff_range)
    assert grid[0] == deff_range[0] and grid[-1] == pytest.approx(deff_range[1])
    assert all(deff_range[0] <= d <= deff_range[1] for d in grid)
    assert all(b > a for a, b in zip(grid, grid[1:]))


# --- verdicts ----------------------------------------------------------------------------------------

def test_verdicts_follow_the_definition_at_every_design_effect(judged):
    known = judged[judged["verdict"] != derived.SIZE_UNKNOWN]
    np.testing.assert_allclose(judged["threshold"], 1.5 / judged["k"])
    for d in ("1", "2"):
        expected = np.select([known[f"ci_low@{d}"] >= known["threshold"], known[f"ci_high@{d}"] < known["threshold"]],
                             ["consensus", "no consensus"], "open")
        np.testing.assert_array_equal(known[f"verdict@{d}"], expected)
    assert set(judged["factor"]) == {1.5} and set(judged["rule"]) == {"interval"}


def test_the_verdict_shown_is_the_one_at_the_upper_design_effect(judged):
    known = judged[judged["verdict"] != derived.SIZE_UNKNOWN]
    assert (known["verdict"] == known["verdict@2"]).all()
    depends = known[known["depends_on_deff"]]
    assert len(depends) and (depends["verdict@1"] != depends["verdict@2"]).all()
    assert (depends["verdict@2"] == "open").all(), "a larger design effect can only widen an interval"
    assert (judged["depends_on_deff"] == (judged["verdict@1"] != judged["verdict@2"])).all()


def test_a_verdict_that_the_printed_figure_s_rounding_could_change_is_fragile(judged):
    """T3_01, trust in social work, all parents: printed 55 of 843, a consensus at a design
    effect of 2 (lower limit 50.1%); had the figure been 54.5 before rounding, the Clopper-Pearson
    lower limit for 229.7 of an effective 421.5 parents (scipy) falls below 50%, so the verdict
    depends on the rounding. T2_01 (82%) is far from its line either way."""
    social_work = judged.loc["T3_01"]
    low_at_54_5 = clopper_pearson(0.545, 843 / 2)[0]
    assert low_at_54_5 < 0.5 < social_work["ci_low@2"]
    assert social_work["ci_low@2:rounded_down"] == pytest.approx(low_at_54_5, abs=1e-9)
    assert social_work["verdict"] == "consensus" and social_work["verdict_rounded_down"] == "open"
    assert social_work["depends_on_rounding"] and social_work["fragile"] and not social_work["depends_on_deff"]
    identify = judged.loc["T2_01"]
    assert identify[["verdict", "verdict_rounded_down", "verdict_rounded_up"]].tolist() == ["consensus"] * 3
    assert not identify["fragile"]
    assert (judged["fragile"] == (judged["depends_on_deff"] | judged["depends_on_rounding"])).all()


def test_another_reading_of_the_black_group_s_size_gives_its_verdicts_under_that_reading(published, codebook,
                                                                                          figures, judged):
    """Black parents read as 5% of the 19% minority ethnic parents: 8 parents. At 8 parents and a
    design effect of 2 (an effective 4), every judged figure of theirs is open, and the other
    groups' verdicts are unchanged."""
    other = derived.group_sizes(published, codebook, black_group="minority ethnic")
    after = derived.verdicts(derived.intervals(figures, other, deffs=DEFFS)).set_index("figure_id")
    black = after[(after["group"] == "black") & after["measure"].isin(codebook.judged_blocks)]
    assert len(black) == 14 and (black["verdict"] == "open").all() and (black["base"] == 8).all()
    rest = after["group"] != "black"
    assert (after.loc[rest, "verdict"] == judged.loc[rest, "verdict"]).all()


def test_a_factor_other_than_1_5_moves_every_threshold(figures, sizes, judged):
    """A factor of 1.2: thresholds 60% (two options) and 40% (three). T3_13's 50% of 843, open
    against 50%, is a consensus against 40% (its lower limit at a design effect of 2, about 45%,
    lies above it); T3_27's 24% of 42 Black parents, whose upper limit at a design effect of 2 is
    Clopper-Pearson's 47% for 5.04 of an effective 21, is no consensus against 50% and open
    against 40%."""
    lower = derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS), factor=1.2).set_index("figure_id")
    np.testing.assert_allclose(lower["threshold"], 1.2 / lower["k"])
    assert set(np.round(lower["threshold"], 12)) == {0.6, 0.4}
    assert judged.loc["T3_13", "verdict"] == "open" and lower.loc["T3_13", "verdict"] == "consensus"
    assert 0.4 < clopper_pearson(0.24, 21)[1] < 0.5
    assert judged.loc["T3_27", "verdict"] == "no consensus" and lower.loc["T3_27", "verdict"] == "open"
    assert set(lower["factor"]) == {1.2}
    known = lower[lower["verdict"] != derived.SIZE_UNKNOWN]
    expected = np.select([known["ci_low@2"] >= known["threshold"], known["ci_high@2"] < known["threshold"]],
                         ["consensus", "no consensus"], "open")
    np.testing.assert_array_equal(known["verdict"], expected)
    with pytest.raises(ValueError, match="factor=1 must be a number above 1"):
        derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS), factor=1)


def test_the_threshold_exactly_at_a_limit():
    """A lower limit exactly on the threshold (50% of three options) is a consensus (>=); an upper
    limit exactly on it is open (no consensus needs <); a hair below it, no consensus. The limits
    are set by hand on a one-figure table, and with a factor of 1.25 the two-option threshold is
    exactly 62.5%."""
    figures, sizes = one_figure(60.0, 3, 100)
    table = derived.intervals(figures, sizes, deffs=[1.0])

    def judged(low, high, k=3, factor=1.5):
        return derived.verdicts(table.assign(k=k, **{"ci_low@1": low, "ci_high@1": high}),
                                factor=factor).loc[0, "verdict"]

    assert judged(0.5, 0.7) == "consensus"
    assert judged(0.5 - 1e-12, 0.7) == "open"
    assert judged(0.3, 0.5) == "open"
    assert judged(0.3, 0.5 - 1e-12) == "no consensus"
    assert judged(0.625, 0.7, k=2, factor=1.25) == "consensus"
    assert judged(0.5, 0.625, k=2, factor=1.25) == "open"


def test_the_point_rule_gives_no_open_verdict_and_needs_no_size(figures, sizes):
    """The paper's reading: the printed share at or above factor / k is a consensus, below it no
    consensus, whatever the interval; so even the never-sized group has a verdict."""
    point = derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS), rule="point").set_index("figure_id")
    assert set(point["verdict"]) == {"consensus", "no consensus"}
    expected = np.where(point["published"] >= 100 * 1.5 / point["k"] - 1e-9, "consensus", "no consensus")
    np.testing.assert_array_equal(point["verdict"], expected)
    assert point.loc["T3_13", "verdict"] == "consensus", "a printed 50% reaches 50%"
    assert point.loc["T1_08", "verdict"] == "no consensus", "60% of an unsized group is below 75%"
    assert not point["depends_on_deff"].any(), "the point rule does not look at the interval"
    assert set(point["rule"]) == {"point"}
    with pytest.raises(ValueError, match="rule='points' is not one of 'interval', 'point'"):
        derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS), rule="points")


def test_under_the_point_rule_no_verdict_depends_on_the_rounding(figures, sizes):
    """The point rule judges the printed figure (consensus_verdicts rounds the estimate half up to a
    whole percent); every value within a printed figure's rounding interval, [48.5, 49.5) for a
    printed 49 (data/published: ``low <= value < high``), prints as that figure, so none can change
    the verdict. T3_19 and T3_20, printed 49 against 50%, are below the threshold anywhere in
    [48.5, 49.5): their verdict cannot depend on the rounding under any reading of the rule."""
    point = derived.verdicts(derived.intervals(figures, sizes, deffs=DEFFS), rule="point").set_index("figure_id")
    assert point.loc[["T3_19", "T3_20"], "verdict"].tolist() == ["no consensus"] * 2
    assert not point.loc[["T3_19", "T3_20"], "depends_on_rounding"].any(), \
        "a printed 49 is flagged because its excluded upper end, 49.5, prints as 50"
    flagged = point.index[point["depends_on_rounding"]].tolist()
    assert flagged == [], f"figures flagged as depending on the rounding under the point rule: {flagged}"


# --- settling sizes, don't knows, the higher group ---------------------------------------------------

def test_settling_size_is_the_smallest_group_that_settles_the_verdict():
    """86% of three options at a design effect of 2: consensus at the settling size, open one below
    (checked through intervals and verdicts, not the search)."""
    n = derived.settling_size(86.0, 3, 2.0)
    assert verdict_of(86.0, 3, n, 2.0) == "consensus" and verdict_of(86.0, 3, n - 1, 2.0) == "open"
    assert derived.settling_size(50.0, 3, 2.0) is None, "a figure printed on its threshold never settles"
    low = derived.settling_size(35.0, 3, 1.0)
    assert verdict_of(35.0, 3, low, 1.0) == "no consensus" and verdict_of(35.0, 3, low - 1, 1.0) == "open"
    assert derived.settling_size(99.0, 2, 1.0) <= derived.settling_size(86.0, 2, 1.0)


def test_settling_size_follows_the_factor_level_and_method():
    """With a factor of 1.2 the three-option threshold is 40%: a printed 50% then settles (it never
    does against 50%), and a printed 40% never does."""
    n = derived.settling_size(50.0, 3, 2.0, factor=1.2)
    assert n is not None
    assert verdict_of(50.0, 3, n, 2.0, factor=1.2) == "consensus"
    assert verdict_of(50.0, 3, n - 1, 2.0, factor=1.2) == "open"
    assert derived.settling_size(40.0, 3, 2.0, factor=1.2) is None
    wider = derived.settling_size(86.0, 3, 2.0, level=0.99)
    assert wider > derived.settling_size(86.0, 3, 2.0)
    assert verdict_of(86.0, 3, wider, 2.0, level=0.99) == "consensus"
    assert verdict_of(86.0, 3, wider - 1, 2.0, level=0.99) == "open"


def test_dont_know_tolerance_by_hand(figures):
    """P03, 60% agreeing of three options: with a share d of don't knows in the base, 60(1 - d) >= 50
    while d <= 1/6; against a factor of 1.2 (40%), while d <= 1/3. T3_13 (50%) has no room; T3_25
    (35%) is below its threshold and cannot lose a consensus it does not have."""
    tolerance = derived.dont_know_tolerance(figures).set_index("figure_id")
    assert tolerance.loc["P03", ["published", "threshold"]].tolist() == [60.0, 50.0]
    assert tolerance.loc["P03", "tolerance"] == pytest.approx(100 / 6)
    assert tolerance.loc["T3_13", "tolerance"] == pytest.approx(0.0)
    assert np.isnan(tolerance.loc["T3_25", "tolerance"])
    lower = derived.dont_know_tolerance(figures, factor=1.2).set_index("figure_id")
    assert lower.loc["P03", "threshold"] == pytest.approx(40.0)
    assert lower.loc["P03", "tolerance"] == pytest.approx(100 / 3)
    assert np.isnan(lower.loc["T3_25", "tolerance"]), "35% is below 40% too"
    assert lower.loc["T3_13", "tolerance"] == pytest.approx(20.0)  # 50(1 - d) >= 40 while d <= 1/5


def test_the_higher_group_under_both_readings(published, codebook, sizes):
    """Any one marker: at least 422 parents, and the interval and verdict at a design effect of 2
    are those of intervals() at 422. All three: at most 295 parents (the 35% with a high income);
    a verdict settles if its settling size is within that. The gaps: (P_group - P_all) / (1 - s)
    for s = 50% (any one, lower bound) and s = 295/843 (all three, upper bound)."""
    readings = derived.higher_readings(published, codebook, deffs=DEFFS).set_index("figure_id")
    figures = derived.attitude_figures(published, codebook.judged_blocks)
    whole = figures[figures["group"] == "all"].set_index("item")["percent"]
    mine = figures[(figures["group"] == HIGHER) & figures["item"].isin(whole.index)]
    assert readings.index.tolist() == mine["figure_id"].tolist() and len(readings) == 10
    assert (readings["any_size"] == 422).all() and (readings["all_upper"] == 295).all()
    by_hand = derived.verdicts(derived.intervals(mine, sizes, deffs=DEFFS)).set_index("figure_id")
    np.testing.assert_allclose(readings["any_low"], by_hand["ci_low@2"])
    assert (readings["any_verdict"] == by_hand["verdict"]).all()
    row = readings.loc["T2_02"]  # 86% of the higher group, 82% of all parents
    assert row["difference"] == 4.0 and row["gap_any_low"] == pytest.approx(4 / 0.5)
    assert row["gap_all_high"] == pytest.approx(4 / (1 - 295 / 843))
    options = mine.set_index("figure_id")["options"]
    for figure_id, reading in readings.iterrows():
        needed = derived.settling_size(reading["published"], int(options[figure_id]), 2.0)
        assert reading["all_needed"] == needed
        assert reading["all_settles"] == (needed is not None and needed <= 295), figure_id


def test_the_higher_group_s_settling_respects_the_share_that_answered(published, codebook):
    """With half of each group answering, the all-three group's at most 295 parents give at most
    148 answers; a verdict whose settling size (a number of answers: settling_size works on the
    base) exceeds that cannot settle. C02 needs 420 answers at a design effect of 2."""
    readings = derived.higher_readings(published, codebook, deffs=DEFFS, answering_share=0.5).set_index("figure_id")
    for figure_id, reading in readings.iterrows():
        needed = reading["all_needed"]
        can = needed is not None and not (isinstance(needed, float) and math.isnan(needed)) and needed <= 0.5 * 295
        assert reading["all_settles"] == can, f"{figure_id}: needs {needed} answers of at most 147.5"
