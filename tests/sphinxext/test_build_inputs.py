"""The stale-number guard: any change to what the chapters compute from empties the book's cache."""
from pathlib import Path
from types import SimpleNamespace

import pytest
from social_licence.sphinxext import build_inputs


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A miniature project tree with a library file, a data file, a user's raw file and the pins."""
    (tmp_path / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "lib" / "pkg" / "estimate.py").write_text("ANSWER = 1\n")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "codebook.yml").write_text("items: []\n")
    (tmp_path / "data" / "raw" / "archive.sav").write_bytes(b"respondents v1")
    (tmp_path / "requirements.txt").write_text("pandas==3.1.1\n")
    return tmp_path


def fingerprint(root: Path, **environ: str) -> str:
    return build_inputs.inputs_fingerprint(environ=environ, root=root)


def test_fingerprint_is_stable_when_nothing_changes(project):
    assert fingerprint(project) == fingerprint(project)


@pytest.mark.parametrize(
    "relative", ["lib/pkg/estimate.py", "data/codebook.yml", "requirements.txt"]
)
def test_editing_an_input_file_changes_the_fingerprint(project, relative):
    before = fingerprint(project)
    with (project / relative).open("a") as handle:
        handle.write("# edited\n")
    assert fingerprint(project) != before


def test_adding_a_data_file_changes_the_fingerprint(project):
    before = fingerprint(project)
    (project / "data" / "synthetic.csv").write_text("id\n1\n")
    assert fingerprint(project) != before


def test_unselected_raw_file_does_not_count_but_selected_one_does(project):
    raw = project / "data" / "raw" / "archive.sav"
    synthetic_build = fingerprint(project)
    raw.write_bytes(b"respondents v2")
    assert fingerprint(project) == synthetic_build, "an unselected raw file must not matter"

    archived_build = fingerprint(project, SOCIAL_LICENCE_DATA=str(raw))
    assert archived_build != synthetic_build
    raw.write_bytes(b"respondents v3")
    assert fingerprint(project, SOCIAL_LICENCE_DATA=str(raw)) != archived_build


def test_changing_the_mapping_variable_changes_the_fingerprint(project):
    assert fingerprint(project, SOCIAL_LICENCE_MAPPING="a.yml") != fingerprint(project)


def fake_sphinx_app(build_dir: Path) -> SimpleNamespace:
    """Just the attributes of a Sphinx application the guard reads."""
    return SimpleNamespace(
        outdir=str(build_dir / "html"),
        config={"nb_execution_cache_path": ""},
        env=SimpleNamespace(found_docs={"intro", "chapters/a", "chapters/b"}),
    )


def test_hooks_clear_cache_and_outdate_every_page_only_when_inputs_change(tmp_path, monkeypatch):
    fingerprints = iter(["first", "first", "second"])
    monkeypatch.setattr(build_inputs, "inputs_fingerprint", lambda: next(fingerprints))
    app = fake_sphinx_app(tmp_path / "_build")
    cache = tmp_path / "_build" / ".jupyter_cache"

    def build() -> list[str]:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "record").write_text("cached outputs")
        build_inputs._check_inputs(app)
        outdated = build_inputs._outdated_pages(app, app.env, set(), set(), set())
        build_inputs._record_fingerprint(app, None)
        return outdated

    assert build() == ["chapters/a", "chapters/b", "intro"]  # no record yet: full build
    assert not (cache / "record").exists()
    assert build() == []  # same inputs: cache kept, nothing forced
    assert (cache / "record").exists()
    assert build() == ["chapters/a", "chapters/b", "intro"]  # inputs changed
    assert not (cache / "record").exists()


def test_failed_build_does_not_record_the_fingerprint(tmp_path, monkeypatch):
    monkeypatch.setattr(build_inputs, "inputs_fingerprint", lambda: "inputs")
    app = fake_sphinx_app(tmp_path / "_build")
    (tmp_path / "_build").mkdir()
    build_inputs._check_inputs(app)
    build_inputs._record_fingerprint(app, RuntimeError("notebook failed"))
    assert not (tmp_path / "_build" / build_inputs.FINGERPRINT_FILE).exists()
