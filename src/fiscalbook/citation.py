"""How to cite the book, from CITATION.cff (the one place its title, authors and version
are written), for the landing page's "cite this book" box."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from .paths import project_root

CFF = "CITATION.cff"


def metadata(path: Path | None = None) -> dict:
    """title, authors (list of names), version, licence and the date: CITATION.cff's
    `date-released` if present, otherwise today's date (the day the page was built)."""
    path = path or project_root() / CFF
    cff = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key in ("title", "authors", "version"):
        if not cff.get(key):
            raise ValueError(f"{path}: no {key}")
    names = []
    for a in cff["authors"]:
        names.append(a.get("name") or " ".join(x for x in (a.get("given-names"), a.get("family-names")) if x))
    released = cff.get("date-released")
    date = dt.date.fromisoformat(str(released)) if released else dt.date.today()
    return {"title": cff["title"], "authors": names, "version": str(cff["version"]),
            "licence": cff.get("license", ""), "date": date, "date_is_release": bool(released),
            "url": cff.get("repository-code") or cff.get("url") or ""}


def text(meta: dict) -> str:
    """Author-year reference in the book's bibliography style."""
    url = f" {meta['url']}" if meta["url"] else ""
    return (f"{' and '.join(meta['authors'])} ({meta['date'].year}). {meta['title']}. "
            f"Version {meta['version']}.{url}")


def bibtex(meta: dict, key: str = "fiscalbook") -> str:
    authors = " and ".join("{" + a + "}" for a in meta["authors"])
    fields = [f"  author  = {{{authors}}}", f"  title   = {{{meta['title']}}}",
              f"  year    = {{{meta['date'].year}}}", f"  version = {{{meta['version']}}}"]
    if meta["url"]:
        fields.append(f"  url     = {{{meta['url']}}}")
    return f"@software{{{key},\n" + ",\n".join(fields) + "\n}"


class CiteBox:
    """The "cite this book" box (HTML) for a notebook cell."""

    def __init__(self, meta: dict):
        self.meta = meta

    def _repr_html_(self) -> str:
        import html

        return ('<div class="fb-cite admonition note"><p class="admonition-title">Cite this book</p>'
                f"<p>{html.escape(text(self.meta))}</p>"
                f"<details><summary>BibTeX</summary><pre>{html.escape(bibtex(self.meta))}</pre></details>"
                f"<p>From <code>CITATION.cff</code> in the book's source.</p></div>")


class Byline:
    """Authors, version and date under the landing page's title (HTML)."""

    def __init__(self, meta: dict):
        self.meta = meta

    def _repr_html_(self) -> str:
        import html

        m = self.meta
        when = "released" if m["date_is_release"] else "built"
        return (f'<p class="fb-byline">By {html.escape(", ".join(m["authors"]))} · version '
                f'{html.escape(m["version"])} · {when} {m["date"].isoformat()}</p>')
