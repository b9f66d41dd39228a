"""Display: the one formatter, numbered captioned tables and their CSV downloads."""
import base64
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from social_licence.report import display
from social_licence.report.display import (
    SOURCE_COLUMN,
    WITHHELD,
    csv_download,
    data_origin,
    downloads,
    interval,
    markdown_table,
    p_value,
    percent,
    source_notice,
    stable,
)
from social_licence.study.loader import DataSource, load_survey
from social_licence.study.paths import PROJECT_ROOT


def test_percent_and_interval_formatting():
    assert percent(0.7234) == "72"
    assert percent(0.7234, 1) == "72.3"
    assert percent(math.nan) == WITHHELD
    assert interval(0.681, 0.7649) == "68–76"
    assert interval(0.681, math.nan) == WITHHELD


def test_a_download_names_where_each_row_comes_from():
    """One source for every row (the data source's label), or one per row (published, derived, or
    the file): the first column of the CSV."""
    source = DataSource(kind="archived", path=Path("x.sav"), label="Archived survey file x.sav", mapping=None)
    link = csv_download(pd.DataFrame({"p": [0.72]}), "tbl-x.csv", data_origin(source))
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", link.data).group(1)
    assert base64.b64decode(payload).decode().startswith(f"{SOURCE_COLUMN},p\nData: Archived survey file x.sav,0.72")
    table = pd.DataFrame({"key": ["a", "b", "c"], "value": [49.0, 0.123456789, 3.0]})
    per_row = csv_download(table, "numbers.csv", ["published", "derived", "Archived survey file x.sav"]).data
    round_trip = pd.read_csv(io.StringIO(base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", per_row)
                                                          .group(1)).decode()))
    assert round_trip[SOURCE_COLUMN].tolist() == ["published", "derived", "Archived survey file x.sav"]
    assert round_trip["value"].tolist() == [49.0, 0.123457, 3.0]
    assert list(table.columns) == ["key", "value"], "the caller's table is not modified"
    with pytest.raises(ValueError, match=r"numbers.csv: 2 source texts for 3 rows"):
        csv_download(table, "numbers.csv", ["published", "derived"])
    both = downloads([link, None, link]).data
    assert both.count("download=") == 2


def test_markdown_table_is_a_numbered_myst_table():
    frame = pd.DataFrame({"Group": ["All", "A|B"], "%": ["72", "81"]})
    text = markdown_table(frame, "Awareness. Data: synthetic.", "tbl-awareness").data
    assert text.startswith("```{table} Awareness. Data: synthetic.\n:name: tbl-awareness\n")
    assert "| A\\|B | 81 |" in text
    assert "|:---|---:|" in text  # text left, numbers right
    assert text.rstrip().endswith("```")
    classed = markdown_table(frame, "Awareness.", "tbl-awareness", css_class="results").data
    assert classed.startswith("```{table} Awareness.\n:name: tbl-awareness\n:class: results\n\n| Group | % |")


def test_a_supplementary_table_is_numbered_in_its_own_series():
    """Tables from a synthetic file are "Table S1", ... (series "S", _ext/table_series.py)."""
    frame = pd.DataFrame({"Group": ["All"], "%": ["72"]})
    text = markdown_table(frame, "From the file. Data: synthetic.", "tbl-x-file", series="S").data
    assert text.startswith("```{supplementary-table} From the file. Data: synthetic.\n:name: tbl-x-file\n")
    assert markdown_table(frame, "c", "n", series="").data.startswith("```{table} c\n")
    with pytest.raises(ValueError, match=r"series='T' is not one of \['', 'S'\]"):
        markdown_table(frame, "c", "n", series="T")


def test_csv_download_carries_the_table_its_source_and_stable_numbers():
    table = pd.DataFrame({"estimate": [0.123456789012, 0.5], "group": ["a", "b"], "n": [843, 42]})
    html = csv_download(table, "tbl-x.csv", "Archived survey file x.sav").data
    assert 'download="tbl-x.csv"' in html
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)
    round_trip = pd.read_csv(io.StringIO(base64.b64decode(payload).decode()))
    expected = table.assign(estimate=[0.123457, 0.5])
    expected.insert(0, SOURCE_COLUMN, "Archived survey file x.sav")
    pd.testing.assert_frame_equal(round_trip, expected)
    assert table["estimate"].iloc[0] == 0.123456789012, "the caller's table is not modified"


@pytest.mark.parametrize("value, stored", [
    (0.0072161068913064765, 0.00721611), (0.0072161068913065, 0.00721611), (82.05176241034206, 82.0518),
    (597.6891527488654, 597.689), (843.0000000001, 843.0), (-12.3456789, -12.3457), (1.23456789e-12, 0.0),
    (3.1e-17, 0.0), (0.0, 0.0), (np.float64(0.333333333333), 0.333333),
])
def test_stable_rounds_to_six_significant_digits_so_blas_noise_vanishes(value, stored):
    result = stable(value)
    assert type(result) is float and result == stored
    assert stable(value * (1 + 4e-16)) == stored, "last-digit noise of another BLAS kernel must not show"


def test_stable_leaves_non_floats_alone_and_rounds_float_columns():
    assert stable(843) == 843 and stable("0.123456789") == "0.123456789" and stable(True) is True
    assert math.isnan(stable(math.nan)) and stable(math.inf) == math.inf
    frame = pd.DataFrame({"p": [0.123456789], "n": [3], "label": ["x"]})
    rounded = stable(frame)
    assert rounded["p"].tolist() == [0.123457] and rounded["n"].tolist() == [3] and rounded["label"].tolist() == ["x"]
    assert frame["p"].tolist() == [0.123456789]


def test_glue_stores_rounded_plain_numbers(monkeypatch):
    stored = {}
    monkeypatch.setattr(display, "myst_glue", lambda name, value, display: stored.update({name: (value, display)}))
    display.glue("x", np.float64(82.05176241034206))
    display.glue("n", np.int64(843))
    assert stored == {"x": (82.0518, False), "n": (843, False)}
    assert type(stored["n"][0]) is int


def test_no_table_glues_nothing_that_could_take_a_table_number(monkeypatch):
    stored = {}
    monkeypatch.setattr(display, "myst_glue", lambda name, value, display: stored.update({name: value}))
    display.no_table("tbl-x")
    assert stored["tbl-x"].data == ""


def test_source_notice_says_which_file_the_build_used():
    synthetic = load_survey().source
    text = source_notice(synthetic).data
    assert text.startswith(":::{admonition} Data source: synthetic\n:class: warning")
    assert "synthetic respondent file" in text and "{doc}`/chapters/datasheet`" in text
    archived = DataSource(kind="archived", path=PROJECT_ROOT / "data/raw/x.sav",
                          label="Archived survey file x.sav", mapping=PROJECT_ROOT / "data/raw/mapping.yml")
    text = source_notice(archived).data
    assert text.startswith(":::{admonition} Data source: archived survey file\n:class: note")
    assert "`data/raw/x.sav`" in text and "`data/raw/mapping.yml`" in text
    assert "synthetic" not in text.lower()
    outside = DataSource(kind="archived", path=Path("/home/someone/private/x.sav"), label="Archived survey file x.sav",
                         mapping=Path("/home/someone/private/mapping.yml"))
    text = source_notice(outside).data
    assert "/home/someone" not in text and "`x.sav`" in text and "`mapping.yml`" in text


def test_p_value_for_tables():
    assert [p_value(v) for v in (0.0004, 0.0123, 0.5, math.nan)] == ["<0.001", "0.012", "0.500", WITHHELD]
