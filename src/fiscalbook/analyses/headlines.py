"""The effect hypotheses' headlines (H3 productivity, H4 disparity, H5 second-tier cities),
re-estimated with inference fit for few changing countries, and put in UK terms.

Why a module of its own: the regression chapters' headlines rest on RAI fiscal autonomy,
which scores the regional tier only and changes materially in four countries. The claim is
about the *local* state, so the headline measures here are the IMF sub-national tax share
(the primary one: the most countries changing, and the UK far below the OECD median), the
IMF own-spending share and the Local Autonomy Index, with RAI fiscal autonomy as the
regional-tier complement. For each hypothesis and measure:

- the countries whose changes identify the estimate (range ≥ MATERIAL × cross-country SD);
- the wild cluster bootstrap (WCR, Webb weights) p and 90/95 % intervals, and the
  randomisation-inference p (changes reassigned across countries, and shifted in time);
- leave-one-country-out estimates with wild-bootstrap p-values;
- equal-country and population weights (H3, where countries have many regions);
- long differences (first to last year) and a reverse-causality check (does the outcome
  three years earlier predict the measure, with country and year effects?);
- the effect the claim implies, in the estimate's own units: the coefficient at which the
  UK moving to the OECD median on the measure would close SHARE (half) of the UK gap the
  hypothesis is about, the gaps being those of `timing.benchmarks()`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import cities, country_disparity, regions, tables, timing
from ..autonomy import country_year
from ..estimation import fit_fe
from ..memo import disk_memo
from ..methods.randomisation import ri_test
from ..study import BOOT_DRAWS, RI_DRAWS, SEED
from ..wildboot import WildClusterBootstrap, cluster_ols, partial_out

PRIMARY = "imf_tax_share"
MEASURES = ("imf_tax_share", "imf_own_spending_share", "lai", "rai_fiscal_autonomy")
TIER = {"imf_tax_share": "all sub-national government (IMF)", "imf_own_spending_share":
        "all sub-national government (IMF)", "lai": "municipalities (LAI)",
        "rai_fiscal_autonomy": "regional tier (RAI)"}
LABEL = {"imf_tax_share": "sub-national tax share", "imf_own_spending_share": "sub-national own-spending share",
         "lai": "Local Autonomy Index", "rai_fiscal_autonomy": "RAI fiscal autonomy"}
MATERIAL = 0.25     # a country "changes" if its range is at least this many cross-country SDs
REVERSE_LAG = 3     # years between the outcome and the measure in the reverse-causality check
HYPOTHESES = ("H3", "H4", "H5")
# +1: the claim predicts the outcome rises with autonomy; -1: falls (disparity)
CLAIM_SIGN = {"H3": 1, "H4": -1, "H5": 1}
UNITS = {"H3": "log GDP per head per unit of the measure",
         "H4": "CV of GDP per head per unit of the measure",
         "H5": "percentage points of national GDP per head per cross-country SD of the measure"}


# ------------------------------------------------------------------------------ data

def h3_data() -> pd.DataFrame:
    """TL2 region-years (Regional Outlook): log GDP per head, country measures, weights."""
    d = regions.panel("outlook").copy()
    d["w_country"] = 1.0 / d.groupby(["iso3", "year"])["region"].transform("size")
    d["w_population"] = d["population"]
    return d


def h4_data() -> pd.DataFrame:
    """Country-years: population-weighted CV of TL2 GDP per head (the H4 headline index)."""
    return country_disparity.panel("outlook", "all", "cv", "population")


def h5_data() -> tuple[pd.DataFrame, dict]:
    """Country-years of the second-tier panel (comparison countries, FIRST..LAST) with each
    measure divided by its cross-country SD of country means (so units are pp per SD)."""
    st = cities.second_tier(tables.tl3_metro())
    cc = cities.comparison_countries(st)
    s = st[(st["year"] >= cities.FIRST) & (st["year"] <= cities.LAST) & st["iso3"].isin(cc)]
    a = country_year()
    d = s[["iso3", "year", "st_to_national"]].merge(a[["iso3", "year", *MEASURES]], on=["iso3", "year"], how="left")
    sds = {}
    for m in MEASURES:
        sds[m] = float(d.groupby("iso3")[m].mean().std(ddof=1))
        d[m] = d[m] / sds[m]
    return d, sds


SPEC = {  # outcome, fixed effects
    "H3": ("log_gdp_per_head", ("region", "year")),
    "H4": ("value", ("iso3", "year")),
    "H5": ("st_to_national", ("iso3", "year")),
}


# ------------------------------------------------------------------------------ pieces

def changing_countries(d: pd.DataFrame, x: str, material: float = MATERIAL) -> pd.Series:
    """Range of the measure per country, for countries whose range is at least `material`
    cross-country SDs (of country means), largest first."""
    rng = d.groupby("iso3")[x].agg(lambda s: s.max() - s.min())
    sd = float(d.groupby("iso3")[x].mean().std(ddof=1))
    return rng[rng >= material * sd].sort_values(ascending=False)


def wild(d: pd.DataFrame, y: str, x: str, fe=(), B: int = BOOT_DRAWS, controls=()) -> dict:
    """Slope, CR1 p, WCR wild-bootstrap p and 95 % and 90 % intervals (NaN if unbounded)."""
    p = partial_out(d, y, x, fe=list(fe), controls=list(controls), cluster="iso3")
    ols = cluster_ols(p)
    wb = WildClusterBootstrap(p, B=B, seed=SEED)
    out = dict(coef=ols.coef, se=ols.se, p=ols.p, wb_p=wb.pvalue(0.0), n_countries=p.n_clusters, n_obs=p.n_obs)
    for lev in (95, 90):
        lo, hi = wb.confint(lev / 100)
        out[f"lo{lev}"], out[f"hi{lev}"] = (lo if np.isfinite(lo) else np.nan, hi if np.isfinite(hi) else np.nan)
    return out


def loco(d: pd.DataFrame, y: str, x: str, fe=(), B: int = BOOT_DRAWS) -> pd.DataFrame:
    """Leave one country out: estimate and wild-bootstrap p without each country."""
    rows = []
    for c in sorted(d["iso3"].unique()):
        try:
            r = wild(d[d["iso3"] != c], y, x, fe, B)
        except (ValueError, ZeroDivisionError):
            continue
        rows.append(dict(dropped=c, coef=r["coef"], wb_p=r["wb_p"], p=r["p"]))
    return pd.DataFrame(rows)


def weighted(d: pd.DataFrame, y: str, x: str, fe, w: str) -> dict:
    """WLS with the fixed effects absorbed, CR1 by country."""
    e = fit_fe(d, y, [x], fe=fe, cluster="iso3", weights=w).estimate(x)
    return dict(coef=e.coef, p=e.p, lo=e.ci_low, hi=e.ci_high)


def long_difference(d: pd.DataFrame, y: str, x: str, unit: str, B: int = BOOT_DRAWS) -> dict:
    """Change in the outcome on the change in the measure between each unit's first and
    last year with both (a single long difference, no fixed effects, clustered by country)."""
    dd = d.dropna(subset=[y, x]).sort_values("year")
    g = dd.groupby(unit)
    ld = pd.DataFrame({"iso3": g["iso3"].first(), "dy": g[y].last() - g[y].first(),
                       "dx": g[x].last() - g[x].first(), "span": g["year"].last() - g["year"].first()})
    ld = ld[ld["span"] >= 10]
    r = wild(ld, "dy", "dx", (), B)
    r.update(n_units=len(ld), median_span=float(ld["span"].median()))
    return r


def reverse(country_outcome: pd.DataFrame, x: str, lag: int = REVERSE_LAG, B: int = BOOT_DRAWS,
            autonomy: pd.DataFrame | None = None) -> dict:
    """Does the outcome `lag` years earlier predict the measure (country and year FE)?
    `country_outcome`: iso3, year, outcome (one row per country-year); `autonomy`: iso3,
    year and the measure (default: autonomy.country_year())."""
    a = (country_year() if autonomy is None else autonomy)[["iso3", "year", x]]
    o = country_outcome.copy()
    o["year"] = o["year"] + lag
    d = a.merge(o, on=["iso3", "year"]).dropna()
    d["outcome_lagged"] = d["outcome"]
    r = wild(d, x, "outcome_lagged", ("iso3", "year"), B)
    return dict(coef=r["coef"], p=r["p"], wb_p=r["wb_p"], n_countries=r["n_countries"])


def lagging_interaction(d: pd.DataFrame, x: str, B: int = BOOT_DRAWS) -> dict:
    """H3's gap-closing version: the extra slope of regions that started below their
    country's GDP per head (x × lagging, controlling for x; region and year FE)."""
    dd = d.dropna(subset=["log_gdp_per_head", x, "lagging"]).copy()
    dd["x_lagging"] = dd[x] * dd["lagging"].astype(float)
    return wild(dd, "log_gdp_per_head", "x_lagging", ("region", "year"), B, controls=(x,))


def per_worker(x: str, year: int = 2019, B: int = BOOT_DRAWS) -> dict:
    """Between countries, TL2 log GDP per worker in `year` on the country's measure, with
    no control for national GDP per head (which an effect on regional productivity would
    itself raise: controlling for it would absorb the effect)."""
    d = regions.per_worker_frame(year, (x,)).dropna(subset=[x, "log_gdp_per_worker"])
    return wild(d, "log_gdp_per_worker", x, (), B)


# ------------------------------------------------------------------------------ UK terms

def uk_move(m: str, sd: float) -> dict:
    """The UK's move on the measure: to the OECD median (regions.uk_gap); where the UK is
    already within a quarter SD of the median or above it, one cross-country SD instead."""
    g = regions.uk_gap(m)
    if g["delta"] >= MATERIAL * sd:
        return dict(move=g["delta"], kind="to the OECD median", uk=g["uk"], median=g["median"], year=g["year"])
    return dict(move=sd, kind="by one cross-country SD (the UK is not below the median)", uk=g["uk"],
                median=g["median"], year=g["year"])


def gaps() -> dict:
    """The UK gaps the claim says would close (timing.benchmarks) and the share to close."""
    b = timing.benchmarks()
    uk_cv = country_disparity.uk_latest("outlook", "cv", "population")
    return dict(share=b["share"], lagging_gap_lp=b["lagging_gap"], year=b["year"],
                uk_cv=uk_cv["value"], uk_cv_year=uk_cv["year"],
                uk_st=b["uk_st_national"], peers_st=b["peers_st_national"])


def required_uk_change(h: str, g: dict) -> float:
    """The change in the UK outcome (in the outcome's units, toward the claim, positive)
    that closes SHARE of the gap: H3 log GDP per head of lagging regions; H4 CV; H5 pp."""
    if h == "H3":
        return g["share"] * abs(g["lagging_gap_lp"]) / 100
    if h == "H4":
        return g["share"] * g["uk_cv"]
    return g["share"] * (g["peers_st"] - g["uk_st"])


# ------------------------------------------------------------------------------ all


def _one(h: str, d: pd.DataFrame, m: str, sd_measure: float, g: dict, B: int, draws: int) -> dict:
    y, fe = SPEC[h]
    dd = d.dropna(subset=[y, m])
    r = wild(dd, y, m, fe, B)
    for scheme in ("permute", "shift"):
        r[f"ri_p_{scheme}"] = ri_test(dd, y, m, fe=fe, draws=draws, seed=SEED, scheme=scheme).p
    ch = changing_countries(dd, m)
    r.update(measure=m, hypothesis=h, changing=list(ch.index), n_changing=len(ch))
    lo = loco(dd, y, m, fe, B)
    r["loco"] = lo
    sign = CLAIM_SIGN[h]
    if len(lo):
        r.update(loco_min=float(lo["coef"].min()), loco_max=float(lo["coef"].max()),
                 loco_n_flip=int((np.sign(lo["coef"]) != np.sign(r["coef"])).sum()),
                 loco_n_sig_for=int(((sign * lo["coef"] > 0) & (lo["wb_p"] < 0.05)).sum()),
                 loco_n_sig_against=int(((sign * lo["coef"] < 0) & (lo["wb_p"] < 0.05)).sum()))
    if h == "H3":
        for w in ("w_country", "w_population"):
            r[w] = weighted(dd, y, m, fe, w)
        r["long"] = long_difference(dd, y, m, "region", B)
        r["lagging"] = lagging_interaction(d, m, B)
        r["per_worker"] = per_worker(m, B=B)
    elif h == "H4":
        r["long"] = long_difference(dd, y, m, "iso3", B)
        nc = country_disparity.panel("outlook", "no_capital", "cv", "population").dropna(subset=[y, m])
        r["no_capital"] = wild(nc, y, m, fe, B)
    mv = uk_move(m, sd_measure)
    req = required_uk_change(h, g)
    scale = mv["move"] if h != "H5" else mv["move"] / sd_measure
    r.update(uk_move=mv["move"], uk_move_kind=mv["kind"], uk_value=mv["uk"], oecd_median=mv["median"],
             uk_year=mv["year"], required_uk=req, implied=sign * req / scale, move_scale=scale)
    r["uk_change"] = r["coef"] * scale
    for lev in (95, 90):
        r[f"uk_lo{lev}"], r[f"uk_hi{lev}"] = sorted((r[f"lo{lev}"] * scale, r[f"hi{lev}"] * scale))
    return r


@disk_memo
def compute(B: int = BOOT_DRAWS, draws: int = RI_DRAWS) -> dict:
    """{(hypothesis, measure): result dict}, plus "gaps", "reverse" and "sd" (memoised on disk)."""
    g = gaps()
    d3, d4 = h3_data(), h4_data()
    d5, sd5 = h5_data()
    a = country_year()
    sd = {m: float(a[a["year"] >= 2000].groupby("iso3")[m].mean().std(ddof=1)) for m in MEASURES}
    out: dict = {"gaps": g, "sd": sd, "sd_h5": sd5}
    for h, d in (("H3", d3), ("H4", d4), ("H5", d5)):
        for m in MEASURES:
            try:
                out[(h, m)] = _one(h, d, m, sd[m] if h != "H5" else sd5[m], g, B, draws)
            except (ValueError, KeyError, ZeroDivisionError) as e:
                out[(h, m)] = dict(hypothesis=h, measure=m, error=str(e))
    # reverse causality: country log GDP per head (population-weighted mean of its TL2
    # regions) and the disparity index, REVERSE_LAG years before the measure
    nat = d3.groupby(["iso3", "year"]).apply(
        lambda s: np.average(s["log_gdp_per_head"], weights=s["population"]), include_groups=False)
    nat = nat.rename("outcome").reset_index()
    cv = d4[["iso3", "year", "value"]].rename(columns={"value": "outcome"})
    out["reverse"] = {(o, m): reverse(frame, m, REVERSE_LAG, B)
                      for o, frame in (("productivity", nat), ("disparity", cv)) for m in MEASURES}
    return out


def table(res: dict) -> pd.DataFrame:
    """One row per hypothesis and measure: the numbers a reader compares."""
    rows = []
    for h in HYPOTHESES:
        for m in MEASURES:
            r = res.get((h, m), {})
            if "coef" not in r:
                continue
            rows.append(dict(hypothesis=h, measure=LABEL[m], tier=TIER[m], coef=r["coef"], lo95=r["lo95"],
                             hi95=r["hi95"], implied=r["implied"], wb_p=r["wb_p"], ri_p=r["ri_p_permute"],
                             ri_p_shift=r["ri_p_shift"], n_countries=r["n_countries"],
                             changing=", ".join(r["changing"]), n_changing=r["n_changing"],
                             loco_min=r.get("loco_min", np.nan), loco_max=r.get("loco_max", np.nan)))
    return pd.DataFrame(rows)


def loco_table(res: dict, measure: str = PRIMARY) -> pd.DataFrame:
    """Leave-one-country-out estimates and wild-bootstrap p for H3–H5 side by side (one
    row per dropped country; blank where the country is not in that sample)."""
    parts = []
    for h in HYPOTHESES:
        lo = res.get((h, measure), {}).get("loco")
        if lo is not None and len(lo):
            parts.append(lo.set_index("dropped")[["coef", "wb_p"]].rename(
                columns={"coef": f"{h} estimate", "wb_p": f"{h} p"}))
    out = pd.concat(parts, axis=1)
    out.index.name = "Country left out"
    return out.reset_index()


def headline(res: dict | None = None) -> dict:
    """Flat numbers for glue: <h>_<short>_<stat> for every hypothesis and measure."""
    res = compute() if res is None else res
    short = {"imf_tax_share": "tax", "imf_own_spending_share": "spend", "lai": "lai", "rai_fiscal_autonomy": "rfa"}
    out = {}
    for h in HYPOTHESES:
        for m, s in short.items():
            r = res.get((h, m), {})
            if "coef" not in r:
                continue
            k = f"{h.lower()}_{s}"
            for f in ("coef", "lo95", "hi95", "lo90", "hi90", "wb_p", "ri_p_permute", "ri_p_shift", "implied",
                      "uk_change", "uk_lo95", "uk_hi95", "uk_move", "required_uk", "n_countries", "n_changing",
                      "loco_min", "loco_max", "loco_n_sig_for", "loco_n_sig_against"):
                if f in r and np.isfinite(r[f]):
                    out[f"{k}_{f}"] = float(r[f])
            for w in ("w_country", "w_population"):
                if w in r:
                    out[f"{k}_{w}_coef"], out[f"{k}_{w}_p"] = r[w]["coef"], r[w]["p"]
            for extra in ("long", "lagging", "per_worker", "no_capital"):
                if extra in r:
                    for f in ("coef", "wb_p", "lo95", "hi95", "n_countries"):
                        if np.isfinite(r[extra].get(f, np.nan)):
                            out[f"{k}_{extra}_{f}"] = float(r[extra][f])
            if "long" in r:
                out[f"{k}_long_n"] = r["long"]["n_units"]
    for (o, m), r in res["reverse"].items():
        out[f"rev_{o}_{short[m]}_coef"], out[f"rev_{o}_{short[m]}_wb_p"] = r["coef"], r["wb_p"]
    return out
