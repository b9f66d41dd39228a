"""Sphinx extensions of the book (listed in ``_config.yml``); not used by the analysis."""
