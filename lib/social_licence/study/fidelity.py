"""How well a respondent file reproduces the 108 published figures.

For the synthetic file this is the proof that it was built to the published margins (every figure
should round to its published value); for the archived file it is a check that the mapping and the
codebook reading of the paper are right. Every estimate comes from the package's own estimator,
:func:`social_licence.survey.proportions.proportion`, on a weights-only design: the weighted share giving
the counted answer among valid answers (don't know and refused left out of the base), within the
figure's group. Composition figures are weighted shares too, like the attitude figures (the paper
does not say which; see data/README.md).
"""
from __future__ import annotations

import pandas as pd

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.published import load_published, round_half_up
from social_licence.study.recompute import estimate_figures, file_design

COLUMNS = ("figure_id", "measure", "item", "group", "published", "estimate", "rounded", "low", "high",
           "within_rounding_interval", "n")


def fidelity_table(data: pd.DataFrame, codebook: Codebook | None = None,
                   published: pd.DataFrame | None = None, *, dont_know_in_base: bool = False) -> pd.DataFrame:
    """One row per published figure: published percent, recomputed estimate and whether it rounds back.

    Columns: figure_id, measure, item, group, published (percent), estimate (percent, full
    precision), rounded (estimate rounded half up at the published figure's step), low and
    high (the rounding interval), within_rounding_interval (the estimate rounds to the published
    value, i.e. ``low <= estimate < high``, decided in decimal arithmetic so that the two columns
    cannot disagree at a boundary) and n (the unweighted base). ``data`` is a respondent file in
    codebook terms (as from :func:`social_licence.study.loader.load_survey`); subgroup indicators are
    (re)computed from it. Estimates come from :func:`social_licence.study.recompute.estimate_figures` with
    ``min_base=0``: suppressing small bases is a display rule, and this check needs every estimate.
    ``dont_know_in_base`` recomputes the figures with "don't know" answers in each base (the other
    reading of the paper's percentages).
    """
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    frame = data.assign(**codebook.subgroup_indicators(data))
    estimates = estimate_figures(file_design(frame, codebook), published, codebook, min_base=0,
                                 dont_know_in_base=dont_know_in_base)
    table = published[["figure_id", "measure", "item", "group", "low", "high"]].reset_index(drop=True)
    table["published"] = published["percent"].astype(float).to_numpy()
    table["estimate"] = 100 * estimates["estimate"].astype(float).to_numpy()
    table["rounded"] = [round_half_up(e, step) for e, step in zip(table["estimate"], published["step"])]
    table["within_rounding_interval"] = table["rounded"] == table["published"]
    table["n"] = estimates["n"].astype(int).to_numpy()
    return table[list(COLUMNS)]
