"""Where the project's files live: paths a user gives are read from the repository root."""
import os

from social_licence.study.paths import PROJECT_ROOT, SYNTHETIC_PATH, project_path, shown_path


def test_the_project_root_holds_the_book_and_the_data():
    assert (PROJECT_ROOT / "_toc.yml").is_file() and SYNTHETIC_PATH.is_file()


def test_a_relative_path_means_the_same_file_from_any_working_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert project_path("data/raw/file.sav") == PROJECT_ROOT / "data" / "raw" / "file.sav"
    assert project_path(tmp_path / "x.csv") == (tmp_path / "x.csv").resolve()
    assert project_path("~/x.csv") == (tmp_path.home() / "x.csv").resolve()
    assert os.getcwd() == str(tmp_path)


def test_a_shown_path_never_reveals_a_folder_outside_the_project(tmp_path):
    assert shown_path(SYNTHETIC_PATH) == "data/synthetic/synthetic_respondents.csv"
    assert shown_path(tmp_path / "private" / "survey.sav") == "survey.sav"
