"""Tests for fiscalbook.cities and fiscalbook.core_cities: synthetic cases with hand-computed
answers, then checks of the Core Cities mapping against the real OECD tables."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from fiscalbook import cities, core_cities

warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")


def _panel():
    """Two countries, two years. AAA: capital A1, second tier A2 (MR-L) and A3 (MR-M), a
    non-metro A4. BBB: capital B1, one second-tier metro B2."""
    rows = []
    spec = {
        "AAA": [("A1", "MR-L", 100, 10), ("A2", "MR-L", 60, 5), ("A3", "MR-M", 30, 2),
                ("A4", "NMR-R", 20, 3)],
        "BBB": [("B1", "MR-L", 50, 4), ("B2", "MR-M", 40, 4), ("B3", "NMR-S", 10, 2)],
    }
    for year, f in ((2000, 1.0), (2001, 1.1)):
        for iso, units in spec.items():
            for code, mc, gdppc, pop in units:
                rows.append(dict(iso3=iso, region=code, region_name=code, year=year,
                                 gdp_per_head_usd_ppp2015=gdppc * f, population=float(pop),
                                 metro_code=mc, is_metro=mc.startswith("MR")))
    return pd.DataFrame(rows)


CAPS = {"AAA": "A1", "BBB": "B1"}


def test_classify_tiers_and_errors():
    p = cities.classify(_panel(), CAPS)
    t = p[p.year == 2000].set_index("region")["tier"]
    assert t["A1"] == "capital" and t["A2"] == "second_tier" and t["A3"] == "second_tier"
    assert t["A4"] == "non_metro" and t["B3"] == "non_metro"
    with pytest.raises(ValueError, match="missing"):
        cities.classify(_panel(), {"AAA": "A1", "BBB": "ZZZ"})
    with pytest.raises(ValueError, match="not a metro"):
        cities.classify(_panel(), {"AAA": "A4", "BBB": "B1"})


def test_second_tier_hand_computed():
    st = cities.second_tier(_panel(), CAPS).set_index(["iso3", "year"])
    r = st.loc[("AAA", 2000)]
    second = (60 * 5 + 30 * 2) / 7  # population-weighted
    national = (100 * 10 + 60 * 5 + 30 * 2 + 20 * 3) / 20
    assert r["gdp_per_head_second_tier"] == pytest.approx(second)
    assert r["gdp_per_head_national"] == pytest.approx(national)
    assert r["st_to_national"] == pytest.approx(100 * second / national)
    assert r["st_to_capital"] == pytest.approx(100 * second / 100)
    assert r["second_tier_pop_share"] == pytest.approx(100 * 7 / 20)
    assert r["n_second_tier"] == 2
    # ratios are scale-free: 2001 multiplies every GDP per head by 1.1
    assert st.loc[("AAA", 2001), "st_to_national"] == pytest.approx(r["st_to_national"])
    assert st.loc[("BBB", 2000), "n_second_tier"] == 1


def test_enough_threshold():
    st = cities.second_tier(_panel(), CAPS)
    assert cities.MIN_SECOND_TIER == 3
    assert cities.comparison_countries(st) == []  # AAA has 2, BBB 1
    st2 = st.assign(enough=st["iso3"].eq("AAA"))
    assert cities.comparison_countries(st2) == ["AAA"]


def test_metro_units_relative_figures():
    m = cities.metro_units(_panel(), year=2000, capitals=CAPS).set_index("region")
    assert set(m.index) == {"A1", "A2", "A3", "B1", "B2"}
    assert m.loc["A2", "rel_capital"] == pytest.approx(60.0)
    assert m.loc["B2", "rel_national"] == pytest.approx(100 * 40 / ((50 * 4 + 40 * 4 + 10 * 2) / 10))


def test_check_components():
    unit_pop = pd.Series({"M1": 300.0, "M2": 500.0, "M3": 10.0})
    tl3 = pd.Series({"a": 100.0, "b": 200.0, "c": 499.0, "d": np.nan})
    res = cities.check_components({"M1": ("a", "b"), "M2": ("c",), "M3": ("d",)}, unit_pop, tl3,
                                  tol=1e-3).set_index("unit")
    assert bool(res.loc["M1", "ok"]) and res.loc["M1", "rel_diff"] == 0
    assert not bool(res.loc["M2", "ok"])  # off by 0.2 %
    assert not bool(res.loc["M3", "ok"]) and res.loc["M3", "missing"] == "d"


def test_solve_units_recovers_known_assignment_and_flags_ambiguity():
    rng = np.random.default_rng(cities.SEED)
    cand = pd.DataFrame({2019: rng.integers(50_000, 900_000, 12).astype(float)},
                        index=[f"T{i:02d}" for i in range(12)])
    cand[2020] = cand[2019] * rng.uniform(0.99, 1.02, 12)
    truth = {"U1": ("T00", "T03", "T07"), "U2": ("T01", "T05"), "U3": ("T10",)}
    units = pd.DataFrame({y: {u: cand.loc[list(c), y].sum() for u, c in truth.items()}
                          for y in (2019, 2020)})
    sol = cities.solve_units(units, cand)
    assert {u: tuple(sorted(c)) for u, c in sol.items()} == truth
    # Ambiguous: two candidates with identical populations can be swapped between units
    amb = pd.DataFrame({2019: [100.0, 100.0, 50.0], 2020: [101.0, 101.0, 50.0]},
                       index=["x", "y", "z"])
    u2 = pd.DataFrame({2019: {"V1": 150.0, "V2": 100.0}, 2020: {"V1": 151.0, "V2": 101.0}})
    sol2 = cities.solve_units(u2, amb)
    assert sol2 == {"V1": None, "V2": None}


def test_per_worker_sums_components_and_refuses_gaps():
    rows = []
    for reg, gdp, emp, pop in (("a", 100.0, 2.0, 4.0), ("b", 50.0, 3.0, 5.0), ("c", 10.0, np.nan, 1.0)):
        rows += [dict(level="TL3", region=reg, year=2019, measure="GDP", unit="USD_PPP", prices="Q", value=gdp),
                 dict(level="TL3", region=reg, year=2019, measure="GDP", unit="USD_PPP", prices="V", value=999.0),
                 dict(level="TL3", region=reg, year=2019, measure="EMP", unit="PS", prices="_Z", value=emp),
                 dict(level="TL3", region=reg, year=2019, measure="POP", unit="PS", prices="_Z", value=pop)]
    sdmx = pd.DataFrame(rows).dropna(subset=["value"])
    comps = pd.DataFrame({"iso3": ["X", "X"], "region": ["M", "N"],
                          "components": [("a", "b"), ("a", "c")], "method": ["t", "t"]})
    pw = cities.per_worker(comps, sdmx, 2019).set_index("region")
    assert pw.loc["M", "gdp_per_worker"] == pytest.approx(150 / 5)  # sum GDP / sum EMP, constant prices
    assert pw.loc["M", "gdp_per_head_sdmx"] == pytest.approx(150 / 9)
    assert np.isnan(pw.loc["N", "gdp_per_worker"])  # c has no employment: no partial sums


def test_cross_section_recovers_slope_and_is_seeded():
    rng = np.random.default_rng(1)
    isos = [f"C{i:02d}" for i in range(24)]
    x = rng.normal(0, 2, 24)
    y = 95 + 4 * (x - x.mean()) / x.std(ddof=1) + rng.normal(0, 1, 24)
    st = pd.DataFrame({"iso3": isos, "year": 2010, "st_to_national": y})
    auto = pd.DataFrame({"iso3": isos, "year": 2010, "m": x})
    r1 = cities.cross_section(st, auto, ["m"], B=999).iloc[0]
    r2 = cities.cross_section(st, auto, ["m"], B=999).iloc[0]
    assert r1["n_countries"] == 24
    assert r1["ci_low"] < 4 < r1["ci_high"] and r1["boot_low"] < 4 < r1["boot_high"]
    assert r1["p"] < 0.001
    assert r1["boot_low"] == r2["boot_low"]  # fixed seed
    # no relation -> CI covers zero
    st0 = st.assign(st_to_national=95 + rng.normal(0, 1, 24))
    r0 = cities.cross_section(st0, auto, ["m"], B=999).iloc[0]
    assert r0["ci_low"] < 0 < r0["ci_high"]


def test_within_recovers_effect_with_fixed_effects():
    rng = np.random.default_rng(2)
    rows = []
    for i in range(15):
        alpha = rng.normal(90, 10)
        level = rng.normal(0, 1)
        for t in range(2000, 2012):
            x = level + (0.1 * (t - 2000) * (i % 3 == 0)) + rng.normal(0, 0.05)
            rows.append(dict(iso3=f"C{i}", year=t, m=x,
                             st_to_national=alpha + 0.5 * (t - 2000) + 3.0 * x + rng.normal(0, 0.2)))
    d = pd.DataFrame(rows)
    st, auto = d[["iso3", "year", "st_to_national"]], d[["iso3", "year", "m"]]
    r = cities.within(st, auto, ["m"], B=999, sd={"m": 1.0}).iloc[0]
    assert r["n_countries"] == 15 and r["n_changed"] == 15
    assert r["ci_low"] < 3.0 < r["ci_high"]
    assert r["wb_low"] < 3.0 < r["wb_high"] and r["wb_p"] < 0.05


# ---------------------------------------------------------------------------------------
# the mapping against the real tables


@pytest.fixture(scope="module")
def metro():
    from fiscalbook import tables

    return tables.tl3_metro()


def test_core_cities_complete():
    names = {c.city for c in core_cities.CORE_CITIES}
    assert names == {"Birmingham", "Bristol", "Cardiff", "Glasgow", "Leeds", "Liverpool",
                     "Manchester", "Newcastle", "Nottingham", "Sheffield", "Belfast"}
    units = [c.unit for c in core_cities.CORE_CITIES]
    assert len(set(units)) == 11  # no two Core Cities share a unit
    for c in core_cities.CORE_CITIES:
        assert (c.kind == "merged metro") == cities.is_merged_code(c.unit)
        assert c.reason


def test_core_city_units_exist_are_metros_and_names_match(metro):
    uk = metro[metro["iso3"] == "GBR"].drop_duplicates("region").set_index("region")
    for c in core_cities.CORE_CITIES:
        assert c.unit in uk.index, c.city
        assert uk.loc[c.unit, "metro_code"] in cities.METRO_CODES, c.city
        assert uk.loc[c.unit, "region_name"] == c.unit_name, c.city
        # 21 years for every unit
        assert (metro["region"] == c.unit).sum() == 21
    # every merged UK unit of the panel has a TL3 list, and nothing else has one
    merged = {r for r in uk.index if cities.is_merged_code(r)}
    assert merged == set(core_cities.UK_MERGED_UNITS)


def test_uk_merged_units_components_are_disjoint_tl3_codes(metro):
    seen = {}
    own = set(metro.loc[metro["iso3"] == "GBR", "region"])
    for unit, comps in core_cities.UK_MERGED_UNITS.items():
        for c in comps:
            assert c not in seen, f"{c} in {unit} and {seen.get(c)}"
            assert c not in own, f"{c} is a unit of its own"
            seen[c] = unit


def test_capitals_classified(metro):
    p = cities.classify(metro[metro["year"] == 2019])
    caps = p[p["tier"] == "capital"].set_index("iso3")["region"]
    assert caps["GBR"] == "UK001MC" and caps["FRA"] == "FR001MC" and caps["USA"] == "US174"
    assert caps.index.is_unique and len(caps) == metro["iso3"].nunique()


def test_real_second_tier_table(metro):
    st = cities.second_tier(metro)
    assert st["year"].min() == 2000 and st["year"].max() == 2020
    cc = cities.comparison_countries(st)
    assert set(cities.PEERS) | {"GBR"} <= set(cc)
    uk = st[(st["iso3"] == "GBR") & (st["year"] == 2019)].iloc[0]
    # London is far above the rest: second tier below national, well below the capital
    assert 70 < uk["st_to_national"] < 100 and uk["st_to_capital"] < uk["st_to_national"]


def _sdmx():
    from fiscalbook import tables

    return tables.sdmx_gdp()


def test_uk_merged_units_add_up_to_the_person(metro):
    sdmx = _sdmx()
    pops = cities._sdmx_tl3(sdmx, "POP", (2019, 2020))
    for year in (2019, 2020):
        up = metro[(metro["year"] == year)].set_index("region")["population"]
        res = cities.check_components(core_cities.UK_MERGED_UNITS, up, pops[year]).set_index("unit")
        bad = res[~res["ok"]]
        # Belfast only: two of its districts have no DF_GDP rows
        assert list(bad.index) == ["UK012M"], bad
        assert bad.loc["UK012M", "missing"] == "UKN0D,UKN0E"


def test_solver_independently_finds_the_uk_mapping_including_dundee(metro):
    """The integer programme, given only populations, recovers the hand mapping of the
    north-west, Wales, Scotland and Leicester units -- including Angus and Dundee City
    inside 'Liverpool' and South Nottinghamshire inside 'Leicester' -- and finds it unique.
    (The whole UK at once exceeds the solver's time limit, so the test takes this block.)"""
    sdmx = _sdmx()
    pops = cities._sdmx_tl3(sdmx, "POP", (2019, 2020))
    own = set(metro.loc[metro["iso3"] == "GBR", "region"])
    cand = pops.loc[[i for i in pops.index if i[:3] in ("UKD", "UKL", "UKM", "UKF") and i not in own]]
    up = metro.pivot_table(index="region", columns="year", values="population")
    units = ["UK004M", "UK007M", "UK009M", "UK517M", "UK568M", "UK006M", "UK008M", "UK553M", "UK014M"]
    sol = cities.solve_units(up.loc[units, [2019, 2020]], cand[[2019, 2020]])
    for u in units:
        assert sol[u] is not None and set(sol[u]) == set(core_cities.UK_MERGED_UNITS[u]), u
    assert "UKM71" in sol["UK006M"] and "UKF16" in sol["UK014M"]


def test_headline_consistent_with_tables():
    h = cities.headline()
    rep = cities.report()
    st = rep["st"].set_index(["iso3", "year"])
    assert h["uk_st_national"] == pytest.approx(st.loc[("GBR", cities.YEAR), "st_to_national"])
    assert h["n_countries"] == len(rep["countries"]) >= 15
    assert 1 <= h["uk_rank_low"] <= h["n_countries"]
    assert h["xs_ci_low"] <= h["xs_coef"] <= h["xs_ci_high"]
    assert h["xs_boot_low"] < h["xs_boot_high"]
    for v in h.values():
        assert isinstance(v, (int, float, bool))
    # the published OECD figures are quoted, never recomputed
    assert cities.OECD2020["core_gva_per_worker_pct_uk"] == 86


def test_second_tier_codes_and_threshold_options():
    st = cities.second_tier(_panel(), CAPS, codes=("MR-L",), min_second_tier=1).set_index(["iso3", "year"])
    assert st.loc[("AAA", 2000), "n_second_tier"] == 1  # A3 (MR-M) left out
    assert st.loc[("AAA", 2000), "gdp_per_head_second_tier"] == pytest.approx(60)
    assert bool(st.loc[("AAA", 2000), "enough"]) and not bool(st.loc[("BBB", 2000), "enough"])  # BBB: MR-M only


def test_variants_main_row_matches_second_tier(metro):
    v = cities.variants(metro).set_index("variant")
    st = cities.second_tier(metro)
    uk = st[(st["iso3"] == "GBR") & (st["year"] == cities.YEAR)].iloc[0]
    main = v.iloc[0]
    assert main["uk_st_national"] == pytest.approx(uk["st_to_national"])
    # dropping the 'Liverpool' unit from the UK's second tier changes the UK figure only
    lp = v.loc["UK without the 'Liverpool' unit"]
    assert lp["uk_st_national"] != pytest.approx(main["uk_st_national"])
    assert lp["others_median"] == pytest.approx(main["others_median"])
    assert v.loc["At least 5 second-tier metros", "n_countries"] < main["n_countries"]


def test_uk_mapping_accounts_for_every_grid_tl3_region(metro):
    """Each TL3 region of the UK grid is a panel unit of its own or a component of exactly one
    merged unit, except codes of another vintage (Dorset before 2019; Northern Ireland's
    later numbering, the panel using the NUTS 2016 codes UKN0A-UKN0G)."""
    from fiscalbook import tables

    g = tables.uk_grid()
    t3 = g[g["level"] == "TL3"].set_index("region")
    own = set(metro.loc[metro["iso3"] == "GBR", "region"])
    comp = {c for v in core_cities.UK_MERGED_UNITS.values() for c in v}
    superseded = {"UKK21", "UKK22"} | {f"UKN1{i}" for i in range(7)}
    assert set(t3.index) - own - comp == superseded
    assert comp - set(t3.index) == {"UKN0D", "UKN0E"}  # Belfast's NUTS 2016 districts
    # Five components are non-metropolitan in the grid's own typology, Dundee among them
    nonmetro = {c for c in comp & set(t3.index) if t3.loc[c, "metro_code"] not in cities.METRO_CODES}
    assert nonmetro == {"UKD47", "UKD62", "UKE22", "UKJ36", "UKM71"}
