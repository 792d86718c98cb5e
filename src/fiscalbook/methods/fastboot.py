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
from scipy import special, stats

WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
RADEMACHER = np.array([-1.0, 1.0])


@dataclass(frozen=True)
class Prepared:
    """One specification reduced to per-cluster sums (everything a draw needs)."""

    clusters: np.ndarray   # global cluster ids of the G clusters, in local order
    s_y: np.ndarray        # (G,)
    q: np.ndarray          # (G,)
    a_y: np.ndarray | None  # (G, G); None: the O(G) bootstrap of the FWL-transformed model
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
        return float(2 * special.stdtr(self.n_clusters - 1, -abs(self.t)))


def _group_means(codes: np.ndarray, w: np.ndarray, tot: np.ndarray, m: np.ndarray) -> np.ndarray:
    return np.column_stack([np.bincount(codes, weights=w * m[:, j], minlength=len(tot))
                            for j in range(m.shape[1])]) / tot[:, None]


def annihilator(fe: np.ndarray | None, weights: np.ndarray | None = None, tol: float = 1e-10):
    """The FE annihilator of the sqrt-weighted regression: m -> sqrt(w) * demean_w(m / sqrt(w)).

    `fe` is an (N, k) integer array of FE codes 0..L-1 (None: the intercept only). Exact,
    without iterating, for one or two FE: the FE with more levels is removed by weighted
    group means, the other by a weighted regression on its within-transformed dummies
    (FWL); three or more FE go to pyfixest's alternating projections."""
    w = None if weights is None else np.asarray(weights, float)
    sw = None if w is None else np.sqrt(w)
    n = None if fe is None else fe.shape[0]
    ww = None if fe is None else (np.ones(n) if w is None else w)
    k = 0 if fe is None else fe.shape[1]
    if k in (1, 2):
        levels = [int(fe[:, j].max()) + 1 for j in range(k)]
        big = int(np.argmax(levels))
        bcodes = fe[:, big].astype(np.intp)
        btot = np.bincount(bcodes, weights=ww, minlength=levels[big])
        if k == 2:
            scodes = fe[:, 1 - big].astype(np.intp)
            ls = levels[1 - big]
            dummies = np.zeros((n, ls))
            dummies[np.arange(n), scodes] = 1.0
            cell = np.bincount(bcodes * ls + scodes, weights=ww, minlength=levels[big] * ls)
            xs = dummies - (cell.reshape(levels[big], ls) / btot[:, None])[bcodes]
            gram_inv = np.linalg.pinv((xs * ww[:, None]).T @ xs, rcond=1e-12, hermitian=True)
    fl = np.ascontiguousarray(fe, dtype=np.uint64) if k > 2 else None

    def apply(m: np.ndarray) -> np.ndarray:
        m = np.asarray(m, float)
        m = m[:, None] if m.ndim == 1 else m
        if sw is not None:
            m = m / sw[:, None]
        if k == 0:
            out = m - m.mean(axis=0) if w is None else m - (w @ m) / w.sum()
        elif k <= 2:
            out = m - _group_means(bcodes, ww, btot, m)[bcodes]
            if k == 2:
                out = out - xs @ (gram_inv @ ((xs * ww[:, None]).T @ out))
        else:
            out, ok = demean(np.ascontiguousarray(m), fl, ww, tol=tol)
            if not ok:
                raise RuntimeError("fixed-effect demeaning did not converge")
        return out * sw[:, None] if sw is not None else out

    return apply


class Design:
    """An estimation sample's fixed effects, weights and clusters: residualises any number
    of columns at once, so specifications that share a sample share the FWL work."""

    def __init__(self, clusters: np.ndarray, fe: np.ndarray | None = None, weights: np.ndarray | None = None,
                 k_controls: int = 0):
        self.ids, self.local = np.unique(np.asarray(clusters), return_inverse=True)
        self.g, self.n = len(self.ids), len(self.local)
        if self.g < 2:
            raise ValueError("fewer than two clusters")
        self.sw = None if weights is None else np.sqrt(np.asarray(weights, float))
        self.ann = annihilator(fe, weights)
        self.k = 1 + k_controls

    def residualise(self, cols: np.ndarray) -> np.ndarray:
        """FWL: the columns (N x K, raw) of the sqrt-weighted regression, FE removed."""
        cols = np.asarray(cols, float)
        cols = cols[:, None] if cols.ndim == 1 else cols
        return self.ann(cols if self.sw is None else cols * self.sw[:, None])

    def prepare(self, yt: np.ndarray, xt: np.ndarray, exact: bool = True) -> Prepared:
        """Per-cluster sums of one residualised outcome and regressor (see `prepare`)."""
        d = float(xt @ xt)
        if d <= 1e-12 * max(1.0, float(len(xt))):
            raise ValueError("the regressor does not vary once the fixed effects are removed")
        g, n, local = self.g, self.n, self.local
        s_y = np.bincount(local, weights=xt * yt, minlength=g)
        q = np.bincount(local, weights=xt * xt, minlength=g)
        a_y = None
        if exact:
            xg = np.zeros((n, g))
            xg[np.arange(n), local] = xt
            mxg = self.ann(xg)
            onehot = np.zeros((g, n))
            onehot[local, np.arange(n)] = 1.0
            a_y = (onehot @ (mxg * yt[:, None])).T
        beta = float(s_y.sum() / d)
        c = g / (g - 1) * (n - 1) / (n - self.k)
        scores = s_y - beta * q
        se = float(np.sqrt(c * (scores @ scores)) / d)
        return Prepared(self.ids, s_y, q, a_y, d, c, beta, se, n)


def prepare(y: np.ndarray, x: np.ndarray, clusters: np.ndarray, fe: np.ndarray | None = None,
            weights: np.ndarray | None = None, k_controls: int = 0, exact: bool = True) -> Prepared:
    """FWL-residualise y and x on the fixed effects (weighted least squares when `weights`)
    and reduce the model to per-cluster sums. `clusters` holds global integer ids.

    exact=True keeps the G x G matrix a_y, so bootstrap draws re-residualise the bootstrap
    outcome on the fixed effects, as `fiscalbook.wildboot` does (same numbers; setup
    demeans G columns). exact=False bootstraps the FWL-transformed model y~ = b x~ + u
    itself: the scores of a draw are v_g s_y[g] - b* q[g], O(G) per draw and O(N) setup.
    The two agree exactly when every fixed effect is nested within a cluster.

    Raises ValueError when the regressor has no variation left after the fixed effects."""
    design = Design(clusters, fe, weights, k_controls)
    yx = design.residualise(np.column_stack([np.asarray(y, float), np.asarray(x, float)]))
    return design.prepare(yx[:, 0], yx[:, 1], exact)


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
    own = vs * p.s_y[None, :] if p.a_y is None else vs @ p.a_y.T
    scores = own - num[:, None] * p.q[None, :]
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


def one_sided_z(t: np.ndarray, t_star: np.ndarray, direction: np.ndarray) -> np.ndarray:
    """Each specification's z toward `direction` from its one-sided bootstrap p-value,
    p = (1 + #{d t* >= d t}) / (B + 1), z = Phi^-1(1 - p)."""
    d = direction[:, None]
    count = np.sum(d * t_star >= (direction * t)[:, None], axis=1)
    b = t_star.shape[1]
    return -special.ndtri(np.clip((1 + count) / (b + 1), 1 / (b + 1), b / (b + 1)))


def draw_parts(coef_star: np.ndarray, t_star: np.ndarray, direction: np.ndarray, scale: np.ndarray,
               alpha: float = 0.05) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per specification (rows) and null draw (columns): the standardised estimate toward
    the predicted direction, significance (-1 against, 0 none, +1 toward: the draw's own
    bootstrap p against the same draws below alpha) and the z of its one-sided bootstrap
    p-value toward the prediction (#{draws at least as far toward it} / (B + 1)). Rows are
    independent, so blocks of specifications can be computed anywhere."""
    toward = (coef_star * (scale * direction)[:, None]).astype(np.float32)
    sig = (draw_pvalues(t_star) < alpha) * np.sign(toward)
    signed = -(direction[:, None] * t_star)
    z = -special.ndtri(stats.rankdata(signed, method="max", axis=1) / (t_star.shape[1] + 1))
    return toward, sig.astype(np.int8), z.astype(np.float32)


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


def joint_test(toward: np.ndarray, p_obs: np.ndarray, z_obs: np.ndarray, toward_star: np.ndarray,
               sig_star: np.ndarray, z_star: np.ndarray, alpha: float = 0.05) -> JointTest:
    """Simonsohn–Simmons–Nelson joint test from observed and null per-specification parts
    (see `draw_parts`): share significant toward and against, median estimate toward the
    prediction and Stouffer's Z, each with its Monte Carlo p-value under the null,
    (1 + #{null draws at least as extreme}) / (B + 1)."""
    n = len(toward)
    obs = {"share_for": float(np.mean((p_obs < alpha) & (toward > 0))),
           "share_against": float(np.mean((p_obs < alpha) & (toward < 0))),
           "median": float(np.median(toward)),
           "stouffer": float(np.sum(z_obs) / np.sqrt(n))}
    nulls = {"share_for": np.mean(sig_star > 0, axis=0), "share_against": np.mean(sig_star < 0, axis=0),
             "median": np.median(toward_star, axis=0).astype(float),
             "stouffer": z_star.astype(float).sum(axis=0) / np.sqrt(n)}
    b = sig_star.shape[1]
    p = {k: float((1 + np.sum(nulls[k] >= obs[k] - 1e-12)) / (b + 1)) for k in obs}   # never 0
    return JointTest(n, sig_star.shape[1], obs, {k: float(np.mean(v)) for k, v in nulls.items()}, p,
                     nulls["share_for"], nulls["share_against"])


def joint_null(coef: np.ndarray, t: np.ndarray, p_obs: np.ndarray, coef_star: np.ndarray,
               t_star: np.ndarray, direction: np.ndarray, scale: np.ndarray, alpha: float = 0.05) -> JointTest:
    """Simonsohn–Simmons–Nelson inference for a whole curve under the null imposed in every
    specification. Rows are specifications; `direction` is +1/-1 (the sign a hypothesis
    predicts), `scale` standardises coefficients.

    Statistics (each observed and per null draw): the share of specifications significant
    (p < alpha) in the predicted direction and against it, the median standardised estimate
    toward the prediction, and Stouffer's Z of the one-sided bootstrap p-values toward it.
    p-values: (1 + #{null draws at least as extreme in the stated direction}) / (B + 1)."""
    toward_star, sig_star, z_star = draw_parts(coef_star, t_star, direction, scale, alpha)
    return joint_test(coef * scale * direction, p_obs, one_sided_z(t, t_star, direction), toward_star, sig_star,
                      z_star, alpha)
