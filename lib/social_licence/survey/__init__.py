"""Design-based estimation for survey proportions: the core, independent of this study.

A design stated once (:mod:`.design`), weighted proportions by domain with intervals that match R
``survey`` (:mod:`.proportions`, :mod:`.intervals`), group comparisons and Rao-Scott tests
(:mod:`.compare`), the consensus baseline (:mod:`.consensus`) and intervals and sample sizes from
summary figures (:mod:`.planning`). Nothing here imports :mod:`social_licence.study` or
:mod:`social_licence.report`; the modules import each other relatively.
"""
