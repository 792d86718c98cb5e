"""Unconditional β-convergence within a country and the half-life it implies
(Barro & Sala-i-Martin 1992).

For regions i of one country, with log output per head ln y_i0 at the start and ln y_iT
after T years, the cross-section regression of the annual growth rate on the start level,

    (ln y_iT - ln y_i0) / T = a + b ln y_i0 + u_i,

gives b = -(1 - exp(-βT)) / T, so the speed of convergence is β = -ln(1 + bT) / T and the
half-life of a regional gap is ln 2 / β years. β <= 0 (b >= 0) means no convergence: the
half-life is infinite. Intervals: the t interval of b (HC1 standard errors, n - 2 degrees
of freedom) mapped through the same monotone transformation, so an interval for b that
reaches 0 gives an open-ended (infinite) upper bound for the half-life.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def _beta_from_b(b: float, T: float) -> float:
    return float(-np.log(1 + b * T) / T) if 1 + b * T > 0 else np.inf


def half_life(beta: float) -> float:
    """Years for a gap to halve at speed beta (per year); inf when beta <= 0."""
    return float(np.log(2) / beta) if beta > 0 else np.inf


def beta_convergence(y0: np.ndarray, yT: np.ndarray, T: float, level: float = 0.95) -> dict:
    """β-convergence of one cross-section: b, se (HC1), b_low, b_high, beta, beta_low,
    beta_high (per year), half_life, half_life_low, half_life_high (years; inf where
    there is no convergence), n."""
    y0 = np.asarray(y0, float)
    yT = np.asarray(yT, float)
    if len(y0) != len(yT):
        raise ValueError("start and end values differ in length")
    if not (np.isfinite(y0).all() and np.isfinite(yT).all() and (y0 > 0).all() and (yT > 0).all()):
        raise ValueError("values must be positive and finite")
    y0, yT = np.log(y0), np.log(yT)
    n = len(y0)
    if n < 4:
        raise ValueError("need at least four regions")
    if T <= 0:
        raise ValueError("T must be positive")
    g = (yT - y0) / T
    X = np.column_stack([np.ones(n), y0])
    XtX_inv = np.linalg.inv(X.T @ X)
    coef = XtX_inv @ X.T @ g
    e = g - X @ coef
    meat = (X * e[:, None]).T @ (X * e[:, None]) * n / (n - 2)
    se = float(np.sqrt((XtX_inv @ meat @ XtX_inv)[1, 1]))
    b = float(coef[1])
    crit = stats.t.ppf(0.5 + level / 2, n - 2)
    b_lo, b_hi = b - crit * se, b + crit * se
    beta = _beta_from_b(b, T)
    # beta falls as b rises: the interval's ends swap
    beta_lo, beta_hi = _beta_from_b(b_hi, T), _beta_from_b(b_lo, T)
    return {"b": b, "se": se, "b_low": float(b_lo), "b_high": float(b_hi), "beta": beta, "beta_low": beta_lo,
            "beta_high": beta_hi, "half_life": half_life(beta), "half_life_low": half_life(beta_hi),
            "half_life_high": half_life(beta_lo), "n": n}


def by_group(df: pd.DataFrame, group: str, unit: str, time: str, value: str, start: int, end: int,
             min_units: int = 4, level: float = 0.95) -> pd.DataFrame:
    """``beta_convergence`` for every group (country) with at least ``min_units`` units observed
    in both ``start`` and ``end``: one row per group."""
    a = df.loc[df[time] == start].set_index([group, unit])[value]
    z = df.loc[df[time] == end].set_index([group, unit])[value]
    both = pd.concat({"y0": a, "yT": z}, axis=1).dropna()
    rows = []
    for gname, d in both.groupby(level=0):
        if len(d) < min_units:
            continue
        r = beta_convergence(d["y0"].to_numpy(), d["yT"].to_numpy(), end - start, level)
        rows.append({group: gname, **r})
    return pd.DataFrame(rows)


def slope(x: np.ndarray, y: np.ndarray, level: float = 0.95) -> dict:
    """OLS slope of y on x with HC1 standard error and t interval: slope, se, low, high, p, n."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    n = len(x)
    if n < 4:
        raise ValueError("need at least four points")
    X = np.column_stack([np.ones(n), x])
    XtX_inv = np.linalg.inv(X.T @ X)
    c = XtX_inv @ X.T @ y
    e = y - X @ c
    meat = (X * e[:, None]).T @ (X * e[:, None]) * n / (n - 2)
    se = float(np.sqrt((XtX_inv @ meat @ XtX_inv)[1, 1]))
    crit = stats.t.ppf(0.5 + level / 2, n - 2)
    s = float(c[1])
    return {"slope": s, "se": se, "low": float(s - crit * se), "high": float(s + crit * se),
            "p": float(2 * stats.t.sf(abs(s / se), n - 2)) if se > 0 else np.nan, "n": n}
