"""Load the respondent file, synthetic or archived, into codebook terms, validated.

One entry point, :func:`load_survey`. Which file: the ``path`` argument, else the environment
variable ``SOCIAL_LICENCE_DATA``, else the shipped synthetic file. How its columns map to codebook
names: the ``mapping`` argument (a YAML file, see ``data/mapping_template.yml``), else
``SOCIAL_LICENCE_MAPPING`` (for a file other than the synthetic one), else identity. Formats by
extension: ``.csv``, ``.tab``/``.tsv`` (tab-delimited), ``.sav`` (SPSS) and ``.dta`` (Stata) via
pyreadstat, ``.parquet``.

The file is only read, never written. Every problem raises ``ValueError`` naming the variable, the
offending values with their counts and the number of rows affected; nothing is dropped or coerced
silently. Rows are left out only by an ``exclude`` rule of the mapping, and every such row is listed
in :attr:`SurveyData.excluded` with its reason.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.paths import SYNTHETIC_PATH

DATA_ENV = "SOCIAL_LICENCE_DATA"
MAPPING_ENV = "SOCIAL_LICENCE_MAPPING"
FORMATS = {".csv": "csv", ".tab": "tab-delimited", ".tsv": "tab-delimited", ".sav": "SPSS",
           ".dta": "Stata", ".parquet": "Parquet"}
MAPPING_KEYS = ("variables", "recode", "ignore", "exclude")
SYNTHETIC_LABEL = "Synthetic data reconstructed from the published figures (not the survey's responses)"


@dataclass(frozen=True)
class DataSource:
    """Where the data came from: ``kind`` is "synthetic" or "archived"; ``label`` is for captions."""

    kind: str
    path: Path
    label: str
    mapping: Path | None


@dataclass(frozen=True)
class SurveyData:
    """A validated respondent file.

    ``data``: one row per respondent, codebook columns (id, weight, demographics, items) with
    integer codes, plus one boolean column per codebook subgroup. ``excluded``: rows left out by
    the mapping's ``exclude`` rules (columns ``row`` -- 0-based position in the file --, ``id``,
    ``reason``); empty when none were.
    """

    data: pd.DataFrame
    source: DataSource
    excluded: pd.DataFrame


@dataclass(frozen=True)
class Mapping:
    """How a file's columns become codebook variables (see ``data/mapping_template.yml``).

    ``variables``: codebook name -> file column (unlisted names map to themselves). ``recode``:
    codebook name -> {file value: codebook code} (key ``null`` for blank cells). ``ignore``:
    patterns (``fnmatch``) of file columns to leave out. ``exclude``: rules
    ``{column, values, reason}`` dropping rows whose file ``column`` takes one of ``values``.
    """

    variables: dict
    recode: dict
    ignore: tuple[str, ...]
    exclude: tuple[dict, ...]


IDENTITY = Mapping({}, {}, (), ())


def describe_values(values: pd.Series, limit: int = 5) -> str:
    """'7 (x3), 'abc' (x1), ...' for the distinct offending values of a column, most frequent first."""
    counts = values.value_counts(dropna=False)
    shown = [f"{'blank' if pd.isna(v) else repr(v)} (x{c})" for v, c in counts.head(limit).items()]
    more = f", ... ({len(counts)} distinct)" if len(counts) > limit else ""
    return ", ".join(shown) + more


def load_mapping(path: str | Path, codebook: Codebook) -> Mapping:
    """Read and check a mapping YAML file against the codebook."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read mapping file {path}: {error}") from error
    if not isinstance(raw, dict) or set(raw) - set(MAPPING_KEYS):
        raise ValueError(f"mapping file {path}: top-level keys must be among {MAPPING_KEYS}; "
                         f"found {sorted(raw) if isinstance(raw, dict) else type(raw).__name__}")
    variables = raw.get("variables") or {}
    recode = raw.get("recode") or {}
    for section, names in (("variables", variables), ("recode", recode)):
        unknown = sorted(set(names) - set(codebook.columns))
        if unknown:
            raise ValueError(f"mapping file {path}: {section} names {unknown} are not codebook variables")
    if not all(isinstance(v, str) for v in variables.values()):
        raise ValueError(f"mapping file {path}: every entry under variables must be a column name")
    if not all(isinstance(v, dict) for v in recode.values()):
        raise ValueError(f"mapping file {path}: every entry under recode must map file values to codes")
    for rule in raw.get("exclude") or []:
        if not isinstance(rule, dict) or set(rule) != {"column", "values", "reason"}:
            raise ValueError(f"mapping file {path}: each exclude rule needs exactly column, values, reason; got {rule!r}")
    return Mapping(dict(variables), dict(recode), tuple(str(p) for p in raw.get("ignore") or ()),
                   tuple(raw.get("exclude") or ()))


def read_table(path: Path) -> pd.DataFrame:
    """Read a file by its extension; unsupported or unreadable files raise ValueError."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        raise ValueError(f"unsupported file type {path.suffix!r} for {path}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise ValueError(f"data file {path} not found (set by argument or {DATA_ENV})")
    if path.stat().st_size == 0:
        raise ValueError(f"data file {path} is empty (0 bytes, 0 rows)")
    try:
        if kind == "csv":
            return pd.read_csv(path)
        if kind == "tab-delimited":
            return pd.read_csv(path, sep="\t")
        if kind == "Parquet":
            return pd.read_parquet(path)
        # user_missing=True keeps codes declared missing in the file (e.g. 8 "don't know") as
        # their values instead of turning them into blanks, so the codebook's missing codes apply.
        reader = pyreadstat.read_sav if kind == "SPSS" else pyreadstat.read_dta
        return reader(str(path), user_missing=True)[0]
    except Exception as error:  # any reader failure is a bad input file
        raise ValueError(f"cannot read {path} as a {kind} file: {error}") from error


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
    """Weights must be numbers greater than zero in every row."""
    numeric = pd.to_numeric(weights, errors="coerce")
    bad = numeric.isna() | ~(numeric > 0)
    if bad.any():
        raise ValueError(f"weight variable (file column {column!r}): values that are missing, not numbers, "
                         f"negative or zero: {describe_values(weights[bad])}; {int(bad.sum())} of "
                         f"{len(weights)} rows. Every respondent needs a positive weight.")
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


def _recode(data: pd.DataFrame, mapping: Mapping) -> pd.DataFrame:
    """Apply the mapping's recodes: listed values are replaced, blank cells take the ``null`` key's code.

    Values are matched as numbers where they read as numbers (a text column "10" matches key 10).
    """
    for name, table in mapping.recode.items():
        numeric = pd.to_numeric(data[name], errors="coerce")
        column = numeric.astype(object).where(numeric.notna(), data[name].astype(object))
        if None in table:
            column = column.where(column.notna(), table[None])
        data[name] = column.map(lambda v: table.get(v, v))
    return data


def resolve_paths(path: str | Path | None, mapping: str | Path | None) -> tuple[Path, Path | None]:
    """The data file and mapping file to use, following argument > environment > default."""
    data_path = Path(path or os.environ.get(DATA_ENV) or SYNTHETIC_PATH)
    if mapping is None and data_path.resolve() != SYNTHETIC_PATH.resolve():
        mapping = os.environ.get(MAPPING_ENV) or None
    return data_path, Path(mapping) if mapping else None


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
    table = read_table(data_path)
    if table.empty:
        raise ValueError(f"data file {data_path} has no rows")
    columns = _select_columns(table, rules, codebook, data_path)
    table, excluded = _exclude(table, rules, columns[codebook.id_variable], data_path)
    if table.empty:
        raise ValueError(f"data file {data_path}: every one of its {len(excluded)} rows was excluded")
    data = table[list(columns.values())].set_axis(list(columns), axis=1)
    data = _recode(data, rules)
    data[codebook.id_variable] = _check_id(data[codebook.id_variable], columns[codebook.id_variable])
    data[codebook.weight_variable] = _check_weight(data[codebook.weight_variable], columns[codebook.weight_variable])
    data = _check_codes(data, columns, codebook)
    data = data.join(codebook.subgroup_indicators(data))

    synthetic = data_path.resolve() == SYNTHETIC_PATH.resolve()
    source = DataSource(kind="synthetic" if synthetic else "archived", path=data_path,
                        label=SYNTHETIC_LABEL if synthetic else f"Archived survey file {data_path.name}",
                        mapping=mapping_path)
    return SurveyData(data=data, source=source, excluded=excluded)
