"""Reform events in the Regional Authority Index and an event study robust to staggered adoption.

**Events.** A *material* change in a country's regional autonomy is a year-on-year change of
at least ``THRESHOLDS[measure]`` in the RAI v3 country score (``tables.rai_country()``):

* ``fiscal_autonomy`` >= 1 point. The RAI scores each tier's tax autonomy on a 0–4 ordinal
  scale and weights tiers by the population they cover, so a one-point change in the
  country score is one whole step on that scale for the whole population (e.g. regions
  gaining the right to set the rate of a minor tax). Most non-zero yearly changes are
  population-weight drift of a few hundredths of a point; the test suite checks on the
  real data that any threshold from 0.5 to 1.0 gives the same treated countries and reform
  years inside the outcome window (a lower threshold only moves Spain's 1997 change, 0.94,
  from the controls to the dropped "always treated").
* ``self_rule`` >= 2 points: self-rule adds five dimensions (depth, policy scope, fiscal
  and borrowing autonomy, representation; 0–18 per tier), so two whole steps for the whole
  population; single steps (1 point) are frequent recodings of one dimension.

**Treatment** is the first material *increase* in 1995–2018 (``cohort`` = its year) and is
absorbing: later reforms of either sign are part of the treated path (the table records
how many there were). Countries are then classified (``treatment_status``):

* ``treated``: first material increase inside the outcome window (first untreated year
  available, i.e. cohort > first outcome year), with no material decrease before it;
* ``always_treated``: first increase at or before the first outcome year (no untreated
  outcome years; dropped);
* ``decrease_first``: a material decrease before any increase (neither clean control nor
  clean treated; dropped);
* ``never``: no material change of either sign in 1995–2018: the control group.

**Estimator** (``event_study``): Callaway & Sant'Anna (2021) group-time average treatment
effects without covariates, ATT(g, t) = [mean of Y_t - Y_{g-1} in cohort g] - [the same in
the controls], with a *universal base period* g-1 for leads and lags alike (so e = -1 is zero
by construction, as in a conventional event-study plot), controls either never-treated or
not-yet-treated units (cohort > max(t, g-1)). Event-time effects average ATT(g, g+e) over
cohorts with weights proportional to cohort size; the ends are binned (all cells with
e < -leads, and all with e > lags). Each estimate is a linear function of unit-level
outcome differences, so its influence function is exact; standard errors are the
cluster-robust (by country) variance of the summed influence functions, ``G/(G-1)`` scaled,
with t(G-1) intervals. A multiplier (wild) bootstrap of the clustered influence functions
(Rademacher weights, fixed seed) gives a simultaneous sup-t band. The joint test of the
leads is a Wald test with the clustered covariance (F(k, G-1) reference).

Unlike a two-way fixed-effects (TWFE) event study, this estimator never uses
already-treated units as controls, so cohort-specific dynamic effects do not contaminate
other event times (Sun & Abraham 2021; Callaway & Sant'Anna 2021). ``event_study_twfe`` is
the TWFE comparison; the tests build a staggered panel where the two differ.

With very few treated countries (cohorts), clustered intervals are unreliable however they
are computed: they rest on the within-cluster variation of a handful of treated clusters.
``EventStudy.n_treated_clusters`` is reported next to every result.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from .study import SEED  # the study's one seed (fiscalbook.study)
THRESHOLDS = {"fiscal_autonomy": 1.0, "self_rule": 2.0}
EVENT_WINDOW = (1995, 2018)
OUTCOME_YEARS = (2000, 2020)
LEADS = 5
LAGS = 5
B_DEFAULT = 9999


# ----------------------------------------------------------------------------------------
# events


def reform_events(rai: pd.DataFrame, measure: str = "fiscal_autonomy", threshold: float | None = None,
                  first: int = EVENT_WINDOW[0], last: int = EVENT_WINDOW[1],
                  countries=None) -> pd.DataFrame:
    """Country-years with a material year-on-year change in ``measure``.

    Columns: iso3, year, measure, before, after, change, direction ("increase"/"decrease").
    The change is measured against the previous calendar year (a missing previous year gives
    no event, never a jump over a gap).
    """
    if measure not in rai.columns:
        raise KeyError(f"RAI table has no column {measure!r}")
    thr = THRESHOLDS.get(measure) if threshold is None else threshold
    if thr is None or thr <= 0:
        raise ValueError("give a positive threshold for this measure")
    r = rai[["iso3", "year", measure]].dropna().sort_values(["iso3", "year"])
    if countries is not None:
        r = r.loc[r["iso3"].isin(set(countries))]
    prev = r.assign(year=r["year"] + 1).rename(columns={measure: "before"})
    m = r.rename(columns={measure: "after"}).merge(prev, on=["iso3", "year"], how="inner")
    m["change"] = m["after"] - m["before"]
    # tolerance: the RAI is published to two decimals
    ev = m.loc[(m["change"].abs() >= thr - 1e-9) & m["year"].between(first, last)].copy()
    ev["measure"] = measure
    ev["direction"] = np.where(ev["change"] > 0, "increase", "decrease")
    cols = ["iso3", "year", "measure", "before", "after", "change", "direction"]
    return ev[cols].sort_values(["year", "iso3"]).reset_index(drop=True)


def treatment_status(events: pd.DataFrame, countries, first_outcome_year: int = OUTCOME_YEARS[0]
                     ) -> pd.DataFrame:
    """One row per country: iso3, status, cohort (year of first material increase or NaN),
    change (size of that increase), n_increases, n_decreases, later_reforms."""
    rows = []
    for iso in sorted(set(countries)):
        e = events.loc[events["iso3"] == iso].sort_values("year")
        inc = e.loc[e["direction"] == "increase"]
        dec = e.loc[e["direction"] == "decrease"]
        cohort, change, later = np.nan, np.nan, 0
        if len(e) == 0:
            status = "never"
        elif len(inc) == 0 or (len(dec) and dec["year"].min() < inc["year"].min()):
            status = "decrease_first"
        else:
            cohort = int(inc["year"].iloc[0])
            change = float(inc["change"].iloc[0])
            later = int((e["year"] > cohort).sum())
            status = "treated" if cohort > first_outcome_year else "always_treated"
        rows.append({"iso3": iso, "status": status, "cohort": cohort, "change": change,
                     "n_increases": len(inc), "n_decreases": len(dec), "later_reforms": later})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# Callaway–Sant'Anna group-time effects


@dataclass
class EventStudy:
    """Event-time effects with clustered intervals, a simultaneous band and a lead test."""

    table: pd.DataFrame  # label, e (int; bins at their edge), coef, se, ci_low, ci_high, p, band_low, band_high, n_cohorts
    pre_test: dict  # stat (F), df1, df2, p, leads
    post_average: dict  # coef, se, ci_low, ci_high, p: mean of e = 0..lags
    n_units: int
    n_clusters: int
    n_treated_clusters: int
    cohorts: dict  # cohort -> number of units
    spec: dict = field(default_factory=dict)
    cells: pd.DataFrame | None = field(default=None, repr=False)

    def at(self, e: int) -> pd.Series:
        row = self.table.loc[self.table["e"] == e]
        if len(row) != 1:
            raise KeyError(f"no single row for event time {e}")
        return row.iloc[0]


def _wide(df, unit, time, y, cohort, cluster):
    for c in (unit, time, y, cohort, cluster):
        if c not in df.columns:
            raise KeyError(f"column {c!r} missing")
    d = df[[unit, time, y, cohort, cluster]].copy()
    if d[[unit, time, y, cluster]].isna().any().any():
        raise ValueError("missing values in unit, time, outcome or cluster")
    if d.duplicated([unit, time]).any():
        raise ValueError("duplicate unit-time rows")
    Y = d.pivot(index=unit, columns=time, values=y).sort_index(axis=1)
    if Y.isna().any().any():
        raise ValueError("the panel must be balanced (a unit lacks a year)")
    info = d.drop_duplicates(unit).set_index(unit).loc[Y.index]
    if d.groupby(unit)[cohort].nunique(dropna=False).max() > 1:
        raise ValueError("cohort must be constant within unit")
    if d.groupby(unit)[cluster].nunique().max() > 1:
        raise ValueError("units must be nested in clusters")
    g = info[cohort].astype(float).fillna(np.inf).to_numpy()
    return Y, g, info[cluster].to_numpy()


def att_gt(df: pd.DataFrame, unit: str = "region", time: str = "year", y: str = "y",
           cohort: str = "cohort", cluster: str = "iso3", control: str = "never"):
    """All identified ATT(g, t) cells with universal base g-1.

    Returns (cells, psi, clusters): cells has g, t, e, att, n_treated, n_control; psi is the
    units x cells matrix of influence-function contributions (att_hat - att ~ psi.sum(0)).
    A cohort is identified if g-1 is in the panel; never-treated units have cohort NaN.
    """
    if control not in ("never", "notyet"):
        raise ValueError("control must be 'never' or 'notyet'")
    Y, g, cl = _wide(df, unit, time, y, cohort, cluster)
    years = np.asarray(Y.columns, dtype=int)
    Yv = Y.to_numpy(float)
    pos = {t: k for k, t in enumerate(years)}
    cells, cols = [], []
    for gg in sorted(set(g[np.isfinite(g)])):
        gg = int(gg)
        if gg - 1 not in pos:
            continue
        T = g == gg
        base = Yv[:, pos[gg - 1]]
        for t in years:
            if t == gg - 1:
                continue
            if control == "never":
                C = ~np.isfinite(g)
            else:
                C = (g > max(t, gg - 1)) & ~T
            if C.sum() == 0:
                continue
            dY = Yv[:, pos[t]] - base
            muT, muC = dY[T].mean(), dY[C].mean()
            psi = np.zeros(len(g))
            psi[T] = (dY[T] - muT) / T.sum()
            psi[C] = -(dY[C] - muC) / C.sum()
            cells.append({"g": gg, "t": int(t), "e": int(t - gg), "att": muT - muC,
                          "n_treated": int(T.sum()), "n_control": int(C.sum())})
            cols.append(psi)
    if not cells:
        raise ValueError("no identified cohort: need treated units with an untreated year")
    return pd.DataFrame(cells), np.column_stack(cols), cl


def _bins(leads: int, lags: int):
    out = [(f"≤{-leads - 1}", -leads - 1, lambda e: e <= -leads - 1)]
    out += [(str(k), k, (lambda k: lambda e: e == k)(k)) for k in range(-leads, lags + 1) if k != -1]
    out += [(f"≥{lags + 1}", lags + 1, lambda e: e >= lags + 1)]
    return out


def _cluster_sums(psi: np.ndarray, clusters: np.ndarray) -> np.ndarray:
    codes, uniq = pd.factorize(pd.Series(clusters))
    S = np.zeros((len(uniq), psi.shape[1]))
    np.add.at(S, codes, psi)
    return S


def event_study(df: pd.DataFrame, unit: str = "region", time: str = "year", y: str = "y",
                cohort: str = "cohort", cluster: str = "iso3", control: str = "never",
                leads: int = LEADS, lags: int = LAGS, B: int = B_DEFAULT, seed: int = SEED,
                level: float = 0.95) -> EventStudy:
    """Callaway–Sant'Anna event study (see the module docstring)."""
    cells, psi, cl = att_gt(df, unit, time, y, cohort, cluster, control)
    rows, psis = [], []
    for label, e, pick in _bins(leads, lags):
        sel = cells["e"].map(pick).to_numpy(bool)
        if not sel.any():
            continue
        w = cells.loc[sel, "n_treated"].to_numpy(float)
        w = w / w.sum()
        rows.append({"label": label, "e": e, "coef": float(cells.loc[sel, "att"].to_numpy() @ w),
                     "n_cohorts": int(cells.loc[sel, "g"].nunique())})
        psis.append(psi[:, sel] @ w)
    # the post average: mean over e = 0..lags of the event-time effects
    post_idx = [k for k, r in enumerate(rows) if 0 <= r["e"] <= lags and not r["label"].startswith("≥")]
    Psi = np.column_stack(psis)
    S = _cluster_sums(Psi, cl)
    G = S.shape[0]
    if G < 2:
        raise ValueError("need at least two clusters")
    V = S.T @ S * G / (G - 1)
    se = np.sqrt(np.diag(V))
    crit = stats.t.ppf(0.5 + level / 2, G - 1)
    tab = pd.DataFrame(rows)
    tab["se"] = se
    tab["ci_low"] = tab["coef"] - crit * se
    tab["ci_high"] = tab["coef"] + crit * se
    with np.errstate(divide="ignore", invalid="ignore"):
        tstat = np.where(se > 0, tab["coef"] / se, np.nan)
    tab["p"] = 2 * stats.t.sf(np.abs(tstat), G - 1)
    # multiplier bootstrap of the clustered influence functions: sup-t band
    rng = np.random.default_rng(seed)
    v = rng.choice([-1.0, 1.0], size=(B, G))
    draws = v @ S * np.sqrt(G / (G - 1))
    ok = se > 0
    sup = np.max(np.abs(draws[:, ok] / se[ok]), axis=1) if ok.any() else np.zeros(B)
    q = float(np.quantile(sup, level))
    tab["band_low"] = tab["coef"] - q * se
    tab["band_high"] = tab["coef"] + q * se
    # joint test of the leads (e <= -2, including the binned end)
    lead_idx = [k for k, r in enumerate(rows) if r["e"] <= -2]
    pre = {"stat": np.nan, "df1": 0, "df2": G - 1, "p": np.nan, "leads": [rows[k]["label"] for k in lead_idx]}
    if lead_idx:
        b = tab["coef"].to_numpy()[lead_idx]
        Vl = V[np.ix_(lead_idx, lead_idx)]
        k = int(np.linalg.matrix_rank(Vl))
        if k > 0:
            W = float(b @ np.linalg.pinv(Vl) @ b)
            F = W / k
            pre = {"stat": F, "df1": k, "df2": G - 1, "p": float(stats.f.sf(F, k, G - 1)),
                   "leads": pre["leads"]}
    a = np.zeros(len(rows))
    a[post_idx] = 1 / len(post_idx)
    pa_coef = float(a @ tab["coef"].to_numpy())
    pa_se = float(np.sqrt(a @ V @ a))
    pa_p = float(2 * stats.t.sf(abs(pa_coef / pa_se), G - 1)) if pa_se > 0 else np.nan
    post = {"coef": pa_coef, "se": pa_se, "ci_low": pa_coef - crit * pa_se,
            "ci_high": pa_coef + crit * pa_se, "p": pa_p}
    Yunits = df.drop_duplicates(unit)
    coh = Yunits[cohort].dropna().astype(int).value_counts().sort_index()
    treated_clusters = Yunits.loc[Yunits[cohort].notna(), cluster].nunique()
    spec = {"estimator": "Callaway-Sant'Anna, universal base g-1", "control": control,
            "se": f"clustered by {cluster} (influence function, G/(G-1)), t({G - 1})",
            "band": f"sup-t multiplier bootstrap, Rademacher, B={B}, seed={seed}",
            "weights": "cohort size (units)", "leads": leads, "lags": lags}
    return EventStudy(table=tab, pre_test=pre, post_average=post, n_units=len(Yunits),
                      n_clusters=G, n_treated_clusters=int(treated_clusters),
                      cohorts={int(k): int(v) for k, v in coh.items()}, spec=spec, cells=cells)


# ----------------------------------------------------------------------------------------
# the TWFE comparison


def event_time_dummies(df: pd.DataFrame, time: str = "year", cohort: str = "cohort",
                       leads: int = LEADS, lags: int = LAGS) -> tuple[pd.DataFrame, list[str]]:
    """Binned event-time dummies (reference e = -1; never-treated all zero)."""
    d = df.copy()
    e = d[time] - d[cohort]
    names = []
    for label, k, pick in _bins(leads, lags):
        name = "ev_m" + str(abs(k)) if k < 0 else "ev_p" + str(k)
        d[name] = e.map(lambda v: float(pick(v)) if pd.notna(v) else 0.0).astype(float)
        names.append(name)
    return d, names


def event_study_twfe(df: pd.DataFrame, unit: str = "region", time: str = "year", y: str = "y",
                     cohort: str = "cohort", cluster: str = "iso3", leads: int = LEADS,
                     lags: int = LAGS) -> pd.DataFrame:
    """Conventional TWFE event study (unit and year effects, CR1 by cluster): label, e, coef,
    se, ci_low, ci_high, p. Biased under staggered adoption with heterogeneous effects."""
    from . import estimation as est

    d, names = event_time_dummies(df, time, cohort, leads, lags)
    names = [n for n in names if d[n].abs().sum() > 0]
    fit = est.fit_fe(d, y, names, fe=(unit, time), cluster=cluster)
    tab = fit.table().rename(columns={"term": "name"})
    labels = {("ev_m" + str(abs(k)) if k < 0 else "ev_p" + str(k)): (lab, k) for lab, k, _ in _bins(leads, lags)}
    tab["label"] = tab["name"].map(lambda n: labels[n][0])
    tab["e"] = tab["name"].map(lambda n: labels[n][1])
    return tab[["label", "e", "coef", "se", "ci_low", "ci_high", "p"]]


def event_study_did2s(df: pd.DataFrame, unit: str = "region", time: str = "year", y: str = "y",
                      cohort: str = "cohort", cluster: str = "iso3", lags: int = LAGS,
                      level: float = 0.95) -> pd.DataFrame:
    """Gardner's two-stage estimator (pyfixest ``did2s``), post-reform event times only:
    unit and year effects fitted on untreated observations (never-treated, not-yet-treated
    and treated units' pre-reform years), then the residualised outcome regressed on
    event-time dummies e = 0..lags and e > lags (binned); GMM-corrected SEs clustered by
    ``cluster``. Columns: label, e, coef, se, ci_low, ci_high, p (normal reference, as
    pyfixest reports). Uses every pre-reform year to fit the unit effects, where
    ``event_study`` uses only the year before: with pre-trends the two differ."""
    import warnings

    import pyfixest as pf

    d, names = event_time_dummies(df, time, cohort, leads=LEADS, lags=lags)
    post = [n for n in names if n.startswith("ev_p") and d[n].abs().sum() > 0]
    d["_treat"] = ((d[time] >= d[cohort]) & d[cohort].notna()).astype(int)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="pyfixest")
        warnings.filterwarnings("ignore", category=FutureWarning, module="pyfixest")
        fit = pf.did2s(d, yname=y, first_stage=f"~ 0 | {unit} + {time}",
                       second_stage="~ 0 + " + " + ".join(post), treatment="_treat", cluster=cluster)
    t = fit.tidy()
    crit = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for n in post:
        k = int(n[4:])
        b, se = float(t.loc[n, "Estimate"]), float(t.loc[n, "Std. Error"])
        rows.append({"label": f"≥{k}" if k == lags + 1 else str(k), "e": k, "coef": b, "se": se,
                     "ci_low": b - crit * se, "ci_high": b + crit * se,
                     "p": float(2 * stats.norm.sf(abs(b / se))) if se > 0 else np.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------
# the real data


def rai_events(measure: str = "fiscal_autonomy", threshold: float | None = None) -> pd.DataFrame:
    """Material reform events of the countries in the TL2 outcome panel."""
    from . import panels, tables

    regions, _ = panels.regions_table("outlook")
    return reform_events(tables.rai_country(), measure, threshold,
                         countries=regions["iso3"].unique())


def tl2_event_panel(measure: str = "fiscal_autonomy", threshold: float | None = None,
                    outcome: str = "log", lagging: bool = False, drop=()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(panel, status): TL2 regions 2000–2020 of never-treated and treated countries with
    y = log GDP per head (``outcome="log"``) or log of the region's GDP per head relative to
    its country's population-weighted figure (``outcome="relative"``: a rise is catching
    up), and cohort. ``lagging=True`` keeps regions below their country's figure in 2000;
    ``drop`` removes countries (e.g. a robustness check)."""
    from . import panels

    regions, _ = panels.regions_table("outlook")
    regions = regions.loc[regions["year"].between(*OUTCOME_YEARS) & ~regions["iso3"].isin(set(drop))].copy()
    ev = rai_events(measure, threshold)
    status = treatment_status(ev, regions["iso3"].unique())
    keep = status.loc[status["status"].isin(["treated", "never"])]
    d = regions.merge(keep[["iso3", "cohort"]], on="iso3", how="inner")
    v = "gdp_per_head_usd_ppp2015"
    gdp = d[v] * d["population"]
    nat = gdp.groupby([d["iso3"], d["year"]]).transform("sum") / d.groupby(["iso3", "year"])["population"].transform("sum")
    rel = np.log(d[v] / nat)
    if outcome == "log":
        d["y"] = np.log(d[v])
    elif outcome == "relative":
        d["y"] = rel
    else:
        raise ValueError("outcome is 'log' or 'relative'")
    if lagging:
        below = set(d.loc[(d["year"] == OUTCOME_YEARS[0]) & (rel < 0), "region"])
        d = d.loc[d["region"].isin(below)]
    return d.reset_index(drop=True), status


# ----------------------------------------------------------------------------------------
# inference with few treated countries: placebo reassignment of the reform years


def _coefs(df, unit, time, y, cohort, cluster, control, leads, lags) -> pd.Series:
    cells, _, _ = att_gt(df, unit, time, y, cohort, cluster, control)
    out = {}
    for label, e, pick in _bins(leads, lags):
        sel = cells["e"].map(pick).to_numpy(bool)
        if sel.any():
            w = cells.loc[sel, "n_treated"].to_numpy(float)
            out[e] = float(cells.loc[sel, "att"].to_numpy() @ (w / w.sum()))
    post = [out[e] for e in range(0, lags + 1) if e in out]
    out["post"] = float(np.mean(post)) if post else np.nan
    return pd.Series(out)


def placebo_inference(df: pd.DataFrame, unit: str = "region", time: str = "year", y: str = "y",
                      cohort: str = "cohort", cluster: str = "iso3", control: str = "never",
                      leads: int = LEADS, lags: int = LAGS, draws: int = 499, seed: int = SEED,
                      level: float = 0.95) -> pd.DataFrame:
    """Randomisation inference for few treated clusters (in the spirit of Conley & Taber 2011).

    Each draw drops the treated countries, gives their reform years to as many randomly
    chosen never-treated countries (cohorts shuffled too) and re-estimates. Under the null of
    no effect (and exchangeable countries) the actual estimate is one draw from this
    distribution. Returns per event time (and ``post``, the mean of e = 0..lags): coef,
    p_perm = (1 + #{|placebo| >= |actual|}) / (1 + draws), and a placebo interval
    coef - [upper, lower] quantiles of the placebo estimates (the interval assumes the
    placebo spread is the estimator's sampling error, i.e. homogeneous countries).
    """
    actual = _coefs(df, unit, time, y, cohort, cluster, control, leads, lags)
    countries = df.drop_duplicates(cluster)[[cluster, cohort]]
    treated = countries.loc[countries[cohort].notna()]
    never = countries.loc[countries[cohort].isna(), cluster].to_numpy()
    k = len(treated)
    if len(never) <= k:
        raise ValueError("too few never-treated countries to reassign the reforms to")
    base = df.loc[df[cohort].isna()].copy()
    rng = np.random.default_rng(seed)
    sims = []
    cohorts = treated[cohort].to_numpy(float)
    for _ in range(draws):
        pick = rng.choice(never, size=k, replace=False)
        assign = dict(zip(pick, rng.permutation(cohorts)))
        d = base.copy()
        d[cohort] = d[cluster].map(assign).astype(float)
        try:
            sims.append(_coefs(d, unit, time, y, cohort, cluster, control, leads, lags))
        except ValueError:
            continue
    S = pd.DataFrame(sims)
    a = (1 - level) / 2
    rows = []
    for key, b in actual.items():
        s = S[key].dropna().to_numpy() if key in S else np.array([])
        if len(s) == 0:
            continue
        p = (1 + np.sum(np.abs(s) >= abs(b) - 1e-12)) / (1 + len(s))
        rows.append({"e": key, "coef": b, "p_perm": float(p),
                     "perm_low": float(b - np.quantile(s, 1 - a)),
                     "perm_high": float(b - np.quantile(s, a)), "draws": len(s)})
    return pd.DataFrame(rows)
