"""The report layer: how the book presents what its chapters' cells compute.

A page and the record of its numbers (:mod:`.page`), results tables (:mod:`.tables`, :mod:`.blocks`),
formatting and publishing (:mod:`.display`), figures (:mod:`.plotting`), sentences (:mod:`.sentences`),
the book's words (:mod:`.vocabulary`), notices (:mod:`.notices`), the appendix's provenance tables
(:mod:`.provenance`), the citation (:mod:`.citation`) and one module per page (:mod:`.chapters`).
Presentation only: it takes results as arguments and calls no estimator of the survey core
(``tests/test_layout.py``). May import :mod:`social_licence.study` and :mod:`social_licence.analysis`.
"""
