"""Plausibility rules for regional rows: flag, never silently drop.

Each rule returns a boolean Series aligned with the frame (True = flagged), so a chapter
can show which rows a rule catches and recompute a result without them. The rules:

* ``employment_above_population``: more people working in a region than live in it. Possible
  where commuters pour in (the City of London), but then GDP per worker, not per head, is
  the sound measure; where the region is remote it points to an employment count that does
  not match the region's boundaries.
* ``far_outside_country``: a value beyond Tukey's *far-out* fences of its country-year on
  the log scale (below Q1 − k·IQR or above Q3 + k·IQR, k = 3): far from every other region
  of the same country, so one row can move a dispersion index on its own.
* ``overlapping_codes``: a region whose code extends another code of the same country-year
  (UKI7 inside UKI): counting both counts the same people twice.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

FAR_OUT_K = 3.0  # Tukey's far-out fence multiplier

RULES = ("employment_above_population", "far_outside_country", "overlapping_codes")
RULE_LABELS = {
    "employment_above_population": "Employment above population",
    "far_outside_country": "Per-worker value far outside the country's range",
    "overlapping_codes": "Code nested in another region's code",
}


def employment_above_population(df: pd.DataFrame, employment: str = "employment",
                                population: str = "population") -> pd.Series:
    """True where employment exceeds population (missing population: not flagged)."""
    return (df[employment] > df[population]).fillna(False).astype(bool)


def far_outside_country(df: pd.DataFrame, value: str, by: Sequence[str] = ("iso3", "year"),
                        k: float = FAR_OUT_K, min_regions: int = 4) -> pd.Series:
    """True where log(value) lies beyond Q1 − k·IQR or Q3 + k·IQR of its group (groups with
    fewer than `min_regions` rows are not judged: quartiles of three numbers say little)."""
    if (df[value] <= 0).any():
        raise ValueError(f"{value} must be positive for the log-scale rule")
    lv = np.log(df[value].astype(float))
    g = lv.groupby([df[c] for c in by])
    q1, q3, n = g.transform(lambda s: s.quantile(0.25)), g.transform(lambda s: s.quantile(0.75)), g.transform("size")
    iqr = q3 - q1
    return (((lv < q1 - k * iqr) | (lv > q3 + k * iqr)) & (n >= min_regions)).astype(bool)


def overlapping_codes(df: pd.DataFrame, region: str = "region", by: Sequence[str] = ("iso3", "year")) -> pd.Series:
    """True for a code that has another code of the same group as a strict prefix."""
    flag = pd.Series(False, index=df.index)
    for _, g in df.groupby(list(by), sort=False):
        codes = set(g[region])
        nested = {c for c in codes if any(o != c and c.startswith(o) for o in codes)}
        flag.loc[g.index] = g[region].isin(nested)
    return flag.astype(bool)


def flags(df: pd.DataFrame, value: str, by: Sequence[str] = ("iso3", "year")) -> pd.DataFrame:
    """All rules at once: one boolean column per rule plus ``any``."""
    out = pd.DataFrame({
        "employment_above_population": employment_above_population(df),
        "far_outside_country": far_outside_country(df, value, by=by),
        "overlapping_codes": overlapping_codes(df, by=by),
    }, index=df.index)
    out["any"] = out[list(RULES)].any(axis=1)
    return out
