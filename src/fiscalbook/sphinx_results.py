"""Write every glued value of the book into _build/html/results.json, after a good build.

myst-nb stores each executed notebook's glue data beside it as <doc>.glue.json (in
_build/jupyter_execute). After the build, this collects them: key, chapter, the
unrounded value (parsed from the text/plain repr) and its text. A key glued in two
chapters is reported as a warning, which the strict build turns into an error.

The file also records the fingerprint the book was executed with (`fingerprint`, with its
parts) and, per chapter, the fingerprint its values came from (`chapters`). It holds no
timing, so two clean builds write byte-identical files: glued timings (keys ending in
`_seconds`) go to timings.json beside it instead. A failed build writes none and
the previous one is removed when the build starts (fiscalbook.site), so stale numbers
are never left in the site.

Registered by the book's extension, fiscalbook.site; listing this module as an extension
registers that too.
"""

from __future__ import annotations

import ast
import json
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

RESULTS_FILE = "results.json"
TIMINGS_FILE = "timings.json"
TIMING_SUFFIXES = ("_seconds",)  # glue keys that measure time: they differ in every build
SCHEMA = 2


def _parse(text: str):
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, (int, float, str, bool)) else text


def collect(exec_dir: Path, docnames) -> dict:
    results: dict[str, dict] = {}
    for doc in sorted(docnames):
        path = exec_dir / f"{doc}.glue.json"
        if not path.is_file():
            continue
        for key, bundle in json.loads(path.read_text(encoding="utf-8")).items():
            data = bundle.get("data", {})
            text = data.get("text/plain", "")
            record = {"chapter": doc, "value": _parse(text) if text else None,
                      "mime": sorted(data)}
            if key in results:
                logger.warning(f"glue key {key!r} is glued in both {results[key]['chapter']} and {doc}",
                               type="fiscalbook", subtype="glue")
            results[key] = record
    return results


def document(results: dict, fingerprint: str, parts: dict, doc_fingerprints: dict) -> dict:
    """The results.json document: fingerprints first, then every value."""
    chapters = sorted({r["chapter"] for r in results.values()})
    return {
        "schema": SCHEMA,
        "fingerprint": fingerprint,
        "fingerprint_parts": parts,
        "chapters": {doc: {"fingerprint": doc_fingerprints.get(doc),
                           "n_values": sum(r["chapter"] == doc for r in results.values())}
                     for doc in chapters},
        "results": results,
    }


def split_timings(results: dict) -> tuple[dict, dict]:
    """(values, timings): timings are the keys ending in TIMING_SUFFIXES."""
    timings = {k: v for k, v in results.items() if k.endswith(TIMING_SUFFIXES)}
    return {k: v for k, v in results.items() if k not in timings}, timings


def remove_results(outdir: Path) -> None:
    for name in (RESULTS_FILE, TIMINGS_FILE):
        (Path(outdir) / name).unlink(missing_ok=True)


def build_failed(app: Sphinx, exception) -> bool:
    """An exception, or warnings under -W --keep-going (Sphinx then exits 1 after this event)."""
    return exception is not None or bool(getattr(app, "keep_going", False) and getattr(app, "_warncount", 0))


def _write(app: Sphinx, exception) -> None:
    if app.builder.format != "html":
        return
    out = Path(app.outdir) / RESULTS_FILE
    if build_failed(app, exception):
        remove_results(Path(app.outdir))
        logger.info(f"fiscalbook: the build failed; no {RESULTS_FILE} written")
        return
    from fiscalbook import memo

    exec_dir = Path(app.outdir).parent / "jupyter_execute"
    results = collect(exec_dir, app.env.found_docs)
    if build_failed(app, None):  # a duplicate key was just reported
        remove_results(Path(app.outdir))
        return
    results, timings = split_timings(results)
    doc = document(results, memo.fingerprint(), memo.fingerprint_parts(),
                   getattr(app.env, "fiscalbook_doc_fingerprints", {}))
    out.write_text(json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    (Path(app.outdir) / TIMINGS_FILE).write_text(
        json.dumps({"timings": timings}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    logger.info(f"fiscalbook: wrote {len(results)} glued values to {out} "
                f"(fingerprint {doc['fingerprint']})")


def _offer_ipynb(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Offer each executed notebook for download beside its .md source (reviewers rerun it)."""
    if app.builder.format != "html" or doctree is None or context.get("ipynb_source"):
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def connect(app: Sphinx) -> None:
    app.connect("build-finished", _write)
    app.connect("html-page-context", _offer_ipynb, priority=450)


def setup(app: Sphinx):
    """Backwards-compatible entry point: the whole book extension."""
    app.setup_extension("fiscalbook.site")
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
