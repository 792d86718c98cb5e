"""Analysis panels: regions and countries, each merged with the country-year autonomy measures.

    from fiscalbook import panels
    panels.tl2_panel()                                   # Regional Outlook TL2, 2000–2020
    panels.tl2_panel(source="oecd_stat", lags=(1, 3), sample="no_capital")
    panels.disparity_panel(source="outlook", sample="europe")

Built only from `fiscalbook.tables` and `fiscalbook.autonomy` (never from raw files). The
work is done by pure functions (`build_tl2_panel`, `build_disparity_panel`, `restrict`,
`lag_autonomy`) that take data frames, so the tests can run them on synthetic inputs; the
two wrappers `tl2_panel` and `disparity_panel` fetch the real tables and call them.

Region-year panel (`tl2_panel`), one row per TL2 region and year:

    iso3, region, region_name, year, gdp_per_head_usd_ppp2015, population,
    log_gdp_per_head          ln(GDP per head)
    rel_gdp_per_head          region's GDP per head / its country's GDP per head that year
                              (country = population-weighted mean of its TL2 regions in the
                              Outlook; the TL1 row of the same export for OECD.Stat)
    initial_rel               rel_gdp_per_head in the region's first year in the panel
    log_initial_rel           ln(initial_rel): < 0 for regions that started behind
    lagging                   initial_rel < 1 (bool)
    is_capital                region contains the national capital (`disparity.CAPITALS`;
                              <NA> for a country with no recorded capital region)
    <measure>, <measure>_lag<L>   each autonomy measure of `autonomy.country_year()`, at t
                              and lagged L years (lags are taken on the country-year table
                              before the merge, so a 2000 row gets the 1999 value)

Country-year disparity panel (`disparity_panel`), one row per country, year, index and
weighting: the output of `disparity.panel` plus `log_value` and the same autonomy columns.

Sample restrictions (`SAMPLES`), applied to the regions before anything is computed:
    all             every region
    no_capital      without each country's capital region (countries with a single TL2
                    region disappear)
    no_small        without countries whose population in their first panel year is below
                    SMALL_POPULATION (5 million): tiny regional systems
    europe          European countries only (`countries.EUROPE`)
    no_mex_tur_col  without Mexico, Türkiye and Colombia (middle-income members whose
                    regional gaps are of another order)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from . import disparity

SOURCES: tuple[str, ...] = ("outlook", "oecd_stat")
SAMPLES: tuple[str, ...] = ("all", "no_capital", "no_small", "europe", "no_mex_tur_col")
SMALL_POPULATION = 5_000_000
MIDDLE_INCOME = ("MEX", "TUR", "COL")
VALUE = "gdp_per_head_usd_ppp2015"

# The autonomy measures the chapters estimate on (columns of autonomy.country_year()).
MAIN_MEASURES: tuple[str, ...] = (
    "rai_fiscal_autonomy", "rai_self_rule", "imf_tax_share", "imf_own_spending_share", "imf_vfi")

# Countries left out of a source, with the reason (checked against the data in the tests).
# In the Regional Outlook TL2 file, Belgium's "BE100" repeats Brussels (BE1): the same
# population every year and the same GDP per head from 2003 (BE100 is Brussels' TL3 code) and the Flemish Region (BE2) is absent: Belgium's regions
# there are Brussels and Wallonia only, so its disparity and relative productivity would be
# wrong. Belgium stays in the OECD.Stat panel, which has all three regions.
EXCLUDED: dict[str, dict[str, str]] = {
    "outlook": {"BEL": "BE100 duplicates Brussels (BE1); Flanders (BE2) is missing"},
    "oecd_stat": {},
}

SAMPLE_LABELS: dict[str, str] = {
    "all": "All regions",
    "no_capital": "Without capital regions",
    "no_small": "Without countries under 5 million people",
    "europe": "European countries only",
    "no_mex_tur_col": "Without Mexico, Türkiye, Colombia",
}


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, (int, np.integer)):
        return (int(x),)
    if isinstance(x, str):
        return (x,)
    return tuple(x)


# ----------------------------------------------------------------------------------------
# pure building blocks


def capital_flag(df: pd.DataFrame, region: str = "region", strict: bool = True) -> pd.Series:
    """Does the row's region contain its country's capital (TL2)? Nullable boolean Series.

    Uses `disparity.CAPITALS` (the mapping of each country's capital TL2 region is
    documented and hand-checked there). A country without a recorded capital raises
    KeyError when `strict`, else gets <NA> on all its rows (never a silent False).
    """
    codes = {}
    for iso in df["iso3"].unique():
        if iso in disparity.CAPITALS or strict:
            codes[iso] = disparity.capital_region(iso, "TL2")
    cap = df["iso3"].map(codes)
    flag = pd.Series(df[region].to_numpy() == cap.to_numpy(), index=df.index, dtype="boolean")
    flag[cap.isna().to_numpy()] = pd.NA
    return flag.rename("is_capital")


def restrict(regions: pd.DataFrame, sample: str = "all", europe: Iterable[str] | None = None,
             small_population: float = SMALL_POPULATION) -> pd.DataFrame:
    """The region rows of one sample restriction (see the module docstring)."""
    if sample not in SAMPLES:
        raise ValueError(f"unknown sample {sample!r}; choose from {SAMPLES}")
    if sample == "all":
        return regions
    if sample == "no_capital":  # countries without a recorded capital are dropped too
        flag = capital_flag(regions, strict=False)
        return regions.loc[(flag == False).fillna(False).to_numpy(bool)]  # noqa: E712
    if sample == "no_small":
        if "population" not in regions.columns or regions["population"].isna().all():
            raise ValueError("the no_small sample needs a population column")
        first = regions.dropna(subset=["population"]).groupby("iso3")["year"].transform("min")
        sub = regions.dropna(subset=["population"])
        pop = sub.loc[sub["year"] == first].groupby("iso3")["population"].sum()
        keep = pop.index[pop >= small_population]
        return regions.loc[regions["iso3"].isin(keep)]
    if sample == "europe":
        if europe is None:
            from .countries import EUROPE as europe
        return regions.loc[regions["iso3"].isin(set(europe))]
    return regions.loc[~regions["iso3"].isin(MIDDLE_INCOME)]


def lag_autonomy(autonomy: pd.DataFrame, lags: Sequence[int] | int = (1, 3),
                 measures: Sequence[str] | None = None) -> pd.DataFrame:
    """Country-year autonomy with `<measure>_lag<L>` columns, lagged within country by year
    value (a missing year gives NaN, never the previous available row)."""
    from .estimation import add_lags

    if autonomy.duplicated(["iso3", "year"]).any():
        raise ValueError("autonomy table has duplicate (iso3, year) rows")
    measures = list(measures) if measures is not None else [
        c for c in autonomy.columns if c not in ("iso3", "year")]
    lags = tuple(L for L in _as_tuple(lags) if L != 0)
    out = autonomy[["iso3", "year", *measures]].copy()
    if lags:
        out = add_lags(out, measures, lags, by="iso3", time="year")
    return out


def _relative(regions: pd.DataFrame, national: pd.DataFrame | None) -> pd.Series:
    """Region's GDP per head / country's GDP per head in the same year."""
    if national is not None:
        nat = national.set_index(["iso3", "year"])["national_gdp_per_head"]
    else:
        have = regions.dropna(subset=[VALUE, "population"])
        gdp = (have[VALUE] * have["population"]).groupby([have["iso3"], have["year"]]).sum()
        pop = have.groupby(["iso3", "year"])["population"].sum()
        nat = (gdp / pop).rename("national_gdp_per_head")
    key = pd.MultiIndex.from_frame(regions[["iso3", "year"]])
    return pd.Series(regions[VALUE].to_numpy() / nat.reindex(key).to_numpy(), index=regions.index)


def build_tl2_panel(regions: pd.DataFrame, autonomy: pd.DataFrame,
                    lags: Sequence[int] | int = (1, 3), sample: str = "all",
                    national: pd.DataFrame | None = None, measures: Sequence[str] | None = None,
                    europe: Iterable[str] | None = None,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Region-year panel from a tidy regions table and a country-year autonomy table.

    `regions`: iso3, region, region_name, year, gdp_per_head_usd_ppp2015, population
    (population may be NaN). `national` (optional): iso3, year, national_gdp_per_head; when
    absent the national value is the population-weighted mean of the regions (before any
    sample restriction, so relative productivity is always against the whole country).
    Raises ValueError on duplicate region-years.
    """
    need = ["iso3", "region", "year", VALUE]
    missing = [c for c in need if c not in regions.columns]
    if missing:
        raise KeyError(f"regions table lacks columns {missing}")
    if regions.duplicated(["region", "year"]).any():
        raise ValueError("regions table has duplicate (region, year) rows")
    df = regions.copy()
    if "population" not in df.columns:
        df["population"] = np.nan
    if "region_name" not in df.columns:
        df["region_name"] = df["region"]
    if years is not None:
        df = df.loc[df["year"].between(*years)]
    df = df.dropna(subset=[VALUE])
    if (df[VALUE] <= 0).any():
        raise ValueError("GDP per head must be positive")
    df["log_gdp_per_head"] = np.log(df[VALUE])
    df["rel_gdp_per_head"] = _relative(df, national)
    first = df.loc[df.groupby("region")["year"].idxmin(), ["region", "rel_gdp_per_head"]]
    df["initial_rel"] = df["region"].map(first.set_index("region")["rel_gdp_per_head"])
    df["log_initial_rel"] = np.log(df["initial_rel"])
    df["lagging"] = df["initial_rel"] < 1
    df["is_capital"] = capital_flag(df, strict=False)
    df = restrict(df, sample, europe=europe)
    aut = lag_autonomy(autonomy, lags, measures)
    out = df.merge(aut, on=["iso3", "year"], how="left", validate="many_to_one")
    cols = ["iso3", "region", "region_name", "year", VALUE, "population", "log_gdp_per_head",
            "rel_gdp_per_head", "initial_rel", "log_initial_rel", "lagging", "is_capital"]
    rest = [c for c in out.columns if c not in cols]
    return out[cols + rest].sort_values(["iso3", "region", "year"]).reset_index(drop=True)


def build_disparity_panel(regions: pd.DataFrame, autonomy: pd.DataFrame,
                          lags: Sequence[int] | int = (1, 3), sample: str = "all",
                          measures: Sequence[str] | None = None,
                          kinds: Iterable[str] = disparity.ALL,
                          weightings: Iterable[str] = disparity.WEIGHTINGS,
                          europe: Iterable[str] | None = None,
                          years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Country-year disparity panel (long in index and weighting) merged with autonomy.

    The sample restriction is applied to the regions *before* the indices are computed
    (so `no_capital` gives the disparity among the non-capital regions).
    """
    df = regions.copy()
    if years is not None:
        df = df.loc[df["year"].between(*years)]
    df = df.dropna(subset=[VALUE])
    weightings = tuple(weightings)
    if "population" not in df.columns or df["population"].isna().all():
        weightings = tuple(w for w in weightings if w != "population")
    df = restrict(df, sample, europe=europe)
    long = disparity.panel(df, value=VALUE, population="population", kinds=kinds,
                           weightings=weightings)
    long = long.dropna(subset=["value"])
    long["log_value"] = np.log(long["value"].where(long["value"] > 0))
    aut = lag_autonomy(autonomy, lags, measures)
    out = long.merge(aut, on=["iso3", "year"], how="left", validate="many_to_one")
    return out.sort_values(["index", "weighting", "iso3", "year"]).reset_index(drop=True)


# ----------------------------------------------------------------------------------------
# the real tables


def regions_table(source: str = "outlook", oecd_only: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(regions, national) for a source: the tidy TL2 table and, for OECD.Stat, the
    national (TL1) GDP per head of the same export.

    outlook    tables.tl2_outlook(): imputed and balanced, 29 countries, 2000–2020.
    oecd_stat  tables.oecd_stat_tl2(): raw, not imputed, 2005–2020, wider country set;
               population = GDP (USD million) × 10^6 / GDP per head, from the two exports.
               With `oecd_only` (default) only OECD members (`countries.OECD_MEMBERS`) are
               kept: the export also holds Brazil, China, India, Russia and others.
    """
    from . import tables

    if source == "outlook":
        t = tables.tl2_outlook()
        return t.loc[~t["iso3"].isin(EXCLUDED["outlook"])].reset_index(drop=True), None
    if source != "oecd_stat":
        raise ValueError(f"unknown source {source!r}; choose from {SOURCES}")
    pc = tables.oecd_stat_tl2("gdp_per_head")
    tl2 = pc.loc[pc["level"] == "TL2", ["iso3", "region", "region_name", "year", "value"]]
    tl2 = tl2.rename(columns={"value": VALUE}).dropna(subset=[VALUE])
    nat = pc.loc[pc["level"] == "TL1", ["iso3", "year", "value"]].dropna()
    nat = nat.rename(columns={"value": "national_gdp_per_head"})
    nat = nat.drop_duplicates(["iso3", "year"])
    try:
        gdp = tables.oecd_stat_tl2("gdp")
        gdp = gdp.loc[gdp["level"] == "TL2", ["region", "year", "value"]].rename(
            columns={"value": "gdp_musd"})
        tl2 = tl2.merge(gdp, on=["region", "year"], how="left", validate="one_to_one")
        tl2["population"] = tl2["gdp_musd"] * 1e6 / tl2[VALUE]
        tl2 = tl2.drop(columns="gdp_musd")
    except Exception:  # pragma: no cover - population is optional for this source
        tl2["population"] = np.nan
    # keep only countries with at least two TL2 regions (TL1 = TL2 countries add nothing)
    n = tl2.groupby("iso3")["region"].transform("nunique")
    tl2 = tl2.loc[(n >= 2) & ~tl2["iso3"].isin(EXCLUDED["oecd_stat"])]
    if oecd_only:
        from .countries import OECD_MEMBERS
        tl2 = tl2.loc[tl2["iso3"].isin(set(OECD_MEMBERS))]
    return tl2.reset_index(drop=True), nat.reset_index(drop=True)


def autonomy_table() -> pd.DataFrame:
    """Country-year autonomy measures (`autonomy.country_year()`)."""
    from . import autonomy

    return autonomy.country_year()


def tl2_panel(source: str = "outlook", lags: Sequence[int] | int = (1, 3), sample: str = "all",
              measures: Sequence[str] | None = None,
              years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Region-year TL2 panel of a source merged with autonomy (see the module docstring)."""
    regions, national = regions_table(source)
    return build_tl2_panel(regions, autonomy_table(), lags=lags, sample=sample,
                           national=national, measures=measures, years=years)


def disparity_panel(source: str = "outlook", lags: Sequence[int] | int = (1, 3),
                    sample: str = "all", measures: Sequence[str] | None = None,
                    kinds: Iterable[str] = disparity.ALL,
                    weightings: Iterable[str] = disparity.WEIGHTINGS,
                    years: tuple[int, int] | None = None) -> pd.DataFrame:
    """Country-year disparity panel of a source merged with autonomy."""
    regions, _ = regions_table(source)
    return build_disparity_panel(regions, autonomy_table(), lags=lags, sample=sample,
                                 measures=measures, kinds=kinds, weightings=weightings,
                                 years=years)
