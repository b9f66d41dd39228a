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
    caption_with_source,
    contrasts_for_readers,
    csv_download,
    figures_for_readers,
    interval,
    markdown_table,
    percent,
    source_notice,
    stable,
)
from social_licence.report.tables import figure_contrasts, figure_estimates
from social_licence.study.loader import DataSource, load_survey
from social_licence.study.published import load_published


def test_percent_and_interval_formatting():
    assert percent(0.7234) == "72"
    assert percent(0.7234, 1) == "72.3"
    assert percent(math.nan) == WITHHELD
    assert interval(0.681, 0.7649) == "68–76"
    assert interval(0.681, math.nan) == WITHHELD


def test_caption_names_the_data_source():
    source = DataSource(kind="archived", path=Path("x.sav"), label="Archived survey file x.sav", mapping=None)
    assert caption_with_source("Awareness by group.", source) == "Awareness by group. Data: Archived survey file x.sav."


def test_markdown_table_is_a_numbered_myst_table():
    frame = pd.DataFrame({"Group": ["All", "A|B"], "%": ["72", "81"]})
    text = markdown_table(frame, "Awareness. Data: synthetic.", "tbl-awareness").data
    assert text.startswith("```{table} Awareness. Data: synthetic.\n:name: tbl-awareness\n")
    assert "| A\\|B | 81 |" in text
    assert "|:---|---:|" in text  # text left, numbers right
    assert text.rstrip().endswith("```")


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


def test_figures_for_readers_shows_published_beside_recomputed():
    survey = load_survey()
    estimates = figure_estimates(survey)
    awareness = estimates[estimates["measure"] == "awareness"]
    shown = figures_for_readers(awareness)
    assert list(shown.columns) == ["Figure", "Question", "Group", "Published %", "Recomputed %", "95% interval",
                                   "n", "Threshold %", "Published: consensus?", "Interval: consensus?"]
    assert shown["Threshold %"].eq("75").all()
    small = awareness["n"] < 50
    assert shown.loc[small, "n"].str.endswith("*").all() and not shown.loc[~small, "n"].str.endswith("*").any()
    composition = figures_for_readers(estimates[estimates["measure"] == "sample_composition"], group=False)
    assert "Interval: consensus?" not in composition.columns and "Group" not in composition.columns


def test_source_notice_says_which_file_the_build_used():
    synthetic = load_survey().source
    text = source_notice(synthetic).data
    assert text.startswith(":::{admonition} Data source: synthetic\n:class: warning") and synthetic.label in text
    archived = DataSource(kind="archived", path=Path("data/raw/x.sav"), label="Archived survey file x.sav",
                          mapping=Path("data/raw/mapping.yml"))
    text = source_notice(archived).data
    assert text.startswith(":::{admonition} Data source: archived survey file\n:class: note")
    assert "`data/raw/x.sav`" in text and "`data/raw/mapping.yml`" in text
    assert "synthetic" not in text.lower()
    outside = DataSource(kind="archived", path=Path("/home/someone/private/x.sav"), label="Archived survey file x.sav",
                         mapping=Path("/home/someone/private/mapping.yml"))
    text = source_notice(outside).data
    assert "/home/someone" not in text and "`x.sav`" in text and "`mapping.yml`" in text


def test_contrasts_for_readers_formats_each_contrast(survey):
    """figure_contrasts output: one adjusted p-value, headed by its adjustment."""
    figures = load_published()
    contrasts = figure_contrasts(survey, figures[figures["figure_id"].isin(["T3_21", "T3_27"])])
    shown = contrasts_for_readers(contrasts)
    row, first = contrasts.iloc[0], shown.iloc[0]
    assert list(shown.columns) == ["Figure", "Question", "Group", "n (group)", "Group %", "Rest %",
                                   "Difference (points)", "95% interval", "p", "Holm p"]
    assert first["Figure"] == "T3_21"
    assert first["Group %"] == f"{100 * row['estimate_a']:.1f}"
    assert first["Difference (points)"] == f"{100 * row['difference']:+.1f}"
    assert first["95% interval"] == f"{100 * row['ci_low']:+.1f} to {100 * row['ci_high']:+.1f}"
    p = row["p_adjusted"]
    assert first["Holm p"] == ("<0.001" if p < 0.001 else f"{p:.3f}")
    bh = figure_contrasts(survey, figures[figures["figure_id"] == "T3_21"], adjust="fdr_bh")
    assert "BH p" in contrasts_for_readers(bh).columns
