"""Execute one chapter outside the book build, for authors working on a single page.

    python scripts/run_chapter.py chapters/uk_context.md

Reads the MyST notebook with jupytext, runs it with nbclient in the chapters folder
(as the build does) and lists the glue keys it produced. Exits non-zero on any error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import jupytext
from nbclient import NotebookClient


def run(path: Path) -> dict:
    nb = jupytext.read(path)
    start = time.perf_counter()
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    elapsed = time.perf_counter() - start
    keys = {}
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            meta = out.get("metadata", {}).get("scrapbook")
            if meta:
                data = {k.removeprefix("application/papermill.record/"): v
                        for k, v in out.get("data", {}).items()}
                keys[meta["name"]] = data.get("text/plain", "")
    print(f"{path}: executed in {elapsed:.1f} s, {len(keys)} glue keys")
    return keys


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        for key, text in run(Path(arg)).items():
            print(f"  {key} = {text[:80]}")
