"""Statistical disclosure control for numbers computed from a respondent file: the rules, applied.

Secure settings let nothing computed from respondent records leave until an output checker has
cleared it, and checkers apply a routine set of rules (Griffiths et al. 2019, *Handbook on
Statistical Disclosure Control for Outputs*, the SDAP handbook; the rule of 10 of UK LLC and ABS
DataLab; OpenSAFELY's rounding of every count to the nearest 5). This module holds those rules as
data (:class:`DisclosureRules`, read from a YAML file by :func:`load_rules`) and applies them to
weighted survey results, which ACRO (the SACRO project's checker) does not handle:

* **Primary rules for an estimate** (:func:`check_estimates`). A weighted percentage is released
  only if its unweighted base (denominator), the respondents giving the counted answer (numerator)
  and, by default, those not giving it (the complement, base - numerator) each reach
  ``safe_threshold``; optionally its effective sample size reaches ``min_effective_n``. A
  percentage and its base reveal both counts (97% of 300 says 9 did not), so the complement is a
  numerator too (OpenSAFELY: no statistic describing few people "directly or indirectly"; the SDAP
  handbook applies the threshold to every cell of the table behind a statistic).
* **Counts** (:func:`check_counts`): suppressed below ``safe_threshold``, otherwise rounded to the
  nearest ``safe_round_base`` (halves upwards) and marked. A zero is below the threshold unless
  ``zeros_are_disclosive`` is false (ACRO's key: "none of the 40 in group G" discloses something
  about all of G).
* **Secondary suppression** (:func:`secondary_suppression`): cells bound by a total (a row of
  counts and its total, percentages of one base summing to 100) are suppressed further, smallest
  first, until no suppressed cell can be worked out from the totals and the released cells.
* **Differencing** (:func:`differencing_pairs`): two released groups, one inside the other, whose
  sizes differ by 1 to ``safe_threshold - 1`` respondents reveal that small group by subtraction.

Each released value is one row of the output checker's table (:func:`checks_table`,
:func:`write_checks`: ``checks.csv``), which :func:`write_acro_results` also writes in the results
format of ACRO's ``finalise()`` (``results.json``, ``config.json`` and ``checksums/``), which the
SACRO viewer and output checkers read. :func:`shown_value` formats a released value by its result,
so that every page shows the same symbol.

Published and derived numbers are public already and exempt: the caller passes only numbers
computed from the respondent file.

References: Griffiths E, Greci C, Kotrotsios Y, Parker S, Scott J, Welpton R, Wolters A, Woods C
(2019) Handbook on Statistical Disclosure Control for Outputs, Safe Data Access Professionals
Working Group; OpenSAFELY, "Applying statistical disclosure control" (docs.opensafely.org/sdc);
ACRO 1.0.2 (github.com/AI-SDC/ACRO: ``default.yaml``, ``record.py``); Government Analysis
Function, "Symbols in tables" (``[c]``: confidential).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .design import describe_values

#: the values of the ``result`` column: released as computed, released rounded, withheld
PASS, ROUNDED, SUPPRESSED = "pass", "rounded", "suppressed"
RESULTS = (PASS, ROUNDED, SUPPRESSED)
#: the values of the ``rule`` column: the rule that decided a value's result ("none": no rule applied)
RULES = ("none", "min_count_denominator", "min_count_numerator", "min_count_complement", "min_effective_n",
         "min_count", "rounding", "secondary", "differencing")
#: the columns of the output checker's table, in order (further columns follow them)
CHECK_COLUMNS = ("key", "page", "unweighted_base", "numerator", "rule", "result")
#: the ACRO version whose ``results.json`` format :func:`write_acro_results` follows (the SACRO
#: viewer accepts a file whose version is at least the one it supports)
ACRO_RESULTS_VERSION = "1.0.2"

_WHOLE_NUMBER_KEYS = ("safe_threshold", "safe_round_base", "min_effective_n")
_SWITCH_KEYS = ("apply_threshold_to_complement", "zeros_are_disclosive", "secondary_suppression")
_SYMBOL_KEYS = ("suppressed_symbol", "rounded_mark")


@dataclass(frozen=True)
class DisclosureRules:
    """The rules in force; the defaults are those of ``data/disclosure_rules.yml``, which documents each.

    ``safe_threshold``: minimum unweighted count behind any released value (numerator, base,
    count). ``apply_threshold_to_complement``: the base minus the numerator must reach it too.
    ``zeros_are_disclosive``: a zero count is below the threshold (else a zero numerator or
    complement is allowed and a zero count is shown). ``safe_round_base``: released counts are
    rounded to its nearest multiple (1: exact). ``secondary_suppression``: protect suppressed cells
    from their totals. ``min_effective_n``: minimum effective sample size of an estimate, or None.
    ``suppressed_symbol`` replaces a suppressed value; ``rounded_mark`` precedes a rounded count.
    Any invalid value raises ``ValueError`` naming the key and the value.
    """

    safe_threshold: int = 10
    apply_threshold_to_complement: bool = True
    zeros_are_disclosive: bool = True
    safe_round_base: int = 5
    secondary_suppression: bool = True
    min_effective_n: int | None = None
    suppressed_symbol: str = "[c]"
    rounded_mark: str = "≈"

    def __post_init__(self) -> None:
        _check_rules(asdict(self), "disclosure rules")


def _check_rules(values: dict, source: str) -> None:
    """Raise ``ValueError`` naming the first key whose value is of the wrong type or out of range."""
    for key, value in values.items():
        if key in _WHOLE_NUMBER_KEYS:
            if value is None and key == "min_effective_n":
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{source}: {key} must be a whole number such as 10; got {value!r} "
                                 f"({type(value).__name__})")
            if value < 1:
                raise ValueError(f"{source}: {key} must be at least 1; got {value!r}"
                                 + (" (write null to switch the rule off)" if key == "min_effective_n" else ""))
        elif key in _SWITCH_KEYS:
            if not isinstance(value, bool):
                raise ValueError(f"{source}: {key} must be true or false; got {value!r} ({type(value).__name__})")
        elif key in _SYMBOL_KEYS:
            # a mark holding a digit could be read as part of the number it marks
            if not isinstance(value, str) or not value.strip() or any(c.isdigit() for c in value):
                raise ValueError(f"{source}: {key} must be a non-empty text without digits; got {value!r}")


def load_rules(path: str | Path) -> DisclosureRules:
    """Read a rules file (YAML, e.g. ``data/disclosure_rules.yml``); a missing key takes its default.

    An unreadable file, a file that is not a mapping of keys to values, an unknown key, or a
    value of the wrong type or out of range raises ``ValueError`` naming the file, the key and the
    value.
    """
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"cannot read disclosure rules file {path}: {error}") from error
    if not isinstance(raw, dict):
        raise ValueError(f"disclosure rules file {path}: must map rule keys to values; got {type(raw).__name__}")
    known = [f.name for f in fields(DisclosureRules)]
    unknown = [key for key in raw if key not in known]
    if unknown:
        raise ValueError(f"disclosure rules file {path}: unknown key(s) {describe_values(unknown)}; "
                         f"the keys are {', '.join(known)}")
    _check_rules(raw, f"disclosure rules file {path}")
    return DisclosureRules(**raw)


def _whole_counts(values, name: str) -> np.ndarray:
    """Non-negative whole numbers as int64; anything else (text, blanks, 2.5, -1) raises ``ValueError``."""
    array = np.asarray(values).ravel()
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name}: counts must be numbers; got {describe_values(pd.unique(array))} "
                         f"({array.size} values, type {array.dtype})")
    numeric = array.astype(np.float64)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numeric) | (numeric < 0) | (numeric != np.round(numeric))
    if bad.any():
        raise ValueError(f"{name}: counts must be whole numbers of 0 or more; {int(bad.sum())} of {array.size} "
                         f"are not ({describe_values(pd.unique(array[bad]))})")
    return numeric.astype(np.int64)


def _index_of(values, length: int) -> pd.Index:
    """The index of a pandas input (so results align with it), else 0..length-1."""
    return values.index if isinstance(values, (pd.Series, pd.DataFrame)) else pd.RangeIndex(length)


def _below(counts: np.ndarray, rules: DisclosureRules) -> np.ndarray:
    """Counts below the threshold; a zero counts as below unless the rules say zeros are not disclosive."""
    return (counts < rules.safe_threshold) & ~((counts == 0) & (not rules.zeros_are_disclosive))


def check_estimates(numerator, denominator, rules: DisclosureRules, effective_n=None) -> pd.DataFrame:
    """The primary rules for estimates (e.g. weighted percentages), one row per estimate.

    ``numerator``: unweighted count of respondents giving the counted answer; ``denominator``:
    unweighted count in the estimate's base; ``effective_n``: the estimate's effective sample
    size (n / design effect), needed when ``rules.min_effective_n`` is set. Series given
    together must share one index. Returns columns
    ``unweighted_base``, ``numerator``, ``effective_n``, ``rule`` and ``result`` (``pass`` or
    ``suppressed``), indexed like ``numerator``. The first rule broken decides, in this order:
    ``min_count_denominator`` (no estimate over a base below the threshold),
    ``min_count_numerator``, ``min_count_complement`` (base - numerator, if
    ``apply_threshold_to_complement``), ``min_effective_n``.
    """
    indexed = [v.index for v in (numerator, denominator, effective_n) if isinstance(v, pd.Series)]
    if any(not index.equals(indexed[0]) for index in indexed):
        raise ValueError("numerator, denominator and effective_n, given as Series, must share one index "
                         "(they are matched by position)")
    numerators = _whole_counts(numerator, "numerator")
    bases = _whole_counts(denominator, "denominator")
    if numerators.size != bases.size:
        raise ValueError(f"numerator and denominator differ in length ({numerators.size} and {bases.size})")
    over = numerators > bases
    if over.any():
        pairs = [f"{n} of {d}" for n, d in zip(numerators[over], bases[over])]
        raise ValueError(f"numerator above its denominator in {int(over.sum())} of {bases.size} estimates: "
                         f"{describe_values(pairs)}")
    if effective_n is None:
        if rules.min_effective_n is not None:
            raise ValueError(f"the rules set min_effective_n = {rules.min_effective_n}: give each estimate's "
                             f"effective sample size (effective_n)")
        effective = np.full(bases.size, np.nan)
    else:
        effective = np.asarray(effective_n, dtype=np.float64).ravel()
        bad = ~np.isfinite(effective) | (effective < 0)
        if effective.size != bases.size or bad.any():
            raise ValueError(f"effective_n must hold one finite number of 0 or more per estimate ({bases.size}); "
                             f"got {effective.size}, {int(bad.sum())} of them not ({describe_values(effective[bad])})")
    broken = [("min_count_denominator", bases < rules.safe_threshold),
              ("min_count_numerator", _below(numerators, rules))]
    if rules.apply_threshold_to_complement:
        broken.append(("min_count_complement", _below(bases - numerators, rules)))
    if rules.min_effective_n is not None:
        broken.append(("min_effective_n", effective < rules.min_effective_n))
    rule = np.select([hit for _, hit in broken], [name for name, _ in broken], default="none")
    return pd.DataFrame({"unweighted_base": bases, "numerator": numerators, "effective_n": effective,
                         "rule": rule, "result": np.where(rule == "none", PASS, SUPPRESSED)},
                        index=_index_of(numerator, bases.size))


def round_count(count: int, base: int) -> int:
    """``count`` rounded to the nearest multiple of ``base``, halves upwards (12 -> 10, 13 -> 15 for 5)."""
    return (2 * int(count) + base) // (2 * base) * base


def check_counts(counts, rules: DisclosureRules) -> pd.DataFrame:
    """The rules for released counts (e.g. group sizes, row counts), one row per count.

    Returns columns ``unweighted_base`` (the count), ``numerator`` (empty: a count has none),
    ``released`` (the number shown: the count rounded to the nearest ``safe_round_base``, or
    empty when suppressed), ``rule`` and ``result``, indexed like ``counts``. A count below
    ``safe_threshold`` is suppressed (``min_count``), a zero too unless zeros are not disclosive
    (then it is shown as 0: ``pass``); every other count is ``rounded`` (``rounding``), even one
    that rounding leaves as it was, since a reader cannot tell which it is; with
    ``safe_round_base`` 1 counts ``pass``.
    """
    values = _whole_counts(counts, "counts")
    small = _below(values, rules)
    exact_zero = (values == 0) & ~small
    rounded = ~small & ~exact_zero & (rules.safe_round_base > 1)
    released = pd.array([None if hide else round_count(v, rules.safe_round_base)
                         for v, hide in zip(values, small)], dtype="Int64")
    rule = np.select([small, rounded], ["min_count", "rounding"], default="none")
    result = np.select([small, rounded], [SUPPRESSED, ROUNDED], default=PASS)
    return pd.DataFrame({"unweighted_base": values, "numerator": pd.array([None] * values.size, dtype="Int64"),
                         "released": released, "rule": rule, "result": result},
                        index=_index_of(counts, values.size))


@dataclass(frozen=True)
class Relation:
    """Released cells bound by a sum: ``total`` = sum of ``parts`` (cell ids).

    ``total`` None: the sum is public without being a cell, e.g. 100 for the percentages of one
    base, or a published total. Such a total is never suppressed.
    """

    parts: tuple
    total: Hashable | None = None


def _determined(matrix: np.ndarray, hidden: np.ndarray) -> list[int]:
    """Positions of hidden cells whose value the relations fix, given every shown cell.

    With the shown cells moved to the right-hand side, the relations are ``A_h x = b`` in the
    hidden cells ``x``. Cell i is fixed exactly when no solution of ``A_h x = 0`` moves it, that
    is when its column is not in the span of the other hidden cells' columns: removing the column
    lowers the rank.
    """
    positions = np.flatnonzero(hidden)
    if positions.size == 0:
        return []
    sub = matrix[:, positions]
    rank = np.linalg.matrix_rank(sub) if sub.size else 0
    return [int(p) for j, p in enumerate(positions)
            if (np.linalg.matrix_rank(np.delete(sub, j, axis=1)) if sub.shape[1] > 1 else 0) < rank]


def _with(hidden: np.ndarray, position: int) -> np.ndarray:
    """``hidden`` with one more cell hidden (a copy)."""
    trial = hidden.copy()
    trial[position] = True
    return trial


def secondary_suppression(counts: pd.Series, suppressed: pd.Series, relations: Iterable[Relation],
                          rules: DisclosureRules) -> pd.DataFrame:
    """Suppress further cells until no suppressed cell can be worked out from the relations.

    ``counts``: the unweighted count behind each released cell, indexed by cell id (it orders
    the candidates: the smallest count is suppressed first, ties in the order given);
    ``suppressed``: the cells the primary rules suppressed (same index); ``relations``: the
    :class:`Relation` sums binding the cells. While some suppressed cell is fixed by the
    relations and the shown cells (checked exactly, by linear algebra, across all relations at
    once), one more shown cell of the relations holding such cells is suppressed: the one that
    leaves fewest cells fixed, then a part before a total, then the smallest count, then the
    first given. Greedy, not optimal (optimal cell suppression is what tau-Argus solves); the
    interval a suppressed count is known to lie in is not checked.

    Returns, indexed like ``counts``: ``count``, ``suppressed``, ``rule`` (``"primary"``,
    ``"secondary"`` or ``"none"``) and ``protects`` (for a secondary suppression, a suppressed
    cell that could be worked out until it was added). With ``rules.secondary_suppression`` false, only the primary suppressions.
    Raises ``ValueError`` for a relation naming an unknown cell, and when a suppressed cell is
    fixed by public totals alone.
    """
    ids = list(counts.index)
    if counts.index.has_duplicates:
        raise ValueError(f"cell ids must be unique; repeated: {describe_values(counts.index[counts.index.duplicated()])}")
    if not suppressed.index.equals(counts.index) or suppressed.dtype != bool:
        raise ValueError(f"suppressed must be a boolean Series with the cells of counts ({len(ids)} cells)")
    sizes = _whole_counts(counts, "counts")
    relations = list(relations)
    position = {cell: i for i, cell in enumerate(ids)}
    unknown = [cell for rel in relations for cell in (*rel.parts, rel.total)
               if cell is not None and cell not in position]
    if unknown:
        raise ValueError(f"relations name {len(unknown)} cell(s) not among the {len(ids)} cells: {describe_values(unknown)}")
    matrix = np.zeros((len(relations), len(ids)))
    for row, rel in enumerate(relations):
        matrix[row, [position[c] for c in rel.parts]] = 1.0
        if rel.total is not None:
            matrix[row, position[rel.total]] = -1.0
    totals = {position[rel.total] for rel in relations if rel.total is not None}
    hidden = suppressed.to_numpy().copy()
    protects: dict[int, Hashable] = {}
    while rules.secondary_suppression and (exposed := _determined(matrix, hidden)):
        linked = np.flatnonzero(np.abs(matrix[(matrix[:, exposed] != 0).any(axis=1)]).sum(axis=0))
        candidates = [p for p in linked if not hidden[p]]
        if not candidates:
            raise ValueError(f"cell(s) {describe_values([ids[c] for c in exposed])} can be worked out from public "
                             f"totals alone (every other cell of their relations is suppressed); leave them out")
        choice = min(candidates, key=lambda p: (len(_determined(matrix, _with(hidden, p))), p in totals, sizes[p], p))
        hidden[choice] = True
        protects[choice] = ids[exposed[0]]
    primary = suppressed.to_numpy()
    return pd.DataFrame({"count": sizes, "suppressed": hidden,
                         "rule": np.select([primary, hidden], ["primary", "secondary"], default="none"),
                         "protects": [protects.get(i) for i in range(len(ids))]}, index=counts.index)


def differencing_pairs(members: pd.DataFrame, rules: DisclosureRules, released: Sequence | None = None) -> pd.DataFrame:
    """Pairs of released groups, one inside the other, whose difference is a small group.

    ``members``: one row per respondent, one boolean column per group (True: in the group);
    ``released``: the groups whose counts or estimates are released (default: every column).
    A pair is flagged when every member of the smaller group is in the larger and the larger
    has 1 to ``safe_threshold - 1`` more respondents: releasing both reveals those respondents by
    subtraction. Returns one row per flagged pair, smallest difference first: ``smaller``,
    ``larger``, ``n_smaller``, ``n_larger``, ``difference`` and ``suppress``, the group to
    withhold to resolve it: a group already withheld for another pair if the pair has one, else
    the smaller group (the larger one, often the whole sample, carries more).
    """
    groups = list(members.columns if released is None else released)
    unknown = [g for g in groups if g not in members.columns]
    if unknown:
        raise ValueError(f"released groups not among the {members.shape[1]} columns of members: {describe_values(unknown)}")
    not_boolean = [g for g in groups if members[g].dtype != bool]
    if not_boolean:
        raise ValueError(f"members columns must be boolean (True: in the group); not so: {describe_values(not_boolean)} "
                         f"({len(members)} rows)")
    matrix = members[groups].to_numpy(dtype=np.int64)
    sizes = matrix.sum(axis=0)
    overlap = matrix.T @ matrix
    inside = (overlap == sizes[:, None]) & (sizes[:, None] < sizes[None, :])
    difference = sizes[None, :] - sizes[:, None]
    small, large = np.nonzero(inside & (difference < rules.safe_threshold))
    order = sorted(zip(small, large), key=lambda pair: (difference[pair], pair))
    withheld: list = []
    rows = []
    for a, b in order:
        chosen = next((g for g in (groups[a], groups[b]) if g in withheld), groups[a])
        if chosen not in withheld:
            withheld.append(chosen)
        rows.append({"smaller": groups[a], "larger": groups[b], "n_smaller": int(sizes[a]),
                     "n_larger": int(sizes[b]), "difference": int(difference[a, b]), "suppress": chosen})
    return pd.DataFrame(rows, columns=["smaller", "larger", "n_smaller", "n_larger", "difference", "suppress"])


def checks_table(*parts: pd.DataFrame) -> pd.DataFrame:
    """The output checker's table: one row per released value, from the checked parts.

    Each part holds :data:`CHECK_COLUMNS` (``key`` unique across all parts, ``page``,
    ``unweighted_base``, ``numerator`` -- empty for a count --, ``rule``, ``result``), e.g. a
    :func:`check_estimates` or :func:`check_counts` result with ``key`` and ``page`` assigned;
    further columns (``shown``, ``released``, ...) are kept after them. A missing column, a
    result or rule outside :data:`RESULTS` / :data:`RULES`, or a repeated or missing key raises
    ``ValueError``.
    """
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(CHECK_COLUMNS))
    missing = [c for c in CHECK_COLUMNS if c not in table]
    if missing:
        raise ValueError(f"checked values lack column(s) {describe_values(missing)} ({len(table)} rows)")
    for column, allowed in (("result", RESULTS), ("rule", RULES)):
        bad = ~table[column].isin(allowed)
        if bad.any():
            raise ValueError(f"{column} must be one of {', '.join(allowed)}; got {describe_values(pd.unique(table.loc[bad, column]))} "
                             f"in {int(bad.sum())} of {len(table)} rows")
    keys = table["key"]
    if keys.isna().any() or keys.duplicated().any():
        repeated = keys[keys.duplicated(keep=False) | keys.isna()]
        raise ValueError(f"every released value needs its own key; repeated or missing: "
                         f"{describe_values(pd.unique(repeated))} in {len(repeated)} of {len(table)} rows")
    return table[[*CHECK_COLUMNS, *(c for c in table.columns if c not in CHECK_COLUMNS)]]


def write_checks(checks: pd.DataFrame, folder: str | Path) -> Path:
    """Write the checker's table (checked again by :func:`checks_table`) to ``folder/checks.csv``."""
    path = Path(folder) / "checks.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    checks_table(checks).to_csv(path, index=False)
    return path


def write_acro_results(checks: pd.DataFrame, folder: str | Path, files: Mapping[str, Sequence[str]],
                       rules: DisclosureRules, timestamp: str | None = None) -> Path:
    """Write the checks as ACRO's ``finalise()`` does: ``results.json``, ``config.json``, ``checksums/``.

    One ACRO output per page: ``files[page]`` names the released files that hold the page's
    values (relative to ``folder``, where they must exist). Its status is ``pass`` when every
    value passed and ``review`` when the build suppressed or rounded some (ACRO marks an output it
    mitigated so, with the reason under ``exception``); ``outcome`` gives each value's rule and
    result; ``sdc.summary`` counts the values each rule decided. ``config.json`` holds the rules
    (under ACRO's names where ACRO has the key); ``checksums/<file>.txt`` the SHA-256 of each
    file, which the SACRO viewer verifies. ``timestamp`` (ISO 8601) defaults to now.
    """
    table = checks_table(checks)
    folder = Path(folder)
    pages = list(dict.fromkeys(table["page"]))
    unlisted = [p for p in pages if not files.get(p)]
    if unlisted:
        raise ValueError(f"no released files given for page(s) {describe_values(unlisted)}")
    absent = [name for page in files for name in files[page] if not (folder / name).is_file()]
    if absent:
        raise ValueError(f"released file(s) not in {folder}: {describe_values(absent)}")
    stamp = timestamp or datetime.now(timezone.utc).isoformat()
    results = {}
    for page in [*pages, *(p for p in files if p not in pages)]:
        rows = table[table["page"] == page]
        decided = rows[rows["result"] != PASS]
        counts = rows["result"].value_counts()
        status = "review" if len(decided) else "pass"
        summary = "; ".join(f"{result}: {int(counts.get(result, 0))}" for result in RESULTS)
        sdc = {"summary": {rule: int(n) for rule, n in decided["rule"].value_counts().sort_index().items()},
               "cells": {}}
        results[page] = {
            "uid": page, "status": status, "type": "table",
            "properties": {"method": "social_licence.survey.disclosure", "mitigation": "suppress and round",
                           "round_base": rules.safe_round_base},
            "files": [{"name": name, "sdc": sdc} for name in files[page]],
            "outcome": {"rule": dict(zip(rows["key"], rows["rule"])), "result": dict(zip(rows["key"], rows["result"]))},
            "command": "disclosure rules applied in the build", "summary": summary, "timestamp": stamp,
            "comments": [], "fair": {},
            "exception": ("Suppression and rounding applied in the build by the rules in config.json"
                          if status == "review" else ""),
        }
    tool = {"@type": "SoftwareApplication", "name": "social_licence.survey.disclosure"}
    path = folder / "results.json"
    path.write_text(json.dumps({"version": ACRO_RESULTS_VERSION, "tool": tool, "results": results}, indent=4),
                    encoding="utf-8")
    (folder / "config.json").write_text(json.dumps(asdict(rules), indent=4, ensure_ascii=False), encoding="utf-8")
    for name in (n for names in files.values() for n in names):
        checksum = folder / "checksums" / f"{name}.txt"
        checksum.parent.mkdir(parents=True, exist_ok=True)
        checksum.write_text(hashlib.sha256((folder / name).read_bytes()).hexdigest(), encoding="utf-8")
    return path


def shown_value(value, result: str, rules: DisclosureRules, spec: str = ".0f") -> str:
    """A released value as every page shows it: the symbol, the marked rounded count, or the value.

    ``suppressed`` -> ``rules.suppressed_symbol``; ``rounded`` -> ``rules.rounded_mark`` before the
    count rounded to the nearest ``safe_round_base`` (``value`` is the count); ``pass`` -> ``value``
    formatted with ``spec``.
    """
    if result == SUPPRESSED:
        return rules.suppressed_symbol
    if result == ROUNDED:
        return f"{rules.rounded_mark}{round_count(_whole_counts([value], 'rounded count')[0], rules.safe_round_base)}"
    if result == PASS:
        return format(value, spec)
    raise ValueError(f"result must be one of {', '.join(RESULTS)}; got {result!r}")


def symbol_notes(rules: DisclosureRules) -> dict[str, str]:
    """What the suppressed symbol and the rounded mark mean, for table notes and the glossary."""
    return {rules.suppressed_symbol: f"withheld: fewer than {rules.safe_threshold} respondents are behind it, "
                                     f"or it would let a withheld value be worked out",
            rules.rounded_mark: f"rounded to the nearest {rules.safe_round_base}"}
