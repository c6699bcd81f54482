"""Report writers: one small module per format, all listed in one registry."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from audit.model import Report
from audit.report import cdx, html, json_report, markdown, sarif

REPORTERS: tuple[ModuleType, ...] = (json_report, sarif, html, markdown, cdx)
FORMATS: tuple[str, ...] = tuple(m.NAME for m in REPORTERS)


def parse_formats(spec: str) -> tuple[str, ...]:
    """'json,sarif' or 'all' -> validated tuple of format names (ValueError names the bad one)."""
    names = FORMATS if spec.strip() == "all" else tuple(s.strip() for s in spec.split(",") if s.strip())
    unknown = [n for n in names if n not in FORMATS]
    if unknown or not names:
        raise ValueError(f"unknown format {', '.join(unknown) or spec!r}; choose from {', '.join(FORMATS)}, all")
    return names


def write_reports(report: Report, out_dir: Path, formats: tuple[str, ...]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    by_name = {m.NAME: m for m in REPORTERS}
    return [by_name[name].write(report, out_dir) for name in formats]
