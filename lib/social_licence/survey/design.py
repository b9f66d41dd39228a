"""The survey design, stated once and passed to every estimator.

``SurveyDesign(data, weights, strata=None, psu=None)`` plays the part of R's
``svydesign(ids = ~psu (or ~1), strata = ~strata, weights = ~w, data = data)`` (Lumley 2004, 2010):
it validates the columns, holds the weights as a float array and the strata/PSU structure as integer
codes, and supplies the Taylor-linearisation variance that every estimator in the package uses.

Variance of a total of influence values (with-replacement, "ultimate cluster" estimator; Wolter
2007, ch. 6; Lumley 2010, sec. 2.2; R ``survey:::svyrecvar`` -> ``onestage`` -> ``onestrat``): within
each stratum h with n_h PSUs, sum the influence values by PSU (z_hj), centre them on the stratum mean
of the n_h PSU totals and add ``n_h / (n_h - 1) * sum_j (z_hj - mean_h)^2`` over strata. No finite
population correction is used (R's default without ``fpc``).

Conventions, all as in R ``survey`` 4.1:

* weights only: every row is its own PSU and there is one stratum (``ids = ~1``);
* strata without PSU: every row is its own PSU within its stratum;
* PSU labels are taken as nested within strata (``nest = TRUE``): the same label in two strata
  names two PSUs;
* a stratum with a single PSU ("lonely PSU") is an error by default (R's
  ``options(survey.lonely.psu = "fail")``), raised here when the design is built rather than when
  the first variance is computed; ``lonely_psu`` takes R's other options instead (see
  :data:`LONELY_PSU`);
* design degrees of freedom = number of PSUs - number of strata, counting only rows with a
  non-zero weight (R ``degf``); for a domain, the PSUs and strata that contain rows of the domain;
* domains are estimated on the full design with influence zero outside the domain, which is what R
  does for ``subset(design, ...)`` and ``svyby``: the PSUs without domain rows still count in n_h.

References: Lumley T (2004) Analysis of complex survey samples, J Stat Softw 9(8); Lumley T (2010)
Complex Surveys: A Guide to Analysis Using R, Wiley; Wolter KM (2007) Introduction to Variance
Estimation, 2nd ed., Springer.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


#: what a stratum with a single PSU contributes to the variance, as R ``survey``'s
#: ``options(survey.lonely.psu = ...)`` (R ``survey:::onestrat`` and ``onestage``, survey 4.1):
#:
#: * ``"fail"`` (default) -- such a design is an error;
#: * ``"remove"`` and ``"certainty"`` -- the stratum contributes nothing (with one stage of
#:   sampling and no finite population correction R computes the two identically);
#: * ``"adjust"`` -- the stratum's PSU total is taken as a deviation from zero, the overall mean of
#:   the PSU totals of influence values, rather than from its own stratum mean: ``z_h^2``;
#: * ``"average"`` -- the stratum contributes nothing and the variance is scaled by
#:   ``strata / strata with at least two PSUs`` (the average over the other strata).
#:
#: Single-PSU strata add nothing to the degrees of freedom (one PSU minus one stratum), as in R.
LONELY_PSU = ("fail", "remove", "certainty", "adjust", "average")


def describe_values(values, limit: int = 5) -> str:
    """Short, readable list of offending values for the package's error messages."""
    values = [v.item() if isinstance(v, np.generic) else v for v in values]
    shown = ", ".join(repr(v) for v in values[:limit])
    return shown + (f", ... ({len(values)} distinct)" if len(values) > limit else "")


def require_columns(data: pd.DataFrame, columns, role: str) -> None:
    """Raise ``ValueError`` naming every column in ``columns`` that ``data`` lacks."""
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise ValueError(
            f"{role} column(s) {describe_values(missing)} not found in the data "
            f"({len(data)} rows; columns: {describe_values(data.columns, limit=12)})"
        )


def _codes_without_missing(data: pd.DataFrame, column: str, role: str) -> np.ndarray:
    """Sorted integer codes of a design column; missing values are an error."""
    codes, _ = pd.factorize(data[column], sort=True)
    if (codes < 0).any():
        raise ValueError(
            f"{role} column {column!r} has {int((codes < 0).sum())} missing value(s) "
            f"out of {len(data)} rows; every row needs a {role}"
        )
    return codes.astype(np.int64)


def kish_design_effect(weights) -> float:
    """Kish's design effect of unequal weighting, ``n * sum(w**2) / sum(w)**2`` (Kish 1965; 1992).

    The variance inflation a weighted mean suffers against an unweighted one of the same size when
    the weights are unrelated to the answer; ``n / deff`` is Kish's effective sample size. It
    matches R ``PracTools::deffK``.

    ``weights`` is any one-dimensional array-like of positive, finite weights (e.g. the weight
    column of a respondent file). Equal weights give 1; the more the weights vary, the larger it
    is (it equals 1 + the relvariance of the weights, with the variance taken over n). Anything but
    positive finite numbers raises ``ValueError`` naming the offending values and their count.
    """
    name = getattr(weights, "name", None) or "weights"
    values = np.asarray(weights, dtype=np.float64).ravel()
    if values.size == 0:
        raise ValueError(f"{name}: no weights given (0 rows)")
    bad = ~np.isfinite(values) | (values <= 0)
    if bad.any():
        raise ValueError(f"{name}: weights must be positive and finite; {int(bad.sum())} of {values.size} rows "
                         f"are not ({describe_values(pd.unique(values[bad]))})")
    return float(values.size * np.sum(values**2) / np.sum(values) ** 2)


def validated_weights(data: pd.DataFrame, column: str) -> np.ndarray:
    """The weight column as float64, checked: numeric, no missing, infinite or negative values, not
    all zero (zero weights are allowed: such rows count as rows but contribute nothing, as in R).
    Anything else raises ``ValueError`` naming the column, the problem, the values and the rows."""
    n = len(data)
    series = data[column]
    if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        bad = series[pd.to_numeric(series, errors="coerce").isna() & series.notna()]
        raise ValueError(
            f"weights column {column!r} is not numeric (dtype {series.dtype}); "
            f"non-numeric values: {describe_values(pd.unique(bad)) or 'none (boolean column)'} "
            f"in {len(bad) if len(bad) else n} of {n} rows"
        )
    w = series.to_numpy(dtype=np.float64, na_value=np.nan)
    checks = [
        (np.isnan(w), "missing (NaN) weights"),
        (np.isinf(w), "infinite weights"),
        (w < 0, "negative weights"),
    ]
    for bad, what in checks:
        if bad.any():
            raise ValueError(
                f"weights column {column!r} has {what} in {int(bad.sum())} of {n} rows "
                f"(values: {describe_values(pd.unique(series[bad]))}; "
                f"first rows: {describe_values(data.index[bad][:5])})"
            )
    if not (w > 0).any():
        raise ValueError(f"weights column {column!r} is zero in all {n} rows")
    return w


@dataclass(frozen=True, eq=False, repr=False)
class SurveyDesign:
    """A weights (+ optional strata and PSU) survey design over one DataFrame.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    weights : str
        Column of sampling (or analysis) weights: numeric, no missing values, none negative, not all
        zero. Zero weights are allowed (such rows contribute nothing but still count as rows, as in R).
    strata : str, optional
        Column of stratum labels (no missing values).
    psu : str, optional
        Column of primary sampling unit labels (no missing values), nested within strata.
    lonely_psu : {"fail", "remove", "certainty", "adjust", "average"}
        What a stratum with a single PSU contributes to the variance (:data:`LONELY_PSU`, R's
        ``options(survey.lonely.psu = ...)``); ``"fail"`` refuses such a design.

    Raises
    ------
    ValueError
        Naming the column, what is wrong, the offending values and the row count: empty data, a
        missing column, non-numeric / missing / infinite / negative / all-zero weights, missing
        strata or PSU labels, a stratum with only one PSU under ``lonely_psu="fail"``, an unknown
        ``lonely_psu``.
    """

    data: pd.DataFrame
    weights: str
    strata: str | None = None
    psu: str | None = None
    lonely_psu: str = "fail"
    #: weights as float64, one per row
    w: np.ndarray = field(init=False)
    #: squared weights (used by the closed-form domain variance and Kish's n_eff)
    w2: np.ndarray = field(init=False)
    #: PSU code of each row, 0..n_psu-1, numbered so that each stratum's PSUs are contiguous
    psu_codes: np.ndarray = field(init=False)
    #: stratum code of each PSU
    psu_stratum: np.ndarray = field(init=False)
    #: number of PSUs in each stratum (n_h)
    psu_per_stratum: np.ndarray = field(init=False)
    #: index of each stratum's first PSU (for ``np.add.reduceat``)
    stratum_starts: np.ndarray = field(init=False)
    #: whether any row has weight zero (such rows count as rows but not towards ``degf``)
    has_zero_weights: bool = field(init=False)
    #: design degrees of freedom (R ``degf``)
    df: int = field(init=False)

    def __post_init__(self) -> None:
        data = self.data
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if len(data) == 0:
            raise ValueError(f"data is empty (0 rows, columns: {describe_values(data.columns)})")
        check_lonely_psu(self.lonely_psu)
        named = {"weights": self.weights, "strata": self.strata, "psu": self.psu}
        for role, column in named.items():
            if column is not None:
                require_columns(data, [column], role)

        w = validated_weights(data, self.weights)
        n = len(data)
        strata_codes = (
            _codes_without_missing(data, self.strata, "strata")
            if self.strata is not None else np.zeros(n, dtype=np.int64)
        )
        raw_psu = (
            _codes_without_missing(data, self.psu, "psu")
            if self.psu is not None else np.arange(n, dtype=np.int64)
        )
        # (stratum, psu) pairs, sorted stratum-major so each stratum's PSUs are contiguous
        pair = strata_codes * (int(raw_psu.max()) + 1) + raw_psu
        pairs, psu_codes = np.unique(pair, return_inverse=True)
        psu_stratum = pairs // (int(raw_psu.max()) + 1)
        psu_per_stratum = np.bincount(psu_stratum)
        lonely = np.flatnonzero(psu_per_stratum == 1)
        if len(lonely) and self.lonely_psu == "fail":
            labels = pd.Series(data[self.strata]).sort_values().unique()[lonely]
            rows = int(np.isin(strata_codes, lonely).sum())
            raise ValueError(
                f"strata column {self.strata!r}: stratum/strata {describe_values(labels)} "
                f"contain only one PSU ({rows} of {n} rows); the with-replacement variance needs "
                f"at least two PSUs per stratum (R survey's lonely.psu = 'fail'; lonely_psu= "
                f"takes R's other options)"
            )
        starts = np.concatenate([[0], np.cumsum(psu_per_stratum)[:-1]])

        object.__setattr__(self, "w", w)
        object.__setattr__(self, "w2", w * w)
        object.__setattr__(self, "psu_codes", psu_codes.astype(np.int64))
        object.__setattr__(self, "psu_stratum", psu_stratum)
        object.__setattr__(self, "psu_per_stratum", psu_per_stratum)
        object.__setattr__(self, "stratum_starts", starts)
        object.__setattr__(self, "has_zero_weights", bool((w == 0).any()))
        object.__setattr__(self, "df", self.domain_df(np.where(w != 0, 0, 1), 1)[0].item())

    # --- structure -------------------------------------------------------------------------------
    @property
    def n_rows(self) -> int:
        return len(self.w)

    @property
    def n_psu(self) -> int:
        return len(self.psu_stratum)

    @property
    def weights_only(self) -> bool:
        """True when every row is its own PSU in a single stratum (closed-form variances apply)."""
        return self.strata is None and self.psu is None

    def __repr__(self) -> str:
        lonely = "" if self.lonely_psu == "fail" else f", lonely_psu={self.lonely_psu!r}"
        return (
            f"SurveyDesign({self.n_rows} rows, weights={self.weights!r}, strata={self.strata!r}, "
            f"psu={self.psu!r}{lonely}; {self.n_psu} PSUs in {len(self.psu_per_stratum)} strata, "
            f"df={self.df})"
        )

    # --- variance --------------------------------------------------------------------------------
    def psu_totals(self, values: np.ndarray, domain_codes: np.ndarray, n_domains: int) -> np.ndarray:
        """Sum ``values`` by (domain, PSU): array of shape (n_domains, n_psu).

        Rows whose domain code is ``n_domains`` (or more) are left out, so a caller can route
        excluded rows to that spare code instead of copying arrays.
        """
        cell = np.minimum(domain_codes, n_domains) * self.n_psu + self.psu_codes
        sums = np.bincount(cell, weights=values, minlength=(n_domains + 1) * self.n_psu)
        return sums[: n_domains * self.n_psu].reshape(n_domains, self.n_psu)

    def variance_of_psu_totals(self, totals: np.ndarray) -> np.ndarray:
        """Variance of the total for each row of ``totals`` (shape (..., n_psu)) -> shape (...,).

        See :func:`stratified_variance`.
        """
        return stratified_variance(totals, self.psu_per_stratum, self.stratum_starts,
                                   self.lonely_psu)

    def covariance(self, influence: np.ndarray) -> np.ndarray:
        """Covariance matrix of the totals of the columns of ``influence`` (n_rows x k) -> (k, k).

        For a single column returns a 1 x 1 matrix. This is R's ``svyrecvar`` for a one-stage
        with-replacement design.
        """
        z = np.asarray(influence, dtype=np.float64)
        z = z.reshape(len(z), -1)
        if z.shape[0] != self.n_rows:
            raise ValueError(f"influence has {z.shape[0]} rows but the design has {self.n_rows}")
        if self.weights_only:
            totals = z
        else:
            totals = np.column_stack([
                np.bincount(self.psu_codes, weights=z[:, j], minlength=self.n_psu)
                for j in range(z.shape[1])
            ])
        n_h = self.psu_per_stratum
        means = np.add.reduceat(totals, self.stratum_starts, axis=0) / n_h[:, None]
        lonely = n_h == 1
        if self.lonely_psu == "adjust":  # a lonely PSU's total is a deviation from zero
            means[lonely] = 0.0
        centred = totals - means[self.psu_stratum]
        with np.errstate(divide="ignore"):
            scale = np.where(lonely, 1.0, n_h / (n_h - 1))[self.psu_stratum]
        return (centred * scale[:, None]).T @ centred * _average_factor(n_h, self.lonely_psu)

    def domain_df(self, domain_codes: np.ndarray, n_domains: int) -> np.ndarray:
        """Degrees of freedom of each domain: PSUs with rows in it minus strata with rows in it.

        ``domain_codes`` gives each row's domain 0..n_domains-1, or ``n_domains`` for rows that
        belong to no domain. This is R's ``degf(subset(design, domain))``; callers pass the rows
        R would count (``degf`` counts only rows with a non-zero weight).
        """
        codes = np.minimum(domain_codes, n_domains)
        if self.weights_only:
            return np.bincount(codes, minlength=n_domains + 1)[:n_domains].astype(np.int64) - 1
        cell = codes * self.n_psu + self.psu_codes
        present = np.bincount(cell, minlength=(n_domains + 1) * self.n_psu)[: n_domains * self.n_psu]
        present = present.reshape(n_domains, self.n_psu) > 0
        strata_present = np.add.reduceat(present, self.stratum_starts, axis=1) > 0
        return (present.sum(axis=1) - strata_present.sum(axis=1)).astype(np.int64)


def check_lonely_psu(lonely_psu: str) -> None:
    """Raise ``ValueError`` unless ``lonely_psu`` is one of :data:`LONELY_PSU`."""
    if lonely_psu not in LONELY_PSU:
        raise ValueError(f"lonely_psu={lonely_psu!r} is not one of {', '.join(map(repr, LONELY_PSU))}")


def _average_factor(psu_per_stratum: np.ndarray, lonely_psu: str) -> float:
    """``strata / strata with two or more PSUs`` under ``"average"`` (R ``onestage``), else 1."""
    if lonely_psu != "average":
        return 1.0
    return len(psu_per_stratum) / max(int((psu_per_stratum > 1).sum()), 1)


def stratified_variance(totals: np.ndarray, psu_per_stratum: np.ndarray, stratum_starts: np.ndarray,
                        lonely_psu: str = "fail") -> np.ndarray:
    """With-replacement variance of a total from its PSU totals: shape (..., n_psu) -> (...,).

    The PSUs run along the last axis, each stratum's contiguous (``stratum_starts`` gives the first
    of each, ``psu_per_stratum`` their number n_h); the sums of the totals and of their squares by
    stratum go to :func:`variance_from_stratum_sums`. Shared by the in-memory designs and the file
    route (:mod:`.database`), which finds the same PSU totals with SQL.
    """
    return variance_from_stratum_sums(np.add.reduceat(totals * totals, stratum_starts, axis=-1),
                                      np.add.reduceat(totals, stratum_starts, axis=-1),
                                      psu_per_stratum, lonely_psu)


def variance_from_stratum_sums(sum_of_squares: np.ndarray, sums: np.ndarray,
                               psu_per_stratum: np.ndarray, lonely_psu: str = "fail") -> np.ndarray:
    """With-replacement variance from each stratum's sum of PSU totals and of their squares.

    ``sum_of_squares`` and ``sums`` are ``sum_j z_hj^2`` and ``sum_j z_hj`` (..., strata). For every
    stratum with two or more PSUs, ``n_h/(n_h-1) * [sum_j z_hj^2 - (sum_j z_hj)^2 / n_h]``, the
    squares of the totals centred on their stratum mean: R's ``onestrat`` (Wolter 2007, eq. 6.2.1
    without fpc). A stratum with one PSU contributes as ``lonely_psu`` says (:data:`LONELY_PSU`):
    ``z_h^2`` under ``"adjust"``, nothing otherwise, and ``"average"`` scales the sum by strata /
    strata with two or more PSUs. Designs with strata and no PSU pass the closed-form sums of the
    rows of each stratum (every row its own PSU).
    """
    n_h = psu_per_stratum
    lonely = n_h == 1
    with np.errstate(divide="ignore", invalid="ignore"):
        centred = (sum_of_squares - sums * sums / n_h) * (n_h / (n_h - 1))
    by_stratum = np.where(lonely, sum_of_squares if lonely_psu == "adjust" else 0.0, centred)
    return by_stratum.sum(axis=-1) * _average_factor(n_h, lonely_psu)
