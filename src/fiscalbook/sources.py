"""Facts about the sources for the "Data and sources" chapter, computed from the tables.

Everything the chapter says about coverage and gaps comes from here, so a new vintage
of any file changes the text by itself.
"""

from __future__ import annotations

import pandas as pd

from . import coverage, tables
from .catalog import load_catalog
from .countries import OECD_MEMBERS, name


def catalog_table() -> pd.DataFrame:
    """One row per catalogued file: what it is, who made it, licence, vintage, checksum."""
    rows = [{"Dataset": e.id, "Title": e.title, "Producer": e.producer, "Licence": e.licence,
             "Vintage": e.vintage, "File": e.file, "SHA-256 (first 12)": e.sha256[:12]}
            for e in load_catalog().values()]
    return pd.DataFrame(rows)


def outlook_vs_raw() -> pd.DataFrame:
    """Percentage difference of the imputed Regional Outlook TL2 GDP per head from the raw
    OECD.Stat export, for the region-years both contain."""
    ro = tables.tl2_outlook()[["region", "year", "gdp_per_head_usd_ppp2015"]]
    raw = tables.oecd_stat_tl2("gdp_per_head")
    raw = raw[(raw["level"] == "TL2") & raw["value"].notna()][["region", "year", "value"]]
    both = ro.merge(raw, on=["region", "year"], how="inner")
    both["pct_diff"] = 100 * (both["gdp_per_head_usd_ppp2015"] / both["value"] - 1)
    return both


def facts() -> dict:
    """Every number the data chapter states."""
    cat = load_catalog()
    out: dict = {"n_files": len(cat), "n_producers": len({e.producer for e in cat.values()})}
    for key, dataset in [("tl2", "oecd_tl2_outlook"), ("tl3", "oecd_tl3_metro_outlook"),
                         ("stat", "oecd_stat_tl2_gdppc"), ("pw", "oecd_sdmx_gdp"),
                         ("lowhigh", "oecd_per_worker_low_high"), ("lai", "lai"),
                         ("ons", "ons_itl_productivity"), ("regineq", "regineq")]:
        for k, v in coverage.summary(dataset).items():
            out[f"{key}_{k}"] = v
    lai_years = sorted(coverage.coverage("lai")["year"].unique())
    out["lai_years"] = ", ".join(str(y) for y in lai_years[:-1]) + f" and {lai_years[-1]}"
    periods = tables.regineq_panel()["period"].str[-4:].astype(int)
    out["regineq_last_year"] = int(periods.max())
    out["tl2_regions"] = int(tables.tl2_outlook()["region"].nunique())
    out["tl3_units"] = int(tables.tl3_metro()["region"].nunique())
    out["pw_regions"] = int(tables.gdp_per_worker("TL2")["region"].nunique())
    for key, dataset in [("rai", "rai_country"), ("imf", "imf_fd")]:
        for k, v in coverage.summary(dataset, countries=OECD_MEMBERS).items():
            out[f"{key}_oecd_{k}"] = v
        out[f"{key}_all_countries"] = coverage.summary(dataset)["countries"]
    rai_reg = coverage.summary("rai_regional")
    out["rai_regional_last_year"] = rai_reg["last_year"]
    out["rai_regional_countries"] = rai_reg["countries"]
    imf_countries = set(coverage.coverage("imf_fd")["iso3"])
    missing = sorted(OECD_MEMBERS - imf_countries)
    out["imf_missing_oecd"] = ", ".join(sorted(name(c) for c in missing)) or "none"
    out["imf_n_missing_oecd"] = len(missing)
    tl2_countries = set(tables.tl2_outlook()["iso3"])
    out["tl2_n_missing_oecd"] = len(OECD_MEMBERS - tl2_countries)
    out["tl2_missing_oecd"] = ", ".join(sorted(name(c) for c in OECD_MEMBERS - tl2_countries))
    diff = outlook_vs_raw()["pct_diff"]
    out["ro_raw_n"] = int(diff.size)
    out["ro_raw_median_pct"] = float(diff.median())
    out["ro_raw_p05_pct"] = float(diff.quantile(0.05))
    out["ro_raw_p95_pct"] = float(diff.quantile(0.95))
    out["ro_raw_min_pct"] = float(diff.min())
    out["ro_raw_max_pct"] = float(diff.max())
    return out
