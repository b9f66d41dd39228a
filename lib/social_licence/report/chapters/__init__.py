"""One module per chapter of the book: the chapter's facts, tables and figures.

Each module's ``facts(book)`` returns every number the chapter's prose places, as
:class:`social_licence.report.evidence.Fact` objects carrying their evidence class; its
``publish_*`` functions glue the chapter's tables and figures. The notebooks call these in a few
lines a cell and hold no analysis of their own.
"""
