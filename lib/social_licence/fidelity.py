"""How well a respondent file reproduces the 108 published figures.

For the synthetic file this is the proof that it was built to the published margins (every figure
should round to its published value); for the archived file it is a check that the mapping and the
codebook reading of the paper are right. Every estimate comes from the package's own estimator,
:func:`social_licence.proportions.proportion`, on a weights-only design: the weighted share giving
the counted answer among valid answers (don't know and refused left out of the base), within the
figure's group. Composition figures are weighted shares too, like the attitude figures (the paper
does not say which; see data/README.md).
"""
from __future__ import annotations

import pandas as pd

from social_licence.codebook import Codebook, load_codebook
from social_licence.design import SurveyDesign
from social_licence.proportions import proportion
from social_licence.published import COMPOSITION, load_published, round_half_up

COLUMNS = ("figure_id", "measure", "item", "group", "published", "estimate", "rounded", "low", "high",
           "within_rounding_interval", "n")


def _estimate(design: SurveyDesign, figure, codebook: Codebook) -> tuple[float, int]:
    """(estimate in percent, unweighted base) for one published figure."""
    if figure.measure == COMPOSITION:
        condition = codebook.subgroups[figure.item].conditions[0]
        variable, positive, by = condition.variable, list(condition.codes), None
    else:
        item = codebook.items[figure.item]
        variable, positive = item.key, list(item.counted_codes)
        by = None if figure.group == "all" else figure.group
    # min_base=0: suppression of small bases is a display rule; here every estimate is wanted.
    result = proportion(design, variable, positive, by=by, missing_values=codebook.missing_codes(variable),
                        min_base=0)
    row = result.iloc[0] if by is None else result[result[by]].iloc[0]
    return 100 * float(row["estimate"]), int(row["n"])


def fidelity_table(data: pd.DataFrame, codebook: Codebook | None = None,
                   published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per published figure: published percent, recomputed estimate and whether it rounds back.

    Columns: figure_id, measure, item, group, published (percent), estimate (percent, full
    precision), rounded (estimate rounded half up to the published figure's decimals), low and
    high (the rounding interval), within_rounding_interval (the estimate rounds to the published
    value, i.e. ``low <= estimate < high``, decided in decimal arithmetic so that the two columns
    cannot disagree at a boundary) and n (the unweighted base). ``data`` is a respondent file in codebook terms (as from
    :func:`social_licence.loader.load_survey`); subgroup indicators are (re)computed from it.
    """
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    frame = data.assign(**codebook.subgroup_indicators(data))
    design = SurveyDesign(frame, weights=codebook.weight_variable)
    rows = []
    for figure in published.itertuples(index=False):
        estimate, n = _estimate(design, figure, codebook)
        rounded = round_half_up(estimate, figure.decimals)
        rows.append({
            "figure_id": figure.figure_id, "measure": figure.measure, "item": figure.item,
            "group": figure.group, "published": float(figure.percent), "estimate": estimate,
            "rounded": rounded, "low": figure.low, "high": figure.high,
            "within_rounding_interval": rounded == float(figure.percent), "n": n,
        })
    return pd.DataFrame(rows, columns=list(COLUMNS))
