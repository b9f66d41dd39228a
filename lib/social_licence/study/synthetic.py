"""A synthetic respondent file reconstructed from the 108 published figures.

The survey's respondent-level file is archived under licence (UKDA-SN-856334) and is not public.
So that every chapter can run, this module builds a stand-in: 843 made-up parents whose weighted
shares reproduce, after rounding, every figure the study published. It is NOT the survey's data:
anything beyond the published margins (cross-tabulations of questions, interactions, models)
reflects the assumptions written below, not what parents said. See ``data/README.md``.

How it is built (each step a function below; all randomness from one explicit
``numpy.random.Generator`` made from ``seed``):

1. :func:`draw_population` draws a pool of parents from a simple model of how the demographics
   hang together (a latent socio-economic position drives qualification, occupation, income and
   tenure; younger, lone and some minority ethnic parents are placed lower, and so on).
2. :func:`response_propensity` and :func:`select_respondents` take 843 of them with probabilities
   that are lower for groups known to respond less to surveys, and give each a base weight of one
   over that propensity.
3. :func:`rake` calibrates the base weights (iterative proportional fitting) so that the weighted
   sample composition equals the 15 published composition figures exactly, with mean weight 1.
   The composition figures are therefore read as weighted, like the attitude figures.
4. For each question, :func:`assign_nonresponse` marks a few "don't know" and refused answers;
   :func:`solve_logit_effects` finds a logistic propensity of giving the counted answer, with one
   effect per published subgroup (the groups overlap), whose weighted group means equal the
   published figures; :func:`draw_counted` draws answers from it; and :func:`repair_counts`
   flips single answers or swaps pairs, greedily, until every published figure for the question
   is within a safety margin of its rounding interval's centre.
5. :func:`fill_scale` spreads the counted / not-counted answers over the 5-point codes.

:func:`generate` runs the steps; ``python -m social_licence.study.synthetic`` writes the file and its
SHA-256 (``make data``), byte for byte the same for the same seed.
"""
from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook, Item, load_codebook
from social_licence.study.fidelity import fidelity_table
from social_licence.study.paths import CHECKSUM_PATH, SYNTHETIC_PATH
from social_licence.study.published import COMPOSITION, load_published

SEED = 20210843
N_RESPONDENTS = 843
POOL_SIZE = 2600
WEIGHT_DECIMALS = 6
#: Weights are trimmed to this range, relative to a mean weight of 1.
WEIGHT_BOUNDS = (0.2, 5.0)

#: Whole-sample shares assumed for questions the paper reports only for subgroups (generator
#: assumptions, used to anchor the propensity model; they are not published and not checked).
ASSUMED_WHOLE_SAMPLE = {
    "linked_records_factual_and_unbiased": 0.50,
    "linkage_leads_to_discrimination": 0.45,
    "records_use_discourages_service_use": 0.45,
}
#: Share of a figure's rounding half-width the repair step aims inside (0.5: a whole-number
#: figure is brought within +-0.25 points of its published value).
REPAIR_MARGIN = 0.5
#: Weight of keeping answers likely under the propensity model, relative to the fit, when the
#: repair step chooses between moves (a tie-breaker, so flips go to plausible respondents).
LIKELIHOOD_PENALTY = 0.01
#: Fresh draws the repair step may start from when a greedy search stalls short of the margin
#: (it can, in groups of a few dozen with unequal weights); the closest result is kept.
REPAIR_ATTEMPTS = 10


def expit(x: np.ndarray) -> np.ndarray:
    """Logistic function 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-np.clip(x, -40, 40)))


def logit(p: float | np.ndarray) -> float | np.ndarray:
    """Log-odds log(p / (1 - p)), the inverse of :func:`expit`."""
    return np.log(p) - np.log1p(-p)


def categorise(latent: np.ndarray, codes: list[int], shares: list[float]) -> np.ndarray:
    """Cut a latent score at its empirical quantiles: lowest ``shares[0]`` get ``codes[0]``, etc.

    Gives the pool exactly the stated shares (up to rounding of counts) while keeping the
    ordering, hence the correlations, that the latent score carries.
    """
    edges = np.quantile(latent, np.cumsum(shares)[:-1])
    return np.asarray(codes)[np.searchsorted(edges, latent, side="right")]


def draw_population(rng: np.random.Generator, size: int) -> pd.DataFrame:
    """Draw ``size`` parents' demographics (codes of data/codebook.yml) from an assumed model.

    Margins are set near the published composition (the raking step enforces it exactly on the
    weighted sample), except that Black parents are drawn at 6.5% rather than 5% so that the group
    keeps a base of about 40 respondents after non-response. Dependence, by direction as widely reported for UK families (ONS
    Families and Households; English Housing Survey; GOV.UK Ethnicity facts and figures), with
    magnitudes that are assumptions: lone parents are mostly mothers and more often young or
    Black; Asian families are larger and more often live with other adults; a latent
    socio-economic position, lower for younger, lone, Black and mixed-ethnicity parents, drives
    qualification, occupational class (NS-SEC), income (also lower for lone parents) and owner-
    occupation (also more likely for older parents).
    """
    ethnic = rng.choice([1, 2, 3, 4, 5, 6], size=size, p=[0.715, 0.08, 0.065, 0.09, 0.03, 0.02])
    black, asian, mixed_other = ethnic == 3, ethnic == 4, np.isin(ethnic, [5, 6])
    minority = black | asian | mixed_other
    age = categorise(0.45 * ~minority + rng.normal(size=size), [1, 2, 3, 4], [0.12, 0.40, 0.38, 0.10])
    young, older = age == 1, age == 4

    lone_score = -2.0 + 0.9 * young + 1.2 * black + 0.5 * mixed_other - 0.7 * asian
    other_score = -1.85 + 0.6 * young + 0.9 * asian
    scores = np.column_stack([np.zeros(size), lone_score, other_score])
    chance = np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
    household = 1 + (rng.random(size)[:, None] > chance.cumsum(axis=1)).sum(axis=1)
    lone, other = household == 2, household == 3

    mother_chance = np.select([lone, other], [0.90, 0.57], default=0.52)
    sex = np.where(rng.random(size) < mother_chance, 2, 1)

    extra = rng.poisson(np.exp(np.log(0.88) + 0.45 * asian + 0.25 * black - 0.4 * young
                               + np.select([lone, other], [-0.2, 0.35], default=0.0)))
    size_code = np.minimum(np.where(lone, 2, 3) + extra, 6)

    position = rng.normal(size=size) - 0.5 * young - 0.6 * lone - 0.4 * black - 0.25 * mixed_other + 0.15 * older
    qualification = categorise(position + rng.normal(scale=0.8, size=size), [6, 5, 4, 3, 2, 1],
                               [0.10, 0.03, 0.15, 0.12, 0.10, 0.50])
    degree = (qualification == 1).astype(float)
    occupation = 0.7 * position + 0.8 * degree + rng.normal(scale=0.7, size=size)
    nssec = categorise(occupation, [5, 4, 3, 2, 1], [0.385, 0.05, 0.065, 0.06, 0.44])
    earning = 0.5 * position + 0.5 * (nssec == 1) - 0.9 * lone + 0.2 * (household == 1) + rng.normal(scale=0.6, size=size)
    income = categorise(earning, [1, 2, 3, 4, 5], [0.12, 0.24, 0.29, 0.20, 0.15])
    housing = 0.5 * income - 0.6 * young + 0.4 * older - 0.3 * minority + rng.normal(scale=0.9, size=size)
    tenure = categorise(housing, [3, 5, 4, 2, 1], [0.19, 0.02, 0.19, 0.52, 0.08])

    return pd.DataFrame({
        "sex": sex, "age_band": age, "household_type": household, "household_size": size_code,
        "nssec": nssec, "qualification": qualification, "income_band": income, "tenure": tenure,
        "ethnic_group": ethnic,
    })


def response_propensity(rng: np.random.Generator, pool: pd.DataFrame) -> np.ndarray:
    """Each pooled parent's chance of taking part (assumed logistic model).

    Lower for younger parents, lone parents, renters, parents with few or no qualifications,
    minority ethnic parents and fathers, the usual pattern of survey non-response; a
    person-level random term stands for everything else (contactability, panel history) and
    makes the weights vary continuously.
    """
    score = (-0.55
             - 0.55 * (pool["age_band"] == 1)
             - 0.45 * (pool["household_type"] == 2)
             - 0.40 * pool["tenure"].isin([3, 4, 5])
             - 0.60 * (pool["qualification"] == 6)
             - 0.25 * pool["qualification"].isin([4, 5])
             + 0.25 * (pool["qualification"] == 1)
             - 0.30 * pool["ethnic_group"].isin([3, 4, 5, 6])
             - 0.15 * (pool["sex"] == 1))
    return expit(score.to_numpy(dtype=float) + rng.normal(scale=0.7, size=len(pool)))


def select_respondents(rng: np.random.Generator, pool: pd.DataFrame, propensity: np.ndarray,
                       n: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Draw ``n`` respondents with probability proportional to propensity; base weight 1 / propensity."""
    chosen = np.sort(rng.choice(len(pool), size=n, replace=False, p=propensity / propensity.sum()))
    return pool.iloc[chosen].reset_index(drop=True), 1.0 / propensity[chosen]


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


def fill_scale(rng: np.random.Generator, item: Item, counted: np.ndarray, propensity: np.ndarray) -> np.ndarray:
    """Spread counted / not-counted answers over the item's answer codes (assumed splits).

    Two-option questions take the counted code or the other one. On five-point scales, a parent
    giving the counted answer picks its stronger code with probability 0.2 + 0.4 p (p: their
    propensity for the counted answer); a parent not giving it sits on the middle code with
    probability 0.3 + 0.5 p (those leaning toward the counted answer are more often undecided),
    and otherwise takes the far side, strongly with probability 0.25 + 0.4 (1 - p).
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
    strong, undecided, far_strong = (rng.random(len(counted)) for _ in range(3))
    on_counted = np.where(strong < 0.2 + 0.4 * propensity, strong_counted, mild_counted)
    on_far = np.where(far_strong < 0.25 + 0.4 * (1 - propensity), strong_far, mild_far)
    return np.where(counted, on_counted, np.where(undecided < 0.3 + 0.5 * propensity, middle, on_far))


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


def item_answers(rng: np.random.Generator, item: Item, figures: pd.DataFrame, weights: np.ndarray,
                 indicators: pd.DataFrame, factors: np.ndarray, risk: np.ndarray) -> np.ndarray:
    """All respondents' codes for one question, meeting its published figures (steps 4 and 5)."""
    missing = assign_nonresponse(rng, item, risk)
    valid = missing == 0
    groups = figures["group"].tolist()
    shares = dict(zip(groups, figures["percent"] / 100))
    shares.setdefault("all", ASSUMED_WHOLE_SAMPLE.get(item.key))
    if shares["all"] is None:
        raise ValueError(f"question {item.key!r}: no whole-sample figure published and none in ASSUMED_WHOLE_SAMPLE")
    fit_groups = ["all", *(g for g in groups if g != "all")]  # the intercept's column comes first
    fit_targets = [shares[g] for g in fit_groups]
    members = np.column_stack([np.ones(len(weights), bool) if g == "all" else indicators[g].to_numpy()
                               for g in fit_groups])[valid]
    factor, loading = factor_loading(item)
    offset = loading * factors[valid, factor]
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
    codes[valid] = fill_scale(rng, item, best_counted, propensity)
    return codes


def generate(seed: int = SEED, codebook: Codebook | None = None, published: pd.DataFrame | None = None,
             n: int = N_RESPONDENTS) -> pd.DataFrame:
    """Build the synthetic respondent file: id, weight, demographics and every question's codes."""
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    rng = np.random.default_rng(seed)

    pool = draw_population(rng, POOL_SIZE)
    respondents, base = select_respondents(rng, pool, response_propensity(rng, pool), n)
    composition = published[published["measure"] == COMPOSITION]
    indicators = codebook.subgroup_indicators(respondents)
    weights = rake(base, indicators[composition["item"]].to_numpy(), composition["percent"].to_numpy() / 100)
    weights = fixed_decimals(weights)

    factors = rng.normal(size=(n, 2))
    risk = np.exp(0.8 * indicators["no_qualifications"] + 0.4 * indicators["age_18_29"]).to_numpy()
    answers = {}
    for key, item in codebook.items.items():
        figures = published[published["item"] == key]
        answers[key] = item_answers(rng, item, figures, weights, indicators, factors, risk)

    ids = pd.Series(np.arange(1, n + 1), name=codebook.id_variable)
    data = pd.concat([ids, pd.Series(weights, name=codebook.weight_variable), respondents,
                      pd.DataFrame(answers)], axis=1)
    return data[list(codebook.columns)]


def to_csv_bytes(data: pd.DataFrame) -> bytes:
    """The file's exact bytes: comma-separated, '\\n' line ends, weights with fixed decimals."""
    return data.to_csv(index=False, float_format=f"%.{WEIGHT_DECIMALS}f", lineterminator="\n").encode("utf-8")


def write_synthetic(path: Path = SYNTHETIC_PATH, seed: int = SEED) -> str:
    """Generate the file, write it and its SHA-256 line (``SHA256SUMS`` beside it); return the hash."""
    content = to_csv_bytes(generate(seed))
    digest = hashlib.sha256(content).hexdigest()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    (path.parent / CHECKSUM_PATH.name).write_text(f"{digest}  {path.name}\n", encoding="utf-8")
    return digest


def main(argv: list[str] | None = None) -> None:
    """Command line: ``python -m social_licence.study.synthetic [--seed N] [--output PATH]``.

    Writes the file and reports how many published figures it reproduces, naming any it misses.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=SYNTHETIC_PATH)
    args = parser.parse_args(argv)
    digest = write_synthetic(args.output, args.seed)
    table = fidelity_table(pd.read_csv(args.output))  # the file as written, weights as rounded
    met = table["within_rounding_interval"]
    print(f"wrote {args.output} (sha256 {digest}); {int(met.sum())} of {len(table)} published figures "
          f"round to their published values")
    for row in table[~met].itertuples():
        print(f"  not met: {row.figure_id} ({row.item}, {row.group}): published {row.published:g}, "
              f"estimate {row.estimate:.3f}")


if __name__ == "__main__":
    main()
