"""Tests for social_licence.survey.design: validation, structure, degrees of freedom and the variance.

References: hand calculations of the with-replacement (ultimate cluster) variance
``sum_h n_h/(n_h-1) sum_j (z_hj - mean_h)^2`` (Wolter 2007, eq. 6.2.1) and R's ``degf`` on the
committed fixture (tests/reference/survey_fixture.csv, see make_fixtures.py); for lonely PSUs, R
survey 4.1.1 (tests/reference/designs/lonely_reference.csv, written by make_reference.R): the
fixture's strata/PSU design with stratum S4 as one PSU under ``options(survey.lonely.psu =
"remove" | "certainty" | "adjust" | "average")``, svyciprop by svyby domain and svycontrast of
svyby(covmat = TRUE) differences.
"""
from dataclasses import FrozenInstanceError
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from social_licence.survey.compare import compare_with_rest
from social_licence.survey.design import SurveyDesign, kish_design_effect
from social_licence.survey.proportions import proportion, proportion_by_each

FIXTURE = pd.read_csv(Path(__file__).parents[1] / "reference" / "survey_fixture.csv")


def small_frame():
    return pd.DataFrame({
        "w": [1.0, 2.0, 1.5, 0.5, 3.0, 1.0],
        "stratum": ["x", "x", "x", "y", "y", "y"],
        "psu": [1, 1, 2, 1, 2, 2],
        "z": [0.3, -0.1, 0.2, -0.4, 0.5, -0.5],
    })


# --- validation ---------------------------------------------------------------------------------
def test_missing_weight_column_names_column_and_rows():
    with pytest.raises(ValueError, match=r"weights column\(s\) 'weight'.*not found.*6 rows"):
        SurveyDesign(small_frame(), "weight")


def test_missing_strata_and_psu_columns_are_named():
    with pytest.raises(ValueError, match=r"strata column\(s\) 'region'"):
        SurveyDesign(small_frame(), "w", strata="region")
    with pytest.raises(ValueError, match=r"psu column\(s\) 'cluster'"):
        SurveyDesign(small_frame(), "w", psu="cluster")


def test_non_numeric_weights_name_column_values_and_rows():
    frame = small_frame().assign(w=["1", "2", "x", "1", "1", "1"])
    with pytest.raises(ValueError, match=r"weights column 'w' is not numeric.*'x'.*1 of 6 rows"):
        SurveyDesign(frame, "w")


def test_boolean_weights_are_not_numbers():
    frame = small_frame().assign(w=[True] * 6)
    with pytest.raises(ValueError, match=r"weights column 'w' is not numeric.*bool"):
        SurveyDesign(frame, "w")


@pytest.mark.parametrize("bad, what", [
    (np.nan, "missing \\(NaN\\) weights"),
    (-1.0, "negative weights"),
    (np.inf, "infinite weights"),
])
def test_invalid_weight_values_name_problem_value_and_rows(bad, what):
    frame = small_frame()
    frame.loc[[2, 4], "w"] = bad
    with pytest.raises(ValueError, match=rf"weights column 'w' has {what} in 2 of 6 rows"):
        SurveyDesign(frame, "w")


def test_negative_weight_message_shows_the_value():
    frame = small_frame()
    frame.loc[3, "w"] = -2.5
    with pytest.raises(ValueError, match=r"-2\.5"):
        SurveyDesign(frame, "w")


def test_all_zero_weights():
    with pytest.raises(ValueError, match=r"weights column 'w' is zero in all 6 rows"):
        SurveyDesign(small_frame().assign(w=0.0), "w")


def test_empty_data():
    with pytest.raises(ValueError, match=r"data is empty \(0 rows"):
        SurveyDesign(small_frame().iloc[:0], "w")


def test_data_must_be_a_dataframe():
    with pytest.raises(ValueError, match="pandas DataFrame"):
        SurveyDesign({"w": [1.0]}, "w")


def test_missing_stratum_label_is_an_error():
    frame = small_frame().astype({"stratum": object})
    frame.loc[1, "stratum"] = None
    with pytest.raises(ValueError, match=r"strata column 'stratum' has 1 missing value\(s\) out of 6"):
        SurveyDesign(frame, "w", strata="stratum", psu="psu")


def test_lonely_psu_names_stratum_and_rows():
    """R: svydesign(ids=~psu, strata=~stratum) with lonely.psu = "fail" stops on such a stratum."""
    frame = small_frame().assign(psu=[1, 1, 2, 1, 1, 1])
    with pytest.raises(ValueError, match=r"strata column 'stratum'.*'y'.*only one PSU \(3 of 6 rows\)"):
        SurveyDesign(frame, "w", strata="stratum", psu="psu")


LONELY = pd.read_csv(Path(__file__).parents[1] / "reference" / "designs" / "lonely_reference.csv")
LONELY["flag"] = LONELY["flag"].map({True: True, False: False, "TRUE": True, "FALSE": False})
LONELY_ITEMS = {"q_agree": ([4, 5], [8]), "q_yesno": ("Yes", ["Don't know"])}


@pytest.mark.parametrize("option", ["remove", "certainty", "adjust", "average"])
def test_lonely_psu_options_match_r(option):
    """R: options(survey.lonely.psu = option) on the fixture with stratum S4 as one PSU:
    svyciprop (beta, logit; 0.95, 0.9) overall and by svyby domain of ~group4 and ~flag
    (proportion, and proportion_by_each for the domains), and svycontrast of svyby(~y, ~flag,
    svymean, covmat = TRUE) (compare_with_rest: the covariance route)."""
    frame = FIXTURE.assign(psu=np.where(FIXTURE.stratum == "S4", 1, FIXTURE.psu))
    design = SurveyDesign(frame, "w", strata="stratum", psu="psu", lonely_psu=option)
    ref = LONELY[LONELY.lonely_psu == option]
    for (variable, by, method, level), rows in ref[ref.kind == "proportion"].groupby(
            ["variable", "by", "method", "level"]):
        positive, missing = LONELY_ITEMS[variable]
        options = dict(method=method, level=level, missing_values=missing, min_base=0)
        ours = proportion(design, variable, positive, by=None if by == "none" else by, **options)
        if by != "none":
            grid = proportion_by_each(design, variable, positive, [by], **options)
            np.testing.assert_allclose(grid.se, ours.se, rtol=1e-12)
        merged = (rows.add_suffix("_r").assign(**{c: ours[c].iloc[0] for c in ours.columns})
                  if by == "none" else rows.merge(ours, on=by, suffixes=("_r", "")))
        tolerance = 1e-9 if method == "beta" else 1e-7  # logit: R's glm convergence
        for column in ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], rtol=tolerance,
                                       err_msg=f"{option} {variable} {by} {method} {column}")
    for _, row in ref[ref.kind == "difference"].iterrows():
        positive, missing = LONELY_ITEMS[row.variable]
        ours = compare_with_rest(design, row.variable, positive, "flag", missing_values=missing).iloc[0]
        assert (ours.difference, ours.se) == pytest.approx((row.estimate, row.se), rel=1e-12)


def test_lonely_psu_options_differ_as_documented():
    """remove = certainty (no contribution) < average (scaled by 4/3 strata) and adjust (the
    lonely PSU's squared total added); unknown options are refused by name."""
    frame = FIXTURE.assign(psu=np.where(FIXTURE.stratum == "S4", 1, FIXTURE.psu))
    var = {option: proportion(SurveyDesign(frame, "w", strata="stratum", psu="psu", lonely_psu=option),
                              "q_agree", [4, 5], missing_values=[8]).se.iloc[0] ** 2
           for option in ("remove", "certainty", "adjust", "average")}
    assert var["remove"] == var["certainty"] < min(var["adjust"], var["average"])
    assert var["average"] == pytest.approx(var["remove"] * 4 / 3, rel=1e-14)
    with pytest.raises(ValueError, match=r"lonely_psu='drop' is not one of 'fail', 'remove'"):
        SurveyDesign(frame, "w", strata="stratum", psu="psu", lonely_psu="drop")


def test_design_is_frozen():
    design = SurveyDesign(small_frame(), "w")
    with pytest.raises(FrozenInstanceError):
        design.weights = "z"


# --- structure and degrees of freedom -------------------------------------------------------------
def test_fixture_degrees_of_freedom_match_r_degf():
    """R: degf(svydesign(ids=~1, weights=~w)) = 320 rows - 2 zero weights - 1 = 317;
    degf(svydesign(ids=~psu, strata=~stratum, nest=TRUE)) = 32 PSUs - 4 strata = 28."""
    assert SurveyDesign(FIXTURE, "w").df == 317
    nested = SurveyDesign(FIXTURE, "w", strata="stratum", psu="psu")
    assert (nested.n_psu, len(nested.psu_per_stratum), nested.df) == (32, 4, 28)


def test_psu_labels_are_nested_within_strata():
    design = SurveyDesign(small_frame(), "w", strata="stratum", psu="psu")
    assert design.n_psu == 4  # PSU label 1 in stratum x and in stratum y are two PSUs
    assert list(design.psu_per_stratum) == [2, 2]
    assert design.df == 2


def test_strata_without_psu_make_each_row_a_psu():
    design = SurveyDesign(small_frame(), "w", strata="stratum")
    assert design.n_psu == 6 and design.df == 4


def test_domain_df_counts_psus_and_strata_with_domain_rows():
    design = SurveyDesign(small_frame(), "w", strata="stratum", psu="psu")
    # domain 0 = rows 0, 1, 3 -> PSU (x,1) and (y,1): 2 PSUs in 2 strata -> 0
    # domain 1 = rows 2, 4, 5 -> PSU (x,2) and (y,2) -> 0; domain 2 = everything of stratum x -> 1
    assert list(design.domain_df(np.array([0, 0, 1, 0, 1, 1]), 2)) == [0, 0]
    assert list(design.domain_df(np.array([0, 0, 0, 1, 1, 1]), 1)) == [1]


# --- variance ------------------------------------------------------------------------------------
def test_stratified_cluster_variance_by_hand():
    """Hand calculation: PSU totals x: (0.2, 0.2), y: (-0.4, 0.0); within-stratum centred squares
    x: 0, y: 2 * 0.2^2 = 0.08; times n_h/(n_h-1) = 2 -> 0.16."""
    frame = small_frame()
    design = SurveyDesign(frame, "w", strata="stratum", psu="psu")
    assert design.covariance(frame["z"].to_numpy())[0, 0] == pytest.approx(0.16, abs=1e-15)


def test_weights_only_variance_by_hand():
    z = small_frame()["z"].to_numpy()
    design = SurveyDesign(small_frame(), "w")
    expected = 6 / 5 * ((z - z.mean()) ** 2).sum()
    assert design.covariance(z)[0, 0] == pytest.approx(expected, rel=1e-14)


def test_covariance_matrix_and_psu_total_route_agree():
    frame = small_frame()
    design = SurveyDesign(frame, "w", strata="stratum", psu="psu")
    z = np.column_stack([frame["z"], frame["w"] - 1.5])
    cov = design.covariance(z)
    totals = np.vstack([design.psu_totals(z[:, j], np.zeros(6, dtype=np.int64), 1)[0] for j in (0, 1)])
    np.testing.assert_allclose(np.diag(cov), design.variance_of_psu_totals(totals), atol=1e-15)
    np.testing.assert_allclose(cov, cov.T, atol=1e-15)


def test_explicit_row_psus_equal_weights_only_design():
    frame = small_frame().assign(row=range(6))
    z = frame["z"].to_numpy()
    np.testing.assert_allclose(SurveyDesign(frame, "w", psu="row").covariance(z),
                               SurveyDesign(frame, "w").covariance(z), atol=1e-15)


def test_influence_of_wrong_length_is_rejected():
    with pytest.raises(ValueError, match="influence has 3 rows but the design has 6"):
        SurveyDesign(small_frame(), "w").covariance(np.zeros(3))


# --- Kish's design effect -------------------------------------------------------------------------

def test_kish_equal_weights_is_one():
    assert kish_design_effect([2.5] * 10) == pytest.approx(1.0, abs=1e-15)


def test_kish_by_hand():
    """w = (1, 2, 3): n = 3, sum w^2 = 14, (sum w)^2 = 36 -> 3 * 14 / 36 = 7/6."""
    assert kish_design_effect(np.array([1.0, 2.0, 3.0])) == pytest.approx(7 / 6, abs=1e-15)


def test_kish_is_one_plus_relvariance_as_in_practools():
    """R PracTools::deffK(w) = 1 + mean((w - mean(w))^2) / mean(w)^2, on the R fixture's positive weights."""
    w = FIXTURE.loc[FIXTURE["w"] > 0, "w"].to_numpy()
    assert kish_design_effect(w) == pytest.approx(1 + np.mean((w - w.mean()) ** 2) / w.mean() ** 2,
                                                             rel=1e-12)


def test_kish_agrees_with_the_effective_sample_size_of_proportion():
    """Another route: proportion() reports Kish's n_eff = (sum w)^2 / sum w^2 for the whole sample."""
    positive = FIXTURE[FIXTURE["w"] > 0]
    row = proportion(SurveyDesign(positive, weights="w"), "flag", [True]).iloc[0]
    assert kish_design_effect(positive["w"]) == pytest.approx(row["n"] / row["n_eff"], rel=1e-12)


def test_kish_does_not_depend_on_the_scale_of_the_weights():
    w = np.array([0.3, 1.2, 2.0, 0.9])
    assert kish_design_effect(w) == pytest.approx(kish_design_effect(1000 * w), rel=1e-12)


@pytest.mark.parametrize("weights, shown", [([1.0, 0.0, 2.0], "0.0"), ([1.0, -1.0], "-1.0"),
                                            ([1.0, np.nan], "nan"), ([1.0, np.inf], "inf")])
def test_kish_rejects_bad_weights_naming_them(weights, shown):
    with pytest.raises(ValueError, match=rf"weights must be positive and finite; 1 of {len(weights)} rows .*{shown}"):
        kish_design_effect(pd.Series(weights, name="weight"))


def test_kish_rejects_no_weights():
    with pytest.raises(ValueError, match=r"no weights given \(0 rows\)"):
        kish_design_effect([])
