"""Tests for social_licence.study.loader: formats, mapping, source selection and every validation error.

Each test writes its own small file (40 rows cut from the synthetic file, renamed to archive-style
column names v01..v29 and with the archive coding sex 10/20) into pytest's tmp_path, then checks that
loading through a mapping gives back the source frame exactly, or that the error message names the
variable, the offending values with counts, and the number of rows.
"""
import codecs
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
    read_table,
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
    path = tmp_path / "survey.json"
    path.write_bytes(b"{}")
    with pytest.raises(ValueError, match=r"unsupported file type '\.json'.*\.csv, \.tab, \.tsv, \.txt, \.sav, \.dta, \.parquet"):
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
    ({"encoding": "klingon"}, r"encoding 'klingon' is not a text encoding Python knows; use a name such as cp1252"),
    ({"encoding": "rot13"}, r"encoding 'rot13' is not a text encoding Python knows"),
    ({"encoding": 1252}, r"encoding 1252 is not a text encoding Python knows"),
], ids=["unknown-variable", "unknown-key", "exclude-rule", "recode-shape", "shared-column", "unknown-encoding",
        "not-a-text-encoding", "encoding-number"])
def test_bad_mapping_file(tmp_path, source, mapping, message):
    path = write(source, tmp_path / "plain.csv")
    mapping_path = tmp_path / "bad.yml"
    mapping_path.write_text(yaml.safe_dump(mapping), encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_survey(path, mapping=mapping_path)


# --- text files as spreadsheet programs write them ----------------------------------------------
# The archive frame with a text column of non-ASCII labels (ignored by the mapping) and a non-ASCII
# column name (mapped), so that a wrong decoding shows in the data, not only in a label.

LABELS = ["Café", "naïve", "£5,200 or more", "Zoë; “quoted”", "plain"]


def labelled_frame(source: pd.DataFrame) -> pd.DataFrame:
    frame = archive_frame(source).rename(columns={ARCHIVE_NAMES["household_size"]: "haushaltsgröße"})
    return frame.assign(note=[LABELS[i % len(LABELS)] for i in range(len(frame))])


def labelled_mapping(tmp_path, **extra) -> str:
    variables = {**ARCHIVE_NAMES, "household_size": "haushaltsgröße"}
    path = tmp_path / "mapping.yml"
    mapping = {"variables": variables, "recode": {"sex": {10: 1, 20: 2}}, "ignore": ["note"], **extra}
    path.write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
    return str(path)


def excel_text(frame: pd.DataFrame, sep: str = ",", decimal: str = ".") -> str:
    """The frame as a spreadsheet program writes it: CRLF line ends."""
    return frame.to_csv(index=False, sep=sep, decimal=decimal, lineterminator="\r\n")


EXPORTS = {  # name: (file name, bytes from the frame, mapping's encoding)
    "utf-8 with BOM (Excel 'CSV UTF-8')": ("export.csv", lambda f: codecs.BOM_UTF8 + excel_text(f).encode("utf-8"), None),
    "utf-16 LE with BOM (Excel 'Unicode Text')": (
        "export.txt", lambda f: codecs.BOM_UTF16_LE + excel_text(f, "\t").encode("utf-16-le"), None),
    "utf-16 BE with BOM": ("export.txt", lambda f: codecs.BOM_UTF16_BE + excel_text(f, "\t").encode("utf-16-be"), None),
    "utf-32 with BOM": ("export.tab", lambda f: codecs.BOM_UTF32_LE + excel_text(f, "\t").encode("utf-32-le"), None),
    "windows-1252, encoding stated (Excel 'CSV')": ("export.csv", lambda f: excel_text(f).encode("cp1252"), "cp1252"),
    "mac-roman tab-delimited, encoding stated (Excel 2011 for Mac)": (
        "export.tsv", lambda f: excel_text(f, "\t").encode("mac-roman"), "mac-roman"),
    "utf-16 LE without BOM, encoding stated": ("export.txt", lambda f: excel_text(f, "\t").encode("utf-16-le"), "utf-16-le"),
    "semicolons and decimal commas, windows-1252 (European Excel 'CSV')": (
        "export.csv", lambda f: excel_text(f, ";", ",").encode("cp1252"), "cp1252"),
    "semicolons and decimal commas, utf-8 with BOM (European Excel 'CSV UTF-8')": (
        "export.csv", lambda f: codecs.BOM_UTF8 + excel_text(f, ";", ",").encode("utf-8"), None),
}


@pytest.mark.parametrize("export", EXPORTS, ids=list(EXPORTS))
def test_spreadsheet_exports_load_to_the_same_data_as_utf8(tmp_path, source, export):
    name, encode, encoding = EXPORTS[export]
    frame = labelled_frame(source)
    original = write(frame, tmp_path / "original.csv")
    exported = tmp_path / name
    exported.write_bytes(encode(frame))
    assert exported.read_bytes() != open(original, "rb").read()
    # the raw table, labels included, decodes to exactly what the UTF-8 file holds
    pd.testing.assert_frame_equal(read_table(exported, encoding)[0], read_table(tmp_path / "original.csv")[0],
                                  check_exact=True)
    survey = load_survey(exported, mapping=labelled_mapping(tmp_path, **({"encoding": encoding} if encoding else {})))
    pd.testing.assert_frame_equal(survey.data, load_survey(original, mapping=labelled_mapping(tmp_path)).data,
                                  check_exact=True)
    pd.testing.assert_frame_equal(survey.data[list(CODEBOOK.columns)], source, check_exact=True)


def test_windows_1252_without_a_stated_encoding_is_refused_naming_it(tmp_path, source):
    path = tmp_path / "export.csv"
    path.write_bytes(excel_text(labelled_frame(source)).encode("cp1252"))
    with pytest.raises(ValueError) as error:
        load_survey(path, mapping=labelled_mapping(tmp_path))
    message = str(error.value)
    # the header holds 'ö' (byte 0xF6); so do the 32 of 40 data lines whose label is not 'plain'
    assert "export.csv is not UTF-8 text: byte 0xF6 on line 1 (33 line(s) in all)" in message
    assert "haushaltsgröße" in message and "It is probably Windows-1252" in message
    assert "'CSV UTF-8 (Comma delimited)'" in message and "`encoding: cp1252`" in message


def test_a_stated_encoding_that_does_not_fit_is_refused(tmp_path, source):
    path = tmp_path / "export.csv"
    path.write_bytes(excel_text(labelled_frame(source)).encode("cp1252"))
    with pytest.raises(ValueError, match=r"export.csv is not valid utf-8 text: byte 0xF6 on line 1 \(33 line"):
        load_survey(path, mapping=labelled_mapping(tmp_path, encoding="utf-8"))


def test_utf16_without_a_byte_order_mark_is_refused_naming_it(tmp_path, source):
    path = tmp_path / "export.txt"
    path.write_bytes(excel_text(labelled_frame(source), "\t").encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"export.txt holds \d+ zero bytes, which UTF-8 text never has: it looks "
                                         r"like UTF-16 text without a byte-order mark; .*`encoding: utf-16-le`"):
        load_survey(path, mapping=labelled_mapping(tmp_path))
    path.write_bytes(excel_text(labelled_frame(source), "\t").encode("utf-16-be"))
    with pytest.raises(ValueError, match=r"`encoding: utf-16-be`"):
        load_survey(path, mapping=labelled_mapping(tmp_path))


def test_a_byte_order_mark_contradicting_the_stated_encoding_is_refused(tmp_path, source):
    path = tmp_path / "export.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + excel_text(labelled_frame(source), "\t").encode("utf-16-le"))
    with pytest.raises(ValueError, match=r"export.txt starts with a UTF-16 little-endian byte-order mark, but the "
                                         r"mapping file states encoding 'cp1252'; remove `encoding`"):
        load_survey(path, mapping=labelled_mapping(tmp_path, encoding="cp1252"))


def test_ragged_rows_are_reported_in_utf16_files_too(tmp_path, source):
    lines = excel_text(archive_frame(source), "\t").split("\r\n")
    lines[6] = lines[6].rsplit("\t", 1)[0]  # file line 7 loses its last field
    path = tmp_path / "export.txt"
    path.write_bytes(codecs.BOM_UTF16_LE + "\r\n".join(lines).encode("utf-16-le"))
    width = len(CODEBOOK.columns)
    with pytest.raises(ValueError, match=rf"export.txt: 1 record\(s\) do not have the header's {width} fields: "
                                         rf"line 7 \({width - 1} fields\)"):
        load_survey(path, mapping=write_mapping(tmp_path))


def test_semicolons_with_decimal_points_are_refused(tmp_path, source):
    path = tmp_path / "export.csv"
    path.write_text(excel_text(archive_frame(source), ";"), encoding="utf-8")
    with pytest.raises(ValueError, match=r"export.csv is semicolon-delimited, as European Excel writes 'CSV', where the "
                                         r"decimal mark is a comma, but 40 field\(s\) hold a decimal point: "):
        load_survey(path, mapping=write_mapping(tmp_path))


@pytest.mark.parametrize("name, sep, found", [("export.txt", ",", "28 commas"), ("export.tsv", ";", "28 semicolons"),
                                              ("export.csv", "|", "")])
def test_a_header_without_the_formats_delimiter_is_refused(tmp_path, source, name, sep, found):
    path = tmp_path / name
    path.write_text(excel_text(archive_frame(source), sep), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{name}: its header line has no (tabs|commas), the delimiter of a "
                                         rf"(tab-delimited|csv) file{', but ' + found if found else ''}; save it as"):
        load_survey(path, mapping=write_mapping(tmp_path))


@pytest.mark.parametrize("name, start, what", [
    ("survey.xlsx", b"PK\x03\x04", "an Excel workbook"), ("survey.xls", b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook"),
    ("survey.ods", b"PK\x03\x04", "an OpenDocument spreadsheet"),
    ("survey.csv", b"PK\x03\x04", r"a zip archive \(an Excel .xlsx or OpenDocument workbook\), not csv text"),
    ("survey.txt", b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook, not tab-delimited text"),
], ids=["xlsx", "xls", "ods", "xlsx-renamed-csv", "xls-renamed-txt"])
def test_spreadsheet_workbooks_are_refused_with_how_to_export_them(tmp_path, name, start, what):
    path = tmp_path / name
    path.write_bytes(start + b"\x00" * 100)
    with pytest.raises(ValueError, match=rf"{name} is {what}, which the loader does not read .* "
                                         r"'CSV UTF-8 \(Comma delimited\) \(\*\.csv\)' or 'Unicode Text \(\*\.txt\)'"):
        load_survey(path)


def test_an_encoding_is_refused_for_a_file_that_records_its_own(tmp_path, source):
    path = write(archive_frame(source), tmp_path / "archive.sav")
    with pytest.raises(ValueError, match=r"states encoding 'cp1252', which is for text files \(\.csv, \.tab, \.tsv, "
                                         r"\.txt\); archive.sav is a SPSS file, which records its own encoding"):
        load_survey(path, mapping=write_mapping(tmp_path, encoding="cp1252"))
