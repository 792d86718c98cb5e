"""The "What if the UK…" scenarios: arithmetic on known inputs, and the explorer chart."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
import vl_convert

from fiscalbook import charts
from fiscalbook.analyses import whatif
from fiscalbook.figures import explorer


def _inputs():
    h3 = {"rai_fiscal_autonomy_coef": 0.1, "rai_fiscal_autonomy_boot_ci_low": -0.2,
          "rai_fiscal_autonomy_boot_ci_high": 0.3}
    h4 = {"rai_fiscal_autonomy_coef": -0.01, "rai_fiscal_autonomy_boot_ci_low": -0.03,
          "rai_fiscal_autonomy_boot_ci_high": 0.02, "uk_cv": 0.2}
    auto = pd.DataFrame({"iso3": ["GBR", "FRA", "DEU", "ITA", "GBR"], "year": [2018, 2018, 2018, 2018, 2017],
                         "rai_fiscal_autonomy": [1.0, 2.0, 3.0, 4.0, 9.0]})
    return h3, h4, auto


def test_scenarios_carry_the_interval_through():
    h3, h4, auto = _inputs()
    s = whatif.scenarios(h3, h4, auto, {"rai_fiscal_autonomy": 2018}, names={"DEU": "Germany"})
    # median of 1,2,3,4 = 2.5: delta 1.5
    med = s[(s["target"] == "OECD median")].set_index("outcome")
    g = med.loc[whatif.OUTCOMES[0]]
    assert g["delta"] == pytest.approx(1.5)
    assert g["effect"] == pytest.approx(100 * (math.exp(0.15) - 1))
    assert (g["low"], g["high"]) == pytest.approx((100 * (math.exp(-0.3) - 1), 100 * (math.exp(0.45) - 1)))
    c = med.loc[whatif.OUTCOMES[1]]
    assert c["effect"] == pytest.approx(100 * -0.015 / 0.2)
    assert c["low"] <= c["effect"] <= c["high"]
    assert "Germany" in set(s["target"]) and "GBR" not in set(s["target"])
    # a target below the UK flips the sign
    below = s[(s["target"] == "OECD upper quartile")]
    assert len(below) == 2


def test_scenarios_need_a_uk_value():
    h3, h4, auto = _inputs()
    with pytest.raises(ValueError, match="no UK value"):
        whatif.scenarios(h3, h4, auto[auto["iso3"] != "GBR"], {"rai_fiscal_autonomy": 2018})


def test_explorer_chart_filters_on_two_menus():
    h3, h4, auto = _inputs()
    chart = explorer.explorer_chart(whatif.scenarios(h3, h4, auto, {"rai_fiscal_autonomy": 2018}))
    charts.check_accessible(chart)
    spec = chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    assert {"whatif_measure", "whatif_target"} <= set(params)
    assert params["whatif_target"]["bind"]["options"][:2] == ["OECD median", "OECD upper quartile"]


def _headline():
    """A hand-made productivity headline: tax share only; UK 0.1, median 0.2, q75 0.3 (2016);
    gap slope −0.3 [−0.5, −0.1]; lower-half slope 0.2 [−0.1, 0.4]; UK gap 0.4 log points."""
    return {"uk_gap_log": 0.4, "h4_tax_fe_coef": -0.3, "h4_tax_fe_boot_ci_low": -0.5,
            "h4_tax_fe_boot_ci_high": -0.1, "h4_tax_uk_measure": 0.1, "h4_tax_median_measure": 0.2,
            "h4_tax_q75_measure": 0.3, "h4_tax_measure_year": 2016, "h3_tax_log_lower_coef": 0.2,
            "h3_tax_log_lower_boot_ci_low": -0.1, "h3_tax_log_lower_boot_ci_high": 0.4}


def _autonomy():
    return pd.DataFrame({"iso3": ["GBR", "FRA", "DEU", "FRA"], "year": [2016, 2016, 2016, 2015],
                         "imf_tax_share": [0.1, 0.5, 0.05, 0.9]})


def test_productivity_scenarios_by_hand():
    s = whatif.productivity_scenarios(_headline(), _autonomy(), names={"FRA": "France", "DEU": "Germany"})
    gap = s[s["outcome"] == whatif.PRODUCTIVITY_OUTCOMES[0]].set_index("target")
    low = s[s["outcome"] == whatif.PRODUCTIVITY_OUTCOMES[1]].set_index("target")
    # median: Δ = 0.1, change −0.03 ln = −3 log points [−5, −1] = −7.5 % of the 0.4 gap [−12.5, −2.5]
    m = gap.loc["OECD median"]
    assert (m["change_lp"], m["change_lp_low"], m["change_lp_high"]) == pytest.approx((-3.0, -5.0, -1.0))
    assert (m["effect"], m["low"], m["high"]) == pytest.approx((-7.5, -12.5, -2.5))
    # upper quartile: Δ = 0.2, −0.06 log points = −15 % of the gap
    assert gap.loc["OECD upper quartile", "effect"] == pytest.approx(-15.0)
    # lower half at the median: 100 (e^0.02 − 1) %, interval 100 (e^−0.01 − 1) to 100 (e^0.04 − 1)
    lm = low.loc["OECD median"]
    assert (lm["effect"], lm["low"], lm["high"]) == pytest.approx((2.0201340, -0.9950166, 4.0810774))
    assert (lm["change_lp"], lm["change_lp_low"], lm["change_lp_high"]) == pytest.approx((2.0, -1.0, 4.0))
    # France's 2016 level (0.5, not its 2015 0.9): Δ = 0.4, −12 log points = −30 % of the gap
    assert gap.loc["France", "change_lp"] == pytest.approx(-12.0)
    assert gap.loc["France", "effect"] == pytest.approx(-30.0)
    # Germany below the UK: Δ = −0.05, the gap widens by 1.5 log points [0.5, 2.5]
    g = gap.loc["Germany"]
    assert (g["change_lp"], g["change_lp_low"], g["change_lp_high"]) == pytest.approx((1.5, 0.5, 2.5))
    assert set(s["year"]) == {2016} and "GBR" not in set(s["target"])
    assert set(s["measure"]) == {"imf_tax_share"}


def test_productivity_scenarios_keep_an_unbounded_interval_unbounded():
    h = _headline() | {"h4_tax_fe_boot_ci_high": float("nan")}
    s = whatif.productivity_scenarios(h, _autonomy())
    m = s[(s["outcome"] == whatif.PRODUCTIVITY_OUTCOMES[0]) & (s["target"] == "OECD median")].iloc[0]
    assert m["effect"] == pytest.approx(-7.5)
    assert math.isnan(m["low"]) and math.isnan(m["high"])
    with pytest.raises(ValueError, match="no measure"):
        whatif.productivity_scenarios({"uk_gap_log": 0.4}, _autonomy())


def test_explorer_leads_with_productivity_and_fits_a_phone():
    h3, h4, auto = _inputs()
    first = whatif.productivity_scenarios(_headline(), _autonomy(), names={"FRA": "France"})
    second = whatif.scenarios(h3, h4, auto, {"rai_fiscal_autonomy": 2018})
    chart = explorer.explorer_chart(pd.concat([first, second], ignore_index=True))
    charts.check_accessible(chart)
    spec = chart.to_dict()
    params = {p["name"]: p for p in spec["params"]}
    # the tax share (H4's headline measure) is the default; its productivity rows come first
    assert params["whatif_measure"]["value"] == explorer.MEASURE_LABELS["imf_tax_share"]
    rows = spec["layer"][1]["encoding"]["y"]["sort"]
    assert rows[:2] == [explorer.ROW_LABELS[o] for o in whatif.PRODUCTIVITY_OUTCOMES]
    assert rows[2:] == [explorer.ROW_LABELS[o] for o in whatif.OUTCOMES]
    # rendered width: fits a 390 px phone with the page's margins
    svg = vl_convert.vegalite_to_svg(spec)
    width = float(re.search(r'<svg[^>]*\swidth="([\d.]+)"', svg).group(1))
    assert width <= 350
