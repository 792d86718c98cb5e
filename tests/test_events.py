"""Reform events and the staggered-adoption event study, on synthetic panels with known effects."""

import warnings

import numpy as np
import pandas as pd
import pytest

from fiscalbook import events as ev

warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")

YEARS = np.arange(2000, 2021)


def staggered_panel(effect, cohorts=(2004, 2008, 2012), n_countries_per=(4, 4, 4), n_never=8,
                    regions=4, noise=0.0, seed=1, trend_noise=0.0):
    """Countries x regions x years; country cohorts; y = unit FE + year FE + effect(g, e) + noise.

    effect(g, e) gives the treatment effect of cohort g at event time e >= 0."""
    rng = np.random.default_rng(seed)
    rows = []
    spec = [(g, n) for g, n in zip(cohorts, n_countries_per)] + [(None, n_never)]
    year_fe = rng.normal(0, 0.05, len(YEARS)).cumsum()
    c = 0
    for g, n in spec:
        for _ in range(n):
            c += 1
            iso = f"C{c:02d}"
            for r in range(regions):
                a = rng.normal(0, 0.3)
                for k, t in enumerate(YEARS):
                    e = None if g is None else t - g
                    tau = effect(g, e) if (g is not None and e >= 0) else 0.0
                    rows.append({"iso3": iso, "region": f"{iso}_{r}", "year": int(t),
                                 "cohort": np.nan if g is None else float(g),
                                 "y": a + year_fe[k] + tau + rng.normal(0, noise)})
    return pd.DataFrame(rows)


def hetero(g, e):
    """Dynamic effects that differ by cohort: early cohorts gain more, growing with e."""
    slope = {2004: 0.04, 2008: 0.02, 2012: 0.0}[g]
    return slope * (e + 1)


def truth(e, cohorts=(2004, 2008, 2012), n=(4, 4, 4)):
    """Cohort-size-weighted true effect at event time e over cohorts observed at e."""
    vals, ws = [], []
    for g, k in zip(cohorts, n):
        if g + e <= YEARS[-1] and g + e >= YEARS[0]:
            vals.append(hetero(g, e) if e >= 0 else 0.0)
            ws.append(k)
    return float(np.average(vals, weights=ws))


# ---------------------------------------------------------------------- events


def rai_toy():
    rows = []
    for iso, path in {
        "AAA": {1999: 1.0, 2000: 1.0, 2001: 2.2, 2002: 2.2, 2010: 1.0},  # increase 2001, decrease 2010
        "BBB": {1999: 0.0, 2000: 0.03, 2001: 0.06},  # drift only
        "CCC": {1996: 2.0, 1997: 3.0, 1998: 3.0},  # increase 1997: always treated in 2000-
        "DDD": {2003: 3.0, 2004: 1.5, 2005: 3.0},  # decrease before increase
    }.items():
        for y in range(1995, 2019):
            # carry forward the last given value
            given = [k for k in path if k <= y]
            val = path[max(given)] if given else list(path.values())[0]
            rows.append({"iso3": iso, "year": y, "fiscal_autonomy": val})
    return pd.DataFrame(rows)


def test_events_and_status():
    e = ev.reform_events(rai_toy(), "fiscal_autonomy", 1.0)
    got = {(r.iso3, r.year, r.direction) for r in e.itertuples()}
    assert got == {("AAA", 2001, "increase"), ("AAA", 2010, "decrease"),
                   ("CCC", 1997, "increase"), ("DDD", 2004, "decrease"), ("DDD", 2005, "increase")}
    assert e.loc[(e.iso3 == "AAA") & (e.year == 2001), "change"].item() == pytest.approx(1.2)
    st = ev.treatment_status(e, ["AAA", "BBB", "CCC", "DDD"]).set_index("iso3")
    assert st.loc["AAA", "status"] == "treated" and st.loc["AAA", "cohort"] == 2001
    assert st.loc["AAA", "later_reforms"] == 1
    assert st.loc["BBB", "status"] == "never"
    assert st.loc["CCC", "status"] == "always_treated"
    assert st.loc["DDD", "status"] == "decrease_first"


def test_event_needs_consecutive_years():
    r = pd.DataFrame({"iso3": ["X", "X"], "year": [2000, 2003], "fiscal_autonomy": [0.0, 3.0]})
    assert ev.reform_events(r).empty  # no jump across a gap
    with pytest.raises(ValueError):
        ev.reform_events(r, threshold=0)


# ---------------------------------------------------------------------- estimator


def test_exact_recovery_without_noise_where_twfe_is_biased():
    df = staggered_panel(hetero, noise=0.0)
    es = ev.event_study(df, B=199)
    for e in range(-5, 6):
        if e == -1:
            continue
        assert es.at(e)["coef"] == pytest.approx(truth(e), abs=1e-10)
    tw = ev.event_study_twfe(df).set_index("e")
    # TWFE with binned ends and heterogeneous cohorts is off at +5 and shows fake pre-trends
    assert abs(tw.loc[5, "coef"] - truth(5)) > 0.01
    assert max(abs(tw.loc[k, "coef"]) for k in (-5, -4, -3, -2)) > 0.005
    assert es.at(-6)["coef"] == pytest.approx(0.0, abs=1e-10)  # the binned lead end


def test_not_yet_treated_controls_also_exact():
    df = staggered_panel(hetero, noise=0.0)
    es = ev.event_study(df, control="notyet", B=199)
    for e in (0, 2, 5):
        assert es.at(e)["coef"] == pytest.approx(truth(e), abs=1e-10)


def test_noisy_dynamic_effect_recovered_and_intervals_cover():
    df = staggered_panel(hetero, noise=0.02, seed=7, n_countries_per=(6, 6, 6), n_never=12)
    es = ev.event_study(df, B=999)
    t5 = truth(5, n=(6, 6, 6))
    r5 = es.at(5)
    assert r5["ci_low"] < t5 < r5["ci_high"]
    assert r5["p"] < 0.01  # a real effect is detected
    assert r5["band_low"] <= r5["ci_low"] and r5["band_high"] >= r5["ci_high"]  # sup-t band wider
    assert es.pre_test["p"] > 0.01  # no pre-trend built in


def test_known_zero():
    df = staggered_panel(lambda g, e: 0.0, noise=0.02, seed=3, n_countries_per=(6, 6, 6), n_never=12)
    es = ev.event_study(df, B=999)
    inside = [(r.ci_low < 0 < r.ci_high) for r in es.table.itertuples()]
    assert np.mean(inside) >= 0.75
    assert es.post_average["ci_low"] < 0 < es.post_average["ci_high"]


def test_pre_trend_is_detected():
    """A treated-cohort-specific trend before treatment must show in the leads."""
    df = staggered_panel(lambda g, e: 0.0, noise=0.005, seed=5, n_countries_per=(6, 6, 6), n_never=12)
    df.loc[df.cohort.notna(), "y"] += 0.02 * (df.loc[df.cohort.notna(), "year"] - 2000)
    es = ev.event_study(df, B=199)
    assert es.pre_test["p"] < 0.01


def test_cluster_se_matches_closed_form_for_one_cell():
    """With one cohort, one post year and one region per country, the SE is the clustered
    SE of a difference in means: sqrt(G/(G-1)) * sqrt(sum((d-mean)^2)/n^2) per group."""
    df = staggered_panel(lambda g, e: 0.1, cohorts=(2010,), n_countries_per=(5,), n_never=6,
                         regions=1, noise=0.05, seed=11)
    es = ev.event_study(df, B=99)
    dY = df.pivot(index="region", columns="year", values="y")
    d = dY[2010] - dY[2009]
    treated = df.drop_duplicates("region").set_index("region")["cohort"].notna()
    dT, dC = d[treated], d[~treated]
    G = 11
    v = ((dT - dT.mean()) ** 2).sum() / len(dT) ** 2 + ((dC - dC.mean()) ** 2).sum() / len(dC) ** 2
    assert es.at(0)["coef"] == pytest.approx(dT.mean() - dC.mean())
    assert es.at(0)["se"] == pytest.approx(np.sqrt(v * G / (G - 1)))


def test_bad_inputs():
    df = staggered_panel(hetero)
    with pytest.raises(ValueError):
        ev.event_study(df.iloc[1:], B=9)  # unbalanced
    with pytest.raises(ValueError):
        ev.event_study(df.assign(cohort=np.nan), B=9)  # nobody treated
    with pytest.raises(ValueError):
        ev.event_study(df, control="everyone", B=9)


def test_placebo_inference_known_effect_and_zero():
    big = staggered_panel(lambda g, e: 0.3, cohorts=(2006, 2012), n_countries_per=(1, 1),
                          n_never=15, noise=0.02, seed=8)
    pi = ev.placebo_inference(big, draws=99).set_index("e")
    assert pi.loc[3, "p_perm"] == pytest.approx(1 / 100)  # no placebo beats a large effect
    assert pi.loc[3, "perm_low"] < 0.3 < pi.loc[3, "perm_high"]
    zero = staggered_panel(lambda g, e: 0.0, cohorts=(2006, 2012), n_countries_per=(1, 1),
                           n_never=15, noise=0.02, seed=8)
    pz = ev.placebo_inference(zero, draws=99).set_index("e")
    assert pz.loc["post", "p_perm"] > 0.05
    assert pz.loc["post", "perm_low"] < 0 < pz.loc["post", "perm_high"]


def test_clustered_se_too_small_with_few_treated_but_placebo_is_not():
    """Two treated countries and country-level shocks: the clustered interval only sees the
    within-country spread of the two treated countries and is narrower than the placebo
    interval, which sees the spread of country shocks across placebo countries."""
    df = staggered_panel(lambda g, e: 0.0, cohorts=(2006, 2012), n_countries_per=(1, 1),
                         n_never=15, noise=0.01, seed=21)
    # a country-level shock after 2008 in every country (random size), incl. the treated
    rng = np.random.default_rng(0)
    shock = {c: rng.normal(0, 0.05) for c in df.iso3.unique()}
    df["y"] += (df.year >= 2008) * df.iso3.map(shock)
    es = ev.event_study(df, B=99)
    pi = ev.placebo_inference(df, draws=199).set_index("e")
    width_cl = es.post_average["ci_high"] - es.post_average["ci_low"]
    width_pl = pi.loc["post", "perm_high"] - pi.loc["post", "perm_low"]
    assert width_pl > width_cl


def test_did2s_cross_check_exact_without_noise():
    df = staggered_panel(hetero, noise=0.0)
    d2 = ev.event_study_did2s(df).set_index("e")
    for e in range(0, 6):
        assert d2.loc[e, "coef"] == pytest.approx(truth(e), abs=1e-8)


def test_did2s_and_cs_agree_with_noise_and_parallel_trends():
    df = staggered_panel(hetero, noise=0.02, seed=7, n_countries_per=(6, 6, 6), n_never=12)
    d2 = ev.event_study_did2s(df).set_index("e")
    cs = ev.event_study(df, B=99)
    for e in (0, 3, 5):
        assert abs(d2.loc[e, "coef"] - cs.at(e)["coef"]) < 3 * cs.at(e)["se"]
        assert d2.loc[e, "ci_low"] < truth(e, n=(6, 6, 6)) < d2.loc[e, "ci_high"]


# ---------------------------------------------------------------------- the real RAI data


@pytest.fixture(scope="module")
def rai_and_countries():
    from fiscalbook import panels, tables

    regions, _ = panels.regions_table("outlook")
    return tables.rai_country(), sorted(regions["iso3"].unique())


def test_real_treated_cohorts_do_not_depend_on_threshold_from_half_to_one(rai_and_countries):
    """The documented claim: any fiscal-autonomy threshold in [0.5, 1.0] gives the same
    treated countries and reform years inside the outcome window."""
    rai, countries = rai_and_countries
    got = []
    for thr in (0.5, 0.75, 1.0):
        e = ev.reform_events(rai, "fiscal_autonomy", thr, countries=countries)
        st = ev.treatment_status(e, countries)
        got.append(set(st.loc[st.status == "treated", ["iso3", "cohort"]].itertuples(index=False, name=None)))
    assert got[0] == got[1] == got[2] == {("SVK", 2005.0), ("IRL", 2014.0)}


def test_real_small_changes_are_drift(rai_and_countries):
    """Most non-zero yearly changes in fiscal autonomy are below 0.1 point (weight drift),
    and only a handful reach half a point."""
    rai, countries = rai_and_countries
    r = rai.loc[rai.iso3.isin(countries) & rai.year.between(1995, 2018)].sort_values(["iso3", "year"])
    d = r.groupby("iso3")["fiscal_autonomy"].diff().dropna()
    d = d[d != 0]
    assert (d.abs() < 0.1).mean() > 0.7
    assert (d.abs() >= 0.5).sum() <= 10
