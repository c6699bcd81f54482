"""Vendor SBOMs in SPDX 2.3 JSON, parsed and validated by spdx-tools; read for packages' name, version and
supplier (the package the document DESCRIBES, the device itself, is left out)."""

from __future__ import annotations

import json
from typing import Any

from spdx_tools.spdx.model import RelationshipType
from spdx_tools.spdx.parser.error import SPDXParsingError
from spdx_tools.spdx.parser.json.json_parser import JsonLikeDictParser
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from audit.verify.model import DeclarationError, Declared, DeclaredComponent

SUPPORTED = ("SPDX-2.3",)


def is_spdx(data: Any) -> bool:
    return isinstance(data, dict) and "spdxVersion" in data


def _supplier(package: Any) -> str | None:
    actor = package.supplier
    name = getattr(actor, "name", None)  # None, NOASSERTION or an Actor(person|organization|tool)
    return str(name) if name else None


def parse_spdx(data: dict[str, Any], source: str) -> Declared:
    """A `Declared` holding the document's packages; `DeclarationError` on a parse or validation error."""
    if data.get("spdxVersion") not in SUPPORTED:
        raise DeclarationError(f"{source}: spdxVersion: {data.get('spdxVersion')!r} is not supported; "
                               "give SPDX-2.3 JSON")
    try:
        document = JsonLikeDictParser().parse(json.loads(json.dumps(data)))  # a copy: the parser pops keys
    except SPDXParsingError as exc:
        raise DeclarationError(f"{source}: not valid SPDX 2.3: {'; '.join(exc.get_messages())}") from exc
    problems = validate_full_spdx_document(document, "SPDX-2.3")
    if problems:
        first = problems[0]
        where = first.context.spdx_id or first.context.parent_id or "(document)"
        raise DeclarationError(f"{source}: {where}: not valid SPDX 2.3: {first.validation_message}")
    described = {r.related_spdx_element_id for r in document.relationships
                 if r.relationship_type == RelationshipType.DESCRIBES}
    return Declared(format="spdx", components=tuple(
        DeclaredComponent(name=p.name, version=p.version or None, supplier=_supplier(p))
        for p in document.packages if p.spdx_id not in described))
