"""Report tables: every published figure recomputed, and results in the paper's layout."""
import math

import numpy as np
import pandas as pd
import pytest

from social_licence.report.tables import cell, figure_estimates, paper_table
from social_licence.study.published import COMPOSITION
from social_licence.survey.consensus import VERDICTS


@pytest.fixture(scope="module")
def estimates(survey):
    return figure_estimates(survey)


def test_one_row_per_published_figure_with_labels(estimates):
    assert len(estimates) == 108
    assert estimates["figure_id"].is_unique
    assert estimates[["item_label", "group_label"]].notna().all().all()


def test_verdicts_only_for_attitude_figures(estimates):
    attitudes = estimates["measure"] != COMPOSITION
    assert estimates.loc[attitudes, "verdict"].isin(VERDICTS).all()
    assert estimates.loc[~attitudes, ["verdict", "threshold"]].isna().all().all()


def test_thresholds_follow_the_number_of_options(estimates):
    attitudes = estimates[estimates["measure"] != COMPOSITION]
    np.testing.assert_allclose(attitudes["threshold"], 1.5 / attitudes["k"].astype(float))


def test_interval_level_and_method_are_passed_through(survey):
    narrow = figure_estimates(survey, level=0.9, method="logit")
    assert set(narrow["level"]) == {0.9} and set(narrow["method"]) == {"logit"}
    wide = figure_estimates(survey)
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()


@pytest.mark.parametrize("value, low, high, verdict, shown", [
    (49.0, 0.44, 0.534, "open", "49 (44–53) ?"), (82.0, 0.78, 0.86, "consensus", "82 (78–86) ✓"),
    (35.0, 0.30, 0.40, "no consensus", "35 (30–40) ✗"), (60.0, math.nan, math.nan, "size unknown", "60 ·"),
    (53.0, 0.48, 0.58, None, "53 (48–58)"),
])
def test_a_cell_is_the_percentage_its_interval_and_its_mark(value, low, high, verdict, shown):
    assert cell(value, low, high, verdict) == shown


RESULTS = pd.DataFrame({"item": ["immigration", "immigration", "police_and_criminal_justice"],
                        "group": ["all", "black", "all"], "value": [35.0, 24.0, 49.0],
                        "low": [0.30, 0.08, 0.44], "high": [0.40, 0.47, 0.54],
                        "verdict": ["no consensus", "no consensus", "open"]})


def test_the_paper_layout_has_questions_in_rows_and_groups_in_columns_with_bases_at_the_foot():
    table = paper_table(RESULTS, ["police_and_criminal_justice", "immigration"], ["all", "black"], value="value",
                        low="low", high="high", verdict="verdict", bases={"all": "843", "black": "42"},
                        base_label="Parents", marked={"black": "*"})
    assert list(table.columns) == ["Question", "All parents", "Black parents*"]
    assert table["Question"].tolist() == ["Police and criminal justice", "Immigration services", "Parents"]
    assert table.iloc[0].tolist() == ["Police and criminal justice", "49 (44–54) ?", "–"]  # no figure: a dash
    assert table.iloc[1, 2] == "24 (8–47) ✗" and table.iloc[2, 1:].tolist() == ["843", "42"]


def test_turned_round_for_many_groups_and_without_marks_for_unjudged_figures():
    table = paper_table(RESULTS, ["immigration"], ["all", "black"], value="value", low="low", high="high",
                        verdict=None, bases={"all": "843", "black": "42"}, base_label="Parents", groups_in_rows=True)
    assert list(table.columns) == ["Group", "Immigration services", "Parents"]
    assert table["Group"].tolist() == ["All parents", "Black parents"]
    assert table.iloc[:, 1].tolist() == ["35 (30–40)", "24 (8–47)"]
    assert table.iloc[:, -1].tolist() == ["843", "42"]
