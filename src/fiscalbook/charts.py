"""One look for every chart: theme, colour-blind-safe palette, the UK's highlight colour.

Every chapter calls fiscalbook.book.setup(), which calls enable() here, so a chart made
in any chapter looks the same and the UK is always drawn in UK_COLOUR.

enable() also switches on the book's chart renderer: Altair's own html renderer (the
output Jupyter Book 1 pages embed; the Vega libraries come from the vendored
_static/vendor/vega-bundle.js, see scripts/vendor_assets.py), drawing SVG, with the
inlined data made small first: columns the chart never uses are dropped and floats are
rounded (6 significant digits, at least 2 decimals: see round_sig). Page weight is budgeted at 300 KB
gzipped per chapter page.

Accessibility: every chart needs a title, axis titles with units, a tooltip and a
description (read out by screen readers: Vega-Embed puts it on the chart as aria-label).
`describe(chart, text)` adds the description; `accessibility_problems(spec)` lists what is
missing, and the site tests run it on every chart in the built pages.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import altair as alt

# Okabe–Ito palette (colour-blind safe). The UK always takes vermillion; other series
# draw from the remaining colours, with OTHER_COLOUR for "everybody else".
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#56B4E9", "#CC79A7", "#F0E442", "#D55E00", "#000000"]
UK_COLOUR = "#D55E00"
OTHER_COLOUR = "#8C8C8C"
PALETTE = [c for c in OKABE_ITO if c != UK_COLOUR]
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif"

THEME_NAME = "fiscalbook"
# The text column is about 780 px wide on a desktop; a chart's plot area plus its axis
# labels should fit it. Wider charts are scaled down to the column by the site's CSS
# (_static/fiscalbook.css), which keeps them whole but shrinks their text.
MAX_CHART_WIDTH = 760
DEFAULT_WIDTH = 520
RENDERER_NAME = "fiscalbook"
MAX_ROWS = 5000
SIGNIFICANT_DIGITS = 6  # floats in inline chart data: 6 significant digits ...
MIN_DECIMALS = 2        # ... but never fewer than 2 decimals (see round_sig)
# Vega-Embed options: SVG (screen-reader friendly, crisp in print); the actions menu keeps
# export and "view source" but not "open in the Vega editor" (an outside website).
EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": True, "compiled": False, "editor": False},
}
# Altair's page code loads Vega from `base_url` (a CDN by default) unless window.VEGA_DEBUG,
# set by the vendored bundle, matches its versions. Pointing it at a local path that does
# not exist keeps every CDN address out of the pages and makes a missing or mismatched
# bundle fail visibly (a 404 on the site's own host, caught by the browser test) instead
# of silently going online.
NO_CDN_BASE_URL = "/_static/vendor/vega-bundle-missing-run-scripts-vendor_assets.py"


@alt.theme.register(THEME_NAME, enable=False)
def _theme() -> alt.theme.ThemeConfig:
    return {
        "config": {
            "font": FONT,
            "view": {"continuousWidth": DEFAULT_WIDTH, "continuousHeight": 320, "stroke": None},
            "range": {"category": PALETTE},
            "axis": {"labelFontSize": 12, "titleFontSize": 13, "grid": True, "gridColor": "#e6e6e6"},
            # Legends below the plot (not beside it, where they push a chart past the
            # text column) in up to three columns, with room for full labels.
            "legend": {"labelFontSize": 12, "titleFontSize": 13, "orient": "bottom", "columns": 3,
                       "labelLimit": 240, "titleLimit": 480, "symbolLimit": 60},
            "title": {"fontSize": 15, "anchor": "start", "subtitleFontSize": 12, "subtitleColor": "#555",
                      "limit": MAX_CHART_WIDTH},
            "header": {"labelLimit": 300, "titleLimit": MAX_CHART_WIDTH},
        }
    }


# --------------------------------------------------------------------- small data


def round_sig(value: float, digits: int = SIGNIFICANT_DIGITS, min_decimals: int = MIN_DECIMALS):
    """Round a float to `digits` significant digits, keeping at least `min_decimals` decimals.

    45123.456789 -> 45123.46, 87.6543219 -> 87.6543, 0.0123456789 -> 0.0123457; integral
    results become ints. The kept precision is finer than any tooltip format the book uses
    (at most one decimal on large numbers), so a tooltip shows the same digits as the prose.
    """
    if not isinstance(value, float) or not math.isfinite(value) or value == 0.0:
        return value
    exponent = math.floor(math.log10(abs(value)))
    rounded = round(value, max(min_decimals, digits - 1 - exponent))
    if rounded.is_integer() and abs(rounded) < 1e15:
        return int(rounded)
    return rounded


def _used_text(spec: dict) -> str:
    """Everything in the spec except its data, as one string (to look field names up in)."""
    def strip(node):
        if isinstance(node, dict):
            return {k: ("<data>" if k in ("datasets", "values") else strip(v)) for k, v in node.items()}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node
    return json.dumps(strip(spec), ensure_ascii=False)


def _uses_all_fields(spec_text: str) -> bool:
    # tooltip=True / {"content": "data"} shows every field of a datum
    return bool(re.search(r'"tooltip": (true|\{"content": "data"\})', spec_text))


def shrink_spec(spec: dict, digits: int = SIGNIFICANT_DIGITS) -> dict:
    """Drop columns the chart never mentions and round floats in its inline data (in place).

    A column is kept if its name appears anywhere in the spec outside the data (encodings,
    transforms, expressions such as `datum.name`, tooltips, sort orders): a conservative
    test that may keep a column it could drop, never the reverse. If a tooltip shows every
    field, all columns are kept.
    """
    text = _used_text(spec)
    keep_all = _uses_all_fields(text)

    def shrink_rows(rows):
        if not isinstance(rows, list) or not rows or not isinstance(rows[0], dict):
            return rows
        if rows[0].get("type") == "Feature":
            return rows  # GeoJSON: geometry is used implicitly (never named); sized by fiscalbook.geo
        cols = set().union(*(r.keys() for r in rows if isinstance(r, dict)))
        keep = cols if keep_all else {c for c in cols if c in text}
        return [{k: (round_sig(v, digits) if isinstance(v, float) else v)
                 for k, v in r.items() if k in keep} for r in rows]

    for name, rows in list(spec.get("datasets", {}).items()):
        spec["datasets"][name] = shrink_rows(rows)

    def walk(node):
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and "values" in data:
                data["values"] = shrink_rows(data["values"])
            for k, v in node.items():
                if k not in ("datasets", "data"):
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(spec)
    return spec


def _renderer(spec: dict, **metadata):
    """Altair's html renderer (universal template) on a shrunk spec. A chart may override
    embed options through `usermeta.embedOptions` (e.g. the canvas renderer for charts with
    thousands of marks)."""
    from altair.vegalite.v6.display import html_renderer

    override = (spec.get("usermeta") or {}).get("embedOptions") or {}
    if override:
        metadata = {**metadata, "embed_options": {**(metadata.get("embed_options") or {}), **override}}
    return html_renderer(shrink_spec(spec), **metadata)


alt.renderers.register(RENDERER_NAME, _renderer)


def enable() -> None:
    """Switch on the book theme and the data handling used by every chapter."""
    alt.theme.enable(THEME_NAME)
    alt.data_transformers.enable("default", max_rows=MAX_ROWS)
    alt.renderers.enable(RENDERER_NAME, embed_options=EMBED_OPTIONS, base_url=NO_CDN_BASE_URL)


def uk_colour_scale(field_values=("United Kingdom", "Other")) -> alt.Scale:
    """A two-colour scale that draws the UK in UK_COLOUR and the rest in grey."""
    return alt.Scale(domain=list(field_values), range=[UK_COLOUR, OTHER_COLOUR])


# ------------------------------------------------------------------ accessibility


def describe(chart: alt.TopLevelMixin, text: str) -> alt.TopLevelMixin:
    """Give a chart its description (the text a screen reader reads for it)."""
    if not text or not text.strip():
        raise ValueError("A chart description must say what the chart shows.")
    return chart.properties(description=text.strip())


POSITION_CHANNELS = ("x", "y", "theta", "latitude", "longitude")


def _has_title(channel: Any) -> bool:
    if not isinstance(channel, dict):
        return False
    if channel.get("title"):
        return True
    # title=None on a categorical axis is a choice (the labels are the categories);
    # a quantitative or temporal axis always needs its title with units.
    if "title" in channel and channel["title"] is None and channel.get("type") in ("nominal", "ordinal"):
        return True
    axis = channel.get("axis", "missing")
    if axis is None:  # no axis drawn: nothing to title
        return True
    if isinstance(axis, dict) and axis.get("title"):
        return True
    return False


def _title_text(title: Any) -> str:
    if isinstance(title, dict):
        title = title.get("text", "")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title or "").strip()


def _groups(spec: dict, inherited: dict | None = None):
    """Yield lists of unit views that share axes: a layer stack, or a single view."""
    inherited = dict(inherited or {})
    inherited.update(spec.get("encoding") or {})
    if "layer" in spec:
        units = []
        for child in spec["layer"]:
            for group in _groups(child, inherited):
                units.extend(group)
        yield units
        return
    for key in ("hconcat", "vconcat", "concat"):
        for child in spec.get(key, []):
            yield from _groups(child, inherited)
    if "spec" in spec:  # facet / repeat
        yield from _groups(spec["spec"], inherited)
        return
    if "mark" in spec:
        yield [(spec, inherited)]


def accessibility_problems(spec: dict | alt.TopLevelMixin) -> list[str]:
    """What a chart lacks for the book's accessibility rule (empty list: it passes).

    Every chart has a title, a description, a tooltip somewhere, and a title on every
    positional axis it draws (explicit: Altair's automatic field-name titles lack units;
    a categorical axis may opt out with title=None).
    """
    if not isinstance(spec, dict):
        spec = spec.to_dict()
    problems = []
    name = _title_text(spec.get("title")) or "(untitled chart)"
    if not _title_text(spec.get("title")):
        problems.append("no title")
    if not str(spec.get("description") or "").strip():
        problems.append(f"{name}: no description (use charts.describe(chart, text))")
    has_tooltip = False
    for group in _groups(spec):
        for unit, enc in group:
            mark = unit.get("mark")
            if (enc.get("tooltip") not in (None, [], {})
                    or (isinstance(mark, dict) and mark.get("tooltip") not in (None, False))):
                has_tooltip = True
        for channel in POSITION_CHANNELS:
            defs = [enc[channel] for _, enc in group if channel in enc]
            if not defs or channel in ("theta", "latitude", "longitude"):
                continue
            if any(isinstance(d, dict) and "value" in d and "field" not in d for d in defs):
                continue  # a constant position draws no axis
            if not any(_has_title(d) for d in defs):
                fields = sorted({str(d.get("field", d.get("aggregate", "?"))) for d in defs if isinstance(d, dict)})
                problems.append(f"{name}: {channel} axis has no title (field {', '.join(fields)})")
    if not has_tooltip:
        problems.append(f"{name}: no tooltip encoding")
    return problems


def check_accessible(chart: alt.TopLevelMixin | dict) -> None:
    """Raise ValueError if the chart fails the accessibility rule."""
    problems = accessibility_problems(chart)
    if problems:
        raise ValueError("Chart fails the accessibility rule: " + "; ".join(problems))
