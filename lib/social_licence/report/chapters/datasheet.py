"""Page "About the data": the readings of the sources, and (synthetic builds) the datasheet of the
synthetic file and its ensemble, generated from the generator's own settings."""
from __future__ import annotations

from dataclasses import asdict

import pandas as pd

from social_licence.report.book import Book
from social_licence.report.display import no_table, publish_table
from social_licence.study import ensemble, synthetic

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


def facts(book: Book) -> list:
    """The numbers the page's prose places (all about the sources or the project's settings)."""
    return [
        book.published_fact("n", 843, "paper, \"Our survey\"", "count"),
        book.published_fact("black", float(book.published.set_index("figure_id").loc["S15", "percent"]),
                            "paper, \"Our survey\""),
        book.derived_fact("members", ensemble.N_MEMBERS, "the ensemble's design", "count"),
        book.derived_fact("deff_low", synthetic.KISH_DEFF_RANGE[0], "the ensemble's design", "ratio"),
        book.derived_fact("deff_high", synthetic.KISH_DEFF_RANGE[1], "the ensemble's design", "ratio"),
    ]


def publish_choices(book: Book) -> None:
    """Glue the shipped file's choices beside their range across the ensemble (synthetic builds;
    an archived build glues the table empty, :func:`no_table`). The table is short and shown whole,
    so it has no download."""
    if book.archived:
        no_table("tbl-ds-choices")
        return
    shipped = asdict(synthetic.Choices())
    design = [asdict(m.choices) for m in ensemble.members()]
    rows = []
    for key, words in CHOICE_WORDS.items():
        if key == "seed":
            mine, spread = str(shipped[key]), "different for each"
            rows.append({"choice": words, "shipped": mine, "ensemble": spread})
            continue
        if key == "belief_anchors":
            mine = ", ".join(f"{share:.2f}" for _, share in shipped[key])
            values = [share for d in design for _, share in d[key]]
        else:
            mine, values = f"{shipped[key]:g}", [d[key] for d in design]
        spread = f"{min(values):g} to {max(values):g}"
        rows.append({"choice": words, "shipped": mine, "ensemble": spread})
    rows.append({"choice": "reading of the higher occupation, qualification or income group",
                 "shipped": book.codebook.subgroups["higher_occupation_qualification_income"].combine,
                 "ensemble": "any in half the files, all in the other half"})
    table = pd.DataFrame(rows)
    shown = table.rename(columns={"choice": "What the generator chooses", "shipped": "Shipped file",
                                  "ensemble": f"Across the {ensemble.N_MEMBERS} files of the ensemble"})
    caption = ("What the publication leaves open and the synthetic files choose: the shipped file's choice and the "
               "range the ensemble's files span (each file reproduces all 108 published figures)")
    publish_table("tbl-ds-choices", shown, table, caption, GENERATOR_ORIGIN)
