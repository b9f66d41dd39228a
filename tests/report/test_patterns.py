"""Patterns across contrasts: counted and named from the numbers, so they flip when the numbers do."""
import pandas as pd

from social_licence.report import patterns
from social_licence.study.codebook import load_codebook

CODEBOOK = load_codebook()


def contrasts(black, lone, large):
    rows = []
    for group, gaps in (("black", black), ("lone_parent", lone), ("household_5_plus", large)):
        rows += [{"group": group, "measure": "trust_to_link_records", "gap": g, "holds": g is not None and abs(g) > 20}
                 for g in gaps]
    return pd.DataFrame(rows)


def test_counts_and_directions():
    table = patterns.group_patterns(contrasts([-22, -8, -7, -12, -18], [-3, 1, -4, -7, -5], [5, 3, -1, 7, 4]))
    assert table.to_dict("list") == {"group": ["black", "lone_parent", "household_5_plus"], "n": [5, 5, 5],
                                     "below": [5, 4, 1], "above": [0, 1, 4], "held": [1, 0, 0],
                                     "direction": ["below", "below", "above"]}


def test_the_sentence_follows_the_numbers():
    table = patterns.group_patterns(contrasts([-22, -8, -7, -12, -18], [-3, 1, 4, 7, -5], [5, 3, -1, 7, 4]))
    rows = table.set_index("group", drop=False)
    assert patterns.describe(rows.loc["black"], CODEBOOK, "services") == (
        "Black or Black British parents are below the rest of the sample on 5 of 5 services (1 confirmed after "
        "adjustment)")
    assert patterns.describe(rows.loc["lone_parent"], CODEBOOK, "services") == (
        "Lone parents are below the rest of the sample on 2 and above it on 3 of 5 services (none confirmed after "
        "adjustment)")
    assert patterns.groups_in_direction(table, "below", CODEBOOK) == "Black or Black British parents"
    flipped = patterns.group_patterns(contrasts([22, 8, 7, 12, 18], [3, 1, 4, 7, 5], [-5, -3, -1, -7, -4]))
    assert patterns.groups_in_direction(flipped, "above", CODEBOOK) == "Black or Black British parents and lone parents"
    assert patterns.groups_in_direction(flipped, "below", CODEBOOK) == "parents in households of five or more people"


def test_groups_of_unknown_size_are_left_out_and_nobody_is_named_when_no_one_fits():
    table = contrasts([-22, None, -7], [1, -1, 2], [0, 0, 0])
    counted = patterns.group_patterns(table)
    assert counted.set_index("group").loc["black", "n"] == 2
    assert patterns.groups_in_direction(counted[counted["group"] == "household_5_plus"], "below", CODEBOOK) == "no group"
    assert patterns.in_sentence("Black or Black British parents") == "Black or Black British parents"
    assert patterns.in_sentence("Lone parents") == "lone parents"
