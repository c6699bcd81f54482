"""One mapping between `report.json` sections and the store's rows, used both ways.

`write_sections` spreads a report dict over the normalised tables; `read_sections` rebuilds the same sections
from them. The mapping is lossless: a key the columns do not hold goes to the row's `extra` JSON, a key the
record did not have is remembered there too, and a string a database cannot hold as text (a NUL byte, a lone
surrogate) is stored JSON-quoted behind a marker. `tests/test_fleet_store.py` checks report -> rows -> report.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, Table, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from audit.fleet import schema as s

QUOTED = "\x1b~json:"  # marks a text value stored JSON-quoted
MISSING = "__missing__"  # extra key: record keys that were absent (not None) in the report

# report key -> column, per record kind; JSON_KEYS are lists/objects stored as JSON text
FILE_MAP = {"path": "path", "fs_path": "fs_path", "kind": "kind", "size": "size", "mode": "mode",
            "sha256": "file_sha256", "magic": "magic", "mime": "mime", "is_elf": "is_elf", "arch": "arch",
            "parent": "parent", "handler": "handler", "offset": "byte_offset", "link_target": "link_target"}
CLAIM_MAP = {"layer": "layer", "entity": "entity", "detail": "detail", "confidence": "confidence",
             "notes": "notes"}
FINDING_MAP = {"id": "finding_id", "rule": "rule", "category": "category", "severity": "severity",
               "confidence": "confidence", "title": "title", "path": "path", "cwe": "cwe"}
EVIDENCE_MAP = {"kind": "kind", "rule_id": "rule_id", "path": "path", "sha256": "sha256",
                "offset": "byte_offset", "matched": "matched", "weight": "weight", "chain": "chain"}
POLICY_MAP = {"policy": "policy", "verdict": "verdict", "reasons": "reasons", "undetermined": "undetermined"}
JSON_KEYS = frozenset({"notes", "chain", "reasons", "undetermined"})


def dumps(value: Any) -> str:
    """Compact, canonical JSON (ASCII, so any database text column takes it)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def enc(value: Any) -> Any:
    """A value as a column holds it: strings a text column cannot take are quoted behind QUOTED."""
    if not isinstance(value, str):
        return value
    if value.isascii() and "\x00" not in value and not value.startswith(QUOTED):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return QUOTED + dumps(value)
    return QUOTED + dumps(value) if "\x00" in value or value.startswith(QUOTED) else value


def dec(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(QUOTED):
        return json.loads(value[len(QUOTED):])
    return value


def to_row(record: Mapping[str, Any], mapping: Mapping[str, str], nested: tuple[str, ...] = ()) -> dict[str, Any]:
    """Columns for one record, with `extra` holding whatever the columns (and `nested` child rows) do not."""
    row: dict[str, Any] = {}
    for key, column in mapping.items():
        value = record.get(key)
        row[column] = dumps(value) if key in JSON_KEYS and value is not None else enc(value)
    extra = {k: v for k, v in record.items() if k not in mapping and k not in nested}
    missing = sorted(k for k in (*mapping, *nested) if k not in record)
    if missing:
        extra[MISSING] = missing
    row["extra"] = dumps(extra) if extra else None
    return row


def from_row(row: Mapping[str, Any], mapping: Mapping[str, str], nested: Mapping[str, Any] | None = None,
             ) -> dict[str, Any]:
    """The record `to_row` was given (`nested`: its child records, e.g. evidence, read separately)."""
    record: dict[str, Any] = dict(nested or {})
    for key, column in mapping.items():
        value = row[column]
        record[key] = json.loads(value) if key in JSON_KEYS and value is not None else dec(value)
    if row["extra"]:
        extra = json.loads(row["extra"])
        for key in extra.pop(MISSING, []):
            record.pop(key, None)
        record.update(extra)
    return record


def insert_ignore(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either backend (content-addressed rows)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(table).on_conflict_do_nothing(), rows)


def write_sections(conn: Connection, run_id: int, report: Mapping[str, Any]) -> None:
    """Spread one report's files, provenance, findings, endpoints, components and policies over the tables."""
    files = list(report.get("files") or [])
    blobs = {f["sha256"]: f.get("size") for f in files if isinstance(f.get("sha256"), str)}
    insert_ignore(conn, s.files, [{"sha256": sha, "size": size} for sha, size in sorted(blobs.items())])
    _insert(conn, s.image_files, run_id, (to_row(f, FILE_MAP) for f in files))
    provenance = report.get("provenance") or {}
    said = [(False, c) for c in provenance.get("claims") or []] + [(True, c) for c in provenance.get("hints") or []]
    _with_evidence(conn, s.claims, s.claim_evidence, run_id,
                   [{**to_row(c, CLAIM_MAP, ("evidence",)), "hint": hint} for hint, c in said], [c for _h, c in said])
    found = list(report.get("findings") or [])
    _with_evidence(conn, s.findings, s.finding_evidence, run_id,
                   [to_row(f, FINDING_MAP, ("evidence",)) for f in found], found)
    _insert(conn, s.endpoints, run_id, (_endpoint_row(e) for e in report.get("endpoints") or []))
    _insert(conn, s.components, run_id, ({"name": enc(c.get("name")), "version": enc(_text(c.get("version"))),
                                          "data": dumps(c)} for c in report.get("components") or []))
    _insert(conn, s.policy_verdicts, run_id, (to_row(p, POLICY_MAP) for p in report.get("policies") or []))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _endpoint_row(e: Mapping[str, Any]) -> dict[str, Any]:
    headline = e.get("headline")
    return {"value": enc(_text(e.get("value"))), "host": enc(_text(e.get("host"))), "kind": enc(e.get("kind")),
            "owner": enc(_text(e.get("owner"))), "category": enc(e.get("category")),
            "headline": headline if isinstance(headline, bool) else None, "data": dumps(e)}


def _insert(conn: Connection, table: Table, run_id: int, rows: Iterable[dict[str, Any]]) -> None:
    batch = [{**row, "run_id": run_id, "seq": i} for i, row in enumerate(rows)]
    if batch:
        conn.execute(insert(table), batch)


def _with_evidence(conn: Connection, owner: Table, evidence: Table, run_id: int, rows: list[dict[str, Any]],
                   records: list[Mapping[str, Any]]) -> None:
    """Owner rows (claims or findings) with their ids back, in order, then their evidence rows."""
    if not rows:
        return
    params = [{**row, "run_id": run_id, "seq": i} for i, row in enumerate(rows)]
    ids = conn.execute(insert(owner).returning(owner.c.id, sort_by_parameter_order=True), params).scalars().all()
    ev_rows = [{**to_row(ev, EVIDENCE_MAP), "owner_id": oid, "seq": j}
               for oid, record in zip(ids, records, strict=True)
               for j, ev in enumerate(record.get("evidence") or [])]
    if ev_rows:
        conn.execute(insert(evidence), ev_rows)


def read_sections(conn: Connection, run_id: int) -> dict[str, Any]:
    """The report sections `write_sections` stored for one run, rebuilt from the rows alone."""
    claims = _with_evidence_back(conn, s.claims, s.claim_evidence, CLAIM_MAP, run_id)
    return {
        "files": [from_row(r, FILE_MAP) for r in _rows(conn, s.image_files, run_id)],
        "provenance": {"claims": [c for hint, c in claims if not hint], "hints": [c for hint, c in claims if hint]},
        "findings": [f for _h, f in _with_evidence_back(conn, s.findings, s.finding_evidence, FINDING_MAP, run_id)],
        "endpoints": [json.loads(r["data"]) for r in _rows(conn, s.endpoints, run_id)],
        "components": [json.loads(r["data"]) for r in _rows(conn, s.components, run_id)],
        "policies": [from_row(r, POLICY_MAP) for r in _rows(conn, s.policy_verdicts, run_id)],
    }


def _rows(conn: Connection, table: Table, run_id: int) -> list[Mapping[str, Any]]:
    query = select(table).where(table.c.run_id == run_id).order_by(table.c.seq)
    return [row._mapping for row in conn.execute(query)]


def _with_evidence_back(conn: Connection, owner: Table, evidence: Table, mapping: Mapping[str, str],
                        run_id: int) -> list[tuple[bool, dict[str, Any]]]:
    owners = _rows(conn, owner, run_id)
    ev_query = (select(evidence).join(owner, owner.c.id == evidence.c.owner_id)
                .where(owner.c.run_id == run_id).order_by(evidence.c.owner_id, evidence.c.seq))
    by_owner: dict[int, list[dict[str, Any]]] = {}
    for row in conn.execute(ev_query):
        by_owner.setdefault(row.owner_id, []).append(from_row(row._mapping, EVIDENCE_MAP))
    return [(bool(row.get("hint", False)), from_row(row, mapping, {"evidence": by_owner.get(row["id"], [])}))
            for row in owners]
