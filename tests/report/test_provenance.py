"""Tests for social_licence.report.provenance: codebook tables, fidelity formatting, software versions.

References: data/codebook.yml (hand-written codes, labels and subgroup rules, checked here against
hand-written expectations for a few entries); requirements.txt (its exact pins); the recoding
audit's rows written out by hand. (The SHA-256 of a respondent file is now analysis.evidence's,
tested in tests/analysis/test_evidence.py.)
"""
import platform
from importlib import metadata

import pandas as pd
import pytest
from social_licence.report import provenance
from social_licence.study.codebook import load_codebook
from social_licence.study.fidelity import fidelity_table
from social_licence.study.loader import load_survey
from social_licence.study.mapping import AUDIT_COLUMNS
from social_licence.study.published import load_published


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def test_scale_table_lists_answers_missing_codes_and_collapse(codebook):
    table = provenance.scale_table(codebook).set_index("scale")
    assert list(table.index) == list(codebook.scales)
    agree = table.loc["agree_5"]
    assert agree["answers"].startswith("Strongly agree (1), Agree (2), Neither agree nor disagree (3)")
    assert agree["missing"] == "Don't know (8), Refused (9)"
    assert agree["options"] == "agree = 1, 2; neither = 3; disagree = 4, 5"
    assert agree["k"] == 3 and table.loc["yes_no", "k"] == 2
    assert list(table.reset_index().columns) == ["scale", "answers", "missing", "options", "k"], \
        "no threshold: it depends on the consensus factor assumed, and is stated where it is used"


def test_question_table_has_every_item_in_order_with_its_counted_codes(codebook):
    table = provenance.question_table(codebook)
    assert table["item"].tolist() == list(codebook.items)
    assert table["number"].tolist() == list(range(1, len(codebook.items) + 1))
    row = table.set_index("item").loc["families_understand_how_records_used"]
    assert row["counted"] == "disagree (4, 5)"  # the published figure counts disagreement
    assert row["block"] == codebook.blocks["transparency"]
    assert row["answer_scale"] == "Strongly agree … Strongly disagree (5 points)"
    aware = table.set_index("item").loc["records_collected"]
    assert aware["answer_scale"] == "Yes / No" and aware["counted"] == "yes (1)" and aware["k"] == 2
    assert (table["wording"].str.len() > 20).all()


def test_subgroup_definitions_are_written_from_the_conditions(codebook):
    assert provenance.subgroup_definition("black", codebook) == "Parent's ethnic group is “Black or Black British”."
    assert provenance.subgroup_definition("household_5_plus", codebook) == (
        "Number of people in the household is “5 people” or “6 or more people”.")
    higher = provenance.subgroup_definition("higher_occupation_qualification_income", codebook)
    assert higher.startswith("Any one of: Parent's social class") and higher.count(";") == 2
    assert "“Degree or above”" in higher


def test_subgroup_definition_follows_the_combine_rule(codebook):
    """Switching the codebook's rule to `all` (the stricter reading) changes the words."""
    from dataclasses import replace
    from types import MappingProxyType
    strict = replace(codebook.subgroups["higher_occupation_qualification_income"], combine="all")
    changed = replace(codebook, subgroups=MappingProxyType({**codebook.subgroups, strict.key: strict}))
    assert provenance.subgroup_definition(strict.key, changed).startswith("All of: ")


def test_subgroup_table_counts_the_figures_that_use_each_group(codebook):
    published = load_published(codebook=codebook)
    table = provenance.subgroup_table(codebook, published).set_index("subgroup")
    assert list(table.index) == list(codebook.subgroups)
    # Black parents: 1 composition share (S15) + 2 awareness + 1 consent + 4 reasons + 5 trust
    # + 3 beliefs + 1 commercial = 17 (counted by hand from published_figures.csv)
    assert table.loc["black", "figures"] == 17
    assert table.loc["mothers", "figures"] == 1
    assert table["figures"].sum() == 15 + (published["group"] != "all").sum()
    assert table.loc["higher_occupation_qualification_income", "combine"] == "any"
    assert "\n" not in table.loc["black", "note"] and table.loc["mothers", "note"] == ""


def test_fidelity_for_readers_shows_intervals_at_the_published_precision(codebook):
    published = load_published(codebook=codebook)
    table = fidelity_table(load_survey().data, codebook, published)
    shown = provenance.fidelity_for_readers(table, codebook, published).set_index("Figure")
    assert len(shown) == 108
    assert shown.loc["S01", "Rounding interval"] == "[56.5, 57.5)"
    assert shown.loc["S03", "Rounding interval"] == "[74.25, 74.75)"  # a figure ending in a half
    assert shown.loc["S03", "Published %"] == "74.5" and len(shown.loc["S03", "Recomputed %"].split(".")[1]) == 3
    assert shown.loc["T3_21", "About"] == codebook.items["police_and_criminal_justice"].label
    assert shown.loc["T3_21", "Group"] == codebook.subgroups["black"].label
    assert shown.loc["S15", "About"] == "Share of sample: " + codebook.subgroups["black"].label
    expected = table.set_index("figure_id")["within_rounding_interval"].map({True: "yes", False: "no"})
    assert (shown["Rounds back"] == expected).all()


def test_fidelity_for_readers_reports_a_missed_figure(codebook):
    published = load_published(codebook=codebook)
    table = fidelity_table(load_survey().data, codebook, published)
    table.loc[table["figure_id"] == "T1_01", "within_rounding_interval"] = False
    shown = provenance.fidelity_for_readers(table, codebook, published).set_index("Figure")
    assert shown.loc["T1_01", "Rounds back"] == "no"


def test_fidelity_for_readers_rejects_unknown_figures(codebook):
    table = pd.DataFrame({"figure_id": ["Z99"], "measure": ["awareness"], "item": ["records_collected"],
                          "group": ["all"], "published": [50.0], "estimate": [50.1], "low": [49.5],
                          "high": [50.5], "within_rounding_interval": [True], "n": [10]})
    with pytest.raises(ValueError, match="Z99"):
        provenance.fidelity_for_readers(table, codebook)


def test_pinned_versions_reads_exact_pins_and_rejects_ranges(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("# comment\n\nPyYAML==6.0.3\nsphinx_book.theme==1.3.0  # trailing\n")
    assert provenance.pinned_versions(requirements) == {"pyyaml": "6.0.3", "sphinx-book-theme": "1.3.0"}
    requirements.write_text("numpy==2.4.6\npandas>=2\n")
    with pytest.raises(ValueError, match=r"line 2: 'pandas>=2'"):
        provenance.pinned_versions(requirements)


def test_the_project_pins_every_key_package():
    pins = provenance.pinned_versions()
    unpinned = [p for p in provenance.KEY_PACKAGES
                if provenance.normalise_name(p) not in pins and p != "social-licence"]
    assert unpinned == []


def test_software_versions_compares_installed_with_pinned():
    pins = {"numpy": metadata.version("numpy"), "PANDAS": "0.0.0"}
    table = provenance.software_versions(("numpy", "pandas", "no-such-package-xyz"), pins).set_index("software")
    python = f"Python ({platform.python_implementation()})"
    assert table.loc[python, "installed"] == ".".join(platform.python_version_tuple()[:2])
    assert pd.isna(table.loc[python, "pinned"]) and pd.isna(table.loc[python, "matches"])
    assert table.loc["numpy", "matches"] == True  # noqa: E712 (nullable boolean)
    assert table.loc["pandas", "matches"] == False  # noqa: E712
    assert pd.isna(table.loc["no-such-package-xyz", "installed"])
    shown = provenance.versions_for_readers(table.reset_index()).set_index("Software")
    assert shown.loc["no-such-package-xyz", "This build"] == "not installed"
    assert shown.loc["pandas", "Matches pin"] == "no" and shown.loc[python, "Matches pin"] == "–"


def test_the_recoding_audit_reads_as_the_file_and_the_codebook_write_it():
    """Rows built as study.mapping.recoding_audit builds them (whole numbers as ints, a blank cell
    as None): the codes read as the file and the codebook write them, a blank as a dash."""
    audit = pd.DataFrame([
        {"variable": "sex", "file_column": "Q1", "file_value": 1, "file_label": "Male", "code": 1,
         "codebook_label": "Male (father)", "rows": 400},
        {"variable": "sex", "file_column": "Q1", "file_value": 2, "file_label": "Female", "code": 2,
         "codebook_label": "Female (mother)", "rows": 440},
        {"variable": "sex", "file_column": "Q1", "file_value": None, "file_label": "", "code": None,
         "codebook_label": "", "rows": 3}], columns=list(AUDIT_COLUMNS))
    shown = provenance.recoding_for_readers(audit)
    assert list(shown.columns) == ["Variable", "File column", "File value", "File label", "Code", "Codebook label",
                                   "Rows"]
    assert shown["File column"].tolist() == ["`Q1`"] * 3 and shown["Rows"].tolist() == ["400", "440", "3"]
    assert shown.loc[2, ["File value", "Code"]].tolist() == ["–", "–"]
    assert shown["File value"].tolist()[:2] == ["1", "2"] and shown["Code"].tolist()[:2] == ["1", "2"], \
        "a code is written as the whole number it is, not as 1.0"


def test_reference_case_counts_counts_rows_and_skips_the_fixture(tmp_path):
    (tmp_path / "survey_fixture.csv").write_text("a\n1\n2\n")
    (tmp_path / "b_reference.csv").write_text("x,y\n1,2\n3,4\n5,6\n")
    (tmp_path / "a_reference.csv").write_text("x\n1\n")
    (tmp_path / "designs").mkdir()
    (tmp_path / "designs" / "c_reference.csv").write_text("x\n1\n2\n")
    assert provenance.reference_case_counts(tmp_path) == {"a_reference.csv": 1, "b_reference.csv": 3,
                                                           "designs/c_reference.csv": 2}
    shipped = provenance.reference_case_counts()
    assert set(shipped) == {"chisq_reference.csv", "compare_reference.csv", "proportions_reference.csv",
                            "designs/lonely_reference.csv", "designs/proportions_reference.csv",
                            "designs/replicate_factors.csv", "designs/replicates_reference.csv"}
    assert all(rows > 0 for rows in shipped.values())
