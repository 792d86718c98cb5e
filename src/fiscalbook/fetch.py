"""Find a catalogued file and prove it is the file the catalog describes.

Order: local cache -> snapshot folder -> download from the producer (where the catalog
has a direct URL). The SHA-256 is checked on every call, wherever the file was found.
Hashing and downloading are pooch's; this module only decides where to look and what
to say when a file is missing or different.

Command line:
    python -m fiscalbook.fetch                 # verify every catalogued file
    python -m fiscalbook.fetch --accept-new-vintage ID
        # download ID from the producer, and if its hash differs, write the new hash
        # into data/catalog.yml (a deliberate, reviewable change)
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import pooch

from .catalog import Entry, entry, load_catalog
from .paths import SNAPSHOT_ENV, cache_dir, catalog_path, project_root, snapshot_dir

DOWNLOAD_TIMEOUT_S = 30


class DataFileError(RuntimeError):
    """A catalogued file is missing, truncated or altered; the message says what to do."""


def sha256(path: Path) -> str:
    return pooch.file_hash(str(path), alg="sha256")


def _check(path: Path, item: Entry, where: str) -> Path:
    found = sha256(path)
    if found != item.sha256:
        size = path.stat().st_size
        if where == "project's data folder":
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


def _download(item: Entry, dest: Path, timeout: float, known_hash: str | None) -> Path:
    downloader = pooch.HTTPDownloader(timeout=timeout, progressbar=False)
    return Path(
        pooch.retrieve(
            item.download,
            known_hash=None if known_hash is None else f"sha256:{known_hash}",
            fname=item.file.replace("/", "__"),
            path=dest,
            downloader=downloader,
        )
    )


def resolve(item: Entry | str, *, cache: Path | None = None, snapshot: Path | None = None,
            timeout: float = DOWNLOAD_TIMEOUT_S) -> Path:
    """Return a local path to the verified file, or raise DataFileError saying why not."""
    item = entry(item) if isinstance(item, str) else item
    cache = Path(cache) if cache is not None else cache_dir()
    snapshot = Path(snapshot) if snapshot is not None else snapshot_dir()
    tried: list[str] = []

    if item.is_reference:
        ref = project_root() / "data" / item.file
        if not ref.is_file():
            raise DataFileError(
                f"Cannot find the book's reference file {ref} ({item.title}). It is committed "
                f"with the project: restore it with `git checkout -- data/{item.file}`.")
        return _check(ref, item, "project's data folder")

    cached = cache / item.file.replace("/", "__")
    if cached.is_file():
        return _check(cached, item, "cache")
    tried.append(f"cache: {cached} (absent)")

    snap = snapshot / item.file
    if snap.is_file():
        return _check(snap, item, "snapshot folder")
    tried.append(f"snapshot folder: {snap} (absent; set {SNAPSHOT_ENV} to point elsewhere)")

    if item.download:
        cache.mkdir(parents=True, exist_ok=True)
        try:
            return _download(item, cache, timeout, item.sha256)
        except ValueError as err:  # pooch: hash mismatch, download already deleted
            raise DataFileError(
                f"{item.file}: the producer's file at {item.download} does not match the "
                f"catalogued SHA-256 {item.sha256}. The producer has most likely published a "
                f"new vintage. The book was checked against the catalogued one; to move to the "
                f"new one deliberately, run `python -m fiscalbook.fetch --accept-new-vintage "
                f"{item.id}`, review the changed hash in data/catalog.yml, rebuild and re-read "
                f"the results. ({err})"
            ) from None
        except Exception as err:  # network failure, 404, timeout
            tried.append(f"download: {item.download} ({type(err).__name__}: {err})")
    else:
        tried.append(f"download: none (the producer publishes no direct file; see {item.url})")

    raise DataFileError(
        f"Cannot find {item.file} ({item.title}). Tried:\n  - " + "\n  - ".join(tried)
        + f"\nPut the original file at {snap} (or point {SNAPSHOT_ENV} at a folder that has "
        f"it), or download it from {item.url} into {cached}. Its SHA-256 must be {item.sha256}."
    )


def accept_new_vintage(dataset_id: str, *, timeout: float = DOWNLOAD_TIMEOUT_S) -> str:
    """Download the producer's current file and record its hash in the catalog."""
    item = entry(dataset_id)
    if not item.download:
        raise DataFileError(f"{dataset_id} has no direct download URL; update it by hand from {item.url}.")
    tmp = cache_dir() / "incoming"
    tmp.mkdir(parents=True, exist_ok=True)
    path = _download(item, tmp, timeout, known_hash=None)
    new = sha256(path)
    if new == item.sha256:
        print(f"{dataset_id}: the producer's file is the catalogued one ({new}).")
        return new
    _write_hash(item, new)
    final = cache_dir() / item.file.replace("/", "__")
    path.replace(final)
    print(f"{dataset_id}: catalog now expects {new} (was {item.sha256}); update its vintage too.")
    return new


def rehash_reference(dataset_id: str) -> str:
    """Record the current hash of an edited reference file (the book's own data) in the catalog."""
    item = entry(dataset_id)
    if not item.is_reference:
        raise DataFileError(f"{dataset_id} is a producer's file; use --accept-new-vintage instead.")
    new = sha256(project_root() / "data" / item.file)
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
    catalog_path().write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accept-new-vintage", metavar="ID")
    parser.add_argument("--rehash-reference", metavar="ID")
    args = parser.parse_args(argv)
    if args.rehash_reference:
        rehash_reference(args.rehash_reference)
        return 0
    if args.accept_new_vintage:
        accept_new_vintage(args.accept_new_vintage)
        return 0
    failures = 0
    for item in load_catalog().values():
        try:
            print(f"ok  {item.id:24s} {resolve(item)}")
        except DataFileError as err:
            failures += 1
            print(f"ERR {item.id:24s} {err}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
