"""Charts and display tables for the productivity sections (uk_context, countries, regions)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, disparity
from ..analyses import productivity as prod

SAMPLE_LABELS = prod.SAMPLES
W_LABELS = {"unweighted": "Unweighted", "employment": "Employment-weighted"}


def rank_display(ranks: pd.DataFrame, indices=("cv", "theil", "gini", "top_bottom_20")) -> pd.DataFrame:
    """One row per level, sample, index and weighting: UK value, OECD median, rank among
    OECD members and among the large high-income economies (1 = most unequal)."""
    o = ranks.loc[ranks["peer"] == "oecd"].set_index(["level", "sample", "index", "weighting"])
    p = ranks.loc[ranks["peer"] == "large_rich"].set_index(["level", "sample", "index", "weighting"])
    o = o.loc[o.index.get_level_values("index").isin(indices)]
    out = pd.DataFrame({
        "Level": o.index.get_level_values("level"),
        "Regions": [SAMPLE_LABELS[s] for s in o.index.get_level_values("sample")],
        "Index": [disparity.LABELS[i] for i in o.index.get_level_values("index")],
        "Weighting": [W_LABELS[w] for w in o.index.get_level_values("weighting")],
        "UK": o["uk"].round(3).to_numpy(),
        "OECD median": o["median"].round(3).to_numpy(),
        "Rank, OECD": [f"{r} of {n}" for r, n in zip(o["rank"], o["n"])],
        "Rank, large high-income": [f"{int(p.at[k, 'rank'])} of {int(p.at[k, 'n'])}" if k in p.index else "–"
                                    for k in o.index],
        "Most unequal (OECD)": o["top"].to_numpy(),
    })
    return out


def plausibility_display(report: pd.DataFrame) -> pd.DataFrame:
    """What each rule catches and how far dropping those rows moves the UK's CV and rank."""
    rules = {**prod.plausibility.RULE_LABELS, "any": "Any rule"}
    return pd.DataFrame({
        "Level": report["level"], "Rule": report["rule"].map(rules),
        "Rows flagged": report["n_flagged"], "of which UK": report["n_flagged_uk"],
        "Lowest-valued examples": report["examples"],
        "UK CV unweighted, without them": report["uk_cv_uw"].round(3),
        "Δ CV (unweighted)": report["uk_cv_uw_change"].round(3),
        "UK rank (unweighted)": [f"{r} of {n}" for r, n in zip(report["uk_rank_uw"], report["n_uw"])],
        "UK CV employment-weighted, without them": report["uk_cv_ew"].round(3),
        "Δ CV (employment-weighted)": report["uk_cv_ew_change"].round(3),
        "UK rank (employment-weighted)": [f"{r} of {n}" for r, n in zip(report["uk_rank_ew"], report["n_ew"])],
    })


def chart_tl3_dispersion(cross: pd.DataFrame, index: str = "cv") -> alt.Chart:
    """Bars: each country's dispersion of GDP per worker across its TL3 regions (UK
    highlighted); a drop-down switches the weighting."""
    d = cross.loc[cross["index"] == index, ["iso3", "weighting", "value", "n_regions", "large_rich"]].copy()
    d["weighting"] = d["weighting"].map(W_LABELS)
    d["country"] = d["iso3"].where(d["iso3"] != prod.UK, "United Kingdom")
    d["group"] = d["iso3"].eq(prod.UK).map({True: "United Kingdom", False: "Other OECD"})
    d["peer"] = d["large_rich"].map({True: "yes", False: "no"})
    sel = alt.param(name="ctx_prod_weighting", value=W_LABELS["unweighted"],
                    bind=alt.binding_select(options=list(W_LABELS.values()), name="Weighting: "))
    chart = alt.Chart(d).transform_filter(alt.datum.weighting == sel).mark_bar().encode(
        y=alt.Y("country:N", sort="-x", title="Country"),
        x=alt.X("value:Q", title=f"{disparity.LABELS[index]} of GDP per worker across TL3 regions"),
        color=alt.Color("group:N", title=None, scale=alt.Scale(domain=["United Kingdom", "Other OECD"],
                                                               range=[charts.UK_COLOUR, charts.OTHER_COLOUR])),
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("value:Q", title="Index", format=".3f"),
                 alt.Tooltip("n_regions:Q", title="TL3 regions"), alt.Tooltip("weighting:N", title="Weighting"),
                 alt.Tooltip("peer:N", title="Large high-income economy")],
    ).add_params(sel).properties(
        title=alt.Title(f"Regional productivity gaps, {prod.YEAR}: dispersion of GDP per worker across small regions",
                        subtitle="Unmerged TL3 regions, OECD DF_GDP; employment at place of work"),
        width=560, height=380)
    return charts.describe(chart, f"Bar chart, one bar per OECD country with at least {prod.MIN_REGIONS} TL3 "
                                  f"regions with data, of the {disparity.LABELS[index].lower()} of GDP per "
                                  f"worker across its TL3 regions in {prod.YEAR}; the United Kingdom is "
                                  "highlighted; a drop-down switches between unweighted and employment-weighted.")


def chart_gap_over_time(bands: pd.DataFrame) -> alt.LayerChart:
    """The UK's upper/lower-half per-worker gap against the OECD median and IQR, by year."""
    b = bands.copy()
    band = alt.Chart(b).mark_area(opacity=0.25, color=charts.OTHER_COLOUR).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d")),
        y=alt.Y("q25:Q", title="ln(upper-half / lower-half GDP per worker)"), y2="q75:Q",
        tooltip=[alt.Tooltip("year:Q", title="Year"), alt.Tooltip("q25:Q", title="OECD 25th percentile", format=".3f"),
                 alt.Tooltip("q75:Q", title="OECD 75th percentile", format=".3f"),
                 alt.Tooltip("n:Q", title="Countries")])
    long = pd.concat([b[["year"]].assign(series="OECD median", value=b["median"]),
                      b[["year"]].assign(series="United Kingdom", value=b["uk"])]).dropna()
    lines = alt.Chart(long).mark_line(point=True).encode(
        x=alt.X("year:Q", title="Year"), y=alt.Y("value:Q", title="ln(upper-half / lower-half GDP per worker)"),
        color=alt.Color("series:N", title=None, scale=alt.Scale(domain=["United Kingdom", "OECD median"],
                                                                range=[charts.UK_COLOUR, charts.PALETTE[0]])),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", title="Year"),
                 alt.Tooltip("value:Q", title="Log gap", format=".3f")])
    chart = alt.layer(band, lines).properties(
        title=alt.Title("Productivity gap between the upper and lower half of regions",
                        subtitle="GDP per worker, TL2 regions; grey band: OECD inter-quartile range "
                                 "(OECD Regional Outlook 2023)"),
        width=560, height=300)
    return charts.describe(chart, "Line chart of the log ratio of GDP per worker in the upper half to the "
                                  "lower half of each country's TL2 regions: the United Kingdom (from 2004) and "
                                  "the OECD median, with the inter-quartile range of OECD countries as a band, 2001–2020.")


def chart_ons_dispersion(disp: pd.DataFrame) -> alt.Chart:
    """CV of GVA per hour worked across UK regions at each ITL level, by year."""
    d = disp.melt(id_vars=["itl_level", "year", "n"], value_vars=["cv_unweighted", "cv_weighted"],
                  var_name="weighting", value_name="cv")
    d["series"] = ("ITL" + d["itl_level"].astype(str) + ", "
                   + d["weighting"].map({"cv_unweighted": "unweighted", "cv_weighted": "hours-weighted"}))
    chart = alt.Chart(d).mark_line(point=True).encode(
        x=alt.X("year:Q", title="Year", axis=alt.Axis(format="d")),
        y=alt.Y("cv:Q", title="Coefficient of variation of GVA per hour"),
        color=alt.Color("series:N", title="Level, weighting"),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", title="Year"),
                 alt.Tooltip("cv:Q", title="CV", format=".3f"), alt.Tooltip("n:Q", title="Regions")],
    ).properties(title=alt.Title("Dispersion of GVA per hour worked across UK regions",
                                 subtitle="ONS subregional productivity (June 2023), current prices, unsmoothed"),
                 width=560, height=300)
    return charts.describe(chart, "Line chart of the coefficient of variation of GVA per hour worked across "
                                  "UK ITL1, ITL2 and ITL3 regions, unweighted and weighted by hours worked, 2004–2021.")


def results_display(table: pd.DataFrame) -> pd.DataFrame:
    return table.round({"coef": 3, "CR1 p": 3, "bootstrap p": 3, "bootstrap 95% low": 3, "bootstrap 95% high": 3})


def uk_rows_display(effects: pd.DataFrame) -> pd.DataFrame:
    """Each flagged UK row and what leaving it out alone does to the UK's CV and rank."""
    return pd.DataFrame({
        "Level": effects["level"], "Region": effects["region"],
        "GDP per worker (USD PPP)": effects["gdp_per_worker"].round(0),
        "Employment": effects["employment"].round(0), "Population": effects["population"].round(0),
        "Rules": effects["rules"],
        "UK CV unweighted, without the row": effects["uk_cv_uw"].round(3),
        "Δ CV (unweighted)": effects["uk_cv_uw_change"].round(3),
        "UK rank (unweighted)": effects["uk_rank_uw"],
        "Δ CV (employment-weighted)": effects["uk_cv_ew_change"].round(3),
        "UK rank (employment-weighted)": effects["uk_rank_ew"],
    })
