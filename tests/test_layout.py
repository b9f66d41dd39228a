"""The library's layers import only downwards: survey (core) <- study <- report.

The core knows nothing of this study, so it could be lifted out as a package of its own; the study
layer (codebook, published figures, loader, generator) knows nothing of the book. Checked on the
source with ``ast``, so an import inside a function or under ``TYPE_CHECKING`` counts too.
"""
import ast

import pytest
from social_licence.study.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lib" / "social_licence"
#: each subpackage and the subpackages it may import (besides itself)
ALLOWED = {
    "survey": set(),
    "study": {"survey"},
    "report": {"survey", "study"},
    "sphinxext": {"study"},
}


def imported_layers(source: str, layer: str) -> set[str]:
    """The social_licence subpackages that a module of ``layer`` imports (relative imports resolved)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against social_licence.<layer>
                base = ["social_licence", layer][: 3 - node.level] if node.level <= 2 else []
                names = [".".join(base + ([node.module] if node.module else []))]
                if node.level == 2 and node.module is None:
                    names = [f"social_licence.{alias.name}" for alias in node.names]
            else:
                names = [node.module or ""]
                if node.module == "social_licence":
                    names = [f"social_licence.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "social_licence" and len(parts) > 1:
                found.add(parts[1])
    return found - {layer}


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE)


def test_every_module_sits_in_a_known_layer():
    layers = {path.relative_to(PACKAGE).parts[0] for path in modules()}
    assert layers == set(ALLOWED)
    assert [p.name for p in PACKAGE.glob("*.py")] == ["__init__.py"], "modules belong in a subpackage"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_only_downwards(path):
    layer = path.relative_to(PACKAGE).parts[0]
    imported = imported_layers(path.read_text(encoding="utf-8"), layer)
    assert imported <= ALLOWED[layer], f"{layer} module {path.name} imports {sorted(imported - ALLOWED[layer])}"


@pytest.mark.parametrize("source, layer, expected", [
    ("from social_licence.study.codebook import load_codebook", "survey", {"study"}),
    ("import social_licence.report.display", "survey", {"report"}),
    ("from ..report import display", "survey", {"report"}),
    ("from ..study.codebook import Codebook", "survey", {"study"}),
    ("from social_licence import report", "study", {"report"}),
    ("def f():\n    from social_licence.report.tables import x", "survey", {"report"}),
    ("from .design import SurveyDesign", "survey", set()),
    ("from social_licence.survey.design import SurveyDesign", "study", {"survey"}),
])
def test_the_check_sees_every_form_of_import(source, layer, expected):
    assert imported_layers(source, layer) == expected


#: modules tested elsewhere than tests/<layer>/test_<module>.py: the page modules together, through
#: their facts and pages (tests/report/test_chapters.py, and the built book in tests/browser)
TESTED_TOGETHER = {"report/chapters": PROJECT_ROOT / "tests" / "report" / "test_chapters.py"}


@pytest.mark.parametrize("path", [p for p in modules() if p.name != "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_has_its_test_file(path):
    """Tests mirror the layout: lib/social_licence/<layer>/<module>.py is tested in
    tests/<layer>/test_<module>.py."""
    folder = path.parent.relative_to(PACKAGE).as_posix()
    expected = TESTED_TOGETHER.get(folder, PROJECT_ROOT / "tests" / folder / f"test_{path.stem}.py")
    assert expected.is_file(), f"{path.relative_to(PACKAGE)} has no test file {expected.relative_to(PROJECT_ROOT)}"
