"""The strict build: every chapter executes, and every glued number is exported.

The session fixture `built_site` runs `jb build --all -W -n --keep-going` once; with
`allow_errors: false` and `nb_execution_raise_on_error`, a chapter that raises fails it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.book


def toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [c["file"] for c in part.get("chapters", [])]
    return files


def notebook_chapters() -> list[str]:
    out = []
    for f in toc_files():
        text = (ROOT / f"{f}.md").read_text(encoding="utf-8")
        if "format_name: myst" in text and "{code-cell}" in text:
            out.append(f)
    return out


def test_every_chapter_is_a_myst_notebook_with_jupytext_header():
    for f in toc_files():
        if f.startswith("chapters/"):
            text = (ROOT / f"{f}.md").read_text(encoding="utf-8")
            assert text.startswith("---\njupytext:"), f"{f}.md lacks the jupytext header"
            assert "from fiscalbook import book" in text and "book.setup()" in text, \
                f"{f}.md does not run the shared preamble"


def test_every_page_in_the_toc_was_built(built_site):
    for f in toc_files():
        assert (built_site / f"{f}.html").is_file(), f"{f}.html missing"
    assert not (built_site / "reports").exists(), "a notebook raised; see _build/html/reports"


def test_results_json_holds_glued_values_from_every_notebook_chapter(built_site):
    results = json.loads((built_site / "results.json").read_text(encoding="utf-8"))["results"]
    chapters = {r["chapter"] for r in results.values()}
    for f in notebook_chapters():
        assert f in chapters, f"{f} glued nothing (did it execute?)"
    numbers = [r["value"] for r in results.values() if isinstance(r["value"], float)]
    assert numbers and all(math.isfinite(v) for v in numbers)


def test_collect_keeps_full_precision_and_flags_duplicate_keys(tmp_path, caplog):
    """Unit test of the exporter on hand-made glue files (no build needed)."""
    from fiscalbook.sphinx_results import collect

    (tmp_path / "chapters").mkdir()
    x = 0.12345678901234568
    (tmp_path / "chapters" / "a.glue.json").write_text(json.dumps({
        "a_x": {"data": {"text/plain": repr(x)}}, "a_n": {"data": {"text/plain": "38"}},
        "a_s": {"data": {"text/plain": "'United Kingdom'"}},
        "a_chart": {"data": {"text/html": "<div/>", "text/plain": "alt.Chart(...)"}}}))
    (tmp_path / "chapters" / "b.glue.json").write_text(json.dumps({"a_n": {"data": {"text/plain": "1"}}}))
    out = collect(tmp_path, ["chapters/a", "chapters/b", "index"])
    assert out["a_x"]["value"] == x and out["a_x"]["chapter"] == "chapters/a"
    assert out["a_n"]["value"] == 1 and out["a_n"]["chapter"] == "chapters/b"
    assert out["a_s"]["value"] == "United Kingdom"
    assert out["a_chart"]["value"] == "alt.Chart(...)" and "text/html" in out["a_chart"]["mime"]
    assert any("glued in both chapters/a and chapters/b" in r.getMessage() for r in caplog.records)


def test_results_json_records_the_fingerprint_of_the_build_and_of_each_chapter(built_site):
    from fiscalbook import memo

    doc = json.loads((built_site / "results.json").read_text(encoding="utf-8"))
    assert doc["fingerprint"] == memo.fingerprint()
    assert doc["fingerprint_parts"] == memo.fingerprint_parts()
    chapters = {r["chapter"] for r in doc["results"].values()}
    assert set(doc["chapters"]) == chapters
    assert all(c["fingerprint"] == doc["fingerprint"] for c in doc["chapters"].values())
