"""Find a catalogued file and prove it is the file the catalog describes.

Order: local cache -> snapshot folder -> download from the producer (where the catalog
has a direct https URL). The SHA-256 is checked on every call, wherever the file was found.
A file is only ever opened inside its folder (the cache, the snapshot, or data/reference/
for the book's own reference files): a catalogued name or a symbolic link that leads
elsewhere is refused before anything is read, and no error describes a file outside them.

Command line:
    python -m fiscalbook.fetch                 # verify every catalogued file
    python -m fiscalbook.fetch --accept-new-vintage ID
        # download ID afresh from the producer, and if its hash differs, write the new
        # hash into data/catalog.yml (a deliberate, reviewable change)
    python -m fiscalbook.fetch --rehash-reference ID
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from pathlib import Path

import pooch

from .catalog import REFERENCE_FOLDER, CatalogError, Entry, entry, load_catalog, validate_entry
from .paths import (CACHE_ENV, SNAPSHOT_ENV, FolderError, cache_dir, catalog_path, make_folder,
                    reference_dir, snapshot_dir)

DOWNLOAD_TIMEOUT_S = 30


class DataFileError(RuntimeError):
    """A catalogued file is missing, truncated or altered; the message says what to do."""


def sha256(path: Path) -> str:
    return pooch.file_hash(str(path), alg="sha256")


def cached_name(item: Entry) -> str:
    """The flat name of an entry's file in the cache folder."""
    return item.file.replace("/", "__")


def _inside(path: Path, folder: Path, item: Entry, where: str) -> Path:
    """`path` if it (after following links) is inside `folder`; refuse otherwise, saying nothing of it."""
    real, base = path.resolve(), folder.resolve()
    if not real.is_relative_to(base):
        raise DataFileError(
            f"{item.file} ({item.id}) in the {where} {folder} leads outside that folder "
            f"(a symbolic link?); the book only reads files inside it. Replace the link with "
            f"the producer's original file.")
    return real


def _check(path: Path, item: Entry, where: str) -> Path:
    found = sha256(path)
    if found != item.sha256:
        size = path.stat().st_size
        if item.is_reference:
            raise DataFileError(
                f"The reference file data/{item.file} has SHA-256 {found}, but the catalog "
                f"expects {item.sha256}. If you edited it on purpose, record the new hash with "
                f"`python -m fiscalbook.fetch --rehash-reference {item.id}` and commit both.")
        raise DataFileError(
            f"{item.file} in the {where} ({path}, {size:,} bytes) has SHA-256 {found}, "
            f"but the catalog expects {item.sha256}: the file is truncated or altered. "
            f"Replace it with the producer's original ({item.url})"
            + (" or delete it so it is fetched again." if where == "cache" else ".")
        )
    return path


def _validated(item: Entry) -> Entry:
    try:
        return validate_entry(item)
    except CatalogError as err:
        raise DataFileError(f"Refusing catalog entry {item.id!r}: {err}") from None


def _download_to(item: Entry, folder: Path, timeout: float) -> Path:
    """Download item.download into `folder` (fresh every time); errors say what failed."""
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    target = folder / cached_name(item)
    try:
        downloader(item.download, str(target), None)
    except Exception as err:  # requests: connection, TLS, HTTP status, timeout, bad URL
        target.unlink(missing_ok=True)
        raise _DownloadFailed(f"{type(err).__name__}: {err}") from None
    return target


class _DownloadFailed(Exception):
    pass


def _fetch_into_cache(item: Entry, cache: Path, timeout: float) -> Path:
    make_folder(cache, "data cache folder", CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix=".download-", dir=cache) as tmp:
        path = _download_to(item, Path(tmp), timeout)
        found = sha256(path)
        if found != item.sha256:
            raise DataFileError(
                f"{item.file}: the producer's file at {item.download} does not match the "
                f"catalogued SHA-256 {item.sha256} (it has {found}). The producer has most "
                f"likely published a new vintage. The book was checked against the catalogued "
                f"one; to move to the new one deliberately, run `python -m fiscalbook.fetch "
                f"--accept-new-vintage {item.id}`, review the changed hash in data/catalog.yml, "
                f"rebuild and re-read the results. The download was not kept.")
        final = cache / cached_name(item)
        path.replace(final)
    return final


def resolve(item: Entry | str, *, cache: Path | None = None, snapshot: Path | None = None,
            timeout: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Return a local path to the verified file, or raise DataFileError saying why not."""
    item = _validated(entry(item) if isinstance(item, str) else item)
    cache = Path(cache) if cache is not None else cache_dir()
    snapshot = Path(snapshot) if snapshot is not None else snapshot_dir()
    tried: list[str] = []

    if item.is_reference:
        folder = reference_dir()
        ref = folder / item.file
        if not ref.is_file():
            raise DataFileError(
                f"Cannot find the book's reference file {ref} ({item.title}). It is committed "
                f"with the project: restore it with `git checkout -- data/{item.file}`.")
        return _check(_inside(ref, folder / REFERENCE_FOLDER, item, "project's reference folder"), item,
                      "project's reference folder")

    cached = cache / cached_name(item)
    if cached.is_file():
        return _check(_inside(cached, cache, item, "cache"), item, "cache")
    tried.append(f"cache: {cached} (absent)")

    snap = snapshot / item.file
    if snap.is_file():
        return _check(_inside(snap, snapshot, item, "snapshot folder"), item, "snapshot folder")
    tried.append(f"snapshot folder: {snap} (absent; set {SNAPSHOT_ENV} to point elsewhere)")

    if item.download:
        try:
            return _fetch_into_cache(item, cache, timeout)
        except _DownloadFailed as err:  # network failure, 404, timeout, TLS
            tried.append(f"download: {item.download} ({err})")
        except FolderError as err:
            tried.append(f"download: not attempted ({err})")
    else:
        tried.append(f"download: none (the producer publishes no direct file; see {item.url})")

    raise DataFileError(
        f"Cannot find {item.file} ({item.title}). Tried:\n  - " + "\n  - ".join(tried)
        + f"\nPut the original file at {snap} (or point {SNAPSHOT_ENV} at a folder that has "
        f"it), or download it from {item.url} into {cached}. Its SHA-256 must be {item.sha256}."
    )


def verify_all(*, cache: Path | None = None, snapshot: Path | None = None) -> dict[str, Path]:
    """Resolve every catalogued file; raise one DataFileError naming every file that fails."""
    found, failures = {}, []
    for item in load_catalog().values():
        try:
            found[item.id] = resolve(item, cache=cache, snapshot=snapshot)
        except DataFileError as err:
            failures.append((item, str(err)))
    if failures:
        names = ", ".join(f"{it.file} ({it.id})" for it, _ in failures)
        detail = "\n\n".join(msg for _, msg in failures)
        raise DataFileError(f"{len(failures)} catalogued file(s) missing or altered: {names}\n\n{detail}")
    return found


def accept_new_vintage(dataset_id: str, *, timeout: float = DOWNLOAD_TIMEOUT_S) -> str:
    """Download the producer's current file afresh and record its hash in the catalog."""
    item = _validated(entry(dataset_id))
    if not item.download:
        raise DataFileError(f"{dataset_id} has no direct download URL; update it by hand from {item.url}.")
    cache = make_folder(cache_dir(), "data cache folder", CACHE_ENV)
    incoming = make_folder(cache / "incoming", "download folder", CACHE_ENV)
    with tempfile.TemporaryDirectory(prefix="vintage-", dir=incoming) as tmp:
        try:
            path = _download_to(item, Path(tmp), timeout)
        except _DownloadFailed as err:
            raise DataFileError(f"{dataset_id}: could not download {item.download} ({err}).") from None
        new = sha256(path)
        if new == item.sha256:
            print(f"{dataset_id}: the producer's file is the catalogued one ({new}).")
            return new
        _write_hash(item, new)
        shutil.move(str(path), cache / cached_name(item))
    print(f"{dataset_id}: catalog now expects {new} (was {item.sha256}); update its vintage too.")
    return new


def rehash_reference(dataset_id: str) -> str:
    """Record the current hash of an edited reference file (the book's own data) in the catalog."""
    item = _validated(entry(dataset_id))
    if not item.is_reference:
        raise DataFileError(f"{dataset_id} is a producer's file; use --accept-new-vintage instead.")
    path = _inside(reference_dir() / item.file, reference_dir() / REFERENCE_FOLDER, item,
                   "project's reference folder")
    new = sha256(path)
    if new != item.sha256:
        _write_hash(item, new)
    print(f"{dataset_id}: catalog expects {new}.")
    return new


def _write_hash(item: Entry, new: str) -> None:
    text = catalog_path().read_text(encoding="utf-8")
    pattern = re.compile(rf"(- id: {re.escape(item.id)}\n(?:  .*\n)*?  sha256: ){item.sha256}")
    text, n = pattern.subn(rf"\g<1>{new}", text)
    if n != 1:
        raise DataFileError(f"Could not find the sha256 line of {item.id} in {catalog_path()}.")
    tmp = catalog_path().with_name(f".catalog.yml.{new[:8]}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(catalog_path())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accept-new-vintage", metavar="ID")
    parser.add_argument("--rehash-reference", metavar="ID")
    args = parser.parse_args(argv)
    try:
        if args.rehash_reference:
            rehash_reference(args.rehash_reference)
            return 0
        if args.accept_new_vintage:
            accept_new_vintage(args.accept_new_vintage)
            return 0
        catalog = load_catalog()
    except (DataFileError, CatalogError, FolderError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    failures = 0
    for item in catalog.values():
        try:
            print(f"ok  {item.id:24s} {resolve(item)}")
        except (DataFileError, FolderError) as err:
            failures += 1
            print(f"ERR {item.id:24s} {err}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
