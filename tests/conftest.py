"""Shared fixtures. The strict book build runs once per test session (fixture `built_site`)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
BUILD_CMD = [str(Path(sys.executable).parent / "jb"), "build", "--all", "-W", "-n", "--keep-going", str(ROOT)]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Run the strict build (`jb build --all -W -n --keep-going`) once; return _build/html.

    Set FISCALBOOK_REUSE_BUILD=1 to reuse an existing _build/html (for iterating on the
    site tests only); CI never sets it.
    """
    html = ROOT / "_build" / "html"
    if os.environ.get("FISCALBOOK_REUSE_BUILD") == "1" and (html / "index.html").is_file():
        return html
    subprocess.run([sys.executable, str(ROOT / "scripts" / "vendor_assets.py")], cwd=ROOT, check=True)
    start = time.perf_counter()
    proc = subprocess.run(BUILD_CMD, cwd=ROOT, capture_output=True, text=True)
    log = ROOT / "_build" / "build.log"
    log.parent.mkdir(exist_ok=True)
    log.write_text(proc.stdout + "\n--- stderr ---\n" + proc.stderr, encoding="utf-8")
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
        pytest.fail(f"strict book build failed (exit {proc.returncode}); full log in {log}\n{tail}")
    print(f"\nstrict build took {time.perf_counter() - start:.0f} s")
    return html
