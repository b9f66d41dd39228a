"""The citation text is built from CITATION.cff: the file is complete and agrees with the package, and
each part of the text comes from the matching field."""
import tomllib

import pytest
import yaml
from pybtex.database import parse_file

from social_licence.report.citation import (CITATION_PATH, author_names, citation_text, load_citation,
                                            reference_text)
from social_licence.study.paths import PROJECT_ROOT

ARTICLE = {"type": "article", "title": "Data linkage for early intervention in the UK",
           "authors": [{"family-names": "Edwards", "given-names": "Rosalind"},
                       {"family-names": "Gillies", "given-names": "Val"}],
           "journal": "Data & Policy", "volume": 3, "start": "e34", "year": 2021, "doi": "10.1017/dap.2021.34"}


def test_the_repository_citation_file_has_what_cff_requires():
    citation = load_citation()
    assert citation["cff-version"] == "1.2.0"
    for work in [citation.get("preferred-citation", citation), *citation.get("references", [])]:
        assert work["title"] and work["authors"], work
    for work in citation.get("references", []):
        assert work["type"], work


def test_the_citation_version_is_the_package_version():
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    citation = load_citation()
    assert citation["version"] == project["version"]
    assert citation.get("preferred-citation", citation)["version"] == project["version"]


def test_every_article_the_file_references_is_the_bibliography_s_entry_with_that_doi():
    """Two records of the same works, kept by hand: their DOIs and titles must agree."""
    by_doi = {entry.fields["doi"].lower(): entry for entry in parse_file(PROJECT_ROOT / "references.bib").entries.values()
              if "doi" in entry.fields}
    articles = [work for work in load_citation()["references"] if work["type"] == "article"]
    assert articles
    for work in articles:
        entry = by_doi.get(str(work["doi"]).lower())
        assert entry is not None, f"{work['doi']} is not in references.bib"
        assert entry.fields["title"].replace("{", "").replace("}", "") == work["title"]


def test_the_landing_page_text_carries_the_file_s_title_version_and_every_reference_doi():
    citation = load_citation()
    text = citation_text(citation)
    assert citation["preferred-citation"]["title"] in text
    assert f"Version {citation['version']}." in text
    for work in citation["references"]:
        assert f"(https://doi.org/{work['doi']})" in text


def test_a_file_without_a_required_field_is_refused(tmp_path):
    path = tmp_path / "CITATION.cff"
    path.write_text(yaml.safe_dump({"cff-version": "1.2.0", "message": "Cite it.", "title": "T"}))
    with pytest.raises(ValueError, match=r"authors"):
        load_citation(path)
    assert load_citation(CITATION_PATH)


@pytest.mark.parametrize("authors, expected", [
    ([{"name": "The team"}], "The team"),
    ([{"family-names": "Gorin", "given-names": "Sarah"}], "Gorin, S."),
    ([{"family-names": "Zoonen", "name-particle": "van", "given-names": "Liesbet"}], "van Zoonen, L."),
    ([{"family-names": "Lumley", "given-names": "Thomas S"}, {"family-names": "Kish"}], "Lumley, T. S. and Kish"),
    (ARTICLE["authors"] + [{"family-names": "Gorin", "given-names": "Sarah"}], "Edwards, R., Gillies, V. and Gorin, S."),
])
def test_author_names(authors, expected):
    assert author_names(authors) == expected


def test_an_article_puts_the_journal_in_italics_and_links_its_doi():
    assert reference_text(ARTICLE) == ("Edwards, R. and Gillies, V. (2021). Data linkage for early intervention in "
                                       "the UK. *Data & Policy* 3, e34. "
                                       "[doi:10.1017/dap.2021.34](https://doi.org/10.1017/dap.2021.34)")


def test_a_data_set_puts_its_title_in_italics_with_publisher_and_notes():
    data = {"type": "data", "title": "Survey, 2020-2022\n", "authors": [{"name": "A team"}],
            "publisher": {"name": "UK Data Service"}, "notes": "ReShare collection 1"}
    assert reference_text(data) == "A team. *Survey, 2020-2022*. UK Data Service. ReShare collection 1."
    undated = {**data, "authors": [{"family-names": "Gorin", "given-names": "Sarah"}]}
    assert reference_text(undated).startswith("Gorin, S. *Survey"), "one full stop after initials"


def test_without_a_preferred_citation_the_file_s_own_fields_and_release_year_are_used():
    citation = {"title": "A report", "authors": [{"name": "A team"}], "version": "2.0",
                "date-released": "2027-03-01", "references": [ARTICLE]}
    text = citation_text(citation)
    assert text.splitlines()[0] == "> A team (2027). *A report*. Version 2.0."
    assert text.splitlines()[-1] == f"- {reference_text(ARTICLE)}"
    assert citation_text({"title": "A report", "authors": [{"name": "A team"}]}) == "> A team. *A report*.\n"
