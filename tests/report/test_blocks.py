"""A block of published figures as the chapters show it: the derived table, the file's beside it."""
import shutil

import pytest

from social_licence.report import blocks, display
from social_licence.report.blocks import (
    DEPENDS_MARK,
    HIGHER,
    HIGHER_MARK,
    ROUNDING_MARK,
    fragility_marks,
    higher_group_note,
    publish_block,
)
from social_licence.report.book import Book
from social_licence.report.chapters.common import TABLE_GROUPS, items_of
from social_licence.report.tables import cell
from social_licence.study.loader import load_survey
from social_licence.study.paths import SYNTHETIC_PATH

BLOCK = "trust_to_link_records"  # the paper's Table 3: verdicts that depend on the design effect


@pytest.fixture(scope="module")
def book():
    return Book("tb")


@pytest.fixture
def glued(monkeypatch):
    stored = {}
    monkeypatch.setattr(display, "myst_glue", lambda name, value, display: stored.update({name: value.data}))
    return stored


def rows_of(markdown: str) -> list[list[str]]:
    """The body rows of a glued MyST table, as cells."""
    lines = [line for line in markdown.splitlines() if line.startswith("|")][2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def test_the_derived_table_shows_each_published_figure_with_its_derived_interval_and_mark(book, glued):
    items = items_of(book, BLOCK)
    publish_block(book, "tbl-x", items, TABLE_GROUPS, "Trust")
    rows = rows_of(glued["tbl-x"])
    assert [row[0] for row in rows] == [book.codebook.name_of(i) for i in items] + ["Parents (printed share of 843)"]
    figures = book.verdicts[book.verdicts["item"].isin(items) & book.verdicts["group"].isin(TABLE_GROUPS)]
    assert figures["depends_on_deff"].any() and figures["depends_on_rounding"].any(), \
        "the check needs verdicts that depend on the design effect and on the rounding"
    for figure_id, figure in figures.iterrows():
        shown = rows[items.index(figure["item"])][1 + TABLE_GROUPS.index(figure["group"])]
        expected = cell(figure["published"], figure["ci_low@2"], figure["ci_high@2"], figure["verdict"])
        marks = (DEPENDS_MARK if figure["depends_on_deff"] else "") + (ROUNDING_MARK if figure["depends_on_rounding"] else "")
        assert shown == expected + marks, figure_id
    assert {fragility_marks(True, False), fragility_marks(False, True), fragility_marks(True, True)} == {"†", "‡", "†‡"}
    header = next(line for line in glued["tbl-x"].splitlines() if line.startswith("| Question"))
    assert f"{book.codebook.short_name_of(HIGHER)}{HIGHER_MARK} |" in header, "the higher group's heading carries its mark"


def test_the_file_table_recomputes_the_same_figures_and_counts_the_file_s_respondents(book, glued):
    items = items_of(book, BLOCK)
    publish_block(book, "tbl-x", items, TABLE_GROUPS, "Trust")
    rows = rows_of(glued["tbl-x-file"])
    estimates = book.view.estimates
    for figure_id, figure in estimates[estimates["item"].isin(items) & estimates["group"].isin(TABLE_GROUPS)].iterrows():
        shown = rows[items.index(figure["item"])][1 + TABLE_GROUPS.index(figure["group"])]
        assert shown == cell(100 * figure["estimate"], figure["ci_low"], figure["ci_high"], figure["verdict"]), figure_id
    bases = rows[-1]
    assert bases[0] == "Respondents in this file" and bases[1] == str(len(book.view.data))
    assert "synthetic file the percentages equal the published ones by construction" in glued["tbl-x-file"]


def test_an_archived_build_s_file_table_says_nothing_of_synthetic_files(tmp_path, glued):
    path = tmp_path / "archive.csv"
    shutil.copy(SYNTHETIC_PATH, path)
    publish_block(Book("tb", survey=load_survey(path)), "tbl-x", items_of(Book("tb"), BLOCK), TABLE_GROUPS, "Trust")
    assert "synthetic" not in glued["tbl-x-file"].lower()


def test_the_higher_group_note_gives_the_other_reading(book):
    """Read as any one marker (the default), the note says what all three would carry; read as
    all three, what any one would."""
    figure_ids = list(book.verdicts.index[book.verdicts["group"] == HIGHER])
    anyone = higher_group_note(book, figure_ids)
    assert "Any one of" in anyone and "Under all three (at most 295 parents)" in anyone
    strict = Book("tb", codebook=book.codebook.with_combine(HIGHER, "all"))
    note = higher_group_note(strict, figure_ids)
    size = int(blocks.derived.group_sizes(book.published, book.codebook).set_index("group").loc[HIGHER, "size"])
    assert note.startswith(f"{HIGHER_MARK} All three markers") and f"at least {size}" in note
