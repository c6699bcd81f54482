"""`fwaudit diff OLD.json NEW.json`: what changed between two firmware versions (or two runs).

Records are matched by the identities of `audit/fingerprints.py` (claims by layer/entity, findings by rule, id
and stable path, endpoints by value, components by name, files by stable path), so the image name and carve
offsets of the two versions do not matter.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from audit.fingerprints import claim_key, component_key, endpoint_key, finding_key, stable_path
from audit.model import Claim, FileRecord, Report
from audit.policy import endpoint_where
from audit.report import indented_json

SECTIONS = ("claims", "findings", "endpoints", "components", "files", "policies")
_UNKNOWN_CHUNK = re.compile(r"(^|/)(\d+-\d+\.)?unknown$")


def _index(items: Iterable[Any], key: Callable[[Any], str]) -> dict[str, Any]:
    return {key(item): item for item in items}


def _section(old: dict[str, Any], new: dict[str, Any], changed: Callable[[Any, Any], dict[str, Any] | None],
             show: Callable[[Any], dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for key in sorted(set(old) | set(new)):
        if key not in old:
            out["added"].append({"key": key, **show(new[key])})
        elif key not in new:
            out["removed"].append({"key": key, **show(old[key])})
        elif (change := changed(old[key], new[key])) is not None:
            out["changed"].append({"key": key, **change})
    return out


def _claims(report: Report) -> dict[str, tuple[Claim, str]]:
    both = [(c, "claim") for c in report.claims] + [(c, "hint") for c in report.hints]
    return {claim_key(c): (c, level) for c, level in both}


def _claim_show(item: tuple[Claim, str]) -> dict[str, Any]:
    claim, level = item
    return {"level": level, "detail": claim.detail, "confidence": claim.confidence}


def _claim_changed(a: tuple[Claim, str], b: tuple[Claim, str]) -> dict[str, Any] | None:
    fields = {"level": (a[1], b[1]), "detail": (a[0].detail, b[0].detail)}
    diffs = {k: {"from": x, "to": y} for k, (x, y) in fields.items() if x != y}
    return diffs or None


def _leaf_files(report: Report) -> dict[str, FileRecord]:
    """Regular files that are not containers of other files and not carved unknown data, by stable path."""
    name = report.image.get("name", "")
    containers = {f.parent for f in report.files} | {c.container for c in report.chunks if c.extract_dir}
    return {
        stable_path(f.path, name): f
        for f in report.files
        if f.kind == "file" and f.path not in containers and not _UNKNOWN_CHUNK.search(f.path)
    }


def _fs(f: FileRecord) -> dict[str, Any]:
    return {"fs_path": f.fs_path, "sha256": f.sha256}


def diff_reports(old: Report, new: Report) -> dict[str, Any]:
    """Added, removed and changed records per section (JSON-ready, deterministic)."""
    old_name, new_name = old.image.get("name", ""), new.image.get("name", "")
    result: dict[str, Any] = {
        "old": {"image": old_name, "sha256": old.image.get("sha256")},
        "new": {"image": new_name, "sha256": new.image.get("sha256")},
        "claims": _section(_claims(old), _claims(new), _claim_changed, _claim_show),
        "findings": _section(
            _index(old.findings, lambda f: finding_key(f, old_name)),
            _index(new.findings, lambda f: finding_key(f, new_name)),
            lambda a, b: {"severity": {"from": a.severity, "to": b.severity}} if a.severity != b.severity else None,
            lambda f: {"label": f"[{f.severity}] {f.title}", "rule": f.rule, "id": f.id, "path": f.path},
        ),
        "endpoints": _section(
            _index(old.endpoints, endpoint_key), _index(new.endpoints, endpoint_key),
            lambda a, b: {"owner": {"from": a.get("owner"), "to": b.get("owner")}}
            if a.get("owner") != b.get("owner") else None,
            lambda e: {"owner": e.get("owner"), "where": endpoint_where(e)},
        ),
        "components": _section(
            _index(old.components, component_key), _index(new.components, component_key),
            lambda a, b: {"version": {"from": a.get("version"), "to": b.get("version")}}
            if a.get("version") != b.get("version") else None,
            lambda c: {"version": c.get("version")},
        ),
        "files": _section(
            _leaf_files(old), _leaf_files(new),
            lambda a, b: {"fs_path": b.fs_path, "sha256": {"from": a.sha256, "to": b.sha256}}
            if a.sha256 != b.sha256 else None,
            _fs,
        ),
        "policies": _section(
            _index(old.policies, lambda p: p.policy), _index(new.policies, lambda p: p.policy),
            lambda a, b: {"verdict": {"from": a.verdict, "to": b.verdict}} if a.verdict != b.verdict else None,
            lambda p: {"verdict": p.verdict},
        ),
    }
    return result


def has_changes(diff: dict[str, Any]) -> bool:
    return any(diff[s][kind] for s in SECTIONS for kind in ("added", "removed", "changed"))


def render_json(diff: dict[str, Any]) -> str:
    return indented_json.dumps(diff) + "\n"


_HIDDEN = {"files": ("key", "sha256", "fs_path"), "findings": ("key", "label", "id", "path", "rule")}


def _describe(section: str, item: dict[str, Any]) -> str:
    hidden = _HIDDEN.get(section, ("key",))
    parts = [
        f"{k} {v['from']!s} -> {v['to']!s}" if isinstance(v, dict) and "from" in v else f"{k} {v}"
        for k, v in item.items()
        if k not in hidden and v not in (None, "")
    ]
    if section == "files" and item.get("fs_path"):
        label = f"{item['fs_path']}  [{item['key']}]"
    elif section == "findings" and item.get("label"):
        label = f"{item['label']}  [{item['rule']} in {item['key'].split('|')[1]}]"
    else:
        label = item["key"]
    return label + (f"  ({', '.join(parts)})" if parts else "")


def render_text(diff: dict[str, Any]) -> str:
    """A plain listing: one line per change, `+` added, `-` removed, `~` changed."""
    lines = [f"diff {diff['old']['image']} -> {diff['new']['image']}"]
    for section in SECTIONS:
        body = [
            f"  {mark} {_describe(section, item)}"
            for kind, mark in (("added", "+"), ("removed", "-"), ("changed", "~"))
            for item in diff[section][kind]
        ]
        if body:
            lines += [f"{section}:", *body]
    if not has_changes(diff):
        lines.append("no changes")
    return "\n".join(lines) + "\n"
