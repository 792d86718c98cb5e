"""H4 countries: the replication design on synthetic country-year disparity panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import country_disparity as cd
from fiscalbook.estimation import Estimate

SEED = 5


def _panel(beta_within=-0.02, beta_between=0.0, n=24, years=15, seed=SEED):
    """Disparity = country level (related to mean autonomy by beta_between) + year trend
    + beta_within × (autonomy − country mean) + noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        mean_aut = rng.uniform(0, 4)
        dev = np.cumsum(rng.normal(0, 0.4, years))
        level = 0.3 + beta_between * mean_aut + rng.normal(0, 0.05)
        for t in range(years):
            aut = mean_aut + dev[t]
            rows.append(dict(iso3=f"C{c:02d}", year=2000 + t, index="cv", weighting="population",
                             m=aut, value=level + 0.002 * t + beta_within * dev[t]
                             + rng.normal(0, 0.005)))
    return pd.DataFrame(rows)


def test_fe_design_recovers_within_country_effect():
    r = cd.fit(_panel(beta_within=-0.02), "m", "fe", B=199)
    assert r["est"].coef == pytest.approx(-0.02, abs=0.004)
    assert r["boot"].ci_low < -0.02 < r["boot"].ci_high
    assert r["boot"].ci_high < 0
    assert r["n_countries"] == 24 and r["est"].n_clusters == 24


def test_pooled_design_mixes_in_between_country_differences():
    d = _panel(beta_within=0.0, beta_between=0.05, seed=9)
    pooled = cd.fit(d, "m", "pooled", B=199)
    fe = cd.fit(d, "m", "fe", B=199)
    assert pooled["est"].coef > 0.02          # picks up the between-country slope
    assert abs(fe["est"].coef) < 0.005        # the within estimate does not
    assert fe["boot"].ci_low < 0 < fe["boot"].ci_high


def test_fit_refuses_a_panel_with_several_indices():
    d = _panel()
    d2 = pd.concat([d, d.assign(index="theil")])
    with pytest.raises(ValueError, match="one index"):
        cd.fit(d2, "m", "fe", bootstrap=False)


def test_lagged_regressor_name_and_missing_rows_dropped():
    d = _panel().sort_values(["iso3", "year"])
    d["m_lag1"] = d.groupby("iso3")["m"].shift(1)
    r = cd.fit(d, "m", "fe", lag=1, bootstrap=False)
    assert r["est"].term == "m_lag1"
    assert r["est"].n_obs == len(d) - d["iso3"].nunique()


def test_uk_effect_arithmetic():
    e = Estimate("m", -0.02, 0.005, -0.03, -0.01, 0.001, 100, 24, "wild_bootstrap")
    eff = cd.uk_effect(e, {"delta": 1.5}, uk_value=0.3)
    assert eff["change"] == pytest.approx(-0.03)
    assert (eff["change_low"], eff["change_high"]) == pytest.approx((-0.045, -0.015))
    assert eff["pct"] == pytest.approx(-10.0)


def test_headline_on_real_data():
    h = cd.headline()
    assert 0 < h["uk_cv"] < 1 and h["uk_cv_year"] == 2020
    for m in ("rai_fiscal_autonomy", "imf_tax_share"):
        assert h[f"{m}_ci_low"] < h[f"{m}_coef"] < h[f"{m}_ci_high"]
        assert h[f"{m}_boot_ci_low"] < h[f"{m}_coef"] < h[f"{m}_boot_ci_high"]
        assert h[f"{m}_uk_change_low"] <= h[f"{m}_uk_change"] <= h[f"{m}_uk_change_high"]
        assert h[f"{m}_n_countries"] >= 20
