"""Shared analysis library for the executable report on parental social licence for data linkage.

Three layers, each a subpackage, importing only downwards (``tests/test_layout.py`` enforces it):

``social_licence.survey``
    Design-based estimation that knows nothing of this study: the design, proportions and their
    intervals, comparisons and tests, the consensus baseline, planning from summary figures.
``social_licence.study``
    The study: its codebook, the published figures, the respondent-file loader (synthetic or
    archived), the synthetic file's generator and its fidelity check. May import the core.
``social_licence.report``
    The book: the facts, tables and figures each chapter shows. May import both.

``social_licence.sphinxext`` holds the Sphinx extension that keeps the book's execution cache
honest. Importing any of it is silent (no printing or logging), because nbval compares stderr.
"""
