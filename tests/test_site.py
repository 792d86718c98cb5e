"""The built site: offline, complete, light, accessible, and working in a real browser.

Tests marked `book` use the session fixture `built_site` (the strict build, run once);
`browser` tests also drive the system's headless Chromium through Playwright. The first
group of tests checks the checkers themselves on small synthetic inputs, so a checker
that silently stopped finding anything would fail here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from fiscalbook import charts, sitecheck

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
PAGE_BUDGET_BYTES = 300_000  # gzipped HTML + assets only this page uses (shared scripts aside)

# ------------------------------------------------------------------ glue references

_CODE_CELL = re.compile(r"^(`{3,}|~{3,})\{code-cell\}.*?^\1\s*$", re.S | re.M)
# roles: {glue}`key`, {glue:}`key`, {glue:any}`key`, {glue:text}`key:.2f`, {glue:md}`key:myst`,
# {glue:figure}`key` ; directives: ```{glue} key, ```{glue:figure} key, :::{glue:md} key
_ROLE = re.compile(r"\{glue(?::(?:any|text|md|figure|math)?)?\}`([^`]+)`")
_DIRECTIVE = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{glue(?::(?:any|figure|math|md))?\}[ \t]+(\S+)", re.M)
# a key may name another document as `path::key`; a role may add `:format` after the key
_KEY = re.compile(r"^(?:[^:`]+::)?([A-Za-z_][A-Za-z0-9_]*)")


def glue_keys_used(text: str) -> set[str]:
    """Every glue key a MyST page refers to in its prose (code cells ignored)."""
    prose = _CODE_CELL.sub("", text)
    keys = set()
    for raw in _ROLE.findall(prose) + _DIRECTIVE.findall(prose):
        m = _KEY.match(raw.strip())
        if m is None:
            raise ValueError(f"cannot read glue key from {raw!r}")
        keys.add(m.group(1))
    return keys


def test_glue_key_parser_reads_every_form():
    text = (
        "A {glue:text}`a_one:.2f` b {glue}`b_two` c {glue:}`c_three` d {glue:md}`d_four:myst` "
        "e {glue:any}`e_five` f {glue:text}`chapters/other.ipynb::f_six:,.0f`\n"
        "```{glue:figure} g_seven\n:name: fig\n```\n"
        "```{glue} h_eight\n```\n"
        ":::{glue:md} i_nine\n:::\n"
        "```{code-cell} ipython3\nx = '{glue:text}`not_a_key`'\n```\n"
    )
    assert glue_keys_used(text) == {"a_one", "b_two", "c_three", "d_four", "e_five", "f_six",
                                    "g_seven", "h_eight", "i_nine"}


# ------------------------------------------------------------ checker self-tests


def test_reference_checker_catches_outside_hosts(tmp_path):
    (tmp_path / "a.html").write_text(
        '<html><head><script src="https://cdn.example.org/x.js"></script>'
        '<link rel="stylesheet" href="//fonts.example.com/f.css">'
        '<link rel="stylesheet" href="_static/ok.css"><style>@font-face{src:url(https://f.example/x.woff)}</style>'
        '</head><body><img src="http://img.example/p.png"><img src="ok.png">'
        '<a href="https://example.org/">a link is not a load</a></body></html>', encoding="utf-8")
    (tmp_path / "b.css").write_text("body{background:url('https://x.example/bg.png')} i{background:url(data:image/png;base64,AA)}",
                                    encoding="utf-8")
    found = sitecheck.external_references(tmp_path)
    assert len(found["a.html"]) == 4, found
    assert len(found["b.css"]) == 1, found


def test_accessibility_check_flags_missing_parts():
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"x": [1.0, 2.0], "y": [3.0, 4.0]})
    bare = alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q")
    problems = charts.accessibility_problems(bare)
    assert any("no title" in p for p in problems)
    assert any("no description" in p for p in problems)
    assert any("x axis has no title" in p for p in problems)
    assert any("y axis has no title" in p for p in problems)
    assert any("no tooltip" in p for p in problems)
    good = charts.describe(
        alt.Chart(df).mark_point().encode(x=alt.X("x:Q", title="X (units)"), y=alt.Y("y:Q", title="Y (units)"),
                                          tooltip=["x:Q", "y:Q"]).properties(title="T"),
        "Two points")
    assert charts.accessibility_problems(good) == []
    layered = alt.layer(
        alt.Chart(df).mark_line().encode(x=alt.X("x:Q", title="X (units)"), y=alt.Y("y:Q", title="Y (units)")),
        alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q", tooltip=["x:Q"]),
    ).properties(title="L", description="A line with points")
    assert charts.accessibility_problems(layered) == []


def test_shrink_spec_rounds_and_drops_unused_columns():
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"x": [1.234567], "y": [98765.4321], "unused_col": ["zzz"]})
    spec = alt.Chart(df).mark_point().encode(x="x:Q", y="y:Q").to_dict()
    shrunk = charts.shrink_spec(spec)
    (rows,) = shrunk["datasets"].values()
    assert rows == [{"x": 1.23457, "y": 98765.43}]
    assert charts.round_sig(0.0123456789) == 0.0123457
    assert charts.round_sig(67081234.0) == 67081234
    assert charts.round_sig(45123.4649) == 45123.46  # a ",.0f" tooltip still shows 45,123


def test_embedded_spec_parser_reads_altair_html():
    import altair as alt
    import pandas as pd

    chart = alt.Chart(pd.DataFrame({"x": [1]})).mark_point().encode(x="x:Q").properties(title="One")
    html = alt.renderers.get()(chart.to_dict())["text/html"] * 2
    specs = sitecheck.embedded_specs(html)
    assert [s["title"] for s in specs] == ["One", "One"]


def test_chart_output_has_no_outside_address_and_draws_svg():
    import altair as alt
    import pandas as pd

    before = (alt.renderers.active, dict(alt.renderers.options), alt.theme.active)
    try:
        charts.enable()
        chart = charts.describe(alt.Chart(pd.DataFrame({"x": [1.0]})).mark_point().encode(
            x=alt.X("x:Q", title="X (units)"), tooltip=["x:Q"]).properties(title="One"), "A point")
        html = alt.renderers.get()(chart.to_dict())["text/html"]
    finally:  # leave Altair as other tests found it
        alt.renderers.enable(before[0], **before[1])
        alt.theme.enable(before[2])
    assert not re.search(r"https?://(?!vega\.github\.io/schema/)", html), "an outside address in chart output"
    (spec,) = sitecheck.embedded_specs(html)
    assert spec["description"] == "A point"
    assert '"renderer": "svg"' in html


def test_vendored_assets_are_current():
    """The Vega bundle and MathJax were made for the installed packages (run
    `python scripts/vendor_assets.py` after changing Altair or vl-convert-python)."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_assets.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    stamp = json.loads((ROOT / "_static" / "vendor" / "vega-bundle.stamp.json").read_text(encoding="utf-8"))
    from altair.vegalite.v6 import display

    assert stamp["debug"] == {"vega_version": str(display.VEGA_VERSION),
                              "vegalite_version": str(display.VEGALITE_VERSION),
                              "vegaembed_version": str(display.VEGAEMBED_VERSION)}


# -------------------------------------------------------------------- built site


def _pages(html: Path) -> list[Path]:
    return [p for p in sorted(html.rglob("*.html"))
            if not {"_static", "_sources", "mathjax", "_images"} & set(p.relative_to(html).parts)]


@pytest.mark.book
def test_no_page_loads_from_another_host(built_site):
    found = sitecheck.external_references(built_site)
    assert not found, "pages or stylesheets load from other hosts:\n" + json.dumps(found, indent=1)[:4000]


@pytest.mark.book
def test_vendored_libraries_are_in_the_site(built_site):
    bundle = built_site / "_static" / "vendor" / "vega-bundle.js"
    assert bundle.is_file(), "run scripts/vendor_assets.py before the build"
    assert "window.VEGA_DEBUG" in bundle.read_text(encoding="utf-8")[-600:]
    assert (built_site / "mathjax" / "tex-mml-chtml.js").is_file()


@pytest.mark.book
def test_every_glued_key_in_prose_is_in_results(built_site):
    results_file = built_site / "results.json"
    assert results_file.is_file(), "fiscalbook.sphinx_results did not write results.json"
    results = json.loads(results_file.read_text(encoding="utf-8"))["results"]
    # glued timings (keys ending in _seconds) are kept apart, in timings.json
    results = {**results, **json.loads((built_site / "timings.json").read_text(encoding="utf-8"))["timings"]}
    missing = {}
    for md in sorted(CHAPTERS.glob("*.md")):
        lost = sorted(glue_keys_used(md.read_text(encoding="utf-8")) - set(results))
        if lost:
            missing[md.name] = lost
    assert not missing, f"glue keys used in prose but absent from results.json: {missing}"


@pytest.mark.book
def test_chapter_pages_within_weight_budget(built_site):
    weights = sitecheck.page_weights(built_site)
    assert weights, "no pages found"
    heavy = {page: w["total_gz"] for page, w in weights.items() if w["total_gz"] > PAGE_BUDGET_BYTES}
    assert not heavy, f"pages over {PAGE_BUDGET_BYTES} bytes gzipped (own HTML + own assets): {heavy}"


@pytest.mark.book
def test_every_embedded_chart_is_accessible(built_site):
    problems, n = {}, 0
    for page in _pages(built_site):
        for i, spec in enumerate(sitecheck.embedded_specs(page.read_text(encoding="utf-8"))):
            n += 1
            found = charts.accessibility_problems(spec)
            if found:
                problems[f"{page.relative_to(built_site)} chart {i + 1}"] = found
    assert not problems, "charts failing the accessibility rule:\n" + json.dumps(problems, indent=1)


# ----------------------------------------------------------------------- browser


@pytest.fixture(scope="module")
def chromium():
    try:
        sitecheck.chromium_path()
    except FileNotFoundError as exc:
        pytest.fail(str(exc))
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail("playwright (Python) is missing: pip install -r requirements.txt")
    with sitecheck.browser() as b:
        yield b


def _facet_chart(restate: bool):
    """Two-panel facet; `restate` reproduces the bug (inner layer carries the data)."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"term": ["a", "a", "b", "b"], "spec": ["x", "y", "x", "y"], "coef": [1.0, 2.0, -1.0, -3.0]})
    inner = alt.Chart(df) if restate else alt.Chart()
    layer = alt.layer(inner.mark_point().encode(x=alt.X("coef:Q", title="Coef (units)"), y=alt.Y("spec:N", title=None),
                                                tooltip=["coef:Q"]))
    return layer.facet(row="term:N", data=df).properties(title=f"restate={restate}", description="d")


def _page_with(tmp_path, name, charts_html: str, body_style: str = "") -> str:
    import shutil

    vendor = ROOT / "_static" / "vendor" / "vega-bundle.js"
    if not vendor.is_file():
        pytest.fail("run scripts/vendor_assets.py first (the Vega bundle is missing)")
    shutil.copy(vendor, tmp_path / "vega-bundle.js")
    (tmp_path / name).write_text(
        '<!doctype html><html><head><meta name="viewport" content="width=device-width">'
        '<script src="vega-bundle.js"></script><link rel="stylesheet" href="site.css"></head>'
        f'<body style="margin:0"><main style="{body_style}"><article class="bd-article">{charts_html}</article></main>'
        '</body></html>', encoding="utf-8")
    shutil.copy(ROOT / "_static" / "fiscalbook.css", tmp_path / "site.css")
    return name


def _chart_html(chart) -> str:
    import altair as alt

    charts.enable()
    return alt.renderers.get()(chart.to_dict())["text/html"]


@pytest.mark.browser
def test_facet_check_catches_panels_that_repeat_each_other(tmp_path, chromium):
    name = _page_with(tmp_path, "f.html", _chart_html(_facet_chart(True)) + _chart_html(_facet_chart(False)))
    with sitecheck.serve(tmp_path) as base:
        page = chromium.new_page()
        page.add_init_script(sitecheck.CAPTURE_VIEWS_JS)
        rec = sitecheck.visit(page, base + name)
        assert rec["rendered"] == 2, rec
        panels = {r["title"]: r for r in sitecheck.facet_panels(page)}
        page.close()
    assert panels["restate=True"]["cells"] == 2 and panels["restate=True"]["distinct"] == 1
    assert panels["restate=False"]["distinct"] == 2


@pytest.mark.browser
def test_empty_chart_check_catches_a_map_without_geometry(tmp_path, chromium):
    import altair as alt

    square = {"type": "Polygon", "coordinates": [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]}
    def geo_chart(with_geometry: bool, title: str):
        feat = {"type": "Feature", "properties": {"v": 1.0}}
        if with_geometry:
            feat["geometry"] = square
        return charts.describe(alt.Chart(alt.Data(values=[feat])).mark_geoshape().encode(
            tooltip=[alt.Tooltip("properties.v:Q", title="v")]).properties(title=title, width=200, height=200), "m")
    name = _page_with(tmp_path, "m.html", _chart_html(geo_chart(True, "drawn")) + _chart_html(geo_chart(False, "lost")))
    with sitecheck.serve(tmp_path) as base:
        page = chromium.new_page()
        page.add_init_script(sitecheck.CAPTURE_VIEWS_JS)
        sitecheck.visit(page, base + name)
        empty = [e["title"] for e in sitecheck.empty_charts(page)]
        page.close()
    assert empty == ["lost"]


@pytest.mark.browser
def test_overflow_check_catches_wide_charts_and_tables(tmp_path, chromium):
    # a chart as Vega-Embed leaves it (svg.marks with a viewBox in div.chart-wrapper), 2,000 px wide
    chart = ('<div class="vega-embed" style="display:flex"><div class="chart-wrapper">'
             '<svg class="marks" width="2000" height="60" viewBox="0 0 2000 60" aria-label="wide">'
             '<rect width="2000" height="60"/></svg></div></div>')
    table = "<table><tr>" + "<td>cell&nbsp;with&nbsp;a&nbsp;long&nbsp;text</td>" * 30 + "</tr></table>"
    boxed = f'<div style="overflow-x:auto">{table}</div>'
    # without the book's CSS the chart overflows; with it, the chart scales to the column
    bare = _page_with(tmp_path, "bare.html", chart + table)
    (tmp_path / "bare.html").write_text((tmp_path / "bare.html").read_text().replace('href="site.css"', 'href="none.css"'))
    styled = _page_with(tmp_path, "styled.html", chart + boxed)
    with sitecheck.serve(tmp_path) as base:
        for width in (1400, 390):
            page = chromium.new_page(viewport={"width": width, "height": 900})
            sitecheck.visit(page, base + bare)
            found = {f["what"] for f in sitecheck.overflowing(page)}
            assert {"chart", "table", "page"} <= found, (width, found)
            page.close()
            page = chromium.new_page(viewport={"width": width, "height": 900})
            sitecheck.visit(page, base + styled)
            assert sitecheck.overflowing(page) == [], width
            page.close()


VIEWPORTS = {"desktop": 1400, "phone": 390}


@pytest.mark.book
@pytest.mark.browser
def test_facets_differ_and_nothing_overflows(built_site, chromium):
    """Every chart draws something; every faceted chart draws different data in each panel;
    no chart or table is wider than the content column at desktop and phone widths."""
    failures, n_facets = {}, 0
    with sitecheck.serve(built_site) as base:
        for label, width in VIEWPORTS.items():
            context = chromium.new_context(viewport={"width": width, "height": 900})
            context.add_init_script(sitecheck.CAPTURE_VIEWS_JS)
            for path in _pages(built_site):
                rel = path.relative_to(built_site).as_posix()
                page = context.new_page()
                sitecheck.visit(page, base + rel)
                if label == "desktop":
                    empty = sitecheck.empty_charts(page)
                    if empty:
                        failures[f"{rel} (charts that draw nothing)"] = empty
                    panels = sitecheck.facet_panels(page)
                    n_facets += len(panels)
                    same = sitecheck.identical_facets(page)
                    if same:
                        failures[f"{rel} (facets)"] = same
                wide = sitecheck.overflowing(page)
                if wide:
                    failures[f"{rel} at {width} px"] = wide
                page.close()
            context.close()
    assert n_facets > 0, "no faceted chart found: the facet check would prove nothing"
    assert not failures, json.dumps(failures, indent=1)[:6000]


@pytest.mark.book
@pytest.mark.browser
def test_pages_work_offline_in_chromium(built_site, chromium):
    failures, with_charts, n_charts = {}, [], 0
    with sitecheck.serve(built_site) as base:
        context = chromium.new_context()
        for path in _pages(built_site):
            rel = path.relative_to(built_site).as_posix()
            page = context.new_page()
            rec = sitecheck.visit(page, base + rel)
            faults = []
            if rec["console_errors"]:
                faults.append(f"console errors: {rec['console_errors']}")
            if rec["page_errors"]:
                faults.append(f"page errors: {rec['page_errors']}")
            if rec["external_requests"]:
                faults.append(f"requests to other hosts: {rec['external_requests']}")
            if rec["rendered"] != rec["charts"]:
                faults.append(f"{rec['charts'] - rec['rendered']} of {rec['charts']} charts have no svg/canvas")
            unlabelled = page.evaluate(
                "() => Array.from(document.querySelectorAll(\"div[id^='altair-viz-']\")).filter("
                "c => !(c.querySelector('[aria-label]') || {}).getAttribute?.('aria-label')).length")
            if unlabelled:
                faults.append(f"{unlabelled} charts without an aria-label")
            if faults:
                failures[rel] = faults
            if rec["charts"]:
                with_charts.append(rel)
                n_charts += rec["charts"]
            page.close()
        if not with_charts:
            failures["(whole site)"] = ["no page of the book has a chart: the chart checks would prove nothing"]
        else:
            page = context.new_page()
            sitecheck.visit(page, base + with_charts[0])
            try:
                text = sitecheck.hover_tooltip(page)
            except Exception as exc:  # noqa: BLE001
                failures[f"{with_charts[0]} (tooltip)"] = [f"hovering a mark showed no tooltip: {exc}"]
            else:
                if not text.strip():
                    failures[f"{with_charts[0]} (tooltip)"] = ["the tooltip is empty"]
        context.close()
    assert not failures, f"{len(failures)} pages fail in Chromium:\n" + json.dumps(failures, indent=1)[:6000]
