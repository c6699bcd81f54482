"""What a bundle holds, computed the same way when writing and when verifying: the report digest (without
its `run` block), the cited evidence files, the in-toto predicate and the member names."""

from __future__ import annotations

import hashlib
from typing import Any

from audit.bundle.dsse import canonical
from audit.model import Report

BUNDLE_SCHEMA = "fwaudit/bundle/v1"
MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.dsse.json"
ATTESTATION = "attestation.dsse.json"
REPORT = "report.json"
EVIDENCE_DIR = "evidence/"  # evidence/<sha256>: content-addressed, so no firmware path becomes a member name


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def report_digest(report: Report) -> str:
    """sha256 of the canonical report without `run` (time, duration, work dir): the same audit of the same image
    with the same rules always gives the same digest."""
    data = report.to_dict()
    data.pop("run", None)
    return sha256(canonical(data))


def cited_files(report: Report) -> list[dict[str, str]]:
    """(path, sha256) of every file a claim or hint cites as evidence, sorted, each once."""
    seen = {(ev.path, ev.sha256) for c in (*report.claims, *report.hints) for ev in c.evidence if ev.sha256}
    return [{"path": p, "sha256": s} for p, s in sorted(seen)]


def predicate(report: Report) -> dict[str, Any]:
    """The in-toto predicate: tool, rules digest, report digest, evidence digests, verification summary."""
    block = report.verification or None
    return {
        "tool": {"name": report.tool.get("name"), "version": report.tool.get("version")},
        "rules_digest": report.tool.get("rules_digest"),
        "report": {"schema": report.to_dict()["schema"], "status": report.status,
                   "digest": {"sha256": report_digest(report)}, "excludes": ["run"]},
        "evidence": cited_files(report),
        "verification": None if block is None else {
            "declared": block.get("declared"), "summary": block.get("summary")},
    }
