"""Report tables: every published figure recomputed, and contrasts against the rest of the sample."""
import numpy as np
import pytest
from social_licence.report.tables import figure_contrasts, figure_estimates
from social_licence.study.codebook import load_codebook
from social_licence.study.published import COMPOSITION
from social_licence.survey.consensus import STABILITIES, VERDICTS


@pytest.fixture(scope="module")
def estimates(survey):
    return figure_estimates(survey)


def test_one_row_per_published_figure_with_labels(estimates):
    assert len(estimates) == 108
    assert estimates["figure_id"].is_unique
    assert estimates[["item_label", "group_label"]].notna().all().all()


@pytest.mark.parametrize("figure_id", ["S15", "A01", "T1_09", "T2_03", "T3_21", "P05", "B07", "C01"])
def test_estimates_agree_with_a_hand_computed_weighted_share(survey, estimates, figure_id):
    """Independent route: the weighted share of the counted answer among valid answers in the group."""
    codebook = load_codebook()
    row = estimates.set_index("figure_id").loc[figure_id]
    data = survey.data
    in_group = data[row["group"]] if row["group"] != "all" else np.ones(len(data), dtype=bool)
    weights = data["weight"]
    if row["measure"] == COMPOSITION:  # read as an unweighted share of the sample (codebook default)
        counted, valid, weights = data[row["item"]], np.ones(len(data), dtype=bool), 1.0
    else:
        item = codebook.items[row["item"]]
        counted = data[item.key].isin(item.counted_codes)
        valid = ~data[item.key].isin(codebook.missing_codes(item.key))
    w = weights * in_group * valid
    assert row["estimate"] == pytest.approx((w * counted).sum() / w.sum(), abs=1e-12)
    assert row["n"] == int((in_group & valid).sum())


def test_verdicts_only_for_attitude_figures(estimates):
    attitudes = estimates["measure"] != COMPOSITION
    assert estimates.loc[attitudes, "verdict"].isin(VERDICTS).all()
    assert estimates.loc[attitudes, "stability"].isin(STABILITIES).all()
    assert estimates.loc[~attitudes, ["verdict", "stability", "threshold"]].isna().all().all()


def test_thresholds_follow_the_number_of_options(estimates):
    attitudes = estimates[estimates["measure"] != COMPOSITION]
    np.testing.assert_allclose(attitudes["threshold"], 1.5 / attitudes["k"].astype(float))


def test_interval_level_and_method_are_passed_through(survey):
    narrow = figure_estimates(survey, level=0.9, method="logit")
    assert set(narrow["level"]) == {0.9} and set(narrow["method"]) == {"logit"}
    wide = figure_estimates(survey)
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()


def test_contrasts_cover_subgroup_attitude_figures_and_agree_with_estimates(survey, estimates):
    contrasts = figure_contrasts(survey)
    subgroup = estimates[(estimates["measure"] != COMPOSITION) & (estimates["group"] != "all")]
    assert list(contrasts["figure_id"]) == list(subgroup["figure_id"])
    np.testing.assert_allclose(contrasts["estimate_a"], subgroup["estimate"], atol=1e-12)
    np.testing.assert_allclose(contrasts["difference"], contrasts["estimate_a"] - contrasts["estimate_b"], atol=1e-12)
    assert (contrasts["p_adjusted"] >= contrasts["p_value"] - 1e-15).all()


def test_contrast_adjustment_method_is_used(survey):
    holm = figure_contrasts(survey, adjust="holm")
    bh = figure_contrasts(survey, adjust="fdr_bh")
    assert set(bh["adjustment"]) == {"fdr_bh"}
    assert (bh["p_adjusted"] <= holm["p_adjusted"] + 1e-12).all()
