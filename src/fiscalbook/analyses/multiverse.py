"""The multiverse behind the robustness chapter: every reasonable specification of "does
autonomy go with higher or more even regional productivity?", fitted with the O(clusters)
engine (`methods.fastboot`) and tested jointly under the null (Simonsohn, Simmons & Nelson
2020).

Dimensions
    productivity, TL2 region-year     log GDP per head, its growth; Regional Outlook or
                                      OECD.Stat; FE region+year, country+year, year only, or
                                      5-year long differences (with year FE; levels only)
    productivity, TL2 cross-section   log GDP per worker (DF_GDP), 2019 or 2020
    disparity, country-year           CV, Theil, Gini of TL2 GDP per head (population-
                                      weighted and not), both GDP sources; the log ratio of
                                      GDP per worker in the upper and lower half of regions
                                      (Regional Outlook 2023 figure data); FE country+year,
                                      year only, or 5-year long differences
    every model                       9 autonomy measures with a tier tag (regional: RAI
                                      scores; local: IMF sub-national shares, LAI), lags 0/1/3,
                                      5 samples, 3 weightings (regions: equal, population,
                                      equal countries; countries: equal, region count,
                                      population)

Specifications whose estimation problem is identical (same rows, outcome, regressor,
weights up to scale, fixed effects and clusters) are flagged `duplicate` and left out of
shares and null draws, so a choice that changes nothing does not count twice.

The work is split into blocks of specifications; each block is fitted with all draw blocks
(`fit_block`) and the blocks run in-process or on Dask (`methods.distributed`). Weights
are seeded per draw block over one global country index, never per worker.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from itertools import product

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .. import panels, study, tables
from ..autonomy import MEASURES as MEASURE_INFO
from ..methods import distributed, fastboot

MEASURES: tuple[str, ...] = tuple(MEASURE_INFO)
TIER = {m: ("regional" if m.startswith("rai") else "local") for m in MEASURES}
LESS_AUTONOMY_WHEN_HIGHER = frozenset(m for m, i in MEASURE_INFO.items() if i["more_autonomy_when"] == "lower")
SAMPLES = panels.SAMPLES
LAGS = (0, 1, 3)
LONG_DIFF = 5
MIN_CLUSTERS = 8
SOURCES = ("outlook", "oecd_stat")
REGION_FE = {"region + year": ("region", "year"), "country + year": ("iso3", "year"),
             "year only": ("year",), f"{LONG_DIFF}-year differences": ("year",)}
COUNTRY_FE = {"country + year": ("iso3", "year"), "year only": ("year",),
              f"{LONG_DIFF}-year differences": ("year",)}
REGION_WEIGHTS = {"equal regions": None, "population": "population", "equal countries": "w_country"}
COUNTRY_WEIGHTS = {"equal countries": None, "region count": "n_regions", "population": "population"}
DISPARITY_KINDS = ("cv", "theil", "gini")
DISPARITY_WEIGHTINGS = ("population", "unweighted")
GAP = "log_gap_upper_lower_half"
PER_WORKER_YEARS = (2019, 2020)
LOW_HIGH_SAMPLES = ("all", "europe", "no_mex_tur_col")   # no regions to drop in that table

OUTCOME_LABELS = {
    "log_gdp_per_head": "Log GDP per head (TL2)", "growth": "GDP per head growth (TL2)",
    "log_gdp_per_worker": "Log GDP per worker (TL2, cross-section)",
    **{f"{k}_{w}": f"Disparity: {k.upper() if k == 'cv' else k.capitalize()} ({w})"
       for k in DISPARITY_KINDS for w in DISPARITY_WEIGHTINGS},
    GAP: "Disparity: log GDP per worker, upper / lower half of regions",
}


@dataclass(frozen=True)
class Spec:
    family: str      # "productivity" | "disparity"
    level: str       # "region" | "cross-section" | "country"
    outcome: str
    measure: str
    sample: str
    fe: str
    lag: int
    source: str
    weights: str

    @property
    def tier(self) -> str:
        return TIER[self.measure]

    @property
    def direction(self) -> int:
        """+1 if the claim predicts a positive association (productivity), -1 (disparity)."""
        return 1 if self.family == "productivity" else -1

    @property
    def frame(self) -> str:
        if self.level == "region":
            return f"region|{self.source}|{self.sample}"
        if self.level == "cross-section":
            return f"xs|{self.source}|{self.sample}"
        return f"country|{self.source}|{self.sample}"

    def columns(self) -> tuple[str, str, str | None, tuple[str, ...]]:
        """(outcome column, regressor column, weight column, FE columns) in its frame."""
        x = self.measure if self.lag == 0 else f"{self.measure}_lag{self.lag}"
        y = self.outcome
        if self.fe.endswith("differences"):
            x, y = f"d_{x}", f"d_{y}"
        fe = (REGION_FE if self.level == "region" else COUNTRY_FE).get(self.fe, ())
        w = (REGION_WEIGHTS if self.level != "country" else COUNTRY_WEIGHTS)[self.weights]
        return y, x, w, fe


# --------------------------------------------------------------------------- frames

def _long_differences(df: pd.DataFrame, unit: str, cols: list[str]) -> pd.DataFrame:
    """d_<col> = col(t) - col(t - LONG_DIFF) within `unit`, kept on years divisible by
    LONG_DIFF (non-overlapping differences); NaN elsewhere."""
    prev = df[[unit, "year", *cols]].assign(year=df["year"] + LONG_DIFF)
    m = df[[unit, "year"]].merge(prev, on=[unit, "year"], how="left")
    keep = (df["year"] % LONG_DIFF == 0).to_numpy()
    for c in cols:
        d = df[c].to_numpy(float) - m[c].to_numpy(float)
        df[f"d_{c}"] = np.where(keep, d, np.nan)
    return df


def _measure_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if any(c == m or c.startswith(f"{m}_lag") for m in MEASURES)]


def region_frame(regions: pd.DataFrame, national, autonomy: pd.DataFrame, sample: str) -> pd.DataFrame:
    df = panels.build_tl2_panel(regions, autonomy, lags=(1, 3), sample=sample, national=national)
    df = df.sort_values(["region", "year"])
    prev = df.groupby("region")["log_gdp_per_head"].shift()
    gap = df["year"] - df.groupby("region")["year"].shift()
    df["growth"] = (df["log_gdp_per_head"] - prev).where(gap == 1)
    df["w_country"] = 1.0 / df.groupby(["iso3", "year"])["region"].transform("size")
    return _long_differences(df.reset_index(drop=True), "region", ["log_gdp_per_head", *_measure_columns(df)])


def disparity_wide(regions: pd.DataFrame, value: str = panels.VALUE) -> pd.DataFrame:
    """CV, Theil and Gini of `value` by country-year, population-weighted and unweighted
    (the definitions of `fiscalbook.disparity`, computed on numpy arrays: that module's
    pandas loop would dominate the run). Groups with fewer than two regions get NaN."""
    d = regions.dropna(subset=[value]).sort_values(["iso3", "year"])
    keys = d[["iso3", "year"]].to_numpy()
    y_all = d[value].to_numpy(float)
    p_all = d["population"].to_numpy(float)
    starts = np.flatnonzero(np.r_[True, (keys[1:] != keys[:-1]).any(axis=1)])
    ends = np.r_[starts[1:], len(d)]
    rows = []
    for a, b in zip(starts, ends):
        out = {"iso3": keys[a, 0], "year": int(keys[a, 1]), "n_regions": b - a}
        for wt in DISPARITY_WEIGHTINGS:
            y = y_all[a:b]
            if wt == "population":
                ok = ~np.isnan(p_all[a:b])
                y, w = y[ok], p_all[a:b][ok]
                w = w / w.sum() if len(y) else w
            else:
                w = np.full(len(y), 1.0 / len(y))
            if len(y) < 2:
                for k in DISPARITY_KINDS:
                    out[f"{k}_{wt}"] = np.nan
                continue
            mu = float((w * y).sum())
            r = y / mu
            out[f"cv_{wt}"] = float(np.sqrt((w * (y - mu) ** 2).sum()) / mu)
            out[f"theil_{wt}"] = float((w * r * np.log(r)).sum())
            out[f"gini_{wt}"] = float((w[:, None] * w[None, :] * np.abs(y[:, None] - y[None, :])).sum() / (2 * mu))
        rows.append(out)
    return pd.DataFrame(rows)


def country_frame(region: pd.DataFrame) -> pd.DataFrame:
    """Disparity indices wide (one column per index and weighting) of a region frame's
    regions, with the number of regions and their population as weights."""
    wide = disparity_wide(region)
    aut_cols = [c for c in _measure_columns(region) if not c.startswith("d_")]
    aut = region.drop_duplicates(["iso3", "year"])[["iso3", "year", *aut_cols]]
    pop = region.groupby(["iso3", "year"])["population"].sum(min_count=1).rename("population").reset_index()
    out = wide.merge(aut, on=["iso3", "year"]).merge(pop, on=["iso3", "year"], how="left")
    outcomes = [c for c in out.columns if c in OUTCOME_LABELS]
    return _long_differences(out.sort_values(["iso3", "year"]).reset_index(drop=True), "iso3",
                             [*outcomes, *aut_cols])


def low_high_frame(autonomy: pd.DataFrame, sample: str) -> pd.DataFrame:
    """Country-year log ratio of GDP per worker in the upper to the lower half of regions."""
    t = tables.per_worker_low_high()
    wide = t.pivot_table(index=["iso3", "year"], columns="group", values="gdp_per_worker").reset_index()
    wide = wide[(wide["high"] > 0) & (wide["low"] > 0)]
    wide[GAP] = np.log(wide["high"] / wide["low"])
    aut = panels.lag_autonomy(autonomy, (1, 3))
    out = wide[["iso3", "year", GAP]].merge(aut, on=["iso3", "year"], how="left")
    out = panels.restrict(out, sample).sort_values(["iso3", "year"]).reset_index(drop=True)
    return _long_differences(out, "iso3", [GAP, *_measure_columns(out)])


def cross_section_frame(pw: pd.DataFrame, autonomy: pd.DataFrame, year: int, sample: str) -> pd.DataFrame:
    """TL2 GDP per worker in `year` with each country's latest autonomy up to year - lag."""
    pw = pw[(pw["year"] == year) & pw["gdp_per_worker_usd_ppp"].gt(0)].copy()
    pw["log_gdp_per_worker"] = np.log(pw["gdp_per_worker_usd_ppp"])
    aut = autonomy.sort_values("year")
    for lag in LAGS:
        latest = aut[aut["year"] <= year - lag].groupby("iso3")[list(MEASURES)].last()
        if lag:
            latest.columns = [f"{m}_lag{lag}" for m in latest.columns]
        pw = pw.merge(latest.reset_index(), on="iso3", how="left")
    pw = pw.assign(gdp_per_head_usd_ppp2015=pw["gdp_per_worker_usd_ppp"],
                   is_capital=panels.capital_flag(pw, strict=False))
    pw = panels.restrict(pw, sample).reset_index(drop=True)
    pw["w_country"] = 1.0 / pw.groupby("iso3")["region"].transform("size")
    return pw


def frames() -> dict[str, pd.DataFrame]:
    """Every frame the multiverse fits on, keyed like Spec.frame."""
    aut = panels.autonomy_table()
    out = {}
    for source in SOURCES:
        regions, national = panels.regions_table(source)
        for sample in SAMPLES:
            reg = region_frame(regions, national, aut, sample)
            out[f"region|{source}|{sample}"] = reg
            out[f"country|{source}|{sample}"] = country_frame(reg)
    for sample in LOW_HIGH_SAMPLES:
        out[f"country|per-worker halves|{sample}"] = low_high_frame(aut, sample)
    pw = tables.gdp_per_worker("TL2")
    for year, sample in product(PER_WORKER_YEARS, SAMPLES):
        out[f"xs|DF_GDP {year}|{sample}"] = cross_section_frame(pw, aut, year, sample)
    return out


def specifications() -> list[Spec]:
    specs = []
    for outcome, source, sample, fe, lag, w, m in product(
            ("log_gdp_per_head", "growth"), SOURCES, SAMPLES, REGION_FE, LAGS, REGION_WEIGHTS, MEASURES):
        if outcome == "growth" and fe.endswith("differences"):
            continue
        specs.append(Spec("productivity", "region", outcome, m, sample, fe, lag, source, w))
    for year, sample, lag, w, m in product(PER_WORKER_YEARS, SAMPLES, LAGS, REGION_WEIGHTS, MEASURES):
        specs.append(Spec("productivity", "cross-section", "log_gdp_per_worker", m, sample, "none", lag,
                          f"DF_GDP {year}", w))
    outcomes = [f"{k}_{w}" for k in DISPARITY_KINDS for w in DISPARITY_WEIGHTINGS]
    for outcome, source, sample, fe, lag, w, m in product(
            outcomes, SOURCES, SAMPLES, COUNTRY_FE, LAGS, COUNTRY_WEIGHTS, MEASURES):
        specs.append(Spec("disparity", "country", outcome, m, sample, fe, lag, source, w))
    for sample, fe, lag, m in product(LOW_HIGH_SAMPLES, COUNTRY_FE, LAGS, MEASURES):
        specs.append(Spec("disparity", "country", GAP, m, sample, fe, lag, "per-worker halves", "equal countries"))
    return specs


# --------------------------------------------------------------------------- arrays

def as_arrays(frames_: dict[str, pd.DataFrame], countries: list[str]) -> dict[str, dict[str, np.ndarray]]:
    """Frames as numpy columns (what the workers receive): floats, FE codes and country ids,
    both global (the same region or country has the same code in every frame)."""
    index = {c: i for i, c in enumerate(countries)}
    regions = sorted(set().union(*(set(f["region"]) for f in frames_.values() if "region" in f.columns)))
    rindex = {r: i for i, r in enumerate(regions)}
    out = {}
    for key, df in frames_.items():
        cols = {c: df[c].to_numpy(float) for c in df.columns
                if c not in ("iso3", "region", "region_name") and pd.api.types.is_numeric_dtype(df[c])}
        cols["cluster"] = df["iso3"].map(index).to_numpy(np.int64)
        cols["fe:iso3"] = cols["cluster"]
        cols["fe:year"] = df["year"].to_numpy(np.int64)
        if "region" in df.columns:
            cols["fe:region"] = df["region"].map(rindex).to_numpy(np.int64)
        out[key] = cols
    return out


def _hash(*arrays) -> bytes:
    """Hash of arrays (None allowed): equal hashes mean identical estimation inputs."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        h.update(b"|" if a is None else np.ascontiguousarray(a).tobytes())
    return h.digest()


@dataclass(frozen=True)
class Block:
    """A task: some specifications (with their problems' frames) and the draw plan."""

    specs: tuple
    n_countries: int
    draws: int
    draw_block: int
    seed: int
    weights: str = "webb"
    exact: bool = True


def fit_block(arrays: dict, block: Block) -> dict:
    """Fit a block of specifications and all their null draws (deterministic: the result
    depends only on the specifications, the data and the seed). BLAS runs on one thread:
    the matrices are small, and threads fighting over two busy cores made it ten times
    slower."""
    with threadpool_limits(1):
        return _fit_block(arrays, block)


def _fit_block(arrays: dict, block: Block) -> dict:
    v = np.vstack([fastboot.block_weights(block.n_countries, min(block.draw_block, block.draws - s),
                                          s // block.draw_block, block.seed, block.weights)
                   for s in range(0, block.draws, block.draw_block)])
    n = len(block.specs)
    rows: list[dict] = [{} for _ in range(n)]
    preps: list = [None] * n
    # specifications with the same frame, fixed effects, weights and rows share one design
    groups: dict[tuple, list[int]] = {}
    for i, spec in enumerate(block.specs):
        rows[i] = {**asdict(spec), "tier": spec.tier, "regressor": spec.columns()[1]}
        y_col, x_col, w_col, fe = spec.columns()
        arr = arrays[spec.frame]
        if y_col not in arr or x_col not in arr or (w_col and w_col not in arr):
            rows[i]["status"] = "not in the data"
            continue
        ok = np.isfinite(arr[y_col]) & np.isfinite(arr[x_col])
        if w_col:
            ok &= np.isfinite(arr[w_col]) & (arr[w_col] > 0)
        groups.setdefault((spec.frame, fe, w_col, ok.tobytes()), []).append(i)
    for (frame, fe, w_col, ok_bytes), members in groups.items():
        arr = arrays[frame]
        idx = np.flatnonzero(np.frombuffer(ok_bytes, dtype=bool))
        cl = arr["cluster"][idx]
        if len(np.unique(cl)) < MIN_CLUSTERS:
            for i in members:
                rows[i]["status"] = f"fewer than {MIN_CLUSTERS} countries"
            continue
        raw_fe = np.column_stack([arr[f"fe:{f}"][idx] for f in fe]) if fe else None
        w = None if not w_col else arr[w_col][idx] / arr[w_col][idx].mean()
        if w is not None and np.allclose(w, 1.0, rtol=0, atol=1e-12):
            w = None   # constant weights: the unweighted regression
        design_key = _hash(w, raw_fe, cl)
        codes = None if raw_fe is None else np.column_stack(
            [np.unique(c, return_inverse=True)[1] for c in raw_fe.T])
        design = fastboot.Design(cl, codes, w)
        cols = list(dict.fromkeys(c for i in members for c in block.specs[i].columns()[:2]))
        raw = np.column_stack([arr[c][idx] for c in cols])
        res = design.residualise(raw)
        pos = {c: j for j, c in enumerate(cols)}
        for i in members:
            spec = block.specs[i]
            y_col, x_col = spec.columns()[:2]
            y, x = raw[:, pos[y_col]], raw[:, pos[x_col]]
            rows[i]["problem"] = _hash(np.frombuffer(design_key, np.uint8), y, x).hex()
            try:
                p = design.prepare(res[:, pos[y_col]], res[:, pos[x_col]], exact=block.exact)
            except ValueError as err:
                rows[i]["status"] = str(err)
                continue
            flip = -1.0 if spec.measure in LESS_AUTONOMY_WHEN_HIGHER else 1.0
            rows[i].update({"status": "ok", "coef_raw": p.coef, "se_raw": p.se, "t": p.t, "p_cluster": p.p_t,
                            "scale": flip * x.std(ddof=1) / y.std(ddof=1), "n_obs": p.n_obs,
                            "n_clusters": p.n_clusters})
            preps[i] = p
    coef_star, t_star = fastboot.curve_draws(preps, v)
    fitted = np.array([p is not None for p in preps], dtype=bool)
    ok = [r for r in rows if r["status"] == "ok"]
    t_obs = np.array([r["t"] for r in ok])
    coef_star, t_star = coef_star[fitted], t_star[fitted]
    p_boot = fastboot.bootstrap_p(t_obs, t_star)
    q95 = np.quantile(np.abs(t_star), 0.95, axis=1) if len(ok) else np.array([])
    direction = np.array([1.0 if r["family"] == "productivity" else -1.0 for r in ok])
    scale = np.array([r["scale"] for r in ok])
    toward, sig, z = fastboot.draw_parts(coef_star, t_star, direction, scale)
    z_obs = fastboot.one_sided_z(t_obs, t_star, direction)
    for r, pb, q, zo in zip(ok, p_boot, q95, z_obs):
        r["p_boot"], r["crit_boot"], r["z"] = float(pb), float(q), float(zo)
    return {"rows": rows, "toward_star": toward, "sig_star": sig, "z_star": z}


# --------------------------------------------------------------------------- the run

@dataclass
class Multiverse:
    curve: pd.DataFrame          # one row per specification
    joint: dict                  # family -> fastboot.JointTest
    seconds: dict                # timing of the stages


def run(draws: int = study.BOOT_DRAWS, seed: int = study.SEED, spec_block: int = study.CURVE_SPEC_BLOCK,
        draw_block: int = study.CURVE_DRAW_BLOCK, scheduler: str | None = None, n_workers: int | None = None,
        specs: list[Spec] | None = None, progress: bool = False, frames_: dict | None = None,
        exact: bool = True) -> Multiverse:
    """Fit the multiverse and its joint null. `scheduler`: None (in-process unless
    FISCALBOOK_DASK_SCHEDULER is set), "local" (a LocalCluster), or a Dask address.

    exact=True (default) is the wild cluster restricted bootstrap proper: each draw's
    outcome is re-residualised on the fixed effects (G x G per-cluster cross sums), as in
    `fiscalbook.wildboot`; with the two-way FE removed without iteration it costs about
    the same as exact=False, which bootstraps the FWL-transformed model and, where year
    effects cut across countries, gives different p-values (see the README benchmark)."""
    t0 = time.perf_counter()
    fr = frames_ if frames_ is not None else frames()
    countries = sorted(set().union(*(set(f["iso3"]) for f in fr.values())))
    arrays = as_arrays(fr, countries)
    specs = specs if specs is not None else specifications()
    t1 = time.perf_counter()
    blocks = [Block(tuple(specs[k:k + spec_block]), len(countries), draws, draw_block, seed, exact=exact)
              for k in range(0, len(specs), spec_block)]
    results = distributed.run_blocks(fit_block, arrays, blocks, scheduler=scheduler, n_workers=n_workers,
                                     progress=progress)
    t3 = time.perf_counter()
    rows = [r for res in results for r in res["rows"]]
    parts = {k: np.vstack([res[k] for res in results]) for k in ("toward_star", "sig_star", "z_star")}
    curve = _assemble(rows)
    fitted = curve["p_boot"].notna()   # the rows that have null draws, in order
    keep = (curve.loc[fitted, "status"] == "ok").to_numpy()
    parts = {k: v[keep] for k, v in parts.items()}
    ok = curve[fitted][keep]
    joint = {}
    for fam in ("productivity", "disparity"):
        sel = (ok["family"] == fam).to_numpy()
        if not sel.any():
            continue
        d = ok[sel]
        joint[fam] = fastboot.joint_test(d["estimate"].to_numpy() * d["direction"].to_numpy(), d["p_boot"].to_numpy(),
                                         d["z"].to_numpy(), *(parts[k][sel] for k in ("toward_star", "sig_star", "z_star")))
    t4 = time.perf_counter()
    seconds = {"prepare": t1 - t0, "fit": t3 - t1, "joint": t4 - t3, "total": t4 - t0}
    return Multiverse(curve, joint, seconds)


def _assemble(rows: list[dict]) -> pd.DataFrame:
    """One row per specification; the second and later specifications with the same
    estimation problem get status "duplicate" and the index of the first."""
    c = pd.DataFrame(rows)
    first = c.groupby("problem", sort=False).cumcount() > 0
    c["duplicate_of"] = np.nan
    if first.any():
        index_of = c.reset_index().groupby("problem")["index"].transform("min")
        c.loc[first & (c["status"] == "ok"), "duplicate_of"] = index_of[first & (c["status"] == "ok")]
        c.loc[first & (c["status"] == "ok"), "status"] = "duplicate"
    c["direction"] = np.where(c["family"] == "productivity", 1, -1)
    c["estimate"] = c["coef_raw"] * c["scale"]
    c["se_std"] = c["se_raw"] * c["scale"].abs()
    return c
