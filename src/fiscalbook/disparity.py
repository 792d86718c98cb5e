"""Indices of regional disparity: how unequal are a country's regions?

    from fiscalbook import disparity
    disparity.index([30_000, 45_000, 60_000], population=[1e6, 2e6, 1e6], kind="theil")
    disparity.panel(tables.tl2_outlook())        # long: iso3, year, index, weighting, value, ...

Definitions
-----------
For regions i = 1..n with values y_i (e.g. GDP per head) and weights w_i that sum to one
(population shares p_i / sum p when population-weighted, 1/n when unweighted), with the
weighted mean mu = sum_i w_i y_i:

    cv            coefficient of variation  sqrt(sum_i w_i (y_i - mu)^2) / mu
                  (population-weighted: Williamson's index; unweighted: the standard
                  deviation with divisor n, not n - 1)
    theil         Theil T                   sum_i w_i (y_i / mu) ln(y_i / mu)
    mld           mean log deviation        sum_i w_i ln(mu / y_i)          (Theil L)
    gini          Gini coefficient          sum_i sum_j w_i w_j |y_i - y_j| / (2 mu)
                  (unweighted: the "population" Gini with divisor 2 n^2 mu, no n/(n-1)
                  small-sample correction)
    max_min       max_i y_i / min_i y_i     (weights play no part: both weightings give
                  the same number, reported twice so every index has both rows)
    top_bottom_20 ratio of the mean of the top 20 % to the mean of the bottom 20 %, where
                  "20 %" is 20 % of the weight (population, or number of regions when
                  unweighted). Regions are sorted by value and taken from each end until
                  their weights reach 0.2; the region that crosses 0.2 enters with the
                  fraction of its weight needed to reach exactly 0.2. So with five
                  equal-weight regions it is the highest over the lowest; with seven, the
                  top group is region 7 plus 0.4 of region 6; a region holding more than
                  20 % of the population at an end is that end on its own. Means within each
                  end are weighted by the (fractional) weights.

Every index is 0 (ratios: 1) when all regions are equal and is unchanged when all values
are multiplied by a positive constant. With population weights, a region of population k
counts exactly as k identical regions of population 1 (replication invariance): the
population-weighted indices are the unweighted indices of the population-equivalent
distribution. The OECD Regional Outlook 2023 country notes report an unweighted Theil
across regions; the Williamson (population-weighted CV) is the classic measure of the
older decentralisation literature.

Input rules (the same in `index` and `panel`)
---------------------------------------------
* Values must be finite and non-negative. Theil, MLD, max/min and top/bottom-20 also need
  every value strictly positive (a log or a division by the smallest value): a zero
  raises `ValueError` rather than being dropped or nudged. CV and Gini accept zeros but
  need a positive mean.
* Population weights must be finite and strictly positive.
* `index` raises `ValueError` on any missing (NaN) value or population and on fewer than
  two regions: a disparity among fewer than two regions is not defined.
* `panel` drops rows with a missing value (or, for population weighting, a missing
  population) **per group and per weighting**, and reports how many it used
  (`n_regions`) and dropped (`n_dropped`). A group left with fewer than two regions gets
  `value = NaN` (the row is kept, so the gap is visible). Zeros or negative values that
  are present still raise: they are data errors, not gaps.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

ALL: tuple[str, ...] = ("cv", "theil", "mld", "gini", "max_min", "top_bottom_20")
WEIGHTINGS: tuple[str, ...] = ("population", "unweighted")

LABELS: dict[str, str] = {
    "cv": "Coefficient of variation",
    "theil": "Theil T",
    "mld": "Mean log deviation",
    "gini": "Gini",
    "max_min": "Max / min ratio",
    "top_bottom_20": "Top 20 % / bottom 20 % ratio",
}

# Indices that need strictly positive values (logs or division by the lowest values).
_NEED_POSITIVE = frozenset({"theil", "mld", "max_min", "top_bottom_20"})
_SHARE = 0.2


def _check_kind(kind: str) -> None:
    if kind not in ALL:
        raise ValueError(f"unknown disparity index {kind!r}; choose from {ALL}")


def _arrays(values, population) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(values, dtype=float).ravel()
    if y.size < 2:
        raise ValueError(f"a disparity index needs at least two regions, got {y.size}")
    if np.isnan(y).any():
        raise ValueError("values contain missing entries (NaN); drop them first")
    if not np.isfinite(y).all():
        raise ValueError("values must be finite")
    if (y < 0).any():
        raise ValueError("values must be non-negative")
    if population is None:
        w = np.full(y.size, 1.0 / y.size)
    else:
        p = np.asarray(population, dtype=float).ravel()
        if p.shape != y.shape:
            raise ValueError(f"population has {p.size} entries for {y.size} values")
        if np.isnan(p).any():
            raise ValueError("population contains missing entries (NaN); drop them first")
        if not np.isfinite(p).all() or (p <= 0).any():
            raise ValueError("population weights must be finite and strictly positive")
        w = p / p.sum()
    return y, w


def _end_mean(y_sorted: np.ndarray, w_sorted: np.ndarray) -> float:
    """Weighted mean of the first `_SHARE` of weight, fractional weight at the boundary."""
    cum = np.cumsum(w_sorted)
    prev = np.concatenate(([0.0], cum[:-1]))
    take = np.clip(np.minimum(cum, _SHARE) - prev, 0.0, None)
    return float((take * y_sorted).sum() / take.sum())


def _compute(y: np.ndarray, w: np.ndarray, kind: str) -> float:
    if kind in _NEED_POSITIVE and (y <= 0).any():
        raise ValueError(f"{kind} needs strictly positive values; got a zero")
    mu = float((w * y).sum())
    if mu <= 0:
        raise ValueError("the mean value must be positive")
    if kind == "cv":
        return float(np.sqrt((w * (y - mu) ** 2).sum()) / mu)
    if kind == "theil":
        r = y / mu
        return float((w * r * np.log(r)).sum())
    if kind == "mld":
        return float((w * np.log(mu / y)).sum())
    if kind == "gini":
        return float((w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu))
    if kind == "max_min":
        return float(y.max() / y.min())
    if kind == "top_bottom_20":
        order = np.argsort(y, kind="stable")
        ys, ws = y[order], w[order]
        return _end_mean(ys[::-1], ws[::-1]) / _end_mean(ys, ws)
    raise AssertionError(kind)  # pragma: no cover - _check_kind guards


def index(values, population=None, kind: str = "theil") -> float:
    """One disparity index of `values` (population-weighted if `population` is given).

    Raises ValueError on fewer than two regions, missing or negative values, non-positive
    population, or a zero value where the index needs positive values (see module doc).
    """
    _check_kind(kind)
    y, w = _arrays(values, population)
    return _compute(y, w, kind)


def panel(
    df: pd.DataFrame,
    value: str = "gdp_per_head_usd_ppp2015",
    population: str | None = "population",
    by: Sequence[str] = ("iso3", "year"),
    kinds: Iterable[str] = ALL,
    weightings: Iterable[str] = WEIGHTINGS,
) -> pd.DataFrame:
    """Every index for every group of `df` (default: country-year), long format.

    Returns columns *by, index, weighting, value, n_regions, n_dropped: one row per group,
    index and weighting. Missing values (and missing populations, for the population
    weighting) are dropped per group and counted in `n_dropped`; groups left with fewer
    than two regions get value NaN. See the module docstring for the definitions.
    """
    kinds = tuple(kinds)
    weightings = tuple(weightings)
    for k in kinds:
        _check_kind(k)
    for wt in weightings:
        if wt not in WEIGHTINGS:
            raise ValueError(f"unknown weighting {wt!r}; choose from {WEIGHTINGS}")
    by = list(by)
    needed = by + [value] + ([population] if "population" in weightings else [])
    if "population" in weightings and population is None:
        raise ValueError("population weighting needs a population column")
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise KeyError(f"panel: columns not in the frame: {missing}")

    rows = []
    for key, g in df.groupby(by, sort=True, observed=True):
        key = key if isinstance(key, tuple) else (key,)
        for wt in weightings:
            cols = [value] + ([population] if wt == "population" else [])
            ok = g[cols].notna().all(axis=1)
            used = g.loc[ok]
            n, dropped = int(len(used)), int((~ok).sum())
            if n < 2:
                for k in kinds:
                    rows.append((*key, k, wt, np.nan, n, dropped))
                continue
            y, w = _arrays(used[value].to_numpy(float),
                           used[population].to_numpy(float) if wt == "population" else None)
            for k in kinds:
                rows.append((*key, k, wt, _compute(y, w, k), n, dropped))
    out = pd.DataFrame(rows, columns=by + ["index", "weighting", "value", "n_regions", "n_dropped"])
    return out.astype({"value": float, "n_regions": int, "n_dropped": int})


def wide(long: pd.DataFrame, by: Sequence[str] = ("iso3", "year")) -> pd.DataFrame:
    """Pivot a `panel` result to one column per index and weighting, e.g. `theil_population`."""
    w = long.pivot_table(index=list(by), columns=["index", "weighting"], values="value", dropna=False)
    w.columns = [f"{i}_{wt}" for i, wt in w.columns]
    return w.reset_index()


# --- capital regions --------------------------------------------------------------------
#
# The region that contains each country's capital city (the seat of national government,
# not the largest city), at TL2 and in the Regional Outlook's TL3/metro units, where TL3
# regions of one functional urban area are merged into one unit (codes ending in MC/M,
# e.g. UK001MC = London). Checked by hand against the OECD territorial grid 2020 and the
# Regional Outlook region names (tests/test_disparity.py repeats the check on the data).
# Where the capital is not the economic centre, the mapping still follows the capital:
# Canberra (AU8), Ottawa (Ontario, CA35), Ankara (TR51 / TR510), Washington (District of
# Columbia, US11; at TL3 the Washington–Baltimore metro unit US174), Wellington (NZ19), Bern
# (Espace Mittelland, CH02; Bern TL3 CH021). Norway's TL2 code NO08 is "Oslo and Viken"
# (2021 NUTS); Ireland's IE06 is "Eastern and Midland" (Dublin); Slovenia's SI04 is Western
# Slovenia (Ljubljana). Countries whose TL2 level is the whole country (EST, LVA, LUX) map to
# that single unit, so dropping it leaves nothing: their "excluding capital" index is NaN.
CAPITALS: dict[str, tuple[str, str, str | None]] = {
    # iso3: (capital city, TL2 region, TL3/metro unit in tables.tl3_metro or None)
    "AUS": ("Canberra", "AU8", None),
    "AUT": ("Vienna", "AT13", "AT001MC"),
    "BEL": ("Brussels", "BE1", "BE001MC"),
    "CAN": ("Ottawa", "CA35", None),
    "CHE": ("Bern", "CH02", "CH021"),
    "CHL": ("Santiago", "CL13", None),
    "COL": ("Bogotá", "CO11", None),
    "CZE": ("Prague", "CZ01", "CZ001MC"),
    "DEU": ("Berlin", "DE3", "DE001MC"),
    "DNK": ("Copenhagen", "DK01", "DK001MC"),
    "ESP": ("Madrid", "ES30", "ES300"),
    "EST": ("Tallinn", "EE00", "EE001"),
    "FIN": ("Helsinki", "FI1B", "FI1B1"),
    "FRA": ("Paris", "FR1", "FR001MC"),
    "GBR": ("London", "UKI", "UK001MC"),
    "GRC": ("Athens", "EL30", "EL001MC"),
    "HUN": ("Budapest", "HU11", "HU001MC"),
    "IRL": ("Dublin", "IE06", "IE001MC"),
    "ITA": ("Rome", "ITI4", "ITI43"),
    "JPN": ("Tokyo", "JPD", "JP01MC"),
    "KOR": ("Seoul", "KR01", "KR01MC"),
    "LTU": ("Vilnius", "LT01", "LT011"),
    "LUX": ("Luxembourg", "LU00", "LU000"),
    "LVA": ("Riga", "LV00", "LV001MC"),
    "MEX": ("Mexico City", "ME09", None),
    "NLD": ("Amsterdam", "NL32", "NL002MC"),
    "NOR": ("Oslo", "NO08", "NO081"),
    "NZL": ("Wellington", "NZ19", "NZ019"),
    "POL": ("Warsaw", "PL91", "PL001MC"),
    "PRT": ("Lisbon", "PT17", "PT170"),
    "SVK": ("Bratislava", "SK01", "SK010"),
    "SVN": ("Ljubljana", "SI04", "SI041"),
    "SWE": ("Stockholm", "SE11", "SE110"),
    "TUR": ("Ankara", "TR51", "TR510"),
    "USA": ("Washington, D.C.", "US11", "US174"),
}


def capital_region(iso3: str, level: str = "TL2") -> str:
    """The code of the region containing `iso3`'s capital at `level` ("TL2" or "TL3")."""
    if level not in ("TL2", "TL3"):
        raise ValueError(f"level must be 'TL2' or 'TL3', got {level!r}")
    try:
        city, tl2, tl3 = CAPITALS[iso3]
    except KeyError:
        raise KeyError(f"no capital region recorded for {iso3!r}") from None
    code = tl2 if level == "TL2" else tl3
    if code is None:
        raise KeyError(f"no {level} capital unit recorded for {iso3!r} ({city})")
    return code


def drop_capital(df: pd.DataFrame, level: str = "TL2", region: str = "region") -> pd.DataFrame:
    """`df` without each country's capital region.

    Fails loudly rather than silently keeping a capital: raises KeyError for a country with
    no recorded capital unit, and ValueError when a country's recorded capital code does
    not occur among its rows (a changed code list would otherwise go unnoticed).
    """
    codes = {iso: capital_region(iso, level) for iso in df["iso3"].unique()}
    present = df.groupby("iso3")[region].agg(lambda s: set(s))
    absent = [f"{iso}:{code}" for iso, code in codes.items() if code not in present[iso]]
    if absent:
        raise ValueError(f"capital region(s) not found in the data: {absent}")
    is_capital = df[region].to_numpy() == df["iso3"].map(codes).to_numpy()
    return df.loc[~is_capital]
