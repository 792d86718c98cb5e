"""Disk memo for expensive analyses shared by several chapters (e.g. the specification
curve, used by the robustness and verdict chapters).

A result is keyed by the function's name and arguments *and* by a fingerprint of the whole
package source and the data catalog, so any code or data change recomputes it: the memo
can make a build faster but never staler. It lives in _build/.fiscalbook_memo, so
`make clean` clears it with the rest of the build.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from pathlib import Path

from .paths import build_dir, catalog_path

_PACKAGE = Path(__file__).resolve().parent


@functools.cache
def fingerprint() -> str:
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(path.relative_to(_PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    h.update(catalog_path().read_bytes())
    return h.hexdigest()[:16]


def memo_dir() -> Path:
    return build_dir() / ".fiscalbook_memo"


def disk_memo(fn):
    """Decorator: cache fn(*args, **kwargs) on disk under the package fingerprint."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        key = hashlib.sha256(repr((fn.__module__, fn.__qualname__, args, sorted(kwargs.items()))).encode())
        path = memo_dir() / f"{fn.__module__}.{fn.__qualname__}-{fingerprint()}-{key.hexdigest()[:16]}.pkl"
        if path.is_file():
            with open(path, "rb") as fh:
                return pickle.load(fh)
        result = fn(*args, **kwargs)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(result, fh)
        tmp.replace(path)
        return result

    wrapper.uncached = fn
    return wrapper
