"""Canonical `report.json` writer: sorted keys, sorted lists, UTF-8, trailing newline."""

from __future__ import annotations

import json
from pathlib import Path

from audit.model import Report
from audit.report.output import write_atomic

NAME = "json"
FILENAME = "report.json"


def render(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write(report: Report, out_dir: Path) -> Path:
    return write_atomic(out_dir / FILENAME, render(report))
