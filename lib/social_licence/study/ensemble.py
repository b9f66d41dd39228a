"""An ensemble of equally faithful synthetic files: how far the publication pins each number down.

The shipped synthetic file reproduces all 108 published figures, and so does every file of this
ensemble; they differ only in what the publication leaves open, which a single file has to choose
(:class:`social_licence.study.synthetic.Choices`):

* the seed of every random draw (who answers what within the published groups);
* the Kish design effect of the weights, spread evenly over
  :data:`social_licence.study.synthetic.KISH_DEFF_RANGE`;
* the answers of groups the paper does not report (:data:`~social_licence.study.synthetic.UNREPORTED_GROUPS`:
  an answer effect of standard deviation 0.3, 0.6 or 0.9 on the logit scale per group and question);
* the "neither" split and five-point detail (``strong`` and ``neither``);
* the whole-sample anchors of the three belief questions the paper reports for groups only;
* both readings of the higher occupation, qualification or income group (``any`` one of the three
  markers in odd-numbered members, ``all`` three in even-numbered ones).

A number computed from a respondent file that comes out the same in every member is pinned by the
published figures; one whose range across the members is wide is set by the generator, and the
book never reads it as a fact about parents. :func:`write_ensemble` writes the members, their
manifest and checksums (``make data``, byte-identical on every run); :func:`load_ensemble` reads
each member once, with the codebook under its own reading of the higher group.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from social_licence.study.codebook import Codebook, load_codebook
from social_licence.study.loader import SurveyData, load_survey
from social_licence.study.paths import ENSEMBLE_DIR
from social_licence.study.published import load_published
from social_licence.study.synthetic import (
    ASSUMED_WHOLE_SAMPLE,
    KISH_DEFF_RANGE,
    SEED,
    Choices,
    fidelity_report,
    generate,
    write_file,
)

#: members of the ensemble (at least 20; an even number, so each design effect is met under both
#: readings of the higher group)
N_MEMBERS = 24
#: the subgroup whose definition the paper leaves open, and its two readings
HIGHER_GROUP = "higher_occupation_qualification_income"
READINGS = ("any", "all")
MANIFEST = "synthetic_ensemble_members.csv"
CHECKSUMS = "SHA256SUMS"
#: ranges the members' other choices are drawn from (uniformly, from a generator seeded by SEED)
ANCHOR_RANGE = (0.35, 0.65)
STRONG_RANGE = (0.10, 0.35)
NEITHER_RANGE = (0.15, 0.50)
SPREADS = (0.3, 0.6, 0.9)


@dataclass(frozen=True)
class Member:
    """One file of the ensemble: its number (1, 2, ...), its choices and its higher-group reading."""

    number: int
    choices: Choices
    higher_reading: str

    @property
    def file(self) -> str:
        return f"synthetic_respondents_m{self.number:02d}.csv"

    def codebook(self, codebook: Codebook | None = None) -> Codebook:
        """The codebook this member was generated under (its reading of the higher group)."""
        return (codebook or load_codebook()).with_combine(HIGHER_GROUP, self.higher_reading)


def members(n: int = N_MEMBERS) -> list[Member]:
    """The ensemble's design: ``n`` members whose choices span what the publication leaves open.

    Design effects run evenly over the stated range, each met by one member of each reading; the
    unreported groups' spread cycles through :data:`SPREADS`; anchors and the five-point detail
    are drawn from a generator seeded by ``SEED`` (so the design, like the files, never changes).
    """
    if n < 2 or n % 2:
        raise ValueError(f"n={n!r}: the ensemble needs an even number of members, at least 2")
    rng = np.random.default_rng(SEED)
    deffs = np.linspace(*KISH_DEFF_RANGE, n // 2)
    result = []
    for index in range(n):
        anchors = tuple((item, round(float(rng.uniform(*ANCHOR_RANGE)), 2)) for item in ASSUMED_WHOLE_SAMPLE)
        choices = Choices(seed=SEED + index + 1, kish_deff=round(float(deffs[index // 2]), 4),
                          unreported_spread=SPREADS[index % len(SPREADS)], belief_anchors=anchors,
                          strong=round(float(rng.uniform(*STRONG_RANGE)), 3),
                          neither=round(float(rng.uniform(*NEITHER_RANGE)), 3))
        result.append(Member(index + 1, choices, READINGS[index % 2]))
    return result


def manifest(design: list[Member], digests: list[str]) -> pd.DataFrame:
    """One row per member: file, checksum, reading and every choice (anchors one column each)."""
    rows = []
    for member, digest in zip(design, digests):
        choices = asdict(member.choices)
        anchors = dict(choices.pop("belief_anchors"))
        rows.append({"member": member.number, "file": member.file, "sha256": digest,
                     "higher_reading": member.higher_reading, **choices,
                     **{f"anchor_{item}": share for item, share in anchors.items()}})
    return pd.DataFrame(rows)


def write_ensemble(folder: Path = ENSEMBLE_DIR, n: int = N_MEMBERS) -> pd.DataFrame:
    """Generate and write every member, the manifest and ``SHA256SUMS``; return the manifest.

    Raises ``ValueError`` if a member does not reproduce all published figures.
    """
    folder = Path(folder)
    design = members(n)
    digests = []
    for member in design:
        codebook = member.codebook()
        data = generate(member.choices, codebook=codebook, published=load_published(codebook=codebook))
        digests.append(write_file(folder / member.file, data))
        missed = fidelity_report(folder / member.file, codebook=codebook)
        if len(missed) > 1:
            raise ValueError(f"ensemble member {member.file} misses published figures:\n" + "\n".join(missed))
    table = manifest(design, digests)
    table.to_csv(folder / MANIFEST, index=False, lineterminator="\n")
    lines = [f"{digest}  {member.file}\n" for member, digest in zip(design, digests)]
    (folder / CHECKSUMS).write_text("".join(lines), encoding="utf-8")
    return table


def check_checksums(folder: Path = ENSEMBLE_DIR) -> None:
    """Raise ``ValueError`` naming every member file whose bytes differ from ``SHA256SUMS``."""
    folder = Path(folder)
    bad = []
    for line in (folder / CHECKSUMS).read_text(encoding="utf-8").splitlines():
        digest, name = line.split()
        path = folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            bad.append(name)
    if bad:
        raise ValueError(f"ensemble files missing or changed since `make data`: {bad} (in {folder.name}/)")


def load_ensemble(folder: Path = ENSEMBLE_DIR, codebook: Codebook | None = None) -> list[tuple[Member, SurveyData]]:
    """Every member, checked against its checksum and loaded once under its own codebook reading."""
    check_checksums(folder)
    return [(member, load_survey(Path(folder) / member.file, codebook=member.codebook(codebook)))
            for member in members(len(pd.read_csv(Path(folder) / MANIFEST)))]


def main() -> None:
    """Command line: ``python -m social_licence.study.ensemble`` (``make data``) writes the ensemble."""
    table = write_ensemble()
    print(f"wrote {len(table)} ensemble members to {ENSEMBLE_DIR} (each reproduces all published figures); "
          f"Kish design effects {table['kish_deff'].min():g}-{table['kish_deff'].max():g}, "
          f"readings of the higher group: {table['higher_reading'].value_counts().to_dict()}")


if __name__ == "__main__":
    main()
