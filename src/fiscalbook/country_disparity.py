"""H4 — Countries: does fiscal autonomy go with narrower regional gaps?

    from fiscalbook import country_disparity as cd
    res = cd.estimates(source="outlook", index="cv", weighting="population")
    cd.headline()

The design of the replication chapter (Kessler, Hansen & Lessmann's panel: regional
inequality on a decentralisation measure, pooled and with country and period effects)
applied to OECD TL2 data: for each country and year, a disparity index of TL2 GDP per
head (`disparity.panel`, both weightings) regressed on each autonomy measure,

    pooled:   D_ct = a + b · autonomy_ct(-L) + year FE              (between and within)
    FE:       D_ct = b · autonomy_ct(-L) + country FE + year FE      (within country)

with CR1 standard errors clustered by country and a restricted wild cluster bootstrap for
every main coefficient (B = BOOT_B, seed = SEED). Disparity indices are in their own units
(CV, Theil: 0 = equal). The UK counterfactual is b × (OECD median − UK value), in index
units and as a percentage of the UK's own latest index value.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from . import panels, regions
from .estimation import EstimationError, fit_fe

from .study import SEED  # the study's one seed (fiscalbook.study)
BOOT_B = regions.BOOT_B
MEASURES = panels.MAIN_MEASURES
DESIGNS = {"pooled": ("year",), "fe": ("iso3", "year")}
DESIGN_LABELS = {"pooled": "Pooled (year FE)", "fe": "Country and year FE"}


@cache
def _panel(source: str, sample: str) -> pd.DataFrame:
    return panels.disparity_panel(source=source, lags=(1, 3), sample=sample)


def panel(source: str = "outlook", sample: str = "all", index: str | None = None,
          weighting: str | None = None) -> pd.DataFrame:
    """Country-year disparity panel, optionally one index and weighting."""
    d = _panel(source, sample)
    if index is not None:
        d = d.loc[d["index"] == index]
    if weighting is not None:
        d = d.loc[d["weighting"] == weighting]
    return d.copy()


def fit(d: pd.DataFrame, measure: str, design: str = "fe", lag: int = 0,
        bootstrap: bool = True, B: int = BOOT_B, seed: int = SEED,
        outcome: str = "value") -> dict:
    """One country-year model on a one-index, one-weighting panel."""
    if d.duplicated(["iso3", "year"]).any():
        raise ValueError("pass a panel with one index and one weighting")
    x = regions.regressor(measure, lag)
    dd = d.dropna(subset=[x, outcome])
    fe = DESIGNS[design]
    res = fit_fe(dd, outcome, [x], fe=fe, cluster="iso3")
    boot = None
    if bootstrap:
        boot = regions.boot_estimate(dd, outcome, [x], x, fe=fe, B=B, seed=seed)
    return dict(fit=res, est=res.estimate(x), boot=boot, measure=measure, design=design,
                lag=lag, n_countries=int(dd["iso3"].nunique()), n_changing=regions.n_changing(dd, x),
                years=(int(dd["year"].min()), int(dd["year"].max())),
                mean_outcome=float(dd[outcome].mean()), data=dd)


def estimates(source: str = "outlook", index: str = "cv", weighting: str = "population",
              sample: str = "all", measures: Sequence[str] = MEASURES,
              designs: Sequence[str] = ("pooled", "fe"), lags: Sequence[int] = (0,),
              bootstrap: bool = True, B: int = BOOT_B) -> dict:
    """{(measure, design, lag): fit dict}; unestimable models listed under "skipped"."""
    d = panel(source, sample, index, weighting)
    out, skipped = {}, []
    for m in measures:
        for des in designs:
            for L in lags:
                try:
                    out[(m, des, L)] = fit(d, m, des, L, bootstrap=bootstrap, B=B)
                except (EstimationError, KeyError) as e:
                    skipped.append((m, des, L, str(e)))
    out["skipped"] = skipped
    return out


def summary(results: dict) -> pd.DataFrame:
    rows = []
    for key, r in results.items():
        if key == "skipped":
            continue
        e, b = r["est"], r["boot"]
        rows.append(dict(measure=r["measure"], label=regions.label(r["measure"]),
                         design=r["design"], lag=r["lag"], coef=e.coef, se=e.se,
                         ci_low=e.ci_low, ci_high=e.ci_high, p=e.p,
                         boot_p=b.p if b else np.nan, boot_ci_low=b.ci_low if b else np.nan,
                         boot_ci_high=b.ci_high if b else np.nan, n_obs=e.n_obs,
                         n_countries=r["n_countries"], first_year=r["years"][0],
                         last_year=r["years"][1], mean_outcome=r["mean_outcome"]))
    return pd.DataFrame(rows)


def uk_latest(source: str = "outlook", index: str = "cv", weighting: str = "population") -> dict:
    """The UK's index value in the latest year of the panel."""
    d = panel(source, "all", index, weighting)
    uk = d.loc[d["iso3"] == "GBR"].sort_values("year")
    if uk.empty:
        raise ValueError("no UK rows in the disparity panel")
    last = uk.iloc[-1]
    return dict(year=int(last["year"]), value=float(last["value"]))


def uk_effect(est, gap: dict, uk_value: float) -> dict:
    """Predicted change in the UK's index (index units and % of its latest value) if its
    measure moved to the OECD median, with the estimate's interval."""
    s = regions.scaled(est, gap["delta"])
    return dict(change=s.coef, change_low=s.ci_low, change_high=s.ci_high,
                pct=100 * s.coef / uk_value, pct_low=100 * s.ci_low / uk_value,
                pct_high=100 * s.ci_high / uk_value)


@cache
def _headline() -> dict:
    out = {}
    uk = uk_latest("outlook", "cv", "population")
    out["uk_cv_year"], out["uk_cv"] = uk["year"], uk["value"]
    res = estimates("outlook", "cv", "population",
                    measures=("rai_fiscal_autonomy", "imf_tax_share"), designs=("fe",))
    for m in ("rai_fiscal_autonomy", "imf_tax_share"):
        r = res.get((m, "fe", 0))
        if r is None:
            continue
        e, b = r["est"], r["boot"]
        eff = uk_effect(b, regions.uk_gap(m), uk["value"])
        out.update(regions.estimate_fields(m, e, b, r["n_countries"]))
        out.update({f"{m}_uk_change": eff["change"], f"{m}_uk_change_low": eff["change_low"],
                    f"{m}_uk_change_high": eff["change_high"], f"{m}_uk_pct": eff["pct"]})
    return out


def headline() -> dict:
    """The H4 numbers for the verdict chapter: population-weighted CV of TL2 GDP per head
    (Outlook panel) on RAI fiscal autonomy and the IMF tax share with country and year FE:
    coefficient, CR1 CI and p, wild bootstrap p and CI, countries, and the predicted change
    in the UK's CV (index units and % of its latest value) at the OECD median."""
    return dict(_headline())


# ----------------------------------------------------------------------------------------
# everything the chapter shows, computed once

SHORT = regions.SHORT
# (key, label, source, index, weighting, sample, design, lag)
SPECS: tuple[tuple, ...] = (
    ("pooled", "Pooled, CV (population-weighted)", "outlook", "cv", "population", "all", "pooled", 0),
    ("fe", "Country+year FE, CV (population-weighted)", "outlook", "cv", "population", "all", "fe", 0),
    ("fe_cvu", "Country+year FE, CV (unweighted)", "outlook", "cv", "unweighted", "all", "fe", 0),
    ("fe_theilp", "Country+year FE, Theil (population-weighted)", "outlook", "theil", "population", "all", "fe", 0),
    ("fe_theilu", "Country+year FE, Theil (unweighted)", "outlook", "theil", "unweighted", "all", "fe", 0),
    ("fe_lag3", "Country+year FE, CV, 3-year lag", "outlook", "cv", "population", "all", "fe", 3),
    ("fe_nocap", "Country+year FE, CV, no capital regions", "outlook", "cv", "population", "no_capital", "fe", 0),
    ("fe_stat", "Country+year FE, CV, OECD.Stat panel", "oecd_stat", "cv", "population", "all", "fe", 0),
)


@cache
def _report(B: int = BOOT_B) -> dict:
    out = {}
    for key, _lab, source, index, wt, sample, design, lag in SPECS:
        d = panel(source, sample, index, wt)
        for m in MEASURES:
            try:
                out[(key, m)] = fit(d, m, design, lag, B=B)
            except (EstimationError, KeyError):
                continue
    return out


def report(B: int = BOOT_B) -> dict:
    """{(spec key, measure): fit dict} for every specification in SPECS."""
    return _report(B)


def coef_frame(rep: dict) -> pd.DataFrame:
    """Estimates per standard deviation of the measure, as % of the mean index value of the
    estimation sample (so CV and Theil, weighted or not, share one scale)."""
    from . import coefplot

    frames = []
    for m in MEASURES:
        ests = {}
        for key, lab, *_ in SPECS:
            r = rep.get((key, m))
            if r is None:
                continue
            sd = float(r["data"].groupby("iso3")[regions.regressor(m, r["lag"])].std().mean()
                       if r["design"] == "fe" else r["data"][regions.regressor(m, r["lag"])].std())
            f = 100 * sd / r["mean_outcome"]
            ests[lab] = [regions.scaled(r["est"], f, term=regions.label(m)),
                         regions.scaled(r["boot"], f, term=regions.label(m))]
        if ests:
            frames.append(coefplot.estimates_frame(ests))
    return pd.concat(frames, ignore_index=True)


def uk_table(rep: dict) -> pd.DataFrame:
    uk = uk_latest("outlook", "cv", "population")
    rows = []
    for m in MEASURES:
        r = rep.get(("fe", m))
        if r is None:
            continue
        try:
            g = regions.uk_gap(m)
        except ValueError:
            continue
        eff = uk_effect(r["boot"], g, uk["value"])
        rows.append(dict(measure=m, label=regions.label(m), year=g["year"], uk=g["uk"],
                         median=g["median"], change=eff["change"], low=eff["change_low"],
                         high=eff["change_high"], pct=eff["pct"], pct_low=eff["pct_low"],
                         pct_high=eff["pct_high"]))
    return pd.DataFrame(rows)


def glue_values(rep: dict) -> dict:
    """Flat {key: number} (without the chapter prefix): <short>_<spec>_<stat>, the UK
    counterfactual per measure, counts across measures."""
    out = {}
    uk = uk_latest("outlook", "cv", "population")
    out["uk_cv"], out["uk_cv_year"] = uk["value"], uk["year"]
    n_neg = n_sig = n = 0
    for m, s in SHORT.items():
        for key, *_ in SPECS:
            r = rep.get((key, m))
            if r is None:
                continue
            out.update(regions._est_values(f"{s}_{key}", r))
            out[f"{s}_{key}_mean"] = r["mean_outcome"]
        r = rep.get(("fe", m))
        if r is None:
            continue
        n += 1
        n_neg += regions.DIRECTION[m] * r["est"].coef < 0  # more autonomy, lower disparity
        n_sig += r["boot"].p < 0.05
        out[f"{s}_fe_first_year"], out[f"{s}_fe_last_year"] = r["years"]
        try:
            g = regions.uk_gap(m)
        except ValueError:
            continue
        eff = uk_effect(r["boot"], g, uk["value"])
        out.update({f"{s}_uk": g["uk"], f"{s}_median": g["median"], f"{s}_uk_year": g["year"],
                    f"{s}_uk_change": eff["change"], f"{s}_uk_change_low": eff["change_low"],
                    f"{s}_uk_change_high": eff["change_high"], f"{s}_uk_pct": eff["pct"],
                    f"{s}_uk_pct_low": eff["pct_low"], f"{s}_uk_pct_high": eff["pct_high"]})
    n_pooled_neg = sum(regions.DIRECTION[m] * rep[("pooled", m)]["est"].coef < 0
                       for m in MEASURES if ("pooled", m) in rep)
    out.update(n_fe=n, n_fe_negative=n_neg, n_fe_sig_boot=n_sig, n_pooled_negative=n_pooled_neg)
    return out
