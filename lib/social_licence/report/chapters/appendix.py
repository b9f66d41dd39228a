"""Chapter "Appendix": the fidelity check, the questions and groups, the archived route, the software."""
from __future__ import annotations

import pandas as pd

from social_licence.report import provenance
from social_licence.report.book import Book, View
from social_licence.report.display import csv_download, data_origin, no_table, publish_table
from social_licence.report.plotting import fidelity_plot, glue_figure
from social_licence.study.fidelity import fidelity_table

#: the prefix of the chapter's glue keys
PREFIX = "ap"

CODEBOOK_ORIGIN = "Source: data/codebook.yml, this project's codebook"


def _fidelity(view: View) -> pd.DataFrame:
    return fidelity_table(view.data, view.codebook, view.published)


def _met(view: View) -> float:
    return float(_fidelity(view)["within_rounding_interval"].sum())


def _largest_gap(view: View) -> float:
    table = _fidelity(view)
    return float((table["estimate"] - table["published"]).abs().max())


def facts(book: Book) -> list:
    """The page's numbers: the fidelity check (file numbers, in a reading) and the build's tools."""
    fidelity = _fidelity(book.view)
    met = book.file("fidelity_met", _met, basis="published figures the file reproduces", unit="count", tolerance=0)
    gap = book.file("fidelity_gap", _largest_gap, basis="the largest gap from a published figure", unit="points",
                    tolerance=0.5)
    references = provenance.reference_case_counts()
    versions = provenance.software_versions()
    return [
        book.published_fact("n_figures", len(fidelity), "the published figures", "count"),
        met, gap,
        book.reading("fidelity_reading", [met, gap],
                     finding="The archived file, mapped as this build maps it, reproduces {ap_fidelity_met} of the "
                             "published figures to the precision printed; the largest gap is {ap_fidelity_gap}.",
                     shows="whether the survey's file, read as this book reads it, reproduces every published figure"),
        book.text_fact("reference_files", str(len(references)), "tests/reference"),
        book.text_fact("reference_rows", f"{sum(references.values()):,}", "tests/reference"),
        book.text_fact("versions_match", str(int(versions["matches"].fillna(False).sum())), "the build environment"),
        book.text_fact("versions_pinned", str(int(versions["matches"].notna().sum())), "the build environment"),
        book.text_fact("higher_definition", provenance.subgroup_definition("higher_occupation_qualification_income",
                                                                           book.codebook), "the codebook"),
    ]


def publish(book: Book) -> list:
    """The appendix's tables and figure; returns the CSV links (the fidelity listing first)."""
    fidelity = _fidelity(book.view)
    glue_figure("ap_fidelity_plot", fidelity_plot(fidelity, blocks=dict(book.codebook.blocks)))
    links = [csv_download(provenance.fidelity_for_readers(fidelity, book.codebook, book.published).assign(
        estimate=fidelity["estimate"]), "ap-fidelity.csv", data_origin(book.source))]
    scales = provenance.scale_table(book.codebook)
    links.append(publish_table("tbl-ap-scales", pd.DataFrame({
        "Scale": scales["scale"], "Answers (codes)": scales["answers"], "Outside the base": scales["missing"],
        "Options counted (k)": [f"{o} (k = {k})" for o, k in zip(scales["options"], scales["k"])]}), scales,
        "The answer scales as this book reads them: the answers and their codes, the codes left out of every base, "
        "and how the answers collapse into the k options of the consensus baseline", CODEBOOK_ORIGIN))
    questions = provenance.question_table(book.codebook)
    links.append(publish_table("tbl-ap-questions", pd.DataFrame({
        "Question": questions["label"], "Wording (paraphrase)": questions["wording"],
        "Scale": questions["scale"], "Counted answer": questions["counted"]}), questions,
        "The survey's questions: the short label this book uses, this book's paraphrase of the paper's description of "
        "each question (the survey's own text is in the archived questionnaire; answer labels and bands are the "
        "codebook's assumptions), the answer scale and the answer the published figures count",
        CODEBOOK_ORIGIN))
    groups = provenance.subgroup_table(book.codebook, book.published)
    groups = groups[groups["figures"] > 0]
    links.append(publish_table("tbl-ap-groups", pd.DataFrame({
        "Group": groups["group"], "Definition": groups["definition"]}), groups,
        "The groups of parents the published figures describe, defined from the codebook's coded conditions (the "
        "codes and bands, such as the income bands, are the codebook's assumptions where the paper names only a "
        "cut-off)",
        CODEBOOK_ORIGIN))
    if book.archived:
        links.append(publish_table("tbl-ap-recoding", provenance.recoding_for_readers(book.survey.recoding),
                                   book.survey.recoding, "How the archived file's values became codebook codes: for "
                                   "every coded variable the file labels or the mapping recodes, each file value with "
                                   "its label, the code and codebook label it became, and its rows",
                                   data_origin(book.source)))
    else:
        no_table("tbl-ap-recoding")
    versions = provenance.software_versions()
    links.append(publish_table("tbl-ap-versions", provenance.versions_for_readers(versions), versions,
                               "Python and the key packages: the version that built this book beside the version "
                               "pinned in requirements.txt (a dash where none is pinned)",
                               "Source: the build environment and requirements.txt"))
    return links
