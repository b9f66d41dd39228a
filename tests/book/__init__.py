"""Tests of the built book: its pages as HTML, and the build's stale-number guard."""
