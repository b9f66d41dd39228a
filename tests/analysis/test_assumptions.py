"""The book's assumptions: the documented defaults, every bad value refused by name, and the
parameters files that change them for a whole edition.

References: the defaults as the module docstring states them (design effects 1 to 2, Korn and
Graubard's "beta" intervals at 95%, the paper's factor 1.5, the interval rule, Holm, "any one"
marker, 5% of the whole sample, don't knows out of the base, everyone answering, 30 answers, the
environment's file) and as every chapter notebook's ``parameters`` cell sets them; the choices
against the lists of the modules that use them (``survey.intervals.METHODS``,
``survey.compare.ADJUSTMENTS``); YAML files written here by hand.
"""
import ast
import json
import math
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest
import yaml

from social_licence.analysis.assumptions import (
    BLACK_READINGS,
    DESCRIPTIONS,
    HIGHER_READINGS,
    PARAMETERS,
    VERDICT_RULES,
    Assumptions,
    load_parameters,
)
from social_licence.study.paths import PROJECT_ROOT
from social_licence.survey.compare import ADJUSTMENTS
from social_licence.survey.intervals import METHODS

#: the defaults as the module docstring documents them, typed out independently of the dataclass
DOCUMENTED = {
    "deff_range": (1.0, 2.0), "interval_method": "beta", "level": 0.95, "consensus_factor": 1.5,
    "verdict_rule": "interval", "multiplicity": "holm", "higher_group": "any", "black_group": "whole sample",
    "dont_know_in_base": False, "answering_share": 1.0, "min_base": 30, "data_source": None, "data_mapping": None,
}


def notebooks():
    return [PROJECT_ROOT / "intro.ipynb", *sorted((PROJECT_ROOT / "chapters").glob("*.ipynb"))]


def parameters_cell(path: Path) -> dict | None:
    """The values a notebook's ``parameters`` cell assigns (literals only), or None without one."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    tagged = [c for c in cells if c["cell_type"] == "code" and "parameters" in c["metadata"].get("tags", [])]
    if not tagged:
        return None
    body = ast.parse("".join(tagged[0]["source"])).body
    return {node.targets[0].id: ast.literal_eval(node.value) for node in body}


# --- defaults ---------------------------------------------------------------------------------------

def test_the_defaults_are_the_documented_book_defaults():
    default = Assumptions()
    assert {name: getattr(default, name) for name in PARAMETERS} == DOCUMENTED
    assert list(PARAMETERS) == list(DOCUMENTED), "the parameters in the documented order"
    assert default.alpha == pytest.approx(0.05) and default.deffs == (1.0, 2.0)
    assert default.differences() == {}
    assert set(DESCRIPTIONS) == set(PARAMETERS), "every parameter has words for the notices"


@pytest.mark.parametrize("path", notebooks(), ids=lambda p: p.name)
def test_every_notebook_s_parameters_cell_holds_the_defaults(path):
    """The module docstring: every chapter opens with a parameters cell setting these assumptions,
    with the defaults of Assumptions."""
    cell = parameters_cell(path)
    if cell is None:
        pytest.skip(f"{path.name} has no parameters cell")
    assert cell == DOCUMENTED
    assert Assumptions(**cell) == Assumptions()


def test_assumptions_are_frozen_and_the_range_is_stored_as_floats():
    given = Assumptions(deff_range=[1, 3])
    assert given.deff_range == (1.0, 3.0) and all(type(d) is float for d in given.deff_range)
    assert Assumptions(deff_range=(1, 2)) == Assumptions(), "(1, 2) is the default range"
    with pytest.raises(FrozenInstanceError):
        given.level = 0.9


def test_alpha_matches_the_level_and_boundary_values_are_accepted():
    assert Assumptions(level=0.9).alpha == pytest.approx(0.1)
    assert Assumptions(deff_range=(1.0, 1.0)).deffs == (1.0, 1.0), "one design effect: lowest = highest"
    assert Assumptions(answering_share=1).answering_share == 1
    assert Assumptions(min_base=2).min_base == 2
    assert Assumptions(consensus_factor=1.01).consensus_factor == 1.01
    assert Assumptions(consensus_factor=1.99).consensus_factor == 1.99
    for method in METHODS:
        assert Assumptions(interval_method=method).interval_method == method
    for name, choices in (("verdict_rule", VERDICT_RULES), ("multiplicity", ADJUSTMENTS),
                          ("higher_group", HIGHER_READINGS), ("black_group", BLACK_READINGS)):
        for choice in choices:
            assert getattr(Assumptions(**{name: choice}), name) == choice
    assert Assumptions(data_source=Path("data/raw/x.sav"), data_mapping="m.yml").data_mapping == "m.yml"


# --- bad values, each refused by name -------------------------------------------------------------

@pytest.mark.parametrize("name, value, message", [
    ("deff_range", 2.0, r"deff_range=2\.0 must be two design effects"),
    ("deff_range", "12", r"deff_range='12' must be two design effects"),
    ("deff_range", (1.0,), r"deff_range=\(1\.0,\) must be two design effects"),
    ("deff_range", (1.0, 2.0, 3.0), r"deff_range=\(1\.0, 2\.0, 3\.0\) must be two"),
    ("deff_range", (2.0, 1.0), r"deff_range=\(2\.0, 1\.0\) must satisfy 1 <= lowest <= highest"),
    ("deff_range", (0.5, 2.0), r"deff_range=\(0\.5, 2\.0\) must satisfy 1 <= lowest"),
    ("deff_range", (0.99, 0.99), r"deff_range=\(0\.99, 0\.99\) must satisfy"),
    ("deff_range", (1.0, "2"), r"deff_range='2' must be a number"),
    ("deff_range", (True, 2.0), r"deff_range=True must be a number"),
    ("deff_range", (1.0, math.inf), r"deff_range=inf must be finite"),
    ("interval_method", "exact", r"interval_method='exact' is not one of 'beta', 'logit', 'wilson'"),
    ("interval_method", "Beta", r"interval_method='Beta' is not one of"),
    ("level", 0, r"level=0 must lie strictly between 0 and 1"),
    ("level", 1.0, r"level=1\.0 must lie strictly between 0 and 1"),
    ("level", 95, r"level=95 must lie strictly between 0 and 1"),
    ("level", "0.95", r"level='0\.95' must be a number"),
    ("level", True, r"level=True must be a number"),
    ("level", math.nan, r"level=nan must be finite"),
    ("consensus_factor", 1, r"consensus_factor=1 must lie strictly between 1"),
    ("consensus_factor", 1.0, r"consensus_factor=1\.0 must lie strictly between 1"),
    ("consensus_factor", 2, r"consensus_factor=2 must lie strictly between 1 .* and 2"),
    ("consensus_factor", 0.5, r"consensus_factor=0\.5 must lie strictly"),
    ("consensus_factor", "1.5", r"consensus_factor='1\.5' must be a number"),
    ("verdict_rule", "strict", r"verdict_rule='strict' is not one of 'interval', 'point'"),
    ("multiplicity", "bonferroni", r"multiplicity='bonferroni' is not one of 'holm', 'fdr_bh'"),
    ("multiplicity", "BH", r"multiplicity='BH' is not one of"),
    ("higher_group", "both", r"higher_group='both' is not one of 'any', 'all'"),
    ("black_group", "minority", r"black_group='minority' is not one of 'whole sample', 'minority ethnic'"),
    ("dont_know_in_base", "yes", r"dont_know_in_base='yes' must be True or False"),
    ("dont_know_in_base", None, r"dont_know_in_base=None must be True or False"),
    ("answering_share", 0, r"answering_share=0 must lie between 0\.1 and 1"),
    ("answering_share", 0.05, r"answering_share=0\.05 must lie between 0\.1 and 1"),
    ("answering_share", 1.01, r"answering_share=1\.01 must lie between 0\.1 and 1"),
    ("answering_share", -0.5, r"answering_share=-0\.5 must lie between"),
    ("answering_share", True, r"answering_share=True must be a number"),
    ("min_base", 1, r"min_base=1 must be at least 2"),
    ("min_base", 0, r"min_base=0 must be at least 2"),
    ("min_base", 30.0, r"min_base=30\.0 must be a whole number"),
    ("min_base", True, r"min_base=True must be a whole number"),
    ("min_base", "30", r"min_base='30' must be a whole number"),
    ("data_source", 3, r"data_source=3 must be a path or None"),
    ("data_mapping", ["m.yml"], r"data_mapping=\['m\.yml'\] must be a path or None"),
])
def test_a_bad_value_is_refused_naming_the_parameter_and_the_value(name, value, message):
    with pytest.raises(ValueError, match=rf"^parameter {message}"):
        Assumptions(**{name: value})


@pytest.mark.parametrize("value", [0, 1])
def test_dont_know_in_base_takes_only_a_bool(value):
    """A yes/no assumption is refused unless it is True or False, as every number is refused
    unless it is a number (True is not a level): 0 and 1 are not answers to "are don't knows in
    the base?". (``value in (False, True)`` lets 0 and 1 through, since 0 == False.)"""
    with pytest.raises(ValueError, match=rf"dont_know_in_base={value!r}"):
        Assumptions(dont_know_in_base=value)


# --- differences and as_dict ----------------------------------------------------------------------

def test_differences_name_each_changed_assumption_with_its_value_and_default():
    changed = Assumptions(deff_range=[1, 3], level=0.9, dont_know_in_base=True, data_source="data/raw/x.sav")
    assert changed.differences() == {
        "deff_range": ((1.0, 3.0), (1.0, 2.0)), "level": (0.9, 0.95), "dont_know_in_base": (True, False),
        "data_source": ("data/raw/x.sav", None)}
    assert list(changed.differences()) == ["deff_range", "level", "dont_know_in_base", "data_source"], \
        "in the order of the parameters"


def test_as_dict_writes_every_assumption_as_a_parameters_file_does(tmp_path):
    changed = Assumptions(deff_range=(1.0, 2.5), multiplicity="fdr_bh", min_base=50)
    written = changed.as_dict()
    assert list(written) == list(PARAMETERS)
    assert written["deff_range"] == [1.0, 2.5] and written["multiplicity"] == "fdr_bh" and written["min_base"] == 50
    assert Assumptions().as_dict() == {**DOCUMENTED, "deff_range": [1.0, 2.0]}
    path = tmp_path / "edition.yml"
    path.write_text(yaml.safe_dump(written), encoding="utf-8")
    assert Assumptions(**load_parameters(path)) == changed, "a written edition reads back as itself"
    assert Assumptions.from_dict(written) == changed, "as_dict and from_dict are inverses"
    assert Assumptions.from_dict(Assumptions().as_dict()) == Assumptions()


# --- parameters files -----------------------------------------------------------------------------

def write(tmp_path, text: str) -> Path:
    path = tmp_path / "params.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_parameters_file_gives_its_values(tmp_path):
    path = write(tmp_path, "deff_range: [1, 3]\nlevel: 0.9\ndont_know_in_base: true\nblack_group: minority ethnic\n")
    raw = load_parameters(path)
    assert raw == {"deff_range": (1, 3), "level": 0.9, "dont_know_in_base": True, "black_group": "minority ethnic"}
    edition = Assumptions(**raw)
    assert set(edition.differences()) == {"deff_range", "level", "dont_know_in_base", "black_group"}
    assert load_parameters(str(path)) == raw, "a path as text works too"


def test_an_unknown_key_is_named_with_the_file(tmp_path):
    path = write(tmp_path, "level: 0.9\nalpha: 0.1\ndeff: 2\n")
    with pytest.raises(ValueError, match=rf"parameters file {path}: unknown parameter\(s\) 'alpha', 'deff' "
                                         r"\(known names: deff_range, interval_method"):
        load_parameters(path)


@pytest.mark.parametrize("text, message", [
    ("level: 95\n", r"level=95 must lie strictly between 0 and 1"),
    ("deff_range: [2, 1]\n", r"deff_range=\(2, 1\) must satisfy 1 <= lowest <= highest"),
    ("deff_range: 2\n", r"deff_range=2 must be two design effects"),
    ("multiplicity: bonferroni\n", r"multiplicity='bonferroni' is not one of"),
    ("min_base: 1\n", r"min_base=1 must be at least 2"),
])
def test_a_bad_value_in_a_file_is_named_with_the_file(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"^parameters file {path}: parameter {message}"):
        load_parameters(path)


@pytest.mark.parametrize("text", ["- level\n- 0.9\n", "0.9\n", "", "{}\n"], ids=["list", "scalar", "empty", "no-keys"])
def test_a_file_that_is_not_a_mapping_is_refused(tmp_path, text):
    path = write(tmp_path, text)
    with pytest.raises(ValueError, match=rf"parameters file {path}: must be a mapping of parameter names to values"):
        load_parameters(path)


def test_bad_yaml_and_a_missing_file_are_refused_naming_the_file(tmp_path):
    path = write(tmp_path, "deff_range: [1, 2\nlevel: 0.9\n")
    with pytest.raises(ValueError, match=rf"parameters file {path}: cannot be read as YAML"):
        load_parameters(path)
    missing = tmp_path / "nowhere.yml"
    with pytest.raises(ValueError, match=rf"parameters file {missing}: cannot be read"):
        load_parameters(missing)
