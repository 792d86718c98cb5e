"""Randomisation inference: exact under the null, powerful against a real effect, seeded."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook.methods import randomisation as ri


def _panel(effect: float, n_countries: int = 12, n_years: int = 12, n_changing: int = 4, seed: int = 1):
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_countries):
        start = rng.integers(3, n_years - 3) if c < n_changing else n_years + 1
        for r in range(3):
            for t in range(n_years):
                x = 1.0 + (t >= start)
                y = effect * x + 0.3 * c + 0.1 * r + 0.05 * t + rng.normal(0, 0.2)
                rows.append(dict(iso3=f"C{c:02d}", region=f"C{c:02d}R{r}", year=2000 + t, x=x, y=y))
    return pd.DataFrame(rows)


def test_change_paths_start_at_zero_and_fill_gaps():
    df = pd.DataFrame(dict(iso3=["A"] * 3 + ["B"] * 2, year=[1, 2, 3, 1, 3], x=[2.0, 3.0, 5.0, 1.0, 4.0]))
    p = ri.change_paths(df, "x")
    assert p.loc["A"].tolist() == [0.0, 1.0, 3.0]
    assert p.loc["B"].tolist() == [0.0, 0.0, 3.0]  # year 2 carried forward


def test_reassigned_permutation_keeps_the_set_of_paths():
    df = _panel(0.0)
    X = ri.reassigned(df, "x", draws=5, seed=3)
    # each draw gives every country some country's path: the number of changing
    # countries is preserved
    for b in range(5):
        d = df.assign(xs=X[:, b])
        changing = (d.groupby("iso3")["xs"].agg(lambda s: s.max() - s.min()) > 0).sum()
        assert changing == 4


def test_detects_a_real_effect_and_is_seeded():
    df = _panel(1.0)
    r1 = ri.ri_test(df, "y", "x", fe=("region", "year"), draws=199, seed=7)
    r2 = ri.ri_test(df, "y", "x", fe=("region", "year"), draws=199, seed=7)
    assert abs(r1.coef - 1.0) < 0.15
    assert r1.p == r2.p and r1.p <= 0.05
    assert r1.p >= 1 / 200  # never below the smallest attainable p


def test_size_under_the_null_is_about_nominal():
    rejections = [ri.ri_test(_panel(0.0, seed=s), "y", "x", fe=("region", "year"), draws=99, seed=s).p <= 0.10
                  for s in range(40)]
    assert np.mean(rejections) < 0.25


@pytest.mark.parametrize("scheme", ["shift"])
def test_time_shift_scheme_detects_effect(scheme):
    df = _panel(1.0, n_changing=8)
    r = ri.ri_test(df, "y", "x", fe=("region", "year"), draws=199, seed=2, scheme=scheme)
    assert r.p <= 0.05 and r.scheme == scheme


def test_unknown_scheme_is_refused():
    with pytest.raises(ValueError, match="scheme"):
        ri.reassigned(_panel(0.0), "x", draws=2, scheme="shuffle")
