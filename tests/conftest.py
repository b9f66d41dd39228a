"""Fixtures shared by the library's tests, the markers of the built book's test folders, and the
order of the test folders (the core's first)."""
from pathlib import Path

import pytest
from social_licence.study.loader import load_survey

#: test folders that need a built book, each with the marker its tests carry (``-m`` selects them)
FOLDER_MARKERS = {
    "browser": "drives headless Chromium against the built book",
    "book": "builds the book (slow; run after `make book`)",
    "pdf": "reads the PDF edition (run after `make pdf`)",
    "editions": "reads the edition built under params/deff-3.yml (run after `make book PARAMS=params/deff-3.yml`)",
}


def pytest_configure(config):
    for marker, description in FOLDER_MARKERS.items():
        config.addinivalue_line("markers", f"{marker}: {description}")


#: test folders run first, in this order: the estimation core and the study layer catch a broken
#: core in seconds, before the slower report and extension tests
FIRST_FOLDERS = ("survey", "study")


def pytest_collection_modifyitems(items):
    """Mark each test in one of :data:`FOLDER_MARKERS`' folders with that folder's marker, and run
    the tests of :data:`FIRST_FOLDERS` first (otherwise in collection order)."""
    here = Path(__file__).parent
    for item in items:
        folder = Path(str(item.fspath)).parent
        if folder.parent == here and folder.name in FOLDER_MARKERS:
            item.add_marker(getattr(pytest.mark, folder.name))

    def rank(item) -> int:
        folder = Path(str(item.fspath)).parent
        return FIRST_FOLDERS.index(folder.name) if folder.parent == here and \
            folder.name in FIRST_FOLDERS else len(FIRST_FOLDERS)
    items.sort(key=rank)


@pytest.fixture(scope="session")
def survey():
    """The shipped synthetic respondent file, loaded and validated once per test run."""
    return load_survey()
