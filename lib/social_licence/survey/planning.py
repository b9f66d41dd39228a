"""How sure can a published percentage be? Intervals and sample sizes from summary figures only.

For the "How sure can we be?" chapter, which works from the paper's printed percentages and group
sizes without respondent data:

* :func:`interval_from_summary` -- the interval a percentage p would have with an unweighted base n
  and an assumed design effect deff: variance ``p(1-p) * deff / n`` (Kish 1965, sec. 8.2), i.e. an
  effective sample size ``n / deff``, and ``df = n - 1`` (as for a weights-only design), passed to
  the same interval code as the survey estimates (:func:`social_licence.survey.intervals.proportion_interval`);
* :func:`sample_size_for_margin` -- the smallest n whose half-width is at most a given margin.

Both take and return percentages by default (``scale="percent"``); ``scale="proportion"`` works on
the 0-1 scale instead.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .design import describe_values
from .intervals import check_level, check_method, proportion_interval

#: accepted values of ``scale``
SCALES = ("percent", "proportion")


def _to_proportion(values, scale: str, name: str) -> np.ndarray:
    if scale not in SCALES:
        raise ValueError(f"scale={scale!r} is not one of {', '.join(map(repr, SCALES))}")
    upper = 100.0 if scale == "percent" else 1.0
    values = np.asarray(values, dtype=np.float64)
    bad = np.isnan(values) | (values < 0) | (values > upper)
    if bad.any():
        raise ValueError(f"{name} must lie in [0, {upper:g}] on the {scale} scale; got "
                         f"{describe_values(np.ravel(values[bad]))}")
    return values / upper


def _check_positive(values, name: str, minimum: float = 0.0, inclusive: bool = False) -> np.ndarray:
    values = np.asarray(values, dtype=np.float64)
    bad = np.isnan(values) | ((values < minimum) if inclusive else (values <= minimum))
    if bad.any():
        relation = ">=" if inclusive else ">"
        raise ValueError(f"{name} must be {relation} {minimum:g}; got "
                         f"{describe_values(np.ravel(values[bad]))}")
    return values


def interval_from_summary(estimate, n, deff=1.0, method: str = "beta", level: float = 0.95,
                          scale: str = "percent") -> pd.DataFrame:
    """Confidence interval for a published percentage given its base n and a design effect.

    Parameters
    ----------
    estimate : float or array_like
        The published figure(s), in percent (or proportions with ``scale="proportion"``).
    n : int or array_like
        Unweighted base(s): whole numbers, at least 2.
    deff : float or array_like
        Assumed design effect(s) (> 0); 1 = simple random sample of n.
    method : {"beta", "logit", "wilson"}
        Interval method (see :mod:`social_licence.survey.intervals`); with ``df = n - 1`` the ``"beta"``
        interval is the Clopper-Pearson interval on ``n / deff`` (exactly Clopper-Pearson for
        ``deff = 1`` and an integer count). At 0% or 100% the effective sample size is ``n / deff``.
    level : float
        Confidence level in (0, 1).
    scale : {"percent", "proportion"}
        Scale of ``estimate`` and of the returned estimate, se and limits.

    Returns
    -------
    pandas.DataFrame
        One row per input: ``estimate``, ``n``, ``deff``, ``n_eff`` (= n / deff), ``se``,
        ``ci_low``, ``ci_high`` (in the chosen scale), ``df`` (= n - 1), ``level``, ``method``.
    """
    check_method(method)
    check_level(level)
    p = _to_proportion(estimate, scale, "estimate")
    n = _check_positive(n, "n", minimum=2, inclusive=True)
    if np.any(n != np.round(n)):
        raise ValueError(f"n must be whole numbers of respondents; got "
                         f"{describe_values(np.ravel(n[n != np.round(n)]))}")
    deff = _check_positive(deff, "deff")
    p, n, deff = np.broadcast_arrays(p, n, deff)
    se = np.sqrt(p * (1 - p) * deff / n)
    low, high = proportion_interval(p, se, n, n - 1, method=method, level=level,
                                    boundary_n=n / deff)
    factor = 100.0 if scale == "percent" else 1.0
    return pd.DataFrame({
        "estimate": np.ravel(p) * factor, "n": np.ravel(n).astype(np.int64), "deff": np.ravel(deff),
        "n_eff": np.ravel(n / deff), "se": np.ravel(se) * factor,
        "ci_low": np.ravel(low) * factor, "ci_high": np.ravel(high) * factor,
        "df": np.ravel(n - 1).astype(np.int64), "level": float(level), "method": method,
    })


def sample_size_for_margin(estimate, margin, deff=1.0, level: float = 0.95,
                           scale: str = "percent"):
    """Smallest unweighted n whose interval half-width is at most ``margin``.

    Normal approximation with a design effect: half-width ``z * sqrt(p(1-p) * deff / n)`` with
    ``z = Phi^-1(1 - (1-level)/2)``, so ``n = ceil(z^2 p(1-p) deff / margin^2)`` (Cochran 1977,
    sec. 4.4, times deff as in Kish 1965). It ignores the t/beta corrections the survey intervals
    make, so for bases under ~50 or p near 0 or 1 the realised half-width can be larger. ``estimate``
    and ``margin`` share ``scale`` (percent by default: ``sample_size_for_margin(50, 5) == 385``).
    Returns an int (scalar input) or an int array.
    """
    check_level(level)
    p = _to_proportion(estimate, scale, "estimate")
    margin = _to_proportion(_check_positive(margin, "margin"), scale, "margin")
    deff = _check_positive(deff, "deff")
    z = stats.norm.ppf(1 - (1 - level) / 2)
    exact = z**2 * p * (1 - p) * deff / margin**2
    n = np.maximum(np.ceil(exact), 1.0)
    # guard against floating error pushing an exact integer up by one
    smaller_ok = z * np.sqrt(p * (1 - p) * deff / np.maximum(n - 1, 1)) <= margin
    n = np.where((n > 1) & smaller_ok, n - 1, n).astype(np.int64)
    return int(n) if n.ndim == 0 else n
