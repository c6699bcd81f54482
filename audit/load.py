"""Read a saved `report.json` back into a `Report` (for `fwaudit report`, `fwaudit diff` and `--baseline`)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

from audit.model import (
    REPORT_SCHEMA,
    AuditError,
    Chunk,
    Claim,
    Evidence,
    Fact,
    FileRecord,
    Finding,
    PolicyResult,
    Report,
)

T = TypeVar("T")


class ReportLoadError(Exception):
    """The file is not a readable fwaudit report of a supported schema."""


def _build(cls: type[T], raw: Any, where: str) -> T:
    """One dataclass from its dict: unknown keys ignored (newer writers), missing required keys an error."""
    if not isinstance(raw, dict):
        raise ReportLoadError(f"{where}: expected an object, got {type(raw).__name__}")
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ReportLoadError(f"{where}: missing field {f.name!r}")
            continue
        value = raw[f.name]
        if f.name == "evidence":
            value = tuple(_build(Evidence, e, f"{where}.evidence[{i}]") for i, e in enumerate(value or []))
        elif f.name in ("chain", "notes", "reasons"):
            value = tuple(value or ())
        kwargs[f.name] = value
    return cls(**kwargs)


def _many(cls: type[T], items: Any, where: str) -> list[T]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ReportLoadError(f"{where}: expected a list")
    return [_build(cls, item, f"{where}[{i}]") for i, item in enumerate(items)]


def report_from_dict(data: Any, source: str = "report") -> Report:
    """Rebuild the dataclasses of a `Report.to_dict()`; `ReportLoadError` names the first problem."""
    if not isinstance(data, dict):
        raise ReportLoadError(f"{source}: not a JSON object")
    if data.get("schema") != REPORT_SCHEMA:
        raise ReportLoadError(f"{source}: schema is {data.get('schema')!r}, expected {REPORT_SCHEMA!r}")
    for key in ("tool", "image"):
        if not isinstance(data.get(key), dict):
            raise ReportLoadError(f"{source}: missing object {key!r}")
    provenance = data.get("provenance") or {}
    status = data.get("status", "complete")
    if status not in ("complete", "partial"):
        raise ReportLoadError(f"{source}: unknown status {status!r}")
    return Report(
        tool=data["tool"],
        run=data.get("run") or {},
        image=data["image"],
        status=status,
        errors=_many(AuditError, data.get("errors"), "errors"),
        chunks=_many(Chunk, data.get("chunks"), "chunks"),
        files=_many(FileRecord, data.get("files"), "files"),
        facts=_many(Fact, data.get("facts"), "facts"),
        claims=_many(Claim, provenance.get("claims"), "provenance.claims"),
        hints=_many(Claim, provenance.get("hints"), "provenance.hints"),
        findings=_many(Finding, data.get("findings"), "findings"),
        endpoints=list(data.get("endpoints") or []),
        components=list(data.get("components") or []),
        policies=_many(PolicyResult, data.get("policies"), "policies"),
        vulnerabilities=dict(data.get("vulnerabilities") or {"status": "no-data", "matches": []}),
        verification=dict(data["verification"]) if isinstance(data.get("verification"), dict) else None,
    )


def load_report(path: Path) -> Report:
    """`Report` from a saved report.json; `ReportLoadError` with a message a person can act on."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ReportLoadError(f"{path}: no such file") from exc
    except OSError as exc:
        raise ReportLoadError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ReportLoadError(f"{path}: not UTF-8 text; give a report.json written by fwaudit") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportLoadError(f"{path}: not JSON ({exc.msg} at line {exc.lineno}); give a report.json") from exc
    try:
        return report_from_dict(data, str(path))
    except TypeError as exc:  # a field of the wrong shape deep inside
        raise ReportLoadError(f"{path}: malformed report: {exc}") from exc
