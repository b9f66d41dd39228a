"""_ext/release.py's scan on hand-made manifests, pages and CSVs: a value released without the
rules, one whose recorded decision no longer matches the file, a withheld value still shown, an
unrounded count, a withheld row that keeps its estimate; a synthetic build is refused. The whole
route (a build from the archived stand-in, released and scanned, and tampered with) is tested in
tests/book/test_archived_route.py."""
from __future__ import annotations

import base64

import pandas as pd
import pytest

import release as rel
from social_licence.survey.disclosure import DisclosureRules

RULES = DisclosureRules()
CHECKS = pd.DataFrame({"kind": ["estimate", "count", "estimate"], "n": [41, 101, 833], "n_counted": [9, pd.NA, 399],
                       "n_eff": [27.0, float("nan"), 600.0], "rule": ["min_count_numerator", "rounding", "none"],
                       "result": ["suppressed", "rounded", "pass"], "released": [pd.NA, 100, pd.NA]},
                      index=["figure/T3_27", "size/age_18_29", "figure/T2_01"])


def record(key, value, text, cell, rule, result, kind="table cell", applied=True, **extra):
    return {"key": key, "page": "ei", "docname": "chapters/ei", "glue": key.split("/")[0], "kind": kind,
            "evidence": "file", "value": value, "text": text,
            "disclosure": {"cell": cell, "rule": rule, "result": result, "applied": applied}, **extra}


def manifest(records, data_path="data/raw/file.sav"):
    page = {"page": "ei", "data_source": "Archived survey file file.sav", "data_path": data_path, "sha256": "ab",
            "parameters": {}}
    return {"parameters": {}, "parameters_differ": {}, "pages": {"chapters/ei": page}, "records": records}


def test_released_values_that_follow_the_rules_pass():
    records = [record("t/Trust/Black", None, "[c]", "figure/T3_27", "min_count_numerator", "suppressed"),
               record("t/Base/Young", 100.0, "≈100", "size/age_18_29", "rounding", "rounded"),
               record("t/Trust/All", 47.3, "47 (43–52) ?", "figure/T2_01", "none", "pass"),
               {"key": "t/label", "evidence": "file", "kind": "table cell", "value": None, "text": "Q01"}]
    assert rel.scan_records(manifest(records), CHECKS, RULES) == []


@pytest.mark.parametrize("broken, expected", [
    (record("t/Trust/Black", 22.0, "22 (10–39)", "figure/T3_27", "min_count_numerator", "suppressed"),
     "t/Trust/Black: withheld (min_count_numerator) but released as '22 (10–39)'"),
    (record("t/Base/Young", 101.0, "101", "size/age_18_29", "rounding", "rounded"),
     "t/Base/Young: a count released as '101' (value 101.0), not rounded to the nearest 5"),
    (record("t/Trust/All", 47.3, "47", "figure/T2_01", "none", "pass", applied=False),
     "t/Trust/All: a value from the file released without the disclosure rules"),
    (record("t/Trust/Black", 22.0, "22", "figure/T3_27", "none", "pass"),
     "t/Trust/Black: recorded pass (none), but the file gives suppressed (min_count_numerator) for figure/T3_27"),
    ({"key": "u_kish", "evidence": "file", "kind": "value", "value": 1.4, "text": "1.40"},
     "u_kish: a value from the file released without the disclosure rules"),
])
def test_a_value_that_breaks_a_rule_is_named(broken, expected):
    problems = rel.scan_records(manifest([broken]), CHECKS, RULES)
    assert any(problem.startswith(expected) for problem in problems), problems


def test_a_build_from_the_synthetic_file_is_not_released():
    with pytest.raises(rel.NotARelease, match="synthetic file.*SOCIAL_LICENCE_DATA"):
        rel.recomputed_checks(manifest([], data_path="data/synthetic/synthetic_respondents.csv"))


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def test_a_csv_with_an_unrounded_count_or_a_withheld_estimate_is_named():
    good = pd.DataFrame({"data_source": ["Data: Archived survey file x.sav"] * 2, "figure_id": ["T3_27", "T2_01"],
                         "estimate": ["", "0.473"], "n": ["40", "835"], "result": ["suppressed", "pass"]})
    assert rel.scan_csv("good.csv", csv_bytes(good), RULES) == []
    bad = good.assign(n=["41", "835"], estimate=["0.22", "0.473"])
    assert rel.scan_csv("bad.csv", csv_bytes(bad), RULES) == [
        "bad.csv row 2, n: 41 is not rounded to the nearest 5", "bad.csv row 2: withheld, but holds estimate=0.22"]
    assert rel.scan_csv("rows.csv", csv_bytes(good.assign(n=["843", "835"])), RULES, frozenset({843})) == [], \
        "the file's rows, when they are the published sample size"
    published = pd.DataFrame({"data_source": ["Source: Edwards, Gillies & Gorin (2021a)"], "n": ["42"]})
    assert rel.scan_csv("derived.csv", csv_bytes(published), RULES) == [], "published rows are public"
    assert rel.scan_csv("broken.csv", b'a,b\n"1,2\n', RULES)[0].startswith("broken.csv: not a readable CSV")


def test_embedded_csvs_are_found_in_a_page():
    payload = base64.b64encode(b"data_source,n\nData: x,12\n").decode()
    page = f'<p><a download="tbl-x.csv" href="data:text/csv;base64,{payload}">Download</a></p>'
    assert rel.embedded_csvs(page) == [("tbl-x.csv", b"data_source,n\nData: x,12\n")]


def test_a_page_that_shows_a_withheld_cell_is_named(tmp_path):
    (tmp_path / "book" / "chapters").mkdir(parents=True)
    table = ('<table id="t"><thead><tr><th>Question</th><th>Black parents</th><th>All parents</th></tr></thead>'
             '<tbody><tr><td>Trust</td><td>{black}</td><td>47 (43–52) ?</td></tr></tbody></table>')
    records = [record("t/Trust/Black parents", None, "[c]", "figure/T3_27", "min_count_numerator", "suppressed",
                      row=0, column="Black parents"),
               record("t/Trust/All parents", 47.3, "47 (43–52) ?", "figure/T2_01", "none", "pass", row=0,
                      column="All parents")]
    page = tmp_path / "book" / "chapters" / "ei.html"
    page.write_text(table.format(black="[c]"), encoding="utf-8")
    assert rel.scan_pages(tmp_path, manifest(records), RULES) == []
    page.write_text(table.format(black="22 (10–39) ✗"), encoding="utf-8")
    assert rel.scan_pages(tmp_path, manifest(records), RULES) == [
        "t/Trust/Black parents: ei.html shows '22 (10–39) ✗', its record '[c]'"]
