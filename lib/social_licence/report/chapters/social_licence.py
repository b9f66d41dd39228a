"""Chapter "Social licence": the concept, the survey, who took part, and the consensus baseline."""
from __future__ import annotations

import pandas as pd

from social_licence.report import derived
from social_licence.report.book import Book, View
from social_licence.report.chapters.common import BLACK_OF_MINORITY, black_other_reading
from social_licence.report.display import data_origin, publish_table
from social_licence.report.tables import figure_estimates
from social_licence.study.published import COMPOSITION
from social_licence.survey.consensus import consensus_threshold
from social_licence.survey.design import kish_design_effect

#: the prefix of the chapter's glue keys
PREFIX = "sl"

SURVEY = "paper, \"Our survey\""
#: the share of don't-know answers at which the book shows how many published consensuses would fall
DONT_KNOW_SHARE = 5.0



def _dont_know_changes(view: View) -> float:
    """How many judged figures change verdict when don't know answers stay in the base (file)."""
    judged = view.published[view.published["measure"].isin(view.codebook.judged_blocks)]
    in_base = figure_estimates(view.survey, judged, codebook=view.codebook, min_base=0, dont_know_in_base=True)
    return float((in_base["verdict"].to_numpy() != view.estimates.loc[in_base["figure_id"], "verdict"].to_numpy()).sum())


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    published = book.published.set_index("figure_id")
    sizes = book.sizes.set_index("group")["size"]
    judged = book.verdicts[book.verdicts["measure"].isin(book.codebook.judged_blocks)]
    tolerance = derived.dont_know_tolerance(book.published).set_index("figure_id").loc[judged.index]
    reaching = tolerance["tolerance"].dropna()
    at_line = judged[judged["published"] == 100 * judged["threshold"]]
    at_line_dk = 100 * (1 - 100 * at_line["threshold"] / (at_line["published"] + 0.5))
    black = judged[judged["group"] == "black"]
    black_alt_n, alternative = black_other_reading(book)
    kish = book.file("kish", lambda view: kish_design_effect(view.data[view.codebook.weight_variable]),
                     basis="the design effect each synthetic file's weights were given" if not book.archived
                     else "respondent file's weights", unit="ratio", tolerance=0.05)
    dont_know = book.file("dont_know_changes", _dont_know_changes, basis="respondent file, don't know in the base",
                          unit="count", tolerance=0)
    return [
        book.published_fact("n", 843, SURVEY, "count"),
        book.published_fact("young", float(published.loc["S06", "percent"]), SURVEY),
        book.derived_fact("young_n", int(sizes["age_18_29"]), "12% of 843", "count"),
        book.published_fact("black", float(published.loc["S15", "percent"]), SURVEY),
        book.derived_fact("black_n", int(sizes["black"]), "5% of 843", "count"),
        book.derived_fact("black_alt_n", black_alt_n, BLACK_OF_MINORITY, "count"),
        book.derived_fact("black_judged", len(black), "the paper's judged figures for Black parents", "count"),
        book.derived_fact("black_open", int((black["verdict"] == "open").sum()), "5% of 843, design effect 2", "count"),
        book.derived_fact("black_alt_open", int((alternative["verdict"] == "open").sum()),
                          f"{BLACK_OF_MINORITY}, design effect 2", "count"),
        book.published_fact("threshold2", 100 * consensus_threshold(2), "paper, consensus baseline"),
        book.published_fact("threshold3", 100 * consensus_threshold(3), "paper, consensus baseline"),
        book.published_fact("n_judged", len(judged), "the paper's figures judged against the baseline", "count"),
        book.published_fact("n_awareness", int((book.verdicts["measure"] == "awareness").sum()),
                            "paper, Table 1 and text", "count"),
        book.derived_fact("dk_reaching", len(reaching), "printed figures at or above their threshold", "count"),
        book.derived_fact("dk_share", DONT_KNOW_SHARE, "this book's illustration"),
        book.derived_fact("dk_fall", int((reaching < DONT_KNOW_SHARE).sum()), "printed figures and thresholds", "count"),
        book.derived_fact("at_line", len(at_line), "printed figures equal to their threshold", "count"),
        book.derived_fact("at_line_dk", float(at_line_dk.max()), "printed figures half a point above their line"),
        book.derived_fact("rounding", int(judged["depends_on_rounding"].sum()),
                          "derived verdicts at either end of the printed figures' rounding, design effect 2", "count"),
        book.text_fact("at_line_list", "; ".join(
            f"{book.codebook.name_of(r.group)}, “{book.codebook.name_of(r.item)}”" for r in at_line.itertuples()),
            "printed figures equal to their threshold"),
        kish, dont_know,
        book.reading("kish_reading", [kish], finding="The weights of the archived file have a Kish design effect of "
                     "{sl_kish}, inside the range of 1 to 2 that the derived intervals assume.",
                     shows="the design effect of the panel's weights, which the paper does not publish"),
        book.reading("dont_know_reading", [dont_know],
                     finding="Recomputed from the archived file with don't know counted in each base, "
                             "{sl_dont_know_changes} of the judged figures change verdict.",
                     shows="how many verdicts change when the survey's own don't-know answers are counted in "
                           "each base"),
    ]


def composition(book: Book) -> pd.DataFrame:
    """The 15 printed shares of the sample beside the parents they imply and the respondent file's
    counts and weighted shares."""
    figures = book.published[book.published["measure"] == COMPOSITION]
    data, weights = book.view.data, book.view.data[book.codebook.weight_variable]
    rows = []
    for row in figures.itertuples(index=False):
        members = data[row.item]
        rows.append({"figure_id": row.figure_id, "group": row.item, "published": float(row.percent),
                     "implied": int(derived.SAMPLE_SIZE * row.percent / 100 + 0.5),
                     "file_count": int(members.sum()), "file_weighted": 100 * float(weights[members].sum() / weights.sum())})
    return pd.DataFrame(rows)


def publish_composition(book: Book):
    """Who took part: the printed shares, the parents they imply, and this file's counts and weighted shares."""
    table = composition(book)
    shown = pd.DataFrame({
        "Parents": [book.codebook.name_of(g) for g in table["group"]],
        "Printed share %": [f"{p:g}" for p in table["published"]],
        "Parents (share of 843)": [str(n) for n in table["implied"]],
        "In this file": [str(n) for n in table["file_count"]],
        "Weighted share in this file %": [f"{p:.1f}" for p in table["file_weighted"]],
    })
    caption = ("Who took part: the shares of the sample printed in the paper's \"Our survey\" section, read as shares of "
               "the 843 respondents (the book's reading), the number of parents each implies, and the respondent "
               "file's number of respondents and weighted share in each group (groups overlap)")
    if not book.archived:
        caption += (". On a synthetic file the counts equal the implied numbers by construction and the weighted "
                    "shares follow the weights the generator chose")
    return publish_table("tbl-sl-composition", shown, table, caption, data_origin(book.source))
