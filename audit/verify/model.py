"""What a vendor declares, read from any supported input (declaration YAML, CycloneDX, SPDX).

Every reader returns one `Declared`; `audit/verify/check.py` compares it with a `Report`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

VERIFICATION_SCHEMA = "fwaudit/verification/v1"
STATUSES = ("confirmed", "contradicted", "unverifiable")


class DeclarationError(ValueError):
    """The declared file is unusable (malformed, unsupported, unknown vendor); the message names where."""


@dataclass(frozen=True)
class DeclaredVendor:
    """A vendor named by the declaration, resolved to a knowledge-base entity id (or `unlisted:<slug>`)."""

    text: str
    entity: str


@dataclass(frozen=True)
class DeclaredComponent:
    name: str
    version: str | None = None
    supplier: str | None = None  # as written (an SBOM supplier is free text)


@dataclass(frozen=True)
class Statement:
    id: str
    text: str


@dataclass(frozen=True)
class Declared:
    """The checkable content of one declaration or SBOM."""

    format: str  # declaration | cyclonedx | spdx
    manufacturer: DeclaredVendor | None = None
    brand: DeclaredVendor | None = None
    odm: DeclaredVendor | None = None
    soc_vendor: DeclaredVendor | None = None
    soc_model: str | None = None
    sdk: DeclaredVendor | None = None
    cloud: tuple[DeclaredVendor, ...] | None = None  # None: not declared; (): declared "no cloud"
    country_of_origin: str | None = None
    excluded_vendors: tuple[DeclaredVendor, ...] = ()
    components: tuple[DeclaredComponent, ...] | None = None  # None: not declared (no inventory check)
    statements: tuple[Statement, ...] = field(default_factory=tuple)


@dataclass
class Result:
    """One checked statement (serialised into `verification.results`)."""

    id: str
    statement: str
    status: str
    declared: str
    found: list[str] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
