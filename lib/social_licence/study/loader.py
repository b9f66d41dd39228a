"""Load the respondent file, synthetic or archived, into codebook terms, validated.

One entry point, :func:`load_survey`. Which file: the ``path`` argument, else the environment
variable ``SOCIAL_LICENCE_DATA``, else the shipped synthetic file. How its columns map to codebook
names: the ``mapping`` argument (a YAML file, see ``data/mapping_template.yml`` and
:mod:`social_licence.study.mapping`), else ``SOCIAL_LICENCE_MAPPING`` (for a file other than the
synthetic one), else identity. A relative path, given either way, is relative to the repository
root (:func:`social_licence.study.paths.project_path`), so the same path works from ``make book``,
``make lab`` and a notebook opened by hand, whose working folder is ``chapters/``. Formats by
extension: ``.csv``, ``.tab``/``.tsv`` (tab-delimited), ``.sav`` (SPSS) and ``.dta`` (Stata) via
pyreadstat, ``.parquet``.

The file is only read, never written. Every problem raises ``ValueError`` naming the variable, the
offending values with their counts and the number of rows affected; nothing is dropped or coerced
silently. Rows are left out only by an ``exclude`` rule of the mapping, and every such row is listed
in :attr:`SurveyData.excluded` with its reason.
"""
from __future__ import annotations

import csv
import os
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
FORMATS = {".csv": "csv", ".tab": "tab-delimited", ".tsv": "tab-delimited", ".sav": "SPSS",
           ".dta": "Stata", ".parquet": "Parquet"}
DELIMITERS = {"csv": ",", "tab-delimited": "\t"}
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


def _ragged_lines(path: Path, delimiter: str) -> str:
    """'line 5 (30 fields), line 9 (29 fields)' for records whose field count differs from the header's.

    pandas fills a short record with blanks, which would surface later only as missing values
    or duplicated ids; checked here with the csv module, so quoted fields with line breaks count
    as one record. Line numbers are those of the file (the header is line 1).
    """
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        width = len(next(reader, []))
        bad = [(reader.line_num, len(record)) for record in reader if record and len(record) != width]
    if not bad:
        return ""
    shown = ", ".join(f"line {line} ({fields} fields)" for line, fields in bad[:10])
    more = f", ... ({len(bad)} records)" if len(bad) > 10 else ""
    return f"{len(bad)} record(s) do not have the header's {width} fields: {shown}{more}"


def read_table(path: Path) -> tuple[pd.DataFrame, dict]:
    """Read a file by its extension: (table, value labels by column). Any failure raises ValueError.

    Value labels come from SPSS and Stata files (pyreadstat); other formats have none.
    """
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"unsupported file type {path.suffix!r} for {path.name}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ValueError(f"data file {shown_path(path)} not found (set by argument or {DATA_ENV}; "
                         f"a relative path is relative to the repository root)")
    if path.stat().st_size == 0:
        raise ValueError(f"data file {path.name} is empty (0 bytes, 0 rows)")
    try:
        if kind in DELIMITERS:
            ragged = _ragged_lines(path, DELIMITERS[kind])
            if ragged:
                raise ValueError(ragged)
            return pd.read_csv(path, sep=DELIMITERS[kind]), {}
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
    table, labels = read_table(data_path)
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
