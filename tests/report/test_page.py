"""A page of the book: the facts it glues, the tables it lays out, and the record of every number
and table cell it shows.

References: what is glued is captured by replacing the page module's ``glue`` (myst_nb's glue only
displays, so nothing is lost); the record is compared with the facts and tables given to the page,
with the assumptions' ``as_dict`` and with the evidence's SHA-256 (itself checked against
data/synthetic/SHA256SUMS in tests/analysis/test_evidence.py); numbers are stored rounded to six
significant digits (report.display.stable, tested in test_display.py).
"""
import base64
import dataclasses
import io
import json
import math
import re
from importlib import import_module

import numpy as np
import pandas as pd
import pytest

from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import load_evidence
from social_licence.analysis.facts import evidence_line
from social_licence.analysis.release import Release
from social_licence.report import page as page_module
from social_licence.report.display import SOURCE_COLUMN
from social_licence.report.page import PAGES, RECORD, Page, open_page
from social_licence.study.paths import PROJECT_ROOT


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(Assumptions())


@pytest.fixture
def glued(monkeypatch):
    stored = {}
    monkeypatch.setattr(page_module, "glue", lambda name, value: stored.update({name: value}))
    return stored


@pytest.fixture
def page(evidence, glued):
    return Page("test_page", "tp", evidence)


def csv_of(html: str) -> pd.DataFrame:
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)
    return pd.read_csv(io.StringIO(base64.b64decode(payload).decode("utf-8")))


# --- facts --------------------------------------------------------------------------------------------

def test_facts_are_glued_under_their_keys_and_recorded_with_what_carries_them(page, glued):
    facts = [page.published("share", 49.0, "paper, Table 3"),
             page.derived("low", np.float64(0.44123456789), "printed shares of 843", unit="ratio"),
             page.text("who", "Black parents", "the contrasts")]
    page.glue_facts(facts)
    assert glued == {"tp_share": 49.0, "tp_low": np.float64(0.44123456789), "tp_who": "Black parents"}
    assert page.facts == facts
    assert [r["key"] for r in page.records] == ["tp_share", "tp_low", "tp_who"]
    share, low, who = page.records
    assert share == {"key": "tp_share", "page": "test_page", "glue": "tp_share", "kind": "value", "evidence": "published",
                     "basis": "paper, Table 3", "unit": "percent", "value": 49.0, "text": "49%"}
    assert low["evidence"] == "derived" and low["value"] == 0.441235 and type(low["value"]) is float
    assert low["text"] == "0.44"
    assert who["evidence"] == "text" and who["value"] == "Black parents" and who["unit"] == "text"


def test_missing_values_are_recorded_as_none(page):
    page.glue_facts([page.derived("gap", math.nan, "b", unit="points"), page.derived("n", np.int64(42), "b", "count")])
    assert page.records[0]["value"] is None and page.records[0]["text"] == "not available"
    assert page.records[1]["value"] == 42 and type(page.records[1]["value"]) is int


def test_two_facts_with_one_key_are_refused_within_a_call_and_across_calls(page, glued):
    fact = page.derived("x", 1.0, "b")
    with pytest.raises(ValueError, match=r"test_page: facts with the same key: \['tp_x'\]"):
        page.glue_facts([fact, fact])
    assert glued == {} and page.records == [] and page.facts == [], "nothing glued from a refused call"
    page.glue_facts([fact])
    with pytest.raises(ValueError, match=r"facts with the same key: \['tp_x'\]"):
        page.glue_facts([page.published("x", 2.0, "paper")])
    assert glued == {"tp_x": 1.0} and len(page.records) == 1


def release_of(evidence, result="pass", released=None) -> Release:
    """What the disclosure rules decided for a number, as :func:`release.check_of` gives it."""
    rule = {"pass": "none", "rounded": "rounding", "suppressed": "min_count"}[result]
    return Release("number/kish", rule, result, evidence.archived, "[c]", "≈", released)


def test_a_file_number_carries_the_ensemble_s_range_on_a_synthetic_build_only(page, evidence, tmp_path):
    fact = page.file("kish", [1.4, 1.2, 1.6, 1.3], basis="weights", unit="ratio", tolerance=0.05,
                     release=release_of(evidence))
    assert fact.kind == "file" and fact.key == "tp_kish" and fact.value == 1.4
    assert fact.spread == (1.2, 1.6) and fact.members == 3 and fact.set_by_generator
    archived = Page("p", "tp", dataclasses.replace(evidence, survey=dataclasses.replace(
        evidence.survey, source=dataclasses.replace(evidence.source, kind="archived"))))
    assert archived.archived
    plain = archived.file("kish", [1.4], basis="weights", unit="ratio", tolerance=0.05,
                          release=release_of(archived.evidence))
    assert plain.spread is None and plain.members == 0
    assert archived.reading("r", [plain], finding="Kish: {tp_kish}.", shows="x").value == "Kish: 1.40."
    # on the archived file a number the disclosure rules withhold is never placed, and a count is rounded
    withheld = archived.file("kish", [1.4], basis="weights", unit="ratio", tolerance=0.05,
                             release=release_of(archived.evidence, "suppressed"))
    assert withheld.value is None and withheld.text == "[c] (withheld)"
    assert archived.reading("r", [withheld], finding="Kish: {tp_kish}.", shows="x").value == "Kish: [c] (withheld)."
    count = archived.file("young", [101], basis="rows", unit="count", tolerance=1,
                          release=release_of(archived.evidence, "rounded", 100))
    assert count.value == 100 and count.text == "≈100"
    shown = page.file("young", [101, 99], basis="rows", unit="count", tolerance=1,
                      release=release_of(evidence, "rounded", 100))
    assert shown.value == 101 and shown.text == "101", "a synthetic build shows its numbers as computed"
    assert page.reading("r", [fact], finding="Kish: {tp_kish}.", shows="the design effect").value.startswith(
        "The archived survey file would show the design effect; a synthetic file cannot.")


def test_a_threshold_is_published_under_the_paper_s_factor_and_derived_under_another(page, evidence):
    assert page.threshold("line", 50.0).kind == "published"
    other = Page("p", "tp", dataclasses.replace(evidence, assumptions=Assumptions(consensus_factor=1.2)))
    fact = other.threshold("line", 40.0)
    assert fact.kind == "derived" and fact.basis == "consensus factor 1.2 / k"


# --- tables --------------------------------------------------------------------------------------------

SHOWN = pd.DataFrame({"Question": ["Trust: police", "Parents"], "All parents": ["49 (44–54) ?", "843"],
                      "Black parents": ["28 (14–47) ✗", "42"]})
VALUES = pd.DataFrame({"Question": ["Trust: police", "Parents"], "All parents": [49.0, None],
                       "Black parents": [28.000000001, None]})
DATA = pd.DataFrame({"figure_id": ["T3_19", "T3_21"], "published": [49.0, 28.0]})


def test_a_table_is_glued_numbered_with_its_origin_and_its_download(page, glued):
    page.table("tbl-tp-x", SHOWN, DATA, "Trust in the police.", origin="Source: the paper", evidence="derived",
               values=VALUES, css_class="results")
    text = glued["tbl-tp-x"].data
    assert text.startswith("```{table} Trust in the police. Source: the paper.\n:name: tbl-tp-x\n:class: results\n")
    assert "| Trust: police | 49 (44–54) ? | 28 (14–47) ✗ |" in text
    download = csv_of(text)
    assert download[SOURCE_COLUMN].tolist() == ["Source: the paper"] * 2
    assert download["figure_id"].tolist() == ["T3_19", "T3_21"]


def test_a_table_records_one_record_per_cell_with_its_evidence_class(page):
    page.table("tbl-tp-x", SHOWN, DATA, "Trust.", origin="Source: the paper", evidence="derived", values=VALUES)
    assert len(page.records) == 2 * 2, "two rows of two value columns"
    assert [r["key"] for r in page.records] == ["tbl-tp-x/Trust: police/All parents",
                                                "tbl-tp-x/Trust: police/Black parents",
                                                "tbl-tp-x/Parents/All parents", "tbl-tp-x/Parents/Black parents"]
    first, second, foot, _ = page.records
    assert first == {"key": "tbl-tp-x/Trust: police/All parents", "page": "test_page", "glue": "tbl-tp-x",
                     "kind": "table cell", "row": 0, "column": "All parents", "evidence": "derived",
                     "basis": "Source: the paper", "value": 49.0, "text": "49 (44–54) ?"}
    assert second["value"] == 28.0, "stored at six significant digits"
    assert foot["value"] is None and foot["text"] == "843" and (foot["row"], foot["column"]) == (1, "All parents")
    assert "disclosure" not in first, "a derived cell carries no disclosure decision"
    assert page.facts == [], "a table adds records, not facts"


def test_a_table_without_values_records_its_texts_and_a_supplementary_table_is_numbered_apart(page, glued):
    page.table("tbl-tp-s", SHOWN, DATA, "From the file", origin="Data: synthetic", evidence="file", series="S")
    assert glued["tbl-tp-s"].data.startswith("```{supplementary-table} From the file. Data: synthetic.\n")
    assert all(r["value"] is None and r["evidence"] == "file" for r in page.records)
    assert [r["text"] for r in page.records] == ["49 (44–54) ?", "28 (14–47) ✗", "843", "42"]


# --- the end of the page -------------------------------------------------------------------------------------

def test_finish_glues_the_evidence_line_the_level_the_record_and_the_download(page, evidence, glued):
    file = page.file("kish", [1.4, 1.2, 1.6], basis="weights", unit="ratio", tolerance=0.05,
                     release=release_of(evidence))
    facts = [page.published("share", 49.0, "paper"), page.derived("gap", -22.1, "derived", unit="points"), file,
             page.reading("says", [file], finding="{tp_kish}", shows="the design effect")]
    page.glue_facts(facts)
    page.table("tbl-tp-x", SHOWN, DATA, "Trust.", origin="Source: the paper", evidence="derived", values=VALUES)
    assert page.finish() is None
    assert glued["tp_evidence"] == evidence_line(facts)
    assert glued["tp_level"] == 95.0
    record = json.loads(glued[f"tp_{RECORD}"].data)
    assert record["page"] == "test_page" and record["sha256"] == evidence.sha256
    assert record["data_source"] == evidence.source.label
    assert record["data_path"] == "data/synthetic/synthetic_respondents.csv"
    assert record["parameters"] == Assumptions().as_dict()
    keys = [r["key"] for r in record["records"]]
    assert keys[:4] == ["tp_share", "tp_gap", "tp_kish", "tp_says"] and keys[-1] == "tp_level"
    assert len(keys) == 4 + 4 + 1, "four facts, four table cells, the level"
    level = record["records"][-1]
    assert level["evidence"] == "assumption" and level["value"] == 95.0 and level["text"] == "95%"
    link = glued["tp_numbers"].data
    assert 'download="tp-numbers.csv"' in link
    download = csv_of(link)
    assert download["key"].tolist() == ["tp_share", "tp_gap", "tp_kish", "tp_says"]
    assert download["evidence"].tolist() == ["published", "derived", "file", "reading"]
    assert download[SOURCE_COLUMN].tolist() == ["published", "derived", evidence.source.label, evidence.source.label], \
        "each row names what carries it; file numbers name the file"
    assert download.loc[2, ["ensemble_low", "ensemble_high"]].tolist() == [1.2, 1.6]


def test_the_record_carries_the_assumptions_of_another_edition(evidence, glued):
    changed = Assumptions(level=0.9, deff_range=(1.0, 3.0))
    page = Page("p", "tq", dataclasses.replace(evidence, assumptions=changed))
    page.finish()
    assert glued["tq_level"] == 90.0
    record = json.loads(glued[f"tq_{RECORD}"].data)
    assert record["parameters"]["level"] == 0.9 and record["parameters"]["deff_range"] == [1.0, 3.0]


# --- opening a page ----------------------------------------------------------------------------------------

def test_open_page_glues_the_source_notice_and_says_nothing_of_assumptions_in_the_default_edition(evidence, glued):
    opened = open_page("glossary", evidence)
    assert opened.prefix == import_module("social_licence.report.chapters.glossary").PREFIX
    notice = glued[opened.key("source_notice")].data
    assert notice.startswith(":::{admonition} Data source: synthetic")
    assert glued[opened.key("assumptions_notice")].data == "", "nothing differs in the default edition"


def test_open_page_under_other_assumptions_lists_them(evidence, glued):
    opened = open_page("glossary", dataclasses.replace(evidence, assumptions=Assumptions(level=0.9)))
    notice = glued[opened.key("assumptions_notice")].data
    assert "Built under other assumptions" in notice and "confidence level 0.9 (default 0.95)" in notice
    assert "Built under other assumptions" not in glued[opened.key("source_notice")].data


def test_every_page_of_the_book_has_a_notebook_and_a_module_with_its_own_prefix():
    prefixes = []
    for docname, module in PAGES.items():
        assert (PROJECT_ROOT / f"{docname}.ipynb").is_file(), docname
        prefixes.append(import_module(f"social_licence.report.chapters.{module}").PREFIX)
    assert len(set(prefixes)) == len(prefixes)


def test_the_cell_marks_the_keys_it_glued(page, monkeypatch):
    """Each cell that glues facts or a table leaves their keys in its outputs, by which the build's
    manifest finds the cell (myst-nb takes glue outputs out of the cells)."""
    shown = []
    monkeypatch.setattr(page_module, "display", lambda data, raw: shown.append(data))
    page.glue_facts([page.published("share", 49.0, "paper, Table 3")])
    page.table("tbl-tp-x", SHOWN, DATA, "Trust.", origin="Source: the paper", evidence="derived")
    assert shown == [{page_module.GLUED_MIME: {"glued": ["tp_share"]}}, {page_module.GLUED_MIME: {"glued": ["tbl-tp-x"]}}]
