"""Sphinx extension: write every glued value of the book into _build/html/results.json.

myst-nb stores each executed notebook's glue data beside it as <doc>.glue.json (in
_build/jupyter_execute). After the build, this collects them: key, chapter, the
unrounded value (parsed from the text/plain repr) and its text. A key glued in two
chapters is reported as a warning, which the strict build turns into an error.
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


def _write(app: Sphinx, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    exec_dir = Path(app.outdir).parent / "jupyter_execute"
    results = collect(exec_dir, app.env.found_docs)
    out = Path(app.outdir) / RESULTS_FILE
    out.write_text(json.dumps({"results": results}, indent=1, sort_keys=True, ensure_ascii=False),
                   encoding="utf-8")
    logger.info(f"fiscalbook: wrote {len(results)} glued values to {out}")


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


def setup(app: Sphinx):
    app.connect("build-finished", _write)
    app.connect("html-page-context", _offer_ipynb, priority=450)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
