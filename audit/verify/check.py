"""Check a `Declared` against a `Report`: every declared statement becomes `confirmed`, `contradicted` or
`unverifiable`, with the claims (and their evidence chains) or components that decide it.

Evidence or silence: only claims (confidence at or above the run's threshold) confirm or contradict; a hint is
cited as such and leaves the statement `unverifiable`; absence of a claim never contradicts a positive
statement. Vendors are compared through the knowledge base's relations (`audit/verify/vendors.py`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from audit.knowledge import KnowledgeBase
from audit.model import Claim, Report, to_jsonable
from audit.verify.components import check_components
from audit.verify.model import STATUSES, VERIFICATION_SCHEMA, Declared, DeclaredVendor, Result
from audit.verify.vendors import chain_text, relation_chain

HINT_NOTE = "only a hint (below the claim threshold): never enough to confirm or contradict"


def vendor_label(kb: KnowledgeBase, vendor: DeclaredVendor) -> str:
    ent = kb.entities.get(vendor.entity)
    return f"{vendor.text} ({vendor.entity})" if ent is None or ent.name == vendor.text else \
        f"{vendor.text} = {ent.name} ({vendor.entity})"


def claim_evidence(claim: Claim, level: str, relation: str | None = None) -> dict[str, Any]:
    """A claim as cited by a result: layer, entity, detail, confidence and its located evidence."""
    cited = {"kind": level, "layer": claim.layer, "entity": claim.entity, "detail": claim.detail,
             "confidence": claim.confidence, "evidence": to_jsonable(claim.evidence)}
    if relation:
        cited["relation"] = relation
    return cited


def found_text(cited: dict[str, Any]) -> str:
    """One line for people: `claim soc: hisilicon Hi3516EV200 (0.999)`."""
    detail = f" {cited['detail']}" if cited.get("detail") else ""
    return f"{cited['kind']} {cited['layer']}: {cited['entity']}{detail} ({cited['confidence']:g})"


def claim_text(claim: Claim, level: str = "claim") -> str:
    detail = f" {claim.detail}" if claim.detail else ""
    return f"{level} {claim.layer}: {claim.entity}{detail} ({claim.confidence:g})"


class Checker:
    """Holds the report's claims and hints by layer and answers one kind of statement per method."""

    def __init__(self, report: Report, kb: KnowledgeBase) -> None:
        self.report = report
        self.kb = kb

    def related(self, found: str, declared: str) -> str | None:
        """How `found` is `declared` (the same entity, or a relation chain either way); None if unrelated."""
        for chain in (relation_chain(self.kb, found, declared), relation_chain(self.kb, declared, found)):
            if chain:
                return chain_text(self.kb, chain)
        if found in self.kb and declared in self.kb and self.kb.same_group(found, declared):
            return f"{found} and {declared} share a parent in the knowledge base"
        return None

    def at(self, layers: Iterable[str], hints: bool = False) -> list[Claim]:
        wanted = set(layers)
        return [c for c in (self.report.hints if hints else self.report.claims) if c.layer in wanted]

    def vendor(self, rid: str, what: str, declared: DeclaredVendor, layers: tuple[str, ...],
               contradict: bool = True) -> Result:
        """Declared vendor of a layer vs the claims there: related = confirmed, another = contradicted."""
        res = Result(rid, f"{what} is {declared.text}", "unverifiable", vendor_label(self.kb, declared))
        claims = self.at(layers)
        matching = [(c, self.related(c.entity, declared.entity)) for c in claims]
        good = [(c, why) for c, why in matching if why]
        if good:
            res.status = "confirmed"
            res.evidence = [claim_evidence(c, "claim", why) for c, why in good]
        elif claims and contradict:
            res.status = "contradicted"
            res.evidence = [claim_evidence(c, "claim") for c in claims]
            res.notes.append(f"the firmware shows another {what}")
        else:
            hints = self.at(layers, hints=True)
            res.evidence = [claim_evidence(c, "hint") for c in hints]
            res.notes.append(HINT_NOTE if hints else f"no claim on the {'/'.join(layers)} layer")
            if claims:
                res.notes.append(f"other {'/'.join(layers)} claims do not contradict a {what}")
                res.evidence += [claim_evidence(c, "claim") for c in claims]
        res.found = [found_text(e) for e in res.evidence]
        return res

    def soc_model(self, model: str) -> Result:
        res = Result("soc.model", f"the SoC is a {model}", "unverifiable", model)
        detailed = [c for c in self.at(("soc",)) if c.detail]
        same = [c for c in detailed if _same_model(self.kb, model, c.detail or "")]
        if same or detailed:
            res.status = "confirmed" if same else "contradicted"
            res.evidence = [claim_evidence(c, "claim") for c in same or detailed]
            res.found = [claim_text(c) for c in same or detailed]
        else:
            res.notes.append("no SoC claim names a model")
            res.evidence = [claim_evidence(c, "hint") for c in self.at(("soc",), hints=True)]
        return res

    def excluded(self, vendor: DeclaredVendor) -> Result:
        """An excluded vendor at any layer, itself or through a relation: contradicted, citing both."""
        res = Result(f"excluded.{vendor.entity}", f"no part from {vendor.text}", "confirmed",
                     vendor_label(self.kb, vendor))
        for level, pool in (("claim", self.report.claims), ("hint", self.report.hints)):
            for c in pool:
                chain = relation_chain(self.kb, c.entity, vendor.entity)
                if chain:
                    res.evidence.append(claim_evidence(c, level, chain_text(self.kb, chain)))
                    res.found.append(f"{claim_text(c, level)} via {chain_text(self.kb, chain)}")
        levels = {e["kind"] for e in res.evidence}
        if "claim" in levels:
            res.status = "contradicted"
        elif levels:
            res.status = "unverifiable"
            res.notes.append(HINT_NOTE)
        else:
            res.notes.append("no claim or hint names it or an entity related to it in the knowledge base")
        return res

    def country(self, country: str) -> Result:
        res = Result("country_of_origin", f"the country of origin is {country}", "unverifiable", country)
        odms = self.at(("odm",))
        match = [c for c in odms if (getattr(self.kb.entities.get(c.entity), "country", None) or "").upper()
                 == country.upper()]
        if match:
            res.status = "confirmed"
            res.evidence = [claim_evidence(c, "claim", f"{c.entity} is based in {country.upper()}") for c in match]
            res.found = [claim_text(c) for c in match]
        else:
            res.notes.append("the knowledge base knows where an ODM is based, not where a device was made; "
                             "no evidenced ODM is based there")
        return res


def _norm_model(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


def _same_model(kb: KnowledgeBase, declared: str, found: str) -> bool:
    a, b = kb.canonical_chip(declared), kb.canonical_chip(found)
    if a and b:
        return a.id == b.id or b.rebadge_of == a.id or a.rebadge_of == b.id
    return _norm_model(declared) == _norm_model(found)


def _cloud(ck: Checker, declared: tuple[DeclaredVendor, ...]) -> list[Result]:
    out = [ck.vendor(f"cloud.{v.entity}", "a cloud operator", v, ("cloud",), contradict=False) for v in declared]
    for c in ck.at(("cloud",)):
        if not any(ck.related(c.entity, v.entity) for v in declared):
            out.append(Result(f"cloud.undeclared.{c.entity}", "the declared cloud operators are complete",
                              "contradicted", ", ".join(v.text for v in declared) or "(none)",
                              [claim_text(c)], [claim_evidence(c, "claim")],
                              ["the firmware talks to a cloud operator the declaration does not list"]))
    return out


def check(report: Report, declared: Declared, kb: KnowledgeBase) -> list[Result]:
    """Every result for one declaration, sorted by id."""
    ck = Checker(report, kb)
    out: list[Result] = []
    if declared.soc_vendor:
        out.append(ck.vendor("soc.vendor", "the SoC vendor", declared.soc_vendor, ("soc",)))
    if declared.soc_model:
        out.append(ck.soc_model(declared.soc_model))
    for rid, what, vendor, layers, strict in (
            ("manufacturer", "the manufacturer", declared.manufacturer, ("oem", "odm"), False),
            ("brand", "the brand", declared.brand, ("oem",), True),
            ("odm", "the ODM", declared.odm, ("odm",), True),
            ("sdk", "the SDK vendor", declared.sdk, ("sdk",), True)):
        if vendor:
            out.append(ck.vendor(rid, what, vendor, layers, strict))
    if declared.cloud is not None:
        out += _cloud(ck, declared.cloud)
    if declared.country_of_origin:
        out.append(ck.country(declared.country_of_origin))
    out += [ck.excluded(v) for v in declared.excluded_vendors]
    if declared.components is not None:
        out += check_components(report, declared.components, kb)
    out += [Result(f"statement.{s.id}", s.text, "unverifiable", s.text,
                   notes=["free text: fwaudit cannot check it; review it against the report by hand"])
            for s in declared.statements]
    return sorted(out, key=lambda r: r.id)


def verification_block(report: Report, declared: Declared, kb: KnowledgeBase, path: Path) -> dict[str, Any]:
    """The `verification` block of report.json: what was declared, each result, and the counts."""
    results = check(report, declared, kb)
    summary = {s: sum(1 for r in results if r.status == s) for s in STATUSES}
    return {
        "schema": VERIFICATION_SCHEMA,
        "declared": {"file": path.name, "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                     "format": declared.format},
        "threshold": (report.run.get("config") or {}).get("threshold"),
        "results": [to_jsonable(r) for r in results],
        "summary": summary,
    }


VERIFY_FAIL_ON = ("none", "contradicted", "unverifiable")


def verification_gate(block: dict[str, Any] | None, fail_on: str) -> list[str]:
    """Results that trip `--fail-on`: `contradicted` trips on contradictions, `unverifiable` on both."""
    if fail_on not in VERIFY_FAIL_ON:
        raise ValueError(f"unknown --fail-on {fail_on!r}; choose from {', '.join(VERIFY_FAIL_ON)}")
    tripping = {"none": (), "contradicted": ("contradicted",), "unverifiable": ("contradicted", "unverifiable")}
    return [f"{r['id']}: {r['status']}" for r in (block or {}).get("results", [])
            if r.get("status") in tripping[fail_on]]
