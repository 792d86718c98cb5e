"""Replication: regional inequality and decentralisation in 17 OECD countries, 1982–1999.

The Kessler–Hansen–Lessmann panel (pder::RegIneq; ``tables.regineq_panel()``) has one row
per country and three-year period: the coefficient of variation of regional GDP per head
(``regineq``), the sub-national share of general-government spending (``dec``), two
transfer measures and controls. This module fits the book's standard two-way fixed-effects
model to it,

    regineq_ct = beta * dec_ct [+ gamma * transfers_ct + controls_ct] + country_c + period_t + e_ct

with CR1 standard errors clustered by country (17 clusters, t(16)) and a restricted wild
cluster bootstrap (Rademacher weights, all 2^17 = 131,072 sign vectors enumerated) for the p-values and
test-inversion intervals of ``dec`` and the transfer variable. It is a *static* FE model:
a check of the direction and strength of the association the published studies report, not
a re-run of their estimators.

``results()`` fits everything once (memoised); ``headline()`` returns the numbers the
chapter and the verdict use, as a flat dict of plain floats and ints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import numpy as np
import pandas as pd

from . import estimation as est
from .memo import disk_memo

from .study import SEED  # the study's one seed (fiscalbook.study)
# 17 clusters: all 2**17 Rademacher sign vectors are enumerated, so the bootstrap p-values
# and intervals are exact for this bootstrap (no simulation error, no dependence on SEED).
B = 2 ** 17
OUTCOME = "regineq"
FE = ("iso3", "period")
CLUSTER = "iso3"
TRANSFER = "transrev"  # grants received from other levels, share of total government revenue
TRANSFER_ALT = "transaut"  # sub-national non-autonomous revenue, share of total revenue
CONTROLS = ("gdppc", "log_pop", "popgini", "urban", "social", "unempl")

LABELS = {
    "dec": "Sub-national spending share (dec)",
    "transrev": "Grants received, share of revenue (transrev)",
    "transaut": "Sub-national non-autonomous revenue share (transaut)",
    "gdppc": "GDP per head (real)",
    "log_pop": "Log population",
    "popgini": "Gini of regional population sizes",
    "urban": "Urban population share",
    "social": "Social spending, % of GDP",
    "unempl": "Unemployment rate, %",
}
FE_LABELS = {"iso3": "Country", "period": "Period"}

# the specifications of the chapter's table: label -> regressors
SPECS = {
    "(1)": ("dec",),
    "(2)": ("dec", TRANSFER),
    "(3)": ("dec", TRANSFER, *CONTROLS),
    "(4)": ("dec", TRANSFER_ALT, *CONTROLS),
}
SPEC_NAMES = {
    "(1)": "Spending share only",
    "(2)": "+ grants (transrev)",
    "(3)": "+ grants + controls",
    "(4)": "+ non-autonomous revenue + controls",
}
REQUIRED = ("iso3", "period", "regineq", "dec", "transrev", "transaut", "gdppc", "pop",
            "popgini", "urban", "social", "unempl")


def _load() -> pd.DataFrame:
    from . import tables

    return tables.regineq_panel()


def panel() -> pd.DataFrame:
    """The RegIneq panel with ``log_pop`` added and ``period`` as a sortable string."""
    df = _load()
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise est.EstimationError(f"regineq_panel() lacks column(s) {missing}")
    df = df.copy()
    df["period"] = df["period"].astype(str)
    df["iso3"] = df["iso3"].astype(str)
    df["log_pop"] = np.log(df["pop"].astype(float))
    return df.sort_values(["iso3", "period"]).reset_index(drop=True)


@dataclass
class Results:
    panel: pd.DataFrame
    fits: dict  # spec label -> FitResult
    boot: dict  # spec label -> {term: Estimate (wild bootstrap)}
    between: est.FitResult  # period FE only: the cross-country association
    loo: pd.DataFrame  # leave-one-country-out estimates of dec in spec (2)
    sample: pd.DataFrame = field(repr=False)  # rows used in spec (1), with flags


def _fit(df, regressors):
    return est.fit_fe(df, OUTCOME, list(regressors), fe=FE, cluster=CLUSTER, dropna=True)


def _boot(df, regressors, term, seed=SEED, b=B):
    return est.wild_cluster_bootstrap(df, OUTCOME, list(regressors), term, fe=FE, cluster=CLUSTER,
                                      B=b, seed=seed, weights_type="rademacher", dropna=True)


def leave_one_out(df: pd.DataFrame, regressors=SPECS["(2)"], term: str = "dec") -> pd.DataFrame:
    """Re-fit without each country in turn: iso3 dropped, coef, se, p (CR1), n_obs."""
    rows = []
    for c in sorted(df["iso3"].unique()):
        e = _fit(df[df["iso3"] != c], regressors).estimate(term)
        rows.append(dict(dropped=c, coef=e.coef, se=e.se, ci_low=e.ci_low, ci_high=e.ci_high,
                         p=e.p, n_obs=e.n_obs))
    return pd.DataFrame(rows)


@cache
def results() -> Results:
    df = panel()
    fits, boot = {}, {}
    for label, regs in SPECS.items():
        fits[label] = _fit(df, regs)
        boot[label] = {t: _boot(df, regs, t) for t in regs[:2]}
    between = est.fit_fe(df, OUTCOME, ["dec"], fe=("period",), cluster=CLUSTER, dropna=True)
    loo = leave_one_out(df)
    used = fits["(1)"].data
    return Results(panel=df, fits=fits, boot=boot, between=between, loo=loo, sample=used)


def within_sd(df: pd.DataFrame, column: str) -> float:
    """SD of a column after removing country and period means (its identifying variation)."""
    d = df.dropna(subset=[column, OUTCOME, "dec"])
    groups = [pd.factorize(d[f], sort=True)[0] for f in FE]
    return float(np.std(est.demean(d[column].to_numpy(float), groups), ddof=1))


def country_means(df: pd.DataFrame | None = None) -> pd.DataFrame:
    """Country averages over 1982–1999 of dec, regineq and transrev (for the chart)."""
    df = panel() if df is None else df
    out = (df.groupby("iso3")[["dec", "regineq", TRANSFER]].mean()
           .reset_index().sort_values("dec").reset_index(drop=True))
    out["group"] = np.where(out["iso3"] == "GBR", "United Kingdom", "Other")
    return out


def coefficient_frame(res: Results | None = None, term: str = "dec") -> pd.DataFrame:
    """Estimates of ``term`` across specifications, CR1 and wild bootstrap, for coefplot."""
    from . import coefplot

    res = res or results()
    ests = {}
    for label, fit in res.fits.items():
        if term not in fit.coef.index:
            continue
        items = [fit.estimate(term)]
        if term in res.boot[label]:
            items.append(res.boot[label][term])
        ests[f"{label} {SPEC_NAMES[label]}"] = items
    return coefplot.estimates_frame(ests)


def table(res: Results | None = None, stat: str = "se"):
    """The chapter's regression table (great-tables)."""
    from . import regtable

    res = res or results()
    cols = []
    for label, fit in res.fits.items():
        controls = "Yes" if set(CONTROLS) <= set(fit.regressors) else "No"
        cols.append(regtable.column(fit, label, bootstrap=list(res.boot[label].values()),
                                    extra={"Controls": controls}))
    terms = {t: LABELS[t] for t in ("dec", TRANSFER, TRANSFER_ALT)}
    controls_note = ("Controls (coefficients not shown): " + "; ".join(LABELS[c] for c in CONTROLS)
                     + ".")
    return regtable.regression_table(
        cols, terms=terms, fe_labels=FE_LABELS, stat=stat,
        title="Regional inequality on the sub-national spending share, 17 OECD countries, 1982–1999",
        subtitle="Outcome: coefficient of variation of regional GDP per head (regineq)",
        notes=[f"Wild bootstrap: Rademacher weights, all {B:,} sign vectors of the 17 clusters "
               "enumerated (exact; no simulation error).", controls_note,
               "Data: Kessler, Hansen & Lessmann (2011), as distributed in the R package pder."],
        table_id="rep-main-table")


def headline(res: Results | None = None) -> dict:
    """Plain numbers for the chapter and the verdict (keys without the ``rep_`` prefix).
    Without `res`, memoised on disk so the verdict chapter reads what the replication
    chapter computed; with `res` (e.g. synthetic results in tests), computed from it."""
    return _numbers(res) if res is not None else dict(_headline())


@cache
@disk_memo
def _headline() -> dict:
    return _numbers(results())


def _numbers(res: Results) -> dict:
    df = res.panel
    out: dict = {}
    out["n_countries"] = int(df["iso3"].nunique())
    out["n_periods"] = int(df["period"].nunique())
    out["n_rows"] = int(len(df))
    for label, fit in res.fits.items():
        k = "m" + label.strip("()")
        out[f"{k}_n_obs"] = fit.n_obs
        out[f"{k}_n_clusters"] = fit.n_clusters
        for term, boot in res.boot[label].items():
            e = fit.estimate(term)
            out[f"{k}_{term}_coef"] = e.coef
            out[f"{k}_{term}_se"] = e.se
            out[f"{k}_{term}_ci_low"] = e.ci_low
            out[f"{k}_{term}_ci_high"] = e.ci_high
            out[f"{k}_{term}_p"] = e.p
            out[f"{k}_{term}_wcb_p"] = boot.p
            out[f"{k}_{term}_wcb_ci_low"] = boot.ci_low
            out[f"{k}_{term}_wcb_ci_high"] = boot.ci_high
        out[f"{k}_r2_within"] = fit.r2_within
    b = res.between.estimate("dec")
    out["between_dec_coef"], out["between_dec_se"], out["between_dec_p"] = b.coef, b.se, b.p
    loo = res.loo
    out["loo_dec_min"] = float(loo["coef"].min())
    out["loo_dec_max"] = float(loo["coef"].max())
    out["loo_dec_max_p"] = float(loo["p"].max())
    out["loo_n_negative"] = int((loo["coef"] < 0).sum())
    out["loo_n_sig05"] = int((loo["p"] < 0.05).sum())
    # scale: one within-country SD of dec, in units of the outcome and of its within SD
    sd_dec = within_sd(df, "dec")
    sd_y = within_sd(df, OUTCOME)
    out["dec_within_sd"] = sd_dec
    out["regineq_within_sd"] = sd_y
    out["regineq_mean"] = float(res.sample[OUTCOME].mean())
    out["dec_mean"] = float(res.sample["dec"].mean())
    out["m2_effect_1sd"] = out["m2_dec_coef"] * sd_dec
    out["m2_effect_1sd_share_of_sd"] = out["m2_effect_1sd"] / sd_y
    out["m2_effect_10pp"] = out["m2_dec_coef"] * 0.10
    out["m2_effect_10pp_pct_of_mean"] = 100 * out["m2_effect_10pp"] / out["regineq_mean"]
    out["scenario_pp"] = 10
    out["n_controls"] = len(CONTROLS)
    cm = country_means(df)
    uk = cm.loc[cm["iso3"] == "GBR"]
    if len(uk):
        out["uk_dec_mean"] = float(uk["dec"].iloc[0])
        out["uk_dec_rank_low"] = int(cm.index[cm["iso3"] == "GBR"][0] + 1)  # 1 = least decentralised
        out["uk_regineq_mean"] = float(uk["regineq"].iloc[0])
    out["B"] = B
    out["seed"] = SEED
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in out.items()}


def coefficient_chart(res: Results | None = None):
    """Estimates of ``dec`` across the four specifications: CR1 t intervals and wild
    bootstrap test-inversion intervals side by side."""
    from . import coefplot

    return coefplot.coef_chart(
        coefficient_frame(res),
        title="Sub-national spending share and regional inequality, 1982–1999",
        subtitle="Two-way fixed effects (country, period); 95% intervals",
        x_title="Change in the CV of regional GDP per head per unit of spending share",
        y_title="Specification",
        description=("Point estimates and 95% confidence intervals for the coefficient on the "
                     "sub-national spending share in four fixed-effects regressions of regional "
                     "inequality on the Kessler–Hansen–Lessmann panel of 17 OECD countries. For "
                     "each specification one interval uses country-clustered standard errors and "
                     "one the wild cluster bootstrap; a dashed line marks zero."))


def country_chart(df: pd.DataFrame | None = None):
    """Between-country view: each country's 1982–1999 average spending share against its
    average regional inequality, the UK highlighted."""
    import altair as alt

    from . import charts

    cm = country_means(df)
    names = {"GBR": "United Kingdom"}
    cm["label"] = cm["iso3"].map(names).fillna(cm["iso3"])
    colour = alt.Color("group:N", scale=charts.uk_colour_scale(), title=None)
    tooltip = [alt.Tooltip("iso3:N", title="Country"),
               alt.Tooltip("dec:Q", title="Spending share (mean)", format=".3f"),
               alt.Tooltip("regineq:Q", title="CV of regional GDP per head (mean)", format=".3f"),
               alt.Tooltip(f"{TRANSFER}:Q", title="Grants, share of revenue (mean)", format=".3f")]
    base = alt.Chart(cm).encode(
        x=alt.X("dec:Q", title="Sub-national share of government spending, 1982–1999 mean",
                scale=alt.Scale(zero=False)),
        y=alt.Y("regineq:Q", title="CV of regional GDP per head, 1982–1999 mean",
                scale=alt.Scale(zero=False)),
        tooltip=tooltip)
    points = base.mark_point(filled=True, size=80).encode(color=colour)
    labels = base.mark_text(align="left", dx=7, fontSize=11).encode(
        text="iso3:N", color=colour)
    return alt.layer(points, labels).properties(
        width=520, height=340,
        title=alt.Title("Spending share and regional inequality across countries",
                        subtitle="Country averages, 17 OECD countries, 1982–1999"),
        description=("Scatter of 17 countries: average sub-national share of government "
                     "spending (horizontal) against average coefficient of variation of regional "
                     "GDP per head (vertical), 1982–1999, from the Kessler–Hansen–Lessmann panel. "
                     "The United Kingdom is highlighted."))
