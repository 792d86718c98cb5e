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


# ----------------------------------------------------------------- hardening (issue 15)

def _yaml_entry(extra: str = "") -> str:
    return ("- id: x\n  file: a/x.csv\n  sha256: " + "0" * 64 + "\n  producer: P\n  title: T\n"
            "  citation: k\n  licence: CC BY 4.0\n  url: https://example.org\n  vintage: '2023'\n" + extra)


def test_duplicate_keys_in_an_entry_are_refused(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text(_yaml_entry("  sha256: " + "1" * 64 + "\n"), encoding="utf-8")
    with pytest.raises(CatalogError, match=r"catalog.yml: .*repeats the key 'sha256' in one entry \(lines 3 and 10\)"):
        load_catalog(path)


@pytest.mark.parametrize("records, what", [(["just a string"], "is a str"), ([["a", "b"]], "is a list"),
                                           ([None], "is a NoneType")])
def test_entries_that_are_not_mappings_are_refused(records, what):
    with pytest.raises(CatalogError, match=f"#0 {what}, not a mapping"):
        parse_catalog(records)


def test_invalid_yaml_is_a_catalog_error(tmp_path):
    path = tmp_path / "catalog.yml"
    path.write_text("- id: [unclosed\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(path)


@pytest.mark.parametrize("change, message", [
    ({"file": "../../../../etc/passwd"}, "stay inside"),
    ({"file": "/etc/passwd"}, "relative path"),
    ({"file": "a\\x.csv"}, "relative path"),
    ({"download": "http://example.org/x.csv"}, "scheme 'http'; only https"),
    ({"download": "file:///etc/passwd"}, "scheme 'file'; only https"),
    ({"download": "ftp://example.org/x.csv"}, "scheme 'ftp'; only https"),
    ({"url": "javascript:alert(1)"}, "scheme 'javascript'"),
    ({"download": "https://"}, "not a valid https URL"),
    ({"origin": "project"}, "must live under data/reference/"),
    ({"id": "x/../y"}, "may only use"),
    ({"notes": {"nested": 1}}, "plain values"),
])
def test_unsafe_entries_are_refused(change, message):
    with pytest.raises(CatalogError, match=re.escape(message)):
        parse_catalog([{**GOOD, **change}])


def test_reference_entries_under_data_reference_are_accepted():
    cat = parse_catalog([{**GOOD, "origin": "project", "file": "reference/x.csv"}])
    assert cat["x"].is_reference
