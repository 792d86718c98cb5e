"""How quickly? What the claim implies, and what reforms and the Greater Manchester deal show (H6).

The benchmark (``benchmarks``) turns "close the gaps quickly" into a number, from the data:
the gap, in log points, between a lagging UK group and the UK figure (or the peers'), and the
effect within one five-year parliament that would close ``SHARE`` of it (half: a lenient
reading of "quickly"; closing all of it is the strict reading, also reported). Three gaps:

* UK lagging TL2 regions (below the UK's GDP per head in ``BASE_YEAR``), population-weighted
  mean log gap to the UK figure — compared with the event-study effect at +5 years of a
  fiscal-autonomy reform on lagging regions' GDP per head relative to their country's;
* the Core Cities' units (``cities.core_cities_aggregate``) to the UK figure, and the UK's
  second-tier metros to the peers' (median second-tier-to-national ratio of the other
  comparison countries) — compared with the effect at +5 on log GDP per head of all regions;
* Greater Manchester's gap to the UK figure in 2013, the year before the deal — compared with
  the synthetic-control gap in 2019, five years after it.

All effects are in log points (100 x natural-log differences, close to percentages for
small values).
"""

from __future__ import annotations

from functools import cache

import altair as alt
import numpy as np
import pandas as pd

from . import charts
from .memo import disk_memo
from . import events as ev
from . import synth as sc

from .study import SEED  # the study's one seed (fiscalbook.study)
BASE_YEAR = 2019  # last pre-pandemic year
SHARE = 0.5
HORIZON = 5
DRAWS = 299  # placebo reassignments per event study (chapter run time)
B = 1999  # multiplier-bootstrap draws for the sup-t band

# event-study specifications: key -> (measure, outcome, lagging, drop, control, label)
SPECS: dict[str, dict] = {
    "fa_log": dict(measure="fiscal_autonomy", outcome="log", lagging=False, drop=(), control="never",
                   label="Fiscal autonomy, log GDP per head, all regions"),
    "fa_rel": dict(measure="fiscal_autonomy", outcome="relative", lagging=True, drop=(), control="never",
                   label="Fiscal autonomy, lagging regions relative to their country"),
    "fa_log_noirl": dict(measure="fiscal_autonomy", outcome="log", lagging=False, drop=("IRL",),
                         control="never", label="Fiscal autonomy without Ireland, log GDP per head"),
    "fa_rel_noirl": dict(measure="fiscal_autonomy", outcome="relative", lagging=True, drop=("IRL",),
                         control="never", label="Fiscal autonomy without Ireland, lagging regions relative"),
    "fa_rel_notyet": dict(measure="fiscal_autonomy", outcome="relative", lagging=True, drop=(),
                          control="notyet", label="Fiscal autonomy, lagging regions relative, not-yet-treated controls"),
    "sr_log": dict(measure="self_rule", outcome="log", lagging=False, drop=(), control="never",
                   label="Self-rule, log GDP per head, all regions"),
    "sr_rel": dict(measure="self_rule", outcome="relative", lagging=True, drop=(), control="never",
                   label="Self-rule, lagging regions relative to their country"),
}
PLACEBO_SPECS = ("fa_log", "fa_rel", "fa_rel_noirl", "sr_log", "sr_rel")


# ----------------------------------------------------------------------------------------
# the benchmark


def _lp(x: float) -> float:
    """100 x natural log."""
    return float(100 * np.log(x))


def benchmarks(year: int = BASE_YEAR, share: float = SHARE, horizon: int = HORIZON) -> dict:
    """The gaps (log points, negative = below) and the effects the claim implies."""
    from . import cities, panels, tables

    regions, _ = panels.regions_table("outlook")
    uk = regions.loc[(regions["iso3"] == "GBR") & (regions["year"] == year)].copy()
    v = "gdp_per_head_usd_ppp2015"
    nat = float((uk[v] * uk["population"]).sum() / uk["population"].sum())
    lag = uk.loc[uk[v] < nat]
    lag_gap = float(np.average(100 * np.log(lag[v] / nat), weights=lag["population"]))
    core = cities.core_cities_aggregate(year=year)
    core_gap = _lp(core["rel_national"] / 100)
    st = cities.second_tier()
    cc = cities.comparison_countries(st)
    y = st.loc[(st["year"] == year) & st["iso3"].isin(cc)].set_index("iso3")
    peers_median = float(y.drop(index="GBR")["st_to_national"].median())
    st_gap = _lp(y.loc["GBR", "st_to_national"] / peers_median)
    # Manchester vs the UK figure (TL3/metro panel, all UK units), the year before the deal
    t3 = tables.tl3_metro()
    man_year = sc.DEALS["manchester_2014"]["year"] - 1
    u = t3.loc[(t3["iso3"] == "GBR") & (t3["year"] == man_year)]
    uk3 = float((u[v] * u["population"]).sum() / u["population"].sum())
    man = float(u.loc[u["region"] == sc.MANCHESTER, v].iloc[0])
    man_gap = _lp(man / uk3)
    out = {"year": year, "share": share, "horizon": horizon,
           "uk_gdp_per_head": nat, "n_lagging": len(lag), "n_regions": len(uk),
           "lagging_gap": lag_gap, "core_gap": core_gap, "st_gap_peers": st_gap,
           "peers_st_national": peers_median, "uk_st_national": float(y.loc["GBR", "st_to_national"]),
           "core_rel_national": float(core["rel_national"]),
           "manchester_gap": man_gap, "manchester_year": man_year}
    for k in ("lagging_gap", "core_gap", "st_gap_peers", "manchester_gap"):
        out[f"required_{k}"] = -share * out[k]
        out[f"required_full_{k}"] = -out[k]
        out[f"required_per_year_{k}"] = -share * out[k] / horizon
    return out


# ----------------------------------------------------------------------------------------
# the estimates


@cache
def _event(key: str):
    s = SPECS[key]
    d, status = ev.tl2_event_panel(s["measure"], outcome=s["outcome"], lagging=s["lagging"], drop=s["drop"])
    d = d.assign(y=100 * d["y"])  # log points
    es = ev.event_study(d, control=s["control"], B=B, seed=SEED)
    pi = ev.placebo_inference(d, control=s["control"], draws=DRAWS, seed=SEED) if key in PLACEBO_SPECS else None
    return es, pi, status


def event(key: str):
    """(EventStudy, placebo table or None, status table) for a specification in SPECS."""
    es, pi, st = _event(key)
    return es, (None if pi is None else pi.copy()), st.copy()


@cache
def _twfe(key: str = "fa_log") -> pd.DataFrame:
    s = SPECS[key]
    d, _ = ev.tl2_event_panel(s["measure"], outcome=s["outcome"], lagging=s["lagging"], drop=s["drop"])
    return ev.event_study_twfe(d.assign(y=100 * d["y"]))


def twfe(key: str = "fa_log") -> pd.DataFrame:
    return _twfe(key).copy()


@cache
def _did2s(key: str) -> pd.DataFrame:
    s = SPECS[key]
    d, _ = ev.tl2_event_panel(s["measure"], outcome=s["outcome"], lagging=s["lagging"], drop=s["drop"])
    return ev.event_study_did2s(d.assign(y=100 * d["y"]))


def did2s(key: str) -> pd.DataFrame:
    """Gardner two-stage cross-check (post-reform event times) for a specification."""
    return _did2s(key).copy()


def event_table(key: str) -> pd.DataFrame:
    """Event-time rows: label, e, coef, ci_low, ci_high (clustered), band_low/high (sup-t),
    p, perm_low, perm_high, p_perm (placebo reassignment), n_cohorts."""
    es, pi, _ = event(key)
    t = es.table.copy()
    if pi is not None:
        p = pi.loc[pi["e"] != "post"].astype({"e": int}).set_index("e")
        t = t.join(p[["perm_low", "perm_high", "p_perm"]], on="e")
    return t


@cache
def _deal(key: str, pool: str = "all"):
    return sc.run_deal(key, pool)


def deal(key: str = "manchester_2014", pool: str = "all"):
    res, donors = _deal(key, pool)
    return res, donors.copy()


def events_table() -> pd.DataFrame:
    """Material reform events of both measures, with the treatment status of the country."""
    out = []
    for m in ("fiscal_autonomy", "self_rule"):
        e = ev.rai_events(m)
        _, _, st = event("fa_log" if m == "fiscal_autonomy" else "sr_log")
        e = e.merge(st[["iso3", "status", "cohort"]], on="iso3", how="left")
        e["role"] = np.where((e["status"] == "treated") & (e["year"] == e["cohort"]), "treatment (first increase)",
                    np.where(e["status"] == "treated", "later reform of a treated country",
                    np.where(e["status"] == "always_treated", "before the outcome window: dropped",
                             "decrease first: dropped")))
        out.append(e)
    return pd.concat(out, ignore_index=True)


def comparison(year: int = BASE_YEAR) -> pd.DataFrame:
    """Estimates at +5 years (log points) beside the effect the claim implies."""
    b = benchmarks(year)
    rows = []
    for key, bench, bl in (("fa_rel", "lagging_gap", "Half the UK lagging regions' gap"),
                           ("fa_rel_noirl", "lagging_gap", "Half the UK lagging regions' gap"),
                           ("sr_rel", "lagging_gap", "Half the UK lagging regions' gap"),
                           ("fa_log", "core_gap", "Half the Core Cities' gap to the UK"),
                           ("fa_log_noirl", "core_gap", "Half the Core Cities' gap to the UK"),
                           ("sr_log", "core_gap", "Half the Core Cities' gap to the UK")):
        t = event_table(key).set_index("e")
        r = t.loc[HORIZON]
        rows.append({"spec": SPECS[key]["label"], "key": key, "estimate": r["coef"],
                     "ci_low": r["ci_low"], "ci_high": r["ci_high"],
                     "perm_low": r.get("perm_low", np.nan), "perm_high": r.get("perm_high", np.nan),
                     "benchmark": bl, "required": b[f"required_{bench}"]})
    man = deal("manchester_2014")[0]
    s = sc.summary(man, HORIZON)
    rows.append({"spec": "Greater Manchester deal (synthetic control), 2019", "key": "manchester",
                 "estimate": float(100 * np.log(1 + s["gap_h_pct"] / 100)), "ci_low": np.nan,
                 "ci_high": np.nan, "perm_low": np.nan, "perm_high": np.nan,
                 "benchmark": "Half Manchester's 2013 gap to the UK", "required": b["required_manchester_gap"]})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# charts


def event_chart(keys=("fa_log", "fa_rel"), required: dict | None = None) -> alt.HConcatChart:
    """Event-study effects with clustered and placebo intervals, one panel per spec; the
    path that would close half the UK gap in five years (UK colour) where given."""
    panels = []
    for key in keys:
        t = event_table(key)
        t = t.assign(spec=SPECS[key]["label"])
        base = alt.Chart(t)
        x = alt.X("e:Q", title="Years since first material increase (ends binned)",
                  scale=alt.Scale(domain=[-6.5, 6.5]), axis=alt.Axis(values=list(range(-6, 7))))
        tips = [alt.Tooltip("label:N", title="Event time"), alt.Tooltip("coef:Q", format=".2f", title="Effect (log points)"),
                alt.Tooltip("ci_low:Q", format=".2f", title="Clustered 95% low"),
                alt.Tooltip("ci_high:Q", format=".2f", title="Clustered 95% high"),
                alt.Tooltip("n_cohorts:Q", title="Cohorts")]
        layers = []
        if "perm_low" in t:
            tips += [alt.Tooltip("perm_low:Q", format=".2f", title="Placebo 95% low"),
                     alt.Tooltip("perm_high:Q", format=".2f", title="Placebo 95% high"),
                     alt.Tooltip("p_perm:Q", format=".3f", title="Placebo p-value")]
            layers.append(base.mark_rule(strokeWidth=8, opacity=0.35, color=charts.OTHER_COLOUR).encode(
                x=x, y=alt.Y("perm_low:Q", title="Effect (log points, ≈ %)"), y2="perm_high:Q", tooltip=tips))
        layers.append(base.mark_rule(color=charts.PALETTE[0], strokeWidth=2).encode(
            x=x, y=alt.Y("ci_low:Q", title="Effect (log points, ≈ %)"), y2="ci_high:Q", tooltip=tips))
        layers.append(base.mark_point(filled=True, size=60, color=charts.PALETTE[0]).encode(
            x=x, y=alt.Y("coef:Q", title="Effect (log points, ≈ %)"), tooltip=tips))
        zero = alt.Chart(pd.DataFrame({"z": [0.0]})).mark_rule(strokeDash=[4, 4], color="#555").encode(
            y=alt.Y("z:Q", title="Effect (log points, ≈ %)"))
        layers.insert(0, zero)
        if required and key in required:
            path = pd.DataFrame({"e": [-1, HORIZON], "claim": [0.0, required[key]],
                                 "what": ["reform year - 1", "half the UK gap closed"]})
            layers.append(alt.Chart(path).mark_line(color=charts.UK_COLOUR, strokeDash=[6, 3], strokeWidth=2).encode(
                x=x, y=alt.Y("claim:Q", title="Effect (log points, ≈ %)"),
                tooltip=[alt.Tooltip("what:N", title="Claim path"), alt.Tooltip("claim:Q", format=".1f", title="Log points")]))
        panels.append(alt.layer(*layers).properties(width=330, height=260, title=SPECS[key]["label"]))
    chart = alt.hconcat(*panels).properties(
        title="Regional GDP per head around reforms of regional fiscal autonomy (Callaway–Sant'Anna)")
    return charts.describe(chart, (
        "Event-study effects of the first material increase in regional fiscal autonomy on TL2 GDP "
        "per head, in log points, by years since the reform, with 95% intervals clustered by country "
        "(blue) and from placebo reassignment of the reform years (grey). The dashed vermillion line "
        "is the path that would close half the UK lagging regions' gap in five years."))


def synth_chart(res: sc.PlaceboResult, max_ratio: float = 5.0) -> alt.VConcatChart:
    """Manchester vs synthetic Manchester (levels), and the gap with placebo gaps in grey."""
    m = res.main
    name = sc.DEALS.get(res.spec.get("deal", ""), {}).get("name", m.treated)
    lv = pd.concat([
        pd.DataFrame({"year": m.actual.index, "value": m.actual.to_numpy(), "series": name}),
        pd.DataFrame({"year": m.synthetic.index, "value": m.synthetic.to_numpy(), "series": f"Synthetic {name}"})])
    col = alt.Color("series:N", title=None, scale=alt.Scale(domain=[name, f"Synthetic {name}"],
                                                          range=[charts.UK_COLOUR, charts.PALETTE[0]]))
    top = alt.Chart(lv).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("value:Q", title="GDP per head (USD, 2015 PPP)", scale=alt.Scale(zero=False)),
        color=col, strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("value:Q", format=",.0f", title="USD per head")]
    ).properties(width=560, height=220, title=f"{name} and its synthetic control")
    keep = res.stats.loc[(~res.stats["treated"]) & (res.stats["pre_rmspe"] <= max_ratio * m.pre_rmspe), "unit"]
    rows = [pd.DataFrame({"year": r.gap.index, "gap": r.gap_pct().to_numpy(), "unit": u, "kind": "Placebo"})
            for u, r in res.placebos.items() if u in set(keep)]
    rows.append(pd.DataFrame({"year": m.gap.index, "gap": m.gap_pct().to_numpy(), "unit": name, "kind": name}))
    g = pd.concat(rows)
    bottom_lines = alt.Chart(g).mark_line().encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("gap:Q", title="Actual minus synthetic (% of synthetic)"),
        detail="unit:N",
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=[name, "Placebo"], range=[charts.UK_COLOUR, "#c8c8c8"])),
        strokeWidth=alt.condition(alt.datum.kind == name, alt.value(3), alt.value(1)),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("gap:Q", format=".1f", title="Gap (%)")])
    marks = pd.DataFrame({"year": [2014, 2017], "what": ["Devolution agreement (Nov 2014)", "First elected mayor (May 2017)"]})
    rules = alt.Chart(marks).mark_rule(strokeDash=[3, 3], color="#333").encode(
        x=alt.X("year:O", title="Year"), tooltip=[alt.Tooltip("what:N", title="Event")])
    bottom = alt.layer(bottom_lines, rules).properties(
        width=560, height=240, title=f"Gap of {name} and of placebo metros (pre-period fit within {max_ratio:g}× {name}'s)")
    chart = alt.vconcat(top, bottom).resolve_scale(color="independent").properties(
        title=f"{name}: synthetic control and in-space placebos")
    return charts.describe(chart, (
        f"Top: GDP per head of {name} and of its synthetic control, 2000–2020. Bottom: the gap between "
        f"each unit and its synthetic control as a percentage, {name} in vermillion and placebo metros "
        "in grey, with dashed lines at the 2014 agreement and the 2017 mayoral election."))


def ratio_chart(res: sc.PlaceboResult) -> alt.Chart:
    """Post/pre RMSPE ratios of all units, the treated one highlighted."""
    m = res.main
    name = sc.DEALS.get(res.spec.get("deal", ""), {}).get("name", m.treated)
    s = res.stats.assign(kind=np.where(res.stats["treated"], name, "Placebo"))
    chart = alt.Chart(s).mark_bar().encode(
        x=alt.X("unit:N", sort="-y", title="Metro unit (sorted by ratio)", axis=alt.Axis(labels=False, ticks=False)),
        y=alt.Y("ratio:Q", title="Post/pre-treatment RMSPE ratio"),
        color=alt.Color("kind:N", title=None, scale=alt.Scale(domain=[name, "Placebo"], range=[charts.UK_COLOUR, charts.OTHER_COLOUR])),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("ratio:Q", format=".2f", title="Ratio"),
                 alt.Tooltip("rank:Q", title="Rank"), alt.Tooltip("pre_rmspe:Q", format=",.0f", title="Pre RMSPE (USD)")]
    ).properties(width=560, height=200, title=f"Permutation test: {name} among {len(s)} units")
    return charts.describe(chart, (
        f"Bars show the ratio of post- to pre-treatment prediction error for {name} (vermillion) and "
        "each placebo metro (grey), sorted; the p-value is the treated unit's rank divided by the "
        "number of units."))


# ----------------------------------------------------------------------------------------
# the headline


@cache
@disk_memo
def _headline() -> dict:
    b = benchmarks()
    out = {k: v for k, v in b.items() if isinstance(v, (int, float))}
    for key in ("fa_log", "fa_rel", "fa_log_noirl", "fa_rel_noirl", "sr_log", "sr_rel"):
        es, pi, _ = event(key)
        r = es.at(HORIZON)
        out[f"{key}_e5"] = float(r["coef"])
        out[f"{key}_e5_lo"] = float(r["ci_low"])
        out[f"{key}_e5_hi"] = float(r["ci_high"])
        out[f"{key}_pre_p"] = float(es.pre_test["p"])
        out[f"{key}_n_treated"] = int(es.n_treated_clusters)
        out[f"{key}_n_clusters"] = int(es.n_clusters)
        if key in ("fa_log", "fa_rel", "sr_log", "sr_rel"):
            g = did2s(key).set_index("e").loc[HORIZON]
            out[f"{key}_did2s_e5"] = float(g["coef"])
            out[f"{key}_did2s_e5_lo"] = float(g["ci_low"])
            out[f"{key}_did2s_e5_hi"] = float(g["ci_high"])
        if pi is not None:
            p = pi.set_index("e")
            out[f"{key}_e5_perm_lo"] = float(p.loc[HORIZON, "perm_low"])
            out[f"{key}_e5_perm_hi"] = float(p.loc[HORIZON, "perm_high"])
            out[f"{key}_e5_p_perm"] = float(p.loc[HORIZON, "p_perm"])
            out[f"{key}_post_p_perm"] = float(p.loc["post", "p_perm"])
    for dk in ("manchester_2014", "manchester_2017", "liverpool_2014", "west_midlands_2016"):
        for pool in ("all", "no_uk"):
            res, donors = deal(dk, pool)
            s = sc.summary(res, HORIZON)
            for k, v in s.items():
                if isinstance(v, (int, float, np.floating, np.integer)) and np.isfinite(v):
                    out[f"{dk}_{pool}_{k}"] = float(v)
            out[f"{dk}_{pool}_n_donors"] = len(donors)
    # leave-one-donor-out and an in-time placebo (Abadie 2021) for the main Manchester fit
    from .methods import synthetic as msyn
    res, donors = deal("manchester_2014", "all")
    wide = sc.wide_panel(sc.metro_panel(), [sc.MANCHESTER, *donors["region"]])
    loo = msyn.leave_one_out(wide, sc.MANCHESTER, res.main.year, list(donors["region"]))
    pre_mean = float(res.main.synthetic[res.main.synthetic.index < res.main.year].mean())
    out["man_loo_min_pct"] = float(100 * loo["mean_gap"].min() / pre_mean)
    out["man_loo_max_pct"] = float(100 * loo["mean_gap"].max() / pre_mean)
    fake = msyn.in_time_placebo(wide, sc.MANCHESTER, res.main.year, list(donors["region"]), shift=5)
    out["man_in_time_year"] = fake["fake_year"]
    out["man_in_time_gap_pct"] = float(100 * fake["mean_gap"] / pre_mean)
    out["man_in_time_p"] = fake["p"]
    m = out["manchester_2014_all_gap_h_pct"]
    out["manchester_e5_logpoints"] = float(100 * np.log(1 + m / 100))
    out["manchester_meets_half"] = bool(out["manchester_e5_logpoints"] >= out["required_manchester_gap"])
    out["fa_rel_meets_half"] = bool(out["fa_rel_e5"] >= out["required_lagging_gap"])
    return out


def headline() -> dict:
    """H6 numbers for the verdict chapter (plain floats, ints and bools)."""
    return dict(_headline())
