"""The UK in context: how centralised, how unequal? (chapter `uk_context`, issue 3).

    from fiscalbook import uk_context
    uk_context.centralisation_ranks()   # H1: the UK's rank on each autonomy measure
    uk_context.disparity_ranks()        # H2: the UK's rank on each disparity index, 2019
    uk_context.headline()               # the chapter's key numbers, for the verdict chapter

Conventions
-----------
* Comparison set: OECD member countries (`countries.OECD_MEMBERS`) with data. Ranks use
  `method="min"` (ties share the better rank); N is the number of countries ranked.
* H1 ranks: rank 1 = the **most centralised** country. For measures where more autonomy
  means a higher number (tax share, own-spending share, RAI, LAI) the lowest value ranks
  1; for vertical fiscal imbalance and transfer dependence (more autonomy = lower) the
  highest value ranks 1. The direction is taken from `autonomy.MEASURES`. Each measure is
  ranked in the latest year in which its source has a UK value, among the countries with a
  value in that same year.
* H2 ranks: rank 1 = the **most unequal** country (highest index). Disparity is of GDP per
  head across regions within each country, from the Regional Outlook 2023 panels, every
  index in `disparity.ALL`, population-weighted and unweighted; headline year 2019 (the
  last pre-pandemic year). "Excluding the capital" drops the region containing the
  capital city (`disparity.CAPITALS`). The OECD median is the median across the countries
  ranked.
"""

from __future__ import annotations

from functools import cache

import altair as alt
import numpy as np
import pandas as pd
from scipy import stats

from . import charts, disparity
from .memo import disk_memo

UK = "GBR"
HEADLINE_YEAR = 2019
YEARS = (2000, 2020)
VALUE = "gdp_per_head_usd_ppp2015"

# H1 measures, in the order the chapter lists them (columns of autonomy.country_year()).
CENTRALISATION = (
    "imf_tax_share",
    "imf_own_spending_share",
    "imf_vfi",
    "imf_transfer_dependence",
    "rai_fiscal_autonomy",
    "rai_self_rule",
    "rai",
    "lai",
)
SOURCE = {"imf": "IMF Fiscal Decentralization Dataset", "rai": "Regional Authority Index",
          "lai": "Local Autonomy Index"}

# Countries left out of the TL2 comparison, with the reason (checked by a snapshot test, which
# fails once the source or reader is fixed so the exclusion can be lifted).
TL2_EXCLUDE = {
    "BEL": "the TL2 rows hold the Brussels Capital Region twice (BE1 and BE100, identical "
           "values) and no Flemish Region (BE2), so Belgium's TL2 disparity is not measurable",
}

# Short names and units for chart axes (full labels come from autonomy.MEASURES).
AXIS = {
    "imf_tax_share": ("Sub-national tax share", "share 0–1"),
    "imf_own_revenue_share": ("Sub-national own-revenue share", "share 0–1"),
    "imf_own_spending_share": ("Sub-national own-spending share", "share 0–1"),
    "imf_vfi": ("Vertical fiscal imbalance", "ratio ≤ 1"),
    "imf_transfer_dependence": ("Transfer dependence", "ratio"),
    "rai_fiscal_autonomy": ("RAI fiscal autonomy", "RAI points"),
    "rai_self_rule": ("RAI self-rule", "RAI points"),
    "rai": ("Regional Authority Index", "RAI points"),
    "lai": ("Local Autonomy Index", "0–100"),
}

# The book's headline disparity measure: the Regional Outlook's unweighted Theil at TL2.
HEADLINE_INDEX = ("theil", "unweighted")


# --- small pure helpers (tested on synthetic data) --------------------------------------

def rank_of(values: pd.Series, target: str = UK, highest_first: bool = True) -> tuple[int, int]:
    """Rank of `target` in `values` (indexed by country), 1 = highest if `highest_first`.

    Missing values are left out of N. Ties share the better rank (method="min").
    Raises KeyError if the target has no value.
    """
    v = values.dropna()
    if target not in v.index:
        raise KeyError(f"{target} has no value to rank")
    r = v.rank(ascending=not highest_first, method="min")
    return int(r[target]), int(len(v))


def band(df: pd.DataFrame, value: str, by: list[str], target: str = UK) -> pd.DataFrame:
    """Across countries, per group in `by`: median, quartiles, N, and the target's value."""
    g = df.dropna(subset=[value]).groupby(by)[value]
    out = pd.DataFrame({
        "median": g.median(),
        "q25": g.quantile(0.25),
        "q75": g.quantile(0.75),
        "n": g.size(),
    })
    uk = df[df["iso3"] == target].set_index(by)[value].rename("uk")
    return out.join(uk).reset_index()


def measure_spec(measures=CENTRALISATION) -> dict[str, dict]:
    """label and more_autonomy_when ('higher'/'lower') per measure, from autonomy.MEASURES."""
    from . import autonomy

    out = {}
    for m in measures:
        spec = autonomy.MEASURES[m]
        d = spec if isinstance(spec, dict) else vars(spec)
        out[m] = {"label": d["label"], "more_autonomy_when": d["more_autonomy_when"]}
    return out


# --- H1: how centralised ----------------------------------------------------------------

@cache
def _autonomy_oecd() -> pd.DataFrame:
    from . import autonomy, countries

    df = autonomy.country_year()
    return df[df["iso3"].isin(countries.OECD_MEMBERS)].reset_index(drop=True)


def autonomy_oecd() -> pd.DataFrame:
    """autonomy.country_year() restricted to OECD member countries."""
    return _autonomy_oecd().copy()


def centralisation_ranks(data: pd.DataFrame | None = None, measures=CENTRALISATION,
                         spec: dict | None = None) -> pd.DataFrame:
    """The UK's rank on each measure (1 = most centralised), in the UK's latest year.

    Columns: measure, label, source, year, uk_value, rank, n, oecd_median, uk_minus_median,
    more_autonomy_when, top_quarter (True if the UK is in the most centralised quarter:
    rank <= N / 4).
    """
    df = autonomy_oecd() if data is None else data
    spec = measure_spec(measures) if spec is None else spec
    rows = []
    for m in measures:
        uk = df[(df["iso3"] == UK) & df[m].notna()]
        if uk.empty:
            continue
        year = int(uk["year"].max())
        cross = df[df["year"] == year].set_index("iso3")[m]
        direction = spec[m]["more_autonomy_when"]
        if direction not in ("higher", "lower"):
            raise ValueError(f"{m}: more_autonomy_when must be 'higher' or 'lower', got {direction!r}")
        # most centralised first: lowest value if more autonomy = higher, else highest
        rank, n = rank_of(cross, UK, highest_first=(direction == "lower"))
        median = float(cross.median())
        rows.append({
            "measure": m, "label": spec[m]["label"], "source": SOURCE[m.split("_")[0]],
            "year": year, "uk_value": float(cross[UK]), "rank": rank, "n": n,
            "oecd_median": median, "uk_minus_median": float(cross[UK]) - median,
            "more_autonomy_when": direction,
        })
    out = pd.DataFrame(rows)
    out["top_quarter"] = [in_extreme_quarter(r, n) for r, n in zip(out["rank"], out["n"])]
    return out


def rank_history(data: pd.DataFrame | None = None, measures=CENTRALISATION,
                 spec: dict | None = None) -> pd.DataFrame:
    """The UK's rank (1 = most centralised) and N on each measure in every year the UK has a
    value: measure, year, rank, n."""
    df = autonomy_oecd() if data is None else data
    spec = measure_spec(measures) if spec is None else spec
    rows = []
    for m in measures:
        highest_first = spec[m]["more_autonomy_when"] == "lower"
        for year, g in df[df[m].notna()].groupby("year"):
            s = g.set_index("iso3")[m]
            if UK in s.index:
                rank, n = rank_of(s, UK, highest_first=highest_first)
                rows.append({"measure": m, "year": int(year), "rank": rank, "n": n})
    return pd.DataFrame(rows)


def centralisation_bands(data: pd.DataFrame | None = None, measures=CENTRALISATION) -> pd.DataFrame:
    """Per measure and year: OECD median, quartiles, N and the UK's value (long)."""
    df = autonomy_oecd() if data is None else data
    long = df.melt(id_vars=["iso3", "year"], value_vars=list(measures), var_name="measure")
    out = band(long, "value", ["measure", "year"])
    return out[out["n"] >= 5].reset_index(drop=True)


# --- H2: how unequal --------------------------------------------------------------------

def _clip_years(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["year"].between(*YEARS)]


@cache
def _disparity_long() -> pd.DataFrame:
    from . import tables

    parts = []
    tl2 = tables.tl2_outlook()
    tl2 = tl2[~tl2["iso3"].isin(list(TL2_EXCLUDE))]
    from . import countries

    for level, frame in (("TL2", tl2), ("TL3", tables.tl3_metro())):
        frame = _clip_years(frame[frame["iso3"].isin(countries.OECD_MEMBERS)])
        for sample, f in (("all", frame), ("excl_capital", disparity.drop_capital(frame, level))):
            p = disparity.panel(f, value=VALUE)
            p.insert(0, "sample", sample)
            p.insert(0, "level", level)
            parts.append(p)
    return pd.concat(parts, ignore_index=True)


def disparity_long() -> pd.DataFrame:
    """Every disparity index of GDP per head, by level (TL2/TL3), sample (all regions /
    excluding the capital), country, year and weighting. Long."""
    return _disparity_long().copy()


def ranks_at(long: pd.DataFrame, keys=("level", "sample", "index", "weighting")) -> pd.DataFrame:
    """For each combination of `keys` in a long disparity table of one year: the UK's
    value, rank (1 = most unequal), N, OECD median and the UK's percentile (share of
    countries with a lower value)."""
    rows = []
    for key, g in long.dropna(subset=["value"]).groupby(list(keys)):
        s = g.set_index("iso3")["value"]
        if UK not in s.index:
            continue
        rank, n = rank_of(s, UK, highest_first=True)
        rows.append({**dict(zip(keys, key)), "uk_value": float(s[UK]), "rank": rank, "n": n,
                     "oecd_median": float(s.median()),
                     "uk_over_median": float(s[UK] / s.median()),
                     "share_below": float((s < s[UK]).mean())})
    return pd.DataFrame(rows)


def disparity_ranks(year: int = HEADLINE_YEAR) -> pd.DataFrame:
    """The UK's rank on every index, weighting, level and sample in `year`."""
    long = disparity_long()
    return ranks_at(long[long["year"] == year])


def disparity_bands() -> pd.DataFrame:
    """Per level, index, weighting and year (all regions): OECD median, quartiles, UK."""
    long = disparity_long()
    long = long[long["sample"] == "all"]
    return band(long, "value", ["level", "index", "weighting", "year"])


def rank_spread(ranks: pd.DataFrame) -> dict:
    """How much the UK's rank moves with the measure: min and max rank and where."""
    best = ranks.loc[ranks["rank"].idxmin()]
    worst = ranks.loc[ranks["rank"].idxmax()]
    return {"rank_min": int(best["rank"]), "rank_min_n": int(best["n"]), "rank_min_at": best.to_dict(),
            "rank_max": int(worst["rank"]), "rank_max_n": int(worst["n"]), "rank_max_at": worst.to_dict()}


# --- productivity: GDP per worker (OECD, 2019) and ONS within the UK --------------------

def drop_nested(df: pd.DataFrame, by=("iso3", "year"), region: str = "region") -> pd.DataFrame:
    """Drop regions whose code extends another region's code in the same group.

    The DF_GDP TL2 rows for the UK include UKI7 (a NUTS-2 part of London, UKI) beside UKI
    itself; counting both would count part of London twice. A code that has another code of
    the same country and year as a strict prefix is such a sub-region and is dropped.
    """
    keep = []
    for _, g in df.groupby(list(by), sort=False):
        codes = set(g[region])
        nested = {c for c in codes if any(o != c and c.startswith(o) for o in codes)}
        keep.append(g[~g[region].isin(nested)])
    return pd.concat(keep).sort_index() if keep else df.iloc[:0]


def per_worker_ranks(year: int = HEADLINE_YEAR, level: str = "TL2") -> pd.DataFrame:
    """Disparity of GDP per worker across regions in `year`, unweighted and employment-
    weighted, with the UK's rank (1 = most unequal)."""
    from . import tables

    pw = tables.gdp_per_worker(level=level)
    from . import countries

    pw = drop_nested(pw[(pw["year"] == year) & pw["iso3"].isin(countries.OECD_MEMBERS)])
    value = _per_worker_value_column(pw)
    weight = "employment" if "employment" in pw.columns else None
    p = disparity.panel(pw, value=value, population=weight,
                        weightings=("population", "unweighted") if weight else ("unweighted",))
    p["weighting"] = p["weighting"].replace({"population": "employment"})
    p.insert(0, "sample", "all")
    p.insert(0, "level", level)
    return ranks_at(p), p


def _per_worker_value_column(df: pd.DataFrame) -> str:
    cands = [c for c in df.columns if "per_worker" in c]
    if len(cands) != 1:
        raise KeyError(f"expected one per-worker value column, found {cands}")
    return cands[0]


# --- charts -------------------------------------------------------------------------------

WEIGHTING_LABELS = {"unweighted": "Unweighted (each region counts once)",
                    "population": "Population-weighted"}


def _series_long(bands: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Band table -> long rows with series 'United Kingdom' / 'OECD median' and the IQR."""
    base = bands[keys + ["year", "q25", "q75", "n"]]
    uk = base.assign(series="United Kingdom", value=bands["uk"])
    med = base.assign(series="OECD median", value=bands["median"])
    return pd.concat([med, uk], ignore_index=True).dropna(subset=["value"])


def chart_disparity_over_time(bands: pd.DataFrame | None = None) -> alt.LayerChart:
    """The UK's disparity index over time against the OECD median and inter-quartile band,
    with drop-downs for the index, the weighting and the regional level."""
    b = disparity_bands() if bands is None else bands
    b = b.assign(index_label=b["index"].map(disparity.LABELS),
                 weighting_label=b["weighting"].map(WEIGHTING_LABELS))
    d = _series_long(b, ["level", "index_label", "weighting_label"])
    d[["value", "q25", "q75"]] = d[["value", "q25", "q75"]].round(5)

    idx = alt.param(name="ctx_index", value=disparity.LABELS[HEADLINE_INDEX[0]],
                    bind=alt.binding_select(options=[disparity.LABELS[k] for k in disparity.ALL],
                                            name="Index: "))
    wt = alt.param(name="ctx_weighting", value=WEIGHTING_LABELS[HEADLINE_INDEX[1]],
                   bind=alt.binding_select(options=list(WEIGHTING_LABELS.values()), name="Weighting: "))
    lvl = alt.param(name="ctx_level", value="TL2",
                    bind=alt.binding_select(options=["TL2", "TL3"], name="Regions: "))
    base = alt.Chart(d).transform_filter(
        (alt.datum.index_label == idx) & (alt.datum.weighting_label == wt) & (alt.datum.level == lvl))
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    band_ = base.transform_filter(alt.datum.series == "OECD median").mark_area(
        color=charts.OTHER_COLOUR, opacity=0.25).encode(
        x=x, y=alt.Y("q25:Q", title="Disparity of GDP per head across regions (index value)",
                     scale=alt.Scale(zero=False)),
        y2="q75:Q")
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=["United Kingdom", "OECD median"],
                                       range=[charts.UK_COLOUR, "#333333"]))
    tooltip = [alt.Tooltip("series:N", title="Series"), alt.Tooltip("year:Q", title="Year"),
               alt.Tooltip("value:Q", title="Index", format=".3f"),
               alt.Tooltip("q25:Q", title="OECD 25th percentile", format=".3f"),
               alt.Tooltip("q75:Q", title="OECD 75th percentile", format=".3f"),
               alt.Tooltip("n:Q", title="Countries")]
    lines = base.mark_line(point=True).encode(x=x, y="value:Q", color=colour, tooltip=tooltip)
    return alt.layer(band_, lines).add_params(idx, wt, lvl).properties(
        title=alt.Title("Regional disparity of GDP per head: the UK against OECD countries",
                        subtitle="Shaded: OECD inter-quartile range across countries; choose the index, "
                                 "weighting and regional level below"),
        description="Line chart, 2000–2020, of a disparity index of regional GDP per head for the "
                    "United Kingdom and the median OECD country, with the inter-quartile range "
                    "across countries shaded. Drop-downs choose the index, the weighting and TL2 or TL3.",
        width=560, height=320)


# --- headline numbers ---------------------------------------------------------------------

SHORT = {"imf_tax_share": "tax", "imf_own_revenue_share": "revenue", "imf_own_spending_share": "spend",
         "imf_vfi": "vfi", "imf_transfer_dependence": "transfer", "rai_fiscal_autonomy": "rfa",
         "rai_self_rule": "rsr", "rai": "rai", "lai": "lai"}
W_SHORT = {"population": "pw", "unweighted": "uw", "employment": "ew"}
SAMPLE_SHORT = {"all": "all", "excl_capital": "excap"}


def in_extreme_quarter(rank: int, n: int) -> bool:
    """True if `rank` (1 = most extreme) lies in the most extreme quarter of `n` countries."""
    return rank <= n / 4


def _rank_keys(prefix: str, row) -> dict:
    return {f"{prefix}_rank": int(row["rank"]), f"{prefix}_n": int(row["n"]),
            f"{prefix}_uk": float(row["uk_value"]), f"{prefix}_median": float(row["oecd_median"])}


def h1_values(ranks: pd.DataFrame) -> dict:
    """Flat glue values for H1 from `centralisation_ranks()`."""
    out = {}
    for _, r in ranks.iterrows():
        key = SHORT[r["measure"]]
        out.update(_rank_keys(key, r))
        out[f"{key}_year"] = int(r["year"])
    quarter = list(ranks["top_quarter"])
    for m, key in (("imf_tax_share", "tax"), ("imf_own_spending_share", "spend"),
                   ("imf_vfi", "vfi"), ("imf_transfer_dependence", "transfer")):
        if f"{key}_uk" in out:  # shares and ratios also as percentages, for the prose
            out[f"{key}_uk_pct"] = 100 * out[f"{key}_uk"]
            out[f"{key}_median_pct"] = 100 * out[f"{key}_median"]
    out["h1_n_measures"] = len(ranks)
    out["h1_n_top_quarter"] = int(sum(quarter))
    out["h1_n_more_central_than_median"] = int((ranks["rank"] <= ranks["n"] / 2).sum())
    out["h1_n_not_top_quarter"] = len(ranks) - int(sum(quarter))
    return out


def distinct(ranks: pd.DataFrame) -> pd.DataFrame:
    """Ranks without the population-weighted max/min row, which repeats the unweighted one
    (weights play no part in max/min): the rows to count when summarising."""
    return ranks[~((ranks["index"] == "max_min") & (ranks["weighting"] != "unweighted"))]


def h2_values(ranks: pd.DataFrame) -> dict:
    """Flat glue values for H2 from `disparity_ranks()`; counts over distinct variants."""
    out = {}
    for _, r in ranks.iterrows():
        key = f"{r['level'].lower()}_{SAMPLE_SHORT[r['sample']]}_{r['index']}_{W_SHORT[r['weighting']]}"
        out.update(_rank_keys(key, r))
    d = distinct(ranks)
    for name, sub in (("h2", d), ("h2_tl2", d[(d.level == "TL2") & (d["sample"] == "all")]),
                      ("h2_tl3", d[(d.level == "TL3") & (d["sample"] == "all")]),
                      ("h2_tl2_excap", d[(d.level == "TL2") & (d["sample"] == "excl_capital")]),
                      ("h2_tl3_excap", d[(d.level == "TL3") & (d["sample"] == "excl_capital")])):
        out[f"{name}_n_variants"] = len(sub)
        out[f"{name}_rank_min"] = int(sub["rank"].min())
        out[f"{name}_rank_max"] = int(sub["rank"].max())
        out[f"{name}_n_above_median"] = int((sub["uk_value"] > sub["oecd_median"]).sum())
        out[f"{name}_n_top_quarter"] = int(sum(in_extreme_quarter(r, n) for r, n in zip(sub["rank"], sub["n"])))
    return out


def per_worker_values(ranks: pd.DataFrame) -> dict:
    out = {}
    ranks = ranks.copy()
    for _, r in ranks.iterrows():
        out.update(_rank_keys(f"pwk_{r['index']}_{W_SHORT[r['weighting']]}", r))
    ranks = distinct(ranks)
    out["pwk_n_above_median"] = int((ranks["uk_value"] > ranks["oecd_median"]).sum())
    out["pwk_n_variants"] = len(ranks)
    out["pwk_rank_min"] = int(ranks["rank"].min())
    out["pwk_rank_max"] = int(ranks["rank"].max())
    return out


# --- display tables -----------------------------------------------------------------------

def _rank_text(rank: int, n: int) -> str:
    return f"{int(rank)} of {int(n)}"


def disparity_table(ranks: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per index and weighting: UK value, OECD median and UK rank (1 = most
    unequal) at TL2 and TL3, and the rank without the capital region."""
    r = disparity_ranks() if ranks is None else ranks
    r = distinct(r).copy()
    r["rank_text"] = [_rank_text(a, b) for a, b in zip(r["rank"], r["n"])]
    rows = []
    for (idx, wt), g in r.groupby(["index", "weighting"], sort=False):
        g = g.set_index(["level", "sample"])
        row = {"Index": disparity.LABELS[idx],
               "Weighting": "either" if idx == "max_min" else wt}
        for level in ("TL2", "TL3"):
            a = g.loc[(level, "all")]
            row[f"{level}: UK"] = round(a["uk_value"], 3)
            row[f"{level}: OECD median"] = round(a["oecd_median"], 3)
            row[f"{level}: UK rank"] = a["rank_text"]
            row[f"{level} without capital: UK rank"] = g.loc[(level, "excl_capital"), "rank_text"]
        rows.append(row)
    order = {k: i for i, k in enumerate(disparity.LABELS.values())}
    out = pd.DataFrame(rows)
    return out.sort_values(["Index", "Weighting"], key=lambda s: s.map(order) if s.name == "Index" else s,
                           ignore_index=True)


def per_worker_table(ranks: pd.DataFrame) -> pd.DataFrame:
    """GDP per worker display table, indices in the order of disparity.ALL."""
    r = distinct(ranks)
    r = r.assign(_o=r["index"].map({k: i for i, k in enumerate(disparity.ALL)})).sort_values(["_o", "weighting"])
    return pd.DataFrame({
        "Index": r["index"].map(disparity.LABELS),
        "Weighting": np.where(r["index"] == "max_min", "either", r["weighting"]),
        "UK": r["uk_value"].round(3), "OECD median": r["oecd_median"].round(3),
        "UK rank (1 = most unequal)": [_rank_text(a, b) for a, b in zip(r["rank"], r["n"])],
    }).reset_index(drop=True)


# --- centralisation and disparity across countries ---------------------------------------

def cross_section(ranks: pd.DataFrame | None = None, index: str = "theil", weighting: str = "unweighted",
                  level: str = "TL2", year: int = HEADLINE_YEAR) -> pd.DataFrame:
    """One row per country and H1 measure: the measure in the year its UK rank uses (x) and
    the country's disparity index in `year` (y). Countries need both."""
    from . import countries

    ranks = centralisation_ranks() if ranks is None else ranks
    aut = autonomy_oecd()
    long = disparity_long()
    y = long[(long["level"] == level) & (long["sample"] == "all") & (long["index"] == index)
             & (long["weighting"] == weighting) & (long["year"] == year)].set_index("iso3")["value"]
    rows = []
    for _, r in ranks.iterrows():
        x = aut[aut["year"] == r["year"]].set_index("iso3")[r["measure"]].dropna()
        both = pd.concat([x.rename("x"), y.rename("y")], axis=1, join="inner").dropna()
        both = both.reset_index().rename(columns={"index": "iso3"})
        both["measure"] = r["measure"]
        both["label"] = r["label"]
        both["measure_year"] = int(r["year"])
        rows.append(both)
    out = pd.concat(rows, ignore_index=True)
    out["country"] = out["iso3"].map(countries.name)
    out["group"] = np.where(out["iso3"] == UK, "United Kingdom", "Other")
    return out


def spearman_ci(rho: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Approximate confidence interval for a Spearman correlation: Fisher z with the
    Fieller–Hartley–Pearson standard error sqrt(1.06 / (n - 3))."""
    if n <= 3:
        return (float("nan"), float("nan"))
    z = np.arctanh(np.clip(rho, -0.999999, 0.999999))
    half = stats.norm.ppf(0.5 + level / 2) * np.sqrt(1.06 / (n - 3))
    return float(np.tanh(z - half)), float(np.tanh(z + half))


def correlations(cross: pd.DataFrame) -> pd.DataFrame:
    """Spearman rank correlation of each measure with disparity across countries, with its
    N, two-sided p-value and approximate 95 % interval (descriptive: no controls, one year)."""
    rows = []
    for m, g in cross.groupby("measure", sort=False):
        rho, p = stats.spearmanr(g["x"], g["y"])
        lo, hi = spearman_ci(float(rho), len(g))
        rows.append({"measure": m, "label": g["label"].iloc[0], "year": int(g["measure_year"].iloc[0]),
                     "n": len(g), "rho": float(rho), "ci_low": lo, "ci_high": hi, "p": float(p)})
    return pd.DataFrame(rows)


def correlation_table(corr: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Measure": corr["label"], "Year of measure": corr["year"], "Countries": corr["n"],
        "Spearman correlation": corr["rho"].round(2),
        "Approx. 95 % interval": [f"{a:.2f} to {b:.2f}" for a, b in zip(corr["ci_low"], corr["ci_high"])],
        "p-value": corr["p"].round(2),
    })


def chart_centralisation_vs_disparity(cross: pd.DataFrame | None = None, columns: int = 2,
                                      width: int = 300, height: int = 170) -> alt.ConcatChart:
    """Small multiples: each H1 measure (x) against TL2 disparity of GDP per head (y), two to a
    row so that the panels and the legend fit the text column."""
    c = cross_section() if cross is None else cross
    c = c[["iso3", "country", "group", "measure", "label", "measure_year", "x", "y"]].copy()
    colour = alt.Color("group:N", title=None, scale=charts.uk_colour_scale(), legend=alt.Legend(orient="top"))
    panels = []
    for m in [m for m in CENTRALISATION if m in set(c["measure"])]:
        label, unit = AXIS[m]
        year = int(c.loc[c["measure"] == m, "measure_year"].iloc[0])
        direction = "more autonomy →" if m not in ("imf_vfi", "imf_transfer_dependence") else "← more autonomy"
        panels.append(alt.Chart().transform_filter(alt.datum.measure == m).mark_circle(size=60, opacity=0.85).encode(
            x=alt.X("x:Q", title=[f"{label}, {year} ({unit})", direction], scale=alt.Scale(zero=False)),
            y=alt.Y("y:Q", title=["Theil T of TL2 GDP per head,", "2019 (unweighted)"]),
            color=colour,
            order=alt.Order("group:N", sort="ascending"),
            tooltip=[alt.Tooltip("country:N", title="Country"),
                     alt.Tooltip("x:Q", title=label, format=".3f"),
                     alt.Tooltip("measure_year:Q", title="Year of measure"),
                     alt.Tooltip("y:Q", title="Theil T 2019", format=".4f")],
        ).properties(width=width, height=height))
    chart = alt.concat(*panels, columns=columns, data=c)
    return chart.properties(
        title=alt.Title("Centralisation and regional disparity across OECD countries",
                        subtitle="Each dot a country; the UK in orange. Measures in the UK's latest year"),
        description="Eight scatter plots, one per fiscal or political autonomy measure (IMF, "
                    "Regional Authority Index, Local Autonomy Index), each against the unweighted "
                    "Theil index of TL2 regional GDP per head in 2019, one dot per OECD country "
                    "with both values; the United Kingdom is highlighted.")


def chart_centralisation_over_time(bands: pd.DataFrame | None = None, first_year: int = 1995) -> alt.LayerChart:
    """Each H1 measure over time: the UK against the OECD median and inter-quartile band.

    From 1995, when the IMF data cover most OECD members (before that the median jumps as
    countries enter); N per year is in the tooltip."""
    b = centralisation_bands() if bands is None else bands
    b = b[b["year"] >= first_year]
    spec = measure_spec([m for m in CENTRALISATION if m in set(b["measure"])])
    b = b.assign(label=b["measure"].map(lambda m: spec[m]["label"]))
    d = _series_long(b, ["label"])
    d[["value", "q25", "q75"]] = d[["value", "q25", "q75"]].round(4)
    labels = [spec[m]["label"] for m in spec]
    sel = alt.param(name="ctx_measure", value=labels[0],
                    bind=alt.binding_select(options=labels, name="Measure: "))
    base = alt.Chart(d).transform_filter(alt.datum.label == sel)
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    band_ = base.transform_filter(alt.datum.series == "OECD median").mark_area(
        color=charts.OTHER_COLOUR, opacity=0.25).encode(
        x=x, y=alt.Y("q25:Q", title="Value of the selected measure (its own scale; see table)",
                     scale=alt.Scale(zero=False)), y2="q75:Q")
    colour = alt.Color("series:N", title=None,
                       scale=alt.Scale(domain=["United Kingdom", "OECD median"],
                                       range=[charts.UK_COLOUR, "#333333"]))
    lines = base.mark_line(point=True).encode(
        x=x, y="value:Q", color=colour,
        tooltip=[alt.Tooltip("label:N", title="Measure"), alt.Tooltip("series:N", title="Series"),
                 alt.Tooltip("year:Q", title="Year"), alt.Tooltip("value:Q", title="Value", format=".3f"),
                 alt.Tooltip("q25:Q", title="OECD 25th percentile", format=".3f"),
                 alt.Tooltip("q75:Q", title="OECD 75th percentile", format=".3f"),
                 alt.Tooltip("n:Q", title="OECD countries with data")])
    return alt.layer(band_, lines).add_params(sel).properties(
        title=alt.Title("Fiscal and political autonomy: the UK against OECD countries",
                        subtitle="Shaded: OECD inter-quartile range across countries with data; choose the measure below"),
        description="Line chart of one autonomy measure at a time (drop-down) for the United Kingdom "
                    "and the median OECD country, with the inter-quartile range across OECD countries "
                    "shaded, from 1995 to each source's last year.",
        width=560, height=300)


# --- within the UK: ONS labour productivity by ITL1 region ---------------------------------

ONS_MEASURES = {"hour": "gva_per_hour_cp_index_uk100", "job": "gva_per_job_cp_index_uk100"}
ONS_LABELS = {"hour": "GVA per hour worked", "job": "GVA per filled job"}


def ons_relative() -> pd.DataFrame:
    """ITL1 regions' GVA per hour and per filled job relative to the UK (UK = 100, current
    prices, unsmoothed), ONS June 2023: itl_code, oecd_region, region_name, year, per,
    index_uk100."""
    from . import tables

    o = tables.ons_productivity()
    o = o[(o["itl_level"] == 1) & o["measure"].isin(ONS_MEASURES.values())]
    inv = {v: k for k, v in ONS_MEASURES.items()}
    o = o.assign(per=o["measure"].map(inv)).rename(columns={"value": "index_uk100"})
    return o[["itl_code", "oecd_region", "region_name", "year", "per", "index_uk100"]].reset_index(drop=True)


def ons_dispersion(rel: pd.DataFrame | None = None) -> pd.DataFrame:
    """Per measure and year: London's index, the lowest region and its index, the max/min
    ratio and the unweighted coefficient of variation of the 12 ITL1 indices."""
    rel = ons_relative() if rel is None else rel
    rows = []
    for (per, year), g in rel.groupby(["per", "year"]):
        if len(g) != 12:
            raise ValueError(f"ONS {per} {year}: expected 12 ITL1 regions, got {len(g)}")
        lo = g.loc[g["index_uk100"].idxmin()]
        rows.append({"per": per, "year": int(year),
                     "london": float(g.loc[g["oecd_region"] == "UKI", "index_uk100"].item()),
                     "lowest_region": lo["region_name"], "lowest": float(lo["index_uk100"]),
                     "max_min": disparity.index(g["index_uk100"], kind="max_min"),
                     "cv": disparity.index(g["index_uk100"], kind="cv")})
    return pd.DataFrame(rows)


def ons_values(disp: pd.DataFrame | None = None) -> dict:
    """First and last year of each ONS measure: London, lowest region, max/min and CV."""
    d = ons_dispersion() if disp is None else disp
    out = {}
    for per, g in d.groupby("per"):
        g = g.sort_values("year")
        for tag, r in (("first", g.iloc[0]), ("last", g.iloc[-1])):
            for k in ("year", "london", "lowest", "max_min", "cv"):
                out[f"ons_{per}_{tag}_{k}"] = r[k]
        out[f"ons_{per}_cv_change"] = float(g["cv"].iloc[-1] - g["cv"].iloc[0])
        out[f"ons_{per}_london_change"] = float(g["london"].iloc[-1] - g["london"].iloc[0])
        out[f"ons_{per}_n_regions_below_uk_last"] = None  # filled below
    rel = ons_relative()
    for per in ONS_MEASURES:
        last = rel[(rel["per"] == per) & (rel["year"] == rel.loc[rel["per"] == per, "year"].max())]
        out[f"ons_{per}_n_regions_below_uk_last"] = int((last["index_uk100"] < 100).sum())
    return out


def chart_ons_relative(rel: pd.DataFrame | None = None) -> alt.LayerChart:
    """UK ITL1 regions' productivity relative to the UK average over time (ONS)."""
    rel = ons_relative() if rel is None else rel
    d = rel.assign(measure=rel["per"].map(ONS_LABELS))[["region_name", "year", "measure", "index_uk100"]]
    d["index_uk100"] = d["index_uk100"].round(1)
    d["highlight"] = np.where(d["region_name"] == "London", "London", "Other ITL1 regions")
    sel = alt.param(name="ctx_ons_measure", value=ONS_LABELS["hour"],
                    bind=alt.binding_select(options=list(ONS_LABELS.values()), name="Productivity: "))
    hover = alt.selection_point(name="ctx_ons_region", fields=["region_name"], on="pointerover",
                                nearest=True, clear="pointerout")
    base = alt.Chart(d).transform_filter(alt.datum.measure == sel)
    x = alt.X("year:Q", title="Year", axis=alt.Axis(format="d"))
    y = alt.Y("index_uk100:Q", title="Productivity, UK = 100 (current prices)", scale=alt.Scale(zero=False))
    lines = base.mark_line().encode(
        x=x, y=y, detail="region_name:N",
        color=alt.Color("highlight:N", title=None,
                        scale=alt.Scale(domain=["London", "Other ITL1 regions"],
                                        range=[charts.PALETTE[0], charts.OTHER_COLOUR])),
        strokeWidth=alt.condition(hover, alt.value(3), alt.value(1.2)),
        opacity=alt.condition(hover, alt.value(1), alt.value(0.7)))
    points = base.mark_circle(size=40).encode(
        x=x, y=y, opacity=alt.value(0),
        tooltip=[alt.Tooltip("region_name:N", title="Region"), alt.Tooltip("year:Q", title="Year"),
                 alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("index_uk100:Q", title="UK = 100", format=".1f")]).add_params(hover)
    uk = alt.Chart(pd.DataFrame({"y": [100]})).mark_rule(color=charts.UK_COLOUR, strokeDash=[4, 3],
                                                        strokeWidth=2).encode(
        y=alt.Y("y:Q", title="Productivity, UK = 100 (current prices)"),
        tooltip=[alt.Tooltip("y:Q", title="UK average")])
    return alt.layer(uk, lines, points).add_params(sel).properties(
        title=alt.Title("Labour productivity of UK regions relative to the UK average",
                        subtitle="ITL1 regions, ONS subregional productivity (June 2023); dashed: UK = 100"),
        description="Line chart, one line per UK ITL1 region (London highlighted), of GVA per hour "
                    "worked (2004–2021) or per filled job (2002–2021) as an index with the UK "
                    "average equal to 100; a drop-down switches the measure.",
        width=560, height=320)


def centralisation_table(ranks: pd.DataFrame | None = None) -> pd.DataFrame:
    """H1 display table: one row per measure."""
    r = centralisation_ranks() if ranks is None else ranks
    return pd.DataFrame({
        "Measure": r["label"], "Source": r["measure"].map(lambda m: SOURCE[m.split("_")[0]]),
        "Year": r["year"], "UK": r["uk_value"].round(3), "OECD median": r["oecd_median"].round(3),
        "UK rank (1 = most centralised)": [_rank_text(a, b) for a, b in zip(r["rank"], r["n"])],
        "More autonomy when": r["more_autonomy_when"],
    })


def correlation_values(corr: pd.DataFrame) -> dict:
    out = {}
    for _, r in corr.iterrows():
        k = SHORT[r["measure"]]
        out.update({f"corr_{k}_rho": r["rho"], f"corr_{k}_p": r["p"], f"corr_{k}_n": int(r["n"]),
                    f"corr_{k}_low": r["ci_low"], f"corr_{k}_high": r["ci_high"]})
    out["corr_n_measures"] = len(corr)
    out["corr_n_p05"] = int((corr["p"] < 0.05).sum())
    out["corr_min_p"] = float(corr["p"].min())
    return out


def trend_values(bands: pd.DataFrame | None = None, first: int = YEARS[0], last: int = HEADLINE_YEAR) -> dict:
    """The UK's and the OECD median's TL2 Theil (both weightings) in the first and headline
    years, and the UK's rank in each."""
    b = disparity_bands() if bands is None else bands
    long = disparity_long()
    out = {}
    for wt in ("unweighted", "population"):
        for year in (first, last):
            row = b[(b.level == "TL2") & (b["index"] == "theil") & (b.weighting == wt) & (b.year == year)].iloc[0]
            key = f"trend_theil_{W_SHORT[wt]}_{year}"
            out[f"{key}_uk"] = float(row["uk"])
            out[f"{key}_median"] = float(row["median"])
            cross = long[(long.level == "TL2") & (long["sample"] == "all") & (long["index"] == "theil")
                         & (long.weighting == wt) & (long.year == year)].set_index("iso3")["value"]
            out[f"{key}_rank"], out[f"{key}_n"] = rank_of(cross, UK, highest_first=True)
    out["trend_first_year"], out["trend_last_year"] = first, last
    return out


@cache
@disk_memo
def _headline() -> dict:
    cranks = centralisation_ranks()
    dranks = disparity_ranks()
    pw_ranks, _ = per_worker_ranks()
    corr = correlations(cross_section(cranks))
    out = {"headline_year": HEADLINE_YEAR}
    out.update(h1_values(cranks))
    hist = rank_history()
    for m in CENTRALISATION:
        r = hist[(hist["measure"] == m) & (hist["year"] == 2000)]
        if len(r):
            out[f"{SHORT[m]}_2000_rank"], out[f"{SHORT[m]}_2000_n"] = int(r["rank"].item()), int(r["n"].item())
    out.update(h2_values(dranks))
    out.update(per_worker_values(pw_ranks))
    out.update(ons_values())
    out.update(trend_values())
    out.update(correlation_values(corr))
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in out.items()}


def headline() -> dict:
    """The chapter's key numbers as a flat dict of plain numbers (glued with prefix ctx_).

    H1: `<m>_rank`, `_n`, `_uk`, `_median`, `_year` for m in tax, spend, vfi, transfer,
    rfa, rsr, rai, lai (rank 1 = most centralised); `h1_n_top_quarter` etc.
    H2 (year 2019): `<tl2|tl3>_<all|excap>_<index>_<pw|uw>_rank/_n/_uk/_median` (rank 1 =
    most unequal), `h2*_rank_min/_max/_n_above_median/_n_top_quarter` over distinct
    variants; GDP per worker `pwk_*`; ONS within-UK `ons_<hour|job>_*`; cross-country
    Spearman correlations `corr_<m>_rho/_p/_n`.
    """
    return dict(_headline())
