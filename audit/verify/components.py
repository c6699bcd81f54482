"""Declared components (a declaration's `components` or an SBOM's) vs the components the firmware shows.

A declared list is the complete inventory: each declared component is found (`confirmed`), found with
another version (`contradicted`) or not found (`unverifiable`: fwaudit recognises only the components its
rules know); each component the firmware shows and the list omits is `contradicted` (`component.undeclared.*`),
citing where it was seen. A declared supplier is compared with the component's origin when the knowledge base
knows both as entities.
"""

from __future__ import annotations

import re
from typing import Any

from audit.knowledge import KnowledgeBase
from audit.model import Report
from audit.verify.model import DeclaredComponent, Result
from audit.verify.vendors import chain_text, relation_chain, resolve_entity

MAX_OCCURRENCES = 5  # occurrences cited per component (the report holds them all)


def _key(name: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _version(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower()).removeprefix("v")


def _purl_name(comp: dict[str, Any]) -> str:
    purl = str(comp.get("purl") or "")
    return purl.split("/")[-1].split("@")[0] if purl else ""


def _cited(comp: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "component", "name": comp.get("name"), "version": comp.get("version"),
            "purl": comp.get("purl"), "occurrences": list(comp.get("occurrences") or [])[:MAX_OCCURRENCES]}


def _found(comp: dict[str, Any]) -> str:
    where = (comp.get("occurrences") or [{}])[0].get("path", "?")
    return f"component {comp.get('name')} {comp.get('version') or '(no version)'} at {where}"


def _match(decl: DeclaredComponent, found: list[dict[str, Any]]) -> list[dict[str, Any]]:
    key = _key(decl.name)
    return [c for c in found if key in (_key(str(c.get("name", ""))), _key(_purl_name(c)))]


def _one(decl: DeclaredComponent, found: list[dict[str, Any]]) -> Result:
    label = f"{decl.name} {decl.version}" if decl.version else decl.name
    res = Result(f"component.{decl.name}", f"the firmware contains {label}", "unverifiable", label)
    same = _match(decl, found)
    exact = [c for c in same if decl.version is None or _version(c.get("version")) == _version(decl.version)]
    if exact:
        res.status = "confirmed"
    elif same and all(c.get("version") for c in same):
        res.status = "contradicted"
        res.notes.append("the firmware holds another version")
    elif same:
        res.notes.append("found, but the firmware does not tell its version")
    else:
        res.notes.append("not found: fwaudit recognises only the components its rules know")
    res.evidence = [_cited(c) for c in exact or same]
    res.found = [_found(c) for c in exact or same]
    return res


def _supplier(decl: DeclaredComponent, kb: KnowledgeBase, found: list[dict[str, Any]]) -> Result | None:
    if not decl.supplier:
        return None
    res = Result(f"component.{decl.name}.supplier", f"{decl.name} is supplied by {decl.supplier}",
                 "unverifiable", decl.supplier)
    supplier, origin = resolve_entity(kb, decl.supplier), resolve_entity(kb, decl.name)
    if not _match(decl, found):
        res.notes.append("the component is not found in the firmware")
        return res
    if supplier is None or origin is None:
        res.notes.append("the knowledge base does not know " + ("the supplier" if supplier is None else
                                                                "the component's origin"))
        return res
    chain = relation_chain(kb, origin, supplier) or relation_chain(kb, supplier, origin)
    res.status = "confirmed" if chain else "contradicted"
    res.found = [f"origin of {decl.name} in the knowledge base: {chain_text(kb, chain) if chain else origin}"]
    return res


def check_components(report: Report, declared: tuple[DeclaredComponent, ...], kb: KnowledgeBase) -> list[Result]:
    found = list(report.components)
    out: list[Result] = []
    for decl in declared:
        out.append(_one(decl, found))
        supplier = _supplier(decl, kb, found)
        if supplier:
            out.append(supplier)
    matched = {id(c) for d in declared for c in _match(d, found)}
    names = ", ".join(d.name for d in declared) or "(none)"
    for comp in found:
        if id(comp) not in matched:
            out.append(Result(f"component.undeclared.{comp.get('name')}", "the declared components are complete",
                              "contradicted", names, [_found(comp)], [_cited(comp)],
                              ["the firmware contains a component the declaration does not list"]))
    return out
