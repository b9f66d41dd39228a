"""The landing page: what parents think, in plain words with the key figures, then how to read the
book; presented from the results the page's cells compute."""
from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from social_licence.analysis.derived import SAMPLE_SIZE, deffs_of
from social_licence.report.citation import citation_text, load_citation
from social_licence.report.display import glue
from social_licence.report.page import Page
from social_licence.report.sentences import figure_verdict, group_list, held_phrase

#: the prefix of the page's glue keys
PREFIX = "in"

REASONS, TRUST, COMMERCIAL = "acceptability_of_reason", "trust_to_link_records", "commercial_outsourcing"
MARGINALISED = ["black", "lone_parent", "age_18_29", "household_5_plus"]


def interval_text(row: pd.Series, deff: float) -> str:
    """'78% to 86%': a figure's derived interval at the upper design effect."""
    return f"{100 * row[f'ci_low@{deff:g}']:.0f}% to {100 * row[f'ci_high@{deff:g}']:.0f}%"


def publish_summary(page: Page, verdicts: pd.DataFrame) -> None:
    """The headline figures and their verdicts, from the derived ``verdicts`` of every figure."""
    deff = deffs_of(verdicts)[-1]
    basis = f"printed shares of {SAMPLE_SIZE}, design effect {deff:g}"
    figures = verdicts.set_index("figure_id")
    whole = verdicts[verdicts["group"] == "all"]
    reasons, trust = whole[whole["measure"] == REASONS], whole[whole["measure"] == TRUST]
    group_reasons = verdicts[(verdicts["measure"] == REASONS) & (verdicts["group"] != "all")]
    page.glue_facts([
        page.published("n", SAMPLE_SIZE, "paper, \"Our survey\"", "count"),
        page.threshold("threshold", 100 * float(reasons["threshold"].iloc[0])),
        page.published("reasons_low", float(reasons["published"].min()), "paper, Table 2"),
        page.published("reasons_high", float(reasons["published"].max()), "paper, Table 2"),
        page.derived("reasons_groups", int((group_reasons["verdict"] == "consensus").sum()), basis, "count"),
        page.published("reasons_n", len(group_reasons), "paper, Table 2", "count"),
        page.published("trust_low", float(trust["published"].min()), "paper, Table 3"),
        page.published("trust_high", float(trust["published"].max()), "paper, Table 3"),
        page.published("police", float(figures.loc["T3_19", "published"]), "paper, Table 3"),
        page.text("police_interval", interval_text(figures.loc["T3_19"], deff), basis),
        page.published("publicise", float(figures.loc["P02", "published"]), "paper, text"),
        page.published("permission", float(figures.loc["P03", "published"]), "paper, text"),
        page.text("permission_interval", interval_text(figures.loc["P03"], deff), basis),
        page.text("permission_verdict", figure_verdict(figures.loc["P03"]), basis),
        page.published("aware", float(figures.loc["A02", "published"]), "paper, text"),
        page.published("companies", float(figures.loc["C01", "published"]), "paper, text"),
        page.text("companies_verdict", figure_verdict(figures.loc["C01"]), basis),
        page.published("permission_black", float(figures.loc["P04", "published"]), "paper and blog"),
        page.published("permission_lone", float(figures.loc["P05", "published"]), "paper and blog"),
        page.text("permission_black_verdict", figure_verdict(figures.loc["P04"]), basis),
        page.text("permission_lone_verdict", figure_verdict(figures.loc["P05"]), basis),
    ])


def publish_divisions(page: Page, family: pd.DataFrame) -> None:
    """The headline on divisions between groups, from the ``family`` of contrasts."""
    deffs = [float(d) for d in family["deffs"].iloc[0].split(" to ")]
    known = family[family["size_known"]]
    trust = known[known["measure"] == TRUST]
    below = [g for g, part in trust.groupby("group", sort=False) if (part["gap"] < 0).all()]
    marginal_trust = trust[trust["group"].isin(MARGINALISED)]
    primary, high = family["primary"].iloc[0], deffs[-1]
    confirmed = bool((marginal_trust[f"p_{primary}@{high:g}"] < marginal_trust["alpha"]).any())
    page.glue_facts([
        page.text("trust_below", group_list(below, page.codebook), "printed figures and shares"),
        page.derived("family_n", len(known), "contrasts of a group with the rest that can be tested", "count"),
        page.derived("marginal_trust_n", len(marginal_trust), "trust contrasts for the four marginalised groups",
                     "count"),
        page.text("marginal_trust_held", held_phrase(marginal_trust, deffs), "the family of contrasts, adjusted once"),
        page.text("divisions", "confirmed in part" if confirmed else "suggested, not proven",
                  "the family's adjusted p-values"),
        page.text("divisions_plain", "the survey confirms some of it" if confirmed else
                  "the survey is too small to confirm it", "the family's adjusted p-values"),
        page.text("deff_low", f"{deffs[0]:g}", "the design-effect assumption"),
        page.text("deff_high", f"{deffs[-1]:g}", "the design-effect assumption"),
    ])


def publish_citation() -> None:
    """Glue the citation text built from ``CITATION.cff`` (:mod:`social_licence.report.citation`)."""
    glue("in_citation", Markdown(citation_text(load_citation())))
