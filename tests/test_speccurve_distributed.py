"""The multiverse runner: synthetic frames, duplicate flagging, and bit-identical results
in-process and on a two-worker LocalCluster."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook.analyses import multiverse as mv


def synthetic_frames(beta=0.3, g=12, per=4, years=range(2000, 2016), seed=0):
    """Region-year frames shaped like the real ones, with a known effect of rai on log GDP."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(g):
        x = rng.normal(size=len(years)).cumsum() * 0.2 + rng.normal()
        for r in range(per):
            a = rng.normal()
            for t, yr in enumerate(years):
                rows.append({"iso3": f"C{c:02d}", "region": f"C{c:02d}R{r}", "year": yr,
                             "log_gdp_per_head": a + 0.02 * t + beta * x[t] + rng.normal(scale=0.2),
                             "population": float(rng.integers(1, 10) * 1e5), "rai": x[t],
                             "rai_self_rule": x[t],  # identical to rai: every spec with it is a duplicate
                             "imf_tax_share": x[t] + rng.normal(scale=0.5)})
    df = pd.DataFrame(rows)
    df["w_country"] = 1.0 / df.groupby(["iso3", "year"])["region"].transform("size")
    return {"region|outlook|all": df}


def specs():
    return [mv.Spec("productivity", "region", "log_gdp_per_head", m, "all", fe, 0, "outlook", w)
            for m in ("rai", "rai_self_rule", "imf_tax_share")
            for fe in ("region + year", "country + year", "year only")
            for w in ("equal regions", "population", "equal countries")]


def test_recovers_effect_flags_duplicates_and_rejects_the_null():
    res = mv.run(draws=199, frames_=synthetic_frames(beta=0.3), specs=specs(), spec_block=5, draw_block=50)
    c = res.curve
    # rai_self_rule repeats rai (9), and with four regions in every country "equal countries"
    # weights are constant, the same regression as "equal regions" (3 FE x 2 other measures)
    assert (c["status"] == "duplicate").sum() == 9 + 6
    dup = c[c["status"] == "duplicate"].iloc[0]
    assert c.loc[int(dup["duplicate_of"]), "status"] == "ok"
    rai = c[(c["measure"] == "rai") & (c["fe"] == "region + year") & (c["weights"] == "equal regions")]
    assert rai["coef_raw"].iloc[0] == pytest.approx(0.3, abs=0.05)
    j = res.joint["productivity"]
    assert j.n_specs == 12 and j.n_draws == 199
    assert j.observed["share_for"] > 0.5 and j.p["share_for"] < 0.05


def test_block_sizes_do_not_change_the_numbers():
    fr = synthetic_frames(beta=0.0, seed=3)
    a = mv.run(draws=120, frames_=fr, specs=specs(), spec_block=4, draw_block=40)
    b = mv.run(draws=120, frames_=fr, specs=specs(), spec_block=27, draw_block=40)
    pd.testing.assert_frame_equal(a.curve, b.curve)


def test_local_cluster_two_workers_bit_identical_to_in_process():
    from dask.distributed import Client, LocalCluster

    fr = synthetic_frames(beta=0.1, seed=5)
    here = mv.run(draws=150, frames_=fr, specs=specs(), spec_block=6, draw_block=50)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0") as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2
            there = mv.run(draws=150, frames_=fr, specs=specs(), spec_block=6, draw_block=50,
                           scheduler=cluster.scheduler_address)
    pd.testing.assert_frame_equal(here.curve, there.curve, check_exact=True)
    for fam in here.joint:
        assert np.array_equal(here.joint[fam].null_share_for, there.joint[fam].null_share_for)
        assert here.joint[fam].p == there.joint[fam].p


def test_environment_variable_selects_the_scheduler(monkeypatch):
    from fiscalbook.methods import distributed

    monkeypatch.setenv(distributed.ENV, "tcp://example:8786")
    assert distributed.resolve_scheduler(None) == "tcp://example:8786"
    assert distributed.resolve_scheduler("local") == "local"
    monkeypatch.delenv(distributed.ENV)
    assert distributed.resolve_scheduler(None) is None
