"""Which countries and years each source covers: the tables behind the data chapter.

Coverage is counted from the validated tidy tables (never from raw files): for each
source, the number of non-missing observations (regions, units or a single national
value) per country and year. For charts, runs of consecutive years with the same count
are collapsed into one bar, which keeps the inlined chart data small.
"""

from __future__ import annotations

from typing import Callable

import altair as alt
import pandas as pd

from . import charts, tables


def _count(df: pd.DataFrame, value: str, unit: str = "region") -> pd.DataFrame:
    df = df[df[value].notna()]
    if unit in df.columns:
        out = df.groupby(["iso3", "year"])[unit].nunique()
    else:
        out = df.groupby(["iso3", "year"]).size()
    return out.rename("n").reset_index()


def _regionalised(df: pd.DataFrame) -> pd.DataFrame:
    """TL2 rows of an OECD.Stat export without the 'not regionalised' (…ZZ) rows."""
    return df[(df["level"] == "TL2") & ~df["region"].str.endswith("ZZ")]


def _imf(df: pd.DataFrame) -> pd.DataFrame:
    tax = df[(df["indicator"] == "taxd") & (df["sector"] == "SNG")]
    return _count(tax, "value", unit="__none__")


def _ons(df: pd.DataFrame) -> pd.DataFrame:
    sub = df[(df["itl_level"] == 1) & df["measure"].str.contains("per_filled_job|per_job", regex=True)]
    sub = sub.assign(iso3="GBR")
    return _count(sub, "value", unit="itl_code")


# dataset id -> (what is counted, function returning iso3, year, n)
COVERAGE: dict[str, tuple[str, Callable[[], pd.DataFrame]]] = {
    "oecd_tl2_outlook": ("TL2 regions with GDP per head",
                         lambda: _count(tables.tl2_outlook(), "gdp_per_head_usd_ppp2015")),
    "oecd_tl3_metro_outlook": ("TL3/metro units with GDP per head",
                               lambda: _count(tables.tl3_metro(), "gdp_per_head_usd_ppp2015")),
    "oecd_stat_tl2_gdppc": ("TL2 regions with GDP per head (not imputed)",
                            lambda: _count(_regionalised(tables.oecd_stat_tl2("gdp_per_head")), "value")),
    "oecd_sdmx_gdp": ("TL2 regions with GDP per worker",
                      lambda: _count(tables.gdp_per_worker("TL2"), "gdp_per_worker_usd_ppp")),
    "oecd_per_worker_low_high": ("GDP per worker observations (low/high regions)",
                                 lambda: _count(tables.per_worker_low_high(), "gdp_per_worker", unit="group")),
    "rai_country": ("national RAI fiscal-autonomy score",
                    lambda: _count(tables.rai_country(), "fiscal_autonomy", unit="__none__")),
    "rai_regional": ("regional units with an RAI score",
                     lambda: _count(tables.rai_regional(), "fiscal_autonomy", unit="region_id")),
    "imf_fd": ("sub-national tax share (taxd, SNG)", lambda: _imf(tables.imf_decentralisation())),
    "lai": ("Local Autonomy Index score", lambda: _count(tables.local_autonomy(), "lai", unit="__none__")),
    "ons_itl_productivity": ("ITL1 regions with GVA per filled job", lambda: _ons(tables.ons_productivity())),
    "regineq": ("country-periods in the replication panel",
                lambda: _count(tables.regineq_panel().drop(columns="period").rename(columns={"period_start": "year"}),
                               "iso3", unit="__none__")),
}


def coverage(dataset_id: str, countries: frozenset[str] | None = None) -> pd.DataFrame:
    """iso3, year, n for one source, optionally restricted to a set of countries."""
    df = COVERAGE[dataset_id][1]()
    if countries is not None:
        df = df[df["iso3"].isin(countries)]
    return df.sort_values(["iso3", "year"]).reset_index(drop=True)


def runs(df: pd.DataFrame) -> pd.DataFrame:
    """Collapse consecutive years with the same count into runs: iso3, start, end, n.

    `end` is the last year of the run (inclusive).
    """
    if df.empty:
        return pd.DataFrame({"iso3": [], "start": [], "end": [], "n": []})
    df = df.sort_values(["iso3", "year"]).reset_index(drop=True)
    new_run = ((df["iso3"] != df["iso3"].shift()) | (df["year"] != df["year"].shift() + 1)
               | (df["n"] != df["n"].shift()))
    run_id = new_run.cumsum()
    out = df.groupby(run_id).agg(iso3=("iso3", "first"), start=("year", "min"),
                                 end=("year", "max"), n=("n", "first"))
    return out.reset_index(drop=True)


def summary(dataset_id: str, countries: frozenset[str] | None = None) -> dict:
    """Countries, first and last year, and observations of one source."""
    df = coverage(dataset_id, countries)
    return {"countries": int(df["iso3"].nunique()), "first_year": int(df["year"].min()),
            "last_year": int(df["year"].max()), "observations": int(df["n"].sum())}


def chart(dataset_id: str, title: str, countries: frozenset[str] | None = None,
          names: dict[str, str] | None = None) -> alt.Chart:
    """Countries x years bars, shaded by the count, with tooltips; the UK in its colour."""
    what = COVERAGE[dataset_id][0]
    data = runs(coverage(dataset_id, countries))
    data["country"] = data["iso3"].map(names or {}).fillna(data["iso3"])
    data["end_edge"] = data["end"] + 1
    data["is_uk"] = data["iso3"] == "GBR"
    n_countries = data["iso3"].nunique()
    base = alt.Chart(data).encode(
        y=alt.Y("country:N", sort="ascending", title="Country"),
        x=alt.X("start:Q", title="Year", axis=alt.Axis(format="d", tickMinStep=1), scale=alt.Scale(zero=False)),
        x2="end_edge:Q",
        tooltip=[alt.Tooltip("country:N", title="Country"), alt.Tooltip("start:Q", title="From", format="d"),
                 alt.Tooltip("end:Q", title="To", format="d"), alt.Tooltip("n:Q", title=what)],
    )
    bars = base.mark_bar(height={"band": 0.8}).encode(
        color=alt.Color("n:Q", title=what[:1].upper() + what[1:], scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(orient="bottom", titleLimit=480)),
        stroke=alt.condition("datum.is_uk", alt.value(charts.UK_COLOUR), alt.value(None)),
        strokeWidth=alt.condition("datum.is_uk", alt.value(2), alt.value(0)),
    )
    return bars.properties(
        title=alt.Title(title, subtitle=f"{what}; {n_countries} countries; UK outlined"),
        height=alt.Step(11), width=520,
        description=f"Coverage of {title}: for each of {n_countries} countries, the years with data "
                    f"and the number of {what} per year.",
    )
