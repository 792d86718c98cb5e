"""Regression tables and coefficient plots built from real fits on synthetic panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fiscalbook import charts, coefplot, regtable
from fiscalbook import estimation as est


@pytest.fixture(scope="module")
def fits():
    rng = np.random.default_rng(0)
    G, T = 12, 6
    c, t = np.repeat(np.arange(G), T), np.tile(np.arange(T), G)
    df = pd.DataFrame({"iso3": [f"C{i}" for i in c], "year": t, "x": rng.normal(size=G * T),
                       "w": rng.normal(size=G * T)})
    df["y"] = 0.5 * df.x - 0.01 * df.w + rng.normal(size=G)[c] + rng.normal(size=G * T)
    f1 = est.fit_fe(df, "y", ["x"], fe=("iso3", "year"), cluster="iso3")
    f2 = est.fit_fe(df, "y", ["x", "w"], fe=("iso3",), cluster="iso3")
    b1 = est.wild_cluster_bootstrap(df, "y", ["x"], "x", fe=("iso3", "year"), cluster="iso3", B=499)
    return f1, f2, b1


def test_table_frame_content(fits):
    f1, f2, b1 = fits
    cols = [regtable.column(f1, "(1)", bootstrap=b1), regtable.column(f2, "(2)", extra={"Controls": "w"})]
    t = regtable.table_frame(cols, terms={"x": "Spending share", "w": "Other"},
                             fe_labels={"iso3": "Country", "year": "Year"})
    e1 = f1.estimate("x")
    coef_cell = t.loc[("Coefficients", "Spending share"), "(1)"]
    assert coef_cell.startswith(f"{e1.coef:.3f}") and coef_cell.endswith(regtable.stars(e1.p))
    assert t.loc[("Coefficients", "Spending share — SE"), "(1)"] == f"({e1.se:.3f})"
    assert t.loc[("Coefficients", "Spending share — wild bootstrap p"), "(1)"] == f"{b1.p:.3f}"
    assert t.loc[("Coefficients", "Spending share — wild bootstrap p"), "(2)"] == ""
    assert t.loc[("Coefficients", "Other"), "(1)"] == ""  # not in model (1)
    assert t.loc[("Specification", "Year fixed effects")].tolist() == ["Yes", "No"]
    assert t.loc[("Specification", "Country fixed effects")].tolist() == ["Yes", "Yes"]
    assert t.loc[("Specification", "Observations")].tolist() == ["72", "72"]
    assert t.loc[("Specification", "Clusters")].tolist() == ["12", "12"]
    assert t.loc[("Specification", "Controls")].tolist() == ["", "w"]
    assert "CR1 clustered by iso3" in t.loc[("Specification", "Standard errors"), "(1)"]


def test_ci_mode_and_negative_numbers(fits):
    f1, f2, _ = fits
    t = regtable.table_frame([regtable.column(f2, "A")], terms=["w"], stat="ci", show_stars=False)
    e = f2.estimate("w")
    cell = t.loc[("Coefficients", "w — CI"), "A"]
    assert cell == f"[{e.ci_low:.3f}, {e.ci_high:.3f}]".replace("-", "−")
    assert "*" not in t.loc[("Coefficients", "w"), "A"]


def test_stars_thresholds():
    assert [regtable.stars(p) for p in (0.001, 0.03, 0.07, 0.2, float("nan"))] == ["***", "**", "*", "", ""]


def test_columns_from_estimates_and_errors(fits):
    f1, _, b1 = fits
    col = regtable.column([f1.estimate("x")], "E")
    assert col.n_obs == 72 and col.fe == ("iso3", "year")
    with pytest.raises(ValueError, match="unique"):
        regtable.table_frame([col, col])


def test_html_is_self_contained_and_deterministic(fits):
    f1, f2, b1 = fits
    cols = [regtable.column(f1, "(1)", bootstrap=b1), regtable.column(f2, "(2)")]
    h1 = regtable.regression_table(cols, title="T", notes=["A note."]).as_raw_html()
    h2 = regtable.regression_table(cols, title="T", notes=["A note."]).as_raw_html()
    assert h1 == h2
    assert "http://" not in h1 and "https://" not in h1
    for text in ("CR1 clustered by iso3", "A note.", "p &lt; 0.10", "wild cluster bootstrap"):
        assert text in h1, text


def test_coef_chart_spec(fits):
    f1, f2, b1 = fits
    frame = coefplot.estimates_frame({"(1)": [f1.estimate("x"), b1], "(2)": f2.estimate("x")},
                                     highlight=["(2)"])
    assert len(frame) == 3 and frame.highlight.tolist() == [False, False, True]
    chart = coefplot.coef_chart(frame, title="Estimates", x_title="Effect (units)",
                                description="What the chart shows.")
    d = chart.to_dict()
    assert d["title"] == "Estimates" and d["description"] == "What the chart shows."
    rule = next(l for l in d["layer"] if l["mark"]["type"] == "rule" and "x2" in l["encoding"])
    assert rule["encoding"]["x"]["title"] == "Effect (units)"
    assert {t["field"] for t in rule["encoding"]["tooltip"]} >= {"coef", "se", "ci_low", "ci_high", "p"}
    scale = rule["encoding"]["color"]["scale"]
    assert scale["range"][scale["domain"].index("UK")] == charts.UK_COLOUR
    assert all(c in charts.PALETTE for c in scale["range"][:-1])
    faceted = coefplot.coef_chart(frame, title="T", x_title="x", description="d", facet_term=True)
    assert "facet" in faceted.to_dict()


def test_coef_chart_rejects_bad_frames():
    with pytest.raises(ValueError, match="no estimates"):
        coefplot.estimates_frame({})
    with pytest.raises(ValueError, match="lacks column"):
        coefplot.coef_chart(pd.DataFrame({"spec": ["a"]}), title="t", x_title="x", description="d")
