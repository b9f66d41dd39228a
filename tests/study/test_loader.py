"""Tests for social_licence.study.loader: formats, mapping, source selection and every validation error.

Each test writes its own small file (40 rows cut from the synthetic file, renamed to archive-style
column names v01..v29 and with the archive coding sex 10/20) into pytest's tmp_path, then checks that
loading through a mapping gives back the source frame exactly, or that the error message names the
variable, the offending values with counts, and the number of rows.
"""
import hashlib
import uuid

import pandas as pd
import pyreadstat
import pytest
import yaml
from social_licence.study.codebook import load_codebook
from social_licence.study.loader import (
    DATA_ENV,
    MAPPING_ENV,
    SYNTHETIC_LABEL,
    load_survey,
)
from social_licence.study.paths import PROJECT_ROOT, SYNTHETIC_PATH

CODEBOOK = load_codebook()
ARCHIVE_NAMES = {name: f"v{i:02d}" for i, name in enumerate(CODEBOOK.columns, start=1)}
SEX_IN_ARCHIVE = {1: 10, 2: 20}


@pytest.fixture
def source():
    """The frame in codebook terms that every file below encodes."""
    return pd.read_csv(SYNTHETIC_PATH, nrows=40)


def archive_frame(source: pd.DataFrame) -> pd.DataFrame:
    """The source as an archive would hold it: other column names, other codes for sex."""
    return source.assign(sex=source["sex"].map(SEX_IN_ARCHIVE)).rename(columns=ARCHIVE_NAMES)


def write_mapping(tmp_path, **extra) -> str:
    mapping = {"variables": ARCHIVE_NAMES, "recode": {"sex": {10: 1, 20: 2}}, **extra}
    path = tmp_path / "mapping.yml"
    path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    return str(path)


def write(frame: pd.DataFrame, path) -> str:
    suffix = path.suffix
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    elif suffix in (".tab", ".tsv"):
        frame.to_csv(path, index=False, sep="\t")
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    elif suffix == ".sav":
        pyreadstat.write_sav(frame, str(path))
    elif suffix == ".dta":
        pyreadstat.write_dta(frame, str(path))
    return str(path)


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


@pytest.mark.parametrize("suffix", [".csv", ".tab", ".tsv", ".parquet", ".sav", ".dta"])
def test_each_format_round_trips_through_a_mapping(tmp_path, source, suffix):
    path = write(archive_frame(source), tmp_path / f"archive{suffix}")
    before = sha(path)
    survey = load_survey(path, mapping=write_mapping(tmp_path))
    pd.testing.assert_frame_equal(survey.data[list(CODEBOOK.columns)], source)
    assert list(survey.data.columns[len(CODEBOOK.columns):]) == list(CODEBOOK.subgroups)
    assert survey.source.kind == "archived"
    assert survey.source.label == f"Archived survey file archive{suffix}"
    assert survey.excluded.empty and list(survey.excluded.columns) == ["row", "id", "reason"]
    assert sha(path) == before  # the input file is never modified


def test_spss_user_missing_codes_are_kept(tmp_path, source):
    """Codes an SPSS file declares user-missing (8, 9) stay codes, not blanks."""
    frame = archive_frame(source)
    path = tmp_path / "archive.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={"v25": [8, 9]})
    survey = load_survey(path, mapping=write_mapping(tmp_path))
    assert survey.data["immigration"].tolist() == source["immigration"].tolist()
    assert survey.data["immigration"].isin([8, 9]).any()


def test_default_is_the_shipped_synthetic_file(monkeypatch):
    monkeypatch.delenv(DATA_ENV, raising=False)
    monkeypatch.setenv(MAPPING_ENV, "/nonexistent/mapping.yml")  # ignored for the synthetic file
    survey = load_survey()
    assert survey.source.kind == "synthetic" and survey.source.label == SYNTHETIC_LABEL
    assert "not the survey's responses" in survey.source.label
    assert survey.source.mapping is None and len(survey.data) == 843


def test_environment_variables_select_file_and_mapping(tmp_path, monkeypatch, source):
    path = write(archive_frame(source), tmp_path / "archive.csv")
    monkeypatch.setenv(DATA_ENV, path)
    monkeypatch.setenv(MAPPING_ENV, write_mapping(tmp_path))
    survey = load_survey()
    assert survey.source.kind == "archived" and str(survey.source.path) == path
    pd.testing.assert_frame_equal(survey.data[list(CODEBOOK.columns)], source)


def test_arguments_override_environment(tmp_path, monkeypatch, source):
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "elsewhere.csv"))
    path = write(source, tmp_path / "plain.csv")
    survey = load_survey(path)  # no mapping: identity, codebook names
    assert survey.source.path.name == "plain.csv" and len(survey.data) == 40


def test_exclude_rule_reports_every_excluded_row(tmp_path, source):
    frame = archive_frame(source).assign(in_scope=[0, 0, 0] + [1] * 37)
    path = write(frame, tmp_path / "archive.csv")
    rule = {"column": "in_scope", "values": [0], "reason": "not a parent of a child under 16"}
    survey = load_survey(path, mapping=write_mapping(tmp_path, exclude=[rule]))
    assert len(survey.data) == 37
    assert survey.excluded.to_dict("list") == {"row": [0, 1, 2], "id": [1, 2, 3],
                                               "reason": ["not a parent of a child under 16"] * 3}


def test_ignore_patterns_allow_unused_columns(tmp_path, source):
    frame = archive_frame(source).assign(q9_a=1, q9_b=2)
    path = write(frame, tmp_path / "archive.csv")
    survey = load_survey(path, mapping=write_mapping(tmp_path, ignore=["q9_*"]))
    assert "q9_a" not in survey.data


def test_blank_cells_can_be_recoded(tmp_path, source):
    frame = archive_frame(source)
    frame.loc[[3, 4], ARCHIVE_NAMES["immigration"]] = None
    path = write(frame, tmp_path / "archive.csv")
    mapping = write_mapping(tmp_path)
    with pytest.raises(ValueError, match=r"'immigration' \(file column 'v25'\): blank \(x2\) in 2 of 40 rows"):
        load_survey(path, mapping=mapping)
    recode = {"sex": {10: 1, 20: 2}, "immigration": {None: 9, "keep": [1, 2, 3, 4, 5, 8, 9]}}
    survey = load_survey(path, mapping=write_mapping(tmp_path, recode=recode))
    assert survey.data.loc[[3, 4], "immigration"].tolist() == [9, 9]


# --- validation errors -------------------------------------------------------------------------

def test_missing_mapped_variable(tmp_path, source):
    path = write(archive_frame(source).drop(columns=["v05"]), tmp_path / "archive.csv")
    with pytest.raises(ValueError, match=r"1 codebook variable\(s\) not found: 'household_type' "
                                         r"\(file column 'v05'\)\. The file has 40 rows"):
        load_survey(path, mapping=write_mapping(tmp_path))


def test_extra_unmapped_variable(tmp_path, source):
    path = write(archive_frame(source).assign(paradata=0), tmp_path / "archive.csv")
    with pytest.raises(ValueError, match=r"1 column\(s\) not mapped to the codebook: \['paradata'\] "
                                         r"\(40 rows\)\. Map each under `variables`, or list it .* under `ignore`"):
        load_survey(path, mapping=write_mapping(tmp_path))


@pytest.mark.parametrize("bad, shown", [(7, "7 (x3)"), (1.5, "1.5 (x3)"), ("man", "'man' (x3)")])
def test_codes_outside_the_codebook(tmp_path, source, bad, shown):
    frame = archive_frame(source)
    frame["v04"] = frame["v04"].astype(object)
    frame.loc[[0, 5, 9], "v04"] = bad
    path = write(frame, tmp_path / "archive.csv")
    with pytest.raises(ValueError) as error:
        load_survey(path, mapping=write_mapping(tmp_path))
    message = str(error.value)
    assert f"'age_band' (file column 'v04'): {shown} in 3 of 40 rows; codebook codes are [1, 2, 3, 4, 9]" in message
    assert "recode them under `recode`" in message


def test_several_bad_variables_are_listed_together(tmp_path, source):
    frame = archive_frame(source)
    frame.loc[0, "v04"] = 7
    frame.loc[[1, 2], "v12"] = 3
    path = write(frame, tmp_path / "archive.csv")
    with pytest.raises(ValueError, match=r"(?s)'age_band'.*7 \(x1\) in 1 of 40 rows.*'records_collected'.*3 \(x2\) in 2 of 40"):
        load_survey(path, mapping=write_mapping(tmp_path))


def test_duplicate_ids(tmp_path, source):
    frame = archive_frame(source)
    frame.loc[[7, 8], "v01"] = 5
    path = write(frame, tmp_path / "archive.csv")
    with pytest.raises(ValueError, match=r"id variable \(file column 'v01'\): duplicated ids 5 \(x3\); 3 of 40 rows"):
        load_survey(path, mapping=write_mapping(tmp_path))


def test_missing_id(tmp_path, source):
    frame = archive_frame(source).astype({"v01": float})
    frame.loc[2, "v01"] = None
    path = write(frame, tmp_path / "archive.csv")
    with pytest.raises(ValueError, match=r"id variable \(file column 'v01'\): 1 of 40 rows have no id"):
        load_survey(path, mapping=write_mapping(tmp_path))


@pytest.mark.parametrize("bad, shown, what", [
    (None, "blank (x2)", "missing or not numbers"), ("heavy", "'heavy' (x2)", "missing or not numbers"),
    (float("inf"), "inf (x2)", "infinite"), (-1.0, "-1 (x2)", "negative or zero"), (0.0, "0 (x2)", "negative or zero"),
], ids=["blank", "text", "infinite", "negative", "zero"])
def test_bad_weights(tmp_path, source, bad, shown, what):
    frame = archive_frame(source)
    frame["v02"] = frame["v02"].astype(object)
    frame.loc[[10, 11], "v02"] = bad
    path = write(frame, tmp_path / "archive.csv")
    with pytest.raises(ValueError) as error:
        load_survey(path, mapping=write_mapping(tmp_path))
    assert (f"weight variable (file column 'v02'): values that are {what}: {shown}; 2 of 40 rows"
            in str(error.value))


def test_ragged_rows_are_reported_by_line_number(tmp_path, source):
    """A short record would otherwise be filled with blanks (and surface as 'duplicated ids')."""
    path = tmp_path / "archive.csv"
    lines = archive_frame(source).to_csv(index=False).splitlines()
    lines[4] = lines[4].rsplit(",", 1)[0]          # file line 5 loses its last field
    lines[9] = ",".join(lines[9].split(",")[:-2])  # file line 10 loses two
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    width = len(CODEBOOK.columns)
    with pytest.raises(ValueError, match=rf"2 record\(s\) do not have the header's {width} fields: "
                                         rf"line 5 \({width - 1} fields\), line 10 \({width - 2} fields\)"):
        load_survey(path, mapping=write_mapping(tmp_path))


def test_relative_paths_are_relative_to_the_repository_root(monkeypatch, source):
    """The documented command uses data/raw/...; notebooks run in chapters/, so cwd must not matter."""
    name = f"pytest-relative-{uuid.uuid4().hex}"
    data, mapping = PROJECT_ROOT / "data" / "raw" / f"{name}.csv", PROJECT_ROOT / "data" / "raw" / f"{name}.yml"
    try:
        archive_frame(source).to_csv(data, index=False)
        mapping.write_text(yaml.safe_dump({"variables": ARCHIVE_NAMES, "recode": {"sex": {10: 1, 20: 2}}}))
        monkeypatch.chdir(PROJECT_ROOT / "chapters")
        monkeypatch.setenv(DATA_ENV, f"data/raw/{name}.csv")
        monkeypatch.setenv(MAPPING_ENV, f"data/raw/{name}.yml")
        survey = load_survey()
        assert survey.source.path == data and survey.source.mapping == mapping
        assert survey.source.shown_path == f"data/raw/{name}.csv"
        assert survey.source.shown_mapping == f"data/raw/{name}.yml"
        pd.testing.assert_frame_equal(survey.data[list(CODEBOOK.columns)], source)
    finally:
        data.unlink(missing_ok=True)
        mapping.unlink(missing_ok=True)


def test_files_outside_the_repository_are_shown_by_name_only(tmp_path, source):
    path = write(archive_frame(source), tmp_path / "archive.csv")
    survey = load_survey(path, mapping=write_mapping(tmp_path))
    assert survey.source.shown_path == "archive.csv" and survey.source.shown_mapping == "mapping.yml"


def test_empty_files(tmp_path, source):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValueError, match="is empty"):
        load_survey(empty)
    header_only = write(source.iloc[:0], tmp_path / "header.csv")
    with pytest.raises(ValueError, match="has no rows"):
        load_survey(header_only)


def test_unsupported_file_type(tmp_path):
    path = tmp_path / "survey.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ValueError, match=r"unsupported file type '\.xlsx'.*\.csv, \.tab, \.tsv, \.sav, \.dta, \.parquet"):
        load_survey(path)


@pytest.mark.parametrize("suffix, kind", [(".sav", "SPSS"), (".dta", "Stata"), (".parquet", "Parquet")])
def test_unreadable_file(tmp_path, suffix, kind):
    path = tmp_path / f"broken{suffix}"
    path.write_bytes(b"this is not a data file at all")
    with pytest.raises(ValueError, match=f"cannot read .*broken\\{suffix} as a {kind} file"):
        load_survey(path)
    assert path.read_bytes() == b"this is not a data file at all"


def test_missing_file(tmp_path):
    with pytest.raises(ValueError, match="not found"):
        load_survey(tmp_path / "nowhere.sav")


@pytest.mark.parametrize("mapping, message", [
    ({"variables": {"gender": "v03"}}, r"variables names \['gender'\] are not codebook variables"),
    ({"renames": {}}, "top-level keys must be among"),
    ({"exclude": [{"column": "x"}]}, "each exclude rule needs exactly column, values, reason"),
    ({"recode": {"sex": [1, 2]}}, "recode for 'sex' must map file values to codes"),
    ({"variables": {"sex": "v", "age_band": "v"}}, r"file column\(s\) \['v'\] mapped to more than one"),
], ids=["unknown-variable", "unknown-key", "exclude-rule", "recode-shape", "shared-column"])
def test_bad_mapping_file(tmp_path, source, mapping, message):
    path = write(source, tmp_path / "plain.csv")
    mapping_path = tmp_path / "bad.yml"
    mapping_path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_survey(path, mapping=mapping_path)
