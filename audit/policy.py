"""Policy stage: evaluate `rules/policies/*.yaml` (and `--policy FILE`s) over claims, hints, findings, endpoints.

A policy is data (format: docs/policies.md): rules, each one matcher (`claims`, `findings` or `endpoints`) with a
verdict and a message template. Every record takes the first rule of a policy that matches it; the policy's
verdict is the worst over all matches (`fail` > `review` > `pass`). A hint (a claim below the threshold) can
give `review` at most. Each reason cites the record and its evidence. Who is on which list, who owns whom and
which country an entity is in come from the knowledge base (`audit/knowledge.py`), never from this module.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from audit.cite import cite_claim, cite_evidence
from audit.knowledge import RULES_ROOT, KnowledgeBase, load_knowledge
from audit.model import Claim, Finding, PolicyResult, Report
from audit.resources import load_yaml

POLICIES_DIR = RULES_ROOT / "policies"
VERDICTS = ("pass", "review", "fail")
SEVERITIES = ("info", "low", "medium", "high", "critical")
POLICY_KEYS = {"policy", "title", "description", "references", "hints", "rules", "entities", "notes", "scope",
               "requires_layers"}
OUTCOMES = ("pass", "inconclusive", "review", "fail")  # worst last; rules give pass/review/fail only
RULE_KEYS = {"id", "verdict", "message", "claims", "findings", "endpoints"}
MATCHER_KEYS = {
    "claims": {"layer", "entity", "group", "list", "country", "min_confidence"},
    "findings": {"category", "severity", "min_severity", "rule", "id", "any"},
    "endpoints": {"owner", "known_owner", "category", "kind", "value", "headline"},
}


class PolicyError(ValueError):
    """A policy file is malformed: a configuration error (the CLI exits 2)."""


@dataclass(frozen=True)
class Rule:
    id: str
    verdict: str
    message: str
    target: str  # claims | findings | endpoints
    match: Mapping[str, Any]


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    rules: tuple[Rule, ...]
    references: tuple[str, ...] = ()
    hints: str = "review"  # review | ignore
    entities: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    notes: Mapping[str, str] = field(default_factory=dict)
    scope: str = ""
    source: str = ""
    requires_layers: tuple[str, ...] = ()  # each 'layer' or 'a|b': `pass` needs a claim on (one of) them


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _parse_rule(raw: Any, where: str) -> Rule:
    if not isinstance(raw, dict) or set(raw) - RULE_KEYS:
        raise PolicyError(f"{where}: a rule is a mapping with keys {sorted(RULE_KEYS)}")
    targets = [k for k in MATCHER_KEYS if k in raw]
    if len(targets) != 1:
        raise PolicyError(f"{where}: a rule needs exactly one of claims, findings, endpoints")
    target = targets[0]
    match = raw[target] or {}
    unknown = set(match) - MATCHER_KEYS[target] if isinstance(match, dict) else {"<not a mapping>"}
    if unknown:
        raise PolicyError(f"{where}: unknown {target} matcher keys {sorted(unknown)}")
    if raw.get("verdict") not in VERDICTS:
        raise PolicyError(f"{where}: verdict must be one of {', '.join(VERDICTS)}")
    if "min_severity" in match and match["min_severity"] not in SEVERITIES:
        raise PolicyError(f"{where}: min_severity must be one of {', '.join(SEVERITIES)}")
    return Rule(id=str(raw.get("id") or target), verdict=raw["verdict"], message=str(raw.get("message", "")),
                target=target, match=match)


def parse_policy(doc: Any, source: str) -> Policy:
    """One validated `Policy` from a parsed YAML document."""
    if not isinstance(doc, dict) or not doc.get("policy") or not isinstance(doc.get("rules"), list):
        raise PolicyError(f"{source}: a policy needs `policy` (its id) and a list of `rules`")
    unknown = set(doc) - POLICY_KEYS
    if unknown:
        raise PolicyError(f"{source}: unknown keys {sorted(unknown)}")
    if doc.get("hints", "review") not in ("review", "ignore"):
        raise PolicyError(f"{source}: hints must be review or ignore")
    rules = tuple(_parse_rule(r, f"{source}: rule {i + 1}") for i, r in enumerate(doc["rules"]))
    required = tuple(str(r) for r in doc.get("requires_layers") or ())
    layers = {"soc", "sdk", "toolchain", "odm", "oem", "cloud", "component"}
    if any(set(r.split("|")) - layers for r in required):
        raise PolicyError(f"{source}: requires_layers entries are layers or 'a|b' alternatives of {sorted(layers)}")
    return Policy(id=str(doc["policy"]), title=str(doc.get("title", doc["policy"])), rules=rules,
                  references=tuple(str(r) for r in doc.get("references") or ()), hints=doc.get("hints", "review"),
                  entities=doc.get("entities") or {}, notes=doc.get("notes") or {},
                  scope=str(doc.get("scope", "")).strip(), source=source, requires_layers=required)


def load_policy_file(path: Path) -> Policy:
    try:
        doc = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(f"{path}: cannot be read as YAML: {exc}") from exc
    return parse_policy(doc, path.name)


def load_policies(extra_files: Sequence[Path] = (), policies_dir: Path | None = None) -> list[Policy]:
    """Bundled policies, then custom ones; a custom policy with a bundled id replaces it."""
    by_id: dict[str, Policy] = {}
    for path in sorted((policies_dir or POLICIES_DIR).glob("*.yaml")):
        by_id[load_policy_file(path).id] = load_policy_file(path)
    for path in extra_files:
        policy = load_policy_file(path)
        by_id[policy.id] = policy
    return list(by_id.values())


def describe(policy_id: str) -> Policy | None:
    """The bundled policy with this id (title and references for report views), if any."""
    try:
        return next((p for p in load_policies() if p.id == policy_id), None)
    except PolicyError:
        return None


# -- matching ---------------------------------------------------------------------------------------------

def _group(kb: KnowledgeBase, entity: str) -> list[str]:
    return [entity, *kb.ancestors(entity)] if entity in kb else [entity]


def _claim_matches(claim: Claim, m: Mapping[str, Any], kb: KnowledgeBase) -> bool:
    group = _group(kb, claim.entity)
    checks = (
        ("layer", lambda v: claim.layer in _as_list(v)),
        ("entity", lambda v: claim.entity in _as_list(v)),
        ("group", lambda v: bool(set(group) & set(_as_list(v)))),
        ("list", lambda v: claim.entity in kb and bool(set(kb.lists(claim.entity)) & set(_as_list(v)))),
        ("country", lambda v: bool({kb.entities[e].country for e in group if e in kb} & set(_as_list(v)))),
        ("min_confidence", lambda v: claim.confidence >= float(v)),
    )
    return all(test(m[key]) for key, test in checks if key in m)


def _globs(value: str, patterns: Any) -> bool:
    return any(fnmatch.fnmatchcase(value.lower(), str(p).lower()) for p in _as_list(patterns))


def _finding_matches(f: Finding, m: Mapping[str, Any]) -> bool:
    rank = SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 0
    checks = (
        ("category", lambda v: f.category in _as_list(v)),
        ("severity", lambda v: f.severity in _as_list(v)),
        ("min_severity", lambda v: rank >= SEVERITIES.index(v)),
        ("rule", lambda v: _globs(f.rule, v)),
        ("id", lambda v: _globs(f.id, v)),
        ("any", lambda v: any(_globs(text, v) for text in (f.id, f.rule, f.title))),
    )
    return all(test(m[key]) for key, test in checks if key in m)


def _endpoint_matches(ep: Mapping[str, Any], m: Mapping[str, Any], kb: KnowledgeBase) -> bool:
    owner = ep.get("owner")
    checks = (
        ("owner", lambda v: owner in _as_list(v)),
        ("known_owner", lambda v: (owner in kb) == bool(v)),
        ("category", lambda v: ep.get("category") in _as_list(v)),
        ("kind", lambda v: ep.get("kind") in _as_list(v)),
        ("value", lambda v: _globs(str(ep.get("value", "")), v)),
        ("headline", lambda v: bool(ep.get("headline", True)) == bool(v)),
    )
    return all(test(m[key]) for key, test in checks if key in m)


# -- reasons ------------------------------------------------------------------------------------------------

class _Fields(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _claim_fields(claim: Claim, policy: Policy, kb: KnowledgeBase) -> _Fields:
    group = _group(kb, claim.entity)
    listed = next((e for e in group if e in kb and kb.entities[e].lists), claim.entity)
    row = next((policy.entities[e] for e in group if e in policy.entities), {})

    def name(entity: str) -> str:
        return kb.entities[entity].name if entity in kb else entity

    country = kb.entities[claim.entity].country if claim.entity in kb else ""
    return _Fields(entity=claim.entity, entity_name=name(claim.entity), layer=claim.layer, detail=claim.detail or "",
                   root=listed, root_name=name(listed), country=country or "", confidence=f"{claim.confidence:.2f}",
                   **row)


def _finding_reason(f: Finding) -> str:
    cited = "; ".join(cite_evidence(e) for e in f.evidence[:2]) or f.path or "no evidence recorded"
    return f"finding {f.id} [{f.severity}] ({f.confidence:.2f}): {f.title}; evidence {cited}"


def endpoint_where(ep: Mapping[str, Any]) -> str:
    """Where an endpoint record was seen: its first occurrence (path@offset), or its `path`/`where`."""
    occurrences = ep.get("occurrences") or []
    if occurrences and isinstance(occurrences[0], dict):
        first = occurrences[0]
        offset = first.get("offset")
        return str(first.get("path", "")) + (f"@{offset:#x}" if isinstance(offset, int) else "")
    return str(ep.get("path") or ep.get("where") or "")


def _endpoint_reason(ep: Mapping[str, Any]) -> str:
    where = endpoint_where(ep)
    return f"endpoint {ep.get('value', '?')} (owner {ep.get('owner') or 'unknown'}){' in ' + where if where else ''}"


@dataclass
class _Outcome:
    verdict: str = "pass"
    reasons: list[str] = field(default_factory=list)

    def add(self, verdict: str, reason: str) -> None:
        if OUTCOMES.index(verdict) > OUTCOMES.index(self.verdict):
            self.verdict = verdict
        self.reasons.append(reason)


def _first(policy: Policy, target: str, test: Any) -> Rule | None:
    return next((r for r in policy.rules if r.target == target and test(r.match)), None)


def _evaluate_claims(policy: Policy, claims: Iterable[Claim], hint: bool, kb: KnowledgeBase, out: _Outcome) -> None:
    for claim in sorted(claims, key=lambda c: (c.layer, c.entity)):
        rule = _first(policy, "claims", lambda m, c=claim: _claim_matches(c, m, kb))
        if rule is None or rule.verdict == "pass":
            continue
        verdict = "review" if hint else rule.verdict
        message = rule.message.format_map(_claim_fields(claim, policy, kb)).strip()
        prefix = f"{verdict} [{rule.id}]" + (" (hint below the claim threshold: review at most)" if hint else "")
        out.add(verdict, f"{prefix}: {message} — {cite_claim(claim, hint=hint)}")


def evaluate_policy(policy: Policy, report: Report, kb: KnowledgeBase) -> PolicyResult:
    """One policy over one report: verdict and reasons (each citing its record and evidence)."""
    out = _Outcome()
    _evaluate_claims(policy, report.claims, False, kb, out)
    if policy.hints == "review":
        _evaluate_claims(policy, report.hints, True, kb, out)
    for finding in sorted(report.findings, key=lambda f: f.id):
        rule = _first(policy, "findings", lambda m, f=finding: _finding_matches(f, m))
        if rule and rule.verdict != "pass":
            out.add(rule.verdict, f"{rule.verdict} [{rule.id}]: {rule.message.strip()} — {_finding_reason(finding)}")
    for ep in sorted(report.endpoints, key=lambda e: str(e.get("value", ""))):
        rule = _first(policy, "endpoints", lambda m, e=ep: _endpoint_matches(e, m, kb))
        if rule and rule.verdict != "pass":
            out.add(rule.verdict, f"{rule.verdict} [{rule.id}]: {rule.message.strip()} — {_endpoint_reason(ep)}")
    undetermined = undetermined_layers(policy, report.claims)
    if undetermined and out.verdict == "pass":
        layers = ", ".join(undetermined)
        out.add("inconclusive", f"inconclusive [requires_layers]: {layers} could not be determined (no claim at or "
                "above the threshold); unknown is not pass")
    out.reasons.sort(key=lambda r: -OUTCOMES.index(r.split(" ", 1)[0]))  # stable: fail first, then review
    note = policy.notes.get(out.verdict)
    if note:
        out.reasons.append(str(note).strip())
    if out.verdict != "pass" and policy.scope:
        out.reasons.append(f"scope: {policy.scope}")
    if policy.references:
        out.reasons.append("references: " + ", ".join(policy.references))
    return PolicyResult(policy=policy.id, verdict=out.verdict, reasons=tuple(out.reasons),  # type: ignore[arg-type]
                        undetermined=tuple(undetermined))


def undetermined_layers(policy: Policy, claims: Iterable[Claim]) -> list[str]:
    """The policy's required layers (or alternatives 'odm|oem') that no claim establishes."""
    established = {c.layer for c in claims}
    return [req for req in policy.requires_layers if not set(req.split("|")) & established]


def evaluate_policies(report: Report, extra_files: Sequence[Path] = (),
                      kb: KnowledgeBase | None = None) -> list[PolicyResult]:
    """Every bundled policy plus `extra_files` over `report`, sorted by policy id."""
    kb = kb or load_knowledge()
    results = [evaluate_policy(p, report, kb) for p in load_policies(extra_files)]
    return sorted(results, key=lambda r: r.policy)
