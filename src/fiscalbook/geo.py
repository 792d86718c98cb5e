"""Region boundaries fit for a web map, and the values drawn on them.

GISCO's 1:1 million polygons (`tables.nuts_regions`) weigh megabytes; a map page has a
300 KB gzipped budget. `simplify` drops small parts (islets) and simplifies all regions
together with `shapely.coverage_simplify`, which keeps shared borders shared (simplifying
region by region opens slivers between neighbours). Tolerances are those measured in
the project's library notes: UK ITL2 at 0.03 degrees is about 50 KB of GeoJSON.

Codes: NUTS 2016 level-2 codes for the UK (UKD3 …) are the ONS ITL2 codes with UK for TL
(TLD3 …) and the OECD's UK TL3 codes start with them; elsewhere in Europe the OECD's TL2
regions are NUTS 2 regions, except where they are NUTS 1 (Germany, Belgium, the UK,
France's 2016 regions): `tl2_geometries` takes each code from whichever level has it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

from . import tables
from .core_cities import CORE_CITIES

UK_TOLERANCE = 0.03          # degrees; coverage_simplify on the UK's 41 ITL2 regions
UK_MIN_PART_AREA = 0.005     # square degrees; smaller islands are dropped
EUROPE_TOLERANCE = 0.1
EUROPE_MIN_PART_AREA = 0.01
COORD_DECIMALS = 3           # about 100 m: finer than the simplification keeps
# Outermost regions (Canaries, Azores, Madeira, French overseas departments) would squeeze
# Europe into a corner of the map.
OUTERMOST_PREFIXES = ("ES7", "PT2", "PT3", "FRY", "FRA")


def _drop_small_parts(geom, min_area: float):
    """Keep a region's parts of at least `min_area`, and always its largest part."""
    parts = list(getattr(geom, "geoms", [geom]))
    largest = max(parts, key=lambda p: p.area)
    kept = [p for p in parts if p.area >= min_area or p is largest]
    return kept[0] if len(kept) == 1 else shapely.MultiPolygon(kept)


def simplify(frame: pd.DataFrame, tolerance: float, min_part_area: float) -> pd.DataFrame:
    """Return a copy with simplified geometry (shared borders kept shared), coordinates
    rounded to COORD_DECIMALS."""
    if frame.empty:
        raise ValueError("no regions to simplify")
    out = frame.copy()
    geoms = [_drop_small_parts(g, min_part_area) for g in out["geometry"]]
    simplified = shapely.coverage_simplify(np.array(geoms, dtype=object), tolerance)
    out["geometry"] = [shapely.set_precision(g, 10 ** -COORD_DECIMALS) for g in simplified]
    if any(g.is_empty for g in out["geometry"]):
        raise ValueError("simplification emptied a region; lower the tolerance")
    return out


def geojson_features(frame: pd.DataFrame, properties: list[str]) -> list[dict]:
    """GeoJSON features (for Altair's mark_geoshape) with the named columns as properties.

    Rings are written clockwise (exterior) as d3-geo, which draws Vega's maps, expects;
    counter-clockwise rings would fill the whole globe.
    """
    feats = []
    for row in frame.itertuples(index=False):
        geom = shapely.orient_polygons(row.geometry, exterior_cw=True)
        props = {p: (v.item() if isinstance(v, np.generic) else v)
                 for p in properties for v in [getattr(row, p)]}
        feats.append({"type": "Feature", "geometry": shapely.geometry.mapping(geom), "properties": props})
    return feats


def core_city_itl2() -> dict[str, str]:
    """{NUTS 2016 level-2 code: Core City}: the ITL2 region holding each city's own TL3
    region (the first component of its OECD unit; Cardiff is UKL22, in East Wales)."""
    return {c.components[0][:4]: c.city for c in CORE_CITIES}


def uk_itl2_productivity(measure: str = "gva_per_hour_cp_smoothed_index_uk100") -> pd.DataFrame:
    """UK ITL2 regions with simplified geometry and ONS GVA per hour (UK = 100) by year:
    nuts_id, name, year, value, core_city ('' if none), geometry."""
    geo = tables.nuts_regions(2)
    geo = simplify(geo[geo["country"] == "UK"], UK_TOLERANCE, UK_MIN_PART_AREA)
    ons = tables.ons_productivity()
    ons = ons[(ons["itl_level"] == 2) & (ons["measure"] == measure)]
    ons = ons.assign(nuts_id="UK" + ons["itl_code"].str[2:])
    merged = geo[["nuts_id", "geometry"]].merge(
        ons[["nuts_id", "region_name", "year", "value"]], on="nuts_id", how="inner", validate="1:m")
    if merged["nuts_id"].nunique() != len(geo):
        lost = sorted(set(geo["nuts_id"]) - set(merged["nuts_id"]))
        raise ValueError(f"ITL2 regions without ONS productivity: {lost}")
    cities = core_city_itl2()
    merged["core_city"] = merged["nuts_id"].map(cities).fillna("")
    return merged.rename(columns={"region_name": "name"}).sort_values(["year", "nuts_id"]).reset_index(drop=True)


def europe_tl2_per_worker(year: int = 2019) -> pd.DataFrame:
    """European TL2 regions with simplified geometry and GDP per worker relative to the
    country's average (employment-weighted: the country's regional GDP over its regional
    employment = 100): nuts_id, iso3, name, per_worker, rel_country, geometry."""
    pw = tables.gdp_per_worker("TL2")
    pw = pw[(pw["year"] == year)].dropna(subset=["gdp_usd_ppp", "employment"])
    tot = pw.groupby("iso3")[["gdp_usd_ppp", "employment"]].sum()
    avg = (tot["gdp_usd_ppp"] / tot["employment"]).rename("country_avg")
    pw = pw.join(avg, on="iso3")
    pw["rel_country"] = 100 * pw["gdp_per_worker_usd_ppp"] / pw["country_avg"]
    geo = pd.concat([tables.nuts_regions(1), tables.nuts_regions(2)], ignore_index=True)
    geo = geo[geo["nuts_id"].isin(pw["region"]) & ~geo["nuts_id"].str.startswith(OUTERMOST_PREFIXES)]
    geo = simplify(geo, EUROPE_TOLERANCE, EUROPE_MIN_PART_AREA)
    out = geo[["nuts_id", "name", "geometry"]].merge(
        pw[["region", "iso3", "gdp_per_worker_usd_ppp", "rel_country"]],
        left_on="nuts_id", right_on="region", validate="1:1")
    return out.drop(columns="region").rename(columns={"gdp_per_worker_usd_ppp": "per_worker"}).reset_index(drop=True)
