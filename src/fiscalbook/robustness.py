"""Robustness: the specification curve (the multiverse of `analyses.multiverse`, with joint
inference under the null), its summaries and charts, and the sensitivity checks (leave one
country out, the UK's own influence, imputed vs raw GDP, per head vs per worker).

The main specifications match the regression chapters' headline models:
    H3  TL2 log GDP per head on RAI fiscal autonomy, region and year FE, Regional Outlook
    H4  population-weighted CV of TL2 GDP per head on RAI fiscal autonomy, country and year FE
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from scipy import stats

from . import charts, panels, speccurve, study, tables
from .analyses import multiverse as mv
from .countries import name
from .memo import disk_memo
from .wildboot import cluster_ols, partial_out

MAIN_MEASURE = "rai_fiscal_autonomy"
DIMENSIONS = {"outcome": "Outcome", "measure": "Autonomy measure", "sample": "Sample",
              "fe": "Fixed effects", "lag": "Lag (years)", "source": "GDP data",
              "weights": "Weights", "tier": "Tier of government", "inference": "Inference"}
SOURCE_LABELS = {"outlook": "Regional Outlook (imputed)", "oecd_stat": "OECD.Stat (raw)",
                 "DF_GDP 2019": "DF_GDP 2019 cross-section", "DF_GDP 2020": "DF_GDP 2020 cross-section",
                 "per-worker halves": "Regional Outlook 2023, per worker by half"}
CHART_POINTS = 1000   # specifications drawn per curve (evenly spaced ranks): the page stays light
INFERENCE_LABELS = {"cluster": "Country-clustered t", "wild_bootstrap": "Wild cluster bootstrap"}


@disk_memo
def multiverse(draws: int = study.BOOT_DRAWS, seed: int = study.SEED) -> mv.Multiverse:
    """The multiverse with its joint null (memoised on disk: the verdict chapter reuses it)."""
    return mv.run(draws=draws, seed=seed)


def long_curve(m: mv.Multiverse) -> pd.DataFrame:
    """One row per specification and inference (country-clustered t; wild cluster bootstrap,
    its interval the estimate -+ the 95th percentile of |t*| under the null times the SE),
    standardised, with `supports` (the claim's sign) and `significant` (p < 0.05)."""
    c = m.curve
    ok = c[c["status"] == "ok"]
    crit_t = stats.t.ppf(0.975, ok["n_clusters"] - 1)
    out = [c[c["status"] != "ok"].assign(inference="none")]
    for inference, p, crit in (("cluster", ok["p_cluster"], crit_t), ("wild_bootstrap", ok["p_boot"], ok["crit_boot"])):
        lo = (ok["coef_raw"] - crit * ok["se_raw"]) * ok["scale"]
        hi = (ok["coef_raw"] + crit * ok["se_raw"]) * ok["scale"]
        out.append(ok.assign(inference=inference, p=p, ci_low=np.minimum(lo, hi), ci_high=np.maximum(lo, hi),
                             supports=np.sign(ok["estimate"]) == ok["direction"], significant=p < 0.05))
    res = pd.concat(out, ignore_index=True)
    res["seconds_total"] = m.seconds["total"]
    return res


def curve(draws: int = study.BOOT_DRAWS, seed: int = study.SEED) -> pd.DataFrame:
    """The specification curve in long form (see `long_curve`)."""
    return long_curve(multiverse(draws, seed))


def joint_summary(m: mv.Multiverse) -> dict:
    """Glue-ready joint-inference numbers per family: specifications, draws, observed and
    null-mean shares (%), median estimate, Stouffer's Z, each with its p under the null."""
    out = {"n_duplicates": int((m.curve["status"] == "duplicate").sum()),
           "n_total": int(len(m.curve)), "n_unique": int((m.curve["status"] == "ok").sum())}
    for fam, j in m.joint.items():
        k = fam[:4]
        out.update({f"{k}_n": j.n_specs, f"{k}_draws": j.n_draws,
                    f"{k}_for": 100 * j.observed["share_for"], f"{k}_against": 100 * j.observed["share_against"],
                    f"{k}_null_for": 100 * j.null_mean["share_for"],
                    f"{k}_null_against": 100 * j.null_mean["share_against"],
                    f"{k}_null_for_q95": 100 * float(np.quantile(j.null_share_for, 0.95)),
                    f"{k}_median": j.observed["median"], f"{k}_stouffer": j.observed["stouffer"],
                    f"{k}_p_for": j.p["share_for"], f"{k}_p_against": j.p["share_against"],
                    f"{k}_p_median": j.p["median"], f"{k}_p_stouffer": j.p["stouffer"]})
    return out


def null_chart(m: mv.Multiverse) -> alt.HConcatChart:
    """For each family: the distribution over null draws of the share of specifications
    significant toward and against the claim, with the observed shares as rules."""
    panels_ = []
    for fam, title in (("productivity", "Productivity"), ("disparity", "Disparity")):
        j = m.joint[fam]
        rows, obs = [], []
        for label, null, key in (("Toward the claim", j.null_share_for, "share_for"),
                                 ("Against the claim", j.null_share_against, "share_against")):
            counts = pd.Series(np.round(100 * null, 1)).value_counts().sort_index()
            rows.append(pd.DataFrame({"share": counts.index, "draws": counts.to_numpy(), "direction": label}))
            obs.append({"share": round(100 * j.observed[key], 2), "direction": label,
                        "p": round(j.p[key], 4)})
        d, o = pd.concat(rows, ignore_index=True), pd.DataFrame(obs)
        colour = alt.Color("direction:N", title=None, scale=alt.Scale(
            domain=["Toward the claim", "Against the claim"], range=[charts.PALETTE[0], charts.UK_COLOUR]))
        x = alt.X("share:Q", title="Specifications significant at 5 % (%)")
        panels_.append(alt.layer(
            alt.Chart(d).mark_tick(thickness=2, size=14).encode(
                x=x, y=alt.Y("draws:Q", title="Null draws"), color=colour,
                tooltip=[alt.Tooltip("direction:N", title="Direction"), alt.Tooltip("share:Q", title="Share (%)"),
                         alt.Tooltip("draws:Q", title="Null draws")]),
            alt.Chart(o).mark_rule(strokeWidth=2, strokeDash=[5, 3]).encode(
                x="share:Q", color=colour,
                tooltip=[alt.Tooltip("direction:N", title="Observed"), alt.Tooltip("share:Q", title="Share (%)"),
                         alt.Tooltip("p:Q", title="p under the null")]),
        ).properties(title=f"{title} ({j.n_specs} specifications)", width=330, height=200))
    return alt.hconcat(*panels_).properties(
        title=alt.Title("Shares significant: observed (dashed) against the null (ticks)",
                        subtitle=[f"{m.joint['productivity'].n_draws} draws with no effect imposed in every "
                                  "specification and the same country weights across specifications"]),
        description="For productivity and disparity outcomes, the distribution over null bootstrap draws of the "
                    "share of specifications significant at 5 % toward and against the claim, with the observed "
                    "shares marked as dashed rules.")


def labelled(c: pd.DataFrame) -> pd.DataFrame:
    """Readable labels for every dimension, and the estimate in the claim's direction."""
    from .autonomy import MEASURES

    ok = c[c["status"] == "ok"].copy()
    ok["outcome"] = ok["outcome"].map(mv.OUTCOME_LABELS)
    ok["measure"] = ok["measure"].map(lambda m: MEASURES.get(m, {}).get("label", m))
    ok["sample"] = ok["sample"].map(panels.SAMPLE_LABELS)
    ok["source"] = ok["source"].map(lambda v: SOURCE_LABELS.get(v, v))
    ok["inference"] = ok["inference"].map(INFERENCE_LABELS)
    sign = np.where(ok["level"] == "country", -1.0, 1.0)
    ok["toward_claim"] = ok["estimate"] * sign
    lo, hi = ok["ci_low"] * sign, ok["ci_high"] * sign
    ok["toward_low"], ok["toward_high"] = np.minimum(lo, hi), np.maximum(lo, hi)
    ok["verdict"] = np.select(
        [ok["supports"] & ok["significant"], ~ok["supports"] & ok["significant"]],
        ["Significant, as the claim predicts", "Significant, against the claim"],
        "Not significant at 5 %")
    return ok


def shares(c: pd.DataFrame, level: str | tuple[str, ...], inference: str | None = None) -> dict:
    """Counts and shares of specifications with the claim's sign and significant (p < 0.05)."""
    levels = (level,) if isinstance(level, str) else level
    d = c[(c["status"] == "ok") & c["level"].isin(levels)]
    if inference:
        d = d[d["inference"] == inference]
    return {"n": int(len(d)), "share_sign": float(d["supports"].mean()),
            "share_sig_for": float((d["supports"] & d["significant"]).mean()),
            "share_sig_against": float((~d["supports"] & d["significant"]).mean()),
            "median": float(d["estimate"].median())}


def curve_chart(c: pd.DataFrame, level: tuple[str, ...], title: str, inference: str = "wild_bootstrap") -> alt.VConcatChart:
    """Estimates sorted, with intervals (top), and the choices behind each (bottom)."""
    d = labelled(c)
    d = d[d["level"].isin(level) & (d["inference"] == INFERENCE_LABELS[inference])]
    d = d.sort_values("toward_claim").reset_index(drop=True)
    d["rank"] = np.arange(1, len(d) + 1)
    n_all = len(d)
    if n_all > CHART_POINTS:   # every k-th specification in rank order
        d = d.iloc[np.unique(np.linspace(0, n_all - 1, CHART_POINTS).round().astype(int))]
    d["lag"] = d["lag"].astype(str)
    keep = ["rank", "toward_claim", "toward_low", "toward_high", "verdict", "outcome", "measure",
            "sample", "fe", "lag", "source", "weights", "tier", "p", "n_clusters"]
    d = d[keep].round({"toward_claim": 4, "toward_low": 4, "toward_high": 4, "p": 4})
    colours = alt.Scale(domain=["Significant, as the claim predicts", "Not significant at 5 %",
                                "Significant, against the claim"],
                        range=[charts.PALETTE[0], charts.OTHER_COLOUR, charts.UK_COLOUR])
    tooltip = [alt.Tooltip("toward_claim:Q", title="Estimate (SD, toward claim)", format=".3f"),
               alt.Tooltip("toward_low:Q", title="95 % CI low", format=".3f"),
               alt.Tooltip("toward_high:Q", title="95 % CI high", format=".3f"),
               alt.Tooltip("p:Q", title="p-value", format=".3f"),
               alt.Tooltip("outcome:N", title="Outcome"), alt.Tooltip("measure:N", title="Measure"),
               alt.Tooltip("sample:N", title="Sample"), alt.Tooltip("fe:N", title="Fixed effects"),
               alt.Tooltip("lag:N", title="Lag"), alt.Tooltip("source:N", title="GDP data"),
               alt.Tooltip("weights:N", title="Weights"), alt.Tooltip("tier:N", title="Tier"),
               alt.Tooltip("n_clusters:Q", title="Countries")]
    x = alt.X("rank:Q", title="Specification (sorted by estimate)", axis=alt.Axis(labels=False, ticks=False),
              scale=alt.Scale(domain=[0, n_all + 1], nice=False))
    # Intervals of a few specifications are very wide (little variation within countries):
    # the axis shows +-CLIP SD and clamps the rest, so the estimates themselves stay legible.
    clip = float(np.ceil(2 * d["toward_claim"].abs().quantile(0.99)) / 2) or 1.0
    y_scale = alt.Scale(domain=[-clip, clip], clamp=True, nice=False)
    base = alt.Chart(d).properties(width=420)
    top = alt.layer(
        base.mark_rule(opacity=0.35).encode(x=x, y=alt.Y("toward_low:Q", title="Standardised estimate, toward the claim (SD)",
                                                          scale=y_scale),
                                            y2="toward_high:Q", color=alt.Color("verdict:N", scale=colours, title=None)),
        base.mark_point(filled=True, size=8).encode(x=x, y=alt.Y("toward_claim:Q", scale=y_scale),
                                                    color=alt.Color("verdict:N", scale=colours, title=None),
                                                    tooltip=tooltip),
        alt.Chart(pd.DataFrame({"zero": [0]})).mark_rule(strokeDash=[4, 3], color="black").encode(
            y=alt.Y("zero:Q", scale=y_scale)),
    ).properties(height=240)
    dims = ["outcome", "measure", "tier", "sample", "fe", "lag", "source", "weights"]
    bottom = base.transform_fold(dims, as_=["dimension", "choice"]).mark_tick(thickness=1, size=9).encode(
        x=x, y=alt.Y("choice:N", title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("verdict:N", scale=colours, title=None),
        row=alt.Row("dimension:N", title=None, sort=dims,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelExpr="upper(datum.value)")),
        tooltip=tooltip,
    ).properties(height=alt.Step(10)).resolve_scale(y="independent")
    # Thousands of marks: draw on canvas, which renders them several times faster than SVG.
    return alt.vconcat(top, bottom).configure_legend(orient="top", labelLimit=320).properties(
        usermeta={"embedOptions": {"renderer": "canvas"}},
        title=alt.Title(title, subtitle=[f"{n_all} specifications ({len(d)} drawn, evenly spaced in rank), "
                                         f"{INFERENCE_LABELS[inference].lower()} 95 % intervals "
                                         f"(axis clipped at ±{clip:g} SD); positive = the direction the claim predicts"]),
        description=f"Specification curve: {n_all} estimates of the association between fiscal autonomy and "
                    "regional outcomes, sorted, with 95 % intervals, and the analysis choices behind each.",
    )


# --------------------------------------------------------------------------- sensitivity

def _main_frames() -> dict[str, tuple[pd.DataFrame, str, tuple[str, ...]]]:
    reg = panels.tl2_panel(source="outlook", lags=(1,), sample="all")
    disp = panels.disparity_panel(source="outlook", lags=(1,), sample="all", kinds=("cv",),
                                  weightings=("population",))
    return {"H3": (reg, "log_gdp_per_head", ("region", "year")),
            "H4": (disp, "value", ("iso3", "year"))}


def _estimate(df, y, x, fe):
    return cluster_ols(partial_out(df, y, x, fe=list(fe), cluster="iso3"))


@disk_memo
def leave_one_out(measure: str = MAIN_MEASURE) -> pd.DataFrame:
    """The main H3 and H4 estimates with each country left out in turn."""
    rows = []
    for h, (df, y, fe) in _main_frames().items():
        d = df.dropna(subset=[y, measure])
        full = _estimate(d, y, measure, fe)
        rows.append({"hypothesis": h, "dropped": "none", "country": "(all countries)", "coef": full.coef,
                     "ci_low": full.ci_low, "ci_high": full.ci_high, "p": full.p, "n_clusters": full.n_clusters})
        for c in sorted(d["iso3"].unique()):
            r = _estimate(d[d["iso3"] != c], y, measure, fe)
            rows.append({"hypothesis": h, "dropped": c, "country": name(c), "coef": r.coef, "ci_low": r.ci_low,
                         "ci_high": r.ci_high, "p": r.p, "n_clusters": r.n_clusters})
    return pd.DataFrame(rows)


def loo_summary(loo: pd.DataFrame) -> dict:
    out = {}
    for h, d in loo.groupby("hypothesis"):
        full = d[d["dropped"] == "none"].iloc[0]
        rest = d[d["dropped"] != "none"]
        swing = (rest["coef"] - full["coef"]).abs()
        most = rest.loc[swing.idxmax()]
        uk = rest[rest["dropped"] == "GBR"]
        out.update({
            f"{h}_full": float(full["coef"]), f"{h}_full_p": float(full["p"]),
            f"{h}_min": float(rest["coef"].min()), f"{h}_max": float(rest["coef"].max()),
            f"{h}_same_sign": float((np.sign(rest["coef"]) == np.sign(full["coef"])).mean()),
            f"{h}_share_sig": float((rest["p"] < 0.05).mean()),
            f"{h}_most_influential": str(most["country"]), f"{h}_most_influential_coef": float(most["coef"]),
            f"{h}_without_uk": float(uk["coef"].iloc[0]) if len(uk) else float("nan"),
            f"{h}_without_uk_p": float(uk["p"].iloc[0]) if len(uk) else float("nan"),
            f"{h}_n": int(len(rest)),
        })
    return out


def loo_chart(loo: pd.DataFrame, hypothesis: str, title: str, x_title: str) -> alt.LayerChart:
    d = loo[(loo["hypothesis"] == hypothesis) & (loo["dropped"] != "none")].copy()
    full = float(loo[(loo["hypothesis"] == hypothesis) & (loo["dropped"] == "none")]["coef"].iloc[0])
    d["is_uk"] = np.where(d["dropped"] == "GBR", "Without the UK", "Without another country")
    d = d.round({"coef": 5, "ci_low": 5, "ci_high": 5, "p": 4})
    colour = alt.Color("is_uk:N", title=None,
                       scale=alt.Scale(domain=["Without the UK", "Without another country"],
                                       range=[charts.UK_COLOUR, charts.OTHER_COLOUR]))
    y = alt.Y("country:N", sort=alt.EncodingSortField("coef"), title="Country left out")
    tip = [alt.Tooltip("country:N", title="Left out"), alt.Tooltip("coef:Q", format=".4f", title="Estimate"),
           alt.Tooltip("ci_low:Q", format=".4f", title="95 % CI low"),
           alt.Tooltip("ci_high:Q", format=".4f", title="95 % CI high"), alt.Tooltip("p:Q", format=".3f")]
    base = alt.Chart(d)
    return alt.layer(
        base.mark_rule().encode(y=y, x=alt.X("ci_low:Q", title=x_title), x2="ci_high:Q", color=colour, tooltip=tip),
        base.mark_point(filled=True).encode(y=y, x="coef:Q", color=colour, tooltip=tip),
        alt.Chart(pd.DataFrame({"v": [full]})).mark_rule(strokeDash=[4, 3], color="black").encode(x="v:Q"),
        alt.Chart(pd.DataFrame({"v": [0.0]})).mark_rule(color="#999").encode(x="v:Q"),
    ).properties(title=alt.Title(title, subtitle="Dashed: all countries; bars: country-clustered 95 % CI"),
                 height=alt.Step(13), width=460,
                 description=f"{title}: the estimate with each country left out in turn, with intervals; "
                             "the UK is highlighted.")


def imputed_vs_raw(c: pd.DataFrame) -> dict:
    """Pairs of specifications that differ only in the GDP data (imputed vs raw)."""
    d = c[(c["status"] == "ok") & (c["inference"] == "cluster") & c["source"].isin(["outlook", "oecd_stat"])]
    keys = ["outcome", "level", "measure", "sample", "fe", "lag", "weights"]
    wide = d.pivot_table(index=keys, columns="source", values="estimate").dropna()
    sig = d.pivot_table(index=keys, columns="source", values="significant", aggfunc="first").reindex(wide.index)
    return {"pairs": int(len(wide)),
            "corr": float(np.corrcoef(wide["outlook"], wide["oecd_stat"])[0, 1]),
            "same_sign": float((np.sign(wide["outlook"]) == np.sign(wide["oecd_stat"])).mean()),
            "same_significance": float((sig["outlook"] == sig["oecd_stat"]).mean())}


@disk_memo
def per_head_vs_per_worker(year: int = 2019) -> pd.DataFrame:
    """Cross-section of TL2 regions in `year` from one source (DF_GDP): log GDP per head and
    log GDP per worker on each autonomy measure (latest value up to `year`), same regions."""
    pw = tables.gdp_per_worker("TL2")
    pw = pw[(pw["year"] == year) & (pw["population"] > 0) & (pw["employment"] > 0)].copy()
    pw["log_per_worker"] = np.log(pw["gdp_per_worker_usd_ppp"])
    pw["log_per_head"] = np.log(pw["gdp_usd_ppp"] / pw["population"])
    aut = panels.autonomy_table()
    latest = aut[aut["year"] <= year].sort_values("year").groupby("iso3")[list(speccurve.MEASURES)].last()
    df = pw.merge(latest.reset_index(), on="iso3", how="left")
    rows = []
    for m in speccurve.MEASURES:
        d = df.dropna(subset=[m])
        for y, lab in [("log_per_head", "GDP per head"), ("log_per_worker", "GDP per worker")]:
            r = _estimate(d, y, m, ())
            rows.append({"measure": m, "outcome": lab, "coef": r.coef, "ci_low": r.ci_low, "ci_high": r.ci_high,
                         "p": r.p, "n_obs": r.n_obs, "n_clusters": r.n_clusters})
    return pd.DataFrame(rows)


def per_head_vs_per_worker_table(phw: pd.DataFrame):
    """Readable side-by-side table: estimate [95 % CI] (p) per measure and outcome."""
    from .autonomy import MEASURES

    d = phw.copy()
    d["Measure"] = d["measure"].map(lambda m: MEASURES.get(m, {}).get("label", m))
    d["cell"] = d.apply(lambda r: f"{r.coef:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}] (p = {r.p:.2f})", axis=1)
    out = d.pivot(index="Measure", columns="outcome", values="cell")
    n = d.groupby("Measure")[["n_obs", "n_clusters"]].first()
    out["Regions"] = n["n_obs"]
    out["Countries"] = n["n_clusters"]
    return out.reset_index().style.hide(axis="index").set_caption(
        "Log GDP per head and log GDP per worker, 2019, on autonomy (latest value up to 2019); "
        "OLS, standard errors clustered by country, t critical values.")
