"""One picture of what the data cover: each source's OECD-country coverage by year, in a
single heatmap (the per-country details stay in the data chapter, folded)."""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, coverage

# Source labels as readers know them, in the chapter's order.
SOURCES = {
    "oecd_tl2_outlook": "Regional Outlook, TL2 GDP per head",
    "oecd_tl3_metro_outlook": "Regional Outlook, TL3/metro GDP per head",
    "oecd_stat_tl2_gdppc": "OECD Regional Database, TL2 (not imputed)",
    "oecd_sdmx_gdp": "OECD DF_GDP, TL2 GDP per worker",
    "rai_country": "Regional Authority Index",
    "imf_fd": "IMF sub-national tax share",
    "lai": "Local Autonomy Index",
    "ons_itl_productivity": "ONS ITL productivity (UK only)",
    "regineq": "Kessler–Hansen–Lessmann panel",
}


def overview_frame(members: frozenset[str]) -> pd.DataFrame:
    """source, year, countries (OECD members with data that year), uk (has the UK data)."""
    rows = []
    for key, label in SOURCES.items():
        cov = coverage.coverage(key, members)
        for year, g in cov.groupby("year"):
            rows.append(dict(source=label, year=int(year), countries=int(g["iso3"].nunique()),
                             uk="yes" if "GBR" in set(g["iso3"]) else "no"))
    return pd.DataFrame(rows)


def overview_chart(frame: pd.DataFrame, n_members: int) -> alt.Chart:
    """Sources × years, shaded by the number of OECD countries covered; UK years dotted."""
    y = alt.Y("source:N", sort=list(SOURCES.values()), title=None, axis=alt.Axis(labelLimit=260))
    x = alt.X("year:O", title="Year", axis=alt.Axis(values=list(range(1950, 2030, 10)), labelAngle=0))
    tooltip = [alt.Tooltip("source:N", title="Source"), alt.Tooltip("year:O", title="Year"),
               alt.Tooltip("countries:Q", title="OECD countries with data"),
               alt.Tooltip("uk:N", title="UK covered")]
    heat = alt.Chart(frame).mark_rect().encode(
        x=x, y=y, tooltip=tooltip,
        color=alt.Color("countries:Q", title=f"OECD countries with data (of {n_members})",
                        scale=alt.Scale(scheme="blues", domain=[0, n_members]),
                        legend=alt.Legend(orient="bottom", gradientLength=240, titleLimit=400)))
    uk = alt.Chart(frame).transform_filter("datum.uk == 'yes'").mark_point(
        shape="circle", size=14, filled=True, color=charts.UK_COLOUR).encode(x=x, y=y, tooltip=tooltip)
    chart = alt.layer(heat, uk).properties(
        width="container", height=alt.Step(22),
        title=alt.Title("What the data cover", subtitle="OECD member countries with data, by source and year; "
                                                        "orange dots: the UK is covered"))
    return charts.describe(chart, (
        f"Heatmap of {frame['source'].nunique()} data sources by year, shaded by how many of the "
        f"{n_members} OECD member countries each covers; dots mark years that include the UK."))
