"""The "What if the UK…" scenarios: arithmetic on known inputs, and the explorer chart."""

from __future__ import annotations

import math

import pandas as pd
import pytest

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
