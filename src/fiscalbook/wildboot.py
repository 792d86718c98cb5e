"""Fast OLS with absorbed fixed effects, cluster-robust SEs and a wild cluster restricted
bootstrap (WCR) for one coefficient — built for the specification curve, where hundreds
of models must run inside a normal book build.

Why a second implementation beside fiscalbook.estimation: the specification curve fits
many models that differ only in sample, outcome and regressor. Here the fixed effects and
controls are partialled out once per model (Frisch–Waugh–Lovell, with pyfixest's numba
demeaning), and the bootstrap is reduced to G x G algebra (G = clusters), the approach of
Roodman et al. (2019, "boottest"). Each bootstrap draw then costs O(G^2) instead of a refit
on N rows. Tests check it against the wildboottest package and statsmodels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from pyfixest.estimation import demean
from scipy import stats

from .estimation import Estimate
from .study import SEED


@dataclass(frozen=True)
class Partialled:
    """y and x after partialling out fixed effects and controls, with cluster ids."""

    y: np.ndarray
    x: np.ndarray
    term: str
    clusters: np.ndarray          # integer codes 0..G-1
    n_obs: int
    n_clusters: int
    k_controls: int
    annihilate: object            # function: (n, m) array -> residualised array


def partial_out(df: pd.DataFrame, outcome: str, regressor: str, fe: list[str] | tuple = (),
                controls: list[str] | tuple = (), cluster: str = "iso3") -> Partialled:
    """Residualise outcome and regressor on the fixed effects and controls (FWL)."""
    cols = list(dict.fromkeys([outcome, regressor, *controls, *fe, cluster]))
    d = df[cols].dropna()
    if d.empty:
        raise ValueError(f"no complete rows for {outcome} on {regressor}")
    fl = np.column_stack([pd.factorize(d[f])[0] for f in fe]).astype(np.uint64) if fe else None
    weights = np.ones(len(d))

    def remove_fe(m: np.ndarray) -> np.ndarray:
        if fl is None:
            return m - m.mean(axis=0)
        out, ok = demean(np.ascontiguousarray(m), fl, weights, tol=1e-10)
        if not ok:
            raise RuntimeError("fixed-effect demeaning did not converge")
        return out

    ctrl = remove_fe(d[list(controls)].to_numpy(float)) if controls else None

    def annihilate(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, float)
        m = remove_fe(m[:, None] if m.ndim == 1 else m)
        if ctrl is not None:
            m = m - ctrl @ np.linalg.lstsq(ctrl, m, rcond=None)[0]
        return m

    yx = annihilate(d[[outcome, regressor]].to_numpy(float))
    codes, _ = pd.factorize(d[cluster])
    return Partialled(y=yx[:, 0], x=yx[:, 1], term=regressor, clusters=codes, n_obs=len(d),
                      n_clusters=int(codes.max()) + 1, k_controls=len(controls), annihilate=annihilate)


Result = Estimate  # one result type for the whole package


def _cluster_sums(v: np.ndarray, clusters: np.ndarray, g: int) -> np.ndarray:
    return np.bincount(clusters, weights=v, minlength=g)


def cluster_ols(p: Partialled, level: float = 0.95) -> Estimate:
    """OLS slope with CR1 cluster-robust SE and t(G-1) inference (fixest's default small-sample
    factor G/(G-1) * (N-1)/(N-K), K counting the regressor and controls, not the FE)."""
    d = p.x @ p.x
    if d <= 1e-12 * max(1.0, float(len(p.x))):
        raise ValueError("the regressor does not vary once the fixed effects are removed")
    beta = (p.x @ p.y) / d
    u = p.y - p.x * beta
    s = _cluster_sums(p.x * u, p.clusters, p.n_clusters)
    k = 1 + p.k_controls
    c = p.n_clusters / (p.n_clusters - 1) * (p.n_obs - 1) / (p.n_obs - k)
    se = float(np.sqrt(c * (s @ s)) / d)
    t = stats.t.ppf(0.5 + level / 2, p.n_clusters - 1)
    pval = 2 * stats.t.sf(abs(beta / se), p.n_clusters - 1)
    return Estimate(p.term, float(beta), se, float(beta - t * se), float(beta + t * se), float(pval),
                    p.n_obs, p.n_clusters, "cluster")


def _draws(g: int, b: int, seed: int, kind: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(b, g))
    if kind == "webb":
        vals = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
        return rng.choice(vals, size=(b, g))
    raise ValueError(f"unknown bootstrap weights {kind!r}")


class WildClusterBootstrap:
    """Exact WCR bootstrap-t for H0: beta = beta0, for any beta0, in O(B G^2) per test."""

    def __init__(self, p: Partialled, B: int = 999, seed: int = SEED, weights: str = "webb"):
        self.p, self.B = p, B
        g = p.n_clusters
        # M x_g for each cluster g: the regressor restricted to cluster g, residualised
        xg = np.zeros((p.n_obs, g))
        xg[np.arange(p.n_obs), p.clusters] = p.x
        mxg = p.annihilate(xg)
        # A_y[g, h] = sum_{i in h} (M x_g)_i y_i ;  A_x likewise with x (group sums over h)
        order = np.argsort(p.clusters, kind="stable")
        starts = np.r_[0, np.flatnonzero(np.diff(p.clusters[order])) + 1]
        m_sorted = mxg[order]
        self.a_y = np.add.reduceat(m_sorted * p.y[order, None], starts, axis=0).T
        self.a_x = np.add.reduceat(m_sorted * p.x[order, None], starts, axis=0).T
        self.s_y = _cluster_sums(p.x * p.y, p.clusters, g)
        self.q = _cluster_sums(p.x * p.x, p.clusters, g)
        self.d = float(p.x @ p.x)
        self.c = g / (g - 1) * (p.n_obs - 1) / (p.n_obs - 1 - p.k_controls)
        self.v = _draws(g, B, seed, weights)
        self.ols = cluster_ols(p)
        # Everything a test of beta0 needs is linear in beta0: precompute the B x G pieces once,
        # so each p-value costs O(B G).
        self.v_ay = self.v @ self.a_y.T
        self.v_ax = self.v @ self.a_x.T
        self.v_sy = self.v @ self.s_y
        self.v_q = self.v @ self.q

    def pvalue(self, beta0: float) -> float:
        """Symmetric bootstrap-t p-value of H0: beta = beta0 (restricted residuals)."""
        num = (self.v_sy - beta0 * self.v_q) / self.d          # beta* - beta0, per draw
        scores = self.v_ay - beta0 * self.v_ax - num[:, None] * self.q[None, :]   # B x G
        se = np.sqrt(self.c * np.einsum("bg,bg->b", scores, scores)) / self.d
        t_star = num / se
        t_obs = (self.ols.coef - beta0) / self.ols.se
        return float(np.mean(np.abs(t_star) >= abs(t_obs)))

    def confint(self, level: float = 0.95, tol: float = 1e-6) -> tuple[float, float]:
        """Invert the test: the betas whose bootstrap p-value is at least 1 - level."""
        alpha = 1 - level
        b, se = self.ols.coef, self.ols.se

        def edge(direction: int) -> float:
            inside, outside = b, b + direction * se
            while self.pvalue(outside) > alpha:
                inside, outside = outside, outside + direction * 2 * se
                if abs(outside - b) > 1e3 * se:
                    return float(direction * np.inf)
            while abs(outside - inside) > tol * max(se, 1e-12):
                mid = (inside + outside) / 2
                if self.pvalue(mid) > alpha:
                    inside = mid
                else:
                    outside = mid
            return float((inside + outside) / 2)

        return edge(-1), edge(+1)

    def result(self, level: float = 0.95) -> Estimate:
        lo, hi = self.confint(level)
        return Estimate(self.p.term, self.ols.coef, self.ols.se, lo, hi, self.pvalue(0.0), self.p.n_obs,
                        self.p.n_clusters, "wild_bootstrap", {"B": self.B})
