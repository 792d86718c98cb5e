"""The headline analyses' building blocks on synthetic panels with a known effect."""

import numpy as np
import pandas as pd

from fiscalbook.analyses import headlines as hl


def _panel(effect=0.5, n_countries=14, n_years=15, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_countries):
        x0, slope = rng.normal(1, 0.5), rng.normal(0, 0.05) if c % 2 else 0.0
        for r in range(3):
            for t in range(n_years):
                x = x0 + slope * t
                rows.append(dict(iso3=f"C{c:02d}", region=f"C{c:02d}R{r}", year=2000 + t, x=x,
                                 y=effect * x + 0.2 * c + 0.01 * t + rng.normal(0, 0.05)))
    return pd.DataFrame(rows)


def test_wild_recovers_effect_with_intervals():
    r = hl.wild(_panel(), "y", "x", ("region", "year"), B=199)
    assert abs(r["coef"] - 0.5) < 0.1
    assert r["lo95"] <= r["lo90"] < r["coef"] < r["hi90"] <= r["hi95"]
    assert r["wb_p"] < 0.05 and r["n_countries"] == 14


def test_changing_countries_lists_only_material_changes():
    ch = hl.changing_countries(_panel(), "x")
    assert set(ch.index) <= {f"C{c:02d}" for c in range(1, 14, 2)}  # only odd countries trend
    assert ch.is_monotonic_decreasing


def test_long_difference_recovers_effect():
    r = hl.long_difference(_panel(effect=0.8), "y", "x", "region", B=199)
    assert abs(r["coef"] - 0.8) < 0.25 and r["n_units"] == 42


def test_loco_has_one_row_per_country_with_p_values():
    lo = hl.loco(_panel(), "y", "x", ("region", "year"), B=99)
    assert len(lo) == 14 and lo["wb_p"].between(0, 1).all()
    assert (lo["coef"] > 0.3).all()


def test_required_uk_change_closes_half_the_gaps():
    g = dict(share=0.5, lagging_gap_lp=-16.0, uk_cv=0.3, peers_st=96.0, uk_st=88.0)
    assert hl.required_uk_change("H3", g) == 0.08      # 8 log points, in log units
    assert hl.required_uk_change("H4", g) == 0.15      # half the UK's CV
    assert hl.required_uk_change("H5", g) == 4.0       # half the 8-point gap to peers


def test_reverse_check_finds_a_measure_driven_by_the_past_outcome():
    rng = np.random.default_rng(4)
    rows, arows = [], []
    for c in range(15):
        y = rng.normal(0, 1, 20).cumsum()
        for t in range(20):
            rows.append(dict(iso3=f"C{c:02d}", year=2000 + t, outcome=y[t]))
            x = 0.5 * y[t - 3] + rng.normal(0, 0.1) if t >= 3 else rng.normal(0, 0.1)
            arows.append(dict(iso3=f"C{c:02d}", year=2000 + t, m=x))
    r = hl.reverse(pd.DataFrame(rows), "m", lag=3, B=199, autonomy=pd.DataFrame(arows))
    assert abs(r["coef"] - 0.5) < 0.1 and r["wb_p"] < 0.05
    # and not with the outcome's own future as the "past": a wrong lag finds much less
    r0 = hl.reverse(pd.DataFrame(rows), "m", lag=8, B=199, autonomy=pd.DataFrame(arows))
    assert abs(r0["coef"]) < abs(r["coef"])


def test_loco_table_puts_hypotheses_side_by_side():
    res = {("H3", "imf_tax_share"): {"loco": pd.DataFrame(dict(dropped=["A", "B"], coef=[0.1, 0.2], wb_p=[0.5, 0.04]))},
           ("H4", "imf_tax_share"): {"loco": pd.DataFrame(dict(dropped=["B", "C"], coef=[-0.1, -0.3], wb_p=[0.3, 0.01]))}}
    t = hl.loco_table(res)
    assert list(t["Country left out"]) == ["A", "B", "C"]
    assert t.loc[t["Country left out"] == "C", "H4 p"].item() == 0.01
    assert np.isnan(t.loc[t["Country left out"] == "A", "H4 estimate"].item())
