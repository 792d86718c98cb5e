"""The catalog: every snapshot file is catalogued by SHA-256, and bad catalogs are refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from fiscalbook.catalog import CatalogError, load_catalog, parse_catalog
from fiscalbook.paths import project_root, snapshot_dir

GOOD = {
    "id": "x", "file": "a/x.csv", "sha256": "0" * 64, "producer": "P", "title": "T",
    "citation": "k", "licence": "CC BY 4.0", "url": "https://example.org", "vintage": "2023",
}


def test_catalog_loads_and_has_required_fields():
    cat = load_catalog()
    assert len(cat) >= 20
    for e in cat.values():
        assert re.fullmatch(r"[0-9a-f]{64}", e.sha256)
        assert e.producer and e.licence and e.url and e.vintage and e.citation


def test_every_citation_key_is_in_references_bib():
    bib = (project_root() / "references.bib").read_text(encoding="utf-8")
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    missing = {e.citation for e in load_catalog().values()} - keys
    assert not missing, f"catalog cites keys absent from references.bib: {missing}"


@pytest.mark.snapshot
def test_every_snapshot_file_is_catalogued_with_its_published_checksum():
    sums = {}
    for line in (snapshot_dir() / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        sums[name.removeprefix("./")] = digest
    catalogued = {e.file: e.sha256 for e in load_catalog().values() if not e.is_reference}
    assert catalogued == sums


def test_no_snapshot_file_is_committed():
    """Nothing in the repository may be a copy of a catalogued file."""
    import subprocess

    import pooch

    files = subprocess.run(["git", "ls-files"], cwd=project_root(), capture_output=True, text=True,
                           check=True).stdout.split()
    hashes = {e.sha256 for e in load_catalog().values() if not e.is_reference}
    copies = [f for f in files if (project_root() / f).is_file()
              and pooch.file_hash(str(project_root() / f)) in hashes]
    assert not copies


@pytest.mark.parametrize("change, message", [
    ({"sha256": "abc"}, "sha256"),
    ({"licence": ""}, "lacks"),
    ({"colour": "red"}, "unknown fields"),
    ({"origin": "elsewhere"}, "origin must be"),
])
def test_malformed_entries_are_refused(change, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog([{**GOOD, **change}])


def test_duplicate_ids_and_files_are_refused():
    with pytest.raises(CatalogError, match="twice"):
        parse_catalog([GOOD, GOOD])
    with pytest.raises(CatalogError, match="same file"):
        parse_catalog([GOOD, {**GOOD, "id": "y"}])
