"""A page of the book as its notebook builds it: the numbers it glues, what carries each one, and
the record of every number and table cell it shows.

A chapter's analysis runs in its own cells (:mod:`social_licence.analysis`); the page only presents
what those cells computed. :func:`open_page` starts a page from the evidence in use and glues its
notices: the data source and, for an edition built under other assumptions, which assumptions
differ from the default edition. Each analysis cell then glues the facts it produced
(:meth:`Page.glue_facts`) and the tables it laid out (:meth:`Page.table`); every glued value and
table cell is recorded with its key, the text shown, the unrounded value, its evidence class and
basis, and its glue key; the cell that glued it leaves the key in its outputs (:func:`mark_cell`),
by which the manifest finds the cell in the executed notebook (a cell number read at run time
differs between Jupyter, nbclient and nbval). :meth:`Page.finish` glues the page's evidence line, the download of its facts and the
record (the build's manifest of numbers, ``values.json``, is gathered from every page's record by
``_ext/values_manifest.py``).
"""
from __future__ import annotations

import json
import math
from importlib import import_module

import pandas as pd
from IPython.display import Markdown, Pretty, display

from social_licence.analysis.evidence import Evidence
from social_licence.analysis.facts import Fact, evidence_line, facts_table, reading
from social_licence.analysis.release import Release, released_value
from social_licence.report.display import csv_download, glue, markdown_table, source_notice, stable
from social_licence.report.notices import assumptions_notice
from social_licence.survey.consensus import FACTOR

#: the book's pages (docnames of _toc.yml) and the module that presents each
PAGES = {
    "intro": "intro", "chapters/early_intervention": "early_intervention", "chapters/social_licence": "social_licence",
    "chapters/transparency": "transparency", "chapters/social_divisions": "social_divisions",
    "chapters/uncertainty": "uncertainty", "chapters/conclusions": "conclusions", "chapters/datasheet": "datasheet",
    "chapters/appendix": "appendix", "chapters/glossary": "glossary",
}
#: the glue key suffix of a page's record of numbers (gathered into values.json)
RECORD = "values"
#: the output by which a cell says which keys it glued: myst-nb takes glue outputs out of the cells,
#: so ``_ext/values_manifest.py`` finds the cell that computed a number by this mark (a type the book
#: does not render)
GLUED_MIME = "application/vnd.social-licence.glued+json"


def mark_cell(keys: list[str]) -> None:
    """Leave in the running cell's outputs the glue keys it glued."""
    display({GLUED_MIME: {"glued": list(keys)}}, raw=True)


def _plain(value):
    """A value as JSON holds it: numbers stable-rounded, NaN as None, the rest as text."""
    value = stable(value)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and not math.isfinite(value) else value
    if hasattr(value, "item"):
        return _plain(value.item())
    return str(value)


class Page:
    """One page's glue keys (``prefix``), the evidence it presents and the record of its numbers."""

    def __init__(self, name: str, prefix: str, evidence: Evidence):
        self.name = name
        self.prefix = prefix
        self.evidence = evidence
        self.facts: list[Fact] = []
        self.records: list[dict] = []

    @property
    def codebook(self):
        return self.evidence.codebook

    @property
    def assumptions(self):
        return self.evidence.assumptions

    @property
    def archived(self) -> bool:
        return self.evidence.archived

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    # --- facts: each number with what carries it ------------------------------------------------
    def published(self, name: str, value, basis: str, unit: str = "percent") -> Fact:
        return Fact(self.key(name), value, "published", basis, unit)

    def derived(self, name: str, value, basis: str, unit: str = "percent") -> Fact:
        return Fact(self.key(name), value, "derived", basis, unit)

    def threshold(self, name: str, value: float) -> Fact:
        """A consensus threshold (percent): the paper's own under the default factor of 1.5,
        derived from the assumption under any other."""
        if self.assumptions.consensus_factor == FACTOR:
            return self.published(name, value, "paper, consensus baseline")
        return self.derived(name, value, f"consensus factor {self.assumptions.consensus_factor:g} / k")

    def text(self, name: str, value: str, basis: str) -> Fact:
        """A word or phrase the prose places (a label, a list of names) chosen from published or
        derived numbers; one chosen from file numbers belongs in a :meth:`reading`."""
        return Fact(self.key(name), value, "text", basis, "text")

    def file(self, name: str, values: list, *, basis: str, unit: str, tolerance: float, release: Release) -> Fact:
        """A number from the respondent file: ``values[0]`` from this build's file and, on a
        synthetic build, the rest from the ensemble's files, whose range it records; ``release``
        is what the disclosure rules decided for it (:func:`social_licence.analysis.release.check_of`),
        by which a build from the archived file withholds or rounds it."""
        if self.archived:
            return Fact(self.key(name), released_value(values[0], release), "file", basis, unit, release=release)
        return Fact(self.key(name), values[0], "file", basis, unit, spread=(min(values), max(values)),
                    tolerance=tolerance, members=len(values) - 1, release=release)

    def reading(self, name: str, facts: list[Fact], *, finding: str, shows: str) -> Fact:
        """A sentence interpreting file numbers, worded by the data source
        (:func:`social_licence.analysis.facts.reading`)."""
        return reading(self.key(name), facts, finding=finding, shows=shows, archived=self.archived)

    def glue_facts(self, facts: list[Fact]) -> None:
        """Glue every fact under its key and record it (the cell is the one running now)."""
        keys = [fact.key for fact in self.facts + facts]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"{self.name}: facts with the same key: {repeated}")
        mark_cell([fact.key for fact in facts])
        for fact in facts:
            glue(fact.key, fact.text if fact.release is not None and fact.release.applied else fact.value)
            self.records.append({"key": fact.key, "page": self.name, "glue": fact.key, "kind": "value",
                                 "evidence": fact.kind, "basis": fact.basis, "unit": fact.unit,
                                 "value": _plain(fact.value), "text": fact.text,
                                 **({"disclosure": fact.release.as_record()} if fact.release else {})})
        self.facts += facts

    # --- tables -------------------------------------------------------------------------------------
    def table(self, name: str, shown: pd.DataFrame, data: pd.DataFrame, caption: str, *, origin: str,
              evidence: str, values: pd.DataFrame | None = None, css_class: str | None = None,
              series: str = "", row_key: list[str] | None = None, disclosure: pd.DataFrame | None = None) -> None:
        """Glue ``shown`` as numbered table ``name``, followed by the CSV download of ``data``.

        ``origin`` ends the caption and fills the CSV's source column (per row where ``data`` has a
        ``data_source`` column of its own); ``evidence`` is the table's evidence class for the record;
        ``values`` (same shape as ``shown``) holds each cell's unrounded value where it has one.
        ``series`` prefixes the caption (``"S"`` for a table from a synthetic file, numbered apart).
        Each cell is recorded under ``name/row/column``, the row named by its first column or, for a
        table whose rows that does not tell apart, by the columns of ``row_key`` joined with " / ", with
        its ``row`` (0-based, in the table's body) and ``column`` (its heading);
        ``disclosure`` (same shape as ``shown``) holds, for each cell from the respondent file, what
        the disclosure rules decided (:meth:`social_licence.analysis.release.Release.as_record`).
        """
        keys = row_key or [shown.columns[0]]
        labels = shown[keys].astype(str).agg(" / ".join, axis=1)
        if labels.duplicated().any():
            raise ValueError(f"table {name}: its row key {keys} must name each row once; repeated: "
                             f"{sorted(set(labels[labels.duplicated()]))}")
        text = f"{caption.rstrip('.')}. {origin.rstrip('.')}."
        table = markdown_table(shown, text, name, css_class, series=series).data
        glue(name, Markdown(table + "\n" + csv_download(data, f"{name}.csv", origin).data + "\n"))
        mark_cell([name])
        for row_number, (label, row) in enumerate(zip(labels, shown.itertuples(index=False))):
            for column, shown_text in zip(shown.columns, row):
                if column in keys:
                    continue
                value = None if values is None else values.iloc[row_number][column]
                decided = None if disclosure is None else disclosure.iloc[row_number][column]
                self.records.append({"key": f"{name}/{label}/{column}", "page": self.name, "glue": name,
                                     "kind": "table cell", "row": row_number, "column": column,
                                     "evidence": evidence, "basis": origin,
                                     "value": _plain(value), "text": str(shown_text),
                                     **({"disclosure": decided} if decided else {})})

    # --- the end of the page --------------------------------------------------------------------------
    def finish(self) -> None:
        """Glue the page's evidence line, its interval level, its record of numbers and
        (``<prefix>_numbers``) the link that downloads its facts with what carries each one."""
        level = 100 * self.assumptions.level
        glue(self.key("evidence"), evidence_line(self.facts))
        glue(self.key("level"), level)
        mark_cell([self.key("level")])
        self.records.append({"key": self.key("level"), "page": self.name, "glue": self.key("level"), "kind": "value",
                             "evidence": "assumption", "basis": "parameters", "unit": "percent",
                             "value": level, "text": f"{level:g}%"})
        record = {"page": self.name, "data_source": self.evidence.source.label,
                  "data_path": self.evidence.source.shown_path, "sha256": self.evidence.sha256,
                  "parameters": self.assumptions.as_dict(), "records": self.records}
        glue(self.key(RECORD), Pretty(json.dumps(record, ensure_ascii=False, indent=0)))
        sources = [self.evidence.source.label if fact.kind in ("file", "reading") else fact.kind for fact in self.facts]
        glue(self.key("numbers"), csv_download(facts_table(self.facts), f"{self.prefix}-numbers.csv", sources))


def open_page(name: str, evidence: Evidence) -> Page:
    """A page of the book (``name``: its module in :mod:`social_licence.report.chapters`) over the
    evidence in use; glues ``<prefix>_source_notice`` (the data source) and
    ``<prefix>_assumptions_notice`` (the assumptions that differ from the default edition; empty
    in the default edition), which every page places in its first screen (the landing page its
    data source lower down, below the answer)."""
    module = import_module(f"social_licence.report.chapters.{name}")
    page = Page(name, module.PREFIX, evidence)
    glue(page.key("source_notice"), source_notice(evidence.source))
    glue(page.key("assumptions_notice"), assumptions_notice(evidence.assumptions))
    return page
