"""One family of comparisons: the contrasts the paper draws, adjusted once.

References: the gap formula (P_group - P_all) / (1 - s) checked by hand on T3_21 (28% of 42 Black
parents against 49% of all 843); the adjustment against statsmodels' multipletests over the whole
vector; the file's contrasts against compare_with_rest, which is itself checked against R's
svycontrast and svyttest in tests/survey/test_compare.py.
"""
import numpy as np
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from social_licence.report import contrasts, derived
from social_licence.study.codebook import load_codebook
from social_licence.study.published import load_published
from social_licence.survey.compare import compare_with_rest
from social_licence.survey.design import SurveyDesign


@pytest.fixture(scope="module")
def published():
    return load_published()


@pytest.fixture(scope="module")
def sizes(published):
    return derived.group_sizes(published, load_codebook())


def test_the_family_is_every_subgroup_figure_with_a_whole_sample_counterpart(published):
    family = contrasts.family(published)
    assert len(family) == 68 and family["figure_id"].is_unique
    assert not family["measure"].isin(["beliefs_about_linkage", "sample_composition"]).any()
    assert (family["group"] != "all").all()
    assert family.set_index("figure_id").loc["T3_21", ["published", "published_all"]].tolist() == [28.0, 49.0]


def test_the_derived_gap_and_its_test_by_hand(published, sizes):
    row = contrasts.derived_contrasts(published, sizes, deff=2.0).set_index("figure_id").loc["T3_21"]
    s, n = 0.05, 42  # the printed 5% of 843 parents
    rest = (0.49 - s * 0.28) / (1 - s)
    assert row["rest"] == pytest.approx(100 * rest) and row["gap"] == pytest.approx(100 * (0.28 - rest))
    se = np.sqrt(2.0 * (0.28 * 0.72 / n + rest * (1 - rest) / (843 - n)))
    assert row["se"] == pytest.approx(100 * se)
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs((0.28 - rest) / se), 841))


def test_the_family_is_adjusted_once_over_all_68_with_unknown_sizes_counted_as_p_1(published, sizes):
    table = contrasts.derived_contrasts(published, sizes, deff=1.0)
    unknown = table["p_value"].isna()
    # household income under £1,200 is never sized; the higher group has a lower bound (422 parents)
    assert sorted(table.loc[unknown, "figure_id"]) == ["T1_08", "T1_16"]
    filled = np.where(unknown, 1.0, table["p_value"])
    np.testing.assert_allclose(table.loc[~unknown, "p_holm"], multipletests(filled, method="holm")[1][~unknown])
    np.testing.assert_allclose(table.loc[~unknown, "p_fdr_bh"], multipletests(filled, method="fdr_bh")[1][~unknown])
    assert table.loc[unknown, "p_holm"].isna().all()


def test_both_design_effects_side_by_side(published, sizes):
    family = contrasts.derived_family(published, sizes).set_index("figure_id")
    known = family[family["size_known"]]
    assert (known["p_holm@1"] <= known["p_holm@2"] + 1e-12).all()
    assert (family["holds"] == (family["p_holm@2"] < contrasts.ALPHA)).all()
    assert not (family["holds"] & family["depends_on_deff"]).any()


def test_file_contrasts_are_compare_with_rest_adjusted_over_the_family(survey, published):
    codebook = load_codebook()
    table = contrasts.file_contrasts(survey, published, codebook).set_index("figure_id")
    design = SurveyDesign(survey.data, weights="weight")
    for figure_id, row in table.iterrows():
        item = codebook.items[row["item"]]
        direct = compare_with_rest(design, item.key, list(item.counted_codes), row["group"],
                                   missing_values=codebook.missing_codes(item.key)).iloc[0]
        assert row["gap"] == pytest.approx(100 * direct["difference"], abs=1e-10), figure_id
        assert row["p_value"] == pytest.approx(direct["p_value"], rel=1e-10, abs=1e-14), figure_id
        assert row["df"] == direct["df"] and row["n_group"] == direct["n_a"]
    np.testing.assert_allclose(table["p_holm"], multipletests(table["p_value"], method="holm")[1])


def test_a_pair_of_groups_the_paper_compares_by_hand(published, sizes):
    """T1_09 against T1_10: 67% of 42 Black parents and 53% of 615 White British parents knew
    records can be linked; at a design effect of 1 the t statistic is the gap over
    sqrt(.67 .33 / 42 + .53 .47 / 615), on 655 degrees of freedom (scipy), about p = 0.063."""
    pair = contrasts.derived_pair(published, sizes, "T1_09", "T1_10", 1.0)
    se = np.sqrt(0.67 * 0.33 / 42 + 0.53 * 0.47 / 615)
    assert pair["gap"] == pytest.approx(14.0)
    assert pair["p_value"] == pytest.approx(2 * stats.t.sf(0.14 / se, 655), rel=1e-12)
    assert 0.06 < pair["p_value"] < 0.07
    wider = contrasts.derived_pair(published, sizes, "T1_09", "T1_10", 2.0)
    assert wider["p_value"] > pair["p_value"]
    with pytest.raises(ValueError, match="different questions"):
        contrasts.derived_pair(published, sizes, "T1_09", "T1_02", 1.0)


def test_a_group_printed_at_the_whole_sample_s_figure_is_level_with_the_rest(published, sizes):
    """T2_16, lone parents on targeting services efficiently: 84%, as for all parents. The gap is
    exactly 0 (not 1e-14, which a sign count would read as "above")."""
    table = contrasts.derived_contrasts(published, sizes, 1.0).set_index("figure_id")
    level = table[table["published"] == table["published_all"]]
    assert "T2_16" in level.index
    assert (level["gap"] == 0).all() and np.allclose(level["rest"], level["published_all"], rtol=1e-12)


def test_holm_survivors_fall_as_the_design_effect_grows(published, sizes):
    """The count at each design effect is the count of Holm p below 0.05 in derived_contrasts at
    that design effect; a larger design effect widens every test, so it never rises."""
    grid = [1.0, 1.5, 2.0]
    survivors = contrasts.holm_survivors(published, sizes, grid)
    for d in grid:
        assert survivors[d] == int((contrasts.derived_contrasts(published, sizes, d)["p_holm"] < 0.05).sum())
    assert survivors.is_monotonic_decreasing and survivors[1.0] > survivors[2.0]
