"""Tests for social_licence.survey.domain_sums: the sums by domain, PSU and replicate.

The routes are checked against each other and against sums written out by hand: the sparse PSU
product against ``np.add.at``, the matrix routes against the ``np.bincount`` route on the committed
fixture (tests/reference/survey_fixture.csv) for every kind of linearised design, batched against
whole. Their agreement with R ``survey`` is in test_proportions.py (which holds ``proportion`` and
``proportion_by_each`` to the R reference rows of all four linearised designs) and
test_replicates.py.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from social_licence.survey import domain_sums
from social_licence.survey.answers import answer_states
from social_licence.survey.design import SurveyDesign
from social_licence.survey.domain_sums import (
    bincount_sums,
    cluster_level_totals,
    matrix_sums,
    psu_statistics,
    psu_sums,
    strata_sums,
)

FIXTURE = pd.read_csv(Path(__file__).parents[1] / "reference" / "survey_fixture.csv")
GROUPINGS = ["group4", "sex", "flag"]


def codes_of(column: str) -> tuple[np.ndarray, int]:
    codes, levels = pd.factorize(FIXTURE[column], sort=True)
    return codes.astype(np.int64), len(levels)


def test_cluster_level_totals_by_hand():
    """Each row's weight times its columns, added at (cluster, level) of every grouping."""
    rng = np.random.default_rng(3)
    clusters = rng.integers(0, 5, 1000)
    weights = rng.uniform(0, 2, 1000)
    values = rng.normal(size=(1000, 3))
    groupings = [(rng.integers(0, 2, 1000), 2), (rng.integers(0, 3, 1000), 3)]
    totals = cluster_level_totals(clusters, 5, weights, groupings,
                                  lambda start, stop: values[start:stop], 3)
    expected = np.zeros((5, 5, 3))
    for (codes, _), first in zip(groupings, (0, 2)):
        np.add.at(expected, (clusters, codes + first), weights[:, None] * values)
    np.testing.assert_allclose(totals, expected, rtol=1e-13, atol=1e-13)


def test_psu_statistics_by_hand():
    """Two strata of two PSUs; domain present in PSUs 0, 1, 2: df = 3 PSUs - 2 strata = 1;
    W = 6, p = 3/6, z = (B - p A)/W = (0.5, -0.5, 0, 0)/6; stratum 1: 2 * (2 * (0.5/6)^2)."""
    base = np.array([2.0, 2.0, 2.0, 0.0])
    positive = np.array([1.5, 0.5, 1.0, 0.0])
    design = SurveyDesign(pd.DataFrame({"w": 1.0, "s": [1, 1, 2, 2], "p": [1, 2, 1, 2]}), "w",
                          strata="s", psu="p")
    total, p, var, df = psu_statistics(base, positive, design.psu_per_stratum,
                                       design.stratum_starts, design.variance_of_psu_totals)
    assert (total, p, int(df)) == (6.0, 0.5, 1)
    assert var == pytest.approx(2 * 2 * (0.5 / 6) ** 2, rel=1e-14)


@pytest.mark.parametrize("include_missing", [False, True])
@pytest.mark.parametrize("kind", ["weights", "strata", "strata_psu"])
def test_matrix_routes_equal_the_bincount_route(kind, include_missing):
    """matrix_sums (weights only), strata_sums (strata, no PSU) and psu_sums (strata and PSU) on
    three groupings at once equal bincount_sums grouping by grouping: counts exactly, sums and
    variances to 1e-12."""
    options = {"weights": {}, "strata": {"strata": "stratum"},
               "strata_psu": {"strata": "stratum", "psu": "psu"}}[kind]
    route = {"weights": matrix_sums, "strata": strata_sums, "strata_psu": psu_sums}[kind]
    design = SurveyDesign(FIXTURE, "w", **options)
    states = answer_states(design, ["q_rare", "q_common"], 1)
    groupings = [codes_of(column) for column in GROUPINGS]
    together = route(design, states, include_missing, groupings)
    for sums, (codes, k) in zip(together, groupings):
        alone = bincount_sums(design, states, include_missing, codes, k)
        assert set(sums) == set(alone)
        for key in ("n", "n_missing", "df"):
            np.testing.assert_array_equal(sums[key], alone[key], err_msg=key)
        for key in ("weighted_n", "estimate", "var", "n_eff", "deff"):
            np.testing.assert_allclose(sums[key], alone[key], rtol=1e-12, err_msg=key)


def test_psu_totals_in_batches_equal_one_batch(monkeypatch):
    """With room for one grouping's PSU totals at a time, psu_sums runs a product per grouping
    and gives what one product for all gives."""
    design = SurveyDesign(FIXTURE, "w", strata="stratum", psu="psu")
    states = answer_states(design, "q_agree", [4, 5], [8])
    groupings = [codes_of(column) for column in GROUPINGS]
    whole = psu_sums(design, states, False, groupings)
    monkeypatch.setattr(domain_sums, "_CLUSTER_TOTALS_BYTES", 1)
    assert domain_sums._batches(groupings, 8) == [[0], [1], [2]]
    for a, b in zip(whole, psu_sums(design, states, False, groupings)):
        for key in a:
            np.testing.assert_array_equal(a[key], b[key])
