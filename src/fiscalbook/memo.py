"""The book's fingerprint, and a disk memo for expensive analyses shared by several
chapters (e.g. the specification curve, used by the robustness and verdict chapters).

The fingerprint hashes what every result depends on besides a chapter's own code cells:
the package source, the data catalog (with every file's SHA-256, reference files
included) and the pinned requirements. The build re-executes every chapter when it
changes (fiscalbook.site) and records it in results.json.

A memoised result is keyed by the function's name and arguments *and* by the fingerprint,
so any code or data change recomputes it: the memo can make a build faster but never
staler. It lives in _build/.fiscalbook_memo, so `make clean` clears it with the rest.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from .paths import build_dir, catalog_path, make_folder, project_root

_PACKAGE = Path(__file__).resolve().parent


class MemoError(RuntimeError):
    """A memo file cannot be read; the message names it and says what to do."""


def _requirements() -> Path:
    return project_root() / "requirements.txt"


def fingerprint_parts() -> dict[str, str]:
    """Hashes of the three inputs, each on its own (shown by the reproducibility chapter)."""
    pkg = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        pkg.update(path.relative_to(_PACKAGE).as_posix().encode() + b"\0")
        pkg.update(path.read_bytes())
    req = _requirements()
    return {
        "package": pkg.hexdigest()[:16],
        "catalog": hashlib.sha256(catalog_path().read_bytes()).hexdigest()[:16],
        "requirements": hashlib.sha256(req.read_bytes() if req.is_file() else b"").hexdigest()[:16],
    }


@functools.cache
def fingerprint() -> str:
    """One hash of the package source, the catalog and requirements.txt."""
    parts = fingerprint_parts()
    return hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:16]


def memo_dir() -> Path:
    return build_dir() / ".fiscalbook_memo"


def _load(path: Path):
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError) as err:
        raise MemoError(
            f"The memo file {path} is corrupt or unreadable ({type(err).__name__}: {err}). "
            f"Delete it (or the folder {path.parent}, or run `make clean`) and run again; "
            f"the result is recomputed.") from None


def _store(path: Path, result) -> None:
    """Write atomically: a temporary file unique to this process, then one rename."""
    make_folder(path.parent, "memo folder")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.stem[:40]}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pickle.dump(result, fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def prune(keep: str | None = None) -> int:
    """Delete memo files made under another fingerprint (they can never be used again)."""
    keep = keep or fingerprint()
    folder = memo_dir()
    if not folder.is_dir():
        return 0
    stale = [p for p in folder.glob("*.pkl") if f"-{keep}-" not in p.name]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def disk_memo(fn):
    """Decorator: cache fn(*args, **kwargs) on disk under the package fingerprint."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = hashlib.sha256(repr((fn.__module__, fn.__qualname__, args, sorted(kwargs.items()))).encode())
        path = memo_dir() / f"{fn.__module__}.{fn.__qualname__}-{fingerprint()}-{key.hexdigest()[:16]}.pkl"
        if path.is_file():
            return _load(path)
        result = fn(*args, **kwargs)
        _store(path, result)
        return result

    wrapper.uncached = fn
    return wrapper
