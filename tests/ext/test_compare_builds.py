"""_ext/compare_builds.py on two hand-made manifests: a changed number, a verdict word that moved, a
table cell whose verdict mark changed, one whose fragility mark alone changed, a record in one build
only, and the parameters that differ; unreadable input exits non-zero naming it."""
from __future__ import annotations

import csv
import json

import pytest

import compare_builds as cb

PARAMETERS = {"deff_range": [1.0, 2.0], "level": 0.95}


def value(key, val, text, shown=None, evidence="derived"):
    return {"key": key, "docname": "chapters/ei", "kind": "value", "evidence": evidence, "value": val, "text": text,
            "shown": shown if shown is not None else [text], "cell_id": "cell-05"}


def cell(key, val, text):
    return {"key": key, "docname": "chapters/ei", "kind": "table cell", "evidence": "derived", "value": val,
            "text": text, "cell_id": "cell-06"}


def manifest(records, parameters=PARAMETERS):
    page = {"page": "ei", "data_source": "synthetic", "data_path": "data/x.csv", "sha256": "ab", "parameters": parameters}
    return {"parameters": parameters, "parameters_differ": {}, "pages": {"chapters/ei": page}, "records": records}


A = manifest([value("ei_low", 77.9929, "78%", ["78"]), value("ei_same", 20, "20"), value("ei_verdict", "open", "open"),
              value("ei_unrounded", 41.2004, "41%", ["41"]),
              cell("tbl/Black/All", 62.0, "62 (39–82) ?"), cell("tbl/Lone/All", 74.0, "74 (59–86) ✓"),
              cell("tbl/Aged/All", 78.0, "78 (64–88) ✓"), cell("tbl/Same/All", 90.0, "90 (87–93) ✓"),
              value("ei_gone", 3, "3")])
B = manifest([value("ei_low", 76.8, "77%", ["77"]), value("ei_same", 20, "20"), value("ei_verdict", "consensus", "consensus"),
              value("ei_unrounded", 41.3, "41%", ["41"]),
              cell("tbl/Black/All", 62.0, "62 (33–86) ✗"), cell("tbl/Lone/All", 74.0, "74 (55–88) ✓†"),
              cell("tbl/Aged/All", 78.0, "78 (60–90) ✓"), cell("tbl/Same/All", 90.0, "90 (87–93) ✓"),
              value("ei_new", 4, "4")], {**PARAMETERS, "deff_range": [1.0, 3.0]})


@pytest.fixture
def builds(tmp_path):
    """A as a values.json file, B inside a build folder (<folder>/_build/html/values.json)."""
    (tmp_path / "a.json").write_text(json.dumps(A, ensure_ascii=False))
    html = tmp_path / "b" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "values.json").write_text(json.dumps(B, ensure_ascii=False))
    return tmp_path / "a.json", tmp_path / "b"


def test_each_kind_of_difference_is_classified():
    found, only_a, only_b = cb.compare(A, B)
    assert {d.key: d.change for d in found} == {
        "ei_low": "value", "ei_verdict": "verdict", "ei_unrounded": "value",
        "tbl/Black/All": "table cell, verdict", "tbl/Lone/All": "table cell, fragility", "tbl/Aged/All": "table cell"}
    assert [r["key"] for r in only_a] == ["ei_gone"] and [r["key"] for r in only_b] == ["ei_new"]


def test_the_report_counts_and_lists_every_difference_with_both_texts(builds, capsys):
    assert cb.main([str(p) for p in builds]) == 0
    out = capsys.readouterr().out
    assert "Parameters that differ: deff_range [1.0, 2.0] (A) -> [1.0, 3.0] (B)" in out
    assert "Values that differ:      3 (of which verdict words: 1)" in out
    assert "Table cells that differ: 3 (verdict mark changed: 1; fragility mark only: 1)" in out
    assert "Verdicts moved:          2" in out
    assert "Records only in A:       1" in out and "Records only in B:       1" in out
    rows = {line.split()[-1]: line for line in out.splitlines() if "chapters/ei" in line}
    assert "derived" in rows["✗"] and "tbl/Black/All" in rows["✗"] and "62 (39–82) ?" in rows["✗"]
    assert "ei_low" in rows["77"] and " 78 " in rows["77"]
    assert "ei_same" not in out and "tbl/Same/All" not in out
    assert "Only in A:" in out and "ei_gone" in out and "Only in B:" in out and "ei_new" in out


def test_the_csv_holds_every_difference_in_full(builds, tmp_path, capsys):
    assert cb.main([*map(str, builds), "--csv", str(tmp_path / "d.csv")]) == 0
    with (tmp_path / "d.csv").open(encoding="utf-8") as handle:
        rows = {row["key"]: row for row in csv.DictReader(handle)}
    assert set(rows) == {"ei_low", "ei_verdict", "ei_unrounded", "tbl/Black/All", "tbl/Lone/All", "tbl/Aged/All",
                         "ei_gone", "ei_new"}
    assert (rows["ei_unrounded"]["value_a"], rows["ei_unrounded"]["value_b"]) == ("41.2004", "41.3")
    assert rows["ei_new"]["change"] == "only in B" and rows["ei_new"]["text_b"] == "4" and rows["ei_new"]["text_a"] == ""


def test_a_build_compared_with_itself_has_no_difference(builds, capsys):
    assert cb.main([str(builds[0]), str(builds[0])]) == 0
    out = capsys.readouterr().out
    assert "Parameters that differ: none" in out and "Verdicts moved:          0" in out and "Differences" not in out


@pytest.mark.parametrize("content, message", [
    (None, "no values.json in"),
    ("{not json", "cannot be read as JSON"),
    ('{"pages": {}}', "not a manifest of numbers"),
    (json.dumps(manifest([value("k", 1, "1"), value("k", 2, "2")])), "recorded more than once"),
])
def test_unreadable_input_exits_non_zero_naming_it(tmp_path, builds, capsys, content, message):
    bad = tmp_path / "bad"
    bad.mkdir()
    if content is not None:
        (bad / "values.json").write_text(content)
    assert cb.main([str(builds[0]), str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("compare_builds: B: ") and message in err and str(bad) in err
