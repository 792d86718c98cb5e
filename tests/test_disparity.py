"""Disparity indices: hand-computed values, invariances, bad input, and the panel wrapper."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fiscalbook import disparity
from fiscalbook.disparity import ALL, index, panel

SEED = 20220202


# --- hand-computed values -------------------------------------------------------------

def test_unweighted_one_to_four_by_hand():
    y = [1, 2, 3, 4]
    # mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; variance 5/4 = 1.25
    assert index(y, kind="cv") == pytest.approx(math.sqrt(1.25) / 2.5)
    # Theil T = 1/4 * sum (y/2.5) ln(y/2.5)
    theil = (0.4 * math.log(0.4) + 0.8 * math.log(0.8) + 1.2 * math.log(1.2) + 1.6 * math.log(1.6)) / 4
    assert index(y, kind="theil") == pytest.approx(theil)
    # MLD = ln(2.5) - mean(ln y) = ln 2.5 - ln(1*2*3*4)/4
    assert index(y, kind="mld") == pytest.approx(math.log(2.5) - math.log(24) / 4)
    # Gini: |differences| over pairs i<j are 1,2,3,1,2,1 = 10; both orders 20;
    # divided by 2 * n^2 * mean = 2 * 16 * 2.5 = 80  ->  0.25
    assert index(y, kind="gini") == pytest.approx(0.25)
    assert index(y, kind="max_min") == pytest.approx(4.0)


def test_top_bottom_20_with_fractional_boundary_region():
    # Seven equal regions 1..7, each weight 1/7 (0.142857). Bottom 20 %: all of region 1
    # plus 0.2 - 1/7 = 0.4/7 of region 2 -> mean (1 * 1/7 + 2 * 0.4/7) / 0.2 = 9/7.
    # Top 20 %: region 7 plus 0.4/7 of region 6 -> (7 * 1/7 + 6 * 0.4/7) / 0.2 = 47/7.
    assert index(range(1, 8), kind="top_bottom_20") == pytest.approx(47 / 9)
    # Five equal regions: each end is exactly one region -> highest / lowest.
    assert index([1, 2, 3, 4, 10], kind="top_bottom_20") == pytest.approx(10.0)
    # Populations 1, 1, 8 (shares 0.1, 0.1, 0.8): bottom 20 % = regions 1 and 2 in full,
    # mean 1.5; top 20 % = a fifth-of-the-population slice of region 3, value 3 -> ratio 2.
    assert index([1, 2, 3], population=[1, 1, 8], kind="top_bottom_20") == pytest.approx(2.0)


def test_population_weighted_two_regions_by_hand():
    y, pop = [1, 3], [3, 1]  # shares 0.75, 0.25; weighted mean 0.75 + 0.75 = 1.5
    # variance 0.75 * 0.5^2 + 0.25 * 1.5^2 = 0.1875 + 0.5625 = 0.75
    assert index(y, pop, "cv") == pytest.approx(math.sqrt(0.75) / 1.5)
    # Theil: 0.75 * (2/3) ln(2/3) + 0.25 * 2 ln 2 = 0.5 ln(2/3) + 0.5 ln 2 = 0.5 ln(4/3)
    assert index(y, pop, "theil") == pytest.approx(0.5 * math.log(4 / 3))
    # MLD: 0.75 ln(1.5/1) + 0.25 ln(1.5/3)
    assert index(y, pop, "mld") == pytest.approx(0.75 * math.log(1.5) + 0.25 * math.log(0.5))
    # Gini: 2 * 0.75 * 0.25 * |3 - 1| / (2 * 1.5) = 0.25
    assert index(y, pop, "gini") == pytest.approx(0.25)
    # top 20 % lies inside region 2 (share 0.25), bottom 20 % inside region 1 -> 3 / 1
    assert index(y, pop, "top_bottom_20") == pytest.approx(3.0)
    assert index(y, pop, "max_min") == pytest.approx(3.0)
    # and the weighting matters: unweighted Theil of [1, 3] differs
    assert index(y, None, "theil") != pytest.approx(index(y, pop, "theil"))


# --- invariances ----------------------------------------------------------------------

@pytest.fixture()
def sample():
    rng = np.random.default_rng(SEED)
    y = rng.lognormal(10, 0.4, size=12)
    pop = rng.integers(1, 9, size=12)
    return y, pop


@pytest.mark.parametrize("kind", ALL)
def test_scale_invariance(sample, kind):
    y, pop = sample
    for p in (None, pop):
        assert index(y * 37.5, p, kind) == pytest.approx(index(y, p, kind), rel=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_all_equal_is_zero_or_one(kind):
    expected = 1.0 if kind in ("max_min", "top_bottom_20") else 0.0
    assert index([5.0] * 6, kind=kind) == pytest.approx(expected, abs=1e-12)
    assert index([5.0] * 6, [1, 2, 3, 4, 5, 6], kind) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("kind", ALL)
def test_population_weighting_equals_replicating_regions(sample, kind):
    y, pop = sample
    replicated = np.repeat(y, pop)
    assert index(y, pop, kind) == pytest.approx(index(replicated, None, kind), rel=1e-10)


@pytest.mark.parametrize("kind", ALL)
def test_order_does_not_matter_and_spread_raises_index(sample, kind):
    y, pop = sample
    perm = np.random.default_rng(SEED + 1).permutation(len(y))
    assert index(y[perm], pop[perm], kind) == pytest.approx(index(y, pop, kind), rel=1e-12)
    # stretching every value away from the mean (a mean-preserving spread) raises disparity
    spread = y.mean() + 1.5 * (y - y.mean())
    assert index(spread, None, kind) > index(y, None, kind)


def test_ratio_bounds(sample):
    y, pop = sample
    for p in (None, pop):
        tb = index(y, p, "top_bottom_20")
        assert 1.0 < tb <= index(y, p, "max_min") + 1e-12


# --- bad input ------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["theil", "mld", "max_min", "top_bottom_20"])
def test_zero_raises_where_logs_or_division_need_positive_values(kind):
    with pytest.raises(ValueError, match="strictly positive"):
        index([0.0, 1.0, 2.0], kind=kind)


def test_zero_is_allowed_for_cv_and_gini():
    # [0, 2]: mean 1, sd 1 -> CV 1; Gini 2 * 0.25 * 2 / 2 = 0.5
    assert index([0.0, 2.0], kind="cv") == pytest.approx(1.0)
    assert index([0.0, 2.0], kind="gini") == pytest.approx(0.5)


@pytest.mark.parametrize("values,pop,match", [
    ([1.0, -2.0, 3.0], None, "non-negative"),
    ([1.0, np.nan, 3.0], None, "missing"),
    ([1.0, np.inf], None, "finite"),
    ([4.0], None, "at least two"),
    ([], None, "at least two"),
    ([1.0, 2.0], [1.0, 0.0], "strictly positive"),
    ([1.0, 2.0], [1.0, np.nan], "missing"),
    ([1.0, 2.0], [1.0, 2.0, 3.0], "entries"),
    ([0.0, 0.0], None, "mean"),
])
def test_bad_input_raises(values, pop, match):
    with pytest.raises(ValueError, match=match):
        index(values, pop, kind="cv")


def test_unknown_kind_raises():
    with pytest.raises(ValueError, match="unknown disparity index"):
        index([1, 2], kind="atkinson")


# --- panel ----------------------------------------------------------------------------

def _frame():
    return pd.DataFrame({
        "iso3": ["AAA"] * 4 + ["BBB"] * 3 + ["CCC"] * 2,
        "region": list("abcd") + list("efg") + list("hi"),
        "year": [2019] * 9,
        "gdp_per_head_usd_ppp2015": [1.0, 2.0, 3.0, 4.0, 1.0, 3.0, np.nan, 5.0, 7.0],
        "population": [1.0, 1.0, 1.0, 1.0, 3.0, 1.0, 2.0, 2.0, np.nan],
    })


def test_panel_is_long_and_matches_index():
    out = panel(_frame())
    assert list(out.columns) == ["iso3", "year", "index", "weighting", "value", "n_regions", "n_dropped"]
    assert len(out) == 3 * len(ALL) * 2
    assert not out.duplicated(["iso3", "year", "index", "weighting"]).any()
    row = out.query("iso3 == 'AAA' and index == 'gini' and weighting == 'unweighted'").iloc[0]
    assert row.value == pytest.approx(0.25) and row.n_regions == 4 and row.n_dropped == 0
    # BBB drops its missing value (one region) and equals the hand-worked weighted case
    row = out.query("iso3 == 'BBB' and index == 'theil' and weighting == 'population'").iloc[0]
    assert row.value == pytest.approx(0.5 * math.log(4 / 3)) and (row.n_regions, row.n_dropped) == (2, 1)


def test_panel_missing_population_drops_only_for_the_weighted_index():
    out = panel(_frame()).query("iso3 == 'CCC'")
    unw = out.query("weighting == 'unweighted'")
    pw = out.query("weighting == 'population'")
    assert unw.value.notna().all() and (unw.n_regions == 2).all()
    # one region left after dropping the missing population -> NaN, row kept, drop counted
    assert pw.value.isna().all() and (pw.n_regions == 1).all() and (pw.n_dropped == 1).all()


def test_panel_subset_of_kinds_and_weightings_and_wide():
    out = panel(_frame(), kinds=("cv",), weightings=("unweighted",))
    assert set(out["index"]) == {"cv"} and set(out["weighting"]) == {"unweighted"}
    w = disparity.wide(panel(_frame()))
    assert "theil_population" in w.columns and len(w) == 3


def test_panel_bad_input():
    df = _frame()
    with pytest.raises(ValueError, match="unknown weighting"):
        panel(df, weightings=("area",))
    with pytest.raises(ValueError, match="needs a population column"):
        panel(df, population=None)
    with pytest.raises(KeyError, match="not in the frame"):
        panel(df.drop(columns="population"))
    bad = df.copy()
    bad.loc[0, "gdp_per_head_usd_ppp2015"] = 0.0  # a zero is an error, not a gap
    with pytest.raises(ValueError, match="strictly positive"):
        panel(bad)


# --- capital regions ------------------------------------------------------------------

def test_capital_region_lookup():
    assert disparity.capital_region("GBR") == "UKI"
    assert disparity.capital_region("GBR", "TL3") == "UK001MC"
    assert disparity.capital_region("USA") == "US11"  # the capital, not the largest city
    assert disparity.capital_region("TUR", "TL3") == "TR510"  # Ankara, not Istanbul
    with pytest.raises(KeyError, match="no TL3 capital unit"):
        disparity.capital_region("AUS", "TL3")
    with pytest.raises(KeyError, match="no capital region"):
        disparity.capital_region("XXX")
    with pytest.raises(ValueError, match="level"):
        disparity.capital_region("GBR", "TL1")


def test_drop_capital_removes_exactly_one_row_per_country_year():
    df = pd.DataFrame({"iso3": ["GBR"] * 3 + ["FRA"] * 2, "year": 2019,
                       "region": ["UKI", "UKC", "UKD", "FR1", "FRB"]})
    out = disparity.drop_capital(df)
    assert list(out.region) == ["UKC", "UKD", "FRB"]
    with pytest.raises(ValueError, match="not found"):
        disparity.drop_capital(df[df.region != "FR1"])
    with pytest.raises(KeyError):
        disparity.drop_capital(pd.DataFrame({"iso3": ["XXX"], "region": ["X1"]}))


# The capital mapping checked on the real tables: each code exists for its country, names
# match (Regional Outlook name or territorial-grid English name), and the TL3 unit lies in
# the TL2 region (grid parent, else NUTS-style code prefix).
CAPITAL_NAME_FRAGMENTS = {
    "AUS": "Capital Territory", "AUT": "Vienna", "BEL": "Brussels", "CAN": "Ontario",
    "COL": "Bogotá", "CZE": "Prague", "DEU": "Berlin", "DNK": "Capital", "ESP": "Madrid",
    "FIN": "Helsinki", "FRA": "Île-de-France", "GBR": "London", "GRC": "Attica",
    "HUN": "Budapest", "IRL": "Eastern and Midland", "ITA": "Lazio", "JPN": "Southern-Kanto",
    "KOR": "Capital Region", "MEX": "Mexico", "NLD": "North Holland", "NZL": "Wellington",
    "POL": "Warsaw", "PRT": "Lisbon", "SVK": "Bratislava", "SVN": "Western Slovenia",
    "SWE": "Stockholm", "TUR": "Ankara", "USA": "District Of Columbia",
}
CAPITAL_TL3_NAMES = {
    "AUT": "Wien", "BEL": "Brussel", "CHE": "Bern", "CZE": "Praha", "DEU": "Berlin",
    "DNK": "København", "ESP": "Madrid", "EST": "North Estonia", "FIN": "Helsinki",
    "FRA": "Paris", "GBR": "London", "GRC": "Athina", "HUN": "Budapest", "IRL": "Dublin",
    "ITA": "Rome", "JPN": "Tokyo", "KOR": "Seoul", "LTU": "Vilnius", "LUX": "Luxembourg",
    "LVA": "Riga", "NLD": "Amsterdam", "NOR": "Oslo", "NZL": "Wellington", "POL": "Warszawa",
    "PRT": "Lisbon", "SVK": "Bratislava", "SVN": "Central Slovenia", "SWE": "Stockholm",
    "TUR": "Ankara", "USA": "Washington",
}
# NO08 ("Oslo and Viken", 2021 codes) has no name in either file: checked via its TL3 unit.
NO_TL2_NAME = {"NOR"}


@pytest.mark.snapshot
def test_capital_mapping_matches_the_tables():
    from fiscalbook import tables

    tl2, tl3 = tables.tl2_outlook(), tables.tl3_metro()
    grid2, grid3 = tables.tl2_grid(), tables.tl3_grid()
    names2 = {}
    for frame, col in ((tl2, "region_name"), (grid2, "name_en")):
        for code, name in frame[["region", col]].dropna().drop_duplicates().itertuples(index=False):
            names2.setdefault(code, []).append(name.lower())
    for iso in tl2["iso3"].unique():
        code = disparity.capital_region(iso, "TL2")
        assert code in set(tl2.loc[tl2.iso3 == iso, "region"]), (iso, code)
        if iso not in NO_TL2_NAME:
            frag = CAPITAL_NAME_FRAGMENTS[iso].lower()
            assert any(frag in n for n in names2[code]), (iso, code, names2.get(code))
    for iso in tl3["iso3"].unique():
        code = disparity.capital_region(iso, "TL3")
        rows = tl3[(tl3.iso3 == iso) & (tl3.region == code)]
        assert len(rows), (iso, code)
        assert rows.region_name.str.contains(CAPITAL_TL3_NAMES[iso]).all(), (iso, code)
        tl2_code = disparity.capital_region(iso, "TL2")
        parent = grid3.loc[grid3.region == code, "tl2"].dropna()
        inside = (parent.iloc[0] == tl2_code) if len(parent) else code.startswith(tl2_code)
        # a merged metro unit (code ending MC) has no grid parent; NZ and US TL3 codes do
        # not extend their TL2 codes
        if not code.endswith("MC") and iso not in ("NZL", "USA"):
            assert inside, (iso, code, tl2_code)
