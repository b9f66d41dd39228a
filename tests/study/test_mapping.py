"""Tests for social_licence.study.mapping: recodes must cover every value, labels are audited, and a
recode that turns an answer into its opposite is refused.

Files are written into pytest's tmp_path from the first 60 rows of the synthetic file, with the
archive-style coding that the issue describes (yes/no as 1/0, one five-point scale reversed,
user-missing -1 / -9), and loaded through :func:`social_licence.study.loader.load_survey`.
"""
import pandas as pd
import pyreadstat
import pytest
import yaml
from social_licence.study.codebook import load_codebook
from social_licence.study.loader import load_survey
from social_licence.study.mapping import AUDIT_COLUMNS, IDENTITY, label_polarity, load_mapping
from social_licence.study.paths import SYNTHETIC_PATH

CODEBOOK = load_codebook()
YES_NO = "records_collected"        # yes/no question: archive codes 1 = yes, 0 = no
REVERSED = "government_should_publicise"  # five-point scale stored 1 = strongly disagree ... 5 = strongly agree
MISSING_IN_FILE = {8: -1, 9: -9}    # archive's user-missing codes for don't know and refused
REVERSED_LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither", 4: "Agree", 5: "Strongly agree",
                   -1: "Don't know", -9: "Refused"}
YES_NO_LABELS = {1: "Yes", 0: "No", -1: "Don't know", -9: "Refused"}
GOOD_RECODE = {YES_NO: {1: 1, 0: 2, -1: 8, -9: 9},
               REVERSED: {1: 5, 2: 4, 3: 3, 4: 2, 5: 1, -1: 8, -9: 9}}


@pytest.fixture(scope="module")
def source() -> pd.DataFrame:
    return pd.read_csv(SYNTHETIC_PATH, nrows=60)


def archive_frame(source: pd.DataFrame) -> pd.DataFrame:
    """The two questions coded as the archive would code them (everything else as in the codebook)."""
    frame = source.copy()
    frame[YES_NO] = source[YES_NO].map({1: 1, 2: 0, **MISSING_IN_FILE})
    frame[REVERSED] = source[REVERSED].map({1: 5, 2: 4, 3: 3, 4: 2, 5: 1, **MISSING_IN_FILE})
    return frame


def write_sav(frame: pd.DataFrame, path) -> str:
    pyreadstat.write_sav(frame, str(path), variable_value_labels={YES_NO: YES_NO_LABELS, REVERSED: REVERSED_LABELS},
                         missing_ranges={YES_NO: [-1, -9], REVERSED: [-1, -9]})
    return str(path)


def write_mapping(tmp_path, recode, **extra) -> str:
    path = tmp_path / "mapping.yml"
    path.write_text(yaml.safe_dump({"recode": recode, **extra}), encoding="utf-8")
    return str(path)


def test_a_full_recode_reads_the_archive_coding_back(tmp_path, source):
    path = write_sav(archive_frame(source), tmp_path / "archive.sav")
    survey = load_survey(path, mapping=write_mapping(tmp_path, GOOD_RECODE))
    pd.testing.assert_frame_equal(survey.data[list(CODEBOOK.columns)], source, check_dtype=False)


def test_a_recode_that_forgets_a_code_is_refused(tmp_path, source):
    """The issue's case: reversing a scale but forgetting one code used to keep that code as it was."""
    frame = archive_frame(source)
    forgotten = int((frame[REVERSED] == 5).sum())
    assert forgotten > 0
    path = write_sav(frame, tmp_path / "archive.sav")
    recode = {**GOOD_RECODE, REVERSED: {1: 5, 2: 4, 3: 3, 4: 2, -1: 8, -9: 9}}
    with pytest.raises(ValueError) as error:
        load_survey(path, mapping=write_mapping(tmp_path, recode))
    message = str(error.value)
    assert "recode tables must cover every value in their column" in message
    assert f"{REVERSED!r} (file column {REVERSED!r}): 5 (x{forgotten}) of 60 rows" in message


def test_values_listed_under_keep_stay_as_they_are(tmp_path, source):
    path = write_sav(archive_frame(source), tmp_path / "archive.sav")
    recode = {**GOOD_RECODE, "sex": {"keep": [1, 2]}}
    survey = load_survey(path, mapping=write_mapping(tmp_path, recode))
    assert survey.data["sex"].tolist() == source["sex"].tolist()
    both = {**GOOD_RECODE, "sex": {1: 1, "keep": [1, 2]}}
    with pytest.raises(ValueError, match=r"recode for 'sex' both recodes and keeps value\(s\) \[1\]"):
        load_survey(path, mapping=write_mapping(tmp_path, both))


def test_the_audit_lists_every_file_value_with_both_labels_and_counts(tmp_path, source):
    path = write_sav(archive_frame(source), tmp_path / "archive.sav")
    audit = load_survey(path, mapping=write_mapping(tmp_path, GOOD_RECODE)).recoding
    assert list(audit.columns) == list(AUDIT_COLUMNS)
    assert set(audit["variable"]) == {YES_NO, REVERSED}
    reversed_rows = audit[audit["variable"] == REVERSED].set_index("file_value")
    assert reversed_rows.loc[5, "file_label"] == "Strongly agree"
    assert reversed_rows.loc[5, "code"] == 1 and reversed_rows.loc[5, "codebook_label"] == "Strongly agree"
    assert reversed_rows.loc[-1, "codebook_label"] == "Don't know"
    assert reversed_rows["rows"].sum() == 60
    assert int(reversed_rows.loc[5, "rows"]) == int((source[REVERSED] == 1).sum())


def test_the_synthetic_file_has_nothing_to_audit():
    assert load_survey().recoding.empty


def test_a_recode_that_reverses_answers_by_their_labels_is_refused(tmp_path, source):
    """Yes recoded to no: every code is covered, so only the labels can tell."""
    path = write_sav(archive_frame(source), tmp_path / "archive.sav")
    flipped = {**GOOD_RECODE, YES_NO: {1: 2, 0: 1, -1: 8, -9: 9}}
    with pytest.raises(ValueError) as error:
        load_survey(path, mapping=write_mapping(tmp_path, flipped))
    message = str(error.value)
    assert "recodes that turn an answer into its opposite" in message
    assert f'{YES_NO!r} (file column {YES_NO!r}): file value 1 "Yes" becomes code 2 "No"' in message
    survey = load_survey(path, mapping=write_mapping(tmp_path, flipped, accept_label_conflicts=[YES_NO]))
    assert (survey.data[YES_NO] == 2).sum() == (source[YES_NO] == 1).sum()


def test_an_unrecoded_labelled_scale_stored_the_other_way_round_is_refused(tmp_path, source):
    """No recode at all: the file's 1 = 'Strongly disagree' would silently read as 'Strongly agree'."""
    frame = source.copy()
    frame[REVERSED] = 6 - source[REVERSED].where(source[REVERSED] <= 5, 3)
    path = tmp_path / "archive.sav"
    pyreadstat.write_sav(frame, str(path), variable_value_labels={REVERSED: REVERSED_LABELS})
    assert (source[REVERSED] == 5).any() or (source[REVERSED] == 4).any()
    with pytest.raises(ValueError, match=r'file value [12] "(Strongly disagree|Disagree)" becomes code [12] "(Strongly agree|Agree)"'):
        load_survey(path, mapping=write_mapping(tmp_path, {}))


def test_stata_extended_missings_are_recoded_by_letter(tmp_path, source):
    short = {name: f"v{i:02d}" for i, name in enumerate(CODEBOOK.columns, start=1)}  # Stata: <= 32 characters
    frame = source.copy().astype({YES_NO: object})
    frame[YES_NO] = source[YES_NO].map({1: 1, 2: 0, 8: "a", 9: "b"})
    path = tmp_path / "archive.dta"
    pyreadstat.write_dta(frame.rename(columns=short), str(path), missing_user_values={short[YES_NO]: ["a", "b"]})
    recode = {YES_NO: {1: 1, 0: 2, "a": 8, "b": 9}}
    survey = load_survey(path, mapping=write_mapping(tmp_path, recode, variables=short))
    assert survey.data[YES_NO].tolist() == source[YES_NO].tolist()


@pytest.mark.parametrize("label, polarity", [
    ("Yes", 1), ("No", -1), ("Strongly agree", 1), ("Agree", 1), ("Strongly disagree", -1),
    ("Neither agree nor disagree", 0), ("Neither", 0), ("Very acceptable", 1), ("Fairly unacceptable", -1),
    ("Not acceptable", -1), ("Trust a great deal", 1), ("Tend to distrust", -1), ("Don't know", 0),
    ("Refused", 0), ("Female (mother)", 0), ("", 0),
])
def test_label_polarity_follows_the_documented_rule(label, polarity):
    assert label_polarity(label) == polarity


@pytest.mark.parametrize("stated", ["cp1252", "latin-1", "utf-16-le"])
def test_the_encoding_key_is_kept_as_stated(tmp_path, stated):
    """The loader reads a text file without a byte-order mark in it (tests/study/test_loader.py)."""
    assert load_mapping(write_mapping(tmp_path, {}, encoding=stated), CODEBOOK).encoding == stated
    assert load_mapping(write_mapping(tmp_path, {}), CODEBOOK).encoding is None and IDENTITY.encoding is None


@pytest.mark.parametrize("stated", ["klingon", "base64", ["cp1252"]])
def test_an_encoding_python_cannot_read_text_with_is_refused(tmp_path, stated):
    with pytest.raises(ValueError, match=rf"encoding {stated!r} is not a text encoding Python knows".replace("[", r"\[")):
        load_mapping(write_mapping(tmp_path, {}, encoding=stated), CODEBOOK)
