"""The notice of an edition built under other assumptions: nothing in the default edition, every
changed assumption with both values otherwise.

References: the defaults of analysis.assumptions (design effects 1 to 2, 95%, ...) and the plain
words of its DESCRIPTIONS, written out by hand in the expected sentences.
"""
from pathlib import Path

import pytest

from social_licence.analysis.assumptions import DESCRIPTIONS, PARAMETERS, Assumptions
from social_licence.report.notices import assumptions_notice, differences_text, shown


def test_the_default_edition_has_no_notice():
    assert differences_text(Assumptions()) == ""
    assert assumptions_notice(Assumptions()).data == ""


def test_a_changed_assumption_is_listed_with_both_values():
    changed = Assumptions(deff_range=(1.0, 3.0), level=0.9)
    assert differences_text(changed) == "design effects 1 to 3 (default 1 to 2); confidence level 0.9 (default 0.95)"
    notice = assumptions_notice(changed).data
    assert notice.startswith(":::{admonition} Built under other assumptions\n:class: important\n")
    assert ("**This edition differs from the default edition in its assumptions:** design effects 1 to 3 "
            "(default 1 to 2); confidence level 0.9 (default 0.95).") in notice
    assert notice.rstrip().endswith(":::")


@pytest.mark.parametrize("name, value, text", [
    ("interval_method", "wilson", "interval method wilson (default beta)"),
    ("consensus_factor", 1.2, "consensus threshold (factor / k) 1.2 (default 1.5)"),
    ("verdict_rule", "point", "verdict rule point (default interval)"),
    ("multiplicity", "fdr_bh", "primary multiplicity adjustment fdr_bh (default holm)"),
    ("higher_group", "all", "reading of the higher occupation, qualification or income group all (default any)"),
    ("black_group", "minority ethnic",
     "reading of the Black group's printed 5% minority ethnic (default whole sample)"),
    ("dont_know_in_base", True, "don't know answers in the base yes (default no)"),
    ("answering_share", 0.8, "share of each group that answered 0.8 (default 1)"),
    ("min_base", 50, "fewest answers behind a file estimate 50 (default 30)"),
    ("data_source", "data/raw/x.sav", "respondent file data/raw/x.sav (default none (the environment's choice))"),
    ("data_mapping", Path("data/raw/m.yml"), "mapping of the respondent file data/raw/m.yml (default none"),
])
def test_every_assumption_has_its_words_in_the_notice(name, value, text):
    changed = Assumptions(**{name: value})
    assert differences_text(changed).startswith(text)
    assert DESCRIPTIONS[name] in assumptions_notice(changed).data


def test_every_parameter_is_covered_by_the_cases_above():
    names = {"deff_range", "level", "interval_method", "consensus_factor", "verdict_rule", "multiplicity",
             "higher_group", "black_group", "dont_know_in_base", "answering_share", "min_base", "data_source",
             "data_mapping"}
    assert names == set(PARAMETERS)


@pytest.mark.parametrize("value, text", [
    (None, "none (the environment's choice)"), ((1.0, 2.5), "1 to 2.5"), ([1, 3], "1 to 3"), (True, "yes"),
    (False, "no"), (0.95, "0.95"), (30, "30"), ("holm", "holm"),
])
def test_values_as_a_notice_shows_them(value, text):
    assert shown(value) == text
