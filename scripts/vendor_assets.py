"""Vendor the browser libraries the book needs, so the built site works offline.

    python scripts/vendor_assets.py          # idempotent; fast when already done
    python scripts/vendor_assets.py --check  # exit 1 if anything is missing or stale

Writes three git-ignored things:

* `_static/vendor/vega-bundle.js`: Vega, Vega-Lite and Vega-Embed (with vega-tooltip),
  built by the pinned vl-convert-python (`vl_convert.javascript_bundle`) at the Vega-Lite
  version the pinned Altair writes specs for. The bundle is wrapped in a function so its
  top-level names cannot clash with other page scripts, and it sets `window.VEGA_DEBUG`
  to exactly the version strings Altair's page code compares against, so the chart
  output of Altair's default (html) renderer uses these globals and never loads
  anything from a CDN. Jupyter Book 1 adds every `_static/**/*.js` to every page, so
  this must stay the only JavaScript file under `_static/`.

* `_extra/mathjax/`: MathJax (pinned npm tarball, SHA-256 checked), copied to the site
  root by `html_extra_path: [_extra]`; `_config.yml` points `mathjax_path` at it. It is
  kept out of `_static/` so Jupyter Book does not add its ~100 component scripts to
  every page.

* `_static/vendor/favicon.svg`: the site icon (`html_favicon`), so browsers do not ask
  for a missing /favicon.ico.

The MathJax tarball is fetched once with `npm pack` into ~/.cache/fiscalbook/ ($XDG_CACHE_HOME),
or taken from $FISCALBOOK_MATHJAX_TGZ if that names an already-downloaded tarball.
A stamp file next to each output records what produced it; a run with matching stamps
does nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATIC_VENDOR = ROOT / "_static" / "vendor"
VEGA_BUNDLE = STATIC_VENDOR / "vega-bundle.js"
EXTRA = ROOT / "_extra"
MATHJAX_DIR = EXTRA / "mathjax"
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fiscalbook"

MATHJAX_VERSION = "3.2.2"
MATHJAX_SHA256 = "1b9c0a1c44df864e915690558e72adb9cc5203360daefd385084ced3b6c64c09"
MATHJAX_ENTRY = "tex-mml-chtml.js"  # the combined file Sphinx's default also uses
# Parts of es5/ kept: the entry script plus what it can load on demand (TeX extensions,
# CHTML fonts, the accessibility menu's components and speech rules).
MATHJAX_KEEP = (MATHJAX_ENTRY, "input/", "output/chtml", "a11y/", "ui/", "sre/", "adaptors/")


def _stamp_ok(stamp: Path, expected: dict) -> bool:
    try:
        return json.loads(stamp.read_text(encoding="utf-8")) == expected
    except (OSError, ValueError):
        return False


# --------------------------------------------------------------------------- Vega


def vega_versions() -> dict:
    """The versions Altair's html renderer checks in window.VEGA_DEBUG, and the bundle's."""
    import altair as alt
    import vl_convert as vlc
    from altair.vegalite.v6 import display

    vl_minor = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    if vl_minor not in vlc.get_vegalite_versions():
        raise SystemExit(
            f"vl-convert-python {vlc.__version__} cannot bundle Vega-Lite {vl_minor} "
            f"(Altair {alt.__version__} writes {alt.SCHEMA_VERSION} specs); it offers "
            f"{vlc.get_vegalite_versions()}. Pin matching versions in requirements.txt."
        )
    vega_major = vlc.get_vega_version().split(".")[0]
    embed_major = vlc.get_vega_embed_version().split(".")[0]
    if vega_major != str(display.VEGA_VERSION).split(".")[0] or embed_major != str(
        display.VEGAEMBED_VERSION
    ).split(".")[0]:
        raise SystemExit(
            f"vl-convert bundles Vega {vlc.get_vega_version()} / Vega-Embed "
            f"{vlc.get_vega_embed_version()}, Altair expects Vega {display.VEGA_VERSION} / "
            f"Vega-Embed {display.VEGAEMBED_VERSION}."
        )
    return {
        # keys and values exactly as Altair's template compares them
        "debug": {
            "vega_version": str(display.VEGA_VERSION),
            "vegalite_version": str(display.VEGALITE_VERSION),
            "vegaembed_version": str(display.VEGAEMBED_VERSION),
        },
        "vl_minor": vl_minor,
        "altair": alt.__version__,
        "vl_convert": vlc.__version__,
        "bundle": {
            "vega": vlc.get_vega_version(),
            "vega-embed": vlc.get_vega_embed_version(),
        },
    }


def vendor_vega(check: bool = False) -> bool:
    """Write _static/vendor/vega-bundle.js; return True if it was (or would be) changed."""
    from importlib.metadata import version

    # Cheap key first (no import of altair): the installed versions of the two packages.
    key = {"altair": version("altair"), "vl-convert-python": version("vl-convert-python")}
    stamp = STATIC_VENDOR / "vega-bundle.stamp.json"
    try:
        if VEGA_BUNDLE.is_file() and json.loads(stamp.read_text(encoding="utf-8"))["key"] == key:
            return False
    except (OSError, ValueError, KeyError):
        pass
    if check:
        print(f"stale or missing: {VEGA_BUNDLE.relative_to(ROOT)}")
        return True
    versions = vega_versions()
    import vl_convert as vlc

    body = vlc.javascript_bundle(vl_version=versions["vl_minor"])
    if "import.meta" in body or "\nexport " in body:
        raise SystemExit("vl_convert.javascript_bundle returned an ES module; expected a classic script")
    debug = json.dumps(versions["debug"])
    text = (
        f"/* Vega {versions['bundle']['vega']}, Vega-Lite {versions['debug']['vegalite_version']}, "
        f"Vega-Embed {versions['bundle']['vega-embed']}: bundled by vl-convert-python "
        f"{versions['vl_convert']} for Altair {versions['altair']} (scripts/vendor_assets.py). */\n"
        "(function () {\n"
        f"{body}\n"
        "})();\n"
        "/* Altair's html renderer loads Vega from a CDN unless these match its versions. */\n"
        f"window.VEGA_DEBUG = Object.assign(window.VEGA_DEBUG || {{}}, {debug});\n"
    )
    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    tmp = VEGA_BUNDLE.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(VEGA_BUNDLE)
    stamp.write_text(json.dumps({"key": key, **versions}, sort_keys=True), encoding="utf-8")
    others = [p for p in (ROOT / "_static").rglob("*.js") if p != VEGA_BUNDLE]
    if others:
        print(f"warning: other JavaScript under _static/ is added to every page too: {others}",
              file=sys.stderr)
    print(f"wrote {VEGA_BUNDLE.relative_to(ROOT)} ({len(text) / 1e6:.1f} MB)")
    return True


# ------------------------------------------------------------------------ MathJax


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _mathjax_tarball() -> Path:
    given = os.environ.get("FISCALBOOK_MATHJAX_TGZ")
    tgz = Path(given) if given else CACHE / f"mathjax-{MATHJAX_VERSION}.tgz"
    if not tgz.is_file():
        if given:
            raise SystemExit(f"FISCALBOOK_MATHJAX_TGZ={given} does not exist")
        npm = shutil.which("npm")
        if not npm:
            raise SystemExit(
                "npm is needed once to fetch MathJax (`npm pack mathjax@"
                f"{MATHJAX_VERSION}`); install Node.js/npm, or put the tarball at {tgz}."
            )
        CACHE.mkdir(exist_ok=True)
        subprocess.run([npm, "pack", f"mathjax@{MATHJAX_VERSION}", "--silent"], cwd=CACHE,
                       check=True, stdout=subprocess.DEVNULL)
    digest = _sha256(tgz)
    if digest != MATHJAX_SHA256:
        raise SystemExit(f"{tgz}: SHA-256 {digest}, expected {MATHJAX_SHA256} (mathjax@{MATHJAX_VERSION})")
    return tgz


def vendor_mathjax(check: bool = False) -> bool:
    expected = {"mathjax": MATHJAX_VERSION, "sha256": MATHJAX_SHA256, "keep": list(MATHJAX_KEEP)}
    stamp = MATHJAX_DIR / ".stamp.json"
    if (MATHJAX_DIR / MATHJAX_ENTRY).is_file() and _stamp_ok(stamp, expected):
        return False
    if check:
        print(f"stale or missing: {MATHJAX_DIR.relative_to(ROOT)}")
        return True
    tgz = _mathjax_tarball()
    EXTRA.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=EXTRA) as tmp:
        out = Path(tmp) / "mathjax"
        with tarfile.open(tgz) as tar:
            for member in tar.getmembers():
                name = member.name
                if not name.startswith("package/es5/") or not member.isfile():
                    continue
                rel = name[len("package/es5/"):]
                if not rel.startswith(MATHJAX_KEEP):
                    continue
                target = out / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(target, "wb") as dst:
                    shutil.copyfileobj(src, dst)
        with tarfile.open(tgz) as tar:  # keep the licence beside the code
            lic = tar.extractfile("package/LICENSE")
            (out / "LICENSE").write_bytes(lic.read())
        (out / ".stamp.json").write_text(json.dumps(expected, sort_keys=True), encoding="utf-8")
        if MATHJAX_DIR.exists():
            shutil.rmtree(MATHJAX_DIR)
        out.replace(MATHJAX_DIR)
    n = sum(1 for p in MATHJAX_DIR.rglob("*") if p.is_file())
    print(f"wrote {MATHJAX_DIR.relative_to(ROOT)}/ (MathJax {MATHJAX_VERSION}, {n} files)")
    return True


# ------------------------------------------------------------------------ favicon

FAVICON = STATIC_VENDOR / "favicon.svg"
# Without an icon every page makes the browser ask for /favicon.ico, a 404 in the console.
FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect x="1" y="8" width="4" height="7" fill="#0072B2"/><rect x="6" y="4" width="4" height="11" fill="#D55E00"/>
<rect x="11" y="1" width="4" height="14" fill="#009E73"/></svg>
"""


def vendor_favicon(check: bool = False) -> bool:
    if FAVICON.is_file() and FAVICON.read_text(encoding="utf-8") == FAVICON_SVG:
        return False
    if check:
        print(f"stale or missing: {FAVICON.relative_to(ROOT)}")
        return True
    STATIC_VENDOR.mkdir(parents=True, exist_ok=True)
    FAVICON.write_text(FAVICON_SVG, encoding="utf-8")
    print(f"wrote {FAVICON.relative_to(ROOT)}")
    return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report; exit 1 if work is needed")
    args = ap.parse_args(argv)
    changed = [vendor_vega(args.check), vendor_mathjax(args.check), vendor_favicon(args.check)]
    if args.check:
        return 1 if any(changed) else 0
    if not any(changed):
        print("vendored assets are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
