"""Readers of the non-OECD sources: RAI, IMF FDD, LAI, ONS, RegIneq.

Fixtures are synthetic files written in tmp_path with the real layouts; snapshot tests
read the real files through fiscalbook.fetch.resolve.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from fiscalbook import countries
from fiscalbook.readers._validate import SourceFormatError

# ---------------------------------------------------------------- RAI country (v3)
from fiscalbook.readers import rai

RAI_HEADER = ",".join(rai.COUNTRY_HEADER)


def _rai_row(code, name, year, fa=0.5, rep=2.0, rep2=None, law=0.3, law2=None):
    rep2 = rep if rep2 is None else rep2
    law2 = law if law2 is None else law2
    inst, pol, ba = 1.0, 1.5, 0.25
    sr = inst + pol + fa + ba + rep
    ec, fc, bc, co = 0.1, 0.2, 0.0, 0.4
    sh = law + ec + fc + bc + co
    vals = [200, 826, 41, name, code, year, inst, pol, fa, ba, rep, law, ec, fc, bc, co,
            round(sr, 2), round(sh, 2), round(sr + sh, 2), "", rep2, 1.0, rep - 1.0, law2,
            law2, 0, 0, 0, 0, 0]
    return ",".join(str(v) for v in vals)


def _write(tmp_path, name, lines, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return p


@pytest.fixture
def rai_country_csv(tmp_path):
    return _write(tmp_path, "rai_country.csv", [
        RAI_HEADER, _rai_row("GBR", "United Kingdom", 2017, fa=0.89),
        _rai_row("GBR", "United Kingdom", 2018, fa=1.01), _rai_row("GER", "Germany", 2018, fa=4.0),
        _rai_row("TAW", "Taiwan", 2018)])


def test_rai_country_values(rai_country_csv):
    d = rai.read_country(rai_country_csv)
    assert list(d.columns[:3]) == ["iso3", "country", "year"]
    assert {"fiscal_autonomy", "borrowing_autonomy", "fiscal_control", "borrowing_control",
            "self_rule", "shared_rule", "rai", "representation", "lawmaking"} <= set(d.columns)
    assert d["iso3"].tolist() == ["GBR", "GBR", "DEU", "TWN"]
    row = d[(d.iso3 == "GBR") & (d.year == 2018)].iloc[0]
    assert row.fiscal_autonomy == pytest.approx(1.01)
    assert row.self_rule == pytest.approx(1.0 + 1.5 + 1.01 + 0.25 + 2.0, abs=0.01)
    assert row.rai == pytest.approx(row.self_rule + row.shared_rule, abs=0.01)
    assert d["year"].dtype == np.int64


def test_rai_country_keeps_first_copy_of_repeated_columns(tmp_path):
    p = _write(tmp_path, "r.csv", [RAI_HEADER, _rai_row("GBR", "United Kingdom", 2018, rep=3.0, rep2=3.2,
                                                      law=0.31, law2=0.30)])
    d = rai.read_country(p)
    assert d.loc[0, "representation"] == 3.0 and d.loc[0, "lawmaking"] == 0.31


def test_rai_country_repeated_columns_disagree(tmp_path):
    p = _write(tmp_path, "r.csv", [RAI_HEADER, _rai_row("GBR", "United Kingdom", 2018, rep=3.0, rep2=1.0)])
    with pytest.raises(SourceFormatError, match="n_representation"):
        rai.read_country(p)


@pytest.mark.parametrize("fault, lines, match", [
    ("duplicate key", [RAI_HEADER, _rai_row("GBR", "UK", 2018), _rai_row("GBR", "UK", 2018)], "unique|duplicate"),
    ("alias duplicate", [RAI_HEADER, _rai_row("DEU", "Germany", 2018), _rai_row("GER", "Germany", 2018)], "unique|duplicate"),
    ("impossible fiscal autonomy", [RAI_HEADER, _rai_row("GBR", "UK", 2018, fa=13.0)], "fiscal_autonomy"),
    ("negative", [RAI_HEADER, _rai_row("GBR", "UK", 2018, fa=-1.0)], "fiscal_autonomy"),
    ("unknown country", [RAI_HEADER, _rai_row("QQQ", "Atlantis", 2018)], "QQQ"),
    ("missing column", [RAI_HEADER.replace("n_fiscalautonomy,", ""), _rai_row("GBR", "UK", 2018)], "n_fiscalautonomy"),
    ("truncated", [RAI_HEADER, _rai_row("GBR", "UK", 2018), _rai_row("GBR", "UK", 2017)[:60]], "truncated|missing|non-numeric"),
    ("text in numbers", [RAI_HEADER, _rai_row("GBR", "UK", 2018).replace(",0.5,", ",n/a,", 1)], "non-numeric"),
    ("bad year", [RAI_HEADER, _rai_row("GBR", "UK", "20x8")], "year"),
    ("header only", [RAI_HEADER], "no rows"),
])
def test_rai_country_bad_input(tmp_path, fault, lines, match):
    p = _write(tmp_path, "bad.csv", lines)
    with pytest.raises(SourceFormatError, match=match) as err:
        rai.read_country(p)
    assert "bad.csv" in str(err.value)


def test_rai_country_wrong_encoding(tmp_path):
    p = _write(tmp_path, "bad.csv", [RAI_HEADER, _rai_row("CHE", "Schwëiz", 2018)], encoding="latin-1")
    with pytest.raises(SourceFormatError, match="utf-8"):
        rai.read_country(p)


def test_rai_country_malformed(tmp_path):
    p = _write(tmp_path, "bad.csv", [RAI_HEADER, _rai_row("GBR", "UK", 2018) + ",1,2,3"])
    with pytest.raises(SourceFormatError):
        rai.read_country(p)


@pytest.mark.snapshot
def test_rai_country_snapshot():
    from fiscalbook.fetch import resolve
    t = time.perf_counter()
    d = rai.read_country(resolve("rai_country"))
    print(f"rai_country load {time.perf_counter() - t:.2f} s")
    # The README and catalog say 98 countries; the file holds 96 country codes.
    assert d["iso3"].nunique() == 96
    assert (d["year"].min(), d["year"].max()) == (1950, 2018)
    assert countries.OECD_MEMBERS <= set(d["iso3"])
    assert not d.duplicated(["iso3", "year"]).any()
    # The kept copies are the dimensions: self-rule = sum of its five dimensions in
    # (almost) every row, and representation = assembly + executive.
    sr = d[["institutional_depth", "policy_scope", "fiscal_autonomy", "borrowing_autonomy",
            "representation"]].sum(axis=1)
    assert ((sr - d["self_rule"]).abs() <= 0.015).mean() > 0.95
    assert ((d["self_rule"] + d["shared_rule"] - d["rai"]).abs() <= 0.015).mean() > 0.99
    uk = d[(d.iso3 == "GBR")].set_index("year")
    assert uk.loc[2018, "fiscal_autonomy"] == pytest.approx(1.01)
    assert uk.loc[2018, "rai"] == pytest.approx(9.59)


# ---------------------------------------------------------------- IMF FDD
from fiscalbook.readers import imf

IMF_HEAD = '"Country Name","Country Code","Indicator Name","Indicator Code","Sector Name","Sector Code",Attribute,2015,2016,2017,'


def _imf_row(country, code, ind, sector, vals, name="Tax revenue decentralization"):
    cells = ",".join(f'"{v}"' if v != "" else "" for v in vals)
    return f'"{country}","{code}","{name}","{ind}","Sector","{sector}","Value",{cells},'


def _imf_file(tmp_path, rows, head=IMF_HEAD, encoding="utf-8-sig", name="fd.csv"):
    return _write(tmp_path, name, [head, *rows], encoding=encoding)


@pytest.fixture
def imf_csv(tmp_path):
    return _imf_file(tmp_path, [
        _imf_row("United Kingdom", "112", "taxd", "SNG", ["0.059", "0.0589", "0.0583"]),
        _imf_row("United Kingdom", "112", "vfi", "SNG", ["", "0.72", "0.71"], name="Vertical Fiscal Imbalance"),
        _imf_row("Korea, Republic of", "542", "vfi", "SNG", ["-0.2", "", ""], name="Vertical Fiscal Imbalance"),
        _imf_row("Turkey", "186", "transferDep2", "LG", ["12.5", "", ""], name="Transfer dependency method 2"),
        _imf_row("Kyrgyz Republic", "917", "rd", "CG", ["1", "", ""], name="Revenue decentralization"),
    ])


def test_imf_values(imf_csv):
    d = imf.read_fiscal_decentralisation(imf_csv)
    assert list(d.columns) == ["iso3", "country", "imf_code", "year", "indicator", "indicator_name", "sector", "value"]
    assert len(d) == 3 + 2 + 1 + 1 + 1  # empty cells dropped
    uk = d[(d.iso3 == "GBR") & (d.indicator == "taxd")].set_index("year")["value"]
    assert uk.to_dict() == {2015: 0.059, 2016: 0.0589, 2017: 0.0583}
    assert set(d.iso3) == {"GBR", "KOR", "TUR", "KGZ"}
    assert d.loc[d.iso3 == "KOR", "value"].item() == -0.2  # negative vfi is legitimate
    assert d.loc[d.iso3 == "TUR", "value"].item() == 12.5  # transferDep2 is not a share
    assert d.loc[d.iso3 == "GBR", "imf_code"].unique().tolist() == ["112"]


@pytest.mark.parametrize("fault, rows, match", [
    ("share above one", [_imf_row("United Kingdom", "112", "taxd", "SNG", ["1.2", "", ""])], "taxd_rd_sd"),
    ("negative share", [_imf_row("United Kingdom", "112", "sd", "SNG", ["-0.1", "", ""])], "taxd_rd_sd"),
    ("vfi above one", [_imf_row("United Kingdom", "112", "vfi", "SNG", ["1.5", "", ""])], "vfi"),
    ("bad sector", [_imf_row("United Kingdom", "112", "taxd", "XX", ["0.1", "", ""])], "sector"),
    ("duplicate key", [_imf_row("United Kingdom", "112", "taxd", "SNG", ["0.1", "", ""]),
                       _imf_row("United Kingdom", "112", "taxd", "SNG", ["0.1", "", ""])], "unique|duplicate"),
    ("two codes one country", [_imf_row("United Kingdom", "112", "taxd", "SNG", ["0.1", "", ""]),
                               _imf_row("United Kingdom", "113", "rd", "SNG", ["0.1", "", ""])], "one_imf_code"),
    ("unknown country", [_imf_row("Atlantis", "999", "taxd", "SNG", ["0.1", "", ""])], "Atlantis"),
    ("text value", [_imf_row("United Kingdom", "112", "taxd", "SNG", ["n.a.", "", ""])], "non-numeric"),
    ("truncated", [_imf_row("United Kingdom", "112", "taxd", "SNG", ["0.1", "", ""]), '"United Kingdom","112","Tax'],
     "Attribute|empty|malformed"),
])
def test_imf_bad_input(tmp_path, fault, rows, match):
    p = _imf_file(tmp_path, rows, name="bad.csv")
    with pytest.raises(SourceFormatError, match=match) as err:
        imf.read_fiscal_decentralisation(p)
    assert "bad.csv" in str(err.value)


def test_imf_missing_column(tmp_path):
    p = _imf_file(tmp_path, [_imf_row("United Kingdom", "112", "taxd", "SNG", ["0.1", "", ""])],
                  head=IMF_HEAD.replace('"Sector Code",', '"Sektor",'))
    with pytest.raises(SourceFormatError, match="Sector Code"):
        imf.read_fiscal_decentralisation(p)


def test_imf_wrong_encoding(tmp_path):
    p = _imf_file(tmp_path, [_imf_row("Türkiye", "186", "taxd", "SNG", ["0.1", "", ""])], encoding="utf-16")
    with pytest.raises(SourceFormatError, match="utf-8"):
        imf.read_fiscal_decentralisation(p)


def test_imf_metadata(tmp_path):
    head = '"Dataset Name","Dataset Code","Country Name","Country Code","Indicator Name","Indicator Code","Sector Name","Sector Code","Metadata Attribute","Metadata Value","Frequency"'
    rows = ['"FD","FD","","","","","","","Geographic Coverage","75 economies",""',
            '"FD","FD","United Kingdom","112","","","","","Country SDMX Code","GB",""',
            '"FD","FD","","","Vertical Fiscal Imbalance","vfi","","","Indicator Name","Vertical Fiscal Imbalance (1- ratio of own revenue to own spending)",""',
            '"FD","FD","","","","","Subnational Government","SNG","Sector SDMX Code","1C_SNG",""']
    m = imf.read_metadata(_write(tmp_path, "meta.csv", [head, *rows], encoding="utf-8-sig"))
    assert m["level"].tolist() == ["dataset", "country", "indicator", "sector"]
    assert m.set_index(["level", "code", "attribute"]).loc[("country", "112", "Country SDMX Code"), "value"] == "GB"
    with pytest.raises(SourceFormatError, match="unique|duplicate"):
        imf.read_metadata(_write(tmp_path, "meta2.csv", [head, rows[1], rows[1]], encoding="utf-8-sig"))


@pytest.mark.snapshot
def test_imf_snapshot():
    from fiscalbook.fetch import resolve
    d = imf.read_fiscal_decentralisation(resolve("imf_fd"))
    m = imf.read_metadata(resolve("imf_fd_metadata"))
    assert d["iso3"].nunique() == 75
    assert (d["year"].min(), d["year"].max()) == (1972, 2017)
    assert countries.OECD_MEMBERS - set(d["iso3"]) == {"MEX"}
    # every country name maps to the ISO code whose alpha-2 is the IMF's SDMX code
    import pycountry
    sdmx = m[(m.level == "country") & (m.attribute == "Country SDMX Code")].set_index("code")["value"]
    pairs = d[["imf_code", "iso3"]].drop_duplicates()
    assert len(pairs) == 75
    for code, iso3 in pairs.itertuples(index=False):
        assert pycountry.countries.get(alpha_3=iso3).alpha_2 == sdmx[code]
    # measured ranges documented in the module
    vfi = d[d.indicator == "vfi"]["value"]
    assert vfi.max() <= 1 and vfi.min() < 0
    assert d[d.indicator == "transferDep1"]["value"].max() > 1
    assert set(d["sector"]) == {"CG", "SG", "LG", "SNG"}


# ---------------------------------------------------------------- LAI
from fiscalbook.readers import lai

LAI_HEAD = "country_name,country_code,municipalities_no_2014,D_LAI_1990,D_LAI_2000,D_LAI_2010,D_LAI_2014,D_LAI_changes_1990_2014"
LAI_ROWS = ["United Kingdom,GBR,433,45.89,45.87,44.72,44.71,-1.18",
            "Moldova,MDV,898,15.83,33.22,31.74,34.51,18.68",
            "Romania,ROM,3181,28.07,50.41,55.98,56.7,28.63"]


def test_lai_values(tmp_path):
    d = lai.read_lai(_write(tmp_path, "lai.csv", [LAI_HEAD, *LAI_ROWS]))
    assert list(d.columns) == ["iso3", "country", "year", "lai"]
    assert sorted(d.iso3.unique()) == ["GBR", "MDA", "ROU"]
    assert len(d) == 12
    uk = d[d.iso3 == "GBR"].set_index("year")["lai"].to_dict()
    assert uk == {1990: 45.89, 2000: 45.87, 2010: 44.72, 2014: 44.71}


@pytest.mark.parametrize("fault, lines, match", [
    ("above 100", [LAI_HEAD, "United Kingdom,GBR,433,45.89,145.87,44.72,44.71,-1.18"], "in_range|lai"),
    ("negative", [LAI_HEAD, "United Kingdom,GBR,433,-45.89,45.87,44.72,-44.71,1.18"], "in_range|lai"),
    ("duplicate", [LAI_HEAD, LAI_ROWS[0], LAI_ROWS[0]], "unique|duplicate"),
    ("alias duplicate", [LAI_HEAD, LAI_ROWS[2], "Romania,ROU,3181,28.07,50.41,55.98,56.7,28.63"], "unique|duplicate"),
    ("missing column", [LAI_HEAD.replace(",D_LAI_2010", ""), "United Kingdom,GBR,433,45.89,45.87,44.71,-1.18"], "D_LAI_2010"),
    ("truncated", [LAI_HEAD, LAI_ROWS[0], "Moldova,MDV,898,15.83"], "missing or non-numeric|truncated"),
    ("change inconsistent", [LAI_HEAD, "United Kingdom,GBR,433,45.89,45.87,44.72,44.71,3.0"], "changes"),
    ("unknown code", [LAI_HEAD, "Atlantis,ATL,1,1,1,1,1,0"], "ATL"),
    ("malformed", [LAI_HEAD, LAI_ROWS[0] + ",1,2"], "malformed|column"),
    ("empty", [LAI_HEAD], "no rows"),
])
def test_lai_bad_input(tmp_path, fault, lines, match):
    with pytest.raises(SourceFormatError, match=match) as err:
        lai.read_lai(_write(tmp_path, "bad.csv", lines))
    assert "bad.csv" in str(err.value)


def test_lai_wrong_encoding(tmp_path):
    p = _write(tmp_path, "bad.csv", [LAI_HEAD, "Türkiye,TUR,1411,37.43,37.34,37.2,36.91,-0.52"], encoding="latin-1")
    with pytest.raises(SourceFormatError, match="utf-8"):
        lai.read_lai(p)


@pytest.mark.snapshot
def test_lai_snapshot():
    from fiscalbook.fetch import resolve
    d = lai.read_lai(resolve("lai"))
    assert d["iso3"].nunique() == 39
    assert sorted(d["year"].unique()) == [1990, 2000, 2010, 2014]
    assert "MDA" in set(d.iso3) and "MDV" not in set(d.iso3) and "ROU" in set(d.iso3)
    assert d.set_index(["iso3", "year"]).loc[("GBR", 2014), "lai"] == 44.71


# ---------------------------------------------------------------- ONS
from fiscalbook.readers import ons

ONS_ROWS = [("UK", "UKX", "UK less Extra-Regio"), ("Other", "TLB", "England"), ("ITL1", "TLC", "North East"),
            ("ITL2", "TLC1", "Tees Valley and Durham"), ("ITL3", "TLC11", "Hartlepool and Stockton-on-Tees"),
            ("ITL1", "TLI", "London"), ("ITL3", "TLI31", "Camden and City of London")]


def _ons_xlsx(tmp_path, sheets, layout, name="ons.xlsx", mutate=None):
    """Workbook with every sheet of `sheets` in the ONS layout ('productivity': years above
    the header row; 'gdp': years in it). Values: 100*level + year offset + row number."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    first = wb.create_sheet("Contents")
    first.append(["Contents"])
    years = [2019, 2020]
    for k, (sheet, (measure, words)) in enumerate(sheets.items()):
        ws = wb.create_sheet(sheet)
        ws.append([" ".join(words) + " synthetic"])
        ws.append(["Including ITL1"])
        if layout == "productivity":
            ws.append([None, None, None, *years])
            ws.append(["ITL level", "ITL code", "Region name", "unit", "unit"])
        else:
            ws.append(["ITL", "ITL code", "Region name", *[str(y) for y in years]])
        for i, (lvl, code, nm) in enumerate(ONS_ROWS):
            ws.append([lvl, code, nm, *[float(k * 1000 + i * 10 + j + 1) for j in range(len(years))]])
        ws.append([None])
        ws.append(["Source: synthetic"])
    if mutate:
        mutate(wb)
    p = tmp_path / name
    wb.save(p)
    return p


def test_oecd_region_prefix_swap():
    assert ons.oecd_region("TLC") == "UKC"
    assert ons.oecd_region("TLI") == "UKI"
    assert ons.oecd_region("TLI3") == "UKI3"
    assert ons.oecd_region("TLM77") == "UKM77"
    assert ons.oecd_region("UK") == "UK"
    for bad in ("UKC", "XX", "TL", "TLC1234"):
        with pytest.raises(KeyError):
            ons.oecd_region(bad)


def test_ons_productivity_fixture(tmp_path):
    d = ons.read_itl_productivity(_ons_xlsx(tmp_path, ons.PRODUCTIVITY_SHEETS, "productivity"))
    assert list(d.columns) == ["itl_code", "oecd_region", "region_name", "itl_level", "year", "measure", "value"]
    assert "TLB" not in set(d.itl_code)  # England dropped
    assert set(d.itl_level) == {0, 1, 2, 3}
    assert len(d) == 12 * 6 * 2
    lon = d[(d.itl_code == "TLI31") & (d.measure == "gva_per_hour_cp_index_uk100") & (d.year == 2020)]
    assert lon.oecd_region.item() == "UKI31" and lon.itl_level.item() == 3
    assert lon.value.item() == 1000 + 60 + 2  # sheet A2 is the 2nd, row 6, year 2
    assert d[d.itl_code == "TLC1"].oecd_region.unique().tolist() == ["UKC1"]


def test_ons_gdp_fixture(tmp_path):
    d = ons.read_regional_gdp(_ons_xlsx(tmp_path, ons.GDP_SHEETS, "gdp"))
    assert set(d.measure) == {m for m, _ in ons.GDP_SHEETS.values()}
    v = d[(d.itl_code == "TLC") & (d.measure == "population") & (d.year == 2019)].value.item()
    assert v == 5 * 1000 + 20 + 1  # Table 6


def _bad_value(wb):
    wb["A3"]["D7"] = "[x]"


def _blank_value(wb):
    wb["B1"]["E8"] = None


def _dup_row(wb):
    wb["A1"]["B7"] = "UKX"


def _swap_titles(wb):
    wb["A1"]["A1"], wb["A3"]["A1"] = wb["A3"]["A1"].value, wb["A1"]["A1"].value


def _negative(wb):
    wb["Productivity Jobs"]["D8"] = -5


def _bad_level(wb):
    wb["A1"]["A8"] = "ITL9"


@pytest.mark.parametrize("mutate, match", [
    (_bad_value, "non-numeric"), (_blank_value, "empty cell"), (_dup_row, "unique|duplicate"),
    (_swap_titles, "title"), (_negative, "positive"), (_bad_level, "ITL level"),
    (lambda wb: wb.remove(wb["B5"]), "missing sheet"),
    (lambda wb: wb["A2"].__setitem__("B4", "Code"), "header"),
])
def test_ons_bad_input(tmp_path, mutate, match):
    p = _ons_xlsx(tmp_path, ons.PRODUCTIVITY_SHEETS, "productivity", name="bad.xlsx", mutate=mutate)
    with pytest.raises(SourceFormatError, match=match) as err:
        ons.read_itl_productivity(p)
    assert "bad.xlsx" in str(err.value)


def test_ons_not_xlsx(tmp_path):
    p = tmp_path / "bad.xlsx"
    p.write_bytes(b"ITL,ITL code\nUK,UK\n")
    with pytest.raises(SourceFormatError, match="xlsx"):
        ons.read_regional_gdp(p)
    good = _ons_xlsx(tmp_path, ons.GDP_SHEETS, "gdp")
    trunc = tmp_path / "trunc.xlsx"
    trunc.write_bytes(good.read_bytes()[:2000])
    with pytest.raises(SourceFormatError, match="trunc.xlsx"):
        ons.read_regional_gdp(trunc)


@pytest.mark.snapshot
def test_ons_snapshot():
    from fiscalbook.fetch import resolve
    p = ons.read_itl_productivity(resolve("ons_itl_productivity"))
    g = ons.read_regional_gdp(resolve("ons_regional_gdp"))
    for d in (p, g):
        n = d.groupby("itl_level")["itl_code"].nunique()
        assert (n[1], n[2], n[3]) == (12, 41, 179)
        assert set(d.loc[d.itl_level == 1, "oecd_region"]) == {f"UK{c}" for c in "CDEFGHIJKLMN"}
    assert (p.loc[p.measure == "gva_per_hour_cp_index_uk100", "year"].agg(["min", "max"]).tolist()) == [2004, 2021]
    assert (p.loc[p.measure == "filled_jobs", "year"].agg(["min", "max"]).tolist()) == [2002, 2021]
    assert (g["year"].min(), g["year"].max()) == (1998, 2021)
    # UK = 100 in the relative index; London above, North East below
    idx = p[(p.measure == "gva_per_hour_cp_index_uk100") & (p.year == 2021)].set_index("itl_code")["value"]
    assert idx["UKX"] == 100 and idx["TLI"] > 100 > idx["TLC"]
    # GDP per head = GDP / population (to the ONS rounding)
    w = g[(g.year == 2019)].pivot(index="itl_code", columns="measure", values="value")
    ratio = w["gdp_cp_gbp_m"] * 1e6 / w["population"] / w["gdp_per_head_cp_gbp"]
    assert ratio.between(0.995, 1.005).all()


# ---------------------------------------------------------------- RegIneq
from fiscalbook.readers import regineq


def _regineq_frame(**changes):
    df = pd.DataFrame({
        "country": ["Austria", "Austria", "United Kingdom", "United States of America"],
        "period": ["1982-1984", "1985-1987", "1982-1984", "1982-1984"],
        "regineq": [0.22, 0.23, np.nan, 0.18], "gdppc": [11.5, 14.1, 10.9, 15.0],
        "pop": [7.56, 7.56, 56.3, 234.0], "popgini": [0.31, 0.31, 0.52, 0.6],
        "urban": [0.67, 0.67, 0.89, 0.74], "social": [17.7, 18.5, 20.1, 13.0],
        "unempl": [4.2, 4.6, 10.5, 8.5], "dec": [0.41, 0.41, 0.28, 0.5],
        "transrev": [0.097, 0.079, 0.2, 0.1], "transaut": [0.28, 0.29, -0.05, 0.1]})
    for k, v in changes.items():
        df[k] = v
    return df


def test_regineq_rda_fixture(tmp_path):
    import pyreadr
    p = tmp_path / "RegIneq.rda"
    pyreadr.write_rdata(str(p), _regineq_frame(), df_name="RegIneq")
    d = regineq.read_regineq(p)
    assert list(d.columns) == ["iso3", "country", "period", "period_start", *regineq.VARIABLES]
    assert d["iso3"].tolist() == ["AUT", "AUT", "GBR", "USA"]
    assert d["period_start"].tolist() == [1982, 1985, 1982, 1982]
    assert d.loc[1, "dec"] == 0.41 and d.loc[2, "transaut"] == -0.05
    assert np.isnan(d.loc[2, "regineq"])  # NA kept as missing


def test_regineq_wrong_object_and_not_r(tmp_path):
    import pyreadr
    p = tmp_path / "other.rda"
    pyreadr.write_rdata(str(p), _regineq_frame(), df_name="Other")
    with pytest.raises(SourceFormatError, match="RegIneq"):
        regineq.read_regineq(p)
    q = tmp_path / "bad.rda"
    q.write_bytes(b"RDX2\nnot really R")
    with pytest.raises(SourceFormatError, match="bad.rda"):
        regineq.read_regineq(q)


@pytest.mark.parametrize("changes, match", [
    ({"dec": [0.41, 1.41, 0.28, 0.5]}, "dec"),
    ({"regineq": [-0.1, 0.2, 0.2, 0.2]}, "regineq"),
    ({"period": ["1982-1984", "1982-1984", "1982-1984", "1982-1984"]}, "unique|duplicate"),
    ({"period": ["1982-1985", "1985-1987", "1982-1984", "1982-1984"]}, "three_year"),
    ({"period": ["1982/84", "1985-1987", "1982-1984", "1982-1984"]}, "YYYY"),
    ({"country": ["Austria", "Austria", "Atlantis", "Austria"]}, "Atlantis"),
    ({"unempl": ["4", "x", "5", "6"]}, "non-numeric"),
])
def test_regineq_bad_values(changes, match):
    with pytest.raises(SourceFormatError, match=match):
        regineq.tidy_regineq(_regineq_frame(**changes), "RegIneq.rda")


def test_regineq_missing_column():
    with pytest.raises(SourceFormatError, match="transaut"):
        regineq.tidy_regineq(_regineq_frame().drop(columns="transaut"), "RegIneq.rda")


@pytest.mark.snapshot
def test_regineq_snapshot():
    from fiscalbook.fetch import resolve
    d = regineq.read_regineq(resolve("regineq"))
    assert d.shape[0] == 102 and d["iso3"].nunique() == 17
    assert sorted(d["period"].unique()) == ["1982-1984", "1985-1987", "1988-1990", "1991-1993",
                                            "1994-1996", "1997-1999"]
    assert set(d["iso3"]) <= countries.OECD_MEMBERS and "GBR" in set(d["iso3"])
    assert d["dec"].notna().sum() == 96 and d["regineq"].notna().sum() == 101


# ---------------------------------------------------------------- RAI regional (v2)
REG_HEADER = ("cowcode,iso3166,country_ID,country_name,abbr_country,region_ID,region_name,year,tier,type,"
              "tier_instdepth,tier_policy,tier_fiscauto,tier_borrowauto,tier_rep,tier_lawmaking,tier_execcon,"
              "tier_fisccon,tier_borrowcon,tier_constit,tier_selfrule,tier_sharedrule,tier_RAI,COMPONENTS,"
              "instdepth,policy,fiscauto,borrowauto,assembly,executive,law_a,law_b,law_c,law_d,law_e,law_f,"
              "execcon_multi,execcon_bi,fisccon_multi,fisccon_bi,borrowcon_multi,borrowcon_bi,constit_multi,constit_bi")


def _reg_row(code, country, rid, name, year, tier=1, rtype="A", fa=3, ba=2, fa_raw=None, law=0):
    fa_raw = fa if fa_raw is None else fa_raw
    sr = 3 + 3 + fa + ba + 4
    vals = [200, 826, 41, country, code, rid, name, year, tier, rtype, 3, 3, fa, ba, 4, law, 1, 1, 0, 2,
            sr, law + 4, sr + law + 4, "", 3, 3, fa_raw, ba, 2, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
    return ",".join(str(v) for v in vals)


REG_ROWS = [_reg_row("GBR", "United Kingdom", 4105, "Scotland", 2010),
            _reg_row("GBR", "United Kingdom", 4101, "Counties", 2010, tier=2, rtype="S", fa=1, ba=1),
            _reg_row("GBR", "United Kingdom", 4104, "Northern Ireland", 1999, rtype="d", fa=0, ba=0),
            _reg_row("SWI", "Switzerland", 3601, "Zürich", 2010, fa=4, ba=3),
            _reg_row("GER", "Germany", 2501, "Bayern", 2010, fa=2, ba=2, law=3)]


def test_rai_regional_values(tmp_path):
    d = rai.read_regional(_write(tmp_path, "reg.csv", [REG_HEADER, *REG_ROWS]))
    assert list(d.columns[:7]) == ["iso3", "country", "region_id", "region_name", "year", "tier", "type"]
    assert d["iso3"].tolist() == ["GBR", "GBR", "GBR", "CHE", "DEU"]
    assert d.loc[3, "region_name"] == "Zürich"  # UTF-8
    assert d.loc[2, "type"] == "D"  # lower-case d read as D
    assert d.loc[0, "fiscal_autonomy"] == 3 and d.loc[0, "borrowing_autonomy"] == 2
    assert d.loc[0, "self_rule"] == 3 + 3 + 3 + 2 + 4
    assert d.loc[1, "tier"] == 2 and d.loc[4, "lawmaking"] == 3


@pytest.mark.parametrize("lines, match", [
    ([REG_HEADER, REG_ROWS[0], REG_ROWS[0]], "unique|duplicate"),
    ([REG_HEADER, _reg_row("GBR", "UK", 4105, "Scotland", 2010, fa=5, fa_raw=5)], "fiscal_autonomy"),
    ([REG_HEADER, _reg_row("GBR", "UK", 4105, "Scotland", 2010, fa=3, fa_raw=2)], "fiscauto"),
    ([REG_HEADER, _reg_row("GBR", "UK", 4105, "Scotland", 2010, rtype="Q")], "type"),
    ([REG_HEADER, _reg_row("XYZ", "Nowhere", 1, "Somewhere", 2010)], "XYZ"),
    ([REG_HEADER.replace("tier_borrowauto,", ""), REG_ROWS[0]], "tier_borrowauto"),
    ([REG_HEADER, REG_ROWS[0], REG_ROWS[1][:40]], "non-numeric|truncated"),
    ([REG_HEADER], "no rows"),
])
def test_rai_regional_bad_input(tmp_path, lines, match):
    with pytest.raises(SourceFormatError, match=match) as err:
        rai.read_regional(_write(tmp_path, "bad.csv", lines))
    assert "bad.csv" in str(err.value)


def test_rai_regional_wrong_encoding(tmp_path):
    p = _write(tmp_path, "bad.csv", [REG_HEADER, REG_ROWS[3]], encoding="latin-1")
    with pytest.raises(SourceFormatError, match="utf-8"):
        rai.read_regional(p)


@pytest.mark.snapshot
def test_rai_regional_snapshot():
    from fiscalbook.fetch import resolve
    d = rai.read_regional(resolve("rai_regional"))
    assert d["iso3"].nunique() == 65
    assert (d["year"].min(), d["year"].max()) == (1950, 2010)
    assert d["region_id"].nunique() == 232  # README says 210 units/tiers
    assert not d.duplicated(["iso3", "region_id", "year"]).any()
    assert d.duplicated(["iso3", "region_name", "year"]).sum() == 1  # names are not a key
    # the only borrowing-autonomy score above the codebook maximum of 3
    assert set(d.loc[d.borrowing_autonomy > 3, "region_name"]) == {"Aghion Oros"}
    uk = d[(d.iso3 == "GBR") & (d.year == 2010)].set_index("region_name")
    assert set(uk.index) == {"Counties", "Regions", "Greater London Authority", "Northern Ireland",
                             "Scotland", "Wales"}
    assert uk.loc["Scotland", "fiscal_autonomy"] == 3 and uk.loc["Scotland", "type"] == "A"
    assert uk.loc["Counties", "type"] == "S" and uk.loc["Counties", "tier"] == 2
    assert "Brussels Hoofdstedelijk Gewest/Bruxelles-Région-Capitale" in set(d.region_name)
