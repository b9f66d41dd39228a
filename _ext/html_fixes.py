"""Two fixes to the HTML that Sphinx and docutils write, applied to every page as it is written.

1. Each ``<script>`` once. Sphinx 7.4 keeps a script that an extension adds after the builder
   started twice: once as the builder holds it (file name ``None`` for an inline script) and once
   as re-read from the registry (file name ``""``), and the two do not compare equal. For
   sphinx-thebe's inline configuration, ``const THEBE_JS_URL = ...``, the second copy throws
   "SyntaxError: Identifier 'THEBE_JS_URL' has already been declared" in every page's console
   (sphinx-togglebutton's selector is doubled too, harmlessly). The later copy is dropped.
2. Bibliography entries as list items. docutils 0.21 writes the references page's bibliography as
   ``role="list"`` whose entries carry ``role="doc-biblioentry"``, a role that WAI-ARIA deprecated
   (DPUB-ARIA 1.1) and that does not count as a list item, so assistive technology is told of a
   list with no items (axe-core: aria-required-children, critical). Entries get ``role="listitem"``.

Listed in ``_config.yml`` under ``sphinx.local_extensions``; the browser tests (tests/browser/)
check both: no console errors, no serious or critical axe-core violation.
"""
from __future__ import annotations


def _script_key(script) -> tuple:
    """What makes two script tags the same: source (None and "" alike), priority, attributes."""
    return (script.filename or "", script.priority, tuple(sorted(script.attributes.items())))


def fix_page(app, pagename, templatename, context, doctree) -> None:
    """Drop repeated scripts (keeping the first of each) and give bibliography entries a list role."""
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"] = unique
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app) -> dict:
    """Sphinx entry point: run after the other extensions have added their page scripts."""
    app.connect("html-page-context", fix_page, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
