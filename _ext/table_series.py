"""Supplementary tables, numbered in a series of their own: "Table S1", "Table S2", ...

Tables built from a synthetic respondent file are not evidence about parents, so they must not
share the book's table numbering (a reader citing "Table 2" should be citing a finding). The
``supplementary-table`` directive is MyST's ``{table}`` (Sphinx's ``RSTTable``) whose node is a
:class:`SupplementaryTable`, an enumerable node of its own figure type, numbered by Sphinx in its
own sequence with the prefix of ``numfig_format["supplementary-table"]`` ("Table S%s") and
referable with ``{numref}`` like any table. The HTML is a table like the others, with the class
``supplementary`` so that the PDF edition can leave it out of the main text.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; tested in ``tests/ext``.
"""
from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst.directives.tables import RSTTable

FIGTYPE = "supplementary-table"
PREFIX = "Table S%s"


class SupplementaryTable(nodes.table):
    """A table from a synthetic file: numbered in the supplementary series."""


class SupplementaryTableDirective(RSTTable):
    """``{supplementary-table}``: the ``{table}`` directive, making a :class:`SupplementaryTable`."""

    def run(self):
        result = super().run()
        for index, node in enumerate(result):
            if type(node) is nodes.table:
                table = SupplementaryTable(node.rawsource, *node.children, **node.attributes)
                table["classes"] = [*node["classes"], "supplementary"]
                result[index] = table
        return result


def _visit(translator, node) -> None:
    translator.visit_table(node)


def _depart(translator, node) -> None:
    translator.depart_table(node)


def _number_format(app, config) -> None:
    """Add the series' caption prefix to ``numfig_format`` (keeping the book's own entries)."""
    config.numfig_format = {**config.numfig_format, FIGTYPE: config.numfig_format.get(FIGTYPE, PREFIX)}


def setup(app) -> dict:
    """Sphinx entry point."""
    app.add_enumerable_node(SupplementaryTable, FIGTYPE, html=(_visit, _depart))
    app.add_directive(FIGTYPE, SupplementaryTableDirective)
    app.connect("config-inited", _number_format)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
