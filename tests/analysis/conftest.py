"""Fixtures the analysis layer's tests share: the published figures, the codebook, and each group's
size derived from its printed share (``analysis.derived.group_sizes`` under the default readings)."""
import pytest

from social_licence.analysis import derived
from social_licence.study.codebook import load_codebook
from social_licence.study.published import load_published


@pytest.fixture(scope="module")
def published():
    return load_published()


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


@pytest.fixture(scope="module")
def sizes(published, codebook):
    return derived.group_sizes(published, codebook)
