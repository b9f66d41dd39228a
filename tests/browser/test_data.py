"""Spot checks: numbers on the pages equal what the library computes from the data source in use.

The data source is the one this test process selects (``SOCIAL_LICENCE_DATA``, else the synthetic
file): the same as the build's when both run from ``make test``. Three kinds of check:

- every CSV download of a published-figures table (``display.publish_table`` on a
  ``tables.figure_estimates`` result) against ``figure_estimates`` recomputed here for the same
  figure ids, interval method and level; and the CSV behind the appendix's fidelity table;
- every "Recomputed %" cell and interval cell of a table with a "Figure" column against the
  library's value formatted by ``display.percent`` / ``display.interval`` at the precision shown;
- the glued prose numbers listed in ``GLUED_SPOT_CHECKS`` against their definition, recomputed.

``REQUIRED_TABLES`` and ``GLUED_SPOT_CHECKS`` are explicit, so these checks cannot pass by finding
nothing: if a chapter renames a table or key, update them here.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from book import pages
from social_licence.report.display import SOURCE_COLUMN, interval, percent, stable
from social_licence.report.tables import figure_estimates
from social_licence.study.loader import load_survey
from social_licence.study.published import load_published

TOC = pages.toc_pages()

#: columns that make a CSV download a figure_estimates table (possibly with more columns)
FIGURE_ESTIMATE_COLUMNS = ["figure_id", "published", "estimate", "se", "ci_low", "ci_high", "level", "method", "n"]
#: tables whose CSV download must exist and be checked: table id -> page
REQUIRED_TABLES = {"tbl-ei-reasons": "chapters/early_intervention", "tbl-ap-fidelity": "chapters/appendix"}
#: the four reasons for linkage, all parents (the paper's Table 2)
REASONS_ALL_PARENTS = ["T2_01", "T2_07", "T2_13", "T2_19"]


def share(figure_id: str):
    """The recomputed weighted percentage of a published figure."""
    return lambda estimates, survey: 100 * float(estimates.loc[figure_id, "estimate"])


#: glued prose numbers: (page, glue key) -> the value recomputed here from the library
GLUED_SPOT_CHECKS = {
    ("intro", "in_n"): lambda estimates, survey: int(len(survey.data)),
    ("intro", "in_reasons_low"): lambda estimates, survey: 100 * float(estimates.loc[REASONS_ALL_PARENTS, "estimate"].min()),
    ("intro", "in_reasons_high"): lambda estimates, survey: 100 * float(estimates.loc[REASONS_ALL_PARENTS, "estimate"].max()),
    ("intro", "in_trust_police"): share("T3_19"),
    ("intro", "in_permission"): share("P03"),
    ("intro", "in_companies"): share("C01"),
    ("chapters/early_intervention", "ei_all_identify"): share("T2_01"),
    ("chapters/appendix", "ap_n"): lambda estimates, survey: int(len(survey.data)),
}


@pytest.fixture(scope="module")
def survey():
    return load_survey()


@pytest.fixture(scope="module")
def recompute(survey):
    """``recompute(method, level)``: figure_estimates for all published figures, by figure id."""
    cache = {}

    def get(method: str = "beta", level: float = 0.95) -> pd.DataFrame:
        if (method, level) not in cache:
            cache[method, level] = figure_estimates(survey, method=method, level=level).set_index("figure_id")
        return cache[method, level]

    return get


def assert_columns_match(name: str, shown: pd.DataFrame, expected: pd.DataFrame, columns: list[str],
                         source: str) -> None:
    """The download names the data source, and its numeric columns equal the library's values as
    the book stores them (``display.stable``: six significant digits), NaN where NaN."""
    assert (shown[SOURCE_COLUMN] == source).all(), f"{name}: {SOURCE_COLUMN} is not {source!r}"
    for column in columns:
        got = shown[column].to_numpy(dtype=float)
        want = np.array([stable(float(v)) for v in expected.loc[shown["figure_id"], column]])
        bad = ~np.isclose(got, want, rtol=1e-12, atol=0, equal_nan=True)
        assert not bad.any(), (f"{name}: column {column} differs from the library for "
                               f"{list(shown['figure_id'][bad])}: page {got[bad]} vs library {want[bad]}")


@pytest.mark.parametrize("docname", TOC)
def test_figure_estimate_downloads_match_the_library(docname, visit, recompute, survey):
    for name, table in pages.csv_downloads(visit(docname).soup).items():
        if not set(FIGURE_ESTIMATE_COLUMNS) <= set(table.columns):
            continue
        for (method, level), part in table.groupby(["method", "level"]):
            assert_columns_match(f"{docname}: {name}", part, recompute(method, level),
                                 ["published", "estimate", "se", "ci_low", "ci_high", "n"], survey.source.label)


def test_fidelity_download_matches_the_library(visit, recompute, survey):
    """The appendix's fidelity table: every published figure, its recomputed value and base."""
    docname = REQUIRED_TABLES["tbl-ap-fidelity"]
    table = pages.csv_downloads(visit(docname).soup)["tbl-ap-fidelity.csv"]
    published = load_published()
    assert sorted(table["figure_id"]) == sorted(published["figure_id"]), "fidelity table must list every published figure"
    # this table holds percentages (stored through display.stable), the library's estimates proportions
    expected = recompute().assign(estimate=lambda frame: 100 * frame["estimate"])
    assert_columns_match(f"{docname}: tbl-ap-fidelity.csv", table, expected, ["published", "estimate", "n"],
                         survey.source.label)


@pytest.mark.parametrize("table_id", REQUIRED_TABLES)
def test_required_tables_have_their_download(table_id, visit):
    soup = visit(REQUIRED_TABLES[table_id]).soup
    pages.table_by_id(soup, table_id)
    downloads = pages.csv_downloads(soup)
    assert f"{table_id}.csv" in downloads, f"no CSV download for {table_id}; downloads: {list(downloads)}"
    assert {"figure_id", "estimate"} <= set(downloads[f"{table_id}.csv"].columns)


def decimals(text: str) -> int:
    """How many decimals a number is shown with ("82.1" -> 1, "82" -> 0)."""
    match = re.search(r"\.(\d+)", text)
    return len(match.group(1)) if match else 0


@pytest.mark.parametrize("docname", TOC)
def test_recomputed_cells_match_the_library(docname, visit, recompute):
    """Every "Recomputed %" cell, and every interval cell of a table with a figure_estimates
    download, equals the library's value formatted as the book formats it."""
    soup = visit(docname).soup
    downloads = pages.csv_downloads(soup)
    problems = []
    for table in pages.tables(soup):
        if "Figure" not in table.header or "Recomputed %" not in table.header:
            continue
        csv = downloads.get(f"{table.id}.csv")
        settings = None
        if csv is not None and set(FIGURE_ESTIMATE_COLUMNS) <= set(csv.columns):
            settings = csv.set_index("figure_id")[["method", "level"]]
        for figure_id, shown in zip(table.column("Figure"), table.column("Recomputed %")):
            estimate = recompute().loc[figure_id, "estimate"]
            if shown != percent(estimate, decimals(shown)):
                problems.append(f"{table.id} {figure_id} Recomputed %: page {shown}, library {percent(estimate, decimals(shown))}")
            if settings is None:
                continue
            method, level = settings.loc[figure_id]
            column = f"{100 * level:g}% interval"
            if column in table.header:
                row = recompute(method, level).loc[figure_id]
                cell = table.cell(figure_id, column)
                expected = interval(row["ci_low"], row["ci_high"], decimals(cell))
                if cell != expected:
                    problems.append(f"{table.id} {figure_id} {column}: page {cell}, library {expected}")
    assert not problems, f"{docname}:\n" + "\n".join(problems)


@pytest.mark.parametrize("docname, key", GLUED_SPOT_CHECKS)
def test_glued_prose_numbers_match_the_library(docname, key, visit, survey, recompute):
    placed = pages.glued_values(visit(docname).soup, docname).get(key)
    assert placed, f"{docname} no longer places glue key {key!r}: update GLUED_SPOT_CHECKS"
    value = GLUED_SPOT_CHECKS[docname, key](recompute(), survey)
    for glued in placed:
        assert glued.shown == pages.format_glued(value, glued.spec), (
            f"{docname}: {key} shows {glued.shown!r}; the library gives {pages.format_glued(value, glued.spec)!r}")
