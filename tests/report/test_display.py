"""Display: the one formatter, numbered captioned tables and their CSV downloads."""
import base64
import io
import math
import re
from pathlib import Path

import pandas as pd
from social_licence.report.display import (
    WITHHELD,
    caption_with_source,
    contrasts_for_readers,
    csv_download,
    figures_for_readers,
    interval,
    markdown_table,
    percent,
    source_notice,
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


def test_csv_download_carries_the_full_precision_table():
    table = pd.DataFrame({"estimate": [0.123456789012, 0.5], "group": ["a", "b"]})
    html = csv_download(table, "tbl-x.csv").data
    assert 'download="tbl-x.csv"' in html
    payload = re.search(r"base64,([A-Za-z0-9+/=]+)", html).group(1)
    round_trip = pd.read_csv(io.StringIO(base64.b64decode(payload).decode()))
    pd.testing.assert_frame_equal(round_trip, table)


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
    assert "x.sav" in text and "mapping.yml" in text


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
