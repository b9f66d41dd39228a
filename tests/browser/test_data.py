"""The numbers on the pages equal what the library computes from the data source in use.

The data source is the one this test process selects (``SOCIAL_LICENCE_DATA``, else the synthetic
file): the same as the build's when both run from ``make test``. Everything is recomputed here
from the library, never read back from the page and compared with itself:

- every CSV download of a results block (``report.blocks.publish_block``): the derived listing
  against ``Book.verdicts`` (published figures, printed group sizes, design effects 1 and 2), the
  file listing against ``figure_estimates`` for its interval method and level; and the appendix's
  fidelity download against the recomputation of all 108 figures;
- every cell of those results tables, and their foot row of group sizes, against
  ``report.tables.cell`` applied to the recomputed values (a ``†`` where the derived verdict
  depends on the design effect, a ``‡`` where it depends on the rounding of the printed figure);
- every glued text of every page against the library's value for its key
  (``pages.library_values``: the page's facts, evidence line and interval level).

``REQUIRED_TABLES`` is explicit, so the table checks cannot pass by finding nothing: if a chapter
renames a table, update it here.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from book import pages
from social_licence.report.blocks import HIGHER, HIGHER_MARK, PUBLISHED_ORIGIN, fragility_marks
from social_licence.report.book import Book
from social_licence.report.display import SOURCE_COLUMN, WITHHELD, data_origin, stable
from social_licence.report.tables import cell, figure_estimates

TOC = pages.toc_pages()

#: columns that make a CSV download a listing of recomputed figures (figure_estimates)
FILE_LISTING = ["figure_id", "published", "estimate", "se", "ci_low", "ci_high", "level", "method", "n"]
#: columns that make a CSV download a listing of derived figures (Book.verdicts)
DERIVED_LISTING = ["figure_id", "published", "size", "ci_low@1", "ci_high@1", "ci_low@2", "ci_high@2",
                   "verdict", "depends_on_deff", "depends_on_rounding", "fragile"]
#: tables that must be on their page with a CSV download: table id -> page
REQUIRED_TABLES = {
    "tbl-ei-reasons": "chapters/early_intervention", "tbl-ei-reasons-file": "chapters/early_intervention",
    "tbl-tc-awareness": "chapters/transparency", "tbl-tc-awareness-file": "chapters/transparency",
    "tbl-sd-trust": "chapters/social_divisions", "tbl-sd-trust-file": "chapters/social_divisions",
}
#: the appendix's download of every published figure recomputed, and the figure drawn from it
FIDELITY = ("chapters/appendix", "ap-fidelity.csv", "fig-ap-fidelity")
#: the foot row (or last column) of group sizes in a derived and in a file results table
DERIVED_BASES, FILE_BASES = "Parents (printed share of 843)", "Respondents in this file"


@pytest.fixture(scope="module")
def book():
    return Book.open("test")


@pytest.fixture(scope="module")
def recompute(book):
    """``recompute(method, level)``: figure_estimates for all published figures, by figure id."""
    cache = {}

    def get(method: str = "beta", level: float = 0.95) -> pd.DataFrame:
        if (method, level) not in cache:
            cache[method, level] = figure_estimates(book.survey, method=method, level=level).set_index("figure_id")
        return cache[method, level]

    return get


def kind_of(download: pd.DataFrame) -> str | None:
    """``"derived"`` or ``"file"`` for the listing of a results block, else None."""
    if set(DERIVED_LISTING) <= set(download.columns):
        return "derived"
    if set(FILE_LISTING) <= set(download.columns):
        return "file"
    return None


def assert_columns_match(name: str, shown: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    """Numeric columns of a download equal the library's values as the book stores them
    (``display.stable``: six significant digits), NaN where NaN; other columns equal exactly."""
    want_rows = expected.loc[shown["figure_id"]]
    for column in columns:
        want = want_rows[column]
        if want.dtype.kind in "fiu":
            got = shown[column].to_numpy(dtype=float)
            want = np.array([stable(v) for v in want.to_numpy(dtype=float, na_value=np.nan)])
            bad = ~np.isclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
        else:
            got, want = shown[column].to_numpy(), want.to_numpy()
            bad = got != want
        assert not bad.any(), (f"{name}: column {column} differs from the library for "
                               f"{list(shown['figure_id'][bad])}: page {got[bad]} vs library {want[bad]}")


@pytest.mark.parametrize("docname", TOC)
def test_results_downloads_match_the_library(docname, visit, book, recompute):
    for name, table in pages.csv_downloads(visit(docname).soup).items():
        kind = kind_of(table)
        if kind == "derived":
            assert (table[SOURCE_COLUMN] == PUBLISHED_ORIGIN).all(), f"{name}: {SOURCE_COLUMN} is not {PUBLISHED_ORIGIN!r}"
            assert_columns_match(f"{docname}: {name}", table, book.verdicts, DERIVED_LISTING[1:])
        elif kind == "file":
            origin = data_origin(book.source)
            assert (table[SOURCE_COLUMN] == origin).all(), f"{name}: {SOURCE_COLUMN} is not {origin!r}"
            for (method, level), part in table.groupby(["method", "level"]):
                assert_columns_match(f"{docname}: {name}", part, recompute(method, level),
                                     ["published", "estimate", "se", "ci_low", "ci_high", "n", "verdict"])


def expected_cell(kind: str, figure: pd.Series, judged: bool) -> str:
    """What a results table shows for one figure, from the library's values."""
    if kind == "derived":
        text = cell(figure["published"], figure["ci_low@2"], figure["ci_high@2"], figure["verdict"] if judged else None)
        return text + fragility_marks(figure["depends_on_deff"], figure["depends_on_rounding"]) if judged else text
    return cell(100 * figure["estimate"], figure["ci_low"], figure["ci_high"], figure["verdict"] if judged else None)


def expected_base(kind: str, group: str, book: Book) -> str:
    """A group's size as the foot row shows it: from its printed share (derived), or its
    number of respondents in the file."""
    if kind == "file":
        return str(len(book.view.data) if group == "all" else int(book.view.data[group].sum()))
    size = book.sizes.set_index("group").loc[group]
    return WITHHELD if pd.isna(size["size"]) else f"{'≥ ' if size['bound'] == 'lower' else ''}{int(size['size'])}"


@pytest.mark.parametrize("docname", TOC)
def test_results_table_cells_match_the_library(docname, visit, book, recompute):
    """Every cell of a results table (paper layout: questions by groups, or turned round) equals
    ``tables.cell`` of the recomputed values, and its foot row gives each group's size."""
    soup = visit(docname).soup
    downloads = pages.csv_downloads(soup)
    problems = []
    for table in pages.tables(soup):
        download = downloads.get(f"{table.id}.csv")
        kind = None if download is None else kind_of(download)
        if kind is None:
            continue
        values = book.verdicts if kind == "derived" else recompute()
        key_column = table.header[0]  # "Question" (groups in columns) or "Group" (groups in rows)
        bases = DERIVED_BASES if kind == "derived" else FILE_BASES
        for figure in download.itertuples():
            question = book.codebook.name_of(figure.item)
            group = book.codebook.short_name_of(figure.group) + (HIGHER_MARK if figure.group == HIGHER else "")
            row, column = (question, group) if key_column == "Question" else (group, question)
            shown = table.cell(row, column, key_column=key_column)
            judged = figure.measure in book.codebook.judged_blocks
            expected = expected_cell(kind, values.loc[figure.figure_id], judged)
            if shown != expected:
                problems.append(f"{table.id} {figure.figure_id}: page {shown!r}, library {expected!r}")
            base = (table.cell(bases, group, key_column=key_column) if key_column == "Question"
                    else table.cell(group, bases, key_column=key_column))
            if base != expected_base(kind, figure.group, book):
                problems.append(f"{table.id} {figure.group} size: page {base!r}, library {expected_base(kind, figure.group, book)!r}")
    assert not problems, f"{docname}:\n" + "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("table_id", REQUIRED_TABLES)
def test_required_tables_have_their_download(table_id, visit):
    soup = visit(REQUIRED_TABLES[table_id]).soup
    pages.table_by_id(soup, table_id)
    downloads = pages.csv_downloads(soup)
    assert f"{table_id}.csv" in downloads, f"no CSV download for {table_id}; downloads: {list(downloads)}"
    expected = "file" if table_id.endswith("-file") else "derived"
    assert kind_of(downloads[f"{table_id}.csv"]) == expected, f"{table_id}.csv is not a {expected} listing"


def test_fidelity_download_matches_the_library(visit, book, recompute):
    """The appendix's fidelity figure has a download of every published figure, recomputed."""
    docname, filename, figure_id = FIDELITY
    soup = visit(docname).soup
    pages.figure_image(soup, figure_id)
    table = pages.csv_downloads(soup)[filename]
    assert sorted(table["Figure"]) == sorted(book.published["figure_id"]), f"{filename} must list every published figure"
    assert (table[SOURCE_COLUMN] == data_origin(book.source)).all()
    expected = recompute()
    expected = pd.DataFrame({"estimate": 100 * expected["estimate"], "n": expected["n"],
                             "Published %": expected["published"]}, index=expected.index)
    assert_columns_match(f"{docname}: {filename}", table.rename(columns={"Figure": "figure_id"}), expected,
                         ["estimate", "n", "Published %"])


@pytest.mark.parametrize("docname", TOC)
def test_every_glued_text_equals_the_library_value(docname, visit):
    """Each ``{glue:text}`` on the page shows its key's value as the library computes it now."""
    values = pages.library_values(docname)
    problems = []
    for glued in pages.glued_text(visit(docname).soup, docname):
        if glued.key not in values:
            problems.append(f"{glued.key}: glued on the page but not a fact of its chapter module")
            continue
        expected = pages.format_glued(values[glued.key], glued.spec)
        if pages.plain(glued.shown) != pages.plain(expected):
            problems.append(f"{glued.key}: page {glued.shown!r}, library {expected!r}")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


def test_the_glued_text_check_has_texts_to_check(visit):
    """Most pages glue numbers; the check above cannot pass by finding none."""
    counted = {docname: len(pages.glued_text(visit(docname).soup, docname)) for docname in TOC}
    assert sum(counted.values()) >= 100, f"only {sum(counted.values())} glued texts in the book: {counted}"
    assert counted["intro"] > 0, "the landing page glues no numbers"
