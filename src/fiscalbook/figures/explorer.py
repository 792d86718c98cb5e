"""The "What if the UK…" explorer: pick an autonomy measure and a target level; see the
implied change in the UK's per-worker gap and its lower half's GDP per worker (first), and
in UK regional GDP per head and its regional gap (second), with intervals.

All scenarios are computed in Python (`analyses.whatif.scenarios`) and inlined; two
Altair parameters bound to drop-down menus filter them in the browser (no server).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, country_disparity, panels, regions, study
from ..analyses import productivity as prod
from ..analyses import whatif
from ..countries import OECD_MEMBERS, name

# menu labels: the registry's short names with the scale
MEASURE_LABELS = {m: study.MEASURES[m] for m in whatif.SHORT} | {
    "rai_fiscal_autonomy": f"{study.MEASURES['rai_fiscal_autonomy']} (0–4)",
    "imf_tax_share": f"Sub-national {study.MEASURES['imf_tax_share'][:1].lower()}"
                     f"{study.MEASURES['imf_tax_share'][1:-1]}, 0–1)"}
# row labels on the chart ("|" breaks a line), productivity first
ROW_LABELS = {whatif.PRODUCTIVITY_OUTCOMES[0]: "Per-worker gap|(% of UK gap)",
              whatif.PRODUCTIVITY_OUTCOMES[1]: "Lower half's GDP|per worker (%)",
              whatif.OUTCOMES[0]: "GDP per head|(%, older model)",
              whatif.OUTCOMES[1]: "Gap in GDP per|head (% of CV)"}
CLIP = 150.0  # interval ends drawn at most this far from zero (the labels give the true ends)


def explorer_chart(frame: pd.DataFrame, width: int = 190) -> alt.Chart:
    """One row per outcome (productivity first, then GDP per head), each a dot with its
    95 % interval, for the measure and target picked in the menus; narrow enough for a phone."""
    data = frame.copy()
    if "change_lp" not in data:
        data["change_lp"] = data["change_lp_low"] = data["change_lp_high"] = float("nan")
    data["measure_label"] = data["measure"].map(MEASURE_LABELS).fillna(data["measure"])
    data["row"] = data["outcome"].map(ROW_LABELS).fillna(data["outcome"])
    data["low_shown"] = data["low"].clip(-CLIP, CLIP)
    data["high_shown"] = data["high"].clip(-CLIP, CLIP)
    order = [o for o in (*whatif.PRODUCTIVITY_OUTCOMES, *whatif.OUTCOMES) if o in set(data["outcome"])]
    data = data.sort_values("outcome", key=lambda c: c.map(order.index), kind="stable")
    measures = list(dict.fromkeys(data["measure_label"]))
    target_list = list(dict.fromkeys(data["target"]))
    pick_m = alt.param(name="whatif_measure", value=measures[0],
                       bind=alt.binding_select(options=measures, name="Autonomy measure "))
    pick_t = alt.param(name="whatif_target", value=target_list[0],
                       bind=alt.binding_select(options=target_list, name="Target level "))
    y = alt.Y("row:N", title=None, sort=[ROW_LABELS.get(o, o) for o in order],
              axis=alt.Axis(labelLimit=120, labelFontSize=11, labelExpr="split(datum.label, '|')",
                            labelPadding=6))
    tooltip = [alt.Tooltip("outcome:N", title="Outcome"), alt.Tooltip("measure_label:N", title="Measure"),
               alt.Tooltip("target:N", title="Target"), alt.Tooltip("year:O", title="Year of the levels"),
               alt.Tooltip("uk_level:Q", title="UK level", format=".2f"),
               alt.Tooltip("level:Q", title="Target level", format=".2f"),
               alt.Tooltip("effect:Q", title="Implied change (%)", format="+.1f"),
               alt.Tooltip("low:Q", title="95 % interval, low (%)", format="+.1f"),
               alt.Tooltip("high:Q", title="95 % interval, high (%)", format="+.1f"),
               alt.Tooltip("change_lp:Q", title="Change (log points)", format="+.1f")]
    base = alt.Chart(data).transform_filter(
        "datum.measure_label == whatif_measure && datum.target == whatif_target")
    x_title = ["Implied change for the UK, %", "(gaps: % of the UK's gap)"]
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555", strokeDash=[4, 4]).encode(
        x=alt.X("zero:Q", title=x_title))
    rule = base.mark_rule(strokeWidth=3, color=charts.UK_COLOUR).encode(
        x=alt.X("low_shown:Q", title=x_title), x2="high_shown:Q", y=y, tooltip=tooltip)
    dot = base.mark_point(filled=True, size=100, color=charts.UK_COLOUR).encode(
        x=alt.X("effect:Q", title=x_title), y=y, tooltip=tooltip)
    label = base.mark_text(align="left", x=0, dy=-16, fontSize=10.5, color="#333").encode(
        y=y, text=alt.Text("text:N")).transform_calculate(
        text="format(datum.effect, '+.1f') + ' % [' + (isValid(datum.low) ? format(datum.low, '+.1f') + ', '"
             " + format(datum.high, '+.1f') : 'unbounded') + ']'")
    logs = base.transform_filter("isValid(datum.change_lp)").mark_text(
        align="left", x=0, dy=16, fontSize=10.5, color="#555").encode(y=y, text="text:N").transform_calculate(
        text="format(datum.change_lp, '+.1f') + ' log points [' + (isValid(datum.change_lp_low) ? "
             "format(datum.change_lp_low, '+.1f') + ', ' + format(datum.change_lp_high, '+.1f') : 'unbounded') + ']'")
    info = base.transform_filter(f"datum.outcome == '{order[0]}'").mark_text(
        align="left", baseline="top", fontSize=10.5, color="#444", x=0, y=-30).encode(
        text="detail:N").transform_calculate(
        detail="'UK level ' + format(datum.uk_level, '.2f') + ' → target ' + format(datum.level, '.2f') + ' (levels of ' + datum.year + ')'")
    chart = alt.layer(zero, rule, dot, label, logs, info).add_params(pick_m, pick_t).properties(
        width=width, height=72 * len(order),
        title=alt.Title("What if the UK had the autonomy of …?",
                        subtitle=["Implied change, 95 % wild-bootstrap interval.",
                                  "Associations, not proven effects. Blank:",
                                  "no value of that measure for that country."]))
    return charts.describe(chart, (
        "Interactive chart: choose an autonomy measure and a target level (OECD median, upper quartile or "
        "a named country's level in the stated year); it shows the implied change in the UK's per-worker gap "
        "between the upper and lower half of its regions (as % of that gap and in log points), in the lower "
        "half's GDP per worker (% and log points), and, from the older GDP-per-head models, in regional GDP per head and its "
        "coefficient of variation, each with its 95 % wild-bootstrap interval."))


def current_scenarios() -> pd.DataFrame:
    """The explorer's scenarios: first the productivity ones (productivity.headline(): the
    per-worker gap and the lower half), then GDP per head from the regions (H3) and
    countries (H4) headlines; OECD members' autonomy in the year each measure's UK
    counterfactual uses."""
    auto = panels.autonomy_table()
    auto = auto[auto["iso3"].isin(OECD_MEMBERS)]
    names = {c: name(c) for c in OECD_MEMBERS}
    years = {m: regions.uk_gap(m)["year"] for m in whatif.MEASURES}
    first = whatif.productivity_scenarios(prod.headline(), auto, names=names)
    second = whatif.scenarios(regions.headline(), country_disparity.headline(), auto, years, names=names)
    return pd.concat([first, second], ignore_index=True)
