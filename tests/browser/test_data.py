"""The numbers on the pages are the ones their notebooks computed, and the tables the library's.

The data source is the one this test process selects (``SOCIAL_LICENCE_DATA``, else the synthetic
file): the same as the build's when both run from ``make test``.

- every glued text of every page equals the value its committed notebook glued for the key,
  formatted as the role asks; the committed outputs are nbval's baseline, which nbval checks
  against a fresh run, so a page built from stale inputs fails here;
- every cell of every table equals the text the notebook recorded for it (``Page.table``);
- independently of the notebooks, every cell of every derived results table and its foot row of
  group sizes equal ``report.tables.cell`` of the derived intervals and verdicts recomputed here
  under the book's default assumptions (``†`` where a verdict depends on the design effect, ``‡``
  where it depends on the rounding), and its CSV download equals them; every file table equals the
  estimates recomputed from the file, with verdict marks on an archived build only;
- on a synthetic build the file tables are supplementary (numbered "Table S1", ...), and every CSV
  download names its source row by row.

``REQUIRED_TABLES`` is explicit, so the table checks cannot pass by finding nothing.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from book import pages
from social_licence.analysis import derived
from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import load_evidence
from social_licence.report.blocks import HIGHER, HIGHER_MARK, PUBLISHED_ORIGIN, fragility_marks
from social_licence.report.display import SOURCE_COLUMN, WITHHELD, data_origin, stable
from social_licence.report.tables import cell
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.consensus import consensus_verdicts

TOC = pages.toc_pages()

#: columns that make a CSV download a listing of recomputed figures (estimate_figures)
FILE_LISTING = ["figure_id", "published", "estimate", "se", "ci_low", "ci_high", "level", "method", "n"]
#: columns that make a CSV download a listing of derived figures (analysis.derived.intervals)
DERIVED_LISTING = ["figure_id", "published", "size", "base", "ci_low@1", "ci_high@1", "ci_low@2", "ci_high@2"]
#: tables that must be on their page with a CSV download: table id -> page
REQUIRED_TABLES = {
    "tbl-ei-reasons": "chapters/early_intervention", "tbl-ei-reasons-file": "chapters/early_intervention",
    "tbl-tc-awareness": "chapters/transparency", "tbl-tc-awareness-file": "chapters/transparency",
    "tbl-tc-consent": "chapters/transparency", "tbl-sd-trust": "chapters/social_divisions",
    "tbl-sd-trust-file": "chapters/social_divisions", "tbl-sd-beliefs": "chapters/social_divisions",
}
MARKS = re.compile(r"[✓✗?·]")


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(Assumptions())


@pytest.fixture(scope="module")
def derived_verdicts(evidence):
    """Every attitude figure's derived intervals and verdicts under the default assumptions."""
    sizes = derived.group_sizes(evidence.published, evidence.codebook)
    return derived.verdicts(derived.intervals(evidence.figures(), sizes, deffs=(1.0, 2.0))).set_index("figure_id")


@pytest.fixture(scope="module")
def file_verdicts(evidence):
    """Every published figure recomputed from the file, with its consensus check."""
    estimates = estimate_figures(file_design(evidence.data, evidence.codebook), evidence.figures(), evidence.codebook)
    return consensus_verdicts(estimates, k="k").set_index("figure_id")


def kind_of(download: pd.DataFrame) -> str | None:
    """``"derived"`` or ``"file"`` for the listing of a results block, else None."""
    if set(DERIVED_LISTING) <= set(download.columns):
        return "derived"
    if set(FILE_LISTING) <= set(download.columns):
        return "file"
    return None


@pytest.mark.parametrize("docname", TOC)
def test_every_glued_text_is_what_the_notebook_computed(docname, visit):
    values = pages.notebook_values(docname)
    problems = []
    for glued in pages.glued_text(visit(docname).soup, docname):
        if glued.key not in values:
            problems.append(f"{glued.key}: glued on the page but not by its notebook")
            continue
        expected = pages.format_glued(values[glued.key], glued.spec)
        if pages.plain(glued.shown) != pages.plain(expected):
            problems.append(f"{glued.key}: page {glued.shown!r}, notebook {expected!r}")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


def test_the_glued_text_check_has_texts_to_check(visit):
    """Most pages glue numbers; the check above cannot pass by finding none."""
    counted = {docname: len(pages.glued_text(visit(docname).soup, docname)) for docname in TOC}
    assert sum(counted.values()) >= 100, f"only {sum(counted.values())} glued texts in the book: {counted}"
    assert counted["intro"] > 0, "the landing page glues no numbers"


@pytest.mark.parametrize("docname", [d for d in TOC if pages.source_file(d).suffix == ".ipynb"])
def test_every_table_cell_is_what_the_notebook_recorded(docname, visit):
    record = {pages.plain(r["key"]): r["text"]
              for r in pages.notebook_record(pages.source_file(docname), pages.page_prefix(docname))["records"]
              if r["kind"] == "table cell"}
    problems, checked = [], 0
    for table in pages.tables(visit(docname).soup):
        for row in table.rows:
            for column, shown in zip(table.header[1:], row[1:]):
                key = pages.plain(f"{table.id}/{row[0]}/{column}")
                if key not in record:
                    problems.append(f"{key}: on the page but not in the notebook's record")
                    continue
                checked += 1
                if pages.plain(shown) != pages.plain(record[key]):
                    problems.append(f"{key}: page {shown!r}, notebook {record[key]!r}")
    assert not problems, f"{docname} ({checked} cells checked):\n" + "\n".join(problems[:20])


def expected_cell(kind: str, figure: pd.Series, judged: bool, marks: bool) -> str:
    """What a results table shows for one figure, from the library's values."""
    if kind == "derived":
        text = cell(figure["published"], figure["ci_low@2"], figure["ci_high@2"], figure["verdict"] if judged else None)
        return text + fragility_marks(figure["depends_on_deff"], figure["depends_on_rounding"]) if judged else text
    return cell(100 * figure["estimate"], figure["ci_low"], figure["ci_high"],
                figure["verdict"] if judged and marks else None)


def expected_base(kind: str, group: str, evidence, verdicts) -> str:
    """A group's size as the foot row shows it: from its printed share (derived), or its number of
    respondents in the file."""
    if kind == "file":
        return str(len(evidence.data) if group == "all" else int(evidence.data[group].sum()))
    sizes = derived.group_sizes(evidence.published, evidence.codebook).set_index("group").loc[group]
    return WITHHELD if pd.isna(sizes["size"]) else f"{'≥ ' if sizes['bound'] == 'lower' else ''}{int(sizes['size'])}"


@pytest.mark.parametrize("docname", TOC)
def test_results_tables_equal_the_library(docname, visit, evidence, derived_verdicts, file_verdicts):
    """Every cell of a results table (questions by groups, or turned round) and its foot row of
    sizes equal the library's values recomputed here, not read from the notebook."""
    soup = visit(docname).soup
    downloads = pages.csv_downloads(soup)
    problems = []
    for table in pages.tables(soup):
        download = downloads.get(f"{table.id}.csv")
        kind = None if download is None else kind_of(download)
        if kind is None:
            continue
        values = derived_verdicts if kind == "derived" else file_verdicts
        key_column = table.header[0]
        base_label = table.rows[-1][0] if key_column == "Question" else table.header[-1]
        for figure in download.itertuples():
            question = evidence.codebook.counted_label(figure.item)
            group = evidence.codebook.short_name_of(figure.group) + (HIGHER_MARK if figure.group == HIGHER else "")
            row, column = (question, group) if key_column == "Question" else (group, question)
            shown = table.cell(row, column, key_column=key_column)
            judged = figure.measure in evidence.codebook.judged_blocks
            expected = expected_cell(kind, values.loc[figure.figure_id], judged, evidence.archived)
            if shown != expected:
                problems.append(f"{table.id} {figure.figure_id}: page {shown!r}, library {expected!r}")
            base = (table.cell(base_label, group, key_column=key_column) if key_column == "Question"
                    else table.cell(group, base_label, key_column=key_column))
            if base != expected_base(kind, figure.group, evidence, values):
                problems.append(f"{table.id} {figure.group} size: page {base!r}, "
                                f"library {expected_base(kind, figure.group, evidence, values)!r}")
    assert not problems, f"{docname}:\n" + "\n".join(sorted(set(problems)))


@pytest.mark.parametrize("docname", TOC)
def test_results_downloads_equal_the_library(docname, visit, derived_verdicts, file_verdicts, evidence):
    for name, table in pages.csv_downloads(visit(docname).soup).items():
        kind = kind_of(table)
        if kind is None:
            continue
        expected = derived_verdicts if kind == "derived" else file_verdicts
        origin = PUBLISHED_ORIGIN if kind == "derived" else data_origin(evidence.source)
        assert (table[SOURCE_COLUMN] == origin).all(), f"{name}: {SOURCE_COLUMN} is not {origin!r}"
        columns = DERIVED_LISTING[1:] if kind == "derived" else ["published", "estimate", "se", "ci_low", "ci_high", "n"]
        want = expected.loc[table["figure_id"]]
        for column in columns:
            got = table[column].to_numpy(dtype=float)
            wanted = np.array([stable(v) for v in want[column].to_numpy(dtype=float, na_value=np.nan)])
            bad = ~np.isclose(got, wanted, rtol=1e-12, atol=0, equal_nan=True)
            assert not bad.any(), f"{docname} {name}: {column} differs for {list(table['figure_id'][bad])}"


@pytest.mark.parametrize("table_id", REQUIRED_TABLES)
def test_required_tables_have_their_download(table_id, visit):
    soup = visit(REQUIRED_TABLES[table_id]).soup
    pages.table_by_id(soup, table_id)
    downloads = pages.csv_downloads(soup)
    assert f"{table_id}.csv" in downloads, f"no CSV download for {table_id}; downloads: {list(downloads)}"
    expected = "file" if table_id.endswith("-file") else "derived"
    assert kind_of(downloads[f"{table_id}.csv"]) == expected, f"{table_id}.csv is not a {expected} listing"


def test_tables_from_a_synthetic_file_are_supplementary_and_carry_no_verdict(visit, evidence):
    """On a synthetic build a file table is numbered "Table S..." and marks no verdict; on an
    archived build it is numbered with the book's tables."""
    found = 0
    for docname in TOC:
        for table in pages.tables(visit(docname).soup):
            if not (table.id or "").endswith("-file"):
                continue
            found += 1
            if evidence.archived:
                assert re.fullmatch(r"Table \d+", table.number), f"{table.id}: {table.number}"
                continue
            assert re.fullmatch(r"Table S\d+", table.number), f"{table.id} is numbered {table.number!r}"
            marked = [c for row in table.rows for c in row[1:] if MARKS.search(c)]
            assert not marked, f"{table.id}: verdict marks on a synthetic file's figures: {marked[:5]}"
    assert found >= 4, f"only {found} file tables found"


def test_every_number_download_names_its_source_row_by_row(visit):
    """The facts download of each page says, per row, what carries the number: published rows say
    published, derived rows derived; file rows name the file."""
    for docname in TOC:
        for name, table in pages.csv_downloads(visit(docname).soup).items():
            if not name.endswith("-numbers.csv"):
                continue
            kinds = dict(zip(table["key"], table["evidence"]))
            for key, source in zip(table["key"], table[SOURCE_COLUMN]):
                if kinds[key] in ("published", "derived", "text"):
                    assert source == kinds[key], f"{docname} {name}: {key} is {kinds[key]} but sourced {source!r}"
