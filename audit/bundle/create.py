"""Write a signed bundle from a report folder: one deterministic tar (fixed member order, mtime 0, uid/gid 0).

Members, in order: manifest.json, manifest.dsse.json, attestation.dsse.json, report.json, evidence/<sha256>...
The attestation signs the in-toto statement (deterministic: no time in it); the manifest signature covers the
exact bytes of every member, `run` block included.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.bundle import content as c
from audit.bundle.dsse import INTOTO_PAYLOAD, MANIFEST_PAYLOAD, canonical, sign, statement
from audit.load import load_report
from audit.model import Report

HASHES_ONLY = "hashes only"


def _find_file(workdir: Path, rel: str, digest: str) -> bytes | None:
    """The bytes of an extracted file in a kept work dir, if it is there, inside it and has the cited hash."""
    root = workdir.resolve()
    for base in (root / "extract", root):
        candidate = (base / rel).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file() or candidate.is_symlink():
            continue
        data = candidate.read_bytes()
        if c.sha256(data) == digest:
            return data
    return None


def _evidence(report: Report, no_files: bool) -> tuple[list[dict[str, Any]], dict[str, bytes], str]:
    workdir = report.run.get("workdir")
    if no_files:
        note = f"{HASHES_ONLY}: --no-files"
    elif not workdir or not Path(workdir).is_dir():
        note = f"{HASHES_ONLY}: the audit's work dir was not kept (run fwaudit scan with --keep or --workdir)"
    else:
        note = "files included where found in the work dir"
    entries, blobs = [], {}
    for cited in c.cited_files(report):
        data = None if note.startswith(HASHES_ONLY) else _find_file(Path(str(workdir)), cited["path"],
                                                                     cited["sha256"])
        if data is not None:
            blobs[cited["sha256"]] = data
        entries.append({**cited, "included": data is not None, "size": None if data is None else len(data)})
    return entries, blobs, note


def _members(report_bytes: bytes, report: Report, key: Ed25519PrivateKey, no_files: bool) -> list[tuple[str, bytes]]:
    entries, blobs, note = _evidence(report, no_files)
    attestation = canonical(sign(canonical(statement(report.image, c.predicate(report))), INTOTO_PAYLOAD, key))
    manifest = {
        "schema": c.BUNDLE_SCHEMA,
        "image": {k: report.image.get(k) for k in ("name", "sha256", "size")},
        "tool": {k: report.tool.get(k) for k in ("name", "version", "rules_digest")},
        "report": {"sha256": c.sha256(report_bytes), "digest_without_run": c.report_digest(report)},
        "members": {c.ATTESTATION: c.sha256(attestation), c.REPORT: c.sha256(report_bytes)},
        "evidence": entries,
        "evidence_files": note,
    }
    manifest_bytes = json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False).encode("utf-8") + b"\n"
    signed = canonical(sign(manifest_bytes, MANIFEST_PAYLOAD, key))
    return [(c.MANIFEST, manifest_bytes), (c.MANIFEST_SIG, signed), (c.ATTESTATION, attestation),
            (c.REPORT, report_bytes), *((f"{c.EVIDENCE_DIR}{d}", blobs[d]) for d in sorted(blobs))]


def _write_tar(target: Path, members: list[tuple[str, bytes]]) -> None:
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            for member, data in members:
                info = tarfile.TarInfo(member)
                info.size, info.mtime, info.mode, info.uid, info.gid = len(data), 0, 0o644, 0, 0
                tar.addfile(info, io.BytesIO(data))
        tmp.chmod(0o644)
        tmp.replace(target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def create_bundle(report_dir: Path, key: Ed25519PrivateKey, target: Path, no_files: bool = False) -> dict[str, Any]:
    """Write `target` from `report_dir/report.json`; return the manifest (ReportLoadError for a bad report)."""
    report_path = report_dir / c.REPORT if report_dir.is_dir() else report_dir
    report_bytes = report_path.read_bytes()
    report = load_report(report_path)
    members = _members(report_bytes, report, key, no_files)
    target.parent.mkdir(parents=True, exist_ok=True)
    _write_tar(target, members)
    return json.loads(members[0][1])
