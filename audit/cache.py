"""Result cache: an identical image audited by the same code, rules and settings reuses its whole report.

Content-addressed: the key is a digest of the image's sha256, fwaudit's own source (every `audit/*.py`), the
versions of the engines it drives (unblob, yara-x, pyelftools, ...), the rules digest, the settings that change
a report (`AuditConfig.public_dict()` without output-only fields), the custom policy files' bytes and the
vulnerability store's state. Only complete reports are stored (a partial one may
complete next time: a timeout is not a property of the image). SQLite in the user's cache directory
(`$XDG_CACHE_HOME/fwaudit/results.sqlite`, `--cache PATH`, `--no-cache`, `FWAUDIT_CACHE=off`), bounded by size
with least-recently-used eviction, safe under concurrent runs (WAL, a busy timeout, one short transaction per
access). A file that is not a readable cache is moved aside and rebuilt; a cache that cannot be used at all is
skipped with a warning, never a failed audit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
from contextlib import closing
from importlib import metadata
from pathlib import Path

from audit.model import AuditConfig
from audit.resources import rules_digest

ENV = "FWAUDIT_CACHE"  # a path, or `off`
DEFAULT_CAP = 512 * 1024 * 1024  # bytes of stored reports
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, report TEXT NOT NULL, size INTEGER NOT NULL,
                                    used REAL NOT NULL);
CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, value TEXT NOT NULL, size INTEGER NOT NULL,
                                  used REAL NOT NULL);
DROP INDEX IF EXISTS results_used;
DROP INDEX IF EXISTS files_used;
CREATE INDEX IF NOT EXISTS results_used_size ON results (used, size);
CREATE INDEX IF NOT EXISTS files_used_size ON files (used, size);
"""  # (used, size): the eviction order, and a covering index for SUM(size), which otherwise reads every value
TABLES = ("results", "files")  # whole reports; per-file results of the analysis stages (audit/file_cache.py)
BATCH = 500  # keys per SELECT
_VALUE = {"results": "report", "files": "value"}
OUTPUT_ONLY = ("formats", "jobs", "keep", "fail_on", "baseline")  # change what is written, not what is found
# Engines whose upgrade can change what is found (extraction, parsing, matching, the public-suffix list)
ENGINES = ("unblob", "yara-x", "yara-python", "pyelftools", "python-magic", "publicsuffixlist", "cryptography",
           "dissect.cstruct")


class CacheError(Exception):
    """The cache cannot be used (unwritable location); the audit goes on without it."""


def default_path() -> Path | None:
    """`$FWAUDIT_CACHE`, else `$XDG_CACHE_HOME/fwaudit/results.sqlite` (`~/.cache/...`); None when `off`."""
    value = os.environ.get(ENV, "")
    if value.lower() in ("off", "0", "no", "none"):
        return None
    if value:
        return Path(value)
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "fwaudit" / "results.sqlite"


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Digest of fwaudit's own source: a code change never reuses a result the old code produced."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def engine_versions() -> tuple[tuple[str, str | None], ...]:
    """Installed versions of the engines fwaudit drives (None: not installed)."""
    out = []
    for name in ENGINES:
        try:
            out.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            out.append((name, None))
    return tuple(out)


def _vulndb_state(config: AuditConfig) -> list[object]:
    from audit.vulndb import default_db_path

    path = config.vuln_db or default_db_path()
    try:
        stat = path.stat()
    except OSError:
        return [str(path), None]
    return [str(path), stat.st_size, stat.st_mtime_ns]


def result_key(config: AuditConfig, image_sha256: str) -> str:
    """The cache key of one audit (see the module docstring)."""
    settings = {k: v for k, v in config.public_dict().items() if k not in OUTPUT_ONLY}
    policies = [hashlib.sha256(p.read_bytes()).hexdigest() for p in config.policy_files]
    parts = {"schema": SCHEMA_VERSION, "image": image_sha256, "code": code_digest(), "engines": engine_versions(),
             "rules": rules_digest(),
             "settings": settings, "policies": policies, "vulndb": _vulndb_state(config)}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _prepared(conn: sqlite3.Connection) -> sqlite3.Connection:
    """WAL (readers and one writer at once, across processes) with `synchronous=NORMAL`: a commit is not
    fsynced, so a power cut may lose the last entries written but never leaves a corrupt file; the fsync of
    every write cost ~12 ms, ~0.4 s per audit of 1,000 files (docs/decisions.md)."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.executescript(SCHEMA)
    return conn


class ResultCache:
    """One SQLite file of rendered reports (`report.json` text without `run`), keyed by `result_key`."""

    def __init__(self, path: Path, cap: int = DEFAULT_CAP) -> None:
        self.path, self.cap = path, cap
        self.warnings: list[str] = []

    def _connect(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(f"cache {self.path}: {exc}") from exc
        try:
            return _prepared(conn)
        except sqlite3.DatabaseError:
            conn.close()
            return self._rebuild()

    def _rebuild(self) -> sqlite3.Connection:
        """Move a file that is not a readable cache aside (kept for inspection, once) and start afresh."""
        aside = self.path.with_name(self.path.name + ".corrupt")
        try:
            for suffix in ("-wal", "-shm"):
                Path(str(self.path) + suffix).unlink(missing_ok=True)
            self.path.replace(aside)
        except OSError as exc:
            raise CacheError(f"cache {self.path} is unreadable and cannot be replaced: {exc}") from exc
        self.warnings.append(f"cache {self.path} was not a readable cache: moved to {aside.name}, rebuilt")
        return _prepared(sqlite3.connect(self.path, timeout=30.0, isolation_level=None))

    def get(self, key: str) -> str | None:
        """The stored report text, or None (a miss, or an entry that fails its own check)."""
        return self.get_many([key], "results").get(key)

    def put(self, key: str, text: str) -> None:
        """Store one report and evict the least recently used until the total fits `cap`."""
        self.put_many({key: text}, "results")

    def get_many(self, keys: list[str], table: str = "files") -> dict[str, str]:
        """The stored values of those `keys` that are present (marked as used now)."""
        found: dict[str, str] = {}
        try:
            with closing(self._connect()) as conn:
                for i in range(0, len(keys), BATCH):
                    part = keys[i : i + BATCH]
                    marks = ",".join("?" * len(part))
                    found.update(conn.execute(f"SELECT key, {_VALUE[table]} FROM {table} "  # noqa: S608  # fixed names
                                              f"WHERE key IN ({marks})", part).fetchall())
                    conn.execute(f"UPDATE {table} SET used = ? WHERE key IN ({marks})",  # noqa: S608
                                 (time.time(), *part))
        except sqlite3.DatabaseError as exc:
            self.warnings.append(f"cache read failed ({exc}); analysed without it")
            return {}
        return {str(k): str(v) for k, v in found.items()}

    def put_many(self, items: dict[str, str], table: str = "files") -> None:
        """Store values in one transaction, then evict the least recently used (over both tables) to fit `cap`."""
        rows = [(k, v, len(v.encode()), time.time()) for k, v in items.items() if len(v.encode()) <= self.cap]
        if not rows:
            return
        try:
            with closing(self._connect()) as conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)", rows)  # noqa: S608
                self._evict(conn)
                conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            self.warnings.append(f"cache write failed ({exc}); results are not cached")

    def _evict(self, conn: sqlite3.Connection) -> None:
        """Delete the least recently used entries (of both tables; the ones just written last) to fit `cap`."""
        total = sum(conn.execute(f"SELECT COALESCE(SUM(size), 0) FROM {t}").fetchone()[0]  # noqa: S608
                    for t in TABLES)
        if total <= self.cap:
            return
        oldest = conn.execute("SELECT 'results', key, size, used FROM results UNION ALL "
                              "SELECT 'files', key, size, used FROM files ORDER BY used").fetchall()
        for table, old_key, old_size, _used in oldest:
            if total <= self.cap:
                break
            conn.execute(f"DELETE FROM {table} WHERE key = ?", (old_key,))  # noqa: S608  # from TABLES
            total -= old_size

    def stats(self) -> dict[str, int]:
        """Entries and bytes stored (whole reports and per-file results), and the cap."""
        with closing(self._connect()) as conn:
            count, total = conn.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM results").fetchone()
            files, file_bytes = conn.execute("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM files").fetchone()
        return {"entries": int(count), "bytes": int(total) + int(file_bytes), "file_entries": int(files),
                "cap": self.cap}
