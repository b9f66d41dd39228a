"""Tests for social_licence.survey.compare.

Reference cases (tests/reference/*.csv, written by make_reference.R with R 4 / survey 4.1.1 from the
synthetic fixture), for both designs (weights only; strata + nested PSUs) and items q_agree (codes
4-5, don't know 8), q_yesno ("Yes", "Don't know") and q_rare (near 0), on ``d = subset(design,
valid)``:

* compare_reference.csv -- flag TRUE vs FALSE:
  ``svycontrast(svyby(~y01, ~flag, d, svymean, covmat = TRUE), c(-1, 1))``,
  ``svyttest(y01 ~ flag, d)`` (t, df, p) and ``confint(svyglm(y01 ~ flag, d), 2, level)`` at 0.95 and
  0.9; group4 pairs (a, c), (b, d), (d, a): ``svycontrast`` on ``svyby(~y01, ~group4, ...)`` and
  ``svyttest(y01 ~ I(group4 == a), subset(d, group4 %in% c(a, b)))``;
* chisq_reference.csv -- ``svychisq(~yy + g, d, statistic = "F")`` for g in group4, sex, flag and all
  four items (statistic, ndf, ddf, p), with the unadjusted Pearson X^2 from ``statistic = "Chisq"``.

Holm and Benjamini-Hochberg adjustments are checked against hand calculations and statsmodels.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from social_licence.survey.compare import (
    adjust_pvalues,
    compare_each_with_rest,
    compare_groups,
    compare_with_rest,
    rao_scott_test,
)
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion
from statsmodels.stats.multitest import multipletests

HERE = Path(__file__).parents[1] / "reference"
FIXTURE = pd.read_csv(HERE / "survey_fixture.csv")
COMPARE = pd.read_csv(HERE / "compare_reference.csv", dtype={"a": str, "b": str})
CHISQ = pd.read_csv(HERE / "chisq_reference.csv")
DESIGNS = {
    "weights": SurveyDesign(FIXTURE, "w"),
    "strata_psu": SurveyDesign(FIXTURE, "w", strata="stratum", psu="psu"),
}
ITEMS = {
    "q_agree": ([4, 5], [8]),
    "q_yesno": ("Yes", ["Don't know"]),
    "q_rare": (1, []),
    "q_common": (1, []),
}
COMPARED = ["estimate_a", "estimate_b", "difference", "se", "ci_low", "ci_high", "t", "df", "p_value"]


def ours_for(row: pd.Series) -> pd.Series:
    positive, missing = ITEMS[row.variable]
    design = DESIGNS[row.design]
    if row.kind == "rest":
        out = compare_with_rest(design, row.variable, positive, "flag", level=row.level,
                                missing_values=missing)
    else:
        out = compare_groups(design, row.variable, positive, "group4", row.a, row.b,
                             level=row.level, missing_values=missing)
    return out.iloc[0]


@pytest.mark.parametrize("design", list(DESIGNS))
def test_group_versus_rest_matches_r(design):
    """R: svycontrast(svyby(~y01, ~flag, d, svymean, covmat=TRUE), c(-1, 1)); svyttest(y01 ~ flag, d);
    confint(svyglm(y01 ~ flag, d), 2, level = 0.95 | 0.9)."""
    ref = COMPARE[(COMPARE.design == design) & (COMPARE.kind == "rest")]
    assert len(ref) == 6
    for _, row in ref.iterrows():
        ours = ours_for(row)
        for column in COMPARED:
            assert ours[column] == pytest.approx(row[column], abs=1e-10), (row.variable, column)
        assert ours.se == pytest.approx(row.glm_se, abs=1e-10)  # svyglm's sandwich SE agrees


@pytest.mark.parametrize("design", list(DESIGNS))
def test_two_groups_match_r_including_a_small_domain(design):
    """R: svycontrast on svyby(~y01, ~group4, d, svymean, covmat=TRUE) for a-c, b-d, d-a (d has 12
    rows); svyttest(y01 ~ I(group4 == a), subset(d, group4 %in% c(a, b))); svyglm confint."""
    ref = COMPARE[(COMPARE.design == design) & (COMPARE.kind == "groups")]
    assert set(zip(ref.a, ref.b)) == {("a", "c"), ("b", "d"), ("d", "a")}
    for _, row in ref.iterrows():
        ours = ours_for(row)
        for column in COMPARED:
            assert ours[column] == pytest.approx(row[column], abs=1e-10), (row.variable, column)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_rao_scott_matches_r_svychisq(design):
    """R: svychisq(~yy + g, d, statistic = "F") (and "Chisq" for Pearson's X^2), g in group4
    (4 levels, one small), sex, flag; all four items including q_rare / q_common."""
    ref = CHISQ[CHISQ.design == design]
    assert len(ref) == 12
    for _, row in ref.iterrows():
        positive, missing = ITEMS[row.variable]
        ours = rao_scott_test(DESIGNS[design], row.variable, positive, row.by,
                              missing_values=missing).iloc[0]
        for column, r_column in [("statistic", "statistic"), ("ndf", "ndf"), ("ddf", "ddf"),
                                 ("p_value", "p_value"), ("chisq", "pearson"), ("n", "n")]:
            assert ours[column] == pytest.approx(row[r_column], abs=1e-9, rel=1e-12), \
                (row.variable, row.by, column)


def test_comparison_output_columns():
    out = compare_groups(DESIGNS["weights"], "q_agree", [4, 5], "group4", "a", "b",
                         missing_values=[8])
    assert list(out.columns) == ["variable", "by", "a", "b", "estimate_a", "se_a", "n_a",
                                 "estimate_b", "se_b", "n_b", "difference", "se", "ci_low",
                                 "ci_high", "level", "t", "df", "p_value"]
    assert len(out) == 1 and out.difference.iloc[0] == pytest.approx(
        out.estimate_a.iloc[0] - out.estimate_b.iloc[0], abs=1e-15)


def test_sides_of_a_comparison_equal_proportion_by_group():
    """Route check: compare_groups's estimate_a / se_a equal proportion(by='group4') for that level."""
    for design in DESIGNS.values():
        table = proportion(design, "q_yesno", "Yes", by="group4", missing_values=["Don't know"],
                           min_base=0).set_index("group4")
        out = compare_groups(design, "q_yesno", "Yes", "group4", "c", "a",
                             missing_values=["Don't know"]).iloc[0]
        assert (out.estimate_a, out.se_a, out.n_a) == pytest.approx(
            (table.loc["c", "estimate"], table.loc["c", "se"], table.loc["c", "n"]), rel=1e-12)
        assert (out.estimate_b, out.se_b) == pytest.approx(
            (table.loc["a", "estimate"], table.loc["a", "se"]), rel=1e-12)


def test_include_missing_changes_the_comparison():
    plain = compare_with_rest(DESIGNS["weights"], "q_agree", [4, 5], "flag", missing_values=[8])
    wide = compare_with_rest(DESIGNS["weights"], "q_agree", [4, 5], "flag", missing_values=[8],
                             include_missing=True)
    assert wide.n_a.iloc[0] + wide.n_b.iloc[0] == len(FIXTURE)
    assert plain.n_a.iloc[0] + plain.n_b.iloc[0] < len(FIXTURE)


# --- errors --------------------------------------------------------------------------------------
def test_group_column_must_be_boolean():
    with pytest.raises(ValueError, match=r"group column 'group4' must be boolean.*'a'.*320 rows"):
        compare_with_rest(DESIGNS["weights"], "q_rare", 1, "group4")
    frame = FIXTURE.assign(flag=FIXTURE.flag.astype("boolean"))
    frame.loc[[3, 9], "flag"] = pd.NA
    with pytest.raises(ValueError, match=r"group column 'flag' must be boolean .*2 missing of 320"):
        compare_with_rest(SurveyDesign(frame, "w"), "q_rare", 1, "flag")


def test_nullable_boolean_group_without_missing_values_is_accepted():
    frame = FIXTURE.assign(flag=FIXTURE.flag.astype("boolean"))
    pd.testing.assert_frame_equal(compare_with_rest(SurveyDesign(frame, "w"), "q_rare", 1, "flag"),
                                  compare_with_rest(DESIGNS["weights"], "q_rare", 1, "flag"))


def test_by_must_name_one_column():
    with pytest.raises(ValueError, match=r"by=\['group4', 'sex'\] must name one column"):
        rao_scott_test(DESIGNS["weights"], "q_rare", 1, ["group4", "sex"])


def test_missing_group_or_by_column():
    with pytest.raises(ValueError, match=r"group column\(s\) 'lone_parent' not found"):
        compare_with_rest(DESIGNS["weights"], "q_rare", 1, "lone_parent")
    with pytest.raises(ValueError, match=r"by column\(s\) 'region' not found"):
        compare_groups(DESIGNS["weights"], "q_rare", 1, "region", "a", "b")
    with pytest.raises(ValueError, match=r"by column\(s\) 'region' not found"):
        rao_scott_test(DESIGNS["weights"], "q_rare", 1, "region")


def test_unknown_level_and_same_level():
    with pytest.raises(ValueError, match=r"level 'e' does not occur in by column 'group4'"):
        compare_groups(DESIGNS["weights"], "q_rare", 1, "group4", "a", "e")
    with pytest.raises(ValueError, match=r"two different levels of 'group4', got 'a' twice"):
        compare_groups(DESIGNS["weights"], "q_rare", 1, "group4", "a", "a")


def test_group_without_valid_rows():
    frame = FIXTURE.assign(q_part=np.where(FIXTURE.flag, np.nan, FIXTURE.q_rare))
    with pytest.raises(ValueError, match=r"column 'q_part' has no valid rows in group True of 'flag'"):
        compare_with_rest(SurveyDesign(frame, "w"), "q_part", 1, "flag")
    with pytest.raises(ValueError, match=r"column 'q_part' has no valid rows in group\(s\) True"):
        rao_scott_test(SurveyDesign(frame, "w"), "q_part", 1, "flag")


def test_item_errors_are_those_of_proportion():
    with pytest.raises(ValueError, match=r"positive value 7 never occurs in column 'q_agree'"):
        compare_with_rest(DESIGNS["weights"], "q_agree", 7, "flag")
    with pytest.raises(ValueError, match=r"level=2 must be strictly between 0 and 1"):
        compare_groups(DESIGNS["weights"], "q_rare", 1, "group4", "a", "b", level=2)


def test_rao_scott_needs_two_levels_and_variation():
    frame = FIXTURE.assign(one="all", q_const=np.where(FIXTURE.q_rare.isna(), np.nan, 1.0))
    with pytest.raises(ValueError, match=r"by column 'one' has only one level \('all'\)"):
        rao_scott_test(SurveyDesign(frame, "w"), "q_rare", 1, "one")
    with pytest.raises(ValueError, match=r"column 'q_const': every valid row is positive"):
        rao_scott_test(SurveyDesign(frame, "w"), "q_const", 1, "group4")


# --- p-value adjustment --------------------------------------------------------------------------
def test_holm_and_bh_by_hand():
    """Holm: sorted p times (m - i + 1), cumulative max. BH: p * m / rank, cumulative min from the
    top. For (0.01, 0.04, 0.03): Holm (0.03, 0.06, 0.06); BH (0.03, 0.04, 0.04)."""
    p = [0.01, 0.04, 0.03]
    np.testing.assert_allclose(adjust_pvalues(p), [0.03, 0.06, 0.06], atol=1e-15)
    np.testing.assert_allclose(adjust_pvalues(p, method="fdr_bh"), [0.03, 0.04, 0.04], atol=1e-15)


def test_adjust_keeps_a_series_index():
    p = pd.Series([0.2, 0.01], index=["q1", "q2"], name="p_value")
    adjusted = adjust_pvalues(p)
    assert list(adjusted.index) == ["q1", "q2"] and adjusted.name == "p_value"
    assert adjusted["q2"] == pytest.approx(0.02)


def test_adjust_rejects_bad_input():
    with pytest.raises(ValueError, match=r"method='bonferroni' is not one of 'holm', 'fdr_bh'"):
        adjust_pvalues([0.1], method="bonferroni")
    with pytest.raises(ValueError, match=r"1 of 3 are not"):
        adjust_pvalues([0.1, np.nan, 0.2])


@settings(max_examples=10, deadline=None)  # statsmodels' Holm runs gc.collect(): ~40 ms a call
@given(p=st.lists(st.floats(0, 1) | st.sampled_from([0.0, 0.01, 0.05, 1.0]), min_size=1, max_size=30))
def test_adjustments_equal_statsmodels_and_are_no_smaller(p):
    """Against statsmodels' multipletests (ties and the cap at 1 included), an implementation of
    its own; and no adjusted p is below its raw p."""
    for method in ("holm", "fdr_bh"):
        adjusted = adjust_pvalues(p, method=method)
        np.testing.assert_allclose(adjusted, multipletests(p, method=method)[1], rtol=1e-14, atol=1e-15)
        assert np.all(adjusted >= np.asarray(p) - 1e-15) and np.all(adjusted <= 1)


def test_an_empty_family_adjusts_to_nothing():
    assert adjust_pvalues([]).shape == (0,)


def test_each_with_rest_equals_compare_with_rest_pair_by_pair():
    """The batched route (one proportion_by_each call, disjoint domains' variances added) against
    compare_with_rest, itself checked against R's svycontrast and svyttest above; and the fallback
    for a design with strata and PSUs."""
    frame = FIXTURE.assign(group4_a=FIXTURE["group4"] == FIXTURE["group4"].iloc[0], male=FIXTURE["sex"] == "M")
    positive = {"q_agree": [4, 5]}
    for design in (SurveyDesign(frame[frame["w"] > 0], weights="w"),
                   SurveyDesign(frame, weights="w", strata="stratum", psu="psu")):
        batched = compare_each_with_rest(design, ["q_agree"], positive["q_agree"], ["group4_a", "male", "flag"],
                                         missing_values=[8], level=0.9)
        for row in batched.itertuples(index=False):
            single = compare_with_rest(design, row.variable, positive["q_agree"], row.by, missing_values=[8],
                                       level=0.9).iloc[0]
            for column in ("estimate_a", "estimate_b", "difference", "se", "ci_low", "ci_high", "t", "p_value"):
                assert getattr(row, column) == pytest.approx(single[column], rel=1e-12, abs=1e-14), column
            assert (row.df, row.n_a, row.n_b) == (single["df"], single["n_a"], single["n_b"])
    with pytest.raises(ValueError, match="must be boolean"):
        compare_each_with_rest(SurveyDesign(frame[frame["w"] > 0], weights="w"), "q_agree", [4, 5], "group4")
    nobody = frame[frame["w"] > 0].assign(nobody=False)
    with pytest.raises(ValueError, match="no valid rows on one side of group 'nobody'"):
        compare_each_with_rest(SurveyDesign(nobody, weights="w"), "q_agree", [4, 5], "nobody", missing_values=[8])
