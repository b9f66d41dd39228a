"""The library's layers import only downwards, and the presentation layer estimates nothing.

survey (the core) <- study (this survey) <- analysis (the steps the chapters share) <- report
(presentation). The core knows nothing of this study, so it could be lifted out as a package of
its own; the report layer takes results as arguments and calls no estimator of the core, directly
or through a function of the layers between that reaches one. Checked on the source with ``ast``,
so an import inside a function or under ``TYPE_CHECKING`` counts too.
"""
from __future__ import annotations

import ast
from functools import lru_cache

import pytest
from social_licence.study.paths import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lib" / "social_licence"
#: each subpackage and the subpackages it may import (besides itself)
ALLOWED = {
    "survey": set(),
    "study": {"survey"},
    "analysis": {"survey", "study"},
    "report": {"survey", "study", "analysis"},
    "sphinxext": {"study"},
}
#: functions of the core that validate or describe input and estimate nothing
CORE_HELPERS = {"describe_values", "require_columns", "check_level", "check_method",
                # the disclosure rules in force: settings read from YAML (their symbols label withheld values)
                "DisclosureRules"}


def _imports(tree: ast.AST, layer: str):
    """(imported module, name or None, local alias) for every import of a module of ``layer``,
    relative imports resolved."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None, alias.asname or alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against social_licence.<layer>
                base = ["social_licence", layer][: 3 - node.level] if node.level <= 2 else []
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:
                yield module, alias.name, alias.asname or alias.name


def imported_layers(source: str, layer: str) -> set[str]:
    """The social_licence subpackages that a module of ``layer`` imports."""
    found = set()
    for module, name, _ in _imports(ast.parse(source), layer):
        parts = module.split(".")
        if parts[0] == "social_licence":
            if len(parts) > 1:
                found.add(parts[1])
            elif name:
                found.add(name)
    return found - {layer}


def modules():
    return sorted(path for path in PACKAGE.rglob("*.py") if path.parent != PACKAGE)


def module_name(path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


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
    ("from social_licence.analysis.derived import intervals", "study", {"analysis"}),
])
def test_the_check_sees_every_form_of_import(source, layer, expected):
    assert imported_layers(source, layer) == expected


# --- the presentation layer estimates nothing ------------------------------------------------------

def _definitions(tree: ast.Module) -> dict[str, list[ast.AST]]:
    """Top-level functions and classes of a module: name -> the nodes of its body."""
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = [node]
    return found


def _bound(node: ast.AST) -> set[str]:
    """Names a function binds itself (its parameters, its assignments): they shadow module names."""
    names = {sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name) and isinstance(sub.ctx, ast.Store)}
    for sub in ast.walk(node):
        if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            arguments = sub.args
            names |= {a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]}
            names |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
    return names


def _references(nodes: list[ast.AST], aliases: dict) -> set[tuple[str, str]]:
    """(module, name) of every imported object that ``nodes`` refer to: a name imported from a
    module, or an attribute of an imported module (names the code binds itself do not count)."""
    found = set()
    for node in nodes:
        aliases = {alias: target for alias, target in aliases.items() if alias not in _bound(node)}
        for sub in ast.walk(node):
            if isinstance(sub, ast.Name) and sub.id in aliases and aliases[sub.id][1] is not None:
                found.add(aliases[sub.id])
            elif isinstance(sub, ast.Attribute) and isinstance(sub.value, ast.Name) and sub.value.id in aliases \
                    and aliases[sub.value.id][1] is None:
                found.add((aliases[sub.value.id][0], sub.attr))
    return found


@lru_cache(maxsize=1)
def library_modules() -> frozenset[str]:
    return frozenset(module_name(path) for path in modules())


def _aliases(tree: ast.AST, layer: str) -> dict[str, tuple[str, str | None]]:
    """Local name -> (module, name): an imported object, or (module, None) for an imported module
    (``import a.b as m``, or ``from a import b`` where ``a.b`` is a module of the library)."""
    aliases = {}
    for module, name, alias in _imports(tree, layer):
        if name is None or f"{module}.{name}" in library_modules():
            aliases[alias] = (module if name is None else f"{module}.{name}", None)
        else:
            aliases[alias] = (module, name)
    return aliases


@lru_cache(maxsize=1)
def estimators() -> frozenset[tuple[str, str]]:
    """Every (module, name) of the library that estimates: the core's public functions and classes
    (but its input checks), and every function or class of the other layers that refers to one,
    directly or through others (a fixed point over the call graph)."""
    layers, references = {}, {}
    for path in modules():
        layer, module = path.relative_to(PACKAGE).parts[0], module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _aliases(tree, layer)
        local = {name: (module, name) for name in _definitions(tree)}
        for name, nodes in _definitions(tree).items():
            layers[(module, name)] = layer
            calls = {local[sub.id] for node in nodes for sub in ast.walk(node)
                     if isinstance(sub, ast.Name) and sub.id in local and sub.id != name
                     and sub.id not in _bound(node)}
            references[(module, name)] = _references(nodes, aliases) | calls
    found = {key for key, layer in layers.items()
             if layer == "survey" and not key[1].startswith("_") and key[1] not in CORE_HELPERS}
    changed = True
    while changed:
        changed = False
        for key, refs in references.items():
            if key not in found and refs & found:
                found.add(key)
                changed = True
    return frozenset(found)


def estimators_used(source: str, layer: str = "report") -> list[str]:
    """The estimators a module of ``layer`` imports or refers to through an imported module."""
    tree = ast.parse(source)
    aliases = _aliases(tree, layer)
    used = {target for target in aliases.values() if target[1] is not None} & estimators()
    used |= _references([tree], aliases) & estimators()
    return sorted(f"{module}.{name}" for module, name in used)


REPORT_MODULES = [path for path in modules() if path.relative_to(PACKAGE).parts[0] == "report"]


@pytest.mark.parametrize("path", REPORT_MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_presentation_modules_call_no_estimator_of_the_core(path):
    used = estimators_used(path.read_text(encoding="utf-8"))
    assert not used, (f"report module {path.relative_to(PACKAGE)} uses {used}, which estimate: compute in the "
                      "chapter's cells (analysis layer) and pass the results in")


def test_the_estimator_check_follows_calls_through_the_layers():
    """The core's estimators, study and analysis functions that reach one, and nothing else."""
    found = estimators()
    assert ("social_licence.survey.proportions", "proportion") in found
    assert ("social_licence.study.recompute", "estimate_figures") in found
    assert ("social_licence.analysis.derived", "intervals") in found
    assert ("social_licence.analysis.contrasts", "derived_family") in found
    assert ("social_licence.analysis.derived", "deffs_of") not in found
    assert ("social_licence.survey.design", "describe_values") not in found


@pytest.mark.parametrize("source, expected", [
    ("from social_licence.survey.proportions import proportion", ["social_licence.survey.proportions.proportion"]),
    ("from social_licence.analysis.derived import intervals", ["social_licence.analysis.derived.intervals"]),
    ("from social_licence.analysis import derived\nx = derived.verdicts", ["social_licence.analysis.derived.verdicts"]),
    ("def f():\n    from social_licence.study.recompute import estimate_figures",
     ["social_licence.study.recompute.estimate_figures"]),
    ("from social_licence.survey.consensus import FACTOR", []),
    ("from social_licence.analysis.derived import deffs_of", []),
])
def test_the_estimator_check_catches_a_presentation_module_that_estimates(source, expected):
    assert estimators_used(source) == expected


#: modules tested elsewhere than tests/<layer>/test_<module>.py: the page modules together, through
#: the chapters that use them (tests/report/test_chapters.py, and the built book in tests/browser)
TESTED_TOGETHER = {"report/chapters": PROJECT_ROOT / "tests" / "report" / "test_chapters.py"}


@pytest.mark.parametrize("path", [p for p in modules() if p.name != "__init__.py"],
                         ids=lambda p: str(p.relative_to(PACKAGE)))
def test_every_module_has_its_test_file(path):
    """Tests mirror the layout: lib/social_licence/<layer>/<module>.py is tested in
    tests/<layer>/test_<module>.py."""
    folder = path.parent.relative_to(PACKAGE).as_posix()
    expected = TESTED_TOGETHER.get(folder, PROJECT_ROOT / "tests" / folder / f"test_{path.stem}.py")
    assert expected.is_file(), f"{path.relative_to(PACKAGE)} has no test file {expected.relative_to(PROJECT_ROOT)}"
