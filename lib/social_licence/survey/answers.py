"""Coding survey items into answer states: positive, another substantive answer, or missing.

Every estimator of a proportion first turns each item's answers into one of three states: 1 = one of
the ``positive`` answers (e.g. agree + strongly agree), 0 = another substantive answer, 2 = missing
(NaN, or one of the ``missing_values`` codes such as don't know or refused). The checks that the
answer lists make sense (:func:`check_answer_values`) are shared with the file route
(:mod:`.database`), which codes the same states in SQL.
"""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .design import SurveyDesign, describe_values, require_columns

#: rows of a numeric item coded at a time by :func:`answer_states` (a chunk of one float64 column
#: is 256 kB, which stays in the CPU cache through the comparisons with each code)
_STATE_CHUNK_ROWS = 32768


def as_list(value) -> list:
    """An argument that takes one value or several as a list: None is empty, a string one value."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return [value]
    return list(value)


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def check_answer_values(variables: list, positive, missing_values, numeric_column=None
                        ) -> tuple[list, list]:
    """The ``positive`` and ``missing_values`` answers as lists, checked against each other.

    ``numeric_column`` is ``(name, dtype, rows)`` of the first numeric column among ``variables``
    (None when none is numeric): its answers can only be numbers. Raises ``ValueError`` for an
    empty ``positive``, a value listed both as positive and as missing, or a value that is not a
    number for a numeric column, naming the column(s).
    """
    positives, missing = as_list(positive), as_list(missing_values)
    if not positives:
        raise ValueError(f"positive: give at least one answer value of column(s) {variables}")
    both = [v for v in positives if v in missing]
    if both:
        raise ValueError(f"column(s) {variables}: value(s) {describe_values(both)} listed both "
                         f"as positive and in missing_values")
    if numeric_column is not None:
        name, dtype, rows = numeric_column
        for role, values in (("positive", positives), ("missing_values", missing)):
            bad = [v for v in values if not _is_number(v)]
            if bad:
                raise ValueError(f"column {name!r} is numeric (dtype {dtype}, {rows} rows) "
                                 f"but {role} value(s) {describe_values(bad)} are not numbers")
    return positives, missing


def answer_states(design: SurveyDesign, variables, positive, missing_values=()) -> np.ndarray:
    """Code survey items into answer states, one int8 column per item (rows x items).

    State 0 = a substantive answer that is not positive, 1 = one of the ``positive`` answers,
    2 = missing: NaN or one of the ``missing_values`` codes (don't know, refused, ...).

    Raises ``ValueError`` naming the column when it is absent, when a ``positive`` value never
    occurs in it, when a value in ``positive`` or ``missing_values`` is not a number although the
    column is numeric, or when a value is listed both as positive and as missing.
    """
    data = design.data
    variables = as_list(variables)
    require_columns(data, variables, "variable")
    n = len(data)
    columns = [data[v] for v in variables]
    numeric = [
        column.dtype.kind in "iuf" if isinstance(column.dtype, np.dtype)
        else pd.api.types.is_numeric_dtype(column.dtype)
        and not pd.api.types.is_bool_dtype(column.dtype)
        for column in columns
    ]
    first = columns[numeric.index(True)] if any(numeric) else None
    positives, missing = check_answer_values(
        variables, positive, missing_values,
        None if first is None else (first.name, first.dtype, n))
    states = np.empty((n, len(variables)), dtype=np.int8, order="F")
    # numeric items are coded a chunk of rows at a time, so that each column's chunk stays in the
    # CPU cache through its comparisons (a pass per code over whole columns is memory-bound)
    numeric_idx = [j for j, flag in enumerate(numeric) if flag]
    values = [columns[j].to_numpy() if isinstance(columns[j].dtype, np.dtype)
              else columns[j].to_numpy(dtype=np.float64, na_value=np.nan) for j in numeric_idx]
    seen = np.zeros((len(positives), len(numeric_idx)), dtype=bool)
    for start in range(0, n, _STATE_CHUNK_ROWS):
        stop = min(start + _STATE_CHUNK_ROWS, n)
        for k, (j, column) in enumerate(zip(numeric_idx, values)):
            chunk = column[start:stop].astype(np.float64, copy=False)
            _code_states(chunk, np.isnan(chunk), positives, missing, seen[:, k],
                         states[start:stop, j])
    _require_seen(seen, positives, [variables[j] for j in numeric_idx], data)
    for j in (j for j, flag in enumerate(numeric) if not flag):
        seen = np.zeros((len(positives), 1), dtype=bool)
        _code_states(columns[j].to_numpy(), columns[j].isna().to_numpy(copy=True), positives,
                     missing, seen[:, 0], states[:, j])
        _require_seen(seen, positives, [variables[j]], data)
    return states


def _code_states(values, is_missing, positives, missing, seen, out) -> None:
    """Write states 0 / 1 / 2 of the rows ``values`` of one item into ``out`` and mark in ``seen``
    (one flag per positive answer) the positive answers that occur among them. ``is_missing``
    (NaN rows) is updated in place."""
    for code in missing:
        is_missing |= values == code
    is_positive = np.zeros(len(values), dtype=bool)
    for k, answer in enumerate(positives):
        hits = values == answer
        if not seen[k]:
            seen[k] = hits.any()
        is_positive |= hits
    is_positive &= ~is_missing  # missing wins (e.g. positive=None in an object column)
    np.add(is_missing, is_missing, out=out, dtype=np.int8)
    out |= is_positive


def _require_seen(seen, positives, names, data) -> None:
    """Raise for the first positive answer (in order) that never occurs in one of the ``names``
    columns; ``seen`` is positives x columns."""
    for k, answer in enumerate(positives):
        unseen = np.flatnonzero(~seen[k])
        if len(unseen):
            name = names[int(unseen[0])]
            observed = pd.unique(data[name].dropna())
            raise ValueError(
                f"positive value {answer!r} never occurs in column {name!r} "
                f"({len(data)} rows; values seen: {describe_values(sorted(observed, key=str), 10)})"
            )


def response_indicators(design: SurveyDesign, variable: str, positive, missing_values=(),
                        include_missing: bool = False):
    """Row-level indicators for one item: ``(is_positive, is_missing, in_base)`` boolean arrays.

    ``is_missing`` marks NaN and the ``missing_values`` codes; ``in_base`` is ``~is_missing``, or
    every row when ``include_missing`` (the missing rows then count as not positive). Errors as in
    :func:`answer_states`.
    """
    state = answer_states(design, [variable], positive, missing_values)[:, 0]
    is_missing = state == 2
    in_base = np.ones(len(state), dtype=bool) if include_missing else ~is_missing
    return state == 1, is_missing, in_base

