"""Disclosure control of a build's file numbers: every cell checked, released as the rules say.

References: counts taken directly from the shipped synthetic file with pandas (9 of the 41 Black
parents answering trust immigration services, T3_27; 83 of 89 lone parents finding "identify
children at risk of abuse" acceptable, T2_22); hand-made variations of it for a secondary
suppression (a file with five fathers, whose count mothers and the file's rows would reveal) and a
differencing case (a group three rows short of the whole file); the rules of
``data/disclosure_rules.yml`` (10 respondents, rounding to 5).
"""
import dataclasses

import numpy as np
import pandas as pd
import pytest

from social_licence.analysis import release
from social_licence.analysis.assumptions import Assumptions
from social_licence.analysis.evidence import load_evidence
from social_licence.analysis.files import NUMBERS
from social_licence.study.recompute import estimate_figures, file_design
from social_licence.survey.disclosure import DisclosureRules, round_count


@pytest.fixture(scope="module")
def evidence():
    return load_evidence(Assumptions())


def archived(evidence, **changes):
    """The same evidence read as if from the archived file (the checks then apply), with ``changes``
    to its survey (``data``, ``recoding``)."""
    survey = dataclasses.replace(evidence.survey, source=dataclasses.replace(evidence.source, kind="archived"),
                                 **changes)
    return dataclasses.replace(evidence, survey=survey)


def test_the_rules_in_force_come_from_the_project_file_or_the_one_the_variable_names(tmp_path):
    assert release.rules_in_force({}) == DisclosureRules()
    strict = tmp_path / "strict.yml"
    strict.write_text("safe_threshold: 20\nsafe_round_base: 10\n", encoding="utf-8")
    assert release.rules_in_force({release.RULES_VARIABLE: str(strict)}) == DisclosureRules(safe_threshold=20,
                                                                                         safe_round_base=10)
    bad = tmp_path / "bad.yml"
    bad.write_text("safe_threshold: 10\nsafe_treshold: 12\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown key.*safe_treshold"):
        release.rules_in_force({release.RULES_VARIABLE: str(bad)})


def test_a_bad_rules_file_stops_a_chapter_at_its_first_call(tmp_path, monkeypatch):
    bad = tmp_path / "bad.yml"
    bad.write_text("safe_round_base: 2.5\n", encoding="utf-8")
    monkeypatch.setenv(release.RULES_VARIABLE, str(bad))
    with pytest.raises(ValueError, match="safe_round_base must be a whole number"):
        load_evidence(Assumptions())


def test_figures_are_checked_on_their_base_their_counted_answer_and_the_rest(evidence):
    checks = release.figure_checks(evidence)
    data = evidence.data
    black_valid = data["black"] & data["immigration"].isin(evidence.codebook.items["immigration"].codes)
    assert checks.loc["figure/T3_27", ["n", "n_counted"]].tolist() == [int(black_valid.sum()), 9] == [41, 9]
    assert checks.loc["figure/T3_27", ["rule", "result"]].tolist() == ["min_count_numerator", "suppressed"]
    assert checks.loc["figure/T2_22", ["n", "n_counted"]].tolist() == [89, 83]
    assert checks.loc["figure/T2_22", ["rule", "result"]].tolist() == ["min_count_complement", "suppressed"]
    assert checks.loc["figure/T2_01", "result"] == "pass"
    assert len(checks) == len(evidence.published) == 108


def test_a_composition_figure_is_released_as_its_group_s_size(evidence):
    checks = release.cell_checks(evidence)
    young = evidence.published.set_index("figure_id").query("item == 'age_18_29'").index[0]
    assert checks.loc[f"figure/{young}", ["kind", "rule", "result", "released"]].tolist() == \
        ["share of sample", "rounding", "rounded", 100] == \
        checks.loc["size/age_18_29", ["kind", "rule", "result", "released"]].replace("count", "share of sample").tolist()
    assert checks.loc["size/all", ["rule", "result", "released"]].tolist() == ["none", "pass", 843], \
        "the 843 rows are the published sample size"


def test_a_suppressed_count_is_protected_from_its_complement_and_the_total(evidence):
    """Five fathers: suppressed; mothers and the file's rows would give them by subtraction (mothers
    are a group five rows short of the file), so mothers are withheld too, and the file's rows, no
    longer the published 843, are a rounded count. With the two withheld, their sum (the rows) no
    longer gives either."""
    data = evidence.data
    five = pd.concat([data[data["mothers"]], data[data["fathers"]].head(5)])
    checks = release.size_checks(archived(evidence, data=five))
    assert checks.loc["size/fathers", ["n", "rule", "result"]].tolist() == [5, "min_count", "suppressed"]
    assert checks.loc["size/mothers", ["rule", "result"]].tolist() == ["differencing", "suppressed"]
    assert checks.loc["size/all", ["n", "result", "released"]].tolist() == [len(five), "rounded",
                                                                             round_count(len(five), 5)]
    assert pd.isna(checks.loc["size/mothers", "released"])


def test_a_group_a_few_rows_short_of_another_is_withheld_by_differencing(evidence):
    data = evidence.data.copy()
    data["owner_occupier"] = True
    data.iloc[:3, data.columns.get_loc("owner_occupier")] = False
    checks = release.size_checks(archived(evidence, data=data))
    assert checks.loc["size/owner_occupier", ["n", "rule", "result"]].tolist() == [840, "differencing", "suppressed"]
    assert checks.loc["size/all", "result"] == "pass"


def test_recoding_rows_are_rounded_and_a_small_one_is_protected_from_the_file_s_rows(evidence):
    audit = pd.DataFrame({"variable": ["sex", "sex", "region", "region"], "file_column": ["SEX", "SEX", "REG", "REG"],
                          "file_value": [1, 2, 1, 2], "file_label": ["Male", "Female", "North", "South"],
                          "code": [1, 2, 1, 2], "codebook_label": ["Male", "Female", "North", "South"],
                          "rows": [838, 5, 400, 443]})
    checks = release.recoding_checks(archived(evidence, recoding=audit))
    assert checks.index.tolist() == ["recoding/sex/1", "recoding/sex/2", "recoding/region/1", "recoding/region/2"]
    assert checks["rule"].tolist() == ["secondary", "min_count", "rounding", "rounding"]
    assert checks["result"].tolist() == ["suppressed", "suppressed", "rounded", "rounded"]
    assert checks["released"].tolist()[2:] == [400, 445]
    assert release.recoding_checks(evidence).empty, "the synthetic file is not recoded"


def test_the_file_numbers_are_checked_as_estimates_counts_and_statistics(evidence):
    checks = release.number_checks(evidence)
    assert checks.loc["number/police_share", ["n", "n_counted"]].tolist() == \
        release.figure_checks(evidence).loc["figure/T3_21", ["n", "n_counted"]].tolist()
    assert checks.loc["number/young_count", ["kind", "result", "released"]].tolist() == ["count", "rounded", 100]
    assert checks.loc["number/kish", ["kind", "n", "result"]].tolist() == ["statistic", 843, "pass"]
    assert set(checks.index) == {f"number/{name}" for name in (*NUMBERS, *release.FILE_STATISTICS)}


def test_a_synthetic_build_releases_its_figures_as_computed(evidence):
    design = file_design(evidence.data, evidence.codebook)
    estimates = estimate_figures(design, evidence.published, evidence.codebook)
    released = release.released_figures(estimates, evidence)
    pd.testing.assert_frame_equal(released[estimates.columns], estimates)
    assert not released["withheld"].any()
    assert released.set_index("figure_id").loc["T3_27", "result"] == "suppressed", "what the rules would do"


def test_an_archived_build_withholds_small_cells_and_rounds_every_count(evidence):
    file = archived(evidence)
    design = file_design(file.data, file.codebook)
    estimates = estimate_figures(design, file.published, file.codebook)
    released = release.released_figures(estimates, file).set_index("figure_id")
    assert released.loc["T3_27", "withheld"] and released.loc[["T3_27", "T2_22"], "estimate"].isna().all()
    assert released.loc["T3_27", ["se", "ci_low", "ci_high", "deff"]].isna().all()
    assert not released.loc["T2_01", "withheld"]
    assert released.loc["T2_01", "estimate"] == estimates.set_index("figure_id").loc["T2_01", "estimate"]
    assert (released["n"] % 5 == 0).all() and released[list(release.COUNT_COLUMNS)].isna().all().all()
    young = file.published.set_index("figure_id").query("item == 'age_18_29'").index[0]
    assert released.loc[young, "estimate"] == pytest.approx(100 / 843), "the rounded count over the rows"
    sizes = release.released_sizes(file)
    assert sizes.loc["black", ["count", "result"]].tolist() == [40, "rounded"]
    assert sizes.loc["all", "count"] == 843
    assert release.released_sizes(evidence).loc["black", "count"] == int(evidence.data["black"].sum()) == 42


def test_released_fidelity_empties_withheld_figures_and_rounds_bases(evidence):
    from social_licence.study.fidelity import fidelity_table
    file = archived(evidence)
    fidelity = fidelity_table(file.data, file.codebook, file.published)
    released = release.released_fidelity(fidelity, file).set_index("figure_id")
    assert np.isnan(released.loc["T3_27", "estimate"]) and pd.isna(released.loc["T3_27", "within_rounding_interval"])
    assert ((released["n"] % 5 == 0) | (released["n"] == 843)).all(), "rounded, but the public 843 rows"
    assert released.loc[released["measure"] == "sample_composition", "n"].eq(843).all()
    same = release.released_fidelity(fidelity, evidence)
    pd.testing.assert_frame_equal(same[fidelity.columns], fidelity)


def test_the_summary_counts_each_kind_by_result(evidence):
    checks = release.cell_checks(evidence)
    summary = release.withheld_summary(checks).set_index("cells")
    assert list(summary.index) == ["figure", "size", "number"], "no recoding rows on the synthetic file"
    assert summary.to_numpy().sum() == len(checks)
    assert summary.loc["figure", "suppressed"] == int(((checks["kind"] == "estimate") &
                                                       (checks["result"] == "suppressed")).sum()) == 5
    assert summary.loc["size"].tolist() == [1, 18, 0], "the public 843 rows; 18 groups rounded"
