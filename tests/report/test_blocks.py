"""A block of published figures as the chapters show it: the derived table, the file's beside it,
and the derived figure.

References: every cell is compared with ``tables.cell`` applied to the results given to the block
(derived intervals and verdicts from analysis.derived; the file's estimates from
study.recompute.estimate_figures with survey.consensus.consensus_verdicts), the foot row with the
printed group sizes (843, at least 422, 42, 93, 101, 202: tests/analysis/test_derived.py) and the
file's rows added up. What is glued is captured by replacing myst_nb's glue in report.display.
"""
import base64
import io
import re
import shutil

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from social_licence.analysis import derived, release
from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import load_evidence
from social_licence.report import display
from social_licence.report.blocks import (
    DEPENDS_MARK,
    HIGHER,
    HIGHER_MARK,
    ROUNDING_MARK,
    base_label,
    derived_figure,
    derived_table,
    file_table,
    fragility_marks,
    higher_note,
)
from social_licence.report.page import Page
from social_licence.report.tables import cell
from social_licence.study.paths import SYNTHETIC_PATH
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.consensus import consensus_verdicts
from social_licence.survey.disclosure import round_count

matplotlib.use("Agg")

BLOCK = "trust_to_link_records"  # the paper's Table 3: verdicts that depend on the design effect and the rounding
GROUPS = ["all", HIGHER, "black", "lone_parent", "age_18_29", "household_5_plus"]


@pytest.fixture(autouse=True)
def no_environment(monkeypatch):
    monkeypatch.delenv("SOCIAL_LICENCE_DATA", raising=False)


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(Assumptions())


@pytest.fixture
def glued(monkeypatch):
    stored = {}
    monkeypatch.setattr(display, "myst_glue", lambda name, value, display: stored.update({name: value}))
    return stored


def items_of(evidence):
    return [key for key, item in evidence.codebook.items.items() if item.block == BLOCK]


def judged(evidence, **options):
    """The block's derived verdicts under the evidence's assumptions (the chapter cells' calls)."""
    a = evidence.assumptions
    sizes = derived.group_sizes(evidence.published, evidence.codebook, black_group=a.black_group)
    table = derived.intervals(evidence.figures(BLOCK), sizes, deffs=a.deff_range, method=a.interval_method,
                              level=a.level, answering_share=a.answering_share)
    return derived.verdicts(table, factor=a.consensus_factor, rule=a.verdict_rule, **options)


def recomputed(evidence):
    """The block recomputed from the file as the disclosure rules release it, with its verdicts (the cells' calls)."""
    design = file_design(evidence.data, evidence.codebook)
    estimates = estimate_figures(design, evidence.figures(BLOCK), evidence.codebook)
    return consensus_verdicts(release.released_figures(estimates, evidence), k="k")


def rows_of(markdown: str) -> list[list[str]]:
    """The body rows of a glued MyST table, as cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def header_of(markdown: str) -> list[str]:
    line = next(line for line in markdown.splitlines() if line.startswith("|"))
    return [cell.strip() for cell in line.strip("|").split("|")]


def test_fragility_marks():
    assert [fragility_marks(a, b) for a, b in ((False, False), (True, False), (False, True), (True, True))] == \
        ["", DEPENDS_MARK, ROUNDING_MARK, DEPENDS_MARK + ROUNDING_MARK] == ["", "†", "‡", "†‡"]


def test_the_derived_table_shows_each_published_figure_with_its_derived_interval_and_marks(evidence, glued):
    page = Page("p", "tb", evidence)
    verdicts = judged(evidence)
    items = items_of(evidence)
    derived_table(page, verdicts, name="tbl-x", items=items, groups=GROUPS, title="Trust")
    text = glued["tbl-x"].data
    rows = rows_of(text)
    assert [row[0] for row in rows] == [evidence.codebook.counted_label(i) for i in items] + \
        ["Parents implied by the printed share (derived)"]
    figures = verdicts[verdicts["group"].isin(GROUPS)]
    assert figures["depends_on_deff"].any() and figures["depends_on_rounding"].any(), \
        "the check needs verdicts that depend on the design effect and on the rounding"
    for _, figure in figures.iterrows():
        shown = rows[items.index(figure["item"])][1 + GROUPS.index(figure["group"])]
        expected = cell(figure["published"], figure["ci_low@2"], figure["ci_high@2"], figure["verdict"])
        marks = fragility_marks(figure["depends_on_deff"], figure["depends_on_rounding"])
        assert shown == expected + marks, figure["figure_id"]
    assert rows[-1][1:] == ["843", "≥ 422", "42", "93", "101", "202"]
    assert header_of(text)[1 + GROUPS.index(HIGHER)] == evidence.codebook.short_name_of(HIGHER) + HIGHER_MARK
    assert text.startswith("```{table} Trust: published % and derived 95% interval (design effect 2); verdict "
                           "against the 50% line")
    assert higher_note(page) in text and "any one of its three markers" in higher_note(page)
    assert len(page.records) == len(rows) * len(GROUPS) and {r["evidence"] for r in page.records} == {"derived"}


def test_the_derived_cells_use_the_upper_design_effect_of_the_range(evidence, glued):
    """Design effects 1 to 3: the cells show the limits at 3 (the 'ci_low@3' columns)."""
    wider = Assumptions(deff_range=(1.0, 3.0))
    page = Page("p", "tb", load_evidence(wider))
    verdicts = judged(page.evidence)
    derived_table(page, verdicts, name="tbl-x", items=items_of(evidence), groups=["all"], title="Trust")
    rows = rows_of(glued["tbl-x"].data)
    first = verdicts[verdicts["group"] == "all"].iloc[0]
    assert rows[0][1].startswith(cell(first["published"], first["ci_low@3"], first["ci_high@3"], first["verdict"]))
    assert "(design effect 3)" in glued["tbl-x"].data


def test_an_unjudged_block_has_no_marks_and_the_answering_share_labels_the_foot(evidence, glued):
    page = Page("p", "tb", load_evidence(Assumptions(answering_share=0.5)))
    verdicts = judged(page.evidence)
    derived_table(page, verdicts, name="tbl-x", items=items_of(evidence), groups=["all", "black"], title="Trust",
                  judged=False)
    text = glued["tbl-x"].data
    rows = rows_of(text)
    label = "Parents answering (50% of those the printed share implies; derived)"
    assert base_label(page) == label
    assert rows[-1] == [label, "422", "21"]
    assert not any(mark in text for mark in ("✓", "✗", "?", "†", "‡")) and "verdict against" not in text


def test_under_the_all_three_reading_the_higher_group_has_no_size(glued):
    evidence = load_evidence(Assumptions(higher_group="all"))
    page = Page("p", "tb", evidence)
    verdicts = judged(evidence)
    derived_table(page, verdicts, name="tbl-x", items=items_of(evidence), groups=GROUPS, title="Trust")
    rows = rows_of(glued["tbl-x"].data)
    column = 1 + GROUPS.index(HIGHER)
    assert rows[-1][column] == "–"
    assert all(row[column].endswith("·") for row in rows[:-1]), "size unknown"
    assert higher_note(page).startswith(f"{HIGHER_MARK} Read as all three") and "(size unknown)" in higher_note(page)


def test_the_file_table_of_a_synthetic_file_is_supplementary_and_carries_no_verdicts(evidence, glued):
    page = Page("p", "tb", evidence)
    estimates = recomputed(evidence)
    items = items_of(evidence)
    file_table(page, estimates, release.released_sizes(evidence), name="tbl-x-file", items=items, groups=GROUPS,
               title="Trust")
    text = glued["tbl-x-file"].data
    assert text.startswith("```{supplementary-table} Trust, from the respondent file")
    assert "Synthetic: the percentages match the published ones by construction" in text
    rows = rows_of(text)
    for figure in estimates[estimates["group"].isin(GROUPS)].itertuples():
        shown = rows[items.index(figure.item)][1 + GROUPS.index(figure.group)]
        assert shown == cell(100 * figure.estimate, figure.ci_low, figure.ci_high, None), figure.figure_id
    data = evidence.data
    assert rows[-1] == ["Respondents in this file", str(len(data)),
                        *[str(int(data[g].sum())) for g in GROUPS[1:]]]
    assert {r["evidence"] for r in page.records} == {"file"}


def test_an_archived_file_s_table_is_evidence_with_verdicts_and_says_nothing_of_synthetic_files(tmp_path, glued):
    path = tmp_path / "archive.csv"
    shutil.copy(SYNTHETIC_PATH, path)
    evidence = load_evidence(Assumptions(data_source=str(path)))
    page = Page("p", "tb", evidence)
    assert page.archived
    estimates = recomputed(evidence)
    items = items_of(evidence)
    file_table(page, estimates, release.released_sizes(evidence), name="tbl-x-file", items=items, groups=GROUPS,
               title="Trust")
    text = glued["tbl-x-file"].data
    assert text.startswith("```{table} Trust, from the respondent file")
    assert "synthetic" not in text.lower() and "Data: Archived survey file archive.csv." in text
    assert "≈ rounded to the nearest 5; [c] withheld by the disclosure rules" in text
    rows = rows_of(text)
    # the synthetic file's counts: 9 of the 41 Black parents answering trust immigration services (T3_27)
    assert estimates.set_index("figure_id").loc["T3_27", "withheld"]
    for figure in estimates[estimates["group"].isin(GROUPS)].itertuples():
        shown = rows[items.index(figure.item)][1 + GROUPS.index(figure.group)]
        expected = "[c]" if figure.withheld else cell(100 * figure.estimate, figure.ci_low, figure.ci_high,
                                                      figure.verdict)
        assert shown == expected, figure.figure_id
    data = evidence.data
    assert rows[-1] == ["Respondents in this file", "843",
                        *[f"≈{round_count(int(data[g].sum()), 5)}" for g in GROUPS[1:]]], \
        "sizes rounded to the nearest 5; the file's 843 rows are the published sample size"
    withheld = [r for r in page.records if r["key"] == "tbl-x-file/Trust: immigration services/Black parents"]
    assert withheld[0]["value"] is None and withheld[0]["text"] == "[c]"
    assert withheld[0]["disclosure"] == {"cell": "figure/T3_27", "rule": "min_count_numerator",
                                         "result": "suppressed", "applied": True}
    listing = pd.read_csv(io.BytesIO(base64.b64decode(re.search(r'base64,([^"]+)', text).group(1))))
    row = listing[listing["figure_id"] == "T3_27"].iloc[0]
    assert pd.isna(row["estimate"]) and pd.isna(row["ci_low"]) and row["result"] == "suppressed"
    assert (listing["n"] % 5 == 0).all() and listing["n_missing"].isna().all(), "no exact count leaves the build"


def test_the_derived_figure_plots_the_published_figures_by_counted_answer(evidence, glued):
    page = Page("p", "tb", evidence)
    verdicts = judged(evidence)
    items = items_of(evidence)
    derived_figure(page, verdicts, name="fig-x", items=items, groups=["all", "black"], measured="Trust")
    fig = glued["fig-x"]
    assert not plt.fignum_exists(fig.number), "glued figures are closed"
    ax = fig.axes[0]
    labels = [t.get_text().replace("\n", " ") for t in ax.get_yticklabels()]
    assert labels == [evidence.codebook.counted_label(i) for i in items]
    assert ax.get_xlabel() == "Trust: published, with 95% interval (design effect 2)"
    markers = [c for c in ax.collections if c.get_label() == "All parents"]
    assert sorted(markers[0].get_offsets()[:, 0]) == pytest.approx(
        sorted(verdicts.loc[verdicts["group"] == "all", "published"]))
    assert [line for line in ax.get_lines() if line.get_linestyle() == "--"], "the threshold is drawn"
    derived_figure(page, verdicts, name="fig-y", items=items, groups=["all"], measured="Trust", threshold=False)
    assert not [line for line in glued["fig-y"].axes[0].get_lines() if line.get_linestyle() == "--"]
