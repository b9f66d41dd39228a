"""Tests for social_licence.survey.answers: coding items into answer states, and the answer checks.

References are the definitions written out by hand on the committed fixture
(tests/reference/survey_fixture.csv): state 1 for a positive answer, 2 for NaN or a missing code,
0 for any other answer.
"""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from social_licence.survey.answers import answer_states, check_answer_values, response_indicators
from social_licence.survey.design import SurveyDesign

FIXTURE = pd.read_csv(Path(__file__).parents[1] / "reference" / "survey_fixture.csv")
DESIGN = SurveyDesign(FIXTURE, "w")


def test_states_by_hand():
    agree, yesno = FIXTURE.q_agree, FIXTURE.q_yesno
    expected_agree = np.where(agree.isna() | (agree == 8), 2, np.where(agree.isin([4, 5]), 1, 0))
    expected_yesno = np.where(yesno == "Don't know", 2, np.where(yesno == "Yes", 1, 0))
    frame = FIXTURE.assign(q_copy=FIXTURE.q_agree)
    states = answer_states(SurveyDesign(frame, "w"), ["q_agree", "q_copy"], [4, 5], [8])
    np.testing.assert_array_equal(states, np.column_stack([expected_agree, expected_agree]))
    assert states.dtype == np.int8 and states.flags.f_contiguous
    np.testing.assert_array_equal(answer_states(DESIGN, "q_yesno", "Yes", ["Don't know"])[:, 0],
                                  expected_yesno)


def test_states_of_a_long_column_are_coded_across_chunks():
    """More rows than one chunk of the numeric coding (32768): the same states as row by row."""
    frame = pd.concat([FIXTURE] * 120, ignore_index=True)
    states = answer_states(SurveyDesign(frame, "w"), "q_agree", [4, 5], [8])[:, 0]
    np.testing.assert_array_equal(states, np.tile(answer_states(DESIGN, "q_agree", [4, 5], [8])[:, 0], 120))


def test_response_indicators_with_and_without_the_missing_rows():
    positive, missing, base = response_indicators(DESIGN, "q_agree", [4, 5], [8])
    assert (base == ~missing).all() and not (positive & missing).any()
    _, _, everyone = response_indicators(DESIGN, "q_agree", [4, 5], [8], include_missing=True)
    assert everyone.all()


def test_answer_value_checks():
    assert check_answer_values(["q"], 5, None) == ([5], [])
    with pytest.raises(ValueError, match=r"positive: give at least one answer value of column\(s\) \['q'\]"):
        check_answer_values(["q"], [], [9])
    with pytest.raises(ValueError, match=r"value\(s\) 9 listed both as positive and in missing_values"):
        check_answer_values(["q"], [4, 9], [9])
    with pytest.raises(ValueError, match=r"column 'q' is numeric \(dtype DOUBLE, 10 rows\) but "
                                         r"missing_values value\(s\) 'DK' are not numbers"):
        check_answer_values(["q"], [4], ["DK"], ("q", "DOUBLE", 10))
