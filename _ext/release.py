"""``make release``: a build from the respondent file, gathered for an output checker and scanned.

Nothing computed from the archived file's records may leave a secure setting until an output
checker has cleared it. ``make release`` builds the book and its PDF from the file that
``SOCIAL_LICENCE_DATA`` (and ``SOCIAL_LICENCE_MAPPING``) name, every number from it already passed
through the disclosure rules (``social_licence.analysis.release``), then runs this script, which

1. **gathers** the release folder: ``book/`` (the HTML edition, with ``values.json``; the
   notebooks it offers for download without outputs, which are the committed ones'),
   ``social-licence-report.pdf``, and ``downloads/`` (every CSV the pages offer, as a file);
2. **writes the checker's report**: ``checks.csv`` and ``checks.html``, one row per released value
   from the file (``key``, ``page``, ``unweighted_base``, ``numerator``, ``rule``, ``result``, with
   the value's ``cell`` and the text shown), the counts taken again from the file; and ACRO's
   ``results.json`` with ``config.json`` and ``checksums/`` (the SACRO viewer's format). These hold
   the exact counts behind each value, for the checker: they are the review, not the release;
3. **scans** what is released: every value from the file in ``values.json`` carries the rules'
   decision, the same as the file gives now, and a withheld value is empty and shows the symbol, a
   rounded count is a multiple of the rounding base with its mark; every cell of every table from
   the file in the HTML pages shows what its record says; no CSV (a download, or one embedded in a
   page or notebook) holds an unrounded count or a withheld value; the PDF shows every withheld
   table cell as the symbol. Anything that breaks a rule is listed and the script exits 1.

Usage: ``python _ext/release.py BUILD OUTPUT`` (``BUILD``: the ``_build`` folder of a build from the
respondent file, with ``html/`` and ``pdf/``); ``python _ext/release.py --scan OUTPUT`` scans a
release folder again (after an edit, say). Exit 0: released; 1: a rule is broken (the values are
named); 2: not a build from a respondent file, or the file has changed since the build.
"""
from __future__ import annotations

import argparse
import base64
import html
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
from bs4 import BeautifulSoup
from social_licence.analysis import release
from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import load_evidence
from social_licence.survey.disclosure import (
    ROUNDED,
    SUPPRESSED,
    DisclosureRules,
    checks_table,
    write_acro_results,
    write_checks,
)

PDF_NAME = "social-licence-report.pdf"
#: a CSV embedded in a page or notebook as a download link
EMBEDDED_CSV = re.compile(r'download="([^"]+\.csv)"\s+href="data:text/csv;base64,([A-Za-z0-9+/=]+)"')
#: columns of a download that are counts of respondents, released rounded (or empty when withheld)
COUNT_COLUMNS = ("n", "rows", "file_count", "count", "n_missing")
#: columns of a download that hold a figure's estimate, empty when it is withheld
ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff", "Recomputed %")
#: columns of a download that say what the rules decided for its row
RESULT_COLUMNS = ("result", "disclosure")


class NotARelease(Exception):
    """The build is not one from a respondent file, or no longer matches it."""


def file_records(manifest: dict) -> list[dict]:
    """The records of numbers computed from the respondent file: its values and table cells that
    hold a number or carry the rules' decision (a label in a table from the file, such as the
    recoding audit's file column, holds neither)."""
    return [r for r in manifest["records"] if r.get("evidence") == "file"
            and (r.get("disclosure") or r.get("value") is not None or r["kind"] == "value")]


def recomputed_checks(manifest: dict) -> tuple[pd.DataFrame, DisclosureRules]:
    """The rules' decision on every cell, taken again from the file the build used, and the rules.

    Raises :class:`NotARelease` for a build from the synthetic file, and when the file the
    environment names now is not the one the build read (its SHA-256 differs).
    """
    pages = manifest["pages"]
    synthetic = sorted(doc for doc, page in pages.items() if page["data_path"].startswith("data/synthetic/"))
    if synthetic:
        raise NotARelease(f"the build used the synthetic file ({', '.join(synthetic)}); make release builds from "
                          f"the archived file: set SOCIAL_LICENCE_DATA and SOCIAL_LICENCE_MAPPING")
    if manifest["parameters"] is None:
        raise NotARelease("the build's pages were computed under different parameters "
                          f"({', '.join(manifest['parameters_differ'])}); rebuild before releasing")
    evidence = load_evidence(Assumptions.from_dict(manifest["parameters"]))
    built = {page["sha256"] for page in pages.values()}
    if built != {evidence.sha256}:
        raise NotARelease(f"the file {evidence.source.shown_path} (SHA-256 {evidence.sha256[:12]}...) is not the "
                          f"one the build read ({', '.join(sorted(s[:12] for s in built))}...): rebuild")
    return release.cell_checks(evidence), evidence.rules


def checker_table(manifest: dict, checks: pd.DataFrame) -> pd.DataFrame:
    """One row per released value from the file: the checker's columns, the cell and the text shown."""
    rows = []
    for record in file_records(manifest):
        decided = record.get("disclosure") or {}
        cell = decided.get("cell")
        found = checks.loc[cell] if cell in checks.index else None
        rows.append({"key": record["key"], "page": record["page"],
                     "unweighted_base": None if found is None else int(found["n"]),
                     "numerator": None if found is None or pd.isna(found["n_counted"]) else int(found["n_counted"]),
                     "rule": decided.get("rule", "none"), "result": decided.get("result", "pass"),
                     "cell": cell, "shown": record["text"], "docname": record["docname"]})
    table = pd.DataFrame(rows).astype({"unweighted_base": "Int64", "numerator": "Int64"})
    return checks_table(table)


# --- gathering ----------------------------------------------------------------------------------------

def embedded_csvs(text: str) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every CSV a page or notebook embeds as a download link."""
    return [(name, base64.b64decode(data)) for name, data in EMBEDDED_CSV.findall(html.unescape(text))]


def strip_outputs(path: Path) -> None:
    """Empty a notebook's outputs, keeping its code and text. The book offers each page's notebook
    for download (``_sources/``), as committed: with the outputs of the build that made them, not
    of this one; the release's numbers are in its pages, PDF and downloads."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(notebook, path)


def gather(build: Path, output: Path) -> dict[str, list[str]]:
    """Copy the HTML edition and the PDF into ``output`` and write each page's downloads as files;
    return the released files of each page (by docname), relative to ``output``."""
    if output.exists():
        shutil.rmtree(output)
    shutil.copytree(build / "html", output / "book", ignore=shutil.ignore_patterns("reports"))
    for notebook in (output / "book").rglob("*.ipynb"):
        strip_outputs(notebook)
    pdf = build / "pdf" / PDF_NAME
    if not pdf.is_file():
        raise NotARelease(f"no PDF at {pdf}: make release builds it (make pdf)")
    shutil.copy2(pdf, output / PDF_NAME)
    files: dict[str, list[str]] = {}
    for page in sorted((output / "book").rglob("*.html")):
        docname = page.relative_to(output / "book").with_suffix("").as_posix()
        names = []
        for name, data in embedded_csvs(page.read_text(encoding="utf-8")):
            target = output / "downloads" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            names.append(target.relative_to(output).as_posix())
        files[docname] = [page.relative_to(output).as_posix(), *names]
    return files


def write_report(checks: pd.DataFrame, output: Path, files: dict[str, list[str]], rules: DisclosureRules) -> None:
    """``checks.csv``, ``checks.html`` and ACRO's ``results.json`` (one output per page)."""
    write_checks(checks, output)
    by_page = {page: files.get(docname, []) + [f"book/{docname}.html"]
               for page, docname in checks[["page", "docname"]].drop_duplicates().itertuples(index=False)}
    write_acro_results(checks, output, {page: list(dict.fromkeys(names)) for page, names in by_page.items()}, rules)
    counts = checks.groupby(["page", "result"]).size().unstack(fill_value=0)
    (output / "checks.html").write_text(
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Output checks</title>"
        "<style>body{font-family:sans-serif;margin:2em;max-width:75em}table{border-collapse:collapse}"
        "td,th{border:1px solid #bbb;padding:.2em .5em;text-align:left}</style></head><body>"
        "<h1>Output checks: every released value from the respondent file</h1>"
        f"<p>Rules: at least {rules.safe_threshold} respondents behind every value, its counted answer and the "
        f"other answers; counts rounded to the nearest {rules.safe_round_base}; secondary suppression "
        f"{'on' if rules.secondary_suppression else 'off'}. Withheld values show as "
        f"{html.escape(rules.suppressed_symbol)}, rounded counts carry {html.escape(rules.rounded_mark)}. "
        "This page and checks.csv hold the exact counts behind each value, for the checker; they are not "
        "part of the release.</p><h2>By page</h2>" + counts.to_html() + "<h2>Every value</h2>"
        + checks.drop(columns=["docname"]).to_html(index=False, na_rep="") + "</body></html>", encoding="utf-8")


# --- the scan -----------------------------------------------------------------------------------------------

def scan_records(manifest: dict, checks: pd.DataFrame, rules: DisclosureRules) -> list[str]:
    """Problems with the released values of ``values.json``."""
    problems = []
    for record in file_records(manifest):
        key, decided = record["key"], record.get("disclosure")
        if not decided or not decided.get("applied"):
            problems.append(f"{key}: a value from the file released without the disclosure rules")
            continue
        cell = decided["cell"]
        if cell not in checks.index:
            problems.append(f"{key}: its cell {cell} is not among the file's cells")
            continue
        now = checks.loc[cell]
        if (decided["rule"], decided["result"]) != (now["rule"], now["result"]):
            problems.append(f"{key}: recorded {decided['result']} ({decided['rule']}), but the file gives "
                            f"{now['result']} ({now['rule']}) for {cell}")
        value, text = record.get("value"), str(record.get("text", ""))
        if now["result"] == SUPPRESSED and (value is not None or rules.suppressed_symbol not in text):
            problems.append(f"{key}: withheld ({now['rule']}) but released as {text!r} (value {value!r})")
        if now["result"] == ROUNDED and (not isinstance(value, (int, float)) or value % rules.safe_round_base
                                         or rules.rounded_mark not in text):
            problems.append(f"{key}: a count released as {text!r} (value {value!r}), not rounded to the nearest "
                            f"{rules.safe_round_base} with its mark")
    return problems


def _tables(soup: BeautifulSoup) -> dict[str, list[dict[str, str]]]:
    """Each table with an id: its body rows, each a mapping of column heading to cell text."""
    found = {}
    for table in soup.find_all("table", id=True):
        header = [th.get_text(" ", strip=True) for th in table.find("thead").find_all("th")] if table.find("thead") else []
        body = table.find("tbody").find_all("tr") if table.find("tbody") else []
        found[table["id"]] = [dict(zip(header, (td.get_text(" ", strip=True) for td in row.find_all(["td", "th"]))))
                              for row in body]
    return found


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"')).strip()


def scan_pages(output: Path, manifest: dict, rules: DisclosureRules) -> list[str]:
    """Problems with the HTML pages: a cell of a table from the file, holding a number the rules
    decided on, that shows other than its record (a withheld one: other than the symbol)."""
    problems = []
    by_page: dict[str, list[dict]] = {}
    for record in file_records(manifest):
        if record["kind"] == "table cell" and record.get("disclosure"):
            by_page.setdefault(record["docname"], []).append(record)
    for docname, records in by_page.items():
        page = output / "book" / f"{docname}.html"
        tables = _tables(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser"))
        for record in records:
            table = tables.get(record["glue"])
            if table is None:
                continue  # a table the page does not place (a supplementary one of another data source)
            row = table[record["row"]] if record["row"] < len(table) else {}
            shown = {_normal(k): v for k, v in row.items()}.get(_normal(record["column"]))
            if shown is None:
                problems.append(f"{record['key']}: not found in {page.name}'s table {record['glue']}")
            elif _normal(shown) != _normal(str(record["text"])):
                problems.append(f"{record['key']}: {page.name} shows {shown!r}, its record {record['text']!r}")
            elif (record.get("disclosure") or {}).get("result") == SUPPRESSED and shown != rules.suppressed_symbol:
                problems.append(f"{record['key']}: withheld, but {page.name} shows {shown!r}")
    return problems


def public_counts(checks: pd.DataFrame) -> frozenset[int]:
    """Counts a download may show unrounded: the file's rows, when they are the published sample size."""
    total = checks.loc["size/all"]
    return frozenset({int(total["n"])} if total["rule"] == "none" else set())


def scan_csv(name: str, data: bytes, rules: DisclosureRules, public: frozenset[int] = frozenset()) -> list[str]:
    """Problems with one CSV: an unrounded count (other than a ``public`` one), or a withheld row
    that still holds its estimate. Rows from the published figures (their ``data_source`` says so)
    are public and exempt."""
    try:
        table = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        return [f"{name}: not a readable CSV ({error})"]
    if "data_source" in table:
        table = table[~table["data_source"].str.startswith(("Source:", "published", "derived", "text",
                                                            "assumption", "reading"))]
    problems = []
    for column in (c for c in COUNT_COLUMNS if c in table):
        for row, text in table[column].items():
            if text in ("", rules.suppressed_symbol):
                continue
            number = float(text.lstrip(rules.rounded_mark))
            if number % rules.safe_round_base and number not in public:
                problems.append(f"{name} row {row + 2}, {column}: {text} is not rounded to the nearest "
                                f"{rules.safe_round_base}")
    for column in (c for c in RESULT_COLUMNS if c in table):
        withheld = table[table[column] == SUPPRESSED]
        for row, values in withheld.iterrows():
            held = [c for c in ESTIMATE_COLUMNS if c in table and values[c] not in ("", rules.suppressed_symbol)]
            if held:
                problems.append(f"{name} row {row + 2}: withheld, but holds {', '.join(f'{c}={values[c]}' for c in held)}")
    return problems


def scan_files(output: Path, rules: DisclosureRules, public: frozenset[int] = frozenset()) -> list[str]:
    """Problems with every CSV in the folder (the downloads, and those embedded in pages and
    notebooks), and any notebook that still holds outputs."""
    problems = [f"{path.relative_to(output).as_posix()}: a notebook with outputs (of another build)"
                for path in sorted((output / "book").rglob("*.ipynb"))
                if any(cell.get("outputs") for cell in nbformat.read(path, as_version=4).cells)]
    for path in sorted((output / "downloads").rglob("*.csv")):
        problems += scan_csv(path.relative_to(output).as_posix(), path.read_bytes(), rules, public)
    for path in sorted(p for p in (output / "book").rglob("*") if p.suffix in (".html", ".ipynb", ".js")):
        for name, data in embedded_csvs(path.read_text(encoding="utf-8", errors="replace")):
            problems += scan_csv(f"{path.relative_to(output).as_posix()} ({name})", data, rules, public)
    return problems


def scan_pdf(output: Path, manifest: dict, rules: DisclosureRules) -> list[str]:
    """Problems with the PDF: fewer withheld symbols than the withheld table cells it prints."""
    text = subprocess.run(["pdftotext", "-layout", str(output / PDF_NAME), "-"], capture_output=True, text=True,
                          check=True).stdout
    withheld = [r["key"] for r in file_records(manifest)
                if r["kind"] == "table cell" and (r.get("disclosure") or {}).get("result") == SUPPRESSED]
    shown = text.count(rules.suppressed_symbol)
    if shown < len(withheld):
        return [f"{PDF_NAME}: shows {rules.suppressed_symbol} {shown} times for {len(withheld)} withheld table cells "
                f"(first: {', '.join(withheld[:3])})"]
    return []


def scan(output: Path, found: tuple[pd.DataFrame, DisclosureRules] | None = None) -> list[str]:
    """Every problem of a release folder, read from its own ``values.json``; ``found``: the cells'
    checks and the rules when the caller has just taken them from the file (else taken here)."""
    manifest = json.loads((output / "book" / "values.json").read_text(encoding="utf-8"))
    checks, rules = found or recomputed_checks(manifest)
    return (scan_records(manifest, checks, rules) + scan_pages(output, manifest, rules)
            + scan_files(output, rules, public_counts(checks)) + scan_pdf(output, manifest, rules))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", type=Path, help="the _build folder of a build from the respondent file")
    parser.add_argument("output", type=Path, help="the release folder (written, or scanned with --scan)")
    parser.add_argument("--scan", action="store_true", help="scan an existing release folder only")
    args = parser.parse_args(argv)
    try:
        if not args.scan:
            if args.build is None:
                parser.error("give the build folder and the release folder")
            manifest = json.loads((args.build / "html" / "values.json").read_text(encoding="utf-8"))
            found = recomputed_checks(manifest)
            files = gather(args.build, args.output)
            write_report(checker_table(manifest, found[0]), args.output, files, found[1])
        problems = scan(args.output, None if args.scan else found)
    except NotARelease as error:
        print(f"make release: {error}", file=sys.stderr)
        return 2
    if problems:
        print(f"make release: {len(problems)} value(s) in {args.output} break the disclosure rules:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    table = pd.read_csv(args.output / "checks.csv")
    counts = table["result"].value_counts()
    print(f"Released to {args.output}: {len(table)} values from the file ({counts.get('pass', 0)} as computed, "
          f"{counts.get('rounded', 0)} rounded, {counts.get('suppressed', 0)} withheld); the checker's report is "
          f"checks.csv, checks.html and results.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
