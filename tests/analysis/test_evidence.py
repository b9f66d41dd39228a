"""The evidence a chapter works from: the published figures, the respondent file and its SHA-256,
the codebook under the assumed reading of the higher group, and the ensemble.

References: data/published/published_figures.csv (108 rows, 15 of them the sample's composition);
the SHA-256 recorded for the shipped file in data/synthetic/SHA256SUMS (and hashlib's of its bytes);
the higher group's three markers as data/codebook.yml codes them (social class code 1, qualification
code 1, income band 4 or 5), combined by hand; the ensemble's 24 members (data/synthetic/ensemble).
"""
import hashlib
import shutil

import numpy as np
import pandas as pd
import pytest

from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import Evidence, load_evidence, sha256_of
from social_licence.study.ensemble import N_MEMBERS
from social_licence.study.paths import CHECKSUM_PATH, SYNTHETIC_PATH
from social_licence.study.published import COMPOSITION

HIGHER = "higher_occupation_qualification_income"


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    """The loader falls back on SOCIAL_LICENCE_DATA; these tests name their file or use the default."""
    monkeypatch.delenv("SOCIAL_LICENCE_DATA", raising=False)
    monkeypatch.delenv("SOCIAL_LICENCE_MAPPING", raising=False)


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(Assumptions())


@pytest.fixture
def archived(tmp_path):
    """The shipped file copied outside data/synthetic: the loader treats it as an archived file."""
    path = tmp_path / "archive.csv"
    shutil.copy(SYNTHETIC_PATH, path)
    return load_evidence(Assumptions(data_source=str(path)))


def markers(data: pd.DataFrame) -> np.ndarray:
    """The higher group's three markers, from the raw codes (data/codebook.yml)."""
    return np.column_stack([data["nssec"] == 1, data["qualification"] == 1, data["income_band"].isin([4, 5])])


def test_the_default_evidence_is_the_synthetic_file_and_the_108_published_figures(evidence):
    assert isinstance(evidence, Evidence) and evidence.assumptions == Assumptions()
    assert evidence.source.kind == "synthetic" and not evidence.archived
    assert evidence.source.path == SYNTHETIC_PATH.resolve()
    assert len(evidence.published) == 108 and evidence.published["figure_id"].is_unique
    assert int((evidence.published["measure"] == COMPOSITION).sum()) == 15
    assert len(evidence.data) == 843 and evidence.data is evidence.survey.data


def test_the_sha256_is_the_one_recorded_for_the_shipped_file(evidence):
    recorded = dict(reversed(line.split()) for line in CHECKSUM_PATH.read_text().splitlines() if line.strip())
    assert evidence.sha256 == recorded[SYNTHETIC_PATH.name]
    assert evidence.sha256 == hashlib.sha256(SYNTHETIC_PATH.read_bytes()).hexdigest()


def test_sha256_of_reads_any_file(tmp_path):
    path = tmp_path / "x.bin"
    path.write_bytes(b"abc")
    assert sha256_of(path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"  # FIPS 180-2, "abc"
    path.write_bytes(bytes(range(256)) * 5000)  # more than one 1 MiB block
    assert sha256_of(path) == hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_codebook_carries_the_assumed_reading_of_the_higher_group(evidence):
    """'any': any one of the three markers; 'all': all three. The file's indicator column follows."""
    assert evidence.codebook.subgroups[HIGHER].combine == "any"
    np.testing.assert_array_equal(evidence.data[HIGHER], markers(evidence.data).any(axis=1))
    strict = load_evidence(Assumptions(higher_group="all"))
    assert strict.codebook.subgroups[HIGHER].combine == "all"
    np.testing.assert_array_equal(strict.data[HIGHER], markers(strict.data).all(axis=1))
    assert 0 < strict.data[HIGHER].sum() < evidence.data[HIGHER].sum()
    others = [c for c in evidence.codebook.subgroups if c != HIGHER]
    pd.testing.assert_frame_equal(strict.data[others], evidence.data[others])
    pd.testing.assert_frame_equal(strict.published, evidence.published)


def test_figures_are_the_attitude_figures_of_the_blocks_asked_for(evidence):
    published = evidence.published
    attitudes = published[published["measure"] != COMPOSITION]
    everything = evidence.figures()
    assert everything["figure_id"].tolist() == attitudes["figure_id"].tolist() and len(everything) == 93
    trust = evidence.figures("trust_to_link_records")
    assert trust["figure_id"].tolist() == attitudes.loc[attitudes["measure"] == "trust_to_link_records",
                                                        "figure_id"].tolist()
    assert trust.index.tolist() == list(range(len(trust))), "a fresh index"
    two = evidence.figures("awareness", "transparency")
    assert set(two["measure"]) == {"awareness", "transparency"}
    assert two["figure_id"].tolist() == attitudes.loc[attitudes["measure"].isin(["awareness", "transparency"]),
                                                      "figure_id"].tolist(), "in published order"
    with pytest.raises(ValueError, match=r"no published figures for block\(s\) \['nowhere'\]"):
        evidence.figures("nowhere")
    with pytest.raises(ValueError, match="sample_composition"):
        evidence.figures(COMPOSITION)


def test_a_synthetic_build_has_the_24_ensemble_members_under_their_own_readings(evidence):
    members = evidence.members
    assert len(members) == N_MEMBERS == 24
    assert [member.number for member, _ in members] == list(range(1, 25))
    for member, survey in members:
        assert survey.source.kind == "synthetic" and len(survey.data) == 843
        combined = markers(survey.data)
        expected = combined.any(axis=1) if member.higher_reading == "any" else combined.all(axis=1)
        np.testing.assert_array_equal(survey.data[HIGHER], expected)
    assert {member.higher_reading for member, _ in members} == {"any", "all"}


def test_a_file_outside_data_synthetic_is_archived_and_has_no_ensemble(archived):
    assert archived.archived and archived.source.kind == "archived"
    assert archived.members == []
    assert archived.sha256 == hashlib.sha256(SYNTHETIC_PATH.read_bytes()).hexdigest(), "the same bytes"
    assert len(archived.published) == 108


def test_a_relative_data_source_is_read_from_the_repository_root():
    relative = load_evidence(Assumptions(data_source="data/synthetic/synthetic_respondents.csv"))
    assert relative.source.kind == "synthetic" and relative.source.path == SYNTHETIC_PATH.resolve()
