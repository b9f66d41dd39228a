"""Facts and readings: every stated number carries its evidence class; file numbers are read only
from the archived file.

References: the sentence forms written out by hand (format_value's units, the evidence line's
counts of a hand-made list of facts)."""
import math

import pytest

from social_licence.analysis.facts import (
    Fact,
    evidence_counts,
    evidence_line,
    facts_table,
    format_value,
    reading,
)


def file_fact(key="x_gap", value=-22.1, spread=(-30.0, -2.0), tolerance=1.0, unit="points"):
    return Fact(key, value, "file", "respondent file", unit, spread=spread, tolerance=tolerance, members=24)


@pytest.mark.parametrize("value, unit, text", [
    (49.0, "percent", "49%"), (-22.1, "points", "-22.1 points"), (0.0004, "p", "p < 0.001"),
    (0.0312, "p", "p = 0.031"), (1.4, "ratio", "1.40"), (42.0, "count", "42"), (math.nan, "points", "not available"),
    ("Black parents", "text", "Black parents"),
])
def test_values_read_as_a_sentence_shows_them(value, unit, text):
    assert format_value(value, unit) == text


def test_a_fact_must_have_a_known_kind_and_unit_and_a_tolerance_with_a_range():
    with pytest.raises(ValueError, match="kind 'guessed'"):
        Fact("k", 1, "guessed", "b")
    with pytest.raises(ValueError, match="unit 'furlongs'"):
        Fact("k", 1, "published", "b", "furlongs")
    with pytest.raises(ValueError, match="needs a tolerance"):
        Fact("k", 1.0, "file", "b", "count", spread=(0.0, 1.0))


def test_set_by_the_generator_when_the_range_exceeds_the_tolerance():
    assert file_fact().set_by_generator
    assert not file_fact(spread=(-22.5, -21.8)).set_by_generator
    assert not Fact("k", 1.0, "file", "archived file", "count").set_by_generator  # no range: archived


def test_a_reading_states_the_finding_only_from_the_archived_file():
    loose, pinned = file_fact(), file_fact("x_share", 28.0, (27.8, 28.3), 1.0, unit="percent")
    finding = "Black parents trust the police {x_gap} below the rest ({x_share} trust it)."
    archived = reading("x_r", [loose, pinned], finding=finding, shows="how far", archived=True)
    assert archived.value == "Black parents trust the police -22.1 points below the rest (28% trust it)."
    assert archived.kind == "reading"
    synthetic = reading("x_r", [loose, pinned], finding=finding, shows="how far Black parents' trust differs",
                        archived=False).value
    assert synthetic.startswith("The archived survey file would show how far Black parents' trust differs; "
                                "a synthetic file cannot.")
    assert "set by the generator" in synthetic and "-30.0 points to -2.0 points" in synthetic
    assert "-22.1" not in synthetic, "a synthetic build never states the file's value as a finding"
    narrowed = reading("x_r", [pinned], finding=finding, shows="the share", archived=False).value
    assert "pin it down: all 24 equally faithful synthetic files give 28% (respondent file)" in narrowed, \
        "each range names what it measures"
    with pytest.raises(ValueError, match="readings are for file numbers"):
        reading("x_r", [Fact("p", 28.0, "published", "paper")], finding="", shows="", archived=True)


def test_the_evidence_line_counts_each_class_and_the_numbers_set_by_the_generator():
    facts = [Fact("a", 1, "published", "p"), Fact("b", 2, "derived", "d"), Fact("c", 3, "derived", "d"),
             file_fact(), Fact("t", "words", "text", "t", "text")]
    assert evidence_counts(facts) == {"published": 1, "derived": 2, "file": 1, "set by the generator": 1}
    assert evidence_line(facts) == ("The text of this page states 1 published number, 2 derived from them and 1 "
                                    "computed from the respondent file (of which 1 is set by the synthetic file's "
                                    "generator); tables name their source in their captions.")
    more = facts + [Fact("a2", 1, "published", "p"), file_fact("y_gap")]
    assert evidence_line(more).startswith("The text of this page states 2 published numbers, 2 derived from them "
                                          "and 2 computed from the respondent file (of which 2 are set by")
    table = facts_table(facts)
    assert table.loc[3, ["ensemble_low", "ensemble_high", "set_by_generator"]].tolist() == [-30.0, -2.0, True]
