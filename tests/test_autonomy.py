"""autonomy.country_year: merge of RAI, IMF (SNG) and LAI; MEASURES metadata."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import autonomy, tables


@pytest.fixture
def fake_tables(monkeypatch):
    rai = pd.DataFrame({"iso3": ["GBR", "GBR", "TWN"], "year": [2014, 2018, 2014],
                        "fiscal_autonomy": [0.75, 1.01, 2.0], "self_rule": [7.5, 8.5, 9.0],
                        "rai": [8.6, 9.6, 10.0], "shared_rule": [1.1, 1.1, 1.0]})
    rows = []
    for ind, v in [("taxd", 0.06), ("rd", 0.09), ("sd", 0.25), ("vfi", 0.68), ("transferDep1", 0.69),
                   ("transferDep2", 7.0)]:
        rows.append(("GBR", 2014, ind, "SNG", v))
        rows.append(("GBR", 2014, ind, "LG", v + 1))  # another sector must not leak in
    rows.append(("DEU", 2010, "taxd", "SNG", 0.5))
    imf = pd.DataFrame(rows, columns=["iso3", "year", "indicator", "sector", "value"])
    imf["country"] = "x"
    lai = pd.DataFrame({"iso3": ["GBR", "GBR"], "country": "United Kingdom", "year": [2010, 2014],
                        "lai": [44.72, 44.71]})
    monkeypatch.setattr(tables, "rai_country", lambda: rai.copy())
    monkeypatch.setattr(tables, "imf_decentralisation", lambda: imf.copy())
    monkeypatch.setattr(tables, "local_autonomy", lambda: lai.copy())


def test_country_year_merge(fake_tables):
    a = autonomy.country_year()
    assert list(a.columns) == ["iso3", "year", *autonomy.MEASURES]
    assert not a.duplicated(["iso3", "year"]).any()
    assert len(a) == 5  # GBR 2010, 2014, 2018; TWN 2014; DEU 2010
    gb = a[(a.iso3 == "GBR") & (a.year == 2014)].iloc[0]
    assert gb.rai_fiscal_autonomy == 0.75 and gb.rai_self_rule == 7.5 and gb.rai == 8.6
    assert gb.imf_tax_share == 0.06 and gb.imf_own_revenue_share == 0.09
    assert gb.imf_own_spending_share == 0.25 and gb.imf_vfi == 0.68
    assert gb.imf_transfer_dependence == 0.69  # transferDep1, not 2
    assert gb.lai == 44.71
    lai2010 = a[(a.iso3 == "GBR") & (a.year == 2010)].iloc[0]
    assert lai2010.lai == 44.72 and np.isnan(lai2010.rai)
    # LAI is not interpolated
    assert np.isnan(a[(a.iso3 == "GBR") & (a.year == 2018)].iloc[0].lai)


def test_oecd_only(fake_tables):
    assert set(autonomy.country_year()["iso3"]) == {"GBR", "TWN", "DEU"}
    assert set(autonomy.country_year(oecd_only=True)["iso3"]) == {"GBR", "DEU"}


def test_duplicate_imf_rows_refused(monkeypatch, fake_tables):
    imf = tables.imf_decentralisation()
    monkeypatch.setattr(tables, "imf_decentralisation", lambda: pd.concat([imf, imf.iloc[:1]]))
    with pytest.raises(ValueError, match="duplicate"):
        autonomy.country_year()


def test_measures_metadata_complete():
    assert set(autonomy.MEASURES) == {
        "rai_fiscal_autonomy", "rai_self_rule", "rai", "imf_tax_share", "imf_own_revenue_share",
        "imf_own_spending_share", "imf_vfi", "imf_transfer_dependence", "lai"}
    for m, meta in autonomy.MEASURES.items():
        assert set(meta) == {"label", "unit", "source", "more_autonomy_when", "years"}, m
        assert meta["more_autonomy_when"] in ("higher", "lower"), m
        assert meta["label"] and meta["unit"] and meta["source"]
        assert len(meta["years"]) > 0 and all(isinstance(y, int) for y in meta["years"])
    lower = {m for m, meta in autonomy.MEASURES.items() if meta["more_autonomy_when"] == "lower"}
    assert lower == {"imf_vfi", "imf_transfer_dependence"}
    assert autonomy.MEASURES["lai"]["years"] == (1990, 2000, 2010, 2014)


@pytest.mark.snapshot
def test_country_year_snapshot_uk_matches_raw_tables():
    a = autonomy.country_year()
    assert not a.duplicated(["iso3", "year"]).any()
    rai = tables.rai_country().set_index(["iso3", "year"])
    imf = tables.imf_decentralisation()
    imf = imf[(imf.iso3 == "GBR") & (imf.sector == "SNG")].set_index(["indicator", "year"])["value"]
    lai = tables.local_autonomy().set_index(["iso3", "year"])["lai"]
    uk = a[a.iso3 == "GBR"].set_index("year")
    for y in (1995, 2005, 2014):
        assert uk.loc[y, "rai_fiscal_autonomy"] == rai.loc[("GBR", y), "fiscal_autonomy"]
        assert uk.loc[y, "rai_self_rule"] == rai.loc[("GBR", y), "self_rule"]
        assert uk.loc[y, "rai"] == rai.loc[("GBR", y), "rai"]
        for m, ind in autonomy.IMF_INDICATORS.items():
            assert uk.loc[y, m] == imf.loc[(ind, y)], (m, y)
    assert uk.loc[2014, "lai"] == lai.loc[("GBR", 2014)]
    assert uk.loc[2018, "rai"] == pytest.approx(9.59)
    assert np.isnan(uk.loc[2005, "lai"])  # not interpolated
    oecd = autonomy.country_year(oecd_only=True)
    assert oecd["iso3"].nunique() == 38
