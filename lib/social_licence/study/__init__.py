"""The study being re-analysed: what was asked, what was published, and the respondent files.

The codebook (:mod:`.codebook`), the 108 published figures (:mod:`.published`), the loader that
turns a synthetic or archived respondent file into validated codebook terms (:mod:`.loader`), the
generator of the synthetic file (:mod:`.synthetic`), the check that a file reproduces the
published figures (:mod:`.fidelity`) and where the project's files live (:mod:`.paths`). May import
:mod:`social_licence.survey`; never :mod:`social_licence.report`.
"""
