""""What if the UK had the fiscal autonomy of …?": the implied change in UK regional GDP
per head and in its regional gap, for each autonomy measure and target level, from the
headline estimates of the regions (H3) and countries (H4) chapters.

Arithmetic only, with each estimate's 95 % wild-bootstrap interval carried through:
    GDP per head:  100 × (exp(b3 × Δ) − 1)  %, b3 from log GDP per head on the measure;
    regional gap:  100 × b4 × Δ / CV_UK       % of the UK's current coefficient of variation,
where Δ = target − UK value, in the latest year with the UK and enough OECD members.
These are associations within countries over time, read as if they were effects: the
chapters explain why that reading is generous.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

MEASURES = ("imf_tax_share", "rai_fiscal_autonomy")
OUTCOMES = ("Regional GDP per head", "Regional gap (CV)")


def targets(values: pd.Series, uk_iso3: str = "GBR") -> pd.DataFrame:
    """Target levels from one year's country values (index iso3): the OECD median, the
    upper quartile and each other country's own level."""
    v = values.dropna()
    rows = [("OECD median", float(v.median())), ("OECD upper quartile", float(v.quantile(0.75)))]
    rows += [(iso, float(x)) for iso, x in v.drop(uk_iso3, errors="ignore").sort_index().items()]
    return pd.DataFrame(rows, columns=["target", "level"])


def _interval(b: float, lo: float, hi: float, delta: float, f) -> tuple[float, float, float]:
    ends = sorted((f(lo * delta), f(hi * delta)))
    return f(b * delta), ends[0], ends[1]


def scenarios(h3: dict, h4: dict, autonomy: pd.DataFrame, years: dict[str, int],
              names: dict[str, str] | None = None) -> pd.DataFrame:
    """One row per measure × target × outcome: measure, year, target (label), level,
    uk_level, delta, outcome, effect, low, high (percent).

    h3, h4: regions.headline() and country_disparity.headline() (keys <measure>_coef,
    <measure>_boot_ci_low/high; h4 also uk_cv); autonomy: iso3, year and a column per
    measure (OECD members only); years: the year used for each measure."""
    names = names or {}
    rows = []
    for m in MEASURES:
        if f"{m}_coef" not in h3 or f"{m}_coef" not in h4:
            continue
        year = years[m]
        vals = autonomy.loc[autonomy["year"] == year].set_index("iso3")[m]
        if "GBR" not in vals.index or math.isnan(vals["GBR"]):
            raise ValueError(f"no UK value of {m} in {year}")
        uk = float(vals["GBR"])
        for t in targets(vals).itertuples(index=False):
            delta = t.level - uk
            g = _interval(h3[f"{m}_coef"], h3[f"{m}_boot_ci_low"], h3[f"{m}_boot_ci_high"], delta,
                          lambda x: 100 * (np.exp(x) - 1))
            c = _interval(h4[f"{m}_coef"], h4[f"{m}_boot_ci_low"], h4[f"{m}_boot_ci_high"], delta,
                          lambda x: 100 * x / h4["uk_cv"])
            label = names.get(t.target, t.target)
            for outcome, (eff, lo, hi) in zip(OUTCOMES, (g, c)):
                rows.append(dict(measure=m, year=year, target=label, level=t.level, uk_level=uk, delta=delta,
                                 outcome=outcome, effect=eff, low=lo, high=hi))
    if not rows:
        raise ValueError("no measure has both headline estimates")
    return pd.DataFrame(rows)
