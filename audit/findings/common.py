"""Small helpers shared by the finding modules: stable ids, evidence, display of matched bytes."""

from __future__ import annotations

import hashlib
from typing import Any

from audit.model import Evidence, Finding, Severity, Weight

STAGE = "findings"
MAX_MATCHED = 120


def finding_id(rule: str, path: str, key: str) -> str:
    """Stable id: the rule and a short hash of where and what (same input, same id)."""
    digest = hashlib.sha256(f"{rule}\0{path}\0{key}".encode()).hexdigest()[:12]
    return f"{rule}:{digest}"


def show(data: bytes | str) -> str:
    """Matched bytes for a report: printable ASCII as text, anything else as hex (bounded)."""
    if isinstance(data, str):
        return data[:MAX_MATCHED]
    if data and all(0x20 <= b < 0x7F for b in data):
        return data.decode("ascii")[:MAX_MATCHED]
    return "hex:" + data[: MAX_MATCHED // 2].hex()


def mask(secret: str) -> str:
    """A secret shown only by its first characters and length (never the whole value)."""
    keep = 2 if len(secret) < 12 else 4
    return f"{secret[:keep]}…({len(secret)} chars)"


def evidence(kind: str, rule: str, path: str, sha256: str | None, offset: int | None, matched: str,
             weight: Weight = "strong") -> Evidence:
    return Evidence(kind=kind, rule_id=rule, path=path, sha256=sha256 or "", offset=offset,
                    matched=matched[:MAX_MATCHED], weight=weight)


def make_finding(rule: str, category: str, severity: Severity, confidence: float, title: str, path: str,
                 evidences: list[Evidence], cwe: str | None, key: str = "") -> Finding:
    first = evidences[0] if evidences else None
    ident = finding_id(rule, path, key or (f"{first.offset}:{first.matched}" if first else title))
    return Finding(id=ident, rule=rule, category=category, severity=severity, confidence=round(confidence, 2),
                   title=title, path=path, evidence=tuple(evidences), cwe=cwe)


def severity_of(weight: Any) -> Severity:
    return {"strong": "high", "medium": "medium", "weak": "low"}.get(str(weight), "medium")  # type: ignore[return-value]
