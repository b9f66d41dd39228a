"""Chapter "How sure can we be?": what the published figures pin down, what a respondent file adds,
and (on a synthetic build) how far equally faithful synthetic files agree."""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_licence.report import derived
from social_licence.report.blocks import HIGHER, PUBLISHED_ORIGIN
from social_licence.report.book import Book, View
from social_licence.report.chapters.common import count
from social_licence.report.display import data_origin, no_table, p_value, publish_table
from social_licence.report.plotting import (
    glue_figure,
    margins_plot,
    verdicts_by_deff_plot,
)
from social_licence.report.vocabulary import word
from social_licence.survey.design import kish_design_effect
from social_licence.survey.intervals import METHODS

#: the prefix of the chapter's glue keys
PREFIX = "un"
#: a design effect beyond the assumed range, to show what happens if weighting costs more
BEYOND = 3.0

#: design effects of the sweep figure
SWEEP = np.round(np.arange(derived.DEFF_RANGE[0], derived.DEFF_RANGE[1] + 1e-9, 0.1), 1)
METHOD_NAMES = {"beta": "Korn–Graubard (beta)", "logit": "Logit", "wilson": "Wilson"}


def judged(book: Book) -> pd.DataFrame:
    return book.verdicts[book.verdicts["measure"].isin(book.codebook.judged_blocks)]


def _police_width(view: View) -> float:
    row = view.estimates.loc["T3_21"]
    return 100 * float(row["ci_high"] - row["ci_low"])


def _fathers_police(view: View) -> float:
    data, item = view.data, view.codebook.items["police_and_criminal_justice"]
    base = (data["sex"] == 1) & data[item.key].isin(item.codes)
    weights = data.loc[base, view.codebook.weight_variable]
    return 100 * float(np.average(data.loc[base, item.key].isin(item.counted_codes), weights=weights))


def _agreeing(book: Book):
    verdicts = judged(book)["verdict"]

    def agree(view: View) -> float:
        return float((view.estimates.loc[verdicts.index, "verdict"] == verdicts).sum())
    return agree


def file_numbers(book: Book) -> list:
    """The numbers the chapter takes from the respondent file, each with its ensemble range."""
    return [
        book.file("police_share", lambda v: 100 * float(v.estimates.loc["T3_21", "estimate"]),
                  basis="Black parents trusting the police (published: 28%)", unit="percent", tolerance=1.0),
        book.file("young_count", lambda v: float(v.data["age_18_29"].sum()),
                  basis="parents aged 18-29 in the file (printed share: 12%)", unit="count", tolerance=1),
        book.file("kish", lambda v: kish_design_effect(v.data[v.codebook.weight_variable]),
                  basis="Kish design effect of the file's weights"
                        + ("" if book.archived else ", the generator's setting"),
                  unit="ratio", tolerance=0.05),
        book.file("young_weighted", lambda v: 100 * float(np.average(v.data["age_18_29"],
                                                                      weights=v.data[v.codebook.weight_variable])),
                  basis="weighted share of parents aged 18-29", unit="percent", tolerance=1.0),
        book.file("agree", _agreeing(book), basis="judged figures whose file verdict equals the derived one",
                  unit="count", tolerance=0),
        book.file("police_width", _police_width, basis="width of the interval for Black parents' trust in the police",
                  unit="points", tolerance=2.0),
        book.file("police_p", lambda v: float(v.contrasts.loc["T3_21", "p_holm"]),
                  basis="Holm p of Black parents against the rest, trust in the police", unit="p", tolerance=0.05),
        book.file("held", lambda v: float((v.contrasts["p_holm"] < 0.05).sum()),
                  basis="contrasts of the family that hold after Holm in the file", unit="count", tolerance=0),
        book.file("fathers_police", _fathers_police, basis="fathers trusting the police (never published)",
                  unit="percent", tolerance=1.0),
        book.file("higher_count", lambda v: float(v.data[HIGHER].sum()),
                  basis="parents in the higher occupation, qualification or income group", unit="count", tolerance=1),
    ]


def facts(book: Book) -> list:
    """Every number the chapter's prose places."""
    figures = judged(book)
    low, high = derived.DEFF_RANGE
    sizes = book.sizes.set_index("group")
    published = book.published.set_index("figure_id")
    black = published.loc["S15"]
    at_line = figures[figures["published"] == 100 * figures["threshold"]]
    open_figures = figures[figures["verdict"] == "open"]
    needed = [derived.settling_size(r.published, int(r.k), high) for r in open_figures.itertuples()]
    needed = [n for n in needed if n is not None]
    files = file_numbers(book)
    by_key = {f.key: f for f in files}
    beyond = derived.derived_verdicts(book.published, book.sizes, (BEYOND,)).set_index("figure_id").loc[figures.index]
    return [
        book.published_fact("n_figures", len(book.published), "the 108 published figures", "count"),
        book.published_fact("n_judged", len(figures), "figures the paper judges against the baseline", "count"),
        book.published_fact("n_awareness", int((book.verdicts["measure"] == "awareness").sum()), "paper", "count"),
        book.derived_fact("consensus_2", count(figures, "consensus"), "design effect 2", "count"),
        book.derived_fact("none_2", count(figures, "no consensus"), "design effect 2", "count"),
        book.derived_fact("open_2", count(figures, "open"), "design effect 2", "count"),
        book.derived_fact("consensus_1", int((figures[f"verdict@{low:g}"] == "consensus").sum()), "design effect 1",
                          "count"),
        book.derived_fact("open_1", int((figures[f"verdict@{low:g}"] == "open").sum()), "design effect 1", "count"),
        book.derived_fact("depends", int(figures["depends_on_deff"].sum()), "design effects 1 and 2", "count"),
        book.derived_fact("rounding", int(figures["depends_on_rounding"].sum()),
                          "design effect 2, the printed figures at either end of their rounding", "count"),
        book.derived_fact("beyond", BEYOND, "a design effect outside the assumed range", "ratio"),
        book.derived_fact("consensus_beyond", count(beyond, "consensus"), f"design effect {BEYOND:g}", "count"),
        book.derived_fact("at_line", len(at_line), "printed figures equal to their threshold", "count"),
        book.derived_fact("unknown", count(book.verdicts, derived.SIZE_UNKNOWN), "groups the paper never sizes",
                          "count"),
        book.published_fact("black_share", float(black["percent"]), "paper, \"Our survey\""),
        book.derived_fact("black_low", int(np.ceil(derived.SAMPLE_SIZE * black["low"] / 100)), "rounding of 5%",
                          "count"),
        book.derived_fact("black_high", int(np.floor(derived.SAMPLE_SIZE * black["high"] / 100)), "rounding of 5%",
                          "count"),
        book.derived_fact("higher_size", int(sizes.loc[HIGHER, "size"]), "at least the 50% with a degree", "count"),
        book.derived_fact("needed_median", float(np.median(needed)) if needed else float("nan"),
                          "settling sizes of the open verdicts, design effect 2", "count"),
        book.derived_fact("needed_over", int(sum(n > derived.SAMPLE_SIZE for n in needed)), "settling sizes", "count"),
        *files,
        book.reading("kish_reading", [by_key["un_kish"]],
                     finding="The archived file's weights have a Kish design effect of {un_kish}.",
                     shows="the design effect of the panel's weights"),
        book.reading("agree_reading", [by_key["un_agree"]],
                     finding="The archived file's own intervals give the derived verdict for {un_agree} of the "
                             "judged figures.",
                     shows="how many of the judged figures the survey's own responses and weights judge as the "
                           "published figures do"),
        book.reading("held_reading", [by_key["un_held"]],
                     finding="In the archived file, {un_held} of the family's contrasts hold after Holm's adjustment.",
                     shows="how many of the paper's group contrasts the survey's own responses confirm"),
    ]


def publish_sizes(book: Book):
    """Group sizes from the printed shares."""
    sizes = book.sizes
    shown = pd.DataFrame({
        "Group": [book.codebook.name_of(g) for g in sizes["group"]],
        "Printed share %": ["–" if pd.isna(s) else f"{s:g}" for s in sizes["share"]],
        "Parents": ["–" if pd.isna(n) else f"{'≥ ' if b == 'lower' else ''}{int(n)}" for n, b in
                    zip(sizes["size"], sizes["bound"])],
        "Basis": sizes["basis"]})
    caption = ("Group sizes from the printed composition of the 843 parents, read as shares of the respondents "
               "(a lower bound where the group is a union of printed groups; none where the paper never sizes it; a "
               "size from 100 minus a printed share assumes that every parent answered the question it rests on)")
    return publish_table("tbl-un-sizes", shown, sizes, caption, PUBLISHED_ORIGIN)


def sweep_counts(book: Book) -> pd.DataFrame:
    """Judged figures by derived verdict at each design effect of :data:`SWEEP`."""
    table = derived.derived_verdicts(book.published, book.sizes, deffs=SWEEP)
    table = table[table["measure"].isin(book.codebook.judged_blocks)]
    counts = {verdict: [int((table[f"verdict@{d:g}"] == verdict).sum()) for d in SWEEP]
              for verdict in ("consensus", "open", "no consensus", derived.SIZE_UNKNOWN)}
    return pd.DataFrame({"deff": SWEEP, **counts})


def publish_figures(book: Book) -> None:
    """The verdicts across design effects, and every judged figure's distance from its threshold."""
    glue_figure("un_sweep_plot", verdicts_by_deff_plot(sweep_counts(book)))
    high = derived.DEFF_RANGE[-1]
    figures = judged(book).dropna(subset=[f"ci_low@{high:g}"])
    table = pd.DataFrame({
        "measure": figures["measure"], "item": figures["item"], "group": figures["group"], "verdict": figures["verdict"],
        "distance": figures["published"] - 100 * figures["threshold"],
        "distance_low": 100 * (figures[f"ci_low@{high:g}"] - figures["threshold"]),
        "distance_high": 100 * (figures[f"ci_high@{high:g}"] - figures["threshold"])})
    blocks = {block: {"title": book.codebook.blocks[block],
                      **{i: book.codebook.name_of(i) for i, it in book.codebook.items.items() if it.block == block}}
              for block in book.codebook.judged_blocks}
    labels = {g: book.codebook.short_name_of(g) for g in dict.fromkeys(figures["group"])}
    glue_figure("un_margins_plot", margins_plot(table, blocks=blocks, labels=labels,
                                                xlabel=f"Published figure minus its threshold (points), with 95% "
                                                       f"interval at a design effect of {high:g}"))


def publish_methods(book: Book):
    """The derived verdicts under each interval method."""
    high = derived.DEFF_RANGE[-1]
    rows = []
    for method in METHODS:
        table = derived.derived_verdicts(book.published, book.sizes, deffs=[high], method=method)
        table = table[table["measure"].isin(book.codebook.judged_blocks)]
        width = 100 * (table[f"ci_high@{high:g}"] - table[f"ci_low@{high:g}"])
        rows.append({"method": method, **{word(v): int((table["verdict"] == v).sum())
                                          for v in ("consensus", "open", "no consensus")},
                     "median_width": float(width.median())})
    table = pd.DataFrame(rows)
    shown = table.assign(method=table["method"].map(METHOD_NAMES),
                         median_width=[f"{w:.1f}" for w in table["median_width"]]).rename(
        columns={"method": "Interval method", "median_width": "Median width (points)"})
    shown = shown.astype(str)
    caption = (f"The judged figures' derived verdicts at a design effect of {high:g} under the three interval "
               "methods of the library, with the median width of the interval")
    return publish_table("tbl-un-methods", shown, table, caption, PUBLISHED_ORIGIN)


def publish_ensemble(book: Book, facts: list):
    """How far equally faithful synthetic files agree on the chapter's file numbers (``facts``).

    On an archived build there is no ensemble: the table is glued empty (:func:`no_table`; its
    section is shown on synthetic builds only).
    """
    if book.archived:
        no_table("tbl-un-ensemble")
        return None
    files = [fact for fact in facts if fact.kind == "file"]
    rows = []
    for fact in files:
        low, high = fact.spread
        rows.append({"number": fact.basis, "this_file": fact.value, "low": low, "high": high,
                     "tolerance": fact.tolerance, "set_by_generator": fact.set_by_generator})
    table = pd.DataFrame(rows)

    def shown(value, unit):
        return p_value(value) if unit == "p" else f"{value:.2f}" if unit == "ratio" else f"{value:.0f}"

    units = [f.unit for f in files]
    display = pd.DataFrame({
        "Number from the respondent file": table["number"],
        "This file": [shown(v, u) for v, u in zip(table["this_file"], units)],
        f"Range across {len(book.members)} files": [f"{shown(lo, u)} to {shown(hi, u)}"
                                                   for lo, hi, u in zip(table["low"], table["high"], units)],
        "Pinned by the publication?": ["no: set by the generator" if s else "yes" for s in table["set_by_generator"]],
    })
    caption = (f"Numbers computed from a respondent file, on this build's synthetic file and across the "
               f"{len(book.members)} equally faithful synthetic files of the ensemble (each reproduces all 108 "
               "published figures; they differ in the weights' design effect, the answers of groups the paper does "
               "not report, the five-point detail, the anchors of the belief questions and the reading of the "
               "higher group). A number is pinned when its range is within a stated tolerance (1 point for a "
               "percentage, 0.05 for a design effect or a p-value, exact for a count)")
    return publish_table("tbl-un-ensemble", display, table, caption, data_origin(book.source))
