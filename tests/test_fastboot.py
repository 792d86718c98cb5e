"""The O(clusters) engine against the slow one (fiscalbook.wildboot) and on synthetic curves."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook.methods import fastboot as fb
from fiscalbook.wildboot import WildClusterBootstrap, _draws, cluster_ols, partial_out


def panel(beta=0.5, g=12, t=10, per=4, seed=1):
    """Regions in countries; x varies by country-year; region and year effects, country shocks."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(g):
        xc = rng.normal(size=t).cumsum() * 0.3 + rng.normal()
        shock = rng.normal(scale=0.5, size=t)
        for r in range(per):
            a = rng.normal()
            for y in range(t):
                rows.append(dict(iso3=c, region=c * 100 + r, year=2000 + y, x=xc[y],
                                 y=a + 0.1 * y + beta * xc[y] + shock[y] + rng.normal(scale=0.3)))
    return pd.DataFrame(rows)


def _fe(df, cols):
    return np.column_stack([pd.factorize(df[c])[0] for c in cols]) if cols else None


@pytest.mark.parametrize("fe", [("region", "year"), ("iso3", "year"), ("year",), ()])
def test_matches_slow_engine_coefficient_se_t_and_bootstrap_p(fe):
    df = panel(beta=0.2, seed=3)
    slow_p = partial_out(df, "y", "x", fe=list(fe), cluster="iso3")
    slow = cluster_ols(slow_p)
    fast = fb.prepare(df["y"], df["x"], df["iso3"].to_numpy(), fe=_fe(df, fe))
    assert fast.coef == pytest.approx(slow.coef, abs=1e-10)
    assert fast.se == pytest.approx(slow.se, abs=1e-10)
    assert fast.t == pytest.approx(slow.coef / slow.se, abs=1e-9)
    assert fast.p_t == pytest.approx(slow.p, abs=1e-10)
    boot = WildClusterBootstrap(slow_p, B=999, seed=7)
    # the slow engine's weights, columns in its cluster order (factorize = first appearance)
    v_local = _draws(slow_p.n_clusters, 999, 7, "webb")
    order = pd.factorize(df.dropna()["iso3"])[1].to_numpy()
    v = np.zeros((999, order.max() + 1))
    v[:, order] = v_local
    coef_star, t_star = fb.null_draws(fast, v)
    assert np.allclose(coef_star, boot.v_sy / boot.d, atol=1e-10)
    assert fb.bootstrap_p(np.array([fast.t]), t_star[None, :])[0] == boot.pvalue(0.0)


def test_weighted_fit_equals_weighted_least_squares_with_dummies():
    df = panel(seed=5)
    w = np.random.default_rng(0).uniform(0.5, 3, len(df))
    fast = fb.prepare(df["y"], df["x"], df["iso3"].to_numpy(), fe=_fe(df, ("region", "year")), weights=w)
    X = np.column_stack([df["x"], pd.get_dummies(df["region"]).to_numpy(float),
                         pd.get_dummies(df["year"], drop_first=True).to_numpy(float)])
    sw = np.sqrt(w)
    b = np.linalg.lstsq(X * sw[:, None], df["y"].to_numpy() * sw, rcond=None)[0]
    assert fast.coef == pytest.approx(b[0], abs=1e-9)


def test_recovers_known_coefficient():
    est = [fb.prepare(d["y"], d["x"], d["iso3"].to_numpy(), fe=_fe(d, ("region", "year"))).coef
           for d in (panel(beta=0.5, g=30, seed=s) for s in range(10))]
    assert np.mean(est) == pytest.approx(0.5, abs=0.05)


def test_same_weights_across_specifications_within_a_draw():
    v = fb.block_weights(40, 50, block=3, seed=11)
    assert np.array_equal(v, fb.block_weights(40, 50, block=3, seed=11))
    assert not np.array_equal(v, fb.block_weights(40, 50, block=4, seed=11))
    assert set(np.unique(v)) <= set(fb.WEBB)


def test_no_variation_is_refused():
    df = panel()
    with pytest.raises(ValueError, match="does not vary"):
        fb.prepare(df["y"], df["iso3"].astype(float), df["iso3"].to_numpy(), fe=_fe(df, ("iso3",)))


def _synthetic_curve(beta, n_specs=40, draws=299, seed=0):
    """A curve of specifications on one data set: different outcomes (noise draws) sharing
    the regressor, each with its own null imposed."""
    rng = np.random.default_rng(seed)
    g, t = 20, 8
    iso = np.repeat(np.arange(g), t)
    year = np.tile(np.arange(t), g)
    x = rng.normal(size=g * t) + rng.normal(size=g)[iso]
    fe = np.column_stack([iso, year])
    preps = []
    common = rng.normal(size=g)[iso]
    for _ in range(n_specs):
        y = beta * x + 0.5 * common + rng.normal(size=g)[iso] * 0.5 + rng.normal(size=g * t)
        preps.append(fb.prepare(y, x, iso, fe=fe))
    v = fb.block_weights(g, draws, 0, seed + 1)
    cs, ts = fb.curve_draws(preps, v)
    coef = np.array([p.coef for p in preps])
    tt = np.array([p.t for p in preps])
    return fb.joint_null(coef, tt, fb.bootstrap_p(tt, ts), cs, ts, np.ones(n_specs), np.ones(n_specs))


def test_joint_null_rejects_a_strong_effect():
    j = _synthetic_curve(beta=1.0)
    assert j.observed["share_for"] > 0.9
    assert j.p["share_for"] < 0.01 and j.p["median"] < 0.01 and j.p["stouffer"] < 0.01


def test_joint_null_p_roughly_uniform_under_the_null():
    ps = np.array([_synthetic_curve(beta=0.0, n_specs=10, draws=199, seed=s).p["stouffer"] for s in range(40)])
    assert 0.2 < ps.mean() < 0.8
    assert np.mean(ps < 0.05) < 0.2
    assert np.mean(ps < 0.5) > 0.25
