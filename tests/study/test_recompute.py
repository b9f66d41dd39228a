"""The estimate behind each published figure (study.recompute.estimate_figures)."""
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from social_licence.study.codebook import load_codebook
from social_licence.study.published import COMPOSITION, load_published
from social_licence.study.recompute import estimate_figures, figure_counts, file_design
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion

COLUMNS = ["estimate", "se", "ci_low", "ci_high", "n", "n_missing", "weighted_n", "n_eff", "deff"]


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def figures(codebook):
    return load_published(codebook=codebook)


@pytest.fixture(scope="module")
def estimates(survey, figures, codebook):
    return estimate_figures(file_design(survey.data, codebook), figures, codebook).set_index("figure_id")


@pytest.mark.parametrize("figure_id", ["S15", "A01", "T1_09", "T2_03", "T3_21", "P05", "B07", "C01"])
def test_each_estimate_is_the_hand_computed_share(survey, estimates, codebook, figure_id):
    """Independent route: the weighted share of the counted answer among valid answers in the
    group; a composition figure the unweighted share of the sample (the codebook's default)."""
    row = estimates.loc[figure_id]
    data = survey.data
    in_group = data[row["group"]] if row["group"] != "all" else np.ones(len(data), dtype=bool)
    weights = data[codebook.weight_variable]
    if row["measure"] == COMPOSITION:
        counted, valid, weights = data[row["item"]], np.ones(len(data), dtype=bool), 1.0
    else:
        item = codebook.items[row["item"]]
        counted = data[item.key].isin(item.counted_codes)
        valid = ~data[item.key].isin(codebook.missing_codes(item.key))
    w = weights * in_group * valid
    assert row["estimate"] == pytest.approx((w * counted).sum() / w.sum(), abs=1e-12)
    assert row["n"] == int((in_group & valid).sum())


def test_the_batched_estimates_equal_one_proportion_call_per_figure(survey, figures, estimates, codebook):
    """Batching figures that count the same answers (one proportion_by_each call) changes no
    number: every attitude figure equals proportion() on its own question, by its own group."""
    design = SurveyDesign(survey.data, weights=codebook.weight_variable)
    attitudes = figures[figures["measure"] != COMPOSITION]
    for figure in attitudes.itertuples(index=False):
        item = codebook.items[figure.item]
        options = {"missing_values": codebook.missing_codes(item.key)}
        if figure.group == "all":
            alone = proportion(design, item.key, list(item.counted_codes), **options).iloc[0]
        else:
            by_group = proportion(design, item.key, list(item.counted_codes), by=figure.group, **options)
            alone = by_group[by_group[figure.group].astype(bool)].iloc[0]
        got = estimates.loc[figure.figure_id, COLUMNS].to_numpy(dtype=float)
        np.testing.assert_allclose(got, alone[COLUMNS].to_numpy(dtype=float), rtol=1e-12, atol=1e-14,
                                   err_msg=figure.figure_id)


def test_the_composition_reading_switches_between_unweighted_and_weighted(survey, figures, codebook):
    composition = figures[figures["measure"] == COMPOSITION]
    weighted = replace(codebook, composition="weighted")
    flat = estimate_figures(file_design(survey.data, codebook), composition, codebook).set_index("figure_id")
    heavy = estimate_figures(file_design(survey.data, weighted), composition, weighted).set_index("figure_id")
    data = survey.data
    for figure in composition.itertuples(index=False):
        members = data[figure.item].astype(bool)
        assert flat.loc[figure.figure_id, "estimate"] == pytest.approx(members.mean(), abs=1e-12)
        share = (data[codebook.weight_variable] * members).sum() / data[codebook.weight_variable].sum()
        assert heavy.loc[figure.figure_id, "estimate"] == pytest.approx(share, abs=1e-12)


def test_options_reach_every_estimate(survey, figures, codebook):
    narrow = estimate_figures(file_design(survey.data, codebook), figures, codebook, level=0.9, method="logit")
    wide = estimate_figures(file_design(survey.data, codebook), figures, codebook)
    assert set(narrow["level"]) == {0.9} and set(narrow["method"]) == {"logit"}
    assert ((narrow["ci_high"] - narrow["ci_low"]) < (wide["ci_high"] - wide["ci_low"])).all()
    assert list(narrow["figure_id"]) == list(figures["figure_id"])
    pd.testing.assert_series_equal(narrow["estimate"], wide["estimate"])


def test_dont_know_in_the_base_keeps_only_refusals_out(survey, figures, estimates, codebook):
    """The book's other reading of the base: each attitude figure equals proportion() with only the
    non-"don't know" missing codes left out, and is never above the figure with don't know left out."""
    design = SurveyDesign(survey.data, weights=codebook.weight_variable)
    attitudes = figures[figures["measure"] != COMPOSITION]
    in_base = estimate_figures(file_design(survey.data, codebook), attitudes, codebook, dont_know_in_base=True).set_index("figure_id")
    for figure in attitudes.itertuples(index=False):
        item = codebook.items[figure.item]
        refused = [code for code, label in item.missing.items() if label != "Don't know"]
        assert len(refused) < len(item.missing), f"{figure.figure_id}: no don't-know code to keep"
        by = None if figure.group == "all" else figure.group
        alone = proportion(design, item.key, list(item.counted_codes), by=by, missing_values=refused)
        alone = alone.iloc[0] if by is None else alone[alone[by].astype(bool)].iloc[0]
        got = in_base.loc[figure.figure_id]
        np.testing.assert_allclose(got[COLUMNS].to_numpy(dtype=float), alone[COLUMNS].to_numpy(dtype=float),
                                   rtol=1e-12, atol=1e-14, err_msg=figure.figure_id)
        assert got["estimate"] <= estimates.loc[figure.figure_id, "estimate"] + 1e-15, figure.figure_id


def test_the_counts_behind_each_figure_are_the_estimates_bases_and_counted_answers(survey, figures, codebook):
    """Reference: the estimator's own ``n`` and ``n_eff`` for the base; the counted answers
    counted by hand from the raw codes (T3_27: 9 of the 41 Black parents answering trust
    immigration services), and for every figure ``n_counted / n`` equals the estimate computed on
    equal weights."""
    counts = figure_counts(survey.data, figures, codebook)
    estimates = estimate_figures(file_design(survey.data, codebook), figures, codebook, min_base=0).set_index("figure_id")
    assert counts["n"].tolist() == estimates.loc[counts.index, "n"].tolist()
    np.testing.assert_allclose(counts["n_eff"], estimates.loc[counts.index, "n_eff"], rtol=1e-12)
    data = survey.data
    item = codebook.items["immigration"]
    black = data["black"] & data["immigration"].isin(item.codes)
    assert counts.loc["T3_27", ["n", "n_counted"]].tolist() == \
        [int(black.sum()), int((black & data["immigration"].isin(item.counted_codes)).sum())] == [41, 9]
    equal = SurveyDesign(data.assign(weight=1.0), weights="weight")
    flat = estimate_figures(equal, figures, codebook, min_base=0).set_index("figure_id")
    np.testing.assert_allclose(counts["n_counted"] / counts["n"], flat.loc[counts.index, "estimate"], rtol=1e-12)
    wider = figure_counts(data, figures, codebook, dont_know_in_base=True)
    assert (wider["n"] >= counts["n"]).all() and (wider["n_counted"] == counts["n_counted"]).all()
