"""Page "About the data": the readings of the sources in force, and (synthetic builds) the datasheet
of the synthetic file and its ensemble, generated from the generator's own settings."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from social_licence.analysis.derived import SAMPLE_SIZE
from social_licence.report.display import no_table
from social_licence.report.page import Page
from social_licence.study import ensemble, synthetic
from social_licence.study.codebook import load_codebook

#: the prefix of the chapter's glue keys
PREFIX = "ds"

GENERATOR_ORIGIN = "Source: social_licence.study.synthetic and social_licence.study.ensemble (the generator's settings)"
#: what each of the generator's choices sets, for readers
CHOICE_WORDS = {
    "seed": "seed of every random draw",
    "kish_deff": "Kish design effect of the weights",
    "unreported_spread": "spread of the answer effects of groups the paper never reports (logit scale)",
    "belief_anchors": "whole-sample shares assumed for the three belief questions",
    "strong": "five-point detail: base chance of the strong form of the counted answer",
    "neither": "five-point detail: base chance of 'neither' among other answers",
}
HIGHER_WORDS = {"any": "any one of a managerial or professional occupation, a degree, or a household income over "
                       "£3,700 a month", "all": "all three of a managerial or professional occupation, a degree and "
                                                "a household income over £3,700 a month"}


def publish(page: Page) -> None:
    """The readings in force and, on a synthetic build, the shipped file's choices beside their
    range across the ensemble (an archived build glues the table empty, :func:`no_table`)."""
    assumptions = page.assumptions
    other_black = "the minority ethnic parents" if assumptions.black_group == "whole sample" else "the whole sample"
    page.glue_facts([
        page.published("n", SAMPLE_SIZE, "paper, \"Our survey\"", "count"),
        page.published("black", float(page.evidence.published.set_index("figure_id").loc["S15", "percent"]),
                       "paper, \"Our survey\""),
        page.text("black_reading", f"of the {assumptions.black_group}", "the black_group assumption"),
        page.text("black_other", f"of {other_black}", "the other reading"),
        page.text("higher_reading", HIGHER_WORDS[assumptions.higher_group], "the higher_group assumption"),
        page.text("higher_other", HIGHER_WORDS["all" if assumptions.higher_group == "any" else "any"], "the other reading"),
        page.text("dont_know", "counted in" if assumptions.dont_know_in_base else "left out of",
                  "the dont_know_in_base assumption"),
        page.derived("members", ensemble.N_MEMBERS, "the ensemble's design", "count"),
        page.derived("deff_low", synthetic.KISH_DEFF_RANGE[0], "the ensemble's design", "ratio"),
        page.derived("deff_high", synthetic.KISH_DEFF_RANGE[1], "the ensemble's design", "ratio"),
    ])
    if page.archived:
        no_table("tbl-ds-choices")
        return
    shipped = asdict(synthetic.Choices())
    design = [asdict(m.choices) for m in ensemble.members()]
    rows = []
    for key, words in CHOICE_WORDS.items():
        if key == "seed":
            rows.append({"choice": words, "shipped": str(shipped[key]), "ensemble": "different for each"})
            continue
        if key == "belief_anchors":
            mine = ", ".join(f"{share:.2f}" for _, share in shipped[key])
            values = [share for d in design for _, share in d[key]]
        else:
            mine, values = f"{shipped[key]:g}", [d[key] for d in design]
        rows.append({"choice": words, "shipped": mine, "ensemble": f"{min(values):g} to {max(values):g}"})
    rows.append({"choice": "reading of the higher occupation, qualification or income group",
                 "shipped": load_codebook().subgroups["higher_occupation_qualification_income"].combine,
                 "ensemble": "any in half the files, all in the other half"})
    table = pd.DataFrame(rows)
    shown = table.rename(columns={"choice": "What the generator chooses", "shipped": "Shipped file",
                                  "ensemble": f"Across the {ensemble.N_MEMBERS} files of the ensemble"})
    page.table("tbl-ds-choices", shown, table,
               "What the publication leaves open and the synthetic files choose: the shipped file's choice and the range "
               "the ensemble's files span (each file reproduces every published figure)", origin=GENERATOR_ORIGIN,
               evidence="text", series="S")
