"""Tests for social_licence.survey.intervals.

References: R survey 4.1.1 ``svyciprop`` limits in tests/reference/proportions_reference.csv (made by
tests/reference/make_reference.R), fed back through ``proportion_interval`` from R's own estimate,
SE, nrow and degf; Clopper-Pearson limits from ``scipy.stats.binomtest``; the Wilson formula and the
boundary limits written out by hand.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats
from scipy.special import expit, logit
from social_licence.survey.intervals import METHODS, proportion_interval

REFERENCE = pd.read_csv(Path(__file__).parents[1] / "reference" / "proportions_reference.csv")


@pytest.mark.parametrize("method", ["beta", "logit"])
@pytest.mark.parametrize("level", [0.95, 0.9])
def test_limits_from_r_inputs_match_svyciprop(method, level):
    """R: svyciprop(~yy, design_or_domain, method = method, level = level) for every row of the
    reference (both designs, all items, overall and svyby domains), given R's estimate, SE,
    nrow(design) and degf(design)."""
    ref = REFERENCE[(REFERENCE.method == method) & (REFERENCE.level == level)]
    low, high = proportion_interval(ref.estimate, ref.se, ref.n, ref.df, method, level)
    np.testing.assert_allclose(low, ref.ci_low, atol=1e-8, rtol=0)
    np.testing.assert_allclose(high, ref.ci_high, atol=1e-8, rtol=0)


def test_beta_is_clopper_pearson_for_a_simple_random_sample():
    """With var = p(1-p)/n and df = n - 1 the Korn-Graubard interval is Clopper-Pearson
    (scipy.stats.binomtest(k, n).proportion_ci(method="exact"))."""
    for k, n in [(1, 20), (7, 30), (50, 100), (299, 300)]:
        p = k / n
        low, high = proportion_interval(p, np.sqrt(p * (1 - p) / n), n, n - 1, "beta", 0.95)
        exact = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="exact")
        assert (float(low), float(high)) == pytest.approx((exact.low, exact.high), abs=1e-12)


def test_beta_df_adjustment_widens_the_interval():
    """Korn & Graubard's (qt(a/2, n-1)/qt(a/2, df))^2 factor, written out by hand."""
    p, se, n, df = 0.3, 0.04, 200, 20
    ratio = (stats.t.ppf(0.025, n - 1) / stats.t.ppf(0.025, df)) ** 2
    n_eff = p * (1 - p) / se**2 * ratio
    expected = (stats.beta.ppf(0.025, n_eff * p, n_eff * (1 - p) + 1),
                stats.beta.ppf(0.975, n_eff * p + 1, n_eff * (1 - p)))
    assert proportion_interval(p, se, n, df) == pytest.approx(expected, abs=1e-14)
    assert proportion_interval(p, se, n, df)[0] < proportion_interval(p, se, n, n - 1)[0]


def test_logit_by_hand():
    p, se, df = 0.2, 0.03, 40
    half = stats.t.ppf(0.95, df) * se / (p * (1 - p))
    low, high = proportion_interval(p, se, 100, df, "logit", 0.9)
    assert (float(low), float(high)) == pytest.approx((expit(logit(p) - half), expit(logit(p) + half)),
                                                      abs=1e-15)


def test_wilson_matches_the_formula_on_the_effective_sample_size():
    """Wilson score interval by hand: (p + z^2/2m +/- z sqrt(p(1-p)/m + z^2/4m^2)) / (1 + z^2/m)
    with m = p(1-p)/se^2 (Kott & Carr 1997); df and n do not enter."""
    p, se, level = np.array([0.1, 0.45, 0.93]), np.array([0.02, 0.05, 0.01]), 0.9
    m = p * (1 - p) / se**2
    z = stats.norm.ppf(0.95)
    centre = (p + z**2 / (2 * m)) / (1 + z**2 / m)
    half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / (1 + z**2 / m)
    low, high = proportion_interval(p, se, [10, 10, 10], [3, 3, 3], "wilson", level)
    np.testing.assert_allclose(low, centre - half, atol=1e-14)
    np.testing.assert_allclose(high, centre + half, atol=1e-14)


def test_boundary_estimates_use_the_unweighted_base():
    """Zero variance at p = 0 or 1: beta is Clopper-Pearson for 0 (or n) out of n, i.e.
    [0, 1 - (a/2)^(1/n)]; wilson is [0, z^2/(n + z^2)]; logit collapses to [p, p] as R's does."""
    n = 40
    low, high = proportion_interval([0.0, 1.0], [0.0, 0.0], n, n - 1, "beta", 0.95)
    np.testing.assert_allclose(low, [0.0, 0.025 ** (1 / n)], atol=1e-14)
    np.testing.assert_allclose(high, [1 - 0.025 ** (1 / n), 1.0], atol=1e-14)
    z = stats.norm.ppf(0.975)
    low, high = proportion_interval([0.0, 1.0], [0.0, 0.0], n, n - 1, "wilson", 0.95)
    np.testing.assert_allclose(low, [0.0, n / (n + z**2)], atol=1e-14)
    np.testing.assert_allclose(high, [z**2 / (n + z**2), 1.0], atol=1e-14)
    low, high = proportion_interval([0.0, 1.0], [0.0, 0.0], n, n - 1, "logit", 0.95)
    np.testing.assert_array_equal(low, [0.0, 1.0])
    np.testing.assert_array_equal(high, [0.0, 1.0])


def test_boundary_n_overrides_the_effective_sample_size():
    low, high = proportion_interval(0.0, 0.0, 100, 99, "beta", 0.95, boundary_n=50)
    assert float(high) == pytest.approx(1 - 0.025 ** (1 / 50), abs=1e-14)


@pytest.mark.parametrize("method", METHODS)
def test_zero_variance_inside_the_unit_interval_collapses(method):
    low, high = proportion_interval(0.3, 0.0, 50, 49, method)
    assert (float(low), float(high)) == (0.3, 0.3)


@pytest.mark.parametrize("method", ["beta", "logit"])
def test_no_degrees_of_freedom_gives_nan_as_in_r(method):
    low, high = proportion_interval(0.3, 0.05, 1, 0, method)
    assert np.isnan(low) and np.isnan(high)


def test_nan_inputs_give_nan_limits():
    for method in METHODS:
        low, high = proportion_interval([np.nan, 0.5], [0.1, np.nan], 50, 49, method)
        assert np.isnan(low).all() and np.isnan(high).all()


def test_unknown_method_and_bad_level_are_rejected():
    with pytest.raises(ValueError, match=r"method='wald' is not one of 'beta', 'logit', 'wilson'"):
        proportion_interval(0.5, 0.1, 50, 49, "wald")
    for level in (0, 1, 1.5, 95, "0.95"):
        with pytest.raises(ValueError, match=rf"level={level!r} must"):
            proportion_interval(0.5, 0.1, 50, 49, "beta", level)


@settings(max_examples=60, deadline=None)
@given(p=st.one_of(st.sampled_from([0.0, 1.0]), st.floats(1e-9, 1 - 1e-9)),  # no subnormals
       deff=st.floats(0.3, 5.0), n=st.integers(2, 5000),
       df_share=st.floats(0.01, 1.0), level=st.floats(0.5, 0.999),
       method=st.sampled_from(METHODS))
def test_interval_contains_the_estimate(p, deff, n, df_share, level, method):
    se = np.sqrt(p * (1 - p) * deff / n)
    df = max(1, int(df_share * (n - 1)))
    low, high = proportion_interval(p, se, n, df, method, level)
    assert 0.0 <= low <= p <= high <= 1.0
