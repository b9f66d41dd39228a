"""Phrases built from results: counts, lists of groups and figures, what holds after adjustment.

References: every expected phrase is written out by hand from the inputs given (hand-made tables of
adjusted p-values; the codebook's names and counted answers, data/codebook.yml).
"""
import pandas as pd
import pytest

from social_licence.report.sentences import (
    confirmation,
    figure_list,
    group_list,
    held_counts,
    held_phrase,
    how_many,
    in_sentence,
    number,
    p_text,
    series,
)
from social_licence.study.codebook import load_codebook

DEFFS = (1.0, 2.0)


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


def rows(holm1, bh1, holm2, bh2, alpha=0.05):
    """Contrasts with the given adjusted p-values at design effects 1 and 2."""
    return pd.DataFrame({"p_holm@1": holm1, "p_fdr_bh@1": bh1, "p_holm@2": holm2, "p_fdr_bh@2": bh2,
                         "alpha": alpha})


@pytest.mark.parametrize("name, shown", [
    ("Lone parents", "lone parents"), ("Black or Black British parents", "Black or Black British parents"),
    ("White British parents", "White British parents"), ("Asian parents", "Asian parents"),
    ("Parents aged 18-29", "parents aged 18-29"),
])
def test_a_group_s_name_inside_a_sentence(name, shown):
    assert in_sentence(name) == shown


def test_numbers_and_series_read_as_running_text():
    assert [number(n) for n in (0, 1, 2, 10, 11, 1234)] == ["none", "one", "two", "ten", "11", "1,234"]
    assert series([]) == "" and series(["a"]) == "a" and series(["a", "b"]) == "a and b"
    assert series(["a", "b", "c"]) == "a, b and c" and series(["a", "", "b"], "or") == "a or b"


@pytest.mark.parametrize("n, of, noun, phrase", [
    (4, 4, "reasons", "all four reasons"), (2, 2, "groups", "both groups"),
    (3, 4, "reasons", "three of the four reasons"),
    (0, 4, "reasons", "none of the four reasons"), (12, 12, "figures", "all 12 figures"),
    (1, 12, "figures", "one of the 12 figures"),
])
def test_how_many(n, of, noun, phrase):
    assert how_many(n, of, noun) == phrase


@pytest.mark.parametrize("value, text", [
    (0.0004, "p < 0.001"), (0.001, "p = 0.001"), (0.031, "p = 0.031"), (0.05, "p = 0.05"), (0.0312, "p = 0.031"),
    (0.1, "p = 0.10"), (0.456, "p = 0.46"), (0.9995, "p = 1"), (1.0, "p = 1"),
])
def test_p_text(value, text):
    assert p_text(value) == text


def test_group_list_names_groups_for_a_sentence(codebook):
    assert group_list(["black", "lone_parent"], codebook) == \
        f"{codebook.name_of('black')} and {in_sentence(codebook.name_of('lone_parent'))}"
    assert group_list([], codebook) == "no group"


def test_figure_list_names_the_figures_group_by_group(codebook):
    figures = pd.DataFrame({"group": ["black", "black", "lone_parent"],
                            "item": ["identify_families_needing_support", "target_services_efficiently",
                                     "linked_records_factual_and_unbiased"],
                            "published": [62.0, 69.0, 44.5]})
    black, lone = in_sentence(codebook.name_of("black")), in_sentence(codebook.name_of("lone_parent"))
    assert figure_list(figures, codebook) == (
        f"{black} on “Acceptable: identify families who may need support” (62%) and “Acceptable: target services "
        f"efficiently” (69%); {lone} on “Disagree: linked records give factual, unbiased information” (44.5%)")
    assert figure_list(figures.iloc[:0], codebook) == "none"
    mixed = figures.iloc[[0, 2, 1]]
    assert figure_list(mixed, codebook).startswith(f"{black} on “Acceptable: identify families who may need support” "
                                                  "(62%) and “Acceptable: target services efficiently” (69%); "), \
        "a group's figures are named together, groups in order of first appearance"


def test_held_counts_count_adjusted_p_below_alpha():
    table = rows([0.01, 0.2, 0.04], [0.01, 0.03, 0.04], [0.2, 0.3, 0.06], [0.04, 0.3, 0.06])
    assert held_counts(table, DEFFS) == {("holm", 1.0): 2, ("holm", 2.0): 0, ("fdr_bh", 1.0): 3,
                                         ("fdr_bh", 2.0): 1}
    assert held_counts(table.assign(alpha=0.1), DEFFS)[("holm", 2.0)] == 1  # 0.06 < 0.1


def test_held_phrase_when_nothing_holds():
    table = rows([0.2, 0.5], [0.1, 0.5], [0.4, 0.9], [0.3, 0.9])
    assert held_phrase(table, DEFFS) == "none holds after adjustment, under either procedure at either design effect"
    assert held_phrase(table.iloc[:0], DEFFS) == held_phrase(table, DEFFS)


def test_held_phrase_with_mixed_counts():
    table = rows([0.01, 0.2, 0.3, 0.5, 0.5], [0.01, 0.02, 0.03, 0.04, 0.045], [0.2, 0.3, 0.4, 0.5, 0.6],
                 [0.1, 0.3, 0.4, 0.5, 0.6])
    assert held_phrase(table, DEFFS) == ("one holds under Holm's adjustment and five under Benjamini and Hochberg's "
                                         "at a design effect of 1; none under either at 2")
    both = rows([0.01, 0.01], [0.01, 0.01], [0.01, 0.2], [0.01, 0.01])
    assert held_phrase(both, DEFFS) == ("two hold under Holm's adjustment and two under Benjamini and Hochberg's at "
                                        "a design effect of 1; one holds under Holm's adjustment and two under "
                                        "Benjamini and Hochberg's at a design effect of 2")


def test_confirmation_names_every_check_in_one_order():
    """Both procedures at both design effects, the primary procedure first and the lower design
    effect first, whatever the counts: no one check is picked to lead."""
    table = rows([0.01, 0.01, 0.2, 0.3], [0.01, 0.01, 0.02, 0.3], [0.01, 0.2, 0.3, 0.3], [0.01, 0.02, 0.3, 0.3])
    assert confirmation(table, DEFFS, "holm", "gap") == (
        "of the four gaps, two hold under Holm's adjustment and three under Benjamini-Hochberg's at a design effect "
        "of 1; one and two at 2")
    assert confirmation(table, DEFFS, "fdr_bh", "gap") == (
        "of the four gaps, three hold under Benjamini-Hochberg's adjustment and two under Holm's at a design effect "
        "of 1; two and one at 2")
    weaker = rows([0.2] * 4, [0.01, 0.01, 0.01, 0.3], [0.3] * 4, [0.3] * 4)
    assert confirmation(weaker, DEFFS, "holm", "gap") == (
        "of the four gaps, none hold under Holm's adjustment and three under Benjamini-Hochberg's at a design effect "
        "of 1; none and none at 2")
    assert confirmation(rows([0.5] * 4, [0.5] * 4, [0.5] * 4, [0.5] * 4), DEFFS, "holm", "gap") == \
        "none of the four gaps holds under any of the checks"
    assert confirmation(rows([0.01, 0.5], [0.01, 0.5], [0.01, 0.5], [0.01, 0.5]), DEFFS, "holm", "gap") == \
        "one of the two gaps holds under every check"
    one = rows([0.2], [0.01], [0.3], [0.3])
    assert confirmation(one, DEFFS, "holm", "average gap") == \
        "the average gap holds under Benjamini-Hochberg's adjustment at a design effect of 1 only"
