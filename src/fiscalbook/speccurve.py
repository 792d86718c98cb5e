"""The specification curve: every reasonable way to ask "does autonomy go with higher or
more even regional productivity?", fitted and summarised.

Dimensions (see DIMENSIONS): outcome, autonomy measure, sample, fixed effects, lag of
autonomy, data source (imputed Regional Outlook vs raw OECD.Stat) and inference (country-
clustered t vs wild cluster restricted bootstrap). Each model is fitted once by
Frisch–Waugh–Lovell (fiscalbook.wildboot) and reported under both kinds of inference.

Estimates are standardised so they can be lined up on one axis: the change in the outcome,
in standard deviations, for one standard deviation more autonomy (measures where a *lower*
value means more autonomy — vertical fiscal imbalance — are sign-flipped). The claim
predicts a positive effect on productivity outcomes and a negative one on disparity
outcomes; `supports` records whether an estimate points that way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd

from . import panels, tables
from .wildboot import WildClusterBootstrap, cluster_ols, partial_out

from .study import SEED  # the study's one seed (fiscalbook.study)
B_DEFAULT = 999
MIN_CLUSTERS = 8

MEASURES = panels.MAIN_MEASURES
LESS_AUTONOMY_WHEN_HIGHER = frozenset({"imf_vfi", "imf_transfer_dependence"})
SAMPLES = panels.SAMPLES
LAGS = (0, 1, 3)
SOURCES = ("outlook", "oecd_stat")
REGION_FE = {"region + year": ("region", "year"), "country + year": ("iso3", "year"), "year only": ("year",)}
COUNTRY_FE = {"country + year": ("iso3", "year"), "year only": ("year",)}
DISPARITY_KINDS = ("cv", "theil", "gini")
DISPARITY_WEIGHTINGS = ("population", "unweighted")

REGION_OUTCOMES = {"log_gdp_per_head": "Log GDP per head (TL2)", "growth": "GDP per head growth (TL2)"}
PER_WORKER = "log_gdp_per_worker_2019"
OUTCOME_LABELS = {**REGION_OUTCOMES, PER_WORKER: "Log GDP per worker, 2019 (TL2)",
                  **{f"{k}_{w}": f"Disparity: {k.upper() if k == 'cv' else k.capitalize()} ({w})"
                     for k in DISPARITY_KINDS for w in DISPARITY_WEIGHTINGS}}


@dataclass(frozen=True)
class Spec:
    outcome: str
    level: str          # "region" | "country" | "cross-section"
    measure: str
    sample: str
    fe: str
    lag: int
    source: str

    @property
    def claim_sign(self) -> int:
        """+1 if the claim predicts a positive effect (productivity), -1 (disparity)."""
        return -1 if self.level == "country" else 1


def _regressor(measure: str, lag: int) -> str:
    return measure if lag == 0 else f"{measure}_lag{lag}"


def _region_panels() -> dict[tuple[str, str], pd.DataFrame]:
    out = {}
    for source, sample in product(SOURCES, SAMPLES):
        df = panels.tl2_panel(source=source, lags=(1, 3), sample=sample)
        df = df.sort_values(["region", "year"])
        prev = df.groupby("region")["log_gdp_per_head"].shift()
        gap = df["year"] - df.groupby("region")["year"].shift()
        df["growth"] = (df["log_gdp_per_head"] - prev).where(gap == 1)
        out[(source, sample)] = df
    return out


def _disparity_panels() -> dict[tuple[str, str], pd.DataFrame]:
    out = {}
    for source, sample in product(SOURCES, SAMPLES):
        df = panels.disparity_panel(source=source, lags=(1, 3), sample=sample,
                                    kinds=DISPARITY_KINDS, weightings=DISPARITY_WEIGHTINGS)
        df["outcome"] = df["index"] + "_" + df["weighting"]
        out[(source, sample)] = df
    return out


def _per_worker_panel() -> dict[str, pd.DataFrame]:
    """2019 GDP per worker by TL2 region with each country's latest autonomy up to 2019."""
    pw = tables.gdp_per_worker("TL2")
    pw = pw[(pw["year"] == 2019) & pw["gdp_per_worker_usd_ppp"].gt(0)].copy()
    pw[PER_WORKER] = np.log(pw["gdp_per_worker_usd_ppp"])
    aut = panels.autonomy_table()
    aut = aut[aut["year"] <= 2019].sort_values("year")
    latest = aut.groupby("iso3")[list(MEASURES)].last().reset_index()
    base = pw.merge(latest, on="iso3", how="left")
    base["year"] = 2019
    out = {}
    for sample in SAMPLES:
        b = base.assign(gdp_per_head_usd_ppp2015=base["gdp_per_worker_usd_ppp"],
                        is_capital=panels.capital_flag(base, strict=False))
        out[sample] = panels.restrict(b, sample)
    return out


def specifications() -> list[Spec]:
    specs = []
    for outcome, measure, sample, (fe, _), lag, source in product(
            REGION_OUTCOMES, MEASURES, SAMPLES, REGION_FE.items(), LAGS, SOURCES):
        specs.append(Spec(outcome, "region", measure, sample, fe, lag, source))
    for kind, w, measure, sample, (fe, _), lag, source in product(
            DISPARITY_KINDS, DISPARITY_WEIGHTINGS, MEASURES, SAMPLES, COUNTRY_FE.items(), LAGS, SOURCES):
        specs.append(Spec(f"{kind}_{w}", "country", measure, sample, fe, lag, source))
    for measure, sample in product(MEASURES, SAMPLES):
        specs.append(Spec(PER_WORKER, "cross-section", measure, sample, "none", 0, "DF_GDP 2019"))
    return specs


def _fit(df: pd.DataFrame, spec: Spec, B: int, seed: int) -> list[dict]:
    x = _regressor(spec.measure, spec.lag)
    y = spec.outcome if spec.level != "country" else "value"
    fe = (REGION_FE.get(spec.fe) if spec.level == "region" else COUNTRY_FE.get(spec.fe)) or ()
    d = df[[c for c in {y, x, "iso3", *fe} if c in df.columns]].dropna()
    base = {**spec.__dict__, "regressor": x}
    if d["iso3"].nunique() < MIN_CLUSTERS:
        return [{**base, "status": f"fewer than {MIN_CLUSTERS} countries"}]
    sd_x, sd_y = d[x].std(), d[y].std()
    if not (sd_x > 0 and sd_y > 0):
        return [{**base, "status": "no variation"}]
    flip = -1.0 if spec.measure in LESS_AUTONOMY_WHEN_HIGHER else 1.0
    scale = flip * sd_x / sd_y
    try:
        p = partial_out(d, y, x, fe=list(fe), cluster="iso3")
        cl = cluster_ols(p)
    except ValueError as err:
        return [{**base, "status": str(err)}]
    boot = WildClusterBootstrap(p, B=B, seed=seed).result()
    rows = []
    for r in (cl, boot):
        lo, hi = sorted((r.ci_low * scale, r.ci_high * scale))
        est = r.coef * scale
        rows.append({**base, "status": "ok", "inference": r.inference, "coef_raw": r.coef,
                     "estimate": est, "ci_low": lo, "ci_high": hi, "p": r.p,
                     "n_obs": r.n_obs, "n_clusters": r.n_clusters,
                     "supports": bool(np.sign(est) == spec.claim_sign),
                     "significant": bool(r.p < 0.05)})
    return rows


def run(B: int = B_DEFAULT, seed: int = SEED, specs: list[Spec] | None = None) -> pd.DataFrame:
    """Fit every specification; one row per specification and inference method."""
    specs = specs or specifications()
    start = time.perf_counter()
    region = _region_panels() if any(s.level == "region" for s in specs) else {}
    country = _disparity_panels() if any(s.level == "country" for s in specs) else {}
    worker = _per_worker_panel() if any(s.level == "cross-section" for s in specs) else {}
    prepared = time.perf_counter() - start
    rows = []
    for spec in specs:
        if spec.level == "region":
            df = region[(spec.source, spec.sample)]
        elif spec.level == "country":
            df = country[(spec.source, spec.sample)]
            df = df[df["outcome"] == spec.outcome]
        else:
            df = worker[spec.sample]
        rows.extend(_fit(df, spec, B, seed))
    out = pd.DataFrame(rows)
    out.attrs["seconds_prepare"] = prepared
    out.attrs["seconds_total"] = time.perf_counter() - start
    return out


def summary(curve: pd.DataFrame) -> pd.DataFrame:
    """Share of specifications with the claim's sign, and significant with it, by outcome
    level and inference."""
    ok = curve[curve["status"] == "ok"]
    g = ok.groupby(["level", "inference"])
    return pd.DataFrame({
        "n": g.size(),
        "share_supporting_sign": g["supports"].mean(),
        "share_significant_supporting": g.apply(lambda d: (d["supports"] & d["significant"]).mean(),
                                                include_groups=False),
        "share_significant_against": g.apply(lambda d: (~d["supports"] & d["significant"]).mean(),
                                             include_groups=False),
        "median_estimate": g["estimate"].median(),
    }).reset_index()


def main(argv: list[str] | None = None) -> int:
    """Run the multiverse (fiscalbook.analyses.multiverse) with its joint null from the
    command line, in-process or on Dask, with a progress bar:

        python -m fiscalbook.speccurve                          # in-process (tqdm bar)
        python -m fiscalbook.speccurve --scheduler local -j 2   # LocalCluster, 2 processes
        python -m fiscalbook.speccurve --scheduler tcp://host:8786 --out curve.csv
        FISCALBOOK_DASK_SCHEDULER=tcp://host:8786 python -m fiscalbook.speccurve
    """
    import argparse

    from . import study
    from .analyses import multiverse

    ap = argparse.ArgumentParser(prog="python -m fiscalbook.speccurve", description=main.__doc__.split("\n\n")[0])
    ap.add_argument("--scheduler", default=None,
                    help="'local' (a LocalCluster), a Dask scheduler address, or none: in-process unless "
                         "FISCALBOOK_DASK_SCHEDULER is set")
    ap.add_argument("-j", "--workers", type=int, default=None, help="LocalCluster worker processes")
    ap.add_argument("--draws", type=int, default=study.BOOT_DRAWS)
    ap.add_argument("--out", default=None, help="write the curve (one row per specification) to this CSV")
    args = ap.parse_args(argv)
    res = multiverse.run(draws=args.draws, scheduler=args.scheduler, n_workers=args.workers, progress=True)
    ok = res.curve["status"].eq("ok")
    print(f"{len(res.curve)} specifications, {int(ok.sum())} distinct models, {args.draws} null draws, "
          f"{res.seconds['total']:.1f} s")
    for fam, j in res.joint.items():
        print(f"{fam}: {j.n_specs} specifications; significant toward the claim {100 * j.observed['share_for']:.1f} % "
              f"(null {100 * j.null_mean['share_for']:.1f} %, p = {j.p['share_for']:.3f}); against "
              f"{100 * j.observed['share_against']:.1f} % (null {100 * j.null_mean['share_against']:.1f} %, "
              f"p = {j.p['share_against']:.3f}); median {j.observed['median']:.3f} (p = {j.p['median']:.3f}); "
              f"Stouffer Z {j.observed['stouffer']:.1f} (p = {j.p['stouffer']:.3f})")
    if args.out:
        res.curve.to_csv(args.out, index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
