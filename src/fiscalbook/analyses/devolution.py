"""Devolution in the UK (H6, measured where it happened): English mayoral combined
authorities, Scottish and Welsh tax powers, Greater Manchester rebuilt, and the speed of
regional convergence across the OECD.

**Events** come from the book's reference table ``uk_devolution_events`` (read and checked
by ``readers.reference``). A cohort is the calendar year of the event (the deal, or the
first mayoral election); annual data cannot place a November deal more finely, and the
effect in the event year itself is near zero either way.

**Staggered DiD** (``did``): ITL3 regions, 2004–2021, y = 100 x log GVA per hour worked
(chained volume index; per filled job as the check). Treated: regions wholly inside a
mayoral combined authority whose deal (or mayor) fell in the window. Controls: English
regions never in such an authority by 2021 (those of the 2024 authorities included) and
not-yet-treated regions. Left out: London (GLA 2000, always treated), regions straddling an
authority's boundary (``drop_partial``), and Scotland, Wales and Northern Ireland (devolved
administrations with their own policies). Clusters: the combined authority for treated
regions, the ITL2 area for controls, so randomisation inference draws "pseudo-authorities"
of ITL2 size from the controls and gives them the actual cohorts.

**Scotland and Wales** (``synth_nation``): synthetic control on ITL1 GVA per hour worked
relative to the UK (current prices, UK = 100), donors the English ITL1 regions other than
London and Northern Ireland; treated from the income-tax powers (2016 Scotland, 2019 Wales).

**Greater Manchester rebuilt** (``synth_gm``): the combined authority itself is the ITL2
region TLD3 (its five ITL3 regions); outcome GVA per hour relative to the UK; donors English
ITL2 areas containing no combined-authority region (whole or partial) and outside London.

**Convergence** (``convergence``): within-country β-convergence of TL2 GDP per head,
2000–2020 (``methods.convergence``), then across countries the speed and half-life against
the RAI fiscal-autonomy score (mean 2000–2018).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

from .. import tables
from ..fetch import resolve
from ..memo import disk_memo
from ..methods import convergence as cv
from ..methods import staggered as stg
from ..methods import synthetic as syn
from ..readers.reference import read_devolution_events
from ..study import CONVERGENCE_YEARS, ITL_YEARS, RI_CHECK_DRAWS, RI_DRAWS, SEED

OUTCOMES = {"hour": "gva_per_hour_cvm_index_2020_100", "job": "gva_per_job_cvm_index_2020_100"}
RELATIVE = "gva_per_hour_cp_index_uk100"
LEADS, LAGS = 5, 5
HORIZONS = (3, 5)
NATION_YEAR = {"TLM": 2016, "TLL": 2019}  # Scottish rate of income tax; Welsh rates of income tax
ENGLAND_ITL1 = tuple(f"TL{c}" for c in "CDEFGHIJK")
GM_ITL2 = "TLD3"
GM_ID = "greater_manchester"
HALF_GAP_HORIZON = 5  # a parliament


# ----------------------------------------------------------------------------------------
# events


@cache
def _events() -> pd.DataFrame:
    return read_devolution_events(resolve("uk_devolution_events"))


def events() -> pd.DataFrame:
    """The reference table of devolution events (one row per authority or instrument)."""
    return _events().copy()


def authorities(first: int = ITL_YEARS[0], last: int = ITL_YEARS[1]) -> pd.DataFrame:
    """Mayoral combined authorities treated inside the window: id, name, deal_cohort,
    mayor_cohort (calendar years; NaN if after ``last``), itl3 (tuple), partial (tuple)."""
    e = _events()
    ca = e.loc[e["kind"] == "mayoral_ca"].copy()
    ca["deal_cohort"] = ca["deal_date"].dt.year.astype(float)
    ca["mayor_cohort"] = ca["mayor_from"].dt.year.astype(float)
    for c in ("deal_cohort", "mayor_cohort"):
        ca.loc[ca[c] > last, c] = np.nan
    ca = ca.loc[ca["deal_cohort"].notna() | ca["mayor_cohort"].notna()]
    if (ca["deal_cohort"] <= first).any():
        raise ValueError("a combined authority treated before the window begins")
    return ca.rename(columns={"itl3_codes": "itl3", "itl3_partial": "partial"})[
        ["id", "name", "deal_cohort", "mayor_cohort", "itl3", "partial"]].reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# panels


@cache
def _itl(level: int, measure: str) -> pd.DataFrame:
    t = tables.ons_productivity()
    t = t.loc[(t["itl_level"] == level) & (t["measure"] == measure) & t["year"].between(*ITL_YEARS)]
    return t[["itl_code", "region_name", "year", "value"]].reset_index(drop=True)


def region_status() -> pd.DataFrame:
    """Every ITL3 region: itl_code, region_name, itl2, group (treated, control, partial,
    london, devolved), authority, deal_cohort, mayor_cohort, cluster."""
    r = _itl(3, OUTCOMES["hour"]).drop_duplicates("itl_code")[["itl_code", "region_name"]].copy()
    r["itl2"] = r["itl_code"].str[:4]
    ca = authorities()
    whole = {c: row for _, row in ca.iterrows() for c in row["itl3"]}
    partial = {c for p in ca["partial"] for c in p}
    unknown = (set(whole) | partial) - set(r["itl_code"])
    if unknown:
        raise ValueError(f"event table names ITL3 codes absent from the ONS data: {sorted(unknown)}")

    def group(code):
        if code[2] in "LMN":
            return "devolved"
        if code.startswith("TLI"):
            return "london"
        if code in partial:
            return "partial"
        return "treated" if code in whole else "control"

    r["group"] = r["itl_code"].map(group)
    r["authority"] = r["itl_code"].map(lambda c: whole[c]["id"] if c in whole else None)
    for c in ("deal_cohort", "mayor_cohort"):
        r[c] = r["itl_code"].map(lambda k: whole[k][c] if k in whole else np.nan).astype(float)
    r["cluster"] = np.where(r["group"] == "treated", r["authority"], r["itl2"])
    return r.reset_index(drop=True)


def did_panel(outcome: str = "hour", cohort: str = "deal", last: int = ITL_YEARS[1],
              partial: str = "drop") -> pd.DataFrame:
    """Treated and control ITL3 regions, 2004–``last``: region, year, y (100 x log index),
    cohort, cluster, authority. ``partial="treat"`` counts straddling regions as treated
    with their authority (a check on the overlap rule)."""
    st = region_status()
    if partial == "treat":
        ca = authorities()
        for _, row in ca.iterrows():
            for c in row["partial"]:
                k = st["itl_code"] == c
                st.loc[k, ["group", "authority", "cluster"]] = ["treated", row["id"], row["id"]]
                st.loc[k, ["deal_cohort", "mayor_cohort"]] = [row["deal_cohort"], row["mayor_cohort"]]
    elif partial != "drop":
        raise ValueError("partial is 'drop' or 'treat'")
    st = st.loc[st["group"].isin(["treated", "control"])]
    d = _itl(3, OUTCOMES[outcome]).merge(st, on="itl_code")
    d = d.loc[d["year"] <= last]
    d["y"] = 100 * np.log(d["value"])
    d["cohort"] = d[f"{cohort}_cohort"]
    return d.rename(columns={"itl_code": "region"})[["region", "year", "y", "cohort", "cluster", "authority"]]


# ----------------------------------------------------------------------------------------
# staggered DiD


@disk_memo
def did(outcome: str = "hour", cohort: str = "deal", draws: int = RI_DRAWS, control: str = "notyet",
        last: int = ITL_YEARS[1], partial: str = "drop") -> dict:
    """Callaway–Sant'Anna (not-yet-treated controls by default) with randomisation inference,
    the pre-trend tests, Gardner's two-stage estimator and the csdid cross-check."""
    d = did_panel(outcome, cohort, last, partial)
    # regions whose deal falls after a shortened panel are dropped, not used as clean controls
    d = d.loc[d["cohort"].isna() | (d["cohort"] <= last)]
    kw = dict(unit="region", time="year", y="y", cohort="cohort", cluster="cluster")
    es = stg.event_study(d, control=control, leads=LEADS, lags=LAGS, B=RI_DRAWS, seed=SEED, **kw)
    ri, pre_ri = stg.randomisation_inference(d, control=control, leads=LEADS, lags=LAGS, draws=draws,
                                             seed=SEED, **kw)
    tab = es.table.join(ri.loc[ri["e"] != "post"].astype({"e": int}).set_index("e")[
        ["perm_low", "perm_high", "p_perm"]], on="e")
    post = ri.loc[ri["e"] == "post"].iloc[0]
    two = stg.event_study_did2s(d, lags=LAGS, **kw)
    cs = stg.compare_with_csdid(d, control=control, **kw)
    units = d.drop_duplicates("region")
    return {"table": tab, "pre_p": es.pre_test["p"], "pre_F": es.pre_test["stat"], "pre_ri_p": pre_ri["p"],
            "post": {"coef": float(post["coef"]), "low": float(post["perm_low"]),
                     "high": float(post["perm_high"]), "p": float(post["p_perm"])},
            "did2s": two, "csdid_max_diff": float(cs["diff"].abs().max()), "csdid_cells": len(cs),
            "n_control_clusters": int(units.loc[units["cohort"].isna(), "cluster"].nunique()),
            "n_treated_regions": int(units["cohort"].notna().sum()),
            "n_control_regions": int(units["cohort"].isna().sum()),
            "n_authorities": int(units.loc[units["cohort"].notna(), "authority"].nunique()),
            "cohorts": es.cohorts, "draws": int(post["draws"])}


def main() -> dict:
    """The main specification (deal year, GVA per hour, not-yet-treated controls, RI_DRAWS)."""
    return did(draws=RI_DRAWS)


CHECKS = {  # label -> did() keyword arguments (secondary checks use RI_CHECK_DRAWS)
    "Main: deal year, GVA per hour, not-yet-treated controls": dict(),
    "Never-treated controls only": dict(control="never"),
    "Dated from the first mayor": dict(cohort="mayor"),
    "GVA per filled job": dict(outcome="job"),
    "Pre-pandemic only (2004–2019)": dict(last=2019),
    "Straddling regions counted as treated": dict(partial="treat"),
}


def checks() -> pd.DataFrame:
    """The event study under each specification in CHECKS: effect at +3 and +5 with
    randomisation intervals, the post-deal average, lead-test p-values, treated regions."""
    rows = []
    for label, kw in CHECKS.items():
        r = main() if not kw else did(draws=RI_CHECK_DRAWS, **kw)
        t = r["table"].set_index("e")
        row = {"Specification": label, "Treated regions": r["n_treated_regions"]}
        for e in HORIZONS:
            ok = e in t.index
            row[f"+{e}"] = float(t.loc[e, "coef"]) if ok else np.nan
            row[f"+{e} RI low"] = float(t.loc[e, "perm_low"]) if ok else np.nan
            row[f"+{e} RI high"] = float(t.loc[e, "perm_high"]) if ok else np.nan
        row["Average 0..+5"] = r["post"]["coef"]
        row["Leads p (clustered)"] = r["pre_p"]
        row["Leads p (RI)"] = r["pre_ri_p"]
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# synthetic controls


def _wide(level: int, measure: str = RELATIVE) -> pd.DataFrame:
    return _itl(level, measure).pivot(index="itl_code", columns="year", values="value")


def nation_donors() -> list[str]:
    """English ITL1 regions other than London, and Northern Ireland."""
    return [c for c in ENGLAND_ITL1 if c != "TLI"] + ["TLN"]


@cache
def synth_nation(code: str = "TLM") -> dict:
    """Scotland (TLM) or Wales (TLL) against its synthetic control: placebo result,
    leave-one-donor-out, in-time placebo."""
    w = _wide(1)
    year = NATION_YEAR[code]
    donors = nation_donors()
    res = syn.placebo_test(w, code, year, donors)
    loo = syn.leave_one_out(w, code, year, donors)
    placebo_time = syn.in_time_placebo(w, code, year, donors, shift=5)
    return {"result": res, "summary": syn.summary(res), "loo": loo, "in_time": placebo_time, "year": year}


@cache
def synth_nation_itl2(code: str = "TLM") -> pd.DataFrame:
    """Each ITL2 region of Scotland (TLM) or Wales (TLL) against its synthetic control from the
    deal-free English ITL2 areas (``gm_donors``) and Northern Ireland: itl2, region_name,
    pre_rmspe, mean_gap, p, n_units."""
    w = _wide(2)
    year = NATION_YEAR[code]
    donors = gm_donors() + ["TLN0"]
    names = _itl(2, RELATIVE).drop_duplicates("itl_code").set_index("itl_code")["region_name"]
    rows = []
    for unit in sorted(u for u in w.index if u.startswith(code)):
        s = syn.summary(syn.placebo_test(w, unit, year, donors))
        rows.append({"itl2": unit, "region_name": names[unit], "pre_rmspe": s["pre_rmspe"],
                     "mean_gap": s["mean_gap"], "p": s["p"], "n_units": s["n_units"]})
    return pd.DataFrame(rows)


def gm_donors() -> list[str]:
    """English ITL2 areas outside London holding no combined-authority region (whole or partial)."""
    st = region_status()
    touched = set(st.loc[st["group"].isin(["treated", "partial"]), "itl2"])
    areas = _itl(2, RELATIVE)["itl_code"].unique()
    return sorted(a for a in areas if a[:3] in ENGLAND_ITL1 and not a.startswith("TLI") and a not in touched)


@cache
def synth_gm(year: int | None = None) -> dict:
    """Greater Manchester (TLD3) on GVA per hour relative to the UK, English deal-free donors."""
    ca = authorities().set_index("id")
    year = int(ca.loc[GM_ID, "deal_cohort"]) if year is None else year
    w = _wide(2)
    donors = gm_donors()
    res = syn.placebo_test(w, GM_ITL2, year, donors)
    loo = syn.leave_one_out(w, GM_ITL2, year, donors)
    placebo_time = syn.in_time_placebo(w, GM_ITL2, year, donors, shift=5)
    return {"result": res, "summary": syn.summary(res), "loo": loo, "in_time": placebo_time, "year": year}


def gm_relative(year: int) -> float:
    """Greater Manchester's GVA per hour worked relative to the UK (UK = 100, current prices)."""
    w = _wide(2)
    return float(w.loc[GM_ITL2, year])


# ----------------------------------------------------------------------------------------
# convergence across the OECD


@cache
def convergence(level: str = "TL2") -> pd.DataFrame:
    """Per country: β-convergence of TL2 (or TL3, with the OECD's merged TL3 units) GDP per
    head over CONVERGENCE_YEARS (speed in % a year, half-life in years, intervals), with RAI
    fiscal autonomy and RAI (means 2000–2018)."""
    if level not in ("TL2", "TL3"):
        raise ValueError("level is 'TL2' or 'TL3'")
    o = tables.tl2_outlook() if level == "TL2" else tables.tl3_metro()
    start, end = CONVERGENCE_YEARS
    r = cv.by_group(o, "iso3", "region", "year", "gdp_per_head_usd_ppp2015", start, end)
    rai = tables.rai_country()
    a = rai.loc[rai["year"].between(start, 2018)].groupby("iso3")[["fiscal_autonomy", "rai"]].mean()
    r = r.join(a, on="iso3")
    for c in ("beta", "beta_low", "beta_high"):
        r[c.replace("beta", "speed_pct")] = 100 * r[c]
    return r


def convergence_slopes(level: str = "TL2") -> dict:
    """Across countries: speed (% a year) on fiscal autonomy (all countries with both), and
    half-life (years) on fiscal autonomy among countries whose regions converge (β > 0)."""
    c = convergence(level).dropna(subset=["fiscal_autonomy"])
    speed = cv.slope(c["fiscal_autonomy"], c["speed_pct"])
    conv = c.loc[c["beta"] > 0]
    hl = cv.slope(conv["fiscal_autonomy"], conv["half_life"])
    return {"speed": speed, "half_life": hl, "n_countries": len(c), "n_converging": len(conv)}


# ----------------------------------------------------------------------------------------
# the benchmark and the headline


def required_effect() -> float:
    """Log points of relative growth in five years that would close half the combined
    authorities' gap in GVA per hour to the UK in the year before the first deal
    (hours-weighted mean of the treated regions' gaps)."""
    st = region_status()
    treated = st.loc[st["group"] == "treated"]
    first = int(treated["deal_cohort"].min())
    rel = _itl(3, RELATIVE)
    hours = _itl(3, "hours_worked_per_week")
    y = first - 1
    r = rel.loc[(rel["year"] == y) & rel["itl_code"].isin(treated["itl_code"])].set_index("itl_code")["value"]
    h = hours.loc[(hours["year"] == y)].set_index("itl_code")["value"].reindex(r.index)
    gap = float(np.average(100 * np.log(r / 100), weights=h))
    return -0.5 * gap


@disk_memo
def _headline() -> dict:
    main_ = main()
    mayor = did(cohort="mayor", draws=RI_CHECK_DRAWS)
    job = did(outcome="job", draws=RI_CHECK_DRAWS)
    ch = checks()
    out_checks = {"checks_e3_min": float(ch["+3"].min()), "checks_e3_max": float(ch["+3"].max()),
                  "checks_n_e5_excl_required": int((ch["+5 RI high"].dropna() < required_effect()).sum()),
                  "checks_n_e5": int(ch["+5 RI high"].notna().sum()),
                  "checks_n_e3_excl_required": int((ch["+3 RI high"] < required_effect()).sum()),
                  "checks_n_e3_zero_inside": int(((ch["+3 RI low"] < 0) & (ch["+3 RI high"] > 0)).sum()),
                  "checks_n": len(ch)}
    t = main_["table"].set_index("e")
    out = {"n_authorities": main_["n_authorities"], "n_treated_regions": main_["n_treated_regions"],
           "n_control_regions": main_["n_control_regions"], "ri_draws": main_["draws"],
           "pre_p": main_["pre_p"], "pre_ri_p": main_["pre_ri_p"], "csdid_max_diff": main_["csdid_max_diff"],
           "csdid_cells": main_["csdid_cells"], "n_control_clusters": main_["n_control_clusters"],
           "post_mean": main_["post"]["coef"], "post_mean_lo": main_["post"]["low"],
           "post_mean_hi": main_["post"]["high"], "post_mean_p": main_["post"]["p"], **out_checks}
    for e in HORIZONS:
        out[f"e{e}"] = float(t.loc[e, "coef"])
        out[f"e{e}_lo"] = float(t.loc[e, "perm_low"])
        out[f"e{e}_hi"] = float(t.loc[e, "perm_high"])
        out[f"e{e}_p"] = float(t.loc[e, "p_perm"])
        out[f"e{e}_n_cohorts"] = int(t.loc[e, "n_cohorts"])
    tw = main_["did2s"].set_index("e")
    for e in HORIZONS:
        out[f"did2s_e{e}"] = float(tw.loc[e, "coef"])
    tm = mayor["table"].set_index("e")
    out["mayor_e3"] = float(tm.loc[3, "coef"])
    out["mayor_e3_lo"], out["mayor_e3_hi"] = float(tm.loc[3, "perm_low"]), float(tm.loc[3, "perm_high"])
    out["mayor_pre_p"] = mayor["pre_p"]
    tj = job["table"].set_index("e")
    out["job_e5"] = float(tj.loc[5, "coef"])
    out["job_e5_lo"], out["job_e5_hi"] = float(tj.loc[5, "perm_low"]), float(tj.loc[5, "perm_high"])
    out["required"] = required_effect()
    out["ca_gap"] = -2 * out["required"]  # the authorities' gap to the UK the year before the first deal
    out["ca_gap_year"] = int(min(ca_ for ca_ in authorities()["deal_cohort"].dropna())) - 1
    for code, name in (("TLM", "scot"), ("TLL", "wales")):
        s = synth_nation(code)
        out[f"{name}_year"] = s["year"]
        out[f"{name}_gap"] = s["summary"]["mean_gap"]
        out[f"{name}_p"] = s["summary"]["p"]
        out[f"{name}_n_units"] = s["summary"]["n_units"]
        out[f"{name}_pre_rmspe"] = s["summary"]["pre_rmspe"]
        out[f"{name}_loo_min"] = float(s["loo"]["mean_gap"].min())
        out[f"{name}_loo_max"] = float(s["loo"]["mean_gap"].max())
        out[f"{name}_in_time_gap"] = s["in_time"]["mean_gap"]
        out[f"{name}_in_time_p"] = s["in_time"]["p"]
        s2 = synth_nation_itl2(code)
        out[f"{name}_itl2_n"] = len(s2)
        out[f"{name}_itl2_gap_min"] = float(s2["mean_gap"].min())
        out[f"{name}_itl2_gap_max"] = float(s2["mean_gap"].max())
        out[f"{name}_itl2_n_p10"] = int((s2["p"] <= 0.1).sum())
    g = synth_gm()
    out["gm_year"] = g["year"]
    out["gm_rel_deal"] = gm_relative(g["year"])
    out["gm_rel_e5"] = gm_relative(g["year"] + 5)
    out["gm_rel_change"] = out["gm_rel_e5"] - out["gm_rel_deal"]
    out["gm_gap"] = g["summary"]["mean_gap"]
    out["gm_p"] = g["summary"]["p"]
    out["gm_n_units"] = g["summary"]["n_units"]
    out["gm_pre_rmspe"] = g["summary"]["pre_rmspe"]
    out["gm_loo_min"] = float(g["loo"]["mean_gap"].min())
    out["gm_loo_max"] = float(g["loo"]["mean_gap"].max())
    out["gm_in_time_gap"] = g["in_time"]["mean_gap"]
    out["gm_in_time_p"] = g["in_time"]["p"]
    sl = convergence_slopes()
    c = convergence().set_index("iso3")
    out["conv_n_countries"] = sl["n_countries"]
    out["conv_n_converging"] = sl["n_converging"]
    out["conv_speed_slope"] = sl["speed"]["slope"]
    out["conv_speed_slope_lo"], out["conv_speed_slope_hi"] = sl["speed"]["low"], sl["speed"]["high"]
    out["conv_speed_slope_p"] = sl["speed"]["p"]
    out["conv_hl_slope"] = sl["half_life"]["slope"]
    out["conv_hl_slope_lo"], out["conv_hl_slope_hi"] = sl["half_life"]["low"], sl["half_life"]["high"]
    fin = c.loc[np.isfinite(c["half_life"])]
    out["conv_min_half_life"] = float(fin["half_life"].min())
    out["conv_n_below_35"] = int((fin["half_life"] < 35).sum())
    out["conv_median_half_life"] = float(c.loc[c["beta"] > 0, "half_life"].median())
    out["conv_uk_speed"] = float(c.loc["GBR", "speed_pct"])
    out["conv_uk_speed_lo"], out["conv_uk_speed_hi"] = float(c.loc["GBR", "speed_pct_low"]), float(c.loc["GBR", "speed_pct_high"])
    out["conv_uk_converges"] = bool(c.loc["GBR", "beta"] > 0)
    s3 = convergence_slopes("TL3")
    c3 = convergence("TL3").set_index("iso3")
    out["conv_tl3_n_countries"] = s3["n_countries"]
    out["conv_tl3_speed_slope"] = s3["speed"]["slope"]
    out["conv_tl3_speed_slope_lo"], out["conv_tl3_speed_slope_hi"] = s3["speed"]["low"], s3["speed"]["high"]
    out["conv_tl3_uk_half_life"] = float(c3.loc["GBR", "half_life"]) if np.isfinite(c3.loc["GBR", "half_life"]) else -1.0
    out["conv_tl3_uk_n"] = int(c3.loc["GBR", "n"])
    out["conv_tl3_min_half_life"] = float(c3.loc[np.isfinite(c3["half_life"]), "half_life"].min())
    # the half-life a parliament would need: half the gap in five years
    out["conv_required_speed"] = 100 * np.log(2) / HALF_GAP_HORIZON
    out["conv_n_faster_than_parliament"] = int((c["half_life_low"] <= HALF_GAP_HORIZON).sum())
    # proposed verdict input for H6: supported only if the UK's own reforms show effects of
    # the size the claim needs, with intervals that exclude zero
    big = out["e5_lo"] >= out["required"]
    none = out["e5_lo"] <= 0 <= out["e5_hi"] and out["e3_lo"] <= 0 <= out["e3_hi"]
    out["h6_proposal"] = "supported" if big else ("not supported" if (none or out["e5_hi"] < out["required"]) else "mixed")
    out["h6_e5_hi_below_required"] = bool(out["e5_hi"] < out["required"])
    return out


def headline() -> dict:
    """Flat dict of the chapter's numbers (plain floats, ints, bools, and the string
    ``h6_proposal``: a proposed H6 verdict input) for the verdict chapter."""
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in _headline().items()}
