"""Report tables: results in the paper's layout, each row naming the answer it counts.

References: cells and layouts written out by hand from the inputs below; row labels from the
codebook's counted answers (data/codebook.yml: "Trust" for the trust questions, "Disagree" for the
question on linked records being factual and unbiased). The estimates behind a file's table are
tested in tests/study/test_recompute.py, where they are computed.
"""
import math

import pandas as pd
import pytest

from social_licence.report.tables import cell, figure_listing, paper_table
from social_licence.study.codebook import load_codebook


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.mark.parametrize("value, low, high, verdict, shown", [
    (49.0, 0.44, 0.534, "open", "49 (44–53) ?"), (82.0, 0.78, 0.86, "consensus", "82 (78–86) ✓"),
    (35.0, 0.30, 0.40, "no consensus", "35 (30–40) ✗"), (60.0, math.nan, math.nan, "size unknown", "60 ·"),
    (53.0, 0.48, 0.58, None, "53 (48–58)"), (math.nan, math.nan, math.nan, "suppressed", "– –"),
    (49.6, 0.445, 0.5449, None, "50 (44–54)"),
])
def test_a_cell_is_the_percentage_its_interval_and_its_mark(value, low, high, verdict, shown):
    assert cell(value, low, high, verdict) == shown


RESULTS = pd.DataFrame({"figure_id": ["F1", "F2", "F3"],
                        "item": ["immigration", "immigration", "police_and_criminal_justice"],
                        "group": ["all", "black", "all"], "value": [35.0, 24.0, 49.0],
                        "low": [0.30, 0.08, 0.44], "high": [0.40, 0.47, 0.54],
                        "verdict": ["no consensus", "no consensus", "open"]})


def layout(codebook, **options):
    defaults = dict(value="value", low="low", high="high", verdict="verdict", bases={"all": "843", "black": "42"},
                    base_label="Parents", codebook=codebook)
    return paper_table(RESULTS, **{**defaults, **options})


def test_the_paper_layout_has_questions_in_rows_and_groups_in_columns_with_bases_at_the_foot(codebook):
    shown, values = layout(codebook, items=["police_and_criminal_justice", "immigration"], groups=["all", "black"],
                           marked={"black": "*"})
    assert list(shown.columns) == ["Question", "All parents", "Black parents*"]
    assert shown["Question"].tolist() == ["Trust: police and criminal justice", "Trust: immigration services",
                                          "Parents"]
    assert shown.iloc[0].tolist() == ["Trust: police and criminal justice", "49 (44–54) ?", ""]  # no figure: blank
    assert shown.iloc[1, 2] == "24 (8–47) ✗" and shown.iloc[2, 1:].tolist() == ["843", "42"]


def test_each_cell_s_unrounded_value_comes_in_a_frame_of_the_same_shape(codebook):
    shown, values = layout(codebook, items=["police_and_criminal_justice", "immigration"], groups=["all", "black"])
    assert values.shape == shown.shape and list(values.columns) == list(shown.columns)
    assert values["Question"].tolist() == shown["Question"].tolist()
    assert values.iloc[0, 1] == 49.0 and pd.isna(values.iloc[0, 2]), "no figure: no value"
    assert values.iloc[1, 1:].tolist() == [35.0, 24.0]
    assert values.iloc[2, 1:].isna().all(), "the foot row of bases has no values"


def test_extra_marks_follow_a_figure_s_cell(codebook):
    shown, _ = layout(codebook, items=["immigration"], groups=["all", "black"], extra_marks={"F2": "†‡"})
    assert shown.iloc[0, 1:].tolist() == ["35 (30–40) ✗", "24 (8–47) ✗†‡"]


def test_turned_round_for_many_groups_and_without_marks_for_unjudged_figures(codebook):
    shown, values = layout(codebook, items=["immigration"], groups=["all", "black"], verdict=None, groups_in_rows=True)
    assert list(shown.columns) == ["Group", "Trust: immigration services", "Parents"]
    assert shown["Group"].tolist() == ["All parents", "Black parents"]
    assert shown.iloc[:, 1].tolist() == ["35 (30–40)", "24 (8–47)"]
    assert shown.iloc[:, -1].tolist() == ["843", "42"]
    assert values.iloc[:, 1].tolist() == [35.0, 24.0] and values.iloc[:, -1].isna().all()


def test_a_row_counting_disagreement_says_so(codebook):
    """A share of parents who disagreed never reads as agreement in a table row."""
    results = pd.DataFrame({"figure_id": ["B01"], "item": ["linked_records_factual_and_unbiased"], "group": ["all"],
                            "value": [44.0], "low": [0.40], "high": [0.48], "verdict": ["open"]})
    shown, _ = paper_table(results, ["linked_records_factual_and_unbiased"], ["all"], value="value", low="low",
                           high="high", verdict="verdict", bases={"all": "843"}, base_label="Parents",
                           codebook=codebook)
    assert shown.loc[0, "Question"] == "Disagree: linked records give factual, unbiased information"


def test_a_missing_base_shows_a_dash(codebook):
    shown, _ = layout(codebook, items=["immigration"], groups=["all", "black"], bases={"all": "843"})
    assert shown.iloc[-1].tolist() == ["Parents", "843", "–"]


def test_the_listing_labels_each_figure_by_its_counted_answer_and_group(codebook):
    listing = figure_listing(RESULTS, codebook)
    assert listing["item_label"].tolist() == ["Trust: immigration services", "Trust: immigration services",
                                              "Trust: police and criminal justice"]
    assert listing["group_label"].tolist() == [codebook.name_of("all"), codebook.name_of("black"),
                                               codebook.name_of("all")]
    assert list(listing.columns) == [*RESULTS.columns, "item_label", "group_label"]
    assert "item_label" not in RESULTS, "the results are not modified"
