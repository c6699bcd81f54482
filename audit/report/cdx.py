"""CycloneDX 1.6 JSON SBOM writer (cyclonedx-python-lib).

The firmware is `metadata.component` (type `firmware`); its manufacturer (ODM) and supplier (OEM) come from the
provenance claims, with the confidence as a property, and stay unset when there is no claim. Every component
carries its purl, CPE, the sha256 of the file it was found in and its occurrences as evidence; ELF files are
`file` components with `dependsOn` edges from DT_NEEDED; a component depends on another when one of its files
needs one of the other's. The writer serialises the report; it decides nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from cyclonedx.model import HashAlgorithm, HashType, Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.component_evidence import ComponentEvidence, Occurrence
from cyclonedx.model.contact import OrganizationalEntity
from cyclonedx.model.tool import ToolRepository
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from audit.model import Claim, Fact, Report
from audit.report.output import write_atomic

NAME = "cdx"
FILENAME = "sbom.cdx.json"
MAX_OCCURRENCES = 50
TYPES = {"linux": ComponentType.OPERATING_SYSTEM, "u-boot": ComponentType.FIRMWARE}
LINKED_SOURCES = ("file", "soname", "symbol", "string", "yara")  # not toolchain banners or kernel facts


def render(report: Report) -> str:
    return JsonV1Dot6(build_bom(report)).output_as_string(indent=2) + "\n"


def write(report: Report, out_dir: Path) -> Path:
    return write_atomic(out_dir / FILENAME, render(report), json_text=True)


def build_bom(report: Report) -> Bom:
    """The BOM: firmware metadata, software components, ELF file components, dependency edges."""
    image_sha = str(report.image.get("sha256", ""))
    firmware = _firmware(report)
    bom = Bom(serial_number=uuid.uuid5(uuid.NAMESPACE_URL, f"fwaudit:{image_sha}"),
              metadata=BomMetaData(component=firmware, timestamp=_timestamp(report), tools=ToolRepository(
                  components=[Component(type=ComponentType.APPLICATION, name=str(report.tool.get("name", "fwaudit")),
                                        version=str(report.tool.get("version", "")), bom_ref="tool:fwaudit")])))
    software = {_ref(c): _component(c) for c in report.components}
    files = _file_components(report.facts)
    for comp in [*software.values(), *files.values()]:
        bom.components.add(comp)
    file_edges = _file_edges(report.facts, files)
    for ref, needs in file_edges.items():
        bom.register_dependency(files[ref], [files[n] for n in sorted(needs)])
    for ref, needs in _component_edges(report.components, file_edges).items():
        bom.register_dependency(software[ref], [software[n] for n in sorted(needs) if n in software])
    bom.register_dependency(firmware, [software[r] for r in sorted(software)])
    return bom


def _timestamp(report: Report) -> datetime | None:
    started = report.run.get("started") if isinstance(report.run, dict) else None
    try:
        return datetime.fromisoformat(str(started)) if started else None
    except ValueError:
        return None


def _best_claim(claims: Iterable[Claim], layer: str) -> Claim | None:
    mine = sorted((c for c in claims if c.layer == layer), key=lambda c: (-c.confidence, c.entity))
    return mine[0] if mine else None


def _firmware(report: Report) -> Component:
    props = [Property(name="fwaudit:image:format", value=str(report.image.get("format", "")))]
    orgs: dict[str, OrganizationalEntity | None] = {}
    for layer in ("odm", "oem"):
        claim = _best_claim(report.claims, layer)
        orgs[layer] = OrganizationalEntity(name=_entity_name(claim.entity)) if claim else None
        if claim:
            props += [Property(name=f"fwaudit:{layer}:entity", value=claim.entity),
                      Property(name=f"fwaudit:{layer}:confidence", value=f"{claim.confidence:.2f}")]
    sha = str(report.image.get("sha256", ""))
    return Component(type=ComponentType.FIRMWARE, name=str(report.image.get("name", "firmware")),
                     bom_ref="firmware", manufacturer=orgs["odm"], supplier=orgs["oem"], properties=props,
                     hashes=[HashType(alg=HashAlgorithm.SHA_256, content=sha)] if sha else None)


def _entity_name(entity: str) -> str:
    try:
        from audit.knowledge import load_knowledge

        kb = load_knowledge()
        return kb.entities[entity].name if entity in kb else entity
    except Exception:  # the knowledge base is not the writer's concern: fall back to the id
        return entity


def _ref(comp: dict[str, Any]) -> str:
    return f"component:{comp['name']}@{comp.get('version') or 'unknown'}"


def _component(comp: dict[str, Any]) -> Component:
    occ = comp.get("occurrences", [])[:MAX_OCCURRENCES]
    primary = next((o for o in occ if o.get("source") in LINKED_SOURCES), occ[0] if occ else None)
    evidence = ComponentEvidence(occurrences=[
        # the library sorts occurrences by bom-ref first; its default is random, so give a stable, unique one
        Occurrence(bom_ref=f"{_ref(comp)}#{o['path']}@{o.get('offset')}", location=o["path"],
                   offset=o.get("offset"), additional_context=str(o.get("matched", ""))[:200])
        for o in occ]) if occ else None
    props = [Property(name="fwaudit:source", value=str(comp.get("source", "")))]
    return Component(
        type=TYPES.get(comp["name"], ComponentType.LIBRARY), name=comp["name"], version=comp.get("version"),
        bom_ref=_ref(comp), purl=PackageURL.from_string(comp["purl"]) if comp.get("purl") else None,
        cpe=comp.get("cpe"), evidence=evidence, properties=props,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=primary["sha256"])] if primary and primary.get(
            "sha256") else None)


def _file_components(facts: Iterable[Fact]) -> dict[str, Component]:
    out = {}
    for fact in facts:
        if fact.kind == "elf" and f"file:{fact.sha256}" not in out:
            props = [Property(name="fwaudit:elf:soname", value=str(fact.data["soname"]))] if fact.data.get(
                "soname") else []
            out[f"file:{fact.sha256}"] = Component(
                type=ComponentType.FILE, name=fact.path, bom_ref=f"file:{fact.sha256}", properties=props,
                hashes=[HashType(alg=HashAlgorithm.SHA_256, content=fact.sha256)])
    return out


def _file_edges(facts: Iterable[Fact], files: dict[str, Component]) -> dict[str, set[str]]:
    """file ref -> refs of the files providing its DT_NEEDED libraries (by SONAME, else by file name)."""
    elf = [f for f in facts if f.kind == "elf"]
    provides: dict[str, str] = {}
    for fact in sorted(elf, key=lambda f: f.path):
        for key in (fact.data.get("soname"), fact.path.rsplit("/", 1)[-1]):
            if key:
                provides.setdefault(str(key), f"file:{fact.sha256}")
    edges: dict[str, set[str]] = {}
    for fact in elf:
        needs = {provides[n] for n in fact.data.get("needed", []) if n in provides}
        needs.discard(f"file:{fact.sha256}")
        if needs and f"file:{fact.sha256}" in files:
            edges.setdefault(f"file:{fact.sha256}", set()).update(needs)
    return edges


def _component_edges(components: list[dict[str, Any]], file_edges: dict[str, set[str]]) -> dict[str, set[str]]:
    """component -> components whose files its files need."""
    owners: dict[str, set[str]] = {}
    for comp in components:
        for o in comp.get("occurrences", []):
            if o.get("source") in LINKED_SOURCES and o.get("sha256"):
                owners.setdefault(f"file:{o['sha256']}", set()).add(_ref(comp))
    edges: dict[str, set[str]] = {}
    for src, needs in file_edges.items():
        for comp in owners.get(src, ()):
            targets = {t for n in needs for t in owners.get(n, ()) if t != comp}
            if targets:
                edges.setdefault(comp, set()).update(targets)
    return edges
