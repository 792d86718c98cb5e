"""Staggered difference-in-differences for few treated clusters: the book's Callaway–Sant'Anna
estimator (``fiscalbook.events``, reused as is), randomisation inference over which clusters
are treated and when, and a cross-check against the ``csdid`` package.

Randomisation inference (``randomisation_inference``) is ``events.placebo_inference``
vectorised: each draw drops the treated clusters, gives the actual cohorts (shuffled) to as many
never-treated clusters drawn at random, and re-estimates. Used with clusters that look like
the treated ones (here: never-treated ITL2 areas standing in for combined authorities),
it asks how often an arbitrary set of areas, "treated" in the same years, shows an effect
as large. The lead test is also referred to this distribution.
"""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pandas as pd

from .. import events
from ..study import RI_DRAWS, SEED

event_study = events.event_study
att_gt = events.att_gt
event_study_did2s = events.event_study_did2s


def event_coefs(Y: np.ndarray, years: np.ndarray, g: np.ndarray, control: str = "notyet",
                leads: int = 5, lags: int = 5) -> dict:
    """Event-time coefficients of ``events.event_study`` (same cells, weights and bins) from a
    units x years outcome matrix and a cohort vector (inf = never treated), without pandas:
    fast enough to rerun for every randomisation draw. Keys: event times and "post"."""
    pos = {int(t): k for k, t in enumerate(years)}
    sums: dict[int, list] = {}
    for gg in np.unique(g[np.isfinite(g)]):
        gg = int(gg)
        if gg - 1 not in pos:
            continue
        T = g == gg
        nT = T.sum()
        base = Y[:, pos[gg - 1]]
        for t in years:
            t = int(t)
            if t == gg - 1:
                continue
            C = ~np.isfinite(g) if control == "never" else (g > max(t, gg - 1)) & ~T
            if not C.any():
                continue
            dY = Y[:, pos[t]] - base
            e = t - gg
            key = -leads - 1 if e <= -leads - 1 else (lags + 1 if e >= lags + 1 else e)
            sums.setdefault(key, []).append((dY[T].mean() - dY[C].mean(), nT))
    out = {}
    for key, cells in sums.items():
        a = np.array(cells)
        out[key] = float(a[:, 0] @ (a[:, 1] / a[:, 1].sum()))
    post = [out[e] for e in range(0, lags + 1) if e in out]
    out["post"] = float(np.mean(post)) if post else np.nan
    return out


def _lead_stat(c: dict, leads: int) -> float:
    v = [c[e] ** 2 for e in range(-leads, -1) if e in c]
    return float(np.mean(v)) if v else np.nan


def randomisation_inference(df: pd.DataFrame, *, unit: str, time: str, y: str, cohort: str, cluster: str,
                            control: str = "notyet", leads: int = 5, lags: int = 5,
                            draws: int = RI_DRAWS, seed: int = SEED, level: float = 0.95) -> tuple[pd.DataFrame, dict]:
    """Randomisation inference over which clusters are treated and when.

    Each draw keeps only never-treated units, picks as many never-treated clusters as there
    are treated ones, gives them the actual cohorts in random order and re-estimates (the
    scheme of ``events.placebo_inference``, vectorised). Returns (table, pretrend): table
    per event time and "post" with coef, p_perm = (1 + #{|placebo| >= |actual|}) /
    (1 + draws), perm_low/perm_high = coef minus the placebo quantiles (a placebo interval),
    draws; pretrend = stat (mean squared lead, e = -leads..-2), p, draws."""
    d = df[[unit, time, y, cohort, cluster]]
    Yw = d.pivot(index=unit, columns=time, values=y).sort_index(axis=1)
    if Yw.isna().any().any():
        raise ValueError("the panel must be balanced (a unit lacks a year)")
    info = d.drop_duplicates(unit).set_index(unit).loc[Yw.index]
    years = np.asarray(Yw.columns, int)
    Y = Yw.to_numpy(float)
    g = info[cohort].astype(float).fillna(np.inf).to_numpy()
    cl = info[cluster].to_numpy()
    actual = event_coefs(Y, years, g, control, leads, lags)
    cl_cohort = info.groupby(cluster)[cohort].agg(lambda s: s.iloc[0])
    treated = cl_cohort.dropna()
    never = cl_cohort.index[cl_cohort.isna()].to_numpy()
    if len(never) <= len(treated):
        raise ValueError("too few never-treated clusters to reassign the cohorts to")
    keep = ~np.isfinite(g)
    Yn, cln = Y[keep], cl[keep]
    rng = np.random.default_rng(seed)
    cohorts = treated.to_numpy(float)
    sims, leads_s = [], []
    for _ in range(draws):
        pick = rng.choice(never, size=len(treated), replace=False)
        assign = dict(zip(pick, rng.permutation(cohorts)))
        gn = np.array([assign.get(c, np.inf) for c in cln], float)
        s = event_coefs(Yn, years, gn, control, leads, lags)
        sims.append(s)
        leads_s.append(_lead_stat(s, leads))
    S = pd.DataFrame(sims)
    a = (1 - level) / 2
    rows = []
    for key, b in actual.items():
        s = S[key].dropna().to_numpy() if key in S else np.array([])
        if len(s) == 0 or not np.isfinite(b):
            continue
        rows.append({"e": key, "coef": b, "p_perm": float((1 + np.sum(np.abs(s) >= abs(b) - 1e-12)) / (1 + len(s))),
                     "perm_low": float(b - np.quantile(s, 1 - a)), "perm_high": float(b - np.quantile(s, a)),
                     "draws": len(s)})
    ls = np.asarray(leads_s)
    ls = ls[np.isfinite(ls)]
    stat = _lead_stat(actual, leads)
    pre = {"stat": stat, "p": float((1 + np.sum(ls >= stat - 1e-12)) / (1 + len(ls))), "draws": len(ls)}
    return pd.DataFrame(rows), pre


def csdid_cells(df: pd.DataFrame, *, unit: str, time: str, y: str, cohort: str,
                control: str = "notyet", seed: int = SEED) -> pd.DataFrame:
    """ATT(g, t) from the ``csdid`` package (no covariates, unconditional parallel trends):
    g, t, att. csdid wants a numeric id and has no seed argument, so ids are factorised and
    numpy's global seed is set for its bootstrap (whose standard errors are not used here)."""
    from csdid.att_gt import ATTgt

    d = df[[unit, time, y, cohort]].copy()
    d["_id"] = pd.factorize(d[unit])[0] + 1
    d["_g"] = d[cohort].fillna(0).astype(int)
    d = d.rename(columns={time: "_t", y: "_y"})[["_id", "_t", "_y", "_g"]]
    np.random.seed(seed % (2**32))
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        fit = ATTgt(yname="_y", tname="_t", idname="_id", gname="_g", data=d,
                    control_group="notyettreated" if control == "notyet" else "nevertreated").fit(
            est_method="reg", bstrap=False)
    r = fit.results  # unrounded (summ_attgt rounds to 4 decimals)
    return pd.DataFrame({"g": np.asarray(r["group"]).astype(int), "t": np.asarray(r["year"]).astype(int),
                         "att": np.asarray(r["att"], float)})


def compare_with_csdid(df: pd.DataFrame, *, unit: str, time: str, y: str, cohort: str, cluster: str,
                       control: str = "notyet") -> pd.DataFrame:
    """Post-treatment ATT(g, t) cells (t >= g: the base year g-1 is the same in both
    implementations; csdid's leads use a varying base) from the book's estimator and from
    csdid side by side: g, t, att_book, att_csdid, diff."""
    cells, _, _ = events.att_gt(df, unit, time, y, cohort, cluster, control)
    cells = cells.loc[cells["t"] >= cells["g"], ["g", "t", "att"]].rename(columns={"att": "att_book"})
    cs = csdid_cells(df, unit=unit, time=time, y=y, cohort=cohort, control=control).rename(columns={"att": "att_csdid"})
    m = cells.merge(cs, on=["g", "t"], how="inner")
    m["diff"] = m["att_book"] - m["att_csdid"]
    return m
