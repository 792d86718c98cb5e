"""The scorecard a policy reader can read: verdict badges that carry their word, one
plain-language sentence per part of the claim, and a chart of each estimate and interval
against the effect the claim implies.

Interface: `fiscalbook.verdict.scorecard_frame()`, one row per hypothesis H1–H6 with columns
    hypothesis, claim_part, verdict (supported | mixed | inconclusive | not supported |
    cannot be tested), headline, estimate, ci_low, ci_high, implied_effect, unit, wb_p, ri_p.
"""

from __future__ import annotations

import html
import math
import textwrap

import altair as alt
import pandas as pd

from .. import charts

COLUMNS = ["hypothesis", "claim_part", "verdict", "headline", "estimate", "ci_low", "ci_high",
           "implied_effect", "unit", "wb_p", "ri_p"]
VERDICTS = ["supported", "mixed", "inconclusive", "not supported", "cannot be tested"]
# Okabe–Ito: blue for supported, orange for mixed, grey for inconclusive, vermillion for
# not supported, light grey for untestable. The badge always prints the word as well.
VERDICT_COLOURS = ["#0072B2", "#E69F00", "#8C8C8C", "#D55E00", "#C8C8C8"]
HYPOTHESES = [f"H{i}" for i in range(1, 7)]


def check_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Raise ValueError unless `frame` follows the interface: six rows H1–H6, known verdicts."""
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"scorecard frame lacks column(s) {missing}")
    if sorted(frame["hypothesis"]) != HYPOTHESES:
        raise ValueError(f"scorecard frame must have one row per H1–H6, got {list(frame['hypothesis'])}")
    bad = sorted(set(frame["verdict"]) - set(VERDICTS))
    if bad:
        raise ValueError(f"unknown verdict(s) {bad}; expected one of {VERDICTS}")
    return frame.sort_values("hypothesis").reset_index(drop=True)


def _fmt(x: float, digits: int = 2) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{x:,.{digits}f}"
    return s.lstrip("-") if float(s.replace(",", "")) == 0 else s.replace("-", "−")


def _p(x) -> str:
    if x is None or not math.isfinite(float(x)):
        return ""
    return "< 0.001" if x < 0.001 else f"{x:.3f}"


def _wrap(text: str, chars: int) -> str:
    return "|".join(textwrap.wrap(str(text), chars)) or str(text)


def badge(verdict: str) -> str:
    slug = verdict.replace(" ", "-")
    return f'<span class="fb-badge v-{slug}">{html.escape(verdict)}</span>'


def scorecard_html(frame: pd.DataFrame) -> str:
    """One card per hypothesis (stacks on a phone): verdict badge, the part of the claim,
    the plain-language headline and the numbers behind it."""
    rows = []
    for r in check_frame(frame).itertuples(index=False):
        bits = []
        if math.isfinite(r.estimate):
            est = f"Estimate {_fmt(r.estimate)}"
            if math.isfinite(r.ci_low) and math.isfinite(r.ci_high):
                est += f" (95 % interval {_fmt(r.ci_low)} to {_fmt(r.ci_high)})"
            bits.append(f"{est} {r.unit}")
        if math.isfinite(r.implied_effect):
            bits.append(f"size the claim implies: {_fmt(r.implied_effect)}")
        if _p(r.wb_p):
            bits.append(f"wild-bootstrap p = {_p(r.wb_p)}")
        if _p(r.ri_p):
            bits.append(f"randomisation p = {_p(r.ri_p)}")
        detail = f'<p class="fb-detail">{html.escape("; ".join(bits))}.</p>' if bits else ""
        rows.append(
            f'<div class="fb-card"><div class="fb-card-head"><span class="fb-h">{r.hypothesis}</span>'
            f'<span class="fb-claim">{html.escape(r.claim_part)}</span>{badge(r.verdict)}</div>'
            f'<p class="fb-headline">{html.escape(r.headline)}</p>{detail}</div>')
    return f'<div class="fb-scorecard" role="list">{"".join(rows)}</div>'


class Scorecard:
    """Notebook display of the scorecard cards (`_repr_html_`)."""

    def __init__(self, frame: pd.DataFrame):
        self.frame = check_frame(frame)

    def _repr_html_(self) -> str:
        return scorecard_html(self.frame)


def scorecard_chart(frame: pd.DataFrame, width: int = 290) -> alt.FacetChart:
    """One panel per hypothesis with its own scale: the estimate (dot, coloured by verdict)
    and its 95 % interval (bar), the effect the claim implies (open diamond) and zero."""
    data = check_frame(frame).copy()
    # Panel titles and units wrap onto lines ("|") rather than being cut at the panel's width.
    chars = max(24, width // 7)
    data["panel"] = [_wrap(f"{h} · {c}", chars) for h, c in zip(data["hypothesis"], data["claim_part"])]
    data["scale"] = [_wrap(u, int(chars * 1.15)) for u in data["unit"]]
    for c in ("ci_low", "ci_high", "implied_effect", "estimate"):
        data[c] = pd.to_numeric(data[c], errors="coerce")
    colour = alt.Color("verdict:N", title="Verdict", scale=alt.Scale(domain=VERDICTS, range=VERDICT_COLOURS),
                       legend=alt.Legend(orient="top", direction="horizontal", columns=2, labelLimit=160))
    tooltip = [alt.Tooltip("hypothesis:N", title="Part"), alt.Tooltip("claim_part:N", title="Claim"),
               alt.Tooltip("verdict:N", title="Verdict"),
               alt.Tooltip("estimate:Q", title="Estimate", format=".2f"),
               alt.Tooltip("ci_low:Q", title="95 % interval, low", format=".2f"),
               alt.Tooltip("ci_high:Q", title="95 % interval, high", format=".2f"),
               alt.Tooltip("implied_effect:Q", title="Size the claim implies", format=".2f"),
               alt.Tooltip("unit:N", title="Unit")]
    x = alt.X("estimate:Q", title="Estimate (unit above each panel)",
              scale=alt.Scale(zero=True, nice=True), axis=alt.Axis(tickCount=5))
    base = alt.Chart()
    zero = base.transform_calculate(zero="0").mark_rule(color="#555", strokeDash=[3, 3]).encode(
        x=alt.X("zero:Q", title="Estimate (unit above each panel)"))
    interval = base.transform_filter("isValid(datum.ci_low) && isFinite(datum.ci_low)").mark_rule(
        strokeWidth=3).encode(x="ci_low:Q", x2="ci_high:Q", color=colour, tooltip=tooltip)
    implied = base.transform_filter("isValid(datum.implied_effect) && isFinite(datum.implied_effect)").mark_point(
        shape="diamond", size=140, filled=False, strokeWidth=2, color="#000000").encode(
        x="implied_effect:Q", tooltip=tooltip)
    point = base.mark_point(filled=True, size=110).encode(
        x=x, color=colour, tooltip=tooltip)
    unit = base.mark_text(align="left", baseline="bottom", dx=0, dy=-8, fontSize=11, color="#444",
                          lineBreak="|").encode(
        text="scale:N", x=alt.value(0), y=alt.value(0))
    layer = alt.layer(zero, interval, implied, point, unit).properties(width=width, height=30)
    chart = layer.facet(
        row=alt.Row("panel:N", title=None, sort=list(data["panel"]),
                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=13,
                                      labelFontWeight="bold", labelLimit=width + 40, labelPadding=34,
                                      labelExpr="split(datum.value, '|')")),
        data=data,
    ).resolve_scale(x="independent").properties(
        title=alt.Title("Each part of the claim: estimate and interval",
                        subtitle=["Dot: estimate; bar: 95 % interval; dashed line: zero;",
                                  "open diamond: the size the claim implies.",
                                  "Each panel has its own scale and unit."]),
    )
    return charts.describe(chart, (
        "One panel per part of the Core Cities claim (H1 to H6), each on its own scale: the estimate, "
        "its 95 % interval and the effect size the claim implies, coloured by verdict ("
        + "; ".join(f"{r.hypothesis} {r.verdict}" for r in data.itertuples()) + ")."))
