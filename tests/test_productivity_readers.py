"""Readers and tables for the productivity sources: the upper/lower-half gap panel and the
ONS per-hour / per-job wide tables (synthetic rows, then the snapshot)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import tables
from fiscalbook.readers import ons, outlook
from fiscalbook.readers._validate import SourceFormatError


def low_high(rows):
    return pd.DataFrame(rows, columns=["iso3", "year", "group", "gdp_per_worker"])


GOOD = [("GBR", 2019, "low", 60_000.0), ("GBR", 2019, "high", 90_000.0),
        ("FRA", 2019, "low", 80_000.0), ("FRA", 2019, "high", 88_000.0)]


def test_per_worker_gap_values():
    g = outlook.per_worker_gap(low_high(GOOD))
    assert list(g.columns) == ["iso3", "year", "lower", "upper", "log_gap"]
    uk = g.set_index("iso3").loc["GBR"]
    assert uk["lower"] == 60_000 and uk["upper"] == 90_000
    assert uk["log_gap"] == pytest.approx(np.log(1.5))
    assert g["year"].dtype == int


@pytest.mark.parametrize("rows, match", [
    ([("GBR", 2019, "low", 90_000.0), ("GBR", 2019, "high", 60_000.0)], "upper half below lower half"),
    ([("GBR", 2019, "low", 60_000.0)], "both a lower and an upper half"),
    ([("GBR", 2019, "low", 60_000.0), ("GBR", 2019, "middle", 70_000.0)], "group must be"),
    (GOOD + [("GBR", 2019, "low", 61_000.0)], "appears twice"),
    ([("GB", 2019, "low", 60_000.0), ("GB", 2019, "high", 90_000.0)], "schema failure"),
    ([("GBR", 2019, "low", 60.0), ("GBR", 2019, "high", 90.0)], "schema failure"),
])
def test_per_worker_gap_bad_input(rows, match):
    with pytest.raises(SourceFormatError, match=match):
        outlook.per_worker_gap(low_high(rows))


def test_per_worker_gap_missing_column():
    with pytest.raises(SourceFormatError, match="missing column"):
        outlook.per_worker_gap(low_high(GOOD).drop(columns="group"))


def ons_long(per="hour", uk_gbp=30.0, region_gbp=(36.0, 24.0), index=None, drop=None):
    """A UK row and two ITL1 regions for two years, every measure of `per`."""
    cols = ons.PRODUCTIVITY_WIDE[per]
    rows = []
    for year in (2004, 2005):
        for code, lvl, name, gbp in (("UKX", 0, "UK", uk_gbp), ("TLC", 1, "North East", region_gbp[0]),
                                     ("TLI", 1, "London", region_gbp[1])):
            vals = {"gbp": gbp, "gbp_smoothed": gbp, "index_uk100": 100 * gbp / uk_gbp,
                    "index_uk100_smoothed": 100 * gbp / uk_gbp, "cvm_index_2020_100": 95.0,
                    "weight": 1e6}
            if index is not None and code == "TLC":
                vals["index_uk100"] = index
            for c, m in cols.items():
                if drop == c:
                    continue
                rows.append((code, ons.oecd_region(code), name, lvl, year, m, vals[c]))
    return pd.DataFrame(rows, columns=["itl_code", "oecd_region", "region_name", "itl_level", "year", "measure", "value"])


def test_productivity_wide_values():
    w = ons.productivity_wide(ons_long())
    assert len(w) == 6 and w["itl_code"].nunique() == 3
    ne = w[(w["itl_code"] == "TLC") & (w["year"] == 2004)].iloc[0]
    assert ne["gbp"] == 36.0 and ne["index_uk100"] == pytest.approx(120.0) and ne["weight"] == 1e6
    assert w.loc[w["itl_level"] == 0, "index_uk100"].eq(100).all()


def test_productivity_wide_per_job():
    w = ons.productivity_wide(ons_long("job"), per="job")
    assert set(w.columns) >= {"gbp", "weight", "cvm_index_2020_100"}


def test_productivity_wide_rejects_inconsistent_index():
    with pytest.raises(SourceFormatError, match="is not £/UK £"):
        ons.productivity_wide(ons_long(index=150.0))


def test_productivity_wide_rejects_missing_measure():
    with pytest.raises(SourceFormatError, match="absent"):
        ons.productivity_wide(ons_long(drop="weight"))


def test_productivity_wide_rejects_nonpositive_value():
    with pytest.raises(SourceFormatError):
        ons.productivity_wide(ons_long(region_gbp=(36.0, -24.0)))


def test_productivity_wide_unknown_per():
    with pytest.raises(ValueError, match="per must be"):
        ons.productivity_wide(ons_long(), per="worker")


# --- the snapshot ------------------------------------------------------------------------------

def test_snapshot_per_worker_gap():
    g = tables.per_worker_gap()
    assert g["iso3"].nunique() == 33
    assert (g["upper"] >= g["lower"]).all()
    uk = g[g["iso3"] == "GBR"]
    assert uk["year"].min() == 2004 and uk["year"].max() == 2020


def test_snapshot_ons_wide():
    h = tables.ons_productivity_wide("hour")
    assert (h["year"].min(), h["year"].max()) == (2004, 2021)
    n3 = h[h["itl_level"] == 3].groupby("year")["itl_code"].nunique()
    assert (n3 == 179).all()
    j = tables.ons_productivity_wide("job")
    assert (j["year"].min(), j["year"].max()) == (2002, 2021)


def test_snapshot_overlapping_code_kept_as_published():
    raw = tables.gdp_per_worker_as_published("TL2")
    assert "UKI7" in set(raw["region"])
    assert "UKI7" not in set(tables.gdp_per_worker("TL2")["region"])
