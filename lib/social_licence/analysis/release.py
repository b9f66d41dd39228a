"""Disclosure control of the numbers a build computes from its respondent file: what it may release.

Every number the book computes from a respondent file rests on a *cell*, the respondents behind
it, named by an id:

``figure/<figure_id>``
    a published figure recomputed from the file: a weighted share, over an unweighted base, of the
    respondents giving the counted answer (a composition figure is an unweighted share of the
    sample, a count in all but name, so it is released as its group's size is);
``size/<group>``
    the respondents in a group (``size/all``: the file's rows, public when they are the 843 the
    paper reports);
``number/<name>``
    a number of :data:`social_licence.analysis.files.NUMBERS` (an estimate, a count, or a statistic
    such as a design effect or a test, checked on the respondents behind it);
``recoding/<variable>/<file value>``
    a row count of the recoding audit (a build from the archived file only).

:func:`cell_checks` decides for each cell, under the rules in force (:func:`rules_in_force`:
``data/disclosure_rules.yml``, or the file ``SOCIAL_LICENCE_RULES`` names), whether its values may
be released as computed (``pass``), only rounded (``rounded``: counts) or not at all
(``suppressed``), with :mod:`social_licence.survey.disclosure`. Counts are bound by totals: two
groups that split the sample (mothers and fathers) add up to its size, and a variable's recoding
rows to the file's rows, so a suppressed count is protected from them by secondary suppression; a
group nested in another whose size differs from it by fewer than the threshold is withheld
(differencing). Weighted shares are bound by no released total (no weighted total is released), so
their checks are the primary rules only.

A build from the archived file *applies* the checks (:attr:`Evidence.archived`): its tables show a
suppressed value as the rules' symbol and a rounded count with its mark
(:func:`released_figures`, :func:`released_sizes`), and a single number carries its
:class:`Release`. A synthetic file holds nothing about parents, so a synthetic build shows its
values; the same checks run, and the appendix reports what they would withhold
(:func:`withheld_summary`), so a researcher knows before applying for the file. Published and
derived numbers are public and never checked.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import pandas as pd

from social_licence.analysis.files import counts_behind
from social_licence.study.paths import DATA_DIR, project_path
from social_licence.study.published import COMPOSITION
from social_licence.study.recompute import figure_counts
from social_licence.survey.disclosure import (
    PASS,
    ROUNDED,
    SUPPRESSED,
    DisclosureRules,
    Relation,
    check_counts,
    check_estimates,
    differencing_pairs,
    load_rules,
    round_count,
    secondary_suppression,
)

#: the rules file of the build, and the variable that names another
RULES_PATH = DATA_DIR / "disclosure_rules.yml"
RULES_VARIABLE = "SOCIAL_LICENCE_RULES"
#: the sample size the paper reports: a file of exactly this many rows releases nothing by its size
PUBLISHED_ROWS = 843
#: the kinds of cell, by the prefix of their id, in the order the book reports them
CELLS = ("figure", "size", "number", "recoding")
#: the columns of :func:`cell_checks`, indexed by cell id
COLUMNS = ["kind", "n", "n_counted", "n_eff", "rule", "result", "released"]
#: numbers of the appendix computed over every figure of the file: statistics of all its rows
FILE_STATISTICS = ("fidelity_met", "fidelity_gap")
#: the file numbers that are a group's size, released as the group's size is
SIZE_NUMBERS = {"young_count": "age_18_29", "higher_count": "higher_occupation_qualification_income"}
#: columns of an estimate's table that are (or nearly are) unweighted counts: rounded or emptied on
#: an applied build, so that no exact count leaves it
COUNT_COLUMNS = ("n_missing", "weighted_n", "n_eff")
ESTIMATE_COLUMNS = ("estimate", "se", "ci_low", "ci_high", "deff")


def rules_in_force(environ: dict[str, str] | None = None) -> DisclosureRules:
    """The rules of ``data/disclosure_rules.yml``, or of the file ``SOCIAL_LICENCE_RULES`` names
    (relative to the repository root); a bad file is refused naming the key."""
    environ = os.environ if environ is None else environ
    named = environ.get(RULES_VARIABLE)
    return load_rules(project_path(named) if named else RULES_PATH)


@dataclass(frozen=True)
class Release:
    """What the rules decided for one released number: its ``cell``, the ``rule`` that decided and
    the ``result``; ``applied`` when the build withholds or rounds by it (the archived file), and
    the rules' ``symbol`` and ``mark`` by which a page shows a suppressed value and a rounded count;
    ``released``, a count as the rules release it (rounded), else None."""

    cell: str
    rule: str
    result: str
    applied: bool
    symbol: str
    mark: str
    released: int | None = None

    @property
    def withheld(self) -> bool:
        return self.applied and self.result == SUPPRESSED

    @property
    def rounded(self) -> bool:
        return self.applied and self.result == ROUNDED

    def as_record(self) -> dict:
        """The fields a page's record of numbers carries for the output checker."""
        return decisions([self.cell], [self.rule], [self.result], self.applied)[0]


def decisions(cells, rules, results, applied: bool) -> list[dict]:
    """What the rules decided for each of several cells, as a page's records carry it: ``cell``,
    ``rule``, ``result`` and ``applied`` (the build withholds and rounds by it)."""
    return [{"cell": cell, "rule": rule, "result": result, "applied": bool(applied)}
            for cell, rule, result in zip(cells, rules, results)]


def _estimates(counts: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """Primary checks of estimates from their ``n``, ``n_counted`` and ``n_eff``."""
    effective = counts["n_eff"] if rules.min_effective_n is not None else None
    found = check_estimates(counts["n_counted"].astype("int64"), counts["n"].astype("int64"), rules,
                            effective_n=effective)
    return counts.assign(rule=found["rule"], result=found["result"], released=pd.NA)


def _statistics(counts: pd.DataFrame, rules: DisclosureRules) -> pd.DataFrame:
    """Checks of statistics (no numerator): released when the respondents behind them reach the threshold."""
    small = counts["n"] < rules.safe_threshold
    return counts.assign(rule=np.where(small, "min_count_denominator", "none"),
                         result=np.where(small, SUPPRESSED, PASS), released=pd.NA)


def _splits(members: pd.DataFrame) -> list[tuple[str, str]]:
    """Pairs of groups that split the file's rows between them (disjoint, together every row)."""
    matrix = members.to_numpy(dtype=np.int64)
    overlap = matrix.T @ matrix
    sizes = np.diag(overlap)
    rows = len(members)
    return [(members.columns[i], members.columns[j]) for i in range(len(sizes)) for j in range(i + 1, len(sizes))
            if overlap[i, j] == 0 and sizes[i] + sizes[j] == rows]


def size_checks(evidence) -> pd.DataFrame:
    """The checks of every group's size in the file (``size/<group>``) and of its rows (``size/all``).

    A size is a count: suppressed below the threshold, else rounded. The file's rows are public
    when they are the published 843. Of two nested groups whose sizes differ by fewer than the
    threshold, one is withheld (``differencing``); then, where two groups split the sample, a
    suppressed size is protected from the other and the total (``secondary``).
    """
    data, codebook, rules = evidence.data, evidence.codebook, evidence.rules
    groups = list(codebook.subgroups)
    members = data[groups].astype(bool)
    counts = members.sum().astype("int64")
    checked = check_counts(counts, rules)
    public = len(data) == PUBLISHED_ROWS
    total = (pd.DataFrame({"unweighted_base": [len(data)], "rule": ["none"], "result": [PASS],
                           "released": pd.array([len(data)], dtype="Int64")}, index=["all"]) if public
             else check_counts(pd.Series([len(data)], index=["all"]), rules))
    checked = pd.concat([checked, total])
    withheld = checked["result"] == SUPPRESSED
    differencing = differencing_pairs(members.assign(all=True), rules)
    by_difference = withheld.index.isin(differencing["suppress"]) & ~withheld
    withheld |= by_difference
    relations = [Relation(pair, total=None if public else "all") for pair in _splits(members)]
    sizes = pd.concat([counts, pd.Series([len(data)], index=["all"])])
    protected = secondary_suppression(sizes, withheld, relations, rules)
    rule = np.select([by_difference, protected["rule"] == "secondary"], ["differencing", "secondary"],
                     default=checked["rule"])
    result = np.where(protected["suppressed"], SUPPRESSED, checked["result"])
    released = checked["released"].where(~protected["suppressed"], pd.NA)
    return pd.DataFrame({"kind": "count", "n": sizes.to_numpy(), "n_counted": pd.NA, "n_eff": np.nan,
                         "rule": rule, "result": result, "released": released.to_numpy()},
                        index=[f"size/{group}" for group in sizes.index])


def figure_checks(evidence, sizes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The checks of every published figure recomputed from the file (``figure/<figure_id>``).

    An attitude figure is a weighted share: its base, its counted answer and (by default) the rest
    of its base must each reach the threshold (and its effective size the rules' minimum). A
    composition figure is an unweighted share of the sample, which with the sample's size gives
    its group's count: it takes its group's size check (``sizes``, :func:`size_checks`).
    """
    sizes = size_checks(evidence) if sizes is None else sizes
    published = evidence.published
    counts = figure_counts(evidence.data, published, evidence.codebook,
                           dont_know_in_base=evidence.assumptions.dont_know_in_base)
    counts = counts.assign(kind="estimate", n_counted=counts["n_counted"].astype("Int64"))
    composition = published.set_index("figure_id")["measure"] == COMPOSITION
    attitudes = _estimates(counts[~composition.loc[counts.index].to_numpy()], evidence.rules)
    shares = counts[composition.loc[counts.index].to_numpy()]
    groups = published.set_index("figure_id").loc[shares.index, "item"]
    of_group = sizes.loc[[f"size/{g}" for g in groups]]
    shares = shares.assign(kind="share of sample", rule=of_group["rule"].to_numpy(),
                           result=of_group["result"].to_numpy(), released=of_group["released"].to_numpy())
    checks = pd.concat([attitudes, shares]).loc[counts.index]
    checks.index = [f"figure/{figure}" for figure in checks.index]
    return checks[COLUMNS]


def number_checks(evidence, sizes: pd.DataFrame | None = None) -> pd.DataFrame:
    """The checks of the file numbers of :data:`social_licence.analysis.files.NUMBERS` and
    :data:`FILE_STATISTICS` (``number/<name>``): estimates as figures are, counts of a group as its
    size, statistics on the respondents behind them."""
    sizes = size_checks(evidence) if sizes is None else sizes
    behind = counts_behind(evidence.survey, evidence.codebook, evidence.published,
                           dont_know_in_base=evidence.assumptions.dont_know_in_base)
    parts = [_estimates(behind[behind["kind"] == "estimate"], evidence.rules),
             _statistics(behind[behind["kind"] == "statistic"], evidence.rules)]
    rows = len(evidence.data)
    parts.append(_statistics(pd.DataFrame({"kind": "statistic", "n": rows, "n_counted": pd.NA, "n_eff": np.nan},
                                          index=list(FILE_STATISTICS)), evidence.rules))
    counted = behind[behind["kind"] == "count"]
    of_group = sizes.loc[[f"size/{SIZE_NUMBERS[name]}" for name in counted.index]]
    parts.append(counted.assign(rule=of_group["rule"].to_numpy(), result=of_group["result"].to_numpy(),
                                released=of_group["released"].to_numpy()))
    checks = pd.concat(parts).loc[[*behind.index, *FILE_STATISTICS]]
    checks.index = [f"number/{name}" for name in checks.index]
    return checks[COLUMNS]


def recoding_checks(evidence) -> pd.DataFrame:
    """The checks of the recoding audit's row counts (``recoding/<variable>/<file value>``).

    Each count is suppressed below the threshold or rounded; a variable's rows add up to the file's
    rows, so a suppressed row is protected from the others (secondary suppression). Empty for a
    synthetic file, which is not recoded.
    """
    audit, rules = evidence.survey.recoding, evidence.rules
    if audit.empty:
        return pd.DataFrame(columns=COLUMNS)
    cells = [f"recoding/{variable}/{value}" for variable, value in zip(audit["variable"], audit["file_value"])]
    counts = pd.Series(audit["rows"].astype("int64").to_numpy(), index=cells)
    checked = check_counts(counts, rules)
    public = len(evidence.data) == PUBLISHED_ROWS
    relations = [Relation(tuple(np.array(cells)[(audit["variable"] == variable).to_numpy()]), total=None)
                 for variable in audit["variable"].unique()] if public else []
    protected = secondary_suppression(counts, checked["result"] == SUPPRESSED, relations, rules)
    return pd.DataFrame({"kind": "count", "n": counts.to_numpy(), "n_counted": pd.NA, "n_eff": np.nan,
                         "rule": np.where(protected["rule"] == "secondary", "secondary", checked["rule"]),
                         "result": np.where(protected["suppressed"], SUPPRESSED, checked["result"]),
                         "released": checked["released"].where(~protected["suppressed"], pd.NA).to_numpy()},
                        index=cells)


def cell_checks(evidence) -> pd.DataFrame:
    """Every cell of the build (figures, group sizes, file numbers, recoding rows) with the rules'
    decision: ``kind``, ``n`` (the unweighted base or count), ``n_counted`` (an estimate's
    numerator), ``n_eff``, ``rule``, ``result`` and ``released`` (a count as released, rounded)."""
    sizes = size_checks(evidence)
    return pd.concat([figure_checks(evidence, sizes), sizes, number_checks(evidence, sizes),
                      recoding_checks(evidence)])[COLUMNS]


def check_of(checks: pd.DataFrame, cell: str, evidence) -> Release:
    """The :class:`Release` of one cell of ``checks`` (:func:`cell_checks` or one of its parts)."""
    if cell not in checks.index:
        raise KeyError(f"no disclosure check for cell {cell!r} among {len(checks)} cells")
    row = checks.loc[cell]
    return Release(cell, str(row["rule"]), str(row["result"]), evidence.archived, evidence.rules.suppressed_symbol,
                   evidence.rules.rounded_mark, None if pd.isna(row["released"]) else int(row["released"]))


def released_value(value, release: Release):
    """A number as the build may release it: None if withheld, a count rounded if the rules round
    it, else ``value`` (on a synthetic build always ``value``)."""
    if release.withheld:
        return None
    return release.released if release.rounded else value


def released_figures(estimates: pd.DataFrame, evidence, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Figures recomputed from the file (:func:`social_licence.study.recompute.estimate_figures`)
    as the build may release them, with what the rules decided.

    Adds ``cell``, ``rule`` and ``result`` (the figure's check) and ``withheld``; on a build from
    the archived file a withheld figure's estimate, interval and design effect are emptied, its
    base ``n`` is rounded as a count is (never suppressed: it is the base, not the cell, that the
    table shows), and the columns that are counts in all but name (:data:`COUNT_COLUMNS`) are
    emptied; a composition figure's share is its group's rounded size over the file's rows. On a
    synthetic build nothing changes but the added columns.
    """
    checks = figure_checks(evidence) if checks is None else checks
    cells = [f"figure/{figure}" for figure in estimates["figure_id"]]
    found = checks.loc[cells]
    applied = evidence.archived
    out = estimates.assign(cell=cells, rule=found["rule"].to_numpy(), result=found["result"].to_numpy(),
                           withheld=applied & (found["result"] == SUPPRESSED).to_numpy())
    if not applied:
        return out
    for column in ESTIMATE_COLUMNS:
        out[column] = out[column].where(~out["withheld"], np.nan)
    shares = (out["measure"] == COMPOSITION).to_numpy() & ~out["withheld"].to_numpy()
    rows = len(evidence.data)
    out.loc[shares, "estimate"] = [float(released) / rows for released in found.loc[shares, "released"]]
    rules = evidence.rules
    out["n"] = [round_count(n, rules.safe_round_base) for n in out["n"]]
    for column in COUNT_COLUMNS:
        out[column] = np.nan
    return out


def released_sizes(evidence, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every group's size (the subgroups and ``"all"``, indexed by group) as the build may release
    it: ``cell``, ``count`` (exact on a synthetic build; rounded, or empty when withheld, on a build
    from the archived file), ``rule`` and ``result``."""
    checks = size_checks(evidence) if checks is None else checks
    found = checks[checks.index.str.startswith("size/")]
    groups = [cell.removeprefix("size/") for cell in found.index]
    count = found["released"] if evidence.archived else found["n"]
    return pd.DataFrame({"cell": found.index, "count": pd.array(count, dtype="Int64"),
                         "rule": found["rule"].to_numpy(), "result": found["result"].to_numpy()},
                        index=pd.Index(groups, name="group"))


def released_fidelity(fidelity: pd.DataFrame, evidence, checks: pd.DataFrame | None = None) -> pd.DataFrame:
    """The fidelity check (:func:`social_licence.study.fidelity.fidelity_table`: every figure
    recomputed, in percent) as the build may release it, with each figure's ``cell``, ``rule`` and
    ``result``. On a build from the archived file a withheld figure's estimate and its rounding
    check are emptied, every base ``n`` is rounded (but the file's rows when they are the published
    843), and a composition figure's share is its group's
    rounded size over the file's rows; on a synthetic build nothing changes but the added columns.
    """
    checks = figure_checks(evidence) if checks is None else checks
    cells = [f"figure/{figure}" for figure in fidelity["figure_id"]]
    found = checks.loc[cells]
    out = fidelity.assign(cell=cells, rule=found["rule"].to_numpy(), result=found["result"].to_numpy())
    if not evidence.archived:
        return out
    withheld = (found["result"] == SUPPRESSED).to_numpy()
    shares = (out["measure"] == COMPOSITION).to_numpy() & ~withheld
    out["estimate"] = out["estimate"].where(~withheld, np.nan)
    out.loc[shares, "estimate"] = [100 * float(r) / len(evidence.data) for r in found.loc[shares, "released"]]
    out["rounded"] = out["rounded"].where(~withheld, np.nan)
    out["within_rounding_interval"] = out["within_rounding_interval"].astype("boolean").where(~withheld, pd.NA)
    public = len(evidence.data) == PUBLISHED_ROWS
    out["n"] = [n if public and n == PUBLISHED_ROWS else round_count(n, evidence.rules.safe_round_base)
                for n in out["n"]]
    return out


def withheld_summary(checks: pd.DataFrame) -> pd.DataFrame:
    """How many cells of each kind (:data:`CELLS`, by the prefix of their id; the kinds present)
    the rules pass, round and suppress: columns ``cells``, ``pass``, ``rounded``, ``suppressed``.
    On a synthetic build, what a build from a file like it would withhold."""
    kinds = pd.Series([cell.partition("/")[0] for cell in checks.index], index=checks.index, name="cells")
    table = pd.crosstab(kinds, checks["result"]).reindex(columns=[PASS, ROUNDED, SUPPRESSED], fill_value=0)
    return table.reindex([kind for kind in CELLS if kind in table.index]).rename_axis(columns=None).reset_index()
