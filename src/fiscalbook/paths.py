"""Where the project, its catalog, its cache and the data snapshot live.

Chapters execute with their own folder as working directory, so every path is anchored
at the project root, never at the current directory.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOT_ENV = "FISCALBOOK_SNAPSHOT"
CACHE_ENV = "FISCALBOOK_CACHE"
ROOT_ENV = "FISCALBOOK_ROOT"


def project_root() -> Path:
    """The checkout that holds data/catalog.yml (override with FISCALBOOK_ROOT)."""
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "data" / "catalog.yml").is_file():
            return parent
    raise RuntimeError(
        "Cannot find the project root (a folder with data/catalog.yml) above "
        f"{here}. Install the package in editable mode (pip install -e .) from the "
        f"checkout, or set {ROOT_ENV}."
    )


def catalog_path() -> Path:
    return project_root() / "data" / "catalog.yml"


def cache_dir() -> Path:
    """Local cache for downloaded files (git-ignored); FISCALBOOK_CACHE overrides."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).resolve()
    return project_root() / "data" / "cache"


def snapshot_dir() -> Path:
    """The read-only snapshot of source files; FISCALBOOK_SNAPSHOT overrides ../shared/data."""
    if os.environ.get(SNAPSHOT_ENV):
        return Path(os.environ[SNAPSHOT_ENV]).resolve()
    return (project_root().parent / "shared" / "data").resolve()


def build_dir() -> Path:
    return project_root() / "_build"
