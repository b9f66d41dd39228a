"""A synthetic respondent file reconstructed from the 108 published figures.

The survey's respondent-level file is archived under licence (UKDA-SN-856334) and is not public.
So that every chapter can run, this module builds a stand-in: 843 made-up parents whose shares
reproduce, after rounding, every figure the study published. It is NOT the survey's data: the
published figures pin down only the sample's make-up and the shares of parents (and of the
published groups) giving each counted answer. Everything else -- the weights, who answers what
within a published group, the answers of groups the paper does not report, the five-point detail,
relationships between questions -- is a choice of this generator, written down in
:class:`Choices` and below. See the book's datasheet page.

How it is built (each step a function below; all randomness from one explicit
``numpy.random.Generator`` made from ``Choices.seed``):

1. :func:`draw_respondents` draws the parents' demographics from an assumed model of how they hang
   together (a latent socio-economic position drives qualification, occupation, income and
   tenure; younger, lone and some minority ethnic parents are placed lower, and so on), with the
   number of parents in each published group of the sample fixed exactly
   (:func:`composition_parts`, :func:`exact_counts`).
2. Weights. Under the codebook's default reading of the composition figures as **unweighted**
   shares of the 843, the sample holds each published group at its printed share (Black parents
   5%: 42 parents; parents aged 18-29 12%: 101), and :func:`nonresponse_weights` gives each
   parent a weight of one over an assumed response propensity (lower for groups that usually
   respond less to surveys), scaled so that Kish's design effect of the weights equals
   ``Choices.kish_deff``. Under the **weighted** reading, a larger pool is drawn, 843 are taken
   with probability proportional to the propensity, and :func:`rake` calibrates their weights to
   the published shares.
3. For each question, :func:`assign_nonresponse` marks a few "don't know" and refused answers;
   :func:`solve_logit_effects` finds a logistic propensity of giving the counted answer, with one
   effect per published subgroup (the groups overlap) plus assumed effects for groups the paper
   does not report (``Choices.unreported_spread``), whose weighted group means equal the published
   figures; :func:`draw_counted` draws answers from it; and :func:`repair_counts` flips single
   answers or swaps pairs, greedily, until every published figure for the question is within a
   safety margin of its rounding interval's centre. Questions published for groups only are
   anchored on an assumed whole-sample share (``Choices.belief_anchors``).
4. :func:`fill_scale` spreads the counted / not-counted answers over the five-point codes
   (``Choices.strong`` and ``Choices.neither``).

:func:`generate` runs the steps; ``python -m social_licence.study.synthetic`` writes the file and
its SHA-256 (``make data``, which also writes the ensemble of :mod:`.ensemble`), byte for byte the
same for the same choices.
"""
from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook, Item, load_codebook
from social_licence.study.fidelity import fidelity_table
from social_licence.study.paths import CHECKSUM_PATH, SYNTHETIC_PATH
from social_licence.study.published import COMPOSITION, load_published
from social_licence.survey.design import kish_design_effect

SEED = 20210843
N_RESPONDENTS = 843
#: parents drawn before selection under the weighted reading of the composition figures
POOL_SIZE = 2600
WEIGHT_DECIMALS = 6
#: Weights are trimmed to this range, relative to a mean weight of 1.
WEIGHT_BOUNDS = (0.2, 5.0)
#: The range of Kish design effects the ensemble's weights span: from a light to a heavy
#: non-response adjustment for a probability panel (an assumption; the paper publishes none).
KISH_DEFF_RANGE = (1.2, 1.8)

#: Whole-sample shares assumed for questions the paper reports only for subgroups (generator
#: assumptions, used to anchor the propensity model; they are not published and not checked).
ASSUMED_WHOLE_SAMPLE = {
    "linked_records_factual_and_unbiased": 0.50,
    "linkage_leads_to_discrimination": 0.45,
    "records_use_discourages_service_use": 0.45,
}
#: Groups of parents whose answers the paper never reports: (variable, codes). The generator gives
#: each an assumed answer effect per question (zero in the shipped file); the published margins hold
#: whatever the effects, so these groups' answers are the generator's, never the survey's.
UNREPORTED_GROUPS = (("ethnic_group", (2,)), ("ethnic_group", (4,)), ("ethnic_group", (5, 6)),
                     ("sex", (1,)), ("tenure", (3, 4, 5)))
#: Share of a figure's rounding half-width the repair step aims inside (0.5: a whole-number
#: figure is brought within +-0.25 points of its published value).
REPAIR_MARGIN = 0.5
#: Weight of keeping answers likely under the propensity model, relative to the fit, when the
#: repair step chooses between moves (a tie-breaker, so flips go to plausible respondents).
LIKELIHOOD_PENALTY = 0.01
#: Fresh draws the repair step may start from when a greedy search stalls short of the margin
#: (it can, in groups of a few dozen with unequal weights); the closest result is kept.
REPAIR_ATTEMPTS = 10


@dataclass(frozen=True)
class Choices:
    """What the publication leaves open, as one synthetic file fixes it.

    The shipped file uses the defaults; each member of the ensemble (:mod:`.ensemble`) varies
    them. ``seed`` drives every random draw. ``kish_deff`` is the Kish design effect of the weights
    (unweighted reading of the composition; under the weighted reading raking decides it).
    ``unreported_spread`` is the standard deviation, on the logit scale, of the answer effects
    drawn for each of :data:`UNREPORTED_GROUPS` and each question. ``belief_anchors`` are the
    whole-sample shares of the questions published for groups only. ``strong`` and ``neither``
    set the five-point detail (:func:`fill_scale`).
    """

    seed: int = SEED
    kish_deff: float = 1.4
    unreported_spread: float = 0.0
    belief_anchors: tuple[tuple[str, float], ...] = tuple(ASSUMED_WHOLE_SAMPLE.items())
    strong: float = 0.2
    neither: float = 0.3


def expit(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def logit(p: float | np.ndarray) -> float | np.ndarray:
    """Log-odds log(p / (1 - p)), the inverse of :func:`expit`."""
    return np.log(p) - np.log1p(-p)


def exact_counts(shares, n: int) -> np.ndarray:
    """Whole numbers of parents for ``shares`` (summing to 1) that add up to ``n``: each share times
    ``n``, rounded down, with the remaining parents given to the largest remainders."""
    exact = np.asarray(shares, dtype=float) * n
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: n - counts.sum()]] += 1
    return counts


def allocate(latent: np.ndarray, codes, counts) -> np.ndarray:
    """Codes by rank of ``latent``: the lowest ``counts[0]`` get ``codes[0]``, and so on.

    Gives exactly the stated numbers of parents while keeping the ordering, hence the
    correlations, that the latent score carries.
    """
    if sum(counts) != len(latent):
        raise ValueError(f"allocate: {sum(counts)} places for {len(latent)} parents")
    result = np.empty(len(latent), dtype=int)
    result[np.argsort(latent, kind="stable")] = np.repeat(codes, counts)
    return result


def composition_parts(published: pd.DataFrame, codebook: Codebook) -> dict[str, list[tuple[tuple[int, ...], float]]]:
    """For each demographic with a published composition figure: its codes grouped into the parts
    that the figures fix, with each part's share of the sample (proportions).

    Codes that the published figures do not tell apart form one part (ethnic group: White
    British 73%, Black 5%, the other minority groups 19 - 5 = 14%, other White 100 - 73 - 19 = 8%);
    a part's share is found from the figures by inclusion (a figure's codes are the union of its
    parts).
    """
    composition = published[published["measure"] == COMPOSITION]
    sets: dict[str, list[tuple[frozenset, float]]] = {}
    for row in composition.itertuples(index=False):
        (condition,) = codebook.subgroups[row.item].conditions
        sets.setdefault(condition.variable, []).append((frozenset(condition.codes), row.percent / 100))
    parts = {}
    for variable, figures in sets.items():
        codes = sorted(codebook.variables[variable].codes)
        signature = {code: tuple(code in codes_ for codes_, _ in figures) for code in codes}
        atoms = {}
        for code in codes:
            atoms.setdefault(signature[code], []).append(code)
        atom_list = [tuple(a) for a in atoms.values()]
        # each figure's share is the sum of its atoms' shares; the atoms' shares sum to one
        system = np.array([[set(atom) <= codes_ for atom in atom_list] for codes_, _ in figures]
                          + [[True] * len(atom_list)], dtype=float)
        target = np.array([share for _, share in figures] + [1.0])
        shares, residual, rank, _ = np.linalg.lstsq(system, target, rcond=None)
        if rank < len(atom_list) or not np.allclose(system @ shares, target) or (shares < -1e-12).any():
            raise ValueError(f"composition figures for {variable!r} do not fix the shares of its parts "
                             f"{atom_list}: {figures}")
        parts[variable] = list(zip(atom_list, np.clip(shares, 0, None)))
    return parts


#: The generator's assumed split of each part into its codes (share of the part), and the order
#: of the codes along the variable's latent score (low to high). Parts the published figures fix
#: are kept whole; only the split inside a part is assumed.
WITHIN_PART = {
    "sex": {1: 1.0, 2: 1.0},
    "household_type": {1: 1.0, 2: 1.0, 3: 1.0},
    "household_size": {2: 0.12, 3: 0.40, 4: 0.48, 5: 0.62, 6: 0.38},
    "age_band": {1: 1.0, 2: 0.45, 3: 0.43, 4: 0.12},
    "nssec": {5: 1.0, 4: 0.29, 3: 0.37, 2: 0.34, 1: 1.0},
    "qualification": {6: 1.0, 5: 0.08, 4: 0.37, 3: 0.30, 2: 0.25, 1: 1.0},
    "income_band": {1: 0.18, 2: 0.37, 3: 0.45, 4: 0.57, 5: 0.43},
    "tenure": {3: 0.47, 5: 0.05, 4: 0.48, 2: 0.87, 1: 0.13},
    "ethnic_group": {1: 1.0, 2: 1.0, 3: 1.0, 4: 0.64, 5: 0.22, 6: 0.14},
}


def code_counts(variable: str, parts, n: int) -> tuple[list[int], list[int]]:
    """(codes in latent order, number of parents with each) for one demographic.

    Each part gets its published share of ``n`` (:func:`exact_counts`), then its codes the
    assumed split of :data:`WITHIN_PART`.
    """
    order = list(WITHIN_PART[variable])
    per_part = exact_counts([share for _, share in parts], n)
    counts = {}
    for (codes, _), size in zip(parts, per_part):
        split = np.array([WITHIN_PART[variable][code] for code in codes])
        counts.update(zip(codes, exact_counts(split / split.sum(), size)))
    return order, [int(counts[code]) for code in order]


def _gumbel_top(rng: np.random.Generator, score: np.ndarray, count: int, eligible: np.ndarray) -> np.ndarray:
    """A draw of ``count`` eligible parents without replacement, each with weight exp(score)."""
    key = np.where(eligible, score + rng.gumbel(size=len(score)), -np.inf)
    chosen = np.zeros(len(score), dtype=bool)
    chosen[np.argsort(-key, kind="stable")[:count]] = True
    return chosen


def draw_respondents(rng: np.random.Generator, n: int, parts: dict) -> pd.DataFrame:
    """``n`` parents' demographics (codes of data/codebook.yml) from an assumed model, with the
    number of parents in every published part of the sample fixed (:func:`code_counts`).

    Dependence, by direction as widely reported for UK families (ONS Families and Households;
    English Housing Survey; GOV.UK Ethnicity facts and figures), with magnitudes that are
    assumptions: lone parents are mostly mothers and more often young or Black; Asian families are
    larger and more often live with other adults; a latent socio-economic position, lower for
    younger, lone, Black and mixed-ethnicity parents, drives qualification, occupational class
    (NS-SEC), income (also lower for lone parents) and owner-occupation (also more likely for older
    parents). Each variable is allocated by rank of a latent score with noise, so the counts are
    exact and the dependence is kept.
    """
    def counts(variable):
        return code_counts(variable, parts[variable], n)

    order, number = counts("ethnic_group")
    ethnic = allocate(rng.random(n), order, number)
    black, asian, mixed_other = ethnic == 3, ethnic == 4, np.isin(ethnic, [5, 6])
    minority = black | asian | mixed_other
    age = allocate(-0.45 * ~minority + rng.normal(size=n), *counts("age_band"))
    young, older = age == 1, age == 4

    order, number = counts("household_type")
    size_of = dict(zip(order, number))
    lone = _gumbel_top(rng, 0.9 * young + 1.2 * black + 0.5 * mixed_other - 0.7 * asian, size_of[2], np.ones(n, bool))
    other = _gumbel_top(rng, 0.6 * young + 0.9 * asian, size_of[3], ~lone)
    household = np.where(lone, 2, np.where(other, 3, 1))

    mother_score = np.select([lone, other], [2.2, 0.3], default=0.1) + rng.logistic(size=n)
    sex = allocate(mother_score, *counts("sex"))

    crowd = (0.45 * asian + 0.25 * black - 0.4 * young + np.select([lone, other], [-0.2, 0.35], default=0.0)
             + rng.normal(scale=0.6, size=n))
    order, number = counts("household_size")
    size_code = allocate(crowd - 2.0 * lone, order, number)
    # a couple with a child, or a child living with other adults, makes three people at least
    size_code = np.where((household != 2) & (size_code < 3), 3, size_code)

    position = rng.normal(size=n) - 0.5 * young - 0.6 * lone - 0.4 * black - 0.25 * mixed_other + 0.15 * older
    qualification = allocate(position + rng.normal(scale=0.8, size=n), *counts("qualification"))
    degree = (qualification == 1).astype(float)
    nssec = allocate(0.7 * position + 0.8 * degree + rng.normal(scale=0.7, size=n), *counts("nssec"))
    earning = (0.5 * position + 0.5 * (nssec == 1) - 0.9 * lone + 0.2 * (household == 1)
               + rng.normal(scale=0.6, size=n))
    income = allocate(earning, *counts("income_band"))
    housing = 0.5 * income - 0.6 * young + 0.4 * older - 0.3 * minority + rng.normal(scale=0.9, size=n)
    tenure = allocate(housing, *counts("tenure"))

    return pd.DataFrame({
        "sex": sex, "age_band": age, "household_type": household, "household_size": size_code,
        "nssec": nssec, "qualification": qualification, "income_band": income, "tenure": tenure,
        "ethnic_group": ethnic,
    })


def response_score(respondents: pd.DataFrame) -> np.ndarray:
    """Each parent's assumed log-odds of taking part, up to a constant.

    Lower for younger parents, lone parents, renters, parents with few or no qualifications,
    minority ethnic parents and fathers: the usual pattern of survey non-response.
    """
    score = (- 0.55 * (respondents["age_band"] == 1)
             - 0.45 * (respondents["household_type"] == 2)
             - 0.40 * respondents["tenure"].isin([3, 4, 5])
             - 0.60 * (respondents["qualification"] == 6)
             - 0.25 * respondents["qualification"].isin([4, 5])
             + 0.25 * (respondents["qualification"] == 1)
             - 0.30 * respondents["ethnic_group"].isin([3, 4, 5, 6])
             - 0.15 * (respondents["sex"] == 1))
    return score.to_numpy(dtype=float)


def trimmed(weights: np.ndarray, bounds: tuple[float, float] = WEIGHT_BOUNDS) -> np.ndarray:
    """Weights scaled to mean 1 and trimmed to ``bounds`` (repeated until both hold)."""
    w = weights * len(weights) / weights.sum()
    for _ in range(100):
        clipped = np.clip(w, *bounds)
        w = clipped * len(clipped) / clipped.sum()
        if np.all((w >= bounds[0] - 1e-12) & (w <= bounds[1] + 1e-12)):
            break
    return w


def nonresponse_weights(rng: np.random.Generator, respondents: pd.DataFrame, target: float,
                        tol: float = 1e-9) -> np.ndarray:
    """Weights of one over an assumed response propensity, with Kish design effect ``target``.

    The propensity is ``expit(c + a * (score + e))``: the assumed :func:`response_score`, a
    person-level term ``e ~ N(0, 0.7^2)`` standing for everything else (contactability, panel
    history), and a strength ``a`` found by bisection so that the design effect of the trimmed,
    mean-1 weights equals ``target`` (it grows with ``a`` from 1 at ``a = 0`` until trimming to
    :data:`WEIGHT_BOUNDS` flattens the weights; the first crossing is taken). The constant ``c``
    puts the mean propensity near one in three, a typical panel response rate (it shapes how the
    weights vary, not their mean).
    """
    if not 1.0 <= target < 3.0:
        raise ValueError(f"kish_deff={target!r}: a design effect of weighting must be in [1, 3)")
    linear = response_score(respondents) + rng.normal(scale=0.7, size=len(respondents))
    linear = linear - linear.mean()

    def weights(strength):
        return trimmed(1.0 / expit(logit(1 / 3) + strength * linear))

    # the design effect grows with the strength from 1 at 0 until trimming flattens the weights;
    # bracket the first crossing on a grid, then bisect
    grid = np.arange(0.0, 3.01, 0.25)
    above = [a for a in grid if kish_design_effect(weights(a)) >= target]
    if not above:
        raise ValueError(f"kish_deff={target}: not reachable within the weight bounds {WEIGHT_BOUNDS}")
    low, high = max(0.0, above[0] - 0.25), above[0]
    while high - low > tol:
        middle = (low + high) / 2
        low, high = (middle, high) if kish_design_effect(weights(middle)) < target else (low, middle)
    return weights((low + high) / 2)


def rake(weights: np.ndarray, members: np.ndarray, targets: np.ndarray, bounds: tuple[float, float] = WEIGHT_BOUNDS,
         tol: float = 1e-12, max_iter: int = 2000) -> np.ndarray:
    """Calibrate weights so each column of ``members`` has weighted share ``targets`` (raking).

    Iterative proportional fitting over binary margins (Deming & Stephan 1940): for each group in
    turn, scale members' weights by target / share and non-members' by (1 - target) / (1 - share).
    After each sweep, weights are trimmed to ``bounds`` times the mean weight (bounded raking, as
    survey agencies trim extreme weights; cf. R ``survey::calibrate(bounds = )``). Returns
    weights with mean 1.
    """
    w = np.asarray(weights, dtype=float) * len(weights) / np.sum(weights)
    x = members.astype(float)
    for _ in range(max_iter):
        for column, target in zip(members.T, targets):
            share = w[column].sum() / w.sum()
            w[column] *= target / share
            w[~column] *= (1 - target) / (1 - share)
        w = np.clip(w * len(w) / w.sum(), *bounds)
        gap = np.max(np.abs(x.T @ w / w.sum() - targets))
        if gap < tol:
            return w * len(w) / w.sum()
    raise ValueError(f"raking did not converge within bounds {bounds}: largest gap {gap:.2e}")



def fixed_decimals(values: np.ndarray, decimals: int = WEIGHT_DECIMALS) -> np.ndarray:
    """The floats that the file will hold once written with ``decimals`` places and read back."""
    return np.array([float(f"{v:.{decimals}f}") for v in values])


def assign_nonresponse(rng: np.random.Generator, item: Item, risk: np.ndarray) -> np.ndarray:
    """Missing code per respondent (0 = answered): 1-3.5% "don't know" and 1-3 refusals.

    Who says "don't know" is drawn with probability proportional to ``risk`` (assumed higher for
    parents without qualifications and younger parents).
    """
    n = len(risk)
    dont_know, refused = (code for code, _ in sorted(item.missing.items()))
    counts = (int(rng.integers(round(0.01 * n), round(0.035 * n) + 1)), int(rng.integers(1, 4)))
    chosen = rng.choice(n, size=sum(counts), replace=False, p=risk / risk.sum())
    missing = np.zeros(n, dtype=int)
    missing[chosen[:counts[0]]] = dont_know
    missing[chosen[counts[0]:]] = refused
    return missing


def solve_logit_effects(members: np.ndarray, weights: np.ndarray, targets: np.ndarray,
                        offset: np.ndarray, tol: float = 1e-12, max_iter: int = 100) -> np.ndarray:
    """Coefficients theta with weighted mean of expit(offset + members @ theta) = target per column.

    ``members`` is (n, G) with a first column of ones (the whole sample), so theta is an
    intercept plus one effect per subgroup; the groups may overlap. Newton's method on the G
    moment equations, with step halving when a step does not reduce the residual.
    """
    x = members.astype(float)
    size = x.T @ weights

    def residual(theta):
        p = expit(offset + x @ theta)
        return x.T @ (weights * p) / size - targets, p

    theta = np.zeros(x.shape[1])
    theta[0] = logit(targets[0])
    gap, p = residual(theta)
    for _ in range(max_iter):
        if np.max(np.abs(gap)) < tol:
            return theta
        jacobian = (x.T * (weights * p * (1 - p))) @ x / size[:, None]
        step, scale = np.linalg.solve(jacobian, gap), 1.0
        while scale > 1e-6:
            new_gap, new_p = residual(theta - scale * step)
            if np.linalg.norm(new_gap) < np.linalg.norm(gap):
                break
            scale /= 2
        theta, gap, p = theta - scale * step, new_gap, new_p
    raise ValueError(f"propensity model did not converge: largest gap {np.max(np.abs(gap)):.2e}")


def draw_counted(rng: np.random.Generator, propensity: np.ndarray) -> np.ndarray:
    """Independent Bernoulli draws: True where the respondent gives the counted answer."""
    return rng.random(len(propensity)) < propensity


def group_shares(counted: np.ndarray, weights: np.ndarray, members: np.ndarray) -> np.ndarray:
    """Weighted share giving the counted answer within each column of ``members``."""
    return (members.T.astype(float) @ (weights * counted)) / (members.T.astype(float) @ weights)


def repair_counts(counted: np.ndarray, weights: np.ndarray, members: np.ndarray, targets: np.ndarray,
                  half_widths: np.ndarray, propensity: np.ndarray, margin: float = REPAIR_MARGIN,
                  penalty: float = LIKELIHOOD_PENALTY, max_moves: int = 2000) -> np.ndarray:
    """Flip or swap answers, greedily, until every group share is within ``margin`` half-widths.

    The loss is the sum over groups of the squared gap between share and target, in half-widths
    of each figure's rounding interval, so every figure is pulled toward its interval's centre.
    A move is one flip (0 -> 1 or 1 -> 0) or a swap (one respondent 1 -> 0 and another 0 -> 1,
    which shifts shares by small weight differences, needed in groups of a few dozen). All moves
    are evaluated at once; the one that lowers the loss most is taken, with ties broken toward
    answers the propensity model finds likely (``penalty`` times the change in log-likelihood).
    Stops when every figure is within ``margin``, when no move lowers the loss (a local optimum:
    the caller checks the gaps and may start again from a fresh draw), or after ``max_moves``.
    """
    counted = counted.copy()
    x = members.astype(float)
    unit = x * weights[:, None] / (x.T @ weights)[None, :] / half_widths  # scaled shift of a 0 -> 1 flip
    log_odds = logit(np.clip(propensity, 1e-9, 1 - 1e-9))
    for _ in range(max_moves):
        gap = (group_shares(counted, weights, members) - targets) / half_widths
        if np.all(np.abs(gap) <= margin):
            break
        ones, zeros = np.flatnonzero(counted), np.flatnonzero(~counted)
        current = np.sum(gap**2)
        moves = [  # (loss change, likelihood cost) for: drop one, add one, swap a pair
            (np.sum((gap - unit[ones]) ** 2, axis=-1) - current, log_odds[ones]),
            (np.sum((gap + unit[zeros]) ** 2, axis=-1) - current, -log_odds[zeros]),
            (np.sum((gap - unit[ones][:, None] + unit[zeros][None, :]) ** 2, axis=-1) - current,
             log_odds[ones][:, None] - log_odds[zeros][None, :]),
        ]
        best = None
        for kind, (change, cost) in enumerate(moves):
            if change.size == 0:  # nobody to drop (or to add)
                continue
            total = np.where(change < -1e-12, change + penalty * cost, np.inf)
            where = np.unravel_index(np.argmin(total), total.shape)
            if np.isfinite(total[where]) and (best is None or total[where] < best[0]):
                best = (total[where], kind, where)
        if best is None:
            break
        _, kind, where = best
        changed = ([ones[where[0]]] if kind in (0, 2) else []) + ([zeros[where[-1]]] if kind in (1, 2) else [])
        counted[changed] = ~counted[changed]
    return counted


def fill_scale(rng: np.random.Generator, item: Item, counted: np.ndarray, propensity: np.ndarray,
               strong: float = 0.2, neither: float = 0.3) -> np.ndarray:
    """Spread counted / not-counted answers over the item's answer codes (assumed splits).

    Two-option questions take the counted code or the other one. On five-point scales, a parent
    giving the counted answer picks its stronger code with probability ``strong + 0.4 p`` (p:
    their propensity for the counted answer); a parent not giving it sits on the middle code with
    probability ``neither + 0.5 p`` (those leaning toward the counted answer are more often
    undecided), and otherwise takes the far side, strongly with probability ``0.25 + 0.4 (1 - p)``.
    None of this is published: the paper reports only the collapsed counted share.
    """
    options = item.scale.collapse
    extremes = {min(item.codes), max(item.codes)}
    chosen = np.asarray(options[item.counted])
    others = [codes for option, codes in options.items() if option != item.counted]
    if item.k == 2:
        return np.where(counted, chosen[0], others[0][0])
    middle = next(c for c in others if not extremes & set(c))[0]
    far = next(c for c in others if extremes & set(c))
    strong_counted = next(c for c in chosen if c in extremes)
    mild_counted = next(c for c in chosen if c not in extremes)
    strong_far = next(c for c in far if c in extremes)
    mild_far = next(c for c in far if c not in extremes)
    draw_strong, undecided, far_strong = (rng.random(len(counted)) for _ in range(3))
    on_counted = np.where(draw_strong < strong + 0.4 * propensity, strong_counted, mild_counted)
    on_far = np.where(far_strong < 0.25 + 0.4 * (1 - propensity), strong_far, mild_far)
    return np.where(counted, on_counted, np.where(undecided < neither + 0.5 * propensity, middle, on_far))


def factor_loading(item: Item) -> tuple[int, float]:
    """Which person-level factor an item loads on (0: awareness, 1: trust in linkage) and how.

    Awareness questions share an awareness factor; questions with a supportive answer load on a
    general "trust in linkage" factor, positively when the counted answer is the supportive one
    and negatively when it is not; the rest load on neither. Loadings are assumptions that give
    answers to related questions a plausible positive correlation.
    """
    if item.block == "awareness":
        return 0, 1.0
    if item.supportive is None:
        return 1, 0.0
    return 1, 1.0 if item.counted == item.supportive else -1.0




def unreported_offset(rng: np.random.Generator, respondents: pd.DataFrame, spread: float) -> np.ndarray:
    """Assumed answer effects (logit scale) of the groups the paper does not report, for one question.

    One effect ``~ N(0, spread^2)`` per group of :data:`UNREPORTED_GROUPS`, summed over the groups a
    parent belongs to. The published groups' effects are solved afterwards, so every published
    figure still holds; only how the unreported groups answer changes.
    """
    effects = rng.normal(scale=spread, size=len(UNREPORTED_GROUPS)) if spread > 0 else np.zeros(len(UNREPORTED_GROUPS))
    offset = np.zeros(len(respondents))
    for (variable, codes), effect in zip(UNREPORTED_GROUPS, effects):
        offset += effect * respondents[variable].isin(codes).to_numpy()
    return offset


def item_answers(rng: np.random.Generator, item: Item, figures: pd.DataFrame, weights: np.ndarray,
                 indicators: pd.DataFrame, factors: np.ndarray, risk: np.ndarray, unreported: np.ndarray,
                 choices: Choices) -> np.ndarray:
    """All respondents' codes for one question, meeting its published figures (steps 3 and 4)."""
    missing = assign_nonresponse(rng, item, risk)
    valid = missing == 0
    groups = figures["group"].tolist()
    shares = dict(zip(groups, figures["percent"] / 100))
    shares.setdefault("all", dict(choices.belief_anchors).get(item.key))
    if shares["all"] is None:
        raise ValueError(f"question {item.key!r}: no whole-sample figure published and no belief anchor chosen")
    fit_groups = ["all", *(g for g in groups if g != "all")]  # the intercept's column comes first
    fit_targets = [shares[g] for g in fit_groups]
    members = np.column_stack([np.ones(len(weights), bool) if g == "all" else indicators[g].to_numpy()
                               for g in fit_groups])[valid]
    factor, loading = factor_loading(item)
    offset = loading * factors[valid, factor] + unreported[valid]
    theta = solve_logit_effects(members, weights[valid], np.array(fit_targets), offset)
    propensity = expit(offset + members @ theta)
    published = members[:, [fit_groups.index(g) for g in groups]]
    targets = figures["percent"].to_numpy() / 100
    half_widths = (figures["high"] - figures["low"]).to_numpy() / 200
    best_counted, best_gap = None, np.inf
    for _ in range(REPAIR_ATTEMPTS):
        counted = repair_counts(draw_counted(rng, propensity), weights[valid], published, targets, half_widths, propensity)
        gap = np.max(np.abs(group_shares(counted, weights[valid], published) - targets) / half_widths)
        if gap < best_gap:
            best_counted, best_gap = counted, gap
        if gap <= REPAIR_MARGIN:
            break
    codes = missing.copy()
    codes[valid] = fill_scale(rng, item, best_counted, propensity, choices.strong, choices.neither)
    return codes


def sample_and_weights(rng: np.random.Generator, choices: Choices, codebook: Codebook, published: pd.DataFrame,
                       n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """The respondents and their weights, under the codebook's reading of the composition figures."""
    parts = composition_parts(published, codebook)
    if codebook.composition == "unweighted":
        respondents = draw_respondents(rng, n, parts)
        return respondents, nonresponse_weights(rng, respondents, choices.kish_deff)
    pool = draw_respondents(rng, POOL_SIZE, parts)
    propensity = expit(logit(1 / 3) + response_score(pool) + rng.normal(scale=0.7, size=len(pool)))
    chosen = np.sort(rng.choice(len(pool), size=n, replace=False, p=propensity / propensity.sum()))
    respondents = pool.iloc[chosen].reset_index(drop=True)
    composition = published[published["measure"] == COMPOSITION]
    indicators = codebook.subgroup_indicators(respondents)
    weights = rake(1.0 / propensity[chosen], indicators[composition["item"]].to_numpy(),
                   composition["percent"].to_numpy() / 100)
    return respondents, weights


def generate(choices: Choices = Choices(), codebook: Codebook | None = None, published: pd.DataFrame | None = None,
             n: int = N_RESPONDENTS) -> pd.DataFrame:
    """Build a synthetic respondent file: id, weight, demographics and every question's codes."""
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    rng = np.random.default_rng(choices.seed)
    respondents, weights = sample_and_weights(rng, choices, codebook, published, n)
    weights = fixed_decimals(weights)
    indicators = codebook.subgroup_indicators(respondents)

    factors = rng.normal(size=(n, 2))
    risk = np.exp(0.8 * indicators["no_qualifications"] + 0.4 * indicators["age_18_29"]).to_numpy()
    answers = {}
    for key, item in codebook.items.items():
        figures = published[published["item"] == key]
        unreported = unreported_offset(rng, respondents, choices.unreported_spread)
        answers[key] = item_answers(rng, item, figures, weights, indicators, factors, risk, unreported, choices)

    ids = pd.Series(np.arange(1, n + 1), name=codebook.id_variable)
    data = pd.concat([ids, pd.Series(weights, name=codebook.weight_variable), respondents,
                      pd.DataFrame(answers)], axis=1)
    return data[list(codebook.columns)]


def to_csv_bytes(data: pd.DataFrame) -> bytes:
    """The file's exact bytes: comma-separated, '\\n' line ends, weights with fixed decimals."""
    return data.to_csv(index=False, float_format=f"%.{WEIGHT_DECIMALS}f", lineterminator="\n").encode("utf-8")


def write_file(path: Path, data: pd.DataFrame) -> str:
    """Write ``data`` as a synthetic file's exact bytes; return their SHA-256."""
    content = to_csv_bytes(data)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    return hashlib.sha256(content).hexdigest()


def write_synthetic(path: Path = SYNTHETIC_PATH, choices: Choices = Choices()) -> str:
    """Generate the shipped file, write it and its SHA-256 line (``SHA256SUMS`` beside it); return the hash."""
    path = Path(path)
    digest = write_file(path, generate(choices))
    (path.parent / CHECKSUM_PATH.name).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def fidelity_report(path: Path, codebook: Codebook | None = None) -> list[str]:
    """Lines saying how many published figures the written file reproduces, naming any it misses."""
    table = fidelity_table(pd.read_csv(path), codebook=codebook)  # the file as written, weights as rounded
    met = table["within_rounding_interval"]
    lines = [f"{int(met.sum())} of {len(table)} published figures round to their published values"]
    lines += [f"  not met: {row.figure_id} ({row.item}, {row.group}): published {row.published:g}, "
              f"estimate {row.estimate:.3f}" for row in table[~met].itertuples()]
    return lines


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m social_licence.study.synthetic [--seed N] [--output PATH]``.

    Writes the file and reports how many published figures it reproduces, naming any it misses.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=SYNTHETIC_PATH)
    args = parser.parse_args(argv)
    digest = write_synthetic(args.output, Choices(seed=args.seed))
    report = fidelity_report(args.output)
    print(f"wrote {args.output} (sha256 {digest}); " + "\n".join(report))


if __name__ == "__main__":
    main()
