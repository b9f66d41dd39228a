"""Tests for social_licence.survey.proportions: proportion and proportion_by_each.

Reference cases (tests/reference/proportions_reference.csv and designs/proportions_reference.csv,
written by make_reference.R with R 4 and survey 4.1.1 from the synthetic fixture survey_fixture.csv)
-- for the designs ``svydesign(ids=~1, weights=~w)`` and ``svydesign(ids=~psu, strata=~stratum,
weights=~w, nest=TRUE)``:

* ``svyciprop(~I(y %in% pos), d, method, level)`` with ``d = subset(design, !is.na(y) & !(y %in%
  missing))`` overall and for every ``svyby`` domain of ``~group4``, ``~group4+sex``, ``~flag``
  (R's ``design[group, ]``), methods beta and logit, levels 0.95 and 0.9: estimate, SE, limits;
* ``nrow(d)`` and ``degf(d)`` of each domain, ``deff(svymean(~as.numeric(yy), d, deff="replace"))``;
* include_missing: the same on the full design (NaN and don't-know count as not positive);
* the same for ``svydesign(ids=~1, strata=~stratum, weights=~w)`` (strata, every row its own PSU)
  and ``svydesign(ids=~cluster, weights=~w)`` (PSUs without strata).

Other checks are hand calculations (Kish n_eff, counts) and properties (hypothesis).
``proportion_by_each`` is checked against ``proportion`` called column by column (fixture and random
frames, both designs, both of its routes) and against the same R reference rows.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from social_licence.survey.compare import compare_with_rest
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import (
    OUTPUT_COLUMNS,
    proportion,
    proportion_by_each,
)

HERE = Path(__file__).parents[1] / "reference"
FIXTURE = pd.read_csv(HERE / "survey_fixture.csv")
REFERENCE = pd.concat([pd.read_csv(HERE / "proportions_reference.csv"),
                       pd.read_csv(HERE / "designs" / "proportions_reference.csv")], ignore_index=True)
REFERENCE["flag"] = REFERENCE["flag"].map({True: True, False: False, "TRUE": True, "FALSE": False})
DESIGNS = {
    "weights": SurveyDesign(FIXTURE, "w"),
    "strata_psu": SurveyDesign(FIXTURE, "w", strata="stratum", psu="psu"),
    "strata": SurveyDesign(FIXTURE, "w", strata="stratum"),
    "psu": SurveyDesign(FIXTURE.assign(cluster=FIXTURE.stratum + "-" + FIXTURE.psu.astype(str)), "w",
                        psu="cluster"),
}
ITEMS = {  # variable: (positive, missing_values), as in make_reference.R
    "q_agree": ([4, 5], [8]),
    "q_yesno": ("Yes", ["Don't know"]),
    "q_rare": (1, []),
    "q_common": (1, []),
}
BY = {"none": [], "group4": ["group4"], "group4+sex": ["group4", "sex"], "flag": ["flag"]}
COMPARED = ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]


def assert_matches_r(ref: pd.DataFrame, atol: float = 1e-8, every_group: bool = True) -> int:
    """Recompute every reference row with ``proportion`` and compare; returns rows compared.
    ``every_group``: the reference rows cover all of ``proportion``'s groups (none missing)."""
    compared = 0
    keys = ["design", "variable", "include_missing", "by", "method", "level"]
    for (design, variable, include, by, method, level), rows in ref.groupby(keys):
        positive, missing = ITEMS[variable]
        ours = proportion(DESIGNS[design], variable, positive, by=BY[by] or None, method=method,
                          level=level, missing_values=missing, include_missing=include, min_base=0)
        if BY[by]:
            merged = rows.merge(ours, on=BY[by], suffixes=("_r", ""), validate="one_to_one")
        else:
            merged = rows.add_suffix("_r").assign(**{c: ours[c].iloc[0] for c in COMPARED})
        assert len(merged) == len(rows), (design, variable, by)
        assert len(ours) == len(rows) or not every_group, (design, variable, by)
        for column in COMPARED:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], atol=atol, rtol=0,
                                       err_msg=f"{column} for {design}/{variable}/{by}/{method}")
        compared += len(merged)
    return compared


@pytest.mark.parametrize("by", list(BY))
@pytest.mark.parametrize("design", list(DESIGNS))
def test_matches_r_svyciprop_by_domain(design, by):
    """R: svyby(~yy, ~<by>, subset(design, valid), svyciprop, method = beta|logit,
    level = 0.95|0.9) (by = none: svyciprop on the subset), every item; plus nrow, degf and
    svymean deff = "replace" of each domain."""
    ref = REFERENCE[(REFERENCE.design == design) & (REFERENCE.by == by) & ~REFERENCE.include_missing]
    assert assert_matches_r(ref) == len(ref) > 0


@pytest.mark.parametrize("design", list(DESIGNS))
def test_include_missing_matches_r_on_the_full_design(design):
    """R: svyciprop(~I(y %in% pos), design) without subsetting (NA %in% pos is FALSE), overall and
    by group4, for q_agree (code 8 + NaN) and q_yesno ("Don't know")."""
    ref = REFERENCE[(REFERENCE.design == design) & REFERENCE.include_missing]
    assert assert_matches_r(ref) == len(ref) > 0


def test_small_domain_matches_r():
    """R: svyby(~yy, ~group4, ...) domain d (12 rows), both designs, all items, beta and logit."""
    ref = REFERENCE[(REFERENCE.by == "group4") & (REFERENCE.group4 == "d") & ~REFERENCE.include_missing]
    assert (ref.n < 15).all()
    assert assert_matches_r(ref, every_group=False) == len(ref) > 0


def test_estimates_near_zero_and_one_match_r():
    """R: svyciprop for q_rare (about 3% positive) and q_common (about 97%), overall and by group4
    and flag, both designs, beta and logit at 0.95 and 0.9."""
    ref = REFERENCE[REFERENCE.variable.isin(["q_rare", "q_common"])]
    assert ref.estimate.min() < 0.05 and ref.estimate.max() > 0.95
    assert assert_matches_r(ref) == len(ref)


def test_zero_weight_rows_count_in_n_but_not_in_df():
    """R: nrow() counts the fixture's two zero-weight rows, degf() does not (weights-only design,
    q_agree valid rows: n = 276, df = 273)."""
    row = proportion(DESIGNS["weights"], "q_agree", [4, 5], missing_values=[8]).iloc[0]
    ref = REFERENCE[(REFERENCE.design == "weights") & (REFERENCE.variable == "q_agree")
                    & (REFERENCE.by == "none") & ~REFERENCE.include_missing].iloc[0]
    assert (row.n, row.df) == (ref.n, ref.df) == (276, 273)


# --- hand calculations and output shape ----------------------------------------------------------
def test_counts_weighted_base_and_kish_by_hand():
    out = proportion(DESIGNS["weights"], "q_agree", [4, 5], by="group4", missing_values=[8],
                     min_base=0)
    for _, row in out.iterrows():
        rows = FIXTURE[FIXTURE.group4 == row.group4]
        valid = rows[rows.q_agree.notna() & (rows.q_agree != 8)]
        assert row.n == len(valid)
        assert row.n_missing == len(rows) - len(valid)
        assert row.weighted_n == pytest.approx(valid.w.sum(), rel=1e-13)
        assert row.n_eff == pytest.approx(valid.w.sum() ** 2 / (valid.w**2).sum(), rel=1e-13)
        positive = valid.q_agree.isin([4, 5])
        assert row.estimate == pytest.approx(valid.w[positive].sum() / valid.w.sum(), rel=1e-13)


def test_weights_only_se_by_hand():
    """Linearised SE of a ratio on a weights-only design: N/(N-1) * sum z^2 with
    z = w (y - p) / W on the domain's rows (N = all rows of the design)."""
    valid = FIXTURE[FIXTURE.q_rare.notna()]
    y, w = valid.q_rare.to_numpy(), valid.w.to_numpy()
    p = (w * y).sum() / w.sum()
    z = w * (y - p) / w.sum()
    n_all = len(FIXTURE)
    out = proportion(DESIGNS["weights"], "q_rare", 1)
    assert out.se.iloc[0] == pytest.approx(np.sqrt(n_all / (n_all - 1) * (z**2).sum()), rel=1e-12)


def test_output_columns_and_plain_dtypes():
    out = proportion(DESIGNS["strata_psu"], "q_yesno", "Yes", by=["group4", "sex"],
                     missing_values=["Don't know"])
    assert list(out.columns) == ["group4", "sex", *OUTPUT_COLUMNS]
    for column in ["estimate", "se", "ci_low", "ci_high", "level", "weighted_n", "n_eff", "deff"]:
        assert out[column].dtype == np.float64
    for column in ["n", "n_missing", "df"]:
        assert out[column].dtype == np.int64
    assert out.suppressed.dtype == bool and out.low_base.dtype == bool
    assert list(out.group4) == sorted(out.group4)


def test_suppression_and_low_base_flags():
    out = proportion(DESIGNS["weights"], "q_agree", [4, 5], by="group4", missing_values=[8],
                     min_base=30, flag_base=70)
    small = out.set_index("group4")
    assert small.loc["d", "suppressed"] and not small.loc["d", "low_base"]
    assert small.loc[["d"], ["estimate", "se", "ci_low", "ci_high", "deff"]].isna().all(axis=None)
    valid_d = FIXTURE[(FIXTURE.group4 == "d") & FIXTURE.q_agree.notna() & (FIXTURE.q_agree != 8)]
    assert small.loc["d", "n"] == len(valid_d) < 30 and small.loc["d", "n_eff"] > 0  # bases shown
    assert small.loc["c", "low_base"] and 30 <= small.loc["c", "n"] < 70
    assert not small.loc[["a", "b"], "low_base"].any() and not small.loc["a", "suppressed"]
    assert (out.suppressed == (out.n < 30)).all()


def test_method_and_level_change_the_interval():
    base = proportion(DESIGNS["weights"], "q_rare", 1)
    assert proportion(DESIGNS["weights"], "q_rare", 1, method="logit").ci_high.iloc[0] \
        != base.ci_high.iloc[0]
    narrower = proportion(DESIGNS["weights"], "q_rare", 1, level=0.8)
    assert narrower.ci_high.iloc[0] < base.ci_high.iloc[0]
    assert narrower.level.iloc[0] == 0.8


# --- errors --------------------------------------------------------------------------------------
def test_missing_variable_column():
    with pytest.raises(ValueError, match=r"variable column\(s\) 'q_nope' not found.*320 rows"):
        proportion(DESIGNS["weights"], "q_nope", 1)


def test_missing_by_column():
    with pytest.raises(ValueError, match=r"by column\(s\) 'region' not found"):
        proportion(DESIGNS["weights"], "q_rare", 1, by=["group4", "region"])


def test_positive_value_never_seen_names_value_and_column():
    with pytest.raises(ValueError, match=r"positive value 6 never occurs in column 'q_agree' "
                                         r"\(320 rows; values seen: .*5\.0"):
        proportion(DESIGNS["weights"], "q_agree", [5, 6])
    with pytest.raises(ValueError, match=r"positive value 'yes' never occurs in column 'q_yesno'"):
        proportion(DESIGNS["weights"], "q_yesno", "yes")


def test_non_numeric_positive_for_numeric_column():
    with pytest.raises(ValueError, match=r"column 'q_agree' is numeric.*positive value\(s\) '4'"):
        proportion(DESIGNS["weights"], "q_agree", ["4"])
    with pytest.raises(ValueError, match=r"missing_values value\(s\) 'DK' are not numbers"):
        proportion(DESIGNS["weights"], "q_agree", [4], missing_values=["DK"])


def test_value_both_positive_and_missing():
    with pytest.raises(ValueError, match=r"column\(s\) \['q_agree'\]: value\(s\) 8 listed both as positive and in missing"):
        proportion(DESIGNS["weights"], "q_agree", [5, 8], missing_values=[8])


@pytest.mark.parametrize("level", [0, 1, -0.5, 95])
def test_level_outside_unit_interval(level):
    with pytest.raises(ValueError, match=rf"level={level!r} must be strictly between 0 and 1"):
        proportion(DESIGNS["weights"], "q_rare", 1, level=level)


def test_unknown_method():
    with pytest.raises(ValueError, match=r"method='wald' is not one of 'beta', 'logit', 'wilson'"):
        proportion(DESIGNS["weights"], "q_rare", 1, method="wald")


def test_empty_group_names_column_and_level():
    frame = FIXTURE.assign(q_part=np.where(FIXTURE.group4 == "d", np.nan, FIXTURE.q_agree))
    with pytest.raises(ValueError, match=r"column 'q_part' has no valid rows in group\(s\) \('d',\) "
                                         r"of by column\(s\) \['group4'\]"):
        proportion(SurveyDesign(frame, "w"), "q_part", [4, 5], by="group4")


def test_item_with_no_valid_rows():
    frame = FIXTURE.assign(q_dk=8.0)
    with pytest.raises(ValueError, match=r"positive value 1 never occurs in column 'q_dk'"):
        proportion(SurveyDesign(frame, "w"), "q_dk", 1, missing_values=[8])
    frame.loc[0, "q_dk"] = 1.0
    with pytest.raises(ValueError, match=r"column 'q_dk' has no valid rows in group\(s\)"):
        proportion(SurveyDesign(frame, "w"), "q_dk", 1, by="group4", missing_values=[8],
                   include_missing=False)


def test_missing_values_in_a_by_column():
    frame = FIXTURE.assign(region=np.where(FIXTURE.id <= 5, None, "north"))
    with pytest.raises(ValueError, match=r"by column 'region' has 5 missing value\(s\) out of 320"):
        proportion(SurveyDesign(frame, "w"), "q_rare", 1, by="region")


def test_bad_base_thresholds():
    with pytest.raises(ValueError, match=r"min_base=60 must not exceed flag_base=50"):
        proportion(DESIGNS["weights"], "q_rare", 1, min_base=60)
    with pytest.raises(ValueError, match=r"min_base=-1 must be a non-negative integer"):
        proportion(DESIGNS["weights"], "q_rare", 1, min_base=-1)


# --- properties ----------------------------------------------------------------------------------
def random_frame(seed: int, n: int) -> pd.DataFrame:
    """A random frame of n rows in which every answer 1..5 occurs (the first five rows)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "w": rng.uniform(0.2, 4.0, n),
        "y": np.concatenate([np.arange(1, 6), rng.integers(1, 6, n - 5)]),
        "g": rng.choice(["x", "y", "z"], n),
        "h": rng.choice([1, 2], n),
        "stratum": np.repeat(np.arange(4), n // 4 + 1)[:n],
        "psu": rng.integers(0, 3, n),
        "row": np.arange(n),
    })


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 200))
def test_equal_weights_give_the_unweighted_proportion(seed, n):
    frame = random_frame(seed, n).assign(w=2.5)
    out = proportion(SurveyDesign(frame, "w"), "y", [4, 5], by="g", min_base=0)
    expected = frame.assign(pos=frame.y.isin([4, 5])).groupby("g").pos.mean()
    np.testing.assert_allclose(out.estimate, expected.loc[out.g].to_numpy(), atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 200), scale=st.floats(1e-3, 1e3))
def test_scaling_the_weights_changes_nothing(seed, n, scale):
    frame = random_frame(seed, n)
    for kwargs in ({}, {"strata": "stratum", "psu": "psu"}):
        a = proportion(SurveyDesign(frame, "w", **kwargs), "y", [4, 5], by=["g", "h"], min_base=0)
        b = proportion(SurveyDesign(frame.assign(w=frame.w * scale), "w", **kwargs), "y", [4, 5],
                       by=["g", "h"], min_base=0)
        for column in ["estimate", "se", "ci_low", "ci_high", "deff", "n_eff"]:
            np.testing.assert_allclose(a[column], b[column], rtol=1e-9, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 200),
       method=st.sampled_from(["beta", "logit", "wilson"]))
def test_routes_agree_two_column_by_versus_boolean_domain(seed, n, method):
    """by=['g', 'h'] row (x, 1) == by='in_domain' row True == compare_with_rest's group side."""
    frame = random_frame(seed, n)
    frame["in_domain"] = (frame.g == "x") & (frame.h == 1)
    if frame.in_domain.sum() < 2 or frame.in_domain.all():
        return
    for kwargs in ({}, {"strata": "stratum", "psu": "psu"}):
        design = SurveyDesign(frame, "w", **kwargs)
        two = proportion(design, "y", [4, 5], by=["g", "h"], method=method, min_base=0)
        two = two[(two.g == "x") & (two.h == 1)].iloc[0]
        one = proportion(design, "y", [4, 5], by="in_domain", method=method, min_base=0)
        one = one[one.in_domain].iloc[0]
        rest = compare_with_rest(design, "y", [4, 5], "in_domain").iloc[0]
        for column in ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]:
            assert two[column] == pytest.approx(one[column], rel=1e-12, abs=1e-15, nan_ok=True)
        assert (rest.estimate_a, rest.se_a) == pytest.approx((one.estimate, one.se), rel=1e-12)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(40, 200))
def test_closed_form_and_psu_route_agree(seed, n):
    """The weights-only closed form equals the general PSU-total route with each row a PSU."""
    frame = random_frame(seed, n)
    a = proportion(SurveyDesign(frame, "w"), "y", [1, 2], by="g", min_base=0)
    b = proportion(SurveyDesign(frame, "w", psu="row"), "y", [1, 2], by="g", min_base=0)
    for column in ["estimate", "se", "ci_low", "ci_high", "df", "deff"]:
        np.testing.assert_allclose(a[column], b[column], rtol=1e-10, atol=1e-15)


# --- several items at once -----------------------------------------------------------------------
def test_several_items_stack_the_single_item_results():
    """Route check: proportion([q_rare, q_common], ...) == the two single-item calls, stacked."""
    for design in DESIGNS.values():
        both = proportion(design, ["q_rare", "q_common"], 1, by="group4", min_base=0)
        single = pd.concat([proportion(design, v, 1, by="group4", min_base=0)
                            for v in ["q_rare", "q_common"]], ignore_index=True)
        pd.testing.assert_frame_equal(both, single)


def test_several_items_errors_name_the_offending_column():
    frame = FIXTURE.assign(q_low=np.where(FIXTURE.q_agree == 5, 4.0, FIXTURE.q_agree))
    with pytest.raises(ValueError, match=r"positive value 5 never occurs in column 'q_low'"):
        proportion(SurveyDesign(frame, "w"), ["q_agree", "q_low"], [4, 5], missing_values=[8])
    with pytest.raises(ValueError, match=r"column\(s\) \['group4'\] are both a variable and a by"):
        proportion(DESIGNS["weights"], ["q_rare", "group4"], 1, by="group4")


# --- proportion_by_each: many items by each of several columns -------------------------------------
EXACT = ["variable", "level", "method", "n", "n_missing", "df", "suppressed", "low_base"]
CLOSE = ["estimate", "se", "ci_low", "ci_high", "weighted_n", "n_eff", "deff"]


def assert_equals_proportion_by_column(design, variable, positive, by_each, **options) -> int:
    """proportion_by_each(...) == proportion(..., by=column) for each column in turn: the same
    rows in the same order, counts and flags exactly, floats to 1e-12 (relative); returns rows."""
    grid = proportion_by_each(design, variable, positive, by_each, **options)
    assert list(grid.columns) == ["by", "group", *OUTPUT_COLUMNS]
    assert list(dict.fromkeys(grid.by)) == by_each
    for column in by_each:
        mine = grid[grid.by == column].reset_index(drop=True)
        single = proportion(design, variable, positive, by=column, **options)
        assert len(mine) == len(single), column
        assert mine.group.tolist() == single[column].tolist(), column
        pd.testing.assert_frame_equal(mine[EXACT], single[EXACT], check_exact=True)
        for name in CLOSE:
            np.testing.assert_allclose(mine[name], single[name], rtol=1e-12, atol=1e-15,
                                       err_msg=f"{name} by {column}")
    return len(grid)


@pytest.mark.parametrize("include_missing", [False, True])
@pytest.mark.parametrize("design", list(DESIGNS))
def test_by_each_equals_proportion_column_by_column_on_the_fixture(design, include_missing):
    """Weights only (with the fixture's two zero weights: the matrix route) and strata/PSU (the
    bincount route); string and boolean by columns; default suppression thresholds."""
    for variable, (positive, missing) in [("q_agree", ITEMS["q_agree"]), ("q_yesno", ITEMS["q_yesno"]),
                                          (["q_rare", "q_common"], (1, []))]:
        for method, level in [("beta", 0.95), ("logit", 0.9), ("wilson", 0.95)]:
            rows = assert_equals_proportion_by_column(
                DESIGNS[design], variable, positive, ["group4", "sex", "flag"], method=method,
                level=level, missing_values=missing, include_missing=include_missing)
            assert rows == (1 if isinstance(variable, str) else len(variable)) * (4 + 2 + 2)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_by_each_matches_r_svyby_for_each_column(design):
    """R: svyby(~yy, ~group4, ...) and svyby(~yy, ~flag, ...) on subset(design, valid), svyciprop
    beta and logit at 0.95 and 0.9, every item: the reference rows proportion() is held to."""
    ref = REFERENCE[(REFERENCE.design == design) & REFERENCE.by.isin(["group4", "flag"])
                    & ~REFERENCE.include_missing]
    compared = 0
    for (variable, method, level), rows in ref.groupby(["variable", "method", "level"]):
        positive, missing = ITEMS[variable]
        grid = proportion_by_each(DESIGNS[design], variable, positive, ["group4", "flag"],
                                  method=method, level=level, missing_values=missing, min_base=0)
        for column in ["group4", "flag"]:
            expected = rows[rows.by == column]
            mine = grid[grid.by == column].rename(columns={"group": column})
            merged = expected.merge(mine.astype({column: expected[column].dtype}), on=column,
                                    suffixes=("_r", ""), validate="one_to_one")
            assert len(merged) == len(expected) == len(mine)
            for name in COMPARED:
                np.testing.assert_allclose(merged[name], merged[name + "_r"], atol=1e-8, rtol=0,
                                           err_msg=f"{name} for {design}/{variable}/{column}")
            compared += len(merged)
    assert compared == len(ref) > 0


def by_each_frame(seed: int, n: int, zero_weights: bool) -> pd.DataFrame:
    """random_frame plus a second item with NaN and don't know (9), a boolean flag, a constant
    boolean, a 30-level column (the bincount route) and, optionally, some zero weights."""
    frame = random_frame(seed, n)
    rng = np.random.default_rng(seed + 1)
    y2 = rng.choice([1.0, 2.0, 3.0, 9.0, np.nan], n, p=[0.3, 0.3, 0.2, 0.1, 0.1])
    y2[:30] = np.resize([1.0, 2.0, 3.0], 30)  # every answer, and a valid one in each level of many
    frame = frame.assign(y2=y2, flag=rng.random(n) < 0.3, always=True,
                         many=np.arange(n) % 30)
    if zero_weights:
        frame.loc[rng.random(n) < 0.1, "w"] = 0.0
        frame.loc[0, "w"] = 1.0
    return frame


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(120, 600), zero_weights=st.booleans(),
       include_missing=st.booleans(), method=st.sampled_from(["beta", "logit", "wilson"]))
def test_by_each_equals_proportion_on_random_frames(seed, n, zero_weights, include_missing, method):
    """Weights only, strata and PSU, strata only; by columns of three levels (string), two (integer
    and boolean), one (constant) and thirty (more than the matrix routes take), in one call."""
    frame = by_each_frame(seed, n, zero_weights)
    for kwargs in ({}, {"strata": "stratum", "psu": "psu"}, {"strata": "stratum"}):
        design = SurveyDesign(frame, "w", **kwargs)
        assert_equals_proportion_by_column(
            design, ["y", "y2"], [1, 2], ["g", "h", "flag", "always", "many"], method=method,
            missing_values=[9], include_missing=include_missing, min_base=5, flag_base=12)


def test_by_each_group_column_keeps_the_by_columns_dtype():
    """Boolean by columns give a boolean group column; mixed ones an object column."""
    booleans = FIXTURE.assign(female=FIXTURE.sex == "F")
    grid = proportion_by_each(SurveyDesign(booleans, "w"), "q_rare", 1, ["flag", "female"])
    assert grid.group.dtype == bool and grid.group.tolist() == [False, True, False, True]
    assert grid.by.tolist() == ["flag", "flag", "female", "female"]
    mixed = proportion_by_each(DESIGNS["weights"], "q_rare", 1, ["flag", "group4"])
    assert mixed.group.dtype == object
    assert mixed.group.tolist() == [False, True, "a", "b", "c", "d"]


def test_by_each_rows_follow_the_columns_then_proportions_order():
    grid = proportion_by_each(DESIGNS["weights"], ["q_rare", "q_common"], 1, ["sex", "flag"])
    assert list(zip(grid.by, grid.variable, grid.group)) == [
        ("sex", "q_rare", "F"), ("sex", "q_rare", "M"), ("sex", "q_common", "F"),
        ("sex", "q_common", "M"), ("flag", "q_rare", False), ("flag", "q_rare", True),
        ("flag", "q_common", False), ("flag", "q_common", True)]
    pd.testing.assert_frame_equal(proportion_by_each(DESIGNS["weights"], "q_rare", 1, "flag"),
                                  proportion_by_each(DESIGNS["weights"], "q_rare", 1, ["flag"]))


def test_by_each_level_with_no_valid_rows_names_item_column_and_level():
    frame = FIXTURE.assign(q_part=np.where(FIXTURE.group4 == "d", np.nan, FIXTURE.q_agree))
    for design in (SurveyDesign(frame, "w"), SurveyDesign(frame, "w", strata="stratum", psu="psu")):
        with pytest.raises(ValueError, match=r"column 'q_part' has no valid rows in group\(s\) "
                                             r"\('d',\) of by column\(s\) \['group4'\] \(320 rows\)"):
            proportion_by_each(design, ["q_agree", "q_part"], [4, 5], ["sex", "group4"],
                               missing_values=[8])


def test_by_each_errors():
    design = DESIGNS["weights"]
    with pytest.raises(ValueError, match=r"by_each: give at least one grouping column .*320 rows"):
        proportion_by_each(design, "q_rare", 1, [])
    with pytest.raises(ValueError, match=r"by_each column\(s\) 'region' not found in the data "
                                         r"\(320 rows"):
        proportion_by_each(design, "q_rare", 1, ["sex", "region"])
    with pytest.raises(ValueError, match=r"by_each column\(s\) 'sex' given more than once"):
        proportion_by_each(design, "q_rare", 1, ["sex", "flag", "sex"])
    with pytest.raises(ValueError, match=r"column\(s\) \['flag'\] are both a variable and a by_each"):
        proportion_by_each(design, ["q_rare", "flag"], 1, ["flag"])
    frame = FIXTURE.assign(region=np.where(FIXTURE.id <= 5, None, "north"))
    with pytest.raises(ValueError, match=r"by column 'region' has 5 missing value\(s\) out of 320"):
        proportion_by_each(SurveyDesign(frame, "w"), "q_rare", 1, ["sex", "region"])
    with pytest.raises(ValueError, match=r"method='wald' is not one of"):
        proportion_by_each(design, "q_rare", 1, ["sex"], method="wald")
    with pytest.raises(ValueError, match=r"level=95 must be strictly between 0 and 1"):
        proportion_by_each(design, "q_rare", 1, ["sex"], level=95)
    with pytest.raises(ValueError, match=r"min_base=60 must not exceed flag_base=50"):
        proportion_by_each(design, "q_rare", 1, ["sex"], min_base=60)
    with pytest.raises(ValueError, match=r"positive value 6 never occurs in column 'q_agree'"):
        proportion_by_each(design, "q_agree", [5, 6], ["sex"])


# --- boundaries: every threshold the core applies, on every kind of design --------------------------
def boundary_frame() -> pd.DataFrame:
    """Groups whose bases sit on the thresholds (min_base=30, flag_base=50): 30 and 29 valid
    answers, 50 and 49; groups answering all "yes" (p = 1) and all "no" (p = 0). Each group also
    has two missing answers (outside the base), rows spread over 4 strata of 5 PSUs."""
    sizes = {"at_min": 30, "below_min": 29, "at_flag": 50, "below_flag": 49, "all_yes": 40,
             "all_no": 40}
    parts = []
    for group, size in sizes.items():
        answer = {"all_yes": 1.0, "all_no": 0.0}.get(group)
        answers = np.full(size, answer) if answer is not None else np.resize([1.0, 0.0, 0.0], size)
        parts.append(pd.DataFrame({"g": group, "y": np.concatenate([answers, [np.nan, 9.0]])}))
    frame = pd.concat(parts, ignore_index=True)
    rng = np.random.default_rng(11)
    rows = len(frame)
    return frame.assign(w=rng.uniform(0.5, 2.0, rows), stratum=np.arange(rows) % 4,
                        psu=(np.arange(rows) // 4) % 5)


def boundary_designs(tmp_path) -> dict:
    from social_licence.survey.database import DatabaseDesign
    from social_licence.survey.replicates import as_replicate_design
    frame = boundary_frame()
    path = tmp_path / "boundary.parquet"
    frame.to_parquet(path)
    stratified = SurveyDesign(frame, "w", strata="stratum", psu="psu")
    return {"weights": SurveyDesign(frame, "w"), "strata_psu": stratified,
            "jackknife": as_replicate_design(stratified, "JKn"),
            "file": DatabaseDesign(path, "w", strata="stratum", psu="psu")}


def test_bases_on_the_thresholds_on_every_design(tmp_path):
    """n == min_base is shown (suppressed only below: n < min_base), n == flag_base is not flagged
    (low_base: min_base <= n < flag_base), on every design and both routes."""
    expected = {"all_no": (False, False), "all_yes": (False, True), "at_flag": (False, False),
                "at_min": (False, True), "below_flag": (False, True), "below_min": (True, False)}
    for name, design in boundary_designs(tmp_path).items():
        for table in (proportion(design, "y", 1, by="g", missing_values=[9]),
                      proportion_by_each(design, "y", 1, ["g"], missing_values=[9]).rename(
                          columns={"group": "g"})):
            found = {row.g: (row.suppressed, row.low_base) for row in table.itertuples()}
            sizes = dict(zip(table.g, table.n))
            assert (sizes["at_min"], sizes["below_min"], sizes["at_flag"]) == (30, 29, 50), name
            expected["all_yes"] = expected["all_no"] = (False, True)  # 40: between the two bases
            assert found == expected, name
            shown = table.set_index("g")
            assert np.isnan(shown.loc["below_min", ["estimate", "se", "ci_low", "ci_high"]]).all()
            assert not np.isnan(shown.loc["at_min", ["estimate", "se", "ci_low", "ci_high"]]).any()


def test_zero_and_full_proportions_on_every_design(tmp_path):
    """p = 0 and p = 1 exactly: se 0, deff NaN, and the documented limits (intervals.py): beta the
    df-adjusted Clopper-Pearson interval of 0 (n) out of n, logit and wilson as their formulas at
    zero variance -- the same on every design and route."""
    from social_licence.survey.intervals import proportion_interval
    for method in ("beta", "logit", "wilson"):
        for name, design in boundary_designs(tmp_path).items():
            table = proportion(design, "y", 1, by="g", missing_values=[9], method=method, min_base=0)
            table = table.set_index("g").loc[["all_no", "all_yes"]]
            assert table.estimate.tolist() == [0.0, 1.0] and (table.se == 0).all(), name
            assert table.deff.isna().all()
            low, high = proportion_interval(table.estimate, 0.0, table.n, table.df, method)
            np.testing.assert_array_equal(table.ci_low, low, err_msg=f"{name} {method}")
            np.testing.assert_array_equal(table.ci_high, high, err_msg=f"{name} {method}")
            if method == "logit":
                assert table.ci_low.tolist() == [0.0, 1.0] and table.ci_high.tolist() == [0.0, 1.0]
            else:
                assert table.ci_low.iloc[0] == 0.0 and 0 < table.ci_high.iloc[0] < 0.2
                assert table.ci_high.iloc[1] == 1.0 and 0.8 < table.ci_low.iloc[1] < 1
