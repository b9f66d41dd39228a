"""Compare two builds of the book through their manifests of numbers: ``make compare A=<build> B=<build>``.

Every HTML build writes ``values.json`` (``_ext/values_manifest.py``): one record per glued value and
table cell, with its key, the text shown, the unrounded value, its evidence class and the
parameters in force. Two builds (the default edition and one from a parameters file, or the
synthetic and the archived data source) are compared record by record, matched by key:

* a record **differs** when its text shown, its unrounded value or its evidence class differs;
* a **verdict moved** when a record's text is a verdict word (``report.vocabulary``: consensus, no
  consensus, open, size unknown, too few answers) on either side and the texts differ, or when a
  table cell's verdict mark (✓ ✗ ? ·) changed; a table cell whose mark kept its verdict but gained
  or lost a fragility mark († depends on the design effect, ‡ on rounding) is counted apart;
* records found in one build only are listed as such.

The summary counts differing values, moved verdicts and differing table cells, and lists the
parameters and data sources that differ; a table then lists every difference with its evidence
class, key, page and both texts (long texts shortened in the terminal; ``--csv`` writes every
difference in full, with both unrounded values and cells). Differences are the answer, not an
error: the exit status is 0 whenever both manifests could be read, and 2 with a message naming
the input otherwise.

Usage: ``python _ext/compare_builds.py A B [--csv FILE]``, where A and B are ``values.json`` files
or build folders holding one (``<folder>/values.json``, ``<folder>/html/values.json`` or
``<folder>/_build/html/values.json``). Tested in ``tests/ext/test_compare_builds.py``.
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from social_licence.report.blocks import DEPENDS_MARK, ROUNDING_MARK
from social_licence.report.vocabulary import VERDICT_TERMS

VERDICT_WORDS = {term.word for term in VERDICT_TERMS.values()}
VERDICT_MARKS = "".join(sorted({term.mark for term in VERDICT_TERMS.values()}))
FRAGILITY_MARKS = DEPENDS_MARK + ROUNDING_MARK
#: a table cell's verdict mark and its fragility marks, at the end of its text ("62 (39–82) ?†")
MARK = re.compile(f"([{re.escape(VERDICT_MARKS)}])([{re.escape(FRAGILITY_MARKS)}]*)\\s*$")
#: where a build folder keeps its manifest
MANIFEST_PLACES = ("values.json", "html/values.json", "_build/html/values.json")
SHORT = 48


def manifest_path(given: Path) -> Path:
    """The ``values.json`` a command-line argument names: the file, or the one in a build folder."""
    if given.is_file():
        return given
    if given.is_dir():
        for place in MANIFEST_PLACES:
            if (given / place).is_file():
                return given / place
        raise ValueError(f"no values.json in {given} (looked for {', '.join(MANIFEST_PLACES)}): build it first")
    raise ValueError(f"{given} does not exist")


def load_manifest(given: Path) -> dict:
    """A build's manifest, checked: records with a key, a kind and a text, each key once."""
    path = manifest_path(given)
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{path}: cannot be read as JSON ({error})") from error
    records = manifest.get("records") if isinstance(manifest, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) and {"key", "kind", "text"} <= set(r)
                                                   for r in records):
        raise ValueError(f"{path}: not a manifest of numbers (values.json): it needs 'records', each with "
                         "'key', 'kind' and 'text'")
    keys = [record["key"] for record in records]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"{path}: key(s) recorded more than once, so records cannot be matched: {repeated}")
    manifest["path"] = path
    return manifest


def shown(record: dict) -> str:
    """The text a reader sees: each placement of a glued value (`` / `` between them), else the
    record's text (a table cell, or a value the prose does not place)."""
    return " / ".join(record.get("shown") or []) or record["text"]


def verdict_mark(text: str) -> tuple[str, str] | None:
    """A table cell's (verdict mark, fragility marks), or None if it carries no verdict."""
    match = MARK.search(text)
    return (match.group(1), match.group(2)) if match else None


@dataclass(frozen=True)
class Difference:
    key: str
    docname: str
    kind: str
    evidence: str
    change: str
    a: dict
    b: dict

    @property
    def verdict_moved(self) -> bool:
        return "verdict" in self.change


def classify(a: dict, b: dict) -> str | None:
    """What changed between two records of one key: None, or "value", "verdict", "table cell",
    "table cell, verdict" or "table cell, fragility"."""
    text_a, text_b = shown(a), shown(b)
    if text_a == text_b and a.get("value") == b.get("value") and a.get("evidence") == b.get("evidence"):
        return None
    if a["kind"] == "table cell":
        marks_a, marks_b = verdict_mark(text_a), verdict_mark(text_b)
        if (marks_a and marks_a[0]) != (marks_b and marks_b[0]):
            return "table cell, verdict"
        return "table cell, fragility" if marks_a != marks_b else "table cell"
    if text_a != text_b and (text_a in VERDICT_WORDS or text_b in VERDICT_WORDS):
        return "verdict"
    return "value"


def compare(a: dict, b: dict) -> tuple[list[Difference], list[dict], list[dict]]:
    """The differing records (in A's order), the records only in A and those only in B."""
    by_key_b = {record["key"]: record for record in b["records"]}
    keys_a = {record["key"] for record in a["records"]}
    found = []
    for record in a["records"]:
        other = by_key_b.get(record["key"])
        change = None if other is None else classify(record, other)
        if change:
            evidence = record.get("evidence", "")
            if other.get("evidence", "") != evidence:
                evidence = f"{evidence} -> {other.get('evidence', '')}"
            found.append(Difference(record["key"], record.get("docname", record.get("page", "")), record["kind"],
                                    evidence, change, record, other))
    only_a = [record for record in a["records"] if record["key"] not in by_key_b]
    only_b = [record for record in b["records"] if record["key"] not in keys_a]
    return found, only_a, only_b


def parameters(manifest: dict) -> dict:
    """The parameters of a build: the book's, or each page's where its pages differ (``name@page``)."""
    if manifest.get("parameters") is not None:
        return manifest["parameters"]
    return {f"{name}@{docname}": value for docname, page in manifest.get("pages", {}).items()
            for name, value in page.get("parameters", {}).items()}


def parameter_differences(a: dict, b: dict) -> dict[str, tuple]:
    """Parameter name -> (value in A, value in B), for every parameter that differs."""
    pa, pb = parameters(a), parameters(b)
    return {name: (pa.get(name), pb.get(name)) for name in sorted(set(pa) | set(pb)) if pa.get(name) != pb.get(name)}


def data_sources(manifest: dict) -> set[tuple]:
    return {(page.get("data_source"), page.get("data_path"), page.get("sha256"))
            for page in manifest.get("pages", {}).values()}


def _short(text: str, width: int = SHORT, middle: bool = False) -> str:
    """A text in at most ``width`` characters: its end cut (or, with ``middle``, its middle, so that a
    table cell's key keeps its column)."""
    text = " ".join(str(text).split())
    if len(text) <= width:
        return text
    return text[:width // 2 - 1] + "…" + text[-(width // 2):] if middle else text[:width - 1] + "…"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def report(a: dict, b: dict) -> str:
    """The comparison as text: inputs, parameters and data sources that differ, counts, and every
    difference and record found on one side only."""
    found, only_a, only_b = compare(a, b)
    values = [d for d in found if d.kind != "table cell"]
    cells = [d for d in found if d.kind == "table cell"]
    moved = [d for d in found if d.verdict_moved]
    fragility = [d for d in cells if d.change.endswith("fragility")]
    lines = [f"A: {a['path']} ({len(a['records'])} records)", f"B: {b['path']} ({len(b['records'])} records)"]
    differ = parameter_differences(a, b)
    lines.append("Parameters that differ: " + ("none" if not differ else "; ".join(
        f"{name} {json.dumps(va)} (A) -> {json.dumps(vb)} (B)" for name, (va, vb) in differ.items())))
    sources_a, sources_b = data_sources(a), data_sources(b)
    if sources_a != sources_b:
        lines.append(f"Data sources differ: A {sorted(map(str, sources_a))}; B {sorted(map(str, sources_b))}")
    lines += ["",
              f"Values that differ:      {len(values)} "
              f"(of which verdict words: {sum(d.change == 'verdict' for d in values)})",
              f"Table cells that differ: {len(cells)} (verdict mark changed: "
              f"{sum(d.change == 'table cell, verdict' for d in cells)}; fragility mark only: {len(fragility)})",
              f"Verdicts moved:          {len(moved)}",
              f"Records only in A:       {len(only_a)}",
              f"Records only in B:       {len(only_b)}"]
    if found:
        rows = [["what", "class", "key", "page", "A", "B"]]
        rows += [[d.change, d.evidence, _short(d.key, 72, middle=True), d.docname, _short(shown(d.a)),
                  _short(shown(d.b))] for d in found]
        lines += ["", "Differences (long texts shortened; --csv writes them in full):", _table(rows)]
    for side, records in (("A", only_a), ("B", only_b)):
        if records:
            rows = [["kind", "class", "key", "page", "text"]]
            rows += [[r["kind"], r.get("evidence", ""), _short(r["key"], 72, middle=True),
                      r.get("docname", r.get("page", "")), _short(shown(r))] for r in records]
            lines += ["", f"Only in {side}:", _table(rows)]
    return "\n".join(lines)


def write_csv(a: dict, b: dict, path: Path) -> None:
    """Every difference and one-sided record, in full."""
    found, only_a, only_b = compare(a, b)
    columns = ["change", "kind", "evidence", "key", "docname", "text_a", "text_b", "value_a", "value_b",
               "cell_a", "cell_b"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        for d in found:
            writer.writerow({"change": d.change, "kind": d.kind, "evidence": d.evidence, "key": d.key,
                             "docname": d.docname, "text_a": shown(d.a), "text_b": shown(d.b),
                             "value_a": d.a.get("value"), "value_b": d.b.get("value"),
                             "cell_a": d.a.get("cell_id"), "cell_b": d.b.get("cell_id")})
        for side, records in (("a", only_a), ("b", only_b)):
            for r in records:
                writer.writerow({"change": f"only in {side.upper()}", "kind": r["kind"], "evidence": r.get("evidence"),
                                 "key": r["key"], "docname": r.get("docname"), f"text_{side}": shown(r),
                                 f"value_{side}": r.get("value"), f"cell_{side}": r.get("cell_id")})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare two builds of the book through their values.json.")
    parser.add_argument("a", type=Path, help="build folder or values.json (A)")
    parser.add_argument("b", type=Path, help="build folder or values.json (B)")
    parser.add_argument("--csv", type=Path, help="write every difference in full to this CSV file")
    args = parser.parse_args(argv)
    manifests = []
    for label, given in (("A", args.a), ("B", args.b)):
        try:
            manifests.append(load_manifest(given))
        except ValueError as error:
            print(f"compare_builds: {label}: {error}", file=sys.stderr)
            return 2
    print(report(*manifests))
    if args.csv:
        write_csv(*manifests, args.csv)
        print(f"\nEvery difference in full: {args.csv}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
