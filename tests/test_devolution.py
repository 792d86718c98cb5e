"""Devolution methods on synthetic data with known answers: staggered DiD on panels shaped like
the ITL3 data (about 170 regions, 2004–2021, nine "authorities" in five cohorts), its
randomisation inference and csdid cross-check; β-convergence; synthetic-control checks."""

import warnings

import numpy as np
import pandas as pd
import pytest

from fiscalbook import events
from fiscalbook.methods import convergence as cv
from fiscalbook.methods import staggered as stg
from fiscalbook.methods import synthetic as syn

warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")

YEARS = np.arange(2004, 2022)
# nine authorities: (cohort, number of ITL3 regions), like the English deals
AUTHORITIES = [(2014, 5), (2015, 4), (2015, 2), (2015, 7), (2015, 3), (2016, 1), (2016, 2), (2017, 1), (2020, 4)]
KW = dict(unit="region", time="year", y="y", cohort="cohort", cluster="cluster")


def itl3_like_panel(effect: float, noise: float = 1.0, seed: int = 3, n_control_areas: int = 24,
                    per_area: int = 5) -> pd.DataFrame:
    """y = region effect + area-year shock + year trend + effect x treated + noise (log points).
    Treated regions are clustered by authority, controls by ITL2-like area."""
    rng = np.random.default_rng(seed)
    year_fe = rng.normal(0, 1.0, len(YEARS)).cumsum()
    rows = []
    units = [(f"A{k}", g, n) for k, (g, n) in enumerate(AUTHORITIES)]
    units += [(f"C{k:02d}", np.nan, per_area) for k in range(n_control_areas)]
    for cl, g, n in units:
        area_shock = rng.normal(0, 0.5, len(YEARS))
        for r in range(n):
            a = rng.normal(450, 10)
            for k, t in enumerate(YEARS):
                tau = effect if (np.isfinite(g) and t >= g) else 0.0
                rows.append({"region": f"{cl}_{r}", "year": int(t), "cluster": cl, "cohort": g,
                             "y": a + year_fe[k] + area_shock[k] + tau + rng.normal(0, noise)})
    return pd.DataFrame(rows)


def test_panel_has_the_itl3_shape():
    d = itl3_like_panel(0.0)
    assert d["region"].nunique() == sum(n for _, n in AUTHORITIES) + 24 * 5 == 149
    assert d.groupby("region").size().eq(len(YEARS)).all()


def test_known_effect_recovered_exactly_without_noise():
    """Region and year effects plus a constant effect of 3: every post coefficient is 3, every lead 0."""
    d = itl3_like_panel(0.0, noise=0.0)
    rng = np.random.default_rng(0)
    fe = d.groupby("region")["y"].transform("first")
    year_fe = d["year"].map(dict(zip(YEARS, rng.normal(0, 1, len(YEARS)).cumsum())))
    d["y"] = fe + year_fe + np.where(d["cohort"].notna() & (d["year"] >= d["cohort"]), 3.0, 0.0)
    es = stg.event_study(d, control="notyet", B=99, **KW)
    post = es.table.loc[es.table["e"].between(0, 5), "coef"]
    lead = es.table.loc[es.table["e"] < -1, "coef"]
    assert np.allclose(post, 3.0, atol=1e-9) and np.allclose(lead, 0.0, atol=1e-9)


def test_known_effect_detected_by_randomisation_inference():
    d = itl3_like_panel(4.0)
    tab, pre = stg.randomisation_inference(d, control="notyet", draws=199, seed=1, **KW)
    t = tab.set_index("e")
    for e in (3, 5):
        assert t.loc[e, "perm_low"] < 4.0 < t.loc[e, "perm_high"]
        assert t.loc[e, "perm_low"] > 0  # the interval excludes zero
    assert t.loc["post", "p_perm"] < 0.05
    assert pre["p"] > 0.05  # no pre-trend was built in


def test_known_zero_not_detected():
    d = itl3_like_panel(0.0, seed=5)
    tab, pre = stg.randomisation_inference(d, control="notyet", draws=199, seed=1, **KW)
    t = tab.set_index("e")
    for e in (3, 5):
        assert t.loc[e, "perm_low"] < 0 < t.loc[e, "perm_high"]
    assert t.loc["post", "p_perm"] > 0.05


def test_pretrend_detected_by_randomisation_lead_test():
    d = itl3_like_panel(0.0, seed=7)
    # treated regions drift down 1.5 log points a year before their deal
    pre = d["cohort"].notna() & (d["year"] < d["cohort"])
    d.loc[pre, "y"] += 1.5 * (d.loc[pre, "year"] - d.loc[pre, "cohort"])
    _, test = stg.randomisation_inference(d, control="notyet", draws=199, seed=1, **KW)
    assert test["p"] < 0.05


def test_fast_coefficients_match_the_book_estimator():
    d = itl3_like_panel(2.0, seed=11)
    for control in ("notyet", "never"):
        slow = events._coefs(d, "region", "year", "y", "cohort", "cluster", control, 5, 5)
        Y = d.pivot(index="region", columns="year", values="y")
        g = d.drop_duplicates("region").set_index("region").loc[Y.index, "cohort"].fillna(np.inf).to_numpy()
        fast = stg.event_coefs(Y.to_numpy(), np.asarray(Y.columns), g, control, 5, 5)
        assert set(fast) == set(slow.index)
        assert max(abs(fast[k] - slow[k]) for k in fast) < 1e-10


def test_csdid_matches_the_book_estimator():
    d = itl3_like_panel(2.0, seed=13)
    m = stg.compare_with_csdid(d, control="notyet", **KW)
    assert len(m) >= 20
    assert m["diff"].abs().max() < 1e-8


def test_did2s_recovers_known_effect():
    d = itl3_like_panel(3.0, noise=0.5, seed=17)
    t = stg.event_study_did2s(d, unit="region", time="year", y="y", cohort="cohort", cluster="cluster").set_index("e")
    assert abs(t.loc[3, "coef"] - 3.0) < 1.0 and abs(t.loc[5, "coef"] - 3.0) < 1.0


def test_randomisation_needs_enough_controls():
    d = itl3_like_panel(0.0, n_control_areas=5)
    with pytest.raises(ValueError, match="too few never-treated"):
        stg.randomisation_inference(d, control="notyet", draws=9, **KW)


def test_randomisation_is_reproducible():
    d = itl3_like_panel(1.0, seed=19)
    a, _ = stg.randomisation_inference(d, control="notyet", draws=49, seed=4, **KW)
    b, _ = stg.randomisation_inference(d, control="notyet", draws=49, seed=4, **KW)
    pd.testing.assert_frame_equal(a, b)


# ---------------------------------------------------------------------- convergence


@pytest.mark.parametrize("beta", [0.02, 0.1])
def test_beta_and_half_life_recovered(beta):
    rng = np.random.default_rng(2)
    T = 20
    y0 = np.exp(rng.normal(10, 0.3, 30))
    # ln yT - ln y0 = a - (1 - exp(-beta T)) ln y0, exactly
    yT = np.exp(np.log(y0) + 0.5 - (1 - np.exp(-beta * T)) * np.log(y0))
    r = cv.beta_convergence(y0, yT, T)
    assert r["beta"] == pytest.approx(beta, rel=1e-9)
    assert r["half_life"] == pytest.approx(np.log(2) / beta, rel=1e-9)
    assert r["half_life_low"] <= r["half_life"] <= r["half_life_high"]


def test_divergence_has_infinite_half_life():
    rng = np.random.default_rng(3)
    y0 = np.exp(rng.normal(10, 0.3, 30))
    yT = np.exp(np.log(y0) * 1.2 - 2 + rng.normal(0, 0.01, 30))  # rich regions pull away
    r = cv.beta_convergence(y0, yT, 20)
    assert r["beta"] < 0 and np.isinf(r["half_life"]) and np.isinf(r["half_life_high"])


def test_convergence_bad_input():
    with pytest.raises(ValueError, match="four"):
        cv.beta_convergence([1, 2, 3], [1, 2, 3], 10)
    with pytest.raises(ValueError, match="positive"):
        cv.beta_convergence([1, 2, 3, -4], [1, 2, 3, 4], 10)


def test_slope_recovers_known_line():
    x = np.arange(10.0)
    s = cv.slope(x, 2 + 0.5 * x + np.tile([0.1, -0.1], 5))
    assert s["slope"] == pytest.approx(0.5, abs=0.05) and s["low"] < 0.5 < s["high"]


# ---------------------------------------------------------------------- synthetic control


def _sc_panel(effect: float, treat_year: int = 2016):
    rng = np.random.default_rng(8)
    years = np.arange(2004, 2022)
    donors = {f"D{k}": 90 + 2 * k + rng.normal(0, 0.3, len(years)).cumsum() for k in range(9)}
    w = pd.DataFrame(donors, index=years).T
    treated = 0.5 * w.loc["D2"] + 0.5 * w.loc["D6"] + np.where(years >= treat_year, effect, 0.0)
    w.loc["T"] = treated
    return w


def test_synthetic_gap_recovered_and_in_time_placebo_is_zero():
    w = _sc_panel(2.0)
    donors = [d for d in w.index if d != "T"]
    res = syn.placebo_test(w, "T", 2016, donors)
    assert syn.mean_gap(res.main) == pytest.approx(2.0, abs=0.05)
    fake = syn.in_time_placebo(w, "T", 2016, donors, shift=5)
    assert fake["fake_year"] == 2011 and abs(fake["mean_gap"]) < 0.05


def test_leave_one_out_drops_each_weighted_donor():
    w = _sc_panel(0.0)
    donors = [d for d in w.index if d != "T"]
    loo = syn.leave_one_out(w, "T", 2016, donors)
    assert set(loo["dropped"]) >= {"D2", "D6"}
    assert (loo["top_donor"] != loo["dropped"]).all()
    # without one of the two true donors the fit worsens
    assert loo.set_index("dropped").loc["D2", "pre_rmspe"] > 1e-3
