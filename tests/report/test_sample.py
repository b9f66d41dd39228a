"""Tests for social_licence.report.sample: the composition table, Kish's weighting design effect and the
consensus-threshold table. References: hand calculations written out below, R PracTools' ``deffK``
formula (1 + relvariance of the weights), the design effect implied by ``proportion()``'s effective
sample size, and the published-style rule of social_licence.survey.consensus."""
import numpy as np
import pandas as pd
import pytest
from social_licence.report.sample import (
    composition_for_readers,
    composition_table,
    threshold_table,
    thresholds_for_readers,
)
from social_licence.study.codebook import load_codebook
from social_licence.survey.consensus import (
    consensus_verdicts,
    published_reaches_threshold,
)


@pytest.fixture(scope="module")
def composition(survey):
    return composition_table(survey)


# --- composition table ----------------------------------------------------------------------------

def test_composition_has_the_fifteen_published_figures(composition):
    assert composition["figure_id"].tolist() == [f"S{i:02d}" for i in range(1, 16)]
    assert (composition["measure"] == "sample_composition").all()


def test_composition_counts_and_shares_by_hand(survey, composition):
    data = survey.data
    for row in composition.itertuples(index=False):
        members = data[row.item]
        assert row.members == int(members.sum())
        assert row.unweighted_share == pytest.approx(members.mean(), abs=1e-15)
        # the codebook reads the composition figures as unweighted shares of the sample
        assert row.estimate == pytest.approx(members.mean(), abs=1e-12)
        assert row.ci_low < row.estimate < row.ci_high


def test_composition_passes_level_and_method_through(survey):
    table = composition_table(survey, level=0.9, method="wilson")
    assert set(table["level"]) == {0.9} and set(table["method"]) == {"wilson"}
    wide = composition_table(survey, level=0.99)
    assert ((table["ci_high"] - table["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()


def test_composition_for_readers(composition):
    shown = composition_for_readers(composition)
    assert list(shown.columns) == ["Figure", "Parents", "Published %", "Recomputed %", "95% interval",
                                   "Respondents (unweighted)", "Unweighted %"]
    assert len(shown) == 15
    first = composition.iloc[0]
    assert shown.iloc[0]["Respondents (unweighted)"] == str(first["members"])
    assert shown.iloc[0]["Unweighted %"] == f"{100 * first['unweighted_share']:.1f}"


# --- consensus thresholds -------------------------------------------------------------------------

def test_threshold_table_by_hand():
    table = threshold_table([2, 3, 4, 5])
    np.testing.assert_allclose(table["equal_share"], [1 / 2, 1 / 3, 1 / 4, 1 / 5])
    np.testing.assert_allclose(table["threshold"], [0.75, 0.5, 0.375, 0.3])
    assert table["lowest_published"].tolist() == [75, 50, 38, 30]
    np.testing.assert_allclose(table["lowest_estimate"], [0.745, 0.495, 0.375, 0.295])


def test_threshold_table_counts_the_codebook_questions():
    codebook = load_codebook()
    table = threshold_table([2, 3, 4], codebook=codebook)
    ks = [item.k for item in codebook.items.values()]
    assert table["questions"].tolist() == [ks.count(2), ks.count(3), 0]
    assert table["questions"].sum() == len(codebook.items)


@pytest.mark.parametrize("k", [2, 3, 4, 5, 6, 7])
def test_lowest_published_is_where_the_published_rule_switches(k):
    """Another route: the consensus module's rule for printed figures and for unrounded estimates."""
    row = threshold_table([k]).iloc[0]
    lowest = int(row["lowest_published"])
    assert published_reaches_threshold(lowest, k) and not published_reaches_threshold(lowest - 1, k)
    estimates = pd.DataFrame({"estimate": [row["lowest_estimate"], row["lowest_estimate"] - 1e-6],
                              "ci_low": 0.0, "ci_high": 1.0})
    assert consensus_verdicts(estimates, k)["reaches_threshold"].tolist() == [True, False]


@pytest.mark.parametrize("ks", [[], [1], [2.5], [True]])
def test_threshold_table_rejects_bad_k(ks):
    with pytest.raises(ValueError, match="k|ks"):
        threshold_table(ks)


def test_thresholds_for_readers():
    shown = thresholds_for_readers(threshold_table([2, 3, 4, 5]))
    assert shown["Threshold 1.5/k %"].tolist() == ["75.0", "50.0", "37.5", "30.0"]
    assert shown["Lowest published figure counted %"].tolist() == ["75", "50", "38", "30"]
    assert shown["Lowest unrounded share counted %"].tolist() == ["74.5", "49.5", "37.5", "29.5"]
