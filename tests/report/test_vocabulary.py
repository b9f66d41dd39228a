"""The one vocabulary: every verdict of the core has a word, a mark and a definition."""
from social_licence.report import vocabulary
from social_licence.survey.consensus import VERDICTS


def test_every_verdict_of_the_core_and_size_unknown_has_a_word_mark_and_definition():
    assert set(VERDICTS) | {"size unknown"} == set(vocabulary.VERDICT_TERMS)
    for term in vocabulary.VERDICT_TERMS.values():
        assert term.word and term.mark and len(term.definition.split()) >= 10
    marks = [vocabulary.mark(v) for v in ("consensus", "no consensus", "open")]
    assert len(set(marks)) == 3, "firm and open verdicts must be told apart by their marks"


def test_suppressed_reads_as_too_few_answers_and_the_legend_lists_words_with_marks():
    assert vocabulary.word("suppressed") == "too few answers"
    assert vocabulary.marks_legend(("consensus", "open")) == "✓ consensus, ? open"


def test_the_glossary_defines_the_terms_a_lay_reader_needs():
    for needed in ("consensus threshold", "confidence interval", "design effect", "effective sample size",
                   "published", "derived", "from the respondent file", "set by the generator"):
        assert needed in vocabulary.TERMS and vocabulary.TERMS[needed].definition


#: the numbers the glossary's definitions take from the assumptions in force (as the glossary page passes them)
VALUES = {"level": "95", "min_base": 30, "deff_low": "1", "deff_high": "2", "factor": "1.5", "threshold2": "75",
          "threshold3": "50", "sdc_threshold": 10, "round_base": 5, "symbol": "[c]", "mark": "≈"}


def test_an_archived_build_s_glossary_says_nothing_of_synthetic_data():
    archived = vocabulary.glossary_terms(archived=True, values=VALUES)
    assert not any("synthetic" in (term.word + term.definition).lower() for term in archived)
    assert "set by the generator" not in [term.word for term in archived]
    assert len(archived) == len(vocabulary.TERMS) - 1
    synthetic = {term.word: term.definition for term in vocabulary.glossary_terms(archived=False, values=VALUES)}
    assert list(synthetic) == [term.word for term in vocabulary.TERMS.values()]
    assert "synthetic file" in synthetic["from the respondent file"]


def test_the_glossary_s_numbers_are_the_assumptions_in_force():
    """The default edition: 75% and 50% thresholds at a factor of 1.5, 95% intervals, design effects
    from 1 to 2. Another edition (90%, design effects 1 to 3, factor 1.2) says so in the same words."""
    terms = {term.word: term.definition for term in vocabulary.glossary_terms(archived=False, values=VALUES)}
    assert "75% for a yes/no question and 50% for a question with three answer options, 1.5 times" in \
        terms["consensus threshold"]
    assert "at 95% confidence" in terms["confidence interval"]
    assert "at a design effect of 1 instead of 2" in terms["fragile verdict"]
    assert "from 1 to 2, for every group" in terms["design effect"]
    assert not any("{" in definition for definition in terms.values()), "every placeholder filled"
    assert "at least 10 respondents" in terms["disclosure rules"] and "nearest 5" in terms["rounded count"]
    marks = {term.word: term.mark for term in vocabulary.glossary_terms(archived=True, values=VALUES)}
    assert marks["withheld"] == "[c]" and marks["rounded count"] == "≈", "the rules' own symbols"
    other = {**VALUES, "level": "90", "deff_high": "3", "factor": "1.2", "threshold2": "60", "threshold3": "40"}
    changed = {term.word: term.definition for term in vocabulary.glossary_terms(archived=True, values=other)}
    assert "60% for a yes/no question and 40% for a question with three answer options, 1.2 times" in \
        changed["consensus threshold"]
    assert "at 90% confidence" in changed["confidence interval"] and "from 1 to 3" in changed["design effect"]


def test_the_verdicts_glossary_fills_in_the_minimum_base():
    verdicts = vocabulary.glossary_terms(archived=True, values={**VALUES, "min_base": 50},
                                         terms=vocabulary.VERDICT_TERMS)
    assert [term.word for term in verdicts] == [term.word for term in vocabulary.VERDICT_TERMS.values()]
    too_few = next(term for term in verdicts if term.word == "too few answers")
    assert "(fewer than 50)" in too_few.definition and too_few.mark == "–"
    assert [term.mark for term in verdicts] == [term.mark for term in vocabulary.VERDICT_TERMS.values()]
