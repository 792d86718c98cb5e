"""The study's fixed choices live in fiscalbook.study and nowhere else."""

from __future__ import annotations


def test_the_seed_is_assigned_once_in_the_package():
    """Every random draw is seeded from fiscalbook.study.SEED; no module declares its own."""
    import re

    from fiscalbook.paths import project_root

    package = project_root() / "src" / "fiscalbook"
    owners = [p.relative_to(package).as_posix() for p in package.rglob("*.py")
              if re.search(r"^SEED\s*=", p.read_text(encoding="utf-8"), flags=re.M)]
    assert owners == ["study.py"]
