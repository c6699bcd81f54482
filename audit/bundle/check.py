"""Verify a bundle: both signatures (manifest and attestation) by the given public key, every member's hash,
the statement against the manifest and the report, and that the report re-renders to the same bytes."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from audit.bundle import content as c
from audit.bundle.dsse import INTOTO_PAYLOAD, MANIFEST_PAYLOAD, PREDICATE_TYPE, STATEMENT_TYPE, open_envelope, statement
from audit.load import ReportLoadError, report_from_dict
from audit.report import json_report

MAX_MEMBER = 1024**3  # a member larger than this is refused, not read


class BundleError(ValueError):
    """The bundle does not verify; the message says why."""


def read_members(path: Path) -> dict[str, bytes]:
    """Regular-file members by name; BundleError for a non-tar, a duplicate, a link or an oversized member."""
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(path, mode="r:") as tar:
            for info in tar:
                if not info.isreg() or info.name in members or info.size > MAX_MEMBER:
                    raise BundleError(f"unexpected member {info.name!r} (not a file, duplicate or too large)")
                handle = tar.extractfile(info)
                members[info.name] = handle.read() if handle else b""
    except (OSError, tarfile.TarError) as exc:
        raise BundleError(f"{path}: not a readable bundle ({exc})") from exc
    for need in (c.MANIFEST, c.MANIFEST_SIG, c.ATTESTATION, c.REPORT):
        if need not in members:
            raise BundleError(f"missing member {need}")
    return members


def _json(data: bytes, what: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BundleError(f"{what} is not JSON ({exc})") from exc


def _signed(members: dict[str, bytes], public: Ed25519PublicKey) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        body = open_envelope(_json(members[c.MANIFEST_SIG], c.MANIFEST_SIG), MANIFEST_PAYLOAD, public)
    except ValueError as exc:
        raise BundleError(f"{c.MANIFEST_SIG}: {exc}") from exc
    if body != members[c.MANIFEST]:
        raise BundleError(f"{c.MANIFEST} differs from the signed manifest")
    try:
        payload = open_envelope(_json(members[c.ATTESTATION], c.ATTESTATION), INTOTO_PAYLOAD, public)
    except ValueError as exc:
        raise BundleError(f"{c.ATTESTATION}: {exc}") from exc
    return _json(body, c.MANIFEST), _json(payload, "the statement")


def _hashes(members: dict[str, bytes], manifest: dict[str, Any]) -> None:
    for name, digest in (manifest.get("members") or {}).items():
        if name not in members or c.sha256(members[name]) != digest:
            raise BundleError(f"{name}: sha256 differs from the manifest")
    listed = {e["sha256"] for e in manifest.get("evidence", []) if e.get("included")}
    present = {n.removeprefix(c.EVIDENCE_DIR) for n in members if n.startswith(c.EVIDENCE_DIR)}
    if listed != present:
        raise BundleError(f"evidence files differ from the manifest: {sorted(listed ^ present)[:3]}")
    for digest in present:
        if c.sha256(members[c.EVIDENCE_DIR + digest]) != digest:
            raise BundleError(f"{c.EVIDENCE_DIR}{digest}: content does not match its sha256")
    expected = {c.MANIFEST, c.MANIFEST_SIG, *(manifest.get("members") or {}), *(c.EVIDENCE_DIR + d for d in present)}
    if set(members) != expected:
        raise BundleError(f"unlisted members: {sorted(set(members) - expected)[:3]}")


def verify_bundle(path: Path, public: Ed25519PublicKey) -> dict[str, Any]:
    """The verified manifest; BundleError naming the first failure."""
    members = read_members(path)
    manifest, stmt = _signed(members, public)
    _hashes(members, manifest)
    try:
        report = report_from_dict(_json(members[c.REPORT], c.REPORT), c.REPORT)
    except (ReportLoadError, TypeError) as exc:
        raise BundleError(f"{c.REPORT}: not a loadable report ({exc})") from exc
    if json_report.render(report).encode("utf-8") != members[c.REPORT]:
        raise BundleError(f"{c.REPORT} does not re-render to the same bytes")
    if stmt.get("_type") != STATEMENT_TYPE or stmt.get("predicateType") != PREDICATE_TYPE:
        raise BundleError("the statement is not an fwaudit in-toto Statement v1")
    if stmt != statement(report.image, c.predicate(report)):
        raise BundleError("the signed statement does not match the report (subject, digests or evidence)")
    cited = [{"path": e["path"], "sha256": e["sha256"]} for e in manifest.get("evidence", [])]
    if cited != c.cited_files(report) or manifest.get("image", {}).get("sha256") != report.image.get("sha256"):
        raise BundleError("the manifest does not match the report (image or evidence list)")
    return manifest
