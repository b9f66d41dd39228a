"""Tests for social_licence.survey.consensus: the 1.5/k baseline (Finch & Mason 1991) and its
general form factor/k, the published-style "reaches" rule (rounded half-up to whole percent, >=),
the interval verdicts and the point rule. References are the definitions written out by hand."""
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from social_licence.survey.consensus import (
    FACTOR,
    RULES,
    VERDICTS,
    consensus_threshold,
    consensus_verdicts,
    published_reaches_threshold,
    round_half_up_percent,
)


def test_thresholds():
    assert consensus_threshold(2) == 0.75
    assert consensus_threshold(3) == 0.5
    np.testing.assert_allclose(consensus_threshold([2, 3, 4, 5]), [0.75, 0.5, 0.375, 0.3])


@pytest.mark.parametrize("k", [1, 0, 2.5, "3", True, np.nan])
def test_bad_k_is_rejected_with_its_value(k):
    with pytest.raises(ValueError, match=r"k \(number of answer categories\) must be an integer >= 2"):
        consensus_threshold(k)


def test_round_half_up():
    np.testing.assert_array_equal(round_half_up_percent([0.745, 0.125, 0.5, 0.4949, 0.005, 1.0]),
                                  [75, 13, 50, 49, 1, 100])


def test_published_fifty_reaches_fifty():
    """The paper printed whole percentages; a printed 50 reaches the k = 3 threshold of 50."""
    assert published_reaches_threshold(50, 3) is True
    assert published_reaches_threshold(49, 3) is False
    np.testing.assert_array_equal(published_reaches_threshold([75, 74, 38, 37], [2, 2, 4, 4]),
                                  [True, False, True, False])


def test_published_percentages_are_validated():
    with pytest.raises(ValueError, match=r"published percentages must be numbers in \[0, 100\]"):
        published_reaches_threshold([50, np.nan], 3)
    with pytest.raises(ValueError, match=r"\[0, 100\]; got 120\.0$"):
        published_reaches_threshold([120], 3)


def table():
    return pd.DataFrame({
        "item": ["a", "b", "c", "d", "e", "f", "g"],
        "estimate": [0.62, 0.495, 0.40, 0.55, 0.48, np.nan, 0.60],
        "ci_low": [0.50, 0.44, 0.30, 0.45, 0.40, np.nan, 0.51],
        "ci_high": [0.70, 0.55, 0.49, 0.65, 0.50, np.nan, 0.69],
        "suppressed": [False, False, False, False, False, True, False],
        "k": [3, 3, 3, 3, 3, 3, 2],
    })


def test_verdicts_by_hand():
    out = consensus_verdicts(table(), "k")
    assert list(out.threshold) == [0.5] * 6 + [0.75]
    assert list(out.verdict) == ["consensus", "open", "no consensus", "open",
                                 "open", "suppressed", "no consensus"]
    # 0.495 prints as 50 -> reaches 50; 0.48 prints 48 -> does not; 0.60 < 75 with k = 2
    assert list(out.reaches_threshold) == [True, True, False, True, False, False, False]
    assert out.reaches_threshold.dtype == bool


def test_interval_bounds_on_the_threshold():
    """ci_low == threshold -> licence (>=); ci_high == threshold -> not settled (no licence needs <)."""
    frame = pd.DataFrame({"estimate": [0.6, 0.45], "ci_low": [0.5, 0.4], "ci_high": [0.7, 0.5]})
    assert list(consensus_verdicts(frame, 3).verdict) == ["consensus", "open"]


@pytest.mark.parametrize("k, threshold", [(2, 0.75), (3, 0.5), (4, 0.375), (5, 0.3)])
def test_every_threshold_at_its_boundary(k, threshold):
    """At 1.5/k exactly: ci_low on it is a consensus, ci_high on it is open, just below it is no
    consensus; an estimate printing at the threshold (rounded half-up) reaches it, one point below
    does not (k = 4: 37.5% is reached by a printed 38%, not 37%)."""
    below = np.nextafter(threshold, 0)
    frame = pd.DataFrame({"estimate": [threshold + 0.1, threshold - 0.1, threshold - 0.1],
                          "ci_low": [threshold, threshold - 0.2, threshold - 0.2],
                          "ci_high": [threshold + 0.2, threshold, below]})
    out = consensus_verdicts(frame, k)
    assert out.verdict.tolist() == ["consensus", "open", "no consensus"]
    printed = np.ceil(threshold * 100)  # the smallest whole percent at or above the threshold
    estimates = pd.DataFrame({"estimate": [(printed - 0.5) / 100, (printed - 0.51) / 100],
                              "ci_low": 0.0, "ci_high": 1.0})
    assert consensus_verdicts(estimates, k).reaches_threshold.tolist() == [True, False]


def test_integer_k_and_copy():
    frame = table().drop(columns="k")
    out = consensus_verdicts(frame, 3)
    assert "threshold" not in frame.columns and len(out) == len(frame)
    assert list(out.columns[-3:]) == ["threshold", "reaches_threshold", "verdict"]


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"consensus column\(s\) 'ci_high' not found"):
        consensus_verdicts(table().drop(columns="ci_high"), 3)
    with pytest.raises(ValueError, match=r"k column\(s\) 'n_categories' not found"):
        consensus_verdicts(table(), "n_categories")


def test_recomputed_and_published_rules_agree():
    out = consensus_verdicts(table().iloc[:5], "k")
    published = published_reaches_threshold(round_half_up_percent(out.estimate), out.k)
    np.testing.assert_array_equal(out.reaches_threshold, published)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.floats(0, 1), st.floats(0, 0.3), st.floats(0, 0.3),
                               st.booleans(), st.integers(2, 6)), min_size=1, max_size=40))
def test_verdicts_partition_the_rows(rows):
    p = np.array([r[0] for r in rows])
    frame = pd.DataFrame({
        "estimate": p, "ci_low": np.clip(p - [r[1] for r in rows], 0, 1),
        "ci_high": np.clip(p + np.array([r[2] for r in rows]), 0, 1),
        "suppressed": [r[3] for r in rows], "k": [r[4] for r in rows],
    })
    out = consensus_verdicts(frame, "k")
    assert out.verdict.isin(VERDICTS).all() and len(out) == len(frame)
    licence = (out.ci_low >= out.threshold) & ~out.suppressed
    no_licence = (out.ci_high < out.threshold) & ~out.suppressed
    assert not (licence & no_licence).any()
    expected = np.select([out.suppressed, licence, no_licence],
                         ["suppressed", "consensus", "no consensus"], "open")
    np.testing.assert_array_equal(out.verdict, expected)


# --- another factor, and the point rule -------------------------------------------------------------
# References: the thresholds factor / k written out (1.25 / 2 = 0.625 and 1.5 / 4 = 0.375 are exact
# in binary floating point, so the boundary cases below sit exactly on the line).

def test_thresholds_follow_the_factor():
    assert consensus_threshold(2, 1.25) == 0.625
    assert consensus_threshold(4, FACTOR) == 0.375 and FACTOR == 1.5
    np.testing.assert_allclose(consensus_threshold([2, 3, 4], 1.2), [0.6, 0.4, 0.3])
    assert consensus_threshold(3, 2.5) == pytest.approx(2.5 / 3), "a factor up to k is allowed"
    assert consensus_threshold(3, 1.0001) == pytest.approx(1.0001 / 3), "just above an even split"


@pytest.mark.parametrize("factor", [1, 1.0, 0.5, 0, -2, True, "1.5", None, np.nan, np.inf])
def test_a_factor_that_is_not_a_number_above_1_is_refused_naming_it(factor):
    with pytest.raises(ValueError, match=rf"^factor={factor!r} must be a number above 1"):
        consensus_threshold(3, factor)
    with pytest.raises(ValueError, match=rf"^factor={factor!r}"):
        consensus_verdicts(table(), "k", factor=factor)


@pytest.mark.parametrize("factor, k, named", [(2, 2, "k = 2"), (2.5, [2, 3], "k = 2"), (3, [2, 3, 4], "k = 2, 3")])
def test_a_factor_that_puts_the_threshold_at_100_per_cent_or_more_is_refused(factor, k, named):
    with pytest.raises(ValueError, match=rf"factor={factor:g} gives a threshold of 100% or more for {named}$"):
        consensus_threshold(k, factor)


def test_the_interval_rule_with_another_factor_exactly_on_the_line():
    """Factor 1.25, two options: threshold 0.625. ci_low exactly 0.625 is a consensus, a hair
    below it open; ci_high exactly 0.625 is open, a hair below it no consensus."""
    frame = pd.DataFrame({"estimate": [0.7, 0.7, 0.55, 0.55],
                          "ci_low": [0.625, np.nextafter(0.625, 0), 0.5, 0.5],
                          "ci_high": [0.8, 0.8, 0.625, np.nextafter(0.625, 0)]})
    out = consensus_verdicts(frame, 2, factor=1.25)
    assert (out["threshold"] == 0.625).all()
    assert out["verdict"].tolist() == ["consensus", "open", "open", "no consensus"]
    default = consensus_verdicts(frame, 2)
    assert (default["threshold"] == 0.75).all() and default["verdict"].tolist() == ["open", "open", "no consensus",
                                                                                   "no consensus"]


def test_reaching_another_factor_s_threshold_is_judged_on_the_printed_whole_percent():
    """Threshold 62.5% (1.25 / 2): a printed 63 reaches it and 62 does not; an estimate of 0.625
    prints as 63 (half up), one of 0.6249 as 62. For four options at 1.5 (37.5%), 38 reaches."""
    assert published_reaches_threshold(63, 2, factor=1.25) is True
    assert published_reaches_threshold(62, 2, factor=1.25) is False
    np.testing.assert_array_equal(published_reaches_threshold([38, 37], 4), [True, False])
    frame = pd.DataFrame({"estimate": [0.625, 0.6249], "ci_low": [0.6, 0.6], "ci_high": [0.65, 0.65]})
    assert consensus_verdicts(frame, 2, factor=1.25)["reaches_threshold"].tolist() == [True, False]


def test_the_point_rule_judges_the_printed_share_alone():
    """The same rows as test_verdicts_by_hand under rule="point": 0.62 consensus, 0.495 (printed 50)
    consensus, 0.40 no consensus, 0.55 consensus, 0.48 no consensus, the suppressed row suppressed,
    0.60 of two options no consensus. No row is open."""
    out = consensus_verdicts(table(), "k", rule="point")
    assert out["verdict"].tolist() == ["consensus", "consensus", "no consensus", "consensus", "no consensus",
                                       "suppressed", "no consensus"]
    assert list(out.columns[-3:]) == ["threshold", "reaches_threshold", "verdict"]
    lower = consensus_verdicts(table(), "k", factor=1.2, rule="point")
    assert lower["verdict"].tolist()[-1] == "consensus", "0.60 reaches 1.2 / 2 = 60%"


def test_the_point_rule_needs_no_interval_but_honours_suppression():
    frame = pd.DataFrame({"estimate": [0.6, 0.6, np.nan], "ci_low": [np.nan, 0.55, np.nan],
                          "ci_high": [np.nan, 0.65, np.nan], "suppressed": [False, True, False]})
    assert consensus_verdicts(frame, 3, rule="point")["verdict"].tolist() == ["consensus", "suppressed", "suppressed"]
    assert consensus_verdicts(frame, 3)["verdict"].tolist() == ["suppressed"] * 3


def test_an_unknown_rule_is_refused_naming_it():
    with pytest.raises(ValueError, match="rule='points' is not one of 'interval', 'point'"):
        consensus_verdicts(table(), "k", rule="points")
    assert RULES == ("interval", "point")


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.floats(0, 1), st.booleans(), st.integers(2, 6)), min_size=1, max_size=40),
       factor=st.floats(1.01, 1.99))
def test_the_point_rule_is_never_open_and_follows_reaches_threshold(rows, factor):
    frame = pd.DataFrame({"estimate": [r[0] for r in rows], "ci_low": 0.0, "ci_high": 1.0,
                          "suppressed": [r[1] for r in rows], "k": [r[2] for r in rows]})
    out = consensus_verdicts(frame, "k", factor=factor, rule="point")
    assert "open" not in set(out["verdict"])
    np.testing.assert_allclose(out["threshold"], factor / frame["k"])
    expected = np.select([out["suppressed"], out["reaches_threshold"]], ["suppressed", "consensus"], "no consensus")
    np.testing.assert_array_equal(out["verdict"], expected)
    printed = np.floor(np.round(frame["estimate"] * 100, 9) + 0.5)
    np.testing.assert_array_equal(out["reaches_threshold"], printed >= 100 * factor / frame["k"] - 1e-9)
