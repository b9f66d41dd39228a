"""Chapter "Appendix": the published figures recomputed from the respondent file, the questions and
groups, the archived route, the software; presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.report import provenance
from social_licence.report.display import csv_download, data_origin, glue, no_table
from social_licence.report.page import Page
from social_licence.report.plotting import fidelity_plot, glue_figure

#: the prefix of the chapter's glue keys
PREFIX = "ap"

CODEBOOK_ORIGIN = "Source: data/codebook.yml, this project's codebook"


def _met(table: pd.DataFrame) -> float:
    return float(table["within_rounding_interval"].sum())


def _largest_gap(table: pd.DataFrame) -> float:
    return float((table["estimate"] - table["published"]).abs().max())


def publish_fidelity(page: Page, fidelity: pd.DataFrame, members: list) -> None:
    """The published figures recomputed from this build's file (``fidelity``:
    :func:`social_licence.study.fidelity.fidelity_table`) and from each ensemble file
    (``members``): the figure, its download and the reading of the check."""
    glue_figure("ap_fidelity_plot", fidelity_plot(fidelity, blocks=dict(page.codebook.blocks)))
    listing = provenance.fidelity_for_readers(fidelity, page.codebook, page.evidence.published).assign(
        estimate=fidelity["estimate"])
    glue("ap_fidelity_download", csv_download(listing, "ap-fidelity.csv", data_origin(page.evidence.source)))
    tables = [fidelity, *members]
    met = page.file("fidelity_met", [_met(t) for t in tables], basis="published figures the file reproduces",
                    unit="count", tolerance=0)
    gap = page.file("fidelity_gap", [_largest_gap(t) for t in tables], basis="the largest gap from a published figure",
                    unit="points", tolerance=0.5)
    page.glue_facts([
        page.published("n_figures", len(fidelity), "the published figures", "count"), met, gap,
        page.reading("fidelity_reading", [met, gap],
                     finding="The archived file, mapped as this build maps it, reproduces {ap_fidelity_met} of the "
                             "published figures to the precision printed; the largest gap is {ap_fidelity_gap}.",
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


def publish_build(page: Page) -> None:
    """How this build read the archived file (its recoding audit) and the software that built it."""
    if page.archived:
        page.table("tbl-ap-recoding", provenance.recoding_for_readers(page.evidence.survey.recoding),
                   page.evidence.survey.recoding,
                   "How the archived file's values became codebook codes: each value of every coded variable the "
                   "file labels or the mapping recodes, with its label, the code and label it became, and its rows",
                   origin=data_origin(page.evidence.source), evidence="file", row_key=["Variable", "File value"])
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
