"""Panels on synthetic inputs: merge keys, lags within unit, no duplicates, capital flags."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import disparity, panels

SEED = 7


def _regions(seed=SEED):
    rng = np.random.default_rng(seed)
    spec = {"GBR": ["UKC", "UKI", "UKM"], "DEU": ["DE1", "DE3", "DE7", "DEA"],
            "MEX": ["ME01", "ME09"], "SVN": ["SI03", "SI04"]}
    pops = {"GBR": 20e6, "DEU": 20e6, "MEX": 30e6, "SVN": 1e6}
    rows = []
    for iso, regs in spec.items():
        for r in regs:
            base = rng.uniform(20_000, 60_000)
            for y in range(2000, 2006):
                rows.append(dict(iso3=iso, region=r, region_name=f"name {r}", year=y,
                                 gdp_per_head_usd_ppp2015=base * (1.01 ** (y - 2000)),
                                 population=pops[iso] / len(regs)))
    return pd.DataFrame(rows)


def _autonomy():
    rows = []
    for i, iso in enumerate(["GBR", "DEU", "MEX", "SVN", "FRA"]):
        for y in range(1995, 2006):
            rows.append(dict(iso3=iso, year=y, rai_fiscal_autonomy=10 * i + (y - 1995),
                             imf_tax_share=0.01 * i + 0.001 * y))
    return pd.DataFrame(rows)


def test_merge_keys_rows_and_no_duplicates():
    reg = _regions()
    p = panels.build_tl2_panel(reg, _autonomy(), lags=(1, 3))
    assert len(p) == len(reg)
    assert not p.duplicated(["region", "year"]).any()
    # the autonomy value on each row is its own country's in its own year
    a = _autonomy().set_index(["iso3", "year"])
    exp = a.loc[list(zip(p["iso3"], p["year"])), "rai_fiscal_autonomy"].to_numpy()
    np.testing.assert_array_equal(p["rai_fiscal_autonomy"].to_numpy(), exp)
    assert np.allclose(p["log_gdp_per_head"], np.log(p["gdp_per_head_usd_ppp2015"]))


def test_lags_shift_by_year_within_country_and_region():
    p = panels.build_tl2_panel(_regions(), _autonomy(), lags=(1, 3))
    # rai_fiscal_autonomy = 10 i + (year - 1995): the lag-L value is exactly L lower
    assert (p["rai_fiscal_autonomy"] - p["rai_fiscal_autonomy_lag1"] == 1).all()
    assert (p["rai_fiscal_autonomy"] - p["rai_fiscal_autonomy_lag3"] == 3).all()
    # the first panel year takes its lag from before the panel (1999), not NaN
    first = p[p["year"] == 2000]
    assert (first["rai_fiscal_autonomy_lag1"] == first["rai_fiscal_autonomy"] - 1).all()
    # within every region the lag equals the previous year's current value
    for _, g in p.groupby("region"):
        g = g.sort_values("year")
        np.testing.assert_array_equal(g["rai_fiscal_autonomy_lag1"].to_numpy()[1:],
                                      g["rai_fiscal_autonomy"].to_numpy()[:-1])


def test_lag_gap_gives_nan_not_previous_row():
    a = _autonomy()
    a = a[~((a["iso3"] == "GBR") & (a["year"] == 2002))]
    lagged = panels.lag_autonomy(a, lags=1)
    row = lagged[(lagged["iso3"] == "GBR") & (lagged["year"] == 2003)]
    assert row["rai_fiscal_autonomy_lag1"].isna().all()


def test_duplicates_rejected():
    reg = _regions()
    with pytest.raises(ValueError, match="duplicate"):
        panels.build_tl2_panel(pd.concat([reg, reg.iloc[:1]]), _autonomy())
    a = _autonomy()
    with pytest.raises(ValueError, match="duplicate"):
        panels.lag_autonomy(pd.concat([a, a.iloc[:1]]))


def test_capital_flags():
    p = panels.build_tl2_panel(_regions(), _autonomy(), lags=1)
    caps = set(p.loc[p["is_capital"].fillna(False).astype(bool), "region"])
    assert caps == {"UKI", "DE3", "ME09", "SI04"}
    # exactly one capital per country and year
    assert (p.groupby(["iso3", "year"])["is_capital"].sum() == 1).all()
    # unknown capital: NA, not False
    x = pd.DataFrame({"iso3": ["XXX", "GBR"], "region": ["X1", "UKI"]})
    f = panels.capital_flag(x, strict=False)
    assert f.isna().iloc[0] and bool(f.iloc[1])
    with pytest.raises(KeyError):
        panels.capital_flag(x, strict=True)


@pytest.mark.parametrize("iso,tl2", [("GBR", "UKI"), ("FRA", "FR1"), ("DEU", "DE3"), ("ESP", "ES30"),
                                     ("ITA", "ITI4"), ("USA", "US11"), ("CAN", "CA35"),
                                     ("TUR", "TR51"), ("NLD", "NL32")])
def test_capital_mapping_known_cases(iso, tl2):
    assert disparity.capital_region(iso, "TL2") == tl2


def test_relative_and_initial_productivity():
    p = panels.build_tl2_panel(_regions(), _autonomy(), lags=1)
    # population-weighted mean of rel within country-year is 1
    w = p["population"] * p["rel_gdp_per_head"]
    s = w.groupby([p["iso3"], p["year"]]).sum() / p.groupby(["iso3", "year"])["population"].sum()
    assert np.allclose(s, 1.0)
    # initial_rel is constant within region and equals rel in 2000
    first = p[p["year"] == 2000].set_index("region")["rel_gdp_per_head"]
    assert np.allclose(p["initial_rel"], p["region"].map(first))
    assert (p["lagging"] == (p["initial_rel"] < 1)).all()


def test_relative_uses_national_table_when_given():
    reg = _regions()
    nat = reg.groupby(["iso3", "year"]).size().rename("n").reset_index()
    nat["national_gdp_per_head"] = 40_000.0
    p = panels.build_tl2_panel(reg, _autonomy(), lags=1, national=nat)
    assert np.allclose(p["rel_gdp_per_head"], p["gdp_per_head_usd_ppp2015"] / 40_000.0)


def test_sample_restrictions():
    reg = _regions()
    a = _autonomy()
    full = panels.build_tl2_panel(reg, a, lags=1)
    noc = panels.build_tl2_panel(reg, a, lags=1, sample="no_capital")
    assert not noc["region"].isin(["UKI", "DE3", "ME09", "SI04"]).any()
    assert len(noc) == len(full) - 4 * 6
    # relative productivity is still against the whole country
    m = full.merge(noc, on=["region", "year"])
    assert np.allclose(m["rel_gdp_per_head_x"], m["rel_gdp_per_head_y"])
    small = panels.build_tl2_panel(reg, a, lags=1, sample="no_small")
    assert set(small["iso3"]) == {"GBR", "DEU", "MEX"}
    eu = panels.build_tl2_panel(reg, a, lags=1, sample="europe", europe={"GBR", "DEU", "SVN"})
    assert set(eu["iso3"]) == {"GBR", "DEU", "SVN"}
    mid = panels.build_tl2_panel(reg, a, lags=1, sample="no_mex_tur_col")
    assert "MEX" not in set(mid["iso3"])
    with pytest.raises(ValueError):
        panels.restrict(reg, "nonsense")


def test_disparity_panel_merge_and_restriction():
    reg = _regions()
    d = panels.build_disparity_panel(reg, _autonomy(), lags=(1,), kinds=("theil", "cv"))
    assert not d.duplicated(["iso3", "year", "index", "weighting"]).any()
    assert set(d["index"]) == {"theil", "cv"} and set(d["weighting"]) == {"population", "unweighted"}
    assert len(d) == 4 * 6 * 2 * 2
    row = d[(d.iso3 == "GBR") & (d.year == 2003) & (d["index"] == "theil") & (d.weighting == "unweighted")]
    g = reg[(reg.iso3 == "GBR") & (reg.year == 2003)]
    assert row["value"].item() == pytest.approx(disparity.index(g["gdp_per_head_usd_ppp2015"], kind="theil"))
    assert row["rai_fiscal_autonomy_lag1"].item() == row["rai_fiscal_autonomy"].item() - 1
    assert np.allclose(d["log_value"], np.log(d["value"]))
    # without capitals: 2-region countries are left with one region and drop out
    d2 = panels.build_disparity_panel(reg, _autonomy(), lags=(1,), sample="no_capital", kinds=("theil",))
    assert set(d2["iso3"]) == {"GBR", "DEU"}
    g2 = g[g.region != "UKI"]
    row2 = d2[(d2.iso3 == "GBR") & (d2.year == 2003) & (d2.weighting == "unweighted")]
    assert row2["value"].item() == pytest.approx(disparity.index(g2["gdp_per_head_usd_ppp2015"], kind="theil"))


def test_real_outlook_panel_one_capital_per_country_year():
    """On the Regional Outlook table (with a stand-in autonomy frame that only supplies
    merge keys): one row per region-year, exactly one capital region per country-year,
    relative productivity averaging to one, and Belgium excluded as documented."""
    from fiscalbook import tables
    regions_df, national = panels.regions_table("outlook")
    keys = regions_df[["iso3", "year"]].drop_duplicates().assign(m=1.0)
    p = panels.build_tl2_panel(regions_df, keys, lags=(), national=national)
    assert not p.duplicated(["region", "year"]).any()
    assert "BEL" not in set(p["iso3"])
    caps = p.groupby(["iso3", "year"])["is_capital"].sum()
    assert (caps == 1).all(), caps[caps != 1]
    w = (p["population"] * p["rel_gdp_per_head"]).groupby([p["iso3"], p["year"]]).sum()
    assert np.allclose(w / p.groupby(["iso3", "year"])["population"].sum(), 1.0)
    uk = p[(p.iso3 == "GBR") & (p.year == 2000)].set_index("region")
    assert uk.loc["UKI", "initial_rel"] > 1.4      # London far above the UK average
    assert uk.loc["UKC", "lagging"]                # North East started behind
