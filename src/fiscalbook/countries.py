"""Country codes: ISO 3166-1 alpha-3 from the names and home-made codes of the sources.

``to_iso3`` accepts an ISO alpha-2/alpha-3 code, an English name, or one of the
source-specific codes listed in ``ALIASES`` (pycountry underneath; pycountry fails on
e.g. "Turkey", and the RAI and LAI use some non-ISO codes). Codes that are valid ISO
for another country are only translated when the caller names the source:

    to_iso3("MDV")              -> "MDV"  (Maldives, ISO)
    to_iso3("MDV", source="lai") -> "MDA"  (the LAI writes MDV for Moldova)

Non-ISO entities kept as they are: Kosovo is ``XKX`` (the user-assigned code used by the
EU and the IMF), Serbia and Montenegro (1992–2006) is ``SCG`` (its withdrawn ISO code).
Unknown input raises ``KeyError`` naming it.
"""

from __future__ import annotations

import pycountry

# Names and codes pycountry does not resolve (or resolves wrongly); upper-cased keys.
ALIASES: dict[str, str] = {
    # names
    "TURKEY": "TUR", "TÜRKIYE": "TUR", "TURKIYE": "TUR",
    "KOREA": "KOR", "SOUTH KOREA": "KOR", "KOREA, REPUBLIC OF": "KOR", "REPUBLIC OF KOREA": "KOR",
    "SLOVAK REPUBLIC": "SVK", "SLOVAKIA": "SVK",
    "CZECH REPUBLIC": "CZE", "CZECHIA": "CZE",
    "RUSSIA": "RUS", "RUSSIAN FEDERATION": "RUS",
    "UNITED STATES": "USA", "UNITED KINGDOM": "GBR", "TAIWAN": "TWN",
    "MACEDONIA": "MKD", "MACEDONIA, FYR": "MKD", "NORTH MACEDONIA": "MKD",
    "MOLDOVA": "MDA", "KYRGYZ REPUBLIC": "KGZ", "IRAN": "IRN",
    "CHINA, P.R.: MAINLAND": "CHN", "CHINA": "CHN",
    "KOSOVO": "XKX", "SERBIA AND MONTENEGRO": "SCG",
    # non-ISO codes of the RAI (v2 regional, v3 country)
    "GER": "DEU", "JAP": "JPN", "SWI": "CHE", "ROM": "ROU", "SAM": "SCG", "INO": "IDN",
    "MLY": "MYS", "TAW": "TWN", "KOS": "XKX", "SCG": "SCG", "XKX": "XKX",
}

# Codes that are ISO for one country but mean another in one source.
SOURCE_ALIASES: dict[str, dict[str, str]] = {
    "lai": {"MDV": "MDA"},  # LAI: Moldova (ISO MDV is the Maldives)
}

_NAMES_EXTRA = {"XKX": "Kosovo", "SCG": "Serbia and Montenegro", "TWN": "Taiwan"}

# The 38 OECD member countries (membership as of 2021, Costa Rica the latest).
OECD_MEMBERS: frozenset[str] = frozenset({
    "AUS", "AUT", "BEL", "CAN", "CHL", "COL", "CRI", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
    "GRC", "HUN", "ISL", "IRL", "ISR", "ITA", "JPN", "KOR", "LVA", "LTU", "LUX", "MEX", "NLD",
    "NZL", "NOR", "POL", "PRT", "SVK", "SVN", "ESP", "SWE", "CHE", "TUR", "GBR", "USA",
})

# OECD members in Europe (geographic: Turkey in, Israel out; 27 countries).
EUROPE: frozenset[str] = frozenset({
    "AUT", "BEL", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "ISL", "IRL", "ITA",
    "LVA", "LTU", "LUX", "NLD", "NOR", "POL", "PRT", "SVK", "SVN", "ESP", "SWE", "CHE", "GBR",
    "TUR",
})


def to_iso3(code_or_name: str, source: str | None = None) -> str:
    """ISO 3166-1 alpha-3 code for a code or English name; KeyError if unknown.

    ``source`` ("lai", ...) applies that source's own codes first (see SOURCE_ALIASES).
    """
    if not isinstance(code_or_name, str) or not code_or_name.strip():
        raise KeyError(f"Not a country code or name: {code_or_name!r}")
    key = code_or_name.strip()
    up = key.upper()
    if source is not None:
        if source not in SOURCE_ALIASES:
            raise KeyError(f"Unknown source {source!r}; known: {sorted(SOURCE_ALIASES)}")
        if up in SOURCE_ALIASES[source]:
            return SOURCE_ALIASES[source][up]
    if up in ALIASES:
        return ALIASES[up]
    hit = None
    if len(up) == 3 and up.isalpha():
        hit = pycountry.countries.get(alpha_3=up)
    elif len(up) == 2 and up.isalpha():
        hit = pycountry.countries.get(alpha_2=up)
    if hit is None:
        for attr in ("name", "official_name", "common_name"):
            hit = pycountry.countries.get(**{attr: key})
            if hit is not None:
                break
    if hit is None and "," in key:  # IMF style "Armenia, Republic of", "Iran, Islamic Republic of"
        try:
            hit = pycountry.countries.get(name=key) or pycountry.countries.lookup(key)
        except LookupError:
            hit = None
        if hit is None:
            head = key.split(",")[0].strip()
            for attr in ("name", "common_name"):
                hit = pycountry.countries.get(**{attr: head})
                if hit is not None:
                    break
    if hit is None:
        raise KeyError(f"Unknown country code or name: {code_or_name!r} (add it to "
                       "fiscalbook.countries.ALIASES if it is a real country)")
    return hit.alpha_3


def name(iso3: str) -> str:
    """English short name of an ISO3 code (pycountry's common name where it has one)."""
    if iso3 in _NAMES_EXTRA:
        return _NAMES_EXTRA[iso3]
    hit = pycountry.countries.get(alpha_3=iso3)
    if hit is None:
        raise KeyError(f"Unknown ISO3 code: {iso3!r}")
    return getattr(hit, "common_name", None) or hit.name
