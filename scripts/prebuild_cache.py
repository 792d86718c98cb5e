"""Execute the book's chapters in parallel into the build's jupyter-cache, before `jb build`.

    python scripts/prebuild_cache.py              # all chapters in _toc.yml, cpu_count workers
    python scripts/prebuild_cache.py -j 2 --dry-run

Jupyter Book 1 (myst-nb, `execute_notebooks: cache`) runs the notebooks it cannot find in
`_build/.jupyter_cache` one after another. This script reads each chapter of the table of
contents as myst-nb does (a MyST notebook via jupytext), skips those already cached,
executes the rest concurrently (one kernel per chapter, each in its chapter's folder, as
the build does, with jupyter-cache's own `single_nb_execution`), and stores them under the
same hash myst-nb looks up (code cells + kernelspec). The build that follows then finds
every chapter in the cache and only renders. A failing chapter is not cached; the script
exits non-zero and the build would re-run (and report) it.

Like the build (fiscalbook.site), it first empties the cache if it was filled under
another fingerprint of the book (package source, catalog, requirements.txt), so a chapter
is never taken from the cache after a code, data or requirements change.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_documents(root: Path) -> list[Path]:
    """The files of _toc.yml (root + chapters/sections, depth-first), as existing paths."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                found.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    paths = []
    for name in found:
        for suffix in ("", ".md", ".ipynb"):
            p = root / f"{name}{suffix}"
            if p.is_file():
                paths.append(p)
                break
    return paths


def read_notebook(path: Path):
    """The notebook myst-nb would execute, or None for a plain Markdown page."""
    import jupytext

    text = path.read_text(encoding="utf-8")
    if path.suffix == ".md" and "format_name: myst" not in text[:2000]:
        return None  # no jupytext header: myst-nb treats it as plain Markdown
    nb = jupytext.reads(text, fmt="md:myst" if path.suffix == ".md" else "ipynb")
    if not any(c.cell_type == "code" for c in nb.cells):
        return None
    return nb


def _execute(path_str: str, timeout: int):
    """Worker: execute one chapter in its own folder; return (notebook, seconds, error)."""
    from jupyter_cache.executors.utils import single_nb_execution

    path = Path(path_str)
    nb = read_notebook(path)
    result = single_nb_execution(nb, cwd=str(path.parent), allow_errors=False,
                                 timeout=timeout, meta_override=True)
    err = None if result.err is None else f"{result.err.__class__.__name__}: {result.exc_string[-2000:]}"
    return nb, result.time, err


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=ROOT, help="book folder (default: this checkout)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="parallel kernels")
    ap.add_argument("--cache", type=Path, default=None, help="cache folder (default <root>/_build/.jupyter_cache)")
    ap.add_argument("--timeout", type=int, default=900, help="per-cell timeout, seconds (as _config.yml)")
    ap.add_argument("--dry-run", action="store_true", help="list what would run")
    args = ap.parse_args(argv)

    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn

    from fiscalbook.memo import fingerprint
    from fiscalbook.site import ensure_cache_fingerprint

    root = args.root.resolve()
    cache_path = args.cache or root / "_build" / ".jupyter_cache"
    if not args.dry_run and ensure_cache_fingerprint(Path(cache_path), fingerprint()):
        print(f"fingerprint is now {fingerprint()}: emptied {cache_path}")
    cache = get_cache(str(cache_path))
    todo = []
    for path in toc_documents(root):
        nb = read_notebook(path)
        if nb is None:
            continue
        try:
            cache.match_cache_notebook(nb)
            print(f"cached   {path.relative_to(root)}")
        except KeyError:
            todo.append(path)
            print(f"to run   {path.relative_to(root)}")
    if args.dry_run or not todo:
        return 0

    start = time.perf_counter()
    failed = []
    with ProcessPoolExecutor(max_workers=max(1, min(args.jobs, len(todo)))) as pool:
        futures = {pool.submit(_execute, str(p), args.timeout): p for p in todo}
        for fut in as_completed(futures):
            path = futures[fut]
            nb, seconds, err = fut.result()
            if err:
                failed.append(path)
                print(f"FAILED   {path.relative_to(root)} after {seconds:.1f} s\n{err}", file=sys.stderr)
                continue
            cache.cache_notebook_bundle(
                CacheBundleIn(nb, str(path), data={"execution_seconds": seconds}),
                check_validity=False, overwrite=True)
            print(f"executed {path.relative_to(root)} in {seconds:.1f} s")
    print(f"{len(todo) - len(failed)} of {len(todo)} chapters cached in "
          f"{time.perf_counter() - start:.1f} s with {args.jobs} workers")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
