"""Vendor SBOMs in CycloneDX 1.4-1.6 JSON: validated against the specification's JSON schema
(cyclonedx-python-lib's strict validator), then read for component name, version and supplier."""

from __future__ import annotations

import json
from typing import Any

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from audit.verify.model import DeclarationError, Declared, DeclaredComponent

SUPPORTED = {"1.4": SchemaVersion.V1_4, "1.5": SchemaVersion.V1_5, "1.6": SchemaVersion.V1_6}


def is_cyclonedx(data: Any) -> bool:
    return isinstance(data, dict) and data.get("bomFormat") == "CycloneDX"


def _supplier(comp: dict[str, Any]) -> str | None:
    for key in ("supplier", "manufacturer"):
        org = comp.get(key)
        if isinstance(org, dict) and org.get("name"):
            return str(org["name"])
    return str(comp["publisher"]) if comp.get("publisher") else None


def _walk(components: list[dict[str, Any]]) -> list[DeclaredComponent]:
    """Every component, nested ones included, in document order."""
    out: list[DeclaredComponent] = []
    for comp in components:
        out.append(DeclaredComponent(name=str(comp["name"]), version=comp.get("version") or None,
                                     supplier=_supplier(comp)))
        out += _walk(comp.get("components") or [])
    return out


def parse_cyclonedx(text: str, data: dict[str, Any], source: str) -> Declared:
    """A `Declared` holding the SBOM's components (the complete inventory); `DeclarationError` otherwise."""
    version = str(data.get("specVersion"))
    if version not in SUPPORTED:
        raise DeclarationError(f"{source}: specVersion: CycloneDX {version!r} is not supported; "
                               f"give {', '.join(SUPPORTED)} JSON")
    error = JsonStrictValidator(SUPPORTED[version]).validate_str(text)
    if error is not None:
        detail = getattr(error, "data", None)
        path = "/".join(str(p) for p in getattr(detail, "absolute_path", ())) or "(document)"
        message = getattr(detail, "message", None) or str(error)
        raise DeclarationError(f"{source}: {path}: not valid CycloneDX {version}: {message}")
    components = _walk(data.get("components") or [])
    meta = (data.get("metadata") or {}).get("component")
    if isinstance(meta, dict):  # the device itself is not part of its own inventory
        components = [c for c in components if c.name != meta.get("name")]
    return Declared(format="cyclonedx", components=tuple(components))


def load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DeclarationError(f"{source}:{exc.lineno}: not valid JSON: {exc.msg} (column {exc.colno})") from exc
