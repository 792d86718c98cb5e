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


def test_frame_on_synthetic_inputs():
    f = v.frame(_inputs())
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
    deciders = dict(v.DECIDERS, H6=lambda i: v.Row("H6", "quickly", i["devolution"]["verdict"], "new module"))
    f = v.frame(inp, deciders)
    assert f.loc[f.hypothesis == "H6", "verdict"].item() == v.MIXED
    bad = dict(v.DECIDERS, H6=lambda i: v.Row("H6", "quickly", "refuted", "x"))
    with pytest.raises(ValueError, match="unknown verdict"):
        v.frame(inp, bad)


def test_sensitivity_changes_with_thresholds():
    s = v.sensitivity({**_inputs(), "effects": {**_inputs()["effects"], ("H3", "lai"): _effect(0.1, -0.1, 0.2, 0.5)}})
    assert isinstance(s, pd.DataFrame) and set(s.columns) == {"Thresholds", "H3", "H4", "H5"}
    base = s.iloc[0]
    assert (base["H3"], base["H4"], base["H5"]) == (v.INCONCLUSIVE, v.NOT_SUPPORTED, v.SUPPORTED)
    doubled = s[s.Thresholds.str.contains("doubled")].iloc[0]
    assert doubled["H5"] == v.MIXED            # the interval (to 2.5) stops short of 2 x 1.5
    strict = s[s.Thresholds.str.contains("0.75")].iloc[0]
    assert strict["H5"] == v.MIXED
    assert s[s.Thresholds.str.contains("lagging")].iloc[0]["H3"] == v.UNTESTABLE  # no such estimate here
    lai = s[s.Thresholds.str.contains("Local Autonomy")].iloc[0]
    assert lai["H3"] == v.NOT_SUPPORTED and lai["H4"] == v.UNTESTABLE


def test_variant_estimate_is_judged_against_the_same_implied_effect():
    inp = _inputs()
    inp["effects"][("H3", "imf_tax_share")]["lagging"] = dict(coef=0.35, lo95=0.1, hi95=0.9, wb_p=0.02)
    row = v._decide_effect("H3", inp, variant="lagging")
    assert row.verdict == v.MIXED            # excludes zero, reaches 0.5, but curve share 0.1
    assert row.implied_effect == 0.5 and row.wb_p == 0.02
