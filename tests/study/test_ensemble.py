"""Tests for social_licence.study.ensemble: equally faithful synthetic files that differ only in what
the publication leaves open.

References: every member against the 108 published figures (data/published/published_figures.csv)
with the library's estimator, under the member's own reading of the higher group; the sample's
make-up against the printed shares of 843; Kish's design effect n * sum(w^2) / sum(w)^2 (Kish 1965)
against the member's stated choice; the committed files against their SHA-256 and a regeneration.
"""
import hashlib
import shutil

import numpy as np
import pytest
from social_licence.study import ensemble
from social_licence.study.fidelity import fidelity_table
from social_licence.study.paths import ENSEMBLE_DIR
from social_licence.study.published import load_published
from social_licence.study.synthetic import KISH_DEFF_RANGE, generate, to_csv_bytes
from social_licence.survey.design import kish_design_effect


@pytest.fixture(scope="module")
def loaded():
    return ensemble.load_ensemble()


def test_the_design_spans_what_the_publication_leaves_open():
    design = ensemble.members()
    assert len(design) == ensemble.N_MEMBERS >= 20
    assert len({m.choices.seed for m in design}) == len(design)
    assert [m.higher_reading for m in design[:4]] == ["any", "all", "any", "all"]
    deffs = sorted({m.choices.kish_deff for m in design})
    assert deffs[0] == KISH_DEFF_RANGE[0] and deffs[-1] == KISH_DEFF_RANGE[1] and len(deffs) == len(design) // 2
    for deff in deffs:  # every design effect under both readings
        assert {m.higher_reading for m in design if m.choices.kish_deff == deff} == {"any", "all"}
    anchors = np.array([[share for _, share in m.choices.belief_anchors] for m in design])
    assert anchors.min() >= ensemble.ANCHOR_RANGE[0] and anchors.max() <= ensemble.ANCHOR_RANGE[1]
    assert anchors.std(axis=0).min() > 0.05
    assert len({m.choices.unreported_spread for m in design}) == len(ensemble.SPREADS)
    assert ensemble.members() == design, "the design is fixed by the seed"
    with pytest.raises(ValueError, match="even number"):
        ensemble.members(5)


def test_files_are_named_synthetic_and_match_their_checksums():
    design = ensemble.members()
    recorded = dict(reversed(line.split()) for line in (ENSEMBLE_DIR / ensemble.CHECKSUMS).read_text().splitlines())
    assert sorted(recorded) == sorted(m.file for m in design)
    for member in design:
        assert "synthetic" in member.file
        assert hashlib.sha256((ENSEMBLE_DIR / member.file).read_bytes()).hexdigest() == recorded[member.file]
    ensemble.check_checksums()


def test_a_changed_member_is_caught(tmp_path):
    copy = tmp_path / "ensemble"
    shutil.copytree(ENSEMBLE_DIR, copy)
    first = ensemble.members()[0].file
    (copy / first).write_bytes((copy / first).read_bytes().replace(b",1,", b",2,", 1))
    with pytest.raises(ValueError, match=first):
        ensemble.check_checksums(copy)


@pytest.mark.parametrize("index", [0, 1], ids=["any-reading", "all-reading"])
def test_regeneration_is_byte_identical(index):
    member = ensemble.members()[index]
    codebook = member.codebook()
    data = generate(member.choices, codebook=codebook, published=load_published(codebook=codebook))
    assert to_csv_bytes(data) == (ENSEMBLE_DIR / member.file).read_bytes()


def test_every_member_reproduces_every_published_figure_under_its_own_reading(loaded):
    assert len(loaded) == ensemble.N_MEMBERS
    for member, survey in loaded:
        codebook = member.codebook()
        assert codebook.subgroups[ensemble.HIGHER_GROUP].combine == member.higher_reading
        table = fidelity_table(survey.data, codebook=codebook)
        missed = table.loc[~table["within_rounding_interval"], "figure_id"].tolist()
        assert not missed, f"{member.file} misses {missed}"
        assert survey.source.kind == "synthetic" and member.file in survey.source.label


def test_every_member_has_its_design_effect_and_the_printed_group_sizes(loaded):
    composition = load_published().query("measure == 'sample_composition'")
    for member, survey in loaded:
        assert kish_design_effect(survey.data["weight"]) == pytest.approx(member.choices.kish_deff, abs=1e-5)
        for row in composition.itertuples():
            assert abs(int(survey.data[row.item].sum()) - 843 * row.percent / 100) <= 1, (member.file, row.figure_id)


def test_members_differ_where_the_publication_is_silent(loaded):
    """The higher group's size follows its reading; fathers' answers (never published) vary."""
    sizes = {reading: [int(s.data[ensemble.HIGHER_GROUP].sum()) for m, s in loaded if m.higher_reading == reading]
             for reading in ensemble.READINGS}
    assert min(sizes["any"]) > max(sizes["all"])
    item = "police_and_criminal_justice"
    shares = []
    for member, survey in loaded:
        data = survey.data
        fathers = (data["sex"] == 1) & data[item].isin([1, 2, 3, 4, 5])
        shares.append(np.average(data.loc[fathers, item].isin([1, 2]), weights=data.loc[fathers, "weight"]))
    assert max(shares) - min(shares) > 0.05
