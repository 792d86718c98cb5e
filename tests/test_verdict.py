"""The scorecard's rules: every verdict category, on made-up intervals, and the frame's
interface on synthetic inputs."""

import numpy as np
import pandas as pd
import pytest

from fiscalbook import verdict as v


@pytest.mark.parametrize("lo,hi,implied,sign,share,expected", [
    (0.2, 0.9, 0.5, 1, 0.6, v.SUPPORTED),             # excludes zero, reaches implied, robust
    (0.2, 0.9, 0.5, 1, 0.1, v.MIXED),                 # ... but the curve does not back it
    (0.05, 0.3, 0.5, 1, 0.9, v.MIXED),                # real but smaller than the claim needs
    (-0.3, 0.9, 0.5, 1, 0.0, v.INCONCLUSIVE),         # holds both zero and the implied effect
    (-0.3, 0.2, 0.5, 1, 0.0, v.NOT_SUPPORTED),        # holds zero, rules out the implied effect
    (-0.9, -0.2, 0.5, 1, 0.0, v.NOT_SUPPORTED),       # significant against the claim
    # a claim that predicts a fall (disparity): the same logic, mirrored
    (-0.9, -0.2, -0.5, -1, 0.6, v.SUPPORTED),
    (-0.9, 0.3, -0.5, -1, 0.0, v.INCONCLUSIVE),
    (0.1, 0.4, -0.5, -1, 0.0, v.NOT_SUPPORTED),       # significant against: disparity rises
    (-0.2, 0.3, -0.5, -1, 0.0, v.NOT_SUPPORTED),      # excludes the implied fall
])
def test_effect_verdict_categories(lo, hi, implied, sign, share, expected):
    assert v.effect_verdict(lo, hi, implied, sign, share) == expected


def test_unbounded_interval_is_inconclusive_and_too_few_changing_untestable():
    assert v.effect_verdict(np.nan, np.nan, 0.5, 1) == v.INCONCLUSIVE
    assert v.effect_verdict(-0.1, 0.9, 0.5, 1, n_changing=2) == v.UNTESTABLE
    with pytest.raises(ValueError):
        v.effect_verdict(0, 1, 0.5, 0)


def test_interval_order_does_not_matter():
    assert v.effect_verdict(0.9, -0.3, 0.5, 1) == v.effect_verdict(-0.3, 0.9, 0.5, 1)


def test_speed_verdict():
    assert v.speed_verdict(-9, -7, 8, n_events=2) == v.UNTESTABLE
    assert v.speed_verdict(-9, -7, 8, n_events=6) == v.NOT_SUPPORTED
    assert v.speed_verdict(-2, 12, 8, n_events=6) == v.INCONCLUSIVE
    assert v.speed_verdict(9, 12, 8, n_events=6) == v.SUPPORTED


def test_rank_rules_and_quarter_definition_match_uk_context():
    from fiscalbook import uk_context

    assert v.rank_verdict(0.75) == v.SUPPORTED and v.rank_verdict(0.5) == v.MIXED
    assert v.rank_verdict(0.25) == v.NOT_SUPPORTED
    for n in (10, 24, 27, 37):
        for r in range(1, n + 1):
            assert v.in_extreme_quarter(r, n) == uk_context.in_extreme_quarter(r, n)
    assert not v.in_extreme_quarter(7, 24)  # ceil(24/4)=6; 7 is out either way
    assert not v.in_extreme_quarter(10, 37)  # 37/4 = 9.25


def _effect(coef, lo, hi, implied, n_changing=10):
    return dict(coef=coef, lo95=lo, hi95=hi, lo90=lo / 2, hi90=hi / 2, implied=implied, wb_p=0.3,
                ri_p_permute=0.4, n_changing=n_changing, measure="imf_tax_share", uk_move_kind="to the OECD median",
                uk_change=coef * 0.1, uk_lo95=lo * 0.1, uk_hi95=hi * 0.1, uk_lo90=lo * 0.05,
                uk_hi90=hi * 0.05, required_uk=implied * 0.1)


def _inputs():
    ctx = {"tax_rank": 2, "tax_n": 30, "spend_rank": 3, "spend_n": 20, "vfi_rank": 1, "vfi_n": 20,
           "lai_rank": 15, "lai_n": 25, "rai_rank": 17, "rai_n": 38,
           "h2_n_top_quarter": 1, "h2_n_variants": 10, "h2_rank_min": 3, "h2_rank_max": 20,
           "h2_n_above_median": 7}
    effects = {("H3", "imf_tax_share"): _effect(0.3, -0.2, 1.0, 0.5),     # inconclusive
               ("H4", "imf_tax_share"): _effect(0.1, 0.02, 0.2, -1.0),    # significant against
               ("H5", "imf_tax_share"): _effect(2.0, 1.0, 2.5, 1.5)}      # excludes zero for
    h6 = {"fa_rel_n_treated": 2, "fa_rel_e5": -8.0, "fa_rel_e5_lo": -9.0, "fa_rel_e5_hi": -7.0,
          "required_lagging_gap": 8.0, "manchester_e5_logpoints": 4.0, "required_manchester_gap": 5.0}
    shares = {"H3": {"share_sig_for": 0.1}, "H4": {"share_sig_for": 0.1}, "H5": {"share_sig_for": 0.6}}
    return dict(ctx=ctx, effects=effects, h6=h6, shares=shares)


# the GDP-per-head deciders (the second measure) and the OECD reform study, as before issues 12-13
GDP_DECIDERS = dict(v.DECIDERS, H2=v.decide_h2_gdp_per_head, H3=lambda i: v._decide_effect("H3", i),
                    H4=lambda i: v._decide_effect("H4", i), H6=lambda i: v.decide_h6(i, source="oecd"))


def test_frame_on_synthetic_inputs():
    f = v.frame(_inputs(), GDP_DECIDERS)
    assert list(f.columns) == v.COLUMNS
    assert list(f["hypothesis"]) == ["H1", "H2", "H3", "H4", "H5", "H6"]
    got = dict(zip(f["hypothesis"], f["verdict"]))
    assert got == {"H1": v.SUPPORTED, "H2": v.NOT_SUPPORTED, "H3": v.INCONCLUSIVE, "H4": v.NOT_SUPPORTED,
                   "H5": v.SUPPORTED, "H6": v.UNTESTABLE}
    assert f.loc[f.hypothesis == "H3", "implied_effect"].item() == 0.5
    assert f.loc[f.hypothesis == "H1", "estimate"].item() == 0.75  # 3 of 4 local measures


def test_deciders_can_be_replaced():
    inp = _inputs()
    inp["devolution"] = {"verdict": v.MIXED}
    deciders = dict(GDP_DECIDERS, H6=lambda i: v.Row("H6", "quickly", i["devolution"]["verdict"], "new module"))
    f = v.frame(inp, deciders)
    assert f.loc[f.hypothesis == "H6", "verdict"].item() == v.MIXED
    bad = dict(GDP_DECIDERS, H6=lambda i: v.Row("H6", "quickly", "refuted", "x"))
    with pytest.raises(ValueError, match="unknown verdict"):
        v.frame(inp, bad)


def test_sensitivity_changes_with_thresholds():
    inp = _full()
    inp["effects"][("H3", "lai")] = _effect(0.1, -0.1, 0.2, 0.5)
    s = v.sensitivity(inp)
    assert isinstance(s, pd.DataFrame) and list(s.columns) == ["Thresholds", "H2", "H3", "H4", "H5", "H6"]
    base = s.iloc[0]
    assert (base["H3"], base["H4"], base["H5"]) == (v.NOT_SUPPORTED, v.MIXED, v.SUPPORTED)
    doubled = s[s.Thresholds.str.contains("doubled")].iloc[0]
    assert doubled["H5"] == v.MIXED            # the interval (to 2.5) stops short of 2 x 1.5
    strict = s[s.Thresholds.str.contains("0.75")].iloc[0]
    assert strict["H5"] == v.MIXED
    gdp = s[s.Thresholds.str.startswith("Outcome: GDP per head")].iloc[0]
    assert (gdp["H3"], gdp["H4"]) == (v.INCONCLUSIVE, v.NOT_SUPPORTED)   # the second measure
    assert s[s.Thresholds.str.contains("lagging")].iloc[0]["H3"] == v.UNTESTABLE  # no such estimate here
    lai = s[s.Thresholds.str.contains("Local Autonomy")].iloc[0]
    assert lai["H3"] == v.NOT_SUPPORTED and lai["H4"] == v.UNTESTABLE


def test_variant_estimate_is_judged_against_the_same_implied_effect():
    inp = _inputs()
    inp["effects"][("H3", "imf_tax_share")]["lagging"] = dict(coef=0.35, lo95=0.1, hi95=0.9, wb_p=0.02)
    row = v._decide_effect("H3", inp, variant="lagging")
    assert row.verdict == v.MIXED            # excludes zero, reaches 0.5, but curve share 0.1
    assert row.implied_effect == 0.5 and row.wb_p == 0.02


# ---------------------------------------------------------------- productivity first, devolution


def _prod(tl3_ranks=(1, 1, 2, 1), tl2_ranks=(8, 12, 20, 9), n3=19, n2=22, gap_rank=7, gap_n=33,
          h4=(-0.3, -0.57, -0.02), h3=(0.17, -0.75, 0.89), implied=1.3):
    """A productivity headline: ranks per variant, the FE estimates (coef, boot CI) and the
    implied effect (tax share; UK move 0.14, gap 0.37)."""
    p = {"year": 2019, "gap_rank": gap_rank, "gap_n": gap_n, "gap_peer_rank": 1, "gap_peer_n": 9,
         "uk_gap_log": 0.37, "h4_tax_move": 0.14, "h4_tax_implied": -implied, "h3_tax_log_lower_implied": implied,
         "h4_tax_fe_n_changing": 15}
    for level, ranks, n in (("tl3", tl3_ranks, n3), ("tl2", tl2_ranks, n2)):
        for i, r in enumerate(ranks):
            p[f"{level}_s{i}_cv_uw_rank"], p[f"{level}_s{i}_cv_uw_n"] = r, n
            p[f"{level}_s{i}_cv_uw_peer_rank"], p[f"{level}_s{i}_cv_uw_peer_n"] = min(r, 6), 6
    for pre, (c, lo, hi) in (("h4_tax_fe", h4), ("h3_tax_log_lower", h3)):
        p.update({f"{pre}_coef": c, f"{pre}_boot_ci_low": lo, f"{pre}_boot_ci_high": hi, f"{pre}_boot_p": 0.04,
                  f"{pre}_ri_p": 0.03, f"{pre}_boot90_low": lo / 2, f"{pre}_boot90_high": hi / 2})
    return p


def _dev(e5=(-1.7, -5.7, 2.2), required=6.3, n_authorities=9, sc_for=False):
    d = {"n_authorities": n_authorities, "n_treated_regions": 29, "e5": e5[0], "e5_lo": e5[1], "e5_hi": e5[2],
         "e5_p": 0.36, "required": required, "mayor_e3": -3.3, "mayor_e3_lo": -8.3, "mayor_e3_hi": 1.3,
         "job_e5": -1.0, "job_e5_lo": -4.0, "job_e5_hi": 1.9,
         "scot_gap": 3.0 if sc_for else 0.05, "scot_p": 0.1 if sc_for else 0.9,
         "wales_gap": 2.0 if sc_for else -1.5, "wales_p": 0.1 if sc_for else 0.3,
         "gm_gap": 2.0 if sc_for else -0.6, "gm_p": 0.05 if sc_for else 0.55,
         "conv_speed_slope_lo": -0.16}
    return d


def _full(**kw):
    inp = _inputs()
    inp["prod"] = _prod(**{k: v for k, v in kw.items() if k in _prod.__code__.co_varnames})
    inp["dev"] = _dev(**{k: v for k, v in kw.items() if k in _dev.__code__.co_varnames})
    inp["h6"].update(fa_rel_e5_perm_lo=-13.7, fa_rel_e5_perm_hi=-4.4, fa_rel_e5_p_perm=0.003)
    return inp


@pytest.mark.parametrize("tl3,tl2,gap_rank,expected", [
    ((1, 1, 2, 1), (8, 12, 20, 9), 7, v.MIXED),            # top on TL3 only: one geography of two
    ((1, 1, 2, 1), (1, 2, 5, 9), 7, v.SUPPORTED),          # top on both
    ((9, 12, 2, 10), (8, 12, 20, 9), 20, v.NOT_SUPPORTED),  # on neither
])
def test_h2_productivity_first(tl3, tl2, gap_rank, expected):
    inp = _full(tl3_ranks=tl3, tl2_ranks=tl2, gap_rank=gap_rank)
    row = v.decide_h2(inp)
    assert row.verdict == expected
    assert "GDP per head (second measure): not supported" in row.headline   # 1 of 10 in _inputs
    assert v.decide_h2_gdp_per_head(inp).verdict == v.NOT_SUPPORTED


def test_h2_gap_as_its_own_measure_and_majority_rule():
    inp = _full(tl2_ranks=(8, 12, 20, 9), gap_rank=7)
    assert v.h2_geography(inp["prod"], "tl2") == {"k": 1, "m": 5, "extreme": False, "rank_min": 7, "rank_max": 20,
                                                   "n_max": 33}
    assert v.decide_h2(inp, gap_as_measure=True).verdict == v.SUPPORTED   # TL3 and the gap: 2 of 3


@pytest.mark.parametrize("h4,expected", [
    ((-0.3, -0.57, -0.02), v.MIXED),             # narrows significantly, short of the implied -1.3
    ((-1.5, -2.5, -1.4), v.SUPPORTED),           # ... reaching it (curve share set high below)
    ((-0.3, -1.6, 0.4), v.INCONCLUSIVE),         # holds zero and the implied effect
    ((-0.1, -0.6, 0.4), v.NOT_SUPPORTED),        # holds zero, rules out the implied effect
    ((0.3, 0.1, 0.5), v.NOT_SUPPORTED),          # significant against: the gap widens
])
def test_h4_per_worker_gap(h4, expected):
    inp = _full(h4=h4)
    inp["shares"]["H4"]["share_sig_for"] = 0.6
    row = v.decide_h4(inp)
    assert row.verdict == expected
    assert row.implied_effect == -1.3 and row.wb_p == 0.04 and row.ri_p == 0.03
    assert "GDP per head (second measure): not supported" in row.headline   # _inputs' H4 is significant against


def test_h3_productivity_first_and_too_few_changing():
    inp = _full(h3=(0.17, -0.75, 0.89))
    assert v.decide_h3(inp).verdict == v.NOT_SUPPORTED           # 0.89 < implied 1.3
    assert v._decide_prod("H3", inp, implied_factor=0.5).verdict == v.INCONCLUSIVE
    assert v._decide_prod("H3", inp, level=90).verdict == v.NOT_SUPPORTED
    inp["prod"]["h4_tax_fe_n_changing"] = 2
    assert v.decide_h3(inp).verdict == v.UNTESTABLE


@pytest.mark.parametrize("e5,n,sc_for,expected", [
    ((-1.7, -5.7, 2.2), 9, False, v.NOT_SUPPORTED),   # holds zero, excludes the 6.3 needed
    ((3.0, -2.0, 8.0), 9, False, v.INCONCLUSIVE),     # holds both
    ((3.0, 1.0, 5.0), 9, False, v.MIXED),             # positive, short of the benchmark
    ((8.0, 6.5, 10.0), 9, False, v.MIXED),            # big enough, but no other design backs it
    ((8.0, 6.5, 10.0), 9, True, v.SUPPORTED),         # ... and with three of five designs behind it
    ((-8.0, -9.0, -7.0), 9, False, v.NOT_SUPPORTED),  # significant against
    ((3.0, -2.0, 8.0), 3, False, v.UNTESTABLE),       # too few authorities: OECD study (2 countries)
])
def test_h6_from_devolution_inputs(e5, n, sc_for, expected):
    inp = _full(e5=e5, n_authorities=n, sc_for=sc_for)
    row = v.decide_h6(inp)
    assert row.verdict == expected
    if n >= v.MIN_EVENTS:
        assert row.implied_effect == 6.3 and row.estimate == e5[0] and row.ri_p == 0.36
    assert v.decide_h6(inp, horizon=3).implied_effect == pytest.approx(6.3 * 3 / 5) or n < v.MIN_EVENTS


def test_full_frame_and_sensitivity_with_productivity_and_devolution():
    inp = _full()
    f = v.frame(inp)
    assert list(f.columns) == v.COLUMNS
    got = dict(zip(f["hypothesis"], f["verdict"]))
    assert (got["H2"], got["H3"], got["H4"], got["H6"]) == (v.MIXED, v.NOT_SUPPORTED, v.MIXED, v.NOT_SUPPORTED)
    s = v.sensitivity(inp)
    assert list(s.columns) == ["Thresholds", "H2", "H3", "H4", "H5", "H6"]
    assert s.iloc[0]["H4"] == v.MIXED and s[s.Thresholds.str.contains("OECD reform")].iloc[0]["H6"] == v.UNTESTABLE
    pr = v.h2_productivity(inp["prod"])
    assert (pr["k"], pr["m"], pr["geo"]["tl3"]["k"]) == (1, 2, 4)
