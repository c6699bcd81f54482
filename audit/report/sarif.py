"""SARIF 2.1.0 writer (`report.sarif`) for code scanning.

Results come from findings (level by severity) and from provenance claims (`note`, citing their evidence).
Locations are paths inside the image (uriBaseId `IMAGEROOT`) with a byte region; `partialFingerprints` come
from `audit/fingerprints.py`, so they are stable across runs and firmware versions. Audit errors are
`invocations[0].toolExecutionNotifications`; policy verdicts are in `runs[0].properties.policies`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

from audit.cite import cite_evidence, unescape_matched
from audit.fingerprints import claim_fingerprint, finding_fingerprint
from audit.model import Claim, Evidence, Finding, Report
from audit.report import indented_json
from audit.report.output import write_atomic
from audit.report.rulemeta import entity_names, rule_meta

NAME = "sarif"
FILENAME = "report.sarif"
SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
BASE_ID = "IMAGEROOT"
FINGERPRINT_KEY = "fwaudit/v1"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "0.0"}
MAX_RELATED = 16


def precision(confidence: float) -> str:
    """SARIF/CodeQL precision label for a confidence in [0, 1]."""
    if confidence >= 0.95:
        return "very-high"
    if confidence >= 0.8:
        return "high"
    return "medium" if confidence >= 0.5 else "low"


def _location(path: str, ev: Evidence | None = None, index: int | None = None) -> dict[str, Any]:
    uri = quote(path, safe="/", errors="surrogateescape")  # a raw non-UTF-8 byte becomes %NN, never a crash
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": BASE_ID}}
    if ev is not None and ev.offset is not None:
        matched = unescape_matched(ev.matched)
        physical["region"] = {"byteOffset": ev.offset, "byteLength": len(matched), "snippet": {"text": ev.matched}}
    location: dict[str, Any] = {"physicalLocation": physical}
    if index is not None:
        location["id"] = index
    if ev is not None:
        location["message"] = {"text": f"{cite_evidence(ev)} ({ev.weight}): {ev.matched}"}
    return location


def _locations(path: str, evidence: tuple[Evidence, ...]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(primary location, related locations) from a record's evidence."""
    if not evidence:
        return [_location(path)], []
    primary = [_location(evidence[0].path, evidence[0])]
    related = [_location(e.path, e, i) for i, e in enumerate(evidence[1 : MAX_RELATED + 1], start=1)]
    return primary, related


def _rule_for_finding(f: Finding) -> dict[str, Any]:
    meta = rule_meta().get(f.rule) or next((rule_meta()[e.rule_id] for e in f.evidence
                                            if e.rule_id in rule_meta()), {})
    text = str(meta.get("description") or f.title)
    tags = ["security", f.category] + ([f"external/cwe/{f.cwe.lower()}"] if f.cwe else [])
    rule: dict[str, Any] = {
        "id": f.rule,
        "shortDescription": {"text": text},
        "help": {"text": f"{text}. Open the evidence (path, offset, matched bytes) of each result."},
        "defaultConfiguration": {"level": LEVELS.get(f.severity, "warning")},
        "properties": {"tags": tags, "security-severity": SECURITY_SEVERITY.get(f.severity, "5.5")},
    }
    if str(meta.get("reference", "")).startswith("https://"):
        rule["helpUri"] = meta["reference"]
    return rule


def _rule_for_layer(layer: str) -> dict[str, Any]:
    text = f"Provenance of the {layer} layer: who made it, with the evidence"
    return {
        "id": f"provenance/{layer}",
        "shortDescription": {"text": text},
        "help": {"text": f"{text}. A claim is not a vulnerability: read its evidence and the policy verdicts."},
        "defaultConfiguration": {"level": "note"},
        "properties": {"tags": ["provenance", "supply-chain", layer]},
    }


def _claim_result(claim: Claim) -> dict[str, Any]:
    names = entity_names()
    who = names.get(claim.entity, claim.entity) + (f" ({claim.detail})" if claim.detail else "")
    primary, related = _locations("", claim.evidence)
    cited = "; ".join(cite_evidence(e) for e in claim.evidence[:3])
    result = {
        "ruleId": f"provenance/{claim.layer}",
        "level": "note",
        "message": {"text": f"{claim.layer}: {who}, confidence {claim.confidence:.2f}. Evidence: {cited}"},
        "locations": primary,
        "partialFingerprints": {FINGERPRINT_KEY: claim_fingerprint(claim)},
        "properties": {"layer": claim.layer, "entity": claim.entity, "detail": claim.detail,
                       "confidence": claim.confidence, "notes": list(claim.notes)},
    }
    if related:
        result["relatedLocations"] = related
    return result


def _finding_result(f: Finding, image_name: str) -> dict[str, Any]:
    primary, related = _locations(f.path, f.evidence)
    cited = "; ".join(cite_evidence(e) for e in f.evidence[:3]) or f.path
    result = {
        "ruleId": f.rule,
        "level": LEVELS.get(f.severity, "warning"),
        "message": {"text": f"{f.title} [{f.severity}, confidence {f.confidence:.2f}]. Evidence: {cited}"},
        "locations": primary,
        "partialFingerprints": {FINGERPRINT_KEY: finding_fingerprint(f, image_name)},
        "properties": {"id": f.id, "category": f.category, "severity": f.severity, "confidence": f.confidence},
    }
    if related:
        result["relatedLocations"] = related
    return result


def _rules_and_results(report: Report) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    rules: dict[str, dict[str, Any]] = {}
    confidence: dict[str, float] = {}
    results = []
    for f in report.findings:
        rules.setdefault(f.rule, _rule_for_finding(f))
        confidence[f.rule] = max(confidence.get(f.rule, 0.0), f.confidence)
        results.append(_finding_result(f, report.image.get("name", "")))
    for claim in report.claims:
        rule_id = f"provenance/{claim.layer}"
        rules.setdefault(rule_id, _rule_for_layer(claim.layer))
        confidence[rule_id] = max(confidence.get(rule_id, 0.0), claim.confidence)
        results.append(_claim_result(claim))
    if report.verification:  # `fwaudit verify`: each contradicted declaration is a result
        for result in _verification_results(report.verification):
            rules.setdefault(VERIFY_RULE, _rule_for_verification())
            confidence[VERIFY_RULE] = 1.0
            results.append(result)
    ordered = sorted(rules)
    for rule_id in ordered:
        rules[rule_id]["properties"]["precision"] = precision(confidence[rule_id])
    for result in results:
        result["ruleIndex"] = ordered.index(result["ruleId"])
    results.sort(key=lambda r: (r["ruleId"], r["partialFingerprints"][FINGERPRINT_KEY]))
    return [rules[r] for r in ordered], results


VERIFY_RULE = "verify.contradicted"


def _rule_for_verification() -> dict[str, Any]:
    text = "A declared statement (declaration or vendor SBOM) is contradicted by evidence in the firmware"
    return {"id": VERIFY_RULE, "shortDescription": {"text": text},
            "help": {"text": f"{text}. Each result cites the claims or components that contradict it "
                             "(docs/verify.md)."},
            "defaultConfiguration": {"level": "error"},
            "properties": {"tags": ["verification", "supply-chain"]}}


def _cited_location(ev: dict[str, Any]) -> dict[str, Any]:
    uri = quote(str(ev.get("path", "")), safe="/", errors="surrogateescape")
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri, "uriBaseId": BASE_ID}}
    if isinstance(ev.get("offset"), int):
        matched = str(ev.get("matched", ""))
        physical["region"] = {"byteOffset": ev["offset"], "byteLength": len(unescape_matched(matched)),
                              "snippet": {"text": matched}}
    return {"physicalLocation": physical}


def _verification_results(block: dict[str, Any]) -> list[dict[str, Any]]:
    declared = (block.get("declared") or {}).get("file", "")
    out = []
    for r in block.get("results") or []:
        if r.get("status") != "contradicted":
            continue
        cited = [ev for c in r.get("evidence") or [] for ev in (c.get("evidence") or c.get("occurrences") or [])]
        locations = [_cited_location(ev) for ev in cited[: MAX_RELATED + 1]] or [_cited_location({})]
        key = hashlib.sha256(f"{r.get('id')}\0{r.get('declared')}".encode()).hexdigest()[:32]
        result: dict[str, Any] = {
            "ruleId": VERIFY_RULE, "level": "error",
            "message": {"text": f"{declared}: {r.get('statement')} (declared {r.get('declared')}) is contradicted: "
                                f"{'; '.join(r.get('found') or [])}"},
            "locations": locations[:1],
            "partialFingerprints": {FINGERPRINT_KEY: key},
            "properties": {"id": r.get("id"), "declared": r.get("declared"), "notes": r.get("notes") or []},
        }
        if len(locations) > 1:
            result["relatedLocations"] = [{**loc, "id": i} for i, loc in enumerate(locations[1:], start=1)]
        out.append(result)
    return out


def _notifications(report: Report) -> list[dict[str, Any]]:
    notes = []
    for e in sorted(report.errors, key=lambda e: (e.kind, e.path or "", e.message)):
        note: dict[str, Any] = {"level": e.severity, "message": {"text": e.message}, "descriptor": {"id": e.kind}}
        if e.path:
            note["locations"] = [_location(e.path)]
        notes.append(note)
    return notes


def build(report: Report) -> dict[str, Any]:
    """The SARIF log as a dict (validated against the OASIS schema in tests)."""
    rules, results = _rules_and_results(report)
    tool = report.tool
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": str(tool.get("name", "fwaudit")), "version": str(tool.get("version", "")),
                                "rules": rules,
                                "properties": {"rules_digest": tool.get("rules_digest")}}},
            "invocations": [{"executionSuccessful": True, "toolExecutionNotifications": _notifications(report)}],
            "originalUriBaseIds": {BASE_ID: {"description": {
                "text": f"Root of the unpacked firmware image {report.image.get('name', '')}"}}},
            "results": results,
            "properties": {
                "image": report.image,
                "status": report.status,
                "policies": [{"policy": p.policy, "verdict": p.verdict, "reasons": list(p.reasons),
                              "undetermined": list(p.undetermined)}
                             for p in sorted(report.policies, key=lambda p: p.policy)],
            },
        }],
    }


def render(report: Report) -> str:
    return indented_json.dumps(build(report)) + "\n"


def write(report: Report, out_dir: Path) -> Path:
    return write_atomic(out_dir / FILENAME, render(report), json_text=True)
