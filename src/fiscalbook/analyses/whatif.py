""""What if the UK had the fiscal autonomy of …?": the implied change for the UK's regions,
for each autonomy measure and target level, from the book's headline estimates.

First outcomes, productivity (`productivity_scenarios`, from `productivity.headline()`):
    per-worker gap:  100 × b4 × Δ log points, and 100 × b4 × Δ / gap_UK % of the UK's gap between
                     the upper and lower half of its TL2 regions (b4: country and year FE);
    lower half:      100 × (exp(b3 × Δ) − 1) % of its GDP per worker (b3: the same model on
                     the lower half's ln GDP per worker), and 100 × b3 × Δ log points.
Second outcomes, GDP per head (`scenarios`, from the regions and countries headlines):
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
# the productivity outcomes come first in the explorer
PRODUCTIVITY_OUTCOMES = ("Per-worker gap, upper/lower half", "Lower half's GDP per worker")
# headline short names of the measures (productivity.SHORT), kept here since an analysis
# module does not import another; the tax share (H4's headline measure) first
SHORT = {"imf_tax_share": "tax", "rai_fiscal_autonomy": "rfa", "rai_self_rule": "rsr",
         "imf_own_spending_share": "spend", "imf_vfi": "vfi"}


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


def _ends(b: float, lo: float, hi: float, delta: float, f) -> tuple[float, float, float]:
    """Point and interval of f(coef × Δ); NaN ends stay NaN (an unbounded bootstrap interval)."""
    if math.isnan(lo) or math.isnan(hi):
        return f(b * delta), math.nan, math.nan
    return _interval(b, lo, hi, delta, f)


def productivity_scenarios(h: dict, autonomy: pd.DataFrame, names: dict[str, str] | None = None,
                           uk_iso3: str = "GBR") -> pd.DataFrame:
    """One row per measure × target × productivity outcome, the same columns as `scenarios`
    plus change_lp, change_lp_low, change_lp_high: the change in log points (100 × ln units,
    as the landing page states them).

    h: productivity.headline() (keys h4_<s>_fe_coef / _boot_ci_low / _boot_ci_high,
    h3_<s>_log_lower_*, h4_<s>_uk_measure / _median_measure / _q75_measure / _measure_year,
    uk_gap_log); autonomy: iso3, year and a column per measure (OECD members only) for the
    named countries' levels in each measure's year."""
    names = names or {}
    gap = h["uk_gap_log"]
    rows = []
    for m, s in SHORT.items():
        if f"h4_{s}_fe_coef" not in h or f"h4_{s}_uk_measure" not in h:
            continue
        year, uk = int(h[f"h4_{s}_measure_year"]), h[f"h4_{s}_uk_measure"]
        levels = [("OECD median", h[f"h4_{s}_median_measure"]), ("OECD upper quartile", h[f"h4_{s}_q75_measure"])]
        if m in autonomy:
            vals = autonomy.loc[autonomy["year"] == year].set_index("iso3")[m].dropna()
            levels += [(names.get(iso, iso), float(x)) for iso, x in vals.drop(uk_iso3, errors="ignore").sort_index().items()]
        fe = (h[f"h4_{s}_fe_coef"], h[f"h4_{s}_fe_boot_ci_low"], h[f"h4_{s}_fe_boot_ci_high"])
        low = (h.get(f"h3_{s}_log_lower_coef", math.nan), h.get(f"h3_{s}_log_lower_boot_ci_low", math.nan),
               h.get(f"h3_{s}_log_lower_boot_ci_high", math.nan))
        for label, level in levels:
            delta = level - uk
            g = _ends(*fe, delta, lambda x: 100 * x / gap)
            lg = _ends(*fe, delta, lambda x: 100 * x)
            rows.append(dict(measure=m, year=year, target=label, level=level, uk_level=uk, delta=delta,
                             outcome=PRODUCTIVITY_OUTCOMES[0], effect=g[0], low=g[1], high=g[2],
                             change_lp=lg[0], change_lp_low=lg[1], change_lp_high=lg[2]))
            if not math.isnan(low[0]):
                w = _ends(*low, delta, lambda x: 100 * (np.exp(x) - 1))
                wl = _ends(*low, delta, lambda x: 100 * x)
                rows.append(dict(measure=m, year=year, target=label, level=level, uk_level=uk, delta=delta,
                                 outcome=PRODUCTIVITY_OUTCOMES[1], effect=w[0], low=w[1], high=w[2],
                                 change_lp=wl[0], change_lp_low=wl[1], change_lp_high=wl[2]))
    if not rows:
        raise ValueError("the headline has no measure with an FE gap estimate and UK levels")
    return pd.DataFrame(rows)
