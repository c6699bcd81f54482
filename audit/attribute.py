"""Attribution stage: facts and rule hits become located evidence; evidence becomes layered claims.

Each YARA hit (meta `layer`, `entity`, `weight`, optional `version_regex`/`detail`) and each fact matched by a
row of `rules/data/fact_rules.yaml` is one `Evidence`. Evidence for one (layer, entity) combines with a
noisy-OR over independent groups: one rule counts once at its strongest weight however many files or strings
it matched (one repeated string never makes a claim; two independent medium classes do), and evidence of one
kind in one file counts once. At or above the threshold a claim, below it a hint. Relations from
the knowledge base then apply: a re-badging vendor's claim explains away the original vendor's claim on the
same evidence (Goke vs HiSilicon), parents are named in notes, and an OEM brand that is not the ODM (nor in
its group) yields a `relabel` finding.

A `brand-lookup` oem rule yields a brand string, not an entity: every brand its strings name must agree (the
web UI title and the copyright line name one brand), and the brand table resolves it; a brand that is not in
the table is reported as `unlisted:<slug>`, never guessed into a listed entity (see rules/vendors/README.md).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from audit.knowledge import BRAND_LOOKUP, WEIGHTS, FactRule, KnowledgeBase
from audit.main_soc import resolve_main_soc
from audit.model import Claim, Evidence, Fact, FileRecord, Finding, RuleMatch

CLAIM_LAYERS = ("soc", "sdk", "toolchain", "odm", "oem", "cloud", "component")
MAX_MATCHED_CHARS = 128
MAX_EVIDENCE_PER_CLAIM = 32
MAX_LIST_VALUES = 8192
_GROUP = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class _Item:
    """One piece of evidence and what it supports."""

    layer: str
    entity: str
    detail: str | None
    evidence: Evidence


def _text(data: bytes | str) -> str:
    text = data if isinstance(data, str) else data.decode("utf-8", "backslashreplace")
    text = "".join(ch if ch.isprintable() else f"\\x{ord(ch):02x}" for ch in text)
    return text[:MAX_MATCHED_CHARS]


def _chain(path: str, by_path: dict[str, FileRecord]) -> tuple[str, ...]:
    """Containers above `path` (outermost first), then the file itself."""
    parents: list[str] = []
    current = by_path[path].parent if path in by_path else None
    while current and current not in parents:
        parents.append(current)
        current = by_path[current].parent if current in by_path else None
    return (*reversed(parents), path)


def _fill(template: str | None, match: re.Match[str]) -> str | None:
    """Detail from a `{1}`/`{name}` template, or the first group when no template is given."""
    if template is None:
        return match.group(1) if match.re.groups else None

    def group(m: re.Match[str]) -> str:
        key = m.group(1)
        try:
            return match.group(int(key) if key.isdigit() else key) or ""
        except (IndexError, KeyError):
            return ""

    return _GROUP.sub(group, template).strip() or None


def _normalise_detail(detail: str | None, layer: str, kb: KnowledgeBase) -> str | None:
    chip = kb.canonical_chip(detail) if layer == "soc" else None
    return chip.id if chip else detail


def _match_details(match: RuleMatch) -> tuple[list[str], int]:
    """Every detail the rule's version_regex yields over the matched strings, and the first string's index."""
    pattern = match.meta.get("version_regex")
    if not pattern:
        static = match.meta.get("detail")
        return ([static] if static else []), 0
    try:
        regex = re.compile(str(pattern))
    except re.error:
        return [], 0
    details, first = [], None
    for index, string in enumerate(match.strings):
        found = regex.search(string.data.decode("latin-1"))
        detail = _fill(match.meta.get("detail"), found) if found else None
        if detail:
            details.append(detail)
            first = index if first is None else first
    return details, first or 0


def _resolve_detail(details: list[str], layer: str, kb: KnowledgeBase) -> str | None:
    """One detail; several chip names of one family in one file (a driver's chip table) give the family."""
    normalised = list(dict.fromkeys(d for d in (_normalise_detail(x, layer, kb) for x in details) if d))
    if len(normalised) <= 1:
        return normalised[0] if normalised else None
    chips = [kb.canonical_chip(d) for d in normalised]
    families = {c.family or c.id for c in chips if c}
    if len(families) == 1 and all(chips):
        return families.pop()
    return normalised[0]


def _same_brand(a: str, b: str) -> bool:
    """One brand written twice: equal ignoring case and spacing, or one a longer form ("X Ltd") of the other."""
    a, b = " ".join(a.split()).casefold(), " ".join(b.split()).casefold()
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


def _match_brand(match: RuleMatch) -> str | None:
    """The brand a brand-lookup hit names: every `$x` identity field (web UI title, brand field) names the same
    brand and at least one `$s` mention (copyright line, ...) confirms it; otherwise None (silence)."""
    try:
        regex = re.compile(str(match.meta.get("version_regex")))
    except re.error:
        return None
    named: dict[str, list[str]] = defaultdict(list)
    for string in match.strings:
        found = regex.search(string.data.decode("latin-1"))
        if found and (brand := _fill(match.meta.get("detail"), found)):
            named[string.identifier[:2]].append(" ".join(brand.split()))
    titles, mentions = named.get("$x", []), named.get("$s", [])
    if not titles or not all(_same_brand(t, titles[0]) for t in titles):
        return None
    return min(titles, key=len) if any(_same_brand(m, titles[0]) for m in mentions) else None


def evidence_from_matches(
    matches: Iterable[RuleMatch], by_path: dict[str, FileRecord], kb: KnowledgeBase
) -> list[_Item]:
    items = []
    for match in matches:
        meta = match.meta
        layer, entity, weight = meta.get("layer"), meta.get("entity"), meta.get("weight")
        if layer not in CLAIM_LAYERS or (entity not in kb and entity != BRAND_LOOKUP) or weight not in WEIGHTS:
            continue
        details, index = _match_details(match)
        if entity == BRAND_LOOKUP:
            brand = _match_brand(match) if layer == "oem" else None
            entity = kb.resolve_brand(brand)
            if entity is None:
                continue
            details = [brand] if brand else []
        string = match.strings[index] if match.strings else None
        evidence = Evidence(
            kind="yara",
            rule_id=match.rule,
            path=match.path,
            sha256=match.sha256,
            offset=string.offset if string else None,
            matched=_text(string.data) if string else "",
            weight=weight,
            chain=_chain(match.path, by_path),
        )
        items.append(_Item(layer, entity, _resolve_detail(details, layer, kb), evidence))
    return items


def _values(data: Any, field: str) -> list[str]:
    """String values of `field` in a fact's data (`*`: every string value, nested, bounded), in order."""
    out: list[str] = []
    if field != "*":
        value = data.get(field) if isinstance(data, dict) else None
        if value is not None:
            _collect(value, 1, out)
    else:
        _collect(data, 0, out)
    return out


def _collect(data: Any, depth: int, out: list[str]) -> None:
    """Append the string values in `data` (containers opened to depth 4, lists to MAX_LIST_VALUES items); the
    strings of a list (a fact's thousands of symbol names) are taken without a call each."""
    if isinstance(data, str):
        out.append(data)
    elif isinstance(data, bool):
        out.append("true" if data else "false")
    elif isinstance(data, int):
        out.append(str(data))
    elif isinstance(data, dict) and depth < 4:
        for value in data.values():
            if type(value) is str:
                out.append(value)
            else:
                _collect(value, depth + 1, out)
    elif isinstance(data, list | tuple) and depth < 4:
        for value in data[:MAX_LIST_VALUES]:
            if type(value) is str:
                out.append(value)
            else:
                _collect(value, depth + 1, out)


def evidence_from_facts(facts: Iterable[Fact], by_path: dict[str, FileRecord], kb: KnowledgeBase) -> list[_Item]:
    items = []
    by_kind: dict[str, list[FactRule]] = {}  # the rules for a fact kind, in the knowledge base's order
    for fact in facts:
        rules = by_kind.get(fact.kind)
        if rules is None:
            rules = by_kind[fact.kind] = [r for r in kb.fact_rules if r.fact in ("*", fact.kind)]
        values: dict[str, list[str]] = {}  # a fact's values per field, walked once for all its rules

        def of(name: str, data: Any = fact.data, values: dict[str, list[str]] = values) -> list[str]:
            found = values.get(name)
            if found is None:
                found = values[name] = _values(data, name)
            return found

        for rule in rules:
            found = next((m for v in of(rule.field) if (m := rule.regex.search(v))), None)
            if found is None or not all(any(regex.search(v) for v in of(name)) for name, regex in rule.where):
                continue
            entity, detail = rule.entity, _fill(rule.detail, found)
            if entity == BRAND_LOOKUP:
                entity = kb.resolve_brand(detail) if rule.layer == "oem" else None
                if entity is None:
                    continue
            evidence = Evidence(
                kind="fact",
                rule_id=rule.id,
                path=fact.path,
                sha256=fact.sha256,
                offset=fact.offset,
                matched=_text(found.string),
                weight=rule.weight,  # type: ignore[arg-type]
                chain=_chain(fact.path, by_path),
            )
            items.append(_Item(rule.layer, entity, _normalise_detail(detail, rule.layer, kb), evidence))
    return items


def dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    """Evidence with each (rule, matched text) once, strongest first, then by path."""
    ordered = sorted(evidence, key=lambda e: (-WEIGHTS[e.weight], e.path, e.rule_id, e.offset or 0))
    seen: set[tuple[str, str]] = set()
    unique = []
    for ev in ordered:
        if (ev.rule_id, ev.matched) not in seen:
            seen.add((ev.rule_id, ev.matched))
            unique.append(ev)
    return unique


def combine(evidence: Iterable[Evidence]) -> float:
    """Noisy-OR over independent groups: each rule once (its strongest hit, wherever it matched), then evidence
    of one kind in one file once (at its strongest weight)."""
    per_rule: dict[str, Evidence] = {}
    for ev in dedupe(evidence):  # strongest first, so the first hit of a rule is the one that counts
        per_rule.setdefault(ev.rule_id, ev)
    groups: dict[tuple[str, str], float] = {}
    for ev in per_rule.values():
        key = (ev.kind, ev.sha256)
        groups[key] = max(groups.get(key, 0.0), WEIGHTS[ev.weight])
    return round(1.0 - math.prod(1.0 - w for w in groups.values()), 4)


def _build_claims(items: list[_Item]) -> list[Claim]:
    grouped: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    for item in items:
        grouped[(item.layer, item.entity)].append(item)
    claims = []
    for (layer, entity), group in sorted(grouped.items()):
        details = Counter(i.detail for i in group if i.detail)
        ranked = sorted(details, key=lambda d: (-details[d], d))
        notes = tuple(f"also seen: {d}" for d in ranked[1:4])
        evidence = dedupe(i.evidence for i in group)
        claims.append(
            Claim(
                layer=layer,
                entity=entity,
                confidence=combine(evidence),
                evidence=tuple(evidence[:MAX_EVIDENCE_PER_CLAIM]),
                detail=ranked[0] if ranked else None,
                notes=notes,
            )
        )
    return claims


def _explained_by(original: Claim, rebadger: Claim, kb: KnowledgeBase) -> bool:
    """True when the re-badging vendor's claim accounts for the original vendor's claim."""
    if original.detail is None:
        return True
    chip = kb.canonical_chip(original.detail)
    rebadged = {c.rebadge_of for c in kb.chips.values() if c.vendor == rebadger.entity}
    if chip and chip.id in rebadged:
        return True
    return {e.sha256 for e in original.evidence} <= {e.sha256 for e in rebadger.evidence}


def _rebadge_note(claim: Claim, original: str, kb: KnowledgeBase) -> str:
    name = kb.entities[original].name
    chip = kb.canonical_chip(claim.detail)
    if chip and chip.rebadge_of:
        return f"{name}-derived design: {chip.id} is a re-badge of {name} {chip.rebadge_of}"
    return f"{name}-derived design ({kb.entities[claim.entity].name} re-badges {name} parts)"


def apply_rebadges(claims: list[Claim], threshold: float, kb: KnowledgeBase) -> list[Claim]:
    """Drop original-vendor soc/sdk claims explained by a re-badger's claim; note the derivation."""
    suppressed: set[int] = set()
    noted: dict[int, list[str]] = defaultdict(list)
    for i, claim in enumerate(claims):
        if claim.layer not in ("soc", "sdk") or claim.confidence < threshold:
            continue
        for original in kb.related(claim.entity, "rebadge_of"):
            noted[i].append(_rebadge_note(claim, original, kb))
            layers = ("soc", "sdk") if claim.layer == "soc" else ("sdk",)
            for j, other in enumerate(claims):
                if other.entity == original and other.layer in layers and _explained_by(other, claim, kb):
                    suppressed.add(j)
                    noted[i].append(f"{original} {other.layer} evidence attributed to {claim.entity}")
    return [
        replace(c, notes=tuple(dict.fromkeys((*c.notes, *noted[i])))) if noted[i] else c
        for i, c in enumerate(claims)
        if i not in suppressed
    ]


def _with_parents(claim: Claim, kb: KnowledgeBase) -> Claim:
    if claim.entity not in kb:
        return replace(claim, notes=(*claim.notes, "brand not in rules/data/brands.yaml: no relations or lists apply"))
    notes = [f"parent: {p}" for p in kb.ancestors(claim.entity)]
    former = [p for p in kb.ancestors(claim.entity, include_former=True) if p not in kb.ancestors(claim.entity)]
    notes += [f"former parent: {p}" for p in former]
    return replace(claim, notes=tuple(dict.fromkeys((*claim.notes, *notes)))) if notes else claim


def relabel_findings(
    claims: Sequence[Claim], kb: KnowledgeBase, hints: Sequence[Claim] = (), seller_rules: frozenset[str] = frozenset()
) -> list[Finding]:
    """An OEM brand whose entity is neither the ODM/platform entity nor in its group: a relabel.

    The platform must be a claim. The brand may be a claim, or a medium hint whose evidence includes one of
    `seller_rules` (the brand-lookup rules: the device's own UI naming the brand it is sold under, title and
    copyright agreeing), never a model-number or compatibility string. Such a finding says the brand is not
    established, and its confidence is the hint's, so a gate on confidence treats it as the hint it is.
    """
    findings = []
    odms = [c for c in claims if c.layer == "odm" and c.entity in kb]
    brands = [(c, True) for c in claims if c.layer == "oem"]
    brands += [
        (c, False) for c in hints
        if c.layer == "oem" and c.confidence >= WEIGHTS["medium"] and any(e.rule_id in seller_rules for e in c.evidence)
    ]
    for oem, established in brands:
        listed = oem.entity in kb
        for odm in odms:
            if listed and kb.same_group(oem.entity, odm.entity):
                continue
            documented = listed and oem.entity in kb.related(odm.entity, "odm_for")
            brand = kb.entities[oem.entity].name if listed else (oem.detail or oem.entity)
            title = f"{brand}-branded firmware built on the {kb.entities[odm.entity].name} platform"
            title += " (documented ODM)" if documented else ""
            title += "" if established else " (brand from one evidence class: a hint, not established)"
            findings.append(
                Finding(
                    id=f"provenance.relabel.{oem.entity.replace(':', '.')}.{odm.entity}",
                    rule="attribute.relabel",
                    category="provenance",
                    severity="info",
                    confidence=min(oem.confidence, odm.confidence),
                    title=title,
                    path=oem.evidence[0].path if oem.evidence else "",
                    evidence=(*oem.evidence[:4], *odm.evidence[:4]),
                )
            )
    return sorted(findings, key=lambda f: f.id)


def attribute(
    files: Sequence[FileRecord],
    facts: Sequence[Fact],
    matches: Sequence[RuleMatch],
    kb: KnowledgeBase,
    threshold: float = 0.8,
) -> tuple[list[Claim], list[Claim], list[Finding]]:
    """(claims at or above `threshold`, hints below it, relabel findings)."""
    by_path = {f.path: f for f in files}
    items = evidence_from_matches(matches, by_path, kb) + evidence_from_facts(facts, by_path, kb)
    everything = resolve_main_soc(apply_rebadges(_build_claims(items), threshold, kb), facts, threshold)
    everything = [_with_parents(c, kb) for c in everything]
    claims = [c for c in everything if c.confidence >= threshold]
    hints = [c for c in everything if c.confidence < threshold]
    sellers = frozenset(m.rule for m in matches if m.meta.get("entity") == BRAND_LOOKUP) | frozenset(
        r.id for r in kb.fact_rules if r.entity == BRAND_LOOKUP)
    return claims, hints, relabel_findings(claims, kb, hints, sellers)
