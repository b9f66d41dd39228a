"""Comparing groups of parents along a demographic: merge small categories, estimate, test, show.

The study's social divisions run along categories of very different sizes. Ethnic group is the
plainest case: most parents are White British, while some minority groups hold only a handful of
respondents. A domain estimate for a handful of parents is mostly noise, a Rao-Scott test with a
near-empty cell leans on a chi-squared approximation that does not hold, and a category with no
respondents at all is not a group. So categories are merged into named groups *before* anything is
compared, the merge is stated in the code that makes it, and a group that is still too small is an
error rather than a footnote.

* :func:`collapse_categories` -- map the codes of a coded demographic to named groups; every
  substantive code goes to exactly one group, non-substantive codes (refused, ...) to the level
  :data:`NOT_STATED`; a named group with fewer than ``min_count`` respondents raises ``ValueError``;
* :func:`proportions_across` -- the share giving an item's counted answer in each group
  (:func:`social_licence.survey.proportions.proportion` with ``by``), the :data:`NOT_STATED` level
  included so that nobody is silently dropped;
* :func:`rao_scott_across` -- the Rao-Scott test that the share is the same in every named group
  (:func:`social_licence.survey.compare.rao_scott_test`), with parents whose group is not stated kept in
  the design but out of the base, as R's ``svychisq(~y + g, subset(design, g != "Not stated"))``
  does (domain estimation: Lumley 2010, sec. 2.2), and a check that each group has at least
  ``min_base`` valid answers.

References: Rao JNK, Scott AJ (1984) Ann Stat 12:46-60; Lumley T (2010) Complex Surveys, Wiley.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.survey.compare import rao_scott_test
from social_licence.survey.design import SurveyDesign, describe_values, require_columns
from social_licence.survey.proportions import proportion

#: the level given to respondents whose answer to the grouping variable is a non-substantive code
NOT_STATED = "Not stated"


def collapse_categories(data: pd.DataFrame, variable: str, groups: Mapping[str, Sequence[int]], *,
                        min_count: int = 30, codebook: Codebook | None = None) -> pd.Series:
    """Merge the codes of ``variable`` into the named ``groups``, refusing groups that are too small.

    ``groups`` maps each group's label to the codebook codes it gathers, e.g.
    ``{"White British": [1], "Other ethnic groups": [2, 3, 4, 5, 6]}``; its order is the order of
    the result's categories. Every substantive code of the variable must be in exactly one group;
    its non-substantive codes (refused, don't know) must not be in any and become
    :data:`NOT_STATED`, which comes last.

    Returns a categorical Series (index of ``data``, name ``f"{variable}_group"``).

    Raises ``ValueError`` naming the variable and the offending codes, groups or counts when: the
    variable is not a coded demographic or item of the codebook, or not a column; a code is
    unknown, repeated, non-substantive or left out; a label is empty, repeated or equal to
    :data:`NOT_STATED`; ``data`` holds a value the codebook does not know; or a named group has
    fewer than ``min_count`` respondents (an empty group included) -- merge it with another.
    """
    codebook = codebook or load_codebook()
    require_columns(data, [variable], "grouping variable")
    try:
        codes, missing = codebook.valid_codes(variable)
    except KeyError as error:
        raise ValueError(f"{variable!r} is not a coded variable of the codebook; it cannot be grouped "
                         f"({len(data)} rows)") from error
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count={min_count!r} must be a positive integer")
    labels = list(groups)
    bad_labels = [label for label in labels if not isinstance(label, str) or not label.strip() or label == NOT_STATED]
    if not labels or bad_labels:
        raise ValueError(f"groups for {variable!r} need non-empty string labels other than {NOT_STATED!r}; "
                         f"got {describe_values(bad_labels) if labels else 'no groups'}")
    assigned = [code for label in labels for code in groups[label]]
    problems = {
        "unknown": sorted({c for c in assigned if c not in codes and c not in missing}),
        "non-substantive (they become 'Not stated')": sorted({c for c in assigned if c in missing}),
        "in more than one group": sorted({c for c in assigned if assigned.count(c) > 1}),
        "in no group": sorted(set(codes) - set(assigned)),
    }
    problems = {what: found for what, found in problems.items() if found}
    if problems:
        detail = "; ".join(f"{what}: {describe_values(found)}" for what, found in problems.items())
        raise ValueError(f"groups for {variable!r} must place each substantive code ({sorted(codes)}) in "
                         f"exactly one group; codes {detail}")
    values = data[variable]
    unknown = ~values.isin(list(codes) + list(missing))
    if unknown.any():
        raise ValueError(f"column {variable!r} holds value(s) {describe_values(pd.unique(values[unknown]))} "
                         f"that the codebook does not list ({int(unknown.sum())} of {len(data)} rows)")
    lookup = {code: label for label in labels for code in groups[label]}
    lookup.update({code: NOT_STATED for code in missing})
    result = pd.Series(pd.Categorical(values.map(lookup), categories=[*labels, NOT_STATED]),
                       index=data.index, name=f"{variable}_group")
    counts = result.value_counts().reindex(labels)
    small = counts[counts < min_count]
    if len(small):
        listed = ", ".join(f"{label!r} ({int(count)})" for label, count in small.items())
        raise ValueError(f"groups of {variable!r} with fewer than {min_count} respondents: {listed} of "
                         f"{len(data)} rows; merge them with other groups")
    return result


def _grouped_design(data: pd.DataFrame, grouping: pd.Series, codebook: Codebook) -> SurveyDesign:
    """A weights design over ``data`` with ``grouping`` (aligned on the index) as a column."""
    if not isinstance(grouping, pd.Series) or grouping.name is None:
        raise ValueError("grouping must be a named Series, as collapse_categories returns")
    if grouping.name in data.columns:
        raise ValueError(f"grouping name {grouping.name!r} is already a column of the data ({len(data)} rows)")
    if not grouping.index.equals(data.index):
        raise ValueError(f"grouping {grouping.name!r} ({len(grouping)} rows) is not indexed like the data "
                         f"({len(data)} rows)")
    if grouping.isna().any():
        raise ValueError(f"grouping {grouping.name!r} has {int(grouping.isna().sum())} missing value(s) of "
                         f"{len(grouping)} rows; use collapse_categories, which gives them a level")
    return SurveyDesign(data.assign(**{grouping.name: grouping}), weights=codebook.weight_variable)


def _item(item: str, codebook: Codebook):
    if item not in codebook.items:
        raise ValueError(f"{item!r} is not a question of the codebook (questions: "
                         f"{describe_values(list(codebook.items), limit=6)})")
    return codebook.items[item]


def proportions_across(data: pd.DataFrame, item: str, grouping: pd.Series, *, method: str = "beta",
                       level: float = 0.95, codebook: Codebook | None = None) -> pd.DataFrame:
    """Weighted share giving the counted answer to ``item`` in each level of ``grouping``.

    ``grouping`` is a Series from :func:`collapse_categories` on the same ``data``. The result is
    :func:`social_licence.survey.proportions.proportion`'s output (by column ``grouping.name``, one row
    per observed level in category order, :data:`NOT_STATED` included when it occurs), with the
    item's don't know and refused answers left out of each base, plus ``item``, ``item_label``
    and ``threshold`` (the consensus baseline 1.5/k of the item).
    """
    codebook = codebook or load_codebook()
    question = _item(item, codebook)
    design = _grouped_design(data, grouping, codebook)
    table = proportion(design, item, list(question.counted_codes), by=grouping.name, method=method,
                       level=level, missing_values=codebook.missing_codes(item))
    return table.assign(item=item, item_label=question.label, threshold=1.5 / question.k)


def rao_scott_across(data: pd.DataFrame, item: str, grouping: pd.Series, *, min_base: int = 30,
                     codebook: Codebook | None = None) -> pd.DataFrame:
    """Rao-Scott test that the share giving ``item``'s counted answer is equal across the groups.

    Tests the named groups of ``grouping`` (from :func:`collapse_categories`); respondents whose
    group is :data:`NOT_STATED` stay in the design but leave the base, so the test is R's
    ``svychisq(~y + g, subset(d, valid answer & g != "Not stated"), statistic = "F")``.

    Returns :func:`social_licence.survey.compare.rao_scott_test`'s one-row frame (``statistic``, ``ndf``,
    ``ddf``, ``p_value``, ``chisq``, ``n``, ``n_groups``; ``by`` is the grouping's name) with
    ``item_label``, ``n_not_stated`` (respondents left out because their group is not stated) and
    ``min_group_base`` (the smallest group's number of valid answers).

    Raises ``ValueError`` if a named group has fewer than ``min_base`` valid answers to the item,
    fewer than two named groups occur, and for the errors of ``rao_scott_test``.
    """
    codebook = codebook or load_codebook()
    question = _item(item, codebook)
    name = grouping.name
    _grouped_design(data, grouping, codebook)  # validates the grouping before it is changed below
    not_stated = (grouping == NOT_STATED).to_numpy()
    named = [g for g in grouping.cat.categories if g != NOT_STATED and (grouping == g).any()]
    if len(named) < 2:
        raise ValueError(f"grouping {name!r} has {len(named)} named group(s) in {len(data)} rows; "
                         f"a test needs at least two")
    # Parents whose group is not stated join the first named group with their answer set missing:
    # they keep their place in the design (its df and variance) but are outside every base.
    working = data.assign(**{item: data[item].where(~not_stated, np.nan)})
    grouped = grouping.cat.remove_categories([NOT_STATED]).fillna(named[0]) if not_stated.any() else grouping
    grouped = grouped.cat.remove_unused_categories()
    missing = codebook.missing_codes(item)
    valid = working[item].notna() & ~working[item].isin(missing)
    bases = valid.groupby(grouped.to_numpy(), observed=True).sum().reindex(named)
    small = bases[bases < min_base]
    if len(small):
        listed = ", ".join(f"{label!r} ({int(count)})" for label, count in small.items())
        raise ValueError(f"item {item!r}: group(s) of {name!r} with fewer than {min_base} valid answers: "
                         f"{listed} of {len(data)} rows; merge them with other groups")
    design = _grouped_design(working, grouped.rename(name), codebook)
    result = rao_scott_test(design, item, list(question.counted_codes), by=name, missing_values=missing)
    return result.assign(item_label=question.label, n_not_stated=int(not_stated.sum()),
                         min_group_base=int(bases.min()))
