"""Fixed-effects regressions with country-clustered inference, and the wild cluster bootstrap.

Autonomy varies by country, so the effective sample of every cross-country regression in
the book is the number of countries (17 to 30). This module gives the chapters one way to
fit such models and one way to report their uncertainty:

    from fiscalbook import estimation as est
    fit = est.fit_fe(df, "regineq", ["dec"], fe=("iso3", "period"), cluster="iso3")
    fit.estimate("dec")            # Estimate: coef, CR1 SE, t(G-1) CI and p, N, clusters
    fit.table()                    # all coefficients
    est.wild_cluster_bootstrap(df, "regineq", ["dec"], "dec", fe=("iso3", "period"),
                               cluster="iso3")   # WCR bootstrap p-value and CI

Conventions (stated once here, recorded in every ``Estimate.spec``):

* **Point estimates** are OLS (or WLS with ``weights``) with the fixed effects absorbed.
  pyfixest does the fitting; ``engine="statsmodels"`` refits with explicit dummies as the
  reference implementation (the tests check the two agree).
* **Clustered SEs** are CR1: ``V = c (X'X)^-1 (sum_g X_g'u_g u_g'X_g) (X'X)^-1`` with
  ``c = G/(G-1) * (N-1)/(N-K)``, where K counts the regressors, one intercept, and
  ``levels - 1`` for each fixed effect *not* nested in the clusters (fixed effects nested in
  the clusters, such as country effects with country clusters, add nothing to K: the
  fixest/reghdfe convention). Tests and CIs use Student's t with G-1 degrees of freedom.
  Without ``cluster``, heteroskedasticity-robust HC1 SEs and t(N-K).
* **Wild cluster bootstrap**: restricted (null imposed), "WCR11" in the terminology of
  MacKinnon, Nielsen & Webb / Roodman et al. (2019): CR1 t statistics, two-sided symmetric
  p-value ``share of |t*| > |t|``. Rademacher weights by default, Webb's six-point weights
  when there are fewer than 12 clusters (``weights_type="auto"``); with Rademacher weights and
  ``2**G <= B`` every sign vector is enumerated once (the p-value is then exact and B is
  ``2**G``). The confidence interval is found by *test inversion*: the set of values b for
  which H0: beta = b is not rejected at level ``1 - level`` by the same bootstrap (same
  weight draws for every b), found by bracketing and bisection. Draws come from
  ``wildboottest.weights.draw_weights`` with ``numpy.random.default_rng(seed)``, so with the
  same seed the p-value equals that of the wildboottest package (a test checks this).
  Fixed effects nested in the clusters are partialled out (exact for this bootstrap, since
  the bootstrap errors are constant within each of their groups); other fixed effects enter
  the bootstrap regression as dummies.
* **Data problems are errors**, never silent: unknown columns, missing values in a used
  column (unless ``dropna=True``, which drops the rows and records how many), fewer than
  ``MIN_CLUSTERS`` clusters, a regressor that does not vary within the absorbed fixed
  effects (e.g. a country-level variable with country effects), and regressors collinear
  with each other all raise :class:`EstimationError` naming the columns.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy import stats

from .study import SEED  # the study's one seed (fiscalbook.study)
MIN_CLUSTERS = 5
DEFAULT_B = 9999
WEBB_BELOW = 12  # weights_type="auto" uses Webb weights with fewer clusters than this
_COLLINEAR_TOL = 1e-9


class EstimationError(ValueError):
    """A regression cannot be estimated as specified; the message says which input is at fault."""


@dataclass
class Estimate:
    """One coefficient with its uncertainty and the specification that produced it."""

    term: str
    coef: float
    se: float
    ci_low: float
    ci_high: float
    p: float
    n_obs: int
    n_clusters: int | None
    inference: str  # "cluster" (CR1, t(G-1)), "hc1", "wild_bootstrap"
    spec: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


# ----------------------------------------------------------------------------------------
# input checks


def _as_tuple(x) -> tuple:
    if x is None:
        return ()
    if isinstance(x, str):
        return (x,)
    return tuple(x)


def _prepare(df, outcome, regressors, fe, cluster, weights, dropna):
    """Check the inputs; return (frame of used rows, info dict). Raises EstimationError."""
    if not isinstance(df, pd.DataFrame):
        raise EstimationError(f"expected a pandas DataFrame, got {type(df).__name__}")
    regressors = _as_tuple(regressors)
    fe = _as_tuple(fe)
    if not regressors:
        raise EstimationError("no regressors given")
    if len(set(regressors)) != len(regressors):
        raise EstimationError(f"a regressor is listed twice: {list(regressors)}")
    if outcome in regressors:
        raise EstimationError(f"the outcome '{outcome}' is also listed as a regressor")
    used = [outcome, *regressors, *fe]
    if cluster is not None:
        used.append(cluster)
    if weights is not None:
        used.append(weights)
    used = list(dict.fromkeys(used))
    unknown = [c for c in used if c not in df.columns]
    if unknown:
        raise EstimationError(
            f"unknown column(s) {unknown}; the data has columns {list(df.columns)}")
    for c in (outcome, *regressors) + ((weights,) if weights else ()):
        # numeric or boolean (a dummy) columns only
        if not pd.api.types.is_numeric_dtype(df[c]):
            raise EstimationError(f"column '{c}' is not numeric (dtype {df[c].dtype})")
    data = df[used].copy()
    for c in (outcome, *regressors):
        data[c] = data[c].astype(float)
        data.loc[~np.isfinite(data[c]), c] = np.nan
    missing = data.isna()
    n_missing_rows = int(missing.any(axis=1).sum())
    if n_missing_rows:
        per_col = {c: int(n) for c, n in missing.sum().items() if n}
        if not dropna:
            raise EstimationError(
                f"{n_missing_rows} of {len(data)} rows have missing values in used columns "
                f"(missing per column: {per_col}); drop them first or pass dropna=True")
        data = data.loc[~missing.any(axis=1)]
    if len(data) == 0:
        raise EstimationError("no complete rows left to estimate on")
    if weights is not None and (data[weights] <= 0).any():
        raise EstimationError(f"weights column '{weights}' has zero or negative values")
    n_clusters = None
    if cluster is not None:
        n_clusters = int(data[cluster].nunique())
        if n_clusters < MIN_CLUSTERS:
            raise EstimationError(
                f"only {n_clusters} clusters of '{cluster}' in the estimation sample; "
                f"at least {MIN_CLUSTERS} are needed for clustered inference")
    if float(np.var(data[outcome].to_numpy())) == 0.0:
        raise EstimationError(f"the outcome '{outcome}' is constant in the estimation sample")
    info = dict(regressors=regressors, fe=fe, n_dropped=len(df) - len(data),
                n_clusters=n_clusters, n_missing_rows=n_missing_rows)
    return data.reset_index(drop=True), info


def _codes(s: pd.Series) -> np.ndarray:
    return pd.factorize(s, sort=True)[0].astype(np.int64)


def demean(X: np.ndarray, groups: Sequence[np.ndarray], weights: np.ndarray | None = None,
           tol: float = 1e-12, maxiter: int = 10_000) -> np.ndarray:
    """Subtract (weighted) group means for several groupings at once, by alternating
    projections until the largest change is below tol (times the data's scale).

    With no groups, subtracts the overall mean. X is (n,) or (n, k); groups are integer codes.
    """
    X = np.asarray(X, dtype=float)
    one_d = X.ndim == 1
    X = X.reshape(len(X), -1).copy()
    n = X.shape[0]
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=float)
    if not groups:
        groups = [np.zeros(n, dtype=np.int64)]
    scale = max(1.0, float(np.abs(X).max()) if X.size else 1.0)
    sums_w = [np.bincount(g, weights=w) for g in groups]
    for _ in range(maxiter):
        biggest = 0.0
        for g, sw in zip(groups, sums_w):
            for j in range(X.shape[1]):
                means = np.bincount(g, weights=w * X[:, j], minlength=len(sw)) / sw
                X[:, j] -= means[g]
                biggest = max(biggest, float(np.abs(means).max()))
        if biggest <= tol * scale or len(groups) == 1:
            break
    else:  # pragma: no cover - only with pathological designs
        raise EstimationError("demeaning by the fixed effects did not converge")
    return X[:, 0] if one_d else X


def _check_collinearity(data, outcome, regressors, fe, weights):
    """Raise EstimationError if a regressor is absorbed by the fixed effects or the
    regressors are collinear (after the fixed effects are partialled out)."""
    w = None if weights is None else data[weights].to_numpy(float)
    groups = [_codes(data[f]) for f in fe]
    X = data[list(regressors)].to_numpy(float)
    Xd = demean(X, groups, w)
    X0 = demean(X, [], w)  # centred: the variation an intercept leaves
    absorbed = []
    for j, name in enumerate(regressors):
        total = float(np.sum(X0[:, j] ** 2))
        within = float(np.sum(Xd[:, j] ** 2))
        if total == 0.0 or within <= 1e3 * _COLLINEAR_TOL * total:
            absorbed.append(name)
    if absorbed:
        if fe:
            raise EstimationError(
                f"regressor(s) {absorbed} do not vary within the fixed effects {list(fe)} "
                "(collinear with them): they cannot be estimated with these effects absorbed")
        raise EstimationError(f"regressor(s) {absorbed} are constant: collinear with the intercept")
    if len(regressors) > 1:
        norms = np.sqrt((Xd ** 2).sum(axis=0))
        Z = Xd / norms
        sv = np.linalg.svd(Z, compute_uv=False)
        if sv[-1] <= 1e-7 * sv[0]:
            culprits = []
            for j, name in enumerate(regressors):
                others = np.delete(Z, j, axis=1)
                resid = Z[:, j] - others @ np.linalg.lstsq(others, Z[:, j], rcond=None)[0]
                if float(resid @ resid) < 1e-10:
                    culprits.append(name)
            raise EstimationError(
                f"regressors {culprits or list(regressors)} are collinear"
                + (f" once the fixed effects {list(fe)} are absorbed" if fe else ""))


def _nested(data, fe_name, cluster) -> bool:
    """Is every level of the fixed effect inside a single cluster?"""
    return bool((data.groupby(fe_name, observed=True)[cluster].nunique() <= 1).all())


def _k_for_ssc(data, regressors, fe, cluster) -> int:
    """K of the CR1 small-sample factor (see module docstring)."""
    k = len(regressors) + 1
    for f in fe:
        if cluster is not None and _nested(data, f, cluster):
            continue
        k += int(data[f].nunique()) - 1
    return k


# ----------------------------------------------------------------------------------------
# fitting


@dataclass
class FitResult:
    """A fitted fixed-effects regression. ``coef`` and ``vcov`` are labelled by term."""

    outcome: str
    regressors: tuple
    fe: tuple
    cluster: str | None
    weights: str | None
    coef: pd.Series
    vcov: pd.DataFrame
    n_obs: int
    n_clusters: int | None
    df_resid: int  # degrees of freedom of the t reference distribution
    ssc: float  # small-sample factor applied to the sandwich
    r2: float
    r2_within: float | None
    engine: str
    n_dropped: int = 0
    inference: str = "cluster"
    level: float = 0.95
    data: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def spec(self) -> dict:
        return {"outcome": self.outcome, "regressors": list(self.regressors),
                "fe": list(self.fe), "cluster": self.cluster, "weights": self.weights,
                "engine": self.engine, "se_type": self.se_type, "n_dropped": self.n_dropped}

    @property
    def se_type(self) -> str:
        if self.inference == "cluster":
            return f"CR1 clustered by {self.cluster}, t({self.df_resid})"
        return f"HC1 robust, t({self.df_resid})"

    def _row(self, term):
        if term not in self.coef.index:
            raise EstimationError(f"no term '{term}' in this fit; terms are {list(self.coef.index)}")
        b = float(self.coef[term])
        se = float(np.sqrt(self.vcov.loc[term, term]))
        crit = stats.t.ppf(0.5 + self.level / 2, self.df_resid)
        t = b / se if se > 0 else np.nan
        p = float(2 * stats.t.sf(abs(t), self.df_resid))
        return b, se, float(b - crit * se), float(b + crit * se), p

    def estimate(self, term: str) -> Estimate:
        b, se, lo, hi, p = self._row(term)
        return Estimate(term=term, coef=b, se=se, ci_low=lo, ci_high=hi, p=p,
                        n_obs=self.n_obs, n_clusters=self.n_clusters,
                        inference=self.inference, spec=self.spec)

    def table(self) -> pd.DataFrame:
        rows = [(t, *self._row(t)) for t in self.coef.index]
        return pd.DataFrame(rows, columns=["term", "coef", "se", "ci_low", "ci_high", "p"])

    def wild_bootstrap(self, term: str, **kwargs) -> Estimate:
        """wild_cluster_bootstrap of ``term`` on this fit's rows and specification
        (keyword arguments B, seed, weights_type, level, ci are passed on)."""
        if self.cluster is None:
            raise EstimationError("this fit has no cluster column to bootstrap over")
        return wild_cluster_bootstrap(self.data, self.outcome, list(self.regressors), term,
                                      fe=self.fe, cluster=self.cluster, weights=self.weights,
                                      **kwargs)


def _safe_names(columns) -> dict:
    return {c: f"v{i}" for i, c in enumerate(columns)}


def fit_fe(df: pd.DataFrame, outcome: str, regressors: Sequence[str] | str,
           fe: Sequence[str] | str = (), cluster: str | None = None,
           weights: str | None = None, dropna: bool = False, engine: str = "pyfixest",
           level: float = 0.95) -> FitResult:
    """OLS (WLS with ``weights``) of ``outcome`` on ``regressors`` with the fixed effects
    ``fe`` absorbed, CR1 standard errors clustered by ``cluster`` (HC1 if None).

    ``dropna=True`` drops rows with a missing value in any used column (recorded in
    ``FitResult.n_dropped``); by default missing values raise EstimationError.
    ``engine`` is "pyfixest" (default) or "statsmodels" (explicit dummies; the reference).
    """
    data, info = _prepare(df, outcome, regressors, fe, cluster, weights, dropna)
    regressors, fe = info["regressors"], info["fe"]
    _check_collinearity(data, outcome, regressors, fe, weights)
    n = len(data)
    k = _k_for_ssc(data, regressors, fe, cluster)
    if n - k <= 0:
        raise EstimationError(f"{n} observations are too few for {k} parameters")
    if cluster is not None:
        G = info["n_clusters"]
        ssc = G / (G - 1) * (n - 1) / (n - k)
        df_resid = G - 1
        inference = "cluster"
    else:
        ssc = n / (n - k)
        df_resid = n - k
        inference = "hc1"
    if engine == "pyfixest":
        b, V_raw, r2 = _fit_pyfixest(data, outcome, regressors, fe, cluster, weights)
    elif engine == "statsmodels":
        b, V_raw, r2 = _fit_statsmodels(data, outcome, regressors, fe, cluster, weights)
    else:
        raise EstimationError(f"unknown engine '{engine}' (use 'pyfixest' or 'statsmodels')")
    # r2_within: share of the within-FE variance of the outcome explained by the regressors
    w = None if weights is None else data[weights].to_numpy(float)
    groups = [_codes(data[f]) for f in fe]
    yd = demean(data[outcome].to_numpy(float), groups, w)
    Xd = demean(data[list(regressors)].to_numpy(float), groups, w)
    ww = np.ones(n) if w is None else w
    if engine == "pyfixest" and fe:
        b, V_raw, r2 = _within_refit(data, outcome, regressors, cluster, yd, Xd, ww, b, V_raw)
    beta = b[list(regressors)].to_numpy()
    ud = yd - Xd @ beta
    r2_within = float(1 - (ww * ud ** 2).sum() / (ww * yd ** 2).sum()) if fe else None
    V = V_raw * ssc
    return FitResult(outcome=outcome, regressors=regressors, fe=fe, cluster=cluster,
                     weights=weights, coef=b, vcov=V, n_obs=n, n_clusters=info["n_clusters"],
                     df_resid=int(df_resid), ssc=float(ssc), r2=float(r2), r2_within=r2_within,
                     engine=engine, n_dropped=info["n_dropped"], inference=inference,
                     level=level, data=data)


def _sandwich(X, u, clusters):
    """(X'X)^-1 meat (X'X)^-1 without any small-sample factor (X, u already weighted)."""
    bread = np.linalg.pinv(X.T @ X)
    if clusters is None:
        scores = X * u[:, None]
    else:
        codes = _codes(pd.Series(clusters))
        scores = np.zeros((codes.max() + 1, X.shape[1]))
        np.add.at(scores, codes, X * u[:, None])
    meat = scores.T @ scores
    return bread @ meat @ bread


def _within_refit(data, outcome, regressors, cluster, yd, Xd, w, b_pf, V_pf):
    """The within (FWL) estimates from the book's own demeaning, checked against pyfixest's.

    pyfixest stops its demeaning at a tolerance of 1e-6 and takes the fixed effects in the
    order of a Python set (so of the process's string-hash seed): its last digits change from
    one process to the next. The same estimator on data demeaned here (tolerance 1e-12, fixed
    order, plain numpy) gives the same bits in every run; pyfixest's fit must agree with it
    to 1e-5 (relative), so it remains an independent check.
    """
    sw = np.sqrt(w)
    Xw, yw = Xd * sw[:, None], yd * sw
    beta = np.linalg.solve(Xw.T @ Xw, Xw.T @ yw)
    u = yw - Xw @ beta
    clusters = data[cluster].to_numpy() if cluster is not None else None
    V = _sandwich(Xw, u, clusters)
    names = list(regressors)
    b = pd.Series(beta, index=names, name="coef")
    for term in names:
        scale = max(1.0, abs(float(b_pf[term])), float(np.sqrt(max(V_pf.loc[term, term], 0.0))))
        if abs(float(b_pf[term]) - b[term]) > 1e-5 * scale:  # pragma: no cover - a defect check
            raise EstimationError(f"pyfixest and the within refit disagree on {term}: "
                                  f"{float(b_pf[term])!r} vs {b[term]!r}")
    y = data[outcome].to_numpy(float)
    tss = float((w * (y - np.average(y, weights=w)) ** 2).sum())
    r2 = 1 - float((u ** 2).sum()) / tss
    return b, pd.DataFrame(V, index=names, columns=names), r2


def _fit_pyfixest(data, outcome, regressors, fe, cluster, weights):
    import pyfixest as pf

    names = _safe_names(data.columns)
    d = data.rename(columns=names)
    for f in fe:  # categorical codes keep pyfixest's formula parser away from odd labels
        d[names[f]] = _codes(data[f])
    rhs = " + ".join(names[r] for r in regressors)
    fml = f"{names[outcome]} ~ {rhs}" + (" | " + " + ".join(names[f] for f in fe) if fe else "")
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*inplace.*", category=DeprecationWarning)
        m = pf.feols(fml, d, vcov="iid", weights=names[weights] if weights else None,
                     fixef_rm="none", collin_tol=1e-10)
    back = {v: k for k, v in names.items()}
    coefnames = [back.get(str(c), "Intercept" if str(c) == "Intercept" else str(c))
                 for c in m._coefnames]
    missing = [r for r in regressors if r not in coefnames]
    if missing:  # pragma: no cover - _check_collinearity should have caught it
        raise EstimationError(f"pyfixest dropped regressor(s) {missing} as collinear")
    X = np.asarray(m._X, float)
    u = np.asarray(m._u_hat, float).ravel()
    # with weights, pyfixest's _X and _u_hat are already multiplied by sqrt(w)
    clusters = data[cluster].to_numpy() if cluster is not None else None
    V = _sandwich(X, u, clusters)
    b = pd.Series(np.asarray(m.coef(), float), index=coefnames, name="coef")
    V = pd.DataFrame(V, index=coefnames, columns=coefnames)
    return b, V, float(m._r2)


def _fit_statsmodels(data, outcome, regressors, fe, cluster, weights):
    import statsmodels.api as sm

    X = data[list(regressors)].astype(float)
    dummies = [pd.get_dummies(data[f].astype(str), prefix=f"__fe_{f}", drop_first=True,
                              dtype=float) for f in fe]
    X = pd.concat([X, *dummies], axis=1)
    X = sm.add_constant(X, has_constant="add").rename(columns={"const": "Intercept"})
    y = data[outcome].astype(float)
    if weights is None:
        res = sm.OLS(y, X).fit()
        sw = np.ones(len(y))
    else:
        w = data[weights].to_numpy(float)
        res = sm.WLS(y, X, weights=w).fit()
        sw = np.sqrt(w)
    Xw = X.to_numpy() * sw[:, None]
    uw = res.resid.to_numpy() * sw
    clusters = data[cluster].to_numpy() if cluster is not None else None
    V = _sandwich(Xw, uw, clusters)
    keep = list(regressors) if fe else ["Intercept", *regressors]
    idx = [X.columns.get_loc(c) for c in keep]
    b = res.params[keep].rename("coef")
    V = pd.DataFrame(V[np.ix_(idx, idx)], index=keep, columns=keep)
    return b, V, float(res.rsquared)


# ----------------------------------------------------------------------------------------
# wild cluster bootstrap


class _WCR:
    """Restricted wild cluster bootstrap (WCR11) for one coefficient, vectorised.

    Precomputes the pieces that are linear (numerator) or quadratic (variance) in the
    hypothesised value b, so that p(b) for test inversion costs O(B) per evaluation.
    """

    def __init__(self, X, y, clusters, j, v):
        n, k = X.shape
        self.j = j
        codes = _codes(pd.Series(clusters))
        G = int(codes.max()) + 1
        self.G = G
        A = np.linalg.pinv(X.T @ X)
        a = A[j]  # R (X'X)^-1
        beta = A @ (X.T @ y)
        u = y - X @ beta
        Xo = np.delete(X, j, axis=1)
        xj = X[:, j]

        def resid_on_others(z):
            if Xo.shape[1] == 0:
                return z.copy()
            return z - Xo @ np.linalg.lstsq(Xo, z, rcond=None)[0]

        # restricted residuals under H0: beta_j = b are u0 - b * u1
        u0 = resid_on_others(y)
        u1 = resid_on_others(xj)
        XgXg = np.empty((G, k, k))
        for g in range(G):  # one k x k block per cluster (memory O(G k^2), not O(n k^2))
            Xg = X[codes == g]
            XgXg[g] = Xg.T @ Xg

        def scores(uu):
            S = np.zeros((G, k))
            np.add.at(S, codes, X * uu[:, None])
            return S.T  # k x G

        S0, S1 = scores(u0), scores(u1)
        C0, C1 = a @ S0, a @ S1  # (G,)
        Q = np.einsum("i,gij,jl->gl", a, XgXg, A)  # (G, k): R A X_g'X_g A
        H0, H1 = Q @ S0, Q @ S1  # (G, G)
        # bootstrap numerator and the cluster terms of its CR1 variance are linear in b:
        # numer(b) = n0 - b n1, Z(b) = Z0 - b Z1, so denom(b) = d00 - 2 b d01 + b^2 d11
        self.n0, self.n1 = C0 @ v, C1 @ v
        Z0 = C0[:, None] * v - H0 @ v
        Z1 = C1[:, None] * v - H1 @ v
        self.d00 = (Z0 * Z0).sum(axis=0)
        self.d01 = (Z0 * Z1).sum(axis=0)
        self.d11 = (Z1 * Z1).sum(axis=0)
        # unrestricted CR1 sandwich for beta_j (no ssc: it cancels in the p-value)
        Su = scores(u)
        self.se_raw = float(np.sqrt(a @ (Su @ Su.T) @ a))
        self.beta_j = float(beta[j])

    def t_stat(self, b):
        return (self.beta_j - b) / self.se_raw

    def t_boot(self, b):
        numer = self.n0 - b * self.n1
        denom = np.sqrt(np.maximum(self.d00 - 2 * b * self.d01 + b * b * self.d11, 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):
            return numer / denom

    def pvalue(self, b):
        t = self.t_stat(b)
        tb = self.t_boot(b)
        return float(np.mean(np.abs(t) < np.abs(tb)))


def _bootstrap_design(data, outcome, regressors, term, fe, cluster, weights):
    """y and X for the bootstrap: FE nested in the clusters partialled out, others as dummies."""
    w = None if weights is None else data[weights].to_numpy(float)
    nested = [f for f in fe if _nested(data, f, cluster)]
    other = [f for f in fe if f not in nested]
    X = data[list(regressors)].astype(float)
    dummies = [pd.get_dummies(data[f].astype(str), prefix=f"__fe_{f}", drop_first=True,
                              dtype=float) for f in other]
    X = pd.concat([X, *dummies], axis=1)
    cols = list(X.columns)
    Xm = X.to_numpy(float)
    y = data[outcome].to_numpy(float)
    if nested:
        groups = [_codes(data[f]) for f in nested]
        Xm = demean(Xm, groups, w)
        y = demean(y, groups, w)
    else:
        Xm = np.column_stack([np.ones(len(y)), Xm])
        cols = ["Intercept", *cols]
    if w is not None:
        sw = np.sqrt(w)
        Xm, y = Xm * sw[:, None], y * sw
    return Xm, y, cols.index(term)


@lru_cache(maxsize=8)
def _draw_cached(weights_type, G, B, seed):
    from wildboottest.weights import draw_weights

    full = weights_type == "rademacher" and 2 ** G <= B
    v, B_used = draw_weights(t=weights_type, full_enumeration=full, N_G_bootcluster=G,
                             boot_iter=B, rng=np.random.default_rng(seed))
    v = np.asarray(v, float)
    v.setflags(write=False)
    return v, int(B_used), full


def _draw(weights_type, G, B, seed):
    """Weights (G x B) from wildboottest's draw_weights; full enumeration when Rademacher
    and 2**G <= B (then every sign vector once, independent of the seed)."""
    if weights_type == "rademacher" and 2 ** G <= B:
        seed = 0  # the enumeration does not use the generator: share the cache entry
    return _draw_cached(weights_type, G, B, seed)


def wild_cluster_bootstrap(df: pd.DataFrame, outcome: str, regressors: Sequence[str] | str,
                           term: str, fe: Sequence[str] | str = (), cluster: str | None = None,
                           B: int = DEFAULT_B, seed: int = SEED, weights_type: str = "auto",
                           weights: str | None = None, dropna: bool = False,
                           level: float = 0.95, ci: bool = True) -> Estimate:
    """Restricted wild cluster bootstrap (WCR11) test of H0: coefficient on ``term`` = 0,
    with a confidence interval by test inversion (see the module docstring).

    Returns an Estimate whose ``coef`` is the OLS estimate, ``se`` the analytical CR1 SE
    (for reference), ``p`` the bootstrap p-value and ``ci_low``/``ci_high`` the
    test-inversion interval; ``spec`` records B (as used), weights, seed and method.
    ``weights_type``: "auto" (Webb below 12 clusters, else Rademacher), "rademacher",
    "webb" or "norm". ``weights`` are regression weights (WLS), as in fit_fe.
    """
    if cluster is None:
        raise EstimationError("the wild cluster bootstrap needs a cluster column")
    regressors = _as_tuple(regressors)
    if term not in regressors:
        raise EstimationError(f"term '{term}' is not among the regressors {list(regressors)}")
    if B < 99:
        raise EstimationError(f"B={B} bootstrap draws are too few (use at least 99)")
    fit = fit_fe(df, outcome, regressors, fe=fe, cluster=cluster, weights=weights,
                 dropna=dropna, level=level)
    data = fit.data
    G = fit.n_clusters
    if weights_type == "auto":
        weights_type = "webb" if G < WEBB_BELOW else "rademacher"
    if weights_type not in ("rademacher", "webb", "norm"):
        raise EstimationError(f"unknown weights_type '{weights_type}' "
                              "(use 'auto', 'rademacher', 'webb' or 'norm')")
    X, y, j = _bootstrap_design(data, outcome, regressors, term, fit.fe, cluster, weights)
    v, B_used, full = _draw(weights_type, G, B, seed)
    boot = _WCR(X, y, data[cluster].to_numpy(), j, v)
    p = boot.pvalue(0.0)
    lo = hi = np.nan
    if ci:
        lo, hi = _invert(boot, fit.estimate(term), 1 - level)
    est = fit.estimate(term)
    spec = dict(fit.spec, se_type=f"wild cluster bootstrap by {cluster} (WCR11)",
                B=B_used, seed=seed, weights_type=weights_type, full_enumeration=full,
                bootstrap="WCR11, null imposed, two-sided symmetric p",
                ci_method="test inversion" if ci else None, level=level,
                t_stat=float(est.coef / est.se), cr1_p=float(est.p),
                cr1_ci=(float(est.ci_low), float(est.ci_high)))
    return Estimate(term=term, coef=est.coef, se=est.se, ci_low=float(lo), ci_high=float(hi),
                    p=p, n_obs=fit.n_obs, n_clusters=G, inference="wild_bootstrap", spec=spec)


def _invert(boot: _WCR, est: Estimate, alpha: float, tol_se: float = 1e-7):
    """Bounds of {b : p(b) > alpha}: bracket outwards from the estimate, then bisect."""
    b_hat, se = est.coef, est.se
    if boot.pvalue(b_hat) <= alpha:  # pragma: no cover - p at the estimate is ~1
        return np.nan, np.nan
    bounds = []
    for sign in (-1.0, 1.0):
        inside, step = b_hat, 2.0 * se
        outside = b_hat + sign * step
        tries = 0
        while boot.pvalue(outside) > alpha:
            inside, step = outside, step * 2
            outside = b_hat + sign * step
            tries += 1
            if tries > 40:
                raise EstimationError("bootstrap confidence bound not found: the interval is unbounded")
        while abs(outside - inside) > tol_se * se:
            mid = (inside + outside) / 2
            if boot.pvalue(mid) > alpha:
                inside = mid
            else:
                outside = mid
        bounds.append((inside + outside) / 2)
    return bounds[0], bounds[1]


# ----------------------------------------------------------------------------------------
# panel helpers


def _time_positions(s: pd.Series) -> pd.Series:
    """Numeric time as is; ordered categoricals by code; anything else by sorted position."""
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s
    if isinstance(s.dtype, pd.CategoricalDtype) and s.cat.ordered:
        return pd.Series(s.cat.codes, index=s.index)
    order = {v: i for i, v in enumerate(sorted(s.dropna().astype(str).unique()))}
    return s.astype(str).map(order)


def add_lags(df: pd.DataFrame, columns: Iterable[str] | str, lags: Iterable[int] | int,
             by: str, time: str) -> pd.DataFrame:
    """Return a copy with ``{col}_lag{L}`` = the value of ``col`` in the same ``by`` unit at
    time t - L. Lags are by time *value* (a gap in the panel gives NaN, never the previous
    available row); non-numeric times (e.g. "1982-1984") are ordered by sorted label, or by
    category order when the column is an ordered categorical. Negative L gives leads
    (``{col}_lead{|L|}``)."""
    columns = _as_tuple(columns)
    lags = (lags,) if isinstance(lags, (int, np.integer)) else tuple(lags)
    unknown = [c for c in (*columns, by, time) if c not in df.columns]
    if unknown:
        raise EstimationError(f"unknown column(s) {unknown}")
    if df.duplicated([by, time]).any():
        raise EstimationError(f"duplicate ({by}, {time}) rows: lags need one row per unit and time")
    out = df.copy()
    pos = _time_positions(df[time])
    key = pd.DataFrame({by: df[by].to_numpy(), "__t": pos.to_numpy()})
    for L in lags:
        L = int(L)
        if L == 0:
            raise EstimationError("lag 0 is the variable itself")
        src = key.copy()
        src["__t"] = src["__t"] + L  # the row at t is the lag-L source for t + L
        for c in columns:
            src[c] = df[c].to_numpy()
        merged = key.merge(src, on=[by, "__t"], how="left", validate="one_to_one")
        for c in columns:
            name = f"{c}_lag{L}" if L > 0 else f"{c}_lead{-L}"
            out[name] = merged[c].to_numpy()
    return out


def interact(df: pd.DataFrame, a: str, b: str, name: str | None = None,
             center: bool = False) -> pd.DataFrame:
    """Return a copy with ``name`` (default ``{a}_x_{b}``) = a * b. ``center=True`` centres
    both at their sample means first, so the main effects are effects at the mean of the
    other variable."""
    unknown = [c for c in (a, b) if c not in df.columns]
    if unknown:
        raise EstimationError(f"unknown column(s) {unknown}")
    name = name or f"{a}_x_{b}"
    out = df.copy()
    x, z = out[a].astype(float), out[b].astype(float)
    if center:
        x, z = x - x.mean(), z - z.mean()
    out[name] = x * z
    return out
