"""Descriptions and references of detection rules (YARA meta, fact rules), for report views.

Views show what a rule detects and where it is documented; they look it up here by the `rule_id` recorded in
evidence. A rule that no longer exists (a report re-rendered after the rules changed) simply has no entry.
"""

from __future__ import annotations

import functools
from typing import Any

from audit.knowledge import KnowledgeError, load_knowledge
from audit.rule_meta import load_rule_infos


@functools.lru_cache(maxsize=1)
def rule_meta() -> dict[str, dict[str, Any]]:
    """rule id -> {description, reference, layer, entity, weight, category}; empty when rules cannot be read."""
    table: dict[str, dict[str, Any]] = {}
    try:
        for info in load_rule_infos():
            table[info.name] = {**info.meta_dict, "category": info.category}
        for rule in load_knowledge().fact_rules:
            table[rule.id] = {"description": rule.description, "reference": rule.reference, "layer": rule.layer,
                              "entity": rule.entity, "weight": rule.weight, "category": "fact"}
    except (OSError, UnicodeDecodeError, KnowledgeError):
        return table
    return table


@functools.lru_cache(maxsize=1)
def entity_names() -> dict[str, str]:
    """entity id -> display name (the id itself when the knowledge base cannot be read)."""
    try:
        return {e.id: e.name for e in load_knowledge().entities.values()}
    except (OSError, KnowledgeError):
        return {}


@functools.lru_cache(maxsize=1)
def entity_parents() -> dict[str, tuple[str, ...]]:
    """entity id -> current ancestors, nearest first (for the provenance picture)."""
    try:
        kb = load_knowledge()
    except (OSError, KnowledgeError):
        return {}
    return {e: tuple(kb.ancestors(e)) for e in kb.entities}


@functools.lru_cache(maxsize=1)
def entity_lists() -> dict[str, tuple[str, ...]]:
    """entity id -> regulatory lists naming it or a current ancestor."""
    try:
        kb = load_knowledge()
    except (OSError, KnowledgeError):
        return {}
    return {e: tuple(kb.lists(e)) for e in kb.entities}
