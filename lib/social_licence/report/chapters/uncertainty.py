"""Chapter "How sure can we be?": what the published figures pin down, what a respondent file adds,
and (on a synthetic build) how far equally faithful synthetic files agree; presented from the
results the chapter's cells compute."""
from __future__ import annotations

import numpy as np
import pandas as pd

from social_licence.analysis.derived import SAMPLE_SIZE, SIZE_UNKNOWN, deffs_of
from social_licence.analysis.files import NUMBERS
from social_licence.analysis.release import check_of
from social_licence.report.blocks import PUBLISHED_ORIGIN
from social_licence.report.display import data_origin, no_table, p_value
from social_licence.report.page import Page
from social_licence.report.plotting import glue_figure, margins_plot, verdicts_by_deff_plot
from social_licence.report.vocabulary import mark, word

#: the prefix of the chapter's glue keys
PREFIX = "un"

HIGHER = "higher_occupation_qualification_income"
METHOD_NAMES = {"beta": "Korn–Graubard (beta)", "logit": "Logit", "wilson": "Wilson"}
VERDICTS = ("consensus", "open", "no consensus", SIZE_UNKNOWN)
#: a group whose size the sources never give
SIZE_UNKNOWN_MARK = mark(SIZE_UNKNOWN)


def judged(page: Page, verdicts: pd.DataFrame) -> pd.DataFrame:
    return verdicts[verdicts["measure"].isin(page.codebook.judged_blocks)]


def publish_sizes(page: Page, sizes: pd.DataFrame, published: pd.DataFrame) -> None:
    """Group sizes from the printed shares, as a table, and their facts."""
    shown = pd.DataFrame({
        "Group": [page.codebook.name_of(g) for g in sizes["group"]],
        "Share used %": [SIZE_UNKNOWN_MARK if pd.isna(s) else f"{s:g}" for s in sizes["share"]],
        "Parents": [SIZE_UNKNOWN_MARK if pd.isna(n) else f"{'≥ ' if b == 'lower' else ''}{int(n)}"
                    for n, b in zip(sizes["size"], sizes["bound"])],
        "Basis": sizes["basis"]})
    page.table("tbl-un-sizes", shown, sizes,
               f"Group sizes from the printed make-up of the {SAMPLE_SIZE} parents, read as shares of the respondents (a lower "
               "bound where a group is a union of printed groups; none where the paper never sizes it)",
               origin=PUBLISHED_ORIGIN, evidence="derived")
    black = published.set_index("figure_id").loc["S15"]
    size = sizes.set_index("group")
    page.glue_facts([
        page.published("black_share", float(black["percent"]), "paper, \"Our survey\""),
        page.derived("black_low", int(np.ceil(SAMPLE_SIZE * black["low"] / 100)), "the rounding of the printed 5%", "count"),
        page.derived("black_high", int(np.floor(SAMPLE_SIZE * black["high"] / 100)), "the rounding of the printed 5%", "count"),
        page.derived("higher_size", int(size.loc[HIGHER, "size"]) if pd.notna(size.loc[HIGHER, "size"]) else 0,
                     "the higher group's lower bound under the reading in force", "count"),
    ])


def sweep_counts(page: Page, sweep: pd.DataFrame) -> pd.DataFrame:
    """Judged figures by verdict at each design effect of a sweep (:func:`social_licence.analysis.derived.verdicts`
    over a grid of design effects)."""
    table = judged(page, sweep)
    return pd.DataFrame({"deff": deffs_of(sweep), **{verdict: [int((table[f"verdict@{d:g}"] == verdict).sum())
                                                              for d in deffs_of(sweep)] for verdict in VERDICTS}})


def publish_verdicts(page: Page, verdicts: pd.DataFrame, sweep: pd.DataFrame, needed: pd.Series) -> None:
    """The judged figures' verdicts at both ends of the range, across the grid (figure), each
    figure's distance from its threshold (figure), and the sizes open verdicts would need."""
    low, high = (f"{d:g}" for d in (deffs_of(verdicts)[0], deffs_of(verdicts)[-1]))
    figures = judged(page, verdicts)
    counts = sweep_counts(page, sweep)
    glue_figure("un_sweep_plot", verdicts_by_deff_plot(counts))
    bounded = figures.dropna(subset=[f"ci_low@{high}"])
    table = pd.DataFrame({
        "measure": bounded["measure"], "item": bounded["item"], "group": bounded["group"],
        "verdict": bounded["verdict"], "distance": bounded["published"] - 100 * bounded["threshold"],
        "distance_low": 100 * (bounded[f"ci_low@{high}"] - bounded["threshold"]),
        "distance_high": 100 * (bounded[f"ci_high@{high}"] - bounded["threshold"])})
    blocks = {block: {"title": page.codebook.blocks[block],
                      **{i: page.codebook.counted_label(i) for i, it in page.codebook.items.items() if it.block == block}}
              for block in page.codebook.judged_blocks}
    labels = {g: page.codebook.short_name_of(g) for g in dict.fromkeys(bounded["group"])}
    glue_figure("un_margins_plot", margins_plot(table, blocks=blocks, labels=labels,
                                                xlabel=f"Published figure minus its threshold (points), with its "
                                                       f"{100 * page.assumptions.level:g}% interval"))
    at_line = figures[figures["published"] == 100 * figures["threshold"]]
    settles = needed.dropna()
    basis = f"printed shares of {SAMPLE_SIZE}, design effect {high}"
    page.glue_facts([
        page.published("n_figures", len(page.evidence.published), "the published figures", "count"),
        page.published("n_judged", len(figures), "figures the paper judges against the baseline", "count"),
        page.published("n_awareness", int((verdicts["measure"] == "awareness").sum()), "paper", "count"),
        *(page.derived(f"{name}_{end}", int((figures[f"verdict@{d}"] == verdict).sum()), f"design effect {d}", "count")
          for end, d in (("low", low), ("high", high))
          for name, verdict in (("consensus", "consensus"), ("none", "no consensus"), ("open", "open"))),
        page.derived("depends", int(figures["depends_on_deff"].sum()), f"design effects {low} and {high}", "count"),
        page.derived("rounding", int(figures["depends_on_rounding"].sum()), f"{basis}, either end of the rounding",
                     "count"),
        page.derived("at_line", len(at_line), "printed figures equal to their threshold", "count"),
        page.derived("unknown", int((verdicts["verdict"] == SIZE_UNKNOWN).sum()), "groups the paper never sizes",
                     "count"),
        page.derived("needed_median", float(np.median(settles)) if len(settles) else float("nan"),
                     "settling sizes of the open verdicts", "count"),
        page.derived("needed_over", int((settles > SAMPLE_SIZE).sum()), "settling sizes above the sample", "count"),
    ])


def publish_methods(page: Page, by_method: dict) -> None:
    """The judged figures' verdicts at the upper design effect under each interval method
    (``by_method``: method -> verdicts), as a table."""
    rows = []
    for method, verdicts in by_method.items():
        figures = judged(page, verdicts)
        high = f"{deffs_of(verdicts)[-1]:g}"
        width = 100 * (figures[f"ci_high@{high}"] - figures[f"ci_low@{high}"])
        rows.append({"method": method, **{word(v): int((figures["verdict"] == v).sum())
                                          for v in ("consensus", "open", "no consensus")},
                     "median_width": float(width.median())})
    table = pd.DataFrame(rows)
    shown = table.assign(method=table["method"].map(METHOD_NAMES),
                         median_width=[f"{w:.1f}" for w in table["median_width"]]).rename(
        columns={"method": "Interval method", "median_width": "Median width (points)"}).astype(str)
    page.table("tbl-un-methods", shown, table,
               "The judged figures' verdicts under each interval method of the library, with the interval's median "
               "width", origin=PUBLISHED_ORIGIN, evidence="derived")


def publish_bases(page: Page, by_share: dict) -> None:
    """The judged figures' verdicts if only a share of each group answered (``by_share``: share ->
    verdicts), as a table."""
    rows = [{"share": share, **{v: int((judged(page, verdicts)["verdict"] == v).sum())
                                for v in ("consensus", "open", "no consensus")}}
            for share, verdicts in by_share.items()]
    table = pd.DataFrame(rows)
    shown = pd.DataFrame({"Parents answering": [f"{100 * s:g}%" for s in table["share"]],
                          **{word(v): table[v].astype(str) for v in ("consensus", "open", "no consensus")}})
    page.table("tbl-un-bases", shown, table,
               "The judged figures' verdicts if only part of each group answered (a percentage is a share of those "
               "who answered, so its interval rests on them)", origin=PUBLISHED_ORIGIN, evidence="derived")
    full = table[table["share"] == table["share"].max()].iloc[0]
    least = table[table["share"] == table["share"].min()].iloc[0]
    page.glue_facts([
        page.derived("bases_least", 100 * float(least["share"]), "the smallest answering share shown"),
        page.derived("bases_consensus_full", int(full["consensus"]), "every parent answering", "count"),
        page.derived("bases_consensus_least", int(least["consensus"]), "the smallest answering share shown", "count"),
    ])


def publish_files(page: Page, numbers: pd.DataFrame, checks: pd.DataFrame) -> None:
    """The numbers read from the respondent file (``numbers``: one row per file, this build's first,
    then the ensemble's, columns of :data:`social_licence.analysis.files.NUMBERS`) under what the
    disclosure rules decided for each (``checks``: :func:`social_licence.analysis.release.number_checks`):
    their facts, the readings that interpret them, and on a synthetic build how far the ensemble spreads."""
    facts = {name: page.file(name, list(numbers[name]), basis=basis, unit=unit, tolerance=tolerance,
                             release=check_of(checks, f"number/{name}", page.evidence))
             for name, (basis, tolerance, unit) in NUMBERS.items()}
    page.glue_facts([
        *facts.values(),
        page.reading("file_reading", [facts["kish"], facts["agree"], facts["held"], facts["rao_scott_p"]],
                     finding="The archived file's weights have a Kish design effect of {un_kish}; its own intervals "
                             "give the derived verdict for {un_agree} of the judged figures; {un_held} of the "
                             "family's contrasts hold in it after Holm's adjustment; and the test across four ethnic "
                             "groups gives {un_rao_scott_p}.",
                     shows="the design effect of the panel's weights, how many of the judged figures the survey's own "
                           "responses and weights judge as the published figures do, how many of the paper's "
                           "group contrasts they confirm, and whether trust in the police differs across four ethnic "
                           "groups"),
    ])
    if page.archived:
        no_table("tbl-un-ensemble")
        return
    rows = []
    for name, fact in facts.items():
        low, high = fact.spread
        rows.append({"number": fact.basis, "this_file": fact.value, "low": low, "high": high,
                     "tolerance": fact.tolerance, "set_by_generator": fact.set_by_generator, "unit": fact.unit})
    table = pd.DataFrame(rows)

    def shown(value, unit):
        return p_value(value) if unit == "p" else f"{value:.2f}" if unit == "ratio" else f"{value:.0f}"

    members = len(numbers) - 1
    display = pd.DataFrame({
        "Number from the respondent file": table["number"],
        "This file": [shown(v, u) for v, u in zip(table["this_file"], table["unit"])],
        f"Range across {members} files": [f"{shown(lo, u)} to {shown(hi, u)}"
                                          for lo, hi, u in zip(table["low"], table["high"], table["unit"])],
        "Pinned by the publication?": ["no: set by the generator" if s else "yes" for s in table["set_by_generator"]],
    })
    page.table("tbl-un-ensemble", display, table,
               f"Numbers computed from a respondent file, on this build's synthetic file and across the {members} "
               "equally faithful synthetic files (each reproduces every published figure); pinned when the range is "
               "within a stated tolerance", origin=data_origin(page.evidence.source), evidence="file", series="S")
