"""Productivity, not output per resident: H2, H3 and H4 on GDP per worker and per hour.

    from fiscalbook.analyses import productivity as prod
    prod.headline()          # flat dict of the key numbers, for the verdict chapter

Sources (all through `fiscalbook.tables`): GDP per worker at place of work for unmerged TL3
and TL2 regions, 2019 and 2020 (OECD DF_GDP); GDP per worker in the upper and lower half of
each country's TL2 regions, 2001–2020 (Regional Outlook 2023 figure data); ONS GVA per hour
worked and per filled job for every ITL region.

Peer groups (fixed here, in code, before any rank was computed; see `peer_group`):
  * "oecd": every OECD member with data;
  * "large_rich": large high-income economies — OECD members with at least PEER_MIN_POP
    people and national GDP per head of at least PEER_MIN_GDPPC US dollars (constant 2015
    PPP), both in PEER_YEAR, from the DF_GDP country rows.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import disparity, panels, regions, tables
from ..countries import OECD_MEMBERS
from ..estimation import EstimationError, fit_fe, wild_cluster_bootstrap
from ..memo import disk_memo
from ..methods import plausibility
from ..methods.randomisation import ri_test
from ..study import BOOT_DRAWS, GAP_SHARE, RI_DRAWS, SEED

UK = "GBR"
YEAR = 2019  # the last pre-pandemic year; the headline year of the book
PEER_YEAR = 2019
PEER_MIN_POP = 20_000_000
PEER_MIN_GDPPC = 35_000
PEER_GROUPS = {"oecd": "Every OECD member with data",
               "large_rich": "Large high-income OECD economies (≥ 20 million people, "
                             "GDP per head ≥ USD 35,000 at 2015 PPP, 2019)"}


def national(year: int = PEER_YEAR) -> pd.DataFrame:
    """OECD members' population and GDP per head (USD, constant 2015 PPP) in `year`."""
    g = tables.sdmx_gdp()
    c = g.loc[(g["level"] == "CTRY") & (g["year"] == year) & g["iso3"].isin(OECD_MEMBERS)]
    pop = c.loc[(c["measure"] == "POP") & (c["unit"] == "PS")].set_index("iso3")["value"]
    gdppc = c.loc[(c["measure"] == "GDP") & (c["unit"] == "USD_PPP_PS") & (c["prices"] == "Q")].set_index("iso3")["value"]
    return pd.DataFrame({"population": pop, "gdp_per_head": gdppc}).rename_axis("iso3").reset_index()


def peer_group(name: str = "large_rich", year: int = PEER_YEAR) -> frozenset[str]:
    """The countries of a peer group (the rule is in the module docstring)."""
    if name == "oecd":
        return frozenset(OECD_MEMBERS)
    if name != "large_rich":
        raise KeyError(f"unknown peer group {name!r}; choose from {sorted(PEER_GROUPS)}")
    n = national(year)
    ok = (n["population"] >= PEER_MIN_POP) & (n["gdp_per_head"] >= PEER_MIN_GDPPC)
    return frozenset(n.loc[ok, "iso3"])


# --- H2: dispersion of GDP per worker across regions ----------------------------------------

INDICES = ("cv", "theil", "gini", "top_bottom_20")
WEIGHTINGS = ("unweighted", "employment")
MIN_REGIONS = 3  # a country needs at least this many regions to be ranked
VALUE = "gdp_per_worker_usd_ppp"
SAMPLES = {"all": "All regions", "excl_capital": "Capital's large region left out",
           "capital_merged": "Capital's large region merged into one unit",
           "plausible": "Rows flagged by a plausibility rule left out"}


def tl3_parents() -> pd.Series:
    """TL3 code -> TL2 parent code (OECD territorial grid 2020)."""
    return tables.tl3_grid().set_index("region")["tl2"]


def capital_units(df: pd.DataFrame, level: str, parents: pd.Series | None = None) -> pd.Series:
    """True for rows in the capital's TL2 region (at TL3: every TL3 unit whose TL2 parent in
    the OECD grid is the capital's TL2 region, plus the recorded TL3 capital unit, which
    covers the US, whose DF_GDP TL3 codes are not in the grid)."""
    cap2 = {iso: disparity.CAPITALS[iso][1] for iso in df["iso3"].unique() if iso in disparity.CAPITALS}
    if level == "TL2":
        return df["region"].eq(df["iso3"].map(cap2)).fillna(False).astype(bool)
    cap3 = {iso: disparity.CAPITALS[iso][2] for iso in cap2}
    parent = df["region"].map(tl3_parents() if parents is None else parents)
    return (parent.eq(df["iso3"].map(cap2)).fillna(False)
            | df["region"].eq(df["iso3"].map(cap3)).fillna(False)).astype(bool)


def merge_capital(df: pd.DataFrame, level: str, parents: pd.Series | None = None) -> pd.DataFrame:
    """The capital's TL2 region's units collapsed into one unit (GDP and employment summed),
    so a country's capital counts once, however finely it is cut."""
    cap = capital_units(df, level, parents)
    rest, c = df.loc[~cap], df.loc[cap]
    if c.empty:
        return df
    agg = c.groupby(["iso3", "year"], as_index=False)[["gdp_usd_ppp", "employment", "population"]].sum(min_count=1)
    agg["region"] = agg["iso3"] + "_CAPITAL"
    agg[VALUE] = agg["gdp_usd_ppp"] / agg["employment"]
    return pd.concat([rest, agg[[c for c in rest.columns if c in agg.columns]]], ignore_index=True)


def per_worker_rows(level: str = "TL3", year: int = YEAR, sample: str = "all") -> pd.DataFrame:
    """GDP per worker rows of OECD members in `year` for one sample (see SAMPLES)."""
    d = tables.gdp_per_worker_as_published(level)
    d = d.loc[(d["year"] == year) & d["iso3"].isin(OECD_MEMBERS)].reset_index(drop=True)
    if sample in ("all", "excl_capital", "capital_merged"):
        d = d.loc[~plausibility.overlapping_codes(d)].reset_index(drop=True)
    if sample == "excl_capital":
        d = d.loc[~capital_units(d, level)]
    elif sample == "capital_merged":
        d = merge_capital(d, level)
    elif sample == "plausible":
        d = d.loc[~plausibility.flags(d, VALUE)["any"]]
    elif sample != "all":
        raise KeyError(f"unknown sample {sample!r}; choose from {sorted(SAMPLES)}")
    return d.reset_index(drop=True)


def dispersion(d: pd.DataFrame) -> pd.DataFrame:
    """Each index, unweighted and employment-weighted, per country (long); countries with
    fewer than MIN_REGIONS regions are dropped."""
    p = disparity.panel(d, value=VALUE, population="employment", by=("iso3",), kinds=INDICES,
                        weightings=("unweighted", "population"))
    p["weighting"] = p["weighting"].replace({"population": "employment"})
    return p.loc[p["n_regions"] >= MIN_REGIONS].reset_index(drop=True)


def rank_table(long: pd.DataFrame, keys=("index", "weighting"), value: str = "value",
               target: str = UK, groups: dict[str, frozenset] | None = None) -> pd.DataFrame:
    """Per key and peer group: the target's value, rank (1 = largest; ties share the better
    rank), number ranked, median, and the country ranked first. `groups` defaults to the
    two PEER_GROUPS."""
    groups = {g: peer_group(g) for g in PEER_GROUPS} if groups is None else groups
    rows = []
    for peer, members in groups.items():
        for key, g in long.loc[long["iso3"].isin(members)].groupby(list(keys)):
            g = g.dropna(subset=[value])
            s = g.set_index("iso3")[value]
            if target not in s.index:
                continue
            rows.append({**dict(zip(keys, key if isinstance(key, tuple) else (key,))), "peer": peer,
                         "uk": float(s[target]), "rank": int(1 + (s > s[target]).sum()), "n": int(len(s)),
                         "median": float(s.median()), "top": s.idxmax(), "top_value": float(s.max())})
    return pd.DataFrame(rows)


@cache
def _dispersion_ranks(year: int = YEAR) -> pd.DataFrame:
    frames = []
    for level in ("TL3", "TL2"):
        for sample in ("all", "excl_capital", "capital_merged", "plausible"):
            r = rank_table(dispersion(per_worker_rows(level, year, sample)))
            frames.append(r.assign(level=level, sample=sample))
    return pd.concat(frames, ignore_index=True)


def dispersion_ranks(year: int = YEAR) -> pd.DataFrame:
    """The UK's rank on every index, weighting, level, sample and peer group (1 = most unequal)."""
    return _dispersion_ranks(year).copy()


def dispersion_cross_section(level: str = "TL3", year: int = YEAR, sample: str = "all") -> pd.DataFrame:
    """Every country's indices in one sample (for the chart), with peer-group membership."""
    d = dispersion(per_worker_rows(level, year, sample))
    return d.assign(large_rich=d["iso3"].isin(peer_group("large_rich")))


# --- H2: the upper/lower-half gap ------------------------------------------------------------

TREND_YEARS = (2004, 2019)  # the UK series starts in 2004; 2019 is the last pre-pandemic year


def gap_ranks(year: int = YEAR) -> pd.DataFrame:
    """The UK's rank on the per-worker log gap in `year` and on its change over TREND_YEARS."""
    g = tables.per_worker_gap()
    g = g.loc[g["iso3"].isin(OECD_MEMBERS)]
    level = g.loc[g["year"] == year].assign(stat="log_gap")
    w = g.pivot(index="iso3", columns="year", values="log_gap")
    a, b = TREND_YEARS
    ch = (w[b] - w[a]).dropna().rename("log_gap").reset_index().assign(stat="change")
    return rank_table(pd.concat([level[["iso3", "stat", "log_gap"]], ch]), keys=("stat",), value="log_gap")


def gap_bands() -> pd.DataFrame:
    """Per year: the UK's log gap and the OECD median and inter-quartile range (chart)."""
    g = tables.per_worker_gap()
    g = g.loc[g["iso3"].isin(OECD_MEMBERS)]
    b = g.groupby("year")["log_gap"].agg(median="median", q25=lambda s: s.quantile(0.25),
                                         q75=lambda s: s.quantile(0.75), n="size")
    b["uk"] = g.loc[g["iso3"] == UK].set_index("year")["log_gap"]
    return b.reset_index()


# --- H2 within the UK: ONS GVA per hour across ITL regions --------------------------------

def ons_dispersion(per: str = "hour") -> pd.DataFrame:
    """Per ITL level and year: CV of GVA per hour (or per job) across regions, unweighted and
    weighted by hours worked (jobs), and the max/min ratio (current prices, unsmoothed)."""
    w = tables.ons_productivity_wide(per)
    rows = []
    for (lvl, year), g in w.loc[w["itl_level"] > 0].groupby(["itl_level", "year"]):
        rows.append({"itl_level": int(lvl), "year": int(year), "n": len(g),
                     "cv_unweighted": disparity.index(g["gbp"], kind="cv"),
                     "cv_weighted": disparity.index(g["gbp"], g["weight"], kind="cv"),
                     "max_min": disparity.index(g["gbp"], kind="max_min")})
    return pd.DataFrame(rows)


# --- plausibility -----------------------------------------------------------------------------

def plausibility_report(year: int = YEAR) -> pd.DataFrame:
    """Per level and rule: rows flagged (all countries, and in the UK), examples, and the UK's
    CV of GDP per worker (both weightings) and its OECD rank with and without those rows."""
    rows = []
    for level in ("TL3", "TL2"):
        d = tables.gdp_per_worker_as_published(level)
        d = d.loc[(d["year"] == year) & d["iso3"].isin(OECD_MEMBERS)].reset_index(drop=True)
        f = plausibility.flags(d, VALUE)
        base = rank_table(dispersion(d))
        base = base.loc[(base["index"] == "cv") & (base["peer"] == "oecd")].set_index("weighting")
        for rule in (*plausibility.RULES, "any"):
            kept = d.loc[~f[rule]]
            r = rank_table(dispersion(kept))
            r = r.loc[(r["index"] == "cv") & (r["peer"] == "oecd")].set_index("weighting")
            hit = d.loc[f[rule]]
            row = {"level": level, "rule": rule, "n_flagged": int(len(hit)),
                   "n_flagged_uk": int((hit["iso3"] == UK).sum()),
                   "examples": ", ".join(hit.sort_values(VALUE)["region"].head(6))}
            for wt, tag in (("unweighted", "uw"), ("employment", "ew")):
                row[f"uk_cv_{tag}"] = float(r.at[wt, "uk"])
                row[f"uk_cv_{tag}_change"] = float(r.at[wt, "uk"] - base.at[wt, "uk"])
                row[f"uk_rank_{tag}"] = int(r.at[wt, "rank"])
                row[f"n_{tag}"] = int(r.at[wt, "n"])
            rows.append(row)
    return pd.DataFrame(rows)


def uk_row_effects(year: int = YEAR) -> pd.DataFrame:
    """Each flagged UK row on its own: its value, the rules it breaks, and the UK's CV of GDP
    per worker (both weightings) and OECD rank without that one row."""
    rows = []
    for level in ("TL3", "TL2"):
        d = tables.gdp_per_worker_as_published(level)
        d = d.loc[(d["year"] == year) & d["iso3"].isin(OECD_MEMBERS)].reset_index(drop=True)
        f = plausibility.flags(d, VALUE)
        base = rank_table(dispersion(d), groups={"oecd": frozenset(OECD_MEMBERS)}).set_index(["index", "weighting"])
        for i in d.index[f["any"] & (d["iso3"] == UK)]:
            r = rank_table(dispersion(d.drop(index=i)), groups={"oecd": frozenset(OECD_MEMBERS)})
            r = r.set_index(["index", "weighting"])
            row = {"level": level, "region": d.at[i, "region"], "gdp_per_worker": float(d.at[i, VALUE]),
                   "employment": float(d.at[i, "employment"]), "population": float(d.at[i, "population"]),
                   "rules": ", ".join(plausibility.RULE_LABELS[k] for k in plausibility.RULES if f.at[i, k])}
            for wt, tag in (("unweighted", "uw"), ("employment", "ew")):
                row[f"uk_cv_{tag}"] = float(r.at[("cv", wt), "uk"])
                row[f"uk_cv_{tag}_change"] = float(r.at[("cv", wt), "uk"] - base.at[("cv", wt), "uk"])
                row[f"uk_rank_{tag}"] = int(r.at[("cv", wt), "rank"])
            rows.append(row)
    return pd.DataFrame(rows)


def flagged_rows(level: str = "TL3", rule: str = "any", year: int = YEAR, iso3: str | None = UK) -> pd.DataFrame:
    """The rows one rule flags (optionally one country's), for the chapter's guards."""
    d = tables.gdp_per_worker_as_published(level)
    d = d.loc[(d["year"] == year) & d["iso3"].isin(OECD_MEMBERS)].reset_index(drop=True)
    hit = d.loc[plausibility.flags(d, VALUE)[rule]]
    return hit if iso3 is None else hit.loc[hit["iso3"] == iso3]


# --- H4: autonomy and the upper/lower-half productivity gap ------------------------------

MEASURES = panels.MAIN_MEASURES
HEADLINE_MEASURES = ("rai_fiscal_autonomy", "imf_tax_share")
LONG_DIFF = (2004, 2016)  # the UK gap series starts in 2004; 2016 is the last year the IMF
#                          shares cover more than one country
DESIGNS = {"fe": ("iso3", "year"), "pooled": ("year",)}


def gap_panel() -> pd.DataFrame:
    """Country-year: per-worker log gap and halves (ln) merged with autonomy (OECD members)."""
    g = tables.per_worker_gap()
    g = g.loc[g["iso3"].isin(OECD_MEMBERS)].copy()
    g["log_lower"], g["log_upper"] = np.log(g["lower"]), np.log(g["upper"])
    a = panels.autonomy_table()
    return g.merge(a[["iso3", "year", *MEASURES]], on=["iso3", "year"], how="left", validate="one_to_one")


def _fit(d: pd.DataFrame, outcome: str, regs: list[str], term: str, fe: tuple, boot: bool = True) -> dict:
    res = fit_fe(d, outcome, regs, fe=fe, cluster="iso3")
    b = regions.boot_estimate(d, outcome, regs, term, fe=fe, B=BOOT_DRAWS, seed=SEED) if boot else None
    return dict(est=res.estimate(term), boot=b, n_countries=int(d["iso3"].nunique()), n_obs=len(d),
                years=(int(d["year"].min()), int(d["year"].max())) if "year" in d else None)


def h4_fit(measure: str, design: str = "fe", outcome: str = "log_gap", boot: bool = True) -> dict:
    """Country-year model of the gap (or a half) on one autonomy measure, CR1 by country and
    the restricted wild cluster bootstrap (seed SEED, BOOT_DRAWS draws)."""
    d = gap_panel().dropna(subset=[measure, outcome])
    return _fit(d, outcome, [measure], measure, DESIGNS[design], boot)


def differences(d: pd.DataFrame, measure: str, years: tuple[int, int], outcome: str = "log_gap") -> pd.DataFrame:
    """One row per country with both years: iso3, d_gap (change in `outcome`), d_<measure>."""
    a, b = years
    w = d.loc[d["year"].isin(years)].pivot(index="iso3", columns="year", values=[outcome, measure]).dropna()
    return pd.DataFrame({"iso3": w.index.astype(str), "d_gap": (w[(outcome, b)] - w[(outcome, a)]).to_numpy(float),
                         f"d_{measure}": (w[(measure, b)] - w[(measure, a)]).to_numpy(float)})


def long_difference(measure: str, years: tuple[int, int] = LONG_DIFF, boot: bool = True) -> dict:
    """Change in the log gap on the change in autonomy between two years, one row per
    country (wild bootstrap with one-country clusters)."""
    x = differences(gap_panel(), measure, years)
    out = _fit(x, "d_gap", [f"d_{measure}"], f"d_{measure}", (), boot)
    out["years"] = years
    return out


def autonomy_targets(measure: str, min_countries: int = 10) -> dict:
    """The UK's value, the OECD median and upper quartile of `measure` in the latest year the
    UK and at least `min_countries` OECD members have it."""
    a = panels.autonomy_table()
    a = a.loc[a["iso3"].isin(OECD_MEMBERS), ["iso3", "year", measure]].dropna()
    uk = a.loc[a["iso3"] == UK].set_index("year")[measure]
    counts = a.groupby("year").size()
    year = max(y for y in uk.index if counts.get(y, 0) >= min_countries)
    s = a.loc[a["year"] == year, measure]
    return dict(year=int(year), uk=float(uk[year]), median=float(s.median()), q75=float(s.quantile(0.75)))


def counterfactual(est, measure: str, uk_gap: float, targets: dict | None = None) -> dict:
    """The UK's log gap predicted at the OECD median and upper-quartile autonomy: b × (target −
    UK), added to the UK's gap, with the interval of `est` (a bootstrap estimate).
    `targets` (keys uk, median, q75, year) defaults to `autonomy_targets(measure)`."""
    t = autonomy_targets(measure) if targets is None else targets
    out = {"uk_measure": t["uk"], "median_measure": t["median"], "q75_measure": t["q75"], "measure_year": t["year"]}
    for tag in ("median", "q75"):
        delta = t[tag] - t["uk"]
        ends = sorted((est.ci_low * delta, est.ci_high * delta))
        out[f"cf_{tag}_change"] = est.coef * delta
        out[f"cf_{tag}_change_low"], out[f"cf_{tag}_change_high"] = ends
        out[f"cf_{tag}_gap"] = uk_gap + est.coef * delta
        out[f"cf_{tag}_pct_of_gap"] = 100 * est.coef * delta / uk_gap
    return out


def ri_p(measure: str, outcome: str = "log_gap", scheme: str = "permute", draws: int = RI_DRAWS) -> float:
    """Randomisation-inference p of the country and year FE model of `outcome` (the gap or a
    half) on `measure`: few countries change their autonomy, so the wild bootstrap is checked
    by reassigning the measure's change paths across countries (or shifting them in time)."""
    d = gap_panel().dropna(subset=[measure, outcome])
    return ri_test(d, outcome, measure, fe=("iso3", "year"), draws=draws, seed=SEED, scheme=scheme).p


MATERIAL_CHANGE = 0.25  # a country "changes" the measure if its range is this many cross-country SDs (as in the verdict)


def interval(measure: str, outcome: str = "log_gap", level: float = 0.90) -> tuple[float, float]:
    """Wild-bootstrap interval of the country and year FE slope at another level (the
    verdict's sensitivity table); NaN ends when the test inversion is unbounded."""
    d = gap_panel().dropna(subset=[measure, outcome])
    try:
        b = wild_cluster_bootstrap(d, outcome, [measure], measure, fe=("iso3", "year"), cluster="iso3",
                                   B=BOOT_DRAWS, seed=SEED, level=level)
    except EstimationError:
        return np.nan, np.nan
    return float(b.ci_low), float(b.ci_high)


def n_changing(measure: str, outcome: str = "log_gap", material: float = MATERIAL_CHANGE) -> int:
    """Countries of the per-worker gap panel whose measure moves by at least `material`
    cross-country SDs: the countries that identify the FE estimate."""
    d = gap_panel().dropna(subset=[measure, outcome])
    rng = d.groupby("iso3")[measure].agg(lambda s: s.max() - s.min())
    sd = float(d.groupby("iso3")[measure].mean().std(ddof=1))
    return int((rng >= material * sd).sum())


def implied_effect(measure: str, uk_gap: float, targets: dict | None = None, share: float = GAP_SHARE) -> dict:
    """The smallest effect the claim implies, in the FE coefficient's units: the slope at which
    moving the UK's `measure` to the OECD median closes `share` of the UK's per-worker log gap
    (gap: negative slope; lower half's level: the same size, positive — crediting the whole
    closing to the lagging half, as the GDP-per-head headline does)."""
    t = autonomy_targets(measure) if targets is None else targets
    move = t["median"] - t["uk"]
    if move <= 0:
        raise ValueError(f"the UK is not below the OECD median on {measure}")
    required = share * uk_gap
    return {"required_log": required, "move": move, "implied_gap": -required / move,
            "implied_lower": required / move, "share": share}


# --- H3: productivity levels -------------------------------------------------------------------

AUTONOMY_WINDOW = 5  # a country's autonomy in the cross-section: its latest value this many years back at most


def tl3_cross_section(year: int = YEAR) -> pd.DataFrame:
    """TL3 ln(GDP per worker) in `year` with each country's latest autonomy (up to five years
    earlier) and ln national GDP per head (DF_GDP, constant 2015 PPP)."""
    d = per_worker_rows("TL3", year, "all")
    d["log_gdp_per_worker"] = np.log(d[VALUE])
    n = national(year)
    d["log_national_gdp_per_head"] = d["iso3"].map(np.log(n.set_index("iso3")["gdp_per_head"]))
    a = panels.autonomy_table()
    for m in MEASURES:
        s = a.loc[a["year"].between(year - AUTONOMY_WINDOW, year), ["iso3", "year", m]].dropna()
        d[m] = d["iso3"].map(s.sort_values("year").groupby("iso3").last()[m])
    return d


def h3_cross_section(measure: str, year: int = YEAR, boot: bool = True) -> dict:
    """ln(TL3 GDP per worker) on national autonomy and ln national GDP per head: a
    cross-section of countries (clustered by country), not a causal design."""
    d = tl3_cross_section(year).dropna(subset=[measure, "log_national_gdp_per_head"])
    return _fit(d, "log_gdp_per_worker", [measure, "log_national_gdp_per_head"], measure, (), boot)


# --- results for the chapters and the verdict ------------------------------------------------

SHORT = regions.SHORT
W_SHORT = {"unweighted": "uw", "employment": "ew"}


def _est_fields(prefix: str, r: dict) -> dict:
    e, b = r["est"], r["boot"]
    return {f"{prefix}_coef": e.coef, f"{prefix}_ci_low": e.ci_low, f"{prefix}_ci_high": e.ci_high,
            f"{prefix}_p": e.p, f"{prefix}_boot_p": b.p, f"{prefix}_boot_ci_low": b.ci_low,
            f"{prefix}_boot_ci_high": b.ci_high, f"{prefix}_n_countries": r["n_countries"],
            f"{prefix}_n_obs": r["n_obs"]}


@cache
def _h4_results() -> dict:
    out = {}
    for m in MEASURES:
        for des in DESIGNS:
            out[(m, des)] = h4_fit(m, des)
        for half in ("log_lower", "log_upper"):
            out[(m, half)] = h4_fit(m, "fe", outcome=half)
        try:
            out[(m, "long_diff")] = long_difference(m)
        except EstimationError:
            pass
        out[(m, "h3_tl3")] = h3_cross_section(m)
    return out


def h4_results() -> dict:
    """{(measure, design): fit dict}: designs fe, pooled, long_diff (gap), log_lower and
    log_upper (country and year FE on each half's level: H3 on the halves), h3_tl3 (H3
    cross-section of TL3 regions)."""
    return dict(_h4_results())


DESIGN_LABELS = {"fe": "Country and year FE", "pooled": "Pooled (year FE)",
                 "long_diff": f"Long difference {LONG_DIFF[0]}→{LONG_DIFF[1]}",
                 "log_lower": "Lower half, ln GDP per worker (country and year FE)",
                 "log_upper": "Upper half, ln GDP per worker (country and year FE)",
                 "h3_tl3": f"TL3 ln GDP per worker, {YEAR} cross-section"}


def results_table(res: dict | None = None, designs=("fe", "pooled", "long_diff")) -> pd.DataFrame:
    """One row per measure and design: coefficient, CR1 and wild-bootstrap inference."""
    res = h4_results() if res is None else res
    rows = []
    for (m, des), r in res.items():
        if des not in designs:
            continue
        e, b = r["est"], r["boot"]
        rows.append({"measure": regions.label(m), "design": DESIGN_LABELS[des], "coef": e.coef,
                     "CR1 p": e.p, "bootstrap p": b.p, "bootstrap 95% low": b.ci_low,
                     "bootstrap 95% high": b.ci_high, "countries": r["n_countries"], "N": r["n_obs"]})
    return pd.DataFrame(rows)


def specifications(res: dict | None = None) -> pd.DataFrame:
    """Every productivity model as one tidy row, for the specification curve: hypothesis
    (H3/H4), outcome, measure, design, coef, CR1 p and interval, wild-bootstrap p and
    interval, countries, N. The signs are as estimated (for imf_vfi, more imbalance = less
    autonomy)."""
    res = h4_results() if res is None else res
    outcome = {"fe": "per_worker_log_gap", "pooled": "per_worker_log_gap", "long_diff": "per_worker_log_gap_change",
               "log_lower": "log_gdp_per_worker_lower_half", "log_upper": "log_gdp_per_worker_upper_half",
               "h3_tl3": "log_gdp_per_worker_tl3"}
    rows = []
    for (m, des), r in res.items():
        e, b = r["est"], r["boot"]
        rows.append({"hypothesis": "H4" if des in ("fe", "pooled", "long_diff") else "H3", "outcome": outcome[des],
                     "measure": m, "design": des, "coef": e.coef, "p": e.p, "ci_low": e.ci_low, "ci_high": e.ci_high,
                     "boot_p": b.p, "boot_ci_low": b.ci_low, "boot_ci_high": b.ci_high,
                     "n_countries": r["n_countries"], "n_obs": r["n_obs"]})
    return pd.DataFrame(rows)


def uk_gap_value(year: int = YEAR) -> float:
    g = tables.per_worker_gap()
    return float(g.loc[(g["iso3"] == UK) & (g["year"] == year), "log_gap"].item())


def counterfactual_table(res: dict | None = None) -> pd.DataFrame:
    """The UK's per-worker log gap in YEAR and as predicted at the OECD median and upper-
    quartile autonomy (country and year FE estimate, wild-bootstrap interval)."""
    res = h4_results() if res is None else res
    gap = uk_gap_value()
    rows = []
    for m in MEASURES:
        cf = counterfactual(res[(m, "fe")]["boot"], m, gap)
        rows.append({"measure": regions.label(m), "year of measure": cf["measure_year"],
                     "UK": cf["uk_measure"], "OECD median": cf["median_measure"],
                     "OECD upper quartile": cf["q75_measure"], "UK gap (log)": gap,
                     "change at median": cf["cf_median_change"],
                     "low": cf["cf_median_change_low"], "high": cf["cf_median_change_high"],
                     "change at upper quartile": cf["cf_q75_change"],
                     "low ": cf["cf_q75_change_low"], "high ": cf["cf_q75_change_high"]})
    return pd.DataFrame(rows)


def h2_values(ranks: pd.DataFrame | None = None, year: int = YEAR) -> dict:
    """Flat H2 numbers: `<tl3|tl2>_<sample>_<index>_<uw|ew>_{uk,rank,n,median}` for the OECD
    group and `..._peer_{rank,n}` for the large high-income group, summary counts, the
    upper/lower-half gap and its change, ONS ITL3 GVA per hour dispersion."""
    r = dispersion_ranks(year) if ranks is None else ranks
    out = {"year": year, "tl3_min_regions": MIN_REGIONS}
    for _, x in r.iterrows():
        k = f"{x['level'].lower()}_{x['sample']}_{x['index']}_{W_SHORT[x['weighting']]}"
        if x["peer"] == "oecd":
            out.update({f"{k}_uk": x["uk"], f"{k}_rank": x["rank"], f"{k}_n": x["n"], f"{k}_median": x["median"]})
        else:
            out.update({f"{k}_peer_rank": x["rank"], f"{k}_peer_n": x["n"]})
    for level in ("TL3", "TL2"):
        s = r.loc[(r["level"] == level) & (r["peer"] == "oecd")]
        out[f"{level.lower()}_n_variants"] = len(s)
        out[f"{level.lower()}_n_rank1"] = int((s["rank"] == 1).sum())
        out[f"{level.lower()}_rank_max"] = int(s["rank"].max())
        out[f"{level.lower()}_rank_min"] = int(s["rank"].min())
    g = gap_ranks(year)
    for _, x in g.iterrows():
        k = "gap" if x["stat"] == "log_gap" else "gap_change"
        if x["peer"] == "oecd":
            out.update({f"{k}_uk": x["uk"], f"{k}_rank": x["rank"], f"{k}_n": x["n"], f"{k}_median": x["median"],
                        f"{k}_top_value": x["top_value"]})
        else:
            out.update({f"{k}_peer_rank": x["rank"], f"{k}_peer_n": x["n"]})
    out["gap_uk_pct"] = 100 * (np.exp(out["gap_uk"]) - 1)
    out["gap_median_pct"] = 100 * (np.exp(out["gap_median"]) - 1)
    out["gap_change_first"], out["gap_change_last"] = TREND_YEARS
    o = ons_dispersion("hour")
    o3 = o.loc[o["itl_level"] == 3].set_index("year")
    first, last = int(o3.index.min()), int(o3.index.max())
    out.update({"ons_itl3_first_year": first, "ons_itl3_last_year": last, "ons_itl3_n": int(o3.at[last, "n"])})
    for col, tag in (("cv_unweighted", "uw"), ("cv_weighted", "hw"), ("max_min", "maxmin")):
        out[f"ons_itl3_{tag}_first"] = float(o3.at[first, col])
        out[f"ons_itl3_{tag}_last"] = float(o3.at[last, col])
        out[f"ons_itl3_{tag}_2019"] = float(o3.at[2019, col])
    return out


@cache
@disk_memo
def _headline() -> dict:
    out = h2_values()
    res = h4_results()
    gap = uk_gap_value()
    out["uk_gap_log"] = gap
    g = gap_panel()
    out.update(h4_gap_first_year=int(g["year"].min()), h4_gap_last_year=int(g["year"].max()),
               h4_gap_n_countries=int(g["iso3"].nunique()), h4_uk_gap_year=YEAR)
    for m in MEASURES:
        s = SHORT[m]
        for des, r in ((d, res.get((m, d))) for d in ("fe", "pooled", "long_diff", "log_lower", "log_upper", "h3_tl3")):
            if r is not None:
                out.update(_est_fields(f"h4_{s}_{des}" if des in ("fe", "pooled", "long_diff") else f"h3_{s}_{des}", r))
        cf = counterfactual(res[(m, "fe")]["boot"], m, gap)
        out.update({f"h4_{s}_{k}": v for k, v in cf.items()})
    for m in HEADLINE_MEASURES:  # the verdict's inputs: RI beside the bootstrap, the implied effect
        s = SHORT[m]
        out[f"h4_{s}_fe_ri_p"] = ri_p(m, "log_gap")
        out[f"h4_{s}_fe_ri_p_shift"] = ri_p(m, "log_gap", "shift")
        out[f"h3_{s}_log_lower_ri_p"] = ri_p(m, "log_lower")
        out[f"h4_{s}_fe_n_changing"] = n_changing(m)
        out[f"h4_{s}_fe_boot90_low"], out[f"h4_{s}_fe_boot90_high"] = interval(m, "log_gap")
        out[f"h3_{s}_log_lower_boot90_low"], out[f"h3_{s}_log_lower_boot90_high"] = interval(m, "log_lower")
        try:
            imp = implied_effect(m, gap)
        except ValueError:  # the UK at or above the median: no move to credit
            continue
        out.update({f"h4_{s}_implied": imp["implied_gap"], f"h4_{s}_required_log": imp["required_log"],
                    f"h4_{s}_move": imp["move"], f"h3_{s}_log_lower_implied": imp["implied_lower"]})
        fe = res[(m, "fe")]["boot"]
        out[f"h4_{s}_cf_median_pct_low"], out[f"h4_{s}_cf_median_pct_high"] = sorted(
            (100 * fe.ci_low * imp["move"] / gap, 100 * fe.ci_high * imp["move"] / gap))
    out["gap_share"] = GAP_SHARE
    pl = plausibility_report()
    for _, x in pl.iterrows():
        k = f"plaus_{x['level'].lower()}_{x['rule']}"
        out.update({f"{k}_n": x["n_flagged"], f"{k}_n_uk": x["n_flagged_uk"],
                    f"{k}_uk_cv_uw": x["uk_cv_uw"], f"{k}_uk_cv_ew": x["uk_cv_ew"],
                    f"{k}_uk_cv_uw_change": x["uk_cv_uw_change"], f"{k}_uk_cv_ew_change": x["uk_cv_ew_change"],
                    f"{k}_rank_uw": x["uk_rank_uw"], f"{k}_rank_ew": x["uk_rank_ew"]})
    out["peer_n"] = len(peer_group("large_rich"))
    out["peer_min_pop_m"] = PEER_MIN_POP / 1e6
    out["peer_min_gdppc"] = PEER_MIN_GDPPC
    out["long_diff_first"], out["long_diff_last"] = LONG_DIFF
    out["h3_autonomy_window"] = AUTONOMY_WINDOW
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in out.items()}


def headline() -> dict:
    """Flat dict of the productivity numbers (plain floats and ints; a bootstrap bound may
    be NaN when the test-inversion interval is unbounded). Main keys:

    H2 (2019, OECD group; add `_peer_rank`/`_peer_n` for the large high-income group):
      tl3_all_cv_uw_uk / _rank / _n / _median, tl3_all_cv_ew_* (CV of GDP per worker across
      unmerged TL3 regions, unweighted / employment-weighted); the same for theil, gini,
      top_bottom_20, for tl2, and for samples excl_capital, capital_merged, plausible;
      tl3_n_variants, tl3_n_rank1; gap_uk (ln upper/lower, 2019), gap_uk_pct, gap_rank,
      gap_n, gap_peer_rank, gap_peer_n; gap_change_uk / _rank / _n (2004→2019);
      ons_itl3_uw_first / _last, ons_itl3_hw_first / _last (CV of GVA per hour across
      ITL3, unweighted / hours-weighted), ons_itl3_first_year, ons_itl3_last_year.
    H4 (s in rfa, rsr, tax, spend, vfi): h4_<s>_fe_coef, _ci_low, _ci_high, _p (CR1),
      _boot_p, _boot_ci_low, _boot_ci_high, _n_countries; the same for _pooled and
      _long_diff; UK counterfactual on the FE estimate: h4_<s>_cf_median_change (log
      points of the gap), _low, _high, h4_<s>_cf_median_gap, h4_<s>_cf_q75_change, _low,
      _high, h4_<s>_cf_q75_gap; uk_gap_log.
    H3: h3_<s>_h3_tl3_* (TL3 cross-section), h3_<s>_log_lower_*, h3_<s>_log_upper_*.
    Plausibility: plaus_<tl3|tl2>_<rule>_n, _n_uk, _uk_cv_uw, _uk_cv_uw_change, _rank_uw, ...
    """
    return dict(_headline())


# Numbers from the literature that the chapters quote (cited there; not computed here).
LITERATURE = {
    # OECD (2020), Enhancing Productivity in UK Core Cities: GVA per worker in the Core
    # Cities' areas as a share of the UK average, and the year it refers to
    "core_cities_gva_per_worker_pct": 86,
    "core_cities_year": 2016,
    # Zymek & Jones (2020): most / least productive small region, 2017
    "zymek_year": 2017,
    "zymek_ratio_uk": 2.1, "zymek_ratio_deu": 1.7, "zymek_ratio_fra": 1.6, "zymek_ratio_esp": 1.4,
}

PARTS = {
    "h2": ("year", "tl3_", "tl2_", "gap", "ons_itl3_", "plaus_", "peer_"),
    "h4": ("h4_", "uk_gap_log", "long_diff_"),
    "h3": ("h3_", "year"),
}


def part(h: dict, name: str) -> dict:
    """The headline keys one chapter section glues (H2 in uk_context, H4 in countries, H3 in
    regions), so each key is glued once in the book."""
    return {k: v for k, v in h.items() if k.startswith(PARTS[name])}
