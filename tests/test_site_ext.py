"""The book's Sphinx extension (fiscalbook.site): vendored assets from installed packages,
the fingerprinted execution cache, the data check and results.json.

Unit tests first; then one end-to-end test (marked `book`) that builds a one-chapter book
with plain `jb build .` in a temporary project with its own copy of the package and an
empty HOME, as on a fresh machine: the site loads the vendored Vega bundle and MathJax;
a changed package constant is re-executed and shows in results.json with a new
fingerprint; with an empty snapshot and a warm cache, or an altered reference file, the
build stops naming the file and leaves no results.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fiscalbook import sphinx_results
from fiscalbook.site import CACHE_STAMP, ensure_cache_fingerprint
from fiscalbook.site import assets as A

ROOT = Path(__file__).resolve().parents[1]


def test_cache_is_emptied_when_the_fingerprint_changes_and_kept_otherwise(tmp_path):
    cache = tmp_path / ".jupyter_cache"
    assert ensure_cache_fingerprint(cache, "aaa") is False  # nothing to empty yet
    (cache / "global.db").write_text("executed notebooks")
    assert ensure_cache_fingerprint(cache, "aaa") is False
    assert (cache / "global.db").exists()
    assert ensure_cache_fingerprint(cache, "bbb") is True
    assert not (cache / "global.db").exists()
    assert json.loads((cache / CACHE_STAMP).read_text())["fingerprint"] == "bbb"


def test_pages_read_under_another_fingerprint_are_outdated(monkeypatch):
    from types import SimpleNamespace

    import fiscalbook.site as site

    monkeypatch.setattr(site, "fingerprint", lambda: "new")
    env = SimpleNamespace(found_docs={"index", "chapters/a", "chapters/b", "chapters/c"},
                          fiscalbook_doc_fingerprints={"index": "new", "chapters/a": "old",
                                                       "chapters/b": "new"})
    stale = site._outdated(None, env, added={"chapters/c"}, changed=set(), removed=set())
    assert sorted(stale) == ["chapters/a"]  # c is read anyway (added); index and b are current


def test_results_document_records_the_fingerprints():
    results = {"a_x": {"chapter": "chapters/a", "value": 1.5, "mime": ["text/plain"]},
               "b_y": {"chapter": "chapters/b", "value": 2, "mime": ["text/plain"]}}
    doc = sphinx_results.document(results, "f1", {"package": "p"}, {"chapters/a": "f1", "chapters/b": "f0"})
    assert doc["fingerprint"] == "f1" and doc["fingerprint_parts"] == {"package": "p"}
    assert doc["chapters"] == {"chapters/a": {"fingerprint": "f1", "n_values": 1},
                               "chapters/b": {"fingerprint": "f0", "n_values": 1}}
    assert doc["results"] is results
    assert not any("time" in k or "seconds" in k for k in doc)  # timing stays out


def test_a_build_with_warnings_under_keep_going_counts_as_failed():
    from types import SimpleNamespace

    assert sphinx_results.build_failed(SimpleNamespace(keep_going=True, _warncount=1), None)
    assert not sphinx_results.build_failed(SimpleNamespace(keep_going=True, _warncount=0), None)
    assert not sphinx_results.build_failed(SimpleNamespace(keep_going=False, _warncount=3), None)
    assert sphinx_results.build_failed(SimpleNamespace(keep_going=False, _warncount=0), RuntimeError())


def test_assets_are_vendored_from_installed_packages_into_a_fresh_folder(tmp_path):
    root = tmp_path / "fresh" / "clone"  # parents do not exist yet
    changed = A.ensure(root)
    assert changed == ["vega-bundle.js", "mathjax", "favicon.svg"]
    bundle = (root / "_static" / "vendor" / "vega-bundle.js").read_text(encoding="utf-8")
    assert "window.VEGA_DEBUG" in bundle and "vegaEmbed" in bundle
    entry = root / "_extra" / "mathjax" / A.MATHJAX_ENTRY
    assert A._sha256(entry) == A.MATHJAX_ENTRY_SHA256
    assert (root / "_extra" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    assert [p for p in (root / "_static").rglob("*.js")] == [root / "_static" / "vendor" / "vega-bundle.js"]
    assert A.ensure(root) == []  # stamps match: nothing to do


def test_a_file_that_differs_from_the_wheel_record_is_refused(tmp_path, monkeypatch):
    base, hashes = A.mathjax_source()
    some = next(k for k in hashes if k.startswith("es5/input/"))
    monkeypatch.setattr(A, "mathjax_source", lambda: (base, {**hashes, some: "0" * 64}))
    with pytest.raises(A.AssetError, match="does not match the SHA-256 its wheel records"):
        A.vendor_mathjax(A.Paths(tmp_path))
    assert not (tmp_path / "_extra" / "mathjax").exists()  # no partial output


def test_a_missing_mathjax_package_is_reported_with_what_to_install(tmp_path, monkeypatch):
    from importlib import metadata

    def missing(name):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(A.metadata, "version", missing)
    with pytest.raises(A.AssetError, match="django-static-mathjax is not installed.*requirements.txt"):
        A.vendor_mathjax(A.Paths(tmp_path))


# ----------------------------------------------------------------------- end to end

CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
    format_version: 0.13
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---

# Mini

```{code-cell} ipython3
:tags: [remove-cell]
from fiscalbook import book, study
book.setup()
book.glue("mini_draws", study.BOOT_DRAWS)
```

The draws: {glue:text}`mini_draws`, and maths: $a^2 + b^2$.
"""


def _jb(project: Path, env: dict, *args) -> subprocess.CompletedProcess:
    jb = Path(sys.executable).parent / "jb"
    return subprocess.run([str(jb), "build", *args, "."], cwd=project, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.book
def test_plain_jb_build_is_complete_offline_and_never_stale(tmp_path):
    project = tmp_path / "book"
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__"))
    (project / "chapters").mkdir()
    (project / "data" / "reference").mkdir(parents=True)
    ref = b"code,name\nGBR,United Kingdom\n"
    (project / "data" / "reference" / "uk.csv").write_bytes(ref)
    import hashlib

    toy = b"REG_ID,TIME,GDP\nUKI,2019,1\n"
    (tmp_path / "snap" / "oecd").mkdir(parents=True)
    (tmp_path / "snap" / "oecd" / "toy.csv").write_bytes(toy)
    catalog = (f"- id: uk\n  file: reference/uk.csv\n  sha256: {hashlib.sha256(ref).hexdigest()}\n"
               "  producer: this book\n  title: T\n  citation: k\n  licence: MIT\n"
               "  url: https://example.org\n  vintage: '1'\n  origin: project\n"
               f"- id: toy\n  file: oecd/toy.csv\n  sha256: {hashlib.sha256(toy).hexdigest()}\n"
               "  producer: P\n  title: T\n  citation: k\n  licence: CC BY 4.0\n"
               "  url: https://example.org/toy\n  vintage: '1'\n")
    (project / "data" / "catalog.yml").write_text(catalog, encoding="utf-8")
    for name in ("requirements.txt", "_config.yml", "references.bib", "bibliography.md"):
        shutil.copy(ROOT / name, project / name)
    (project / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: chapters/mini\n")
    (project / "index.md").write_text("# Test book\n\nMaths: $y = x$.\n")
    (project / "chapters" / "mini.md").write_text(CHAPTER, encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "FISCALBOOK_", "JUPYTER"))}
    env.update(HOME=str(home), PYTHONPATH=str(project / "src"), FISCALBOOK_SNAPSHOT=str(tmp_path / "snap"))

    first = _jb(project, env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    html = project / "_build" / "html"
    page = (html / "chapters" / "mini.html").read_text(encoding="utf-8")
    assert "_static/vendor/vega-bundle.js" in page and "mathjax/tex-mml-chtml.js" in page
    assert (html / "mathjax" / "tex-mml-chtml.js").is_file() and (html / "_static" / "vendor" / "vega-bundle.js").is_file()
    assert "cdn" not in page.lower()
    r1 = json.loads((html / "results.json").read_text())
    assert r1["results"]["mini_draws"]["value"] == 999
    assert r1["chapters"]["chapters/mini"]["fingerprint"] == r1["fingerprint"]

    again = _jb(project, env)  # nothing changed: same bytes
    assert again.returncode == 0 and "Executing notebook" not in again.stdout
    assert json.loads((html / "results.json").read_text()) == r1

    study = project / "src" / "fiscalbook" / "study.py"
    study.write_text(study.read_text().replace("BOOT_DRAWS = 999", "BOOT_DRAWS = 1999"))
    changed = _jb(project, env)
    assert changed.returncode == 0 and "Executing notebook" in changed.stdout
    r2 = json.loads((html / "results.json").read_text())
    assert r2["results"]["mini_draws"]["value"] == 1999
    assert r2["fingerprint"] != r1["fingerprint"] and r2["chapters"]["chapters/mini"]["fingerprint"] == r2["fingerprint"]

    (tmp_path / "snap" / "oecd" / "toy.csv").unlink()  # an empty snapshot, a warm cache
    missing = _jb(project, env)
    assert missing.returncode != 0
    assert "oecd/toy.csv (toy)" in missing.stdout + missing.stderr
    assert not (html / "results.json").exists()
    (tmp_path / "snap" / "oecd" / "toy.csv").write_bytes(toy)
    assert _jb(project, env).returncode == 0 and (html / "results.json").is_file()

    (project / "data" / "reference" / "uk.csv").write_bytes(ref + b"FRA,France\n")  # altered data
    broken = _jb(project, env)
    assert broken.returncode != 0
    assert "reference/uk.csv" in broken.stdout + broken.stderr and "--rehash-reference uk" in broken.stdout + broken.stderr
    assert not (html / "results.json").exists()


def test_timings_are_kept_out_of_results():
    results = {"rob_seconds": {"chapter": "chapters/r", "value": 61.2, "mime": ["text/plain"]},
               "city_min_second_tier": {"chapter": "chapters/c", "value": 2, "mime": ["text/plain"]},
               "rob_n": {"chapter": "chapters/r", "value": 5, "mime": ["text/plain"]}}
    values, timings = sphinx_results.split_timings(results)
    assert sorted(values) == ["city_min_second_tier", "rob_n"] and sorted(timings) == ["rob_seconds"]
