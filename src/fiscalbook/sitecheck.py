"""Checks of the built site, shared by tests/test_site.py and scripts/benchmark.py.

* `external_references(html_dir)`: every script/stylesheet/font/image a page or a CSS file
  would load from a host other than its own (static parse of src/href/srcset and CSS url()).
* `page_weight(html_dir, page)`: a page's own gzipped weight (HTML + assets only it uses).
* `embedded_specs(html_text)`: the Vega-Lite specs Altair's html renderer wrote into a page.
* `serve(html_dir)`: the site over http on 127.0.0.1 (a thread), as a context manager.
* `browser()` / `visit(page, url)`: headless Chromium (the system's, via Playwright) and one
  page load that records console errors, page errors, non-loopback requests and how long
  the charts took to render.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import json
import re
import shutil
import threading
import time
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
# Pages Sphinx writes that are not chapters (no own-weight budget, but still offline-checked).
NON_CHAPTER_PAGES = {"genindex.html", "search.html", "py-modindex.html"}

# ---------------------------------------------------------------- static references

_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)""", re.I)


class _RefParser(HTMLParser):
    """Collect (tag, attribute, value) for everything the page would fetch by itself."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []  # (what, url)
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.refs.append(("script", a["src"]))
        elif tag == "link" and a.get("href"):
            rel = a.get("rel", "").lower()
            # stylesheets, fonts, preloads, icons: anything the browser fetches itself
            if any(r in rel for r in ("stylesheet", "preload", "prefetch", "icon", "modulepreload",
                                      "preconnect", "dns-prefetch", "manifest")):
                self.refs.append((f"link[{rel}]", a["href"]))
        elif tag in ("img", "source", "audio", "video", "iframe", "embed", "track", "input"):
            for attr in ("src", "data-src"):
                if a.get(attr):
                    self.refs.append((tag, a[attr]))
            if a.get("srcset"):
                for part in a["srcset"].split(","):
                    if part.strip():
                        self.refs.append((f"{tag}[srcset]", part.strip().split()[0]))
        elif tag == "object" and a.get("data"):
            self.refs.append(("object", a["data"]))
        if a.get("style"):
            self.styles.append(a["style"])
        if tag == "style":
            self._in_style = True

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def _is_external(url: str) -> bool:
    url = url.strip()
    if url.startswith(("data:", "#", "about:", "blob:", "javascript:")):
        return False
    parts = urlsplit(url)
    if url.startswith("//"):
        return True
    return bool(parts.scheme) or bool(parts.netloc)


def css_references(css: str) -> list[str]:
    return [m.group(2) for m in _CSS_URL.finditer(css)] + [m.group(1) for m in _CSS_IMPORT.finditer(css)]


def page_references(html_text: str) -> list[tuple[str, str]]:
    p = _RefParser()
    p.feed(html_text)
    refs = list(p.refs)
    for css in p.styles:
        refs += [("css url()", u) for u in css_references(css)]
    return refs


def external_references(html_dir: Path) -> dict[str, list[str]]:
    """{file: ["script https://…", …]} for every HTML and CSS file under html_dir."""
    found: dict[str, list[str]] = {}
    for path in sorted(html_dir.rglob("*.html")):
        bad = [f"{what} {url}" for what, url in page_references(path.read_text(encoding="utf-8"))
               if _is_external(url)]
        if bad:
            found[str(path.relative_to(html_dir))] = bad
    for path in sorted(html_dir.rglob("*.css")):
        bad = [f"css url() {u}" for u in css_references(path.read_text(encoding="utf-8", errors="replace"))
               if _is_external(u)]
        if bad:
            found[str(path.relative_to(html_dir))] = bad
    return found


# ----------------------------------------------------------------------- page weight


def _local_assets(html_dir: Path, page: Path) -> set[Path]:
    out = set()
    for _, url in page_references(page.read_text(encoding="utf-8")):
        if _is_external(url):
            continue
        target = (page.parent / unquote(urlsplit(url).path)).resolve()
        if target.is_file() and html_dir.resolve() in target.parents:
            out.add(target)
    return out


def gz_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=6))


def chapter_pages(html_dir: Path) -> list[Path]:
    return [p for p in sorted(html_dir.rglob("*.html"))
            if p.name not in NON_CHAPTER_PAGES and "_static" not in p.parts and "_sources" not in p.parts
            and "mathjax" not in p.parts]


def page_weights(html_dir: Path) -> dict[str, dict]:
    """Each page's own gzipped weight: its HTML plus local assets no other page uses.

    Assets used by two or more pages (theme, Vega bundle, MathJax) are shared and left out.
    """
    pages = chapter_pages(html_dir)
    assets = {p: _local_assets(html_dir, p) for p in pages}
    use = Counter(a for s in assets.values() for a in s)
    out = {}
    for p in pages:
        own = [a for a in assets[p] if use[a] == 1]
        html_gz = gz_size(p)
        own_gz = sum(gz_size(a) for a in own)
        out[str(p.relative_to(html_dir))] = {"html_gz": html_gz, "own_assets_gz": own_gz,
                                              "total_gz": html_gz + own_gz,
                                              "own_assets": [str(a) for a in own]}
    return out


# ------------------------------------------------------------------- embedded charts

_CALL = re.compile(r"\n\s*\}\)\(")


def embedded_specs(html_text: str) -> list[dict]:
    """The chart specs inlined by Altair's html renderer: the spec argument of each
    `(function(spec, embedOpt){ ... })(SPEC, EMBED_OPTIONS);` call."""
    specs = []
    decoder = json.JSONDecoder()
    for m in re.finditer(r"\(function\(spec, embedOpt\)\{", html_text):
        call = _CALL.search(html_text, m.end())
        if call is None:
            raise ValueError("an Altair chart script without its spec call")
        spec, _ = decoder.raw_decode(html_text, call.end())
        specs.append(spec)
    return specs


# --------------------------------------------------------------------------- serving


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(html_dir: Path):
    """Serve html_dir on http://127.0.0.1:<free port>/ in a thread; yield the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- browser


def chromium_path() -> str:
    for cand in CHROMIUM_CANDIDATES:
        if Path(cand).is_file():
            return cand
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    raise FileNotFoundError(
        "No Chromium found (looked for /usr/bin/chromium). Install the system browser with "
        "`apt-get install chromium` (Debian/Ubuntu); the browser test does not download one."
    )


@contextlib.contextmanager
def browser():
    """A headless system Chromium driven by Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


# Altair's html renderer writes <div id="altair-viz-…">; Vega-Embed adds class vega-embed
# to it once it runs. Counting both finds charts whose scripts never ran.
CHART_SELECTOR = "div[id^='altair-viz-'], .vega-embed"
_RENDERED_JS = """(sel) => {
  const charts = Array.from(document.querySelectorAll(sel));
  return charts.length > 0 && charts.every(c => c.querySelector('svg, canvas'));
}"""


def visit(page, url: str, timeout_ms: int = 30000) -> dict:
    """Load url in a Playwright page; record errors, outside requests and chart rendering."""
    record = {"url": url, "console_errors": [], "page_errors": [], "external_requests": [],
              "charts": 0, "rendered": 0, "chart_render_s": None, "load_s": None}

    def on_console(msg):
        if msg.type == "error":
            record["console_errors"].append(msg.text)

    def on_request(req):
        host = urlsplit(req.url).hostname or ""
        if urlsplit(req.url).scheme in ("data", "blob", "about"):
            return
        if host not in LOOPBACK:
            record["external_requests"].append(req.url)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: record["page_errors"].append(str(exc)))
    page.on("request", on_request)
    page.on("response", lambda resp: record["console_errors"].append(
        f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 else None)
    page.on("requestfailed", lambda req: record["console_errors"].append(
        f"request failed: {req.url} ({req.failure})") if (urlsplit(req.url).hostname or "") in LOOPBACK else None)
    start = time.perf_counter()
    page.goto(url, wait_until="load", timeout=timeout_ms)
    record["load_s"] = time.perf_counter() - start
    n = page.locator(CHART_SELECTOR).count()
    record["charts"] = n
    if n:
        try:
            page.wait_for_function(_RENDERED_JS, arg=CHART_SELECTOR, timeout=timeout_ms)
            record["chart_render_s"] = time.perf_counter() - start
        except Exception as exc:  # noqa: BLE001 - reported, the caller decides
            record["page_errors"].append(f"charts did not render within {timeout_ms} ms: {exc}")
    record["rendered"] = page.evaluate(
        "(sel) => Array.from(document.querySelectorAll(sel)).filter(c => c.querySelector('svg, canvas')).length",
        CHART_SELECTOR)
    page.wait_for_load_state("networkidle", timeout=timeout_ms)
    return record


def hover_tooltip(page, timeout_ms: int = 10000, tries: int = 25) -> str:
    """Hover the data marks of the first chart on the page, one after another, until a
    tooltip shows; return its text. (The first mark in document order can lie under another
    mark, e.g. a reference rule drawn on top, so one hover is not a fair test.)"""
    # data marks are SVG shapes with role="graphics-symbol" (axes and legends are <g> groups)
    marks = page.locator(".vega-embed").first.locator("svg :not(g)[role='graphics-symbol']")
    n = marks.count()
    if n == 0:
        raise AssertionError("no chart mark with role=graphics-symbol to hover")
    tip = page.locator("#vg-tooltip-element")
    per_try = max(500, timeout_ms // tries)
    last_error = None
    for i in range(min(n, tries)):
        mark = marks.nth(i)
        mark.scroll_into_view_if_needed()
        box = mark.bounding_box()
        if box is None or box["width"] * box["height"] == 0 and box["width"] + box["height"] == 0:
            continue
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        try:
            tip.wait_for(state="visible", timeout=per_try)
            return tip.inner_text()
        except Exception as exc:  # noqa: BLE001 - try the next mark
            last_error = exc
    raise AssertionError(f"no tooltip after hovering {min(n, tries)} marks of the first chart: {last_error}")


# ------------------------------------------------------- what the charts really draw

# Vega-Embed does not keep its views anywhere a page can reach, so the checks wrap
# window.vegaEmbed before any page script runs and keep each chart's view.
CAPTURE_VIEWS_JS = """(() => {
  window.__fbViews = [];
  let wrapped;
  Object.defineProperty(window, 'vegaEmbed', {
    configurable: true,
    get() { return wrapped; },
    set(fn) {
      const wrap = function(el, spec, opts) {
        return fn(el, spec, opts).then(res => {
          const node = typeof el === 'string' ? document.querySelector(el) : el;
          window.__fbViews.push({el: node, view: res.view, spec: res.spec});
          return res;
        });
      };
      Object.assign(wrap, fn);
      wrapped = wrap;
    },
  });
})();"""

# For every faceted chart (a Vega view with two or more facet cells), a signature of what
# each cell draws: the data of every mark item inside it and where it sits. A facet whose
# inner layers restate their data draws every datum in every cell: identical signatures.
_FACET_CELLS_JS = """() => {
  const strip = d => {
    if (!d || typeof d !== 'object') return d;
    const o = {};
    for (const k of Object.keys(d).sort()) if (!k.startsWith('Symbol') && k !== '_vgsid_') o[k] = d[k];
    return o;
  };
  const sig = item => {
    const out = [];
    const walk = (node) => {
      for (const mark of (node.items || [])) {
        if (mark.role === 'axis' || mark.role === 'legend' || mark.role === 'title'
            || (mark.role || '').startsWith('axis') || (mark.role || '').startsWith('legend')) continue;
        for (const it of (mark.items || [])) {
          if (mark.marktype === 'group') { walk(it); continue; }
          out.push(JSON.stringify([mark.name || mark.marktype, strip(it.datum),
            Math.round(it.x || 0), Math.round(it.y || 0), Math.round(it.x2 || 0), Math.round(it.y2 || 0)]));
        }
      }
    };
    walk(item);
    return out.sort().join('\\n');
  };
  const results = [];
  (window.__fbViews || []).forEach((v, i) => {
    const cells = [];
    // the scenegraph alternates marks (with .marktype) and their items
    const find = (mark) => {
      if (mark.marktype !== 'group') return;
      if (mark.role === 'scope' && /cell/.test(mark.name || '')) { cells.push(...mark.items); return; }
      for (const it of (mark.items || [])) for (const child of (it.items || [])) find(child);
    };
    find(v.view.scenegraph().root);
    if (cells.length < 2) return;
    const title = (v.spec && v.spec.title) ? (v.spec.title.text || v.spec.title) : '(untitled)';
    const sigs = cells.map(sig);
    results.push({chart: i + 1, title: String(title), cells: cells.length,
                  distinct: new Set(sigs).size, empty: sigs.filter(s => s === '').length});
  });
  return results;
}"""


def facet_panels(page) -> list[dict]:
    """For each faceted chart on a loaded page (visited with CAPTURE_VIEWS_JS as an init
    script): {chart, title, cells, distinct, empty}. A correct facet has distinct == cells."""
    return page.evaluate(_FACET_CELLS_JS)


def identical_facets(page) -> list[str]:
    """Faceted charts whose panels do not all draw different data."""
    return [f"chart {r['chart']} '{r['title']}': {r['cells']} panels, {r['distinct']} distinct"
            for r in facet_panels(page) if r["distinct"] < r["cells"]]


# Content column: sphinx-book-theme's article; elsewhere, the body.
_OVERFLOW_JS = """(tol) => {
  const col = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const c = col.getBoundingClientRect();
  const scrollBox = el => {
    for (let a = el.parentElement; a && a !== col; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'auto' || s.overflowX === 'scroll') return a;
    }
    return null;
  };
  const out = [];
  const els = Array.from(document.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas.marks, .vega-embed .vega-bindings, table'));
  for (const el of els) {
    if (el.closest('.bd-sidebar-primary, .bd-sidebar-secondary, header, footer')) continue;
    const box = (el.tagName === 'TABLE' && scrollBox(el)) || el;
    const r = box.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;  // hidden (e.g. a closed dropdown)
    if (r.left < c.left - tol || r.right > c.right + tol) {
      const t = el.matches('[aria-label]') ? el : el.querySelector('[aria-label]');
      out.push({what: el.tagName === 'TABLE' ? 'table' : 'chart',
                label: ((t && t.getAttribute('aria-label')) || el.id || el.className || '').slice(0, 80),
                width: Math.round(r.width), column: Math.round(c.width)});
    }
  }
  const page = document.documentElement;
  if (page.scrollWidth > window.innerWidth + tol)
    out.push({what: 'page', label: 'the page scrolls sideways', width: page.scrollWidth, column: window.innerWidth});
  return out;
}"""


def overflowing(page, tolerance_px: int = 2) -> list[dict]:
    """Charts and tables wider than the content column (a table inside a box that scrolls
    sideways counts as that box), and a page that scrolls sideways."""
    return page.evaluate(_OVERFLOW_JS, tolerance_px)


# Charts whose data marks draw nothing visible (e.g. a map whose geometry was lost):
# every mark item outside axes, legends and titles has empty bounds.
_EMPTY_JS = """() => {
  const out = [];
  (window.__fbViews || []).forEach((v, i) => {
    let drawn = 0, items = 0;
    const walk = (mark) => {
      const role = mark.role || '';
      if (/axis|legend|title/.test(role)) return;
      for (const it of (mark.items || [])) {
        if (mark.marktype === 'group') { for (const c of (it.items || [])) walk(c); continue; }
        items += 1;
        const b = it.bounds;
        if (b && isFinite(b.x1) && isFinite(b.x2) && (b.x2 - b.x1) + (b.y2 - b.y1) > 0) drawn += 1;
      }
    };
    walk(v.view.scenegraph().root);
    if (drawn === 0) {
      const t = v.spec && v.spec.title;
      out.push({chart: i + 1, title: String((t && (t.text || t)) || '(untitled)'), items});
    }
  });
  return out;
}"""


def empty_charts(page) -> list[dict]:
    """Charts (captured with CAPTURE_VIEWS_JS) whose data marks draw nothing."""
    return page.evaluate(_EMPTY_JS)
