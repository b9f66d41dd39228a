"""One family of comparisons: each published group against the rest, adjusted once.

References: the gap formula (P_group - P_all) / (1 - s) and its t test checked by hand on T3_21
(28% of 42 Black parents against 49% of all 843) with scipy's t distribution; the adjustments
against statsmodels' multipletests over the whole family at each design effect; the rounding check
recomputed by hand, on a two-figure family made here (43% of a fifth of the sample against 50% of
all, whose significance flips within the printed figures' rounding) and on the whole published
family; the pattern tests' mean gap, standard-error bound and t test by hand, and the bound
against the exact standard error of a mean of correlated gaps (Hypothesis, random correlation
matrices); the file's contrasts against compare_with_rest, which is itself checked against R's
svycontrast and svyttest in tests/survey/test_compare.py.
"""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from statsmodels.stats.multitest import multipletests

from social_licence.analysis import contrasts, derived
from social_licence.study.recompute import file_design
from social_licence.survey.compare import compare_with_rest

DEFFS = (1.0, 2.0)
FAMILY_COLUMNS = ["figure_id", "measure", "item", "group", "published", "published_all", "k"]


@pytest.fixture(scope="module")
def family(published, sizes):
    return contrasts.derived_family(published, sizes, deffs=DEFFS)


@pytest.fixture(scope="module")
def design(survey, codebook):
    return file_design(survey.data, codebook)


@pytest.fixture(scope="module")
def from_file(design, published, codebook):
    return contrasts.file_contrasts(design, published, codebook)


def t_test(p_group, p_all, share, n_group, n_rest, deff):
    """(gap, se, p) of a group against the rest, by hand (the module docstring's formulas)."""
    rest = (p_all - share * p_group) / (1 - share)
    gap = p_group - rest
    se = np.sqrt(deff * (p_group * (1 - p_group) / n_group + rest * (1 - rest) / n_rest))
    return gap, se, 2 * stats.t.sf(np.abs(gap / se), n_group + n_rest - 2)


def tiny(percent_group: float, percent_all: float = 50.0, share: float = 20.0):
    """A published family of one contrast: a group of ``share``% of the sample against all parents."""
    published = pd.DataFrame({"figure_id": ["A", "G"], "measure": ["m", "m"], "item": ["q", "q"],
                              "group": ["all", "g"], "percent": [percent_all, percent_group], "options": [3, 3]})
    sizes = pd.DataFrame({"group": ["all", "g"], "share": [100.0, share],
                          "size": pd.array([843, int(np.floor(843 * share / 100 + 0.5))], dtype="Int64")})
    return published, sizes


# --- the family ------------------------------------------------------------------------------------

def test_the_family_is_every_subgroup_figure_with_a_whole_sample_counterpart(published):
    family = contrasts.family(published)
    assert list(family.columns) == FAMILY_COLUMNS
    assert len(family) == 68 and family["figure_id"].is_unique
    assert not family["measure"].isin(["beliefs_about_linkage", "sample_composition"]).any()
    assert (family["group"] != "all").all()
    assert family.set_index("figure_id").loc["T3_21", ["published", "published_all"]].tolist() == [28.0, 49.0]


def test_the_derived_family_has_the_documented_columns(family):
    per_deff = [f"{name}@{d:g}" for d in DEFFS for name in ("se", "p_value", "p_holm", "p_fdr_bh")]
    assert list(family.columns) == [*FAMILY_COLUMNS, "share", "n_group", "n_rest", "rest", "gap", "df", *per_deff,
                                    "holds", "holds_at_lowest", "depends_on_deff", "depends_on_rounding",
                                    "size_known", "primary", "alpha", "deffs"]
    assert set(family["primary"]) == {"holm"} and set(family["deffs"]) == {"1 to 2"}
    assert family["alpha"].iloc[0] == pytest.approx(0.05)


def test_the_derived_gap_and_its_test_by_hand(family):
    """T3_21: the printed 5% of 843 (42 Black parents) against the other 801, at design effects 1 and 2."""
    row = family.set_index("figure_id").loc["T3_21"]
    assert row[["share", "n_group", "n_rest", "df"]].tolist() == [5.0, 42, 801, 841]
    rest = (0.49 - 0.05 * 0.28) / 0.95
    assert row["rest"] == pytest.approx(100 * rest) and row["gap"] == pytest.approx(100 * (0.28 - rest))
    for d in DEFFS:
        gap, se, p = t_test(0.28, 0.49, 0.05, 42, 801, d)
        assert row[f"se@{d:g}"] == pytest.approx(100 * se)
        assert row[f"p_value@{d:g}"] == pytest.approx(p, rel=1e-10)


def test_the_family_is_adjusted_once_at_each_design_effect_as_statsmodels_does(family):
    """Unknown sizes count as p = 1 and stay missing: household income under £1,200 is never sized."""
    unknown = family["p_value@1"].isna()
    assert sorted(family.loc[unknown, "figure_id"]) == ["T1_08", "T1_16"]
    assert (family["size_known"] == ~unknown).all()
    for d in DEFFS:
        filled = family[f"p_value@{d:g}"].fillna(1.0).to_numpy()
        for method in ("holm", "fdr_bh"):
            column = family[f"p_{method}@{d:g}"]
            np.testing.assert_allclose(column[~unknown], multipletests(filled, method=method)[1][~unknown],
                                       rtol=1e-12)
            assert column[unknown].isna().all()
    known = family[~unknown]
    assert (known["p_holm@1"] <= known["p_holm@2"] + 1e-12).all(), "a larger design effect never helps"


@pytest.mark.parametrize("level, primary", [(0.95, "holm"), (0.9, "holm"), (0.95, "fdr_bh"), (0.99, "fdr_bh")])
def test_holds_and_its_companions_follow_alpha_one_minus_level(published, sizes, level, primary):
    family = contrasts.derived_family(published, sizes, deffs=DEFFS, level=level, primary=primary)
    alpha = 1 - level
    assert family["alpha"].iloc[0] == pytest.approx(alpha) and set(family["primary"]) == {primary}
    assert (family["holds"] == (family[f"p_{primary}@2"] < alpha)).all()
    assert (family["holds_at_lowest"] == (family[f"p_{primary}@1"] < alpha)).all()
    assert (family["depends_on_deff"] == (family["holds_at_lowest"] & ~family["holds"])).all()
    assert not (family["holds"] & family["depends_on_deff"]).any()


def test_a_looser_level_or_procedure_holds_at_least_as_many(published, sizes, family):
    looser = contrasts.derived_family(published, sizes, deffs=DEFFS, level=0.9)
    assert looser["holds"].sum() >= family["holds"].sum()
    assert (looser["holds"] | ~family["holds"]).all(), "what holds at 5% holds at 10%"
    bh = contrasts.derived_family(published, sizes, deffs=DEFFS, primary="fdr_bh")
    assert (bh["holds"] | ~family["holds"]).all(), "Benjamini-Hochberg never rejects less than Holm"
    with pytest.raises(ValueError, match="primary='bonferroni' is not one of 'holm', 'fdr_bh'"):
        contrasts.derived_family(published, sizes, deffs=DEFFS, primary="bonferroni")


def test_the_answering_share_shrinks_both_bases(published, sizes, family):
    """Half answering: 42 Black parents give 21 answers and the other 801 give 401 (floor(400.5 + 0.5))."""
    half = contrasts.derived_family(published, sizes, deffs=DEFFS, answering_share=0.5).set_index("figure_id")
    assert half.loc["T3_21", ["n_group", "n_rest", "df"]].tolist() == [21, 401, 420]
    _, se, p = t_test(0.28, 0.49, 0.05, 21, 401, 2.0)
    assert half.loc["T3_21", "se@2"] == pytest.approx(100 * se) and half.loc["T3_21", "p_value@2"] == pytest.approx(p)
    full = family.set_index("figure_id")
    known = full["size_known"]
    assert (half.loc[known, "se@2"] > full.loc[known, "se@2"]).all()
    np.testing.assert_allclose(half["gap"], full["gap"])  # the gap is the printed figures'


def test_a_group_printed_at_the_whole_sample_s_figure_is_level_with_the_rest(family):
    """T2_16, lone parents on targeting services efficiently: 84%, as for all parents. The gap is
    exactly 0 (not 1e-14, which a sign count would read as "above")."""
    table = family.set_index("figure_id")
    level = table[table["published"] == table["published_all"]]
    assert "T2_16" in level.index
    assert (level["gap"] == 0).all() and np.allclose(level["rest"], level["published_all"], rtol=1e-12)


# --- the rounding check ------------------------------------------------------------------------------

def test_a_contrast_whose_significance_flips_within_rounding_depends_on_it():
    """43% of a group of 20% of the sample (169 parents) against 50% of all 843, at a design effect
    of 1: the gap is (43 - 50) / 0.8 = -8.75 points, p = 0.041. Moved to the ends of their rounding
    intervals that shrink the gap (43.5 and 49.5: -7.5 points) it gives p = 0.080, and to those that
    widen it (42.5 and 50.5: -10 points) p = 0.019 (both by hand with scipy's t): the verdict
    differs between the two. A family of one contrast: Holm's p is the raw p."""
    published, sizes = tiny(43.0)
    row = contrasts.derived_family(published, sizes, deffs=[1.0]).iloc[0]
    assert row[["n_group", "n_rest"]].tolist() == [169, 674]
    gap, se, p = t_test(0.43, 0.50, 0.2, 169, 674, 1.0)
    assert row["gap"] == pytest.approx(100 * gap) == pytest.approx(-8.75)
    assert row["p_holm@1"] == pytest.approx(p) and row["holds"]
    shrunk = t_test(0.435, 0.495, 0.2, 169, 674, 1.0)[2]
    widened = t_test(0.425, 0.505, 0.2, 169, 674, 1.0)[2]
    assert widened < 0.05 < shrunk
    assert row["depends_on_rounding"]


def test_a_contrast_far_from_the_line_does_not_depend_on_the_rounding():
    """30% against 50%: p < 0.05 in both rounding scenarios (by hand)."""
    published, sizes = tiny(30.0)
    row = contrasts.derived_family(published, sizes, deffs=[1.0]).iloc[0]
    assert t_test(0.305, 0.495, 0.2, 169, 674, 1.0)[2] < 0.05 and t_test(0.295, 0.505, 0.2, 169, 674, 1.0)[2] < 0.05
    assert row["holds"] and not row["depends_on_rounding"]
    level = contrasts.derived_family(*tiny(50.0), deffs=[1.0]).iloc[0]
    assert level["gap"] == 0 and not level["holds"] and not level["depends_on_rounding"]


def test_the_rounding_check_of_the_whole_family_recomputed_by_hand(family):
    """Every contrast's figures moved half a point towards each other (shrunk) and away (widened),
    tested at the upper design effect and Holm-adjusted over the 68 (statsmodels, unknown sizes
    as p = 1): depends_on_rounding where the two verdicts differ."""
    table = family
    share = table["share"].to_numpy() / 100
    n_group, n_rest = table["n_group"].to_numpy(), table["n_rest"].to_numpy()
    p_group, p_all = table["published"].to_numpy() / 100, table["published_all"].to_numpy() / 100
    direction = np.sign(p_group - p_all)
    held = {}
    for name, sign in (("shrunk", -1), ("widened", 1)):
        with np.errstate(invalid="ignore"):
            _, _, p = t_test(p_group + sign * direction * 0.005, p_all - sign * direction * 0.005, share,
                             n_group, n_rest, 2.0)
        p = np.where(direction == 0, 1.0, p)  # a level gap stays level in both
        held[name] = multipletests(np.nan_to_num(p, nan=1.0), method="holm")[1] < 0.05
    np.testing.assert_array_equal(table["depends_on_rounding"], held["shrunk"] != held["widened"])
    assert table["depends_on_rounding"].any()


# --- pattern tests --------------------------------------------------------------------------------------

def test_a_pattern_test_by_hand(family):
    """Degree holders on the two awareness questions (T1_05, T1_13): the mean of their two gaps, a
    standard error bounded by the mean of the two standard errors, and a t test on the smaller df."""
    patterns = contrasts.pattern_tests(family).set_index(["group", "measure"])
    part = family[(family["group"] == "degree_or_above") & (family["measure"] == "awareness")]
    assert part["figure_id"].tolist() == ["T1_05", "T1_13"]
    row = patterns.loc[("degree_or_above", "awareness")]
    assert row["n"] == 2 and row["below"] == 0 and row["above"] == 2
    assert row["mean_gap"] == pytest.approx(part["gap"].mean())
    for d in DEFFS:
        bound = part[f"se@{d:g}"].mean()
        assert row[f"se_bound@{d:g}"] == pytest.approx(bound)
        assert row[f"p_value@{d:g}"] == pytest.approx(2 * stats.t.sf(abs(part["gap"].mean() / bound),
                                                                     part["df"].min()))


def test_pattern_tests_cover_every_group_and_block_with_two_known_contrasts_adjusted_once(family):
    patterns = contrasts.pattern_tests(family, level=0.9)
    known = family[family["size_known"]]
    counts = known.groupby(["group", "measure"], sort=False).size()
    expected = [key for key, n in counts.items() if n >= 2]
    assert list(zip(patterns["group"], patterns["measure"])) == expected
    assert (patterns["below"] + patterns["above"] <= patterns["n"]).all()
    assert patterns["alpha"].iloc[0] == pytest.approx(0.1)
    for d in DEFFS:
        for method in ("holm", "fdr_bh"):
            np.testing.assert_allclose(patterns[f"p_{method}@{d:g}"],
                                       multipletests(patterns[f"p_value@{d:g}"], method=method)[1], rtol=1e-12)


def test_pattern_tests_of_a_file_family_use_its_single_standard_error(from_file):
    patterns = contrasts.pattern_tests(from_file)
    assert {"se_bound", "p_value", "p_holm", "p_fdr_bh"} <= set(patterns.columns)
    row = patterns.iloc[0]
    part = from_file[(from_file["group"] == row["group"]) & (from_file["measure"] == row["measure"])]
    assert row["se_bound"] == pytest.approx(part["se"].mean())
    assert row["p_value"] == pytest.approx(2 * stats.t.sf(abs(part["gap"].mean() / part["se"].mean()),
                                                          part["df"].min()))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), m=st.integers(2, 8))
def test_the_bound_is_never_below_the_true_standard_error_whatever_the_correlation(seed, m):
    """For item standard errors s and any correlation matrix R of the gaps, the standard error of
    their mean is sqrt(s' R s) / m; the pattern test's bound (the mean of s) is never below it, and
    equals it when the gaps are perfectly correlated."""
    rng = np.random.default_rng(seed)
    se = rng.uniform(0.5, 10.0, m)
    loadings = rng.normal(size=(m, rng.integers(1, m + 1)))
    covariance = loadings @ loadings.T + 1e-9 * np.eye(m)
    scale = np.sqrt(np.diag(covariance))
    correlation = covariance / np.outer(scale, scale)
    family = pd.DataFrame({"group": "g", "measure": "m", "gap": rng.normal(0, 5, m), "se@1": se, "df": 500})
    bound = contrasts.pattern_tests(family).loc[0, "se_bound@1"]
    exact = np.sqrt(se @ correlation @ se) / m
    assert bound >= exact - 1e-12
    assert bound == pytest.approx(np.sqrt(se @ np.ones((m, m)) @ se) / m)


# --- survivors, pairs, the file's family ---------------------------------------------------------------

def test_survivors_count_what_holds_under_each_procedure_at_each_design_effect(family):
    table = contrasts.survivors(family, alpha=0.05)
    assert list(zip(table["procedure"], table["deff"])) == [("holm", 1.0), ("holm", 2.0), ("fdr_bh", 1.0),
                                                             ("fdr_bh", 2.0)]
    blocks = list(dict.fromkeys(family["measure"]))
    for _, row in table.iterrows():
        column = f"p_{row['procedure']}@{row['deff']:g}"
        assert row["held"] == int((family[column] < 0.05).sum())
        for block in blocks:
            assert row[f"held:{block}"] == int((family.loc[family["measure"] == block, column] < 0.05).sum())
        assert row["held"] == sum(row[f"held:{block}"] for block in blocks)
    holm = table.set_index(["procedure", "deff"])
    assert holm.loc[("holm", 2.0), "held"] == int(family["holds"].sum())
    assert holm.loc[("holm", 1.0), "held"] == int(family["holds_at_lowest"].sum())
    assert holm.loc[("holm", 1.0), "held"] >= holm.loc[("holm", 2.0), "held"]
    assert holm.loc[("fdr_bh", 2.0), "held"] >= holm.loc[("holm", 2.0), "held"]


def test_survivors_of_a_file_family_have_no_design_effect(from_file):
    table = contrasts.survivors(from_file, alpha=0.05)
    assert table["procedure"].tolist() == ["holm", "fdr_bh"] and table["deff"].isna().all()
    assert table["held"].tolist() == [int((from_file["p_holm"] < 0.05).sum()),
                                      int((from_file["p_fdr_bh"] < 0.05).sum())]


def test_a_pair_of_groups_the_paper_compares_by_hand(published, sizes):
    """T1_09 against T1_10: 67% of 42 Black parents and 53% of 615 White British parents knew
    records can be linked; at a design effect of 1 the t statistic is the gap over
    sqrt(.67 .33 / 42 + .53 .47 / 615), on 655 degrees of freedom (scipy), about p = 0.063."""
    pair = contrasts.derived_pair(published, sizes, "T1_09", "T1_10", deff=1.0)
    se = np.sqrt(0.67 * 0.33 / 42 + 0.53 * 0.47 / 615)
    assert pair["gap"] == pytest.approx(14.0)
    assert pair["p_value"] == pytest.approx(2 * stats.t.sf(0.14 / se, 655), rel=1e-12)
    assert 0.06 < pair["p_value"] < 0.07
    wider = contrasts.derived_pair(published, sizes, "T1_09", "T1_10", deff=2.0)
    assert wider["p_value"] > pair["p_value"]
    half = contrasts.derived_pair(published, sizes, "T1_09", "T1_10", deff=1.0, answering_share=0.5)
    se_half = np.sqrt(0.67 * 0.33 / 21 + 0.53 * 0.47 / 308)  # floor(307.5 + 0.5) = 308
    assert half["p_value"] == pytest.approx(2 * stats.t.sf(0.14 / se_half, 327), rel=1e-12)
    with pytest.raises(ValueError, match="different questions"):
        contrasts.derived_pair(published, sizes, "T1_09", "T1_02", deff=1.0)


def test_file_contrasts_are_compare_with_rest_adjusted_over_the_family(survey, codebook, design, from_file):
    table = from_file.set_index("figure_id")
    assert list(from_file.columns) == [*FAMILY_COLUMNS, "estimate_group", "estimate_rest", "n_group", "gap",
                                       "ci_low", "ci_high", "se", "df", "p_value", "p_holm", "p_fdr_bh"]
    for figure_id, row in table.iterrows():
        item = codebook.items[row["item"]]
        direct = compare_with_rest(design, item.key, list(item.counted_codes), row["group"],
                                   missing_values=codebook.missing_codes(item.key)).iloc[0]
        assert row["gap"] == pytest.approx(100 * direct["difference"], abs=1e-10), figure_id
        assert row["se"] == pytest.approx(100 * direct["se"], rel=1e-10), figure_id
        assert row["p_value"] == pytest.approx(direct["p_value"], rel=1e-10, abs=1e-14), figure_id
        assert row["df"] == direct["df"] and row["n_group"] == direct["n_a"]
    for method in ("holm", "fdr_bh"):
        np.testing.assert_allclose(table[f"p_{method}"], multipletests(table["p_value"], method=method)[1])


def test_file_contrasts_at_another_level_and_base(survey, codebook, design, published, from_file):
    """At 90% the intervals narrow and the tests stay; with don't knows in the base only the
    refusals (code 9) are left out, as compare_with_rest with missing_values=(9,) does."""
    narrow = contrasts.file_contrasts(design, published, codebook, level=0.9)
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (from_file["ci_high"] - from_file["ci_low"])).all()
    np.testing.assert_allclose(narrow["p_value"], from_file["p_value"])
    counted = contrasts.file_contrasts(design, published, codebook, dont_know_in_base=True).set_index("figure_id")
    row = counted.loc["T3_21"]
    item = codebook.items["police_and_criminal_justice"]
    direct = compare_with_rest(design, item.key, list(item.counted_codes), "black", missing_values=(9,)).iloc[0]
    assert row["gap"] == pytest.approx(100 * direct["difference"])
    assert row["p_value"] == pytest.approx(direct["p_value"])
