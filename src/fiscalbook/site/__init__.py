"""The book's Sphinx extension: a complete, offline, never-stale site from plain `jb build .`.

Listed in _config.yml (`sphinx.config.extensions`). On every build, cached or not:

* config-inited (before Sphinx checks `html_extra_path` and `html_favicon`): vendor the
  Vega bundle, MathJax and the favicon from installed packages (fiscalbook.site.assets),
  and put `_static/` and the bundle into the page configuration even on a fresh clone,
  where Jupyter Book did not see a `_static/` folder. Fails with the reason if it cannot.
* builder-inited: remove the previous results.json (a failed or interrupted build must not
  leave numbers behind); verify every catalogued file's SHA-256 (the build stops, naming
  every missing or altered file); compare the book's fingerprint (package source, catalog,
  requirements.txt: fiscalbook.memo.fingerprint) with the one the execution cache was
  filled under, and empty the cache when they differ.
* env-get-outdated: every page read under another fingerprint is read again, so every
  chapter re-executes after a code, data or requirements change, under plain `jb build .`.
* build-finished: write results.json (fiscalbook.sphinx_results) only if the build
  succeeded, with the fingerprint of the build and of each chapter's values.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

logger = logging.getLogger(__name__)

CACHE_STAMP = "fiscalbook-fingerprint.json"
VEGA_JS = "vendor/vega-bundle.js"


class BookError(SphinxError):
    category = "fiscalbook"


def fingerprint() -> str:
    from fiscalbook import memo

    return memo.fingerprint()


# ------------------------------------------------------------------ assets (config-inited)


def _assets(app: Sphinx, config) -> None:
    from .assets import AssetError, ensure

    try:
        changed = ensure(Path(app.srcdir))
    except AssetError as err:
        raise BookError(f"cannot vendor the site's browser libraries: {err}") from None
    if changed:
        logger.info(f"fiscalbook: vendored {', '.join(changed)}")
    static = list(config.html_static_path or [])
    if "_static" not in static:
        config.html_static_path = [*static, "_static"]
    js = list(config.html_js_files or [])
    if not any((j if isinstance(j, str) else j[0]) == VEGA_JS for j in js):
        config.html_js_files = [*js, VEGA_JS]


# ------------------------------------------------------- freshness (builder-inited etc.)


def cache_path(app: Sphinx) -> Path:
    configured = getattr(app.config, "nb_execution_cache_path", "") or ""
    return Path(configured) if configured else Path(app.outdir).parent / ".jupyter_cache"


def ensure_cache_fingerprint(cache: Path, fp: str) -> bool:
    """Empty the jupyter-cache folder if it was filled under another fingerprint; True if emptied."""
    stamp = cache / CACHE_STAMP
    try:
        old = json.loads(stamp.read_text(encoding="utf-8")).get("fingerprint")
    except (OSError, ValueError, AttributeError):
        old = None
    if old == fp:
        return False
    emptied = cache.exists() and any(p.name != CACHE_STAMP for p in cache.iterdir())
    if cache.exists():
        shutil.rmtree(cache)
    cache.mkdir(parents=True, exist_ok=True)
    stamp.write_text(json.dumps({"fingerprint": fp}), encoding="utf-8")
    return emptied


def _start(app: Sphinx) -> None:
    from fiscalbook import fetch, sphinx_results
    from fiscalbook.catalog import CatalogError
    from fiscalbook.paths import FolderError

    if app.builder.format == "html":
        sphinx_results.remove_results(Path(app.outdir))
    try:
        fetch.verify_all()
    except (fetch.DataFileError, CatalogError, FolderError) as err:
        raise BookError(f"the data check failed, so nothing is built or taken from the cache.\n{err}") from None
    fp = fingerprint()
    app.env.fiscalbook_fingerprint = fp
    if not hasattr(app.env, "fiscalbook_doc_fingerprints"):
        app.env.fiscalbook_doc_fingerprints = {}
    if ensure_cache_fingerprint(cache_path(app), fp):
        logger.info(f"fiscalbook: fingerprint is now {fp}; emptied the execution cache, "
                    f"every chapter re-executes")
    from fiscalbook import memo

    memo.prune(fp)


def _outdated(app: Sphinx, env, added, changed, removed):
    """Pages read under another fingerprint are read (and executed) again."""
    fp = fingerprint()
    seen = getattr(env, "fiscalbook_doc_fingerprints", {})
    stale = [doc for doc in env.found_docs if doc not in added and seen.get(doc) != fp]
    if stale:
        logger.info(f"fiscalbook: {len(stale)} page(s) were built under another fingerprint; re-reading")
    return stale


def _record(app: Sphinx, docname: str, source) -> None:
    if not hasattr(app.env, "fiscalbook_doc_fingerprints"):
        app.env.fiscalbook_doc_fingerprints = {}
    app.env.fiscalbook_doc_fingerprints[docname] = fingerprint()


def _purge(app: Sphinx, env, docname: str) -> None:
    getattr(env, "fiscalbook_doc_fingerprints", {}).pop(docname, None)


def _merge(app: Sphinx, env, docnames, other) -> None:
    mine = env.__dict__.setdefault("fiscalbook_doc_fingerprints", {})
    theirs = getattr(other, "fiscalbook_doc_fingerprints", {})
    mine.update({d: theirs[d] for d in docnames if d in theirs})


def setup(app: Sphinx):
    from fiscalbook import sphinx_results

    app.connect("config-inited", _assets, priority=100)  # Sphinx validates paths at 800
    app.connect("builder-inited", _start)
    app.connect("env-get-outdated", _outdated)
    app.connect("source-read", _record)
    app.connect("env-purge-doc", _purge)
    app.connect("env-merge-info", _merge)
    sphinx_results.connect(app)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
