"""Country-year measures of sub-national autonomy, one column per measure.

    from fiscalbook import autonomy
    a = autonomy.country_year()          # every country any source covers
    a = autonomy.country_year(oecd_only=True)

Sources (all through ``fiscalbook.tables``, no raw reads):

* RAI v3 country scores (Hooghe, Marks et al.; 1950–2018): *regional* (intermediate)
  government's fiscal autonomy (0–4 per tier; summed over tiers), self-rule (0–18 per
  tier) and the overall RAI (0–30 per tier). Municipal government is not scored.
* IMF Fiscal Decentralization Dataset 2018 (1972–2017), sector SNG = sub-national
  government, i.e. state/regional (SG) plus local (LG) government together. For the
  share indicators SNG is, to rounding, SG + LG (431 of 460 country-years with both for
  taxd); for the ratios (vfi, transfer dependency) SNG is the ratio of the combined
  sub-national accounts, not a sum. Unitary countries have no SG rows, and there SNG = LG.
  Indicator meanings (IMF metadata):
  - taxd: sub-national taxes / general-government taxes. Shared taxes count as
    sub-national, so this is where tax is booked, not local power over rates and bases.
  - rd: sub-national own revenues / general-government revenues.
  - sd: sub-national own spending / general-government spending.
  - vfi: vertical fiscal imbalance, 1 − own revenue / own spending (negative when own
    revenue exceeds own spending).
  - transferDep1: net transfers / own spending ("method 1"; the one used here, as it
    has the same denominator as vfi: the two correlate at 0.93 for SNG).
    transferDep2 (net transfers / own revenue) explodes when own revenue is tiny
    (up to 48 for SNG) and is not used.
* Local Autonomy Index 1.0 (Ladner et al.; 39 European countries; 1990, 2000, 2010,
  2014): *municipal* autonomy, 0–100. Survey years only; never interpolated.

Columns of ``country_year()``: iso3, year, then the keys of ``MEASURES`` in order.
The table is an outer join on (iso3, year): a row exists where any source has a value.
"""

from __future__ import annotations

import pandas as pd

from . import tables
from .countries import OECD_MEMBERS

IMF_SECTOR = "SNG"

# measure -> IMF indicator code (sector SNG)
IMF_INDICATORS: dict[str, str] = {
    "imf_tax_share": "taxd",
    "imf_own_revenue_share": "rd",
    "imf_own_spending_share": "sd",
    "imf_vfi": "vfi",
    "imf_transfer_dependence": "transferDep1",
}

# measure -> RAI v3 column
RAI_COLUMNS: dict[str, str] = {
    "rai_fiscal_autonomy": "fiscal_autonomy",
    "rai_self_rule": "self_rule",
    "rai": "rai",
}

_RAI_YEARS = tuple(range(1950, 2019))
_IMF_YEARS = tuple(range(1972, 2018))
_RAI_SRC = "Regional Authority Index v3 (Hooghe, Marks et al., 2021), country scores"
_IMF_SRC = "IMF Fiscal Decentralization Dataset (2018), sub-national government (SNG)"

MEASURES: dict[str, dict] = {
    "rai_fiscal_autonomy": {
        "label": "RAI regional fiscal autonomy",
        "unit": "RAI points (0–4 per regional tier, summed over tiers)",
        "source": _RAI_SRC, "more_autonomy_when": "higher", "years": _RAI_YEARS},
    "rai_self_rule": {
        "label": "RAI regional self-rule",
        "unit": "RAI points (0–18 per regional tier, summed over tiers)",
        "source": _RAI_SRC, "more_autonomy_when": "higher", "years": _RAI_YEARS},
    "rai": {
        "label": "Regional Authority Index",
        "unit": "RAI points (0–30 per regional tier, summed over tiers)",
        "source": _RAI_SRC, "more_autonomy_when": "higher", "years": _RAI_YEARS},
    "imf_tax_share": {
        "label": "Sub-national share of general-government tax revenue",
        "unit": "share 0–1", "source": _IMF_SRC + ", taxd",
        "more_autonomy_when": "higher", "years": _IMF_YEARS},
    "imf_own_revenue_share": {
        "label": "Sub-national share of general-government own revenue",
        "unit": "share 0–1", "source": _IMF_SRC + ", rd",
        "more_autonomy_when": "higher", "years": _IMF_YEARS},
    "imf_own_spending_share": {
        "label": "Sub-national share of general-government own spending",
        "unit": "share 0–1", "source": _IMF_SRC + ", sd",
        "more_autonomy_when": "higher", "years": _IMF_YEARS},
    "imf_vfi": {
        "label": "Sub-national vertical fiscal imbalance (1 − own revenue / own spending)",
        "unit": "ratio (≤ 1; negative when own revenue exceeds own spending)",
        "source": _IMF_SRC + ", vfi",
        "more_autonomy_when": "lower", "years": _IMF_YEARS},
    "imf_transfer_dependence": {
        "label": "Sub-national transfer dependence (net transfers / own spending)",
        "unit": "ratio (mostly 0–1)", "source": _IMF_SRC + ", transferDep1",
        "more_autonomy_when": "lower", "years": _IMF_YEARS},
    "lai": {
        "label": "Local Autonomy Index (municipal)",
        "unit": "index 0–100",
        "source": "Local Autonomy Index 1.0 (Ladner, Keuffer & Baldersheim, 2015)",
        "more_autonomy_when": "higher", "years": (1990, 2000, 2010, 2014)},
}


def _rai() -> pd.DataFrame:
    r = tables.rai_country()
    return r[["iso3", "year", *RAI_COLUMNS.values()]].rename(columns={v: k for k, v in RAI_COLUMNS.items()})


def _imf() -> pd.DataFrame:
    d = tables.imf_decentralisation()
    d = d[(d["sector"] == IMF_SECTOR) & d["indicator"].isin(IMF_INDICATORS.values())]
    if d.duplicated(["iso3", "year", "indicator"]).any():
        raise ValueError("IMF table has duplicate (iso3, year, indicator) rows in sector SNG")
    wide = d.pivot(index=["iso3", "year"], columns="indicator", values="value")
    wide = wide.reindex(columns=list(IMF_INDICATORS.values()))
    wide.columns = list(IMF_INDICATORS)
    return wide.reset_index()


def _lai() -> pd.DataFrame:
    return tables.local_autonomy()[["iso3", "year", "lai"]]


def country_year(oecd_only: bool = False) -> pd.DataFrame:
    """iso3, year and one float column per measure in ``MEASURES`` (NaN where the source
    has no value). Outer join of RAI, IMF (SNG) and LAI on (iso3, year); unique keys,
    sorted. ``oecd_only`` keeps the 38 OECD members only."""
    out = _rai().merge(_imf(), on=["iso3", "year"], how="outer", validate="one_to_one")
    out = out.merge(_lai(), on=["iso3", "year"], how="outer", validate="one_to_one")
    out["iso3"] = out["iso3"].astype(str)
    out["year"] = out["year"].astype(int)
    out = out[["iso3", "year", *MEASURES]]
    for m in MEASURES:
        out[m] = out[m].astype(float)
    if oecd_only:
        out = out[out["iso3"].isin(OECD_MEMBERS)]
    if out.duplicated(["iso3", "year"]).any():
        raise ValueError("autonomy.country_year: duplicate (iso3, year) rows")
    return out.sort_values(["iso3", "year"]).reset_index(drop=True)
