"""Chapter "Conclusions": what the survey shows, the paper's case in its own terms, and what the
figures do and do not carry for it; presented from the results the chapter's cells compute."""
from __future__ import annotations

import pandas as pd

from social_licence.analysis.derived import SAMPLE_SIZE, deffs_of
from social_licence.report.page import Page
from social_licence.report.sentences import confirmation, figure_verdict, group_list, held_phrase

#: the prefix of the chapter's glue keys
PREFIX = "co"

REASONS, TRUST, CONSENT, COMMERCIAL = ("acceptability_of_reason", "trust_to_link_records", "transparency",
                                       "commercial_outsourcing")
MARGINALISED = ["black", "lone_parent", "age_18_29", "household_5_plus"]


def publish_findings(page: Page, verdicts: pd.DataFrame) -> None:
    """The headline findings, from the derived ``verdicts`` of every attitude figure, with
    ``reaches_threshold``: whether the printed figure itself reaches its threshold (the paper's
    reading, :func:`social_licence.survey.consensus.published_reaches_threshold`)."""
    deff = deffs_of(verdicts)[-1]
    basis = f"printed shares of {SAMPLE_SIZE}, design effect {deff:g}"
    block = {name: verdicts[verdicts["measure"] == name] for name in (REASONS, TRUST, CONSENT, COMMERCIAL)}
    whole = {name: part[part["group"] == "all"] for name, part in block.items()}
    groups = {name: part[part["group"] != "all"] for name, part in block.items()}
    c01 = whole[COMMERCIAL].iloc[0]
    page.glue_facts([
        page.published("reasons_low", float(whole[REASONS]["published"].min()), "paper, Table 2"),
        page.published("reasons_high", float(whole[REASONS]["published"].max()), "paper, Table 2"),
        page.derived("reasons_consensus", int((groups[REASONS]["verdict"] == "consensus").sum()), basis, "count"),
        page.published("reasons_n", len(groups[REASONS]), "paper, Table 2", "count"),
        page.published("trust_low", float(whole[TRUST]["published"].min()), "paper, Table 3"),
        page.published("trust_high", float(whole[TRUST]["published"].max()), "paper, Table 3"),
        page.derived("trust_consensus", int((block[TRUST]["verdict"] == "consensus").sum()), basis, "count"),
        page.derived("trust_open", int((block[TRUST]["verdict"] == "open").sum()), basis, "count"),
        page.published("trust_paper", int(block[TRUST]["reaches_threshold"].sum()),
                       "paper, Table 3: printed figures at or above their threshold", "count"),
        page.published("trust_n", len(block[TRUST]), "paper, Table 3", "count"),
        page.published("permission", float(whole[CONSENT].set_index("figure_id").loc["P03", "published"]), "paper, text"),
        page.published("publicise", float(whole[CONSENT].set_index("figure_id").loc["P02", "published"]), "paper, text"),
        page.derived("consent_consensus", int((whole[CONSENT]["verdict"] == "consensus").sum()), basis, "count"),
        page.published("consent_n", len(whole[CONSENT]), "paper, text", "count"),
        page.published("c01", float(c01["published"]), "paper, text"),
        page.derived("c01_acceptable", 100 - float(c01["published"]),
                     "paper, text: at most 100 minus the share finding it unacceptable"),
        page.text("c01_verdict", figure_verdict(c01), basis),
        page.derived("rounding", int(verdicts[verdicts["measure"].isin(page.codebook.judged_blocks)]
                                     ["depends_on_rounding"].sum()), "the rounding check", "count"),
    ])


def publish_divisions(page: Page, family: pd.DataFrame, patterns: pd.DataFrame, black_sizes: dict) -> None:
    """What the figures carry for the paper's case about social divisions: the family of contrasts,
    the pattern tests and the Black group's size under both readings (``black_sizes``)."""
    deffs = [float(d) for d in family["deffs"].iloc[0].split(" to ")]
    known = family[family["size_known"]]
    trust = known[known["measure"] == TRUST]
    marginal = known[known["group"].isin(MARGINALISED)]
    marginal_patterns = patterns[patterns["group"].isin(MARGINALISED)]
    below = [g for g, part in trust.groupby("group", sort=False) if (part["gap"] < 0).all()]
    used = page.assumptions.black_group
    other = next(reading for reading in black_sizes if reading != used)
    marginal_trust = marginal[marginal["measure"] == TRUST]
    primary, high = family["primary"].iloc[0], deffs[-1]
    alpha = float(family["alpha"].iloc[0])
    confirmed = bool((marginal_trust[f"p_{primary}@{high:g}"] < alpha).any())
    page.glue_facts([
        page.text("trust_headline", "and the survey confirms some of it" if confirmed else
                  "but the survey can hardly confirm it", "the family's adjusted p-values"),
        page.text("divisions_summary", "and the survey confirms some of them" if confirmed else
                  "but the survey is too small to settle them", "the family's adjusted p-values"),
        page.text("marginal_confirmation", confirmation(marginal, deffs, primary, "comparison"),
                  "the family of contrasts, adjusted once"),
        page.text("patterns_confirmation", confirmation(marginal_patterns, deffs, primary, "pattern"),
                  "pattern tests, adjusted once"),
        page.text("trust_below", group_list(below, page.codebook), "printed figures and shares"),
        page.derived("marginal_trust_n", len(marginal_trust), "trust contrasts for the four groups", "count"),
        page.text("marginal_trust_held", held_phrase(marginal_trust, deffs), "the family of contrasts, adjusted once"),
        page.derived("marginal_n", len(marginal), "contrasts for the four groups the paper calls marginalised", "count"),
        page.text("marginal_held", held_phrase(marginal, deffs), "the family of contrasts, adjusted once"),
        page.derived("marginal_patterns_n", len(marginal_patterns), "pattern tests for the four groups", "count"),
        page.text("marginal_patterns_held", held_phrase(marginal_patterns, deffs), "pattern tests, adjusted once"),
        page.derived("black_n", black_sizes[used], "5% (paper), this book's reading", "count"),
        page.derived("black_alt_n", black_sizes[other], "5% (paper), the other reading", "count"),
    ])
