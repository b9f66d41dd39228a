"""Tests for social_licence.study.published: the 108 figures, their checks and rounding intervals.

Reference: the figures are those printed in Edwards, Gillies & Gorin (2021) and the authors' blog,
transcribed in data/published/published_figures.csv; the intervals follow the module's stated
convention (half-up rounding to whole numbers, and to the nearest half for the two figures ending in .5).
"""
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from social_licence.study.paths import PUBLISHED_PATH
from social_licence.study.published import (
    decimals_of,
    load_published,
    round_half_up,
    step_of,
)


@pytest.fixture(scope="module")
def figures():
    return load_published()


@pytest.fixture
def csv_rows():
    return pd.read_csv(PUBLISHED_PATH)


def test_108_unique_figures_with_their_columns(figures):
    assert len(figures) == 108 and figures["figure_id"].is_unique
    assert list(figures.columns) == ["figure_id", "measure", "item", "group", "percent", "answer", "options",
                                     "source", "decimals", "step", "low", "high"]
    assert figures["measure"].value_counts().to_dict() == {
        "acceptability_of_reason": 24, "trust_to_link_records": 30, "awareness": 18, "sample_composition": 15,
        "beliefs_about_linkage": 10, "commercial_outsourcing": 6, "transparency": 5}


def test_whole_number_intervals(figures):
    row = figures.set_index("figure_id").loc["T3_13"]  # early years services, all parents: 50
    assert (row["percent"], row["decimals"], row["low"], row["high"]) == (50, 0, 49.5, 50.5)


def test_figures_ending_in_a_half_are_read_to_the_nearest_half_point(figures):
    halves = figures[figures["decimals"] == 1].set_index("figure_id")
    assert sorted(halves.index) == ["S03", "S09"] and (halves["step"] == 0.5).all()
    assert halves.loc["S03", ["low", "high"]].tolist() == pytest.approx([74.25, 74.75])
    assert halves.loc["S09", ["low", "high"]].tolist() == pytest.approx([38.25, 38.75])


def test_no_whole_number_of_843_parents_is_38_5_percent_to_one_decimal():
    """Why the narrower one-decimal reading of 38.5 is impossible for a share of the sample."""
    shares = [100 * count / 843 for count in range(844)]
    assert not any(38.45 <= share < 38.55 for share in shares)
    assert any(38.25 <= share < 38.75 for share in shares)


@pytest.mark.parametrize("value, step, expected", [
    (49.5, 1, 50), (50.49999, 1, 50), (50.5, 1, 51), (38.553, 0.5, 38.5), (38.75, 0.5, 39.0), (38.2499, 0.5, 38.0),
    (74.45, 0.1, 74.5), (74.549, 0.1, 74.5), (2.675, 0.01, 2.68),
])
def test_round_half_up(value, step, expected):
    assert round_half_up(value, step) == expected


@given(published=st.integers(0, 100), offset=st.floats(-1, 1, allow_nan=False))
def test_rounding_agrees_with_the_interval(published, offset):
    """For whole-number figures (interval ends exact in binary), rounding half up to the published
    value is the same as lying in [p - 0.5, p + 0.5)."""
    estimate = published + offset
    assert (round_half_up(estimate, 1) == published) == (published - 0.5 <= estimate < published + 0.5)


def test_decimals_and_step():
    assert [decimals_of(v) for v in (57, 57.0, 74.5)] == [0, 0, 1]
    assert [step_of(v) for v in (57, 74.5, 12.3)] == [1.0, 0.5, 0.1]


@pytest.mark.parametrize("column, figure_id, value, message", [
    ("answer", "T1_04", "agree", r"answer differs from the item's counted answer in 1 row\(s\): \['T1_04'\]"),
    ("options", "P01", 2, r"options differ from the item's k in 1 row\(s\): \['P01'\]"),
    ("group", "T2_03", "martians", r"unknown group .* \['T2_03'\]"),
    ("item", "C01", "robots", r"unknown item in 1 row\(s\): \['C01'\]"),
    ("measure", "B01", "trust_to_link_records", r"measure differs .* \['B01'\]"),
    ("percent", "A01", 72.25, r"more than one decimal .* \['A01'\]"),
    ("item", "S03", "higher_occupation_qualification_income", r"one-condition subgroup .* \['S03'\]"),
])
def test_inconsistent_figures_are_rejected(csv_rows, tmp_path, column, figure_id, value, message):
    csv_rows[column] = csv_rows[column].astype(object)
    csv_rows.loc[csv_rows["figure_id"] == figure_id, column] = value
    path = tmp_path / "figures.csv"
    csv_rows.to_csv(path, index=False)
    with pytest.raises(ValueError, match=message):
        load_published(path)


def test_missing_or_duplicated_rows_are_rejected(csv_rows, tmp_path):
    path = tmp_path / "figures.csv"
    csv_rows.iloc[:-1].to_csv(path, index=False)
    with pytest.raises(ValueError, match="expected 108 unique ids, found 107 rows"):
        load_published(path)
    pd.concat([csv_rows.iloc[:-1], csv_rows.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"duplicated: \['S01'\]"):
        load_published(path)
