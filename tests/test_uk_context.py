"""uk_context: ranking rules on synthetic data, and the chapter's numbers on the real tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import charts, uk_context
from fiscalbook.uk_context import UK, band, drop_nested, rank_of, ranks_at

# --- ranking rules ------------------------------------------------------------------------


def test_rank_of_direction_ties_and_missing():
    s = pd.Series({"GBR": 3.0, "FRA": 5.0, "DEU": 3.0, "ITA": 1.0, "ESP": np.nan})
    # highest first: FRA 1, then GBR and DEU tie at 2 (method min), ITA 4; ESP not counted
    assert rank_of(s, "GBR", highest_first=True) == (2, 4)
    assert rank_of(s, "FRA", highest_first=True) == (1, 4)
    # lowest first: ITA 1, GBR/DEU 2, FRA 4
    assert rank_of(s, "GBR", highest_first=False) == (2, 4)
    assert rank_of(s, "FRA", highest_first=False) == (4, 4)
    with pytest.raises(KeyError):
        rank_of(s, "ESP")


def _autonomy_frame():
    # four countries, two years; the UK has no 2018 value for the tax share
    return pd.DataFrame({
        "iso3": ["GBR", "FRA", "DEU", "ITA"] * 2,
        "year": [2017] * 4 + [2018] * 4,
        "imf_tax_share": [0.05, 0.13, 0.30, 0.16, np.nan, 0.14, 0.31, 0.17],
        "imf_vfi": [0.6, 0.3, 0.2, 0.4, np.nan, 0.3, 0.2, 0.4],
        "rai": [10.0, 20.0, 30.0, 25.0, 11.0, 20.0, 30.0, np.nan],
    })


SPEC = {"imf_tax_share": {"label": "Tax share", "more_autonomy_when": "higher"},
        "imf_vfi": {"label": "VFI", "more_autonomy_when": "lower"},
        "rai": {"label": "RAI", "more_autonomy_when": "higher"}}


def test_centralisation_ranks_use_latest_uk_year_and_direction():
    out = uk_context.centralisation_ranks(_autonomy_frame(), list(SPEC), SPEC).set_index("measure")
    # tax share: UK latest year 2017; lowest share = most centralised -> rank 1 of 4
    assert out.loc["imf_tax_share", ["year", "rank", "n"]].tolist() == [2017, 1, 4]
    assert out.loc["imf_tax_share", "oecd_median"] == pytest.approx((0.13 + 0.16) / 2)
    # VFI: more autonomy when lower, so the highest VFI (UK 0.6) ranks 1
    assert out.loc["imf_vfi", ["rank", "n"]].tolist() == [1, 4]
    # RAI: UK has 2018; ITA missing in 2018 -> N = 3
    assert out.loc["rai", ["year", "rank", "n"]].tolist() == [2018, 1, 3]


def test_centralisation_ranks_flip_when_direction_flips():
    spec = {k: dict(v) for k, v in SPEC.items()}
    spec["imf_tax_share"]["more_autonomy_when"] = "lower"
    out = uk_context.centralisation_ranks(_autonomy_frame(), ["imf_tax_share"], spec)
    assert out["rank"].item() == 4
    spec["imf_tax_share"]["more_autonomy_when"] = "sideways"
    with pytest.raises(ValueError, match="higher"):
        uk_context.centralisation_ranks(_autonomy_frame(), ["imf_tax_share"], spec)


def test_band_median_quartiles_and_uk():
    df = pd.DataFrame({"iso3": ["GBR", "A", "B", "C", "D"], "year": 2019,
                       "value": [5.0, 1.0, 2.0, 3.0, 4.0]})
    b = band(df, "value", ["year"]).iloc[0]
    # values 1..5: median 3, linear quartiles 2 and 4
    assert (b["median"], b["q25"], b["q75"], b["n"], b["uk"]) == (3.0, 2.0, 4.0, 5, 5.0)


def test_ranks_at_most_unequal_first():
    long = pd.DataFrame({
        "level": "TL2", "sample": "all", "index": "theil", "weighting": "unweighted",
        "iso3": ["GBR", "A", "B", "C"], "value": [0.03, 0.05, 0.01, np.nan]})
    r = ranks_at(long).iloc[0]
    assert (r["rank"], r["n"]) == (2, 3)
    assert r["oecd_median"] == pytest.approx(0.03) and r["share_below"] == pytest.approx(1 / 3)


def test_drop_nested_removes_sub_regions_only():
    df = pd.DataFrame({"iso3": ["GBR"] * 3 + ["FIN"] * 2, "year": 2019,
                       "region": ["UKI", "UKI7", "UKC", "FI1B", "FI1C"]})
    out = drop_nested(df)
    assert sorted(out.region) == ["FI1B", "FI1C", "UKC", "UKI"]


# --- on the real tables -------------------------------------------------------------------



@pytest.mark.snapshot
def test_tl2_exclusions_still_needed():
    from fiscalbook import tables

    tl2 = tables.tl2_outlook()
    bel = tl2[tl2.iso3 == "BEL"]
    assert "BE2" not in set(bel.region), "Flanders is back: lift uk_context.TL2_EXCLUDE['BEL']"
    a = bel[bel.region == "BE1"].set_index("year")["gdp_per_head_usd_ppp2015"]
    b = bel[bel.region == "BE100"].set_index("year")["gdp_per_head_usd_ppp2015"]
    assert (a.reindex(b.index) - b).abs().max() / b.mean() < 0.05


@pytest.mark.snapshot
def test_disparity_ranks_cover_every_country_and_variant():
    r = uk_context.disparity_ranks()
    assert len(r) == 2 * 2 * 6 * 2  # level x sample x index x weighting
    assert (r["rank"].between(1, r["n"])).all()
    tl2 = r[(r.level == "TL2") & (r["sample"] == "all")]
    assert (tl2["n"] == 28).all()  # 29 Outlook countries less Belgium
    # max/min does not depend on weights
    mm = r[r["index"] == "max_min"].pivot_table(index=["level", "sample"], columns="weighting", values="uk_value")
    assert np.allclose(mm["population"], mm["unweighted"])
    # excluding London lowers every UK TL2 index (London is the UK's richest TL2 region)
    both = r[r.level == "TL2"].pivot_table(index=["index", "weighting"], columns="sample", values="uk_value")
    assert (both["excl_capital"] < both["all"]).all()


@pytest.mark.snapshot
def test_uk_tl2_theil_matches_hand_computation():
    from fiscalbook import tables

    tl2 = tables.tl2_outlook()
    uk = tl2[(tl2.iso3 == UK) & (tl2.year == 2019)]
    y = uk["gdp_per_head_usd_ppp2015"].to_numpy()
    assert len(y) == 12
    theil = np.mean(y / y.mean() * np.log(y / y.mean()))
    r = uk_context.disparity_ranks().query(
        "level == 'TL2' and sample == 'all' and index == 'theil' and weighting == 'unweighted'")
    assert r["uk_value"].item() == pytest.approx(theil)


@pytest.mark.snapshot
def test_disparity_chart_is_small_and_accessible():
    chart = uk_context.chart_disparity_over_time()
    charts.check_accessible(chart)
    assert len(chart.to_dict()["datasets"][next(iter(chart.to_dict()["datasets"]))]) < 1500


def test_spearman_ci_contains_estimate_and_narrows_with_n():
    lo, hi = uk_context.spearman_ci(0.3, 20)
    assert lo < 0.3 < hi
    lo2, hi2 = uk_context.spearman_ci(0.3, 200)
    assert hi2 - lo2 < hi - lo
    assert np.isnan(uk_context.spearman_ci(0.3, 3)[0])


def test_in_extreme_quarter_boundary():
    assert uk_context.in_extreme_quarter(9, 37) and not uk_context.in_extreme_quarter(10, 37)
    assert uk_context.in_extreme_quarter(6, 24) and not uk_context.in_extreme_quarter(7, 24)


# --- the chapter's claims, on the real data -------------------------------------------------

@pytest.fixture(scope="module")
def head():
    return uk_context.headline()


@pytest.mark.snapshot
def test_every_glue_key_in_the_chapter_exists(head):
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "chapters" / "uk_context.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"\{glue:text\}`ctx_([A-Za-z0-9_]+)", text))
    assert keys, "no glue references found"
    # the productivity section glues fiscalbook.analyses.productivity's numbers as ctx_prod_*
    # and the quoted literature figures as ctx_lit_*
    from fiscalbook.analyses import productivity as prod

    other = {f"prod_{k}" for k in prod.part(prod.headline(), "h2")} | {f"lit_{k}" for k in prod.LITERATURE}
    missing = sorted(k for k in keys if k not in head and k not in other)
    assert not missing, missing
    assert all(isinstance(v, (int, float)) and np.isfinite(v) for v in head.values())


@pytest.mark.snapshot
def test_h1_claims(head):
    ranks = uk_context.centralisation_ranks().set_index("measure")
    assert (ranks["n"] >= 20).all()
    # the prose names exactly these as the measures where the UK is in the most centralised quarter
    assert set(ranks.index[ranks["top_quarter"]]) == {"imf_tax_share", "imf_vfi", "imf_transfer_dependence", "lai"}
    # ...and says the RAI measures are not: regional fiscal autonomy at (not below) the median
    assert not ranks.loc[["rai_fiscal_autonomy", "rai_self_rule", "rai"], "top_quarter"].any()
    assert head["rfa_uk"] >= head["rfa_median"]
    assert head["spend_uk"] < head["spend_median"]
    # direction: VFI and transfer dependence count high values as centralised
    assert head["vfi_uk"] > head["vfi_median"] and head["vfi_rank"] <= head["vfi_n"] / 4
    assert head["tax_year"] == 2016 and head["rai_year"] == 2018 and head["lai_year"] == 2014


@pytest.mark.snapshot
def test_h2_claims(head):
    # TL2: above the median on most variants, never in the most unequal quarter
    assert head["h2_tl2_n_top_quarter"] == 0
    assert head["h2_tl2_n_above_median"] > head["h2_tl2_n_variants"] / 2
    # population weighting makes the UK look more unequal at TL2 (London is large and rich)
    assert head["tl2_all_theil_pw_rank"] < head["tl2_all_theil_uw_rank"]
    # without the capital: no TL2 variant above the median; most TL3 variants above it
    assert head["h2_tl2_excap_n_above_median"] == 0
    assert head["h2_tl3_excap_n_above_median"] > head["h2_tl3_excap_n_variants"] / 2
    # GDP per worker: upper middle
    assert head["pwk_n_above_median"] > head["pwk_n_variants"] / 2
    assert head["pwk_rank_min"] > 1
    # the UK's and the median's TL2 Theil both rose between 2000 and 2019
    assert head["trend_theil_uw_2019_uk"] > head["trend_theil_uw_2000_uk"]
    assert head["trend_theil_uw_2019_median"] > head["trend_theil_uw_2000_median"]


@pytest.mark.snapshot
def test_ons_and_correlation_claims(head):
    d = uk_context.ons_dispersion()
    assert set(d["per"]) == {"hour", "job"}
    assert d.groupby("per")["year"].min().to_dict() == {"hour": 2004, "job": 2002}
    # London is the most productive ITL1 region every year, on both measures
    rel = uk_context.ons_relative()
    top = rel.loc[rel.groupby(["per", "year"])["index_uk100"].idxmax(), "region_name"]
    assert (top == "London").all()
    assert head["ons_hour_last_cv"] >= head["ons_hour_first_cv"]
    assert head["ons_job_last_cv"] > head["ons_job_first_cv"]
    # no cross-country correlation significant at 5 %; the smallest p-value is the tax share's
    assert head["corr_n_p05"] == 0 and head["corr_min_p"] == head["corr_tax_p"]
    assert head["corr_tax_rho"] < 0


@pytest.mark.snapshot
def test_all_charts_accessible_and_small():
    import json

    for chart in (uk_context.chart_centralisation_over_time(), uk_context.chart_centralisation_vs_disparity(),
                  uk_context.chart_ons_relative(), uk_context.chart_disparity_over_time()):
        charts.check_accessible(chart)
        spec = chart.to_dict()
        rows = sum(len(v) for v in spec.get("datasets", {}).values())
        assert 0 < rows < 2000
        assert charts.UK_COLOUR in json.dumps(spec)


def test_rank_history_on_synthetic_frame():
    h = uk_context.rank_history(_autonomy_frame(), list(SPEC), SPEC)
    tax = h[h.measure == "imf_tax_share"]
    assert tax[["year", "rank", "n"]].values.tolist() == [[2017, 1, 4]]  # no UK value in 2018
    rai = h[h.measure == "rai"].set_index("year")
    assert rai.loc[2018, "n"] == 3 and rai.loc[2017, "rank"] == 1
