"""Tests for social_licence.analysis.groups: merging categories, estimates and the Rao-Scott test across
merged groups, and the formatter for group differences.

References: counts by hand from the codebook codes (value_counts of the raw column); the same
estimate by a second route (study.recompute.estimate_figures on the file's design for a published
subgroup, proportions.proportion on the raw codes); the Rao-Scott test itself is checked against
R's svychisq in tests/survey/test_compare.py, so here the test is checked for what this module
adds: who is in the base.
"""
import numpy as np
import pytest
from social_licence.analysis.groups import (
    NOT_STATED,
    collapse_categories,
    proportions_across,
    rao_scott_across,
)
from social_licence.study.codebook import load_codebook
from social_licence.study.published import load_published
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.compare import rao_scott_test
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion

ETHNIC = {"White British": [1], "Other White": [2], "Black or Black British": [3],
          "Asian, mixed or other": [4, 5, 6]}
POLICE = "police_and_criminal_justice"


@pytest.fixture(scope="module")
def data(survey):
    return survey.data


@pytest.fixture(scope="module")
def refused(data):
    """The synthetic file with ten parents' ethnic group set to the 'Refused' code (9)."""
    changed = data.copy()
    changed.loc[changed.index[:10], "ethnic_group"] = 9
    return changed


# --- collapse_categories --------------------------------------------------------------------------

def test_counts_are_the_codes_added_up(data):
    grouped = collapse_categories(data, "ethnic_group", ETHNIC)
    raw = data["ethnic_group"].value_counts()
    expected = [raw[1], raw[2], raw[3], raw[4] + raw[5] + raw[6]]
    assert grouped.value_counts(sort=False).reindex(list(ETHNIC)).tolist() == expected
    assert list(grouped.cat.categories) == [*ETHNIC, NOT_STATED]
    assert grouped.name == "ethnic_group_group"
    assert grouped.index.equals(data.index)
    assert not grouped.isna().any()


def test_non_substantive_codes_become_not_stated(refused):
    grouped = collapse_categories(refused, "ethnic_group", ETHNIC)
    assert (grouped == NOT_STATED).sum() == 10
    assert (grouped[refused["ethnic_group"] == 9] == NOT_STATED).all()


def test_small_group_is_an_error_naming_it_and_its_count(data):
    five = {"White": [1, 2], "Black or Asian": [3, 4], "Mixed": [5], "Any other": [6]}
    small = int((data["ethnic_group"] == 6).sum())
    assert small < 30
    with pytest.raises(ValueError, match=rf"'Any other' \({small}\).*merge"):
        collapse_categories(data, "ethnic_group", five)
    # the same grouping passes once the threshold is below the group's size
    assert collapse_categories(data, "ethnic_group", five, min_count=small).value_counts()["Any other"] == small


def test_empty_group_is_an_error(refused):
    everyone_refused = refused.assign(ethnic_group=np.where(refused["ethnic_group"] == 3, 9, refused["ethnic_group"]))
    with pytest.raises(ValueError, match=r"'Black or Black British' \(0\)"):
        collapse_categories(everyone_refused, "ethnic_group", ETHNIC)


@pytest.mark.parametrize("groups, message", [
    ({"White British": [1], "Others": [2, 3, 4, 5]}, r"in no group: 6"),
    ({"White British": [1, 2], "Others": [2, 3, 4, 5, 6]}, r"in more than one group: 2"),
    ({"White British": [1], "Others": [2, 3, 4, 5, 6, 7]}, r"unknown: 7"),
    ({"White British": [1], "Others": [2, 3, 4, 5, 6, 9]}, r"non-substantive.*9"),
    ({"White British": [1], "": [2, 3, 4, 5, 6]}, r"labels"),
    ({"White British": [1], NOT_STATED: [2, 3, 4, 5, 6]}, r"labels"),
    ({}, r"no groups"),
])
def test_bad_groupings_are_errors(data, groups, message):
    with pytest.raises(ValueError, match=message):
        collapse_categories(data, "ethnic_group", groups)


def test_unknown_variable_and_unknown_values_are_errors(data):
    with pytest.raises(ValueError, match="'weight' is not a coded variable"):
        collapse_categories(data, "weight", {"a": [1]})
    with pytest.raises(ValueError, match="'nothing'"):
        collapse_categories(data, "nothing", {"a": [1]})
    odd = data.assign(ethnic_group=data["ethnic_group"].replace({6: 7}))
    sixes = int((data["ethnic_group"] == 6).sum())
    with pytest.raises(ValueError, match=rf"value\(s\) 7 .*\({sixes} of 843 rows\)"):
        collapse_categories(odd, "ethnic_group", ETHNIC, min_count=1)
    with pytest.raises(ValueError, match="min_count"):
        collapse_categories(data, "ethnic_group", ETHNIC, min_count=0)


# --- proportions_across ---------------------------------------------------------------------------

def test_black_parents_match_the_published_figure_route(survey, data):
    """Black parents' trust in the police (T3_21) computed through the grouping equals
    estimate_figures on the file's design, which uses the codebook's 'black' subgroup indicator."""
    grouped = collapse_categories(data, "ethnic_group", ETHNIC)
    ours = proportions_across(data, POLICE, grouped).set_index("ethnic_group_group")
    figures = load_published()
    codebook = load_codebook()
    theirs = estimate_figures(file_design(data, codebook), figures[figures["figure_id"] == "T3_21"], codebook).iloc[0]
    for column in ("estimate", "se", "ci_low", "ci_high", "n", "n_missing"):
        assert ours.loc["Black or Black British", column] == pytest.approx(theirs[column], abs=1e-12)
    assert ours["threshold"].eq(0.5).all()
    assert ours["item_label"].eq("Police and criminal justice").all()


def test_single_code_groups_match_proportion_on_the_raw_codes(data):
    grouped = collapse_categories(data, "sex", {"Fathers": [1], "Mothers": [2]})
    ours = proportions_across(data, "immigration", grouped)
    codebook = load_codebook()
    raw = proportion(SurveyDesign(data, "weight"), "immigration", [1, 2], by="sex",
                     missing_values=codebook.missing_codes("immigration"))
    np.testing.assert_allclose(ours["estimate"], raw["estimate"], atol=1e-14)
    np.testing.assert_allclose(ours["se"], raw["se"], atol=1e-14)
    assert ours["sex_group"].tolist() == ["Fathers", "Mothers"]


def test_not_stated_is_reported_not_dropped(refused):
    grouped = collapse_categories(refused, "ethnic_group", ETHNIC)
    table = proportions_across(refused, POLICE, grouped)
    assert table["ethnic_group_group"].tolist()[-1] == NOT_STATED
    assert int(table["n"].sum() + table["n_missing"].sum()) == len(refused)


# --- rao_scott_across -----------------------------------------------------------------------------

def test_without_missing_groups_it_is_rao_scott_on_the_merged_column(data):
    grouped = collapse_categories(data, "ethnic_group", ETHNIC)
    ours = rao_scott_across(data, POLICE, grouped).iloc[0]
    direct = rao_scott_test(SurveyDesign(data.assign(g=grouped.astype(str)), "weight"), POLICE, [1, 2],
                            by="g", missing_values=[8, 9]).iloc[0]
    for column in ("statistic", "ndf", "ddf", "p_value", "chisq", "n", "n_groups"):
        assert ours[column] == pytest.approx(direct[column], rel=1e-12)
    assert ours["n_not_stated"] == 0
    assert ours["min_group_base"] == int(((data["ethnic_group"] == 3) & data[POLICE].isin([1, 2, 3, 4, 5])).sum())


def test_parents_with_no_stated_group_are_out_of_the_base(refused):
    grouped = collapse_categories(refused, "ethnic_group", ETHNIC)
    ours = rao_scott_across(refused, POLICE, grouped).iloc[0]
    out = (grouped == NOT_STATED).to_numpy()
    valid = refused[POLICE].isin([1, 2, 3, 4, 5]).to_numpy()
    assert ours["n_not_stated"] == 10
    assert ours["n"] == int((valid & ~out).sum())
    # their answers do not matter ...
    flipped = refused.copy()
    flipped.loc[out, POLICE] = np.where(flipped.loc[out, POLICE] == 1, 5, 1)
    again = rao_scott_across(flipped, POLICE, collapse_categories(flipped, "ethnic_group", ETHNIC)).iloc[0]
    assert again["statistic"] == pytest.approx(ours["statistic"], rel=1e-12)
    # ... and it makes no difference which named group holds them while their answers are missing
    for level in ETHNIC:
        placed = refused.assign(g=np.where(out, level, grouped.astype(str)),
                                **{POLICE: refused[POLICE].where(~out, np.nan)})
        direct = rao_scott_test(SurveyDesign(placed, "weight"), POLICE, [1, 2], by="g",
                                missing_values=[8, 9]).iloc[0]
        for column in ("statistic", "ndf", "ddf", "p_value", "n"):
            assert ours[column] == pytest.approx(direct[column], rel=1e-12)


def test_group_with_too_few_answers_is_an_error(data):
    grouped = collapse_categories(data, "ethnic_group", ETHNIC)
    base = int(((data["ethnic_group"] == 3) & data[POLICE].isin([1, 2, 3, 4, 5])).sum())
    with pytest.raises(ValueError, match=rf"'Black or Black British' \({base}\)"):
        rao_scott_across(data, POLICE, grouped, min_base=base + 1)


def test_needs_two_named_groups_and_a_known_item(data):
    one = collapse_categories(data, "ethnic_group", {"Everyone": [1, 2, 3, 4, 5, 6]})
    with pytest.raises(ValueError, match="at least two"):
        rao_scott_across(data, POLICE, one)
    grouped = collapse_categories(data, "ethnic_group", ETHNIC)
    with pytest.raises(ValueError, match="'sex' is not a question"):
        rao_scott_across(data, "sex", grouped)
    with pytest.raises(ValueError, match="named Series"):
        rao_scott_across(data, POLICE, grouped.rename(None))
    with pytest.raises(ValueError, match="indexed like the data"):
        rao_scott_across(data, POLICE, grouped.iloc[:-1])
