"""The evidence a chapter works from, under its assumptions: the published figures, the respondent
file in use and, on a synthetic build, the ensemble of equally faithful synthetic files.

``load_evidence(assumptions)`` is a chapter's first analysis call. It reads the codebook with the
assumed reading of the undefined higher group, the 108 published figures checked against it, and
the respondent file that ``assumptions.data_source`` names (else the one ``SOCIAL_LICENCE_DATA``
selects, else the shipped synthetic file), validated and mapped
(:func:`social_licence.study.loader.load_survey`), with the file's SHA-256 so that a number can be
traced to the bytes it came from, and the disclosure rules that every number from that file passes
before it is shown (:mod:`social_licence.analysis.release`; a bad rules file stops the chapter here). Everything else a chapter computes starts from here.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import cached_property

import pandas as pd

from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.derived import attitude_figures
from social_licence.analysis.release import rules_in_force
from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.ensemble import HIGHER_GROUP, Member, load_ensemble
from social_licence.study.loader import DataSource, SurveyData, load_survey
from social_licence.study.published import load_published
from social_licence.survey.disclosure import DisclosureRules


def sha256_of(path) -> str:
    """The SHA-256 of a file's bytes (hex)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Evidence:
    """What the chapters work from: ``published`` (the 108 figures), ``survey`` (the respondent
    file in use, validated), ``codebook`` (with the assumed reading of the higher group), the
    ``assumptions`` they were loaded under and the disclosure ``rules`` in force."""

    assumptions: Assumptions
    codebook: Codebook
    published: pd.DataFrame
    survey: SurveyData
    rules: DisclosureRules

    @property
    def data(self) -> pd.DataFrame:
        """The respondent file's rows in codebook terms, with one indicator column per subgroup."""
        return self.survey.data

    @property
    def source(self) -> DataSource:
        return self.survey.source

    @property
    def archived(self) -> bool:
        """Is the respondent file the archived survey's (or a stand-in for it), not a synthetic one?"""
        return self.source.kind == "archived"

    @cached_property
    def sha256(self) -> str:
        """The SHA-256 of the respondent file's bytes."""
        return sha256_of(self.source.path)

    def figures(self, *blocks: str) -> pd.DataFrame:
        """The published attitude figures of the question ``blocks`` (all of them if none)."""
        return attitude_figures(self.published, blocks or None)

    @cached_property
    def members(self) -> list[tuple[Member, SurveyData]]:
        """The ensemble's synthetic files, each loaded under its own reading of the higher group
        (a synthetic build only: an archived build has no ensemble)."""
        return [] if self.archived else load_ensemble(codebook=self.codebook)


def load_evidence(assumptions: Assumptions) -> Evidence:
    """The evidence under ``assumptions``: codebook (the higher group as ``higher_group`` reads it),
    published figures, the respondent file (``data_source`` and ``data_mapping``) and the disclosure
    rules (:func:`social_licence.analysis.release.rules_in_force`)."""
    codebook = load_codebook().with_combine(HIGHER_GROUP, assumptions.higher_group)
    survey = load_survey(assumptions.data_source, assumptions.data_mapping, codebook=codebook)
    return Evidence(assumptions, codebook, load_published(codebook=codebook), survey, rules_in_force())
