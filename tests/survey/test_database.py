"""Tests for social_licence.survey.database: the file route, sums in DuckDB SQL.

References:

* the in-memory route (``proportion`` and ``proportion_by_each`` on a :class:`SurveyDesign` of the
  same rows), to 1e-12 relative, counts, df, flags and levels exactly, on Parquet and CSV files
  written here from the committed fixture (tests/reference/survey_fixture.csv), for all four kinds
  of linearised design and both bases;
* R ``survey`` 4.1.1 (tests/reference/proportions_reference.csv, designs/proportions_reference.csv
  and designs/lonely_reference.csv, written by make_reference.R): ``svyciprop`` by ``svyby`` domain on the four designs and under the four
  lonely-PSU options, as test_proportions.py and test_design.py hold the in-memory route to them.
"""
import re
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from social_licence.survey import database
from social_licence.survey.consensus import consensus_verdicts
from social_licence.survey.database import DatabaseDesign
from social_licence.survey.design import SurveyDesign
from social_licence.survey.proportions import proportion, proportion_by_each

HERE = Path(__file__).parents[1] / "reference"
FIXTURE = pd.read_csv(HERE / "survey_fixture.csv")
FIXTURE["cluster"] = FIXTURE.stratum + "-" + FIXTURE.psu.astype(str)
DESIGNS = {"weights": {}, "strata_psu": {"strata": "stratum", "psu": "psu"},
           "strata": {"strata": "stratum"}, "psu": {"psu": "cluster"}}
ITEMS = {"q_agree": ([4, 5], [8]), "q_yesno": ("Yes", ["Don't know"]), "q_rare": (1, []),
         "q_common": (1, [])}
BY = {"none": [], "group4": ["group4"], "group4+sex": ["group4", "sex"], "flag": ["flag"]}
EXACT = ["n", "n_missing", "df", "suppressed", "low_base"]
CLOSE = ["estimate", "se", "ci_low", "ci_high", "weighted_n", "n_eff", "deff"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("files")
    paths = {"parquet": folder / "fixture.parquet", "csv": folder / "fixture.csv"}
    FIXTURE.to_parquet(paths["parquet"])
    FIXTURE.to_csv(paths["csv"], index=False)
    return paths


def assert_same_table(ours: pd.DataFrame, memory: pd.DataFrame, keys: list) -> None:
    assert list(ours.columns) == list(memory.columns)
    for key in keys:
        assert ours[key].tolist() == memory[key].tolist(), key
    for column in EXACT:
        np.testing.assert_array_equal(ours[column], memory[column], err_msg=column)
    for column in CLOSE:
        np.testing.assert_allclose(ours[column], memory[column], rtol=1e-12, atol=1e-15,
                                   err_msg=column)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
@pytest.mark.parametrize("design", list(DESIGNS))
def test_file_route_equals_the_in_memory_route(files, design, kind):
    """proportion_by_each (three by columns, numeric and text items) and proportion (by two
    columns, and overall), both bases, three interval methods: the in-memory route's table."""
    memory = SurveyDesign(FIXTURE, "w", **DESIGNS[design])
    on_file = DatabaseDesign(files[kind], "w", **DESIGNS[design])
    for include, method in ((False, "beta"), (True, "logit"), (False, "wilson")):
        for variable, (positive, missing) in (("q_agree", ITEMS["q_agree"]),
                                              (["q_rare", "q_common"], (1, []))):
            options = dict(missing_values=missing, include_missing=include, method=method)
            assert_same_table(
                proportion_by_each(on_file, variable, positive, ["group4", "sex", "flag"], **options),
                proportion_by_each(memory, variable, positive, ["group4", "sex", "flag"], **options),
                ["by", "group", "variable"])
        for by in (["group4", "sex"], None):
            options = dict(missing_values=["Don't know"], include_missing=include, method=method)
            assert_same_table(proportion(on_file, "q_yesno", "Yes", by=by, **options),
                              proportion(memory, "q_yesno", "Yes", by=by, **options),
                              ["variable"] + (by or []))


@pytest.mark.parametrize("design", list(DESIGNS))
def test_file_route_matches_r(files, design):
    """R: svyciprop(method = "beta") by svyby domain of ~group4, ~group4 + sex, ~flag (and
    overall) on subset(design, valid), every item (proportions_reference.csv; the other methods
    and levels share the in-memory route's interval code, held to the same rows in
    test_proportions.py)."""
    reference = pd.concat([pd.read_csv(HERE / "proportions_reference.csv"),
                           pd.read_csv(HERE / "designs" / "proportions_reference.csv")])
    reference["flag"] = reference["flag"].map({True: True, False: False, "TRUE": True, "FALSE": False})
    ref = reference[(reference.design == design) & ~reference.include_missing
                    & (reference.method == "beta") & (reference.level == 0.95)]
    on_file = DatabaseDesign(files["parquet"], "w", **DESIGNS[design])
    compared = 0
    for (variable, by, method, level), rows in ref.groupby(["variable", "by", "method", "level"]):
        positive, missing = ITEMS[variable]
        ours = proportion(on_file, variable, positive, by=BY[by] or None, method=method, level=level,
                          missing_values=missing, min_base=0)
        merged = (rows.merge(ours, on=BY[by], suffixes=("_r", "")) if BY[by]
                  else rows.add_suffix("_r").assign(**{c: ours[c].iloc[0] for c in CLOSE + EXACT}))
        assert len(merged) == len(rows) == len(ours)
        for column in ["estimate", "se", "ci_low", "ci_high", "n", "df", "deff"]:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], atol=1e-8, rtol=0,
                                       err_msg=f"{design} {variable} {by} {method} {column}")
        compared += len(merged)
    assert compared == len(ref) > 0


def test_lonely_psu_options_match_r(tmp_path):
    """R: stratum S4 as one PSU under options(survey.lonely.psu = "remove" | "certainty" |
    "adjust" | "average"), svyciprop by domain (lonely_reference.csv), beta rows."""
    path = tmp_path / "lonely.parquet"
    FIXTURE.assign(psu=np.where(FIXTURE.stratum == "S4", 1, FIXTURE.psu)).to_parquet(path)
    ref = pd.read_csv(HERE / "designs" / "lonely_reference.csv")
    ref = ref[(ref.kind == "proportion") & (ref.method == "beta") & (ref.level == 0.95)]
    ref = ref[ref.by != "flag"]  # by flag: the same sums as by group4 (test_design.py has it)
    for (option, variable, by), rows in ref.groupby(["lonely_psu", "variable", "by"]):
        positive, missing = ITEMS[variable]
        design = DatabaseDesign(path, "w", strata="stratum", psu="psu", lonely_psu=option)
        ours = proportion(design, variable, positive, by="group4" if by == "group4" else None,
                          missing_values=missing, min_base=0)
        merged = (rows.merge(ours, on="group4", suffixes=("_r", "")) if by == "group4"
                  else rows.add_suffix("_r").assign(**{c: ours[c].iloc[0] for c in CLOSE + EXACT}))
        for column in ["estimate", "se", "ci_low", "ci_high", "df"]:
            np.testing.assert_allclose(merged[column], merged[column + "_r"], rtol=1e-9,
                                       err_msg=f"{option} {variable} {by} {column}")


def test_by_columns_in_separate_queries_give_the_same_table(files, monkeypatch):
    """A strata/PSU design takes two queries (by domain, and by PSU and domain); with room for
    one by column per query, one of each per column, and the same table."""
    on_file = DatabaseDesign(files["parquet"], "w", strata="stratum", psu="psu")
    groupings = [["group4"], ["sex"], ["flag"]]
    together = proportion_by_each(on_file, "q_agree", [4, 5], ["group4", "sex", "flag"],
                                  missing_values=[8])
    queries = on_file.cell_queries("q_agree", [4, 5], groupings, [8])
    assert [(kind, batch) for kind, batch, _, _ in queries] == [("domains", [0, 1, 2]),
                                                                ("clusters", [0, 1, 2])]
    monkeypatch.setattr(database, "_SQL_CELLS", 1)
    queries = on_file.cell_queries("q_agree", [4, 5], groupings, [8])
    assert [batch for _, batch, _, _ in queries] == [[0], [1], [2]] * 2
    pd.testing.assert_frame_equal(
        proportion_by_each(on_file, "q_agree", [4, 5], ["group4", "sex", "flag"], missing_values=[8]),
        together, check_exact=False, rtol=1e-13)


@pytest.mark.parametrize("design", list(DESIGNS))
def test_the_sql_is_plain_aggregate_sql(files, design):
    """The statements a distributed engine would run: SELECT ... FROM ... GROUP BY with COUNT,
    SUM, CASE and CAST only, plus the file reader and the NaN test the module docstring lists."""
    on_file = DatabaseDesign(files["parquet"], "w", **DESIGNS[design])
    for _, _, sql, _ in on_file.cell_queries(["q_rare", "q_common"], 1, [["group4"], ["flag"]],
                                             missing_values=[9]):
        assert re.fullmatch(r"SELECT .*\nFROM read_parquet\('[^']*'\)\nGROUP BY [^\n]*", sql, re.S)
        functions = set(re.findall(r"([A-Za-z_]+)\(", sql.replace(" IN (", " ")))
        assert functions <= {"COUNT", "SUM", "CAST", "isnan", "read_parquet"}, functions


def test_a_duckdb_table_is_a_source_and_verdicts_follow(files):
    connection = duckdb.connect()
    connection.execute(f"CREATE TABLE answers AS SELECT * FROM read_csv('{files['csv']}')")
    table = proportion_by_each(DatabaseDesign("answers", "w", connection=connection), "q_agree",
                               [4, 5], ["flag"], missing_values=[8])
    memory = proportion_by_each(SurveyDesign(FIXTURE, "w"), "q_agree", [4, 5], ["flag"],
                                missing_values=[8])
    assert_same_table(table, memory, ["by", "group", "variable"])
    assert consensus_verdicts(table, 2).verdict.tolist() == consensus_verdicts(memory, 2).verdict.tolist()


# --- errors, named as the in-memory design names them ---------------------------------------------
def write(tmp_path, frame: pd.DataFrame) -> Path:
    path = tmp_path / "bad.parquet"
    frame.to_parquet(path)
    return path


def test_a_missing_column_is_named(files):
    with pytest.raises(ValueError, match=r"weights column\(s\) 'weight' not found in .*fixture.parquet"):
        DatabaseDesign(files["parquet"], "weight")
    design = DatabaseDesign(files["parquet"], "w")
    with pytest.raises(ValueError, match=r"variable column\(s\) 'q_nope' not found .*\(320 rows"):
        proportion_by_each(design, "q_nope", 1, ["flag"])
    with pytest.raises(ValueError, match=r"by_each column\(s\) 'region' not found"):
        proportion_by_each(design, "q_rare", 1, ["flag", "region"])
    with pytest.raises(ValueError, match=r"by column\(s\) 'region' not found"):
        proportion(design, "q_rare", 1, by=["flag", "region"])


def test_bad_sources_and_design_columns(tmp_path, files):
    with pytest.raises(ValueError, match=r"source file '.*nothing.parquet' does not exist"):
        DatabaseDesign(tmp_path / "nothing.parquet", "w")
    with pytest.raises(ValueError, match=r"source 'no_table' cannot be read"):
        DatabaseDesign("no_table", "w")
    bad = FIXTURE.copy()
    bad.loc[[3, 7], "w"] = np.nan
    with pytest.raises(ValueError, match=r"weights column 'w' has missing \(NULL or NaN\) weights in 2 "
                                         r"of 320 rows"):
        DatabaseDesign(write(tmp_path, bad), "w")
    with pytest.raises(ValueError, match=r"weights column 'w' has negative weights in 1 of 320 rows "
                                         r"\(values: -2.5\)"):
        DatabaseDesign(write(tmp_path, FIXTURE.assign(w=np.where(FIXTURE.id == 5, -2.5, FIXTURE.w))), "w")
    with pytest.raises(ValueError, match=r"weights column 'sex' is not numeric \(type VARCHAR\)"):
        DatabaseDesign(files["parquet"], "sex")
    with pytest.raises(ValueError, match=r"weights column 'w' is zero in all 320 rows"):
        DatabaseDesign(write(tmp_path, FIXTURE.assign(w=0.0)), "w")
    lonely = FIXTURE.assign(psu=np.where(FIXTURE.stratum == "S4", 1, FIXTURE.psu))
    with pytest.raises(ValueError, match=r"strata column 'stratum': stratum/strata 'S4' contain only "
                                         r"one PSU"):
        DatabaseDesign(write(tmp_path, lonely), "w", strata="stratum", psu="psu")
    with pytest.raises(ValueError, match=r"lonely_psu='drop' is not one of"):
        DatabaseDesign(files["parquet"], "w", lonely_psu="drop")


def test_bad_answers_and_by_columns(tmp_path, files):
    design = DatabaseDesign(files["parquet"], "w")
    with pytest.raises(ValueError, match=r"positive value 6 never occurs in column 'q_agree' \(320 rows; "
                                         r"values seen: 1.0, 2.0, 3.0, 4.0, 5.0, 8.0\)"):
        proportion_by_each(design, "q_agree", [5, 6], ["flag"])
    with pytest.raises(ValueError, match=r"column 'q_agree' is numeric \(dtype DOUBLE, 320 rows\) but "
                                         r"positive value\(s\) '4' are not numbers"):
        proportion(design, "q_agree", ["4"])
    region = FIXTURE.assign(region=np.where(FIXTURE.id <= 5, None, "north"))
    with pytest.raises(ValueError, match=r"by column 'region' has 5 missing value\(s\) out of 320"):
        proportion_by_each(DatabaseDesign(write(tmp_path, region), "w"), "q_rare", 1, ["sex", "region"])
    empty = FIXTURE.assign(q_part=np.where(FIXTURE.group4 == "d", np.nan, FIXTURE.q_agree))
    with pytest.raises(ValueError, match=r"column 'q_part' has no valid rows in group\(s\) \('d',\) of "
                                         r"by column\(s\) \['group4'\] \(320 rows\)"):
        proportion_by_each(DatabaseDesign(write(tmp_path, empty), "w"), "q_part", [4, 5], ["group4"])
