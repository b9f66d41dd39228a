"""The estimate behind each published figure, recomputed from a respondent file.

One estimator serves the fidelity check (:mod:`.fidelity`) and the report's tables: for an
attitude figure, the weighted share giving the counted answer among valid answers within the
figure's group (:func:`social_licence.survey.proportions.proportion` on a weights-only design);
for a composition figure, the share of the sample in the subgroup as the codebook reads the
paper's composition figures: unweighted (a share of the respondents, computed on equal weights) or
weighted (:attr:`social_licence.study.codebook.Codebook.composition`).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook
from social_licence.study.published import COMPOSITION
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion, proportion_by_each

ALL = "all"
#: the base below which :func:`proportion` flags an estimate (its default), raised with a larger minimum
FLAG_BASE = 50
#: the label of the missing code that the book's other reading of the base keeps in it
DONT_KNOW = "Don't know"


def file_design(data: pd.DataFrame, codebook: Codebook) -> SurveyDesign:
    """The design of a respondent file: its weights, with no strata or PSUs (the archive's file of
    this survey carries a non-response weight only, so every row is its own PSU, as R's
    ``svydesign(ids = ~1, weights = ~weight)``)."""
    return SurveyDesign(data, weights=codebook.weight_variable)


def figure_question(figure, codebook: Codebook, dont_know_in_base: bool = False) -> tuple[str, list, tuple]:
    """(variable, counted codes, missing codes) that a published figure counts; with
    ``dont_know_in_base``, "don't know" answers are not missing but part of the base."""
    if figure.measure == COMPOSITION:
        return figure.item, [True], ()
    item = codebook.items[figure.item]
    missing = tuple(code for code in codebook.missing_codes(item.key)
                    if not (dont_know_in_base and item.missing[code] == DONT_KNOW))
    return item.key, list(item.counted_codes), missing


def estimate_figures(design: SurveyDesign, figures: pd.DataFrame, codebook: Codebook, *,
                     dont_know_in_base: bool = False, **options) -> pd.DataFrame:
    """The estimate behind each row of ``figures`` from a respondent file's ``design`` (no verdicts).

    ``design`` is the survey design of a respondent file in codebook terms with its subgroup
    indicator columns (as :func:`social_licence.study.loader.load_survey` gives it, and
    :func:`file_design` states it); ``options`` go to :func:`proportion`
    (``method``, ``level``, ``min_base``, ``flag_base``). Attitude figures are the weighted share
    giving the counted answer among valid answers within the figure's group; composition figures
    the share of the sample in the subgroup, unweighted or weighted as the codebook reads them
    (an unweighted share comes with the interval a simple random sample would give it).
    ``dont_know_in_base`` is the book's other reading of the base: "don't know" answers counted in
    it (refusals still left out), which can only lower a share.

    Figures that count the same answers are estimated together: all their questions over all their
    groups in one :func:`proportion_by_each` call (its matrix-product route), and the whole sample
    in one :func:`proportion` call, which give :func:`proportion`'s results figure by figure.
    """
    # a larger minimum base than the usual flagging base raises the flag with it
    options.setdefault("flag_base", max(FLAG_BASE, options.get("min_base", 0)))
    data = design.data
    equal = SurveyDesign(data.assign(**{design.weights: 1.0}), weights=design.weights, strata=design.strata,
                         psu=design.psu)
    questions = [figure_question(figure, codebook, dont_know_in_base) for figure in figures.itertuples(index=False)]
    unweighted = [measure == COMPOSITION and codebook.composition == "unweighted" for measure in figures["measure"]]
    batches: dict[tuple, dict] = {}
    for (variable, counted, missing), flat, group in zip(questions, unweighted, figures["group"]):
        batch = batches.setdefault((flat, tuple(counted), tuple(missing)), {"items": [], "groups": []})
        batch["items"] += [] if variable in batch["items"] else [variable]
        batch["groups"] += [] if group in batch["groups"] else [group]
    found = {}
    for (flat, counted, missing), batch in batches.items():
        chosen = equal if flat else design
        if ALL in batch["groups"]:
            whole = proportion(chosen, batch["items"], list(counted), missing_values=missing, **options)
            found.update({(flat, counted, row["variable"], ALL): row for row in whole.to_dict("records")})
        groups = [group for group in batch["groups"] if group != ALL]
        if groups:
            parts = proportion_by_each(chosen, batch["items"], list(counted), by_each=groups, missing_values=missing,
                                       **options)
            members = parts[parts["group"].astype(bool)]
            found.update({(flat, counted, row["variable"], row["by"]): row for row in members.to_dict("records")})
    rows = []
    for figure, (variable, counted, _), flat in zip(figures.itertuples(index=False), questions, unweighted):
        estimate = found[(flat, tuple(counted), variable, figure.group)]
        rows.append({
            "figure_id": figure.figure_id, "measure": figure.measure, "item": figure.item,
            "item_label": codebook.name_of(figure.item), "group": figure.group,
            "group_label": codebook.name_of(figure.group), "answer": figure.answer,
            "k": figure.options, "published": float(figure.percent),
            **{column: estimate[column] for column in (
                "estimate", "se", "ci_low", "ci_high", "level", "method", "n", "n_missing",
                "weighted_n", "n_eff", "deff", "suppressed", "low_base")},
        })
    return pd.DataFrame(rows)


def figure_counts(data: pd.DataFrame, figures: pd.DataFrame, codebook: Codebook, *,
                  dont_know_in_base: bool = False) -> pd.DataFrame:
    """The respondents behind each figure that :func:`estimate_figures` recomputes, unweighted.

    One row per row of ``figures`` (indexed by ``figure_id``): ``n``, the rows in the figure's
    base (its group's rows with a valid answer: :func:`estimate_figures`' ``n``); ``n_counted``,
    those giving the counted answer; and ``n_eff``, Kish's effective size of the base's weights
    (``(sum w)^2 / sum w^2``; the base's ``n`` for a composition figure the codebook reads
    unweighted, as it is estimated on equal weights). Disclosure control asks for these counts, which an estimate's table
    does not carry (:mod:`social_licence.analysis.release`).
    """
    weights = data[codebook.weight_variable].to_numpy(dtype=float)
    rows = []
    for figure in figures.itertuples(index=False):
        variable, counted, missing = figure_question(figure, codebook, dont_know_in_base)
        answers = data[variable]
        group = pd.Series(True, index=data.index) if figure.group == ALL else data[figure.group].astype(bool)
        base = (group & answers.notna() & ~answers.isin(missing)).to_numpy()
        flat = figure.measure == COMPOSITION and codebook.composition == "unweighted"
        w = np.ones(int(base.sum())) if flat else weights[base]
        rows.append({"figure_id": figure.figure_id, "n": int(base.sum()),
                     "n_counted": int((base & answers.isin(counted).to_numpy()).sum()),
                     "n_eff": float(w.sum() ** 2 / (w ** 2).sum()) if base.any() else 0.0})
    return pd.DataFrame(rows, columns=["figure_id", "n", "n_counted", "n_eff"]).set_index("figure_id")
