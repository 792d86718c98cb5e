"""Measure how long the book takes to build and how heavy and fast its pages are.

    python scripts/benchmark.py                       # prints the tables
    python scripts/benchmark.py --markdown bench.md   # also writes them as Markdown
    python scripts/benchmark.py --prebuild -j 2       # also: cold build with parallel pre-execution
    python scripts/benchmark.py --no-browser          # skip the Chromium chart timings

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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chapter", help="chapter to edit, e.g. chapters/regions.md (default: first in the TOC)")
    ap.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    ap.add_argument("--prebuild", action="store_true", help="also time scripts/prebuild_cache.py + build")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="workers for --prebuild")
    ap.add_argument("--no-browser", action="store_true", help="skip chart render timings")
    ap.add_argument("--keep", action="store_true", help="keep the temporary copy")
    args = ap.parse_args(argv)

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
