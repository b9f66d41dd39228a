"""An edition of the book under other assumptions: ``make book PARAMS=params/<name>.yml``.

Every chapter opens with a ``parameters`` cell (papermill's convention) holding the book's
assumptions. An edition is the whole book rebuilt with the values of a parameters file in force,
into a folder of its own, ``<output>/_build/editions/<name>/`` (``<name>``: the file's name without
``.yml``), so that the default edition and every other edition keep their own pages and caches:

1. **Check the file** with ``social_licence.analysis.assumptions.load_parameters``: an unknown
   name or a value the book does not accept stops here, naming the file, the key and the value.
2. **Mirror the sources** in ``<edition>/source/``: ``_config.yml``, ``_ext``, ``_static``,
   ``references.bib``, ``CITATION.cff``, the table of contents and every Markdown page are links to
   the repository's files; every notebook of the table of contents is a copy in which papermill's
   ``parameterize_notebook`` has put an ``injected-parameters`` cell after the ``parameters`` cell
   (no execution here). The injected cell is ``hide-input`` like the cell above it, keeps papermill's
   tag, and its comment names the parameters file, so a reader who opens it sees which values
   replaced the defaults. A file is rewritten only when its content changes, so an unchanged edition
   is not re-read.
3. **Build** ``jupyter-book build <edition>/source -W -n --keep-going --path-output <edition>``: the
   HTML edition goes to ``<edition>/_build/html/`` (with its ``values.json``), and its execution
   cache to ``<edition>/_build/.jupyter_cache``. jupyter-cache keys a notebook on its code, which
   now holds the injected values, and each edition has a cache of its own: no number computed under
   other assumptions can be reused. The stale-number guard (``social_licence.sphinxext.build_inputs``)
   fingerprints the library and the data relative to the repository, not to the mirror, and keeps
   its record in the edition's ``_build``; the chapters read their data relative to the repository
   too (``social_licence.study.paths``), so the mirror's location changes nothing. A file that sets
   ``data_source`` or ``data_mapping`` also selects them for the build (``SOCIAL_LICENCE_DATA``,
   ``SOCIAL_LICENCE_MAPPING``), so that the guard, the ``{only}`` tags and the chapters agree.

Every page then says in its notice which assumptions differ from the default edition (glued by the
library from the parameters in force). A notebook without a ``parameters`` cell computes nothing
under the assumptions; it is copied as it is, and listed.

Usage: ``python _ext/edition.py PARAMS [--output FOLDER] [--toc TOC] [--pdf]``; ``--pdf`` makes the
PDF edition instead (the single-page build printed by ``_ext/print_pdf.py``, after the HTML edition,
as ``make pdf PARAMS=...`` does). Exit status: 0 when the build succeeded, 2 for a bad parameters
file, the build's own status otherwise. Tested in ``tests/ext/test_edition.py`` and, on the whole
book, ``tests/book/test_editions.py``.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from papermill.iorw import load_notebook_node
from papermill.parameterize import parameterize_notebook
from papermill.utils import find_first_tagged_cell_index
from social_licence.analysis.assumptions import Assumptions, load_parameters
from social_licence.report.notices import differences_text
from sphinx_external_toc.parsing import parse_toc_yaml

ROOT = Path(__file__).resolve().parent.parent
#: the book's sources that every edition shares with the default edition, linked into the mirror
SHARED = ("_config.yml", "_ext", "_static", "references.bib", "CITATION.cff")
SOURCE_SUFFIXES = (".ipynb", ".md")
#: papermill's tag of the cell it injects, and the book's toggle for code a reader may open
INJECTED_TAGS = ["injected-parameters", "hide-input"]
INJECTED_ID = "injected-parameters"
#: the environment variables that select the respondent file and its mapping, by parameter
SOURCE_VARIABLES = {"data_source": "SOCIAL_LICENCE_DATA", "data_mapping": "SOCIAL_LICENCE_MAPPING"}
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def edition_name(params: Path) -> str:
    """The edition's name: the parameters file's name without its suffix."""
    if not NAME.match(params.stem):
        raise ValueError(f"parameters file {params}: its name {params.stem!r} must be letters, digits, '.', '_' "
                         "or '-' (it names the edition's folder)")
    return params.stem


def edition_folder(params: Path, output: Path = ROOT) -> Path:
    """Where the edition of ``params`` is built: ``<output>/_build/editions/<name>``."""
    return output / "_build" / "editions" / edition_name(params)


def cache_folder(edition: Path) -> Path:
    """The edition's execution cache (myst-nb's default, beside the builder's output folder)."""
    return edition / "_build" / ".jupyter_cache"


def shown_path(path: Path) -> str:
    """A path as the injected cell and the messages show it: relative to the repository if inside."""
    path = path.resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else str(path)


def toc_sources(toc: Path, root: Path = ROOT) -> list[Path]:
    """The source file (notebook or Markdown) of every page of the table of contents, relative to
    ``root``, in reading order."""
    sources = []
    for docname in parse_toc_yaml(str(toc)):
        found = [root / f"{docname}{suffix}" for suffix in SOURCE_SUFFIXES if (root / f"{docname}{suffix}").is_file()]
        if not found:
            raise FileNotFoundError(f"{toc}: page {docname!r} has no source under {root} (looked for {SOURCE_SUFFIXES})")
        sources.append(found[0].relative_to(root))
    return sources


def parameterize(path: Path, parameters: dict, label: str):
    """The notebook at ``path`` as papermill reads it, with papermill's injected-parameters cell
    after its ``parameters`` cell; None when it has none. ``label`` (the parameters file) is
    named in the cell's comment."""
    notebook = load_notebook_node(str(path))
    if find_first_tagged_cell_index(notebook, "parameters") < 0:
        return None
    injected = parameterize_notebook(notebook, parameters, comment=(
        f"Injected from {label} (make book PARAMS={label}): these values replace the defaults above"))
    cell = injected.cells[find_first_tagged_cell_index(injected, "injected-parameters")]
    cell.id = INJECTED_ID  # papermill draws a random id: a fixed one keeps an unchanged edition unchanged
    cell.metadata["tags"] = list(INJECTED_TAGS)
    return injected


def mirror_entries(parameters: dict, label: str, toc: Path, root: Path = ROOT) -> tuple[dict, list[str]]:
    """What the edition's source folder holds: relative path -> the file to link to, or the bytes
    of a parameterised notebook; and the notebooks copied without injection (no parameters cell)."""
    entries: dict[Path, Path | bytes] = {Path(name): root / name for name in SHARED}
    entries[Path("_toc.yml")] = toc.resolve()
    unparameterised = []
    for source in toc_sources(toc, root):
        if source.suffix != ".ipynb":
            entries[source] = root / source
            continue
        injected = parameterize(root / source, parameters, label)
        if injected is None:
            unparameterised.append(source.with_suffix("").as_posix())
            entries[source] = (root / source).read_bytes()
        else:
            entries[source] = nbformat.writes(injected).encode() + b"\n"
    return entries, unparameterised


def sync(folder: Path, entries: dict) -> None:
    """Make ``folder`` hold exactly ``entries`` (relative path -> link target or file bytes),
    touching nothing that is already as it should be."""
    wanted = set(entries) | {parent for path in entries for parent in path.parents}
    folder.mkdir(parents=True, exist_ok=True)
    for current, dirs, files in os.walk(folder, topdown=False):
        for name in dirs + files:
            path = Path(current) / name
            if path.relative_to(folder) in wanted:
                continue
            if path.is_symlink() or path.is_file():
                path.unlink()
            else:
                path.rmdir()  # its unwanted content went first (bottom-up walk)
    for relative, content in entries.items():
        path = folder / relative
        if isinstance(content, Path):
            if path.is_symlink() and Path(os.readlink(path)) == content:
                continue
        elif path.is_file() and not path.is_symlink() and path.read_bytes() == content:
            continue
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            path.symlink_to(content, target_is_directory=content.is_dir())
        else:
            path.write_bytes(content)


def prepare(params: Path, output: Path = ROOT, toc: Path = ROOT / "_toc.yml",
            root: Path = ROOT) -> tuple[Path, dict, list[str]]:
    """Check the parameters file and write the edition's sources; the edition's folder, the
    parameters and the notebooks copied without injection. ValueError for a bad file."""
    parameters = load_parameters(params)
    parameters = {name: list(value) if isinstance(value, tuple) else value for name, value in parameters.items()}
    edition = edition_folder(params, output)
    entries, unparameterised = mirror_entries(parameters, shown_path(params), toc, root)
    sync(edition / "source", entries)
    return edition, parameters, unparameterised


def build_environment(parameters: dict, environ=None) -> dict:
    """The build's environment: the data source and mapping a parameters file sets, selected."""
    environ = dict(os.environ if environ is None else environ)
    for name, variable in SOURCE_VARIABLES.items():
        if parameters.get(name) is not None:
            environ[variable] = str(parameters[name])
    return environ


def build(edition: Path, parameters: dict, pdf: bool = False) -> int:
    """Build the edition (HTML, or with ``pdf`` the single-page build and its print); the exit status."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book), "build", str(edition / "source"), "-W", "-n", "--keep-going",
               "--path-output", str(edition)]
    environ = build_environment(parameters)
    if not pdf:
        shutil.rmtree(edition / "_build" / "html" / "reports", ignore_errors=True)  # reports of a failed build
        return subprocess.run(command, env=environ).returncode
    status = subprocess.run([*command, "--builder", "singlehtml"], env=environ).returncode
    if status:
        return status
    return subprocess.run([sys.executable, str(ROOT / "_ext" / "print_pdf.py"), str(edition / "_build")],
                          env=environ).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the book under the assumptions of a parameters file.")
    parser.add_argument("params", type=Path, help="parameters file (YAML), e.g. params/deff-3.yml")
    parser.add_argument("--output", type=Path, default=ROOT,
                        help="the edition goes to OUTPUT/_build/editions/<name> (default: the repository)")
    parser.add_argument("--toc", type=Path, default=ROOT / "_toc.yml", help="table of contents (default: _toc.yml)")
    parser.add_argument("--pdf", action="store_true", help="the PDF edition (after the HTML edition is built)")
    args = parser.parse_args(argv)
    try:
        edition, parameters, unparameterised = prepare(args.params, args.output.resolve(), args.toc.resolve())
    except (ValueError, FileNotFoundError) as error:
        print(f"edition: {error}", file=sys.stderr)
        return 2
    label = shown_path(args.params)
    differences = differences_text(Assumptions(**parameters)) or "none: the default edition's assumptions"
    print(f"Edition {edition.name!r} from {label}; assumptions that differ: {differences}")
    if unparameterised:
        print(f"Pages without a parameters cell, copied as they are: {', '.join(unparameterised)}")
    status = build(edition, parameters, args.pdf)
    if status:
        print(f"The edition {edition.name!r} failed to build (exit status {status}): see the messages above",
              file=sys.stderr)
        return status
    where = edition / "_build" / ("pdf" if args.pdf else "html/index.html")
    print(f"The edition {edition.name!r} ({label}) is at {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
