"""Fixtures shared by the library's tests."""
import pytest
from social_licence.study.loader import load_survey


@pytest.fixture(scope="session")
def survey():
    """The shipped synthetic respondent file, loaded and validated once per test run."""
    return load_survey()
