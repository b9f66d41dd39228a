"""A block of published figures as the chapters show it: the derived table first, the file beside it.

For a set of questions and groups (the paper's Table 2, say), :func:`publish_block` glues two
tables in the paper's layout (:func:`social_licence.report.tables.paper_table`):

``<name>``
    the published percentages with their intervals derived from the printed group sizes at the
    upper design effect of :data:`social_licence.report.derived.DEFF_RANGE`, and the verdicts
    (a ``†`` marks a verdict that differs at the lower design effect, a ``‡`` one that differs with
    the printed figure at either end of its rounding interval);
``<name>-file``
    the same figures recomputed from the build's respondent file, with the file's intervals and
    verdicts and its numbers of respondents (placed by the chapter in a collapsed block).

Each comes with a CSV download of its figures in long form. The higher occupation, qualification
or income group is shown under the codebook's reading, and :func:`higher_group_note` states in the
caption what its figures would carry under the other reading.
"""
from __future__ import annotations

import pandas as pd
from IPython.display import HTML

from social_licence.report import derived
from social_licence.report.book import Book
from social_licence.report.display import data_origin, publish_table
from social_licence.report.tables import figure_listing, paper_table
from social_licence.report.vocabulary import marks_legend, word

HIGHER = "higher_occupation_qualification_income"
#: where published figures come from, for the captions of derived tables
PUBLISHED_ORIGIN = "Source: Edwards, Gillies & Gorin (2021); intervals derived by this book"
#: marks in table headings and cells
HIGHER_MARK, DEPENDS_MARK, ROUNDING_MARK = "*", "†", "‡"


def fragility_marks(depends_on_deff: bool, depends_on_rounding: bool) -> str:
    """The marks of a fragile derived verdict: † (differs at the lower design effect), ‡ (differs
    within the printed figure's rounding), both, or none."""
    return (DEPENDS_MARK if depends_on_deff else "") + (ROUNDING_MARK if depends_on_rounding else "")


def _sizes_row(book: Book, groups: list[str]) -> dict[str, str]:
    """The foot row of a derived table: each group's number of parents from its printed share."""
    sizes = book.sizes.set_index("group")
    row = {}
    for group in groups:
        size, bound = sizes.loc[group, "size"], sizes.loc[group, "bound"]
        row[group] = "–" if pd.isna(size) else f"{'≥ ' if bound == 'lower' else ''}{int(size)}"
    return row


def higher_group_note(book: Book, figure_ids: list[str]) -> str:
    """What the higher group's figures carry under the reading the codebook does not use.

    Under "any one of" the three markers the printed shares give the group at least as many
    parents as its largest part; under "all three" they give no lower bound, only an upper one
    (the smallest part), so a verdict holds only if the group is large enough: the sentence says
    how large, from :func:`social_licence.report.derived.settling_size`.
    """
    group = book.codebook.subgroups[HIGHER]
    sizes = book.sizes.set_index("group").loc[HIGHER]
    other = "all" if group.combine == "any" else "any"
    if other == "any":
        every = book.codebook.with_combine(HIGHER, "any")
        size = derived.group_sizes(book.published, every).set_index("group").loc[HIGHER, "size"]
        return (f"{HIGHER_MARK} All three markers (this build's reading); read as any one of them, the group "
                f"would hold at least {int(size)} parents.")
    strict = derived.group_sizes(book.published, book.codebook.with_combine(HIGHER, "all")).set_index("group")
    upper = int(strict.loc[HIGHER, "upper"]) if pd.notna(strict.loc[HIGHER, "upper"]) else None
    figures = book.verdicts.loc[[f for f in figure_ids if book.verdicts.loc[f, "group"] == HIGHER]]
    needs = []
    for figure_id, row in figures.iterrows():
        n = derived.settling_size(row["published"], int(row["k"]), derived.DEFF_RANGE[-1])
        needs.append((figure_id, n))
    settle = [n for _, n in needs if n is not None and (upper is None or n <= upper)]
    never = sum(1 for _, n in needs if n is None or (upper is not None and n > upper))
    parts = [f"{HIGHER_MARK} Any one of a managerial or professional occupation, a degree or a household income "
             f"over £3,700 a month (this book's reading): at least {int(sizes['size'])} parents."]
    def verdicts(n: int) -> str:
        total = len(needs)
        return "its verdict" if total == 1 else f"all {total} of its verdicts" if n == total \
            else f"{n} of its {total} verdicts"

    clauses = []
    if settle:
        clauses.append(f"{verdicts(len(settle))} would need at least {max(settle)} parents")
    if never:
        clauses.append(f"{verdicts(never)} could not be settled at any size it could have")
    text = f" Under all three (at most {upper} parents)"
    parts.append(text + (": " + ", and ".join(clauses) if clauses else "") + ".")
    return "".join(parts)


def publish_block(book: Book, name: str, items: list[str], groups: list[str], title: str, *,
                  judged: bool = True, groups_in_rows: bool = False) -> tuple[HTML, HTML]:
    """Glue table ``name`` (derived) and ``name-file`` (the respondent file) for the figures of
    ``items`` by ``groups``; return their two CSV download links.

    ``judged=False`` leaves out the verdict marks, for figures the paper reports as shares only
    (awareness); ``groups_in_rows`` turns the tables round (:func:`paper_table`).
    """
    deff = derived.DEFF_RANGE[-1]
    chosen = book.verdicts[book.verdicts["item"].isin(items) & book.verdicts["group"].isin(groups)]
    figure_ids = list(chosen.index)
    shown = chosen.assign(verdict_shown=[word(v) for v in chosen["verdict"]])
    marks = {HIGHER: HIGHER_MARK} if HIGHER in groups else {}
    table = paper_table(chosen.reset_index(), items, groups, value="published", low=f"ci_low@{deff:g}",
                        high=f"ci_high@{deff:g}", verdict="verdict" if judged else None, bases=_sizes_row(book, groups),
                        base_label="Parents (printed share of 843)", codebook=book.codebook, marked=marks,
                        groups_in_rows=groups_in_rows)
    if judged:
        for row in chosen[chosen["fragile"]].itertuples():
            label = book.codebook.short_name_of(row.group) + marks.get(row.group, "")
            question = book.codebook.name_of(row.item)
            at = (table.index[table["Group"] == label][0], question) if groups_in_rows else \
                 (table.index[table["Question"] == question][0], label)
            table.loc[at] = table.loc[at] + fragility_marks(row.depends_on_deff, row.depends_on_rounding)
    threshold = sorted({f"{100 * t:g}%" for t in chosen["threshold"]})
    caption = (f"{title}: published percentage and its 95% interval, derived from the group's printed share of "
               f"the 843 parents at a design effect of {deff:g}")
    if judged:
        caption += (f", with its verdict against the {' or '.join(threshold)} threshold ({marks_legend()}; "
                    f"{DEPENDS_MARK} differs at a design effect of {derived.DEFF_RANGE[0]:g}, {ROUNDING_MARK} within "
                    "the printed figure's rounding)")
    if HIGHER in groups:
        caption += ". " + higher_group_note(book, figure_ids)
    derived_link = publish_table(name, table, figure_listing(shown.reset_index(), book.codebook), caption,
                                 PUBLISHED_ORIGIN, css_class="results")

    estimates = book.view.estimates.loc[figure_ids].reset_index()
    members = book.view.data
    bases = {group: str(len(members)) if group == "all" else str(int(members[group].sum())) for group in groups}
    file_table = paper_table(estimates.assign(percent=100 * estimates["estimate"]), items, groups, value="percent",
                             low="ci_low", high="ci_high", verdict="verdict" if judged else None, bases=bases,
                             base_label="Respondents in this file", codebook=book.codebook, marked=marks,
                             groups_in_rows=groups_in_rows)
    file_caption = (f"{title}, recomputed from this build's respondent file: weighted percentage with its 95% "
                    "design-based interval")
    if judged:
        file_caption += f" and verdict ({marks_legend(('consensus', 'no consensus', 'open', 'suppressed'))})"
    if not book.archived:
        file_caption += (". On a synthetic file the percentages equal the published ones by construction and the "
                         "intervals follow the weights and group sizes the generator chose")
    file_link = publish_table(f"{name}-file", file_table, figure_listing(estimates, book.codebook), file_caption,
                              data_origin(book.source), css_class="results")
    return derived_link, file_link
