"""Tests for social_licence.survey.disclosure: the rules file, the primary rules at their boundaries,
rounding, secondary suppression, differencing, the checker's table, the ACRO-format results and the
formatter.

Every expected answer is worked out by hand in the test: the small weighted tables below are built
so that their small cells are known (a group of 8, a complement of 5, one dominant weight).
"""
import hashlib
import json
from dataclasses import FrozenInstanceError, asdict, replace

import numpy as np
import pandas as pd
import pytest
from social_licence.study.paths import PROJECT_ROOT
from social_licence.survey.design import kish_design_effect
from social_licence.survey.disclosure import (
    ACRO_RESULTS_VERSION,
    CHECK_COLUMNS,
    DisclosureRules,
    Relation,
    check_counts,
    check_estimates,
    checks_table,
    differencing_pairs,
    load_rules,
    round_count,
    secondary_suppression,
    shown_value,
    symbol_notes,
    write_acro_results,
    write_checks,
)

RULES = DisclosureRules()


# --- the rules file ---------------------------------------------------------------------------

def test_the_shipped_rules_file_holds_the_defaults():
    assert load_rules(PROJECT_ROOT / "data" / "disclosure_rules.yml") == RULES
    assert (RULES.safe_threshold, RULES.safe_round_base, RULES.min_effective_n) == (10, 5, None)
    assert RULES.apply_threshold_to_complement and RULES.zeros_are_disclosive and RULES.secondary_suppression
    assert RULES.suppressed_symbol == "[c]"


def test_rules_are_frozen():
    with pytest.raises(FrozenInstanceError):
        RULES.safe_threshold = 5


def test_a_missing_key_takes_its_default(tmp_path):
    path = tmp_path / "rules.yml"
    path.write_text("safe_threshold: 8\nmin_effective_n: 50\n", encoding="utf-8")
    assert load_rules(path) == replace(RULES, safe_threshold=8, min_effective_n=50)


@pytest.mark.parametrize("text, message", [
    ("safe_treshold: 10", r"unknown key\(s\) 'safe_treshold'; the keys are safe_threshold, "),
    ("safe_threshold: -3", r"safe_threshold must be at least 1; got -3"),
    ("safe_threshold: 0", r"safe_threshold must be at least 1; got 0"),
    ("safe_threshold: 10.5", r"safe_threshold must be a whole number such as 10; got 10.5 \(float\)"),
    ("safe_threshold: 10.0", r"safe_threshold must be a whole number such as 10; got 10.0 \(float\)"),
    ("safe_threshold: true", r"safe_threshold must be a whole number such as 10; got True \(bool\)"),
    ("safe_threshold: '10'", r"safe_threshold must be a whole number such as 10; got '10' \(str\)"),
    ("safe_round_base: 0", r"safe_round_base must be at least 1; got 0"),
    ("min_effective_n: 0", r"min_effective_n must be at least 1; got 0 \(write null to switch the rule off\)"),
    ("zeros_are_disclosive: 1", r"zeros_are_disclosive must be true or false; got 1 \(int\)"),
    ("secondary_suppression: sometimes", r"secondary_suppression must be true or false; got 'sometimes' \(str\)"),
    ("suppressed_symbol: ''", r"suppressed_symbol must be a non-empty text without digits; got ''"),
    ("rounded_mark: '~5'", r"rounded_mark must be a non-empty text without digits; got '~5'"),
    ("- safe_threshold: 10", r"must map rule keys to values; got list"),
    ("", r"must map rule keys to values; got NoneType"),
    ("safe_threshold: [10", r"cannot read disclosure rules file"),
], ids=["unknown", "negative", "zero", "fraction", "float", "bool", "string", "round-zero", "neff-zero",
        "switch-int", "switch-string", "empty-symbol", "digit-mark", "list", "empty-file", "bad-yaml"])
def test_a_bad_rules_file_is_refused_naming_the_key(tmp_path, text, message):
    path = tmp_path / "rules.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_rules(path)


def test_rules_built_in_code_are_checked_too():
    with pytest.raises(ValueError, match=r"disclosure rules: safe_round_base must be at least 1; got -5"):
        DisclosureRules(safe_round_base=-5)


# --- primary rules for estimates ----------------------------------------------------------------

def test_numerator_boundary_9_10_11():
    checked = check_estimates([9, 10, 11], [300, 300, 300], RULES)
    assert checked["result"].tolist() == ["suppressed", "pass", "pass"]
    assert checked["rule"].tolist() == ["min_count_numerator", "none", "none"]


def test_denominator_boundary_9_10_11_decides_before_the_numerator():
    rules = replace(RULES, apply_threshold_to_complement=False)
    checked = check_estimates([9, 10, 10], [9, 10, 11], rules)
    assert checked["result"].tolist() == ["suppressed", "pass", "pass"]
    assert checked["rule"].tolist() == ["min_count_denominator", "none", "none"]
    assert checked["unweighted_base"].tolist() == [9, 10, 11]


def test_complement_boundary_97_percent_of_300_reveals_9():
    checked = check_estimates([291, 290, 289], [300, 300, 300], RULES)
    assert checked["result"].tolist() == ["suppressed", "pass", "pass"]
    assert checked["rule"].tolist() == ["min_count_complement", "none", "none"]
    off = check_estimates([291], [300], replace(RULES, apply_threshold_to_complement=False))
    assert off["result"].tolist() == ["pass"]


def test_zero_numerator_and_zero_complement():
    checked = check_estimates([0, 300], [300, 300], RULES)
    assert checked["rule"].tolist() == ["min_count_numerator", "min_count_complement"]
    allowed = check_estimates([0, 300], [300, 300], replace(RULES, zeros_are_disclosive=False))
    assert allowed["result"].tolist() == ["pass", "pass"]
    # a zero base is never allowed
    assert check_estimates([0], [0], replace(RULES, zeros_are_disclosive=False))["rule"].tolist() == [
        "min_count_denominator"]


def weighted_table() -> pd.DataFrame:
    """A respondent file with known small cells: group A 40 (28 yes, 12 no), B 8 (6 yes), C 30 (25 yes, 5 no),
    D 20 (10 yes) where one respondent's weight is 20 and the other 19 weigh 1."""
    groups = ["A"] * 40 + ["B"] * 8 + ["C"] * 30 + ["D"] * 20
    yes = [True] * 28 + [False] * 12 + [True] * 6 + [False] * 2 + [True] * 25 + [False] * 5 + [True] * 10 + [False] * 10
    weights = [1.5] * 20 + [0.5] * 20 + [1.0] * 8 + [2.0] * 30 + [20.0] + [1.0] * 19
    return pd.DataFrame({"group": groups, "yes": yes, "w": weights})


def test_rules_on_a_hand_made_weighted_table():
    data = weighted_table()
    by = data.groupby("group")
    table = pd.DataFrame({"numerator": by["yes"].sum(), "base": by.size(),
                          "percent": by.apply(lambda g: 100 * (g["w"] * g["yes"]).sum() / g["w"].sum()),
                          "n_eff": by["w"].apply(lambda w: len(w) / kish_design_effect(w))})
    # hand values: A 28 yes of 40, weights 1.5 x 20 then 0.5 x 20: (20 * 1.5 + 8 * 0.5) / 40 = 85%
    assert table.loc["A", "percent"] == pytest.approx(85.0)
    # D: n_eff = (sum w)^2 / sum w^2 = 39^2 / (400 + 19) = 3.63
    assert table.loc["D", "n_eff"] == pytest.approx(39**2 / 419)
    checked = check_estimates(table["numerator"], table["base"], RULES, effective_n=table["n_eff"])
    assert checked["result"].to_dict() == {"A": "pass", "B": "suppressed", "C": "suppressed", "D": "pass"}
    assert checked["rule"].to_dict() == {"A": "none", "B": "min_count_denominator", "C": "min_count_complement",
                                         "D": "none"}
    strict = check_estimates(table["numerator"], table["base"], replace(RULES, min_effective_n=10),
                             effective_n=table["n_eff"])
    assert strict["rule"].to_dict() == {"A": "none", "B": "min_count_denominator", "C": "min_count_complement",
                                        "D": "min_effective_n"}


def test_effective_n_is_required_when_its_rule_is_on():
    with pytest.raises(ValueError, match=r"min_effective_n = 50: give each estimate's effective sample size"):
        check_estimates([20], [100], replace(RULES, min_effective_n=50))


@pytest.mark.parametrize("numerator, denominator, message", [
    ([12], [10], r"numerator above its denominator in 1 of 1 estimates: '12 of 10'"),
    ([-1, 3], [10, 10], r"numerator: counts must be whole numbers of 0 or more; 1 of 2 are not \(-1\)"),
    ([2.5], [10], r"numerator: .* 1 of 1 are not \(2.5\)"),
    ([1], [np.nan], r"denominator: .* 1 of 1 are not \(nan\)"),
    (["3"], [10], r"numerator: counts must be numbers; got '3'"),
    ([1, 2], [10], r"differ in length \(2 and 1\)"),
    (pd.Series([1, 2], index=["a", "b"]), pd.Series([10, 20], index=["b", "a"]), r"must share one index"),
], ids=["above", "negative", "fraction", "missing", "text", "length", "index"])
def test_bad_estimate_inputs_are_refused(numerator, denominator, message):
    with pytest.raises(ValueError, match=message):
        check_estimates(numerator, denominator, RULES)


# --- counts -----------------------------------------------------------------------------------

def test_counts_are_suppressed_below_the_threshold_and_otherwise_rounded_to_5():
    checked = check_counts(pd.Series([12, 13, 7, 0, 9, 10, 15], index=list("abcdefg")), RULES)
    assert checked["released"].tolist() == [10, 15, pd.NA, pd.NA, pd.NA, 10, 15]
    assert checked["result"].tolist() == ["rounded", "rounded", "suppressed", "suppressed", "suppressed",
                                          "rounded", "rounded"]
    assert checked["rule"].tolist() == ["rounding"] * 2 + ["min_count"] * 3 + ["rounding"] * 2
    assert list(checked.index) == list("abcdefg")


def test_a_zero_count_is_shown_when_zeros_are_not_disclosive():
    checked = check_counts([0, 7], replace(RULES, zeros_are_disclosive=False))
    assert checked["released"].tolist() == [0, pd.NA] and checked["result"].tolist() == ["pass", "suppressed"]


def test_round_base_1_releases_exact_counts_and_other_bases_round_halves_up():
    assert check_counts([13], replace(RULES, safe_round_base=1))[["released", "result"]].values.tolist() == [[13, "pass"]]
    assert check_counts([15, 25, 14], replace(RULES, safe_round_base=10))["released"].tolist() == [20, 30, 10]
    assert [round_count(c, 5) for c in (10, 12, 13, 17, 18, 1002)] == [10, 10, 15, 15, 20, 1000]


# --- secondary suppression ---------------------------------------------------------------------

def test_one_small_cell_in_a_row_with_its_total_forces_a_second_suppression():
    counts = pd.Series({"yes": 5, "no": 20, "unsure": 30, "total": 55})
    primary = pd.Series({"yes": True, "no": False, "unsure": False, "total": False})
    result = secondary_suppression(counts, primary, [Relation(("yes", "no", "unsure"), "total")], RULES)
    assert result["rule"].to_dict() == {"yes": "primary", "no": "secondary", "unsure": "none", "total": "none"}
    assert result.loc["no", "protects"] == "yes"
    # shown: unsure 30 and total 55, so only yes + no = 25 is known
    off = secondary_suppression(counts, primary, [Relation(("yes", "no", "unsure"), "total")],
                                replace(RULES, secondary_suppression=False))
    assert off["suppressed"].tolist() == [True, False, False, False]


def test_two_small_cells_of_a_row_protect_each_other():
    counts = pd.Series({"a": 5, "b": 6, "c": 30, "total": 41})
    primary = pd.Series({"a": True, "b": True, "c": False, "total": False})
    result = secondary_suppression(counts, primary, [Relation(("a", "b", "c"), "total")], RULES)
    assert result["suppressed"].tolist() == [True, True, False, False]


def test_answer_counts_summing_to_the_files_rows_hide_the_smallest_other_answer():
    """The rows of the file are public (total None): the next smallest answer is withheld."""
    counts = pd.Series({"agree": 500, "neither": 300, "disagree": 40, "dont_know": 3})
    primary = pd.Series({"agree": False, "neither": False, "disagree": False, "dont_know": True})
    result = secondary_suppression(counts, primary, [Relation(tuple(counts.index))], RULES)
    assert result.index[result["suppressed"]].tolist() == ["disagree", "dont_know"]


def test_a_two_way_table_with_margins_hides_a_rectangle():
    """a11 = 4 is small; hiding one more cell of its row or column still leaves it recoverable from the
    other margin, so the four inner cells are withheld and the margins shown."""
    counts = pd.Series({"a11": 4, "a12": 30, "a21": 25, "a22": 40, "r1": 34, "r2": 65, "c1": 29, "c2": 70, "t": 99})
    primary = pd.Series(counts.index == "a11", index=counts.index)
    relations = [Relation(("a11", "a12"), "r1"), Relation(("a21", "a22"), "r2"), Relation(("a11", "a21"), "c1"),
                 Relation(("a12", "a22"), "c2"), Relation(("r1", "r2"), "t"), Relation(("c1", "c2"), "t")]
    result = secondary_suppression(counts, primary, relations, RULES)
    assert result.index[result["suppressed"]].tolist() == ["a11", "a12", "a21", "a22"]
    assert result.loc["a21", "rule"] == "secondary"


def test_a_cell_fixed_by_public_totals_alone_cannot_be_protected():
    with pytest.raises(ValueError, match=r"'only' can be worked out from public totals alone"):
        secondary_suppression(pd.Series({"only": 4}), pd.Series({"only": True}), [Relation(("only",))], RULES)


def test_a_relation_naming_an_unknown_cell_is_refused():
    with pytest.raises(ValueError, match=r"relations name 1 cell\(s\) not among the 2 cells: 'c'"):
        secondary_suppression(pd.Series({"a": 4, "b": 20}), pd.Series({"a": True, "b": False}),
                              [Relation(("a", "b"), "c")], RULES)


# --- differencing -----------------------------------------------------------------------------

def test_nested_groups_of_100_and_95_reveal_5():
    members = pd.DataFrame({"all": [True] * 100, "answered": [True] * 95 + [False] * 5,
                            "half": [True] * 50 + [False] * 50})
    pairs = differencing_pairs(members, RULES)
    assert pairs.to_dict("records") == [{"smaller": "answered", "larger": "all", "n_smaller": 95, "n_larger": 100,
                                         "difference": 5, "suppress": "answered"}]
    assert differencing_pairs(members, RULES, released=["all", "half"]).empty


def test_differences_at_the_threshold_and_groups_not_nested():
    members = pd.DataFrame({"all": [True] * 100, "minus_9": [True] * 91 + [False] * 9,
                            "minus_10": [True] * 90 + [False] * 10,
                            "shifted": [False] * 5 + [True] * 95,   # 95, but not inside minus_9
                            "same": [True] * 100})
    pairs = differencing_pairs(members, RULES)
    assert pairs[["smaller", "larger", "difference"]].values.tolist() == [
        ["minus_10", "minus_9", 1], ["shifted", "all", 5], ["shifted", "same", 5],
        ["minus_9", "all", 9], ["minus_9", "same", 9]]


def test_a_chain_of_nested_groups_is_resolved_by_withholding_as_few_as_possible():
    members = pd.DataFrame({"all": [True] * 100, "sub1": [True] * 95 + [False] * 5,
                            "sub2": [True] * 92 + [False] * 8})
    pairs = differencing_pairs(members, RULES)
    assert pairs[["smaller", "larger", "difference", "suppress"]].values.tolist() == [
        ["sub2", "sub1", 3, "sub2"], ["sub1", "all", 5, "sub1"], ["sub2", "all", 8, "sub2"]]


def test_differencing_refuses_non_boolean_groups_and_unknown_names():
    with pytest.raises(ValueError, match=r"must be boolean .* 'g' \(3 rows\)"):
        differencing_pairs(pd.DataFrame({"g": [1, 0, 1]}), RULES)
    with pytest.raises(ValueError, match=r"released groups not among the 1 columns of members: 'h'"):
        differencing_pairs(pd.DataFrame({"g": [True, False]}), RULES, released=["h"])


# --- the checker's table, the ACRO results, the formatter -----------------------------------

def checked_page() -> pd.DataFrame:
    estimates = check_estimates([28, 6], [40, 8], RULES).assign(key=["a_yes", "b_yes"], page="groups",
                                                               shown=["85", "[c]"])
    counts = check_counts([40, 8], RULES).assign(key=["a_n", "b_n"], page="groups", shown=["≈40", "[c]"])
    return checks_table(estimates, counts)


def test_checks_table_has_the_checkers_columns_first():
    table = checked_page()
    assert tuple(table.columns[:len(CHECK_COLUMNS)]) == CHECK_COLUMNS == (
        "key", "page", "unweighted_base", "numerator", "rule", "result")
    assert {"shown", "released", "effective_n"} <= set(table.columns)
    assert table[["key", "unweighted_base", "rule", "result"]].values.tolist() == [
        ["a_yes", 40, "none", "pass"], ["b_yes", 8, "min_count_denominator", "suppressed"],
        ["a_n", 40, "rounding", "rounded"], ["b_n", 8, "min_count", "suppressed"]]


def test_write_checks_round_trips(tmp_path):
    path = write_checks(checked_page(), tmp_path / "release")
    assert path.name == "checks.csv"
    assert pd.read_csv(path)["result"].tolist() == ["pass", "suppressed", "rounded", "suppressed"]


@pytest.mark.parametrize("change, message", [
    (lambda t: t.assign(key="same"), r"repeated or missing: 'same' in 4 of 4 rows"),
    (lambda t: t.assign(result=["pass", "hidden", "pass", "pass"]), r"result must be one of .*'hidden' in 1 of 4"),
    (lambda t: t.assign(rule="guess"), r"rule must be one of .*'guess' in 4 of 4"),
    (lambda t: t.drop(columns="page"), r"lack column\(s\) 'page'"),
], ids=["repeated-key", "bad-result", "bad-rule", "missing-column"])
def test_checks_table_refuses_bad_rows(change, message):
    with pytest.raises(ValueError, match=message):
        checks_table(change(checked_page()))


def test_acro_results_file(tmp_path):
    (tmp_path / "groups.html").write_text("<p>85 [c]</p>", encoding="utf-8")
    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "groups.csv").write_text("key,shown\na_yes,85\n", encoding="utf-8")
    (tmp_path / "about.html").write_text("<p>published only</p>", encoding="utf-8")
    files = {"groups": ["groups.html", "downloads/groups.csv"], "about": ["about.html"]}
    path = write_acro_results(checked_page(), tmp_path, files, RULES, timestamp="2025-01-01T00:00:00+00:00")
    results = json.loads(path.read_text(encoding="utf-8"))
    assert results["version"] == ACRO_RESULTS_VERSION
    groups, about = results["results"]["groups"], results["results"]["about"]
    # what the SACRO viewer checks of every output, and what ACRO's load_records reads
    for output in (groups, about):
        assert {"uid", "status", "type", "properties", "files", "outcome", "command", "summary", "timestamp",
                "comments", "exception", "fair"} <= set(output)
        assert all("name" in f and "sdc" in f for f in output["files"]) and output["files"]
    assert [f["name"] for f in groups["files"]] == files["groups"]
    assert groups["status"] == "review" and "applied in the build" in groups["exception"]
    assert groups["files"][0]["sdc"]["summary"] == {"min_count": 1, "min_count_denominator": 1, "rounding": 1}
    assert groups["outcome"]["result"] == {"a_yes": "pass", "b_yes": "suppressed", "a_n": "rounded", "b_n": "suppressed"}
    assert groups["summary"] == "pass: 1; rounded: 1; suppressed: 2"
    assert about["status"] == "pass" and about["exception"] == "" and about["outcome"]["result"] == {}
    assert json.loads((tmp_path / "config.json").read_text(encoding="utf-8")) == asdict(RULES)
    csv_sum = (tmp_path / "checksums" / "downloads" / "groups.csv.txt").read_text(encoding="utf-8")
    assert csv_sum == hashlib.sha256((tmp_path / "downloads" / "groups.csv").read_bytes()).hexdigest()


def test_acro_results_need_every_page_and_file(tmp_path):
    with pytest.raises(ValueError, match=r"no released files given for page\(s\) 'groups'"):
        write_acro_results(checked_page(), tmp_path, {}, RULES)
    with pytest.raises(ValueError, match=r"released file\(s\) not in .*: 'groups.html'"):
        write_acro_results(checked_page(), tmp_path, {"groups": ["groups.html"]}, RULES)


def test_shown_value_uses_one_symbol_and_one_mark():
    assert shown_value(48.6, "suppressed", RULES) == "[c]"
    assert shown_value(13, "rounded", RULES) == "≈15"
    assert shown_value(12.0, "rounded", RULES) == "≈10"
    assert shown_value(48.6, "pass", RULES) == "49"
    assert shown_value(48.64, "pass", RULES, spec=".1f") == "48.6"
    other = replace(RULES, suppressed_symbol="*", rounded_mark="~", safe_round_base=10)
    assert (shown_value(3, "suppressed", other), shown_value(15, "rounded", other)) == ("*", "~20")
    with pytest.raises(ValueError, match=r"result must be one of pass, rounded, suppressed; got 'hidden'"):
        shown_value(1, "hidden", RULES)
    with pytest.raises(ValueError, match=r"rounded count: .* 1 of 1 are not \(12.5\)"):
        shown_value(12.5, "rounded", RULES)


def test_symbol_notes_explain_the_symbol_and_the_mark():
    assert symbol_notes(RULES) == {
        "[c]": "withheld: fewer than 10 respondents are behind it, or it would let a withheld value be worked out",
        "≈": "rounded to the nearest 5"}
