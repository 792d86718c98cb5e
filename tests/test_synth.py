"""Synthetic control and placebo inference on synthetic data with known effects."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook import synth as sc

YEARS = list(range(2000, 2021))


def factor_panel(n_donors=20, effect=0.0, year=2014, noise=0.0, seed=2):
    """Units = mixtures of two common factors; the treated unit is an exact convex
    combination of donors 0-2 (weights 0.5, 0.3, 0.2) plus ``effect`` from ``year`` on."""
    rng = np.random.default_rng(seed)
    t = np.arange(len(YEARS))
    f1 = 100 + 2 * t + rng.normal(0, 1, len(t)).cumsum()
    f2 = 100 + 0.5 * t + 3 * np.sin(t / 2)
    load = rng.uniform(0, 1, n_donors)
    D = np.outer(f1, load) + np.outer(f2, 1 - load) + rng.normal(0, 2, (len(t), n_donors)).cumsum(0)
    D = D + rng.normal(0, noise, D.shape)
    y = D[:, :3] @ np.array([0.5, 0.3, 0.2])
    y = y + effect * (np.array(YEARS) >= year)
    wide = pd.DataFrame(np.column_stack([y, D]).T, columns=YEARS,
                        index=["T"] + [f"D{j}" for j in range(n_donors)])
    return wide


def test_weights_recover_known_convex_combination():
    wide = factor_panel()
    res = sc.synth(wide, "T", 2014)
    w = res.weights
    assert w.sum() == pytest.approx(1.0)
    assert (w >= 0).all()
    assert w[["D0", "D1", "D2"]].to_numpy() == pytest.approx([0.5, 0.3, 0.2], abs=0.02)
    assert res.pre_rmspe < 0.05


def test_known_effect_recovered_and_significant():
    wide = factor_panel(effect=15.0)
    res = sc.placebo_test(wide, "T", 2014)
    gap_post = res.main.gap[res.main.gap.index >= 2014]
    assert gap_post.to_numpy() == pytest.approx(np.full(len(gap_post), 15.0), abs=0.5)
    assert res.p_value == pytest.approx(1 / 21)  # the largest ratio of 21 units
    assert res.stats.loc[res.stats.treated, "rank"].item() == 1


def test_known_zero_not_significant():
    wide = factor_panel(effect=0.0, noise=0.5, seed=4)
    res = sc.placebo_test(wide, "T", 2014)
    assert abs(res.main.gap[res.main.gap.index >= 2014].mean()) < 3.0
    assert res.p_value > 0.1


def test_permutation_p_formula():
    r = pd.Series({"T": 3.0, "a": 5.0, "b": 1.0, "c": 3.0, "d": 0.5})
    # units with ratio >= 3: a, T, c -> rank 3 (ties count against T), J + 1 = 5
    assert sc.permutation_p(r, "T") == pytest.approx(3 / 5)
    assert sc.permutation_p(pd.Series({"T": 9.0, "a": 1.0, "b": 2.0}), "T") == pytest.approx(1 / 3)
    with pytest.raises(KeyError):
        sc.permutation_p(r, "Z")


def test_placebos_never_use_the_treated_unit():
    wide = factor_panel(effect=15.0)
    res = sc.placebo_test(wide, "T", 2014)
    assert all("T" not in r.weights.index for r in res.placebos.values())
    assert res.n_units == len(wide)


def test_bad_inputs():
    wide = factor_panel()
    with pytest.raises(ValueError):
        sc.synth(wide, "T", 2001)  # one pre year
    with pytest.raises(KeyError):
        sc.synth(wide, "nope", 2014)
    bad = wide.copy()
    bad.iloc[3, 2] = np.nan
    with pytest.raises(ValueError):
        sc.synth(bad, "T", 2014)


def test_donor_pool_rules():
    rows = []
    spec = [("GBR", "UK008M", "MR-L", 100.0, 3e6), ("GBR", "UK006M", "MR-L", 95.0, 2e6),  # deal unit
            ("DEU", "DE002M", "MR-L", 105.0, 2e6), ("DEU", "DE001MC", "MR-L", 100.0, 4e6),  # capital
            ("FRA", "FR003M", "MR-M", 150.0, 1e6),  # too rich
            ("FRA", "FR004M", "MR-M", 100.0, 3e5),  # too small
            ("ESP", "ES005", "NMR-M", 100.0, 1e6),  # not metro
            ("USA", "US010M", "MR-L", 100.0, 5e6),  # not Europe
            ("GBR", "UK023M", "MR-M", 98.0, 1.8e6),
            ("GBR", "UK004M", "MR-L", 98.0, 1.8e6)]  # Glasgow: devolved tax powers
    for iso, reg, code, lvl, pop in spec:
        for y in YEARS:
            rows.append({"iso3": iso, "region": reg, "region_name": reg, "metro_code": code,
                         "year": y, sc.VALUE: lvl, "population": pop})
    panel = pd.DataFrame(rows)
    got = set(sc.donor_pool(panel, "UK008M", 2014)["region"])
    assert got == {"DE002M", "UK023M"}
    assert set(sc.donor_pool(panel, "UK008M", 2014, pool="no_uk")["region"]) == {"DE002M"}


def test_nnls_matches_slsqp_reference():
    wide = factor_panel(noise=1.0, seed=9)
    y1 = wide.loc["T", [y for y in YEARS if y < 2014]].to_numpy()
    Y0 = wide.drop("T")[[y for y in YEARS if y < 2014]].to_numpy().T
    a = sc.fit_weights(y1, Y0, "nnls")
    b = sc.fit_weights(y1, Y0, "slsqp")
    loss = lambda w: np.sum((y1 - Y0 @ w) ** 2)
    assert a.sum() == pytest.approx(1.0) and (a >= 0).all()
    assert loss(a) <= loss(b) * (1 + 1e-4) + 1e-9
    assert a == pytest.approx(b, abs=0.02)


# ---------------------------------------------------------------------- the real panel


@pytest.fixture(scope="module")
def metro():
    return sc.metro_panel()


def test_real_deal_units_exist_with_their_names(metro):
    names = metro.drop_duplicates("region").set_index("region")["region_name"]
    for code, why in sc.UK_DEAL_UNITS.items():
        assert code in names.index, code
        assert why.split(" (")[0] == names[code], (code, names[code])
    for d in sc.DEALS.values():
        assert d["unit"] in sc.UK_DEAL_UNITS
    for code, why in sc.DEVOLVED_UNITS.items():
        assert why.split(" (")[0] == names[code], (code, names[code])


def test_real_manchester_pool_excludes_london_capitals_and_deal_areas(metro):
    pool = sc.donor_pool(metro, sc.MANCHESTER, 2014)
    assert sc.LONDON not in set(pool.region)
    assert not pool.region.str.endswith("MC").any()
    assert not set(pool.region) & set(sc.UK_DEAL_UNITS)
    assert not set(pool.region) & set(sc.DEVOLVED_UNITS)  # Glasgow, Edinburgh, Cardiff
    assert pool.relative_level.between(*sc.LEVEL_BAND).all()
    assert (pool.population >= sc.MIN_POPULATION).all()
    assert "TUR" not in set(pool.iso3) and len(pool) >= 40
