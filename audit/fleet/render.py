"""Rendering fleet answers: rich tables, JSON and CSV. Every value came out of firmware, so it is hostile:
control characters are shown escaped, rich markup is escaped, and a CSV cell that a spreadsheet would run as a
formula (`=`, `+`, `-`, `@`, tab, CR first) is prefixed with `'`."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audit.fleet.dashboard import LAYERS, Summary
from audit.fleet.query import Row
from audit.report import indented_json

CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIN_WIDTH = {"image": 14, "sha256": 16, "status": 8, "matched": 16, "tags": 8, "shared": 6, "jaccard": 7}
COLUMNS = ("image", "sha256", "status", "matched", "tags", "source")


def safe(value: Any) -> str:
    """A value ready for a rich table cell: control characters as `\\xNN`, markup escaped."""
    text = "" if value is None else str(value)
    return escape(CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", text))


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _flat(row: Row) -> dict[str, Any]:
    out = {"image": row.image, "sha256": row.sha256, "status": row.status, "matched": "; ".join(row.matched),
           "tags": ", ".join(f"{k}={v}" for k, v in sorted(row.tags.items())), "source": row.source or ""}
    if row.shared is not None:
        out |= {"shared_files": row.shared, "jaccard": row.jaccard}
    return out


def rows_json(rows: Sequence[Row]) -> str:
    return indented_json.dumps([r.as_dict() for r in rows]) + "\n"


def rows_csv(rows: Sequence[Row]) -> str:
    similar = any(r.shared is not None for r in rows)
    header = [*COLUMNS, *(("shared_files", "jaccard") if similar else ())]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        flat = _flat(row)
        writer.writerow([csv_cell(flat.get(col)) for col in header])
    return buffer.getvalue()


def print_rows(console: Console, rows: Sequence[Row]) -> None:
    similar = any(r.shared is not None for r in rows)
    table = Table(title=f"{len(rows)} image{'s' if len(rows) != 1 else ''}", title_justify="left")
    for col in ("image", "sha256", "status", "matched", "tags", *(("shared", "jaccard") if similar else ())):
        table.add_column(col, overflow="fold", min_width=MIN_WIDTH.get(col))
    for row in rows:
        flat = _flat(row)
        cells = [safe(flat[c]) for c in ("image", "sha256", "status", "matched", "tags")]
        if similar:
            cells += [safe(row.shared), f"{row.jaccard:.3f}" if row.jaccard is not None else ""]
        table.add_row(*cells)
    console.print(table)


def _table(title: str, headers: Iterable[str], rows: Iterable[Iterable[Any]]) -> Table:
    table = Table(title=safe(title), title_justify="left")
    for header in headers:
        table.add_column(header, overflow="fold")
    for row in rows:
        table.add_row(*(safe(v) for v in row))
    return table


def print_summary(console: Console, summary: Summary, title: str = "fleet") -> None:
    """The dashboard: images by status, vendors per layer, policy verdicts, worst findings, failures."""
    status = ", ".join(f"{n} {k}" for k, n in sorted(summary.status.items())) or "none"
    console.print(f"[bold]{safe(title)}[/]: {summary.images} images with a stored report ({safe(status)}), "
                  f"{len(summary.failures)} failed")
    for layer in LAYERS:
        rows = summary.layers.get(layer) or []
        if rows:
            console.print(_table(f"devices per {layer} vendor", ("entity", "images", "hint only"),
                                 ((e, n, h) for e, n, h in rows)))
    if summary.policies:
        verdicts = ("fail", "review", "inconclusive", "pass")
        console.print(_table("policy verdicts", ("policy", *verdicts),
                             ((p, *(v.get(k, 0) for k in verdicts)) for p, v in sorted(summary.policies.items()))))
    if summary.findings:
        console.print(_table("worst findings", ("severity", "rule", "images", "example"),
                             ((f["severity"], f["rule"], f["images"], f["example"]) for f in summary.findings)))
    if summary.failures:
        console.print(_table("failed", ("image", "source", "error"),
                             ((f["image"], f["source"], f["error"]) for f in summary.failures)))
