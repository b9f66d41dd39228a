"""What a respondent file adds: the numbers the book reads from one file, for this build's file and
for each equally faithful synthetic file of the ensemble.

A synthetic file reproduces the published figures; everything else in it is its generator's
choice. :func:`file_numbers` computes, from one file, the numbers the "How sure can we be?" chapter
interprets (a design effect, a verdict count, a test, an unpublished share); applied to this build's
file and to every ensemble member it shows which of them the publication pins down (the same in
every file) and which the generator sets (they vary). From the archived file they are the survey's
own.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_licence.analysis.contrasts import file_contrasts
from social_licence.analysis.groups import collapse_categories, rao_scott_across
from social_licence.study.codebook import Codebook
from social_licence.study.loader import SurveyData
from social_licence.study.recompute import estimate_figures, figure_counts, file_design
from social_licence.survey.consensus import consensus_verdicts
from social_licence.survey.design import kish_design_effect

HIGHER = "higher_occupation_qualification_income"
POLICE, BLACK_POLICE = "police_and_criminal_justice", "T3_21"
#: what each number of :func:`file_numbers` is, in words, and the width within which the
#: publication counts as pinning it down across the ensemble, with its unit
NUMBERS = {
    "police_share": ("Black parents trusting the police", 1.0, "percent"),
    "police_width": ("width of the interval for Black parents' trust in the police", 2.0, "points"),
    "young_count": ("parents aged 18-29 in the file", 1, "count"),
    "young_weighted": ("weighted share of parents aged 18-29", 1.0, "percent"),
    "kish": ("Kish design effect of the file's weights", 0.05, "ratio"),
    "agree": ("judged figures whose file verdict equals the derived one", 0, "count"),
    "police_p": ("Holm p of Black parents against the rest, trust in the police", 0.05, "p"),
    "held": ("contrasts of the family that hold after Holm in the file", 0, "count"),
    "fathers_police": ("fathers trusting the police (never published)", 1.0, "percent"),
    "higher_count": ("parents in the higher occupation, qualification or income group", 1, "count"),
    "rao_scott_p": ("Rao-Scott p that trust in the police is the same in four ethnic groups", 0.05, "p"),
}
#: what each number of :data:`NUMBERS` is, for disclosure control: an ``estimate`` over a base with
#: a numerator, a ``count`` of respondents, or a ``statistic`` of a base (a design effect, a test, a
#: count of figures), which has no numerator
KINDS = {"police_share": "estimate", "police_width": "estimate", "young_count": "count",
         "young_weighted": "estimate", "kish": "statistic", "agree": "statistic", "police_p": "statistic",
         "held": "statistic", "fathers_police": "estimate", "higher_count": "count", "rao_scott_p": "statistic"}
#: the ethnic groups of the test across them: the paper reports only the first and third
ETHNIC_GROUPS = {"White British": [1], "Other White background": [2], "Black or Black British": [3],
                 "Asian, mixed or other ethnic group": [4, 5, 6]}


def file_numbers(survey: SurveyData, codebook: Codebook, published: pd.DataFrame, derived_verdicts: pd.Series, *,
                 method: str = "beta", level: float = 0.95, min_base: int = 30, dont_know_in_base: bool = False,
                 factor: float = 1.5, rule: str = "interval") -> dict[str, float]:
    """The numbers of :data:`NUMBERS` from one respondent file (``survey``, under ``codebook``).

    ``derived_verdicts`` are the judged figures' derived verdicts by figure id, against which the
    file's own interval verdicts are counted. The file's estimates use the design of its weights
    (:func:`social_licence.study.recompute.file_design`), the given interval ``method`` and
    ``level``; its contrasts are the family of :func:`social_licence.analysis.contrasts.file_contrasts`.
    """
    data = survey.data
    design = file_design(data, codebook)
    figures = published[published["figure_id"].isin([*derived_verdicts.index, BLACK_POLICE])]
    estimates = estimate_figures(design, figures, codebook, method=method, level=level, min_base=min_base,
                                 dont_know_in_base=dont_know_in_base)
    judged = consensus_verdicts(estimates, k="k", factor=factor, rule=rule).set_index("figure_id")
    family = file_contrasts(design, published, codebook, level=level,
                            dont_know_in_base=dont_know_in_base).set_index("figure_id")
    police = judged.loc[BLACK_POLICE]
    item = codebook.items[POLICE]
    fathers = (data["sex"] == 1) & data[POLICE].isin(item.codes)
    weights = data[codebook.weight_variable]
    return {
        "police_share": 100 * float(police["estimate"]),
        "police_width": 100 * float(police["ci_high"] - police["ci_low"]),
        "young_count": float(data["age_18_29"].sum()),
        "young_weighted": 100 * float(np.average(data["age_18_29"], weights=weights)),
        "kish": kish_design_effect(weights),
        "agree": float((judged.loc[derived_verdicts.index, "verdict"] == derived_verdicts).sum()),
        "police_p": float(family.loc[BLACK_POLICE, "p_holm"]),
        "held": float((family["p_holm"] < 1 - level).sum()),
        "fathers_police": 100 * float(np.average(data.loc[fathers, POLICE].isin(item.counted_codes),
                                                 weights=weights[fathers])),
        "higher_count": float(data[HIGHER].sum()),
        "rao_scott_p": float(rao_scott_across(data, POLICE, collapse_categories(data, "ethnic_group", ETHNIC_GROUPS,
                                                                                codebook=codebook),
                                              codebook=codebook)["p_value"].iloc[0]),
    }


def counts_behind(survey: SurveyData, codebook: Codebook, published: pd.DataFrame, *,
                  dont_know_in_base: bool = False) -> pd.DataFrame:
    """The respondents behind each number of :data:`NUMBERS` in one file, for disclosure control.

    One row per number (indexed by its name): ``kind`` (:data:`KINDS`), ``n`` (the unweighted
    base: for a test, its smallest group's), ``n_counted`` (the respondents giving the counted
    answer, for an estimate; else empty) and ``n_eff`` (Kish's effective size of an estimate's
    base). Counted as :func:`file_numbers` computes the numbers, under the same reading of the base.
    """
    data = survey.data
    police = published[published["figure_id"] == BLACK_POLICE]
    whole = published[(published["item"] == POLICE) & (published["group"] == "all")].iloc[:1]
    counts = figure_counts(data, pd.concat([police, whole]), codebook, dont_know_in_base=dont_know_in_base)
    black, everyone = counts.loc[BLACK_POLICE], counts.iloc[-1]
    item = codebook.items[POLICE]
    answered = (data["sex"] == 1) & data[POLICE].isin(item.codes)
    weights = data[codebook.weight_variable]

    def kish(rows) -> float:
        return float(weights[rows].sum() ** 2 / (weights[rows] ** 2).sum())

    tested = rao_scott_across(data, POLICE, collapse_categories(data, "ethnic_group", ETHNIC_GROUPS, codebook=codebook),
                              codebook=codebook)
    rows = len(data)
    behind = {
        "police_share": (black["n"], black["n_counted"], black["n_eff"]),
        "police_width": (black["n"], black["n_counted"], black["n_eff"]),
        "young_count": (int(data["age_18_29"].sum()), None, None),
        "young_weighted": (rows, int(data["age_18_29"].sum()), kish(data.index)),
        "kish": (rows, None, None),
        "agree": (rows, None, None),
        "police_p": (min(black["n"], everyone["n"] - black["n"]), None, None),
        "held": (rows, None, None),
        "fathers_police": (int(answered.sum()), int(data.loc[answered, POLICE].isin(item.counted_codes).sum()),
                           kish(answered)),
        "higher_count": (int(data[HIGHER].sum()), None, None),
        "rao_scott_p": (int(tested["min_group_base"].iloc[0]), None, None),
    }
    return pd.DataFrame([{"number": name, "kind": KINDS[name], "n": int(n),
                          "n_counted": pd.NA if counted is None else int(counted),
                          "n_eff": float("nan") if n_eff is None else float(n_eff)}
                         for name, (n, counted, n_eff) in behind.items()]).astype(
        {"n_counted": "Int64"}).set_index("number")
