"""Tests for social_licence.survey.replicates: replicate-weight designs, supplied and generated.

Reference cases (tests/reference/designs/, written by make_reference.R with R 4.2 and survey 4.1.1 from the
synthetic fixture survey_fixture.csv):

* replicate_factors.csv -- ``as.svrepdesign(d, type, compress = FALSE)`` of the fixture's designs:
  JK1 of ``svydesign(ids = ~cluster)`` (32 PSUs), JKn, bootstrap and subbootstrap (50 replicates,
  R's random draws) of ``svydesign(ids = ~psu, strata = ~stratum, nest = TRUE)``, BRR and Fay
  (rho 0.5) of the 16 pairs of PSUs ``svydesign(ids = ~psu, strata = ~pair, nest = TRUE)`` with
  ``hadamard.matrix = `` Sylvester's matrix of order 32: each PSU's factor, scale and rscales;
* replicates_reference.csv -- ``svrepdesign(repweights = factors, weights = ~w,
  combined.weights = FALSE, type, scale, rscales, rho, mse)`` on those factors (bootstrap from
  supplied weights, as R's draws cannot be repeated here), then ``svyciprop`` (beta and logit,
  0.95 and 0.9) overall and for every ``svyby`` domain of ``~group4`` and ``~flag`` on
  ``subset(design, valid)``, with ``nrow``, ``degf`` (recomputed on each domain) and
  ``svymean(deff = "replace")``; mse = TRUE for JKn and the bootstrap.

Estimates, SEs, beta limits, df and deff agree to 1e-9 relative (in fact about 1e-14). R's logit
limits come from ``svyglm`` fits on each replicate and agree to its convergence tolerance (1e-7
relative). The generators are checked against R's factors (JK1, JKn, BRR, Fay: the same matrix)
and, for the bootstrap, by their properties.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from social_licence.survey import replicates as replicates_module
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion, proportion_by_each
from social_licence.survey.replicates import (
    ReplicateDesign,
    as_replicate_design,
    rank,
    replicate_variance,
    sylvester_hadamard,
)

HERE = Path(__file__).parents[1] / "reference"
FIXTURE = pd.read_csv(HERE / "survey_fixture.csv")
FIXTURE["cluster"] = FIXTURE.stratum + "-" + FIXTURE.psu.astype(str)
FIXTURE["pair"] = FIXTURE.stratum + "-" + ((FIXTURE.psu + 1) // 2).astype(str)
FACTORS = pd.read_csv(HERE / "designs" / "replicate_factors.csv")
REFERENCE = pd.read_csv(HERE / "designs" / "replicates_reference.csv")
REFERENCE["flag"] = REFERENCE["flag"].map({True: True, False: False, "TRUE": True, "FALSE": False})
ITEMS = {"q_agree": ([4, 5], [8]), "q_yesno": ("Yes", ["Don't know"]), "q_rare": (1, [])}
BY = {"none": [], "group4": ["group4"], "flag": ["flag"]}
#: svrepdesign's type for each of as.svrepdesign's
SUPPLIED_TYPE = {"JK1": "JK1", "JKn": "JKn", "BRR": "BRR", "Fay": "Fay", "bootstrap": "bootstrap",
                 "subbootstrap": "bootstrap"}
COMPARED = ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]


def r_factors(kind: str) -> np.ndarray:
    """R's factors of one replicate type, one row per fixture row (rows x replicates)."""
    table = FACTORS[FACTORS.type == kind].pivot(index="cluster", columns="replicate", values="factor")
    return table.loc[FIXTURE.cluster].to_numpy()


def supplied(kind: str, mse: bool = False, **options) -> ReplicateDesign:
    """R's factors as supplied replicate weights, as make_reference.R's svrepdesign call."""
    rows = FACTORS[FACTORS.type == kind]
    if kind not in ("BRR", "Fay"):
        options.setdefault("scale", rows.scale.iloc[0])
        options.setdefault("rscales", rows.groupby("replicate").rscales.first().to_numpy())
    return ReplicateDesign(FIXTURE, "w", r_factors(kind), SUPPLIED_TYPE[kind], mse=mse,
                           combined_weights=False, rho=0.5 if kind == "Fay" else None, **options)


def ours_for(design, rows: pd.DataFrame) -> pd.DataFrame:
    """Our rows for one (variable, include_missing, by, method, level) group of reference rows."""
    variable, include, by, method, level = rows.iloc[0][
        ["variable", "include_missing", "by", "method", "level"]]
    positive, missing = ITEMS[variable]
    ours = proportion(design, variable, positive, by=BY[by] or None, method=method, level=level,
                      missing_values=missing, include_missing=include, min_base=0)
    if BY[by]:
        return rows.merge(ours, on=BY[by], suffixes=("_r", ""), validate="one_to_one")
    return rows.add_suffix("_r").assign(**{c: ours[c].iloc[0] for c in COMPARED})


@pytest.mark.parametrize("kind, mse", [("JK1", False), ("JKn", False), ("JKn", True), ("BRR", False),
                                       ("Fay", False), ("bootstrap", False), ("bootstrap", True),
                                       ("subbootstrap", False)])
def test_supplied_replicate_weights_match_r(kind, mse):
    """R: svrepdesign(type, scale, rscales, rho, mse) on replicate_factors.csv, then svyciprop by
    svyby domain of ~group4 and ~flag (and overall), beta and logit at 0.95 and 0.9."""
    design = supplied(kind, mse)
    ref = REFERENCE[(REFERENCE.type == kind) & (REFERENCE.mse == mse)]
    compared = 0
    for _, rows in ref.groupby(["variable", "include_missing", "by", "method", "level"]):
        merged = ours_for(design, rows)
        assert len(merged) == len(rows)
        beta = rows.method.iloc[0] == "beta"
        exact = ["se", "n", "df", "deff"] + (["estimate", "ci_low", "ci_high"] if beta else [])
        for column in exact:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], rtol=1e-9, atol=0,
                                       err_msg=f"{kind} {column} {rows.iloc[0].tolist()[:6]}")
        if not beta:  # R's logit: expit of svyglm fits on each replicate, to their tolerance
            whole = (merged.ci_low == 0) & (merged.ci_high == 1)  # a replicate estimate at 0 or 1
            for column in ["estimate", "ci_low", "ci_high"]:
                np.testing.assert_allclose(merged.loc[~whole, column],
                                           merged.loc[~whole, column + "_r"], rtol=1e-7, atol=1e-12)
            # there R's svyglm fails (NaN) or stops at a large finite logit, an interval covering
            # 99% of [0, 1]
            assert (merged.ci_high_r - merged.ci_low_r)[whole].fillna(1.0).gt(0.99).all()
        compared += len(merged)
    assert compared == len(ref) > 0


def test_domain_degrees_of_freedom_are_ranks_as_in_r():
    """R: degf(design[domain rows, ]) = rank of the domain's replicate weights - 1; the 12-row
    domain d of group4 has fewer than the design's (JK1: 31)."""
    ref = REFERENCE[(REFERENCE.type == "JK1") & (REFERENCE.by == "group4") & (REFERENCE.group4 == "d")]
    out = proportion(supplied("JK1"), "q_agree", [4, 5], by="group4", missing_values=[8], min_base=0)
    small = out.set_index("group4").loc["d"]
    assert small.df == ref[ref.variable == "q_agree"].df.iloc[0] < supplied("JK1").design_df == 31


def test_domain_ranks_by_direction_equal_ranks_of_the_rows(monkeypatch):
    """Two routes to R's domain df: ranks of the distinct directions of the rows' replicate
    weights (the default) and ranks of each domain's rows (forced by allowing no directions)."""
    direct = proportion_by_each(supplied("bootstrap"), ["q_rare", "q_common"], 1,
                                ["group4", "flag"], min_base=0)
    monkeypatch.setattr(replicates_module, "_MAX_PATTERNS", 1)
    by_rows = proportion_by_each(supplied("bootstrap"), ["q_rare", "q_common"], 1,
                                 ["group4", "flag"], min_base=0)
    assert supplied("bootstrap").patterns is None
    pd.testing.assert_frame_equal(direct, by_rows)


@pytest.mark.parametrize("kind", ["JK1", "JKn", "bootstrap", "BRR"])
def test_by_each_equals_proportion_column_by_column(kind):
    """The many-domain call on a replicate design equals proportion() by each column (all
    replicates of every domain in one product against one per column)."""
    design = supplied(kind)
    grid = proportion_by_each(design, ["q_rare", "q_common"], 1, ["group4", "sex", "flag"],
                              method="logit", min_base=5)
    for column in ["group4", "sex", "flag"]:
        mine = grid[grid.by == column].reset_index(drop=True)
        single = proportion(design, ["q_rare", "q_common"], 1, by=column, method="logit",
                            min_base=5)
        assert mine.group.tolist() == single[column].tolist()
        for name in ["n", "n_missing", "df", "suppressed", "low_base"]:
            assert (mine[name] == single[name]).all(), name
        for name in ["estimate", "se", "ci_low", "ci_high", "weighted_n", "n_eff", "deff"]:
            np.testing.assert_allclose(mine[name], single[name], rtol=1e-12, atol=1e-15)


# --- generated from strata and PSUs --------------------------------------------------------------
def base_design(kind: str) -> SurveyDesign:
    if kind == "JK1":
        return SurveyDesign(FIXTURE, "w", psu="cluster")
    if kind in ("BRR", "Fay"):
        return SurveyDesign(FIXTURE, "w", strata="pair", psu="psu")
    return SurveyDesign(FIXTURE, "w", strata="stratum", psu="psu")


def test_brr_and_fay_give_r_replicate_weights_column_by_column():
    """R: as.svrepdesign(type = "BRR" | "Fay", fay.rho = 0.5, hadamard.matrix = sylvester(32)):
    the same replicate weights in the same order (strata by label, PSUs by first appearance)."""
    for kind, rho in (("BRR", 0.0), ("Fay", 0.5)):
        made = as_replicate_design(base_design(kind), kind, fay_rho=rho)
        np.testing.assert_array_equal(made.replicate_weights,
                                      FIXTURE.w.to_numpy()[:, None] * r_factors(kind))
        assert made.replicate_scale == 1 / (32 * (1 - rho) ** 2)


@pytest.mark.parametrize("kind", ["JK1", "JKn"])
def test_jackknife_gives_r_replicate_weights(kind):
    """R: as.svrepdesign(type = "JK1" | "JKn"): the same replicate columns (one per PSU, in
    another order), scale and rscales; hence the same estimates as R's supplied-weight rows."""
    made = as_replicate_design(base_design(kind), kind)
    theirs = FIXTURE.w.to_numpy()[:, None] * r_factors(kind)
    order = np.lexsort(made.replicate_weights)
    np.testing.assert_allclose(made.replicate_weights[:, order],
                               theirs[:, np.lexsort(theirs)], rtol=1e-15)
    rows = FACTORS[FACTORS.type == kind]
    assert made.replicate_scale == pytest.approx(rows.scale.iloc[0], rel=1e-15)
    np.testing.assert_allclose(np.sort(made.replicate_rscales),
                               np.sort(rows.groupby("replicate").rscales.first()), rtol=1e-15)
    ref = REFERENCE[(REFERENCE.type == kind) & ~REFERENCE.mse & (REFERENCE.method == "beta")
                    & (REFERENCE.level == 0.95)]
    for _, rows in ref.groupby(["variable", "include_missing", "by"]):
        merged = ours_for(made, rows)
        for column in COMPARED:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], rtol=1e-9)


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_bootstrap_is_seeded_and_keeps_each_stratum_weight(kind):
    design = base_design(kind)
    a = as_replicate_design(design, kind, replicates=40, seed=7)
    b = as_replicate_design(design, kind, replicates=40, seed=7)
    c = as_replicate_design(design, kind, replicates=40, seed=8)
    np.testing.assert_array_equal(a.replicate_weights, b.replicate_weights)
    assert not np.array_equal(a.replicate_weights, c.replicate_weights)
    # Canty-Davison draws n_h PSUs, Rao-Wu n_h - 1 rescaled by n_h/(n_h-1): either way a stratum's
    # factors add up to n_h = 8 in every replicate
    factors = a.replicate_weights / np.where(design.w > 0, design.w, 1.0)[:, None]
    first = np.unique(design.psu_codes, return_index=True)[1]
    by_stratum = pd.DataFrame(factors[first]).groupby(design.psu_stratum).sum()
    np.testing.assert_allclose(by_stratum.to_numpy(), 8.0, rtol=1e-13)
    assert a.n_replicates == 40 and a.replicate_scale == pytest.approx(
        1 / 39 if kind == "subbootstrap" else 8 / (7 * 39), rel=1e-15)


@pytest.mark.parametrize("kind", ["bootstrap", "subbootstrap"])
def test_bootstrap_variance_is_close_to_the_linearised(kind):
    """Both bootstraps estimate the with-replacement variance (Rao & Wu 1988; Canty & Davison
    1999): with 2000 replicates the SE of an overall proportion is within 10% of the linearised
    one (the Monte Carlo error of the SE is about 1.6% at 2000 replicates)."""
    design = base_design(kind)
    linear = proportion(design, "q_agree", [4, 5], by="sex", missing_values=[8])
    boot = proportion(as_replicate_design(design, kind, replicates=2000, seed=20240611),
                      "q_agree", [4, 5], by="sex", missing_values=[8])
    np.testing.assert_allclose(boot.estimate, linear.estimate, rtol=1e-14)
    np.testing.assert_allclose(boot.se, linear.se, rtol=0.1)


def test_sylvester_matrix_is_hadamard():
    h = sylvester_hadamard(16)
    np.testing.assert_array_equal(h @ h.T, 16 * np.eye(16))
    assert set(np.unique(h)) == {-1.0, 1.0}


# --- the variance, the rank ----------------------------------------------------------------------
def test_replicate_variance_by_hand():
    """scale * sum rscales (theta - centre)^2: centre the replicates' mean, or the estimate (mse);
    a NaN replicate is left out with its rscales (R's na.omit)."""
    thetas = np.array([0.2, 0.4, 0.6, np.nan])
    rscales = np.array([1.0, 2.0, 1.0, 5.0])
    assert replicate_variance(thetas, np.array(0.5), 0.5, rscales, False) == pytest.approx(
        0.5 * (0.04 + 0 + 0.04), rel=1e-14)
    assert replicate_variance(thetas, np.array(0.5), 0.5, rscales, True) == pytest.approx(
        0.5 * (0.09 + 2 * 0.01 + 0.01), rel=1e-14)
    assert np.isnan(replicate_variance(np.full(3, np.nan), np.array(0.5), 1.0, np.ones(3), False))


def test_rank_counts_independent_directions():
    rows = np.array([[1.0, 2.0, 0.0], [2.0, 4.0, 0.0], [0.0, 1.0, 1.0]])
    assert rank(rows) == 2 and rank(rows[:2]) == 1 and rank(np.zeros((0, 3))) == 0
    assert rank(rows + np.array([[0, 0, 1e-7], [0, 0, 0], [0, 0, 0]])) == 2  # below R's 1e-5


# --- arguments -----------------------------------------------------------------------------------
def test_combined_weights_regex_and_columns_give_one_design():
    factors = r_factors("JKn")
    frame = FIXTURE.join(pd.DataFrame(FIXTURE.w.to_numpy()[:, None] * factors,
                                      columns=[f"rep{r + 1}" for r in range(factors.shape[1])]))
    rscales = FACTORS[FACTORS.type == "JKn"].groupby("replicate").rscales.first().to_numpy()
    by_columns = ReplicateDesign(frame, "w", [f"rep{r + 1}" for r in range(32)], "JKn", rscales=rscales)
    by_regex = ReplicateDesign(frame, "w", r"^rep\d+$", "JKn", rscales=rscales)
    from_factors = supplied("JKn")
    for design in (by_regex, from_factors):
        np.testing.assert_allclose(design.replicate_weights, by_columns.replicate_weights, rtol=1e-15)
    assert by_columns.design_df == 28


def test_fixed_df_is_used_for_every_estimate():
    """df = 20 (e.g. a file's documented df): every domain's df is 20, and the beta interval
    changes with it."""
    fixed = proportion(supplied("JKn", df=20), "q_agree", [4, 5], by="group4", missing_values=[8],
                       min_base=0)
    ranked = proportion(supplied("JKn"), "q_agree", [4, 5], by="group4", missing_values=[8],
                        min_base=0)
    assert (fixed.df == 20).all() and (ranked.df != 20).all()
    np.testing.assert_allclose(fixed.se, ranked.se, rtol=1e-15)
    assert (fixed.ci_low != ranked.ci_low).all()


def test_scale_and_rscales_change_the_variance():
    base = proportion(supplied("bootstrap"), "q_rare", 1)
    doubled = proportion(supplied("bootstrap", scale=2 * FACTORS[FACTORS.type == "bootstrap"].scale.iloc[0]),
                         "q_rare", 1)
    assert doubled.se.iloc[0] == pytest.approx(np.sqrt(2) * base.se.iloc[0], rel=1e-13)
    quadrupled = proportion(supplied("bootstrap", rscales=4.0), "q_rare", 1)
    assert quadrupled.se.iloc[0] == pytest.approx(2 * base.se.iloc[0], rel=1e-13)


def frame_with_replicates(values) -> pd.DataFrame:
    reps = pd.DataFrame(np.tile(FIXTURE.w.to_numpy()[:, None], 3), columns=["r1", "r2", "r3"])
    reps.iloc[[3, 9], 1] = values
    return FIXTURE.join(reps)


@pytest.mark.parametrize("value, what", [(np.nan, r"missing \(NaN\) values"), (-1.0, "negative values"),
                                         (np.inf, "infinite values")])
def test_bad_replicate_weights_name_column_values_and_rows(value, what):
    with pytest.raises(ValueError, match=rf"repweights column 'r2' has {what} in 2 of 320 rows"):
        ReplicateDesign(frame_with_replicates(value), "w", ["r1", "r2", "r3"], "bootstrap")


def test_replicate_count_must_match_rscales():
    with pytest.raises(ValueError, match=r"rscales has 2 value\(s\) but there are 3 replicate weight "
                                         r"columns \('r1', 'r2', 'r3'\)"):
        ReplicateDesign(frame_with_replicates(1.0), "w", ["r1", "r2", "r3"], "JKn", rscales=[0.5, 0.5])


def test_other_argument_errors():
    frame = frame_with_replicates(1.0)
    cases = [
        (dict(type="jackknife"), r"type='jackknife' is not one of"),
        (dict(type="Fay"), r"type='Fay' needs Fay's factor rho in \[0, 1\); got rho=None"),
        (dict(type="BRR", rho=0.5), r"rho=0.5 is Fay's factor and only used with type='Fay'"),
        (dict(type="BRR", scale=0.5), r"type='BRR' fixes scale"),
        (dict(type="JKn"), r"type='JKn' needs rscales"),
        (dict(type="other", scale=-1.0), r"scale=-1.0 must be a positive number"),
        (dict(type="other", df=0), r"df=0 must be a positive integer"),
        (dict(type="other", repweights="^rep"), r"repweights='\^rep' matches none of the"),
        (dict(type="other", repweights=["r1", "r9"]), r"repweights column\(s\) 'r9' not found"),
        (dict(type="other", repweights=np.ones((5, 2))), r"repweights array has shape \(5, 2\)"),
    ]
    for options, message in cases:
        options = {"repweights": ["r1", "r2", "r3"], **options}
        with pytest.raises(ValueError, match=message):
            ReplicateDesign(frame, "w", **options)
    with pytest.raises(ValueError, match=r"repweights column\(s\) 'r2' are zero in all 320 rows"):
        ReplicateDesign(frame.assign(r2=0.0), "w", ["r1", "r2"], "other")


def test_conversion_errors_name_the_problem(monkeypatch):
    stratified, pairs = base_design("JKn"), base_design("BRR")
    cases = [
        (stratified, dict(type="JK1"), r"type='JK1' is for unstratified designs \(strata column 'stratum'"),
        (base_design("JK1"), dict(type="JKn"), r"type='JKn' needs strata"),
        (stratified, dict(type="BRR"), r"stratum/strata 'S1', 'S2', 'S3', 'S4' have 8, 8, 8, 8 PSU\(s\); "
                                       r"type='BRR' needs exactly two PSUs"),
        (stratified, dict(type="bootstrap"), r"type='bootstrap' draws PSUs at random: give seed="),
        (stratified, dict(type="JKn", seed=1), r"seed is not used by type='JKn'"),
        (stratified, dict(type="JKn", replicates=10), r"replicates is not used by type='JKn'"),
        (pairs, dict(type="BRR", fay_rho=0.5), r"fay_rho is not used by type='BRR'"),
        (pairs, dict(type="Fay", fay_rho=1.5), r"type='Fay' needs 0 < fay_rho < 1"),
        (pairs, dict(type="BRR", hadamard=np.ones((32, 32))), r"hadamard must be a square matrix"),
        (pairs, dict(type="BRR", hadamard=sylvester_hadamard(16)), r"hadamard has 16 rows; BRR on 16 "
                                                                  r"strata needs at least 17"),
        (stratified, dict(type="subbootstrap", seed=1, replicates=1), r"replicates=1 must be an integer"),
        (stratified, dict(type="half"), r"type='half' is not one of"),
    ]
    for design, options, message in cases:
        with pytest.raises(ValueError, match=message):
            as_replicate_design(design, **options)
    lonely = SurveyDesign(FIXTURE.assign(psu=np.where(FIXTURE.stratum == "S4", 1, FIXTURE.psu)), "w",
                          strata="stratum", psu="psu", lonely_psu="remove")
    with pytest.raises(ValueError, match=r"stratum/strata 'S4' have 1 PSU\(s\); type='JKn' needs at "
                                         r"least two PSUs"):
        as_replicate_design(lonely, "JKn")
    monkeypatch.setattr(replicates_module, "_MAX_GENERATED", 1000)
    with pytest.raises(ValueError, match=r"type='JK1' on 320 PSUs and 320 rows would need 102,400"):
        as_replicate_design(SurveyDesign(FIXTURE, "w"), "JK1")


def test_replicate_designs_are_refused_where_only_linearisation_is_built():
    from social_licence.survey.compare import compare_with_rest
    with pytest.raises(ValueError, match=r"compare_with_rest needs a SurveyDesign"):
        compare_with_rest(supplied("JKn"), "q_agree", [4, 5], "flag", missing_values=[8])
