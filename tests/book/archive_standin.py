"""An archive-like stand-in for the survey file, made at test time from the synthetic file.

The archived file (UKDA-SN-856334) is licensed and never in the repository, so the archived route
is tested on a stand-in that looks like an archive deposit rather than like the codebook: upper-case
column names of its own, yes/no coded 1/0, one five-point scale stored the other way round,
user-missing codes -1 / -9 declared as such and labelled in SPSS, and extra columns the report does
not use (an interview date, the mode, a grossed weight). Its mapping file says how to read it, as a
user's ``data/raw/mapping.yml`` would. Nothing written here is ever committed: the files go to a
temporary folder or under the git-ignored ``data/raw/``.

To make the rebuilt book differ from the synthetic one, a seeded share of the parents who found
"identify families who may need support" acceptable find it very unacceptable in the stand-in
(the answer is stored with the archive's coding, so the mapping has to be right for the change to
show where expected).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml
from social_licence.study.codebook import load_codebook
from social_licence.study.paths import SYNTHETIC_PATH

CODEBOOK = load_codebook()
#: the answer that the stand-in changes, and how much
PERTURBED_ITEM = "identify_families_needing_support"
FLIP_SHARE = 0.4
SEED = 20261121
#: the scale stored the other way round (1 = strongly disagree ... 5 = strongly agree)
REVERSED_ITEM = "government_should_publicise"
YES_NO_ITEMS = [key for key, item in CODEBOOK.items.items() if item.k == 2]
#: the archive's user-missing codes for don't know (8) and refused (9)
USER_MISSING = {8: -1, 9: -9}
EXTRA_COLUMNS = ("INTDATE", "MODE", "WT_GROSS")


def column_names() -> dict[str, str]:
    """Codebook name -> the stand-in's column (upper case, at most 32 characters for Stata)."""
    names = {"id": "RESPID", "weight": "WT_NR"}
    names.update({key: key.upper()[:12] for key in CODEBOOK.demographics})
    names.update({key: f"Q{i:02d}_{key.upper()[:12]}" for i, key in enumerate(CODEBOOK.items, start=1)})
    return names


def file_codes(item: str) -> dict[int, int]:
    """Codebook code -> the stand-in's code for one question."""
    codes = sorted(CODEBOOK.items[item].codes)
    if item in YES_NO_ITEMS:
        mapping = {1: 1, 2: 0}
    elif item == REVERSED_ITEM:
        mapping = {code: max(codes) + min(codes) - code for code in codes}
    else:
        mapping = {code: code for code in codes}
    return {**mapping, **USER_MISSING}


def file_labels(item: str) -> dict[int, str]:
    """The stand-in's value labels for one question, worded as an archive might word them."""
    labels = CODEBOOK.labels(item)
    short = {"Neither agree nor disagree": "Neither", "Neither acceptable nor unacceptable": "Neither",
             "Neither trust nor distrust": "Neither"}
    return {file_codes(item)[code]: short.get(label, label) for code, label in labels.items()}


def perturbed(table: pd.DataFrame) -> pd.DataFrame:
    """The synthetic file with a seeded 40% of PERTURBED_ITEM's counted answers turned to the far end."""
    table = table.copy()
    counted = list(CODEBOOK.items[PERTURBED_ITEM].counted_codes)
    opposite = max(CODEBOOK.items[PERTURBED_ITEM].codes)
    flip = table[PERTURBED_ITEM].isin(counted).to_numpy() & (np.random.default_rng(SEED).random(len(table)) < FLIP_SHARE)
    assert flip.sum() > 100, "the perturbation must move the estimate clearly"
    table.loc[flip, PERTURBED_ITEM] = opposite
    return table


def standin_frame() -> pd.DataFrame:
    """The stand-in's rows, in the archive's names and codes (the perturbation applied)."""
    table = perturbed(pd.read_csv(SYNTHETIC_PATH))
    for item in CODEBOOK.items:
        table[item] = table[item].map(file_codes(item))
    frame = table.rename(columns=column_names())
    frame["INTDATE"] = "2020-09-14"
    frame["MODE"] = np.where(frame["RESPID"] % 5 == 0, 2, 1)
    frame["WT_GROSS"] = frame["WT_NR"] * 14_200  # a weight grossed to the population: not used
    return frame


def mapping(forget_a_code: bool = False) -> dict:
    """The stand-in's mapping file content; ``forget_a_code`` drops the reversed scale's top code,
    the mistake that used to reverse answers silently."""
    recode = {}
    for item in CODEBOOK.items:
        table = {file_code: code for code, file_code in file_codes(item).items()}
        if item not in YES_NO_ITEMS and item != REVERSED_ITEM:
            table = {"keep": sorted(CODEBOOK.items[item].codes), **{v: k for k, v in USER_MISSING.items()}}
        if forget_a_code and item == REVERSED_ITEM:
            table.pop(max(CODEBOOK.items[item].codes))
        recode[item] = table
    return {"variables": column_names(), "recode": recode, "ignore": list(EXTRA_COLUMNS)}


def write_standin(folder: Path, name: str, suffix: str = ".sav") -> tuple[Path, Path, Path]:
    """Write the stand-in as ``<name><suffix>`` with its mapping ``<name>.yml`` and a bad mapping
    ``<name>-bad.yml`` (a forgotten code) into ``folder``; return the three paths."""
    frame = standin_frame()
    data = folder / f"{name}{suffix}"
    items = [column_names()[item] for item in CODEBOOK.items]
    if suffix == ".sav":
        labels = {column_names()[item]: file_labels(item) for item in CODEBOOK.items}
        pyreadstat.write_sav(frame, str(data), variable_value_labels=labels,
                             missing_ranges={column: list(USER_MISSING.values()) for column in items})
    elif suffix == ".dta":
        pyreadstat.write_dta(frame, str(data))
    elif suffix == ".tab":
        frame.to_csv(data, sep="\t", index=False)
    else:
        raise ValueError(f"no stand-in writer for {suffix!r}")
    good, bad = folder / f"{name}.yml", folder / f"{name}-bad.yml"
    good.write_text(yaml.safe_dump(mapping(), sort_keys=False), encoding="utf-8")
    bad.write_text(yaml.safe_dump(mapping(forget_a_code=True), sort_keys=False), encoding="utf-8")
    return data, good, bad
