"""The shared context of a chapter: file numbers measured across the ensemble on a synthetic build,
and stated as they are on an archived one."""
import shutil

import pytest

from social_licence.report.book import Book
from social_licence.study.ensemble import N_MEMBERS
from social_licence.study.loader import load_survey
from social_licence.study.paths import SYNTHETIC_PATH


@pytest.fixture(scope="module")
def synthetic():
    return Book("tx")


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A build whose data source is a file outside data/synthetic: the loader calls it archived."""
    path = tmp_path_factory.mktemp("archive") / "archive.csv"
    shutil.copy(SYNTHETIC_PATH, path)
    return Book("tx", survey=load_survey(path))


def share_of_young(view):
    return float(view.data["age_18_29"].mean())


def test_a_file_number_on_a_synthetic_build_carries_its_range_across_the_ensemble(synthetic):
    fact = synthetic.file("young", share_of_young, basis="share of rows", unit="count", tolerance=0.001)
    assert fact.kind == "file" and fact.key == "tx_young" and fact.members == N_MEMBERS == len(synthetic.members)
    values = [share_of_young(view) for view in [synthetic.view, *synthetic.members]]
    assert fact.spread == (min(values), max(values)) and not fact.set_by_generator  # 101 of 843 in every file
    weighted = synthetic.file("kish", lambda v: float(v.data["weight"].std()), basis="b", unit="ratio",
                              tolerance=0.01)
    assert weighted.set_by_generator


def test_an_archived_build_has_no_ensemble_and_its_readings_state_findings(archived):
    assert archived.archived and archived.members == []
    fact = archived.file("young", share_of_young, basis="share of rows", unit="ratio", tolerance=0.001)
    assert fact.spread is None and not fact.set_by_generator
    text = archived.reading("r", [fact], finding="The share is {tx_young}.", shows="the share").value
    assert text == f"The share is {fact.text}."


def test_published_and_derived_facts_do_not_depend_on_the_file(synthetic, archived):
    for book in (synthetic, archived):
        assert book.verdicts.loc["T3_21", "verdict"] == synthetic.verdicts.loc["T3_21", "verdict"]
        assert book.derived_contrasts.loc["T3_21", "gap"] == synthetic.derived_contrasts.loc["T3_21", "gap"]


def test_glue_facts_refuses_two_facts_with_one_key(synthetic):
    fact = synthetic.derived_fact("x", 1.0, "b")
    with pytest.raises(ValueError, match=r"facts with the same key: \['tx_x'\]"):
        synthetic.glue_facts([fact, fact])
