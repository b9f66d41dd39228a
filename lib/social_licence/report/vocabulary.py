"""The book's words, defined once: verdicts, their marks, and the terms a lay reader needs.

Every chapter, table caption, figure legend and the glossary page take their words from here, so a
verdict is called the same thing everywhere ("consensus", "no consensus", "open") and means what
the glossary says. The verdict keys are those of :data:`social_licence.survey.consensus.VERDICTS`
(what an interval says about a threshold), plus ``"size unknown"`` for a published figure whose
group size the sources do not give, so that no interval can be derived for it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """A word of the book: how it is written, its table mark (verdicts only) and its meaning.

    ``synthetic_note`` is added to the definition on a synthetic build only, and a
    ``synthetic_only`` term is left out of an archived build's glossary (:func:`glossary_terms`).
    """

    word: str
    definition: str
    mark: str = ""
    synthetic_note: str = ""
    synthetic_only: bool = False


#: what each verdict is called, marked and defined (keys: the core's verdicts and "size unknown")
VERDICT_TERMS = {
    "consensus": Term("consensus", "The whole confidence interval lies at or above the consensus threshold: "
                      "under the stated assumptions (the group's size and the design effect), the survey shows "
                      "that at least that share of the group gives the answer.", "✓"),
    "no consensus": Term("no consensus", "The whole confidence interval lies below the threshold: the survey "
                         "shows that fewer than that share of the group give the answer.", "✗"),
    "open": Term("open", "The confidence interval straddles the threshold: the survey cannot tell whether the "
                 "group reaches a consensus. An open verdict is neither a licence nor a refusal.", "?"),
    "size unknown": Term("size unknown", "The sources do not say how many parents the group holds, so no "
                         "interval can be derived from the published figure alone.", "·"),
    "suppressed": Term("too few answers", "Fewer than 30 parents of the group answered in the respondent file, "
                       "so its estimate is not shown.", "·"),
}
#: the terms of the glossary page, in reading order (verdicts are listed separately)
TERMS = {
    "social licence": Term("social licence", "Acceptance and trust that a practice outside ordinary norms can go "
                           "ahead, beyond what legal permission alone provides. Here: a consensus of parents on an "
                           "answer that favours linking their records."),
    "consensus threshold": Term("consensus threshold", "The share one answer must reach to count as a consensus. "
                                "The paper sets 75% for a yes/no question and 50% for a question with three "
                                "answer options; both are half as many again as an even split over the k "
                                "options (1.5/k), which is how this book writes the rule."),
    "fragile verdict": Term("fragile verdict", "A verdict derived from a published figure that would differ under "
                            "another of the stated assumptions: at a design effect of 1 instead of 2 (marked †), or "
                            "with the figure anywhere within its rounding, half a point either side (marked ‡).",
                            "†, ‡"),
    "counted answer": Term("counted answer", "The answer a published percentage counts. It may favour linkage "
                           "(\"acceptable\", \"trust\") or oppose it (\"unacceptable\"), so a consensus is a licence "
                           "only when the counted answer favours linkage."),
    "confidence interval": Term("confidence interval", "The range of values that the survey's data are "
                                "consistent with, at 95% confidence: wider for small groups and for weighted samples."),
    "design effect": Term("design effect", "How much the survey's design (its weighting and any clustering) "
                          "inflates the variance of an estimate compared with a simple random sample of the same "
                          "size. A design effect of 2 halves the information in the sample. The survey's is not "
                          "published: this book assumes one value, from 1 to 2, for every group."),
    "effective sample size": Term("effective sample size", "The size of the simple random sample that would give "
                                  "the same precision: the number of parents divided by the design effect."),
    "published": Term("published", "A number printed in the study's sources (the paper, the authors' blog, the "
                      "university's news item)."),
    "derived": Term("derived", "A number computed from published figures under stated assumptions, such as group "
                    "sizes from the printed shares of the sample and a range of design effects."),
    "from the respondent file": Term("from the respondent file", "A number computed from the respondent-level "
                                     "file this build uses.",
                                     synthetic_note="From a synthetic file it is evidence about parents only where "
                                                    "the published figures pin it down."),
    "set by the generator": Term("set by the generator", "A number from the synthetic file that varies across "
                                 "equally faithful synthetic files by more than its stated tolerance: the "
                                 "publication does not determine it, so it says nothing about parents.",
                                 synthetic_only=True),
}


def glossary_terms(archived: bool) -> list[Term]:
    """The terms of the glossary page for a build, in reading order: an archived build's glossary
    says nothing of synthetic data, a synthetic build's adds what a synthetic file can carry."""
    if archived:
        return [term for term in TERMS.values() if not term.synthetic_only]
    return [Term(term.word, f"{term.definition} {term.synthetic_note}".strip(), term.mark) for term in TERMS.values()]


def word(verdict: str) -> str:
    """The book's word for a verdict (``"suppressed"`` reads "too few answers")."""
    return VERDICT_TERMS[verdict].word


def mark(verdict: str) -> str:
    """The table mark of a verdict (✓, ✗, ? or ·)."""
    return VERDICT_TERMS[verdict].mark


def marks_legend(verdicts=("consensus", "no consensus", "open", "size unknown")) -> str:
    """'✓ consensus, ✗ no consensus, ? open, · size unknown' for a caption."""
    return ", ".join(f"{mark(v)} {word(v)}" for v in verdicts)
