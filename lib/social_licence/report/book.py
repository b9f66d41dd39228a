"""What a chapter works from, loaded once: the data source, the published figures, the derived
analysis, and (on a synthetic build) the ensemble of equally faithful files.

A chapter notebook opens the book (``book = Book.open("ei")``), asks its chapter module for its
facts, tables and figures, and glues the facts in one call (:meth:`Book.glue_facts`). Everything a
chapter computes from a respondent file goes through a :class:`View`, which caches the analyses of
one file, so that the same computation can be repeated on every ensemble member to measure how far
the publication pins it down (:meth:`Book.file`).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from social_licence.report import contrasts, derived
from social_licence.report.display import csv_download, glue, source_notice, stable
from social_licence.report.evidence import Fact, evidence_line, facts_table, reading
from social_licence.report.tables import figure_estimates
from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.ensemble import load_ensemble
from social_licence.study.loader import SurveyData, load_survey
from social_licence.study.published import load_published

#: the confidence level of every interval in the book
LEVEL = 0.95


@dataclass
class View:
    """One respondent file's analyses, each computed once: the build's file or an ensemble member."""

    survey: SurveyData
    codebook: Codebook
    published: pd.DataFrame

    @cached_property
    def estimates(self) -> pd.DataFrame:
        """Every published figure recomputed with its interval and verdict, by figure id."""
        return figure_estimates(self.survey, codebook=self.codebook).set_index("figure_id")

    @cached_property
    def contrasts(self) -> pd.DataFrame:
        """The family of group-against-rest contrasts from this file, by figure id."""
        return contrasts.file_contrasts(self.survey, self.published, self.codebook).set_index("figure_id")

    @property
    def data(self) -> pd.DataFrame:
        return self.survey.data


class Book:
    """The shared context of a chapter; ``prefix`` starts every glue key the chapter places."""

    def __init__(self, prefix: str, survey: SurveyData | None = None, codebook: Codebook | None = None):
        self.prefix = prefix
        self.codebook = codebook or load_codebook()
        self.survey = survey or load_survey(codebook=self.codebook)
        self.published = load_published(codebook=self.codebook)
        self.view = View(self.survey, self.codebook, self.published)

    @classmethod
    def open(cls, prefix: str) -> Book:
        """The book as the environment selects its data source (``SOCIAL_LICENCE_DATA``)."""
        return cls(prefix)

    # --- the data source -------------------------------------------------------------------------
    @property
    def source(self):
        return self.survey.source

    @property
    def archived(self) -> bool:
        return self.source.kind == "archived"

    # --- what the publication pins down ------------------------------------------------------------
    @cached_property
    def sizes(self) -> pd.DataFrame:
        """Group sizes from the printed shares (:func:`social_licence.report.derived.group_sizes`)."""
        return derived.group_sizes(self.published, self.codebook)

    @cached_property
    def verdicts(self) -> pd.DataFrame:
        """Derived intervals and verdicts at both ends of the design-effect range, by figure id."""
        return derived.derived_verdicts(self.published, self.sizes).set_index("figure_id")

    @cached_property
    def derived_contrasts(self) -> pd.DataFrame:
        """The family of contrasts from the published figures, by figure id."""
        return contrasts.derived_family(self.published, self.sizes).set_index("figure_id")

    # --- the ensemble ------------------------------------------------------------------------------
    @cached_property
    def members(self) -> list[View]:
        """The ensemble's files as views (synthetic builds only; an archived build has none)."""
        if self.archived:
            return []
        return [View(survey, member.codebook(self.codebook), load_published(codebook=member.codebook(self.codebook)))
                for member, survey in load_ensemble(codebook=self.codebook)]

    # --- facts -------------------------------------------------------------------------------------
    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def published_fact(self, name: str, value, basis: str, unit: str = "percent") -> Fact:
        return Fact(self.key(name), value, "published", basis, unit)

    def derived_fact(self, name: str, value, basis: str, unit: str = "percent") -> Fact:
        return Fact(self.key(name), value, "derived", basis, unit)

    def text_fact(self, name: str, value: str, basis: str) -> Fact:
        """A word or phrase the prose places (a label, a list of names) chosen from published or
        derived numbers; one chosen from file numbers belongs in a :meth:`reading`."""
        return Fact(self.key(name), value, "text", basis, "text")

    def file(self, name: str, compute: Callable[[View], float], *, basis: str, unit: str,
             tolerance: float) -> Fact:
        """A number from the respondent file: ``compute`` applied to this build's file and, on a
        synthetic build, to every ensemble member, whose range it records with ``tolerance``."""
        value = compute(self.view)
        if self.archived:
            return Fact(self.key(name), value, "file", basis, unit)
        values = [value, *(compute(member) for member in self.members)]
        return Fact(self.key(name), value, "file", basis, unit, spread=(min(values), max(values)),
                    tolerance=tolerance, members=len(self.members))

    def reading(self, name: str, facts: list[Fact], *, finding: str, shows: str) -> Fact:
        """A sentence interpreting file numbers, worded by the data source
        (:func:`social_licence.report.evidence.reading`)."""
        return reading(self.key(name), facts, finding=finding, shows=shows, archived=self.archived)

    def glue_facts(self, facts: list[Fact]):
        """Glue every fact under its key, the page's evidence line under ``<prefix>_evidence``, the
        confidence level of its intervals (percent) under ``<prefix>_level`` and its data-source
        notice under ``<prefix>_source_notice``; return the link that downloads the facts with what
        carries each one."""
        keys = [fact.key for fact in facts]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise ValueError(f"facts with the same key: {repeated}")
        for fact in facts:
            glue(fact.key, fact.value)
        glue(self.key("evidence"), evidence_line(facts))
        glue(self.key("level"), 100 * LEVEL)
        glue(self.key("source_notice"), source_notice(self.source))
        return csv_download(stable(facts_table(facts)), f"{self.prefix}-numbers.csv", self.source.label)
