"""Coefficient plots: one point and confidence interval per estimate, across specifications.

    from fiscalbook import coefplot
    frame = coefplot.estimates_frame({"(1) FE": est1, "(2) + controls": est2})
    coefplot.coef_chart(frame, title=..., x_title="Effect of ... (units)", description=...)

The chart draws a rule for the interval and a point for the estimate, a dashed line at
zero, and tooltips with estimate, SE, interval, p-value, N, clusters and inference. A row
flagged ``highlight`` (e.g. a UK-specific estimate) is drawn in ``charts.UK_COLOUR``;
different inference methods (clustered t vs wild bootstrap) take colours from
``charts.PALETTE``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import altair as alt
import pandas as pd

from . import charts
from .estimation import Estimate

INFERENCE_LABELS = {"cluster": "Clustered SE (CR1, t)", "hc1": "Robust SE (HC1)",
                    "wild_bootstrap": "Wild cluster bootstrap"}


def estimates_frame(estimates: Mapping[str, Estimate | Sequence[Estimate]],
                    highlight: Sequence[str] = ()) -> pd.DataFrame:
    """Tidy rows (spec, term, coef, se, ci_low, ci_high, p, n_obs, n_clusters, inference,
    method, highlight) from {specification label: Estimate or list of Estimates}."""
    rows = []
    for spec, ests in estimates.items():
        if isinstance(ests, Estimate):
            ests = [ests]
        for e in ests:
            rows.append(dict(spec=spec, term=e.term, coef=e.coef, se=e.se, ci_low=e.ci_low,
                             ci_high=e.ci_high, p=e.p, n_obs=e.n_obs,
                             n_clusters=e.n_clusters if e.n_clusters is not None else -1,
                             inference=e.inference,
                             method=INFERENCE_LABELS.get(e.inference, e.inference),
                             highlight=spec in highlight))
    if not rows:
        raise ValueError("no estimates to plot")
    return pd.DataFrame(rows)


def coef_chart(frame: pd.DataFrame, title: str, x_title: str, description: str,
               y_title: str = "Specification", subtitle: str | None = None,
               facet_term: bool = False, width: int = 400) -> alt.Chart:
    """Point + CI rule per row of ``estimates_frame``; ``facet_term`` makes one panel per term.

    Rows keep their order top to bottom. When several inference methods appear for the same
    specification they are drawn side by side (y offset) in different colours.
    """
    for col in ("spec", "coef", "ci_low", "ci_high", "method"):
        if col not in frame.columns:
            raise ValueError(f"frame lacks column '{col}': build it with estimates_frame()")
    if len(frame) > 500:
        raise ValueError("too many rows for a coefficient plot (aggregate first)")
    data = frame.copy()
    data["highlight"] = data.get("highlight", False)
    data["colour_key"] = data["method"].where(~data["highlight"].astype(bool), "UK")
    methods = list(dict.fromkeys(data["method"]))
    domain = methods + (["UK"] if data["highlight"].any() else [])
    rng = charts.PALETTE[: len(methods)] + ([charts.UK_COLOUR] if data["highlight"].any() else [])
    spec_order = list(dict.fromkeys(data["spec"]))
    y = alt.Y("spec:N", sort=spec_order, title=y_title, axis=alt.Axis(labelLimit=240))
    colour = alt.Color("colour_key:N", scale=alt.Scale(domain=domain, range=rng),
                       title="Inference")
    offset = alt.YOffset("method:N", sort=methods) if len(methods) > 1 else alt.Undefined
    tooltip = [alt.Tooltip("spec:N", title="Specification"), alt.Tooltip("term:N", title="Term"),
               alt.Tooltip("coef:Q", title="Estimate", format=".3f"),
               alt.Tooltip("se:Q", title="SE", format=".3f"),
               alt.Tooltip("ci_low:Q", title="CI low", format=".3f"),
               alt.Tooltip("ci_high:Q", title="CI high", format=".3f"),
               alt.Tooltip("p:Q", title="p-value", format=".3f"),
               alt.Tooltip("n_obs:Q", title="Observations"),
               alt.Tooltip("n_clusters:Q", title="Clusters"),
               alt.Tooltip("method:N", title="Inference")]
    # In a facet, the layers must not restate the data: a layer with its own data is drawn
    # whole in every panel (every panel then overlays every term). The facet carries it.
    base = alt.Chart() if facet_term else alt.Chart(data)
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title=x_title, scale=alt.Scale(zero=True, nice=True, padding=12)),
        x2="ci_high:Q", y=y, yOffset=offset,
        color=colour, tooltip=tooltip)
    point = base.mark_point(filled=True, size=70).encode(
        x="coef:Q", y=y, yOffset=offset, color=colour, tooltip=tooltip)
    zero = alt.Chart(pd.DataFrame({"zero": [0.0]})).mark_rule(
        strokeDash=[4, 4], color="#555").encode(x="zero:Q")
    layered = alt.layer(zero, rule, point).properties(width=width)
    title_obj = alt.Title(title, subtitle=subtitle) if subtitle else title
    if facet_term:
        return layered.facet(row=alt.Row("term:N", title=None, sort=list(dict.fromkeys(data["term"])),
                                                header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                                                  labelFontWeight="bold", labelFontSize=13)),
                                 data=data).properties(
            title=title_obj, description=description)
    return layered.properties(title=title_obj, description=description)
