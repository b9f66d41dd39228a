"""The stale-number guard: any change to what the chapters compute from empties the book's cache;
a failed build is never recorded as good; a bad data source stops the build before any notebook runs."""
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from social_licence.sphinxext import build_inputs
from social_licence.study.paths import SYNTHETIC_PATH
from sphinx.errors import ConfigError


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A miniature project tree with a library file, a data file, a user's raw file, the pins and
    the citation file."""
    (tmp_path / "lib" / "pkg").mkdir(parents=True)
    (tmp_path / "lib" / "pkg" / "estimate.py").write_text("ANSWER = 1\n")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    (tmp_path / "data" / "codebook.yml").write_text("items: []\n")
    (tmp_path / "data" / "raw" / "archive.sav").write_bytes(b"respondents v1")
    (tmp_path / "requirements.txt").write_text("pandas==3.1.1\n")
    (tmp_path / "CITATION.cff").write_text("version: 1.0.0\n")
    return tmp_path


def fingerprint(root: Path, **environ: str) -> str:
    return build_inputs.inputs_fingerprint(environ=environ, root=root)


def test_fingerprint_is_stable_when_nothing_changes(project):
    assert fingerprint(project) == fingerprint(project)


@pytest.mark.parametrize(
    "relative", ["lib/pkg/estimate.py", "data/codebook.yml", "requirements.txt", "CITATION.cff"]
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


def test_a_relative_selection_is_read_relative_to_the_root(project, monkeypatch, tmp_path):
    """As the loader reads it: the build's working folder does not matter."""
    monkeypatch.chdir(tmp_path)
    relative = fingerprint(project, SOCIAL_LICENCE_DATA="data/raw/archive.sav")
    (project / "data" / "raw" / "archive.sav").write_bytes(b"respondents v2")
    assert fingerprint(project, SOCIAL_LICENCE_DATA="data/raw/archive.sav") != relative


def fake_sphinx_app(build_dir: Path, warnings: int = 0) -> SimpleNamespace:
    """Just the attributes of a Sphinx application the guard reads (``_warncount`` is Sphinx's own
    count of logged warnings, which ``--keep-going`` turns into a non-zero exit)."""
    return SimpleNamespace(
        outdir=str(build_dir / "html"),
        config={"nb_execution_cache_path": ""},
        env=SimpleNamespace(found_docs={"intro", "chapters/a", "chapters/b"}),
        _warncount=warnings,
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


@pytest.mark.parametrize("exception, warnings", [(RuntimeError("notebook failed"), 0), (None, 1), (None, 7)],
                         ids=["exception", "one-warning", "failed-notebooks"])
def test_a_build_with_an_exception_or_a_warning_is_not_recorded_and_forgets_the_last_record(
        tmp_path, monkeypatch, exception, warnings):
    """A build that 'finished with problems' (e.g. a notebook failed) must leave the next build to
    execute everything again, not report '0 changed ... succeeded'."""
    monkeypatch.setattr(build_inputs, "inputs_fingerprint", lambda: "inputs")
    record = tmp_path / "_build" / build_inputs.FINGERPRINT_FILE
    clean = fake_sphinx_app(tmp_path / "_build")
    (tmp_path / "_build").mkdir()
    build_inputs._check_inputs(clean)
    build_inputs._record_fingerprint(clean, None)
    assert record.read_text() == "inputs\n"

    failed = fake_sphinx_app(tmp_path / "_build", warnings=warnings)
    build_inputs._check_inputs(failed)
    assert build_inputs._outdated_pages(failed, failed.env, set(), set(), set()) == []
    build_inputs._record_fingerprint(failed, exception)
    assert not record.exists()
    again = fake_sphinx_app(tmp_path / "_build")
    build_inputs._check_inputs(again)
    assert build_inputs._outdated_pages(again, again.env, set(), set(), set()) == ["chapters/a", "chapters/b", "intro"]


def test_a_bad_data_source_stops_the_build_before_any_notebook_runs(tmp_path, monkeypatch):
    bad = tmp_path / "archive.csv"
    pd.read_csv(SYNTHETIC_PATH).drop(columns="weight").to_csv(bad, index=False)
    monkeypatch.setenv("SOCIAL_LICENCE_DATA", str(bad))
    monkeypatch.delenv("SOCIAL_LICENCE_MAPPING", raising=False)
    app = fake_sphinx_app(tmp_path / "_build")
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / build_inputs.FINGERPRINT_FILE).write_text("an earlier clean build\n")
    with pytest.raises(ConfigError, match=r"cannot be used(?s:.*)'weight' \(file column 'weight'\)"):
        build_inputs._check_inputs(app)
    assert not (tmp_path / "_build" / build_inputs.FINGERPRINT_FILE).exists()


def test_an_archived_build_writes_the_recoding_audit_beside_the_book(tmp_path, monkeypatch):
    archive = tmp_path / "archive.csv"
    pd.read_csv(SYNTHETIC_PATH).to_csv(archive, index=False)
    mapping = tmp_path / "mapping.yml"
    mapping.write_text("recode:\n  sex: {1: 1, 2: 2}\n")
    monkeypatch.setenv("SOCIAL_LICENCE_DATA", str(archive))
    monkeypatch.setenv("SOCIAL_LICENCE_MAPPING", str(mapping))
    app = fake_sphinx_app(tmp_path / "_build")
    build_inputs._check_inputs(app)
    audit = pd.read_csv(tmp_path / "_build" / build_inputs.AUDIT_FILE)
    assert set(audit["variable"]) == {"sex"} and audit["rows"].sum() == 843
    assert build_inputs.source_tag() == "archived"
    monkeypatch.delenv("SOCIAL_LICENCE_DATA")
    build_inputs._check_inputs(app)
    assert not (tmp_path / "_build" / build_inputs.AUDIT_FILE).exists()
    assert build_inputs.source_tag() == "synthetic"
