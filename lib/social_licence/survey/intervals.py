"""Confidence intervals for survey-weighted proportions, vectorised over many estimates.

``proportion_interval(estimate, se, n, df, method, level)`` turns a proportion, its design-based
(linearised) standard error, the unweighted base and the design degrees of freedom into an interval.
The methods reproduce R ``survey::svyciprop`` (Lumley 2010, sec. 2.3.1) where R has them:

``"beta"`` (default) -- Korn & Graubard (1998), R ``svyciprop(method = "beta")``
    Clopper-Pearson limits on the effective sample size ``n_eff = p(1-p)/var``, multiplied by
    ``(qt(alpha/2, n-1) / qt(alpha/2, df))^2`` so that few design degrees of freedom widen the
    interval. R uses ``n = nrow(design)`` and ``df = degf(design)`` of the (domain-)subset design;
    ``proportion()`` passes exactly those. Matches R to floating-point accuracy, also SAS PROC
    SURVEYFREQ's modified Clopper-Pearson limits. Conservative (at least nominal coverage in
    Korn & Graubard's and Dean & Pagano's (2015) simulations); it is the method of choice near 0
    or 1 and in small domains.
``"logit"`` -- R ``svyciprop(method = "logit")``
    Wald interval on the logit scale, ``expit(logit(p) +/- qt(1 - alpha/2, df) * se / (p(1-p)))``,
    which is what R's quasi-binomial ``svyglm`` intercept + ``confint(..., ddf = degf)`` gives.
    Matches R (to ~1e-10, R's glm convergence tolerance) and Stata's ``svy: proportion`` default.
    Too narrow when the expected number of positive (or negative) answers in the domain is small:
    coverage falls below nominal for p near 0 or 1 with few cases (Korn & Graubard 1998; Dean &
    Pagano 2015).
``"wilson"`` -- Wilson score interval on the effective sample size (no R ``svyciprop`` method)
    ``statsmodels.stats.proportion.proportion_confint(count = p*n_eff, nobs = n_eff,
    method = "wilson")`` with ``n_eff = p(1-p)/var`` (Kott & Carr 1997; Dean & Pagano 2015). Uses
    the normal quantile, not t, so it ignores the design degrees of freedom and is too narrow when
    df is small; it also runs a little narrow near 0 and 1 when n_eff is small. Matches SAS
    SURVEYFREQ's ``TYPE=WILSON`` without its df adjustment.

Behaviour when the variance is zero (the estimate is exactly 0 or 1, or every PSU gives the same
answer), where ``n_eff = p(1-p)/var`` is 0/0:

* ``"logit"``: the interval is ``[p, p]``. R's ``svyglm`` fails to converge there and returns an
  interval of width ~1e-12 at the same point, so this matches R to 1e-6.
* ``"beta"`` and ``"wilson"`` at p = 0 or 1: R's ``svyciprop`` returns NaN for ``"beta"``. Here the
  effective sample size is taken to be ``boundary_n`` (default ``n``, the unweighted base, i.e. a
  design effect of 1) -- then ``"beta"`` is the Clopper-Pearson interval for 0 (or n) successes out
  of n, df-adjusted as above, e.g. ``[0, 1 - (alpha/2)^(1/n)]`` for p = 0 with df = n - 1. This is
  the natural limit of the Korn-Graubard construction when the design effect is unknown; it is
  documented here because R gives no number to match.
* 0 < p < 1 with zero variance: ``[p, p]`` for every method (infinite effective sample size).

``df <= 0`` gives NaN limits for ``"beta"`` and ``"logit"``, as in R.

References: Korn EL, Graubard BI (1998) Confidence intervals for proportions with small expected
number of positive counts estimated from survey data, Survey Methodology 24:193-201; Kott PS, Carr
DA (1997) Developing an estimation strategy for a pesticide data program, JOS 13:367-383; Dean N,
Pagano M (2015) Evaluating confidence interval methods for binomial proportions in clustered
surveys, J Surv Stat Methodol 3:484-503; Lumley T (2010) Complex Surveys, Wiley.
"""
from __future__ import annotations

import numpy as np
from scipy import special
from statsmodels.stats.proportion import proportion_confint

#: interval methods accepted everywhere in the package (``method=`` is checked against this list)
METHODS = ("beta", "logit", "wilson")


def check_method(method: str) -> None:
    """Raise ``ValueError`` unless ``method`` is one of :data:`METHODS`."""
    if method not in METHODS:
        raise ValueError(f"method={method!r} is not one of {', '.join(map(repr, METHODS))}")


def check_level(level: float) -> None:
    """Raise ``ValueError`` unless ``level`` is a number strictly between 0 and 1."""
    if isinstance(level, bool) or not isinstance(level, (int, float, np.floating, np.integer)):
        raise ValueError(f"level={level!r} must be a number strictly between 0 and 1")
    if not 0 < float(level) < 1:
        raise ValueError(f"level={level!r} must be strictly between 0 and 1 (e.g. 0.95)")


def proportion_interval(estimate, se, n, df, method: str = "beta", level: float = 0.95,
                        boundary_n=None, logit_se=None) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper confidence limits for proportions (arrays broadcast together).

    Parameters
    ----------
    estimate : array_like
        Proportions in [0, 1]; NaN gives NaN limits.
    se : array_like
        Design-based standard errors of ``estimate``.
    n : array_like
        Unweighted number of rows in the (domain) base: R's ``nrow(design)``. Used by ``"beta"``'s
        df adjustment and as the effective sample size at p = 0 or 1.
    df : array_like
        Design degrees of freedom (R ``degf`` of the domain). Used by ``"beta"`` and ``"logit"``.
    method : {"beta", "logit", "wilson"}
        See the module docstring for what each matches and where it is too narrow.
    level : float
        Confidence level in (0, 1).
    boundary_n : array_like, optional
        Effective sample size to use where the variance is zero and p is 0 or 1 (default ``n``).
        ``planning.interval_from_summary`` passes ``n / deff``.
    logit_se : array_like, optional
        Standard error of logit(p) for ``"logit"``, where the design gives it directly: a replicate
        design's variance of the replicates' logits, which is what R's ``svyciprop`` takes there
        (its ``svyglm`` fit on each replicate). Default ``se / (p(1-p))``, the delta method.

    Returns
    -------
    (ci_low, ci_high) : tuple of float arrays
    """
    check_method(method)
    check_level(level)
    p, se, n, df = (np.asarray(a, dtype=np.float64) for a in (estimate, se, n, df))
    boundary_n = n if boundary_n is None else np.asarray(boundary_n, dtype=np.float64)
    p, se, n, df, boundary_n = np.broadcast_arrays(p, se, n, df, boundary_n)
    alpha = 1.0 - float(level)
    var = se * se
    pq = p * (1.0 - p)
    at_bound = (var == 0) & ((p == 0) | (p == 1))
    degenerate = (var == 0) & (pq > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "logit":
            t = special.stdtrit(np.where(df > 0, df, np.nan), 1.0 - alpha / 2.0)
            half = t * (se / pq if logit_se is None else np.asarray(logit_se, dtype=np.float64))
            eta = special.logit(p)
            low, high = special.expit(eta - half), special.expit(eta + half)
            collapsed = at_bound | degenerate
            return np.where(collapsed, p, low), np.where(collapsed, p, high)

        n_eff = np.where(at_bound, boundary_n, pq / var)
        if method == "wilson":
            finite = np.isfinite(n_eff) & (n_eff > 0) & np.isfinite(p)
            safe_n = np.where(finite, n_eff, 1.0)
            low, high = proportion_confint(np.where(finite, p, 0.5) * safe_n, safe_n,
                                           alpha=alpha, method="wilson")
            # the Wilson interval always contains p; the closed form loses that to cancellation
            # (~1e-18) at or near 0 and 1, so restore it
            low = np.minimum(np.asarray(low, dtype=np.float64), np.where(finite, p, np.nan))
            high = np.maximum(np.asarray(high, dtype=np.float64), np.where(finite, p, np.nan))
        else:
            ratio = (special.stdtrit(np.where(n > 1, n - 1, np.nan), alpha / 2.0)
                     / special.stdtrit(np.where(df > 0, df, np.nan), alpha / 2.0))
            n_eff = n_eff * ratio**2
            finite = np.isfinite(n_eff) & (n_eff > 0) & np.isfinite(p)
            a = np.where(finite, n_eff * p, 1.0)
            b = np.where(finite, n_eff * (1.0 - p), 1.0)
            # qbeta(x, 0, b) = 0 and qbeta(x, a, 0) = 1: the Clopper-Pearson end points at 0 and n
            # Clopper-Pearson limits as beta quantiles (scipy.special.betaincinv = R's qbeta)
            low = np.where(p == 0, 0.0,
                           special.betaincinv(np.where(a > 0, a, 1.0), b + 1.0, alpha / 2.0))
            high = np.where(p == 1, 1.0,
                            special.betaincinv(a + 1.0, np.where(b > 0, b, 1.0), 1.0 - alpha / 2.0))
        low = np.where(finite, low, np.nan)
        high = np.where(finite, high, np.nan)
    return np.where(degenerate, p, low), np.where(degenerate, p, high)
