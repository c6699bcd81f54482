"""Offline vulnerability matching: a local SQLite store of OSV records (and NVD CVEs converted to the same
shape, audit/vulndb_update.py), matched to components by purl, package name or CPE vendor:product and version
ranges. Scans never touch the network; with no data imported the status says `no-data` (which is not "no
vulnerabilities"). Every feed's date is kept, so reports can say how old the data is.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS vulns (id TEXT PRIMARY KEY, summary TEXT, severity TEXT, aliases TEXT, modified TEXT);
CREATE TABLE IF NOT EXISTS affected (vuln_id TEXT, ecosystem TEXT, name TEXT, purl TEXT, ranges TEXT, versions TEXT);
CREATE INDEX IF NOT EXISTS affected_name ON affected (name);
CREATE INDEX IF NOT EXISTS affected_purl ON affected (purl);
CREATE TABLE IF NOT EXISTS sources (path TEXT PRIMARY KEY, records INTEGER);
CREATE TABLE IF NOT EXISTS feeds (name TEXT PRIMARY KEY, kind TEXT, url TEXT, feed_date TEXT, fetched TEXT,
                                  records INTEGER);
CREATE TABLE IF NOT EXISTS feed_records (feed TEXT, vuln_id TEXT, PRIMARY KEY (feed, vuln_id));
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
    """OSV range evaluation over ECOSYSTEM/SEMVER events (introduced, fixed, last_affected), plus `after`: a
    start that is itself not affected (NVD's versionStartExcluding; not an OSV event)."""
    def event_key(ev: dict[str, str]) -> tuple[int, list[tuple[int, int | str]]]:
        value = next(iter(ev.values()))
        return (0, []) if value == "0" else (1, version_key(value))

    affected = False
    for ev in sorted(events, key=event_key):
        if "introduced" in ev:
            starts = ev["introduced"] == "0" or compare_versions(version, ev["introduced"]) >= 0
        else:
            starts = "after" in ev and compare_versions(version, ev["after"]) > 0
        if starts:
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
    if "cpe" not in {row[1] for row in conn.execute("PRAGMA table_info(affected)")}:
        conn.execute("ALTER TABLE affected ADD COLUMN cpe TEXT")  # stores made before NVD support
    conn.execute("CREATE INDEX IF NOT EXISTS affected_cpe ON affected (cpe)")
    conn.commit()
    return conn


def utc_now() -> str:
    """The current time, ISO 8601 UTC to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def record_feed(conn: sqlite3.Connection, name: str, kind: str, url: str, feed_date: str | None,
                records: int) -> None:
    """Remember where a feed came from, the date of its data and when it was fetched (replacing the last)."""
    conn.execute("INSERT OR REPLACE INTO feeds VALUES (?, ?, ?, ?, ?, ?)",
                 (name, kind, url, feed_date or utc_now(), utc_now(), records))


def read_records(path: Path) -> Iterator[tuple[str, Any]]:
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
    newest = ""
    with closing(connect(db_path, create=True)) as conn, conn:
        for _source, doc in read_records(path):
            for rec in doc if isinstance(doc, list) else [doc]:
                if isinstance(rec, dict) and rec.get("id"):
                    store_record(conn, rec)
                    newest = max(newest, str(rec.get("modified") or ""))
                    count += 1
        conn.execute("INSERT OR REPLACE INTO sources VALUES (?, ?)", (str(path), count))
        record_feed(conn, f"osv:{path}", "osv", str(path), newest or None, count)
    return count


def withdraw(conn: sqlite3.Connection, feed: str, keep: set[str], only_ecosystem: str | None = None) -> int:
    """Forget the records that `feed` listed last time and no longer lists (withdrawn or rejected upstream):
    their affected rows (only `only_ecosystem`'s, if given) unless another feed still lists them, and the record
    itself once nothing is left. Then remember `keep` as the feed's records. Returns how many were dropped."""
    old = {row[0] for row in conn.execute("SELECT vuln_id FROM feed_records WHERE feed = ?", (feed,))}
    dropped = 0
    for vid in sorted(old - keep):
        shared = conn.execute("SELECT 1 FROM feed_records WHERE vuln_id = ? AND feed != ?", (vid, feed)).fetchone()
        if only_ecosystem is not None:  # the feed owns these rows whoever else lists the record
            conn.execute("DELETE FROM affected WHERE vuln_id = ? AND ecosystem = ?", (vid, only_ecosystem))
        elif not shared:
            conn.execute("DELETE FROM affected WHERE vuln_id = ?", (vid,))
        if not shared:
            conn.execute("DELETE FROM vulns WHERE id = ? AND NOT EXISTS (SELECT 1 FROM affected WHERE vuln_id = ?)",
                         (vid, vid))
        dropped += 1
    conn.execute("DELETE FROM feed_records WHERE feed = ?", (feed,))
    conn.executemany("INSERT INTO feed_records VALUES (?, ?)", [(feed, vid) for vid in sorted(keep)])
    return dropped


def store_record(conn: sqlite3.Connection, rec: dict[str, Any], only_ecosystem: str | None = None) -> None:
    """Store one record in OSV shape, replacing its affected rows (only those of `only_ecosystem` if given, so
    an NVD CVE does not wipe the OSV record with the same id). `affected[].package.cpe` (`vendor:product`) is
    a fwaudit extension for converted NVD records."""
    vid = str(rec["id"])
    if only_ecosystem is None:
        conn.execute("DELETE FROM affected WHERE vuln_id = ?", (vid,))
    else:
        conn.execute("DELETE FROM affected WHERE vuln_id = ? AND ecosystem = ?", (vid, only_ecosystem))
    conn.execute("INSERT OR REPLACE INTO vulns VALUES (?, ?, ?, ?, ?)",
                 (vid, str(rec.get("summary") or rec.get("details", ""))[:500], _severity(rec),
                  json.dumps(sorted(rec.get("aliases", []))), str(rec.get("modified", ""))))
    for aff in rec.get("affected", []):
        pkg = aff.get("package", {})
        ranges = [r for r in aff.get("ranges", []) if r.get("type") in ("ECOSYSTEM", "SEMVER")]
        cpe = str(pkg["cpe"]).lower() if pkg.get("cpe") else None
        conn.execute("INSERT INTO affected (vuln_id, ecosystem, name, purl, ranges, versions, cpe) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
                     (vid, str(pkg.get("ecosystem", "")), str(pkg.get("name", "")).lower(),
                      _purl_base(pkg.get("purl")), json.dumps(ranges), json.dumps(aff.get("versions", [])), cpe))


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
        return {"db": str(db_path), "status": "no-data", "records": 0, "sources": [], "feeds": []}
    with closing(connect(db_path)) as conn:
        records = conn.execute("SELECT COUNT(*) FROM vulns").fetchone()[0]
        packages = conn.execute("SELECT COUNT(DISTINCT name) FROM affected").fetchone()[0]
        sources = [{"path": p, "records": n} for p, n in conn.execute("SELECT path, records FROM sources ORDER BY 1")]
        feeds = [{"name": n, "kind": k, "url": u, "feed_date": d, "fetched": f, "records": r}
                 for n, k, u, d, f, r in conn.execute("SELECT * FROM feeds ORDER BY 1")]
    out = {"db": str(db_path), "status": "ok" if records else "no-data", "records": records,
           "packages": packages, "sources": sources, "feeds": feeds}
    if feeds:
        out["data_date"] = min(f["feed_date"] for f in feeds)  # the data is as old as its oldest feed
        out["data_age_days"] = age_days(out["data_date"])
    return out


def age_days(date: str, now: datetime | None = None) -> int | None:
    """Whole days from an ISO date or date-time (UTC if no zone) to now; None if it cannot be read."""
    try:
        when = datetime.fromisoformat(date.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max(0, ((now or datetime.now(UTC)) - when).days)


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
    meta = {"status": "ok", "db": str(db_path), "records": status["records"], "components": len(components),
            "matches": len(matches)}
    if "data_date" in status:
        meta.update(data_date=status["data_date"], data_age_days=status["data_age_days"])
    return matches, meta


def _match_one(conn: sqlite3.Connection, comp: dict[str, Any]) -> Iterable[dict[str, Any]]:
    version = comp.get("version")
    if not version:
        return []
    base = _purl_base(comp.get("purl"))
    rows = conn.execute(
        "SELECT a.vuln_id, a.ecosystem, a.ranges, a.versions, v.summary, v.severity, v.aliases FROM affected a "
        "JOIN vulns v ON v.id = a.vuln_id WHERE a.purl = ? OR a.name = ? OR a.cpe = ?",
        (base, str(comp["name"]).lower(), cpe_key(comp.get("cpe"))))
    out: dict[str, dict[str, Any]] = {}
    for vid, ecosystem, ranges, versions, summary, severity, aliases in rows:
        if ecosystem.lower().split(":")[0] in LANGUAGE_ECOSYSTEMS:
            continue
        listed = any(compare_versions(version, v) == 0 for v in json.loads(versions))
        hit = [r.get("events", []) for r in json.loads(ranges) if in_range(version, r.get("events", []))]
        if not (listed or hit):
            continue
        fixed = {f for events in hit if (f := _next_fixed(version, events))}
        if vid in out:
            fixed |= set(out[vid]["fixed"])
        out[vid] = {"id": vid, "aliases": json.loads(aliases), "severity": severity, "summary": summary,
                    "component": comp["name"], "version": version, "purl": comp.get("purl"),
                    "fixed": sorted(fixed, key=version_key),
                    "occurrences": [o["path"] for o in comp.get("occurrences", [])][:20]}
    return out.values()


def _next_fixed(version: str, events: list[dict[str, str]]) -> str | None:
    """The first fixed version above `version` in a range's events."""
    later = [ev["fixed"] for ev in events if "fixed" in ev and compare_versions(ev["fixed"], version) > 0]
    return min(later, key=version_key) if later else None


def cpe_key(cpe: str | None) -> str | None:
    """`vendor:product` of a CPE 2.3 name or match string, lowercase."""
    parts = str(cpe or "").split(":")
    return f"{parts[3]}:{parts[4]}".lower() if len(parts) > 4 and parts[:2] == ["cpe", "2.3"] else None
