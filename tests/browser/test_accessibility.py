"""Accessibility: axe-core (via axe-playwright-python) on every page of the table of contents.

axe-core runs after the collapsed code cells are expanded, so what a reader can open is checked
too. A violation of impact "serious" or "critical" fails the page. Moderate and minor findings do
not fail; they are written to ``artefacts/accessibility.txt`` and listed at the end of the run, so
that they stay visible.
"""
from __future__ import annotations

import pytest
from book import pages

from browser.conftest import ARTEFACTS

TOC = pages.toc_pages()
BLOCKING = ("critical", "serious")
REPORT = ARTEFACTS / "accessibility.txt"


def describe(violation: dict) -> str:
    targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    more = f" (+{len(violation['nodes']) - 5} more)" if len(violation["nodes"]) > 5 else ""
    return f"{violation['impact']}: {violation['id']} - {violation['help']} [{targets}{more}] {violation['helpUrl']}"


@pytest.mark.parametrize("docname", TOC)
def test_no_serious_or_critical_violations(docname, visit):
    blocking = [describe(v) for v in visit(docname).axe_violations if v["impact"] in BLOCKING]
    assert not blocking, f"{docname}:\n" + "\n".join(blocking)


def test_write_the_other_findings(visit):
    """List every page's moderate and minor findings in artefacts/accessibility.txt."""
    lines = [f"{docname}: {describe(v)}" for docname in TOC for v in visit(docname).axe_violations
             if v["impact"] not in BLOCKING]
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n" if lines else "none\n", encoding="utf-8")
    assert REPORT.read_text(encoding="utf-8").strip()
