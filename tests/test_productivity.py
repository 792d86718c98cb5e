"""Plausibility rules on hand-made rows; the productivity analysis on synthetic data with
known answers; a few properties of the real results."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook.analyses import productivity as prod
from fiscalbook.estimation import Estimate, fit_fe, wild_cluster_bootstrap
from fiscalbook.methods import plausibility as pl


def rows():
    return pd.DataFrame({
        "iso3": ["GBR"] * 6 + ["FRA"] * 3,
        "year": 2019,
        "region": ["UKI", "UKI7", "UKC", "UKD", "UKE", "UKM", "FR1", "FRB", "FRC"],
        "gdp_per_worker_usd_ppp": [120e3, 125e3, 70e3, 72e3, 75e3, 5e3, 100e3, 80e3, 900e3],
        "employment": [5e6, 1e6, 1e6, 3e6, 2e6, 2e6, 6e6, 1e6, 1e6],
        "population": [9e6, 3e6, 2e6, 7e6, 5e6, 1e6, 12e6, np.nan, 2e6],
    })


def test_employment_above_population():
    f = pl.employment_above_population(rows())
    assert f.tolist() == [False, False, False, False, False, True, False, False, False]  # NaN population not flagged


def test_overlapping_codes():
    f = pl.overlapping_codes(rows())
    assert rows().loc[f, "region"].tolist() == ["UKI7"]


def test_overlapping_codes_only_within_country_year():
    d = pd.concat([rows(), rows().assign(year=2020, region=["UKI", "UKX7", "UKC", "UKD", "UKE", "UKM",
                                                          "FR1", "FRB", "FRC"])], ignore_index=True)
    assert d.loc[pl.overlapping_codes(d), "region"].tolist() == ["UKI7"]


def test_far_outside_country():
    f = pl.far_outside_country(rows(), "gdp_per_worker_usd_ppp")
    # UKM (5,000 among 70,000-125,000) is far out; France has 3 regions: not judged
    assert rows().loc[f, "region"].tolist() == ["UKM"]
    f2 = pl.far_outside_country(rows(), "gdp_per_worker_usd_ppp", min_regions=3, k=0.5)
    assert "FRC" in rows().loc[f2, "region"].tolist()


def test_far_outside_rejects_nonpositive():
    with pytest.raises(ValueError, match="positive"):
        pl.far_outside_country(rows().assign(gdp_per_worker_usd_ppp=0.0), "gdp_per_worker_usd_ppp")


def test_flags_any():
    f = pl.flags(rows(), "gdp_per_worker_usd_ppp")
    assert f.loc[f["any"]].index.tolist() == [1, 5]
    assert list(f.columns) == [*pl.RULES, "any"]


def test_dispersion_known_cv_and_min_regions():
    d = pd.DataFrame({"iso3": ["AAA"] * 4 + ["BBB"] * 2, "region": list("abcdef"),
                      "gdp_per_worker_usd_ppp": [1.0, 2.0, 3.0, 2.0, 5.0, 6.0],
                      "employment": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0]})
    p = prod.dispersion(d)
    assert set(p["iso3"]) == {"AAA"}  # BBB has fewer than MIN_REGIONS regions
    cv = p[(p["index"] == "cv") & (p["weighting"] == "unweighted")]["value"].item()
    assert cv == pytest.approx(np.std([1, 2, 3, 2]) / 2)
    ew = p[(p["index"] == "cv") & (p["weighting"] == "employment")]["value"].item()
    assert ew == pytest.approx(cv)  # equal weights


def test_rank_table_ties_and_groups():
    long = pd.DataFrame({"iso3": ["GBR", "FRA", "DEU", "USA"], "index": "cv", "weighting": "unweighted",
                         "value": [0.3, 0.3, 0.1, 0.5]})
    r = prod.rank_table(long, groups={"all": frozenset(long["iso3"]), "eu": frozenset({"GBR", "FRA", "DEU"})})
    a = r.set_index("peer")
    assert a.at["all", "rank"] == 2 and a.at["all", "n"] == 4 and a.at["all", "top"] == "USA"
    assert a.at["eu", "rank"] == 1 and a.at["eu", "n"] == 3  # tie shares the better rank
    assert a.at["all", "median"] == pytest.approx(0.3)


def test_merge_capital_sums_gdp_and_employment():
    d = pd.DataFrame({"iso3": "GBR", "year": 2019, "region": ["UKI31", "UKI32", "UKC11"],
                      "gdp_per_worker_usd_ppp": [200.0, 100.0, 50.0], "employment": [1.0, 3.0, 2.0],
                      "gdp_usd_ppp": [200.0, 300.0, 100.0], "population": [1.0, 1.0, 1.0]})
    parents = pd.Series({"UKI31": "UKI", "UKI32": "UKI", "UKC11": "UKC"})
    m = prod.merge_capital(d, "TL3", parents=parents)
    assert len(m) == 2
    cap = m.loc[m["region"] == "GBR_CAPITAL"].iloc[0]
    assert cap["gdp_per_worker_usd_ppp"] == pytest.approx(500 / 4)
    assert cap["employment"] == 4.0


def test_counterfactual_arithmetic():
    est = Estimate(term="x", coef=-0.5, se=0.1, ci_low=-0.8, ci_high=-0.2, p=0.01, n_obs=100,
                   n_clusters=20, inference="wild_bootstrap")
    cf = prod.counterfactual(est, "x", uk_gap=0.4, targets={"uk": 0.1, "median": 0.2, "q75": 0.3, "year": 2017})
    assert cf["cf_median_change"] == pytest.approx(-0.05)
    assert (cf["cf_median_change_low"], cf["cf_median_change_high"]) == pytest.approx((-0.08, -0.02))
    assert cf["cf_q75_gap"] == pytest.approx(0.4 - 0.1)


def test_long_difference_recovers_known_slope():
    rng = np.random.default_rng(1)
    n = 30
    x0, x1 = rng.uniform(0, 1, n), rng.uniform(0, 1, n)
    g0 = rng.normal(0.3, 0.1, n)
    g1 = g0 + 0.5 * (x1 - x0) + rng.normal(0, 0.01, n)
    iso = [f"C{i:02d}" for i in range(n)]
    d = pd.DataFrame({"iso3": iso * 2, "year": [2004] * n + [2016] * n,
                      "log_gap": np.r_[g0, g1], "m": np.r_[x0, x1]})
    x = prod.differences(d, "m", (2004, 2016))
    assert len(x) == n
    r = fit_fe(x, "d_gap", ["d_m"], cluster="iso3")
    assert r.estimate("d_m").coef == pytest.approx(0.5, abs=0.03)
    b = wild_cluster_bootstrap(x, "d_gap", ["d_m"], "d_m", cluster="iso3", B=199, seed=prod.SEED)
    assert b.p < 0.01 and b.ci_low < 0.5 < b.ci_high


# --- real results: properties the chapters state -------------------------------------------

@pytest.fixture(scope="module")
def headline():
    return prod.headline()


def test_peer_group_rule():
    n = prod.national()
    peers = prod.peer_group("large_rich")
    ok = n.loc[(n["population"] >= prod.PEER_MIN_POP) & (n["gdp_per_head"] >= prod.PEER_MIN_GDPPC), "iso3"]
    assert peers == frozenset(ok) and "GBR" in peers and "MEX" not in peers


def test_headline_keys_and_ranges(headline):
    for k in ("tl3_all_cv_uw_uk", "tl3_all_cv_ew_uk", "gap_uk", "h4_tax_fe_coef",
              "h4_tax_fe_boot_ci_low", "h4_tax_cf_median_change", "h4_tax_cf_q75_change",
              "ons_itl3_uw_first", "ons_itl3_uw_last"):
        assert np.isfinite(headline[k]), k
    assert 1 <= headline["tl3_all_cv_uw_rank"] <= headline["tl3_all_cv_uw_n"]
    assert headline["gap_peer_n"] <= headline["gap_n"]
    assert headline["h4_tax_fe_boot_ci_low"] <= headline["h4_tax_fe_coef"] <= headline["h4_tax_fe_boot_ci_high"]


def test_bootstrap_is_deterministic(headline):
    a, b = prod.h4_fit("imf_tax_share", "fe"), prod.h4_fit("imf_tax_share", "fe")
    assert (a["boot"].p, a["boot"].ci_low, a["boot"].ci_high) == (b["boot"].p, b["boot"].ci_low, b["boot"].ci_high)
    assert a["boot"].p == headline["h4_tax_fe_boot_p"]


def test_specifications_cover_every_model():
    sp = prod.specifications()
    assert len(sp) == len(prod.h4_results())
    assert set(sp["design"]) == {"fe", "pooled", "long_diff", "log_lower", "log_upper", "h3_tl3"}
    assert ((sp["boot_p"] >= 0) & (sp["boot_p"] <= 1)).all()


def test_uk_row_effects_agree_with_rule_report(headline):
    e = prod.uk_row_effects().set_index("region")
    assert set(e.index) == {"UKI31", "UKI32", "UKM61", "UKI", "UKI7"}
    # UKI7 is the only row the nested-code rule flags: dropping it alone = dropping the rule's rows
    assert e.at["UKI7", "uk_cv_uw_change"] == pytest.approx(headline["plaus_tl2_overlapping_codes_uk_cv_uw_change"])


def test_charts_are_accessible():
    from fiscalbook import charts
    from fiscalbook.figures import productivity as fig

    for chart in (fig.chart_tl3_dispersion(prod.dispersion_cross_section()),
                  fig.chart_gap_over_time(prod.gap_bands()),
                  fig.chart_ons_dispersion(prod.ons_dispersion("hour"))):
        assert charts.accessibility_problems(chart) == []
        assert len(chart.to_dict()["datasets"]) >= 1
