"""Report writers: one small module per format, all listed in one registry.

The writers are imported when first used (`REPORTERS`, `write_reports`): the CycloneDX model alone takes a
third of a second to import, and most runs write JSON only.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from audit.model import Report

# format name -> writer module, in the order `all` writes them
WRITERS: dict[str, str] = {"json": "json_report", "sarif": "sarif", "html": "html", "markdown": "markdown",
                           "cdx": "cdx"}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def writer(name: str) -> ModuleType:
    """The writer module of one format (imported on first use)."""
    return importlib.import_module(f"audit.report.{WRITERS[name]}")


def __getattr__(name: str) -> Any:
    if name == "REPORTERS":  # every writer module, in registry order
        return tuple(writer(n) for n in FORMATS)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def parse_formats(spec: str) -> tuple[str, ...]:
    """'json,sarif' or 'all' -> validated tuple of format names (ValueError names the bad one)."""
    names = FORMATS if spec.strip() == "all" else tuple(s.strip() for s in spec.split(",") if s.strip())
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or spec!r}; choose from {', '.join(FORMATS)}, all")
    return names


def write_reports(report: Report, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    return [writer(name).write(report, out_dir) for name in formats]
