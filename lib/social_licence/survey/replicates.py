"""Replicate-weight designs: variances from re-weighted copies of the sample instead of strata and PSUs.

Many archived surveys ship replicate weights instead of their strata and PSUs (so that respondents
cannot be located): R replicates of the analysis weight, each perturbing the sample (jackknife
deletes a PSU, balanced repeated replication (BRR) keeps one PSU of each pair, the bootstrap
resamples PSUs). An estimate is computed once with the full-sample weights and once with each
replicate weight; its variance is

    v = scale * sum_r rscales_r * (theta_r - centre)^2

with ``centre`` the mean of the replicate estimates, or the full-sample estimate when ``mse=True``
(R ``survey:::svrVar``; Wolter 2007, ch. 3-5; Lumley 2010, sec. 2.5). Two ways in, as in R:

* :class:`ReplicateDesign` -- supplied replicate weights, R's ``svrepdesign(repweights, weights,
  type, scale, rscales, mse, combined.weights, rho)``;
* :func:`as_replicate_design` -- replicate weights made from a :class:`~.design.SurveyDesign`'s
  strata and PSUs, R's ``as.svrepdesign(design, type, fay.rho, replicates)``: ``"JK1"``
  (unstratified delete-one jackknife), ``"JKn"`` (stratified jackknife), ``"BRR"`` and ``"Fay"``
  (two PSUs per stratum, a Hadamard matrix choosing the half-samples; Fay's factor ``rho`` keeps
  the other half at weight ``rho`` instead of 0), ``"bootstrap"`` (Canty & Davison 1999: n_h PSUs
  drawn with replacement in each stratum) and ``"subbootstrap"`` (Rao & Wu 1988: n_h - 1 drawn,
  rescaled by n_h / (n_h - 1)), the last two from an explicit seed.

:func:`social_licence.survey.proportions.proportion` and ``proportion_by_each`` accept a
:class:`ReplicateDesign` wherever they accept a :class:`~.design.SurveyDesign` and return the same
table. The domain proportion under replicate r is ``sum(w_r y) / sum(w_r)`` over the domain's rows;
a replicate in which the domain has no weight gives no estimate and is left out of that domain's
variance, with its ``rscales`` entry, as R's ``svrVar`` does (``na.action = na.omit``; R also warns).

Degrees of freedom, as R: the design's are the rank of the replicate-weight matrix minus one
(R ``degf``: ``qr(weights, tol = 1e-5)$rank - 1``), and a domain's are the rank of its rows'
replicate weights minus one (R's ``svyby`` estimates each domain on ``design[rows, ]``, whose
``degf`` is recomputed). The rank is taken from the distinct directions of the rows' replicate
weights (rows whose weights are proportional count once), so it costs little when the weights come
from PSUs, as jackknife, BRR and bootstrap weights do; with more than
:data:`_MAX_PATTERNS` distinct directions each domain's rows are factorised, which is slow on large
files. ``df=`` fixes the degrees of freedom of every estimate instead (as a file's documentation
may give them, and as Stata and SAS use: ``R - 1``).

References: Wolter KM (2007) Introduction to Variance Estimation, 2nd ed., Springer; Lumley T (2010)
Complex Surveys, Wiley; Rao JNK, Wu CFJ (1988) Resampling inference with complex survey data, JASA
83:231-241; Canty AJ, Davison AC (1999) Resampling-based variance estimation for labour force
surveys, The Statistician 48:379-391; Fay RE (1989) Theory and application of replicate weighting
for variance calculations, Proc. Survey Research Methods Section, ASA, 212-217.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .design import SurveyDesign, describe_values, require_columns, validated_weights

#: ``type`` of supplied replicate weights, as R's ``svrepdesign`` (its defaults for scale/rscales)
REPLICATE_TYPES = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "other")

#: ``type`` of :func:`as_replicate_design`, as R's ``as.svrepdesign``
CONVERSIONS = ("JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap")

#: R's tolerance for the rank of replicate weights (``qr(..., tol = 1e-5)``), relative to the
#: largest singular value here
RANK_TOLERANCE = 1e-5

#: at most this many distinct directions of replicate-weight rows are ranked by direction
_MAX_PATTERNS = 4096

#: rows whose replicate-weight directions are found at a time
_PATTERN_CHUNK_ROWS = 65536

#: replicate weights generated at most (rows x replicates) by :func:`as_replicate_design`
_MAX_GENERATED = 2**28


def _replicate_matrix(data: pd.DataFrame, repweights) -> tuple[np.ndarray, list]:
    """The replicate weights as an (n, R) float64 array and their names (column names, or
    ``replicate 1..R`` for an array), checked: numeric, finite, not negative, no column all zero."""
    n = len(data)
    if isinstance(repweights, str):  # R: a string is a regular expression for the column names
        columns = [c for c in data.columns if re.search(repweights, str(c))]
        if not columns:
            raise ValueError(f"repweights={repweights!r} matches none of the {len(data.columns)} "
                             f"columns ({describe_values(list(data.columns), limit=12)}; {n} rows)")
    elif isinstance(repweights, (np.ndarray, pd.DataFrame)):
        matrix = np.asarray(repweights)
        if matrix.ndim != 2 or matrix.shape[0] != n:
            raise ValueError(f"repweights array has shape {matrix.shape}; it needs one row per row "
                             f"of the data ({n} rows) and one column per replicate")
        columns = None
    else:
        columns = list(repweights)
        require_columns(data, columns, "repweights")
    if columns is not None:
        text = [c for c in columns if not pd.api.types.is_numeric_dtype(data[c])
                or pd.api.types.is_bool_dtype(data[c])]
        if text:
            raise ValueError(f"repweights column(s) {describe_values(text)} are not numeric "
                             f"(dtype {data[text[0]].dtype}; {n} rows)")
        matrix = np.empty((n, len(columns)))  # filled column by column: one copy of the weights
        for j, column in enumerate(columns):
            matrix[:, j] = data[column].to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        matrix = np.array(matrix, dtype=np.float64)
    names = columns if columns is not None else [f"replicate {r + 1}" for r in range(matrix.shape[1])]
    if matrix.shape[1] == 0:
        raise ValueError(f"repweights: no replicate columns given ({n} rows)")
    for bad, what in ((np.isnan(matrix), "missing (NaN) values"), (np.isinf(matrix), "infinite values"),
                      (matrix < 0, "negative values")):
        if bad.any():
            column = int(np.flatnonzero(bad.any(axis=0))[0])
            rows = np.flatnonzero(bad[:, column])
            raise ValueError(
                f"repweights column {names[column]!r} has {what} in {len(rows)} of {n} rows "
                f"(values: {describe_values(pd.unique(matrix[rows, column]))}; first rows: "
                f"{describe_values(data.index[rows[:5]])}); {int(bad.any(axis=1).sum())} rows "
                f"are affected in all replicate columns")
    empty = np.flatnonzero(~(matrix > 0).any(axis=0))
    if len(empty):
        raise ValueError(f"repweights column(s) {describe_values([names[c] for c in empty])} are zero "
                         f"in all {n} rows")
    return matrix, names


def _checked_rscales(rscales, n_replicates: int, names: list) -> np.ndarray:
    values = np.atleast_1d(np.asarray(rscales, dtype=np.float64))
    if values.ndim != 1 or len(values) not in (1, n_replicates):
        raise ValueError(f"rscales has {values.size} value(s) but there are {n_replicates} replicate "
                         f"weight columns ({describe_values(names)}); give one per replicate, or one "
                         f"for all")
    bad = ~np.isfinite(values) | (values < 0)
    if bad.any():
        raise ValueError(f"rscales must be finite and not negative; got {describe_values(values[bad])}")
    return np.broadcast_to(values, (n_replicates,)).copy()


def replicate_variance(thetas: np.ndarray, estimate: np.ndarray, scale: float, rscales: np.ndarray,
                       mse: bool) -> np.ndarray:
    """``scale * sum_r rscales_r (theta_r - centre)^2`` over the last axis (R ``svrVar``).

    ``thetas`` (..., R) are the replicate estimates and ``estimate`` (...) the full-sample ones.
    The centre is the mean of the replicates with ``rscales > 0`` (``mse=False``, R's default) or
    the full-sample estimate (``mse=True``). NaN replicates (the domain has no weight in them) are
    left out with their ``rscales``, as R's ``na.omit``; with none left the variance is NaN.
    """
    valid = ~np.isnan(thetas)
    values = np.where(valid, thetas, 0.0)
    if mse:
        centre = estimate
    else:
        counted = valid & (rscales > 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            centre = np.where(counted, values, 0.0).sum(axis=-1) / counted.sum(axis=-1)
    squares = np.where(valid, (values - centre[..., None]) ** 2 * rscales, 0.0)
    return np.where(valid.any(axis=-1), scale * squares.sum(axis=-1), np.nan)


def rank(rows: np.ndarray) -> int:
    """Numerical rank of a matrix of replicate-weight rows: singular values above
    :data:`RANK_TOLERANCE` times the largest (R uses a pivoted QR with the same tolerance; the two
    agree unless the weights are within about 1e-5 of being deficient)."""
    if rows.size == 0:
        return 0
    singular = np.linalg.svd(rows, compute_uv=False)
    return int((singular > RANK_TOLERANCE * singular[0]).sum()) if singular[0] > 0 else 0


@dataclass(frozen=True, eq=False, repr=False)
class ReplicateDesign:
    """A design given by replicate weights: R's ``svrepdesign``.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent.
    weights : str
        Column of full-sample weights (checked as :class:`~.design.SurveyDesign` checks them).
    repweights : list of str, str or 2-D array
        The replicate weights: their columns, a regular expression matching their column names (as
        R), or an (n, R) array.
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "other"}
        How they were made, which sets R's defaults: BRR ``scale = 1/R``; Fay ``scale = 1/(R (1 -
        rho)^2)``; JK1 ``scale = (R-1)/R``; JKn ``scale = 1`` and ``rscales`` required
        (``(n_h-1)/n_h`` of each replicate's stratum); bootstrap ``scale = 1/(R-1)``; other 1.
        ``rscales`` defaults to 1 for each replicate.
    scale, rscales : optional
        Override the defaults (not for BRR and Fay, whose scale is fixed, as R). ``rscales`` is one
        value per replicate, or one for all.
    mse : bool
        Centre the squared deviations on the full-sample estimate instead of the replicates' mean.
    rho : float, optional
        Fay's factor, required with ``type="Fay"`` (0 <= rho < 1) and refused otherwise.
    combined_weights : bool
        True (default): the replicate columns are the replicate analysis weights. False: they are
        factors that multiply ``weights`` (what ``as.svrepdesign`` stores).
    df : int, optional
        Degrees of freedom of every estimate; default R's ranks (module docstring).

    Raises
    ------
    ValueError
        Naming the column, values and rows: missing columns, bad weights, replicate weights that
        are not numbers, NaN, infinite or negative, a replicate column all zero, ``rscales`` whose
        length is neither 1 nor the number of replicates, an unknown ``type``, ``rho`` missing for
        Fay or given for another type, ``scale`` given for BRR or Fay, JKn without ``rscales``.
    """

    data: pd.DataFrame
    weights: str
    repweights: object
    type: str
    scale: float | None = None
    rscales: object = None
    mse: bool = False
    rho: float | None = None
    combined_weights: bool = True
    df: int | None = None
    #: full-sample weights, float64
    w: np.ndarray = field(init=False)
    #: squared full-sample weights (Kish's n_eff)
    w2: np.ndarray = field(init=False)
    #: the replicate analysis weights, (n, R) float64
    replicate_weights: np.ndarray = field(init=False)
    #: the scale and rscales in force (R's defaults filled in)
    replicate_scale: float = field(init=False)
    replicate_rscales: np.ndarray = field(init=False)
    #: whether any row has full-sample weight zero
    has_zero_weights: bool = field(init=False)

    def __post_init__(self) -> None:
        data = self.data
        if not isinstance(data, pd.DataFrame):
            raise ValueError(f"data must be a pandas DataFrame, not {type(data).__name__}")
        if len(data) == 0:
            raise ValueError(f"data is empty (0 rows, columns: {describe_values(data.columns)})")
        if self.type not in REPLICATE_TYPES:
            raise ValueError(f"type={self.type!r} is not one of {', '.join(map(repr, REPLICATE_TYPES))}")
        require_columns(data, [self.weights], "weights")
        w = validated_weights(data, self.weights)
        matrix, names = _replicate_matrix(data, self.repweights)
        n_replicates = matrix.shape[1]
        if not self.combined_weights:
            matrix *= w[:, None]
        if self.type == "Fay":
            if self.rho is None or not 0 <= self.rho < 1:
                raise ValueError(f"type='Fay' needs Fay's factor rho in [0, 1); got rho={self.rho!r}")
        elif self.rho is not None:
            raise ValueError(f"rho={self.rho!r} is Fay's factor and only used with type='Fay' "
                             f"(type={self.type!r})")
        if self.type in ("BRR", "Fay") and self.scale is not None:
            raise ValueError(f"type={self.type!r} fixes scale (R ignores scale= for it); got "
                             f"scale={self.scale!r}")
        if self.type == "JKn" and self.rscales is None:
            raise ValueError(f"type='JKn' needs rscales, (n_h - 1)/n_h for each of the "
                             f"{n_replicates} replicates (R: 'Must provide rscales for combined "
                             f"JKn weights')")
        default_scale = {"BRR": 1 / n_replicates,
                         "Fay": 1 / (n_replicates * (1 - (self.rho or 0.0)) ** 2),
                         "JK1": (n_replicates - 1) / n_replicates,
                         "bootstrap": 1 / (n_replicates - 1) if n_replicates > 1 else np.nan,
                         "JKn": 1.0, "other": 1.0}[self.type]
        scale = default_scale if self.scale is None else self.scale
        if not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"scale={scale!r} must be a positive number ({n_replicates} replicates)")
        rscales = _checked_rscales(1.0 if self.rscales is None else self.rscales, n_replicates, names)
        if self.df is not None and (isinstance(self.df, bool) or not isinstance(self.df, (int, np.integer))
                                    or self.df < 1):
            raise ValueError(f"df={self.df!r} must be a positive integer (or None for R's ranks)")
        object.__setattr__(self, "w", w)
        object.__setattr__(self, "w2", w * w)
        object.__setattr__(self, "replicate_weights", matrix)
        object.__setattr__(self, "replicate_scale", float(scale))
        object.__setattr__(self, "replicate_rscales", rscales)
        object.__setattr__(self, "has_zero_weights", bool((w == 0).any()))

    @property
    def n_rows(self) -> int:
        return len(self.w)

    @property
    def n_replicates(self) -> int:
        return self.replicate_weights.shape[1]

    @cached_property
    def patterns(self) -> tuple[np.ndarray, np.ndarray] | None:
        """Distinct directions of the rows' replicate weights: ``(codes, directions)`` with each
        row's direction code (-1 for a row of zeros) and the (P, R) directions, each row scaled to
        a maximum of 1 and rounded to 12 decimals (rows of one PSU under jackknife, BRR or
        bootstrap weights share one). None when there are more than :data:`_MAX_PATTERNS`."""
        matrix = self.replicate_weights
        n = len(matrix)

        def directions(start: int, stop: int) -> np.ndarray:
            rows = matrix[start:stop]
            peak = rows.max(axis=1, keepdims=True)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.round(rows / np.where(peak > 0, peak, 1.0), 12)

        chunks = range(0, n, _PATTERN_CHUNK_ROWS)  # a chunk at a time: memory stays small
        keys = np.concatenate([
            pd.util.hash_pandas_object(pd.DataFrame(directions(start, start + _PATTERN_CHUNK_ROWS)),
                                       index=False).to_numpy() for start in chunks])
        codes = pd.factorize(keys)[0]
        first = np.unique(codes, return_index=True)[1]  # codes number the keys by first appearance
        if len(first) > _MAX_PATTERNS:
            return None
        found = np.vstack([directions(row, row + 1) for row in first])
        for start in chunks:  # every row is its key's direction (no two directions share a hash)
            stop = min(start + _PATTERN_CHUNK_ROWS, n)
            if not np.array_equal(directions(start, stop), found[codes[start:stop]]):
                return None
        zero = matrix.max(axis=1) == 0
        return np.where(zero, -1, codes).astype(np.int64), found

    @cached_property
    def design_df(self) -> int:
        """The design's degrees of freedom: ``df`` if given, else R's ``degf``, the rank of the
        replicate weights minus one."""
        if self.df is not None:
            return int(self.df)
        patterns = self.patterns
        rows = self.replicate_weights if patterns is None else patterns[1]
        return rank(rows) - 1

    def __repr__(self) -> str:
        return (f"ReplicateDesign({self.n_rows} rows, weights={self.weights!r}, type={self.type!r}, "
                f"{self.n_replicates} replicates, scale={self.replicate_scale:.6g}, "
                f"mse={self.mse})")


def sylvester_hadamard(order: int) -> np.ndarray:
    """Sylvester's Hadamard matrix of ``order`` (a power of 2): ``H_2k = [[H, H], [H, -H]]``."""
    matrix = np.ones((1, 1))
    while len(matrix) < order:
        matrix = np.block([[matrix, matrix], [matrix, -matrix]])
    return matrix


def _checked_hadamard(hadamard, n_strata: int) -> np.ndarray:
    """The Hadamard matrix for BRR: Sylvester's of the smallest power-of-2 order above the number
    of strata, or the one given (entries +1 / -1, ``H H^T = m I``, at least strata + 1 rows)."""
    if hadamard is None:
        return sylvester_hadamard(1 << int(np.ceil(np.log2(n_strata + 1))))
    matrix = np.asarray(hadamard, dtype=np.float64)
    square = matrix.ndim == 2 and matrix.shape[0] == matrix.shape[1]
    if not square or not np.isin(matrix, (-1.0, 1.0)).all() or not np.array_equal(
            matrix @ matrix.T, len(matrix) * np.eye(len(matrix))):
        raise ValueError(f"hadamard must be a square matrix of +1 and -1 with orthogonal rows "
                         f"(shape {matrix.shape})")
    if len(matrix) < n_strata + 1:
        raise ValueError(f"hadamard has {len(matrix)} rows; BRR on {n_strata} strata needs at least "
                         f"{n_strata + 1} (the first row is not used)")
    return matrix


def _jk1_factors(design: SurveyDesign):
    """Delete-one jackknife: replicate j drops PSU j and multiplies the others by n/(n-1)."""
    n = design.n_psu
    factors = np.full((n, n), n / (n - 1))
    np.fill_diagonal(factors, 0.0)
    return factors, (n - 1) / n, np.ones(n)


def _jkn_factors(design: SurveyDesign):
    """Stratified jackknife: replicate j drops PSU j, multiplies the other PSUs of its stratum by
    n_h/(n_h-1) and leaves other strata alone; rscales (n_h-1)/n_h, scale 1."""
    n_h = design.psu_per_stratum[design.psu_stratum]
    same = design.psu_stratum[:, None] == design.psu_stratum[None, :]
    factors = np.where(same, (n_h / (n_h - 1))[:, None], 1.0)
    np.fill_diagonal(factors, 0.0)
    return factors, 1.0, (n_h - 1) / n_h


def _brr_factors(design: SurveyDesign, fay_rho: float, hadamard):
    """Balanced repeated replication on two PSUs per stratum, as R's ``brrweights``: strata in the
    order of their labels as text, the PSUs of each in order of first appearance in the data;
    replicate r takes stratum h's half-sample from row h + 1 of the Hadamard matrix: where it
    equals the matrix's first entry, the second PSU gets ``2 - rho`` and the first ``rho``, else
    the reverse (BRR: rho = 0)."""
    data, strata = design.data, design.strata
    labels = data[strata].astype(str).to_numpy()
    order = sorted(pd.unique(labels))
    stratum_index = {label: h for h, label in enumerate(order)}
    first_rows = np.unique(design.psu_codes, return_index=True)[1]  # each PSU's first row
    psu_labels = labels[first_rows]
    position = np.zeros(design.n_psu, dtype=np.int64)
    for label in order:  # first or second PSU of the pair, by first appearance
        members = np.flatnonzero(psu_labels == label)
        position[members[np.argsort(first_rows[members])]] = np.arange(len(members))
    matrix = _checked_hadamard(hadamard, len(order))
    h = np.array([stratum_index[label] for label in psu_labels])
    same = matrix[1 + h, :] == matrix[0, 0]  # (PSUs, replicates)
    second = (position == 1)[:, None]
    factors = np.where(same == second, 2.0 - fay_rho, fay_rho)
    return factors


def _bootstrap_factors(design: SurveyDesign, replicates: int, rng: np.random.Generator,
                       rescaled: bool):
    """Counts of each PSU among PSUs drawn with replacement within its stratum, per replicate:
    n_h draws (``rescaled=False``, Canty & Davison) or n_h - 1 draws times n_h/(n_h-1)
    (``rescaled=True``, Rao & Wu)."""
    counts = np.zeros((design.n_psu, replicates))
    for first, n_h in zip(design.stratum_starts, design.psu_per_stratum):
        draws = n_h - 1 if rescaled else n_h
        picks = rng.integers(0, n_h, size=(replicates, draws))
        cells = picks + n_h * np.arange(replicates)[:, None]
        counts[first:first + n_h] = np.bincount(cells.ravel(), minlength=n_h * replicates
                                                ).reshape(replicates, n_h).T
        if rescaled:
            counts[first:first + n_h] *= n_h / (n_h - 1)
    return counts


def as_replicate_design(design: SurveyDesign, type: str, fay_rho: float = 0.0,
                        replicates: int | None = None, seed: int | None = None, hadamard=None,
                        mse: bool = False, df: int | None = None) -> ReplicateDesign:
    """Replicate weights made from a linearised design's strata and PSUs: R's ``as.svrepdesign``.

    Parameters
    ----------
    design : SurveyDesign
        Weights and optional strata/PSU (PSUs nested in strata; every row its own PSU without PSU).
    type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap"}
        ``"JK1"``: delete-one jackknife, unstratified designs only, ``scale = (n-1)/n``. ``"JKn"``:
        stratified jackknife, one replicate per PSU, ``rscales = (n_h-1)/n_h``. ``"BRR"``, ``"Fay"``:
        exactly two PSUs per stratum; ``scale = 1/(R (1-rho)^2)``. ``"bootstrap"``: R's default
        bootstrap (Canty & Davison 1999), ``scale = nbar/((nbar-1)(R-1))`` with nbar the harmonic
        mean of the PSUs per stratum. ``"subbootstrap"``: the Rao-Wu (1988) rescaling bootstrap,
        ``scale = 1/(R-1)``.
    fay_rho : float
        Fay's factor for ``"Fay"`` (0 < rho < 1); must stay 0 otherwise.
    replicates : int, optional
        Number of bootstrap replicates (default 50, as R); bootstrap types only.
    seed : int
        Seed of the ``numpy.random.Generator`` that draws the bootstrap samples; required for the
        bootstrap types (R draws from its own generator, so its replicates differ), refused
        otherwise.
    hadamard : array, optional
        +1/-1 Hadamard matrix for BRR and Fay (R's ``hadamard.matrix``); default Sylvester's of the
        smallest power-of-2 order above the number of strata (R's default picks other orders, so
        R matches only when given the same matrix).
    mse, df
        As :class:`ReplicateDesign`.

    Returns
    -------
    ReplicateDesign
        Replicate weights ``w * factor`` (factor constant within each PSU), with R's scale and
        rscales.

    Raises
    ------
    ValueError
        For an unknown ``type``; JK1 on a stratified design and JKn, BRR or Fay on an unstratified
        one (as R); a stratum with one PSU (any type) or, for BRR and Fay, other than two PSUs;
        arguments given to a type that does not use them; more than :data:`_MAX_GENERATED`
        replicate weights.
    """
    if not isinstance(design, SurveyDesign):
        raise ValueError(f"design must be a SurveyDesign, not {type(design).__name__}")
    if type not in CONVERSIONS:
        raise ValueError(f"type={type!r} is not one of {', '.join(map(repr, CONVERSIONS))}")
    bootstrap = type in ("bootstrap", "subbootstrap")
    unused = {"fay_rho": fay_rho != 0 and type != "Fay", "replicates": replicates is not None
              and not bootstrap, "seed": seed is not None and not bootstrap,
              "hadamard": hadamard is not None and type not in ("BRR", "Fay")}
    if any(unused.values()):
        name = next(k for k, v in unused.items() if v)
        raise ValueError(f"{name} is not used by type={type!r}")
    stratified = design.strata is not None
    if type == "JK1" and stratified:
        raise ValueError(f"type='JK1' is for unstratified designs (strata column "
                         f"{design.strata!r} given); use 'JKn' (R: Can't use JK1 for a "
                         f"stratified design)")
    if type in ("JKn", "BRR", "Fay") and not stratified:
        raise ValueError(f"type={type!r} needs strata; an unstratified design takes 'JK1' or a "
                         f"bootstrap ({design.n_rows} rows)")
    n_h = design.psu_per_stratum
    wrong = n_h != 2 if type in ("BRR", "Fay") else n_h < 2
    if wrong.any():
        labels = np.sort(pd.unique(design.data[design.strata]))[np.flatnonzero(wrong)]
        need = "exactly two PSUs" if type in ("BRR", "Fay") else "at least two PSUs"
        raise ValueError(f"strata column {design.strata!r}: stratum/strata {describe_values(labels)} "
                         f"have {describe_values(n_h[wrong])} PSU(s); type={type!r} needs {need} "
                         f"per stratum")
    if type == "Fay" and not 0 < fay_rho < 1:
        raise ValueError(f"type='Fay' needs 0 < fay_rho < 1; got {fay_rho!r}")
    if bootstrap:
        if seed is None:
            raise ValueError(f"type={type!r} draws PSUs at random: give seed= (an integer)")
        replicates = 50 if replicates is None else replicates
        if isinstance(replicates, bool) or not isinstance(replicates, (int, np.integer)) or replicates < 2:
            raise ValueError(f"replicates={replicates!r} must be an integer of at least 2")
    n_replicates = {"JK1": design.n_psu, "JKn": design.n_psu}.get(type, replicates)
    if n_replicates is not None and n_replicates * design.n_rows > _MAX_GENERATED:
        raise ValueError(f"type={type!r} on {design.n_psu} PSUs and {design.n_rows} rows would need "
                         f"{n_replicates * design.n_rows:,} replicate weights (at most "
                         f"{_MAX_GENERATED:,}); group rows into PSUs or use fewer replicates")

    rscales = None
    if type == "JK1":
        factors, scale, rscales = _jk1_factors(design)
    elif type == "JKn":
        factors, scale, rscales = _jkn_factors(design)
    elif type in ("BRR", "Fay"):
        factors, scale = _brr_factors(design, fay_rho, hadamard), None
    else:
        rng = np.random.default_rng(seed)
        factors = _bootstrap_factors(design, replicates, rng, rescaled=type == "subbootstrap")
        nbar = 1 / np.mean(1 / n_h)
        scale = (1 / (replicates - 1) if type == "subbootstrap"
                 else nbar / ((nbar - 1) * (replicates - 1)))
    weights = design.w[:, None] * factors[design.psu_codes]
    return ReplicateDesign(
        design.data, design.weights, weights,
        type={"subbootstrap": "bootstrap"}.get(type, type),
        scale=scale, rscales=rscales, mse=mse,
        rho=fay_rho if type == "Fay" else None, df=df)
