"""Keep the book's execution cache honest: re-execute every chapter when an input changes.

Jupyter Book's ``cache`` execution mode (jupyter-cache) keys a notebook on its code cells only, and
Sphinx re-reads a page only when its source file changes. An edit to the library, the codebook, a
data file, the pinned requirements, or a switch of data source (``SOCIAL_LICENCE_DATA``) changes
none of those, so without this guard the built book would keep showing numbers computed from the
old inputs: the worst bug a reproducible report can have.

This Sphinx extension (listed in ``_config.yml`` under ``sphinx.extra_extensions``) fingerprints
those inputs when the builder starts. If the fingerprint differs from the one recorded by the last
successful build, it empties the jupyter-cache folder and marks every page outdated, so every
notebook executes again against the new inputs. The fingerprint is recorded only after a build
succeeds, so a failed build is retried in full next time.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from social_licence.study.paths import PROJECT_ROOT

#: Environment variables that choose the respondent file and its variable mapping.
SOURCE_VARIABLES = ("SOCIAL_LICENCE_DATA", "SOCIAL_LICENCE_MAPPING")
FINGERPRINT_FILE = ".inputs-fingerprint"


def input_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """Files whose content the chapters' numbers depend on, in a stable order.

    The library's source, everything under ``data/`` except the user's own ``data/raw`` folder
    (a file there counts only when selected, see :func:`inputs_fingerprint`), and the pins.
    """
    library = sorted((root / "lib").rglob("*.py"))
    data = sorted(
        path
        for path in (root / "data").rglob("*")
        if path.is_file() and root / "data" / "raw" not in path.parents
    )
    return [*library, *data, root / "requirements.txt"]


def inputs_fingerprint(environ: dict[str, str] | None = None, root: Path = PROJECT_ROOT) -> str:
    """SHA-256 over the input files' paths and bytes and the selected data source.

    A selected file (``SOCIAL_LICENCE_DATA`` or ``SOCIAL_LICENCE_MAPPING``) contributes its path
    and its bytes, so replacing the archived file in place also invalidates the cache.
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
        if value and Path(value).is_file():
            digest.update(hashlib.sha256(Path(value).read_bytes()).digest())
    return digest.hexdigest()


def _fingerprint_path(app) -> Path:
    return Path(app.outdir).parent / FINGERPRINT_FILE


def _cache_path(app) -> Path:
    configured = app.config["nb_execution_cache_path"]
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def _check_inputs(app) -> None:
    """On builder start: compare fingerprints; on a change, empty the execution cache."""
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
    """After a successful build, record the fingerprint the build was made from."""
    if exception is None:
        _fingerprint_path(app).write_text(app.env.social_licence_fingerprint + "\n")


def setup(app) -> dict:
    """Sphinx entry point."""
    app.connect("builder-inited", _check_inputs)
    app.connect("env-get-outdated", _outdated_pages)
    app.connect("build-finished", _record_fingerprint)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
