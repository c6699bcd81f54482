"""Where fwaudit's data lives (`rules/`), and a digest that names the exact rule set used."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

RULES_ENV = "FWAUDIT_RULES"


def rules_dir() -> Path:
    """`$FWAUDIT_RULES` if set, else the `rules/` folder beside the `audit` package."""
    override = os.environ.get(RULES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "rules"


def rules_digest(root: Path | None = None) -> str:
    """sha256 over every rule/data file (relative path + content), in sorted order."""
    base = root or rules_dir()
    digest = hashlib.sha256()
    if base.is_dir():
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digest.update(path.relative_to(base).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()
