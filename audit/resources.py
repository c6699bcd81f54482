"""Where fwaudit's data lives (`rules/`), and a digest that names the exact rule set used."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

RULES_ENV = "FWAUDIT_RULES"
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml: the same documents, ~10x faster to parse


def load_yaml(text: str) -> Any:
    """Parse one YAML document safely (no object construction), with libyaml when PyYAML has it."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506  # a safe loader: CSafeLoader or SafeLoader


def rules_dir() -> Path:
    """`$FWAUDIT_RULES` if set, else the `rules/` folder beside the `audit` package."""
    override = os.environ.get(RULES_ENV)
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "rules"


def digest_files(root: Path, paths: Iterable[Path]) -> str:
    """sha256 over files (path relative to root, then content), in sorted order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def rules_digest(root: Path | None = None) -> str:
    """Digest of everything under `rules/` (YARA, knowledge base, data, policies): `report.tool.rules_digest`."""
    base = root or rules_dir()
    return digest_files(base, (p for p in base.rglob("*") if p.is_file()) if base.is_dir() else ())
