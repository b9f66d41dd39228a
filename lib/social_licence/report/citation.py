"""How to cite the report, written from the repository's ``CITATION.cff``.

``CITATION.cff`` (Citation File Format 1.2.0) is the ecosystem's one place for a work's citation:
GitHub's "Cite this repository", Zenodo and reference managers read it. The landing page's
citation text is built from the same file, so the two cannot disagree: the report's preferred
citation (its ``preferred-citation``, else the file's own title, authors and version), then the
works it rests on (its ``references``: the study and the archived data set).
"""
from __future__ import annotations

from pathlib import Path

import yaml

from social_licence.study.paths import PROJECT_ROOT

CITATION_PATH = PROJECT_ROOT / "CITATION.cff"


def load_citation(path: Path = CITATION_PATH) -> dict:
    """The citation file as a dictionary; ValueError if it lacks a field that CFF 1.2.0 requires."""
    citation = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [key for key in ("cff-version", "message", "title", "authors") if not citation.get(key)]
    if missing:
        raise ValueError(f"{path}: missing required field(s) {missing}")
    return citation


def author_names(authors: list[dict]) -> str:
    """Authors as a reference list writes them: "Edwards, R., Gillies, V. and Gorin, S.".

    A person is family name (with its particle, e.g. "van Zoonen") and initials; an entity
    (``name``) is written whole.
    """
    names = []
    for author in authors:
        if "name" in author:
            names.append(author["name"])
            continue
        family = " ".join(part for part in (author.get("name-particle"), author["family-names"]) if part)
        initials = " ".join(f"{given[0]}." for given in str(author.get("given-names", "")).split())
        names.append(f"{family}, {initials}" if initials else family)
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def reference_text(work: dict) -> str:
    """One work as a Markdown reference: authors (year). *Title*. Where it appeared. Its DOI link.

    The title is in italics for a stand-alone work and plain for an article, whose journal is in
    italics instead; fields the entry lacks are left out.
    """
    head = author_names(work["authors"]) + (f" ({work['year']})" if work.get("year") else "")
    title = str(work["title"]).strip().rstrip(".")
    parts = [head if head.endswith(".") else f"{head}.", f"{title}." if work.get("journal") else f"*{title}*."]
    if work.get("version"):
        parts.append(f"Version {work['version']}.")
    if work.get("journal"):
        where = ", ".join(str(work[key]) for key in ("volume", "start") if work.get(key))
        parts.append(f"*{work['journal']}*" + (f" {where}." if where else "."))
    publisher = (work.get("publisher") or {}).get("name")
    parts += [f"{text}." for text in (publisher, work.get("notes")) if text]
    if work.get("doi"):
        parts.append(f"[doi:{work['doi']}](https://doi.org/{work['doi']})")
    return " ".join(parts)


def citation_text(citation: dict) -> str:
    """The landing page's "how to cite" text (Markdown) from a loaded citation file.

    The report's citation as a quotation block, then each of the file's ``references`` as a list
    item under "It re-analyses:".
    """
    preferred = citation.get("preferred-citation") or {
        key: citation[key] for key in ("title", "authors", "version", "doi") if key in citation}
    if "year" not in preferred and citation.get("date-released"):
        preferred = {**preferred, "year": str(citation["date-released"])[:4]}
    lines = [f"> {reference_text(preferred)}"]
    if citation.get("references"):
        lines += ["", "It re-analyses:", ""] + [f"- {reference_text(work)}" for work in citation["references"]]
    return "\n".join(lines) + "\n"
