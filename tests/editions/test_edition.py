"""The whole book under a parameters file, as the README documents it: the edition that
``make book PARAMS=params/deff-3.yml`` built into ``_build/editions/deff-3/`` (``make test`` builds it
beside the default edition), read here, and ``make compare`` against the default build.

1. every notebook of ``_toc.yml`` with a ``parameters`` cell was executed in the edition with
   papermill's injected cell right after it, setting the file's values;
2. the landing page and every computing page show the notice "Built under other assumptions",
   naming the design effects 1 to 3 (the browser tests check it as a reader sees it);
3. each chapter's glued values, verdicts and a table cell are what the library computes at design
   effects 1 to 3, not the default edition's (a chapter re-run under a changed parameter);
4. the edition's ``values.json`` records the file's parameters for every page, and ``make compare``
   against the default build lists the parameter and the numbers that changed, each table cell
   that moved as the library computes it;
5. a second build with nothing changed executes nothing.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

import nbformat
import pytest
from book import pages
from bs4 import BeautifulSoup
from social_licence.analysis import derived
from social_licence.analysis.assumptions import Assumptions, load_parameters
from social_licence.analysis.evidence import load_evidence
from social_licence.report.notices import differences_text
from social_licence.report.tables import cell
from social_licence.study.paths import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "_ext"))
import edition  # noqa: E402 - a build script of _ext/, as the Makefile runs it

PARAMS = Path("params/deff-3.yml")
NOTICE = "Built under other assumptions"
DEFFS = (1.0, 3.0)
FOLDER = edition.edition_folder(PARAMS)
BUILD = FOLDER / "_build"
DEFAULT = PROJECT_ROOT / "_build"


def make(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "--no-print-directory", *arguments], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=1800)


def has_parameters_cell(path: Path) -> bool:
    return any("parameters" in cell.metadata.get("tags", []) for cell in nbformat.read(path, as_version=4).cells)


def notebooks() -> dict[str, Path]:
    """Docname -> source of every notebook page of _toc.yml."""
    return {source.with_suffix("").as_posix(): PROJECT_ROOT / source
            for source in edition.toc_sources(PROJECT_ROOT / "_toc.yml") if source.suffix == ".ipynb"}


COMPUTING = [docname for docname, path in notebooks().items() if has_parameters_cell(path)]


@pytest.fixture(scope="module", autouse=True)
def built():
    for folder, command in ((BUILD, f"make book PARAMS={PARAMS}"), (DEFAULT, "make book")):
        if not (folder / "html" / "values.json").is_file():
            pytest.fail(f"no built book with values.json in {folder}: run `{command}` (or `make test`) first")


@lru_cache(maxsize=None)
def values(docname: str) -> dict:
    """What the edition's executed notebook of a page glued."""
    return pages.glued_outputs(BUILD / "jupyter_execute" / f"{docname}.ipynb")


@lru_cache(maxsize=None)
def default_values(docname: str) -> dict:
    return pages.glued_outputs(pages.source_file(docname))


@lru_cache(maxsize=1)
def evidence():
    return load_evidence(Assumptions(deff_range=DEFFS))


@lru_cache(maxsize=1)
def verdicts():
    """Every figure's derived verdicts at design effects 1 to 3, by figure id."""
    sizes = derived.group_sizes(evidence().published, evidence().codebook)
    return derived.verdicts(derived.intervals(evidence().figures(), sizes, deffs=DEFFS)).set_index("figure_id")


def table_cell(figure_id: str) -> str:
    row = verdicts().loc[figure_id]
    marks = ("†" if row["depends_on_deff"] else "") + ("‡" if row["depends_on_rounding"] else "")
    return cell(row["published"], row["ci_low@3"], row["ci_high@3"], row["verdict"]) + marks


def edition_record(docname: str, table: str, figure_id: str) -> str:
    """The text the edition's notebook recorded for a figure's cell of a results table."""
    figure = verdicts().loc[figure_id]
    codebook = evidence().codebook
    record = pages.notebook_record(BUILD / "jupyter_execute" / f"{docname}.ipynb", pages.page_prefix(docname))
    key = f"{table}/{codebook.counted_label(figure['item'])}/{codebook.short_name_of(figure['group'])}"
    return {r["key"]: r["text"] for r in record["records"]}[key]


def test_every_computing_page_ran_with_the_injected_parameters():
    parameters = load_parameters(PROJECT_ROOT / PARAMS)
    for docname in COMPUTING:
        executed = nbformat.read(BUILD / "jupyter_execute" / f"{docname}.ipynb", as_version=4)
        code = [cell_ for cell_ in executed.cells if cell_.cell_type == "code"]
        first = next(i for i, cell_ in enumerate(code) if "parameters" in cell_.metadata.get("tags", []))
        injected = code[first + 1]
        assert injected.metadata["tags"] == edition.INJECTED_TAGS, f"{docname}: no injected cell after its parameters"
        assert "deff_range = [1.0, 3.0]" in injected.source and injected.execution_count == code[first].execution_count + 1
        assert pages.notebook_record(BUILD / "jupyter_execute" / f"{docname}.ipynb",
                                     pages.page_prefix(docname))["parameters"]["deff_range"] == list(parameters["deff_range"])


def test_every_computing_page_names_the_assumptions_that_differ():
    expected = differences_text(Assumptions(**load_parameters(PROJECT_ROOT / PARAMS)))
    for docname in COMPUTING:
        article = BeautifulSoup((BUILD / "html" / f"{docname}.html").read_text(encoding="utf-8"), "html.parser").article
        notices = [" ".join(box.get_text(" ").split()) for box in article.select(".admonition")
                   if box.select_one(".admonition-title") and NOTICE in box.select_one(".admonition-title").get_text()]
        assert notices and expected in notices[0], f"{docname}: no notice {NOTICE!r} naming {expected!r}"


def judged():
    table = verdicts()
    return table[table["measure"].isin(evidence().codebook.judged_blocks)]


#: for each analysis chapter, a glued value the design effect moves, and what the library computes
MOVED = {
    "intro": ("in_police_interval", lambda: "{:.0f}% to {:.0f}%".format(100 * verdicts().loc["T3_19", "ci_low@3"],
                                                                        100 * verdicts().loc["T3_19", "ci_high@3"])),
    "chapters/early_intervention": ("ei_all_lowest_limit", lambda: 100 * verdicts().loc[
        verdicts()["measure"].eq("acceptability_of_reason") & verdicts()["group"].eq("all"), "ci_low@3"].min()),
    "chapters/social_licence": ("sl_black_open", lambda: int(judged()[judged()["group"] == "black"]["verdict"]
                                                             .eq("open").sum())),
    "chapters/transparency": ("tc_p03_low", lambda: 100 * verdicts().loc["P03", "ci_low@3"]),
    "chapters/social_divisions": ("sd_black_police_high", lambda: 100 * verdicts().loc["T3_21", "ci_high@3"]),
    "chapters/uncertainty": ("un_open_high", lambda: int(judged()["verdict"].eq("open").sum())),
    "chapters/conclusions": ("co_trust_open", lambda: int(verdicts()[verdicts()["measure"] == "trust_to_link_records"]
                                                          ["verdict"].eq("open").sum())),
}


@pytest.mark.parametrize("docname", MOVED)
def test_each_chapter_s_numbers_follow_the_changed_parameter(docname):
    key, library = MOVED[docname]
    expected = library()
    shown = values(docname)[key]
    if isinstance(expected, float):
        assert shown == pytest.approx(expected, rel=1e-5), f"{docname} {key}: {shown} vs library {expected}"
    else:
        assert shown == expected, f"{docname} {key}: {shown!r} vs library {expected!r}"
    assert shown != default_values(docname)[key], f"{docname} {key} did not change with the design effect"


@pytest.mark.parametrize("docname, table, figure_id", [
    ("chapters/early_intervention", "tbl-ei-reasons", "T2_09"),
    ("chapters/transparency", "tbl-tc-consent", "P04"),
    ("chapters/social_divisions", "tbl-sd-trust", "T3_21"),
])
def test_a_table_cell_follows_the_changed_parameter(docname, table, figure_id):
    assert edition_record(docname, table, figure_id) == table_cell(figure_id)


def test_the_manifest_and_the_comparison_with_the_default_build():
    parameters = load_parameters(PROJECT_ROOT / PARAMS)
    manifest = json.loads((BUILD / "html" / "values.json").read_text(encoding="utf-8"))
    assert manifest["parameters"] == Assumptions(**parameters).as_dict() and manifest["parameters_differ"] == {}
    assert set(manifest["pages"]) == set(COMPUTING)
    compared = make("compare", f"A={DEFAULT}", f"B={BUILD}")
    assert compared.returncode == 0, compared.stderr
    assert "Parameters that differ: deff_range [1.0, 2.0] (A) -> [1.0, 3.0] (B)" in compared.stdout
    cells = int(re.search(r"Table cells that differ: (\d+)", compared.stdout).group(1))
    assert cells > 0
    # every moved cell of the reasons table, as the comparison lists it, is the library's at design effects 1 to 3
    codebook = evidence().codebook
    reasons = verdicts()[verdicts()["measure"] == "acceptability_of_reason"]
    moved = 0
    for figure_id, figure in reasons.iterrows():
        key = f"tbl-ei-reasons/{codebook.counted_label(figure['item'])}/{codebook.short_name_of(figure['group'])}"
        line = next((line for line in compared.stdout.splitlines() if key in line), None)
        if line is not None:
            moved += 1
            assert line.rstrip().endswith(table_cell(figure_id)), f"{key}: {line}"
    assert moved > 0, "the comparison lists no moved cell of the reasons table"


def test_a_second_build_with_nothing_changed_executes_nothing():
    again = make("book", f"PARAMS={PARAMS}")
    assert again.returncode == 0 and "Executing notebook" not in again.stdout + again.stderr, again.stdout[-3000:]
