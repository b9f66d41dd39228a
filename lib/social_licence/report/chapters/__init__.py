"""One module per page of the book: how the page presents the results its notebook computes.

A chapter's analysis runs in its notebook's cells, as calls on :mod:`social_licence.analysis`
and the survey core; its module here takes those results as arguments and turns them into the
page's facts (each number with its evidence class), tables and figures, recomputing nothing.
``PREFIX`` starts the module's glue keys; :data:`social_licence.report.page.PAGES` lists the pages.
"""
