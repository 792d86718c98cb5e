"""Measure how long the book takes to build and how heavy and fast its pages are.

    python scripts/benchmark.py                       # prints the tables
    python scripts/benchmark.py --markdown bench.md   # also writes them as Markdown
    python scripts/benchmark.py --prebuild -j 2       # also: cold build with parallel pre-execution
    python scripts/benchmark.py --no-browser          # skip the Chromium chart timings
    python scripts/benchmark.py --engines --old-ref e174e65 --markdown engines.md
                                                      # only: old vs new specification-curve
                                                      # engine, cost model, 1 vs 2 Dask workers

Not a test. Works on a throw-away copy of the checkout (in a temporary folder; the
checkout itself is never edited or built), with the data snapshot and download cache of
the checkout (FISCALBOOK_SNAPSHOT / FISCALBOOK_CACHE point at them). Measures:

* the bare import time of the toolchain (`python -c "import jupyter_book, myst_nb, sphinx"`),
* a cold build (no _build), a rebuild with no change, a rebuild after a prose edit and
  one after a code edit in one chapter (all with the strict command, `--all -W -n`),
* the chapters' own execution times as recorded in the jupyter-cache (the numbers of the
  execution table), and their sum,
* optionally a cold build preceded by scripts/prebuild_cache.py (parallel kernels),
* each page's own gzipped weight (HTML + assets only it uses) and, in headless Chromium,
  the time from navigation until every chart on the page has drawn.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
JB = [PY, "-c", "import sys; from jupyter_book.cli.main import main; sys.exit(main())"]
BUILD_ARGS = ["build", "--all", "-W", "-n", "--keep-going", "."]
_SKIP = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache",
                               "*.egg-info", ".ipynb_checkpoints")


def IGNORE(folder, names):
    skip = set(_SKIP(folder, names))
    if Path(folder).resolve() == (ROOT / "data").resolve():
        skip.add("cache")  # the download cache is used in place (FISCALBOOK_CACHE)
    return skip


def run(cmd, cwd, env, label) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-40:])
        raise SystemExit(f"{label} failed (exit {proc.returncode}):\n{tail}")
    return elapsed


def import_time(env, code="import jupyter_book, myst_nb, sphinx", repeat=3) -> float:
    return min(run([PY, "-c", code], ROOT, env, "import") for _ in range(repeat))


# The packages' __init__ modules are tiny; what the build command really imports first:
FULL_IMPORT = ("import jupyter_book.cli.main, sphinx.application, myst_nb.sphinx_ext, "
               "sphinx_book_theme, sphinx_design, sphinxcontrib.bibtex")


def prose_edit(path: Path) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n\nThis sentence was added by scripts/benchmark.py.\n")


def code_edit(path: Path) -> None:
    """Add a harmless line to the chapter's last code cell (so the chapter re-executes)."""
    text = path.read_text(encoding="utf-8")
    cells = list(re.finditer(r"^(`{3,})\{code-cell\}[^\n]*\n(.*?)^\1[ \t]*$", text, re.S | re.M))
    if not cells:
        raise SystemExit(f"{path} has no code cell to edit")
    m = cells[-1]
    insert_at = m.end(2)
    path.write_text(text[:insert_at] + "_benchmark_edit = 1\n" + text[insert_at:], encoding="utf-8")


def exec_times(build: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(str(build / ".jupyter_cache"))
    out = {}
    for rec in cache.list_cache_records():
        seconds = (rec.data or {}).get("execution_seconds")
        if seconds is not None:
            out[Path(rec.uri).stem] = max(out.get(Path(rec.uri).stem, 0.0), float(seconds))
    return out


def chart_timings(html: Path, visits: int = 3) -> dict[str, dict]:
    """Load each page `visits` times; report the median time until all its charts drew."""
    import statistics

    from fiscalbook import sitecheck

    out = {}
    with sitecheck.serve(html) as base, sitecheck.browser() as browser:
        context = browser.new_context()
        for page_path in sitecheck.chapter_pages(html):
            rel = page_path.relative_to(html).as_posix()
            records = []
            for _ in range(visits):
                page = context.new_page()
                records.append(sitecheck.visit(page, base + rel))
                page.close()
            rec = dict(records[-1])
            times = [r["chart_render_s"] for r in records if r.get("chart_render_s") is not None]
            rec["chart_render_s"] = statistics.median(times) if times else None
            out[rel] = rec
        context.close()
    return out


def pick_chapter(copy: Path, wanted: str | None) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from prebuild_cache import read_notebook, toc_documents

    if wanted:
        return copy / wanted
    docs = [p for p in toc_documents(copy) if read_notebook(p) is not None
            and p.stem not in ("reproducibility",)]
    if not docs:
        raise SystemExit("no executable chapter in _toc.yml")
    return docs[0]


def table(rows, headers) -> str:
    widths = [max(len(str(h)), *(len(str(r[i])) for r in rows)) for i, h in enumerate(headers)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in rows])


def _timed_call(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _chapter_seconds(root: Path, env: dict) -> float:
    """Execution time of the robustness chapter of the checkout at `root` (no memo)."""
    shutil.rmtree(root / "_build", ignore_errors=True)
    out = subprocess.run([PY, str(root / "scripts" / "run_chapter.py"), "chapters/robustness.md"], cwd=root,
                         env=env, capture_output=True, text=True, check=True).stdout
    return float(re.search(r"executed in ([0-9.]+) s", out).group(1))


def engines(args) -> int:
    """Old engine (fiscalbook.speccurve: per-specification WCR with interval inversion) against
    the new one (analyses.multiverse on methods.fastboot) on the same specifications; the cost
    model of the new engine; one against two Dask workers; the robustness chapter before and
    after (when --old-ref is given)."""
    import numpy as np
    from threadpoolctl import threadpool_limits

    from fiscalbook import paths, speccurve, study
    from fiscalbook.analyses import multiverse as mv
    from fiscalbook.wildboot import WildClusterBootstrap, partial_out

    B = study.BOOT_DRAWS
    rows: list[tuple] = []
    t_frames, fr = _timed_call(mv.frames)
    rows.append(("build the multiverse's frames (new engine, once)", f"{t_frames:.1f} s", ""))
    # the same specifications: the old curve's region and country models (equal weights)
    old_specs = [s for s in speccurve.specifications() if s.level != "cross-section"][:: args.every]
    new_specs = [mv.Spec("productivity" if s.level == "region" else "disparity", s.level, s.outcome, s.measure,
                         s.sample, s.fe, s.lag, s.source, "equal regions" if s.level == "region" else "equal countries")
                 for s in old_specs]
    region, country = speccurve._region_panels(), speccurve._disparity_panels()

    def frame(s):
        return region[(s.source, s.sample)] if s.level == "region" else \
            country[(s.source, s.sample)].query("outcome == @s.outcome")

    t_old, old = _timed_call(lambda: [r for s in old_specs for r in speccurve._fit(frame(s), s, B, speccurve.SEED)])

    def old_p_only():
        for s in old_specs:
            y = s.outcome if s.level != "country" else "value"
            fe = (speccurve.REGION_FE if s.level == "region" else speccurve.COUNTRY_FE)[s.fe]
            try:
                p = partial_out(frame(s), y, speccurve._regressor(s.measure, s.lag), fe=list(fe), cluster="iso3")
                WildClusterBootstrap(p, B=B, seed=speccurve.SEED).pvalue(0.0)
            except ValueError:
                pass

    t_old_p, _ = _timed_call(old_p_only)
    with threadpool_limits(1):
        t_old_p1, _ = _timed_call(old_p_only)
    t_new, new = _timed_call(lambda: mv.run(draws=B, frames_=fr, specs=new_specs, exact=False))
    t_exact, exact = _timed_call(lambda: mv.run(draws=B, frames_=fr, specs=new_specs, exact=True))
    n_old = sum(1 for r in old if r.get("inference") == "wild_bootstrap")
    n_new = int(new.curve["status"].isin(["ok", "duplicate"]).sum())
    per = lambda t, n: t / (n * B)  # noqa: E731
    o = [r for r in old if r.get("inference") == "wild_bootstrap"]
    o_coef = np.array([r["coef_raw"] for r in o])
    o_p = np.array([r["p"] for r in o])
    key = lambda r: (r["outcome"], r["measure"], r["sample"], r["fe"], r["lag"], r["source"])  # noqa: E731
    idx = {key(r): i for i, r in enumerate(o)}
    for label, res in (("fast", new), ("exact", exact)):
        c = res.curve[res.curve["status"] == "ok"]
        pos = [idx.get(key(r)) for r in c.to_dict("records")]
        m = np.array([p is not None for p in pos])
        sel = np.array([p for p in pos if p is not None])
        rows.append((f"agreement with the old engine ({label} mode, {int(m.sum())} models)",
                     f"max |coef diff| {np.max(np.abs(c['coef_raw'].to_numpy()[m] - o_coef[sel])):.1e}",
                     f"max |p diff| {np.max(np.abs(c['p_boot'].to_numpy()[m] - o_p[sel])):.3f}"))
    base = per(t_old, n_old)
    for label, t, n in (
            (f"old engine: WCR p-value and interval inversion, {n_old} models x {B} draws", t_old, n_old),
            ("old engine: WCR p-value only (no interval), same models", t_old_p, n_old),
            ("old engine: WCR p-value only, BLAS on one thread", t_old_p1, n_old),
            (f"new engine, exact WCR (G x G; the chapter's), {n_new} models x {B} draws", t_exact, n_new),
            (f"new engine, O(G) draws of the FWL-transformed model, {n_new} models x {B} draws", t_new, n_new)):
        rows.append((label, f"{t:.2f} s", f"{1e9 * per(t, n):.1f} ns per model-draw; {base / per(t, n):.0f}x"))

    # cost model: T = S (a + b B), fitted on the draw counts, checked on the full multiverse
    specs = mv.specifications()
    sub = specs[:: max(1, len(specs) // 4000)]
    fits = {}
    for draws in (99, 333, 999):   # the faster of two runs: the machine is shared
        t = min(mv.run(draws=draws, frames_=fr, specs=sub).seconds["fit"] for _ in range(2))
        fits[draws] = (t, len(sub))
        rows.append((f"cost model run: {len(sub)} specifications x {draws} draws (fit stage, best of 2)",
                     f"{t:.2f} s", ""))
    xs = np.array([[n, n * d] for d, (t, n) in fits.items()], float)
    ts = np.array([t for t, n in fits.values()])
    (a, b), *_ = np.linalg.lstsq(xs, ts, rcond=None)
    rows.append(("cost model: T_fit = S (a + b B)", f"a = {1e3 * a:.3f} ms per specification",
                 f"b = {1e9 * b:.1f} ns per specification-draw"))
    t_full, full = _timed_call(lambda: mv.run(draws=B, frames_=fr))
    pred = len(full.curve) * (a + b * B)
    rows.append((f"full multiverse in-process: {len(full.curve)} specifications x {B} draws",
                 f"{full.seconds['fit']:.1f} s fit, {t_full:.1f} s total",
                 f"model predicts {pred:.1f} s fit ({full.seconds['fit'] / pred:.2f}x)"))
    # the floor: the draws' arithmetic (exact WCR: the B x G by G x G product, 2 G^2 flops, and
    # about 6 G more per specification-draw) at this core's measured dense matrix-product speed
    g = float(full.curve.loc[full.curve["status"] == "ok", "n_clusters"].mean())
    with threadpool_limits(1):
        m1 = np.random.default_rng(0).normal(size=(600, 600))
        t_mm, _ = _timed_call(lambda: [m1 @ m1 for _ in range(5)])
    flops = 5 * 2 * 600 ** 3 / t_mm
    floor = (2 * g * g + 6 * g) / flops
    rows.append(("floor of the draw term: 2 G^2 + 6 G flops at one core's matmul speed",
                 f"{1e9 * floor:.2f} ns per specification-draw (G = {g:.0f}, {flops / 1e9:.1f} GFLOP/s)",
                 f"measured b is {b / floor:.0f}x the floor"))
    for workers in (1, 2):
        t, res = _timed_call(lambda: mv.run(draws=B, frames_=fr, scheduler="local", n_workers=workers))
        same = res.curve.equals(full.curve)
        rows.append((f"full multiverse on Dask LocalCluster, {workers} worker process(es)",
                     f"{res.seconds['fit']:.1f} s fit, {t:.1f} s with cluster start and stop",
                     f"identical to in-process: {same}"))
    if args.old_ref:
        tmp = Path(tempfile.mkdtemp(prefix="fiscalbook-engines-"))
        try:
            old_root, new_root = tmp / "old", tmp / "new"
            old_root.mkdir()
            subprocess.run(f"git archive {args.old_ref} | tar -x -C {old_root}", shell=True, check=True, cwd=ROOT)
            shutil.copytree(ROOT, new_root, ignore=IGNORE, symlinks=True)
            for label, root in (("before", old_root), ("after", new_root)):
                env = dict(os.environ, FISCALBOOK_ROOT=str(root), PYTHONPATH=str(root / "src"),
                           FISCALBOOK_SNAPSHOT=str(paths.snapshot_dir()), FISCALBOOK_CACHE=str(paths.cache_dir()))
                ts = [_chapter_seconds(root, env) for _ in range(2)]   # the memo is per build: clear it
                rows.append((f"robustness chapter execution, {label} ({args.old_ref if label == 'before' else 'this checkout'})",
                             f"{min(ts):.1f} s (best of 2: {ts[0]:.1f}, {ts[1]:.1f})", ""))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    text = (f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} cores (load average {load:.1f} at "
            f"the end).\n\n" + table(rows, ["specification-curve engine", "time", "per unit / speed-up"]))
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapter", help="chapter to edit, e.g. chapters/regions.md (default: first in the TOC)")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    ap.add_argument("--prebuild", action="store_true", help="also time scripts/prebuild_cache.py + build")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="workers for --prebuild")
    ap.add_argument("--no-browser", action="store_true", help="skip chart render timings")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    ap.add_argument("--engines", action="store_true",
                    help="only benchmark the specification-curve engines (old vs new, cost model, Dask)")
    ap.add_argument("--every", type=int, default=10, help="--engines: every k-th model of the old curve")
    ap.add_argument("--old-ref", help="--engines: git ref of the old robustness chapter to time against")
    args = ap.parse_args(argv)
    if args.engines:
        return engines(args)

    from fiscalbook import paths, sitecheck

    subprocess.run([PY, str(ROOT / "scripts" / "vendor_assets.py")], check=True, cwd=ROOT)
    tmp = Path(tempfile.mkdtemp(prefix="fiscalbook-bench-"))
    copy = tmp / ROOT.name
    shutil.copytree(ROOT, copy, ignore=IGNORE, symlinks=True)
    env = dict(os.environ, FISCALBOOK_ROOT=str(copy),
               FISCALBOOK_SNAPSHOT=str(paths.snapshot_dir()), FISCALBOOK_CACHE=str(paths.cache_dir()))
    build = copy / "_build"
    html = build / "html"
    chapter = pick_chapter(copy, args.chapter)
    results: list[tuple[str, str]] = []

    def timed(label, cmd):
        t = run(cmd, copy, env, label)
        results.append((label, f"{t:.1f} s"))
        print(f"{label}: {t:.1f} s", flush=True)
        return t

    try:
        t_import = import_time(env)
        results.append(("bare import (jupyter_book, myst_nb, sphinx)", f"{t_import:.2f} s"))
        t_full = import_time(env, FULL_IMPORT)
        results.append(("import of the build's modules (CLI, Sphinx app, myst-nb ext, theme)", f"{t_full:.2f} s"))
        cold = timed("cold build (no _build)", JB + BUILD_ARGS)
        times = exec_times(build)
        results.append(("sum of chapters' execution times (jupyter-cache)",
                        f"{sum(times.values()):.1f} s over {len(times)} notebooks"))
        timed("rebuild, no change (strict: --all -W -n)", JB + BUILD_ARGS)
        timed("rebuild, no change (incremental: jb build .)", JB + ["build", "."])
        prose_edit(chapter)
        timed(f"rebuild after a prose edit ({chapter.relative_to(copy)})", JB + BUILD_ARGS)
        code_edit(chapter)
        timed(f"rebuild after a code edit ({chapter.relative_to(copy)})", JB + BUILD_ARGS)
        weights = sitecheck.page_weights(html)
        # pages are timed on the freshly built site, before the parallel pre-execution
        # below loads both cores
        renders = {} if args.no_browser else chart_timings(html)
        page_rows = []
        for page, w in weights.items():
            r = renders.get(page, {})
            render = (f"{r['chart_render_s']:.2f} s" if r.get("chart_render_s") is not None
                      else ("-" if not r.get("charts") else "did not render"))
            page_rows.append((page, f"{w['html_gz'] / 1024:.1f}", f"{w['own_assets_gz'] / 1024:.1f}",
                              f"{w['total_gz'] / 1024:.1f}", r.get("charts", "-"), render))
        if args.prebuild:
            shutil.rmtree(build)
            pre = timed(f"parallel pre-execution (prebuild_cache.py -j {args.jobs})",
                        [PY, str(ROOT / "scripts" / "prebuild_cache.py"), "--root", str(copy), "-j", str(args.jobs)])
            after = timed("build after pre-execution", JB + BUILD_ARGS)
            results.append(("cold build / (pre-execution + build)", f"{cold / (pre + after):.2f}x"))

        exec_rows = [(k, f"{v:.1f}") for k, v in sorted(times.items(), key=lambda kv: -kv[1])]
    finally:
        if args.keep:
            print(f"kept {copy}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    cpu = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    out = [
        f"Measured {time.strftime('%Y-%m-%d %H:%M')} on {cpu} cores (load average {load:.1f} at the end).",
        "",
        table(results, ["step", "time"]),
        "",
        table(exec_rows, ["notebook", "execution (s)"]),
        "",
        table(page_rows, ["page", "HTML gz (KB)", "own assets gz (KB)", "own total gz (KB)", "charts",
                          "all charts drawn after"]),
        "",
        "Own weight leaves out files shared by several pages (theme, the Vega bundle, MathJax).",
    ]
    text = "\n".join(out)
    print("\n" + text)
    if args.markdown:
        args.markdown.write_text(text + "\n", encoding="utf-8")
        print(f"wrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
