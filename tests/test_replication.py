"""fiscalbook.replication on a synthetic RegIneq-shaped panel with known coefficients, and
(marked snapshot) on the real Kessler–Hansen–Lessmann panel."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fiscalbook import charts, replication
from fiscalbook import estimation as est

BETA_DEC, BETA_TR = -0.4, 0.2
ISO = ["AUT", "BEL", "CAN", "CHE", "DEU", "DNK", "ESP", "FIN", "FRA", "GBR", "IRL", "ITA",
       "NLD", "NOR", "PRT", "SWE", "USA"]
PERIODS = ["1982-1984", "1985-1987", "1988-1990", "1991-1993", "1994-1996", "1997-1999"]


def synthetic(seed=0, noise=0.01):
    rng = np.random.default_rng(seed)
    G, T = len(ISO), len(PERIODS)
    c, t = np.repeat(np.arange(G), T), np.tile(np.arange(T), G)
    df = pd.DataFrame({"iso3": np.array(ISO)[c], "period": np.array(PERIODS)[t]})
    df["dec"] = rng.uniform(0.1, 0.7, G)[c] + rng.normal(0, 0.05, G * T)
    df["transrev"] = rng.uniform(0.03, 0.2, G)[c] + rng.normal(0, 0.03, G * T)
    df["transaut"] = df["transrev"] + rng.normal(0, 0.03, G * T)
    for col, lo, hi in (("gdppc", 8, 30), ("pop", 3, 280), ("popgini", 0.2, 0.6), ("urban", 0.4, 0.95),
                        ("social", 10, 28), ("unempl", 1, 20)):
        df[col] = rng.uniform(lo, hi, G)[c] * (1 + rng.normal(0, 0.05, G * T))
    df["regineq"] = (0.3 + rng.normal(0, 0.05, G)[c] + rng.normal(0, 0.01, T)[t]
                     + BETA_DEC * df["dec"] + BETA_TR * df["transrev"] + rng.normal(0, noise, G * T))
    df.loc[3, "dec"] = np.nan  # missing values, as in the real panel
    df.loc[10, "regineq"] = np.nan
    df.loc[20, "unempl"] = np.nan
    return df


@pytest.fixture
def synthetic_results(monkeypatch):
    monkeypatch.setattr(replication, "_load", lambda: synthetic())
    replication.results.cache_clear()
    yield replication.results(), replication.headline(replication.results())
    replication.results.cache_clear()


def test_recovers_known_coefficients(synthetic_results):
    res, h = synthetic_results
    assert h["m1_n_obs"] == 102 - 2 and h["m3_n_obs"] == 102 - 3 and h["m1_n_clusters"] == 17
    assert abs(h["m2_dec_coef"] - BETA_DEC) < 3 * h["m2_dec_se"]
    assert abs(h["m2_transrev_coef"] - BETA_TR) < 3 * h["m2_transrev_se"]
    assert h["m2_dec_ci_low"] < BETA_DEC < h["m2_dec_ci_high"]
    # the bootstrap interval is by test inversion around the same estimate, and with this
    # much signal rejects zero
    assert h["m2_dec_wcb_ci_low"] < h["m2_dec_coef"] < h["m2_dec_wcb_ci_high"] < 0
    assert h["m2_dec_wcb_p"] < 0.01
    assert res.boot["(2)"]["dec"].spec["full_enumeration"] and res.boot["(2)"]["dec"].spec["B"] == 2 ** 17


def test_headline_is_plain_finite_numbers(synthetic_results):
    _, h = synthetic_results
    for k, v in h.items():
        assert type(v) in (int, float), k
        assert math.isfinite(v), k
    assert h["loo_n_negative"] <= h["n_countries"] and h["uk_dec_rank_low"] in range(1, 18)
    assert h["m2_effect_10pp"] == pytest.approx(0.1 * h["m2_dec_coef"])


def test_leave_one_out_drops_each_country_once(synthetic_results):
    res, h = synthetic_results
    assert sorted(res.loo.dropped) == ISO
    full = res.fits["(2)"].n_obs
    assert (res.loo.n_obs < full).all()
    assert h["loo_dec_min"] <= h["m2_dec_coef"] <= h["loo_dec_max"]


def test_within_sd_removes_country_and_period_means():
    df = synthetic()
    # a variable that is country mean + period mean exactly has zero within SD
    d = df.dropna(subset=["dec", "regineq"]).copy()
    d["fx"] = d.groupby("iso3")["gdppc"].transform("mean") + d["period"].str[:4].astype(float)
    assert replication.within_sd(d, "fx") == pytest.approx(0.0, abs=1e-9)
    assert replication.within_sd(d, "dec") > 0


def test_table_and_charts(synthetic_results):
    res, _ = synthetic_results
    html = replication.table(res).as_raw_html()
    assert "CR1 clustered by iso3" in html and "Sub-national spending share" in html
    assert "131,072" in html
    for chart in (replication.coefficient_chart(res), replication.country_chart(res.panel)):
        assert charts.accessibility_problems(chart) == []
    frame = replication.coefficient_frame(res)
    assert len(frame) == 8 and set(frame.inference) == {"cluster", "wild_bootstrap"}


def test_missing_columns_are_an_error(monkeypatch):
    monkeypatch.setattr(replication, "_load", lambda: synthetic().drop(columns=["transrev"]))
    with pytest.raises(est.EstimationError, match="transrev"):
        replication.panel()


@pytest.mark.snapshot
def test_real_panel_matches_an_independent_dummy_regression():
    """On the real panel: the sample and the spending-share estimate of model (2) equal a
    plain statsmodels regression with explicit dummies (an independent path)."""
    pytest.importorskip("fiscalbook.readers.regineq")
    import statsmodels.formula.api as smf

    replication.results.cache_clear()
    h = replication.headline()
    df = replication.panel().dropna(subset=["regineq", "dec", "transrev"])
    ref = smf.ols("regineq ~ dec + transrev + C(iso3) + C(period)", df).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(df.iso3)[0]})
    assert h["n_countries"] == 17 and h["n_periods"] == 6 and h["n_rows"] == 102
    assert h["m2_n_obs"] == len(df) == 95
    assert h["m2_dec_coef"] == pytest.approx(ref.params["dec"], rel=1e-8)
    # statsmodels counts every dummy in K; ours counts the non-nested period dummies only
    n, G = len(df), 17
    k_sm, k_ours = len(ref.params), 2 + 1 + 5
    scale = math.sqrt(((n - 1) / (n - k_ours)) / ((n - 1) / (n - k_sm)))
    assert h["m2_dec_se"] == pytest.approx(ref.bse["dec"] * scale, rel=1e-6)
    assert h["m2_dec_wcb_ci_low"] < h["m2_dec_coef"] < h["m2_dec_wcb_ci_high"]
