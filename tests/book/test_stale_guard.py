"""The stale-number guard end to end: a new data source reaches every number of the built book.

``social_licence.sphinxext.build_inputs`` empties the execution cache when an input changes, because
jupyter-cache keys a notebook on its code alone. Its unit tests (tests/test_build_inputs.py) check
the hooks; this test checks the outcome on a real incremental build:

1. The project's ``_build`` (made by ``make book`` or the book step of ``make test``, with a warm
   execution cache) is copied to a temporary folder; the project's own ``_build`` is never written.
2. A perturbed copy of the synthetic respondent file is written (``perturbed_respondents``:
   a seeded 40% of the parents who found "identify families who may need support" acceptable now
   find it very unacceptable) and selected the way a user selects the archived file,
   ``SOCIAL_LICENCE_DATA=<path>`` in the build's environment.
3. ``jupyter-book build . --path-output <tmp>`` rebuilds incrementally into the copy (it writes
   ``<tmp>/_build/html``, with the cache in ``<tmp>/_build/.jupyter_cache``). Every notebook must
   execute again, and on the early-intervention chapter (a) a glued prose number, (b) a table cell
   and (c) the figure's PNG must change, (a) and (b) to the values the library computes from the
   perturbed file; the landing page's data-source notice must name the new file.
4. The converse: a second build with nothing changed executes no notebook and leaves the cache's
   records as they were.

Two builds take about a minute, so this is one test, marked ``book``.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest
from jupyter_cache import get_cache
from social_licence.report.display import percent
from social_licence.report.tables import figure_estimates
from social_licence.study.codebook import load_codebook
from social_licence.study.loader import load_survey
from social_licence.study.paths import PROJECT_ROOT, SYNTHETIC_PATH

from book import pages

JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"
#: the answer that is perturbed, and where the chapters show it
ITEM = "identify_families_needing_support"
FLIP_SHARE = 0.4
SEED = 20261121
PAGE = "chapters/early_intervention"
GLUE_KEY = "ei_all_identify"    # (a) prose: "…% of all parents found … acceptable"
TABLE, FIGURE_ID = "tbl-ei-reasons", "T2_01"   # (b) its "Recomputed %" cell
FIGURE = "fig-ei-reasons"       # (c) the plot of the same estimates


def perturbed_respondents(path: Path) -> Path:
    """The synthetic file with a seeded share of ITEM's counted answers turned to the opposite end."""
    codebook = load_codebook()
    table = pd.read_csv(SYNTHETIC_PATH)
    counted = list(codebook.items[ITEM].counted_codes)
    answers, _missing = codebook.valid_codes(ITEM)
    opposite = max(set(answers) - set(counted))
    flip = table[ITEM].isin(counted).to_numpy() & (np.random.default_rng(SEED).random(len(table)) < FLIP_SHARE)
    assert flip.sum() > 100, "the perturbation must move the estimate clearly"
    table.loc[flip, ITEM] = opposite
    table.to_csv(path, index=False)
    return path


def build(path_output: Path, environ: dict) -> str:
    """Build the book incrementally into ``path_output``; return the log."""
    result = subprocess.run([str(JUPYTER_BOOK), "build", str(PROJECT_ROOT), "--path-output", str(path_output),
                             "-W", "-n", "--keep-going"], cwd=PROJECT_ROOT, env=environ,
                            capture_output=True, text=True, timeout=900)
    log = result.stdout + result.stderr
    assert result.returncode == 0, f"build failed ({result.returncode}):\n{log[-4000:]}"
    return log


def manifest(folder: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``folder``: size and modification time."""
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in folder.rglob("*") if p.is_file()}


def cache_records(build_dir: Path) -> list[tuple]:
    return sorted((r.pk, r.hashkey, r.uri, str(r.created))
                  for r in get_cache(str(build_dir / ".jupyter_cache")).list_cache_records())


def shown(html_dir: Path) -> dict:
    """What the checked page and the landing page show: the glued number, the cell, the PNG, the notice."""
    soup = pages.read_html(pages.html_path(PAGE, html_dir))
    glued = pages.glued_values(soup, PAGE).get(GLUE_KEY)
    assert glued, f"{PAGE} no longer places {GLUE_KEY}: pick another glued number for this test"
    image = (pages.html_path(PAGE, html_dir).parent / unquote(pages.figure_image(soup, FIGURE))).resolve()
    return {"glued": [(g.spec, g.shown) for g in glued],
            "cell": pages.table_by_id(soup, TABLE).cell(FIGURE_ID, "Recomputed %"),
            "png": hashlib.sha256(image.read_bytes()).hexdigest(), "png_header": image.read_bytes()[:8],
            "notices": pages.notices(pages.read_html(pages.html_path(pages.toc_pages()[0], html_dir)))}


def notebook_pages() -> list[Path]:
    return [path for path in map(pages.source_file, pages.toc_pages()) if path.suffix == ".ipynb"]


@pytest.mark.book
def test_new_data_source_reaches_every_number_and_a_rebuild_without_change_executes_nothing(tmp_path):
    project_build = pages.BUILD_DIR
    if not (project_build / "html" / "index.html").is_file():
        pytest.fail(f"no built book in {project_build}: run `make book` (or `make test`) first")
    untouched = manifest(project_build)
    work = tmp_path / "book"
    try:
        shutil.copytree(project_build, work / "_build", symlinks=True)
        html = work / "_build" / "html"
        warm = cache_records(work / "_build")
        assert {Path(r[2]) for r in warm} >= set(notebook_pages()), "the copied execution cache should be warm"
        before = shown(html)

        data = perturbed_respondents(tmp_path / "perturbed_synthetic_respondents.csv")
        environ = {key: value for key, value in os.environ.items() if key != "SOCIAL_LICENCE_MAPPING"}
        environ["SOCIAL_LICENCE_DATA"] = str(data)
        log = build(work, environ)

        not_executed = [str(p) for p in notebook_pages() if f"{p}: Executed notebook" not in log]
        assert not not_executed, f"notebooks not executed again after the data source changed: {not_executed}"
        after = shown(html)
        survey = load_survey(data)
        estimate = float(figure_estimates(survey).set_index("figure_id").loc[FIGURE_ID, "estimate"])

        # (a) the glued prose number
        for (spec, old), (_, new) in zip(before["glued"], after["glued"]):
            assert new == pages.format_glued(100 * estimate, spec), f"{GLUE_KEY}: shows {new}, library {100 * estimate}"
            assert new != old, f"{GLUE_KEY} did not change ({old})"
        # (b) the table cell
        decimals = len(before["cell"].partition(".")[2])
        assert after["cell"] == percent(estimate, decimals), f"{TABLE} {FIGURE_ID}: {after['cell']} vs {percent(estimate, decimals)}"
        assert after["cell"] != before["cell"]
        # (c) the figure's image
        assert after["png_header"] == b"\x89PNG\r\n\x1a\n"
        assert after["png"] != before["png"], f"{FIGURE}: the image did not change"
        # the landing page names the new source, and no longer the synthetic one
        label = pages.plain(survey.source.label)
        assert data.name in label
        assert any(label in notice for notice in after["notices"]), f"notice does not name {label!r}: {after['notices']}"
        assert not any(pages.plain(load_survey().source.label) in notice for notice in after["notices"])

        # the converse: nothing changed, nothing executes, the cache keeps its records
        records = cache_records(work / "_build")
        log = build(work, environ)
        assert "Executing notebook" not in log, "a build with no change executed a notebook:\n" + log[-3000:]
        assert cache_records(work / "_build") == records
        assert shown(html) == after
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert manifest(project_build) == untouched, "the project's _build was modified"
