"""_ext/edition.py without a build: a parameters file is checked, the book's sources are mirrored
with papermill's injected cell after each parameters cell, and each edition has its own folder and
cache. The whole-book build of an edition is tests/book/test_editions.py."""
from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
import yaml
from social_licence.analysis.assumptions import PARAMETERS, Assumptions, load_parameters
from social_licence.study.paths import PROJECT_ROOT

import edition

CHAPTER = Path("chapters/early_intervention.ipynb")
SHIPPED = sorted((PROJECT_ROOT / "params").glob("*.yml"))


@pytest.fixture
def toc(tmp_path):
    """A table of contents with the converted chapter and a Markdown page."""
    path = tmp_path / "toc.yml"
    path.write_text("format: jb-book\nroot: chapters/early_intervention\nchapters:\n  - file: references\n")
    return path


def code(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_three_example_parameter_files_are_shipped_and_valid():
    assert [p.name for p in SHIPPED] == ["deff-3.yml", "higher-all-three.yml", "wilson-90.yml"]
    for path in SHIPPED:
        assert load_parameters(path)
        assert path.read_text().startswith("# "), f"{path.name}: says what a reader learns from it"


@pytest.mark.parametrize("params", SHIPPED, ids=lambda p: p.stem)
def test_the_injected_cell_follows_the_parameters_cell_and_sets_the_file_s_values(tmp_path, toc, params):
    folder, parameters, unparameterised = edition.prepare(params, tmp_path, toc)
    assert folder == tmp_path / "_build" / "editions" / params.stem and unparameterised == []
    mirrored = nbformat.read(folder / "source" / CHAPTER, as_version=4)
    original = nbformat.read(PROJECT_ROOT / CHAPTER, as_version=4)
    cells = code(mirrored)
    assert "parameters" in cells[0].metadata["tags"]
    injected = cells[1]
    assert injected.id == "injected-parameters"
    assert injected.metadata["tags"] == ["injected-parameters", "hide-input"]
    assert injected.source.startswith(f"# Injected from params/{params.name} (make book PARAMS=params/{params.name})")
    assert [c.source for c in cells[2:]] == [c.source for c in code(original)[1:]]  # nothing else changed
    namespace: dict = {}
    exec(cells[0].source + "\n" + injected.source, namespace)  # what the kernel runs first
    in_force = Assumptions(**{name: namespace[name] for name in PARAMETERS})
    assert in_force == Assumptions(**load_parameters(params))
    assert set(in_force.differences()) == set(yaml.safe_load(params.read_text()))


def test_shared_sources_are_linked_and_the_mirror_holds_nothing_else(tmp_path, toc):
    folder, _, _ = edition.prepare(PROJECT_ROOT / "params" / "deff-3.yml", tmp_path, toc)
    source = folder / "source"
    for name in (*edition.SHARED, "references.md"):
        assert (source / name).is_symlink() and (source / name).resolve() == (PROJECT_ROOT / name).resolve()
    assert (source / "_toc.yml").resolve() == toc.resolve()
    (source / "chapters" / "stale.ipynb").write_text("{}")  # a page dropped from the table of contents
    edition.prepare(PROJECT_ROOT / "params" / "deff-3.yml", tmp_path, toc)
    held = [*source.iterdir(), *(source / "chapters").iterdir()]
    assert sorted(p.relative_to(source).as_posix() for p in held) == sorted(
        [*edition.SHARED, "_toc.yml", "references.md", "chapters", CHAPTER.as_posix()])


def test_an_unchanged_edition_is_not_rewritten_and_a_changed_file_is(tmp_path, toc):
    params = tmp_path / "deff-3.yml"
    params.write_text("deff_range: [1.0, 3.0]\n")
    folder, _, _ = edition.prepare(params, tmp_path, toc)
    notebook = folder / "source" / CHAPTER
    os.utime(notebook, ns=(1, 1))
    edition.prepare(params, tmp_path, toc)
    assert notebook.stat().st_mtime_ns == 1  # Sphinx would re-read a rewritten page
    params.write_text("deff_range: [1.0, 4.0]\n")
    edition.prepare(params, tmp_path, toc)
    assert notebook.stat().st_mtime_ns != 1 and "deff_range = [1.0, 4.0]" in notebook.read_text()


def test_a_notebook_without_a_parameters_cell_is_copied_as_it_is(tmp_path):
    root = tmp_path / "book"
    (root / "chapters").mkdir(parents=True)
    page = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Glossary"),
                                           nbformat.v4.new_code_cell("terms()")])
    nbformat.write(page, root / "chapters" / "glossary.ipynb")
    (root / "toc.yml").write_text("format: jb-book\nroot: chapters/glossary\n")
    folder, _, unparameterised = edition.prepare(PROJECT_ROOT / "params" / "deff-3.yml", tmp_path, root / "toc.yml",
                                                 root)
    assert unparameterised == ["chapters/glossary"]
    assert (folder / "source/chapters/glossary.ipynb").read_bytes() == (root / "chapters/glossary.ipynb").read_bytes()


@pytest.mark.parametrize("content, named", [
    ("deff_range: [1.0, 3.0]\ndesign_effect: 3\n", "'design_effect'"),
    ("level: 1.5\n", "level=1.5"),
    ("interval_method: exact\n", "interval_method='exact'"),
])
def test_a_bad_parameters_file_stops_before_anything_is_written(tmp_path, toc, capsys, content, named):
    params = tmp_path / "bad.yml"
    params.write_text(content)
    assert edition.main([str(params), "--output", str(tmp_path), "--toc", str(toc)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"edition: parameters file {params}") and named in err
    assert not (tmp_path / "_build").exists()


def test_each_edition_has_its_own_folder_and_execution_cache(tmp_path):
    folders = {edition.edition_folder(path, tmp_path) for path in SHIPPED}
    assert len(folders) == len(SHIPPED)
    for folder in folders:
        assert edition.cache_folder(folder).is_relative_to(folder)
    # the cache is myst-nb's default beside each build's output (what cache_folder says), never a shared path
    config = yaml.safe_load((PROJECT_ROOT / "_config.yml").read_text())
    assert not config["execute"].get("cache")
    with pytest.raises(ValueError, match="names the edition's folder"):
        edition.edition_name(Path("params/my edition.yml"))


def test_a_file_that_names_a_data_source_selects_it_for_the_build():
    environ = edition.build_environment({"data_source": "data/raw/file.sav", "level": 0.9}, {"PATH": "/bin"})
    assert environ == {"PATH": "/bin", "SOCIAL_LICENCE_DATA": "data/raw/file.sav"}
    assert edition.build_environment({"level": 0.9}, {"SOCIAL_LICENCE_DATA": "x"}) == {"SOCIAL_LICENCE_DATA": "x"}
