"""Tests for social_licence.study.fidelity: the synthetic file reproduces all 108 published figures.

Reference: data/published/published_figures.csv (the paper's and blog's printed figures). The
estimates come from the library's ``proportion``; two of them are re-derived here by a second route
(plain NumPy weighted sums) to check the table picks the right rows, codes and bases.
"""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from social_licence.study.codebook import load_codebook
from social_licence.study.fidelity import COLUMNS, fidelity_table
from social_licence.study.loader import load_survey


@pytest.fixture(scope="module")
def shipped():
    return load_survey().data


@pytest.fixture(scope="module")
def table(shipped):
    return fidelity_table(shipped)


def test_every_published_figure_rounds_to_its_published_value(table):
    assert len(table) == 108 and list(table.columns) == list(COLUMNS)
    missed = table.loc[~table["within_rounding_interval"], ["figure_id", "published", "estimate"]]
    assert missed.empty, f"figures not met:\n{missed}"
    assert (table["rounded"] == table["published"]).all()


def test_estimates_sit_inside_the_safety_margin(table):
    """The generator aims at each interval's centre, half a half-width at most away (robustness)."""
    half_width = (table["high"] - table["low"]) / 2
    assert ((table["estimate"] - table["published"]).abs() <= 0.5 * half_width + 1e-6).all()


def test_attitude_figure_by_a_second_route(shipped, table):
    """T3_21: Black parents trusting the police, weighted among valid answers (codes 1-2 of 1-5)."""
    black, answer = shipped["black"], shipped["police_and_criminal_justice"]
    base = black & answer.isin([1, 2, 3, 4, 5])
    expected = 100 * shipped["weight"][base & answer.isin([1, 2])].sum() / shipped["weight"][base].sum()
    row = table.set_index("figure_id").loc["T3_21"]
    assert row["estimate"] == pytest.approx(expected, abs=1e-9)
    assert row["n"] == base.sum()


def test_composition_figures_are_read_as_the_codebook_says(shipped, table):
    """S06: parents aged 18-29 (age band 1) as an unweighted share of everyone (the codebook's
    default reading); under the weighted reading the same check uses the weights."""
    weights = shipped["weight"].to_numpy()
    young = shipped["age_band"].to_numpy() == 1
    row = table.set_index("figure_id").loc["S06"]
    assert row["estimate"] == pytest.approx(100 * young.mean(), abs=1e-9) and row["n"] == 843
    weighted = replace(load_codebook(), composition="weighted")
    row = fidelity_table(shipped, codebook=weighted).set_index("figure_id").loc["S06"]
    assert row["estimate"] == pytest.approx(100 * weights[young].sum() / weights.sum(), abs=1e-9)
    assert not row["within_rounding_interval"]  # younger parents respond less: weighting matters


def test_a_missed_figure_is_reported(shipped):
    """Turning Black parents' awareness answers to 'no' must break T1_01 and T1_09, and only
    move figures that involve those answers."""
    broken = shipped.copy()
    black = broken["black"].to_numpy()
    for item in ("records_collected", "records_linkable"):
        answered = black & broken[item].isin([1, 2]).to_numpy()
        broken.loc[answered, item] = 2
    table = fidelity_table(broken).set_index("figure_id")
    assert not table.loc["T1_01", "within_rounding_interval"]
    assert not table.loc["T1_09", "within_rounding_interval"]
    assert table.loc["T1_01", "estimate"] == 0 and table.loc["T1_01", "rounded"] == 0
    assert table.loc[table.index.str.startswith(("T2", "T3", "S", "P", "B", "C")), "within_rounding_interval"].all()
    assert np.isclose(table.loc["T1_01", "published"], 81)


def test_don_t_knows_in_the_base_by_a_second_route(shipped, table):
    """The other reading of the base: T3_21 with Black parents' "don't know" answers (code 8) in the
    base and only refusals (code 9) left out, by plain NumPy weighted sums."""
    counted = fidelity_table(shipped, dont_know_in_base=True).set_index("figure_id")
    black, answer, weight = shipped["black"], shipped["police_and_criminal_justice"], shipped["weight"]
    base = black & answer.isin([1, 2, 3, 4, 5, 8])
    assert (black & (answer == 8)).any(), "the check needs don't knows among Black parents"
    expected = 100 * weight[base & answer.isin([1, 2])].sum() / weight[base].sum()
    assert counted.loc["T3_21", "estimate"] == pytest.approx(expected, abs=1e-9)
    assert counted.loc["T3_21", "n"] == base.sum() > table.set_index("figure_id").loc["T3_21", "n"]


def test_don_t_knows_in_the_base_can_only_lower_a_share(shipped, table):
    """Counting don't knows as not giving the answer adds to each base and never to the counted
    answers: every attitude figure's estimate falls or stays, its base grows or stays, and the
    composition figures do not change. With don't knows in the file, the shares are no longer the
    published ones for every figure."""
    counted = fidelity_table(shipped, dont_know_in_base=True)
    assert list(counted.columns) == list(COLUMNS) and counted["figure_id"].tolist() == table["figure_id"].tolist()
    attitude = (table["measure"] != "sample_composition").to_numpy()
    assert (counted.loc[attitude, "estimate"] <= table.loc[attitude, "estimate"] + 1e-9).all()
    assert (counted.loc[attitude, "n"] >= table.loc[attitude, "n"]).all()
    assert (counted.loc[attitude, "estimate"] < table.loc[attitude, "estimate"]).any()
    pd.testing.assert_frame_equal(counted[~attitude], table[~attitude])
    assert not counted["within_rounding_interval"].all()
