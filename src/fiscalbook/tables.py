"""Named, validated tidy tables: the only door from raw files to chapters.

Each function resolves its catalogued file(s) (checksum verified), calls the matching
reader, and memoises the result for the life of the kernel. Column contracts are stated
in the readers' docstrings; the common vocabulary is:

    iso3     ISO 3166-1 alpha-3 country code (str)
    region   OECD region code: TL2 (e.g. UKI) or TL3/metro unit (e.g. UK001MC) (str)
    year     calendar year (int)
    values   floats in the units named by the column (usd_ppp2015 = US dollars at constant
             2015 purchasing-power parities)
"""

from __future__ import annotations

from functools import cache

import pandas as pd

from .fetch import resolve
from importlib import import_module


def _reader(name: str):
    """Import a reader module on first use, so one table never waits on another's reader."""
    return import_module(f"fiscalbook.readers.{name}")


def _frozen(df: pd.DataFrame) -> pd.DataFrame:
    """Callers get a copy so the memoised table cannot be changed in place."""
    return df.copy()


@cache
def _tl2_outlook():
    return _reader("outlook").read_tl2(resolve("oecd_tl2_outlook"))


def tl2_outlook() -> pd.DataFrame:
    """Regional Outlook 2023 TL2 panel: iso3, region, region_name, year, gdp_musd_ppp2015,
    population, gdp_per_head_usd_ppp2015 (29 countries, 388 regions, 2000–2020)."""
    return _frozen(_tl2_outlook())


@cache
def _tl3_metro():
    return _reader("outlook").read_tl3_metro(resolve("oecd_tl3_metro_outlook"))


def tl3_metro() -> pd.DataFrame:
    """Regional Outlook 2023 TL3/metro panel: iso3, region, region_name, year,
    gdp_per_head_usd_ppp2015, population, metro_code (MR-L, MR-M, NMR-M, NMR-S, NMR-R),
    metro_class, is_metro (nullable bool), metro_area (code of the metro area a unit forms or
    belongs to; empty otherwise)."""
    return _frozen(_tl3_metro())


@cache
def _per_worker_low_high():
    return _reader("outlook").read_per_worker_low_high(resolve("oecd_per_worker_low_high"))


def per_worker_low_high() -> pd.DataFrame:
    """Regional Outlook 2023 figure data: GDP per worker in low/high-productivity regions."""
    return _frozen(_per_worker_low_high())


@cache
def _oecd_stat(measure: str):
    dataset = {"gdp": "oecd_stat_tl2_gdp", "gdp_per_head": "oecd_stat_tl2_gdppc"}[measure]
    return _reader("oecd_stat").read_export(resolve(dataset))


def oecd_stat_tl2(measure: str = "gdp_per_head") -> pd.DataFrame:
    """Raw OECD.Stat REGION_ECONOM export (not imputed), TL1 and TL2, 2005–2020:
    iso3, region, region_name, level (TL1/TL2), year, value, unit, flag."""
    return _frozen(_oecd_stat(measure))


@cache
def _sdmx_gdp():
    return _reader("sdmx").read_sdmx_csv(resolve("oecd_sdmx_gdp"))


def sdmx_gdp() -> pd.DataFrame:
    """OECD Data Explorer DF_GDP 2019–2020 (UNIT_MULT applied): iso3, region, level
    (CTRY/TL2/TL3), year, measure, unit, prices, value, obs_status."""
    return _frozen(_sdmx_gdp())


# DF_GDP lists Inner London as UKI (TL2) and also as UKI7 (an older EU level that overlaps
# UKI); keeping both would count London twice.
OVERLAPPING_TL2 = frozenset({"UKI7"})


def gdp_per_worker(level: str = "TL2") -> pd.DataFrame:
    """GDP per worker (employment at place of work), USD PPP, 2019–2020, from DF_GDP:
    iso3, region, year, gdp_per_worker_usd_ppp, employment, gdp_usd_ppp, population, prices
    (Q constant 2015 / V current), source (published or GDP/EMP). Overlapping UKI7 dropped."""
    out = _reader("sdmx").per_worker(_sdmx_gdp(), level=level)
    if level == "TL2":
        out = out[~out["region"].isin(OVERLAPPING_TL2)].reset_index(drop=True)
    return out


@cache
def _sdmx_codelists():
    return _reader("sdmx").read_structure(resolve("oecd_sdmx_structure"))


def sdmx_codelists() -> pd.DataFrame:
    """Components of the DSD_REG_ECO structure: dsd, component, kind, position, codelist,
    codelist_agency, codelist_version, code, name. The catalogued structure file holds no
    code lists, so `code` and `name` are empty; a file fetched with references=all fills them."""
    return _frozen(_sdmx_codelists())


@cache
def _grid(kind: str):
    dataset = {"tl2": "oecd_tl2_grid", "tl3": "oecd_tl3_grid", "countries": "oecd_countries_grid",
               "uk": "oecd_uk_grid"}[kind]
    return getattr(_reader("grids"), f"read_{kind}_grid")(resolve(dataset))


def tl2_grid() -> pd.DataFrame:
    """OECD territorial grid 2020, TL2: region, iso3, tl1_id, name, name_en, eu, eea."""
    return _frozen(_grid("tl2"))


def tl3_grid() -> pd.DataFrame:
    """OECD territorial grid 2020, TL3: region, tl2, iso3, name, name_en, eu, eea."""
    return _frozen(_grid("tl3"))


def countries() -> pd.DataFrame:
    """OECD territorial grid 2020, countries: tl1_id (unique), iso3, iso2, name, eu, eea.
    CHN, SDN and SRB appear twice (China/Chinese Taipei, Sudan/South Sudan, Serbia/Kosovo)."""
    return _frozen(_grid("countries"))


def uk_grid() -> pd.DataFrame:
    """UK rows of the territorial grid: region, level, name, parent, iso3, rural_urban, metro_code."""
    return _frozen(_grid("uk"))


@cache
def _rai_country():
    return _reader("rai").read_country(resolve("rai_country"))


def rai_country() -> pd.DataFrame:
    """RAI v3 country-year: iso3, year, fiscal_autonomy, borrowing_autonomy,
    fiscal_control, self_rule, shared_rule, rai, ... (96 countries, 1950–2018)."""
    return _frozen(_rai_country())


@cache
def _rai_regional():
    return _reader("rai").read_regional(resolve("rai_regional"))


def rai_regional() -> pd.DataFrame:
    """RAI v2 region-year: iso3, country, region_id, region_name, year, tier, type (S standard
    tier, A autonomous, Y asymmetric, D dependency), fiscal_autonomy (0–4), borrowing_autonomy
    (0–3; 4 once, Mount Athos 1950), self_rule, shared_rule, rai (1950–2010)."""
    return _frozen(_rai_regional())


@cache
def _imf():
    return _reader("imf").read_fiscal_decentralisation(resolve("imf_fd"))


def imf_decentralisation() -> pd.DataFrame:
    """IMF FDD long: iso3, country, imf_code, year, indicator, indicator_name, sector, value.
    Shares (taxd, rd, sd) lie in 0–1; vfi is at most 1 and can be negative; transfer
    dependence can exceed 1."""
    return _frozen(_imf())


@cache
def _imf_metadata():
    return _reader("imf").read_metadata(resolve("imf_fd_metadata"))


def imf_metadata() -> pd.DataFrame:
    """IMF FDD indicator definitions."""
    return _frozen(_imf_metadata())


@cache
def _lai():
    return _reader("lai").read_lai(resolve("lai"))


def local_autonomy() -> pd.DataFrame:
    """Local Autonomy Index: iso3, country, year (1990, 2000, 2010, 2014), lai (0–100)."""
    return _frozen(_lai())


@cache
def _ons_productivity():
    return _reader("ons").read_itl_productivity(resolve("ons_itl_productivity"))


def ons_productivity() -> pd.DataFrame:
    """ONS subregional productivity, long: itl_code, oecd_region, region_name, itl_level,
    year, measure, value."""
    return _frozen(_ons_productivity())


@cache
def _ons_gdp():
    return _reader("ons").read_regional_gdp(resolve("ons_regional_gdp"))


def ons_regional_gdp() -> pd.DataFrame:
    """ONS regional GDP, long: itl_code, oecd_region, region_name, itl_level, year,
    measure, value."""
    return _frozen(_ons_gdp())


@cache
def _regineq():
    return _reader("regineq").read_regineq(resolve("regineq"))


def regineq_panel() -> pd.DataFrame:
    """Kessler–Hansen–Lessmann panel (pder::RegIneq): iso3, country, period (text, e.g.
    "1982-1984"), period_start (int), regineq, gdppc, pop, popgini, urban, social, unempl,
    dec, transrev, transaut."""
    return _frozen(_regineq())


@cache
def _codebook():
    return _reader("codebook").read_codebook(resolve("oecd_codebook"))


def codebook() -> pd.DataFrame:
    """OECD regional statistics codebook: sheet, code, label (reference only)."""
    return _frozen(_codebook())


# --- productivity (issue 12) --------------------------------------------------------------

@cache
def _per_worker_gap():
    return _reader("outlook").per_worker_gap(_per_worker_low_high())


def per_worker_gap() -> pd.DataFrame:
    """Upper/lower-half GDP per worker gap, country-year (33 countries, 2001–2020):
    iso3, year, lower, upper (USD PPP per worker), log_gap = ln(upper / lower)."""
    return _frozen(_per_worker_gap())


def gdp_per_worker_as_published(level: str = "TL2") -> pd.DataFrame:
    """`gdp_per_worker` without dropping overlapping codes (UKI7 stays at TL2): the input of
    the plausibility rules, which report what dropping such rows changes."""
    return _reader("sdmx").per_worker(_sdmx_gdp(), level=level)


@cache
def _ons_productivity_wide(per: str):
    return _reader("ons").productivity_wide(_ons_productivity(), per=per,
                                            source=str(resolve("ons_itl_productivity")))


def ons_productivity_wide(per: str = "hour") -> pd.DataFrame:
    """ONS GVA per hour worked (per="hour", 2004–2021) or per filled job ("job", 2002–2021),
    every ITL level, one row per region-year: itl_code, oecd_region, region_name, itl_level,
    year, gbp, gbp_smoothed, index_uk100, index_uk100_smoothed, cvm_index_2020_100, weight
    (hours worked per week / filled jobs)."""
    return _frozen(_ons_productivity_wide(per))

@cache
def _nuts(level: int):
    return _reader("gisco").read_nuts(resolve(f"gisco_nuts{level}_2016"), level=level)


def nuts_regions(level: int) -> pd.DataFrame:
    """GISCO NUTS 2016 regions at level 1 or 2: nuts_id, level, country, name, geometry
    (shapely, WGS84, full 1:1 million detail; simplify with fiscalbook.geo before drawing)."""
    if level not in (1, 2):
        raise ValueError("the catalog holds NUTS levels 1 and 2 only")
    return _frozen(_nuts(level))
