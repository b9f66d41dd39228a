"""Guards on what git tracks: real respondent-level data must never be committed.

The archived survey file (UKDA-SN-856334) is licensed, not public. Only the synthetic file and the
published figures may sit under data/ as tables; data/raw/ (where a user puts the archived file)
must be ignored by git.
"""
import re
import shutil
import subprocess

import pytest
from social_licence.study.paths import PROJECT_ROOT

#: extensions of respondent-level survey files (SPSS, Stata, SAS, R, tab-delimited, Parquet)
RESPONDENT_EXTENSIONS = (".sav", ".zsav", ".por", ".dta", ".sas7bdat", ".xpt", ".rds", ".rdata", ".rda",
                         ".tab", ".parquet")
#: the only tables allowed under data/: the published figures, and synthetic files (named so) under
#: data/synthetic/ -- the shipped file, the ensemble's members and its manifest
ALLOWED_DATA_TABLES = {"data/published/published_figures.csv"}
SYNTHETIC_TABLE = re.compile(r"data/synthetic/(ensemble/)?synthetic_[a-z0-9_]+\.csv")
#: table formats that, under data/, would hold respondent-level rows
TABLE_EXTENSIONS = (".csv", ".tsv", ".xlsx", ".xls")

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (PROJECT_ROOT / ".git").exists(), reason="needs a git checkout")


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True)


def tracked_files() -> list[str]:
    return git("ls-files", "-z").stdout.split("\0")


def offending_files(paths: list[str]) -> list[str]:
    """Paths that look like respondent-level data: survey-package formats anywhere, and tables
    under data/ other than the synthetic file and the published figures."""
    return [p for p in paths
            if p.lower().endswith(RESPONDENT_EXTENSIONS)
            or (p.startswith("data/") and p.lower().endswith(TABLE_EXTENSIONS) and p not in ALLOWED_DATA_TABLES
                and not SYNTHETIC_TABLE.fullmatch(p))]


def test_the_rule_catches_respondent_files():
    paths = ["data/raw/UKDA_856334.sav", "tests/fixture.dta", "data/survey.csv", "data/raw/survey.tab",
             "lib/x.rds", "data/synthetic/respondents.csv", "data/synthetic/ensemble/m01.csv",
             "data/synthetic/synthetic_respondents.csv", "data/published/published_figures.csv",
             "data/synthetic/ensemble/synthetic_respondents_m01.csv",
             "data/synthetic/ensemble/synthetic_ensemble_members.csv",
             "tests/reference/survey_fixture.csv", "data/codebook.yml"]
    assert offending_files(paths) == paths[:7]


def test_no_respondent_level_file_is_tracked():
    offending = offending_files(tracked_files())
    assert not offending, f"respondent-level files tracked by git: {offending}"


def test_data_raw_is_ignored_except_its_readme():
    for name in ("data/raw/archive.sav", "data/raw/archive.tab", "data/raw/mapping.yml"):
        assert git("check-ignore", "-q", name).returncode == 0, f"{name} is not ignored by git"
    assert git("check-ignore", "-q", "data/raw/README.md").returncode == 1
    assert "data/raw/README.md" in tracked_files()
