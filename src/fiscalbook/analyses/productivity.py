"""Productivity, not output per resident: H2, H3 and H4 on GDP per worker and per hour.

    from fiscalbook.analyses import productivity as prod
    prod.headline()          # flat dict of the key numbers, for the verdict chapter

Sources (all through `fiscalbook.tables`): GDP per worker at place of work for unmerged TL3
and TL2 regions, 2019 and 2020 (OECD DF_GDP); GDP per worker in the upper and lower half of
each country's TL2 regions, 2001–2020 (Regional Outlook 2023 figure data); ONS GVA per hour
worked and per filled job for every ITL region.

Peer groups (fixed here, in code, before any rank was computed; see `peer_group`):
  * "oecd": every OECD member with data;
  * "large_rich": large high-income economies — OECD members with at least PEER_MIN_POP
    people and national GDP per head of at least PEER_MIN_GDPPC US dollars (constant 2015
    PPP), both in PEER_YEAR, from the DF_GDP country rows.
"""

from __future__ import annotations

import pandas as pd

from .. import tables
from ..countries import OECD_MEMBERS

UK = "GBR"
YEAR = 2019  # the last pre-pandemic year; the headline year of the book
PEER_YEAR = 2019
PEER_MIN_POP = 20_000_000
PEER_MIN_GDPPC = 35_000
PEER_GROUPS = {"oecd": "Every OECD member with data",
               "large_rich": "Large high-income OECD economies (≥ 20 million people, "
                             "GDP per head ≥ USD 35,000 at 2015 PPP, 2019)"}


def national(year: int = PEER_YEAR) -> pd.DataFrame:
    """OECD members' population and GDP per head (USD, constant 2015 PPP) in `year`."""
    g = tables.sdmx_gdp()
    c = g.loc[(g["level"] == "CTRY") & (g["year"] == year) & g["iso3"].isin(OECD_MEMBERS)]
    pop = c.loc[(c["measure"] == "POP") & (c["unit"] == "PS")].set_index("iso3")["value"]
    gdppc = c.loc[(c["measure"] == "GDP") & (c["unit"] == "USD_PPP_PS") & (c["prices"] == "Q")].set_index("iso3")["value"]
    return pd.DataFrame({"population": pop, "gdp_per_head": gdppc}).rename_axis("iso3").reset_index()


def peer_group(name: str = "large_rich", year: int = PEER_YEAR) -> frozenset[str]:
    """The countries of a peer group (the rule is in the module docstring)."""
    if name == "oecd":
        return frozenset(OECD_MEMBERS)
    if name != "large_rich":
        raise KeyError(f"unknown peer group {name!r}; choose from {sorted(PEER_GROUPS)}")
    n = national(year)
    ok = (n["population"] >= PEER_MIN_POP) & (n["gdp_per_head"] >= PEER_MIN_GDPPC)
    return frozenset(n.loc[ok, "iso3"])
