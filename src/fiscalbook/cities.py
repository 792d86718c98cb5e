"""Core Cities and second-tier cities abroad (hypothesis H5).

Second-tier metros are a country's metropolitan units (OECD metro codes MR-L, large, and
MR-M, midsize) other than the one holding the capital. For each country and year we
compute, from the Regional Outlook 2023 TL3/metro panel (``tables.tl3_metro()``):

* ``gdp_per_head_second_tier``: population-weighted GDP per head of the second-tier
  metros, i.e. their total GDP over their total population;
* ``st_to_national`` and ``st_to_capital``: that figure as a percentage of the national
  figure (all units of the country, population-weighted) and of the capital metro.

"Enough metros" (``MIN_SECOND_TIER``): a country enters the cross-country comparison if it
has at least three second-tier metros in the panel, so that its second-tier figure is not
one city's. GDP per head puts output where it is produced and people where they live, so
commuting into a metro raises its GDP per head; GDP per worker (employment at place of
work, DF_GDP, 2019) is the check, computed for metro units whose TL3 regions can be
identified (``reconstruct_units``).

Autonomy tests: (i) across countries, country means of the second-tier ratio on country
means of each autonomy measure (standardised), with HC1 and pairs-bootstrap intervals;
(ii) within countries, the yearly ratio on the yearly measure with country and year fixed
effects, CR1 errors clustered by country and a restricted wild cluster bootstrap.
"""

from __future__ import annotations

import re
from functools import cache
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .study import SEED  # the study's one seed (fiscalbook.study)
METRO_CODES = ("MR-L", "MR-M")
MIN_SECOND_TIER = 3
PEERS = ("DEU", "FRA", "ITA", "ESP", "NLD", "USA")
YEAR = 2019  # cross-section year: pre-pandemic, and the year of the per-worker data
FIRST, LAST = 2000, 2020
H5_MEASURES = ("rai_fiscal_autonomy", "rai_self_rule", "imf_tax_share",
               "imf_own_spending_share", "imf_vfi")
POP_TOL = 2e-5  # relative tolerance when matching TL3 populations to a merged unit
MAX_BINARIES = 5000  # larger assignment problems (Germany: 52 units x 190 regions) are not attempted
# The cross-section adds the Local Autonomy Index (municipal, Europe, survey years): the only
# measure of *local* rather than regional government; too few years for the within version.
XS_MEASURES = H5_MEASURES + ("lai",)
B_PAIRS = 4999


# ----------------------------------------------------------------------------------------
# classification


def capital_unit(iso3: str) -> str:
    """The panel unit holding the capital (from disparity.CAPITALS)."""
    from .disparity import capital_region

    return capital_region(iso3, "TL3")


def classify(panel: pd.DataFrame, capitals: dict | None = None,
             codes: Sequence[str] = METRO_CODES) -> pd.DataFrame:
    """Add ``tier``: "capital", "second_tier" (other MR-L/MR-M metros) or "non_metro".

    ``capitals`` maps iso3 -> unit code (default: the book's capital table). Raises
    ValueError if a country's capital unit is missing from the panel or is not a metro.
    """
    out = panel.copy()
    isos = sorted(out["iso3"].unique())
    if capitals is None:
        capitals = {iso: capital_unit(iso) for iso in isos}
    is_metro = out["metro_code"].isin(METRO_CODES)
    in_tier = out["metro_code"].isin(codes)
    cap = out["region"].to_numpy() == out["iso3"].map(capitals).to_numpy()
    bad = sorted(set(out.loc[cap & ~is_metro, "iso3"]))
    missing = [i for i in isos if not cap[(out["iso3"] == i).to_numpy()].any()]
    if bad or missing:
        raise ValueError(f"capital unit not a metro: {bad}; capital unit missing: {missing}")
    out["tier"] = np.where(cap, "capital", np.where(in_tier, "second_tier", "non_metro"))
    return out


def _wmean(df: pd.DataFrame) -> float:
    w = df["population"].to_numpy(float)
    return float((df["gdp_per_head_usd_ppp2015"].to_numpy(float) * w).sum() / w.sum()) if len(df) else np.nan


def second_tier(panel: pd.DataFrame | None = None, capitals: dict | None = None,
                codes: Sequence[str] = METRO_CODES, min_second_tier: int = MIN_SECOND_TIER) -> pd.DataFrame:
    """Country-year table: iso3, year, n_second_tier, second_tier_pop_share,
    gdp_per_head_national / _capital / _second_tier (USD PPP 2015, population-weighted),
    st_to_national and st_to_capital (%), enough (n_second_tier >= MIN_SECOND_TIER)."""
    if panel is None:
        from . import tables

        panel = tables.tl3_metro()
    p = classify(panel, capitals, codes)
    p = p.assign(gdp=p["gdp_per_head_usd_ppp2015"] * p["population"])
    g = p.groupby(["iso3", "year"])
    nat = g.agg(gdp=("gdp", "sum"), pop=("population", "sum"))
    by_tier = p.groupby(["iso3", "year", "tier"]).agg(gdp=("gdp", "sum"), pop=("population", "sum"),
                                                      n=("region", "nunique"))
    st = by_tier.xs("second_tier", level="tier").reindex(nat.index)
    cap = by_tier.xs("capital", level="tier").reindex(nat.index)
    out = pd.DataFrame(index=nat.index)
    out["n_second_tier"] = st["n"].fillna(0).astype(int)
    out["second_tier_pop_share"] = 100 * st["pop"] / nat["pop"]
    out["gdp_per_head_national"] = nat["gdp"] / nat["pop"]
    out["gdp_per_head_capital"] = cap["gdp"] / cap["pop"]
    out["gdp_per_head_second_tier"] = st["gdp"] / st["pop"]
    out["st_to_national"] = 100 * out["gdp_per_head_second_tier"] / out["gdp_per_head_national"]
    out["st_to_capital"] = 100 * out["gdp_per_head_second_tier"] / out["gdp_per_head_capital"]
    out["enough"] = out["n_second_tier"] >= min_second_tier
    return out.reset_index()


def comparison_countries(st: pd.DataFrame) -> list[str]:
    """Countries with at least MIN_SECOND_TIER second-tier metros in every year."""
    ok = st.groupby("iso3")["enough"].all()
    return sorted(ok[ok].index)


def variants(panel: pd.DataFrame | None = None, year: int = YEAR) -> pd.DataFrame:
    """The UK's second tier against the other comparison countries under other choices:
    the main definition; the most populous metro instead of the capital's as the first tier
    (it differs where the capital is not the largest city: Bern, Ankara, Washington, Rome,
    Wellington, ...); at least 5 second-tier metros; large metros (MR-L) only; the year 2000;
    and without the 'Liverpool' unit (which contains Dundee) in the UK's second tier."""
    if panel is None:
        from . import tables

        panel = tables.tl3_metro()
    no_lpool = panel.copy()
    no_lpool.loc[no_lpool["region"] == "UK006M", "metro_code"] = "excluded"
    y0 = panel[(panel["year"] == year) & panel["metro_code"].isin(METRO_CODES)]
    largest = y0.sort_values("population").groupby("iso3")["region"].last().to_dict()
    specs = [("Main: MR-L and MR-M, at least 3, " + str(year), panel, METRO_CODES, 3, year),
             ("Largest metro, not the capital, as first tier", panel, METRO_CODES, 3, year),
             ("At least 5 second-tier metros", panel, METRO_CODES, 5, year),
             ("Large metros (MR-L) only, at least 3", panel, ("MR-L",), 3, year),
             (f"Year {FIRST}", panel, METRO_CODES, 3, FIRST),
             ("UK without the 'Liverpool' unit", no_lpool, METRO_CODES, 3, year)]
    rows = []
    for name, p, codes, k, y in specs:
        caps = largest if name.startswith("Largest") else None
        st = second_tier(p, capitals=caps, codes=codes, min_second_tier=k)
        cc = comparison_countries(st)
        if "GBR" not in cc:
            rows.append({"variant": name, "n_countries": len(cc)})
            continue
        t = st[(st["year"] == y) & st["iso3"].isin(cc)].set_index("iso3")
        uk = t.loc["GBR"]
        rows.append({"variant": name, "n_countries": len(cc),
                     "uk_st_national": float(uk["st_to_national"]),
                     "others_median": float(t.drop(index="GBR")["st_to_national"].median()),
                     "uk_rank_low": int((t["st_to_national"] < uk["st_to_national"]).sum()) + 1,
                     "uk_st_capital": float(uk["st_to_capital"]),
                     "others_median_capital": float(t.drop(index="GBR")["st_to_capital"].median())})
    return pd.DataFrame(rows)


def metro_units(panel: pd.DataFrame | None = None, year: int = YEAR,
                capitals: dict | None = None) -> pd.DataFrame:
    """One row per metro unit in ``year``: iso3, region, region_name, metro_code, tier,
    population, gdp_per_head_usd_ppp2015, rel_national and rel_capital (%), core_city."""
    if panel is None:
        from . import tables

        panel = tables.tl3_metro()
    p = classify(panel, capitals)
    p = p[p["year"] == year]
    p = p.assign(gdp=p["gdp_per_head_usd_ppp2015"] * p["population"])
    nat = p.groupby("iso3")["gdp"].sum() / p.groupby("iso3")["population"].sum()
    capv = p[p["tier"] == "capital"].set_index("iso3")["gdp_per_head_usd_ppp2015"]
    m = p[p["tier"] != "non_metro"].copy()
    m["rel_national"] = 100 * m["gdp_per_head_usd_ppp2015"] / m["iso3"].map(nat)
    m["rel_capital"] = 100 * m["gdp_per_head_usd_ppp2015"] / m["iso3"].map(capv)
    from .core_cities import CORE_CITIES

    names = {}
    for c in CORE_CITIES:
        names.setdefault(c.unit, []).append(c.city)
    m["core_city"] = [", ".join(names.get(r, [])) if i == "GBR" else ""
                      for i, r in zip(m["iso3"], m["region"])]
    cols = ["iso3", "region", "region_name", "metro_code", "tier", "population",
            "gdp_per_head_usd_ppp2015", "rel_national", "rel_capital", "core_city"]
    return m[cols].reset_index(drop=True)


def country_table(rep: dict) -> pd.DataFrame:
    """Per country in YEAR: capital metro, counts of second-tier large and midsize metros,
    their population share and GDP per head relative to national and capital."""
    u = rep["units"]
    cap = u[u["tier"] == "capital"].set_index("iso3")["region_name"]
    sec = u[u["tier"] == "second_tier"]
    n_l = sec[sec["metro_code"] == "MR-L"].groupby("iso3").size()
    n_m = sec[sec["metro_code"] == "MR-M"].groupby("iso3").size()
    st = rep["st"]
    t = st[st["year"] == YEAR].set_index("iso3")
    names = _country_names(t.index)
    out = pd.DataFrame({"country": [names[i] for i in t.index], "capital_metro": cap.reindex(t.index),
                        "n_large": n_l.reindex(t.index).fillna(0).astype(int),
                        "n_midsize": n_m.reindex(t.index).fillna(0).astype(int),
                        "second_tier_pop_share": t["second_tier_pop_share"],
                        "st_to_national": t["st_to_national"], "st_to_capital": t["st_to_capital"],
                        "compared": t.index.isin(rep["countries"])}, index=t.index)
    return out.sort_values("st_to_national").reset_index()


def core_city_table(panel: pd.DataFrame | None = None, year: int = YEAR) -> pd.DataFrame:
    """The Core Cities mapping joined to their units' figures in ``year``."""
    from . import core_cities

    units = metro_units(panel, year)
    t = core_cities.table().merge(
        units[["region", "region_name", "metro_code", "population", "gdp_per_head_usd_ppp2015",
               "rel_national", "rel_capital"]].rename(columns={"region": "unit"}),
        on="unit", how="left")
    return t


def core_cities_aggregate(panel: pd.DataFrame | None = None, year: int = YEAR) -> dict:
    """Population-weighted GDP per head of the distinct Core City units, as % of national."""
    from .core_cities import CORE_CITIES

    if panel is None:
        from . import tables

        panel = tables.tl3_metro()
    p = panel[panel["year"] == year]
    nat = _wmean(p[p["iso3"] == "GBR"])
    units = sorted({c.unit for c in CORE_CITIES})
    cc = p[(p["iso3"] == "GBR") & p["region"].isin(units)]
    return {"rel_national": 100 * _wmean(cc) / nat,
            "pop_share": 100 * cc["population"].sum() / p.loc[p["iso3"] == "GBR", "population"].sum(),
            "n_units": len(cc)}


# ----------------------------------------------------------------------------------------
# TL3 -> metro unit reconstruction, and GDP per worker


def check_components(components: dict[str, Sequence[str]], unit_pop: pd.Series,
                     tl3_pop: pd.Series, tol: float = POP_TOL) -> pd.DataFrame:
    """For each merged unit, compare its population with the sum over its listed TL3
    regions. ``unit_pop`` and ``tl3_pop`` are indexed by region code (one year).
    Returns unit, pop_unit, pop_sum, rel_diff, missing (codes without a value), ok."""
    rows = []
    for unit, comps in components.items():
        missing = [c for c in comps if c not in tl3_pop.index or pd.isna(tl3_pop.get(c))]
        s = float(tl3_pop.reindex(list(comps)).sum())
        pu = float(unit_pop.get(unit, np.nan))
        rel = (s - pu) / pu if pu == pu and not missing else np.nan
        rows.append({"unit": unit, "pop_unit": pu, "pop_sum": s, "rel_diff": rel,
                     "missing": ",".join(missing), "ok": bool(rel == rel and abs(rel) <= tol)})
    return pd.DataFrame(rows)


def solve_units(unit_pops: pd.DataFrame, tl3_pops: pd.DataFrame, tol: float = POP_TOL,
                time_limit: float = 30.0, max_binaries: int = MAX_BINARIES) -> dict[str, tuple[str, ...] | None]:
    """Assign candidate TL3 regions to merged units so that populations add up.

    ``unit_pops``: merged units (index) x years (columns); ``tl3_pops``: candidate TL3
    regions x the same years. Solves the exact-cover-like integer programme "each TL3
    region in at most one unit; each unit's population within ``tol`` of the sum of its
    regions, in every year" with HiGHS (scipy.optimize.milp). A unit's assignment is
    returned only if it is *unique*: the programme is solved again with a cut excluding
    that unit's assignment, and if another assignment fits, the unit gets None. If the
    candidates hold fewer people than the units (some component has no row), or no joint
    assignment is found within ``time_limit`` seconds, or the problem has more than
    ``max_binaries`` unknowns (a deterministic cap, so results do not depend on machine
    speed), every unit gets None.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    units = list(unit_pops.index)
    cands = list(tl3_pops.dropna().index)
    if not units:
        return {}
    if not cands:
        return {u: None for u in units}
    short = [y for y in unit_pops.columns
             if tl3_pops.loc[cands, y].sum() < unit_pops[y].sum() * (1 - tol)]
    if short:  # candidates hold fewer people than the units: some components have no row
        return {u: None for u in units}
    U, C = len(units), len(cands)
    n = U * C
    if n > max_binaries:
        return {u: None for u in units}
    A, lo, hi = [], [], []
    for c in range(C):  # each candidate in at most one unit
        row = np.zeros(n)
        row[c::C] = 1
        A.append(row); lo.append(0); hi.append(1)
    scale = 1e-3
    for u in range(U):
        for y in unit_pops.columns:
            target = float(unit_pops.iloc[u][y]) * scale
            row = np.zeros(n)
            row[u * C:(u + 1) * C] = tl3_pops.loc[cands, y].to_numpy(float) * scale
            A.append(row); lo.append(target * (1 - tol)); hi.append(target * (1 + tol))
    base = [np.array(A), np.array(lo), np.array(hi)]

    def solve(extra_rows=(), extra_hi=()):
        M = np.vstack([base[0], *extra_rows]) if extra_rows else base[0]
        L = np.concatenate([base[1], np.full(len(extra_rows), -np.inf)])
        H = np.concatenate([base[2], np.array(extra_hi, dtype=float)])
        r = milp(np.zeros(n), constraints=LinearConstraint(M, L, H), integrality=np.ones(n),
                 bounds=Bounds(0, 1), options={"time_limit": time_limit})
        return r.x if r.status == 0 and r.x is not None else None

    x = solve()
    if x is None:  # no joint assignment (or the time limit): nothing is claimed
        return {u: None for u in units}
    x = np.round(x).astype(int)
    out = {}
    for u in range(U):
        chosen = np.flatnonzero(x[u * C:(u + 1) * C])
        # exclude exactly this set for unit u: sum(chosen) - sum(not chosen) <= k - 1
        cut_row = -np.ones(C)
        cut_row[chosen] = 1
        full = np.zeros(n)
        full[u * C:(u + 1) * C] = cut_row
        alt = solve([full], [len(chosen) - 1])
        out[units[u]] = tuple(cands[i] for i in chosen) if alt is None else None
    return out


def _sdmx_tl3(sdmx: pd.DataFrame, measure: str, years=(2019, 2020)) -> pd.DataFrame:
    s = sdmx[(sdmx["level"] == "TL3") & (sdmx["measure"] == measure) & sdmx["year"].isin(years)]
    if measure == "GDP":
        s = s[(s["unit"] == "USD_PPP") & (s["prices"] == "Q")]
    else:
        s = s[s["unit"] == "PS"]
    return s.pivot_table(index="region", columns="year", values="value", aggfunc="first")


_MERGED = re.compile(r"^[A-Z]{2}\d{2,3}MC?$")


def is_merged_code(code: str) -> bool:
    """Does ``code`` look like a Regional Outlook metro-unit code (UK001MC, DE002M, JP02M)?
    Some genuine TL3 codes have the same shape (DE21M, Traunstein), so unit_components
    also requires the code to be absent from the TL3 data."""
    return bool(_MERGED.match(code))


def unit_components(panel: pd.DataFrame | None = None, sdmx: pd.DataFrame | None = None,
                    years=(2019, 2020)) -> pd.DataFrame:
    """TL3 regions of every metro unit: iso3, region, components (tuple or None), method.

    Single-TL3 units are their own component. Merged UK units use core_cities'
    UK_MERGED_UNITS (checked). Other merged units are reconstructed by ``solve_units``:
    candidates are the country's DF_GDP TL3 regions that are not units of their own in
    the panel; a unit is kept only if its assignment is unique and populations match."""
    from . import tables
    from .core_cities import UK_MERGED_UNITS

    if panel is None:
        panel = tables.tl3_metro()
    if sdmx is None:
        sdmx = tables.sdmx_gdp()
    pops = _sdmx_tl3(sdmx, "POP", years)
    pan = panel[panel["year"].isin(years)]
    up = pan.pivot_table(index="region", columns="year", values="population", aggfunc="first")
    metros = panel.loc[panel["metro_code"].isin(METRO_CODES), ["iso3", "region"]].drop_duplicates()
    rows = []
    for iso, g in metros.groupby("iso3"):
        own = set(panel.loc[panel["iso3"] == iso, "region"])
        merged = [r for r in g["region"] if is_merged_code(r) and r not in pops.index]
        for r in g["region"]:
            if r not in merged:
                rows.append((iso, r, (r,), "single TL3"))
        if not merged:
            continue
        if iso == "GBR":
            for r in merged:
                rows.append((iso, r, UK_MERGED_UNITS.get(r), "hand mapping (core_cities)"))
            continue
        prefix = {r[:2] for r in own if not is_merged_code(r)} | {r[:2] for r in merged}
        cand = pops.loc[[i for i in pops.index if i[:2] in prefix and i not in own]]
        all_merged = sorted(set(panel.loc[(panel["iso3"] == iso), "region"]) - set(pops.index))
        all_merged = [r for r in all_merged if is_merged_code(r)]
        sol = solve_units(up.loc[all_merged, list(years)], cand[list(years)])
        for r in merged:
            rows.append((iso, r, sol.get(r), "population match (unique)" if sol.get(r)
                         else "not reconstructed"))
    return pd.DataFrame(rows, columns=["iso3", "region", "components", "method"])


def per_worker(components: pd.DataFrame, sdmx: pd.DataFrame | None = None,
               year: int = YEAR) -> pd.DataFrame:
    """GDP, employment, population and GDP per worker/head of each unit in ``year``,
    summed over its TL3 components (NaN if any component lacks a value)."""
    from . import tables

    if sdmx is None:
        sdmx = tables.sdmx_gdp()
    gdp = _sdmx_tl3(sdmx, "GDP", (year,)).get(year, pd.Series(dtype=float))
    emp = _sdmx_tl3(sdmx, "EMP", (year,)).get(year, pd.Series(dtype=float))
    pop = _sdmx_tl3(sdmx, "POP", (year,)).get(year, pd.Series(dtype=float))

    def total(s, comps):
        if comps is None:
            return np.nan
        v = s.reindex(list(comps))
        return float(v.sum()) if v.notna().all() else np.nan

    out = components.copy()
    out["gdp_usd_ppp2015"] = [total(gdp, c) for c in out["components"]]
    out["employment"] = [total(emp, c) for c in out["components"]]
    out["population_sdmx"] = [total(pop, c) for c in out["components"]]
    out["gdp_per_worker"] = out["gdp_usd_ppp2015"] / out["employment"]
    out["gdp_per_head_sdmx"] = out["gdp_usd_ppp2015"] / out["population_sdmx"]
    return out


def national_per_worker(sdmx: pd.DataFrame, year: int = YEAR) -> pd.DataFrame:
    """Country GDP per worker and per head (DF_GDP CTRY rows, constant 2015 PPP)."""
    s = sdmx[(sdmx["level"] == "CTRY") & (sdmx["year"] == year)]
    gdp = s[(s["measure"] == "GDP") & (s["unit"] == "USD_PPP") & (s["prices"] == "Q")]\
        .groupby("iso3")["value"].first()
    emp = s[(s["measure"] == "EMP") & (s["unit"] == "PS")].groupby("iso3")["value"].first()
    pop = s[(s["measure"] == "POP") & (s["unit"] == "PS")].groupby("iso3")["value"].first()
    return pd.DataFrame({"gdp_per_worker_national": gdp / emp,
                         "gdp_per_head_national_sdmx": gdp / pop}).reset_index()


def second_tier_per_worker(units_pw: pd.DataFrame, panel: pd.DataFrame, sdmx: pd.DataFrame,
                           year: int = YEAR, capitals: dict | None = None) -> pd.DataFrame:
    """By country: second-tier metros' GDP per worker and per head (same units, DF_GDP),
    as % of national, with coverage (share of second-tier population with data)."""
    p = classify(panel[panel["year"] == year], capitals)
    tiers = p[["region", "tier", "population"]]
    u = units_pw.merge(tiers, on="region", how="left")
    st = u[u["tier"] == "second_tier"]
    have = st["gdp_per_worker"].notna()
    g = st[have].groupby("iso3").agg(gdp=("gdp_usd_ppp2015", "sum"), emp=("employment", "sum"),
                                     pop=("population_sdmx", "sum"), n=("region", "size"))
    cov = (st[have].groupby("iso3")["population"].sum() / st.groupby("iso3")["population"].sum())
    n_all = st.groupby("iso3").size()
    out = pd.DataFrame({"n_second_tier": n_all}).join(g)
    out["coverage"] = 100 * cov.reindex(out.index).fillna(0)
    out = out.reset_index().merge(national_per_worker(sdmx, year), on="iso3", how="left")
    out["st_per_worker_to_national"] = 100 * out["gdp"] / out["emp"] / out["gdp_per_worker_national"]
    out["st_per_head_to_national_sdmx"] = 100 * out["gdp"] / out["pop"] / out["gdp_per_head_national_sdmx"]
    return out.rename(columns={"n": "n_with_data"})


# ----------------------------------------------------------------------------------------
# autonomy


def _measures(measures) -> list[str]:
    return list(measures if measures is not None else H5_MEASURES)


def cross_section(st: pd.DataFrame, autonomy: pd.DataFrame, measures=None,
                  countries: Sequence[str] | None = None, outcome: str = "st_to_national",
                  first: int = FIRST, last: int = LAST, B: int = B_PAIRS,
                  seed: int = SEED) -> pd.DataFrame:
    """Country means (years first..last) of ``outcome`` on each autonomy measure,
    standardised across the sample countries (coefficient = percentage points per 1 SD).
    HC1 CI (t(n-2)) from estimation.fit_fe and a pairs-bootstrap percentile CI."""
    from .estimation import fit_fe

    s = st[(st["year"] >= first) & (st["year"] <= last)]
    if countries is not None:
        s = s[s["iso3"].isin(countries)]
    y = s.groupby("iso3")[outcome].mean()
    a = autonomy[(autonomy["year"] >= first) & (autonomy["year"] <= last)]
    rows = []
    rng = np.random.default_rng(seed)
    for m in _measures(measures):
        x = a.groupby("iso3")[m].mean()
        d = pd.DataFrame({"y": y, "x": x}).dropna()
        n = len(d)
        if n < 5:
            rows.append({"measure": m, "n_countries": n})
            continue
        sd = float(d["x"].std(ddof=1))
        d["xz"] = (d["x"] - d["x"].mean()) / sd
        fit = fit_fe(d.reset_index(), "y", ["xz"])
        e = fit.estimate("xz")
        X = np.column_stack([np.ones(n), d["xz"].to_numpy()])
        Y = d["y"].to_numpy()
        idx = rng.integers(0, n, size=(B, n))
        xb, yb = X[idx, 1], Y[idx]
        xc = xb - xb.mean(axis=1, keepdims=True)
        sxx = (xc ** 2).sum(axis=1)
        keep = sxx > 0  # a resample with one distinct country has no slope
        slopes = (xc * (yb - yb.mean(axis=1, keepdims=True))).sum(axis=1)[keep] / sxx[keep]
        lo, hi = np.percentile(slopes, [2.5, 97.5])
        rows.append({"measure": m, "n_countries": n, "sd": sd, "coef": e.coef, "se": e.se,
                     "ci_low": e.ci_low, "ci_high": e.ci_high, "p": e.p,
                     "boot_low": float(lo), "boot_high": float(hi),
                     "r": float(np.corrcoef(d["x"], d["y"])[0, 1])})
    return pd.DataFrame(rows)


def within(st: pd.DataFrame, autonomy: pd.DataFrame, measures=None,
           countries: Sequence[str] | None = None, outcome: str = "st_to_national",
           first: int = FIRST, last: int = LAST, B: int = 9999, seed: int = SEED,
           sd: dict | None = None) -> pd.DataFrame:
    """Yearly ``outcome`` on each measure with country and year fixed effects, CR1 by
    country and a WCR wild cluster bootstrap (seeded). Measures are divided by ``sd``
    (per measure; default: the cross-country SD of country means) so coefficients are
    percentage points per 1 cross-country SD. ``n_changed`` counts countries whose
    measure moves over the window."""
    from .estimation import EstimationError, fit_fe, wild_cluster_bootstrap

    s = st[(st["year"] >= first) & (st["year"] <= last)]
    if countries is not None:
        s = s[s["iso3"].isin(countries)]
    rows = []
    for m in _measures(measures):
        d = s[["iso3", "year", outcome]].merge(autonomy[["iso3", "year", m]], on=["iso3", "year"])
        d = d.dropna()
        scale = (sd or {}).get(m) or float(d.groupby("iso3")[m].mean().std(ddof=1))
        d["xs"] = d[m] / scale
        changed = int((d.groupby("iso3")[m].agg(lambda v: v.max() - v.min()) > 1e-9).sum())
        row = {"measure": m, "n_countries": d["iso3"].nunique(), "n_obs": len(d),
               "n_changed": changed, "years": f"{d['year'].min()}–{d['year'].max()}" if len(d) else ""}
        try:
            fit = fit_fe(d, outcome, ["xs"], fe=("iso3", "year"), cluster="iso3")
            e = fit.estimate("xs")
            wb = wild_cluster_bootstrap(d, outcome, ["xs"], "xs", fe=("iso3", "year"),
                                        cluster="iso3", B=B, seed=seed)
            row.update(coef=e.coef, se=e.se, ci_low=e.ci_low, ci_high=e.ci_high, p=e.p,
                       wb_p=wb.p, wb_low=wb.ci_low, wb_high=wb.ci_high)
        except EstimationError as err:
            row["error"] = str(err)
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# the chapter's numbers and charts


LABELS = {"rai_fiscal_autonomy": "RAI fiscal autonomy", "rai_self_rule": "RAI self-rule",
          "imf_tax_share": "IMF sub-national tax share", "imf_own_spending_share":
          "IMF sub-national own-spending share", "imf_vfi": "IMF vertical fiscal imbalance",
          "lai": "Local Autonomy Index (municipal)"}


def _country_names(isos) -> dict:
    try:
        from . import countries

        return {i: countries.name(i) for i in isos}
    except Exception:  # the names module is optional for this chapter
        return {i: i for i in isos}


@cache
def _report(B_within: int = 9999, B_pairs: int = B_PAIRS) -> dict:
    from . import autonomy, tables

    panel = tables.tl3_metro()
    sdmx = tables.sdmx_gdp()
    st = second_tier(panel)
    cc = comparison_countries(st)
    auto = autonomy.country_year()
    comps = unit_components(panel, sdmx)
    pw = per_worker(comps, sdmx, YEAR)
    stw = second_tier_per_worker(pw, panel, sdmx, YEAR)
    xs = cross_section(st, auto, XS_MEASURES, countries=cc, B=B_pairs)
    sds = dict(zip(xs["measure"], xs["sd"])) if "sd" in xs else None
    wi = within(st, auto, H5_MEASURES, countries=cc, B=B_within, sd=sds)
    units = metro_units(panel, YEAR)
    var = variants(panel, YEAR)
    return {"variants": var, "st": st, "countries": cc, "autonomy": auto, "components": comps, "per_worker": pw,
            "st_per_worker": stw, "cross_section": xs, "within": wi, "units": units,
            "core": core_city_table(panel, YEAR), "core_agg": core_cities_aggregate(panel, YEAR)}


def report() -> dict:
    """Everything the chapter shows (memoised tables; copies of the frames)."""
    r = _report()
    return {k: (v.copy() if isinstance(v, pd.DataFrame) else v) for k, v in r.items()}


def core_per_worker(rep: dict) -> dict:
    """Core City units with per-worker data, aggregated, as % of the UK figures (DF_GDP)."""
    from .core_cities import CORE_CITIES

    pw = rep["per_worker"].set_index("region")
    nat = national_per_worker(_sdmx(), YEAR).set_index("iso3").loc["GBR"]
    units = [c.unit for c in CORE_CITIES if c.per_worker]
    d = pw.loc[units]
    return {"per_worker": 100 * d["gdp_usd_ppp2015"].sum() / d["employment"].sum()
            / nat["gdp_per_worker_national"],
            "per_head": 100 * d["gdp_usd_ppp2015"].sum() / d["population_sdmx"].sum()
            / nat["gdp_per_head_national_sdmx"],
            "n_units": len(d)}


def core_city_per_worker(rep: dict) -> pd.DataFrame:
    """Per Core City unit: GDP per worker and per head (DF_GDP, YEAR) as % of the UK."""
    from .core_cities import CORE_CITIES

    pw = rep["per_worker"].set_index("region")
    nat = national_per_worker(_sdmx(), YEAR).set_index("iso3").loc["GBR"]
    rows = []
    for c in CORE_CITIES:
        r = pw.loc[c.unit] if c.unit in pw.index else None
        rows.append({"city": c.city,
                     "pw_rel_uk": np.nan if r is None else 100 * r["gdp_per_worker"] / nat["gdp_per_worker_national"],
                     "ph_rel_uk_sdmx": np.nan if r is None else 100 * r["gdp_per_head_sdmx"] / nat["gdp_per_head_national_sdmx"]})
    return pd.DataFrame(rows)


def _sdmx():
    from . import tables

    return tables.sdmx_gdp()


def headline() -> dict:
    """The H5 numbers for the verdict chapter (plain floats/ints)."""
    r = _report()
    st, cc = r["st"], r["countries"]
    y = st[(st["year"] == YEAR) & st["iso3"].isin(cc)].set_index("iso3")
    uk = y.loc["GBR"]
    others = y.drop(index="GBR")
    rank = int((y["st_to_national"] < uk["st_to_national"]).sum()) + 1
    ukt = st[st["iso3"] == "GBR"].set_index("year")
    stw = r["st_per_worker"].set_index("iso3")
    xs = r["cross_section"].set_index("measure")
    wi = r["within"].set_index("measure")
    cpw = core_per_worker(r)
    m = "rai_fiscal_autonomy"
    out = {
        "n_countries": len(cc), "min_second_tier": MIN_SECOND_TIER, "year": YEAR,
        "uk_st_national": float(uk["st_to_national"]),
        "uk_st_capital": float(uk["st_to_capital"]),
        "uk_st_national_2000": float(ukt.loc[FIRST, "st_to_national"]),
        "uk_st_national_2020": float(ukt.loc[LAST, "st_to_national"]),
        "uk_n_second_tier": int(uk["n_second_tier"]),
        "uk_rank_low": rank,
        "others_median_st_national": float(others["st_to_national"].median()),
        "others_median_st_capital": float(others["st_to_capital"].median()),
        "core_rel_national": float(r["core_agg"]["rel_national"]),
        "core_pop_share": float(r["core_agg"]["pop_share"]),
        "core_pw_national": float(cpw["per_worker"]),
        "core_ph_national_sdmx": float(cpw["per_head"]),
        "uk_st_pw_national": float(stw.loc["GBR", "st_per_worker_to_national"]),
        "uk_st_ph_national_sdmx": float(stw.loc["GBR", "st_per_head_to_national_sdmx"]),
        "uk_st_pw_coverage": float(stw.loc["GBR", "coverage"]),
        "xs_coef": float(xs.loc[m, "coef"]), "xs_ci_low": float(xs.loc[m, "ci_low"]),
        "xs_ci_high": float(xs.loc[m, "ci_high"]), "xs_boot_low": float(xs.loc[m, "boot_low"]),
        "xs_boot_high": float(xs.loc[m, "boot_high"]), "xs_n": int(xs.loc[m, "n_countries"]),
        "uk_pw_gap_share_closed": float(100 * (stw.loc["GBR", "st_per_worker_to_national"]
                                              - stw.loc["GBR", "st_per_head_to_national_sdmx"])
                                        / (100 - stw.loc["GBR", "st_per_head_to_national_sdmx"])),
        "xs_min_p": float(xs["p"].min()),
        "wi_n_changed": int(wi.loc[m, "n_changed"]),
        # the verdict in two flags: no cross-country interval excludes zero (HC1 and
        # bootstrap, all measures); no within-country wild-bootstrap p below 0.10
        "xs_all_span_zero": bool(((xs["ci_low"] < 0) & (xs["ci_high"] > 0)
                                  & (xs["boot_low"] < 0) & (xs["boot_high"] > 0)).all()),
        "wi_all_wb_p_above_010": bool((wi["wb_p"] > 0.10).all()),
    }
    for k in ("coef", "ci_low", "ci_high", "p", "wb_p", "wb_low", "wb_high"):
        v = wi.loc[m].get(k, np.nan)
        out[f"wi_{k}"] = float(v) if v == v else float("nan")
    for p in PEERS:
        out[f"{p.lower()}_st_national"] = float(y.loc[p, "st_to_national"])
        out[f"{p.lower()}_st_capital"] = float(y.loc[p, "st_to_capital"])
    return out


def chart_metros(rep: dict):
    """Second-tier metros (capital excluded) by country, GDP per head as % of national,
    the UK's Core City units highlighted."""
    import altair as alt

    from . import charts

    u = rep["units"]
    u = u[(u["tier"] == "second_tier") & u["iso3"].isin(rep["countries"])].copy()
    names = _country_names(u["iso3"].unique())
    u["country"] = u["iso3"].map(names)
    u["group"] = np.where(u["core_city"] != "", "UK Core City unit",
                          np.where(u["iso3"] == "GBR", "Other UK metro", "Second-tier metro abroad"))
    u["label"] = np.where(u["core_city"] != "", u["region_name"] + " (" + u["core_city"] + ")",
                          u["region_name"])
    st = rep["st"]
    order = (st[(st["year"] == YEAR) & st["iso3"].isin(rep["countries"])]
             .sort_values("st_to_national")["iso3"].map(names).tolist())
    u = u[["country", "label", "group", "population", "gdp_per_head_usd_ppp2015",
           "rel_national", "rel_capital"]].round(1)
    lo = float(np.floor(u["rel_national"].min() / 5) * 5)
    hi = float(np.ceil(u["rel_national"].max() / 10) * 10)
    base = alt.Chart(u).mark_circle(opacity=0.75, stroke="white", strokeWidth=0.3).encode(
        x=alt.X("rel_national:Q", title=f"GDP per head, % of national average ({YEAR}, log scale)",
                scale=alt.Scale(type="log", domain=[lo, hi], nice=False)),
        y=alt.Y("country:N", sort=order, title=None),
        size=alt.Size("population:Q", title="Population", scale=alt.Scale(range=[15, 400])),
        color=alt.Color("group:N", title=None, scale=alt.Scale(
            domain=["UK Core City unit", "Other UK metro", "Second-tier metro abroad"],
            range=[charts.UK_COLOUR, "#F3B58F", charts.OTHER_COLOUR])),
        tooltip=[alt.Tooltip("label:N", title="Metro unit"), alt.Tooltip("country:N"),
                 alt.Tooltip("gdp_per_head_usd_ppp2015:Q", title="GDP per head (USD PPP 2015)", format=",.0f"),
                 alt.Tooltip("rel_national:Q", title="% of national", format=".1f"),
                 alt.Tooltip("rel_capital:Q", title="% of capital metro", format=".1f"),
                 alt.Tooltip("population:Q", format=",.0f")])
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 3], color="#555").encode(x="x:Q")
    return (rule + base).properties(
        width=560, height=alt.Step(18),
        title=alt.TitleParams("Second-tier metros: the UK's Core Cities beside other countries'",
                              subtitle=[f"Each dot a metro unit other than the capital, {YEAR}; countries with "
                                        f"at least {MIN_SECOND_TIER} such metros, ordered by their "
                                        "population-weighted figure"]),
        description=(f"Strip chart: GDP per head of each second-tier metropolitan unit as a percentage of "
                     f"its country's average in {YEAR}, log scale, one row per country; UK Core City "
                     "units in vermillion, other UK metros in pale vermillion, other countries in grey; dot size "
                     "is population; dashed line at 100 %."))


def chart_autonomy(rep: dict):
    """Country means of second-tier GDP per head (% of national) against each autonomy
    measure, with a dropdown to choose the measure."""
    import altair as alt

    from . import charts

    st, auto, cc = rep["st"], rep["autonomy"], rep["countries"]
    s = st[(st["year"] >= FIRST) & (st["year"] <= LAST) & st["iso3"].isin(cc)]
    y = s.groupby("iso3")["st_to_national"].mean()
    a = auto[(auto["year"] >= FIRST) & (auto["year"] <= LAST)].groupby("iso3")[list(XS_MEASURES)].mean()
    d = a.reindex(y.index).assign(st_to_national=y).reset_index()
    long = d.melt(id_vars=["iso3", "st_to_national"], var_name="measure", value_name="value").dropna()
    names = _country_names(long["iso3"].unique())
    long["country"] = long["iso3"].map(names)
    long["uk"] = np.where(long["iso3"] == "GBR", "United Kingdom", "Other")
    long["measure"] = long["measure"].map(LABELS)
    long = long.round(3)
    pick = alt.param(name="measure_pick", value=LABELS["rai_fiscal_autonomy"],
                     bind=alt.binding_select(options=[LABELS[m] for m in XS_MEASURES], name="Measure: "))
    base = alt.Chart(long).transform_filter(alt.datum.measure == pick)
    pts = base.mark_circle(size=90, opacity=0.85).encode(
        x=alt.X("value:Q", title="Autonomy measure, country mean 2000–2020 (measure's own units)",
                scale=alt.Scale(zero=False)),
        y=alt.Y("st_to_national:Q", title="Second-tier metros' GDP per head, % of national (mean 2000–2020)",
                scale=alt.Scale(zero=False)),
        color=alt.Color("uk:N", scale=charts.uk_colour_scale(), title=None),
        tooltip=[alt.Tooltip("country:N"), alt.Tooltip("measure:N"),
                 alt.Tooltip("value:Q", title="Autonomy", format=".3f"),
                 alt.Tooltip("st_to_national:Q", title="Second tier, % of national", format=".1f")])
    text = base.mark_text(dx=7, align="left", fontSize=10).encode(
        x="value:Q", y="st_to_national:Q", text="iso3:N",
        color=alt.Color("uk:N", scale=charts.uk_colour_scale(), legend=None))
    fit = base.transform_regression("value", "st_to_national").mark_line(color="#555", strokeDash=[4, 3]).encode(
        x="value:Q", y="st_to_national:Q")
    return (pts + text + fit).add_params(pick).properties(
        title=alt.TitleParams("Second-tier cities and fiscal autonomy across countries",
                              subtitle=["Choose the autonomy measure; dashed line: least-squares fit"]),
        description=("Scatter of country means, 2000–2020: population-weighted GDP per head of metros "
                     "other than the capital as a percentage of the national figure, against the chosen "
                     "autonomy measure (RAI fiscal autonomy, RAI self-rule, IMF tax share, IMF own-spending "
                     "share, IMF vertical fiscal imbalance, Local Autonomy Index); the UK in vermillion."))


def chart_trend(rep: dict):
    """Second-tier GDP per head, % of national, 2000–2020: the UK and the named peers."""
    import altair as alt

    from . import charts

    st = rep["st"]
    keep = ["GBR", *PEERS]
    d = st[st["iso3"].isin(keep)][["iso3", "year", "st_to_national", "st_to_capital"]].copy()
    names = _country_names(keep)
    d["country"] = d["iso3"].map(names)
    d = d.round(2)
    dom = [names[i] for i in keep]
    rng = [charts.UK_COLOUR] + [c for c in charts.PALETTE if c != "#F0E442"][: len(PEERS)]
    return alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"),
        y=alt.Y("st_to_national:Q", title="Second-tier metros' GDP per head, % of national",
                scale=alt.Scale(zero=False)),
        color=alt.Color("country:N", scale=alt.Scale(domain=dom, range=rng), title=None),
        strokeWidth=alt.condition(alt.datum.iso3 == "GBR", alt.value(3), alt.value(1.5)),
        tooltip=["country:N", "year:O",
                 alt.Tooltip("st_to_national:Q", title="% of national", format=".1f"),
                 alt.Tooltip("st_to_capital:Q", title="% of capital metro", format=".1f")],
    ).properties(
        title="Second-tier metros relative to the national average, 2000–2020",
        description=("Line chart, 2000–2020: population-weighted GDP per head of metros other than the "
                     "capital as a percentage of the national figure, for the UK (vermillion, thick) "
                     "and Germany, France, Italy, Spain, the Netherlands and the United States."))


# Published figures of OECD (2020), Enhancing Productivity in UK Core Cities (as quoted in
# /work/shared/research/literature.md): quoted, not recomputed.
OECD2020 = {"core_gva_per_worker_pct_uk": 86, "core_gva_per_worker_year": 2016,
            "second_tier_premium_low": 20, "second_tier_premium_high": 30,
            "core_pop_share": 25, "core_jobs_share": 24, "core_gva_share": 22}
PW_MIN_COVERAGE = 90.0  # % of second-tier population with per-worker data to compare a country
