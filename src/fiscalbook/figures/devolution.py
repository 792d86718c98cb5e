"""Charts and display tables for the devolution chapter (results from analyses.devolution)."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .. import charts
from ..analyses import devolution as dv

WIDTH = 520  # plot area; with axis titles and labels it fits the book's text column
LEGEND = alt.Legend(orient="top")  # legends above the plot, so the chart fits the column
EFFECT = "Effect (log points, ≈ %)"


def events_table() -> pd.DataFrame:
    """The reference table as the chapter shows it."""
    e = dv.events()
    fmt = lambda s: s.dt.strftime("%Y-%m-%d").fillna("")  # noqa: E731
    return pd.DataFrame({
        "Authority or instrument": e["name"], "Deal": fmt(e["deal_date"]),
        "First mayor elected": fmt(e["mayor_from"]), "Tax power in force": fmt(e["effective_date"]),
        "ITL3 regions": e["itl3_codes"].map(" ".join), "Straddling (dropped)": e["itl3_partial"].map(" ".join),
    }).set_index("Authority or instrument")


def nation_itl2_table() -> pd.DataFrame:
    """Scottish and Welsh ITL2 synthetic controls for display."""
    t = pd.concat([dv.synth_nation_itl2("TLM"), dv.synth_nation_itl2("TLL")])
    return t.round(2).rename(columns={
        "itl2": "ITL2", "region_name": "Region", "pre_rmspe": "Pre-period RMSPE (index points)",
        "mean_gap": "Mean gap after (index points)", "p": "Permutation p", "n_units": "Units"}).set_index("ITL2")


def checks_table(checks: pd.DataFrame) -> pd.DataFrame:
    """The specification checks for display: rounded, blank where an event time is not reached."""
    t = checks.set_index("Specification").round(2)
    return t.astype(object).where(t.notna(), "–")


def event_chart(res: dict, required: float, title: str) -> alt.LayerChart:
    """Event-time effects with clustered 95% intervals (blue) and randomisation-inference
    intervals (grey band); the path that would close half the gap in five years (UK colour)."""
    t = res["table"][["label", "e", "coef", "ci_low", "ci_high", "perm_low", "perm_high", "p_perm", "n_cohorts"]]
    x = alt.X("e:Q", title="Years since the devolution deal (ends binned)", scale=alt.Scale(domain=[-6.5, 6.5]),
              axis=alt.Axis(values=list(range(-6, 7))))
    tips = [alt.Tooltip("label:N", title="Event time"), alt.Tooltip("coef:Q", format=".2f", title=EFFECT),
            alt.Tooltip("ci_low:Q", format=".2f", title="Clustered 95% low"),
            alt.Tooltip("ci_high:Q", format=".2f", title="Clustered 95% high"),
            alt.Tooltip("perm_low:Q", format=".2f", title="Randomisation 95% low"),
            alt.Tooltip("perm_high:Q", format=".2f", title="Randomisation 95% high"),
            alt.Tooltip("p_perm:Q", format=".3f", title="Randomisation p"),
            alt.Tooltip("n_cohorts:Q", title="Cohorts")]
    base = alt.Chart(t)
    band = base.mark_area(opacity=0.25, color=charts.OTHER_COLOUR).encode(
        x=x, y=alt.Y("perm_low:Q", title=EFFECT), y2="perm_high:Q", tooltip=tips)
    ci = base.mark_rule(color=charts.PALETTE[0], strokeWidth=2).encode(x=x, y=alt.Y("ci_low:Q", title=EFFECT),
                                                                      y2="ci_high:Q", tooltip=tips)
    pts = base.mark_point(filled=True, size=60, color=charts.PALETTE[0]).encode(
        x=x, y=alt.Y("coef:Q", title=EFFECT), tooltip=tips)
    zero = alt.Chart(pd.DataFrame({"z": [0.0]})).mark_rule(strokeDash=[4, 4], color="#555").encode(
        y=alt.Y("z:Q", title=EFFECT))
    path = pd.DataFrame({"e": [-1, 5], "claim": [0.0, required], "what": ["year before the deal", "half the gap closed"]})
    claim = alt.Chart(path).mark_line(color=charts.UK_COLOUR, strokeDash=[6, 3], strokeWidth=2).encode(
        x=x, y=alt.Y("claim:Q", title=EFFECT),
        tooltip=[alt.Tooltip("what:N", title="Claim path"), alt.Tooltip("claim:Q", format=".1f", title="Log points")])
    chart = alt.layer(zero, band, ci, pts, claim).properties(width=WIDTH, height=280, title=title)
    return charts.describe(chart, (
        "Callaway–Sant'Anna event-time effects of English devolution deals on ITL3 GVA per hour worked, "
        "in log points, with 95% intervals clustered by authority (blue) and from randomisation inference "
        "over which areas were treated and when (grey band). The dashed vermillion line is the path that "
        "would close half the combined authorities' productivity gap to the UK in five years."))


def synth_chart(res: dict, name: str, unit_label: str) -> alt.VConcatChart:
    """Actual vs synthetic path (top) and the gap beside the donors' placebo gaps (bottom)."""
    r = res["result"]
    m = r.main
    lv = pd.concat([pd.DataFrame({"year": m.actual.index, "value": m.actual.to_numpy(), "series": name}),
                    pd.DataFrame({"year": m.synthetic.index, "value": m.synthetic.to_numpy(), "series": f"Synthetic {name}"})])
    col = alt.Color("series:N", title=None, legend=LEGEND, scale=alt.Scale(domain=[name, f"Synthetic {name}"],
                                                                         range=[charts.UK_COLOUR, charts.PALETTE[0]]))
    top = alt.Chart(lv).mark_line(point=True).encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("value:Q", title=unit_label, scale=alt.Scale(zero=False)),
        color=col, strokeDash=alt.StrokeDash("series:N", legend=None),
        tooltip=[alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("value:Q", format=".1f", title=unit_label)]
    ).properties(width=WIDTH, height=200, title=f"{name} and its synthetic control")
    gaps = [pd.DataFrame({"year": p.gap.index, "gap": p.gap.to_numpy(), "unit": u, "kind": "Placebo (donor)"})
            for u, p in r.placebos.items()]
    gaps.append(pd.DataFrame({"year": m.gap.index, "gap": m.gap.to_numpy(), "unit": name, "kind": name}))
    g = pd.concat(gaps)
    lines = alt.Chart(g).mark_line().encode(
        x=alt.X("year:O", title="Year"), y=alt.Y("gap:Q", title="Actual minus synthetic (index points, UK = 100)"),
        detail="unit:N",
        color=alt.Color("kind:N", title=None, legend=LEGEND, scale=alt.Scale(domain=[name, "Placebo (donor)"],
                                                              range=[charts.UK_COLOUR, "#c8c8c8"])),
        tooltip=[alt.Tooltip("unit:N", title="Unit"), alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("gap:Q", format=".2f", title="Gap (index points)")])
    rule = alt.Chart(pd.DataFrame({"year": [res["year"]], "what": ["First treated year"]})).mark_rule(
        strokeDash=[3, 3], color="#333").encode(x=alt.X("year:O", title="Year"), tooltip=[alt.Tooltip("what:N", title="Marker")])
    bottom = alt.layer(lines, rule).properties(width=WIDTH, height=200,
                                               title=f"Gap of {name} and of each donor given a placebo treatment")
    chart = alt.vconcat(top, bottom).resolve_scale(color="independent").properties(
        title=f"{name}: synthetic control")
    return charts.describe(chart, (
        f"Top: GVA per hour worked of {name} relative to the UK (UK = 100, current prices) and of its "
        f"synthetic control, {int(m.actual.index.min())}–{int(m.actual.index.max())}. Bottom: the gap between "
        f"{name} and its synthetic control (vermillion) and the same gap for each donor treated as a placebo (grey)."))


HL_CAP = 1000.0  # years: "no convergence" is drawn at this cap on the log axis
HL_FLOOR = 2.0


def convergence_chart(conv: pd.DataFrame, parliament: float = 5.0) -> alt.LayerChart:
    """Half-life of regional gaps (log scale; no convergence at the cap) against RAI fiscal
    autonomy, the UK highlighted; reference lines at one parliament and at 35 years."""
    c = conv.dropna(subset=["fiscal_autonomy"]).copy()
    clip = lambda s: s.replace(np.inf, HL_CAP).clip(HL_FLOOR, HL_CAP)  # noqa: E731
    c["hl"] = clip(c["half_life"])
    c["hl_low"] = clip(c["half_life_low"])
    c["hl_high"] = clip(c["half_life_high"])
    c["who"] = np.where(c["iso3"] == "GBR", "United Kingdom", "Other OECD")
    c["half_life_text"] = np.where(np.isfinite(c["half_life"]), c["half_life"].round(0).astype(str) + " years",
                                   "no convergence")
    c = c[["iso3", "fiscal_autonomy", "hl", "hl_low", "hl_high", "who", "half_life_text", "speed_pct", "n"]]
    x = alt.X("fiscal_autonomy:Q", title="RAI fiscal autonomy, mean 2000–2018 (score)")
    y = alt.Y("hl:Q", title="Half-life of regional gaps (years, log; top = none)",
              scale=alt.Scale(type="log", domain=[HL_FLOOR, HL_CAP], nice=False))
    col = alt.Color("who:N", title=None, legend=LEGEND, scale=charts.uk_colour_scale(("United Kingdom", "Other OECD")))
    tips = [alt.Tooltip("iso3:N", title="Country"), alt.Tooltip("fiscal_autonomy:Q", format=".2f", title="Fiscal autonomy"),
            alt.Tooltip("half_life_text:N", title="Half-life"), alt.Tooltip("speed_pct:Q", format=".2f", title="Speed (% a year)"),
            alt.Tooltip("n:Q", title="TL2 regions")]
    base = alt.Chart(c)
    bars = base.mark_rule(opacity=0.5).encode(x=x, y=alt.Y("hl_low:Q", title="Half-life of regional gaps (years, log; top = none)",
                                                           scale=alt.Scale(type="log", domain=[HL_FLOOR, HL_CAP], nice=False)),
                                              y2="hl_high:Q", color=col, tooltip=tips)
    pts = base.mark_point(filled=True, size=70).encode(x=x, y=y, color=col, tooltip=tips)
    labels = base.mark_text(dx=8, align="left", fontSize=10).encode(x=x, y=y, text="iso3:N", color=col)
    refs = pd.DataFrame({"hl": [parliament, 35.0], "what": ["Half the gap in one parliament (5 years)",
                                                           "Barro and Sala-i-Martin's regions (about 35 years)"]})
    rules = alt.Chart(refs).mark_rule(strokeDash=[5, 4], color="#555").encode(
        y=alt.Y("hl:Q", title="Half-life of regional gaps (years, log; top = none)"), tooltip=[alt.Tooltip("what:N", title="Reference")])
    chart = alt.layer(rules, bars, pts, labels).properties(
        width=WIDTH, height=320, title="How fast regional gaps close within OECD countries, 2000–2020")
    return charts.describe(chart, (
        "Each point is a country: the half-life of gaps in TL2 GDP per head implied by within-country "
        "β-convergence in 2000–2020 (log scale, 95% interval as a line; countries whose regions did not "
        f"converge are drawn at {HL_CAP:.0f} years) against the RAI fiscal-autonomy score. The UK is in "
        "vermillion. Dashed lines: five years (half the gap within one parliament) and 35 years."))
