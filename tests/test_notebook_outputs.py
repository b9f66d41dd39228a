"""The notebooks' stored outputs (nbval's baseline) hold no number finer than the library stores.

Every number a chapter stores passes once through :func:`social_licence.report.display.stable`
(six significant digits), so the baseline does not depend on the last digits that another BLAS
kernel computes differently. This scans every committed notebook's outputs: text of every kind
(glued values, Markdown, HTML, stderr), and the CSV inside every ``data:`` download link, and fails
on a decimal number with more significant digits than :data:`STORED_DIGITS`. Images are skipped
(nbval skips them too).
"""
import base64
import json
import re
from pathlib import Path

import pytest
from social_licence.report.display import STORED_DIGITS
from social_licence.study.paths import PROJECT_ROOT

NOTEBOOKS = sorted([*PROJECT_ROOT.glob("*.ipynb"), *(PROJECT_ROOT / "chapters").glob("*.ipynb")])
#: a decimal number, optionally in exponent notation (digits of identifiers and words excluded)
NUMBER = re.compile(r"(?<![\w.])-?(\d+\.\d+)(?:[eE][-+]?\d+)?(?![\w.])")
CSV_LINK = re.compile(r"data:text/csv;base64,([A-Za-z0-9+/=]+)")


def significant_digits(mantissa: str) -> int:
    """Significant digits of a decimal string such as '0.00721611' (6) or '82.0518' (6)."""
    digits = mantissa.replace(".", "").lstrip("0")
    return len(digits.rstrip("0")) if "." in mantissa else len(digits)


def stored_texts(notebook: Path):
    """Every non-image text a notebook stores in its outputs, with decoded CSV downloads."""
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        for output in cell.get("outputs", []):
            bodies = [output.get("text", "")] + [body for mime, body in (output.get("data") or {}).items()
                                                 if "image" not in mime]
            for body in bodies:
                text = "".join(body) if isinstance(body, list) else str(body)
                yield text
                for payload in CSV_LINK.findall(text):
                    yield base64.b64decode(payload).decode("utf-8")


def too_precise(text: str) -> list[str]:
    return [m.group(0) for m in NUMBER.finditer(text) if significant_digits(m.group(1)) > STORED_DIGITS]


def test_the_scan_finds_what_other_kernels_would_change():
    assert too_precise("'0.0072161068913064765' and 82.05176241034206") == ["0.0072161068913064765",
                                                                           "82.05176241034206"]
    assert too_precise("0.00721611, 82.0518, 597.689, 1.5e-07, 843, 2.4.6, v3.11, 0.100000") == []
    encoded = base64.b64encode(b"estimate\n0.12345678\n").decode()
    notebook_text = f'<a href="data:text/csv;base64,{encoded}">'
    assert any(too_precise(t) for t in [notebook_text, base64.b64decode(encoded).decode()])


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_stored_outputs_hold_no_float_finer_than_the_stored_precision(notebook):
    found = [number for text in stored_texts(notebook) for number in too_precise(text)]
    assert not found, (f"{len(found)} stored number(s) with more than {STORED_DIGITS} significant digits "
                       f"(round them with social_licence.report.display.stable): {found[:8]}")
