"""Write the small synthetic fixture ``survey_fixture.csv`` that ``make_reference.R`` analyses.

Seeded (numpy default_rng(20240611)); re-running reproduces the committed file exactly. Synthetic
data for tests only: 320 rows in 4 strata x 8 PSUs (PSU labels 1..8 repeat across strata, i.e.
nested), unequal weights (two rows with weight zero), and items chosen to stress the estimators:

* ``q_agree``: five-point scale 1..5, code 8 = "don't know", some NaN; positive = 4 or 5;
* ``q_yesno``: text "Yes" / "No" / "Don't know"; positive = "Yes";
* ``q_rare``: 0/1 with about 3% ones (estimate near 0), some NaN;
* ``q_common``: 0/1 with about 97% ones (estimate near 1);
* ``group4``: levels a, b, c, d with d a small domain (12 rows);
* ``sex``: F / M; ``flag``: boolean (about a quarter True).

Run: ``python tests/reference/make_fixtures.py`` (from the project root).
"""
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make_fixture(seed: int = 20240611) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_strata, n_psu, per_psu = 4, 8, 10
    n = n_strata * n_psu * per_psu
    stratum = np.repeat([f"S{h + 1}" for h in range(n_strata)], n_psu * per_psu)
    psu = np.tile(np.repeat(np.arange(1, n_psu + 1), per_psu), n_strata)
    psu_effect = np.repeat(rng.normal(0, 0.6, n_strata * n_psu), per_psu)
    w = np.round(rng.lognormal(0, 0.5, n) * np.repeat([0.6, 1.0, 1.4, 2.0], n // n_strata), 4)
    w[[17, 203]] = 0.0

    group4 = rng.choice(["a", "b", "c"], size=n, p=[0.45, 0.35, 0.20])
    group4[rng.choice(n, size=12, replace=False)] = "d"
    sex = rng.choice(["F", "M"], size=n, p=[0.6, 0.4])
    flag = rng.random(n) < 0.25

    latent = psu_effect + 0.5 * (group4 == "b") - 0.4 * flag + rng.normal(0, 1, n)
    q_agree = np.digitize(latent, [-1.2, -0.4, 0.4, 1.2]).astype(float) + 1
    q_agree[rng.random(n) < 0.08] = 8
    q_agree[rng.random(n) < 0.03] = np.nan

    yes = (psu_effect + 0.8 * flag + rng.normal(0, 1, n)) > 0.3
    q_yesno = np.where(yes, "Yes", "No").astype(object)
    q_yesno[rng.random(n) < 0.07] = "Don't know"

    q_rare = (rng.random(n) < 0.03).astype(float)
    q_rare[rng.random(n) < 0.04] = np.nan
    q_common = (rng.random(n) > 0.03).astype(float)
    # keep every domain off the boundary so that R's beta interval is defined everywhere
    small = np.flatnonzero(group4 == "d")
    q_rare[small[0]], q_common[small[1]] = 1.0, 0.0

    return pd.DataFrame({
        "id": np.arange(1, n + 1), "stratum": stratum, "psu": psu, "w": w,
        "group4": group4, "sex": sex, "flag": flag, "q_agree": q_agree,
        "q_yesno": q_yesno, "q_rare": q_rare, "q_common": q_common,
    })


if __name__ == "__main__":
    make_fixture().to_csv(HERE / "survey_fixture.csv", index=False)
