"""The archived route end to end, which is also the stale-number guard: the documented command,
run with relative paths on an archive-like stand-in, rebuilds every number of the book from it.

``social_licence.sphinxext.build_inputs`` empties the execution cache when an input changes,
because jupyter-cache keys a notebook on its code alone; its unit tests
(``tests/sphinxext/test_build_inputs.py``) check the hooks. This test checks the outcome on real
builds, as a user with the archived file would meet it:

1. The project's ``_build`` (made by ``make book`` or the book step of ``make test``, with a warm
   execution cache) is copied to a temporary folder; the project's own ``_build`` is never written.
2. An archive-like stand-in (``archive_standin``: upper-case names, yes/no as 1/0, a reversed
   scale, SPSS user-missing -1 / -9 with labels, extra columns; one answer perturbed so that
   numbers move) and its mapping are written under the git-ignored ``data/raw/`` and selected
   exactly as the README says, with *relative* paths:
   ``SOCIAL_LICENCE_DATA=data/raw/<file>.sav SOCIAL_LICENCE_MAPPING=data/raw/<file>.yml make book``
   (plus ``BOOK_OUTPUT=<copy>`` so that the copy is built).
3. The build exits 0 and every notebook executes again; every chapter's data-source notice names
   the archived file, no page says "synthetic", and (a) the uncertainty chapter's reading of the
   file's numbers, (b) a cell of the early-intervention chapter's table recomputed from the file
   and (c) the appendix's fidelity figure (PNG) change, (a) and (b) to what the library computes
   from the stand-in, while the table derived from the published figures stays as it was; the
   recoding audit is written beside the book.
4. The release route: the first build is ``make release`` on the stand-in, which builds the book
   and its PDF and writes the release folder with the checker's report. Every file in it is scanned
   here, apart from the script's own scan: every released value of ``checks.csv`` reaches the
   threshold in its base, its counted answer and the rest, or is withheld; each withheld figure's
   table cell shows the symbol, not the text the stand-in gives it (computed here), and the PDF
   prints the symbol at least as often; every group size shown is the public 843, rounded or
   withheld; no CSV
   (download, or embedded in a page or notebook) holds an unrounded count or a withheld estimate.
   A folder with one withheld cell put back, or one unrounded count, fails the scan, naming it.
5. The converse: a second build with nothing changed executes no notebook and leaves the cache's
   records as they were.
6. A bad mapping (the reversed scale's top code forgotten) makes ``make book`` exit non-zero, and
   again on a second run: a failed build never reports success.

Three builds, one of them executing every chapter and printing the PDF, take about a minute and
a half, so this is one test, marked ``book``. The stand-in in Stata and tab-delimited form is checked without a build.
"""
from __future__ import annotations

import base64
import hashlib
import html as html_module
import io
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import unquote

import pandas as pd
import pytest
from jupyter_cache import get_cache
from social_licence.analysis.evidence import load_evidence
from social_licence.analysis.assumptions import Assumptions
from social_licence.report.tables import cell
from social_licence.sphinxext.build_inputs import AUDIT_FILE
from social_licence.study.loader import load_survey
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.consensus import consensus_verdicts
from social_licence.survey.design import kish_design_effect
from social_licence.study.paths import PROJECT_ROOT

from book import archive_standin, pages

RAW = PROJECT_ROOT / "data" / "raw"
PAGE = "chapters/early_intervention"
READING_PAGE, READING = "chapters/uncertainty", "un_file_reading"  # (a) prose: the reading of the file's numbers
FILE_TABLE, DERIVED_TABLE = "tbl-ei-reasons-file", "tbl-ei-reasons"  # (b) a cell of the file's table
FIGURE_ID, QUESTION, GROUP = "T2_01", "Acceptable: identify families who may need support", "All parents"
FIGURE_PAGE, FIGURE = "chapters/appendix", "fig-ap-fidelity"  # (c) every figure recomputed from the file


def make_book(output: Path, data: str, mapping: str) -> subprocess.CompletedProcess:
    """The README's archived-file command (relative paths, from the repository root), into ``output``."""
    environ = {**os.environ, "SOCIAL_LICENCE_DATA": data, "SOCIAL_LICENCE_MAPPING": mapping}
    return subprocess.run(["make", "--no-print-directory", "book", f"BOOK_OUTPUT={output}"], cwd=PROJECT_ROOT,
                          env=environ, capture_output=True, text=True, timeout=900)


def make_release(work: Path, output: Path, data: str, mapping: str) -> subprocess.CompletedProcess:
    """``make release`` from the stand-in, building in ``work`` and releasing to ``output``."""
    environ = {**os.environ, "SOCIAL_LICENCE_DATA": data, "SOCIAL_LICENCE_MAPPING": mapping}
    return subprocess.run(["make", "--no-print-directory", "release", f"RELEASE_BUILD={work}",
                           f"RELEASE_OUTPUT={output}"], cwd=PROJECT_ROOT, env=environ, capture_output=True,
                          text=True, timeout=900)


def scan_release(folder: Path, data: str, mapping: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "SOCIAL_LICENCE_DATA": data, "SOCIAL_LICENCE_MAPPING": mapping}
    return subprocess.run([sys.executable, "_ext/release.py", "--scan", str(folder)], cwd=PROJECT_ROOT, env=environ,
                          capture_output=True, text=True, timeout=300)


def every_csv(folder: Path) -> dict[str, pd.DataFrame]:
    """Every CSV of a release folder: the downloads, and those embedded in its pages and notebooks."""
    found = {p.relative_to(folder).as_posix(): pd.read_csv(p, dtype=str, keep_default_na=False)
             for p in (folder / "downloads").glob("*.csv")}
    for path in (folder / "book").rglob("*"):
        if path.suffix in (".html", ".ipynb"):
            text = html_module.unescape(path.read_text(encoding="utf-8"))
            for name, payload in re.findall(r'download="([^"]+\.csv)"\s+href="data:text/csv;base64,([^"]+)"', text):
                found[f"{path.name}:{name}"] = pd.read_csv(io.BytesIO(base64.b64decode(payload)), dtype=str,
                                                           keep_default_na=False)
    return found


def check_release(folder: Path, evidence) -> None:
    """What no file of the release folder may hold (4 of the module docstring)."""
    rules = evidence.rules
    assert (folder / "book" / "index.html").is_file() and (folder / "book" / "values.json").is_file()
    checks = pd.read_csv(folder / "checks.csv")
    assert list(checks.columns[:6]) == ["key", "page", "unweighted_base", "numerator", "rule", "result"]
    assert json.loads((folder / "results.json").read_text())["version"] == "1.0.2"
    released = checks[checks["result"] != "suppressed"]
    small = released[(released["unweighted_base"] < rules.safe_threshold)
                     | (released["numerator"] < rules.safe_threshold)
                     | (released["unweighted_base"] - released["numerator"] < rules.safe_threshold)]
    assert small.empty, f"released over too few respondents: {small[['key', 'unweighted_base', 'numerator']]}"
    assert (checks["result"] == "suppressed").any() and (checks["result"] == "rounded").any()

    estimates = estimate_figures(file_design(evidence.data, evidence.codebook), evidence.figures(), evidence.codebook)
    verdicts = consensus_verdicts(estimates, k="k").set_index("figure_id")
    pdf = subprocess.run(["pdftotext", "-layout", str(folder / "social-licence-report.pdf"), "-"],
                         capture_output=True, text=True, check=True).stdout
    withheld = checks[(checks["result"] == "suppressed") & checks["cell"].str.startswith("figure/")]
    for row in withheld.itertuples():
        figure = verdicts.loc[row.cell.removeprefix("figure/")]
        hidden = cell(100 * figure["estimate"], figure["ci_low"], figure["ci_high"], figure["verdict"])
        glue, label, column = row.key.split("/")  # the row's label (a question, or a group) and the column
        table = pages.table_by_id(pages.read_html(folder / "book" / f"{row.docname}.html"), glue)
        shown = table.cell(label, column, key_column=table.header[0])
        assert shown == rules.suppressed_symbol and shown != hidden, f"{row.key}: shows {shown!r}"
    # the PDF prints every withheld cell as the symbol (its text may equal a published figure's,
    # which is public, so the PDF is not searched for it)
    assert pdf.count(rules.suppressed_symbol) >= len(withheld)
    for docname in checks["docname"].unique():
        for table in pages.tables(pages.read_html(folder / "book" / f"{docname}.html")):
            sizes = [r for r in table.rows if r[0] == "Respondents in this file"] or \
                ([[r[-1] for r in table.rows]] if table.header[-1:] == ["Respondents in this file"] else [])
            for size in (s for r in sizes for s in r if s != "Respondents in this file"):
                assert re.fullmatch(r"843|≈\d*[05]|\[c\]", size), f"{docname} {table.id}: a size shown as {size!r}"
    for name, table in every_csv(folder).items():
        for column in ("n", "rows", "file_count", "n_missing"):
            if column in table and "data_source" in table:
                from_file = table[table["data_source"].str.startswith("Data:")]
                counts = from_file[column][from_file[column] != ""].astype(float)
                unrounded = counts[(counts % 5 > 0) & (counts != 843)]  # the file's rows: the published 843
                assert unrounded.empty, f"{name}: {column} holds unrounded counts {unrounded.tolist()}"
        for column in ("result", "disclosure"):
            if column in table:
                rows = table[table[column] == "suppressed"]
                for estimate in ("estimate", "ci_low", "ci_high", "se"):
                    if estimate in rows:
                        assert (rows[estimate] == "").all(), f"{name}: a withheld row holds its {estimate}"


def tampered(folder: Path, tmp_path: Path, data: str, mapping: str) -> None:
    """A withheld cell put back, and an unrounded count, each fail the scan, naming what breaks."""
    checks = pd.read_csv(folder / "checks.csv")
    row = checks[(checks["result"] == "suppressed") & checks["cell"].str.startswith("figure/")].iloc[0]
    copy = tmp_path / "tampered"
    shutil.copytree(folder, copy)
    page = copy / "book" / f"{row['docname']}.html"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace(">[c]<", ">96 (93–98) ✓<", 1), encoding="utf-8")
    result = scan_release(copy, data, mapping)
    assert result.returncode == 1 and row["key"] in result.stderr, result.stderr[-2000:]
    shutil.rmtree(copy)
    shutil.copytree(folder, copy)
    download = copy / "downloads" / f"{row['key'].split('/')[0]}.csv"
    table = pd.read_csv(download, dtype=str, keep_default_na=False)
    table.loc[table.index[0], "n"] = "833"
    table.to_csv(download, index=False)
    result = scan_release(copy, data, mapping)
    assert result.returncode == 1 and f"downloads/{download.name} row 2, n: 833" in result.stderr, result.stderr[-2000:]


def succeeded(result: subprocess.CompletedProcess) -> str:
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"make book failed ({result.returncode}):\n{log[-4000:]}"
    return log


def manifest(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def cache_records(build_dir: Path) -> list[tuple]:
    return sorted((r.pk, r.hashkey, r.uri, str(r.created))
                  for r in get_cache(str(build_dir / ".jupyter_cache")).list_cache_records())


def shown(html_dir: Path) -> dict:
    """What the checked pages show: the reading, the two tables' cells, the figure's PNG."""
    soup = pages.read_html(pages.html_path(PAGE, html_dir))
    reading_soup = pages.read_html(pages.html_path(READING_PAGE, html_dir))
    reading = pages.glued_values(reading_soup, READING_PAGE).get(READING)
    assert reading, f"{READING_PAGE} no longer places {READING}: pick another reading for this test"
    figure_page = pages.html_path(FIGURE_PAGE, html_dir)
    image = (figure_page.parent / unquote(pages.figure_image(pages.read_html(figure_page), FIGURE))).resolve()
    return {"reading": [g.shown for g in reading],
            "cell": pages.table_by_id(soup, FILE_TABLE).cell(QUESTION, GROUP, key_column="Question"),
            "derived": pages.table_by_id(soup, DERIVED_TABLE).rows,
            "png": hashlib.sha256(image.read_bytes()).hexdigest(), "png_header": image.read_bytes()[:8]}


def notebook_pages() -> list[Path]:
    return [path for path in map(pages.source_file, pages.toc_pages()) if path.suffix == ".ipynb"]


@pytest.fixture
def standin():
    """The stand-in and its good and bad mappings under data/raw/ (git-ignored), removed afterwards."""
    paths = archive_standin.write_standin(RAW, f"pytest-standin-{uuid.uuid4().hex[:8]}")
    yield tuple(path.relative_to(PROJECT_ROOT).as_posix() for path in paths)
    for path in paths:
        path.unlink(missing_ok=True)


@pytest.mark.parametrize("suffix", [".dta", ".tab"])
def test_the_standin_reads_the_same_from_stata_and_tab_delimited_files(tmp_path, suffix):
    sav = load_survey(*archive_standin.write_standin(tmp_path, "standin", ".sav")[:2])
    other = load_survey(*archive_standin.write_standin(tmp_path, "standin", suffix)[:2])
    pd.testing.assert_frame_equal(other.data, sav.data, check_dtype=False)
    expected = archive_standin.perturbed(pd.read_csv(PROJECT_ROOT / "data" / "synthetic" / "synthetic_respondents.csv"))
    pd.testing.assert_frame_equal(sav.data[list(expected.columns)], expected, check_dtype=False)


@pytest.mark.book
def test_the_documented_archived_command_rebuilds_every_number_and_a_bad_mapping_fails_every_time(tmp_path, standin):
    data, mapping, bad_mapping = standin
    project_build = pages.BUILD_DIR
    if not (project_build / "html" / "index.html").is_file():
        pytest.fail(f"no built book in {project_build}: run `make book` (or `make test`) first")
    untouched = manifest(project_build)
    work = tmp_path / "book"
    shutil.copytree(project_build, work / "_build", symlinks=True)
    html = work / "_build" / "html"
    warm = cache_records(work / "_build")
    assert {Path(r[2]) for r in warm} >= set(notebook_pages()), "the copied execution cache should be warm"
    before = shown(html)

    released = tmp_path / "release"
    log = succeeded(make_release(work, released, data, mapping))
    not_executed = [str(p) for p in notebook_pages() if f"{p}: Executed notebook" not in log]
    assert not not_executed, f"notebooks not executed again after the data source changed: {not_executed}"

    survey = load_survey(PROJECT_ROOT / data, mapping=PROJECT_ROOT / mapping)
    label = pages.plain(survey.source.label)
    assert Path(data).name in label
    for docname in pages.toc_pages():
        soup = pages.read_html(pages.html_path(docname, html))
        article = soup.select_one("article")
        for code in article.select(".cell_input"):  # the code, which reads either source, is not the report's text
            code.decompose()
        text = pages.plain(article.get_text(" "))
        assert "synthetic" not in text.lower(), f"{docname} mentions synthetic data on an archived build"
        if "_source_notice" in pages.source_file(docname).read_text(encoding="utf-8"):  # pages that compute
            assert any(label in notice for notice in pages.notices(soup)), f"{docname}: no notice names {label!r}"
    audit = pd.read_csv(work / "_build" / AUDIT_FILE)
    assert set(audit["variable"]) == set(archive_standin.CODEBOOK.items)

    with pages.data_source(data, mapping):
        after = shown(html)
    evidence = load_evidence(Assumptions(data_source=data, data_mapping=mapping))
    kish = kish_design_effect(evidence.data[evidence.codebook.weight_variable])
    for old, new in zip(before["reading"], after["reading"]):  # (a) the reading of the file's numbers
        assert pages.plain(new).startswith(f"The archived file's weights have a Kish design effect of {kish:.2f};"), new
        assert new != old, f"{READING} did not change ({old!r})"
    estimates = estimate_figures(file_design(evidence.data, evidence.codebook), evidence.figures(), evidence.codebook)
    row = consensus_verdicts(estimates, k="k").set_index("figure_id").loc[FIGURE_ID]  # (b) the file table's cell
    expected = cell(100 * row["estimate"], row["ci_low"], row["ci_high"], row["verdict"])
    assert after["cell"] == expected, f"{FILE_TABLE} {FIGURE_ID}: {after['cell']} vs library {expected}"
    assert after["cell"] != before["cell"]
    assert after["derived"] == before["derived"], f"{DERIVED_TABLE} (published figures) changed with the file"
    assert after["png_header"] == b"\x89PNG\r\n\x1a\n"  # (c) the figure's image
    assert after["png"] != before["png"], f"{FIGURE}: the image did not change"

    check_release(released, evidence)  # (4) the release folder
    tampered(released, tmp_path, data, mapping)

    records = cache_records(work / "_build")  # nothing changed: nothing executes
    log = succeeded(make_book(work, data, mapping))
    assert "Executing notebook" not in log, "a build with no change executed a notebook:\n" + log[-3000:]
    assert cache_records(work / "_build") == records

    for attempt in (1, 2):  # a bad mapping fails, and fails again
        result = make_book(work, data, bad_mapping)
        log = result.stdout + result.stderr
        assert result.returncode != 0, f"attempt {attempt}: a bad mapping built successfully:\n{log[-3000:]}"
        assert "build succeeded" not in log
        assert "values not covered" in log and "Q04_GOVERNMENT_S" in log, log[-3000:]
    assert manifest(project_build) == untouched, "the project's _build was modified"
