"""The O(clusters) engine for one-regressor models: FWL once per specification, then every
wild-bootstrap or null draw of every specification as array operations on per-cluster sums.

Why: the specification curve with joint inference (Simonsohn, Simmons & Nelson 2020) needs
every specification refitted on hundreds of null-imposed resamples. After Frisch–Waugh–
Lovell, a one-regressor model is fully described, for the wild cluster restricted (WCR)
bootstrap of H0: beta = 0, by a handful of per-cluster sums (Roodman et al. 2019):

    d        = x'x                          (x, y residualised on FE, sqrt-weighted)
    s_y[g]   = sum_{i in g} x_i y_i         (so beta = sum_g s_y[g] / d)
    q[g]     = sum_{i in g} x_i^2
    a_y[g,h] = sum_{i in h} (M x_g)_i y_i   (M: the FE annihilator; x_g = x on cluster g only)

A draw with cluster weights v (length G) gives beta* = v.s_y / d, the cluster scores
a_y v - beta* q, CR1 variance c |scores|^2 / d^2 and t* = beta*/se*: O(G^2) per draw with
the exact re-residualisation (a_y), with no dependence on the number of observations. All
draws of a specification are one (B x G) @ (G x G) product; there is no per-draw loop.

The weights are drawn per draw block over a *global* cluster index (e.g. every country in
the data), so one draw gives each country the same weight in every specification: the
dependence between specifications is kept, and a block's weights never depend on which
worker computes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyfixest.estimation import demean
from scipy import stats

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
RADEMACHER = np.array([-1.0, 1.0])


@dataclass(frozen=True)
class Prepared:
    """One specification reduced to per-cluster sums (everything a draw needs)."""

    clusters: np.ndarray   # global cluster ids of the G clusters, in local order
    s_y: np.ndarray        # (G,)
    q: np.ndarray          # (G,)
    a_y: np.ndarray        # (G, G)
    d: float
    c: float               # CR1 factor G/(G-1) * (N-1)/(N-K)
    coef: float
    se: float
    n_obs: int

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    @property
    def t(self) -> float:
        return self.coef / self.se

    @property
    def p_t(self) -> float:
        """Two-sided p-value of the cluster-robust t with G - 1 degrees of freedom."""
        return float(2 * stats.t.sf(abs(self.t), self.n_clusters - 1))


def annihilator(fe: np.ndarray | None, weights: np.ndarray | None = None, tol: float = 1e-10):
    """The FE annihilator of the sqrt-weighted regression: m -> sqrt(w) * demean_w(m / sqrt(w)).

    `fe` is an (N, k) integer array of FE codes (None: the intercept only)."""
    n = None if fe is None else fe.shape[0]
    w = None if weights is None else np.asarray(weights, float)
    sw = None if w is None else np.sqrt(w)
    fl = None if fe is None else np.ascontiguousarray(fe, dtype=np.uint64)

    def apply(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, float)
        m = m[:, None] if m.ndim == 1 else m
        if sw is not None:
            m = m / sw[:, None]
        if fl is None:
            if w is None:
                out = m - m.mean(axis=0)
            else:
                out = m - (w @ m) / w.sum()
        else:
            ww = np.ones(n) if w is None else w
            out, ok = demean(np.ascontiguousarray(m), fl, ww, tol=tol)
            if not ok:
                raise RuntimeError("fixed-effect demeaning did not converge")
        return out * sw[:, None] if sw is not None else out

    return apply


def prepare(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, fe: np.ndarray | None = None,
            weights: np.ndarray | None = None, k_controls: int = 0) -> Prepared:
    """FWL-residualise y and x on the fixed effects (weighted least squares when `weights`)
    and reduce the model to per-cluster sums. `clusters` holds global integer ids.

    Raises ValueError when the regressor has no variation left after the fixed effects."""
    y = np.asarray(y, float)
    x = np.asarray(x, float)
    ann = annihilator(fe, weights)
    yx = np.column_stack([y, x])
    if weights is not None:   # the regression of sqrt(w) y on sqrt(w) x and sqrt(w)-scaled FE
        yx = yx * np.sqrt(np.asarray(weights, float))[:, None]
    yx = ann(yx)
    yt, xt = yx[:, 0], yx[:, 1]
    d = float(xt @ xt)
    if d <= 1e-12 * max(1.0, float(len(xt))):
        raise ValueError("the regressor does not vary once the fixed effects are removed")
    ids, local = np.unique(np.asarray(clusters), return_inverse=True)
    g, n = len(ids), len(y)
    if g < 2:
        raise ValueError("fewer than two clusters")
    s_y = np.bincount(local, weights=xt * yt, minlength=g)
    q = np.bincount(local, weights=xt * xt, minlength=g)
    xg = np.zeros((n, g))
    xg[np.arange(n), local] = xt
    mxg = ann(xg)
    onehot = np.zeros((g, n))
    onehot[local, np.arange(n)] = 1.0
    a_y = (onehot @ (mxg * yt[:, None])).T
    beta = float(s_y.sum() / d)
    k = 1 + k_controls
    c = g / (g - 1) * (n - 1) / (n - k)
    scores = s_y - beta * q
    se = float(np.sqrt(c * (scores @ scores)) / d)
    return Prepared(ids, s_y, q, a_y, d, c, beta, se, n)


def draw_weights(n_clusters: int, draws: int, seed: int | Sequence[int], kind: str = "webb") -> np.ndarray:
    """(draws x clusters) wild-bootstrap weights from numpy's default_rng(seed)."""
    rng = np.random.default_rng(seed)
    vals = {"webb": WEBB, "rademacher": RADEMACHER}.get(kind)
    if vals is None:
        raise ValueError(f"unknown bootstrap weights {kind!r}")
    return rng.choice(vals, size=(draws, n_clusters))


def block_weights(n_clusters: int, draws: int, block: int, seed: int, kind: str = "webb") -> np.ndarray:
    """Weights of draw block `block`: seeded by (seed, block) only, so any worker that
    computes the block draws the same numbers."""
    return draw_weights(n_clusters, draws, (int(seed), int(block)), kind)


def null_draws(p: Prepared, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(beta*, t*) of the WCR bootstrap under H0: beta = 0 for the weights `v`, a (B x C)
    matrix over the global cluster ids (C >= max id + 1): B draws at once."""
    vs = v[:, p.clusters]
    num = vs @ p.s_y / p.d
    scores = vs @ p.a_y.T - num[:, None] * p.q[None, :]
    se = np.sqrt(p.c * np.einsum("bg,bg->b", scores, scores)) / p.d
    return num, num / se


def curve_draws(preps: Sequence[Prepared | None], v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """beta* and t* of every specification (rows) for every draw (columns); NaN rows for
    specifications that could not be fitted (None)."""
    b = v.shape[0]
    coef = np.full((len(preps), b), np.nan)
    t = np.full((len(preps), b), np.nan)
    for i, p in enumerate(preps):
        if p is not None:
            coef[i], t[i] = null_draws(p, v)
    return coef, t


def bootstrap_p(t_obs: np.ndarray, t_star: np.ndarray) -> np.ndarray:
    """Symmetric bootstrap-t p-values: share of draws with |t*| >= |t| (row-wise)."""
    return np.mean(np.abs(t_star) >= np.abs(np.asarray(t_obs))[:, None], axis=1)


def draw_pvalues(t_star: np.ndarray) -> np.ndarray:
    """The bootstrap p-value each null draw would have been given against the same draws:
    share of a row's |t*| at least as large as the entry (ties counted, as in bootstrap_p)."""
    return stats.rankdata(-np.abs(t_star), method="max", axis=1) / t_star.shape[1]


def stouffer(t: np.ndarray, df: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Stouffer's Z over specifications (axis 0) of one-sided p-values in `direction`:
    sum_s Phi^-1(1 - p_s) / sqrt(S), p_s = P(T_df > direction_s * t_s)."""
    z = stats.norm.isf(stats.t.sf(direction[:, None] * t if t.ndim == 2 else direction * t,
                                  df[:, None] if t.ndim == 2 else df))
    z = np.clip(z, -8.3, 8.3)   # p below 1e-16 would give inf
    return z.sum(axis=0) / np.sqrt(z.shape[0])


@dataclass(frozen=True)
class JointTest:
    """Observed curve statistics, their null distributions and one-sided p-values."""

    n_specs: int
    n_draws: int
    observed: dict
    null_mean: dict
    p: dict
    null_share_for: np.ndarray
    null_share_against: np.ndarray


def joint_null(coef: np.ndarray, t: np.ndarray, p_obs: np.ndarray, coef_star: np.ndarray,
               t_star: np.ndarray, direction: np.ndarray, scale: np.ndarray, df: np.ndarray,
               alpha: float = 0.05) -> JointTest:
    """Simonsohn–Simmons–Nelson inference for a whole curve under the null imposed in every
    specification. Rows are specifications; `direction` is +1/-1 (the sign a hypothesis
    predicts), `scale` standardises coefficients, `df` the t degrees of freedom.

    Statistics (each observed and per null draw): the share of specifications significant
    (p < alpha) in the predicted direction and against it, the median standardised estimate
    toward the prediction, and Stouffer's Z toward it. p-values are the share of null draws
    at least as extreme in the stated direction (against: at least as large a share)."""
    toward = coef * scale * direction
    toward_star = coef_star * (scale * direction)[:, None]
    p_star = draw_pvalues(t_star)
    sig_star = p_star < alpha
    share_for_star = np.mean(sig_star & (toward_star > 0), axis=0)
    share_against_star = np.mean(sig_star & (toward_star < 0), axis=0)
    med_star = np.median(toward_star, axis=0)
    z_star = stouffer(t_star, df, direction)
    obs = {"share_for": float(np.mean((p_obs < alpha) & (toward > 0))),
           "share_against": float(np.mean((p_obs < alpha) & (toward < 0))),
           "median": float(np.median(toward)),
           "stouffer": float(stouffer(t, df, direction))}
    nulls = {"share_for": share_for_star, "share_against": share_against_star, "median": med_star,
             "stouffer": z_star}
    p = {k: float(np.mean(nulls[k] >= obs[k] - 1e-12)) for k in obs}
    return JointTest(len(coef), t_star.shape[1], obs, {k: float(np.mean(v)) for k, v in nulls.items()}, p,
                     share_for_star, share_against_star)
