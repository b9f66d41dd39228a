"""The codebook: every variable of the respondent file, its codes and labels, and the subgroups.

``data/codebook.yml`` is the single place where answer codes, labels, the collapse of five-point
scales to the k options of the consensus baseline, and the definitions of subgroups live. This
module loads it into frozen dataclasses, checks it for internal consistency, and computes subgroup
membership from a respondent file. Chapters and other modules ask the codebook; they never type a
code or a label themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
import yaml

from social_licence.study.paths import CODEBOOK_PATH

ROLES = ("id", "weight", "demographic")
COMBINE_RULES = ("any", "all")
#: readings of the paper's "who took part" shares: of the 843 respondents, or weighted
COMPOSITION_READINGS = ("unweighted", "weighted")


@dataclass(frozen=True)
class Scale:
    """An answer scale: substantive codes, non-substantive (missing) codes, and its collapse.

    ``collapse`` maps each collapsed option (e.g. ``"agree"``) to the codes it gathers; its length
    is the k of the consensus baseline (threshold 1.5 / k).
    """

    key: str
    codes: Mapping[int, str]
    missing: Mapping[int, str]
    collapse: Mapping[str, tuple[int, ...]]

    @property
    def k(self) -> int:
        """Number of answer options the consensus baseline counts."""
        return len(self.collapse)


@dataclass(frozen=True)
class Item:
    """A survey question: its block, paraphrased wording, scale, and which answers matter.

    ``label`` is the short name tables and figures show; ``counted`` is the collapsed answer the
    published figures count; ``supportive`` the collapsed answer that favours linking records, or
    None where no answer does.
    """

    key: str
    block: str
    label: str
    wording: str
    scale: Scale
    counted: str
    supportive: str | None

    @property
    def codes(self) -> Mapping[int, str]:
        return self.scale.codes

    @property
    def missing(self) -> Mapping[int, str]:
        return self.scale.missing

    @property
    def k(self) -> int:
        return self.scale.k

    @property
    def counted_codes(self) -> tuple[int, ...]:
        """Codes that make up the counted answer (e.g. 1 and 2 for 'agree')."""
        return self.scale.collapse[self.counted]

    @property
    def supportive_codes(self) -> tuple[int, ...] | None:
        """Codes of the answer supportive of linkage, or None if the question has none."""
        return None if self.supportive is None else self.scale.collapse[self.supportive]


@dataclass(frozen=True)
class Variable:
    """An identifier, weight or demographic variable; coded ones carry codes and missing codes."""

    key: str
    role: str
    label: str
    codes: Mapping[int, str]
    missing: Mapping[int, str]


@dataclass(frozen=True)
class Condition:
    """Membership condition: the variable takes one of ``codes``."""

    variable: str
    codes: tuple[int, ...]


@dataclass(frozen=True)
class Subgroup:
    """A group of parents: conditions combined by ``any`` or ``all``, with a label for the text and
    a ``short`` one for table headings and legends."""

    key: str
    label: str
    combine: str
    conditions: tuple[Condition, ...]
    note: str | None
    short: str


@dataclass(frozen=True)
class Codebook:
    """The validated codebook. Build it with :func:`load_codebook`.

    ``composition`` is the reading of the paper's sample-composition figures, one of
    :data:`COMPOSITION_READINGS`: ``"unweighted"`` (shares of the 843 respondents, the default:
    the paper describes "the sample") or ``"weighted"`` (weighted shares, like the attitude figures).
    ``judged_blocks`` are the question blocks whose figures the paper judges against the consensus
    baseline (awareness it reports as shares only).
    """

    blocks: Mapping[str, str]
    scales: Mapping[str, Scale]
    items: Mapping[str, Item]
    variables: Mapping[str, Variable]
    subgroups: Mapping[str, Subgroup]
    composition: str = "unweighted"
    judged_blocks: tuple[str, ...] = ()

    def with_combine(self, key: str, combine: str) -> "Codebook":
        """This codebook with subgroup ``key`` combining its conditions by ``combine`` instead.

        How the book shows a result under the other reading of a subgroup the paper does not
        define (the higher occupation, qualification or income group: ``any`` or ``all``).
        """
        if combine not in COMBINE_RULES:
            raise ValueError(f"combine={combine!r} must be one of {COMBINE_RULES}")
        if key not in self.subgroups:
            raise ValueError(f"{key!r} is not a subgroup of the codebook ({', '.join(self.subgroups)})")
        subgroups = dict(self.subgroups)
        subgroups[key] = replace(subgroups[key], combine=combine)
        return replace(self, subgroups=MappingProxyType(subgroups))

    @property
    def id_variable(self) -> str:
        return next(v.key for v in self.variables.values() if v.role == "id")

    @property
    def weight_variable(self) -> str:
        return next(v.key for v in self.variables.values() if v.role == "weight")

    @property
    def demographics(self) -> tuple[str, ...]:
        return tuple(v.key for v in self.variables.values() if v.role == "demographic")

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column of a respondent file, in file order: id, weight, demographics, items."""
        return (self.id_variable, self.weight_variable, *self.demographics, *self.items)

    def name_of(self, key: str) -> str:
        """The short label tables and figures show for a question, a subgroup, or ``"all"``."""
        if key == "all":
            return "All parents"
        if key in self.items:
            return self.items[key].label
        if key in self.subgroups:
            return self.subgroups[key].label
        raise KeyError(f"{key!r} is neither 'all' nor a question or subgroup of the codebook")

    def counted_label(self, key: str) -> str:
        """A question's label saying which answer its figures count, for every table row, figure
        label and sentence that shows a figure: "Disagree: linked records give factual, unbiased
        information", so that a share of parents who *disagreed* never reads as agreement."""
        item = self.items[key]
        return f"{item.counted.capitalize()}: {item.label[0].lower()}{item.label[1:]}"

    def short_name_of(self, key: str) -> str:
        """The short label of a subgroup (``"all"``: "All parents") for table headings and legends."""
        return "All parents" if key == "all" else self.subgroups[key].short if key in self.subgroups else self.name_of(key)

    def labels(self, variable: str) -> dict[int, str]:
        """Code -> label for a demographic variable or an item, substantive and missing codes."""
        codes, missing = self.valid_codes(variable)
        return {**codes, **missing}

    def valid_codes(self, variable: str) -> tuple[Mapping[int, str], Mapping[int, str]]:
        """(substantive codes, missing codes) of a coded variable or item."""
        if variable in self.items:
            item = self.items[variable]
            return item.codes, item.missing
        if variable in self.variables and self.variables[variable].role == "demographic":
            var = self.variables[variable]
            return var.codes, var.missing
        raise KeyError(f"{variable!r} is not a coded variable or item of the codebook")

    def missing_codes(self, variable: str) -> tuple[int, ...]:
        """The non-substantive codes of a coded variable or item (excluded from every base)."""
        return tuple(self.valid_codes(variable)[1])

    def subgroup_indicators(self, data: pd.DataFrame) -> pd.DataFrame:
        """One boolean column per subgroup key: is the respondent a member?

        A condition holds when the variable takes one of its codes; missing codes therefore make
        a condition false, never true. ``combine`` joins the conditions with or (``any``) or and
        (``all``). The index of ``data`` is kept.
        """
        columns = {}
        for key, group in self.subgroups.items():
            held = np.column_stack([data[c.variable].isin(c.codes).to_numpy(dtype=bool) for c in group.conditions])
            columns[key] = held.any(axis=1) if group.combine == "any" else held.all(axis=1)
        return pd.DataFrame(columns, index=data.index)


def _codes(raw: object, where: str) -> Mapping[int, str]:
    """Read a {code: label} mapping with integer codes and string labels."""
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ValueError(f"codebook: {where} must be a mapping of integer codes to labels")
    for code, label in raw.items():
        if not isinstance(code, int) or isinstance(code, bool) or not isinstance(label, str):
            raise ValueError(f"codebook: {where} has a non-integer code or non-text label: {code!r}: {label!r}")
    return MappingProxyType(dict(raw))


def _scale(key: str, raw: dict) -> Scale:
    codes = _codes(raw.get("codes"), f"scale {key!r} codes")
    missing = _codes(raw.get("missing"), f"scale {key!r} missing")
    if set(codes) & set(missing):
        raise ValueError(f"codebook: scale {key!r} uses codes {sorted(set(codes) & set(missing))} as both answer and missing")
    collapse = {}
    for option, option_codes in (raw.get("collapse") or {}).items():
        if not isinstance(option, str):
            raise ValueError(f"codebook: scale {key!r} collapse option {option!r} is not text (quote it in YAML)")
        collapse[option] = tuple(option_codes)
    gathered = sorted(c for cs in collapse.values() for c in cs)
    if gathered != sorted(codes):
        raise ValueError(f"codebook: scale {key!r} collapse must use each answer code once; it uses {gathered}")
    return Scale(key, codes, missing, MappingProxyType(collapse))


def _item(key: str, raw: dict, scales: Mapping[str, Scale], blocks: Mapping[str, str]) -> Item:
    if raw.get("block") not in blocks:
        raise ValueError(f"codebook: item {key!r} has unknown block {raw.get('block')!r}")
    if raw.get("scale") not in scales:
        raise ValueError(f"codebook: item {key!r} has unknown scale {raw.get('scale')!r}")
    scale = scales[raw["scale"]]
    for field in ("counted", "supportive"):
        answer = raw.get(field)
        if (field == "counted" or answer is not None) and answer not in scale.collapse:
            raise ValueError(f"codebook: item {key!r} {field} answer {answer!r} is not an option of scale {scale.key!r} "
                             f"({', '.join(scale.collapse)})")
    for field in ("label", "wording"):
        if not str(raw.get(field, "")).strip():
            raise ValueError(f"codebook: item {key!r} has no {field}")
    return Item(key, raw["block"], str(raw["label"]).strip(), " ".join(str(raw["wording"]).split()), scale,
                raw["counted"], raw.get("supportive"))


def _variable(key: str, raw: dict) -> Variable:
    role = raw.get("role")
    if role not in ROLES:
        raise ValueError(f"codebook: variable {key!r} has role {role!r}; expected one of {ROLES}")
    codes = _codes(raw.get("codes"), f"variable {key!r} codes")
    missing = _codes(raw.get("missing"), f"variable {key!r} missing")
    if (role == "demographic") != bool(codes):
        raise ValueError(f"codebook: variable {key!r} (role {role}) {'needs' if role == 'demographic' else 'takes no'} codes")
    if set(codes) & set(missing):
        raise ValueError(f"codebook: variable {key!r} uses codes {sorted(set(codes) & set(missing))} as both answer and missing")
    return Variable(key, role, str(raw.get("label", "")), codes, missing)


def _subgroup(key: str, raw: dict, variables: Mapping[str, Variable]) -> Subgroup:
    if raw.get("combine") not in COMBINE_RULES:
        raise ValueError(f"codebook: subgroup {key!r} combine must be one of {COMBINE_RULES}, not {raw.get('combine')!r}")
    conditions = []
    for cond in raw.get("conditions") or []:
        var = variables.get(cond.get("variable"))
        if var is None or var.role != "demographic":
            raise ValueError(f"codebook: subgroup {key!r} refers to unknown demographic variable {cond.get('variable')!r}")
        unknown = sorted(set(cond.get("codes", [])) - set(var.codes))
        if unknown or not cond.get("codes"):
            raise ValueError(f"codebook: subgroup {key!r} uses codes {unknown or '(none)'} that {var.key!r} does not have")
        conditions.append(Condition(var.key, tuple(cond["codes"])))
    if not conditions:
        raise ValueError(f"codebook: subgroup {key!r} has no conditions")
    note = " ".join(str(raw["note"]).split()) if raw.get("note") else None
    label = str(raw.get("label", key))
    return Subgroup(key, label, raw["combine"], tuple(conditions), note, str(raw.get("short", label)))


def parse_codebook(raw: dict) -> Codebook:
    """Build and validate a :class:`Codebook` from the parsed YAML mapping."""
    blocks = MappingProxyType({str(k): str(v) for k, v in raw["blocks"].items()})
    scales = MappingProxyType({k: _scale(k, v) for k, v in raw["scales"].items()})
    items = MappingProxyType({k: _item(k, v, scales, blocks) for k, v in raw["items"].items()})
    variables = MappingProxyType({k: _variable(k, v) for k, v in raw["variables"].items()})
    subgroups = MappingProxyType({k: _subgroup(k, v, variables) for k, v in raw["subgroups"].items()})
    for role in ("id", "weight"):
        if sum(v.role == role for v in variables.values()) != 1:
            raise ValueError(f"codebook: exactly one variable must have role {role!r}")
    names = [*items, *variables, *subgroups]
    clashes = sorted({n for n in names if names.count(n) > 1})
    if clashes:
        raise ValueError(f"codebook: names used twice across items, variables and subgroups: {clashes}")
    composition = raw.get("composition", "unweighted")
    if composition not in COMPOSITION_READINGS:
        raise ValueError(f"codebook: composition must be one of {COMPOSITION_READINGS}, not {composition!r}")
    judged = tuple(raw.get("judged_blocks") or ())
    unknown = sorted(set(judged) - set(blocks))
    if unknown:
        raise ValueError(f"codebook: judged_blocks names unknown blocks {unknown}")
    return Codebook(blocks, scales, items, variables, subgroups, composition, judged)


@lru_cache(maxsize=8)
def _load(path: Path) -> Codebook:
    with open(path, encoding="utf-8") as handle:
        return parse_codebook(yaml.safe_load(handle))


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and validate the codebook (default ``data/codebook.yml``); cached per path."""
    return _load(Path(path or CODEBOOK_PATH).resolve())
