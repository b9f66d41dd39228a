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


def test_an_archived_build_s_glossary_says_nothing_of_synthetic_data():
    archived = vocabulary.glossary_terms(archived=True)
    assert not any("synthetic" in (term.word + term.definition).lower() for term in archived)
    assert "set by the generator" not in [term.word for term in archived]
    synthetic = {term.word: term.definition for term in vocabulary.glossary_terms(archived=False)}
    assert list(synthetic) == list(vocabulary.TERMS)
    assert "synthetic file" in synthetic["from the respondent file"]
