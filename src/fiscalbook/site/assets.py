"""Vendor the browser libraries the book needs, from installed Python packages, so the
built site works offline and `jb build .` needs nothing but the pinned requirements.

Three git-ignored outputs, each with a stamp recording what produced it (a run with
matching stamps does nothing):

* `_static/vendor/vega-bundle.js`: Vega, Vega-Lite and Vega-Embed (with vega-tooltip),
  built by the pinned vl-convert-python (`vl_convert.javascript_bundle`) at the Vega-Lite
  version the pinned Altair writes specs for. Wrapped in a function so its top-level names
  cannot clash with other page scripts; it sets `window.VEGA_DEBUG` to exactly the version
  strings Altair's page code compares, so Altair's html renderer never loads a CDN copy.
  It must stay the only JavaScript file under `_static/` (Jupyter Book adds each to every page).

* `_extra/mathjax/`: MathJax 3.2.2 from the pinned PyPI package django-static-mathjax
  (no Django needed; it installs a top-level `mathjax` package). Every copied file is
  checked against the SHA-256 that the installed wheel's RECORD lists, and the entry script
  against the hash pinned below. Copied to the site root by `html_extra_path`, outside
  `_static/` so its ~100 component scripts are not added to every page.

* `_static/vendor/favicon.svg`: the site icon, so browsers do not ask for /favicon.ico.

`fiscalbook.site` calls `ensure()` when Sphinx reads its configuration;
`scripts/vendor_assets.py` is the same from the command line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import sys
import tempfile
from importlib import metadata
from pathlib import Path

MATHJAX_VERSION = "3.2.2"
MATHJAX_DIST = "django-static-mathjax"
MATHJAX_DIST_VERSION = "3.2.2.1"
MATHJAX_ENTRY = "tex-mml-chtml.js"  # the combined file Sphinx's default also uses
MATHJAX_ENTRY_SHA256 = "8aacaa13814e2dd77de7b5f10a7c0cda3a0bcd0af3a2129f8aa7a794f607fd55"
_MATHJAX_PREFIX = "mathjax/static/mathjax/"
# Parts of es5/ kept: the entry script plus what it can load on demand (TeX extensions,
# CHTML fonts, the accessibility menu's components and speech rules).
MATHJAX_KEEP = (MATHJAX_ENTRY, "input/", "output/chtml", "a11y/", "ui/", "sre/", "adaptors/")

FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect x="1" y="8" width="4" height="7" fill="#0072B2"/><rect x="6" y="4" width="4" height="11" fill="#D55E00"/>
<rect x="11" y="1" width="4" height="14" fill="#009E73"/></svg>
"""


class AssetError(RuntimeError):
    """A browser library cannot be vendored; the message says what to install."""


class Paths:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.static_vendor = self.root / "_static" / "vendor"
        self.vega = self.static_vendor / "vega-bundle.js"
        self.vega_stamp = self.static_vendor / "vega-bundle.stamp.json"
        self.favicon = self.static_vendor / "favicon.svg"
        self.extra = self.root / "_extra"
        self.mathjax = self.extra / "mathjax"
        self.mathjax_stamp = self.mathjax / ".stamp.json"


def _read_json(path: Path):
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        raise AssetError(
            f"The package {dist} is not installed; it is pinned in requirements.txt. Install the "
            f"book's requirements (`make book`, or `pip install -r requirements.txt`).") from None


# --------------------------------------------------------------------------- Vega


def vega_versions() -> dict:
    """The versions Altair's html renderer checks in window.VEGA_DEBUG, and the bundle's."""
    import altair as alt
    import vl_convert as vlc
    from altair.vegalite.v6 import display

    vl_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if vl_minor not in vlc.get_vegalite_versions():
        raise AssetError(
            f"vl-convert-python {vlc.__version__} cannot bundle Vega-Lite {vl_minor} "
            f"(Altair {alt.__version__} writes {alt.SCHEMA_VERSION} specs); it offers "
            f"{vlc.get_vegalite_versions()}. Pin matching versions in requirements.txt.")
    vega_major = vlc.get_vega_version().split(".")[0]
    embed_major = vlc.get_vega_embed_version().split(".")[0]
    if vega_major != str(display.VEGA_VERSION).split(".")[0] or embed_major != str(
            display.VEGAEMBED_VERSION).split(".")[0]:
        raise AssetError(
            f"vl-convert bundles Vega {vlc.get_vega_version()} / Vega-Embed "
            f"{vlc.get_vega_embed_version()}, Altair expects Vega {display.VEGA_VERSION} / "
            f"Vega-Embed {display.VEGAEMBED_VERSION}.")
    return {
        "debug": {  # keys and values exactly as Altair's template compares them
            "vega_version": str(display.VEGA_VERSION),
            "vegalite_version": str(display.VEGALITE_VERSION),
            "vegaembed_version": str(display.VEGAEMBED_VERSION),
        },
        "vl_minor": vl_minor,
        "altair": alt.__version__,
        "vl_convert": vlc.__version__,
        "bundle": {"vega": vlc.get_vega_version(), "vega-embed": vlc.get_vega_embed_version()},
    }


def vendor_vega(p: Paths, check: bool = False) -> bool:
    """Write _static/vendor/vega-bundle.js; return True if it was (or would be) changed."""
    key = {"altair": _version("altair"), "vl-convert-python": _version("vl-convert-python")}
    stamp = _read_json(p.vega_stamp)
    if p.vega.is_file() and isinstance(stamp, dict) and stamp.get("key") == key:
        return False
    if check:
        return True
    versions = vega_versions()
    import vl_convert as vlc

    body = vlc.javascript_bundle(vl_version=versions["vl_minor"])
    if "import.meta" in body or "\nexport " in body:
        raise AssetError("vl_convert.javascript_bundle returned an ES module; expected a classic script")
    debug = json.dumps(versions["debug"])
    text = (
        f"/* Vega {versions['bundle']['vega']}, Vega-Lite {versions['debug']['vegalite_version']}, "
        f"Vega-Embed {versions['bundle']['vega-embed']}: bundled by vl-convert-python "
        f"{versions['vl_convert']} for Altair {versions['altair']} (fiscalbook.site.assets). */\n"
        "(function () {\n"
        f"{body}\n"
        "})();\n"
        "/* Altair's html renderer loads Vega from a CDN unless these match its versions. */\n"
        f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {debug});\n"
    )
    p.static_vendor.mkdir(parents=True, exist_ok=True)
    tmp = p.vega.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(p.vega)
    p.vega_stamp.write_text(json.dumps({"key": key, **versions}, sort_keys=True), encoding="utf-8")
    others = [x for x in (p.root / "_static").rglob("*.js") if x != p.vega]
    if others:
        print(f"warning: other JavaScript under _static/ is added to every page too: {others}",
              file=sys.stderr)
    print(f"fiscalbook: wrote {p.vega.relative_to(p.root)} ({len(text) / 1e6:.1f} MB)")
    return True


# ------------------------------------------------------------------------ MathJax


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _record_hex(value: str) -> str:
    """A RECORD hash (urlsafe base64, no padding) as hex."""
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).hex()


def mathjax_source() -> tuple[Path, dict[str, str]]:
    """The installed MathJax folder and {relative path: sha256} from the wheel's RECORD."""
    version = _version(MATHJAX_DIST)
    if version != MATHJAX_DIST_VERSION:
        raise AssetError(f"{MATHJAX_DIST} {version} is installed; the book pins {MATHJAX_DIST_VERSION}. "
                         f"Install the book's requirements.")
    dist = metadata.distribution(MATHJAX_DIST)
    hashes: dict[str, str] = {}
    for f in dist.files or ():
        name = str(f).replace("\\", "/")
        if name.startswith(_MATHJAX_PREFIX) and f.hash is not None and f.hash.mode == "sha256":
            hashes[name[len(_MATHJAX_PREFIX):]] = _record_hex(f.hash.value)
    base = Path(dist.locate_file(_MATHJAX_PREFIX))
    entry = f"es5/{MATHJAX_ENTRY}"
    if entry not in hashes or not (base / entry).is_file():
        raise AssetError(f"{MATHJAX_DIST} has no {entry}; reinstall it (`pip install --force-reinstall "
                         f"{MATHJAX_DIST}=={MATHJAX_DIST_VERSION}`).")
    if hashes[entry] != MATHJAX_ENTRY_SHA256:
        raise AssetError(f"{MATHJAX_DIST} records SHA-256 {hashes[entry]} for {entry}; the book pins "
                         f"{MATHJAX_ENTRY_SHA256} (MathJax {MATHJAX_VERSION}).")
    return base, hashes


def vendor_mathjax(p: Paths, check: bool = False) -> bool:
    expected = {"mathjax": MATHJAX_VERSION, "source": f"{MATHJAX_DIST}=={MATHJAX_DIST_VERSION}",
                "entry_sha256": MATHJAX_ENTRY_SHA256, "keep": list(MATHJAX_KEEP)}
    entry = p.mathjax / MATHJAX_ENTRY
    if entry.is_file() and _read_json(p.mathjax_stamp) == expected and _sha256(entry) == MATHJAX_ENTRY_SHA256:
        return False
    if check:
        return True
    base, hashes = mathjax_source()
    p.extra.mkdir(parents=True, exist_ok=True)
    n = 0
    with tempfile.TemporaryDirectory(dir=p.extra) as tmp:
        out = Path(tmp) / "mathjax"
        for rel, digest in sorted(hashes.items()):
            if not rel.startswith("es5/") or not rel[4:].startswith(MATHJAX_KEEP):
                continue
            src, target = base / rel, out / rel[4:]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, target)
            if _sha256(target) != digest:
                raise AssetError(f"{src} does not match the SHA-256 its wheel records; reinstall "
                                 f"{MATHJAX_DIST}=={MATHJAX_DIST_VERSION}.")
            n += 1
        shutil.copyfile(base / "LICENSE", out / "LICENSE")  # keep the licence beside the code
        (out / ".stamp.json").write_text(json.dumps(expected, sort_keys=True), encoding="utf-8")
        if p.mathjax.exists():
            shutil.rmtree(p.mathjax)
        out.replace(p.mathjax)
    print(f"fiscalbook: wrote {p.mathjax.relative_to(p.root)}/ (MathJax {MATHJAX_VERSION}, {n} files)")
    return True


# ------------------------------------------------------------------------ favicon


def vendor_favicon(p: Paths, check: bool = False) -> bool:
    if p.favicon.is_file() and p.favicon.read_text(encoding="utf-8") == FAVICON_SVG:
        return False
    if check:
        return True
    p.static_vendor.mkdir(parents=True, exist_ok=True)
    p.favicon.write_text(FAVICON_SVG, encoding="utf-8")
    return True


def ensure(root: Path, check: bool = False) -> list[str]:
    """Vendor (or, with check, only inspect) every asset; return the names changed/stale."""
    p = Paths(root)
    try:
        done = [("vega-bundle.js", vendor_vega(p, check)), ("mathjax", vendor_mathjax(p, check)),
                ("favicon.svg", vendor_favicon(p, check))]
    except AssetError:
        raise
    except Exception as err:  # an unexpected failure still says which step and what to do
        raise AssetError(f"Could not vendor the browser libraries into {root} "
                         f"({type(err).__name__}: {err}). Install the book's requirements "
                         f"(`make book`) and check that {root} is writable.") from err
    return [name for name, changed in done if changed]
