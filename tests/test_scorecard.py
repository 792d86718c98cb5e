"""The scorecard figures against the verdict interface, on a hand-made frame."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from fiscalbook import charts
from fiscalbook.figures import scorecard


def _frame(**over) -> pd.DataFrame:
    nan = math.nan
    rows = []
    verdicts = ["supported", "mixed", "not supported", "inconclusive", "not supported", "cannot be tested"]
    for i, v in enumerate(verdicts, start=1):
        rows.append(dict(hypothesis=f"H{i}", claim_part=f"Claim part {i}", verdict=v,
                         headline=f"Plain sentence {i}.", estimate=float(i), ci_low=i - 0.5 if i > 2 else nan,
                         ci_high=i + 0.5 if i > 2 else nan, implied_effect=2.0 * i if i != 4 else nan,
                         unit=f"unit {i}", wb_p=0.0001 if i == 3 else nan, ri_p=0.2 if i == 6 else nan))
    frame = pd.DataFrame(rows)
    for k, val in over.items():
        frame[k] = val
    return frame.iloc[::-1]  # out of order on purpose


def test_cards_carry_verdict_words_in_order():
    markup = scorecard.scorecard_html(_frame())
    assert re.findall(r'class="fb-h">(H\d)<', markup) == [f"H{i}" for i in range(1, 7)]
    words = re.findall(r'class="fb-badge v-[a-z-]+">([a-z ]+)<', markup)
    assert words == ["supported", "mixed", "not supported", "inconclusive", "not supported", "cannot be tested"]
    assert "wild-bootstrap p = &lt; 0.001" in markup and "randomisation p = 0.200" in markup
    assert "95 % interval 2.50 to 3.50" in markup


def test_frame_is_checked():
    with pytest.raises(ValueError, match="unknown verdict"):
        scorecard.scorecard_html(_frame(verdict="probably"))
    with pytest.raises(ValueError, match="lacks column"):
        scorecard.scorecard_html(_frame().drop(columns="headline"))
    with pytest.raises(ValueError, match="one row per H1"):
        scorecard.scorecard_html(_frame().iloc[:5])


def test_chart_has_one_panel_per_hypothesis_with_its_own_scale():
    chart = scorecard.scorecard_chart(_frame())
    charts.check_accessible(chart)
    spec = chart.to_dict()
    (rows,) = spec["datasets"].values()
    assert [r["hypothesis"] for r in rows] == [f"H{i}" for i in range(1, 7)]
    assert spec["resolve"]["scale"]["x"] == "independent"
    # the inner layers must not restate the data, or every panel would draw every row
    assert all("data" not in layer for layer in spec["spec"]["layer"])
    assert spec["facet"]["row"]["field"] == "panel"
    assert {r["verdict"] for r in rows} <= set(scorecard.VERDICTS)


def test_chart_wraps_long_titles_and_units_instead_of_cutting_them():
    long = "A part of the claim long enough to be cut at a phone's width if it were not wrapped"
    spec = scorecard.scorecard_chart(_frame(claim_part=long, unit="unit " * 20), width=280).to_dict()
    (rows,) = spec["datasets"].values()
    for r in rows:
        lines = r["panel"].split("|")
        assert len(lines) > 1 and max(map(len, lines)) <= 40
        assert " ".join(lines).startswith(r["hypothesis"]) and len(r["scale"].split("|")) > 1
    assert "split(datum.value" in spec["facet"]["row"]["header"]["labelExpr"]
