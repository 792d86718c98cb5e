"""Vendor the browser libraries the book needs (Vega bundle, MathJax, favicon), offline.

    python scripts/vendor_assets.py          # idempotent; fast when already done
    python scripts/vendor_assets.py --check  # exit 1 if anything is missing or stale

`jb build .` does the same by itself (the book's Sphinx extension, fiscalbook.site, calls
fiscalbook.site.assets.ensure when it reads the configuration); this script is for
doing it ahead of a build. Everything comes from installed, pinned Python packages:
no npm, no system package manager, no network.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv=None) -> int:
    from fiscalbook.site.assets import AssetError, ensure

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only report; exit 1 if work is needed")
    args = ap.parse_args(argv)
    try:
        changed = ensure(ROOT, check=args.check)
    except AssetError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.check:
        for name in changed:
            print(f"stale or missing: {name}")
        return 1 if changed else 0
    if not changed:
        print("vendored assets are up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
