"""What a reviewer needs to rerun the book: software versions, vendored browser libraries,
and the data files' fingerprints (for the reproducibility page)."""

from __future__ import annotations

import json
import platform
from importlib import metadata

import pandas as pd

from .catalog import load_catalog
from .memo import fingerprint, fingerprint_parts
from .paths import project_root

KEY_PACKAGES = (
    "jupyter-book", "sphinx", "myst-nb", "myst-parser", "sphinx-book-theme", "jupyter-cache",
    "sphinxcontrib-bibtex", "jupytext", "pandas", "numpy", "scipy", "statsmodels", "pyfixest",
    "linearmodels", "wildboottest", "pysyncon", "pandera", "pycountry", "pooch", "altair",
    "vl-convert-python", "great-tables",
)


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def package_versions(packages=KEY_PACKAGES) -> pd.DataFrame:
    """Python and the key packages, at the versions this kernel runs."""
    rows = [("Python", platform.python_version())] + [(name, _version(name)) for name in packages]
    return pd.DataFrame(rows, columns=["package", "version"]).set_index("package")


def _stamp(path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def browser_libraries() -> pd.DataFrame:
    """Versions of the vendored Vega, Vega-Lite, Vega-Embed and MathJax (from their stamps)."""
    root = project_root()
    vega = _stamp(root / "_static" / "vendor" / "vega-bundle.stamp.json")
    mathjax = _stamp(root / "_extra" / "mathjax" / ".stamp.json")
    rows = [
        ("Vega", vega["bundle"]["vega"] if vega else "not vendored"),
        ("Vega-Lite", vega["debug"]["vegalite_version"] if vega else "not vendored"),
        ("Vega-Embed", vega["bundle"]["vega-embed"] if vega else "not vendored"),
        ("MathJax", mathjax["mathjax"] if mathjax else "not vendored"),
    ]
    return pd.DataFrame(rows, columns=["library", "version"]).set_index("library")


def data_fingerprints() -> pd.DataFrame:
    """Every catalogued file with its producer, vintage and SHA-256."""
    rows = [(e.id, e.file, e.producer, e.vintage, e.sha256) for e in load_catalog().values()]
    return pd.DataFrame(rows, columns=["id", "file", "producer", "vintage", "SHA-256"]).set_index("id")


def fingerprint_table() -> pd.DataFrame:
    """The book's fingerprint and its parts: what results.json records and the build checks."""
    labels = {"package": "package source (src/fiscalbook)", "catalog": "data catalog (checksums)",
              "requirements": "pinned requirements"}
    rows = [(labels[k], v) for k, v in fingerprint_parts().items()] + [("fingerprint", fingerprint())]
    return pd.DataFrame(rows, columns=["input", "hash"]).set_index("input")
