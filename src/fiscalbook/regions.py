"""H3 — Regions: does fiscal autonomy go with higher regional productivity?

    from fiscalbook import regions
    res = regions.main_estimates(source="outlook")     # one row per autonomy measure
    regions.headline()                                 # the numbers for the verdict chapter

Designs (all on TL2 regions; SEs clustered by country, because autonomy varies by country):

1. **Within-region**: ln(GDP per head)_rt = b · autonomy_ct(-L) + region FE + year FE. The
   region effects absorb everything fixed about a place (including its country's level of
   autonomy on average); b is identified from changes in a country's autonomy over time
   relative to the common year effects. Lags L = 0, 1, 3.
2. **Lagging regions**: the same model plus autonomy × lagging (region's GDP per head below
   its country's in its first panel year). The interaction asks whether autonomy goes with
   more growth in regions that started behind.
3. **Region-specific autonomy** (RAI regional file, 2000–2010): where a country gives some
   regions more powers than others (Scotland, Wales, Northern Ireland and London against
   English regions; Quebec; the Basque Country and Navarre; Italy's special-statute regions;
   the Azores and Madeira; Åland; capital districts), compare regions of the same country in
   the same year (country × year FE) and, more demandingly, the same region over time
   (region FE + country × year FE). `RAI_TL2` is the tested mapping of RAI units to TL2.
4. **GDP per worker, 2019** (between countries): ln(GDP per worker) of TL2 regions on the
   country's autonomy, controlling for ln(national GDP per head).

Every main estimate gets a restricted wild cluster bootstrap p-value and interval
(`estimation.wild_cluster_bootstrap`, B = BOOT_B, seed = SEED). The UK counterfactual is
b × (OECD median − UK value) of the measure, in the latest year both exist.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

from . import panels
from .estimation import Estimate, EstimationError, fit_fe, wild_cluster_bootstrap

from .study import SEED  # the study's one seed (fiscalbook.study)
BOOT_B = 999
OUTCOME = "log_gdp_per_head"
MEASURES: tuple[str, ...] = panels.MAIN_MEASURES

# Fallback labels (the chapter prefers autonomy.MEASURES when it has the measure).
_LABELS = {
    "rai_fiscal_autonomy": ("RAI fiscal autonomy", "index 0–4"),
    "rai_self_rule": ("RAI self-rule", "index 0–18"),
    "imf_tax_share": ("IMF sub-national tax share", "share 0–1"),
    "imf_own_spending_share": ("IMF sub-national own-spending share", "share 0–1"),
    "imf_vfi": ("IMF vertical fiscal imbalance", "share 0–1"),
    "reg_fiscal_autonomy": ("Region's own RAI fiscal autonomy", "index 0–4"),
    "reg_self_rule": ("Region's own RAI self-rule", "index 0–18"),
}


def label(measure: str) -> str:
    try:
        from .autonomy import MEASURES as M
        return M[measure]["label"]
    except Exception:
        return _LABELS.get(measure, (measure, ""))[0]


def unit(measure: str) -> str:
    try:
        from .autonomy import MEASURES as M
        return M[measure]["unit"]
    except Exception:
        return _LABELS.get(measure, (measure, ""))[1]


# ----------------------------------------------------------------------------------------
# panels (memoised per kernel)


@cache
def _panel(source: str, sample: str) -> pd.DataFrame:
    return panels.tl2_panel(source=source, lags=(1, 3), sample=sample)


def panel(source: str = "outlook", sample: str = "all") -> pd.DataFrame:
    return _panel(source, sample).copy()


def boot_estimate(df, outcome, regs, term, fe=(), B: int = BOOT_B, seed: int = SEED) -> Estimate:
    """Wild cluster bootstrap by country; when the test-inversion interval is unbounded
    (the data cannot exclude any value, which happens when one or two countries carry the
    estimate), the p-value is kept and the interval is reported as missing (NaN)."""
    try:
        return wild_cluster_bootstrap(df, outcome, regs, term, fe=fe, cluster="iso3", B=B, seed=seed)
    except EstimationError as e:
        if "unbounded" not in str(e):
            raise
        return wild_cluster_bootstrap(df, outcome, regs, term, fe=fe, cluster="iso3", B=B,
                                      seed=seed, ci=False)


def n_changing(df: pd.DataFrame, x: str, tol: float = 1e-9) -> int:
    """Countries whose value of `x` changes at least once within the sample."""
    return int((df.groupby("iso3")[x].agg(lambda s: s.max() - s.min()) > tol).sum())


def regressor(measure: str, lag: int = 0) -> str:
    return measure if lag == 0 else f"{measure}_lag{lag}"


# ----------------------------------------------------------------------------------------
# 1–2. country-level autonomy, region and year FE


def fit(df: pd.DataFrame, measure: str, lag: int = 0, interaction: bool = False,
        bootstrap: bool = True, B: int = BOOT_B, seed: int = SEED,
        outcome: str = OUTCOME) -> dict:
    """One region-year model. Returns {"fit", "est", "boot", "term", "n_countries", ...}.

    With ``interaction`` the reported term is ``<regressor>_x_lagging`` (the extra slope
    for regions that started below their country's GDP per head); the main effect is then
    the slope for regions that started above it.
    """
    x = regressor(measure, lag)
    d = df.dropna(subset=[x, outcome]).copy()
    regs = [x]
    term = x
    if interaction:
        d["lagging_f"] = d["lagging"].astype(float)
        d[f"{x}_x_lagging"] = d[x] * d["lagging_f"]
        regs = [x, f"{x}_x_lagging"]
        term = f"{x}_x_lagging"
    res = fit_fe(d, outcome, regs, fe=("region", "year"), cluster="iso3")
    boot = None
    if bootstrap:
        boot = boot_estimate(d, outcome, regs, term, fe=("region", "year"), B=B, seed=seed)
    sd = float(d.groupby(["iso3", "year"])[x].first().std())
    return dict(fit=res, est=res.estimate(term), main=res.estimate(x), boot=boot, term=term,
                measure=measure, lag=lag, sd=sd, n_countries=int(d["iso3"].nunique()),
                n_changing=n_changing(d, x),
                years=(int(d["year"].min()), int(d["year"].max())), data=d)


def main_estimates(source: str = "outlook", sample: str = "all", lags: Sequence[int] = (0,),
                   measures: Sequence[str] = MEASURES, interaction: bool = False,
                   bootstrap: bool = True, B: int = BOOT_B) -> dict:
    """{(measure, lag): fit dict} for every measure and lag (models that cannot be
    estimated, e.g. too few countries with the measure, are skipped and listed under
    the key "skipped")."""
    df = panel(source, sample)
    out, skipped = {}, []
    for m in measures:
        for L in lags:
            try:
                out[(m, L)] = fit(df, m, lag=L, interaction=interaction, bootstrap=bootstrap, B=B)
            except (EstimationError, KeyError) as e:
                skipped.append((m, L, str(e)))
    out["skipped"] = skipped
    return out


def summary(results: dict) -> pd.DataFrame:
    """Tidy table of a main_estimates result: measure, lag, coef, CR1 CI and p, bootstrap
    p and CI, N, countries, years, SD of the measure."""
    rows = []
    for key, r in results.items():
        if key == "skipped":
            continue
        e, b = r["est"], r["boot"]
        rows.append(dict(measure=r["measure"], label=label(r["measure"]), lag=r["lag"],
                         term=r["term"], coef=e.coef, se=e.se, ci_low=e.ci_low,
                         ci_high=e.ci_high, p=e.p,
                         boot_p=b.p if b else np.nan, boot_ci_low=b.ci_low if b else np.nan,
                         boot_ci_high=b.ci_high if b else np.nan,
                         n_obs=e.n_obs, n_countries=r["n_countries"],
                         n_changing=r["n_changing"],
                         first_year=r["years"][0], last_year=r["years"][1], sd=r["sd"]))
    return pd.DataFrame(rows)


def scaled(est: Estimate, factor: float, term: str | None = None) -> Estimate:
    """The estimate times a constant (e.g. per standard deviation of the measure, or for
    the UK's gap to the OECD median); a negative factor swaps the interval ends."""
    lo, hi = sorted((est.ci_low * factor, est.ci_high * factor))
    return dataclasses.replace(est, term=term or est.term, coef=est.coef * factor,
                               se=abs(est.se * factor), ci_low=lo, ci_high=hi)


# ----------------------------------------------------------------------------------------
# the UK counterfactual


def uk_gap(measure: str, autonomy: pd.DataFrame | None = None,
           members: Sequence[str] | None = None, min_countries: int = 10) -> dict:
    """UK value, OECD median and their difference for `measure`, in the latest year in
    which the UK and at least `min_countries` OECD members have a value."""
    if autonomy is None:
        autonomy = panels.autonomy_table()
    if members is None:
        from .countries import OECD_MEMBERS as members
    a = autonomy.loc[autonomy["iso3"].isin(set(members)), ["iso3", "year", measure]].dropna()
    uk = a.loc[a["iso3"] == "GBR"].set_index("year")[measure]
    counts = a.groupby("year")[measure].size()
    ok = [y for y in uk.index if counts.get(y, 0) >= min_countries]
    if not ok:
        raise ValueError(f"no year with a UK value and {min_countries} OECD members for {measure}")
    year = max(ok)
    med = float(a.loc[a["year"] == year, measure].median())
    return dict(measure=measure, year=int(year), uk=float(uk[year]), median=med,
                delta=med - float(uk[year]), n_countries=int(counts[year]))


def uk_effect(est: Estimate, gap: dict) -> dict:
    """Predicted change in UK regional ln(GDP per head) (and in %) if the UK's measure
    moved to the OECD median: b × delta, with the estimate's interval."""
    s = scaled(est, gap["delta"])
    pct = lambda v: 100 * (np.exp(v) - 1)  # noqa: E731
    return dict(log=s.coef, log_low=s.ci_low, log_high=s.ci_high,
                pct=pct(s.coef), pct_low=pct(s.ci_low), pct_high=pct(s.ci_high))


# ----------------------------------------------------------------------------------------
# 3. region-specific autonomy from the RAI regional file
#
# Each row maps one RAI v2 regional unit (iso3, region_id) to the TL2 regions it governs.
# "*" means every TL2 region of the country without a specific unit in that year. A TL2
# region's score in a year is the highest score among the units mapped to it that exist in
# that year (residents face the most autonomous regional tier above them); where no
# specific unit exists in a year (e.g. Jeju before 2006) the "*" units apply. Units that
# cover only part of a TL2 region, or no TL2 region, are left out (listed in RAI_LEFT_OUT).
RAI_TL2: list[tuple[str, int, str, tuple[str, ...] | str, str]] = [
    # iso3, RAI region_id, RAI unit, TL2 codes or "*", reason
    ("GBR", 4101, "Counties (England)", ("UKC", "UKD", "UKE", "UKF", "UKG", "UKH", "UKJ", "UKK"),
     "English shire counties lie in the eight English TL2 regions outside London"),
    ("GBR", 4102, "Regions (England)", ("UKC", "UKD", "UKE", "UKF", "UKG", "UKH", "UKJ", "UKK"),
     "English regional chambers/RDAs = the English ITL1/TL2 regions; London has the GLA"),
    ("GBR", 4103, "Greater London Authority", ("UKI",), "GLA area = TL2 UKI Greater London"),
    ("GBR", 4104, "Northern Ireland", ("UKN",), "same territory"),
    ("GBR", 4105, "Scotland", ("UKM",), "same territory"),
    ("GBR", 4106, "Wales", ("UKL",), "same territory"),
    ("BEL", 406, "Brussels-Capital Region", ("BE1",), "same territory"),
    ("BEL", 402, "Vlaamse Gemeenschap (Flemish region and community)", ("BE2",),
     "merged Flemish institutions govern the Flemish Region (TL2 BE2; absent from the Outlook file)"),
    ("BEL", 405, "Région wallonne", ("BE3",), "same territory"),
    ("BEL", 401, "Provinces", ("BE2", "BE3"), "provinces exist in Flanders and Wallonia only"),
    ("ESP", 3707, "Comunidades autónomas (common regime)", "*",
     "the 17 autonomous communities are TL2 regions; 3707 and 3708 score the same 2000–2010"),
    ("ESP", 3701, "Provincias", "*", "provinces sit inside every autonomous community"),
    ("ESP", 3710, "Galicia", ("ES11",), "same territory"),
    ("ESP", 3711, "Navarra", ("ES22",), "same territory (foral regime)"),
    ("ESP", 3712, "Catalonia", ("ES51",), "same territory"),
    ("ESP", 3713, "Basque Country", ("ES21",), "same territory"),
    ("ESP", 3702, "Araba/Álava (foral province)", ("ES21",), "Basque foral provinces hold the tax powers"),
    ("ESP", 3703, "Bizkaia (foral province)", ("ES21",), "Basque foral provinces hold the tax powers"),
    ("ESP", 3704, "Gipuzkoa (foral province)", ("ES21",), "Basque foral provinces hold the tax powers"),
    ("ESP", 3714, "Ceuta", ("ES63",), "same territory"),
    ("ESP", 3715, "Melilla", ("ES64",), "same territory"),
    ("ITA", 2004, "Regioni a statuto ordinario", "*", "ordinary-statute regions are TL2 regions"),
    ("ITA", 2001, "Province", "*", "provinces sit inside the regions"),
    ("ITA", 2005, "Friuli-Venezia Giulia", ("ITH4",), "same territory"),
    ("ITA", 2006, "Sardegna", ("ITG2",), "same territory"),
    ("ITA", 2007, "Sicilia", ("ITG1",), "same territory"),
    ("ITA", 2009, "Valle d'Aosta", ("ITC2",), "same territory"),
    ("ITA", 2008, "Trentino-Alto Adige", ("ITH1", "ITH2"), "the region spans the two TL2 provinces"),
    ("ITA", 2002, "Südtirol-Alto Adige", ("ITH1",), "autonomous province = TL2 ITH1"),
    ("ITA", 2003, "Trentino", ("ITH2",), "autonomous province = TL2 ITH2"),
    ("PRT", 3104, "CCDR (mainland planning regions)", "*", "mainland TL2 regions"),
    ("PRT", 3101, "Distritos", "*", "mainland districts"),
    ("PRT", 3102, "Azores", ("PT20",), "same territory"),
    ("PRT", 3103, "Madeira", ("PT30",), "same territory"),
    ("FIN", 1301, "Läänit (provinces, to 2009)", "*", "mainland state regional offices"),
    ("FIN", 1302, "Aluehallintovirasto (from 2010)", "*", "mainland state regional offices"),
    ("FIN", 1303, "Maakuntien (regional councils)", "*", "regional councils cover the mainland"),
    ("FIN", 1305, "Åland", ("FI20",), "same territory"),
    ("CAN", 701, "Provinces", "*", "provinces are TL2 regions"),
    ("CAN", 702, "Quebec", ("CA24",), "same territory"),
    ("CAN", 703, "Northwest Territories", ("CA61",), "same territory"),
    ("CAN", 704, "Yukon", ("CA60",), "same territory"),
    ("CAN", 705, "Nunavut", ("CA62",), "same territory"),
    ("AUS", 201, "States", "*", "states are TL2 regions"),
    ("AUS", 202, "Northern Territory", ("AU7",), "same territory"),
    ("AUS", 203, "Australian Capital Territory", ("AU8",), "same territory"),
    ("USA", 4201, "States", "*", "states are TL2 regions"),
    ("USA", 4206, "Washington DC", ("US11",), "same territory"),
    ("MEX", 11801, "Estados", "*", "states are TL2 regions"),
    ("MEX", 11802, "Distrito Federal", ("ME09",), "same territory (Mexico City)"),
    ("COL", 10701, "Departamentos", "*", "departments are TL2 regions"),
    ("COL", 10702, "Distrito Capital", ("CO11",), "same territory (Bogotá)"),
    ("COL", 10703, "San Andrés, Providencia y Santa Catalina", ("CO88",), "same territory"),
    ("KOR", 8401, "Do / gwangyeoksi", "*", "provinces and metropolitan cities within TL2 regions"),
    ("KOR", 8402, "Jeju (special self-governing province, from 2006)", ("KR07",), "same territory"),
    ("FRA", 1402, "Régions", "*", "regions are TL2 regions (2016 map; RAI scores are uniform)"),
    ("FRA", 1401, "Départements", "*", "departments sit inside the regions"),
    ("FRA", 1403, "Corse", ("FRM",), "same territory"),
]

RAI_LEFT_OUT: dict[tuple[str, int], str] = {
    ("BEL", 403): "French Community: a community, not a territory",
    ("BEL", 404): "German-speaking Community: part of Wallonia only",
    ("ESP", 3708): "second class of common-regime communities; scores equal to 3707",
    ("ESP", 3705): "Catalan comarcas: below TL2, lower scores than the region",
    ("ESP", 3706): "Val d'Aran: part of Catalonia only",
    ("FIN", 1304): "Kainuu: part of Eastern and Northern Finland only",
    ("CAN", 706): "Indian Act bands: not territorial units",
    ("CAN", 707): "self-government agreements: not territorial units",
    ("CAN", 708): "Ontario counties: below TL2, lower scores than the province",
    ("CAN", 709): "Quebec regional conferences: below TL2",
    ("USA", 4204): "Puerto Rico: not an OECD TL2 region",
    ("USA", 4205): "Indian tribes: not territorial units",
    ("DNK", 1103): "Faroe Islands: not an OECD TL2 region",
    ("DNK", 1104): "Greenland: not an OECD TL2 region",
}


def rai_tl2_table() -> pd.DataFrame:
    """The mapping as a table: iso3, region_id, rai_unit, tl2, reason (one row per unit and
    TL2 code; tl2 "*" for the country's remaining regions)."""
    rows = []
    for iso, rid, name, codes, why in RAI_TL2:
        for c in ([codes] if codes == "*" else codes):
            rows.append(dict(iso3=iso, region_id=rid, rai_unit=name, tl2=c, reason=why))
    return pd.DataFrame(rows)


def build_regional_autonomy(rai: pd.DataFrame, tl2: pd.DataFrame,
                            scores: Sequence[str] = ("fiscal_autonomy", "self_rule")) -> pd.DataFrame:
    """Region-year RAI scores for TL2 regions of the mapped countries.

    `rai`: iso3, region_id, year and the score columns (tables.rai_regional()).
    `tl2`: iso3, region (the TL2 regions to score). Returns iso3, region, year,
    reg_<score> for each score, and n_units (units that entered the maximum).
    """
    m = rai_tl2_table()
    countries = set(m["iso3"])
    rai = rai.loc[rai["iso3"].isin(countries)].copy()
    rai["region_id"] = rai["region_id"].astype(int)
    rai = rai.groupby(["iso3", "region_id", "year"], as_index=False)[list(scores)].max()
    tl2 = tl2.loc[tl2["iso3"].isin(countries), ["iso3", "region"]].drop_duplicates()
    specific = m.loc[m["tl2"] != "*"].rename(columns={"tl2": "region"})
    star = m.loc[m["tl2"] == "*"]
    s = specific.merge(rai, on=["iso3", "region_id"])
    s = s.loc[s["region"].isin(tl2["region"])]
    s_max = s.groupby(["iso3", "region", "year"])[list(scores)].max()
    s_n = s.groupby(["iso3", "region", "year"]).size().rename("n_units")
    st = star.merge(rai, on=["iso3", "region_id"]).merge(tl2, on="iso3")
    st_max = st.groupby(["iso3", "region", "year"])[list(scores)].max()
    st_n = st.groupby(["iso3", "region", "year"]).size().rename("n_units")
    spec_part = pd.concat([s_max, s_n], axis=1)
    star_part = pd.concat([st_max, st_n], axis=1)
    # "*" units apply only where a region-year has no specific unit
    star_part = star_part.loc[~star_part.index.isin(spec_part.index)]
    out = pd.concat([spec_part, star_part]).reset_index()
    out = out.rename(columns={c: f"reg_{c}" for c in scores})
    return out.sort_values(["iso3", "region", "year"]).reset_index(drop=True)


@cache
def _regional_autonomy() -> pd.DataFrame:
    from . import tables

    return build_regional_autonomy(tables.rai_regional(), tables.tl2_outlook())


def regional_autonomy() -> pd.DataFrame:
    return _regional_autonomy().copy()


def regional_panel(source: str = "outlook") -> pd.DataFrame:
    """The TL2 panel (2000–2010) of the mapped countries with region-specific RAI scores
    and a country × year identifier."""
    df = panel(source)
    ra = regional_autonomy()
    out = df.merge(ra, on=["iso3", "region", "year"], how="inner", validate="one_to_one")
    out["country_year"] = out["iso3"] + "_" + out["year"].astype(str)
    out["is_capital_f"] = out["is_capital"].astype(float)
    return out


def regional_fits(source: str = "outlook", measure: str = "reg_fiscal_autonomy",
                  B: int = BOOT_B) -> dict:
    """Region-specific autonomy: (a) country × year FE with a capital control (between
    regions of one country), (b) plus region FE (within region over time)."""
    d = regional_panel(source)
    out = {}
    for name, fe, regs in [("between", ("country_year",), [measure, "is_capital_f"]),
                           ("within", ("region", "country_year"), [measure])]:
        try:
            r = fit_fe(d, OUTCOME, regs, fe=fe, cluster="iso3")
            b = boot_estimate(d, OUTCOME, regs, measure, fe=fe, B=B)
            out[name] = dict(fit=r, est=r.estimate(measure), boot=b)
        except EstimationError as e:
            out[name] = dict(error=str(e))
    # how much within-country variation there is to learn from
    v = d.groupby("country_year")[measure].nunique()
    within_r = d.groupby("region")[measure].nunique()
    out["n_country_years_varying"] = int((v > 1).sum())
    out["n_countries_varying"] = int(d.loc[d["country_year"].isin(v.index[v > 1]), "iso3"].nunique())
    out["n_regions_changing"] = int((within_r > 1).sum())
    out["n_obs"] = len(d)
    out["data"] = d
    return out


# ----------------------------------------------------------------------------------------
# 4. GDP per worker, 2019


def per_worker_frame(year: int = 2019, measures: Sequence[str] = MEASURES) -> pd.DataFrame:
    """TL2 ln(GDP per worker) in `year` with each country's latest autonomy value up to
    that year (the last available year within five years, recorded per measure) and ln
    national GDP per head (DF_GDP country rows, USD PPP per head at constant 2015 prices,
    same year and table as the per-worker figures)."""
    from . import tables

    pw = tables.gdp_per_worker("TL2")
    val = [c for c in pw.columns if c.startswith("gdp_per_worker")][0]
    pw = pw.loc[(pw["year"] == year) & (pw[val] > 0), ["iso3", "region", val]].dropna()
    pw["log_gdp_per_worker"] = np.log(pw[val])
    g = tables.sdmx_gdp()
    nat = g.loc[(g["level"] == "CTRY") & (g["year"] == year) & (g["measure"] == "GDP")
                & (g["unit"] == "USD_PPP_PS") & (g["prices"] == "Q"), ["iso3", "value"]]
    if nat["iso3"].duplicated().any():
        raise ValueError("DF_GDP has more than one national GDP per head per country")
    nat = nat.rename(columns={"value": "national_gdp_per_head"})
    pw = pw.merge(nat, on="iso3", how="left")
    pw["log_national_gdp_per_head"] = np.log(pw["national_gdp_per_head"])
    a = panels.autonomy_table()
    for m in measures:
        s = a.loc[(a["year"] <= year), ["iso3", "year", m]].dropna()
        s = s.loc[s["year"] >= year - 5].sort_values("year").groupby("iso3").last()
        pw[m] = pw["iso3"].map(s[m])
        pw[f"{m}_year"] = pw["iso3"].map(s["year"])
    return pw


def per_worker_fits(year: int = 2019, measures: Sequence[str] = MEASURES, B: int = BOOT_B,
                    control: bool = False) -> dict:
    """Between countries: TL2 ln GDP per worker in `year` on the country's autonomy.

    No control by default: national GDP per head is itself raised by any effect of autonomy
    on regional productivity (a levels effect), so holding it fixed would absorb the effect
    being tested (a bad control). `control=True` adds ln national GDP per head as the
    labelled alternative ("among countries of similar income")."""
    d = per_worker_frame(year, measures)
    regs = ["log_national_gdp_per_head"] if control else []
    out = {}
    for m in measures:
        try:
            dd = d.dropna(subset=[m, *regs])
            r = fit_fe(dd, "log_gdp_per_worker", [m, *regs], cluster="iso3")
            b = boot_estimate(dd, "log_gdp_per_worker", [m, *regs], m, B=B)
            out[m] = dict(fit=r, est=r.estimate(m), boot=b, n_countries=int(dd["iso3"].nunique()))
        except EstimationError as e:
            out[m] = dict(error=str(e))
    return out


# ----------------------------------------------------------------------------------------
# headline


def estimate_fields(prefix: str, est: Estimate, boot: Estimate, n_countries: int) -> dict:
    """The headline fields of one measure: clustered and wild-bootstrap inference."""
    return {f"{prefix}_coef": est.coef, f"{prefix}_ci_low": est.ci_low, f"{prefix}_ci_high": est.ci_high,
            f"{prefix}_p": est.p, f"{prefix}_boot_p": boot.p, f"{prefix}_boot_ci_low": boot.ci_low,
            f"{prefix}_boot_ci_high": boot.ci_high, f"{prefix}_n_countries": n_countries}


@cache
def _headline() -> dict:
    res = main_estimates("outlook", lags=(0,), measures=("rai_fiscal_autonomy", "imf_tax_share"))
    out = {}
    for m in ("rai_fiscal_autonomy", "imf_tax_share"):
        r = res.get((m, 0))
        if r is None:
            continue
        e, b = r["est"], r["boot"]
        gap = uk_gap(m)
        eff = uk_effect(b, gap)
        out.update(estimate_fields(m, e, b, r["n_countries"]))
        out.update({f"{m}_uk_pct": eff["pct"], f"{m}_uk_pct_low": eff["pct_low"],
                    f"{m}_uk_pct_high": eff["pct_high"], f"{m}_uk_gap": gap["delta"]})
    return out


def headline() -> dict:
    """The H3 numbers for the verdict chapter: for RAI fiscal autonomy and the IMF tax
    share (Outlook panel, region and year FE, lag 0): coefficient, CR1 CI and p, wild
    bootstrap p and CI, countries, and the UK effect (in % of regional GDP per head, with
    the bootstrap interval) of moving to the OECD median."""
    return dict(_headline())


# ----------------------------------------------------------------------------------------
# everything the chapter shows, computed once

# +1 when a higher value means more sub-national autonomy, -1 when it means less (VFI).
DIRECTION = {"rai_fiscal_autonomy": 1, "rai_self_rule": 1, "imf_tax_share": 1,
             "imf_own_spending_share": 1, "imf_vfi": -1}

SHORT = {"rai_fiscal_autonomy": "rfa", "rai_self_rule": "rsr", "imf_tax_share": "tax",
         "imf_own_spending_share": "spend", "imf_vfi": "vfi"}


def _pct(v: float) -> float:
    return float(100 * (np.exp(v) - 1))


@cache
def _report(B: int = BOOT_B) -> dict:
    main = main_estimates("outlook", lags=(0, 1, 3), B=B)
    inter = main_estimates("outlook", lags=(0,), interaction=True, B=B)
    stat = main_estimates("oecd_stat", lags=(0,), B=B)
    nocap = main_estimates("outlook", sample="no_capital", lags=(0,), B=B)
    return dict(main=main, inter=inter, stat=stat, nocap=nocap)


def report(B: int = BOOT_B) -> dict:
    """All H3 estimates for the chapter: {"main" (Outlook, lags 0/1/3), "inter" (lagging
    interaction), "stat" (OECD.Stat panel), "nocap" (no capital regions)} of
    main_estimates results."""
    return _report(B)


def uk_table(results: dict) -> pd.DataFrame:
    """Per measure: UK value, OECD median, year, and the predicted % change in UK regional
    GDP per head at the median (bootstrap interval) from the lag-0 Outlook model."""
    rows = []
    for m in MEASURES:
        r = results.get((m, 0))
        if r is None:
            continue
        try:
            g = uk_gap(m)
        except ValueError:
            continue
        eff = uk_effect(r["boot"], g)
        rows.append(dict(measure=m, label=label(m), year=g["year"], uk=g["uk"],
                         median=g["median"], delta=g["delta"], pct=eff["pct"],
                         pct_low=eff["pct_low"], pct_high=eff["pct_high"]))
    return pd.DataFrame(rows)


def coef_frame(rep: dict) -> pd.DataFrame:
    """Standardised estimates (per standard deviation of the measure across country-years
    of each estimation sample) for the coefficient plot, CR1 and bootstrap."""
    from . import coefplot

    specs = [("Outlook, same year", rep["main"], 0), ("Outlook, 1-year lag", rep["main"], 1),
             ("Outlook, 3-year lag", rep["main"], 3), ("Outlook, no capital regions", rep["nocap"], 0),
             ("OECD.Stat (not imputed)", rep["stat"], 0)]
    frames = []
    for m in MEASURES:
        ests = {}
        for name, res, L in specs:
            r = res.get((m, L))
            if r is None:
                continue
            ests[name] = [scaled(r["est"], r["sd"], term=label(m)),
                          scaled(r["boot"], r["sd"], term=label(m))]
        if ests:
            frames.append(coefplot.estimates_frame(ests))
    return pd.concat(frames, ignore_index=True)


def _est_values(prefix: str, r: dict) -> dict:
    e, b = r["est"], r["boot"]
    out = {f"{prefix}_coef": e.coef, f"{prefix}_ci_low": e.ci_low,
           f"{prefix}_ci_high": e.ci_high, f"{prefix}_p": e.p,
           f"{prefix}_n_countries": e.n_clusters}
    if b is not None:
        out[f"{prefix}_bp"] = b.p
        if np.isfinite(b.ci_low) and np.isfinite(b.ci_high):
            out.update({f"{prefix}_bci_low": b.ci_low, f"{prefix}_bci_high": b.ci_high})
    if "n_changing" in r:
        out[f"{prefix}_n_changing"] = r["n_changing"]
    return out


def glue_values(rep: dict, regional: dict | None = None, per_worker: dict | None = None,
                per_worker_control: dict | None = None) -> dict:
    """Flat {key: number} of every estimate the chapter quotes (keys without the chapter
    prefix): <short>_<spec>_<stat> for each measure, the UK counterfactual, the regional
    RAI models and the per-worker check, and counts across measures."""
    out = {}
    n_pos = n_sig = n_main = 0
    for m, s in SHORT.items():
        r = rep["main"].get((m, 0))
        if r is None:
            continue
        n_main += 1
        n_pos += DIRECTION[m] * r["est"].coef > 0  # more autonomy, higher GDP per head
        n_sig += r["boot"].p < 0.05
        out.update(_est_values(s, r))
        out[f"{s}_first_year"], out[f"{s}_last_year"] = r["years"]
        for L in (1, 3):
            if (m, L) in rep["main"]:
                out.update(_est_values(f"{s}_lag{L}", rep["main"][(m, L)]))
        for key, res in (("int", rep["inter"]), ("stat", rep["stat"]), ("nocap", rep["nocap"])):
            if (m, 0) in res:
                out.update(_est_values(f"{s}_{key}", res[(m, 0)]))
        try:
            g = uk_gap(m)
        except ValueError:
            continue
        eff = uk_effect(r["boot"], g)
        out.update({f"{s}_uk": g["uk"], f"{s}_median": g["median"], f"{s}_uk_year": g["year"],
                    f"{s}_uk_pct": eff["pct"], f"{s}_uk_pct_low": eff["pct_low"],
                    f"{s}_uk_pct_high": eff["pct_high"]})
    out.update(n_main=n_main, n_positive=n_pos, n_sig_boot=n_sig)
    if regional:
        for name in ("between", "within"):
            if "est" in regional.get(name, {}):
                out.update(_est_values(f"rai_{name}", regional[name]))
        for k in ("n_country_years_varying", "n_countries_varying", "n_regions_changing", "n_obs"):
            out[f"rai_{k}"] = regional[k]
    for tag, pw in (("pw", per_worker), ("pw_ctl", per_worker_control)):
        for m, s in SHORT.items():
            r = (pw or {}).get(m, {})
            if "est" in r:
                out.update(_est_values(f"{tag}_{s}", r))
    return out


def table_column(r: dict, label_: str, terms: dict[str, str] | None = None):
    """A regtable column for one fit dict with its terms renamed to shared row names, so
    that one row ("autonomy") runs across columns that each use a different measure.
    `terms` maps the fit's term names to the shared names (default: the measure's
    regressor -> "autonomy", its lagging interaction -> "autonomy_x_lagging")."""
    from . import regtable

    x = r["fit"].regressors[0]
    terms = terms or {x: "autonomy", f"{x}_x_lagging": "autonomy_x_lagging"}
    ests = [dataclasses.replace(r["fit"].estimate(t), term=new)
            for t, new in terms.items() if t in r["fit"].coef.index]
    boots = [dataclasses.replace(r["boot"], term=terms[r["boot"].term])] if r.get("boot") else []
    col = regtable.column(ests, label_, bootstrap=boots)
    col.r2_within = r["fit"].r2_within
    col.se_type = r["fit"].se_type
    return col
