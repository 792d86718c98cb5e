"""The data catalog: what each source file is, who made it, and its SHA-256.

The catalog (data/catalog.yml) is the single place where a file's provenance is written
down; the resolver, the readers and the "Data and sources" chapter all read it from here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path

import yaml

from .paths import catalog_path

REQUIRED = ("id", "file", "sha256", "producer", "title", "citation", "licence", "url", "vintage")
ORIGINS = ("producer", "project")  # a producer's file (found, never committed) or the book's own
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class CatalogError(ValueError):
    """The catalog itself is malformed."""


@dataclass(frozen=True)
class Entry:
    """One source file: where it comes from and how to check it."""

    id: str
    file: str
    sha256: str
    producer: str
    title: str
    citation: str
    licence: str
    url: str
    vintage: str
    download: str | None = None
    measures: str = ""
    notes: str = ""
    origin: str = "producer"

    @property
    def is_reference(self) -> bool:
        """The book's own hand-made reference data, committed under data/ (not a snapshot file)."""
        return self.origin == "project"

    @property
    def name(self) -> str:
        return Path(self.file).name


def parse_catalog(records: list[dict]) -> dict[str, Entry]:
    """Validate raw catalog records and index them by id."""
    if not isinstance(records, list):
        raise CatalogError("The catalog must be a YAML list of entries.")
    known = {f.name for f in fields(Entry)}
    entries: dict[str, Entry] = {}
    for i, rec in enumerate(records):
        missing = [k for k in REQUIRED if not rec.get(k)]
        if missing:
            raise CatalogError(f"Catalog entry #{i} ({rec.get('id', '?')}) lacks {missing}.")
        unknown = set(rec) - known
        if unknown:
            raise CatalogError(f"Catalog entry {rec['id']} has unknown fields {sorted(unknown)}.")
        if not _SHA256.match(str(rec["sha256"])):
            raise CatalogError(f"Catalog entry {rec['id']}: sha256 must be 64 lower-case hex digits.")
        if rec.get("origin", "producer") not in ORIGINS:
            raise CatalogError(f"Catalog entry {rec['id']}: origin must be one of {ORIGINS}.")
        if rec["id"] in entries:
            raise CatalogError(f"Catalog id {rec['id']} appears twice.")
        entries[rec["id"]] = Entry(**{k: (str(v) if v is not None else None) for k, v in rec.items()})
    files = [e.file for e in entries.values()]
    if len(files) != len(set(files)):
        raise CatalogError("Two catalog entries name the same file.")
    return entries


def load_catalog(path: Path | None = None) -> dict[str, Entry]:
    """Read and validate data/catalog.yml."""
    path = path or catalog_path()
    with open(path, encoding="utf-8") as fh:
        return parse_catalog(yaml.safe_load(fh))


def entry(dataset_id: str) -> Entry:
    """The catalog entry for one dataset id, with a helpful error for a typo."""
    cat = load_catalog()
    try:
        return cat[dataset_id]
    except KeyError:
        raise KeyError(f"No dataset {dataset_id!r} in the catalog; known ids: {sorted(cat)}") from None
