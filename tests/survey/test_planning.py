"""Tests for social_licence.survey.planning, by hand calculation: Clopper-Pearson limits from
scipy.stats.binomtest (exact for deff = 1 and whole counts, and on n/deff), the Wilson and logit
formulas written out, and Cochran's n = z^2 p(1-p) deff / margin^2 rounded up."""
import numpy as np
import pytest
from scipy import stats
from scipy.special import expit, logit
from social_licence.survey.planning import interval_from_summary, sample_size_for_margin


def test_beta_with_deff_one_is_clopper_pearson():
    out = interval_from_summary([50, 12, 3], [100, 250, 200])
    for (_, row), (k, n) in zip(out.iterrows(), [(50, 100), (30, 250), (6, 200)]):
        exact = stats.binomtest(k, n).proportion_ci(method="exact")
        assert (row.ci_low, row.ci_high) == pytest.approx((100 * exact.low, 100 * exact.high),
                                                          abs=1e-10)


def test_deff_shrinks_the_effective_sample_size():
    """p = 30% of n = 150 with deff 1.5 -> n_eff = 100, i.e. Clopper-Pearson for 30 out of 100."""
    row = interval_from_summary(30, 150, deff=1.5).iloc[0]
    exact = stats.binomtest(30, 100).proportion_ci(method="exact")
    assert row.n_eff == pytest.approx(100)
    assert (row.ci_low, row.ci_high) == pytest.approx((100 * exact.low, 100 * exact.high), abs=1e-10)
    assert row.se == pytest.approx(100 * np.sqrt(0.3 * 0.7 * 1.5 / 150))


def test_zero_percent_uses_n_over_deff():
    row = interval_from_summary(0, 120, deff=2.0, level=0.9).iloc[0]
    assert (row.ci_low, row.ci_high) == pytest.approx((0.0, 100 * (1 - 0.05 ** (1 / 60))), abs=1e-10)


def test_wilson_and_logit_by_hand():
    p, n, deff = 0.2, 80, 1.25
    m = n / deff
    z = stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * m)) / (1 + z**2 / m)
    half = z * np.sqrt(p * (1 - p) / m + z**2 / (4 * m**2)) / (1 + z**2 / m)
    row = interval_from_summary(p, n, deff, method="wilson", scale="proportion").iloc[0]
    assert (row.ci_low, row.ci_high) == pytest.approx((centre - half, centre + half), abs=1e-14)
    half = stats.t.ppf(0.975, n - 1) / np.sqrt(m * p * (1 - p))
    row = interval_from_summary(100 * p, n, deff, method="logit").iloc[0]
    assert (row.ci_low, row.ci_high) == pytest.approx(
        (100 * expit(logit(p) - half), 100 * expit(logit(p) + half)), abs=1e-12)


def test_output_columns():
    out = interval_from_summary(40, 843)
    assert list(out.columns) == ["estimate", "n", "deff", "n_eff", "se", "ci_low", "ci_high", "df",
                                 "level", "method"]
    assert out.df.iloc[0] == 842 and out.n.dtype == np.int64


def test_sample_size_by_hand():
    z95, z90 = stats.norm.ppf(0.975), stats.norm.ppf(0.95)
    assert sample_size_for_margin(50, 5) == 385 == int(np.ceil(z95**2 * 0.25 / 0.05**2))
    assert sample_size_for_margin(50, 3) == int(np.ceil(z95**2 * 0.25 / 0.03**2)) == 1068
    assert sample_size_for_margin(0.5, 0.05, deff=2, scale="proportion") == \
        int(np.ceil(2 * z95**2 * 0.25 / 0.05**2))
    assert sample_size_for_margin(50, 5, level=0.9) == int(np.ceil(z90**2 * 0.25 / 0.05**2))
    np.testing.assert_array_equal(sample_size_for_margin([10, 90], 3), [385, 385])


def test_sample_size_is_the_smallest_that_meets_the_margin():
    for p, margin, deff in [(0.3, 0.04, 1.0), (0.12, 0.02, 1.7), (0.5, 0.1, 1.0)]:
        n = sample_size_for_margin(p, margin, deff, scale="proportion")
        z = stats.norm.ppf(0.975)
        assert z * np.sqrt(p * (1 - p) * deff / n) <= margin
        assert z * np.sqrt(p * (1 - p) * deff / (n - 1)) > margin


@pytest.mark.parametrize("call, message", [
    (lambda: interval_from_summary(120, 100), r"estimate must lie in \[0, 100\] on the percent scale; got 120"),
    (lambda: interval_from_summary(0.5, 1, scale="proportion"), r"n must be >= 2; got 1"),
    (lambda: interval_from_summary(50, 10.5), r"n must be whole numbers of respondents; got 10\.5"),
    (lambda: interval_from_summary(50, 100, deff=0), r"deff must be > 0; got 0"),
    (lambda: interval_from_summary(50, 100, scale="percentage"), r"scale='percentage' is not one of"),
    (lambda: interval_from_summary(50, 100, method="exact"), r"method='exact' is not one of"),
    (lambda: sample_size_for_margin(50, 0), r"margin must be > 0; got 0"),
    (lambda: sample_size_for_margin(50, 5, level=1.2), r"level=1\.2 must be strictly between"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises(ValueError, match=message):
        call()
