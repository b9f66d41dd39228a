"""Tests for social_licence.study.synthetic: the solver steps on tiny problems, and the shipped file.

References: Kish's design effect n * sum(w^2) / sum(w)^2 (Kish 1965) checked by hand; raking and the
logistic moment equations checked by recomputing the margins they are meant to hit; the sample's
make-up checked against the printed shares of 843 (the paper's "Our survey" section, transcribed in
data/published/published_figures.csv); the full check of the 108 figures with the library's
estimator is in test_fidelity.py.
"""
import hashlib

import numpy as np
import pandas as pd
import pytest
import yaml
from social_licence.study import synthetic
from social_licence.study.codebook import load_codebook, parse_codebook
from social_licence.study.fidelity import fidelity_table
from social_licence.study.loader import load_survey
from social_licence.study.paths import CODEBOOK_PATH
from social_licence.study.published import load_published
from social_licence.survey.design import kish_design_effect


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def shipped():
    """The committed synthetic file, loaded and validated."""
    return load_survey(synthetic.SYNTHETIC_PATH).data


# --- solver steps on tiny problems -------------------------------------------------------------

def test_allocate_gives_exact_counts_and_keeps_order():
    latent = np.arange(10.0)[::-1]
    got = synthetic.allocate(latent, [7, 8, 9], [2, 3, 5])
    assert got.tolist() == [9, 9, 9, 9, 9, 8, 8, 8, 7, 7]
    with pytest.raises(ValueError, match="9 places for 10 parents"):
        synthetic.allocate(latent, [7, 8], [4, 5])


@pytest.mark.parametrize("shares, n, expected", [
    ([0.57, 0.43], 843, [481, 362]),          # 480.51 and 362.49: the larger remainder gets the parent
    ([0.05, 0.95], 843, [42, 801]),
    ([1 / 3, 1 / 3, 1 / 3], 10, [4, 3, 3]),
])
def test_exact_counts_round_by_largest_remainder(shares, n, expected):
    counts = synthetic.exact_counts(shares, n)
    assert counts.tolist() == expected and counts.sum() == n
    assert np.all(np.abs(counts - np.asarray(shares) * n) < 1)


def test_composition_parts_follow_from_the_printed_shares(codebook):
    parts = dict((variable, dict(parts)) for variable, parts in
                 synthetic.composition_parts(load_published(codebook=codebook), codebook).items())
    ethnic = parts["ethnic_group"]
    assert ethnic[(1,)] == pytest.approx(0.73) and ethnic[(3,)] == pytest.approx(0.05)
    assert ethnic[(4, 5, 6)] == pytest.approx(0.14) and ethnic[(2,)] == pytest.approx(0.08)  # 19 - 5; 100 - 73 - 19
    assert parts["household_type"][(3,)] == pytest.approx(0.145)  # 100 - 74.5 - 11
    assert parts["income_band"] == pytest.approx({(1, 2, 3): 0.65, (4, 5): 0.35})


def test_nonresponse_weights_hit_their_design_effect_and_follow_response():
    rng = np.random.default_rng(4)
    people = pd.DataFrame({"age_band": rng.integers(1, 5, 843), "household_type": rng.integers(1, 4, 843),
                           "tenure": rng.integers(1, 6, 843), "qualification": rng.integers(1, 7, 843),
                           "ethnic_group": rng.integers(1, 7, 843), "sex": rng.integers(1, 3, 843)})
    for target in (1.2, 1.5, 1.8):
        weights = synthetic.nonresponse_weights(np.random.default_rng(9), people, target)
        assert kish_design_effect(weights) == pytest.approx(target, abs=1e-6)
        assert weights.mean() == pytest.approx(1.0) and weights.min() >= synthetic.WEIGHT_BOUNDS[0] - 1e-9
        assert weights[people["age_band"] == 1].mean() > weights[people["age_band"] != 1].mean()
    assert np.allclose(synthetic.nonresponse_weights(np.random.default_rng(9), people, 1.0), 1.0)
    with pytest.raises(ValueError, match="must be in"):
        synthetic.nonresponse_weights(np.random.default_rng(9), people, 0.9)


def test_rake_meets_overlapping_margins_within_bounds():
    members = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 1], [0, 0]], dtype=bool)
    targets = np.array([0.4, 0.55])
    weights = synthetic.rake(np.ones(6), members, targets, bounds=(0.2, 5.0))
    assert weights.mean() == pytest.approx(1.0)
    np.testing.assert_allclose(members.T @ weights / weights.sum(), targets, atol=1e-10)
    assert weights.min() >= 0.2 - 1e-9 and weights.max() <= 5.0 + 1e-9


def test_rake_reports_infeasible_bounds():
    members = np.array([[1], [0], [0], [0]], dtype=bool)
    with pytest.raises(ValueError, match="raking did not converge within bounds"):
        synthetic.rake(np.ones(4), members, np.array([0.9]), bounds=(0.5, 2.0), max_iter=50)


def test_solve_logit_effects_meets_overlapping_group_targets():
    rng = np.random.default_rng(1)
    members = np.column_stack([np.ones(60, bool), np.arange(60) < 20, np.arange(60) % 3 == 0])
    weights = rng.uniform(0.5, 2.0, 60)
    offset = rng.normal(size=60)
    targets = np.array([0.6, 0.8, 0.3])
    theta = synthetic.solve_logit_effects(members, weights, targets, offset)
    p = synthetic.expit(offset + members @ theta)
    np.testing.assert_allclose(members.T @ (weights * p) / (members.T @ weights), targets, atol=1e-10)


def test_repair_counts_lands_every_group_inside_its_margin():
    rng = np.random.default_rng(7)
    n = 80
    members = np.column_stack([np.ones(n, bool), np.arange(n) < 30, np.arange(n) % 4 == 0])
    weights = rng.uniform(0.4, 2.5, n)
    targets = np.array([0.55, 0.70, 0.40])
    half_widths = np.full(3, 0.005)
    start = np.zeros(n, dtype=bool)  # as far from the targets as it gets
    repaired = synthetic.repair_counts(start, weights, members, targets, half_widths, np.full(n, 0.5))
    gaps = (synthetic.group_shares(repaired, weights, members) - targets) / half_widths
    assert np.all(np.abs(gaps) <= synthetic.REPAIR_MARGIN)
    assert not start.any()  # the input is not modified


def test_repair_prefers_likely_flips():
    """Two identical respondents but for their propensity: the likelier one is switched on."""
    members = np.ones((2, 1), dtype=bool)
    repaired = synthetic.repair_counts(np.zeros(2, bool), np.ones(2), members, np.array([0.5]),
                                       np.array([0.005]), np.array([0.2, 0.9]))
    assert repaired.tolist() == [False, True]


def test_fill_scale_keeps_the_collapsed_answer(codebook):
    rng = np.random.default_rng(3)
    counted = rng.random(500) < 0.5
    propensity = rng.random(500)
    for key in ("companies_using_algorithms_to_target_services", "immigration", "records_collected"):
        item = codebook.items[key]
        codes = synthetic.fill_scale(rng, item, counted, propensity)
        assert np.array_equal(np.isin(codes, item.counted_codes), counted)
        assert set(codes) <= set(item.codes)
    assert set(synthetic.fill_scale(rng, codebook.items["immigration"], counted, propensity)) == {1, 2, 3, 4, 5}


def test_assign_nonresponse_counts(codebook):
    missing = synthetic.assign_nonresponse(np.random.default_rng(5), codebook.items["immigration"], np.ones(843))
    assert 8 <= (missing == 8).sum() <= 30 and 1 <= (missing == 9).sum() <= 3
    assert set(missing) <= {0, 8, 9}


# --- the shipped file ------------------------------------------------------------------------

def test_file_name_says_synthetic():
    assert "synthetic" in synthetic.SYNTHETIC_PATH.name


def test_committed_file_matches_its_checksum():
    recorded = synthetic.CHECKSUM_PATH.read_text(encoding="utf-8").split()
    assert recorded[1] == synthetic.SYNTHETIC_PATH.name
    assert hashlib.sha256(synthetic.SYNTHETIC_PATH.read_bytes()).hexdigest() == recorded[0]


def test_regeneration_is_byte_identical():
    assert synthetic.to_csv_bytes(synthetic.generate()) == synthetic.SYNTHETIC_PATH.read_bytes()


def test_command_line_writes_the_same_file(tmp_path, capsys):
    target = tmp_path / "synthetic_respondents.csv"
    synthetic.main(["--output", str(target)])
    assert target.read_bytes() == synthetic.SYNTHETIC_PATH.read_bytes()
    assert (tmp_path / "SHA256SUMS").read_text() == synthetic.CHECKSUM_PATH.read_text()
    output = capsys.readouterr().out
    assert "sha256" in output and "108 of 108 published figures round to their published values" in output
    assert "not met" not in output


def test_seed_controls_the_draw():
    first, again, other = (synthetic.generate(synthetic.Choices(seed=seed)) for seed in (1, 1, 2))
    pd.testing.assert_frame_equal(first, again)
    assert not first.equals(other)


def test_shape_and_codes(shipped, codebook):
    assert len(shipped) == 843 and shipped["id"].tolist() == list(range(1, 844))
    assert list(shipped.columns[: len(codebook.columns)]) == list(codebook.columns)


def test_weights_mean_one_and_kish_deff_as_chosen(shipped):
    weights = shipped["weight"]
    assert weights.mean() == pytest.approx(1.0, abs=1e-6)
    assert kish_design_effect(weights) == pytest.approx(synthetic.Choices().kish_deff, abs=1e-5)
    assert weights.min() > 0


def test_each_published_group_holds_its_printed_share_of_843_within_one_parent(shipped, codebook):
    """The composition figures read as unweighted shares: "57 per cent were mothers" is 480.5 of
    843 parents, so the file has 480 or 481 (Black parents 5%: 42; aged 18-29 12%: 101)."""
    composition = load_published(codebook=codebook).query("measure == 'sample_composition'")
    for row in composition.itertuples():
        assert abs(int(shipped[row.item].sum()) - 843 * row.percent / 100) <= 1, row.figure_id
    assert int(shipped["black"].sum()) == 42 and int(shipped["age_18_29"].sum()) == 101


@pytest.mark.parametrize("group", ["age_18_29", "lone_parent", "no_qualifications", "minority_ethnic",
                                   "income_under_1200"])
def test_groups_that_respond_less_carry_larger_weights(shipped, group):
    weights = shipped["weight"]
    assert weights[shipped[group]].mean() > weights[~shipped[group]].mean()


def test_renters_carry_larger_weights(shipped):
    weights = shipped["weight"]
    assert weights[~shipped["owner_occupier"]].mean() > weights[shipped["owner_occupier"]].mean()


def test_small_share_of_dont_know_and_some_refusals(shipped, codebook):
    for key in codebook.items:
        dont_know, refused = (shipped[key] == 8).sum(), (shipped[key] == 9).sum()
        assert round(0.01 * 843) <= dont_know <= round(0.035 * 843), key
        assert 1 <= refused <= 3, key


def test_published_groups_have_usable_bases(shipped, codebook):
    """Every published subgroup has at least 30 valid answers to each of its questions."""
    figures = load_published(codebook=codebook)
    for figure in figures[(figures["group"] != "all") & (figures["measure"] != "sample_composition")].itertuples():
        answered = ~shipped[figure.item].isin(codebook.missing_codes(figure.item))
        assert (answered & shipped[figure.group]).sum() >= 30, figure.figure_id


def test_other_higher_ses_definition_also_meets_its_figures():
    """Switching the one YAML entry to `all` still gives a file that meets the group's figures."""
    raw = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))
    raw["subgroups"]["higher_occupation_qualification_income"]["combine"] = "all"
    strict = parse_codebook(raw)
    figures = load_published(codebook=strict)
    data = synthetic.generate(codebook=strict, published=figures)
    assert fidelity_table(data, codebook=strict)["within_rounding_interval"].all()
    group = strict.subgroup_indicators(data)["higher_occupation_qualification_income"]
    weights = data["weight"]
    for figure in figures[figures["group"] == "higher_occupation_qualification_income"].itertuples():
        item = strict.items[figure.item]
        base = group & ~data[item.key].isin(item.missing)
        share = 100 * weights[base & data[item.key].isin(item.counted_codes)].sum() / weights[base].sum()
        assert figure.low <= share < figure.high, figure.figure_id


def test_the_weighted_reading_of_the_composition_still_generates_a_faithful_file():
    """The one-word alternative in the codebook: composition figures read as weighted shares.
    The weights are raked to them, so groups that respond less have fewer respondents."""
    raw = yaml.safe_load(CODEBOOK_PATH.read_text(encoding="utf-8"))
    raw["composition"] = "weighted"
    weighted = parse_codebook(raw)
    data = synthetic.generate(codebook=weighted, published=load_published(codebook=weighted))
    assert fidelity_table(data, codebook=weighted)["within_rounding_interval"].all()
    young = weighted.subgroup_indicators(data)["age_18_29"]
    assert young.mean() < 0.115  # under-represented before weighting


def test_choices_for_unreported_groups_change_their_answers_not_the_published_figures(codebook):
    """Fathers are a group the paper never reports attitudes for: their answers move with the
    generator's choice while every published figure holds."""
    plain = synthetic.generate(synthetic.Choices(seed=5))
    spread = synthetic.generate(synthetic.Choices(seed=5, unreported_spread=0.9))
    for data in (plain, spread):
        assert fidelity_table(data, codebook=codebook)["within_rounding_interval"].all()
    fathers = (plain["sex"] == 1).to_numpy()

    def share(data, item):
        valid = data[item].isin(codebook.items[item].codes).to_numpy() & fathers
        counted = data[item].isin(codebook.items[item].counted_codes).to_numpy()
        return np.average(counted[valid], weights=data["weight"].to_numpy()[valid])

    differences = [abs(share(plain, item) - share(spread, item)) for item in codebook.items]
    assert max(differences) > 0.05
