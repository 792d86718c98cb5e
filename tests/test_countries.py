"""Country-code helpers: aliases, source-specific codes, OECD membership sets."""

import pytest

from fiscalbook import countries as c


@pytest.mark.parametrize("given, iso3", [
    ("GBR", "GBR"), ("gb", "GBR"), ("United Kingdom", "GBR"),
    ("Turkey", "TUR"), ("Türkiye", "TUR"), ("Korea", "KOR"), ("Korea, Republic of", "KOR"),
    ("Slovak Republic", "SVK"), ("Czech Republic", "CZE"), ("Russian Federation", "RUS"),
    ("GER", "DEU"), ("JAP", "JPN"), ("SWI", "CHE"), ("ROM", "ROU"), ("INO", "IDN"),
    ("MLY", "MYS"), ("SAM", "SCG"), ("TAW", "TWN"), ("KOS", "XKX"),
    ("Macedonia, FYR", "MKD"), ("China, P.R.: Mainland", "CHN"), ("Kyrgyz Republic", "KGZ"),
    ("Iran, Islamic Republic of", "IRN"), ("Armenia, Republic of", "ARM"),
    ("Serbia, Republic of", "SRB"), ("Afghanistan, Islamic Republic of", "AFG"),
])
def test_to_iso3(given, iso3):
    assert c.to_iso3(given) == iso3


def test_source_specific_code_only_with_source():
    assert c.to_iso3("MDV") == "MDV"  # Maldives in ISO
    assert c.to_iso3("MDV", source="lai") == "MDA"  # Moldova in the LAI
    assert c.to_iso3("ROM", source="lai") == "ROU"
    assert c.to_iso3("AUT", source="lai") == "AUT"


@pytest.mark.parametrize("bad", ["Atlantis", "ZZZ", "", "  ", None, 42])
def test_unknown_raises_keyerror(bad):
    with pytest.raises(KeyError):
        c.to_iso3(bad)


def test_unknown_source_raises():
    with pytest.raises(KeyError, match="source"):
        c.to_iso3("AUT", source="nope")


def test_name():
    assert c.name("GBR") == "United Kingdom"
    assert c.name("XKX") == "Kosovo"
    with pytest.raises(KeyError):
        c.name("ZZZ")


def test_oecd_members():
    assert len(c.OECD_MEMBERS) == 38
    assert {"CRI", "COL", "LTU", "GBR", "TUR", "KOR"} <= c.OECD_MEMBERS
    assert not {"RUS", "CHN", "ROU", "BGR"} & c.OECD_MEMBERS
    for iso3 in c.OECD_MEMBERS:  # every member is a real ISO code
        assert c.to_iso3(iso3) == iso3


def test_europe():
    assert c.EUROPE <= c.OECD_MEMBERS
    assert len(c.EUROPE) == 27
    assert {"GBR", "DEU", "NOR", "CHE", "ISL", "TUR"} <= c.EUROPE
    assert not {"ISR", "USA", "JPN", "AUS", "CAN"} & c.EUROPE
