"""The fleet store: every audited image, its runs and its report, in SQLite or PostgreSQL (SQLAlchemy Core).

`open_store(target)` takes a file name (`fleet.sqlite`) or a URL (`sqlite:///...`, `postgresql+psycopg://...`)
and brings the schema up to date with the Alembic migrations in `migrations/`. Only the batch client (or
`fwaudit db import`) writes; workers never touch the store. Layout: docs/fleet.md.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event, func, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from audit.fleet import records
from audit.fleet import schema as s
from audit.load import ReportLoadError, load_report

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(Exception):
    """The store cannot be opened or written; `usage` marks a bad target (exit 2) rather than a failure (3)."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def store_url(target: str) -> str:
    """A SQLAlchemy URL for `--db`: a plain path is a SQLite file; `postgresql://` means psycopg 3."""
    if "://" not in target:
        return f"sqlite:///{Path(target).expanduser().resolve()}"
    for bare in ("postgresql://", "postgres://"):
        if target.startswith(bare):
            return "postgresql+psycopg://" + target[len(bare):]
    return target


def _engine(target: str) -> Engine:
    url = store_url(target)
    try:
        parsed = make_url(url)
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise StoreError(f"--db {target}: only SQLite files and PostgreSQL URLs are supported", usage=True)
        engine = create_engine(url, future=True)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"--db {target}: not a database URL or file name ({exc})", usage=True) from exc
    except ImportError as exc:  # e.g. NoSuchModuleError for a driver that is not installed
        raise StoreError(f"--db {target}: database driver not available ({exc})", usage=True) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def _migrate(engine: Engine) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class Store:
    """Read and write access to one fleet store (open it with `open_store`)."""

    def __init__(self, engine: Engine, target: str) -> None:
        self.engine = engine
        self.target = target

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A connection for queries; database errors become StoreError."""
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.target}: query failed: {_short(exc)}") from exc

    def stored_images(self, tool_version: str, rules_digest: str) -> set[str]:
        """Image sha256s with a stored (complete or partial) run by this tool version and rules digest."""
        query = (select(s.images.c.sha256).join(s.runs, s.runs.c.image_id == s.images.c.id)
                 .where(s.runs.c.tool_version == tool_version, s.runs.c.rules_digest == rules_digest,
                        s.runs.c.status != "failed"))
        with self.read() as conn:
            return set(conn.execute(query).scalars())

    def add_report(self, report: Mapping[str, Any], source: str | None = None,
                   tags: Mapping[str, str] | None = None) -> int:
        """Store one report (as `Report.to_dict()` gives it) as the image's current run; the run id."""
        image, tool = report.get("image") or {}, report.get("tool") or {}
        if not isinstance(image.get("sha256"), str):
            raise StoreError(f"{source or 'report'}: the report names no image sha256")
        run_info = report.get("run") or {}
        try:
            with self.engine.begin() as conn:
                image_id = _upsert_image(conn, image)
                conn.execute(update(s.runs).where(s.runs.c.image_id == image_id).values(current=False))
                run_id = conn.execute(s.runs.insert().returning(s.runs.c.id), {
                    "image_id": image_id, "image_name": records.enc(str(image.get("name", ""))),
                    "source": records.enc(source), "tool_name": tool.get("name"),
                    "tool_version": str(tool.get("version", "")), "rules_digest": str(tool.get("rules_digest", "")),
                    "status": str(report.get("status", "complete")), "current": True,
                    "started": run_info.get("started"), "duration_s": run_info.get("duration_s"),
                    "stored_at": _now(), "report": records.dumps(report)}).scalar_one()
                records.write_sections(conn, run_id, report)
                _set_tags(conn, image_id, tags or {})
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.target}: cannot store the report of {image.get('name')}: {_short(exc)}") from exc
        return run_id

    def add_failure(self, name: str, sha256: str | None, source: str | None, error: str, tool_version: str,
                    rules_digest: str, tags: Mapping[str, str] | None = None) -> int:
        """Record an image whose audit failed (it is retried by the next batch); the run id."""
        try:
            with self.engine.begin() as conn:
                image_id = _upsert_image(conn, {"sha256": sha256, "name": name}) if sha256 else None
                if image_id is not None:
                    _set_tags(conn, image_id, tags or {})
                return conn.execute(s.runs.insert().returning(s.runs.c.id), {
                    "image_id": image_id, "image_name": records.enc(name), "source": records.enc(source),
                    "tool_name": "fwaudit", "tool_version": tool_version, "rules_digest": rules_digest,
                    "status": "failed", "current": False, "stored_at": _now(),
                    "error": records.enc(error)}).scalar_one()
        except SQLAlchemyError as exc:
            raise StoreError(f"{self.target}: cannot record the failure of {name}: {_short(exc)}") from exc

    def set_tags(self, sha256: str, tags: Mapping[str, str]) -> None:
        """Add or replace user tags on a stored image."""
        with self.engine.begin() as conn:
            image_id = conn.execute(select(s.images.c.id).where(s.images.c.sha256 == sha256)).scalar()
            if image_id is not None:
                _set_tags(conn, image_id, tags)

    def current_run(self, image_sha256: str) -> int | None:
        query = (select(s.runs.c.id).join(s.images, s.images.c.id == s.runs.c.image_id)
                 .where(s.images.c.sha256 == image_sha256, s.runs.c.current.is_(True)))
        with self.read() as conn:
            return conn.execute(query).scalar()

    def report(self, run_id: int) -> dict[str, Any]:
        """The stored report.json of a run, as stored."""
        with self.read() as conn:
            text = conn.execute(select(s.runs.c.report).where(s.runs.c.id == run_id)).scalar()
        if text is None:
            raise StoreError(f"{self.target}: run {run_id} holds no report")
        return json.loads(text)

    def rebuild_report(self, run_id: int) -> dict[str, Any]:
        """The run's report with image, status, files, provenance, findings, endpoints, components and
        policies rebuilt from the normalised rows (the rest from the stored document)."""
        with self.read() as conn:
            run = conn.execute(select(s.runs).where(s.runs.c.id == run_id)).one()._mapping
            image = conn.execute(select(s.images).where(s.images.c.id == run["image_id"])).one()._mapping
            sections = records.read_sections(conn, run_id)
        doc = json.loads(run["report"])
        rebuilt_image = {"name": records.dec(run["image_name"]), "sha256": image["sha256"], "size": image["size"],
                         "format": records.dec(image["format"])}
        extra_image = {k: v for k, v in doc["image"].items() if k not in rebuilt_image}
        return {**doc, **sections, "status": run["status"], "image": {**rebuilt_image, **extra_image}}

    def counts(self) -> dict[str, int]:
        """Rows per table (for `fwaudit db import` and tests)."""
        tables = (s.images, s.runs, s.files, s.image_files, s.claims, s.findings, s.endpoints, s.components)
        with self.read() as conn:
            return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables}


def open_store(target: str) -> Store:
    """Open (and create or migrate) the store at `target`; StoreError with a message a person can act on."""
    engine = _engine(target)
    try:
        _migrate(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"--db {target}: cannot open the store: {_short(exc)}") from exc
    return Store(engine, target)


def import_report(store: Store, path: Path, tags: Mapping[str, str] | None = None) -> int:
    """Store a saved report.json (read by the report loader, so a bad file gets its message); the run id."""
    try:
        report = load_report(path)
    except ReportLoadError as exc:
        raise StoreError(str(exc)) from exc
    return store.add_report(report.to_dict(), source=str(path), tags=tags)


def _upsert_image(conn: Connection, image: Mapping[str, Any]) -> int:
    values = {"name": records.enc(str(image.get("name", ""))), "size": image.get("size"),
              "format": records.enc(image.get("format"))}
    found = conn.execute(select(s.images.c.id).where(s.images.c.sha256 == image["sha256"])).scalar()
    if found is None:
        return conn.execute(s.images.insert().returning(s.images.c.id),
                            {"sha256": image["sha256"], **values}).scalar_one()
    if image.get("size") is not None:  # a failure record (name only) never blanks what a report said
        conn.execute(update(s.images).where(s.images.c.id == found).values(**values))
    return found


def _set_tags(conn: Connection, image_id: int, tags: Mapping[str, str]) -> None:
    for name, value in sorted(tags.items()):
        conn.execute(s.image_tags.delete().where(s.image_tags.c.image_id == image_id, s.image_tags.c.name == name))
        conn.execute(s.image_tags.insert(), {"image_id": image_id, "name": name, "value": records.enc(value)})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _short(exc: SQLAlchemyError) -> str:
    """The driver's message without SQLAlchemy's statement dump and help link."""
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
