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
    "suppressed": Term("too few answers", "Too few parents of the group answered in the respondent file (fewer "
                       "than {min_base}), so its estimate is not shown.", "–"),
}
#: the terms of the glossary page, in reading order (verdicts are listed separately)
TERMS = {
    "social licence": Term("social licence", "Acceptance and trust that a practice outside ordinary norms can go "
                           "ahead, beyond what legal permission alone provides. Here: a consensus of parents on an "
                           "answer that favours linking their records."),
    "consensus threshold": Term("consensus threshold", "The share one answer must reach to count as a consensus: "
                                "{threshold2}% for a yes/no question and {threshold3}% for a question with three "
                                "answer options, {factor} times an even split over the k options ({factor}/k). The "
                                "paper's factor is 1.5: half as many responses again as an even split."),
    "fragile verdict": Term("fragile verdict", "A verdict derived from a published figure that would differ under "
                            "another of the stated assumptions: at a design effect of {deff_low} instead of {deff_high} "
                            "(marked †), or with the figure anywhere within its rounding, half a point either side "
                            "(marked ‡). Applied to contrasts too: a gap whose adjusted test would change within the "
                            "printed figures' rounding.",
                            "†, ‡"),
    "counted answer": Term("counted answer", "The answer a published percentage counts. It may favour linkage "
                           "(\"acceptable\", \"trust\") or oppose it (\"unacceptable\"), so a consensus is a licence "
                           "only when the counted answer favours linkage."),
    "confidence interval": Term("confidence interval", "The range of values that the survey's data are "
                                "consistent with, at {level}% confidence: "
                                "wider for small groups and for weighted samples."),
    "Clopper-Pearson interval": Term("Clopper-Pearson interval", "The exact interval for a share from a simple random "
                                     "sample, from the binomial distribution (Clopper and Pearson, 1934); the book's "
                                     "derived intervals apply it to the effective sample size."),
    "Korn-Graubard interval": Term("Korn-Graubard interval", "The Clopper-Pearson interval adapted to survey data by "
                                   "using the effective sample size and the design's degrees of freedom (Korn and "
                                   "Graubard, 1998); R's svyciprop(method = \"beta\") and this book's default."),
    "Taylor linearisation": Term("Taylor linearisation", "How the standard error of a weighted share is computed from "
                                 "a respondent file: the share is approximated by a weighted total, whose variance the "
                                 "survey design gives (Lumley, 2010)."),
    "contrast": Term("contrast", "A comparison between a group of parents and the rest of the sample on one question: "
                     "the gap between their shares, with a test of whether it could be chance."),
    "p-value": Term("p-value", "The chance of a gap at least as large as the one seen if there were no difference "
                    "at all; small values are evidence of a difference. Tests here are two-sided."),
    "Holm's adjustment": Term("Holm's adjustment", "A way of testing many contrasts at once that keeps the chance of "
                              "any false finding among them below the significance level (Holm, 1979)."),
    "Benjamini-Hochberg adjustment": Term("Benjamini-Hochberg adjustment", "A way of testing many contrasts at once "
                                          "that keeps the expected share of false findings among those reported below "
                                          "the significance level (Benjamini and Hochberg, 1995); less strict than "
                                          "Holm's."),
    "pattern test": Term("pattern test", "A test of a group's average gap to the rest over a block of questions, with "
                         "a standard error no smaller than the true one whatever the correlation between a parent's "
                         "answers."),
    "Rao-Scott test": Term("Rao-Scott test", "A chi-squared test of whether a share differs across several groups, "
                           "corrected for the survey's design (Rao and Scott, 1984)."),
    "Kish's design effect": Term("Kish's design effect", "The design effect that unequal weights alone cause: the "
                                 "number of respondents times the sum of the squared weights, over the squared sum of "
                                 "the weights (Kish, 1992)."),
    "design effect": Term("design effect", "How much the survey's design (its weighting and any clustering) "
                          "inflates the variance of an estimate compared with a simple random sample of the same "
                          "size. A design effect of 2 halves the information in the sample. The survey's is not "
                          "published: this book assumes one value, from {deff_low} to {deff_high}, for every group."),
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
    "disclosure rules": Term("disclosure rules", "The statistical disclosure control rules "
                             "(data/disclosure_rules.yml) that every number computed from a respondent file passes "
                             "before a build from the archived file shows it: at least {sdc_threshold} respondents "
                             "behind it, behind its counted answer and behind the other answers, and counts "
                             "rounded to the nearest {round_base}. Published and derived numbers are public and "
                             "exempt.", synthetic_note="On a synthetic build they change nothing shown; the "
                             "appendix lists what they would withhold."),
    "withheld": Term("withheld", "A number from the archived survey file that the disclosure rules do not "
                     "release, shown as {symbol}: too few respondents are behind it, or it could be worked out "
                     "from a total and the numbers shown.", "{symbol}"),
    "rounded count": Term("rounded count", "A count of respondents in the archived survey file, rounded to the "
                          "nearest {round_base} by the disclosure rules and marked {mark}.", "{mark}"),
    "set by the generator": Term("set by the generator", "A number from the synthetic file that varies across "
                                 "equally faithful synthetic files by more than its stated tolerance: the "
                                 "publication does not determine it, so it says nothing about parents.",
                                 synthetic_only=True),
}


def glossary_terms(archived: bool, values: dict, terms: dict = TERMS) -> list[Term]:
    """The terms of the glossary page for a build, in reading order, their numbers filled in from
    ``values`` (the assumptions in force: ``level``, ``min_base``, ``deff_low``, ``deff_high``,
    ``factor``, ``threshold2``, ``threshold3``; the disclosure rules: ``sdc_threshold``,
    ``round_base``, ``symbol``, ``mark``): an archived build's glossary says nothing of
    synthetic data, a synthetic build's adds what a synthetic file can carry. ``terms`` are the
    book's terms (default) or its verdicts (:data:`VERDICT_TERMS`)."""
    terms = list(terms.values())
    if archived:
        terms = [term for term in terms if not term.synthetic_only]
    return [Term(term.word, f"{term.definition} {'' if archived else term.synthetic_note}".strip().format(**values),
                 term.mark.format(**values)) for term in terms]


def word(verdict: str) -> str:
    """The book's word for a verdict (``"suppressed"`` reads "too few answers")."""
    return VERDICT_TERMS[verdict].word


def mark(verdict: str) -> str:
    """The table mark of a verdict (✓, ✗, ? or ·)."""
    return VERDICT_TERMS[verdict].mark


def marks_legend(verdicts=("consensus", "no consensus", "open", "size unknown")) -> str:
    """'✓ consensus, ✗ no consensus, ? open, · size unknown' for a caption."""
    return ", ".join(f"{mark(v)} {word(v)}" for v in verdicts)
