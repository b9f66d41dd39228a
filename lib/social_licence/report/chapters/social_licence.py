"""Chapter "Social licence": the concept, the survey, who took part and the consensus baseline,
presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.assumptions import BLACK_READINGS
from social_licence.analysis.derived import SAMPLE_SIZE, deffs_of
from social_licence.analysis.release import decisions
from social_licence.report.blocks import PUBLISHED_ORIGIN
from social_licence.report.display import data_origin, disclosure_note, released_count
from social_licence.report.page import Page
from social_licence.report.sentences import series

#: the prefix of the chapter's glue keys
PREFIX = "sl"

SURVEY = "paper, \"Our survey\""
REASONS, TRUST, COMMERCIAL = "acceptability_of_reason", "trust_to_link_records", "commercial_outsourcing"


def publish_composition(page: Page, composition: pd.DataFrame, sizes: pd.DataFrame) -> None:
    """Who took part: the printed shares and the parents each implies (``composition``:
    :func:`social_licence.analysis.derived.composition`), and the respondent file's counts
    (``sizes``: :func:`social_licence.analysis.release.released_sizes`) in a table of their own
    (supplementary on a synthetic build; rounded or withheld by the disclosure rules on the archived)."""
    names = [page.codebook.name_of(g) for g in composition["group"]]
    shown = pd.DataFrame({"Parents": names, "Printed share %": [f"{p:g}" for p in composition["share"]],
                          "Parents (share of 843)": [str(n) for n in composition["parents"]]})
    values = shown.assign(**{"Printed share %": composition["share"].to_numpy(),
                             "Parents (share of 843)": composition["parents"].astype(float).to_numpy()})
    page.table("tbl-sl-composition", shown, composition,
               "Who took part: the shares of the sample printed in the paper, and the parents each implies as a "
               "share of the 843 respondents (groups overlap)", origin="Source: Edwards, Gillies & Gorin (2021a), "
               "\"Our survey\"; parents derived by this book", evidence="derived", values=values)
    rules, applied = page.evidence.rules, page.archived
    released = sizes.loc[composition["group"]]
    column = "Respondents in this file"
    file = pd.DataFrame({"Parents": names, column: [released_count(c, r, applied, rules)
                                                   for c, r in zip(released["count"], released["result"])]})
    decided = decisions(released["cell"], released["rule"], released["result"], applied)
    caption = "Who took part, counted in the respondent file" + (f". {disclosure_note(rules)}" if applied else "")
    page.table("tbl-sl-composition-file", file,
               composition.assign(file_count=released["count"].to_numpy(), disclosure=released["result"].to_numpy()),
               caption, origin=data_origin(page.evidence.source), evidence="file",
               values=file.assign(**{column: [None if pd.isna(c) else float(c) for c in released["count"]]}),
               series="" if applied else "S", disclosure=pd.DataFrame({"Parents": None, column: decided}))
    published = composition.set_index("figure_id")
    young = composition[composition["group"] == "age_18_29"].iloc[0]
    page.glue_facts([
        page.published("n", SAMPLE_SIZE, SURVEY, "count"),
        page.published("mothers", float(published.loc["S01", "share"]), SURVEY),
        page.published("young", float(young["share"]), SURVEY),
        page.published("minority", float(published.loc["S14", "share"]), SURVEY),
        page.derived("young_n", int(young["parents"]), "12% of 843", "count"),
        page.published("black", float(published.loc["S15", "share"]), SURVEY),
    ])


def publish_black_group(page: Page, sizes: dict, verdicts: dict) -> None:
    """The two readings of the Black group's printed 5% (``sizes`` and ``verdicts`` by reading, as
    the cells computed them under :data:`BLACK_READINGS`), and which one the book uses."""
    judged = {reading: table[(table["group"] == "black") & table["measure"].isin(page.codebook.judged_blocks)]
              for reading, table in verdicts.items()}
    size = {reading: int(table.set_index("group").loc["black", "size"]) for reading, table in sizes.items()}
    used, other = page.assumptions.black_group, next(r for r in BLACK_READINGS if r != page.assumptions.black_group)
    deff = deffs_of(verdicts[used])[-1]
    basis = f"printed shares, design effect {deff:g}"
    page.glue_facts([
        page.text("black_used", f"a share of the {used}", "the black_group assumption"),
        page.text("black_other", f"a share of the {other}", "the other reading"),
        page.derived("black_n", size[used], "5% (paper, \"Our survey\"), this book's reading", "count"),
        page.derived("black_alt_n", size[other], "5% (paper, \"Our survey\"), the other reading", "count"),
        page.derived("black_judged", len(judged[used]), "the paper's judged figures for Black parents", "count"),
        page.derived("black_open", int((judged[used]["verdict"] == "open").sum()), basis, "count"),
        page.derived("black_alt_open", int((judged[other]["verdict"] == "open").sum()), basis, "count"),
    ])


def publish_baseline(page: Page, verdicts: pd.DataFrame, tolerance: pd.DataFrame) -> None:
    """The consensus baseline and what it makes of the figures: ``verdicts`` of every attitude
    figure, with ``reaches_threshold`` (the printed figure itself at or above its threshold, the
    paper's reading: :func:`social_licence.survey.consensus.published_reaches_threshold`), ``tolerance`` the share of don't knows each printed consensus could absorb
    (:func:`social_licence.analysis.derived.dont_know_tolerance`)."""
    judged = verdicts[verdicts["measure"].isin(page.codebook.judged_blocks)]
    whole = judged[judged["group"] == "all"]
    reasons, trust = whole[whole["measure"] == REASONS], whole[whole["measure"] == TRUST]
    commercial = whole[whole["measure"] == COMMERCIAL].iloc[0]
    thresholds = verdicts.drop_duplicates("k").set_index("k")["threshold"]
    tolerance = tolerance.set_index("figure_id").loc[judged["figure_id"]]
    at_line = judged[judged["published"] == 100 * judged["threshold"]]
    above = tolerance[tolerance["tolerance"] > 0]["tolerance"]
    trust_reaching = trust[trust["reaches_threshold"]]
    page.glue_facts([
        page.threshold("threshold2", 100 * float(thresholds[2])),
        page.threshold("threshold3", 100 * float(thresholds[3])),
        page.published("reasons_low", float(reasons["published"].min()), "paper, Table 2"),
        page.published("reasons_high", float(reasons["published"].max()), "paper, Table 2"),
        page.published("trust_reaching", len(trust_reaching), "paper, Table 3 and text", "count"),
        page.text("trust_reaching_names", series([page.codebook.name_of(i).lower() for i in trust_reaching["item"]]),
                  "paper, Table 3 and text"),
        page.published("c01", float(commercial["published"]), "paper, text"),
        page.published("n_judged", len(judged), "the paper's figures judged against the baseline", "count"),
        page.published("n_awareness", int((verdicts["measure"] == "awareness").sum()), "paper, Table 1 and text",
                       "count"),
        page.derived("dk_reaching", int(tolerance["tolerance"].notna().sum()),
                     "printed figures at or above their threshold", "count"),
        page.derived("at_line", len(at_line), "printed figures equal to their threshold", "count"),
        page.text("at_line_list", "; ".join(f"{page.codebook.name_of(r.group)}, “{page.codebook.counted_label(r.item)}”"
                                            for r in at_line.itertuples()), "printed figures equal to their threshold"),
        page.derived("dk_first", float(above.min()), "printed figures above their threshold: the first to fall"),
        page.derived("rounding", int(judged["depends_on_rounding"].sum()),
                     "derived verdicts with the printed figure at either end of its rounding", "count"),
    ])
