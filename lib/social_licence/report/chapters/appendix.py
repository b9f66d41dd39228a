"""Chapter "Appendix": the published figures recomputed from the respondent file, the questions and
groups, the archived route, the software; presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.files import NUMBERS
from social_licence.analysis.release import check_of, decisions
from social_licence.report import provenance
from social_licence.report.display import (
    WITHHELD,
    csv_download,
    data_origin,
    disclosure_note,
    glue,
    no_table,
    released_count,
)
from social_licence.report.page import Page
from social_licence.survey.disclosure import PASS, ROUNDED, SUPPRESSED
from social_licence.report.plotting import fidelity_plot, glue_figure

#: the prefix of the chapter's glue keys
PREFIX = "ap"

CODEBOOK_ORIGIN = "Source: data/codebook.yml, this project's codebook"


def _met(table: pd.DataFrame) -> float:
    return float(table["within_rounding_interval"].sum())


def _largest_gap(table: pd.DataFrame) -> float:
    """The gap (recomputed minus published, with its sign) furthest from zero."""
    gaps = (table["estimate"] - table["published"]).dropna()
    return float(gaps.loc[gaps.abs().idxmax()])


def publish_fidelity(page: Page, fidelity: pd.DataFrame, released: pd.DataFrame, members: list,
                     checks: pd.DataFrame) -> None:
    """The published figures recomputed from this build's file (``fidelity``:
    :func:`social_licence.study.fidelity.fidelity_table`; ``released``, the same as the disclosure
    rules release it, :func:`social_licence.analysis.release.released_fidelity`) and from each
    ensemble file (``members``): the figure and download of the released figures, and the reading
    of the check over them (a figure the rules withhold is not counted; ``checks``: the rules'
    decision on those two numbers)."""
    glue_figure("ap_fidelity_plot", fidelity_plot(released, blocks=dict(page.codebook.blocks)))
    listing = provenance.fidelity_for_readers(released, page.codebook, page.evidence.published,
                                              symbol=page.evidence.rules.suppressed_symbol).assign(
        estimate=released["estimate"], disclosure=released["result"] if page.archived else None)
    glue("ap_fidelity_download", csv_download(listing, "ap-fidelity.csv", data_origin(page.evidence.source)))
    tables = [released, *members]
    met = page.file("fidelity_met", [_met(t) for t in tables], basis="published figures the file reproduces",
                    unit="count", tolerance=0, release=check_of(checks, "number/fidelity_met", page.evidence))
    gap = page.file("fidelity_gap", [_largest_gap(t) for t in tables], basis="the largest gap from a published figure",
                    unit="points", tolerance=0.5, release=check_of(checks, "number/fidelity_gap", page.evidence))
    page.glue_facts([
        page.published("n_figures", len(fidelity), "the published figures", "count"), met, gap,
        page.text("data", data_origin(page.evidence.source), "the respondent file in use"),
        page.reading("fidelity_reading", [met, gap],
                     finding="The archived file, mapped as this build maps it, reproduces {ap_fidelity_met} of the "
                             "published figures to the precision printed (those the disclosure rules withhold are not "
                             "counted); the largest gap is {ap_fidelity_gap}.",
                     shows="whether the survey's file, read as this book reads it, reproduces every published figure"),
    ])


def publish_codebook(page: Page) -> None:
    """The answer scales, questions and groups as this book reads them, from the codebook."""
    scales = provenance.scale_table(page.codebook)
    page.table("tbl-ap-scales", pd.DataFrame({
        "Scale": scales["scale"], "Answers (codes)": scales["answers"], "Outside the base": scales["missing"],
        "Options counted (k)": [f"{o} (k = {k})" for o, k in zip(scales["options"], scales["k"])]}), scales,
        "The answer scales as this book reads them: answers and codes, the codes left out of every base, and how "
        "answers collapse into the k options of the consensus baseline", origin=CODEBOOK_ORIGIN, evidence="text")
    questions = provenance.question_table(page.codebook)
    page.table("tbl-ap-questions", pd.DataFrame({
        "Question": [page.codebook.counted_label(i) for i in questions["item"]],
        "Wording (paraphrase)": questions["wording"], "Scale": questions["scale"],
        "Counted answer": questions["counted"]}), questions,
        "The survey's questions, labelled by the answer the published figures count, with this book's paraphrase "
        "of each (the survey's own text is in the archived questionnaire)", origin=CODEBOOK_ORIGIN, evidence="text")
    groups = provenance.subgroup_table(page.codebook, page.evidence.published)
    groups = groups[groups["figures"] > 0]
    page.table("tbl-ap-groups", pd.DataFrame({"Group": groups["group"], "Definition": groups["definition"]}), groups,
               "The groups of parents the published figures describe, defined from the codebook's coded conditions "
               "(codes and bands such as the income bands are the codebook's assumptions)", origin=CODEBOOK_ORIGIN,
               evidence="text")
    page.glue_facts([
        page.text("higher_definition", provenance.subgroup_definition("higher_occupation_qualification_income",
                                                                      page.codebook), "the codebook"),
    ])


def publish_build(page: Page, checks: pd.DataFrame) -> None:
    """How this build read the archived file (its recoding audit, its row counts as the disclosure
    rules release them: ``checks``, :func:`social_licence.analysis.release.recoding_checks`) and the
    software that built it."""
    if page.archived:
        audit, rules = page.evidence.survey.recoding, page.evidence.rules
        found = checks.loc[[f"recoding/{v}/{x}" for v, x in zip(audit["variable"], audit["file_value"])]]
        shown = provenance.recoding_for_readers(audit).assign(
            Rows=[released_count(c, r, True, rules) for c, r in zip(found["released"], found["result"])])
        decided = decisions(found.index, found["rule"], found["result"], page.archived)
        disclosure = pd.DataFrame({column: None for column in shown.columns}, index=shown.index).assign(Rows=decided)
        page.table("tbl-ap-recoding", shown, audit.assign(rows=found["released"].to_numpy(),
                                                          disclosure=found["result"].to_numpy()),
                   "How the archived file's values became codebook codes: each value of every coded variable the "
                   f"file labels or the mapping recodes, with its label, the code and label it became, and its rows "
                   f"({disclosure_note(rules)})", origin=data_origin(page.evidence.source), evidence="file",
                   row_key=["Variable", "File value"], disclosure=disclosure,
                   values=pd.DataFrame({column: None for column in shown.columns}, index=shown.index).assign(
                       Rows=[None if pd.isna(c) else float(c) for c in found["released"]]))
    else:
        no_table("tbl-ap-recoding")
    versions = provenance.software_versions()
    page.table("tbl-ap-versions", provenance.versions_for_readers(versions), versions,
               "Python and the key packages: the version that built this book beside the version pinned in "
               "requirements.txt (a dash where none is pinned)", origin="Source: the build environment and "
               "requirements.txt", evidence="text")
    references = provenance.reference_case_counts()
    page.glue_facts([
        page.text("reference_files", str(len(references)), "tests/reference"),
        page.text("reference_rows", f"{sum(references.values()):,}", "tests/reference"),
        page.text("versions_match", str(int(versions["matches"].fillna(False).sum())), "the build environment"),
        page.text("versions_pinned", str(int(versions["matches"].notna().sum())), "the build environment"),
    ])


#: what each kind of cell is, by the prefix of its id (:mod:`social_licence.analysis.release`)
CELL_KINDS = {"figure": "Published figures recomputed from the file", "size": "Group sizes in the file",
              "number": "Numbers the text reads from the file", "recoding": "Rows of the recoding audit"}
#: why a cell is withheld, by the rule that decided
WITHHELD_BECAUSE = {
    "min_count_denominator": "fewer than {t} respondents in its base",
    "min_count_numerator": "fewer than {t} respondents giving the counted answer",
    "min_count_complement": "fewer than {t} respondents giving any other answer",
    "min_effective_n": "an effective sample size below {e}",
    "min_count": "fewer than {t} respondents",
    "secondary": "it could be worked out from a total and the counts shown",
    "differencing": "it differs from a group nested in it by fewer than {t} respondents",
}


def _cell_name(cell: str, page: Page) -> str:
    """A cell id (``figure/T2_21``) in words: the figure's group and counted answer, the group, the number."""
    kind, _, rest = cell.partition("/")
    codebook = page.codebook
    if kind == "figure":
        figure = page.evidence.published.set_index("figure_id").loc[rest]
        return f"{codebook.short_name_of(figure['group'])}: {codebook.counted_label(figure['item'])}"
    if kind == "size":
        return f"Parents in the group: {codebook.short_name_of(rest)}"
    if kind == "number":
        return NUMBERS[rest][0] if rest in NUMBERS else rest.replace("_", " ")
    return f"Recoding audit: {rest.replace('/', ' = ', 1)}"


def publish_release(page: Page, checks: pd.DataFrame, summary: pd.DataFrame) -> None:
    """What the disclosure rules release of the numbers this build computes from its respondent
    file (``checks``: :func:`social_licence.analysis.release.cell_checks`; ``summary``, how many
    cells of each kind pass, are rounded or are withheld: :func:`~social_licence.analysis.release.withheld_summary`),
    and which are withheld and why. On a synthetic build this is what they would withhold from a
    file like it (supplementary tables)."""
    rules, applied = page.evidence.rules, page.archived
    summary = summary.rename(columns={"cells": "kind"})
    summary.insert(1, "cells", summary["kind"].map(CELL_KINDS))
    verb = "withheld" if applied else "would be withheld"
    shown = pd.DataFrame({"Cells": summary["cells"], "Released as computed": summary[PASS].astype(str),
                          "Rounded": summary[ROUNDED].astype(str), verb.capitalize(): summary[SUPPRESSED].astype(str)})
    series = "" if applied else "S"
    origin = data_origin(page.evidence.source)
    page.table("tbl-ap-release", shown, summary,
               f"What the disclosure rules ({rules.safe_threshold} respondents at least, counts rounded to the nearest "
               f"{rules.safe_round_base}) release of the numbers this build computes from its respondent file",
               origin=origin, evidence="file", series=series)
    basis = "the disclosure rules in force (data/disclosure_rules.yml)"
    page.glue_facts([page.text("threshold", str(rules.safe_threshold), basis),
                     page.text("round_base", str(rules.safe_round_base), basis),
                     page.text("symbol", rules.suppressed_symbol, basis), page.text("mark", rules.rounded_mark, basis)])
    withheld = checks[checks["result"] == SUPPRESSED]
    why = {rule: text.format(t=rules.safe_threshold, e=rules.min_effective_n) for rule, text in WITHHELD_BECAUSE.items()}
    listing = pd.DataFrame({"cell": withheld.index, "what": [_cell_name(c, page) for c in withheld.index],
                            "rule": withheld["rule"].to_numpy(), "because": [why[r] for r in withheld["rule"]]})
    shown = pd.DataFrame({"Number": listing["what"], "Withheld because": listing["because"]})
    if shown.empty:
        shown = pd.DataFrame({"Number": ["none"], "Withheld because": [WITHHELD]})
    page.table("tbl-ap-withheld", shown,
               listing, f"The numbers the disclosure rules {'withhold' if applied else 'would withhold'} "
               f"from this build, and why", origin=origin, evidence="file", series=series)
