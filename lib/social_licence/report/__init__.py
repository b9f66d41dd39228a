"""The report layer: what each chapter of the book computes, shows and says.

Tables of estimates (:mod:`.tables`), formatting and publishing (:mod:`.display`), figures
(:mod:`.plotting`), the appendix's provenance tables (:mod:`.provenance`), and the analyses the
chapters present (:mod:`.sample`, :mod:`.sensitivity`, :mod:`.groups`). May import
:mod:`social_licence.survey` and :mod:`social_licence.study`.
"""
