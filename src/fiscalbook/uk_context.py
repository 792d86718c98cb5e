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
    more_autonomy_when, top_decile (True if the UK is in the most centralised tenth).
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
    out["top_decile"] = out["rank"] <= np.ceil(out["n"] / 10)
    return out


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
    for level, frame in (("TL2", tl2), ("TL3", tables.tl3_metro())):
        frame = _clip_years(frame)
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
    pw = drop_nested(pw[pw["year"] == year])
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
