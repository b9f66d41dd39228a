"""Tests for social_licence.study.codebook: structure, validation and subgroup membership.

References: the codes and subgroup definitions are those written in data/codebook.yml; expected
memberships below are worked out by hand from those definitions.
"""
import dataclasses

import pandas as pd
import pytest
import yaml
from social_licence.study.codebook import load_codebook, parse_codebook
from social_licence.study.paths import CODEBOOK_PATH
from social_licence.study.published import load_published

PUBLISHED_GROUPS = {
    "black", "white_british", "nssec_managerial_professional", "nssec_semi_routine_routine",
    "degree_or_above", "no_qualifications", "income_over_3700", "income_under_1200",
    "higher_occupation_qualification_income", "lone_parent", "age_18_29", "household_5_plus",
}


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture
def raw():
    """The codebook YAML as a fresh dict, for building variants."""
    return yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))


def test_every_published_item_and_group_is_defined(codebook):
    figures = load_published(codebook=codebook)
    attitude = figures[figures["measure"] != "sample_composition"]
    assert set(attitude["item"]) == set(codebook.items)
    assert PUBLISHED_GROUPS <= set(codebook.subgroups)
    composition = figures.loc[figures["measure"] == "sample_composition", "item"]
    assert set(composition) <= set(codebook.subgroups)


def test_scales_collapse_to_k_options(codebook):
    assert codebook.items["records_collected"].k == 2
    assert codebook.items["records_collected"].counted_codes == (1,)
    trust = codebook.items["immigration"]
    assert trust.k == 3 and trust.counted_codes == (1, 2) and trust.supportive_codes == (1, 2)
    outsourcing = codebook.items["companies_using_algorithms_to_target_services"]
    assert outsourcing.counted_codes == (4, 5) and outsourcing.supportive_codes == (1, 2)
    assert codebook.items["records_linkable"].supportive_codes is None
    for item in codebook.items.values():
        assert set(item.missing) == {8, 9}
        assert item.wording


def test_labels_and_missing_codes(codebook):
    assert codebook.labels("sex") == {1: "Male (father)", 2: "Female (mother)", 9: "Refused"}
    assert codebook.missing_codes("immigration") == (8, 9)
    assert codebook.labels("records_collected")[8] == "Don't know"
    with pytest.raises(KeyError, match="weight"):
        codebook.labels("weight")


def test_columns_order(codebook):
    assert codebook.columns[:2] == ("id", "weight")
    assert codebook.id_variable == "id" and codebook.weight_variable == "weight"
    assert len(codebook.columns) == 2 + 9 + 18


def test_codebook_is_frozen(codebook):
    with pytest.raises(dataclasses.FrozenInstanceError):
        codebook.items = {}
    with pytest.raises(TypeError):
        codebook.items["immigration"] = None
    with pytest.raises(TypeError):
        codebook.variables["sex"].codes[3] = "Other"


def test_subgroup_indicators_by_hand(codebook):
    people = pd.DataFrame({
        "sex": [2, 1, 9],
        "age_band": [1, 3, 2],
        "household_type": [2, 1, 3],
        "household_size": [2, 5, 6],
        "nssec": [5, 1, 8],            # 8: not classifiable (missing)
        "qualification": [6, 3, 1],
        "income_band": [1, 3, 4],
        "tenure": [3, 2, 1],
        "ethnic_group": [3, 1, 2],
    }, index=[10, 11, 12])
    got = codebook.subgroup_indicators(people)
    assert list(got.index) == [10, 11, 12]
    assert got.dtypes.eq(bool).all()
    expected = {
        "mothers": [True, False, False], "fathers": [False, True, False],
        "lone_parent": [True, False, False], "two_parent_household": [False, True, False],
        "household_5_plus": [False, True, True], "age_18_29": [True, False, False],
        "nssec_managerial_professional": [False, True, False],
        "nssec_semi_routine_routine": [True, False, False],
        "degree_or_above": [False, False, True], "no_qualifications": [True, False, False],
        "income_over_3700": [False, False, True], "income_3700_or_under": [True, True, False],
        "income_under_1200": [True, False, False], "owner_occupier": [False, True, True],
        "white_british": [False, True, False], "minority_ethnic": [True, False, False],
        "black": [True, False, False],
        # any of managerial/professional, degree, income > £3,700
        "higher_occupation_qualification_income": [False, True, True],
    }
    for key, values in expected.items():
        assert got[key].tolist() == values, key


def test_higher_ses_definition_is_one_edit_away(raw):
    people = pd.DataFrame({"sex": [1, 1], "age_band": [2, 2], "household_type": [1, 1],
                           "household_size": [4, 4], "nssec": [1, 1], "qualification": [1, 3],
                           "income_band": [5, 5], "tenure": [2, 2], "ethnic_group": [1, 1]})
    assert parse_codebook(raw).subgroup_indicators(people)["higher_occupation_qualification_income"].tolist() == [True, True]
    raw["subgroups"]["higher_occupation_qualification_income"]["combine"] = "all"
    assert parse_codebook(raw).subgroup_indicators(people)["higher_occupation_qualification_income"].tolist() == [True, False]


def test_unquoted_yes_is_rejected(raw):
    raw["scales"]["yes_no"]["collapse"] = {True: [1], False: [2]}  # what YAML makes of bare yes/no
    with pytest.raises(ValueError, match="yes_no.*not text"):
        parse_codebook(raw)


@pytest.mark.parametrize("edit, message", [
    (lambda r: r["items"]["immigration"].update(block="nowhere"), "immigration.*unknown block 'nowhere'"),
    (lambda r: r["items"]["immigration"].update(counted="agree"), "'immigration' counted answer 'agree'"),
    (lambda r: r["subgroups"]["black"]["conditions"][0].update(codes=[7]), r"black.*codes \[7\]"),
    (lambda r: r["subgroups"]["black"].update(combine="either"), "'black' combine"),
    (lambda r: r["variables"]["sex"].update(missing={2: "Refused"}), r"sex.*\[2\] as both"),
    (lambda r: r["subgroups"].update(sex=r["subgroups"]["black"]), r"names used twice.*'sex'"),
    (lambda r: r["scales"]["trust_5"]["collapse"].update(neither=[3, 4]), "'trust_5' collapse must use each"),
], ids=["block", "counted", "subgroup-code", "combine", "code-twice", "name-clash", "collapse"])
def test_inconsistent_codebook_is_rejected(raw, edit, message):
    edit(raw)
    with pytest.raises(ValueError, match=message):
        parse_codebook(raw)


def test_name_of_gives_the_short_label_of_a_question_a_subgroup_or_all():
    codebook = load_codebook()
    assert codebook.name_of("all") == "All parents"
    assert codebook.name_of("immigration") == codebook.items["immigration"].label
    assert codebook.name_of("black") == codebook.subgroups["black"].label
    with pytest.raises(KeyError, match="nobody"):
        codebook.name_of("nobody")


def test_every_counted_label_starts_with_the_answer_its_figures_count(codebook):
    """The label says which answer is counted, capitalised, then the question's label from its
    second character on (lower-cased first letter), e.g. 'Trust: immigration services'."""
    for key, item in codebook.items.items():
        label = codebook.counted_label(key)
        assert label == f"{item.counted.capitalize()}: {item.label[0].lower()}{item.label[1:]}", key
        assert label.startswith(item.counted.capitalize() + ": ")
    assert codebook.counted_label("immigration") == "Trust: immigration services"
    with pytest.raises(KeyError):
        codebook.counted_label("nobody")


def test_a_counted_answer_that_is_not_agreement_says_so(codebook):
    """Items whose published figures count disagreement or unacceptability (data/codebook.yml):
    their rows must never read as agreement."""
    against = {key: item.counted for key, item in codebook.items.items()
               if item.counted in ("disagree", "unacceptable")}
    assert against == {"families_understand_how_records_used": "disagree",
                       "linked_records_factual_and_unbiased": "disagree",
                       "companies_using_algorithms_to_target_services": "unacceptable"}
    assert codebook.counted_label("linked_records_factual_and_unbiased") == \
        "Disagree: linked records give factual, unbiased information"
    assert codebook.counted_label("companies_using_algorithms_to_target_services").startswith("Unacceptable: ")
    assert codebook.counted_label("families_understand_how_records_used").startswith("Disagree: ")
    for key in against:
        assert not codebook.counted_label(key).startswith(("Agree", "Acceptable"))
