"""Randomisation inference for a country-level regressor in a fixed-effects panel.

Why: when a handful of countries change their autonomy, the wild cluster bootstrap is
unreliable (MacKinnon & Webb 2017, 2018). Randomisation inference asks instead how unusual
the observed statistic is among the statistics we would see had the same change paths
happened to other countries (``scheme="permute"``) or at other times (``scheme="shift"``,
a cyclic shift of each country's own path). The statistic is the cluster-robust t
(randomisation-t, Young 2019), which is robust to heteroskedasticity across countries.
The fixed effects absorb each unit's level, so only the *change path* of the measure is
reassigned: x*_ct = x_c,first + (x_π(c),t − x_π(c),first).

p-value: (1 + #{|t*| ≥ |t|}) / (1 + draws), exact for the randomisation distribution
sampled with a fixed seed (fiscalbook.study.SEED).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..study import RI_DRAWS, SEED
from ..wildboot import partial_out

SCHEMES = ("permute", "shift")


@dataclass(frozen=True)
class RIResult:
    """Observed slope and t, the randomisation p-value and the null t-statistics."""

    coef: float
    t: float
    p: float
    draws: int
    scheme: str
    null_t: np.ndarray


def change_paths(df: pd.DataFrame, x: str, unit: str = "iso3", time: str = "year") -> pd.DataFrame:
    """Wide unit × time table of each unit's measure minus its first value (gaps filled
    forward, then backward), over the union of the data's years."""
    w = df[[unit, time, x]].dropna().drop_duplicates([unit, time]).pivot(index=unit, columns=time, values=x)
    if w.empty:
        raise ValueError(f"no values of {x}")
    w = w.sort_index(axis=1).ffill(axis=1).bfill(axis=1)
    return w.sub(w.iloc[:, 0], axis=0)


def reassigned(df: pd.DataFrame, x: str, draws: int, seed: int = SEED, scheme: str = "permute",
               unit: str = "iso3", time: str = "year") -> np.ndarray:
    """(len(df), draws) matrix of the regressor under `draws` reassignments of the paths."""
    if scheme not in SCHEMES:
        raise ValueError(f"scheme must be one of {SCHEMES}, got {scheme!r}")
    paths = change_paths(df, x, unit, time)
    units, years = paths.index.to_numpy(), paths.columns.to_numpy()
    P = paths.to_numpy()
    ui = pd.Index(units).get_indexer(df[unit])
    ti = pd.Index(years).get_indexer(df[time])
    if (ui < 0).any() or (ti < 0).any():
        raise ValueError("rows without a measure value: drop them first")
    own_first = df[x].to_numpy(float) - P[ui, ti]
    rng = np.random.default_rng(seed)
    n_u, n_t = P.shape
    out = np.empty((len(df), draws))
    for b in range(draws):
        if scheme == "permute":
            donor = rng.permutation(n_u)
            out[:, b] = own_first + P[donor[ui], ti]
        else:
            shift = rng.integers(1, max(n_t, 2), size=n_u)
            out[:, b] = own_first + P[ui, (ti + shift[ui]) % n_t]
    return out


def _t_stats(y: np.ndarray, X: np.ndarray, clusters: np.ndarray, g: int, k: int, n: int) -> tuple:
    """Slope and CR1 t for each column of X (already partialled), y partialled."""
    d = np.einsum("ij,ij->j", X, X)
    d = np.where(d > 1e-12, d, np.nan)  # a draw whose path is absorbed by the FE has no slope
    beta = (X.T @ y) / d
    u = y[:, None] - X * beta[None, :]
    s = np.zeros((g, X.shape[1]))
    np.add.at(s, clusters, X * u)
    c = g / (g - 1) * (n - 1) / (n - k)
    se = np.sqrt(c * np.einsum("gj,gj->j", s, s)) / d
    return beta, beta / se


def ri_test(df: pd.DataFrame, outcome: str, x: str, fe=(), controls=(), cluster: str = "iso3",
            unit: str = "iso3", time: str = "year", draws: int = RI_DRAWS, seed: int = SEED,
            scheme: str = "permute") -> RIResult:
    """Randomisation-t test of H0: the measure's changes have no effect on the outcome."""
    cols = list(dict.fromkeys([outcome, x, *fe, *controls, cluster, unit, time]))
    d = df[cols].dropna().reset_index(drop=True)
    p = partial_out(d, outcome, x, fe=list(fe), controls=list(controls), cluster=cluster)
    Xs = p.annihilate(np.column_stack([d[x].to_numpy(float),
                                       reassigned(d, x, draws, seed, scheme, unit, time)]))
    beta, t = _t_stats(p.y, Xs, p.clusters, p.n_clusters, 1 + len(controls), p.n_obs)
    t_obs, t_null = float(t[0]), t[1:]
    ok = np.isfinite(t_null)
    pval = (1 + np.sum(np.abs(t_null[ok]) >= abs(t_obs) - 1e-12)) / (1 + ok.sum())
    return RIResult(float(beta[0]), t_obs, float(pval), int(ok.sum()), scheme, t_null)
