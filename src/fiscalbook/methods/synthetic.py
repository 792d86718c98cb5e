"""Synthetic-control checks recommended by Abadie (2021), on top of the book's estimator
(``fiscalbook.synth``: outcome-path weights, in-space placebos, permutation p):

* ``leave_one_out``: refit without each donor that carries weight; a result that rests on
  one donor moves when it goes;
* ``in_time_placebo``: pretend the treatment came ``shift`` years earlier and use only
  data before the real date; a synthetic control that "finds" an effect there is fitting
  noise or a pre-existing divergence.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import synth as sc

synth = sc.synth
placebo_test = sc.placebo_test


def mean_gap(res: sc.SynthResult, last: int | None = None) -> float:
    """Mean post-treatment gap (actual - synthetic), up to ``last`` if given."""
    g = res.gap[res.gap.index >= res.year]
    if last is not None:
        g = g[g.index <= last]
    return float(g.mean())


def leave_one_out(wide: pd.DataFrame, treated: str, year: int, donors, min_weight: float = 0.01,
                  last: int | None = None) -> pd.DataFrame:
    """One row per donor with weight >= ``min_weight`` in the full fit: dropped, pre_rmspe,
    mean_gap (post, to ``last``), top_donor of the refit."""
    donors = [d for d in donors if d != treated]
    full = synth(wide, treated, year, donors)
    rows = []
    for d in full.weights.index[full.weights >= min_weight]:
        r = synth(wide, treated, year, [o for o in donors if o != d])
        rows.append({"dropped": d, "weight_dropped": float(full.weights[d]), "pre_rmspe": r.pre_rmspe,
                     "mean_gap": mean_gap(r, last), "top_donor": r.weights.index[0]})
    return pd.DataFrame(rows)


def in_time_placebo(wide: pd.DataFrame, treated: str, year: int, donors, shift: int = 5) -> dict:
    """Fit with a fake treatment year ``year - shift`` on years before ``year`` only:
    fake_year, pre_rmspe, mean_gap (fake post period), ratio, and the permutation p of the
    fake date among the donors' own fake-date placebos."""
    fake = year - shift
    w = wide.loc[:, [c for c in wide.columns if c < year]]
    res = placebo_test(w, treated, fake, donors)
    return {"fake_year": fake, "pre_rmspe": res.main.pre_rmspe, "mean_gap": mean_gap(res.main),
            "ratio": res.main.ratio, "p": res.p_value}


def summary(res: sc.PlaceboResult, last: int | None = None) -> dict:
    """pre_rmspe, mean_gap (to ``last``), ratio, rank, p, n_units, top donors as text."""
    m = res.main
    rank = int(res.stats.loc[res.stats["treated"], "rank"].iloc[0])
    top = ", ".join(f"{k} {v:.2f}" for k, v in m.weights[m.weights >= 0.05].items())
    return {"pre_rmspe": m.pre_rmspe, "mean_gap": mean_gap(m, last), "ratio": m.ratio, "rank": rank,
            "p": res.p_value, "n_units": res.n_units, "weights": top,
            "pre_mean": float(m.actual[m.actual.index < m.year].mean()),
            "gap_last": float(m.gap.iloc[-1]) if np.isfinite(m.gap.iloc[-1]) else np.nan}
