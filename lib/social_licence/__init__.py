"""Shared analysis library for the executable report on parental social licence for data linkage.

Every number in the book comes from here: survey-weighted proportions with design-based intervals,
consensus-baseline checks, group comparisons, the codebook, the data loader and the report's tables
and figures. Importing the package is silent (no printing or logging), because nbval compares stderr.
"""
