"""Where the project, its catalog, its cache and the data snapshot live.

Chapters execute with their own folder as working directory, and a reviewer may run a
downloaded notebook from anywhere, so every path is anchored at the project root, never at
the current directory: a relative FISCALBOOK_SNAPSHOT or FISCALBOOK_CACHE is read against
the project root too.
"""

from __future__ import annotations

import os
from pathlib import Path

SNAPSHOT_ENV = "FISCALBOOK_SNAPSHOT"
CACHE_ENV = "FISCALBOOK_CACHE"
ROOT_ENV = "FISCALBOOK_ROOT"


class FolderError(RuntimeError):
    """A folder the book needs cannot be created or written; the message says what to do."""


def project_root() -> Path:
    """The checkout that holds data/catalog.yml (override with FISCALBOOK_ROOT).

    Found from this file's location (an editable install lives in the checkout), so it
    does not depend on the working directory.
    """
    if os.environ.get(ROOT_ENV):
        return Path(os.environ[ROOT_ENV]).expanduser().resolve()
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / "data" / "catalog.yml").is_file():
            return parent
    raise RuntimeError(
        "Cannot find the project root (a folder with data/catalog.yml) above "
        f"{here}. Install the package in editable mode (pip install -e .) from the "
        f"checkout, or set {ROOT_ENV}."
    )


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_absolute():
        path = project_root() / path
    return path.resolve()


def catalog_path() -> Path:
    return project_root() / "data" / "catalog.yml"


def reference_dir() -> Path:
    """The book's own committed reference data (catalog entries with origin: project)."""
    return project_root() / "data"


def cache_dir() -> Path:
    """Local cache for downloaded files (git-ignored); FISCALBOOK_CACHE overrides."""
    return _from_env(CACHE_ENV) or project_root() / "data" / "cache"


def snapshot_dir() -> Path:
    """The read-only snapshot of source files; FISCALBOOK_SNAPSHOT overrides ../shared/data."""
    return _from_env(SNAPSHOT_ENV) or (project_root().parent / "shared" / "data").resolve()


def build_dir() -> Path:
    return project_root() / "_build"


def make_folder(path: Path, purpose: str, env: str | None = None) -> Path:
    """mkdir -p with an error that names the folder and what to do instead of a bare OSError."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        hint = f" or set {env} to a writable folder" if env else ""
        raise FolderError(
            f"Cannot create the {purpose} {path} ({type(err).__name__}: {err.strerror or err}). "
            f"Make it writable{hint}.") from None
    if not os.access(path, os.W_OK | os.X_OK):
        hint = f" or set {env} to a writable folder" if env else ""
        raise FolderError(f"The {purpose} {path} is not writable. Make it writable{hint}.")
    return path
