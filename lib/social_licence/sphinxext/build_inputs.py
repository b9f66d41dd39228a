"""Keep the book honest about its inputs: re-execute on any change, fail fast, never cache a failure.

Jupyter Book's ``cache`` execution mode (jupyter-cache) keys a notebook on its code cells only, and
Sphinx re-reads a page only when its source file changes. An edit to the library, the codebook, a
data file, the pinned requirements, the citation file, or a switch of data source (``SOCIAL_LICENCE_DATA``) changes
none of those, so without this guard the built book would keep showing numbers computed from the
old inputs: the worst bug a reproducible report can have.

This Sphinx extension (listed in ``_config.yml`` under ``sphinx.extra_extensions``) does four things:

* **Fingerprint.** When the builder starts it fingerprints those inputs. If the fingerprint
  differs from the one recorded by the last *clean* build, it empties the jupyter-cache folder
  and marks every page outdated, so every notebook executes again against the new inputs.
* **Record only a clean build.** The fingerprint is recorded only when the build raised no
  exception *and* logged no warning (a failed notebook is a warning with ``--keep-going``). After
  any other build the record is removed, so the next build executes everything again and fails
  again, with a non-zero exit, until the cause is fixed; "0 changed ... succeeded" can never
  follow a failed build.
* **Fail fast on bad input.** It loads the selected respondent file once, before any notebook
  runs (:func:`social_licence.study.loader.load_survey`); a bad file or mapping stops the build
  with the loader's message instead of a traceback on every page. For an archived file it writes
  the recoding audit (file value, file label, codebook code and label, rows) beside the book, as
  ``recoding-audit.csv`` next to ``html/``.
* **Tag the data source.** It adds the Sphinx tag ``synthetic`` or ``archived``, so prose that is
  true of one source only sits in an ``{only}`` block and an archived build says nothing of
  synthetic data.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from sphinx.errors import ConfigError

from social_licence.study.loader import is_synthetic, load_survey, resolve_paths
from social_licence.study.paths import PROJECT_ROOT

#: Environment variables that choose the respondent file, its variable mapping and the disclosure
#: rules its numbers pass.
SOURCE_VARIABLES = ("SOCIAL_LICENCE_DATA", "SOCIAL_LICENCE_MAPPING", "SOCIAL_LICENCE_RULES")
FINGERPRINT_FILE = ".inputs-fingerprint"
AUDIT_FILE = "recoding-audit.csv"


def input_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """Files whose content the chapters' numbers depend on, in a stable order.

    The library's source, everything under ``data/`` except the user's own ``data/raw`` folder
    (a file there counts only when selected, see :func:`inputs_fingerprint`), the pins, and
    ``CITATION.cff`` (the landing page's citation text is built from it).
    """
    library = sorted((root / "lib").rglob("*.py"))
    data = sorted(
        path
        for path in (root / "data").rglob("*")
        if path.is_file() and root / "data" / "raw" not in path.parents
    )
    return [*library, *data, root / "requirements.txt", root / "CITATION.cff"]


def inputs_fingerprint(environ: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> str:
    """SHA-256 over the input files' paths and bytes and the selected data source.

    A selected file (``SOCIAL_LICENCE_DATA``, ``SOCIAL_LICENCE_MAPPING`` or ``SOCIAL_LICENCE_RULES``) contributes its path
    and its bytes, so replacing the archived file in place also invalidates the cache. A relative
    value is read relative to ``root``, as the loader reads it.
    """
    environ = os.environ if environ is None else environ
    digest = hashlib.sha256()
    for path in input_files(root):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    for name in SOURCE_VARIABLES:
        value = environ.get(name, "")
        digest.update(f"{name}={value}".encode())
        selected = Path(value) if Path(value).is_absolute() else root / value
        if value and selected.is_file():
            digest.update(hashlib.sha256(selected.read_bytes()).digest())
    return digest.hexdigest()


def source_tag() -> str:
    """``"synthetic"`` or ``"archived"``: which respondent file the environment selects."""
    data_path, _ = resolve_paths(None, None)
    return "synthetic" if is_synthetic(data_path) else "archived"


def _fingerprint_path(app) -> Path:
    return Path(app.outdir).parent / FINGERPRINT_FILE


def _cache_path(app) -> Path:
    configured = app.config["nb_execution_cache_path"]
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def _tag_source(app, config) -> None:
    """On config-inited: tag the build with its data source, for ``{only}`` blocks."""
    app.tags.add(source_tag())


def _check_inputs(app) -> None:
    """On builder start: load the data source (stop on bad input); on a changed fingerprint, empty
    the execution cache."""
    try:
        survey = load_survey()
    except ValueError as error:
        _fingerprint_path(app).unlink(missing_ok=True)
        raise ConfigError(f"the selected respondent file cannot be used, so no chapter is executed:\n{error}") from None
    audit = Path(app.outdir).parent / AUDIT_FILE
    if survey.source.kind == "archived":
        audit.parent.mkdir(parents=True, exist_ok=True)
        survey.recoding.to_csv(audit, index=False)
    else:
        audit.unlink(missing_ok=True)
    app.env.social_licence_fingerprint = inputs_fingerprint()
    recorded = _fingerprint_path(app)
    previous = recorded.read_text().strip() if recorded.is_file() else None
    app.env.social_licence_inputs_changed = previous != app.env.social_licence_fingerprint
    if app.env.social_licence_inputs_changed:
        shutil.rmtree(_cache_path(app), ignore_errors=True)
        recorded.unlink(missing_ok=True)


def _outdated_pages(app, env, added, changed, removed) -> list[str]:
    """Ask Sphinx to re-read every page when the inputs changed."""
    return sorted(env.found_docs) if env.social_licence_inputs_changed else []


def _record_fingerprint(app, exception) -> None:
    """After a clean build (no exception, no warning), record the fingerprint it was made from;
    after any other, remove the record so that the next build starts from scratch."""
    recorded = _fingerprint_path(app)
    if exception is None and app._warncount == 0:
        recorded.write_text(app.env.social_licence_fingerprint + "\n")
    else:
        recorded.unlink(missing_ok=True)


def setup(app) -> dict:
    """Sphinx entry point."""
    app.connect("config-inited", _tag_source)
    app.connect("builder-inited", _check_inputs)
    app.connect("env-get-outdated", _outdated_pages)
    app.connect("build-finished", _record_fingerprint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
