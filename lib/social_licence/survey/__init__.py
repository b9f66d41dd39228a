"""Design-based estimation for survey proportions: the core, independent of this study.

A design stated once -- weights, strata and PSUs (:mod:`.design`), replicate weights
(:mod:`.replicates`) or a file larger than memory read by DuckDB (:mod:`.database`) -- and
weighted proportions by domain with intervals that match R ``survey`` (:mod:`.proportions`, from
the sums of :mod:`.domain_sums`, the answers coded by :mod:`.answers`, intervals from
:mod:`.intervals`), group comparisons and Rao-Scott tests (:mod:`.compare`), the consensus
baseline (:mod:`.consensus`) and intervals and sample sizes from summary figures
(:mod:`.planning`). Nothing here imports :mod:`social_licence.study` or
:mod:`social_licence.report`; the modules import each other relatively. The designs, what each
computes and the R functions each matches are described in ``README.md`` beside this file.
"""
