"""The data tables the findings stage reads from `rules/data/` (loaded once, validated lightly)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from audit.resources import load_yaml

DATA = Path(__file__).resolve().parents[2] / "rules" / "data"


class TableError(ValueError):
    """A data table is malformed (configuration error)."""


@dataclass(frozen=True)
class OwnerRow:
    """Who runs a domain or address (rules/data/endpoints.yaml `endpoints` and `infrastructure`)."""

    match: str
    type: str  # domain | ip | symbol | library
    owner: str
    category: str
    reference: str


@dataclass(frozen=True)
class PortRow:
    port: int
    service: str
    owner: str
    severity: str
    cwe: str | None
    reference: str


@dataclass(frozen=True)
class ComponentRow:
    """One row of rules/data/components.yaml, with compiled patterns."""

    name: str
    purl: dict[str, str]
    cpe: dict[str, str] | None
    files: tuple[str, ...]
    sonames: tuple[str, ...]
    symbols: tuple[str, ...]
    strings: tuple[re.Pattern[bytes], ...]
    facts: tuple[tuple[str, str, re.Pattern[str]], ...]
    scope: str
    reference: str
    normalize: re.Pattern[str] | None = None

    def version(self, raw: str | None) -> str | None:
        """The version as reported: `normalize` applied when the row has one."""
        m = self.normalize.search(raw) if raw and self.normalize else None
        return m.group("v") if m else raw


def _load(name: str) -> dict[str, Any]:
    doc = load_yaml((DATA / name).read_text(encoding="utf-8"))
    if not isinstance(doc, dict):
        raise TableError(f"{name}: expected a mapping")
    return doc


@functools.lru_cache(maxsize=1)
def owner_rows() -> tuple[OwnerRow, ...]:
    """Endpoint owners: the shared `endpoints` table plus well-known `infrastructure` rows."""
    doc = _load("endpoints.yaml")
    rows = [*doc.get("endpoints", []), *doc.get("infrastructure", [])]
    return tuple(OwnerRow(str(r["match"]), str(r["type"]), str(r["owner"]), str(r["category"]),
                          str(r.get("reference", ""))) for r in rows)


@functools.lru_cache(maxsize=1)
def port_rows() -> dict[int, PortRow]:
    doc = _load("endpoints.yaml")
    return {int(r["port"]): PortRow(int(r["port"]), str(r["service"]), str(r["owner"]), str(r["severity"]),
                                    r.get("cwe"), str(r["reference"])) for r in doc.get("ports", [])}


@functools.lru_cache(maxsize=1)
def benign_domains() -> dict[str, str]:
    """Benign domain -> reason (standards, namespaces, licences, documentation)."""
    return {str(r["match"]).lower(): str(r.get("why", "")) for r in _load("benign_domains.yaml")["domains"]}


@functools.lru_cache(maxsize=1)
def mirai_pairs() -> tuple[dict[str, Any], ...]:
    """Rows of the Mirai default-credential table ({user, password, distinctive, vendor?})."""
    doc = _load("mirai_credentials.yaml")
    return tuple({**r, "user": str(r["user"]), "password": str(r["password"])} for r in doc["credentials"])


@functools.lru_cache(maxsize=1)
def mirai_reference() -> str:
    return str(_load("mirai_credentials.yaml")["reference"])


@functools.lru_cache(maxsize=1)
def component_rows() -> tuple[ComponentRow, ...]:
    rows = []
    for raw in _load("components.yaml")["components"]:
        try:
            rows.append(ComponentRow(
                name=str(raw["name"]),
                purl={k: str(v) for k, v in raw["purl"].items()},
                cpe={k: str(v) for k, v in raw["cpe"].items()} if raw.get("cpe") else None,
                files=tuple(raw.get("files", ())),
                sonames=tuple(raw.get("sonames", ())),
                symbols=tuple(raw.get("symbols", ())),
                strings=tuple(re.compile(s.encode()) for s in raw.get("strings", ())),
                facts=tuple((f["kind"], f["field"], re.compile(f["regex"])) for f in raw.get("facts", ())),
                scope=str(raw.get("scope", "any")),
                reference=str(raw["reference"]),
                normalize=re.compile(raw["normalize"]) if raw.get("normalize") else None,
            ))
        except (KeyError, re.error, AttributeError) as exc:
            raise TableError(f"components.yaml: {raw.get('name')}: {exc}") from exc
    return tuple(rows)
