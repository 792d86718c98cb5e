"""The maps chapter's numbers: where UK productivity sits region by region, and how far
the UK's regions spread around their national average compared with other European
countries' regions."""

from __future__ import annotations

import pandas as pd

from .. import geo

UK_MAP_YEAR = 2021      # latest year of the ONS subregional productivity release
EUROPE_MAP_YEAR = 2019  # before the pandemic; DF_GDP per worker covers 2019–2020


def headline(uk: pd.DataFrame, europe: pd.DataFrame) -> dict:
    """Counts and extremes for the prose, from `geo.uk_itl2_productivity()` and
    `geo.europe_tl2_per_worker()`."""
    latest = uk[uk["year"] == UK_MAP_YEAR]
    cities = latest[latest["core_city"] != ""]
    top, bottom = latest.loc[latest["value"].idxmax()], latest.loc[latest["value"].idxmin()]
    spread = europe.groupby("iso3")["rel_country"].agg(lambda s: s.max() - s.min())
    multi = europe.groupby("iso3").size() >= 3
    ranked = spread[multi].sort_values(ascending=False)
    return {
        "uk_year": UK_MAP_YEAR, "uk_n_regions": len(latest),
        "uk_n_below": int((latest["value"] < 100).sum()),
        "uk_top_value": float(top["value"]), "uk_top_name": str(top["name"]),
        "uk_bottom_value": float(bottom["value"]), "uk_bottom_name": str(bottom["name"]),
        "uk_n_cities": len(cities), "uk_n_cities_below": int((cities["value"] < 100).sum()),
        "uk_cities_max": float(cities["value"].max()),
        "eu_year": EUROPE_MAP_YEAR, "eu_n_regions": len(europe), "eu_n_countries": europe["iso3"].nunique(),
        "eu_n_ranked": len(ranked), "eu_uk_spread": float(spread["GBR"]),
        "eu_uk_spread_rank": int(list(ranked.index).index("GBR") + 1),
        "eu_median_spread": float(ranked.median()),
    }
