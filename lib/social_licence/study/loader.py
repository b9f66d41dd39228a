"""Load the respondent file, synthetic or archived, into codebook terms, validated.

One entry point, :func:`load_survey`. Which file: the ``path`` argument, else the environment
variable ``SOCIAL_LICENCE_DATA``, else the shipped synthetic file. How its columns map to codebook
names: the ``mapping`` argument (a YAML file, see ``data/mapping_template.yml`` and
:mod:`social_licence.study.mapping`), else ``SOCIAL_LICENCE_MAPPING`` (for a file other than the
synthetic one), else identity. A relative path, given either way, is relative to the repository
root (:func:`social_licence.study.paths.project_path`), so the same path works from ``make book``,
``make lab`` and a notebook opened by hand, whose working folder is ``chapters/``. Formats by
extension: ``.csv``, ``.tab``/``.tsv``/``.txt`` (tab-delimited), ``.sav`` (SPSS) and ``.dta`` (Stata)
via pyreadstat, ``.parquet``.

Text files as spreadsheet programs and archives write them load to the same data as a UTF-8 file,
or are refused with a message naming the encoding or format found and what to do:

* the encoding: a byte-order mark says it (UTF-8 with BOM, Excel's "CSV UTF-8"; UTF-16 little- or
  big-endian, Excel's "Unicode Text", tab-delimited ``.txt``; UTF-32). Without one the file must
  be UTF-8, unless the mapping states ``encoding:`` (e.g. ``cp1252``, what Excel on Windows saves
  as "CSV"); a file that is not is refused, naming its likely encoding (Windows-1252 / Latin-1,
  or UTF-16 without a byte-order mark). Nothing is guessed silently.
* the delimiter: a ``.csv`` whose header line has semicolons and no commas is read as European
  Excel writes "CSV", semicolon-delimited with decimal commas (a number with a decimal point in
  such a file is refused); any other header without the expected delimiter is refused.
* spreadsheet workbooks (``.xlsx``, ``.xls``, ``.ods``, or a workbook renamed ``.csv``) are refused
  with how to export them: the project installs no spreadsheet reader.

The file is only read, never written. Every problem raises ``ValueError`` naming the variable, the
offending values with their counts and the number of rows affected; nothing is dropped or coerced
silently. Rows are left out only by an ``exclude`` rule of the mapping, and every such row is listed
in :attr:`SurveyData.excluded` with its reason.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.mapping import (
    IDENTITY,
    Mapping,
    apply_recodes,
    check_label_conflicts,
    describe_values,
    load_mapping,
    recoding_audit,
)
from social_licence.study.paths import (
    SYNTHETIC_DIR,
    SYNTHETIC_PATH,
    project_path,
    shown_path,
)

DATA_ENV = "SOCIAL_LICENCE_DATA"
MAPPING_ENV = "SOCIAL_LICENCE_MAPPING"
FORMATS = {".csv": "csv", ".tab": "tab-delimited", ".tsv": "tab-delimited", ".txt": "tab-delimited",
           ".sav": "SPSS", ".dta": "Stata", ".parquet": "Parquet"}
DELIMITERS = {"csv": ",", "tab-delimited": "\t"}
#: spreadsheet workbooks by extension, and the first bytes of a workbook under another name
SPREADSHEETS = {".xlsx": "an Excel workbook", ".xlsm": "an Excel workbook", ".xls": "an Excel 97-2003 workbook",
                ".ods": "an OpenDocument spreadsheet"}
WORKBOOK_SIGNATURES = {b"PK\x03\x04": "a zip archive (an Excel .xlsx or OpenDocument workbook)",
                       b"\xd0\xcf\x11\xe0": "an Excel 97-2003 workbook"}
#: byte-order marks, longest first (a UTF-32 little-endian mark begins with the UTF-16 one): the codec
#: that reads the file (and drops the mark) and the encoding's name
BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32", "UTF-32"), (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
                    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"), (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 little-endian"),
                    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 big-endian"))
_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs"}
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")
SYNTHETIC_LABEL = "Synthetic data reconstructed from the published figures (not the survey's responses)"


@dataclass(frozen=True)
class DataSource:
    """Where the data came from: ``kind`` is "synthetic" or "archived"; ``label`` is for captions.

    ``shown_path`` and ``shown_mapping`` are the file names as a reader may see them: relative to
    the repository when the files sit inside it, else the bare file name (never a home folder).
    """

    kind: str
    path: Path
    label: str
    mapping: Path | None

    @property
    def shown_path(self) -> str:
        return shown_path(self.path)

    @property
    def shown_mapping(self) -> str | None:
        return None if self.mapping is None else shown_path(self.mapping)


@dataclass(frozen=True)
class SurveyData:
    """A validated respondent file.

    ``data``: one row per respondent, codebook columns (id, weight, demographics, items) with
    integer codes, plus one boolean column per codebook subgroup. ``excluded``: rows left out by
    the mapping's ``exclude`` rules (columns ``row`` -- 0-based position in the file --, ``id``,
    ``reason``); empty when none were. ``recoding``: :func:`social_licence.study.mapping.recoding_audit`
    of every coded variable the file labels or the mapping recodes (empty for the synthetic file).
    """

    data: pd.DataFrame
    source: DataSource
    excluded: pd.DataFrame
    recoding: pd.DataFrame


def _ragged_lines(text: str, delimiter: str) -> str:
    """'line 5 (30 fields), line 9 (29 fields)' for records whose field count differs from the header's.

    pandas fills a short record with blanks, which would surface later only as missing values
    or duplicated ids; checked here with the csv module, so quoted fields with line breaks count
    as one record. Line numbers are those of the file (the header is line 1).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    width = len(next(reader, []))
    bad = [(reader.line_num, len(record)) for record in reader if record and len(record) != width]
    if not bad:
        return ""
    shown = ", ".join(f"line {line} ({fields} fields)" for line, fields in bad[:10])
    more = f", ... ({len(bad)} records)" if len(bad) > 10 else ""
    return f"{len(bad)} record(s) do not have the header's {width} fields: {shown}{more}"


def _spreadsheet_advice(name: str, what: str) -> str:
    """The refusal of a spreadsheet workbook, with how to export it as text."""
    return (f"{name} is {what}, which the loader does not read (the project installs no spreadsheet reader). "
            f"Export it from the spreadsheet program as text: File > Save As > 'CSV UTF-8 (Comma delimited) (*.csv)' "
            f"or 'Unicode Text (*.txt)'; or use the archive's SPSS (.sav) or Stata (.dta) file")


def _line_of(data: bytes, offset: int, codec: str) -> int:
    """The line (from 1) of the byte at ``offset`` in a file read with ``codec``."""
    return data[:offset].decode(codec, errors="replace").count("\n") + 1


def _likely_encoding(data: bytes) -> tuple[str, str]:
    """(name, codec) of the 8-bit encoding a non-UTF-8 text file most likely has."""
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "Latin-1 (ISO-8859-1) or another 8-bit encoding", "latin-1"
    return ("Windows-1252 (what Excel on Windows saves as 'CSV'), or Latin-1 (ISO-8859-1), which it extends",
            "cp1252")


def _utf16_without_mark(data: bytes) -> str:
    """The UTF-16 codec of text without a byte-order mark: ASCII characters put their zero byte
    second in little-endian, first in big-endian."""
    return "utf-16-le" if data[1::2].count(0) > data[0::2].count(0) else "utf-16-be"


def _unicode_family(codec: str) -> str:
    """'utf-8', 'utf-16' or 'utf-32' for a Unicode codec, whatever its byte order or mark; else its name."""
    name = codecs.lookup(codec).name
    return next((family for family in ("utf-8", "utf-16", "utf-32") if name.startswith(family)), name)


def _invalid(line: bytes, codec: str) -> bool:
    """Does ``line`` hold bytes that ``codec`` cannot read?"""
    try:
        line.decode(codec)
    except UnicodeDecodeError:
        return True
    return False


def _decode_text(data: bytes, name: str, encoding: str | None) -> str:
    """The text of a delimited file, by its byte-order mark, else the mapping's ``encoding``, else UTF-8.

    Anything else raises ``ValueError`` naming the encoding found or likely and what to do: a
    byte-order mark contradicting the stated encoding, bytes invalid in the encoding used, a file
    without a mark that is not UTF-8 (its likely encoding named: UTF-16 when it holds zero bytes,
    else Windows-1252 / Latin-1).
    """
    mark = next((m for m in BYTE_ORDER_MARKS if data.startswith(m[0])), None)
    if mark and encoding and _unicode_family(encoding) != _unicode_family(mark[1]):
        raise ValueError(f"{name} starts with a {mark[2]} byte-order mark, but the mapping file states "
                         f"encoding {encoding!r}; remove `encoding` from the mapping (the mark says how the file is encoded)")
    advice = ("save it again from the spreadsheet program as 'CSV UTF-8 (Comma delimited)' or 'Unicode Text', "
              "or state the file's encoding in the mapping file")
    if not mark and not encoding and 0 in data:
        raise ValueError(f"{name} holds {data.count(0)} zero bytes, which UTF-8 text never has: it looks like UTF-16 "
                         f"text without a byte-order mark; {advice} (e.g. `encoding: {_utf16_without_mark(data)}`)")
    if mark:
        codec, label = mark[1], mark[2]
    else:
        codec, label = encoding or "utf-8", encoding or "UTF-8"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as error:
        lines = sum(1 for line in data.splitlines() if _invalid(line, codec))
        where = f"byte 0x{data[error.start]:02X} on line {_line_of(data, error.start, codec)} ({lines} line(s) in all)"
        if mark or encoding:
            raise ValueError(f"{name} is not valid {label} text: {where}; {advice}") from None
        likely, likely_codec = _likely_encoding(data)
        snippet = data[max(0, error.start - 15):error.start + 15].decode(likely_codec, errors="replace")
        raise ValueError(f"{name} is not UTF-8 text: {where}, which reads {snippet!r} as {likely_codec}. "
                         f"It is probably {likely}: {advice} (e.g. `encoding: {likely_codec}`)") from None
    return text


def _delimiter(text: str, kind: str, name: str) -> str:
    """The file's delimiter: the format's, or ';' for a .csv whose header has semicolons and no commas."""
    header = text.split("\n", 1)[0]
    expected = DELIMITERS[kind]
    if expected in header:
        return expected
    if kind == "csv" and ";" in header:
        return ";"
    found = [f"{header.count(d)} {word}" for d, word in _DELIMITER_NAMES.items() if d in header]
    raise ValueError(f"{name}: its header line has no {_DELIMITER_NAMES[expected]}, the delimiter of a {kind} file"
                     + (f", but {' and '.join(found)}" if found else "")
                     + "; save it as comma-delimited .csv or tab-delimited .tab/.tsv/.txt and name it so")


def _decimal_mark(text: str, delimiter: str, name: str) -> str:
    """',' for a semicolon-delimited file (European Excel's 'CSV'), whose numbers then may not hold points."""
    if delimiter != ";":
        return "."
    points = [field for record in csv.reader(io.StringIO(text, newline=""), delimiter=";")
              for field in record if _POINT_DECIMAL.fullmatch(field)]
    if points:
        shown = describe_values(pd.Series(points))
        raise ValueError(f"{name} is semicolon-delimited, as European Excel writes 'CSV', where the decimal mark "
                         f"is a comma, but {len(points)} field(s) hold a decimal point: {shown}. Save it with one "
                         f"decimal mark: as 'CSV UTF-8 (Comma delimited)' with points, or with commas throughout")
    return ","


def _read_delimited(path: Path, kind: str, encoding: str | None) -> pd.DataFrame:
    """Read a delimited text file (see the module docstring for the encodings and delimiters handled)."""
    data = path.read_bytes()
    signature = next((what for start, what in WORKBOOK_SIGNATURES.items() if data.startswith(start)), None)
    if signature:
        raise ValueError(_spreadsheet_advice(path.name, f"{signature}, not {kind} text"))
    text = _decode_text(data, path.name, encoding)
    delimiter = _delimiter(text, kind, path.name)
    ragged = _ragged_lines(text, delimiter)
    if ragged:
        raise ValueError(f"{path.name}: {ragged}")
    decimal = _decimal_mark(text, delimiter, path.name)
    try:
        return pd.read_csv(io.StringIO(text, newline=""), sep=delimiter, decimal=decimal)
    except Exception as error:  # any parser failure is a bad input file
        raise ValueError(f"cannot read {path.name} as a {kind} file: {error}") from error


def read_table(path: Path, encoding: str | None = None) -> tuple[pd.DataFrame, dict]:
    """Read a file by its extension: (table, value labels by column). Any failure raises ValueError.

    Value labels come from SPSS and Stata files (pyreadstat); other formats have none.
    ``encoding`` (the mapping's) is that of a text file without a byte-order mark.
    """
    suffix = path.suffix.lower()
    if suffix in SPREADSHEETS:
        raise ValueError(_spreadsheet_advice(path.name, SPREADSHEETS[suffix]))
    kind = FORMATS.get(suffix)
    if kind is None:
        raise ValueError(f"unsupported file type {path.suffix!r} for {path.name}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ValueError(f"data file {shown_path(path)} not found (set by argument or {DATA_ENV}; "
                         f"a relative path is relative to the repository root)")
    if path.stat().st_size == 0:
        raise ValueError(f"data file {path.name} is empty (0 bytes, 0 rows)")
    if encoding and kind not in DELIMITERS:
        raise ValueError(f"the mapping file states encoding {encoding!r}, which is for text files "
                         f"({', '.join(s for s, k in FORMATS.items() if k in DELIMITERS)}); {path.name} is a {kind} "
                         f"file, which records its own encoding: remove `encoding` from the mapping")
    if kind in DELIMITERS:
        return _read_delimited(path, kind, encoding), {}
    try:
        if kind == "Parquet":
            return pd.read_parquet(path), {}
        # user_missing=True keeps codes declared missing in the file (SPSS user-missing such as -1
        # "don't know", Stata .a-.z as "a"-"z") as values, so the recode can map them.
        reader = pyreadstat.read_sav if kind == "SPSS" else pyreadstat.read_dta
        table, meta = reader(str(path), user_missing=True)
        labels = {column: {_plain(v): str(label) for v, label in values.items()}
                  for column, values in meta.variable_value_labels.items()}
        return table, labels
    except Exception as error:  # any reader failure is a bad input file
        raise ValueError(f"cannot read {path.name} as a {kind} file: {error}") from error


def _plain(value):
    """A value-label key as a plain Python value (1.0 -> 1)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _select_columns(table: pd.DataFrame, mapping: Mapping, codebook: Codebook, path: Path) -> dict:
    """Codebook name -> file column; raise on missing mapped columns and on unused extra columns."""
    columns = {name: mapping.variables.get(name, name) for name in codebook.columns}
    shared = sorted({c for c in columns.values() if list(columns.values()).count(c) > 1})
    if shared:
        raise ValueError(f"{path.name}: file column(s) {shared} mapped to more than one codebook variable")
    missing = [f"{name!r} (file column {column!r})" for name, column in columns.items() if column not in table]
    if missing:
        raise ValueError(f"{path.name}: {len(missing)} codebook variable(s) not found: {', '.join(missing)}. "
                         f"The file has {len(table)} rows and columns {list(table.columns)[:15]}; "
                         f"map each variable to its column under `variables` in the mapping file.")
    used = set(columns.values()) | {rule["column"] for rule in mapping.exclude}
    extra = [c for c in table.columns
             if c not in used and not any(fnmatchcase(str(c), pattern) for pattern in mapping.ignore)]
    if extra:
        raise ValueError(f"{path.name}: {len(extra)} column(s) not mapped to the codebook: {extra[:10]} "
                         f"({len(table)} rows). Map each under `variables`, or list it (or a pattern "
                         f"such as 'q9_*') under `ignore` in the mapping file if the report does not need it.")
    return columns


def _exclude(table: pd.DataFrame, mapping: Mapping, id_column: str, path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Apply the mapping's exclude rules; return (kept rows, report of excluded rows)."""
    dropped = pd.Series("", index=table.index, dtype=object)
    for rule in mapping.exclude:
        if rule["column"] not in table:
            raise ValueError(f"{path.name}: exclude rule column {rule['column']!r} not in the file")
        hit = table[rule["column"]].isin(list(rule["values"])) & (dropped == "")
        dropped[hit] = str(rule["reason"])
    out = dropped != ""
    report = pd.DataFrame({"row": np.flatnonzero(out.to_numpy()), "id": table.loc[out, id_column].to_numpy(),
                           "reason": dropped[out].to_numpy()})
    return table.loc[~out].reset_index(drop=True), report


def _check_id(ids: pd.Series, column: str) -> pd.Series:
    """Ids must be present and unique; whole-number ids become integers."""
    if ids.isna().any():
        raise ValueError(f"id variable (file column {column!r}): {int(ids.isna().sum())} of {len(ids)} rows "
                         f"have no id")
    duplicated = ids[ids.duplicated(keep=False)]
    if len(duplicated):
        raise ValueError(f"id variable (file column {column!r}): duplicated ids {describe_values(duplicated)}; "
                         f"{len(duplicated)} of {len(ids)} rows")
    numeric = pd.to_numeric(ids, errors="coerce")
    if numeric.notna().all() and (numeric % 1 == 0).all():
        return numeric.astype(np.int64)
    return ids


def _check_weight(weights: pd.Series, column: str) -> pd.Series:
    """Weights must be finite numbers greater than zero in every row."""
    numeric = pd.to_numeric(weights, errors="coerce")
    checks = [(numeric.isna(), "missing or not numbers"), (np.isinf(numeric), "infinite"),
              (numeric <= 0, "negative or zero")]
    for bad, what in checks:
        if bad.any():
            raise ValueError(f"weight variable (file column {column!r}): values that are {what}: "
                             f"{describe_values(weights[bad])}; {int(bad.sum())} of {len(weights)} rows. "
                             f"Every respondent needs a positive, finite weight.")
    return numeric.astype(np.float64)


def _check_codes(data: pd.DataFrame, columns: dict, codebook: Codebook) -> pd.DataFrame:
    """Coded variables must hold codebook codes (answer or missing); collect every bad variable."""
    problems = []
    for name in (*codebook.demographics, *codebook.items):
        codes, missing = codebook.valid_codes(name)
        allowed = sorted({*codes, *missing})
        values = pd.to_numeric(data[name], errors="coerce")
        bad = values.isna() | ~values.isin(allowed)
        if bad.any():
            problems.append(f"{name!r} (file column {columns[name]!r}): {describe_values(data.loc[bad, name])} "
                            f"in {int(bad.sum())} of {len(data)} rows; codebook codes are {allowed}")
        else:
            data[name] = values.astype(np.int64)
    if problems:
        raise ValueError("values outside the codebook (recode them under `recode` in the mapping file; "
                         "key null for blank cells):\n  " + "\n  ".join(problems))
    return data


def resolve_paths(path: str | Path | None, mapping: str | Path | None) -> tuple[Path, Path | None]:
    """The data file and mapping file to use, following argument > environment > default.

    Relative paths are taken relative to the repository root (see the module docstring).
    """
    data_path = project_path(path or os.environ.get(DATA_ENV) or SYNTHETIC_PATH)
    if mapping is None and not is_synthetic(data_path):
        mapping = os.environ.get(MAPPING_ENV) or None
    return data_path, project_path(mapping) if mapping else None


def is_synthetic(path: Path) -> bool:
    """Is ``path`` one of the project's synthetic files (the shipped one or an ensemble member)?"""
    return Path(path).resolve().is_relative_to(SYNTHETIC_DIR.resolve())


def load_survey(path: str | Path | None = None, mapping: str | Path | None = None,
                codebook: Codebook | None = None) -> SurveyData:
    """Load, map and validate a respondent file; add subgroup indicator columns.

    ``path``: the file (default ``$SOCIAL_LICENCE_DATA``, else the shipped synthetic file).
    ``mapping``: YAML mapping file (default ``$SOCIAL_LICENCE_MAPPING`` for a file other than the
    synthetic one, else identity). Raises ValueError on any problem with either file.
    """
    codebook = codebook or load_codebook()
    data_path, mapping_path = resolve_paths(path, mapping)
    rules = load_mapping(mapping_path, codebook) if mapping_path else IDENTITY
    table, labels = read_table(data_path, rules.encoding)
    if table.empty:
        raise ValueError(f"data file {data_path.name} has no rows")
    columns = _select_columns(table, rules, codebook, data_path)
    table, excluded = _exclude(table, rules, columns[codebook.id_variable], data_path)
    if table.empty:
        raise ValueError(f"data file {data_path.name}: every one of its {len(excluded)} rows was excluded")
    raw = table[list(columns.values())].set_axis(list(columns), axis=1)
    data = apply_recodes(raw.copy(), rules, columns)
    data[codebook.id_variable] = _check_id(data[codebook.id_variable], columns[codebook.id_variable])
    data[codebook.weight_variable] = _check_weight(data[codebook.weight_variable], columns[codebook.weight_variable])
    data = _check_codes(data, columns, codebook)
    recoding = recoding_audit(raw, data, labels, rules, columns, codebook)
    check_label_conflicts(recoding, rules, codebook)
    data = data.join(codebook.subgroup_indicators(data))

    if data_path == SYNTHETIC_PATH.resolve():
        kind, label = "synthetic", SYNTHETIC_LABEL
    elif is_synthetic(data_path):
        kind, label = "synthetic", f"{SYNTHETIC_LABEL}, ensemble member {data_path.name}"
    else:
        kind, label = "archived", f"Archived survey file {data_path.name}"
    source = DataSource(kind=kind, path=data_path, label=label, mapping=mapping_path)
    return SurveyData(data=data, source=source, excluded=excluded, recoding=recoding)
