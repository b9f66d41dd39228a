"""The numbers the book reads from one respondent file, each against a direct computation.

References: the shipped synthetic file's columns added up with NumPy (counts, weighted shares by
hand from the raw codes of data/codebook.yml); Kish's design effect written out
(``n sum(w^2) / (sum w)^2``, Kish 1965) beside the library's ``kish_design_effect``; the police
share and its interval from ``study.recompute.estimate_figures`` on the file's design; the verdicts
from ``survey.consensus.consensus_verdicts``; the contrasts from ``analysis.contrasts.file_contrasts``.
"""
import numpy as np
import pandas as pd
import pytest

from social_licence.analysis import derived
from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.contrasts import file_contrasts
from social_licence.analysis.files import NUMBERS, counts_behind, file_numbers
from social_licence.study.codebook import load_codebook
from social_licence.study.published import load_published
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.consensus import consensus_verdicts
from social_licence.survey.design import kish_design_effect


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def published(codebook):
    return load_published(codebook=codebook)


@pytest.fixture(scope="module")
def derived_verdicts(published, codebook):
    """The judged figures' derived verdicts (design effects 1 to 2), by figure id."""
    figures = derived.attitude_figures(published, codebook.judged_blocks)
    sizes = derived.group_sizes(published, codebook)
    return derived.verdicts(derived.intervals(figures, sizes, deffs=(1.0, 2.0))).set_index("figure_id")["verdict"]


@pytest.fixture(scope="module")
def numbers(survey, codebook, published, derived_verdicts):
    return file_numbers(survey, codebook, published, derived_verdicts)


@pytest.fixture(scope="module")
def estimates(survey, codebook, published, derived_verdicts):
    design = file_design(survey.data, codebook)
    figures = published[published["figure_id"].isin([*derived_verdicts.index, "T3_21"])]
    return consensus_verdicts(estimate_figures(design, figures, codebook, min_base=30), k="k").set_index("figure_id")


def test_every_documented_number_and_nothing_else(numbers):
    assert list(numbers) == list(NUMBERS)
    assert all(isinstance(value, float) for value in numbers.values())


def test_counts_are_the_file_s_rows_added_up(survey, numbers):
    data = survey.data
    assert numbers["young_count"] == int((data["age_band"] == 1).sum())
    higher = (data["nssec"] == 1) | (data["qualification"] == 1) | data["income_band"].isin([4, 5])
    assert numbers["higher_count"] == int(higher.sum())


def test_weighted_shares_and_kish_by_hand(survey, numbers):
    data, weights = survey.data, survey.data["weight"].to_numpy()
    young = (data["age_band"] == 1).to_numpy()
    assert numbers["young_weighted"] == pytest.approx(100 * weights[young].sum() / weights.sum())
    assert numbers["kish"] == pytest.approx(len(weights) * (weights ** 2).sum() / weights.sum() ** 2, rel=1e-12)
    assert numbers["kish"] == pytest.approx(kish_design_effect(data["weight"]), rel=1e-12)
    police = data["police_and_criminal_justice"]
    fathers = ((data["sex"] == 1) & police.isin([1, 2, 3, 4, 5])).to_numpy()
    trusting = police.isin([1, 2]).to_numpy()
    assert numbers["fathers_police"] == pytest.approx(100 * weights[fathers & trusting].sum() / weights[fathers].sum())


def test_the_police_share_and_the_verdict_count_are_the_recomputed_figures(numbers, estimates, derived_verdicts):
    police = estimates.loc["T3_21"]
    assert numbers["police_share"] == pytest.approx(100 * police["estimate"])
    assert numbers["police_width"] == pytest.approx(100 * (police["ci_high"] - police["ci_low"]))
    agree = int((estimates.loc[derived_verdicts.index, "verdict"] == derived_verdicts).sum())
    assert numbers["agree"] == agree and 0 < agree <= len(derived_verdicts)


def test_the_contrast_numbers_are_the_file_s_family(survey, codebook, published, numbers):
    family = file_contrasts(file_design(survey.data, codebook), published, codebook).set_index("figure_id")
    assert numbers["police_p"] == pytest.approx(family.loc["T3_21", "p_holm"])
    assert numbers["held"] == int((family["p_holm"] < 0.05).sum())


def test_the_options_change_what_they_should(survey, codebook, published, derived_verdicts, numbers):
    """A 90% level narrows the police interval and loosens the count of contrasts that hold; a
    minimum base above the Black parents' 40 answers (45) withholds their share; the point rule
    changes the verdicts compared."""
    narrow = file_numbers(survey, codebook, published, derived_verdicts, level=0.9)
    assert narrow["police_width"] < numbers["police_width"] and narrow["held"] >= numbers["held"]
    assert narrow["police_share"] == pytest.approx(numbers["police_share"])
    answers = int((survey.data["black"] & survey.data["police_and_criminal_justice"].isin([1, 2, 3, 4, 5])).sum())
    assert answers < 45
    withheld = file_numbers(survey, codebook, published, derived_verdicts, min_base=45)
    assert np.isnan(withheld["police_share"]) and np.isnan(withheld["police_width"])
    point = file_numbers(survey, codebook, published, derived_verdicts, rule="point")
    judged = consensus_verdicts(estimate_figures(file_design(survey.data, codebook),
                                                 published[published["figure_id"].isin(derived_verdicts.index)],
                                                 codebook, min_base=30), k="k", rule="point").set_index("figure_id")
    assert point["agree"] == int((judged.loc[derived_verdicts.index, "verdict"] == derived_verdicts).sum())


def test_any_minimum_base_the_assumptions_accept_can_be_used(survey, codebook, published, derived_verdicts):
    """Assumptions accepts any whole min_base >= 2 (a parameters file may set 60); the file's numbers
    must then be computed with estimates on fewer than 60 answers withheld, not fail because the
    estimator's small-base flag (flag_base, default 50) lies below the minimum."""
    assert Assumptions(min_base=60).min_base == 60
    numbers = file_numbers(survey, codebook, published, derived_verdicts, min_base=60)
    assert np.isnan(numbers["police_share"]), "40 answers are fewer than 60"


def test_the_respondents_behind_each_number_are_counted_from_the_file(survey, codebook, published):
    """Reference: the file's columns counted with pandas: 101 parents aged 18-29, 501 in the higher
    group, the fathers answering the police question and those trusting it, the 40 Black parents
    answering it; the tests' smallest group (Black parents: the Rao-Scott test's and Holm's)."""
    behind = counts_behind(survey, codebook, published)
    assert list(behind.index) == list(NUMBERS) and set(behind["kind"]) == {"estimate", "count", "statistic"}
    data = survey.data
    item = codebook.items["police_and_criminal_justice"]
    fathers = (data["sex"] == 1) & data["police_and_criminal_justice"].isin(item.codes)
    trusting = fathers & data["police_and_criminal_justice"].isin(item.counted_codes)
    assert behind.loc["fathers_police", ["n", "n_counted"]].tolist() == [int(fathers.sum()), int(trusting.sum())]
    assert behind.loc["young_count", "n"] == int(data["age_18_29"].sum()) == 101
    assert behind.loc["higher_count", "n"] == int(data["higher_occupation_qualification_income"].sum())
    black = data["black"] & data["police_and_criminal_justice"].isin(item.codes)
    assert behind.loc["police_share", "n"] == behind.loc["rao_scott_p", "n"] == behind.loc["police_p", "n"] == \
        int(black.sum()) == 40
    assert behind.loc["kish", "n"] == len(data) and pd.isna(behind.loc["kish", "n_counted"])
