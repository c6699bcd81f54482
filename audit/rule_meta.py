"""YARA rule files as written: names, categories (folders) and meta, and the checks on that meta.

Used by the scan stage (which files to compile), the rule tests and the rules documentation.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from audit.knowledge import BRAND_LOOKUP, LAYERS, RULES_ROOT, WEIGHTS, KnowledgeBase, entity_ok

META_ORDER = ("id", "description", "author", "date", "reference", "layer", "entity", "weight")
META_OPTIONAL = ("detail", "version_regex")


@dataclass(frozen=True)
class RuleInfo:
    """A YARA rule as written in its file: name, category (folder), meta in source order."""

    name: str
    category: str
    path: Path
    meta: tuple[tuple[str, str], ...]

    @property
    def meta_dict(self) -> dict[str, str]:
        return dict(self.meta)



_RULE_RE = re.compile(r"^\s*(?:private\s+|global\s+)*rule\s+(\w+)[^{]*\{(.*?)^\}", re.M | re.S)
_META_RE = re.compile(r"meta:\s*(.*?)^\s*(?:strings|condition):", re.M | re.S)
_META_LINE = re.compile(r'^\s*(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|(\S+))\s*$')


def parse_rules(path: Path, category: str) -> list[RuleInfo]:
    """Rules of one .yar file with their meta in source order (our files keep one meta per line)."""
    text = path.read_text(encoding="utf-8")
    infos = []
    for rule in _RULE_RE.finditer(text):
        meta_block = _META_RE.search(rule.group(2))
        pairs = []
        for line in (meta_block.group(1) if meta_block else "").splitlines():
            m = _META_LINE.match(line)
            if m:
                value = m.group(2) if m.group(2) is not None else m.group(3)
                pairs.append((m.group(1), value.replace('\\"', '"').replace("\\\\", "\\")))
        infos.append(RuleInfo(rule.group(1), category, path, tuple(pairs)))
    return infos


def rule_files(yara_dir: Path) -> list[Path]:
    return sorted(p for p in yara_dir.rglob("*.yar") if p.is_file())


def load_rule_infos(yara_dir: Path | None = None) -> list[RuleInfo]:
    yara_dir = yara_dir or RULES_ROOT / "yara"
    return [info for p in rule_files(yara_dir) for info in parse_rules(p, p.parent.name)]


def validate_rule_meta(info: RuleInfo, kb: KnowledgeBase) -> list[str]:
    """Problems with one rule's meta: order, presence, format, entity known, regex compiles."""
    keys = [k for k, _ in info.meta]
    problems = []
    expected = list(META_ORDER) + [k for k in META_OPTIONAL if k in keys]
    if keys != expected:
        problems.append(f"meta keys {keys} != expected order {expected}")
    meta = info.meta_dict
    checks: Iterable[tuple[bool, str]] = (
        (_is_uuid(meta.get("id", "")), "id is not a UUID"),
        (bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.get("date", ""))), "date is not YYYY-MM-DD"),
        (meta.get("reference", "").startswith("https://"), "reference is not an https URL"),
        (meta.get("layer") in LAYERS, f"layer {meta.get('layer')!r} unknown"),
        (meta.get("layer") == info.category or info.category == "suspicious", "layer != folder"),
        (entity_ok(meta.get("entity", ""), meta.get("layer", ""), kb),
         f"entity {meta.get('entity')!r} not in rules/vendors"),
        (meta.get("weight") in WEIGHTS, f"weight {meta.get('weight')!r} not strong|medium|weak"),
        (len(meta.get("description", "")) >= 10, "description too short"),
    )
    problems.extend(msg for ok, msg in checks if not ok)
    if meta.get("entity") == BRAND_LOOKUP and "version_regex" not in meta:
        problems.append("a brand-lookup rule needs a version_regex extracting the brand")
    if "version_regex" in meta:
        try:
            re.compile(meta["version_regex"])
        except re.error as exc:
            problems.append(f"version_regex does not compile: {exc}")
    return problems


def _is_uuid(text: str) -> bool:
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
