"""The book's assumptions, stated once: what every chapter's parameters cell holds and checks.

Every chapter notebook opens with a ``parameters`` cell (papermill's convention) that sets the
assumptions below under plain names, with the defaults of :class:`Assumptions`; its next cell
passes them to :class:`Assumptions`, which refuses a value it does not know, naming it. Changing
a value and re-running the notebook changes the chapter's numbers, verdicts, tables, figures and
sentences; a parameters file (:func:`load_parameters`, ``make book PARAMS=params/<name>.yml``)
changes them for the whole book, whose pages then say which assumptions differ from the default
edition (:meth:`Assumptions.differences`).

The assumptions, and why each is needed:

``deff_range``
    The weights' design effect is not published; every interval derived from a printed figure is
    computed at both ends of this range (Kish 1965), and a verdict shown is the one at the upper
    end. Default (1, 2): none, to weighting that halves the information.
``interval_method``, ``level``
    How intervals are made (:data:`social_licence.survey.intervals.METHODS`; default Korn and
    Graubard's "beta", R's ``svyciprop(method = "beta")``) and at what confidence (0.95). Tests
    of differences are two-sided at ``1 - level``, so a test and its interval agree.
``consensus_factor``, ``verdict_rule``
    The consensus baseline: a threshold of ``consensus_factor / k`` for k answer options (the
    paper's 1.5: 75% for two options, 50% for three). ``"interval"``: a figure is a consensus when
    its whole interval lies at or above the threshold, no consensus when it lies below, open when
    it straddles (this book's rule); ``"point"``: the printed share at or above the threshold is a
    consensus, below it no consensus (the paper's reading, with no uncertainty).
``multiplicity``
    The primary adjustment of the family of contrasts: ``"holm"`` (the family-wise error rate,
    Holm 1979) or ``"fdr_bh"`` (the false discovery rate, Benjamini & Hochberg 1995). The other
    is always shown beside it.
``higher_group``
    The paper's undefined "higher occupation / qualification / income" group: ``"any"`` one of
    the three markers, or ``"all"`` three.
``black_group``
    "19 per cent ... from minority ethnic groups, five per cent of whom were Black": 5% of the
    ``"whole sample"`` (about 42 parents) or of the ``"minority ethnic"`` parents (about 8).
``dont_know_in_base``
    Whether "don't know" answers count in a percentage's base (the paper does not say; default:
    they do not, so percentages are shares of parents who gave an answer).
``answering_share``
    The share of each group that gave an answer, which is the base of a printed percentage; the
    derived intervals use ``answering_share`` times the group's printed size (default 1: every
    parent answered, the largest base the sources allow).
``min_base``
    The fewest valid answers behind an estimate from a respondent file; below it the estimate is
    withheld (default 30).
``data_source``, ``data_mapping``
    The respondent file and its mapping (``None``: as ``SOCIAL_LICENCE_DATA`` and
    ``SOCIAL_LICENCE_MAPPING`` select, else the shipped synthetic file), relative to the
    repository root.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from social_licence.survey.compare import ADJUSTMENTS
from social_licence.survey.intervals import METHODS

#: the readings of the undefined higher group and of the Black group's printed share
HIGHER_READINGS = ("any", "all")
BLACK_READINGS = ("whole sample", "minority ethnic")
VERDICT_RULES = ("interval", "point")
#: plain words for each assumption, for the notices of an edition built under other assumptions
DESCRIPTIONS = {
    "deff_range": "design effects",
    "interval_method": "interval method",
    "level": "confidence level",
    "consensus_factor": "consensus threshold (factor / k)",
    "verdict_rule": "verdict rule",
    "multiplicity": "primary multiplicity adjustment",
    "higher_group": "reading of the higher occupation, qualification or income group",
    "black_group": "reading of the Black group's printed 5%",
    "dont_know_in_base": "don't know answers in the base",
    "answering_share": "share of each group that answered",
    "min_base": "fewest answers behind a file estimate",
    "data_source": "respondent file",
    "data_mapping": "mapping of the respondent file",
}


def _number(name: str, value, *, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
        kind = "a whole number" if integer else "a number"
        raise ValueError(f"parameter {name}={value!r} must be {kind}")
    if not math.isfinite(value):
        raise ValueError(f"parameter {name}={value!r} must be finite")
    return value


def _choice(name: str, value, choices) -> None:
    if value not in choices:
        raise ValueError(f"parameter {name}={value!r} is not one of {', '.join(map(repr, choices))}")


@dataclass(frozen=True)
class Assumptions:
    """The assumptions in force, checked: the book's defaults unless a chapter's parameters cell
    or a parameters file says otherwise (module docstring). Every value is validated on creation;
    a bad one raises ``ValueError`` naming the parameter and the value."""

    deff_range: tuple = (1.0, 2.0)
    interval_method: str = "beta"
    level: float = 0.95
    consensus_factor: float = 1.5
    verdict_rule: str = "interval"
    multiplicity: str = "holm"
    higher_group: str = "any"
    black_group: str = "whole sample"
    dont_know_in_base: bool = False
    answering_share: float = 1.0
    min_base: int = 30
    data_source: str | None = None
    data_mapping: str | None = None

    def __post_init__(self):
        deffs = self.deff_range
        if isinstance(deffs, (str, bytes)) or not hasattr(deffs, "__len__") or len(deffs) != 2:
            raise ValueError(f"parameter deff_range={deffs!r} must be two design effects, lowest first, e.g. (1.0, 2.0)")
        low, high = (float(_number("deff_range", d)) for d in deffs)
        if not 1 <= low <= high:
            raise ValueError(f"parameter deff_range={deffs!r} must satisfy 1 <= lowest <= highest")
        object.__setattr__(self, "deff_range", (low, high))
        _choice("interval_method", self.interval_method, METHODS)
        if not 0 < _number("level", self.level) < 1:
            raise ValueError(f"parameter level={self.level!r} must lie strictly between 0 and 1 (e.g. 0.95)")
        if not 1 < _number("consensus_factor", self.consensus_factor) < 2:
            raise ValueError(f"parameter consensus_factor={self.consensus_factor!r} must lie strictly between 1 "
                             "(an even split) and 2 (a threshold of 100% for two options)")
        _choice("verdict_rule", self.verdict_rule, VERDICT_RULES)
        _choice("multiplicity", self.multiplicity, ADJUSTMENTS)
        _choice("higher_group", self.higher_group, HIGHER_READINGS)
        _choice("black_group", self.black_group, BLACK_READINGS)
        if not isinstance(self.dont_know_in_base, bool):
            raise ValueError(f"parameter dont_know_in_base={self.dont_know_in_base!r} must be True or False")
        if not 0.1 <= _number("answering_share", self.answering_share) <= 1:
            raise ValueError(f"parameter answering_share={self.answering_share!r} must lie between 0.1 and 1 (below "
                             "a tenth, the smallest printed groups would have fewer than two answers)")
        if _number("min_base", self.min_base, integer=True) < 2:
            raise ValueError(f"parameter min_base={self.min_base!r} must be at least 2")
        for name in ("data_source", "data_mapping"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, (str, Path)):
                raise ValueError(f"parameter {name}={value!r} must be a path or None")

    @property
    def alpha(self) -> float:
        """The two-sided significance level of the tests, matching the intervals: ``1 - level``."""
        return 1.0 - self.level

    @property
    def deffs(self) -> tuple[float, float]:
        """(lowest, highest) design effect of the range."""
        return self.deff_range

    def differences(self) -> dict[str, tuple]:
        """The assumptions that differ from the book's defaults: name -> (value, default)."""
        default = Assumptions()
        return {f.name: (getattr(self, f.name), getattr(default, f.name)) for f in fields(self)
                if getattr(self, f.name) != getattr(default, f.name)}

    def as_dict(self) -> dict:
        """Every assumption by name, as a parameters file writes it."""
        return {f.name: list(v) if isinstance(v := getattr(self, f.name), tuple) else v for f in fields(self)}

    @classmethod
    def from_dict(cls, values: dict) -> "Assumptions":
        """The assumptions a mapping sets (a parameters file, a page's record of ``as_dict``), its
        lists read back as the tuples they stand for."""
        return cls(**{name: tuple(v) if isinstance(v, list) else v for name, v in values.items()})


#: the parameter names a chapter's parameters cell and a parameters file may set
PARAMETERS = tuple(f.name for f in fields(Assumptions))


def load_parameters(path: str | Path) -> dict:
    """The parameters a YAML file sets (``make book PARAMS=...``), checked: a mapping of known
    parameter names to values that :class:`Assumptions` accepts. Anything else raises
    ``ValueError`` naming the file and the offending key or value."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise ValueError(f"parameters file {path}: cannot be read as YAML ({error})") from error
    if not isinstance(raw, dict) or not raw:
        raise ValueError(f"parameters file {path}: must be a mapping of parameter names to values "
                         f"(known names: {', '.join(PARAMETERS)})")
    unknown = [key for key in raw if key not in PARAMETERS]
    if unknown:
        raise ValueError(f"parameters file {path}: unknown parameter(s) {', '.join(map(repr, unknown))} "
                         f"(known names: {', '.join(PARAMETERS)})")
    if "deff_range" in raw and isinstance(raw["deff_range"], list):
        raw["deff_range"] = tuple(raw["deff_range"])
    try:
        Assumptions(**raw)
    except ValueError as error:
        raise ValueError(f"parameters file {path}: {error}") from error
    return raw
