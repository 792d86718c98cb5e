"""Building blocks of the multiverse on synthetic data."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook import disparity
from fiscalbook.analyses import multiverse as mv


def regions(seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for c in ("AAA", "BBB", "CCC"):
        for r in range(int(rng.integers(1, 6))):
            for yr in (2000, 2001, 2002):
                rows.append({"iso3": c, "region": f"{c}{r}", "year": yr,
                             "gdp_per_head_usd_ppp2015": float(rng.uniform(1e4, 6e4)),
                             "population": np.nan if rng.random() < 0.15 else float(rng.uniform(1e5, 5e6))})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(5))
def test_disparity_wide_equals_the_disparity_module(seed):
    df = regions(seed)
    ref = disparity.panel(df, kinds=mv.DISPARITY_KINDS, weightings=mv.DISPARITY_WEIGHTINGS)
    ref["col"] = ref["index"] + "_" + ref["weighting"]
    ref = ref.pivot_table(index=["iso3", "year"], columns="col", values="value", dropna=False)
    ours = mv.disparity_wide(df).set_index(["iso3", "year"])[ref.columns].reindex(ref.index)
    np.testing.assert_allclose(ours.to_numpy(float), ref.to_numpy(float), rtol=1e-12, equal_nan=True)


def test_long_differences_are_five_years_apart_and_non_overlapping():
    df = pd.DataFrame({"iso3": "AAA", "year": range(2000, 2016), "v": np.arange(16.0) ** 2})
    out = mv._long_differences(df.copy(), "iso3", ["v"])
    have = out.dropna(subset=["d_v"])
    assert list(have["year"]) == [2005, 2010, 2015]
    assert list(have["d_v"]) == [25 - 0, 100 - 25, 225 - 100]


def test_specifications_cover_the_dimensions_and_exceed_ten_thousand():
    specs = mv.specifications()
    assert len(specs) >= 10_000
    assert {s.tier for s in specs} == {"regional", "local"}
    assert {s.family for s in specs} == {"productivity", "disparity"}
    assert any(s.fe.endswith("differences") for s in specs)
    assert {s.weights for s in specs} >= {"population", "equal countries", "region count"}
    assert len(set(specs)) == len(specs)
