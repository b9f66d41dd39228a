"""Tests of the built book that need ``make book`` first (run by ``make test`` after the build)."""


def pytest_configure(config):
    config.addinivalue_line("markers", "book: builds the book (slow; run after `make book`)")
