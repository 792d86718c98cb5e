"""The scorecard a policy reader can read: verdict badges that carry their word, one
plain-language sentence per part of the claim, and a chart of each estimate and interval
against the effect the claim implies.

Interface (provided by `fiscalbook.verdict.scorecard_frame()` once the verdict rewrite is
merged): one row per hypothesis H1–H6 with columns
    hypothesis, claim_part, verdict (supported | mixed | inconclusive | not supported |
    cannot be tested), headline, estimate, ci_low, ci_high, implied_effect, unit, wb_p, ri_p.
Until then `frame_from_current_verdict` builds that frame from today's `verdict.scorecard`
numbers (TEMPORARY ADAPTER: the integrator switches callers to scorecard_frame()).
"""

from __future__ import annotations

import html
import math

import altair as alt
import pandas as pd

from .. import charts, cities, country_disparity, regions, robustness, timing, uk_context, verdict

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


def scorecard_chart(frame: pd.DataFrame, width: int = 400) -> alt.FacetChart:
    """One panel per hypothesis with its own scale: the estimate (dot, coloured by verdict)
    and its 95 % interval (bar), the effect the claim implies (open diamond) and zero."""
    data = check_frame(frame).copy()
    data["panel"] = data["hypothesis"] + " · " + data["claim_part"]
    data["scale"] = data["unit"]
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
    unit = base.mark_text(align="left", baseline="bottom", dx=0, dy=-14, fontSize=11, color="#444").encode(
        text="scale:N", x=alt.value(0), y=alt.value(0))
    layer = alt.layer(zero, interval, implied, point, unit).properties(width=width, height=30)
    chart = layer.facet(
        row=alt.Row("panel:N", title=None, sort=list(data["panel"]),
                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start", labelFontSize=13,
                                      labelFontWeight="bold", labelLimit=width, labelPadding=18)),
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


# ------------------------------------------------------------- TEMPORARY ADAPTER
_OLD_VERDICT = {"cannot be tested with these data": "cannot be tested"}


def frame_from_current_verdict(nums: dict, h3: dict, h4: dict) -> pd.DataFrame:
    """TEMPORARY: the scorecard frame built from today's `verdict.scorecard(...)` numbers
    (`nums`), with `regions.headline()` (h3) and `country_disparity.headline()` (h4) for the
    UK-terms translation (the IMF tax share raised to the OECD median). The verdicts and
    p-values are today's (on RAI fiscal autonomy). Replace with `verdict.scorecard_frame()`
    after the merge."""
    nan = float("nan")
    t = "imf_tax_share"
    cv_lo, cv_hi = sorted(100 * h4[f"{t}_uk_change_{e}"] / h4["uk_cv"] for e in ("low", "high"))
    v = {k: _OLD_VERDICT.get(nums[f"{k}_verdict"], nums[f"{k}_verdict"]) for k in ("h1", "h2", "h3", "h4", "h5", "h6")}
    rows = [
        dict(hypothesis="H1", claim_part="The UK is unusually centralised", verdict=v["h1"],
             headline=(f"The UK is in the most centralised quarter of OECD countries on {nums['h1_k']} of "
                       f"{nums['h1_m']} measures (ranks {nums['h1_rank_best']} to {nums['h1_rank_worst']}, "
                       f"1 = most centralised)."),
             estimate=float(nums["h1_share"]), ci_low=nan, ci_high=nan, implied_effect=nan,
             unit="% of measures with the UK in the most centralised quarter", wb_p=nan, ri_p=nan),
        dict(hypothesis="H2", claim_part="The UK's regional gaps are unusually wide", verdict=v["h2"],
             headline=(f"The UK's regional gaps are above the OECD median on {nums['h2_above_median']} of "
                       f"{nums['h2_m']} ways of measuring them, but in the most unequal quarter on only "
                       f"{nums['h2_k']}."),
             estimate=float(nums["h2_share"]), ci_low=nan, ci_high=nan, implied_effect=nan,
             unit="% of index variants with the UK in the most unequal quarter", wb_p=nan, ri_p=nan),
        dict(hypothesis="H3", claim_part="More local fiscal autonomy raises regional productivity", verdict=v["h3"],
             headline=(f"Raising the UK's sub-national share of tax revenue to the OECD median "
                       f"(+{_fmt(100 * h3[f'{t}_uk_gap'], 1)} points) goes with a change in its regional GDP per "
                       f"head of between {_fmt(h3[f'{t}_uk_pct_low'], 1)} % and +{_fmt(h3[f'{t}_uk_pct_high'], 1)} % "
                       f"(central estimate {_fmt(h3[f'{t}_uk_pct'], 1)} %)."),
             estimate=float(h3[f"{t}_uk_pct"]), ci_low=float(h3[f"{t}_uk_pct_low"]),
             ci_high=float(h3[f"{t}_uk_pct_high"]), implied_effect=nan,
             unit="% change in UK regional GDP per head, tax share raised to the OECD median",
             wb_p=float(nums["h3_p"]), ri_p=nan),
        dict(hypothesis="H4", claim_part="More local fiscal autonomy narrows regional gaps", verdict=v["h4"],
             headline=(f"The same change goes with a change in the UK's regional gap (coefficient of variation "
                       f"of GDP per head) of between {_fmt(cv_lo, 1)} % and +{_fmt(cv_hi, 1)} % of its current "
                       f"size (central estimate {_fmt(h4[f'{t}_uk_pct'], 1)} %; negative = narrower)."),
             estimate=float(h4[f"{t}_uk_pct"]), ci_low=cv_lo, ci_high=cv_hi,
             implied_effect=nan, unit="% change in the UK's regional gap (CV), tax share raised to the OECD median",
             wb_p=float(nums["h4_p"]), ri_p=nan),
        dict(hypothesis="H5", claim_part="Second-tier cities do better with more fiscal autonomy", verdict=v["h5"],
             headline=(f"The UK's second-tier metros produce {_fmt(nums['h5_uk_st'], 1)} % of national GDP per "
                       f"head against {_fmt(nums['h5_peers_st'], 1)} % elsewhere, but across {nums['h5_n']} "
                       f"countries this is not tied to fiscal autonomy ({_fmt(nums['h5_coef'], 1)} points per "
                       f"standard deviation, interval {_fmt(nums['h5_lo'], 1)} to {_fmt(nums['h5_hi'], 1)})."),
             estimate=float(nums["h5_coef"]), ci_low=float(nums["h5_lo"]), ci_high=float(nums["h5_hi"]),
             implied_effect=nan, unit="percentage points of national GDP per head per SD of fiscal autonomy",
             wb_p=float(nums["h5_wi_p"]), ri_p=nan),
        dict(hypothesis="H6", claim_part="…and quickly, within a parliament", verdict=v["h6"],
             headline=(f"Only {nums['h6_n_events']} countries made a material fiscal-autonomy reform with regional "
                       f"data; Greater Manchester was {_fmt(nums['h6_manchester_gap'], 1)} % above its synthetic "
                       f"control five years after its 2014 deal, short of the "
                       f"{_fmt(nums['h6_manchester_required'], 1)} % the claim implies."),
             estimate=float(nums["h6_manchester_gap"]), ci_low=nan, ci_high=nan,
             implied_effect=float(nums["h6_manchester_required"]),
             unit="% above synthetic control, Greater Manchester five years after its 2014 deal",
             wb_p=nan, ri_p=float(nums["h6_manchester_p"])),
    ]
    return pd.DataFrame(rows, columns=COLUMNS)


def current_frame() -> pd.DataFrame:
    """TEMPORARY: today's verdict inputs (as the verdict chapter computes them) through
    `frame_from_current_verdict`. After the verdict rewrite: `verdict.scorecard_frame()`."""
    curve = robustness.curve()
    prod = robustness.shares(curve, ("region", "cross-section"), "wild_bootstrap")
    disp = robustness.shares(curve, "country", "wild_bootstrap")
    h3, h4 = regions.headline(), country_disparity.headline()
    _, nums = verdict.scorecard(uk_context.headline(), h3, h4, cities.headline(), timing.headline(), prod, disp)
    return frame_from_current_verdict(nums, h3, h4)
