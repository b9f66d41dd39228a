"""The consensus baseline: when does a share of answers amount to agreement?

The consensus baseline (Finch & Mason 1991; Edwards & Gillies 2004) calls an answer a consensus
when one option gathers "half as many responses again" (Edwards, Gillies & Gorin 2021) as an equal
share of the k options would: a threshold of ``1.5 / k``. Edwards, Gillies & Gorin (2021) state it for the two cases their survey
has, 75% for two options and 50% for three; ``1.5 / k`` is the general form of that rule.

The factor 1.5 is the study's; ``factor`` states another (a threshold of ``factor / k``, with
1 < factor < k so that the threshold lies between an even split and everyone). Two readings of a
figure against its threshold are supported, chosen by ``rule``:

``reaches_threshold`` -- the published-style verdict
    The estimate rounded half-up to a whole percent, as the paper printed it, is **at or above**
    the threshold (``>=``): a published 50% counts as reaching a 50% threshold, and an estimate of
    0.495 (printed 50%) does too. For a threshold that is not a whole percent (k = 4: 37.5%) this
    means a printed 38% or more.
``verdict`` -- what the interval says
    ``"consensus"`` when the lower confidence limit is at or above the threshold (``ci_low >=
    threshold``); ``"no consensus"`` when the upper limit is below it (``ci_high < threshold``);
    ``"open"`` when the interval straddles the threshold; ``"suppressed"`` when the row is
    suppressed (small base) or has no estimate or interval. Every row gets exactly one verdict.
    A consensus is on the *counted* answer, which may oppose linkage (e.g. "unacceptable"): the
    report, not this module, says whether it grants or withholds social licence.

References: Finch J, Mason J (1991) Obligations of kinship in contemporary Britain: is there
normative agreement? Br J Sociol 42:345-367; Edwards R, Gillies V (2004) Support in parenting:
values and consensus concerning who to turn to, J Soc Policy 33:627-647.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .design import describe_values, require_columns

#: the values of the ``verdict`` column
VERDICTS = ("consensus", "no consensus", "open", "suppressed")
#: the verdict rules of :func:`consensus_verdicts`: the interval's, or the printed share's
RULES = ("interval", "point")
#: the study's factor: "half as many responses again" as an even split
FACTOR = 1.5


def _check_k(k) -> np.ndarray:
    """k as an integer array; anything but whole numbers >= 2 raises ``ValueError``."""
    values = np.asarray(k)
    valid = values.dtype.kind in "iuf"
    if valid:
        with np.errstate(invalid="ignore"):
            valid = bool(np.all(np.isfinite(values) & (values == np.round(values)) & (values >= 2)))
    if not valid:
        raise ValueError(f"k (number of answer categories) must be an integer >= 2; got "
                         f"{describe_values(pd.unique(np.ravel(values)))}")
    return values.astype(np.int64)


def _check_factor(factor) -> float:
    """factor as a float; anything but a number above 1 raises ``ValueError``."""
    if isinstance(factor, bool) or not isinstance(factor, (int, float, np.integer, np.floating)) \
            or not np.isfinite(factor) or factor <= 1:
        raise ValueError(f"factor={factor!r} must be a number above 1 (the threshold factor / k must exceed an "
                         "even split)")
    return float(factor)


def consensus_threshold(k, factor: float = FACTOR):
    """Consensus baseline ``factor / k`` for k answer categories (k an integer >= 2, or an array);
    ``factor`` must stay below k, so that the threshold is below 100%."""
    values = _check_k(k)
    factor = _check_factor(factor)
    if np.any(factor >= values):
        raise ValueError(f"factor={factor:g} gives a threshold of 100% or more for k = "
                         f"{describe_values(pd.unique(np.ravel(values[values <= factor])))}")
    threshold = factor / values
    return float(threshold) if threshold.ndim == 0 else threshold


def round_half_up_percent(proportion) -> np.ndarray:
    """Proportions as whole percentages, rounded half-up (0.745 -> 75, 0.125 -> 13).

    The product with 100 is first rounded to 9 decimals so that binary representation error
    (0.745 * 100 = 74.49999999999999) does not turn a printed half into a round-down.
    """
    percent = np.round(np.asarray(proportion, dtype=np.float64) * 100.0, 9)
    return np.floor(percent + 0.5)


def published_reaches_threshold(percent, k, factor: float = FACTOR):
    """Does a published percentage (already in percent, e.g. 50 for 50%) reach ``factor / k``?

    Same convention as ``reaches_threshold`` in :func:`consensus_verdicts`: the value rounded
    half-up to a whole percent is at or above ``150 / k`` percent. Returns a bool (scalar input) or
    a bool array. Missing or out-of-range percentages raise ``ValueError``.
    """
    values = np.asarray(percent, dtype=np.float64)
    bad = np.isnan(values) | (values < 0) | (values > 100)
    if bad.any():
        raise ValueError(f"published percentages must be numbers in [0, 100]; got "
                         f"{describe_values(np.ravel(values[bad]))}")
    threshold = 100.0 * np.asarray(consensus_threshold(k, factor))
    result = round_half_up_percent(values / 100.0) >= threshold - 1e-9
    return bool(result) if result.ndim == 0 else result


def consensus_verdicts(table: pd.DataFrame, k, factor: float = FACTOR, rule: str = "interval") -> pd.DataFrame:
    """Add ``threshold``, ``reaches_threshold`` and ``verdict`` to a table of proportions.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`social_licence.survey.proportions.proportion` (or any frame with ``estimate``,
        ``ci_low`` and ``ci_high`` as proportions; a ``suppressed`` column is honoured if present).
    k : int or str
        Number of answer categories, or the name of a column holding it for each row.
    factor : float
        The threshold is ``factor / k`` (default 1.5, the study's).
    rule : {"interval", "point"}
        ``"interval"`` (default): the verdict says where the interval lies (module docstring).
        ``"point"``: the printed-style estimate at or above the threshold is ``"consensus"``, below
        it ``"no consensus"``, with no uncertainty (the study's own reading).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with ``threshold`` (float, 1.5/k), ``reaches_threshold`` (bool:
        published-style, see the module docstring; False when there is no estimate) and
        ``verdict`` (one of :data:`VERDICTS`; never ``"open"`` under ``rule="point"``).
    """
    if rule not in RULES:
        raise ValueError(f"rule={rule!r} is not one of {', '.join(map(repr, RULES))}")
    require_columns(table, ["estimate", "ci_low", "ci_high"], "consensus")
    if isinstance(k, str):
        require_columns(table, [k], "k")
        k_values = table[k].to_numpy()
    else:
        k_values = np.full(len(table), k)
    threshold = np.broadcast_to(consensus_threshold(k_values, factor), (len(table),)).astype(np.float64)
    estimate = table["estimate"].to_numpy(dtype=np.float64)
    low = table["ci_low"].to_numpy(dtype=np.float64)
    high = table["ci_high"].to_numpy(dtype=np.float64)
    suppressed = np.isnan(estimate) | np.isnan(low) | np.isnan(high)
    if "suppressed" in table.columns:
        suppressed |= table["suppressed"].to_numpy(dtype=bool)
    out = table.copy()
    out["threshold"] = threshold
    with np.errstate(invalid="ignore"):
        reaches = round_half_up_percent(estimate) >= 100.0 * threshold - 1e-9
    out["reaches_threshold"] = reaches & ~np.isnan(estimate)
    if rule == "point":
        suppressed = np.isnan(estimate) | (out["suppressed"].to_numpy(dtype=bool) if "suppressed" in out else False)
        out["verdict"] = np.select([suppressed, out["reaches_threshold"]], ["suppressed", "consensus"],
                                   default="no consensus")
        return out
    out["verdict"] = np.select(
        [suppressed, low >= threshold, high < threshold],
        ["suppressed", "consensus", "no consensus"],
        default="open",
    )
    return out
