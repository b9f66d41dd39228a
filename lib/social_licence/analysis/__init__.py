"""The analysis steps the chapters share, below the book's presentation.

The assumptions a chapter states (:mod:`.assumptions`), the evidence it works from (:mod:`.evidence`:
published figures, the respondent file, the ensemble), what the publication pins down
(:mod:`.derived`: group sizes, derived intervals and verdicts), the one family of contrasts and
its pattern tests (:mod:`.contrasts`), comparisons across merged groups (:mod:`.groups`), the
numbers read from a respondent file (:mod:`.files`) and the evidence classes every number carries
(:mod:`.facts`). A chapter's notebook calls these in its cells. May import
:mod:`social_licence.survey` and :mod:`social_licence.study`; never :mod:`social_licence.report`.
"""
