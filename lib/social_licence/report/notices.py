"""The notice that tells a reader which assumptions an edition of the book was built under.

The default edition says nothing: its assumptions are stated where they are used, and in every
chapter's parameters cell. An edition built from a parameters file (``make book PARAMS=...``), or
a chapter re-run with a changed parameters cell, says at the top of every page which assumptions
differ from the default edition, with both values, so that no number from it can be mistaken for
the default edition's.
"""
from __future__ import annotations

from IPython.display import Markdown

from social_licence.analysis.assumptions import DESCRIPTIONS, Assumptions


def shown(value) -> str:
    """An assumption's value as a notice shows it: ``1 to 3`` for a range, ``none`` for None."""
    if value is None:
        return "none (the environment's choice)"
    if isinstance(value, (tuple, list)):
        return " to ".join(f"{v:g}" for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def differences_text(assumptions: Assumptions) -> str:
    """'design effects 1 to 3 (default 1 to 2); confidence level 0.9 (default 0.95)', or ''."""
    return "; ".join(f"{DESCRIPTIONS[name]} {shown(value)} (default {shown(default)})"
                     for name, (value, default) in assumptions.differences().items())


def assumptions_notice(assumptions: Assumptions) -> Markdown:
    """An admonition naming every assumption that differs from the default edition, or nothing."""
    text = differences_text(assumptions)
    if not text:
        return Markdown("")
    body = (f"**This edition differs from the default edition in its assumptions:** {text}. Every number that "
            "depends on them is computed under these values.")
    return Markdown(f":::{{admonition}} Built under other assumptions\n:class: important\n{body}\n:::\n")
