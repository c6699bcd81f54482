"""Vendor names as people write them -> knowledge-base entity ids, and relation chains between entities.

All knowledge comes from the knowledge base (`audit/knowledge.py`): names, aliases, the brand table and the
`subsidiary_of` / `brand_of` / `rebadge_of` relations. Nothing here names a vendor.
"""

from __future__ import annotations

import difflib
import re

from audit.knowledge import UNLISTED, KnowledgeBase

CHAIN_RELATIONS = ("subsidiary_of", "brand_of", "rebadge_of")  # edges an exclusion follows upwards


def _norm(text: str) -> str:
    return re.sub(r"[^0-9a-z\u0080-\uffff]+", "", text.casefold())


def _index(kb: KnowledgeBase) -> dict[str, str]:
    """Normalised id, name and alias -> entity id."""
    index: dict[str, str] = {}
    for ent in kb.entities.values():
        for label in (ent.id, ent.name, *ent.aliases):
            index.setdefault(_norm(label), ent.id)
    return index


def resolve_entity(kb: KnowledgeBase, text: str) -> str | None:
    """The entity id named by `text` (id, name or alias, any case and punctuation), else None."""
    key = _norm(text)
    return _index(kb).get(key) if key else None


def close_matches(kb: KnowledgeBase, text: str) -> list[str]:
    """Entity ids whose id, name or alias is close to `text` (for an error message)."""
    index = _index(kb)
    found = difflib.get_close_matches(_norm(text), list(index), n=5, cutoff=0.6)
    return list(dict.fromkeys(index[k] for k in found))


def resolve_brand(kb: KnowledgeBase, text: str) -> str:
    """A brand or manufacturer: a known entity, else the brand table, else `unlisted:<slug>` (never an error)."""
    known = resolve_entity(kb, text)
    if known:
        return known
    if text.startswith(UNLISTED):
        return text
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "unnamed"
    return kb.resolve_brand(text) or f"{UNLISTED}{slug}"


def relation_chain(kb: KnowledgeBase, start: str, target: str) -> list[str] | None:
    """Shortest chain `start -relation-> ... -> target` over current relations, as
    `["hisilicon", "subsidiary_of", "huawei"]`; `[start]` when they are the same; None when unrelated."""
    if start == target:
        return [start]
    if start not in kb.entities:
        return None
    queue: list[list[str]] = [[start]]
    seen = {start}
    while queue:
        path = queue.pop(0)
        ent = kb.entities.get(path[-1])
        for name in CHAIN_RELATIONS if ent else ():
            for rel in ent.relations.get(name, ()):
                if rel.until is not None or rel.target in seen:
                    continue
                step = [*path, name, rel.target]
                if rel.target == target:
                    return step
                seen.add(rel.target)
                queue.append(step)
    return None


def chain_text(kb: KnowledgeBase, chain: list[str]) -> str:
    """`HiSilicon (hisilicon) subsidiary_of Huawei Technologies (huawei)` for people."""
    words = []
    for i, part in enumerate(chain):
        if i % 2:
            words.append(part)
        else:
            ent = kb.entities.get(part)
            words.append(f"{ent.name} ({part})" if ent else part)
    return " ".join(words)
