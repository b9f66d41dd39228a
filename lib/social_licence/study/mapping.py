"""How an archived file's columns and codes become codebook variables: the mapping file, checked.

A mapping (YAML; see ``data/mapping_template.yml``) names the file column of each codebook variable,
recodes the file's values into codebook codes, lists file columns to ignore and rows to exclude. It
is the one place where an archived file can be misread, so this module refuses anything ambiguous:

* **Recodes cover every value.** A recode table must account for every value present in its file
  column: each value is either recoded (``{file value: codebook code}``) or listed under the
  reserved key ``keep`` (kept as it is). A forgotten code is a ``ValueError`` naming the variable,
  the file column, the uncovered values and their row counts, never a silently kept answer (a
  reversed five-point scale missing one code would otherwise turn "strongly agree" into
  "strongly disagree").
* **Labels are audited.** Where the file carries value labels (SPSS ``.sav``, Stata ``.dta``),
  :func:`recoding_audit` lists, for every coded variable, each file value present with its file
  label, the codebook code it becomes, that code's codebook label and the row count. The build
  shows the table in the appendix and writes it beside the book.
* **Reversals are caught by a simple rule** (:func:`label_polarity`). Each answer label of a
  survey question is read as positive ("yes", "agree", "acceptable", "trust"), negative ("no",
  "not", or a word beginning "dis" or "un": "disagree", "unacceptable", "distrust") or neither
  (a label with "neither", "don't know", anything else); a negative word wins over a positive one
  ("not acceptable" is negative). A file label of one polarity mapped to
  a codebook label of the other is an error, unless the variable is listed under
  ``accept_label_conflicts``. Exact wording is not compared: archives word their labels
  differently ("Neither" against "Neither agree nor disagree").

Text encoding. A text file (``.csv``, ``.tab``, ``.tsv``, ``.txt``) is read by its byte-order mark,
else as UTF-8; the optional key ``encoding`` names the encoding of one without a mark that is not
UTF-8 (e.g. ``cp1252``, what Excel on Windows saves as "CSV"). It must be a text encoding Python
knows, and only a text file may have one (see :mod:`social_licence.study.loader`).

Missing values in the file. SPSS user-missing codes (e.g. -1 "don't know", -9 "refused") are read
as their values (pyreadstat ``user_missing=True``), so the recode maps them to the codebook's
missing codes (8 and 9). Stata extended missings ``.a`` ... ``.z`` are read as the letters
``"a"`` ... ``"z"`` and are recoded the same way (``a: 8``). A blank cell (system-missing) is
recoded with the key ``null``; without one it is an error when the loader checks the codes.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from social_licence.study.codebook import Codebook

MAPPING_KEYS = ("variables", "recode", "ignore", "exclude", "accept_label_conflicts", "encoding")
#: the reserved key of a recode table listing file values that are kept as they are
KEEP = "keep"
#: columns of :func:`recoding_audit`
AUDIT_COLUMNS = ("variable", "file_column", "file_value", "file_label", "code", "codebook_label", "rows")

_WORDS = re.compile(r"[a-z']+")
_POSITIVE = {"yes", "agree", "acceptable", "trust"}


@dataclass(frozen=True)
class Recode:
    """One variable's recode: ``table`` maps file values to codes, ``keep`` lists values kept as
    they are, ``blank`` is the code for blank cells (the YAML key ``null``), or None."""

    table: dict
    keep: tuple
    blank: int | None


@dataclass(frozen=True)
class Mapping:
    """A checked mapping file.

    ``variables``: codebook name -> file column (unlisted names map to themselves). ``recode``:
    codebook name -> :class:`Recode`. ``ignore``: ``fnmatch`` patterns of file columns to leave
    out. ``exclude``: rules ``{column, values, reason}`` dropping rows whose file ``column`` takes
    one of ``values``. ``accept_label_conflicts``: codebook variables whose label polarity
    conflicts are accepted as intended. ``encoding``: the text encoding of a delimited file
    without a byte-order mark, or None (UTF-8).
    """

    variables: dict
    recode: dict
    ignore: tuple[str, ...]
    exclude: tuple[dict, ...]
    accept_label_conflicts: tuple[str, ...]
    encoding: str | None = None


IDENTITY = Mapping({}, {}, (), (), ())


def describe_values(values: pd.Series, limit: int = 5) -> str:
    """'7 (x3), 'abc' (x1), ...' for the distinct offending values of a column, most frequent first."""
    counts = values.value_counts(dropna=False)
    shown = [f"{'blank' if pd.isna(v) else repr(as_number(v))} (x{c})" for v, c in counts.head(limit).items()]
    more = f", ... ({len(counts)} distinct)" if len(counts) > limit else ""
    return ", ".join(shown) + more


def as_number(value):
    """A file value as a plain int where it is a whole number (1.0 -> 1), else unchanged."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _recode(name: str, raw, path) -> Recode:
    if not isinstance(raw, dict):
        raise ValueError(f"mapping file {path}: recode for {name!r} must map file values to codes; got {raw!r}")
    table = {key: code for key, code in raw.items() if key not in (KEEP, None)}
    keep = raw.get(KEEP) or []
    if not isinstance(keep, list):
        raise ValueError(f"mapping file {path}: recode for {name!r}: `{KEEP}` must list file values; got {keep!r}")
    both = sorted(set(table) & set(keep), key=str)
    if both:
        raise ValueError(f"mapping file {path}: recode for {name!r} both recodes and keeps value(s) {both}")
    return Recode(table, tuple(keep), raw.get(None))


def load_mapping(path: str | Path, codebook: Codebook) -> Mapping:
    """Read and check a mapping YAML file against the codebook; any problem is a ``ValueError``."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read mapping file {path}: {error}") from error
    if not isinstance(raw, dict) or set(raw) - set(MAPPING_KEYS):
        raise ValueError(f"mapping file {path}: top-level keys must be among {MAPPING_KEYS}; "
                         f"found {sorted(raw) if isinstance(raw, dict) else type(raw).__name__}")
    variables = raw.get("variables") or {}
    recode = raw.get("recode") or {}
    accepted = raw.get("accept_label_conflicts") or []
    for section, names in (("variables", variables), ("recode", recode), ("accept_label_conflicts", accepted)):
        unknown = sorted(set(names) - set(codebook.columns))
        if unknown:
            raise ValueError(f"mapping file {path}: {section} names {unknown} are not codebook variables")
    if not all(isinstance(v, str) for v in variables.values()):
        raise ValueError(f"mapping file {path}: every entry under variables must be a column name")
    for rule in raw.get("exclude") or []:
        if not isinstance(rule, dict) or set(rule) != {"column", "values", "reason"}:
            raise ValueError(f"mapping file {path}: each exclude rule needs exactly column, values, reason; got {rule!r}")
    return Mapping(dict(variables), {name: _recode(name, table, path) for name, table in recode.items()},
                   tuple(str(p) for p in raw.get("ignore") or ()), tuple(raw.get("exclude") or ()),
                   tuple(accepted), _encoding(raw.get("encoding"), path))


def _encoding(name, path) -> str | None:
    """The mapping's ``encoding``: None, or the name of a text encoding Python knows."""
    if name is None:
        return None
    try:
        if not isinstance(name, str):
            raise LookupError(name)
        "a".encode(name)  # refuses codecs that are not text encodings (e.g. 'rot13', 'base64')
    except LookupError:
        raise ValueError(f"mapping file {path}: encoding {name!r} is not a text encoding Python knows; "
                         f"use a name such as cp1252, latin-1, mac-roman or utf-16-le") from None
    return name


def file_values(column: pd.Series) -> pd.Series:
    """A file column's values, numbers read as numbers (a text "10" matches recode key 10)."""
    numeric = pd.to_numeric(column, errors="coerce")
    return numeric.astype(object).where(numeric.notna(), column.astype(object))


def apply_recodes(data: pd.DataFrame, mapping: Mapping, file_columns: dict) -> pd.DataFrame:
    """Recode ``data`` (codebook-named columns holding file values) as the mapping says.

    Every value present in a recoded column must be recoded or kept; otherwise ``ValueError``
    naming each such variable, its file column, the uncovered values and their row counts.
    """
    problems = []
    for name, recode in mapping.recode.items():
        values = file_values(data[name])
        blank = values.isna()
        covered = values.isin([*recode.table, *recode.keep]) | blank
        if not covered.all():
            problems.append(f"{name!r} (file column {file_columns[name]!r}): {describe_values(values[~covered])} "
                            f"of {len(values)} rows")
            continue
        recoded = values.map(lambda v: recode.table.get(v, v))
        data[name] = recoded.where(~blank, recode.blank) if recode.blank is not None else recoded
    if problems:
        raise ValueError("recode tables must cover every value in their column (recode it, or list it under "
                         f"`{KEEP}` to keep it as it is); values not covered:\n  " + "\n  ".join(problems))
    return data


def label_polarity(label: str) -> int:
    """+1 for a label naming a positive answer, -1 a negative one, 0 neither (the rule above)."""
    words = _WORDS.findall(str(label).lower())
    if "neither" in words:
        return 0
    if any(w in ("no", "not") or w.startswith(("dis", "un")) for w in words):
        return -1
    return 1 if any(w in _POSITIVE for w in words) else 0


def recoding_audit(raw: pd.DataFrame, recoded: pd.DataFrame, labels: dict, mapping: Mapping,
                   file_columns: dict, codebook: Codebook) -> pd.DataFrame:
    """Every coded variable that the file labels or the mapping recodes: file value -> codebook code.

    ``raw`` holds the file's values and ``recoded`` the codebook codes (both codebook-named,
    same rows); ``labels`` the file's value labels by file column. One row per variable and file
    value present (:data:`AUDIT_COLUMNS`), blank cells as value ``None``.
    """
    rows = []
    for name in (*codebook.demographics, *codebook.items):
        column = file_columns[name]
        file_labels = labels.get(column, {})
        if not file_labels and name not in mapping.recode:
            continue
        names = codebook.labels(name)
        pairs = pd.DataFrame({"file_value": file_values(raw[name]), "code": recoded[name]})
        counts = pairs.groupby(["file_value", "code"], dropna=False, sort=True).size()
        for (value, code), count in counts.items():
            value = None if pd.isna(value) else as_number(value)
            code = None if pd.isna(code) else as_number(code)
            rows.append({"variable": name, "file_column": column, "file_value": value,
                         "file_label": file_labels.get(value, "") if value is not None else "",
                         "code": code, "codebook_label": names.get(code, ""), "rows": int(count)})
    return pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))


def check_label_conflicts(audit: pd.DataFrame, mapping: Mapping, codebook: Codebook) -> None:
    """Refuse a survey question whose file label and codebook label have opposite polarity.

    Only questions are checked (demographic labels carry no answer direction); variables listed
    under ``accept_label_conflicts`` are skipped.
    """
    conflicts = []
    for row in audit.itertuples(index=False):
        if row.variable not in codebook.items or row.variable in mapping.accept_label_conflicts:
            continue
        file_side, codebook_side = label_polarity(row.file_label), label_polarity(row.codebook_label)
        if file_side and codebook_side and file_side != codebook_side:
            conflicts.append(f"{row.variable!r} (file column {row.file_column!r}): file value {row.file_value!r} "
                             f"\"{row.file_label}\" becomes code {row.code!r} \"{row.codebook_label}\" "
                             f"({row.rows} rows)")
    if conflicts:
        raise ValueError("recodes that turn an answer into its opposite (by the labels' wording); fix the recode, "
                         "or list the variable under `accept_label_conflicts` if it is intended:\n  "
                         + "\n  ".join(conflicts))
