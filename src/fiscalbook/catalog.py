"""The data catalog: what each source file is, who made it, and its SHA-256.

The catalog (data/catalog.yml) is the single place where a file's provenance is written
down; the resolver, the readers and the "Data and sources" chapter all read it from here.
It is also a trust boundary: a file name is a path the resolver opens and a URL is one it
downloads, so both are checked here (relative paths that stay inside their folder, https
only) before anything touches the disk or the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import yaml

from .paths import catalog_path

REQUIRED = ("id", "file", "sha256", "producer", "title", "citation", "licence", "url", "vintage")
ORIGINS = ("producer", "project")  # a producer's file (found, never committed) or the book's own
REFERENCE_FOLDER = "reference"  # project files live in data/reference/
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_ID = re.compile(r"^[A-Za-z0-9_.-]+$")
_FILE_PART = re.compile(r"^[A-Za-z0-9_.+-]+$")


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


def check_file_name(name: str, *, reference: bool = False, label: str = "") -> None:
    """A catalogued file name must be a plain relative path that cannot leave its folder."""
    where = f"Catalog entry {label}: " if label else ""
    if not isinstance(name, str) or not name:
        raise CatalogError(f"{where}file must be a non-empty relative path.")
    if "\\" in name or name.startswith("/") or re.match(r"^[A-Za-z]:", name) or "\x00" in name:
        raise CatalogError(f"{where}file {name!r} must be a relative path with '/' separators.")
    parts = PurePosixPath(name).parts
    bad = [p for p in name.split("/") if p in ("", ".", "..") or not _FILE_PART.match(p)]
    if bad or not parts:
        raise CatalogError(
            f"{where}file {name!r} must stay inside the data folder: relative, no '.' or '..' "
            f"parts, only letters, digits and _ . + - in each part.")
    if reference and parts[0] != REFERENCE_FOLDER:
        raise CatalogError(f"{where}a project file must live under data/{REFERENCE_FOLDER}/, not {name!r}.")
    if reference and len(parts) < 2:
        raise CatalogError(f"{where}file {name!r} names the folder, not a file in it.")


def check_url(url: str, *, field: str, label: str = "") -> None:
    """Only https URLs with a host: no file://, ftp:// or plain http."""
    where = f"Catalog entry {label}: " if label else ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError as err:
        raise CatalogError(f"{where}{field} {url!r} is not a valid URL ({err}).") from None
    if parts.scheme != "https":
        raise CatalogError(
            f"{where}{field} {url!r} uses the scheme {parts.scheme or '(none)'!r}; only https "
            f"URLs are allowed.")
    if not host or any(c.isspace() for c in url):
        raise CatalogError(f"{where}{field} {url!r} is not a valid https URL (no host, or spaces).")


def validate_entry(item: Entry) -> Entry:
    """Check the fields the resolver acts on (file path, URLs, hash, origin)."""
    label = item.id
    if not _ID.match(item.id or ""):
        raise CatalogError(f"Catalog id {item.id!r} may only use letters, digits and _ . -.")
    if item.origin not in ORIGINS:
        raise CatalogError(f"Catalog entry {label}: origin must be one of {ORIGINS}.")
    if not _SHA256.match(str(item.sha256)):
        raise CatalogError(f"Catalog entry {label}: sha256 must be 64 lower-case hex digits.")
    check_file_name(item.file, reference=item.is_reference, label=label)
    check_url(item.url, field="url", label=label)
    if item.download is not None:
        check_url(item.download, field="download", label=label)
    return item


def parse_catalog(records: list[dict]) -> dict[str, Entry]:
    """Validate raw catalog records and index them by id."""
    if not isinstance(records, list):
        raise CatalogError("The catalog must be a YAML list of entries.")
    known = {f.name for f in fields(Entry)}
    entries: dict[str, Entry] = {}
    for i, rec in enumerate(records):
        if not isinstance(rec, dict):
            raise CatalogError(
                f"Catalog entry #{i} is a {type(rec).__name__}, not a mapping of fields "
                f"(id: ..., file: ..., sha256: ...).")
        missing = [k for k in REQUIRED if not rec.get(k)]
        if missing:
            raise CatalogError(f"Catalog entry #{i} ({rec.get('id', '?')}) lacks {missing}.")
        unknown = set(rec) - known
        if unknown:
            raise CatalogError(f"Catalog entry {rec['id']} has unknown fields {sorted(map(str, unknown))}.")
        nested = [k for k, v in rec.items() if isinstance(v, (dict, list))]
        if nested:
            raise CatalogError(f"Catalog entry {rec['id']}: fields {nested} must be plain values.")
        if rec.get("origin", "producer") not in ORIGINS:
            raise CatalogError(f"Catalog entry {rec['id']}: origin must be one of {ORIGINS}.")
        if rec["id"] in entries:
            raise CatalogError(f"Catalog id {rec['id']} appears twice.")
        item = Entry(**{k: (str(v) if v is not None else None) for k, v in rec.items()})
        entries[item.id] = validate_entry(item)
    files = [e.file for e in entries.values()]
    if len(files) != len(set(files)):
        raise CatalogError("Two catalog entries name the same file.")
    return entries


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice (YAML's default: last wins)."""


def _construct_unique_mapping(loader: _UniqueKeyLoader, node, deep=False):
    seen: dict = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise CatalogError(
                f"The catalog repeats the key {key!r} in one entry (lines {seen[key] + 1} and "
                f"{key_node.start_mark.line + 1}); each field may appear once.")
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping)


def read_yaml(text: str, source: str = "catalog"):
    """YAML (safe subset) with duplicate keys refused."""
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as err:
        raise CatalogError(f"{source} is not valid YAML: {err}") from None
    except CatalogError as err:
        raise CatalogError(f"{source}: {err}") from None


def load_catalog(path: Path | None = None) -> dict[str, Entry]:
    """Read and validate data/catalog.yml."""
    path = path or catalog_path()
    return parse_catalog(read_yaml(Path(path).read_text(encoding="utf-8"), str(path)))


def entry(dataset_id: str) -> Entry:
    """The catalog entry for one dataset id, with a helpful error for a typo."""
    cat = load_catalog()
    try:
        return cat[dataset_id]
    except KeyError:
        raise KeyError(f"No dataset {dataset_id!r} in the catalog; known ids: {sorted(cat)}") from None
