"""Where the eleven Core Cities sit in the OECD Regional Outlook 2023 TL3/metro units.

The Regional Outlook's small-region panel (``tables.tl3_metro()``) merges the TL3 regions
of one functional urban area (FUA) into one unit with a code ending in ``M`` (``MC`` for
the capital), e.g. ``UK001MC`` = London. Where an FUA covers one TL3 region only, the unit
keeps its TL3 code (e.g. ``UKE32`` Sheffield). The panel does not list which TL3 regions
make up a merged unit. We reconstruct the UK's merged units here from two facts:

* the TL3 regions of the OECD territorial grid (``tables.uk_grid()``) that do *not* appear
  as units of their own in the panel must sit inside a merged unit; and
* their populations (``tables.sdmx_gdp()``, measure POP, 2019 and 2020) add up, to the
  person, to the population of exactly one merged unit in the panel.

``UK_MERGED_UNITS`` is the result, checked by ``cities.check_components`` and the tests
(population sums within cities.POP_TOL in 2019 and 2020; they are in fact
exact, while GDP sums differ by up to 3 % in 2019 because the two files are different
vintages). Two consequences are worth stating:

* "Liverpool" (``UK006M``) adds up only with **Angus and Dundee City** (``UKM71``), a
  Scottish region, besides Merseyside and Chorley & West Lancashire. Its
  population matches to the person in 2019 and 2020 (GDP within 0.2 %, where other units
  differ by up to 3 % between the two data vintages), so this is how the OECD built the unit, and
  almost certainly a coding slip (UKM71 next to the Merseyside code UKD71). Liverpool's
  figures in the panel are therefore blended with Dundee's (about 13 % of the unit's
  population). We keep the unit as published and say so.
* "Leicester" (``UK014M``) holds South Nottinghamshire (``UKF16``, Nottingham's suburbs),
  while "Nottingham" is the city's own TL3 region (``UKF14``) only.

Five of the components are non-metropolitan in the territorial grid's own typology
(Chorley & West Lancashire, Cheshire East, North Yorkshire CC, Central Hampshire, and Angus
and Dundee City): the merged units are broader than the grid's metro TL3 regions.

Belfast's unit adds up with the NUTS 2016 codes of Antrim & Newtownabbey and Lisburn &
Castlereagh, which have no rows in the 2019–2020 DF_GDP file: its population is
checked against the grid only by code, and no GDP per worker is computed for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CoreCity:
    city: str
    unit: str  # region code of the panel unit holding the city
    unit_name: str  # the unit's name in the panel (tests check it)
    kind: str  # "merged metro" (several TL3 regions) or "single TL3"
    components: tuple[str, ...]  # TL3 codes making up the unit (2019–2020 DF_GDP codes)
    per_worker: bool  # can GDP per worker be aggregated from DF_GDP TL3 rows?
    reason: str


CORE_CITIES: tuple[CoreCity, ...] = (
    CoreCity("Birmingham", "UK002M", "West Midlands urban area", "merged metro",
             ("UKG31", "UKG32", "UKG36", "UKG37", "UKG38", "UKG39"), True,
             "Birmingham with Solihull and the Black Country (Dudley, Sandwell, Walsall, "
             "Wolverhampton); Coventry and Warwickshire form a separate unit (UK025M)."),
    CoreCity("Bristol", "UK011M", "Bristol", "merged metro", ("UKK11", "UKK12"), True,
             "City of Bristol with Bath & North East Somerset, North Somerset and South "
             "Gloucestershire (the former Avon)."),
    CoreCity("Cardiff", "UK009M", "Cardiff", "merged metro", ("UKL22", "UKL15", "UKL16"), True,
             "Cardiff and Vale of Glamorgan with the Central and Gwent Valleys."),
    CoreCity("Glasgow", "UK004M", "Glasgow", "merged metro",
             ("UKM81", "UKM82", "UKM83", "UKM84", "UKM95"), True,
             "Glasgow City with the Dunbartonshires, Inverclyde & the Renfrewshires and "
             "North and South Lanarkshire."),
    CoreCity("Leeds", "UK003M", "Leeds", "merged metro", ("UKE42", "UKE45", "UKE22"), True,
             "Leeds and Wakefield with the whole of North Yorkshire CC; Bradford (UKE41) and "
             "Calderdale & Kirklees (UKE44) are units of their own."),
    CoreCity("Liverpool", "UK006M", "Liverpool", "merged metro",
             ("UKD71", "UKD72", "UKD73", "UKD74", "UKD47", "UKM71"), True,
             "Merseyside (East Merseyside, Liverpool, Sefton, Wirral) and Chorley & West "
             "Lancashire -- plus Angus and Dundee City (UKM71), which the populations "
             "require: an apparent OECD coding slip that blends Dundee into 'Liverpool'."),
    CoreCity("Manchester", "UK008M", "Manchester", "merged metro",
             ("UKD33", "UKD34", "UKD35", "UKD36", "UKD37", "UKD62", "UKF13"), True,
             "Greater Manchester's five TL3 regions with Cheshire East and South & West "
             "Derbyshire (High Peak)."),
    CoreCity("Newcastle", "UK013M", "Newcastle upon Tyne", "merged metro",
             ("UKC22", "UKC21"), True,
             "Tyneside with Northumberland; Sunderland (UKC23) is a unit of its own."),
    CoreCity("Nottingham", "UKF14", "Nottingham", "single TL3", ("UKF14",), True,
             "The city's own TL3 region only; its suburbs in South Nottinghamshire (UKF16) "
             "sit in the 'Leicester' unit (UK014M)."),
    CoreCity("Sheffield", "UKE32", "Sheffield", "single TL3", ("UKE32",), True,
             "The city's own TL3 region only; Barnsley, Doncaster & Rotherham (UKE31) is a "
             "separate metro unit."),
    CoreCity("Belfast", "UK012M", "Belfast", "merged metro",
             ("UKN06", "UKN09", "UKN0D", "UKN0E"), False,
             "Belfast with Ards & North Down, Antrim & Newtownabbey and Lisburn & "
             "Castlereagh; the last two have no DF_GDP rows, so no GDP per worker."),
)


# Every merged UK unit of the panel and its TL3 regions (reconstructed as described above).
UK_MERGED_UNITS: dict[str, tuple[str, ...]] = {
    c.unit: c.components for c in CORE_CITIES if c.kind == "merged metro"
} | {
    "UK001MC": ("UKI31", "UKI32", "UKI33", "UKI34", "UKI41", "UKI42", "UKI43", "UKI44",
                "UKI45", "UKI51", "UKI52", "UKI53", "UKI54", "UKI61", "UKI62", "UKI63",
                "UKI71", "UKI72", "UKI73", "UKI74", "UKI75", "UKH23", "UKH31", "UKH32",
                "UKH35", "UKH36", "UKH37", "UKJ11", "UKJ25", "UKJ26", "UKJ43", "UKJ46"),
    "UK007M": ("UKM75", "UKM73", "UKM78"),
    "UK014M": ("UKF21", "UKF22", "UKF16"),
    "UK023M": ("UKJ31", "UKJ35"),
    "UK025M": ("UKG33", "UKG13"),
    "UK026M": ("UKE11", "UKE12"),
    "UK027M": ("UKG23", "UKG24"),
    "UK517M": ("UKL18", "UKL17"),
    "UK520M": ("UKJ32", "UKJ36"),
    "UK553M": ("UKD41", "UKD42", "UKD45"),
    "UK559M": ("UKC11", "UKC12"),
    "UK568M": ("UKD63", "UKL23"),
}


def core_city_units() -> dict[str, str]:
    """City -> panel unit code."""
    return {c.city: c.unit for c in CORE_CITIES}


def table():
    """The mapping as a DataFrame for the chapter."""
    import pandas as pd

    return pd.DataFrame([{"city": c.city, "unit": c.unit, "unit_name": c.unit_name,
                          "kind": c.kind, "tl3_regions": ", ".join(c.components),
                          "per_worker": c.per_worker, "reason": c.reason}
                         for c in CORE_CITIES])
