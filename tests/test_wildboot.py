"""The fast FWL estimator and WCR bootstrap behind the specification curve."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from fiscalbook.wildboot import WildClusterBootstrap, cluster_ols, partial_out


def panel(beta=0.5, g=12, t=10, per=4, seed=1):
    """Regions nested in countries; x varies by country-year (like autonomy); y has region and
    year effects, a country-level shock and noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(g):
        xc = rng.normal(size=t).cumsum() * 0.3 + rng.normal()
        shock = rng.normal(scale=0.5, size=t)
        for r in range(per):
            a = rng.normal()
            for y in range(t):
                rows.append(dict(iso3=f"C{c:02d}", region=f"C{c:02d}R{r}", year=2000 + y,
                                 x=xc[y], z=rng.normal(),
                                 y=a + 0.1 * y + beta * xc[y] + shock[y] + rng.normal(scale=0.3)))
    df = pd.DataFrame(rows)
    df["y"] += 0.2 * df["z"]
    return df


def test_fwl_matches_statsmodels_dummies_with_cr1_se():
    df = panel()
    p = partial_out(df, "y", "x", fe=["region", "year"], controls=["z"], cluster="iso3")
    r = cluster_ols(p)
    m = smf.ols("y ~ x + z + C(region) + C(year)", df).fit(cov_type="cluster", cov_kwds={"groups": pd.factorize(df["iso3"])[0]})
    assert r.coef == pytest.approx(m.params["x"], rel=1e-8)
    # statsmodels counts the FE dummies in K; ours (fixest-style) counts only x and z
    k_sm = m.df_model + 1
    adj = ((len(df) - 1) / (len(df) - 2)) / ((len(df) - 1) / (len(df) - k_sm))
    assert r.se == pytest.approx(m.bse["x"] * np.sqrt(adj), rel=1e-6)


def test_recovers_known_coefficient():
    estimates = [cluster_ols(partial_out(panel(beta=0.5, g=30, seed=s), "y", "x", fe=["region", "year"])).coef
                 for s in range(20)]
    assert np.mean(estimates) == pytest.approx(0.5, abs=0.05)


def test_bootstrap_matches_wildboottest_package():
    from wildboottest.wildboottest import wildboottest

    df = panel(beta=0.15, g=10, seed=3)
    p = partial_out(df, "y", "x", fe=["region", "year"], cluster="iso3")
    ours = WildClusterBootstrap(p, B=9999, seed=7, weights="rademacher").pvalue(0.0)
    model = smf.ols("y ~ x + C(region) + C(year)", df)
    import contextlib
    import io
    with contextlib.redirect_stdout(io.StringIO()):
        theirs = wildboottest(model, param="x", cluster=pd.factorize(df["iso3"])[0], B=9999,
                              weights_type="rademacher", seed=11)
    their_p = float(np.asarray(theirs["p-value"]).ravel()[0])
    assert ours == pytest.approx(their_p, abs=0.03)


def test_bootstrap_is_deterministic_under_a_seed_and_ci_inverts_the_test():
    p = partial_out(panel(seed=4), "y", "x", fe=["region", "year"])
    a, b = WildClusterBootstrap(p, B=499, seed=1), WildClusterBootstrap(p, B=499, seed=1)
    assert a.pvalue(0.0) == b.pvalue(0.0)
    lo, hi = a.confint(0.95)
    assert lo < a.ols.coef < hi
    assert a.pvalue(lo + 1e-3 * a.ols.se) > 0.05 - 1e-9 and a.pvalue(hi + 0.5 * a.ols.se) <= 0.05
    assert WildClusterBootstrap(p, B=499, seed=2).v.tolist() != a.v.tolist()


def test_size_is_close_to_nominal_under_the_null():
    rejections = 0
    for s in range(40):
        p = partial_out(panel(beta=0.0, g=8, seed=100 + s), "y", "x", fe=["region", "year"])
        rejections += WildClusterBootstrap(p, B=399, seed=s).pvalue(0.0) < 0.05
    assert rejections <= 6  # 5 % of 40 is 2; allow sampling noise, catch gross over-rejection


def test_regressor_absorbed_by_fixed_effects_is_an_error():
    df = panel()
    df["const_x"] = df["iso3"].map({c: i for i, c in enumerate(df["iso3"].unique())})
    with pytest.raises(ValueError, match="does not vary"):
        cluster_ols(partial_out(df, "y", "const_x", fe=["region", "year"]))


def test_agrees_with_the_estimation_module_bootstrap():
    """Two independent WCR implementations (this fast one for the specification curve, and
    fiscalbook.estimation's for the chapters) give the same p-value and interval up to
    simulation noise."""
    from fiscalbook.estimation import wild_cluster_bootstrap

    df = panel(beta=0.2, g=10, seed=5)
    p = partial_out(df, "y", "x", fe=["region", "year"], cluster="iso3")
    fast = WildClusterBootstrap(p, B=9999, seed=3, weights="rademacher")
    ref = wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("region", "year"), cluster="iso3",
                                 B=9999, seed=3, weights_type="rademacher")
    assert fast.pvalue(0.0) == pytest.approx(ref.p, abs=0.02)
    lo, hi = fast.confint()
    width = ref.ci_high - ref.ci_low
    assert lo == pytest.approx(ref.ci_low, abs=0.05 * width) and hi == pytest.approx(ref.ci_high, abs=0.05 * width)
