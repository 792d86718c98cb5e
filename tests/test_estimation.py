"""fiscalbook.estimation on synthetic panels whose true coefficients are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import estimation as est

BETA = 0.5


def panel(G=25, T=8, beta=BETA, seed=0, country_level=False):
    """Two-way FE panel: y = beta*x + gamma*w + a_c + d_t + e, errors correlated within
    country (a common country shock each period would be absorbed, so use AR-ish noise)."""
    rng = np.random.default_rng(seed)
    c = np.repeat(np.arange(G), T)
    t = np.tile(np.arange(T), G)
    a = rng.normal(size=G)[c]
    d = rng.normal(size=T)[t]
    x = rng.normal(size=G * T) + 0.8 * a  # x correlated with the country effect
    w = rng.normal(size=G * T)
    # errors: cluster-correlated through a country-specific loading on a common factor
    e = rng.normal(size=G)[c] * rng.normal(size=T)[t] + rng.normal(size=G * T)
    df = pd.DataFrame({"iso3": [f"C{i:02d}" for i in c], "year": 2000 + t, "x": x, "w": w,
                       "y": beta * x - 0.3 * w + 2 * a + d + e})
    if country_level:
        df["ctry_var"] = rng.normal(size=G)[c]
    return df


# ---------------------------------------------------------------- point estimates and SEs

def test_recovers_known_coefficient_two_way_fe():
    df = panel(G=40, T=10, seed=1)
    fit = est.fit_fe(df, "y", ["x", "w"], fe=("iso3", "year"), cluster="iso3")
    e = fit.estimate("x")
    assert abs(e.coef - BETA) < 3 * e.se
    assert abs(fit.estimate("w").coef + 0.3) < 3 * fit.estimate("w").se
    assert e.ci_low < BETA < e.ci_high
    assert e.n_obs == 400 and e.n_clusters == 40 and e.inference == "cluster"
    assert 0 < fit.r2_within < fit.r2 < 1


def test_pooled_ols_is_biased_when_x_correlates_with_country_effect():
    """The FE matter: without them the estimate is pulled away from beta (a real check that
    the FE are absorbed, not ignored)."""
    df = panel(G=40, T=10, seed=1)
    pooled = est.fit_fe(df, "y", ["x", "w"], cluster="iso3").estimate("x")
    fe = est.fit_fe(df, "y", ["x", "w"], fe=("iso3", "year"), cluster="iso3").estimate("x")
    assert pooled.coef - BETA > 3 * pooled.se
    assert abs(fe.coef - BETA) < abs(pooled.coef - BETA)


def test_ci_coverage_over_replications():
    """95% CR1/t(G-1) intervals cover the true beta in roughly 95% of synthetic panels."""
    hits = []
    for s in range(120):
        e = est.fit_fe(panel(G=20, T=6, seed=100 + s), "y", ["x", "w"], fe=("iso3", "year"),
                       cluster="iso3").estimate("x")
        hits.append(e.ci_low <= BETA <= e.ci_high)
    assert 0.88 <= np.mean(hits) <= 0.995


def test_cluster_se_matches_numpy_sandwich():
    df = panel(G=15, T=7, seed=2)
    fit = est.fit_fe(df, "y", ["x", "w"], fe=("iso3", "year"), cluster="iso3")
    # explicit dummies, plain numpy
    D_c = pd.get_dummies(df.iso3, drop_first=True, dtype=float).to_numpy()
    D_t = pd.get_dummies(df.year, drop_first=True, dtype=float).to_numpy()
    X = np.column_stack([df.x, df.w, np.ones(len(df)), D_c, D_t])
    y = df.y.to_numpy()
    XtXi = np.linalg.inv(X.T @ X)
    b = XtXi @ X.T @ y
    u = y - X @ b
    meat = np.zeros((X.shape[1],) * 2)
    for g in df.iso3.unique():
        m = (df.iso3 == g).to_numpy()
        s = X[m].T @ u[m]
        meat += np.outer(s, s)
    V = XtXi @ meat @ XtXi
    N, G, T = len(df), 15, 7
    K = 2 + 1 + (T - 1)  # regressors + intercept + year levels - 1 (country FE nested)
    c = G / (G - 1) * (N - 1) / (N - K)
    np.testing.assert_allclose(fit.coef[["x", "w"]].to_numpy(), b[:2], rtol=1e-9)
    np.testing.assert_allclose(fit.table().se.to_numpy(), np.sqrt(c * np.diag(V)[:2]), rtol=1e-8)
    assert fit.ssc == pytest.approx(c)
    # t(G-1) inference
    from scipy import stats
    e = fit.estimate("x")
    assert e.ci_high - e.coef == pytest.approx(stats.t.ppf(0.975, G - 1) * e.se)


@pytest.mark.parametrize("fe", [(), ("iso3",), ("year",), ("iso3", "year")])
@pytest.mark.parametrize("weights", [None, "wt"])
def test_pyfixest_and_statsmodels_agree(fe, weights):
    df = panel(G=12, T=6, seed=3)
    df["wt"] = np.random.default_rng(9).uniform(0.5, 2.0, len(df))
    a = est.fit_fe(df, "y", ["x", "w"], fe=fe, cluster="iso3", weights=weights)
    b = est.fit_fe(df, "y", ["x", "w"], fe=fe, cluster="iso3", weights=weights, engine="statsmodels")
    pd.testing.assert_frame_equal(a.table(), b.table(), rtol=1e-7)
    assert a.r2 == pytest.approx(b.r2, rel=1e-9)


def test_linearmodels_agrees_on_coefficients():
    from linearmodels.panel import PanelOLS

    df = panel(G=12, T=6, seed=4)
    p = df.set_index(["iso3", "year"])
    lm = PanelOLS(p.y, p[["x", "w"]], entity_effects=True, time_effects=True).fit(
        cov_type="clustered", cluster_entity=True)
    fit = est.fit_fe(df, "y", ["x", "w"], fe=("iso3", "year"), cluster="iso3")
    np.testing.assert_allclose(fit.coef[["x", "w"]].to_numpy(), lm.params.to_numpy(), rtol=1e-9)
    # SEs differ only by the small-sample factor (linearmodels counts K differently)
    ratio = lm.std_errors.to_numpy() / fit.table().se.to_numpy()
    assert ratio[0] == pytest.approx(ratio[1], rel=1e-9)


def test_hc1_without_cluster():
    df = panel(G=10, T=10, seed=5)
    fit = est.fit_fe(df, "y", ["x"], fe=("iso3",))
    assert fit.inference == "hc1" and fit.n_clusters is None
    import statsmodels.formula.api as smf
    ref = smf.ols("y ~ x + C(iso3)", df).fit(cov_type="HC1")
    assert fit.estimate("x").se == pytest.approx(ref.bse["x"], rel=1e-8)


def test_table_lists_terms():
    df = panel(seed=6)
    t = est.fit_fe(df, "y", ["x", "w"], cluster="iso3").table()
    assert list(t.columns) == ["term", "coef", "se", "ci_low", "ci_high", "p"]
    assert list(t.term) == ["Intercept", "x", "w"]
    t2 = est.fit_fe(df, "y", ["x", "w"], fe="iso3", cluster="iso3").table()
    assert list(t2.term) == ["x", "w"]


# ---------------------------------------------------------------- wild cluster bootstrap

def test_bootstrap_deterministic_under_seed_and_varies_with_seed():
    df = panel(G=14, T=6, seed=7, beta=0.1)
    kw = dict(fe=("iso3", "year"), cluster="iso3", B=999)
    a = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", seed=1, **kw)
    b = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", seed=1, **kw)
    c = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", seed=2, **kw)
    assert (a.p, a.ci_low, a.ci_high) == (b.p, b.ci_low, b.ci_high)
    assert (a.p, a.ci_low, a.ci_high) != (c.p, c.ci_low, c.ci_high)
    assert a.inference == "wild_bootstrap" and a.spec["B"] == 999 and a.spec["seed"] == 1


def test_bootstrap_pvalue_equals_wildboottest_package():
    """Same draws (same seed), same model with explicit dummies: identical p-value."""
    import statsmodels.api as sm
    from wildboottest.wildboottest import wildboottest

    df = panel(G=14, T=6, seed=8, beta=0.1)
    X = pd.get_dummies(df[["x", "w", "iso3", "year"]].astype({"year": str}), drop_first=True,
                       dtype=float)
    X = sm.add_constant(X)
    for term in ("x", "w"):
        ref = wildboottest(sm.OLS(df.y, X), B=1999, cluster=pd.factorize(df.iso3)[0], param=term,
                           seed=11, show=False)
        ours = est.wild_cluster_bootstrap(df, "y", ["x", "w"], term, fe=("iso3", "year"),
                                          cluster="iso3", B=1999, seed=11,
                                          weights_type="rademacher", ci=False)
        assert ours.p == pytest.approx(float(ref["p-value"].iloc[0]), abs=1e-12)


def test_bootstrap_ci_is_test_inversion():
    """At the interval's bounds the bootstrap test of H0: beta = bound switches from
    not rejecting (just inside) to rejecting (just outside) at 5%."""
    df = panel(G=14, T=6, seed=9)
    kw = dict(fe=("iso3", "year"), cluster="iso3", B=999, seed=3)
    e = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", **kw)
    assert e.ci_low < e.coef < e.ci_high
    eps = 1e-3 * e.se
    for bound, inward in ((e.ci_low, +1), (e.ci_high, -1)):
        for shift, rejects in ((inward * eps, False), (-inward * eps, True)):
            b0 = bound + shift
            shifted = df.assign(y=df.y - b0 * df.x)
            p = est.wild_cluster_bootstrap(shifted, "y", ["x", "w"], "x", ci=False, **kw).p
            assert (p <= 0.05) == rejects, (bound, shift, p)


def test_bootstrap_rejects_a_strong_effect_and_not_a_null_one():
    df = panel(G=20, T=6, seed=10, beta=1.0)
    strong = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", fe=("iso3", "year"),
                                        cluster="iso3", B=999)
    assert strong.p < 0.01
    df0 = panel(G=20, T=6, seed=10, beta=0.0)
    null = est.wild_cluster_bootstrap(df0, "y", ["x", "w"], "x", fe=("iso3", "year"),
                                      cluster="iso3", B=999)
    assert null.ci_low < 0 < null.ci_high


def test_bootstrap_weights_choice_and_full_enumeration():
    df = panel(G=8, T=6, seed=11)
    auto = est.wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("iso3", "year"), cluster="iso3",
                                      B=999, ci=False)
    assert auto.spec["weights_type"] == "webb"
    rad = est.wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("iso3", "year"), cluster="iso3",
                                     B=999, weights_type="rademacher", ci=False)
    assert rad.spec["full_enumeration"] and rad.spec["B"] == 2 ** 8
    # full enumeration does not depend on the seed
    rad2 = est.wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("iso3", "year"), cluster="iso3",
                                      B=999, weights_type="rademacher", ci=False, seed=5)
    assert rad.p == rad2.p
    big = est.wild_cluster_bootstrap(panel(G=14, seed=1), "y", ["x"], "x", fe="iso3",
                                     cluster="iso3", B=999, ci=False)
    assert big.spec["weights_type"] == "rademacher" and not big.spec["full_enumeration"]


def test_bootstrap_with_weights_runs_and_matches_fit():
    df = panel(G=14, T=6, seed=12)
    df["wt"] = np.random.default_rng(1).uniform(0.5, 2, len(df))
    e = est.wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("iso3", "year"), cluster="iso3",
                                   weights="wt", B=499)
    f = est.fit_fe(df, "y", ["x"], fe=("iso3", "year"), cluster="iso3", weights="wt").estimate("x")
    assert e.coef == pytest.approx(f.coef) and e.se == pytest.approx(f.se)
    assert e.ci_low < e.coef < e.ci_high


# ---------------------------------------------------------------- errors

def test_unknown_column():
    with pytest.raises(est.EstimationError, match=r"unknown column.*'nope'"):
        est.fit_fe(panel(), "y", ["x", "nope"], fe="iso3", cluster="iso3")


def test_missing_values_are_reported_then_dropped_on_request():
    df = panel(G=10, T=6, seed=13)
    df.loc[[0, 5, 9], "x"] = np.nan
    df.loc[[5, 20], "w"] = np.nan
    with pytest.raises(est.EstimationError, match=r"4 of 60 rows.*'x': 3.*'w': 2.*dropna=True"):
        est.fit_fe(df, "y", ["x", "w"], fe="iso3", cluster="iso3")
    fit = est.fit_fe(df, "y", ["x", "w"], fe="iso3", cluster="iso3", dropna=True)
    assert fit.n_obs == 56 and fit.n_dropped == 4
    # a column not used does not count
    df2 = panel(G=10, T=6).assign(unused=np.nan)
    assert est.fit_fe(df2, "y", ["x"], cluster="iso3").n_obs == 60


def test_too_few_clusters():
    df = panel(G=4, T=10)
    with pytest.raises(est.EstimationError, match=r"only 4 clusters.*at least 5"):
        est.fit_fe(df, "y", ["x"], fe="year", cluster="iso3")


def test_regressor_absorbed_by_fixed_effects():
    df = panel(G=10, T=6, country_level=True)
    with pytest.raises(est.EstimationError, match=r"\['ctry_var'\] do not vary within the fixed effects \['iso3'"):
        est.fit_fe(df, "y", ["x", "ctry_var"], fe=("iso3", "year"), cluster="iso3")
    # without the country effects it is estimable
    est.fit_fe(df, "y", ["x", "ctry_var"], fe="year", cluster="iso3")


def test_collinear_regressors():
    df = panel(G=10, T=6)
    df["x2"] = 2 * df.x - df.w
    with pytest.raises(est.EstimationError, match=r"collinear"):
        est.fit_fe(df, "y", ["x", "w", "x2"], fe="iso3", cluster="iso3")
    df["k"] = 3.0
    with pytest.raises(est.EstimationError, match=r"\['k'\] are constant"):
        est.fit_fe(df, "y", ["x", "k"], cluster="iso3")


def test_other_bad_inputs():
    df = panel(G=10, T=6)
    with pytest.raises(est.EstimationError, match="not numeric"):
        est.fit_fe(df, "y", ["iso3"], cluster="iso3")
    with pytest.raises(est.EstimationError, match="no term 'z'"):
        est.fit_fe(df, "y", ["x"], cluster="iso3").estimate("z")
    with pytest.raises(est.EstimationError, match="not among the regressors"):
        est.wild_cluster_bootstrap(df, "y", ["x"], "w", cluster="iso3")
    with pytest.raises(est.EstimationError, match="needs a cluster"):
        est.wild_cluster_bootstrap(df, "y", ["x"], "x")
    with pytest.raises(est.EstimationError, match="also listed as a regressor"):
        est.fit_fe(df, "y", ["y"], cluster="iso3")


# ---------------------------------------------------------------- helpers

def test_add_lags_by_time_value_with_gap():
    df = pd.DataFrame({"iso3": ["A"] * 4 + ["B"] * 3, "year": [1, 2, 3, 5, 1, 2, 3],
                       "v": [10.0, 20, 30, 50, 1, 2, 3]})
    out = est.add_lags(df.sample(frac=1, random_state=0), "v", [1, 2, -1], by="iso3", time="year")
    out = out.sort_values(["iso3", "year"])
    np.testing.assert_array_equal(out.v_lag1.to_numpy(), [np.nan, 10, 20, np.nan, np.nan, 1, 2])
    np.testing.assert_array_equal(out.v_lag2.to_numpy(), [np.nan, np.nan, 10, 30, np.nan, np.nan, 1])
    np.testing.assert_array_equal(out.v_lead1.to_numpy(), [20, 30, np.nan, np.nan, 2, 3, np.nan])


def test_add_lags_with_period_labels_and_duplicates():
    df = pd.DataFrame({"iso3": ["A", "A", "A"], "period": ["1985-1987", "1982-1984", "1988-1990"],
                       "v": [2.0, 1.0, 3.0]})
    out = est.add_lags(df, ["v"], 1, by="iso3", time="period")
    assert out.set_index("period").v_lag1.to_dict() == pytest.approx(
        {"1985-1987": 1.0, "1988-1990": 2.0, "1982-1984": np.nan}, nan_ok=True)
    with pytest.raises(est.EstimationError, match="duplicate"):
        est.add_lags(pd.concat([df, df]), "v", 1, by="iso3", time="period")


def test_interact():
    df = pd.DataFrame({"a": [1.0, 2, 3], "b": [2.0, 0, 1]})
    out = est.interact(df, "a", "b")
    assert out.a_x_b.tolist() == [2.0, 0.0, 3.0] and "a_x_b" not in df
    c = est.interact(df, "a", "b", name="ab", center=True)
    assert c.ab.tolist() == pytest.approx([(-1) * 1, 0 * -1, 1 * 0])


def test_fit_wild_bootstrap_method_matches_function():
    df = panel(G=14, T=6, seed=14)
    fit = est.fit_fe(df, "y", ["x", "w"], fe=("iso3", "year"), cluster="iso3")
    a = fit.wild_bootstrap("x", B=499, seed=4)
    b = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", fe=("iso3", "year"),
                                   cluster="iso3", B=499, seed=4)
    assert (a.p, a.ci_low, a.ci_high) == (b.p, b.ci_low, b.ci_high)
    with pytest.raises(est.EstimationError, match="no cluster"):
        est.fit_fe(df, "y", ["x"]).wild_bootstrap("x")


def test_boolean_regressor_is_accepted():
    df = panel(G=10, T=6, seed=15)
    df["post"] = df.year >= 2004
    fit = est.fit_fe(df, "y", ["x", "post"], fe="iso3", cluster="iso3")
    assert "post" in fit.coef.index


def test_bootstrap_size_under_the_null():
    """With a true coefficient of zero and 10 clusters, the 5% bootstrap test rejects in
    roughly 5% of synthetic panels (a loose band: 100 replications)."""
    ps = []
    for s in range(100):
        df = panel(G=10, T=6, seed=500 + s, beta=0.0)
        e = est.wild_cluster_bootstrap(df, "y", ["x", "w"], "x", fe=("iso3", "year"),
                                       cluster="iso3", B=199, seed=s, ci=False)
        ps.append(e.p)
    ps = np.array(ps)
    assert np.mean(ps <= 0.05) <= 0.12
    assert 0.38 <= ps.mean() <= 0.62  # roughly uniform p-values: not a test that never rejects


def test_fit_is_bit_for_bit_identical_across_processes_with_different_hash_seeds(tmp_path):
    """pyfixest orders fixed effects through a Python set; the book's estimates must not care."""
    import os
    import subprocess
    import sys

    script = tmp_path / "fit.py"
    script.write_text(
        "import numpy as np, pandas as pd\n"
        "from fiscalbook import estimation as est\n"
        "rng = np.random.default_rng(3)\n"
        "n_c, n_t = 20, 12\n"
        "df = pd.DataFrame({'c': np.repeat([f'c{i}' for i in range(n_c)], n_t),\n"
        "                   't': np.tile([f'y{j}' for j in range(n_t)], n_c)})\n"
        "df['x'] = rng.normal(size=len(df)) + df['c'].str[1:].astype(int) * 0.1\n"
        "df['y'] = 0.5 * df['x'] + rng.normal(size=len(df)) + df['t'].str[1:].astype(int) * 0.3\n"
        "df = df[rng.random(len(df)) > 0.25]  # unbalanced: demeaning needs many sweeps\n"
        "f = est.fit_fe(df, 'y', ['x'], fe=('c', 't'), cluster='c')\n"
        "e = f.estimate('x')\n"
        "print(repr((e.coef, e.se, f.r2, f.r2_within)))\n", encoding="utf-8")
    outs = set()
    for seed in ("0", "1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True,
                             check=True).stdout.strip().splitlines()[-1]
        outs.add(out)
    assert len(outs) == 1, outs
    coef = eval(outs.pop())[0]  # noqa: S307 (our own repr of floats)
    assert abs(coef - 0.5) < 0.15
