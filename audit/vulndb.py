"""Offline vulnerability matching: a local SQLite store of OSV records, matched to components by purl or
package name and version ranges. Scans never touch the network; with no data imported the status says
`no-data` (which is not "no vulnerabilities").
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS vulns (id TEXT PRIMARY KEY, summary TEXT, severity TEXT, aliases TEXT, modified TEXT);
CREATE TABLE IF NOT EXISTS affected (vuln_id TEXT, ecosystem TEXT, name TEXT, purl TEXT, ranges TEXT, versions TEXT);
CREATE INDEX IF NOT EXISTS affected_name ON affected (name);
CREATE INDEX IF NOT EXISTS affected_purl ON affected (purl);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, records INTEGER);
"""
LANGUAGE_ECOSYSTEMS = frozenset({"pypi", "npm", "go", "crates.io", "maven", "nuget", "rubygems", "packagist",
                                 "pub", "hex", "hackage", "swifturl", "cran", "bitnami"})
PRE_RELEASE = frozenset({"alpha", "beta", "rc", "pre", "preview", "dev"})  # not a/b: `1.1.1a` is a release
_TOKEN = re.compile(r"\d+|[A-Za-z]+")


class VulnDbError(Exception):
    """The database or an import source cannot be used."""


def default_db_path() -> Path:
    """`$XDG_DATA_HOME/fwaudit/fwaudit.db`, by default `~/.local/share/fwaudit/fwaudit.db`."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "fwaudit" / "fwaudit.db"


# --- versions -------------------------------------------------------------------------------------------------


def version_key(version: str) -> list[tuple[int, int | str]]:
    """Tolerant sort key: numeric parts as numbers, letter suffixes (`1.1.1k`) after the plain release,
    pre-release tags (`rc1`, `beta`) before it. A leading `v` is ignored."""
    text = version.strip()
    text = text[1:] if text[:1] in "vV" and text[1:2].isdigit() else text
    key: list[tuple[int, int | str]] = []
    for tok in _TOKEN.findall(text):
        if tok.isdigit():
            key.append((2, int(tok)))
        elif tok.lower() in PRE_RELEASE:
            key.append((0, tok.lower()))
        else:
            key.append((1, tok.lower()))
    return key


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1. When one version ends first it is the smaller one, unless the other goes on with a
    pre-release tag (`2.0` > `2.0rc1`)."""
    ka, kb = version_key(a), version_key(b)
    for i in range(max(len(ka), len(kb))):
        ta = ka[i] if i < len(ka) else None
        tb = kb[i] if i < len(kb) else None
        if ta == tb:
            continue
        if ta is None:
            return 1 if tb is not None and tb[0] == 0 else -1
        if tb is None:
            return -1 if ta[0] == 0 else 1
        return -1 if _lt(ta, tb) else 1
    return 0


def _lt(a: tuple[int, Any], b: tuple[int, Any]) -> bool:
    if a[0] != b[0]:
        return a[0] < b[0]
    return bool(a[1] < b[1])


def in_range(version: str, events: list[dict[str, str]]) -> bool:
    """OSV range evaluation over ECOSYSTEM/SEMVER events (introduced, fixed, last_affected)."""
    def event_key(ev: dict[str, str]) -> tuple[int, list[tuple[int, int | str]]]:
        value = next(iter(ev.values()))
        return (0, []) if value == "0" else (1, version_key(value))

    affected = False
    for ev in sorted(events, key=event_key):
        if "introduced" in ev and (ev["introduced"] == "0" or compare_versions(version, ev["introduced"]) >= 0):
            affected = True
        else:
            fixed = "fixed" in ev and compare_versions(version, ev["fixed"]) >= 0
            past_last = "last_affected" in ev and compare_versions(version, ev["last_affected"]) > 0
            affected = affected and not (fixed or past_last)
    return affected


# --- store ----------------------------------------------------------------------------------------------------


def connect(db_path: Path, create: bool = False) -> sqlite3.Connection:
    if not create and not db_path.exists():
        raise VulnDbError(f"{db_path}: no vulnerability database (import one with `fwaudit db import-osv`)")
    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(db_path)
    conn.executescript(SCHEMA)
    return conn


def _records(path: Path) -> Iterator[tuple[str, Any]]:
    """(source name, parsed JSON) of every OSV JSON file in a file, a directory or a zip."""
    if path.is_dir():
        for item in sorted(path.rglob("*.json")):
            yield str(item), json.loads(item.read_text(encoding="utf-8"))
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in sorted(n for n in zf.namelist() if n.endswith(".json")):
                yield f"{path}!{name}", json.loads(zf.read(name).decode("utf-8"))
    elif path.is_file():
        yield str(path), json.loads(path.read_text(encoding="utf-8"))
    else:
        raise VulnDbError(f"{path}: not a file, directory or zip")


def import_osv(path: Path, db_path: Path | None = None) -> int:
    """Import OSV records (replacing records with the same id); returns how many were imported."""
    db_path = db_path or default_db_path()
    count = 0
    with closing(connect(db_path, create=True)) as conn, conn:
        for _source, doc in _records(path):
            for rec in doc if isinstance(doc, list) else [doc]:
                if isinstance(rec, dict) and rec.get("id"):
                    _store(conn, rec)
                    count += 1
        conn.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (str(path), count))
    return count


def _store(conn: sqlite3.Connection, rec: dict[str, Any]) -> None:
    vid = str(rec["id"])
    conn.execute("DELETE FROM affected WHERE vuln_id = ?", (vid,))
    conn.execute("INSERT OR REPLACE INTO vulns VALUES (?, ?, ?, ?, ?)",
                 (vid, str(rec.get("summary") or rec.get("details", ""))[:500], _severity(rec),
                  json.dumps(sorted(rec.get("aliases", []))), str(rec.get("modified", ""))))
    for aff in rec.get("affected", []):
        pkg = aff.get("package", {})
        ranges = [r for r in aff.get("ranges", []) if r.get("type") in ("ECOSYSTEM", "SEMVER")]
        conn.execute("INSERT INTO affected VALUES (?, ?, ?, ?, ?, ?)",
                     (vid, str(pkg.get("ecosystem", "")), str(pkg.get("name", "")).lower(),
                      _purl_base(pkg.get("purl")), json.dumps(ranges), json.dumps(aff.get("versions", []))))


def _severity(rec: dict[str, Any]) -> str | None:
    specific = (rec.get("database_specific") or {}).get("severity")
    if specific:
        return str(specific).lower()
    scores = [f"{s.get('type')}:{s.get('score')}" for s in rec.get("severity", []) if s.get("score")]
    return scores[0] if scores else None


def _purl_base(purl: str | None) -> str | None:
    """`pkg:type/namespace/name` (no version, qualifiers or subpath), lowercase."""
    if not purl:
        return None
    return re.split(r"[@?#]", str(purl), maxsplit=1)[0].lower()


def info(db_path: Path | None = None) -> dict[str, Any]:
    """Where the database is and what it holds."""
    db_path = db_path or default_db_path()
    if not db_path.exists():
        return {"db": str(db_path), "status": "no-data", "records": 0, "sources": []}
    with closing(connect(db_path)) as conn:
        records = conn.execute("SELECT COUNT(*) FROM vulns").fetchone()[0]
        packages = conn.execute("SELECT COUNT(DISTINCT name) FROM affected").fetchone()[0]
        sources = [{"path": p, "records": n} for p, n in conn.execute("SELECT path, records FROM sources ORDER BY 1")]
    return {"db": str(db_path), "status": "ok" if records else "no-data", "records": records,
            "packages": packages, "sources": sources}


# --- matching -------------------------------------------------------------------------------------------------


def match_components(components: list[dict[str, Any]], db_path: Path | None) -> tuple[list[dict[str, Any]], dict]:
    """(matches, status) for the report: each match names the vulnerability and the component occurrence."""
    db_path = db_path or default_db_path()
    status = info(db_path)
    if status["status"] != "ok":
        return [], {"status": "no-data", "db": str(db_path)}
    matches: list[dict[str, Any]] = []
    with closing(connect(db_path)) as conn:
        for comp in components:
            matches.extend(_match_one(conn, comp))
    matches.sort(key=lambda m: (m["component"], m["version"] or "", m["id"]))
    return matches, {"status": "ok", "db": str(db_path), "records": status["records"],
                     "components": len(components), "matches": len(matches)}


def _match_one(conn: sqlite3.Connection, comp: dict[str, Any]) -> Iterable[dict[str, Any]]:
    version = comp.get("version")
    if not version:
        return []
    base = _purl_base(comp.get("purl"))
    rows = conn.execute(
        "SELECT a.vuln_id, a.ecosystem, a.ranges, a.versions, v.summary, v.severity, v.aliases FROM affected a "
        "JOIN vulns v ON v.id = a.vuln_id WHERE a.purl = ? OR a.name = ?", (base, str(comp["name"]).lower()))
    out: dict[str, dict[str, Any]] = {}
    for vid, ecosystem, ranges, versions, summary, severity, aliases in rows:
        if ecosystem.lower().split(":")[0] in LANGUAGE_ECOSYSTEMS:
            continue
        listed = any(compare_versions(version, v) == 0 for v in json.loads(versions))
        if listed or any(in_range(version, r.get("events", [])) for r in json.loads(ranges)):
            out[vid] = {"id": vid, "aliases": json.loads(aliases), "severity": severity, "summary": summary,
                        "component": comp["name"], "version": version, "purl": comp.get("purl"),
                        "occurrences": [o["path"] for o in comp.get("occurrences", [])][:20]}
    return out.values()
