"""The "What if the UK…" explorer: pick an autonomy measure and a target level; see the
implied change in UK regional GDP per head and in its regional gap, with intervals.

All scenarios are computed in Python (`analyses.whatif.scenarios`) and inlined; two
Altair parameters bound to drop-down menus filter them in the browser (no server).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, country_disparity, panels, regions, study
from ..analyses import whatif
from ..countries import OECD_MEMBERS, name

# menu labels: the registry's short names with the scale
MEASURE_LABELS = {"rai_fiscal_autonomy": f"{study.MEASURES['rai_fiscal_autonomy']} (0–4)",
                  "imf_tax_share": f"Sub-national {study.MEASURES['imf_tax_share'][:1].lower()}"
                                   f"{study.MEASURES['imf_tax_share'][1:-1]}, 0–1)"}


def explorer_chart(frame: pd.DataFrame, width: int = 460) -> alt.Chart:
    """Two rows (GDP per head, regional gap), each a dot with its 95 % interval, for the
    measure and target picked in the menus."""
    data = frame.copy()
    data["measure_label"] = data["measure"].map(MEASURE_LABELS).fillna(data["measure"])
    measures = list(dict.fromkeys(data["measure_label"]))
    target_list = list(dict.fromkeys(data["target"]))
    pick_m = alt.param(name="whatif_measure", value=measures[0],
                       bind=alt.binding_select(options=measures, name="Autonomy measure "))
    pick_t = alt.param(name="whatif_target", value=target_list[0],
                       bind=alt.binding_select(options=target_list, name="Target level "))
    y = alt.Y("outcome:N", title=None, sort=list(dict.fromkeys(data["outcome"])),
              axis=alt.Axis(labelLimit=170, labelFontSize=12))
    tooltip = [alt.Tooltip("outcome:N", title="Outcome"), alt.Tooltip("measure_label:N", title="Measure"),
               alt.Tooltip("target:N", title="Target"), alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("uk_level:Q", title="UK level", format=".2f"),
               alt.Tooltip("level:Q", title="Target level", format=".2f"),
               alt.Tooltip("effect:Q", title="Implied change (%)", format="+.1f"),
               alt.Tooltip("low:Q", title="95 % interval, low (%)", format="+.1f"),
               alt.Tooltip("high:Q", title="95 % interval, high (%)", format="+.1f")]
    base = alt.Chart(data).transform_filter(
        "datum.measure_label == whatif_measure && datum.target == whatif_target")
    x_title = "Implied change for the UK, % (GDP per head: of its level; gap: of its CV)"
    x = alt.X("effect:Q", title=x_title)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(color="#555", strokeDash=[4, 4]).encode(
        x=alt.X("zero:Q", title=x_title))
    rule = base.mark_rule(strokeWidth=3, color=charts.UK_COLOUR).encode(
        x=alt.X("low:Q", title=x_title), x2="high:Q", y=y, tooltip=tooltip)
    dot = base.mark_point(filled=True, size=120, color=charts.UK_COLOUR).encode(x=x, y=y, tooltip=tooltip)
    label = base.mark_text(align="left", dy=-14, fontSize=11, color="#333").encode(
        x="effect:Q", y=y,
        text=alt.Text("text:N"),
    ).transform_calculate(
        text="format(datum.effect, '+.1f') + ' % [' + format(datum.low, '+.1f') + ', ' + format(datum.high, '+.1f') + ']'")
    info = base.transform_filter(f"datum.outcome == '{data['outcome'].iloc[0]}'").mark_text(
        align="left", baseline="top", fontSize=11, color="#444", x=0, y=-34).encode(
        text="detail:N").transform_calculate(
        detail="'UK ' + format(datum.uk_level, '.2f') + ' → target ' + format(datum.level, '.2f') + ' (' + datum.year + ')'")
    chart = alt.layer(zero, rule, dot, label, info).add_params(pick_m, pick_t).properties(
        width=width, height=130,
        title=alt.Title("What if the UK had the fiscal autonomy of …?",
                        subtitle=["Implied change with 95 % wild-bootstrap interval, from the headline estimates",
                                  "of the regions and countries chapters (associations, not proven effects)."]))
    return charts.describe(chart, (
        "Interactive chart: choose an autonomy measure and a target level (OECD median, upper quartile or "
        "a named country); it shows the implied percentage change in UK regional GDP per head and in the "
        "UK's regional gap (coefficient of variation), each with its 95 % interval."))


def current_scenarios() -> pd.DataFrame:
    """The explorer's scenarios from the regions (H3) and countries (H4) headlines, OECD
    members' autonomy in the year each measure's UK counterfactual uses."""
    auto = panels.autonomy_table()
    auto = auto[auto["iso3"].isin(OECD_MEMBERS)]
    years = {m: regions.uk_gap(m)["year"] for m in whatif.MEASURES}
    return whatif.scenarios(regions.headline(), country_disparity.headline(), auto, years,
                            names={c: name(c) for c in OECD_MEMBERS})
