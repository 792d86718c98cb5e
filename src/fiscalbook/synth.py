"""Synthetic control for the Greater Manchester devolution deal, with in-space placebos.

**Method** (Abadie, Diamond & Hainmueller 2010). The synthetic unit is a convex combination
of donor units, w >= 0, sum(w) = 1, chosen to minimise the squared distance between the
treated unit's pre-treatment path of GDP per head and the donors' (every pre-treatment
year is a predictor, equally weighted, so no predictor-weight matrix V has to be chosen:
the "outcome-path" variant, which avoids the V-search instability of the original
nested optimisation). The quadratic programme is solved as penalised non-negative least squares (``fit_weights``;
SLSQP as the reference); the tests check it against a known convex combination.

**Inference** is the in-space placebo test: every donor in turn is treated as if it had
the deal, with the other donors (never the actually treated unit) as its pool. The
statistic is the ratio of post- to pre-treatment root mean squared prediction error
(RMSPE); the permutation p-value is the treated unit's rank among all J + 1 ratios
(rank 1 = largest, ties counted against the treated unit) divided by J + 1
(``permutation_p``). With J + 1 units the smallest attainable p-value is 1/(J+1).

**Data**: Regional Outlook 2023 TL3/metro units (``tables.tl3_metro()``), GDP per head at
constant 2015 PPP US dollars, 2000–2020. Manchester is ``UK008M`` (the Greater Manchester
functional urban area). Donor pool (``donor_pool``): metropolitan units (MR-L, MR-M) of
European OECD countries in the panel (``countries.EUROPE`` without Türkiye) other than capital metros, with at least 500,000
people and a 2000-to-pre-treatment mean GDP per head within ``LEVEL_BAND`` of the treated
unit's (so the synthetic unit is built from cities at a similar level, where a convex
combination can match it), without UK metros in areas that received a combined authority
or devolution deal in 2014–2017 (``UK_DEAL_UNITS``: they are treated themselves), and without
metros in Scotland and Wales (``DEVOLVED_UNITS``: their devolved governments gained tax powers
in 2016–2019, see ``data/reference/uk_devolution_events.csv``; an earlier version let Glasgow
and Cardiff carry over a third of synthetic Manchester's weight). The
``no_uk`` pool drops all UK donors (UK donors absorb UK-wide shocks such as the 2016
referendum, but their own city deals make them imperfect controls).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize

from .study import SEED  # the study's one seed (fiscalbook.study)
VALUE = "gdp_per_head_usd_ppp2015"
YEARS = (2000, 2020)
MANCHESTER = "UK008M"
LONDON = "UK001MC"
LEVEL_BAND = (0.8, 1.25)  # donor pre-period mean / treated pre-period mean
MIN_POPULATION = 500_000
METRO_CODES = ("MR-L", "MR-M")
PENALTY = 1e3  # weight of the adding-up row in the NNLS formulation (outcomes scaled to ~1)

# Greater Manchester: the combined authority existed from April 2011; the devolution
# agreement was signed in November 2014 (first post year 2014 here, as in the brief: the
# gap in 2014 is small either way); the first mayor took office in May 2017.
DEALS: dict[str, dict] = {
    "manchester_2014": {"unit": "UK008M", "name": "Greater Manchester", "year": 2014,
                        "what": "devolution agreement (November 2014)", "exploratory": False},
    "manchester_2017": {"unit": "UK008M", "name": "Greater Manchester", "year": 2017,
                        "what": "elected mayor of the combined authority (May 2017)", "exploratory": False},
    "liverpool_2014": {"unit": "UK006M", "name": "Liverpool City Region", "year": 2014,
                       "what": "combined authority (April 2014); mayor 2017", "exploratory": True},
    "west_midlands_2016": {"unit": "UK002M", "name": "West Midlands", "year": 2016,
                           "what": "combined authority (June 2016); mayor 2017", "exploratory": True},
}

# UK metro units inside English combined authorities created or given devolution deals in
# 2014–2017 (not donors: they are treated too). Codes checked against the panel's names.
UK_DEAL_UNITS: dict[str, str] = {
    "UK008M": "Manchester (Greater Manchester CA 2011, deal 2014, mayor 2017)",
    "UK006M": "Liverpool (Liverpool City Region CA 2014, mayor 2017)",
    "UK002M": "West Midlands urban area (West Midlands CA 2016, mayor 2017)",
    "UK025M": "Coventry (West Midlands CA 2016)",
    "UK003M": "Leeds (West Yorkshire CA 2014)",
    "UKE41": "Bradford (West Yorkshire CA 2014)",
    "UKE44": "Calderdale and Kirklees (West Yorkshire CA 2014)",
    "UKE31": "Barnsley, Doncaster and Rotherham (Sheffield City Region CA 2014)",
    "UKE32": "Sheffield (Sheffield City Region CA 2014)",
    "UK013M": "Newcastle upon Tyne (North East CA 2014)",
    "UKC23": "Sunderland (North East CA 2014)",
    "UK559M": "Middlesbrough (Tees Valley CA 2016, mayor 2017)",
    "UK011M": "Bristol (West of England CA 2017)",
    "UKH12": "Cambridgeshire CC (Cambridgeshire and Peterborough CA 2017)",
}

# UK metros under devolved administrations with their own tax powers in the window (Scottish
# rate of income tax 2016, rates and bands 2017; Welsh rates of income tax 2019): not donors.
DEVOLVED_UNITS: dict[str, str] = {
    "UK004M": "Glasgow (Scotland: income-tax powers 2016/2017)",
    "UK007M": "Edinburgh (Scotland: income-tax powers 2016/2017)",
    "UK009M": "Cardiff (Wales: Welsh rates of income tax 2019)",
}

# Türkiye is in countries.EUROPE but is a middle-income economy with its own currency
# crises (2018): Istanbul is not a comparable metro for an English city.
EXCLUDED_COUNTRIES = ("TUR",)
EUROPE_FALLBACK = ("AUT", "BEL", "CHE", "CZE", "DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR",
                   "GRC", "HUN", "IRL", "ITA", "LTU", "LUX", "LVA", "NLD", "NOR", "POL", "PRT",
                   "SVK", "SVN", "SWE")


def _europe() -> tuple[str, ...]:
    try:
        from .countries import EUROPE
        return tuple(EUROPE)
    except ImportError:  # pragma: no cover - until the countries module exists
        return EUROPE_FALLBACK


# ----------------------------------------------------------------------------------------
# the estimator


def fit_weights(y1: np.ndarray, Y0: np.ndarray, method: str = "nnls") -> np.ndarray:
    """argmin_w ||y1 - Y0 w||^2 subject to w >= 0, sum(w) = 1 (Y0: periods x donors).

    ``method="nnls"`` (default, fast): Lawson–Hanson non-negative least squares on the
    system augmented with the row ``PENALTY * (1'w - 1)``, which enforces the adding-up
    constraint to within about 1/PENALTY^2 (the weights are then renormalised);
    ``method="slsqp"``: the same problem as a constrained quadratic programme (reference,
    slower; the tests check the two agree).
    """
    y1 = np.asarray(y1, float)
    Y0 = np.asarray(Y0, float)
    if Y0.ndim != 2 or Y0.shape[0] != len(y1):
        raise ValueError("Y0 must be periods x donors, with as many periods as y1")
    J = Y0.shape[1]
    if J == 0:
        raise ValueError("no donors")
    if not (np.isfinite(y1).all() and np.isfinite(Y0).all()):
        raise ValueError("missing values in the pre-treatment paths")
    scale = np.abs(y1).mean() or 1.0
    a, A = y1 / scale, Y0 / scale
    if method == "nnls":
        Aa = np.vstack([A, np.full((1, J), PENALTY)])
        aa = np.append(a, PENALTY)
        w, _ = optimize.nnls(Aa, aa, maxiter=50 * J)
    elif method == "slsqp":
        H = A.T @ A
        f = A.T @ a
        res = optimize.minimize(lambda w: 0.5 * w @ H @ w - f @ w, np.full(J, 1.0 / J),
                                jac=lambda w: H @ w - f, method="SLSQP", bounds=[(0.0, 1.0)] * J,
                                constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1.0,
                                              "jac": lambda w: np.ones_like(w)}],
                                options={"ftol": 1e-14, "maxiter": 1000})
        w = res.x
    else:
        raise ValueError("method is 'nnls' or 'slsqp'")
    w = np.clip(w, 0, None)
    if w.sum() <= 0:
        raise ValueError("no feasible weights")
    return w / w.sum()


@dataclass
class SynthResult:
    treated: str
    year: int  # first treated year
    weights: pd.Series  # donor -> weight (sorted, descending)
    actual: pd.Series  # year -> outcome
    synthetic: pd.Series
    pre_rmspe: float
    post_rmspe: float

    @property
    def gap(self) -> pd.Series:
        return self.actual - self.synthetic

    @property
    def ratio(self) -> float:
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf

    def gap_pct(self) -> pd.Series:
        return 100 * self.gap / self.synthetic


def _rmspe(g: pd.Series) -> float:
    return float(np.sqrt(np.mean(np.square(g.to_numpy(float))))) if len(g) else np.nan


def synth(wide: pd.DataFrame, treated: str, year: int, donors=None) -> SynthResult:
    """Synthetic control of ``treated`` (a row of ``wide``: units x years) from ``donors``
    (default: every other row), first treated year ``year``."""
    if treated not in wide.index:
        raise KeyError(f"{treated} not in the panel")
    donors = [d for d in (wide.index if donors is None else donors) if d != treated]
    years = np.asarray(wide.columns, int)
    pre = years < year
    if pre.sum() < 2 or (~pre).sum() < 1:
        raise ValueError("need at least two pre-treatment years and one post-treatment year")
    y1 = wide.loc[treated].to_numpy(float)
    Y0 = wide.loc[donors].to_numpy(float).T
    w = fit_weights(y1[pre], Y0[pre])
    synth_path = pd.Series(Y0 @ w, index=years)
    actual = pd.Series(y1, index=years)
    gap = actual - synth_path
    return SynthResult(treated=treated, year=int(year),
                       weights=pd.Series(w, index=donors).sort_values(ascending=False),
                       actual=actual, synthetic=synth_path,
                       pre_rmspe=_rmspe(gap[years < year]), post_rmspe=_rmspe(gap[years >= year]))


def permutation_p(ratios: pd.Series, treated: str) -> float:
    """Rank of the treated unit's post/pre RMSPE ratio among all units (1 = largest, ties
    count against it), divided by the number of units (J + 1)."""
    if treated not in ratios.index:
        raise KeyError(f"{treated} has no ratio")
    r = ratios.astype(float)
    return float((r >= r[treated] - 1e-12).sum() / len(r))


@dataclass
class PlaceboResult:
    main: SynthResult
    placebos: dict  # unit -> SynthResult (excluding the treated)
    stats: pd.DataFrame  # unit, pre_rmspe, post_rmspe, ratio, treated, rank
    p_value: float
    spec: dict = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        return len(self.stats)


def placebo_test(wide: pd.DataFrame, treated: str, year: int, donors=None) -> PlaceboResult:
    """Synthetic control of the treated unit and of every donor (the others as its pool)."""
    donors = [d for d in (wide.index if donors is None else donors) if d != treated]
    main = synth(wide, treated, year, donors)
    placebos = {d: synth(wide, d, year, [o for o in donors if o != d]) for d in donors}
    rows = [{"unit": u, "pre_rmspe": r.pre_rmspe, "post_rmspe": r.post_rmspe, "ratio": r.ratio,
             "treated": u == treated} for u, r in [(treated, main), *placebos.items()]]
    st = pd.DataFrame(rows)
    st["rank"] = st["ratio"].rank(ascending=False, method="max").astype(int)
    p = permutation_p(st.set_index("unit")["ratio"], treated)
    return PlaceboResult(main=main, placebos=placebos, stats=st, p_value=p,
                         spec={"treated": treated, "year": int(year), "n_donors": len(donors)})


# ----------------------------------------------------------------------------------------
# the real data


def metro_panel() -> pd.DataFrame:
    """TL3/metro panel restricted to 2000–2020 with the columns used here."""
    from . import tables

    t = tables.tl3_metro()
    return t.loc[t["year"].between(*YEARS)].reset_index(drop=True)


def _capital_units(panel: pd.DataFrame) -> set[str]:
    caps = set(panel.loc[panel["region"].str.endswith("MC"), "region"])
    try:
        from .cities import capital_unit
        for iso in panel["iso3"].unique():
            try:
                caps.add(capital_unit(iso))
            except (KeyError, ValueError):
                pass
    except ImportError:  # pragma: no cover
        pass
    return caps


def donor_pool(panel: pd.DataFrame, treated: str, year: int, pool: str = "all",
               band=LEVEL_BAND, min_population: float = MIN_POPULATION) -> pd.DataFrame:
    """Candidate donors with the reason each passes: region, region_name, iso3, metro_code,
    pre_mean, relative_level, population (last pre-treatment year)."""
    if pool not in ("all", "no_uk"):
        raise ValueError("pool is 'all' or 'no_uk'")
    pre = panel.loc[panel["year"].between(YEARS[0], year - 1)]
    s = pre.groupby(["iso3", "region", "region_name", "metro_code"], as_index=False).agg(
        pre_mean=(VALUE, "mean"))
    popl = pre.loc[pre["year"] == year - 1].set_index("region")["population"]
    s["population"] = s["region"].map(popl)
    t_mean = s.loc[s["region"] == treated, "pre_mean"]
    if len(t_mean) != 1:
        raise KeyError(f"{treated} not in the panel")
    s["relative_level"] = s["pre_mean"] / float(t_mean.iloc[0])
    europe = set(_europe()) - set(EXCLUDED_COUNTRIES)
    caps = _capital_units(panel)
    keep = (s["metro_code"].isin(METRO_CODES) & s["iso3"].isin(europe)
            & ~s["region"].isin(caps) & ~s["region"].isin(UK_DEAL_UNITS) & ~s["region"].isin(DEVOLVED_UNITS)
            & (s["population"] >= min_population)
            & s["relative_level"].between(*band) & (s["region"] != treated))
    if pool == "no_uk":
        keep &= s["iso3"] != "GBR"
    return s.loc[keep].sort_values("relative_level").reset_index(drop=True)


def wide_panel(panel: pd.DataFrame, units) -> pd.DataFrame:
    w = panel.loc[panel["region"].isin(set(units))].pivot(index="region", columns="year", values=VALUE)
    if w.isna().any().any():
        raise ValueError("a unit lacks a year of GDP per head")
    return w


def run_deal(key: str = "manchester_2014", pool: str = "all", panel: pd.DataFrame | None = None
             ) -> tuple[PlaceboResult, pd.DataFrame]:
    """Synthetic control and placebo test for one deal; returns (result, donor table)."""
    deal = DEALS[key]
    panel = metro_panel() if panel is None else panel
    donors = donor_pool(panel, deal["unit"], deal["year"], pool)
    wide = wide_panel(panel, [deal["unit"], *donors["region"]])
    res = placebo_test(wide, deal["unit"], deal["year"], list(donors["region"]))
    res.spec.update({"deal": key, "pool": pool, **deal})
    return res, donors


def summary(res: PlaceboResult, horizon: int = 5) -> dict:
    """Numbers for the prose: pre-RMSPE (USD and % of the pre-period mean), average post gap
    (USD and %), gap at ``year + horizon`` (% of synthetic), p-value, J + 1."""
    m = res.main
    post = m.gap[m.gap.index >= m.year]
    pct = m.gap_pct()
    h = m.year + horizon
    pre_mean = m.actual[m.actual.index < m.year].mean()
    # post gap excluding 2020 (the pandemic year) as well
    post_pre_covid = pct[(pct.index >= m.year) & (pct.index <= 2019)]
    return {
        "pre_rmspe": m.pre_rmspe,
        "pre_rmspe_pct": 100 * m.pre_rmspe / pre_mean,
        "post_gap_mean": float(post.mean()),
        "post_gap_mean_pct": float(pct[pct.index >= m.year].mean()),
        "post_gap_pct_to_2019": float(post_pre_covid.mean()) if len(post_pre_covid) else np.nan,
        "gap_h_pct": float(pct.get(h, np.nan)),
        "h_year": int(h),
        "ratio": m.ratio,
        "p": res.p_value,
        "n_units": res.n_units,
        "top_donor_weight": float(m.weights.iloc[0]),
        "n_donors_used": int((m.weights > 0.01).sum()),
    }
