"""What a build was made from: the codebook as readable tables, the fidelity check, the software.

The appendix documents the inputs of every number in the book. Its tables are generated here,
never typed, so that they cannot drift from what the analysis actually used:

* :func:`scale_table`, :func:`question_table` and :func:`subgroup_table` -- the codebook
  (``data/codebook.yml``) as tables: answer scales and how they collapse to the k options of the
  consensus baseline, the questions with their paraphrased wording and counted answer, and the
  subgroups with their definitions written out in words from the coded conditions;
* :func:`fidelity_for_readers` -- :func:`social_licence.study.fidelity.fidelity_table` formatted for
  readers (published figure, recomputed value, rounding interval, whether it rounds back);
* :func:`pinned_versions` and :func:`software_versions` -- the versions of Python and the key
  packages in the running environment beside the pins of ``requirements.txt``;
* :func:`reference_case_counts` -- how many reference values from R's ``survey`` package the tests
  compare against (``tests/reference/``);

Python is reported to the minor version (``3.11``) only: the pins are resolved for a minor
version, and a patch release would otherwise change the stored notebook output (nbval's baseline)
without changing any result.
"""
from __future__ import annotations

import platform
import re
from importlib import metadata
from pathlib import Path

import pandas as pd

from social_licence.report.display import WITHHELD
from social_licence.study.codebook import Codebook, Condition, load_codebook
from social_licence.study.paths import PROJECT_ROOT
from social_licence.study.published import COMPOSITION, load_published

REQUIREMENTS_PATH = PROJECT_ROOT / "requirements.txt"
REFERENCE_DIR = PROJECT_ROOT / "tests" / "reference"
#: the R script's input (a synthetic test fixture), not a file of reference values
REFERENCE_FIXTURE = "survey_fixture.csv"

#: the packages whose versions the appendix reports (distribution names), in reading order:
#: the project's own library, the numerical stack, the book and test tools, the file readers
KEY_PACKAGES = (
    "social-licence", "numpy", "pandas", "scipy", "statsmodels", "matplotlib", "seaborn",
    "jupyter-book", "myst-nb", "sphinx", "sphinxcontrib-bibtex", "nbval", "pytest", "hypothesis",
    "pyreadstat", "pyarrow", "pyyaml",
)

#: readers' column headings for the tables of this module (rename before display)
HEADINGS = {
    "scale": "Scale", "answers": "Answers (codes)", "missing": "Left out of the base",
    "options": "Collapsed options (codes)", "k": "k",
    "number": "No.", "block": "Block", "label": "Question", "wording": "Wording (paraphrase)",
    "answer_scale": "Answer scale", "counted": "Counted answer",
    "subgroup": "Key", "group": "Group", "definition": "Definition", "figures": "Published figures",
    "software": "Software", "installed": "This build", "pinned": "requirements.txt", "matches": "Matches pin",
}

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)\s*$")


def normalise_name(name: str) -> str:
    """A distribution name in its canonical form (PEP 503: lower case, runs of -_. become -)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _codes_in_words(codes, labels) -> str:
    """'Strongly agree (1), Agree (2)' for the given codes of a scale."""
    return ", ".join(f"{labels[code]} ({code})" for code in codes)


def scale_table(codebook: Codebook | None = None) -> pd.DataFrame:
    """One row per answer scale: its answers with codes, missing codes, collapse and k.

    ``options`` writes the collapse as e.g. ``agree = 1, 2; neither = 3; disagree = 4, 5``; ``k``
    is the number of options the consensus baseline counts.
    """
    codebook = codebook or load_codebook()
    rows = []
    for scale in codebook.scales.values():
        rows.append({
            "scale": scale.key,
            "answers": _codes_in_words(scale.codes, scale.codes),
            "missing": _codes_in_words(scale.missing, scale.missing),
            "options": "; ".join(f"{option} = {', '.join(map(str, codes))}" for option, codes in scale.collapse.items()),
            "k": scale.k,
        })
    return pd.DataFrame(rows)


def _answer_scale(labels: dict) -> str:
    """'Yes / No' for two answers, 'Strongly agree … Strongly disagree (5 points)' for more."""
    words = list(labels.values())
    return " / ".join(words) if len(words) <= 2 else f"{words[0]} … {words[-1]} ({len(words)} points)"


def question_table(codebook: Codebook | None = None) -> pd.DataFrame:
    """One row per survey question, in codebook order.

    Columns: ``number`` (1, 2, ...), ``item`` (key), ``block`` (the block's description),
    ``label``, ``wording`` (the project's paraphrase, not the questionnaire's text), ``scale`` (the
    scale key), ``answer_scale`` (its answers in short), ``k``, ``counted`` (the collapsed answer
    the published figures count, with its codes, e.g. ``agree (1, 2)``).
    """
    codebook = codebook or load_codebook()
    rows = []
    for number, item in enumerate(codebook.items.values(), start=1):
        rows.append({
            "number": number, "item": item.key, "block": codebook.blocks[item.block], "label": item.label,
            "wording": item.wording, "scale": item.scale.key, "answer_scale": _answer_scale(dict(item.codes)),
            "k": item.k, "counted": f"{item.counted} ({', '.join(map(str, item.counted_codes))})",
        })
    return pd.DataFrame(rows)


def condition_in_words(condition: Condition, codebook: Codebook) -> str:
    """A membership condition as a sentence fragment, e.g. 'Parent's sex is “Female (mother)”'."""
    variable = codebook.variables[condition.variable]
    answers = [f"“{variable.codes[code]}”" for code in condition.codes]
    listed = answers[0] if len(answers) == 1 else ", ".join(answers[:-1]) + " or " + answers[-1]
    return f"{variable.label} is {listed}"


def subgroup_definition(key: str, codebook: Codebook | None = None) -> str:
    """The definition of subgroup ``key`` in words, generated from its coded conditions.

    One condition gives one sentence; several are joined as 'Any one of: ...' (``combine: any``)
    or 'All of: ...' (``combine: all``), so the text always says which rule the build used.
    """
    codebook = codebook or load_codebook()
    group = codebook.subgroups[key]
    parts = [condition_in_words(condition, codebook) for condition in group.conditions]
    if len(parts) == 1:
        return parts[0] + "."
    lead = "Any one of" if group.combine == "any" else "All of"
    return f"{lead}: " + "; ".join(parts) + "."


def subgroup_table(codebook: Codebook | None = None, published: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per subgroup, in codebook order: key, label, definition in words, rule, figures.

    ``figures`` counts the published figures that use the group: as the group an attitude figure
    describes, or as the share of the sample a composition figure reports. ``combine`` is the
    codebook's rule (``any`` or ``all``); ``note`` its note (empty when it has none).
    """
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    composition = published["measure"] == COMPOSITION
    rows = []
    for number, (key, group) in enumerate(codebook.subgroups.items(), start=1):
        used = (published["group"] == key) | (composition & (published["item"] == key))
        rows.append({"number": number, "subgroup": key, "group": group.label,
                     "definition": subgroup_definition(key, codebook), "combine": group.combine,
                     "figures": int(used.sum()), "note": " ".join((group.note or "").split())})
    return pd.DataFrame(rows)


def _figure_label(measure: str, item: str, codebook: Codebook) -> str:
    """What a published figure is about: a question's label, or 'Share of sample: <group>'."""
    if measure == COMPOSITION:
        return f"Share of sample: {codebook.subgroups[item].label}"
    return codebook.items[item].label


def _bound(value: float, decimals: int) -> str:
    return f"{value:.{decimals}f}"


def fidelity_for_readers(table: pd.DataFrame, codebook: Codebook | None = None,
                         published: pd.DataFrame | None = None, symbol: str = WITHHELD) -> pd.DataFrame:
    """Format :func:`social_licence.study.fidelity.fidelity_table` output as strings for a reader.

    Columns: figure id, what the figure is about, the group, the published percentage, the
    recomputed one to two decimals more than the published figure carries, the rounding interval
    ``[low, high)`` the published figure stands for, whether the estimate rounds back to it, and
    the unweighted base. A figure the disclosure rules withhold (estimate empty) shows ``symbol``.
    """
    codebook = codebook or load_codebook()
    published = load_published(codebook=codebook) if published is None else published
    decimals = published.set_index("figure_id")["decimals"].reindex(table["figure_id"]).to_numpy()
    if pd.isna(decimals).any():
        unknown = table["figure_id"][pd.isna(decimals)].tolist()
        raise ValueError(f"fidelity_for_readers: {len(unknown)} figure id(s) not among the published figures: {unknown[:5]}")
    decimals = decimals.astype(int)
    return pd.DataFrame({
        "Figure": table["figure_id"].to_numpy(),
        "About": [_figure_label(m, i, codebook) for m, i in zip(table["measure"], table["item"])],
        "Group": [codebook.name_of(g) for g in table["group"]],
        "Published %": [f"{p:g}" for p in table["published"]],
        "Recomputed %": [symbol if pd.isna(e) else f"{e:.{d + 2}f}" for e, d in zip(table["estimate"], decimals)],
        "Rounding interval": [f"[{_bound(lo, d + 1)}, {_bound(hi, d + 1)})"
                              for lo, hi, d in zip(table["low"], table["high"], decimals)],
        "Rounds back": [symbol if pd.isna(ok) else "yes" if ok else "no" for ok in table["within_rounding_interval"]],
        "n": [str(int(n)) for n in table["n"]],
    })


def recoding_for_readers(audit: pd.DataFrame) -> pd.DataFrame:
    """:attr:`social_licence.study.loader.SurveyData.recoding` as strings for a reader.

    One row per variable and file value: the variable, its file column, the file's value and label,
    the codebook code and label it became, and how many rows hold it (blank cells shown as a dash).
    """
    def shown(value) -> str:
        """A code or file value as written (a whole number without the ".0" a float column adds)."""
        if value is None or pd.isna(value):
            return WITHHELD
        return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)

    return pd.DataFrame({
        "Variable": audit["variable"], "File column": "`" + audit["file_column"] + "`",
        "File value": [shown(v) for v in audit["file_value"]], "File label": audit["file_label"],
        "Code": [shown(v) for v in audit["code"]], "Codebook label": audit["codebook_label"],
        "Rows": [str(int(n)) for n in audit["rows"]],
    })


def pinned_versions(path: str | Path = REQUIREMENTS_PATH) -> dict[str, str]:
    """Canonical package name -> pinned version for every ``name==version`` line of a requirements file.

    Blank lines and ``#`` comments are skipped; any other line (a range, an option, a URL) raises
    ``ValueError`` naming it, because the project pins every package exactly.
    """
    pins = {}
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        match = _PIN.match(text)
        if match is None:
            raise ValueError(f"{Path(path).name} line {number}: {line.strip()!r} is not an exact pin (name==version)")
        pins[normalise_name(match.group(1))] = match.group(2)
    return pins


def installed_version(package: str) -> str | None:
    """The installed version of a distribution, or None if it is not installed."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def software_versions(packages: tuple[str, ...] = KEY_PACKAGES, pins: dict[str, str] | None = None) -> pd.DataFrame:
    """Python and the key packages: the version in this environment beside its pin.

    Columns ``software``, ``installed`` (missing if not installed), ``pinned`` (missing if
    ``requirements.txt`` does not pin it: Python itself, and this project's own library, installed
    editable) and ``matches`` (nullable boolean, missing where there is no pin). Python is given as
    ``major.minor`` (see the module docstring). ``pins`` defaults to :func:`pinned_versions`.
    """
    pins = pinned_versions() if pins is None else {normalise_name(k): v for k, v in pins.items()}
    rows = [(f"Python ({platform.python_implementation()})", ".".join(platform.python_version_tuple()[:2]), None)]
    rows += [(package, installed_version(package), pins.get(normalise_name(package))) for package in packages]
    return pd.DataFrame({
        "software": [software for software, _, _ in rows],
        "installed": [installed for _, installed, _ in rows],
        "pinned": [pin for _, _, pin in rows],
        "matches": pd.array([None if pin is None else installed == pin for _, installed, pin in rows], dtype="boolean"),
    })


def versions_for_readers(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`software_versions` as strings: a dash where there is no pin, 'not installed' if absent."""
    return pd.DataFrame({
        HEADINGS["software"]: table["software"],
        HEADINGS["installed"]: ["not installed" if pd.isna(v) else v for v in table["installed"]],
        HEADINGS["pinned"]: [WITHHELD if pd.isna(v) else v for v in table["pinned"]],
        HEADINGS["matches"]: [WITHHELD if pd.isna(m) else ("yes" if m else "no") for m in table["matches"]],
    })


def reference_case_counts(folder: str | Path = REFERENCE_DIR) -> dict[str, int]:
    """Path (relative to ``folder``) -> number of rows for each CSV of reference values written by
    ``make_reference.R``, in ``folder`` and its subfolders (the survey core's designs sit in one).

    The fixture the R script reads (:data:`REFERENCE_FIXTURE`) is not a reference file and is left
    out. Files are listed in path order.
    """
    folder = Path(folder)
    files = sorted(path for path in folder.rglob("*.csv") if path.name != REFERENCE_FIXTURE)
    return {path.relative_to(folder).as_posix(): len(pd.read_csv(path)) for path in files}
