"""Choropleth maps: UK ITL2 productivity (UK = 100, with a year slider) and European TL2
output per worker relative to each country's average.

The geometry is inlined once; values for every year travel as columns of the same
features and a slider parameter picks one (`datum['y2021']`), so the year slider costs
a few numbers per region, not a copy of the map per year.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .. import charts, geo

GISCO_CREDIT = "Boundaries: © EuroGeographics for the administrative boundaries (Eurostat GISCO, NUTS 2016)."
# diverging around 100: below the benchmark in orange-brown, above in blue (colour-blind safe)
DIVERGING = "blueorange"
MAP_HEIGHT_UK = 520
MAP_HEIGHT_EUROPE = 520


def _features(frame: pd.DataFrame, props: list[str]) -> alt.Data:
    return alt.Data(values=geo.geojson_features(frame, props))


def uk_productivity_map(frame: pd.DataFrame, year: int) -> alt.Chart:
    """ITL2 regions coloured by GVA per hour (UK = 100); Core City regions outlined and
    named in the tooltip; a slider moves through the years (starting at `year`).

    `frame` is `geo.uk_itl2_productivity()`: one row per region and year."""
    years = sorted(frame["year"].unique())
    if year not in years:
        raise ValueError(f"year {year} not in the data ({years[0]}–{years[-1]})")
    wide = frame.pivot(index="nuts_id", columns="year", values="value")
    wide.columns = [f"y{y}" for y in wide.columns]
    shapes = frame.drop_duplicates("nuts_id").set_index("nuts_id")[["name", "core_city", "geometry"]]
    shapes = shapes.join(wide).reset_index()
    shapes["core_city_label"] = shapes["core_city"].where(shapes["core_city"] != "", "—")
    props = ["nuts_id", "name", "core_city_label", *wide.columns]
    pick = alt.param(name="map_year", value=int(year),
                     bind=alt.binding_range(min=int(years[0]), max=int(years[-1]), step=1, name="Year "))
    lo, hi = float(frame["value"].min()), float(frame["value"].max())
    half = max(100 - lo, hi - 100)
    base = alt.Chart(_features(shapes, props)).transform_calculate(
        value="datum.properties['y' + map_year]", region="datum.properties.name",
        code="datum.properties.nuts_id", city="datum.properties.core_city_label",
        year="map_year",
    ).project(type="transverseMercator", rotate=[2, -54, 0])
    fill = base.mark_geoshape(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("value:Q", title=["GVA per hour", "(UK = 100)"],
                        scale=alt.Scale(scheme=DIVERGING, domain=[100 - half, 100, 100 + half], reverse=True),
                        legend=alt.Legend(orient="bottom", gradientLength=220)),
        tooltip=[alt.Tooltip("region:N", title="ITL2 region"), alt.Tooltip("code:N", title="Code"),
                 alt.Tooltip("year:O", title="Year"),
                 alt.Tooltip("value:Q", title="GVA per hour (UK = 100)", format=".1f"),
                 alt.Tooltip("city:N", title="Core City")],
    )
    outline = base.transform_filter("datum.properties.core_city_label != '—'").mark_geoshape(
        fill=None, stroke="#000000", strokeWidth=1.6).encode(
        tooltip=[alt.Tooltip("city:N", title="Core City"), alt.Tooltip("region:N", title="ITL2 region"),
                 alt.Tooltip("value:Q", title="GVA per hour (UK = 100)", format=".1f")])
    chart = alt.layer(fill, outline).add_params(pick).properties(
        width="container", height=MAP_HEIGHT_UK,
        title=alt.Title("GVA per hour worked by ITL2 region (UK = 100)",
                        subtitle=["Black outlines: the region holding each Core City. Move the slider to change year.",
                                  GISCO_CREDIT]))
    return charts.describe(chart, (
        f"Map of the UK's {len(shapes)} ITL2 regions coloured by ONS GVA per hour worked relative to the UK "
        f"average (100), {years[0]}–{years[-1]}, with the eleven Core City regions outlined."))


def europe_per_worker_map(frame: pd.DataFrame, year: int) -> alt.Chart:
    """European TL2 regions coloured by GDP per worker relative to their own country's
    average (= 100); `frame` is `geo.europe_tl2_per_worker(year)`."""
    data = frame.copy()
    data["country_uk"] = (data["iso3"] == "GBR").map({True: "United Kingdom", False: "Other"})
    lo, hi = float(data["rel_country"].min()), float(data["rel_country"].max())
    half = max(100 - lo, hi - 100)
    props = ["nuts_id", "name", "iso3", "per_worker", "rel_country"]
    base = alt.Chart(_features(data, props)).transform_calculate(
        rel="datum.properties.rel_country", per_worker="datum.properties.per_worker",
        region="datum.properties.name", country="datum.properties.iso3",
    ).project(type="conicEqualArea", rotate=[-10, 0, 0], parallels=[43, 62])
    chart = base.mark_geoshape(stroke="white", strokeWidth=0.4).encode(
        color=alt.Color("rel:Q", title=["GDP per worker", "(country average = 100)"],
                        scale=alt.Scale(scheme=DIVERGING, domain=[100 - half, 100, 100 + half], reverse=True),
                        legend=alt.Legend(orient="bottom", gradientLength=220)),
        tooltip=[alt.Tooltip("region:N", title="TL2 region"), alt.Tooltip("country:N", title="Country"),
                 alt.Tooltip("rel:Q", title="Relative to country average (= 100)", format=".1f"),
                 alt.Tooltip("per_worker:Q", title="GDP per worker (USD PPP)", format=",.0f")],
    ).properties(
        width="container", height=MAP_HEIGHT_EUROPE,
        title=alt.Title(f"GDP per worker by TL2 region relative to its country's average, {year}",
                        subtitle=["Regions with OECD GDP per worker data; others not drawn.", GISCO_CREDIT]))
    return charts.describe(chart, (
        f"Map of {len(data)} TL2 regions in {data['iso3'].nunique()} European countries coloured by GDP per "
        f"worker relative to the country's own average (100), {year}."))
